//! What changed since the domain was last checked in this browser, from core's
//! `history::compare` (e.g. "the policy changed but its id did not").

use super::findings_list::FindingsList;
use crate::io::clock;
use crate::runner::Changes;
use leptos::prelude::*;

/// The changes, when there was an earlier check.
#[component]
pub fn HistoryChanges(changes: RwSignal<Option<Changes>>) -> impl IntoView {
    move || {
        changes.get().map(|c| {
            let when = clock::format_utc(c.previous_at);
            let serious = c
                .findings
                .iter()
                .any(|f| f.severity != stslens_core::Severity::Info);
            let class = if serious { "card changes warned" } else { "card changes" };
            let empty = c.findings.is_empty();
            let findings = Signal::stored(c.findings);
            view! {
                <section class=class aria-labelledby="changes-h" id="changes">
                    <h2 id="changes-h">"Since your last check"</h2>
                    <p class="muted small">{format!("Compared with the check of {when} in this browser.")}</p>
                    {empty.then(|| view! { <p>"Nothing changed in the record's id or the policy."</p> })}
                    <FindingsList findings=findings/>
                </section>
            }
        })
    }
}
