//! The raw material of the check: the TXT records as published, the policy as served (with its
//! SHA-256 beside the record's id, to compare across checks), and what DNSSEC said.

use super::output_block::OutputBlock;
use crate::runner::PolicyRoute;
use leptos::prelude::*;
use stslens_core::check::{DnssecStatus, Report};

/// The raw records of `report`; `route` says where the policy text came from.
#[component]
pub fn RawRecords(report: RwSignal<Option<Report>>, route: RwSignal<PolicyRoute>) -> impl IntoView {
    let pick = move |f: fn(&Report) -> String| {
        Signal::derive(move || report.with(|r| r.as_ref().map(f).unwrap_or_default()))
    };
    // The names do not change when the report does (a pasted policy): the domain is the same.
    let name =
        |f: fn(&Report) -> String| report.with_untracked(|r| r.as_ref().map(f).unwrap_or_default());
    let sts_label = format!("TXT {}", name(|r| r.sts_record.name.clone()));
    let rpt_label = format!("TXT {}", name(|r| r.tlsrpt.name.clone()));
    let sts_text = pick(|r| joined(&r.sts_record.records));
    let rpt_text = pick(|r| joined(&r.tlsrpt.records));
    let policy_text = pick(|r| r.policy.text.clone().unwrap_or_default());
    let has_policy = move || report.with(|r| r.as_ref().is_some_and(|r| r.policy.text.is_some()));
    let source = move || match route.get() {
        PolicyRoute::Browser => "fetched by this browser",
        PolicyRoute::Relay => "fetched by the relay",
        PolicyRoute::Pasted { head_seen: true } => "pasted by you, with its response head",
        PolicyRoute::Pasted { head_seen: false } => {
            "pasted by you: status 200 and text/plain assumed"
        }
        _ => "",
    };
    let http = move || {
        report.with(|r| {
            let p = &r.as_ref()?.policy;
            let status = p.http_status?;
            let mut text = format!("HTTP {status}");
            if let Some(t) = &p.content_type {
                text.push_str(&format!(", Content-Type: {t}"));
            }
            if let Some(l) = &p.location {
                text.push_str(&format!(", Location: {l}"));
            }
            Some(text)
        })
    };
    let facts = move || {
        report.with(|r| {
            let Some(r) = r else { return Vec::new() };
            let mut facts = vec![(
                "Policy id",
                r.policy.id.clone().unwrap_or_else(|| "–".into()),
            )];
            facts.push((
                "Policy SHA-256",
                r.policy.sha256.clone().unwrap_or_else(|| "–".into()),
            ));
            let host = &r.policy.host;
            if !host.addresses.is_empty() {
                let list: Vec<String> = host.addresses.iter().map(ToString::to_string).collect();
                facts.push(("Policy host addresses", list.join(", ")));
            }
            if let Some(target) = host.cname_chain.last() {
                facts.push(("Policy host alias of", target.clone()));
            }
            if let Some(target) = r.sts_record.cname_chain.last() {
                facts.push(("_mta-sts alias of", target.clone()));
            }
            let dnssec = match r.dnssec.status {
                DnssecStatus::Validated => "every answer validated (AD bit)".to_owned(),
                DnssecStatus::Partial => format!("validated: {}", r.dnssec.validated.join(", ")),
                DnssecStatus::NotValidated => "no answer validated".to_owned(),
                DnssecStatus::Unknown => "unknown".to_owned(),
            };
            facts.push(("DNSSEC", dnssec));
            facts
        })
    };
    view! {
        <section class="card" aria-labelledby="raw-h" id="raw">
            <h2 id="raw-h">"Raw records"</h2>
            <dl class="facts">
                {move || facts().into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd><code class="break">{v}</code></dd> }).collect_view()}
            </dl>
            <OutputBlock label=sts_label text=sts_text id="raw-sts"/>
            <OutputBlock label=rpt_label text=rpt_text id="raw-tlsrpt"/>
            <Show when=has_policy>
                <OutputBlock label="Policy file" text=policy_text id="raw-policy"/>
                <p class="hint">{move || [Some(source().to_owned()), http()].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</p>
            </Show>
        </section>
    }
}

/// TXT records one per line, as published (each joined from its strings).
fn joined(records: &[String]) -> String {
    if records.is_empty() {
        "(none)".to_owned()
    } else {
        records.join("\n")
    }
}
