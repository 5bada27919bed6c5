//! The check's result sections, as the check worker wrote them (`checker/render.rs`), and the
//! one click handler that serves their Copy buttons.
//!
//! The HTML is inserted as it came: the worker escapes every value from the outside. The
//! buttons carry `data-copy` (the id of the element whose text they copy) and, for a fix,
//! `data-text` (the fix as core wrote it); what they say after a click is what
//! `copy_button.rs` says.

use crate::checker::protocol::Finished;
use crate::io::clipboard;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

/// The sections of `result` (rendered only while it is `Some`).
#[component]
pub fn Results(result: RwSignal<Option<Finished>>) -> impl IntoView {
    let html = move || result.with(|r| r.as_ref().map(|r| r.html.clone()).unwrap_or_default());
    view! { <div class="results" inner_html=html on:click=on_click></div> }
}

/// Copies for a `data-copy` button: says "Copied", or selects the text and says "Press
/// Ctrl+C" when the browser refuses; back to "Copy" after 3 s.
fn on_click(event: MouseEvent) {
    let Some(button) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("button[data-copy]").ok().flatten())
    else {
        return;
    };
    let target = button
        .get_attribute("data-copy")
        .and_then(|id| document().get_element_by_id(&id));
    let text = button
        .get_attribute("data-text")
        .or_else(|| target.as_ref().and_then(|t| t.text_content()))
        .unwrap_or_default();
    let status = button.next_element_sibling();
    spawn_local(async move {
        let (label, said) = match clipboard::copy_text(&text).await {
            Ok(()) => ("Copied", "Copied to the clipboard."),
            Err(_) => {
                if let Some(target) = &target {
                    clipboard::select_contents(target);
                }
                (
                    "Press Ctrl+C",
                    "The browser did not allow copying; the text is selected, press Ctrl+C.",
                )
            }
        };
        button.set_text_content(Some(label));
        if let Some(status) = &status {
            status.set_text_content(Some(said));
        }
        set_timeout(
            move || {
                button.set_text_content(Some("Copy"));
                if let Some(status) = &status {
                    status.set_text_content(Some(""));
                }
            },
            Duration::from_secs(3),
        );
    });
}
