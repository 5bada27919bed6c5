//! Plain text in which spans between backticks are code, as the core writes its advice
//! (`stslens report`, `mode: testing`).

use leptos::prelude::*;

/// Renders `text`, with every `` `span` `` as `<code>`.
#[component]
pub fn RichText(#[prop(into)] text: String) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_owned();
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}
