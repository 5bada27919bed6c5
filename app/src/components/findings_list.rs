//! Findings as a list: severity badge, code, message, fix and RFC section.

use super::rich_text::RichText;
use leptos::prelude::*;
use stslens_core::Finding;

/// The findings, in order; nothing at all when there are none.
#[component]
pub fn FindingsList(#[prop(into)] findings: Signal<Vec<Finding>>) -> impl IntoView {
    view! {
        <ul class="findings">
            {move || {
                findings
                    .get()
                    .into_iter()
                    .map(|f| {
                        let severity = f.severity.as_str();
                        let line = f.line.map(|l| format!("line {l}"));
                        view! {
                            <li class="finding">
                                <div class="finding-head">
                                    <span class=format!("badge {severity}")>{severity}</span>
                                    <code class="code">{f.code.as_str()}</code>
                                    {line.map(|l| view! { <span class="code">{l}</span> })}
                                    <span class="rfc">{f.rfc.clone()}</span>
                                </div>
                                <p><RichText text=f.message.clone()/></p>
                                {f.fix.clone().map(|fix| view! {
                                    <p class="fix-text"><strong>"Fix: "</strong><RichText text=fix/></p>
                                })}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}
