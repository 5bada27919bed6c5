//! The verdict: one word, core's one sentence why, what senders do, and the actions on the
//! result (check again, copy the permalink). A component of the page (not HTML from the
//! worker) because its buttons act on the page.

use super::copy_button::CopyButton;
use crate::checker::protocol::Finished;
use crate::io::clock;
use leptos::prelude::*;
use stslens_core::check::VerdictStatus;

/// The verdict card of `result` (rendered only while it is `Some`).
#[component]
pub fn VerdictCard(
    result: RwSignal<Option<Finished>>,
    elapsed_ms: RwSignal<u64>,
    on_again: Callback<()>,
) -> impl IntoView {
    let status = move || result.with(|r| r.as_ref().map(|r| r.verdict.status));
    let class = move || {
        let state = match status() {
            Some(VerdictStatus::Enforced) => "healthy",
            Some(VerdictStatus::Testing) => "testing",
            Some(VerdictStatus::NotDeployed) => "not-deployed",
            Some(VerdictStatus::Broken) => "broken",
            Some(VerdictStatus::Unknown) | None => "warned",
        };
        format!("card verdict {state}")
    };
    let title = move || match status() {
        Some(VerdictStatus::Enforced) => "Enforced",
        Some(VerdictStatus::Testing) => "Testing",
        Some(VerdictStatus::NotDeployed) => "Not deployed",
        Some(VerdictStatus::Broken) => "Broken",
        Some(VerdictStatus::Unknown) | None => "Unknown",
    };
    let pick = move |f: fn(&Finished) -> String| {
        move || result.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let when = move || {
        result.with(|r| {
            r.as_ref()
                .map(|r| {
                    format!(
                        "Checked from this browser at {}, in {} ms.",
                        clock::format_utc(r.verdict.checked_at),
                        elapsed_ms.get()
                    )
                })
                .unwrap_or_default()
        })
    };
    let link =
        Signal::derive(move || result.with(|_| window().location().href().unwrap_or_default()));
    view! {
        <section class=class aria-labelledby="verdict-h" id="verdict">
            <p class="verdict-kicker">"Verdict"</p>
            <h2 id="verdict-h">{title}</h2>
            <p class="verdict-summary">{pick(|r| r.verdict.summary.clone())}</p>
            <p>{pick(|r| r.verdict.sender.clone())}</p>
            {move || result.with(|r| r.as_ref().and_then(|r| r.verdict.cached_policy.clone()))
                .map(|c| view! { <p class="muted small">{c}</p> })}
            <p class="counts"><strong>{pick(|r| r.verdict.counts.clone())}</strong></p>
            <div class="row actions">
                <button type="button" on:click=move |_| on_again.run(())>"Check again"</button>
                <CopyButton text=link what="link to this check" label="Copy link"/>
                <span class="muted small">{when}</span>
            </div>
        </section>
    }
}
