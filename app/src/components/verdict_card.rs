//! The verdict: one word, core's one sentence why, what senders do, and the actions on the
//! result (check again, copy the permalink).

use super::copy_button::CopyButton;
use crate::io::clock;
use leptos::prelude::*;
use stslens_core::Severity;
use stslens_core::check::{Report, VerdictStatus};

/// The verdict card of `report` (rendered only while it is `Some`).
#[component]
pub fn VerdictCard(
    report: RwSignal<Option<Report>>,
    elapsed_ms: RwSignal<u64>,
    on_again: Callback<()>,
) -> impl IntoView {
    let status = move || report.with(|r| r.as_ref().map(|r| r.verdict.status));
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
    let pick = move |f: fn(&Report) -> String| {
        move || report.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let counts = move || {
        report.with(|r| {
            let Some(r) = r else { return String::new() };
            let n = |s| r.findings.iter().filter(|f| f.severity() == s).count();
            let parts: Vec<String> = [
                (n(Severity::Error), "error"),
                (n(Severity::Warning), "warning"),
                (n(Severity::Info), "note"),
            ]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}{}", if n == 1 { "" } else { "s" }))
            .collect();
            if parts.is_empty() {
                "Nothing to fix.".to_owned()
            } else {
                format!("{}.", parts.join(", "))
            }
        })
    };
    let when = move || {
        report.with(|r| {
            r.as_ref()
                .map(|r| {
                    format!(
                        "Checked from this browser at {}, in {} ms.",
                        clock::format_utc(r.checked_at),
                        elapsed_ms.get()
                    )
                })
                .unwrap_or_default()
        })
    };
    let link =
        Signal::derive(move || report.with(|_| window().location().href().unwrap_or_default()));
    view! {
        <section class=class aria-labelledby="verdict-h" id="verdict">
            <p class="verdict-kicker">"Verdict"</p>
            <h2 id="verdict-h">{title}</h2>
            <p class="verdict-summary">{pick(|r| r.verdict.summary.clone())}</p>
            <p>{pick(|r| r.sender.summary.clone())}</p>
            {move || report.with(|r| r.as_ref().and_then(|r| r.sender.cached_policy.clone()))
                .map(|c| view! { <p class="muted small">{c}</p> })}
            <p class="counts"><strong>{counts}</strong></p>
            <div class="row actions">
                <button type="button" on:click=move |_| on_again.run(())>"Check again"</button>
                <CopyButton text=link what="link to this check" label="Copy link"/>
                <span class="muted small">{when}</span>
            </div>
        </section>
    }
}
