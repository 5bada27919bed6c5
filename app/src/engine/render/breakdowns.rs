//! The summary broken down by organization, policy, receiving MX and sending IP, and the
//! reporter quirks met: one table each over the rows the core aggregated and ranked.

use super::html::Html;
use super::table::{Column, Table, number, table, text};
use crate::numbers::{count, percent};
use stslens_core::tlsrpt::{ByResultType, Summary};

/// Rows shown before "Show more".
const SHOWN: usize = 12;

/// `certificate-expired 40, sts-policy-fetch-error 17`, most first.
fn by_type(map: &ByResultType) -> String {
    let mut pairs: Vec<_> = map.iter().filter(|(_, n)| **n > 0).collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = pairs
        .into_iter()
        .map(|(t, n)| format!("{t} {}", count(*n)))
        .collect();
    parts.join(", ")
}

fn or(value: &Option<String>, absent: &str) -> String {
    value.clone().unwrap_or_else(|| absent.to_owned())
}

const ORGANIZATIONS: [Column; 5] = [
    text("Organization"),
    number("Reports"),
    number("Successful"),
    number("Failed"),
    number("Success rate"),
];
const POLICIES: [Column; 7] = [
    text("Policy domain"),
    text("Type"),
    text("Mode"),
    number("Reports"),
    number("Successful"),
    number("Failed"),
    text("Failures by result type"),
];
const MX: [Column; 3] = [text("Receiving MX"), number("Failed"), text("Result types")];
const IPS: [Column; 3] = [text("Sending IP"), number("Failed"), text("Result types")];
const QUIRKS: [Column; 4] = [
    text("Code"),
    text("Severity"),
    number("Reports"),
    text("How it was read"),
];

/// The four breakdowns, each under its own heading, then the quirks.
pub fn breakdowns(h: &mut Html, s: &Summary) {
    h.raw("<h2 id=\"by-organization\">By reporting organization</h2>");
    table(
        h,
        Table {
            id: "organizations",
            caption: "Sessions reported by each sending organization, most failures first",
            columns: &ORGANIZATIONS,
            rows: s
                .by_organization
                .iter()
                .map(|o| {
                    let all = o.successful_sessions.saturating_add(o.failed_sessions);
                    vec![
                        or(&o.organization, "(no organization-name)"),
                        count(o.reports),
                        count(o.successful_sessions),
                        count(o.failed_sessions),
                        percent(o.successful_sessions, all).unwrap_or_else(|| "–".into()),
                    ]
                })
                .collect(),
            shown: SHOWN,
            empty: "No reports.",
        },
    );

    h.raw("<h2 id=\"by-policy\">By policy</h2>");
    table(
        h,
        Table {
            id: "policies",
            caption: "Sessions per policy the senders applied (domain, type, MTA-STS mode), most failures first",
            columns: &POLICIES,
            rows: s
                .by_policy
                .iter()
                .map(|p| {
                    vec![
                        or(&p.policy_domain, "(no policy-domain)"),
                        or(&p.policy_type, "–"),
                        or(&p.mode, "–"),
                        count(p.reports),
                        count(p.successful_sessions),
                        count(p.failed_sessions),
                        by_type(&p.failures_by_result_type),
                    ]
                })
                .collect(),
            shown: SHOWN,
            empty: "No policies.",
        },
    );

    h.raw("<h2 id=\"by-mx\">By receiving MX</h2>");
    table(
        h,
        Table {
            id: "mx",
            caption: "Failed sessions per receiving MX host, from the failure details",
            columns: &MX,
            rows: s
                .by_mx
                .iter()
                .map(|g| {
                    vec![
                        or(&g.mx, "(not given)"),
                        count(g.failed_sessions),
                        by_type(&g.failures_by_result_type),
                    ]
                })
                .collect(),
            shown: SHOWN,
            empty: "No failure details, so no MX host to list.",
        },
    );

    h.raw("<h2 id=\"by-sending-ip\">By sending IP</h2>");
    table(
        h,
        Table {
            id: "sending-ips",
            caption: "Failed sessions per sending MTA address, from the failure details",
            columns: &IPS,
            rows: s
                .by_sending_ip
                .iter()
                .map(|g| {
                    vec![
                        or(&g.sending_ip, "(not given)"),
                        count(g.failed_sessions),
                        by_type(&g.failures_by_result_type),
                    ]
                })
                .collect(),
            shown: SHOWN,
            empty: "No failure details, so no sending IP to list.",
        },
    );

    h.raw("<h2 id=\"quirks\">Reporter quirks</h2><p class=\"small muted\">Departures from RFC 8460 that \
           StsLens accepted, and how it read them; nothing was dropped.</p>");
    table(
        h,
        Table {
            id: "quirks",
            caption: "Departures from the report format, by kind",
            columns: &QUIRKS,
            rows: s
                .deviations
                .iter()
                .map(|d| {
                    vec![
                        d.code.code().to_owned(),
                        d.severity.as_str().to_owned(),
                        count(d.reports),
                        d.meaning.to_owned(),
                    ]
                })
                .collect(),
            shown: 6,
            empty: "None: every report followed the format.",
        },
    );
}
