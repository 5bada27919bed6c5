//! The per-MX table: each MX host with its addresses, the policy pattern that covers it, and
//! what its STARTTLS probe showed (TLS version, certificate chain, name, expiry), plus DANE.

use crate::runner::RelayInfo;
use leptos::prelude::*;
use leptos_router::components::A;
use stslens_core::check::{MxRow, MxStatus, ProbeState, Report};

/// The MX hosts of `report`. `relay` says why hosts were not probed when there is no relay.
#[component]
pub fn MxTable(
    report: RwSignal<Option<Report>>,
    relay: RwSignal<Option<RelayInfo>>,
) -> impl IntoView {
    let rows = move || report.with(|r| r.as_ref().map(|r| r.mx.hosts.clone()).unwrap_or_default());
    let status = move || report.with(|r| r.as_ref().map(|r| r.mx.status));
    let no_relay = move || relay.with(|r| r.as_ref().is_some_and(|r| r.base.is_none()));
    let note = move || match status() {
        Some(MxStatus::NullMx) => {
            Some("The domain publishes a null MX (RFC 7505): it accepts no mail.")
        }
        Some(MxStatus::None) => Some(
            "The domain has no MX record: senders deliver to its own address (RFC 5321 §5.1), which MTA-STS does not cover.",
        ),
        Some(MxStatus::NoDomain) => Some("The domain does not exist."),
        Some(MxStatus::LookupFailed) => Some("The MX lookup failed, so the MX hosts are unknown."),
        Some(MxStatus::Hosts) | None => None,
    };
    view! {
        <section class="card" aria-labelledby="mx-h" id="mx">
            <h2 id="mx-h">"MX hosts"</h2>
            {move || note().map(|n| view! { <p>{n}</p> })}
            <Show when=no_relay>
                <p class="notice info small">
                    "The MX hosts were not probed: a browser cannot speak SMTP. "
                    {move || relay.get().map(|r| r.about).unwrap_or_default()}
                    " Set one in "<A href="/settings">"Settings"</A>", or use "<code>"stslens check"</code>"."
                </p>
            </Show>
            <Show when=move || !rows().is_empty()>
                <div class="table-wrap">
                    <table class="mx-table">
                        <caption>"Each MX host as a sender sees it: covered by the policy, STARTTLS, and a certificate valid for its name."</caption>
                        <thead>
                            <tr>
                                <th scope="col" class="num">"Pref."</th>
                                <th scope="col">"Host"</th>
                                <th scope="col">"Policy pattern"</th>
                                <th scope="col">"STARTTLS"</th>
                                <th scope="col">"Certificate"</th>
                                <th scope="col">"DANE"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || rows().into_iter().map(|row| view! { <Row row=row no_relay=no_relay()/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

/// A cell's text and its tone (`ok`, `bad`, `warn`, `muted`).
type Cell = (String, &'static str);

#[component]
fn Row(row: MxRow, no_relay: bool) -> impl IntoView {
    let addresses = row
        .addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let alias = row.cname_chain.last().map(|t| format!("alias of {t}"));
    let pattern: Cell = match (&row.pattern, row.policy_allows) {
        (Some(p), _) => (format!("✓ {p}"), "ok"),
        (None, Some(false)) => ("✗ not covered".to_owned(), "bad"),
        _ => ("–".to_owned(), "muted"),
    };
    let starttls: Cell = match (row.probe, row.starttls) {
        (ProbeState::NotRun, _) if no_relay => ("not probed (no relay)".to_owned(), "muted"),
        (ProbeState::NotRun, _) => (
            row.probe_error
                .clone()
                .map_or("not probed".to_owned(), |e| format!("not probed: {e}")),
            "muted",
        ),
        (ProbeState::Done, Some(true)) => (
            format!(
                "✓ {}",
                row.tls_version.clone().unwrap_or_else(|| "yes".to_owned())
            ),
            "ok",
        ),
        (ProbeState::Done, _) => ("✗ not offered".to_owned(), "bad"),
        (ProbeState::Failed, Some(true)) => ("✗ offered, but failed".to_owned(), "bad"),
        (ProbeState::Failed, _) => ("no answer".to_owned(), "warn"),
    };
    let certificate: Cell = match (row.chain_valid, row.name_valid, row.days_to_expiry) {
        (None, _, _) => ("–".to_owned(), "muted"),
        (Some(false), _, _) => (
            format!(
                "✗ {}",
                row.chain_error
                    .as_ref()
                    .map_or("invalid chain".to_owned(), |e| e.to_string())
            ),
            "bad",
        ),
        (_, Some(false), _) => ("✗ not valid for this name".to_owned(), "bad"),
        (_, _, Some(days)) if days < 14 => (format!("expires in {days} days"), "warn"),
        (_, _, Some(days)) => (format!("✓ valid, {days} days left"), "ok"),
        (Some(true), _, None) => ("✓ valid".to_owned(), "ok"),
    };
    let dane: Cell = match (row.tlsa, row.dane) {
        (Some(true), Some(true)) => ("✓ TLSA, DNSSEC".to_owned(), "ok"),
        (Some(true), _) => ("TLSA, not validated".to_owned(), "warn"),
        (Some(false), _) => ("none".to_owned(), "muted"),
        (None, _) => ("–".to_owned(), "muted"),
    };
    let cell = |(text, tone): Cell| view! { <td class=format!("tone-{tone}")>{text}</td> };
    view! {
        <tr>
            <td class="num">{row.preference}</td>
            <th scope="row">
                <code>{row.host.clone()}</code>
                {(!addresses.is_empty()).then(|| view! { <span class="sub">{addresses}</span> })}
                {alias.map(|a| view! { <span class="sub">{a}</span> })}
            </th>
            {cell(pattern)}
            {cell(starttls)}
            {cell(certificate)}
            {cell(dane)}
        </tr>
    }
}
