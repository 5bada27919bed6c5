//! Where report files come in: a drop zone that is also the button opening the file picker.
//!
//! The zone is a real `<button>` (Enter and Space open the picker, it is focusable and named for
//! screen readers); the `<input type="file" multiple>` it opens is hidden but labelled. While this
//! component is on the page, files dropped anywhere on it are taken too, so a drop that misses
//! the zone does not make the browser leave the page to display the file.

use crate::io::files;
use leptos::callback::UnsyncCallback;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use web_sys::File;

/// The drop zone.
///
/// - `on_files`: called with the files chosen or dropped, in order (never with none).
/// - `busy`: whether files are being read (the zone says so, and still takes more).
#[component]
pub fn DropZone(
    #[prop(into)] on_files: UnsyncCallback<Vec<File>>,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let input: NodeRef<html::Input> = NodeRef::new();
    let over = RwSignal::new(false);
    let take = move |list: Vec<File>| {
        if !list.is_empty() {
            on_files.run(list);
        }
    };

    let on_drag = window_event_listener(ev::dragover, move |e: ev::DragEvent| {
        if files::drag_has_files(&e) {
            e.prevent_default();
            over.set(true);
        }
    });
    let on_leave = window_event_listener(ev::dragleave, move |e: ev::DragEvent| {
        // Leaving the window, not just moving between elements.
        if e.related_target().is_none() {
            over.set(false);
        }
    });
    let on_drop = window_event_listener(ev::drop, move |e: ev::DragEvent| {
        over.set(false);
        if files::drag_has_files(&e) {
            e.prevent_default();
            take(files::from_drop(&e));
        }
    });
    on_cleanup(move || {
        on_drag.remove();
        on_leave.remove();
        on_drop.remove();
    });

    let open_picker = move |_| {
        if let Some(input) = input.get() {
            input.click();
        }
    };
    let on_change = move |e: ev::Event| {
        let element = event_target::<web_sys::HtmlInputElement>(&e);
        let chosen = element
            .files()
            .map(|l| files::from_list(&l))
            .unwrap_or_default();
        // Cleared so that choosing the same files again is a change again.
        element.set_value("");
        take(chosen);
    };

    view! {
        <button type="button" class="drop-zone" class:over=move || over.get()
            aria-describedby="drop-hint" on:click=open_picker>
            <svg class="drop-icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8">
                <path d="M12 15V4m0 0l-4 4m4-4l4 4"/>
                <path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"/>
            </svg>
            <span class="drop-title">
                {move || if over.get() { "Drop to read the reports" } else { "Drop report files here, or choose files" }}
            </span>
            <span class="hint" id="drop-hint">
                {move || if busy.get() { "Reading… you can add more files." } else {
                    ".json, .json.gz, .gz, .zip, .eml, .mbox; as many as you like. Read in this tab, never uploaded."
                }}
            </span>
        </button>
        <input node_ref=input type="file" multiple class="visually-hidden" tabindex="-1"
            aria-label="Choose TLS-RPT report files" on:change=on_change/>
    }
}
