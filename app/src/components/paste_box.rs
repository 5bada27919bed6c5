//! Pasting a report's JSON (from a mail client that shows it inline, or a log) instead of a file.

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;

/// A collapsible textarea with a "Read pasted text" button.
///
/// - `on_text`: called with the text when the button is pressed (never with blank text).
#[component]
pub fn PasteBox(#[prop(into)] on_text: UnsyncCallback<String>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let read = move |_| {
        let t = text.get_untracked();
        if !t.trim().is_empty() {
            on_text.run(t);
            text.set(String::new());
        }
    };
    view! {
        <details class="paste-box">
            <summary>"Paste report JSON instead"</summary>
            <label for="paste-text">"Report JSON " <span class="hint">"one TLS-RPT report, as the sender wrote it"</span></label>
            <textarea id="paste-text" rows="6" spellcheck="false" placeholder="{\"organization-name\": …, \"policies\": […]}"
                prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))></textarea>
            <button type="button" class="secondary" on:click=read
                disabled=move || text.with(|t| t.trim().is_empty())>"Read pasted text"</button>
        </details>
    }
}
