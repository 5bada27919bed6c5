//! The plain-words problems with one form field, placed right under it.

use super::rich_text::RichText;
use leptos::prelude::*;

/// The messages for one field. `id` is what the input's `aria-describedby` points at; the
/// element is always present (empty when all is well) so that the reference never dangles, and
/// it is a live region so a screen reader hears a problem as it appears.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] messages: Signal<Vec<String>>,
) -> impl IntoView {
    view! {
        <div class="field-error" id=id aria-live="polite">
            {move || {
                messages
                    .get()
                    .into_iter()
                    .map(|m| view! { <p><RichText text=sentence(&m)/></p> })
                    .collect_view()
            }}
        </div>
    }
}

/// `message` as a sentence: a capital first letter and a final full stop. The core's messages are
/// clauses ("the domain `x` is not valid: ...") so that callers can prefix them (the CLI writes
/// `--domain: ...`).
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
