//! Findings as a list: severity badge, code, message, fix and RFC section.

use super::copy_button::CopyButton;
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
                    .map(|f| view! { <FindingItem finding=f/> })
                    .collect_view()
            }}
        </ul>
    }
}

/// One finding as a list item.
///
/// - `host`: the MX host it is about, shown before the message when the message does not name it.
/// - `fix_id`: when given, the fix is shown as copyable text with this element id and a Copy
///   button (the check page, where a fix is something to paste into a ticket or a zone).
#[component]
pub fn FindingItem(
    finding: Finding,
    #[prop(default = None)] host: Option<String>,
    #[prop(default = None)] fix_id: Option<String>,
) -> impl IntoView {
    let severity = finding.severity.as_str();
    let line = finding.line.map(|l| format!("line {l}"));
    let host = host.filter(|h| !finding.message.contains(h.as_str()));
    let fix = finding.fix.clone().map(|fix| match fix_id {
        Some(id) => {
            let text = Signal::stored(fix.clone());
            view! {
                <div class="fix">
                    <strong class="fix-label">"Fix"</strong>
                    <p class="fix-body" id=id.clone()><RichText text=fix/></p>
                    <CopyButton text=text what="fix" target=id/>
                </div>
            }
            .into_any()
        }
        None => view! {
            <p class="fix-text"><strong>"Fix: "</strong><RichText text=fix/></p>
        }
        .into_any(),
    });
    view! {
        <li class="finding">
            <div class="finding-head">
                <span class=format!("badge {severity}")>{severity}</span>
                <code class="code">{finding.code.as_str()}</code>
                {line.map(|l| view! { <span class="code">{l}</span> })}
                <span class="rfc">{finding.rfc.clone()}</span>
            </div>
            <p>
                {host.map(|h| view! { <strong class="host">{h}": "</strong> })}
                <RichText text=finding.message.clone()/>
            </p>
            {fix}
        </li>
    }
}
