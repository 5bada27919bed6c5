//! A labelled block of generated text (a file, a record, a snippet) with a copy button.

use super::copy_button::CopyButton;
use leptos::prelude::*;

/// `<pre>` with a label above it and a Copy button beside the label.
///
/// - `label`: what the text is, shown and used for the button's accessible name.
/// - `text`: the text, shown exactly (no re-wrapping: it is meant to be pasted).
/// - `id`: the `<pre>`'s id, unique on the page (the copy fallback selects it).
/// - `note`: an optional short line under the label (e.g. where the text goes).
#[component]
pub fn OutputBlock(
    #[prop(into)] label: String,
    #[prop(into)] text: Signal<String>,
    #[prop(into)] id: String,
    #[prop(optional, into)] note: Option<String>,
) -> impl IntoView {
    let label_id = format!("{id}-label");
    view! {
        <div class="output">
            <div class="output-head">
                <span class="output-label" id=label_id.clone()>{label.clone()}</span>
                <CopyButton text=text what=label target=id.clone()/>
            </div>
            {note.map(|n| view! { <p class="hint output-note">{n}</p> })}
            <pre id=id aria-labelledby=label_id tabindex="0">{move || text.get()}</pre>
        </div>
    }
}
