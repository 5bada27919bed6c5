//! What a compliant sender (Gmail, Microsoft 365, Postfix with an MTA-STS resolver) does with
//! each MX host under the current policy, as core's sender simulation says.

use super::rich_text::RichText;
use leptos::prelude::*;
use stslens_core::check::{Report, SenderAction};

/// One row per MX host: the action, in words and as a badge, and why.
#[component]
pub fn SenderTable(report: RwSignal<Option<Report>>) -> impl IntoView {
    let rows = move || {
        report.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.mx.hosts
                        .iter()
                        .map(|h| (h.host.clone(), h.sender.action, h.sender.why.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let summary = move || {
        report.with(|r| {
            r.as_ref()
                .map(|r| r.sender.summary.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <Show when=move || !rows().is_empty()>
            <section class="card" aria-labelledby="sender-h" id="sender">
                <h2 id="sender-h">"What a compliant sender does"</h2>
                <p>{summary}</p>
                <div class="table-wrap">
                    <table>
                        <caption>"For a sender without a cached policy, per MX host."</caption>
                        <thead>
                            <tr><th scope="col">"MX host"</th><th scope="col">"Action"</th><th scope="col">"Why"</th></tr>
                        </thead>
                        <tbody>
                            {move || rows().into_iter().map(|(host, action, why)| {
                                let (tone, text) = words(action);
                                view! {
                                    <tr>
                                        <th scope="row"><code>{host}</code></th>
                                        <td><span class=format!("badge {tone}")>{text}</span></td>
                                        <td><RichText text=why/></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        </Show>
    }
}

/// The badge tone and words of an action.
fn words(action: SenderAction) -> (&'static str, &'static str) {
    match action {
        SenderAction::DeliverTls => ("ok", "delivers over verified TLS"),
        SenderAction::DeliverDespiteFailure => ("warning", "delivers, reports failure"),
        SenderAction::Refuse => ("error", "refuses this host"),
        SenderAction::DeliverWithoutMtaSts => ("warning", "delivers without MTA-STS"),
        SenderAction::Unknown => ("info", "depends on the unchecked TLS"),
    }
}
