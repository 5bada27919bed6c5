//! A "Copy" button for a piece of text, with a spoken confirmation.

use crate::io::clipboard;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// What the last click did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Idle,
    Copied,
    /// Copying failed; the text was selected for Ctrl+C instead.
    Failed,
}

/// A button that copies `text`. When the browser refuses, it selects the element with id
/// `target` (if given) and says how to copy by hand.
///
/// - `text`: what to copy, read at click time.
/// - `what`: the name of the text for screen readers, e.g. "policy file" ("Copy policy file").
/// - `target`: the id of the element that shows the text.
/// - `label`: the visible text when idle, "Copy" unless given (e.g. "Copy link"); the accessible
///   name still starts with it.
#[component]
pub fn CopyButton(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] what: String,
    #[prop(optional, into)] target: Option<String>,
    #[prop(optional, into)] label: Option<String>,
) -> impl IntoView {
    let state = RwSignal::new(State::Idle);
    let on_click = move |_| {
        let text = text.get_untracked();
        let target = target.clone();
        spawn_local(async move {
            match clipboard::copy_text(&text).await {
                Ok(()) => state.set(State::Copied),
                Err(_) => {
                    if let Some(el) = target
                        .as_deref()
                        .and_then(|id| document().get_element_by_id(id))
                    {
                        clipboard::select_contents(&el);
                    }
                    state.set(State::Failed);
                }
            }
            set_timeout(move || state.set(State::Idle), Duration::from_secs(3));
        });
    };
    let idle = label.unwrap_or_else(|| "Copy".to_owned());
    let name = match idle.strip_prefix("Copy ") {
        Some(rest) if what.starts_with(rest) => format!("Copy {what}"),
        _ if idle == "Copy" => format!("Copy {what}"),
        _ => format!("{idle}: {what}"),
    };
    let label = move || match state.get() {
        State::Idle => idle.clone(),
        State::Copied => "Copied".to_owned(),
        State::Failed => "Press Ctrl+C".to_owned(),
    };
    view! {
        <button type="button" class="copy small secondary" aria-label=name on:click=on_click>
            {label}
        </button>
        <span class="visually-hidden" role="status">
            {move || match state.get() {
                State::Idle => String::new(),
                State::Copied => "Copied to the clipboard.".to_owned(),
                State::Failed => "The browser did not allow copying; the text is selected, press Ctrl+C.".to_owned(),
            }}
        </span>
    }
}
