//! The check's results as HTML, written in the worker: findings by component, the MX table,
//! the sender table, TLS reporting and the raw records.
//!
//! Why HTML from the worker: these sections read most of core's `Report`, and on the page both
//! reading the Report's JSON (its internally tagged and flattened parts make serde's largest
//! code) and one Leptos component per section weighed about as much as the rest of the page's
//! wasm. As HTML written here, the page only inserts it (`pages/check.rs`). The sections are
//! static once written; their Copy buttons (`data-copy`) are served by one delegated handler on
//! the page (`components/results.rs`), and their links are plain `<a>`, which the router turns
//! into in-app navigation as it does for any same-origin link.
//!
//! Every value from the outside (records, policy text, host names, messages quoting them) goes
//! through [`esc`].

use super::protocol::{PolicyRoute, RelayInfo};
use std::fmt::Write;
use stslens_core::check::{
    Component, DnssecStatus, MxRow, MxStatus, ProbeState, RecordStatus, Report, SenderAction,
};

/// The result sections of `report`, in page order. `relay` explains unprobed hosts; `route`
/// says where the policy text came from.
pub fn results(report: &Report, relay: Option<&RelayInfo>, route: &PolicyRoute) -> String {
    let mut out = String::with_capacity(16 * 1024);
    findings(&mut out, report);
    mx_table(&mut out, report, relay);
    sender_table(&mut out, report);
    tlsrpt(&mut out, report);
    raw_records(&mut out, report, route);
    out
}

/// `text` escaped for HTML text and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text in which spans between backticks are code, as core writes its advice.
fn rich(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

/// A Copy button for the element `target` (its text, or `text` when given), with its spoken
/// confirmation: the same markup as `components/copy_button.rs`.
fn copy_button(out: &mut String, what: &str, target: &str, text: Option<&str>) {
    let text = text.map_or(String::new(), |t| format!(" data-text=\"{}\"", esc(t)));
    let _ = write!(
        out,
        "<button type=\"button\" class=\"copy small secondary\" aria-label=\"Copy {}\" data-copy=\"{}\"{text}>Copy</button><span class=\"visually-hidden\" role=\"status\"></span>",
        esc(what),
        esc(target)
    );
}

fn findings(out: &mut String, report: &Report) {
    out.push_str("<section class=\"card\" aria-labelledby=\"findings-h\" id=\"findings\"><h2 id=\"findings-h\">Findings</h2>");
    let mut any = false;
    for component in Component::ALL {
        let list: Vec<_> = report.findings_of(component).collect();
        if list.is_empty() {
            continue;
        }
        any = true;
        let key = slug(component);
        let _ = write!(
            out,
            "<h3 id=\"findings-{key}\">{} <span class=\"muted small\">({})</span></h3><ul class=\"findings\" aria-labelledby=\"findings-{key}\">",
            esc(component.title()),
            list.len()
        );
        for (i, f) in list.into_iter().enumerate() {
            let finding = &f.finding;
            let severity = finding.severity.as_str();
            let _ = write!(
                out,
                "<li class=\"finding\"><div class=\"finding-head\"><span class=\"badge {severity}\">{severity}</span><code class=\"code\">{}</code>",
                esc(finding.code.as_str())
            );
            if let Some(line) = finding.line {
                let _ = write!(out, "<span class=\"code\">line {line}</span>");
            }
            let _ = write!(
                out,
                "<span class=\"rfc\">{}</span></div><p>",
                esc(&finding.rfc)
            );
            if let Some(host) = f.host.as_deref().filter(|h| !finding.message.contains(h)) {
                let _ = write!(out, "<strong class=\"host\">{}: </strong>", esc(host));
            }
            out.push_str(&rich(&finding.message));
            out.push_str("</p>");
            if let Some(fix) = &finding.fix {
                let id = format!("fix-{key}-{i}");
                let _ = write!(
                    out,
                    "<div class=\"fix\"><strong class=\"fix-label\">Fix</strong><p class=\"fix-body\" id=\"{id}\">{}</p>",
                    rich(fix)
                );
                copy_button(out, "fix", &id, Some(fix));
                out.push_str("</div>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !any {
        out.push_str("<p>Nothing to report: every record, the policy and the MX hosts read as a compliant sender expects.</p>");
    }
    out.push_str("</section>");
}

fn slug(component: Component) -> &'static str {
    match component {
        Component::Dns => "dns",
        Component::StsRecord => "sts-record",
        Component::Policy => "policy",
        Component::Mx => "mx",
        Component::Tlsrpt => "tlsrpt",
    }
}

fn mx_table(out: &mut String, report: &Report, relay: Option<&RelayInfo>) {
    let no_relay = relay.is_some_and(|r| r.base.is_none());
    out.push_str(
        "<section class=\"card\" aria-labelledby=\"mx-h\" id=\"mx\"><h2 id=\"mx-h\">MX hosts</h2>",
    );
    let note = match report.mx.status {
        MxStatus::NullMx => Some("The domain publishes a null MX (RFC 7505): it accepts no mail."),
        MxStatus::None => Some(
            "The domain has no MX record: senders deliver to its own address (RFC 5321 §5.1), which MTA-STS does not cover.",
        ),
        MxStatus::NoDomain => Some("The domain does not exist."),
        MxStatus::LookupFailed => Some("The MX lookup failed, so the MX hosts are unknown."),
        MxStatus::Hosts => None,
    };
    if let Some(note) = note {
        let _ = write!(out, "<p>{note}</p>");
    }
    if no_relay {
        let about = relay.map_or("", |r| r.about.as_str());
        let _ = write!(
            out,
            "<p class=\"notice info small\">The MX hosts were not probed: a browser cannot speak SMTP. {} Set one in <a href=\"/settings\">Settings</a>, or use <code>stslens check</code>.</p>",
            esc(about)
        );
    }
    if !report.mx.hosts.is_empty() {
        out.push_str(concat!(
            "<div class=\"table-wrap\"><table class=\"mx-table\">",
            "<caption>Each MX host as a sender sees it: covered by the policy, STARTTLS, and a certificate valid for its name.</caption>",
            "<thead><tr><th scope=\"col\" class=\"num\">Pref.</th><th scope=\"col\">Host</th><th scope=\"col\">Policy pattern</th>",
            "<th scope=\"col\">STARTTLS</th><th scope=\"col\">Certificate</th><th scope=\"col\">DANE</th></tr></thead><tbody>"
        ));
        for row in &report.mx.hosts {
            mx_row(out, row, no_relay);
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>");
}

/// A cell's text and its tone (`ok`, `bad`, `warn`, `muted`).
type Cell = (String, &'static str);

fn mx_row(out: &mut String, row: &MxRow, no_relay: bool) {
    let addresses = row
        .addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
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
    let _ = write!(
        out,
        "<tr><td class=\"num\">{}</td><th scope=\"row\"><code>{}</code>",
        row.preference,
        esc(&row.host)
    );
    if !addresses.is_empty() {
        let _ = write!(out, "<span class=\"sub\">{}</span>", esc(&addresses));
    }
    if let Some(target) = row.cname_chain.last() {
        let _ = write!(out, "<span class=\"sub\">alias of {}</span>", esc(target));
    }
    out.push_str("</th>");
    for (text, tone) in [pattern, starttls, certificate, dane] {
        let _ = write!(out, "<td class=\"tone-{tone}\">{}</td>", esc(&text));
    }
    out.push_str("</tr>");
}

fn sender_table(out: &mut String, report: &Report) {
    if report.mx.hosts.is_empty() {
        return;
    }
    let _ = write!(
        out,
        concat!(
            "<section class=\"card\" aria-labelledby=\"sender-h\" id=\"sender\"><h2 id=\"sender-h\">What a compliant sender does</h2>",
            "<p>{}</p><div class=\"table-wrap\"><table><caption>For a sender without a cached policy, per MX host.</caption>",
            "<thead><tr><th scope=\"col\">MX host</th><th scope=\"col\">Action</th><th scope=\"col\">Why</th></tr></thead><tbody>"
        ),
        esc(&report.sender.summary)
    );
    for host in &report.mx.hosts {
        let (tone, text) = match host.sender.action {
            SenderAction::DeliverTls => ("ok", "delivers over verified TLS"),
            SenderAction::DeliverDespiteFailure => ("warning", "delivers, reports failure"),
            SenderAction::Refuse => ("error", "refuses this host"),
            SenderAction::DeliverWithoutMtaSts => ("warning", "delivers without MTA-STS"),
            SenderAction::Unknown => ("info", "depends on the unchecked TLS"),
        };
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td><span class=\"badge {tone}\">{text}</span></td><td>{}</td></tr>",
            esc(&host.host),
            rich(&host.sender.why)
        );
    }
    out.push_str("</tbody></table></div></section>");
}

fn tlsrpt(out: &mut String, report: &Report) {
    let t = &report.tlsrpt;
    let (tone, text) = match t.status {
        RecordStatus::Valid => ("ok", "valid"),
        RecordStatus::Missing => ("warning", "missing"),
        RecordStatus::Multiple => ("error", "several records"),
        RecordStatus::Invalid => ("error", "invalid"),
        RecordStatus::LookupFailed => ("error", "lookup failed"),
        RecordStatus::NotChecked => ("info", "not checked"),
    };
    let about = match t.status {
        RecordStatus::Valid => {
            "Senders that support TLS-RPT send daily reports of TLS successes and failures to:"
        }
        RecordStatus::Missing => {
            "Without it, nobody tells you when senders fail to deliver over TLS, which matters most in testing mode."
        }
        _ => {
            "Reporters send no reports while the record cannot be used; the findings above say why."
        }
    };
    let _ = write!(
        out,
        "<section class=\"card\" aria-labelledby=\"tlsrpt-h\" id=\"tlsrpt\"><h2 id=\"tlsrpt-h\">TLS reporting</h2><p><code>{}</code> <span class=\"badge {tone}\">{text}</span></p><p>{about}</p>",
        esc(&t.name)
    );
    if !t.rua.is_empty() {
        out.push_str("<ul class=\"rua\">");
        for uri in &t.rua {
            let _ = write!(out, "<li><code class=\"break\">{}</code></li>", esc(uri));
        }
        out.push_str("</ul><p class=\"hint\">Open the reports you receive in the <a href=\"/reports\">report viewer</a>.</p>");
    }
    out.push_str("</section>");
}

fn raw_records(out: &mut String, report: &Report, route: &PolicyRoute) {
    out.push_str("<section class=\"card\" aria-labelledby=\"raw-h\" id=\"raw\"><h2 id=\"raw-h\">Raw records</h2><dl class=\"facts\">");
    let mut facts = vec![
        (
            "Policy id",
            report.policy.id.clone().unwrap_or_else(|| "–".into()),
        ),
        (
            "Policy SHA-256",
            report.policy.sha256.clone().unwrap_or_else(|| "–".into()),
        ),
    ];
    let host = &report.policy.host;
    if !host.addresses.is_empty() {
        let list: Vec<String> = host.addresses.iter().map(ToString::to_string).collect();
        facts.push(("Policy host addresses", list.join(", ")));
    }
    if let Some(target) = host.cname_chain.last() {
        facts.push(("Policy host alias of", target.clone()));
    }
    if let Some(target) = report.sts_record.cname_chain.last() {
        facts.push(("_mta-sts alias of", target.clone()));
    }
    let dnssec = match report.dnssec.status {
        DnssecStatus::Validated => "every answer validated (AD bit)".to_owned(),
        DnssecStatus::Partial => format!("validated: {}", report.dnssec.validated.join(", ")),
        DnssecStatus::NotValidated => "no answer validated".to_owned(),
        DnssecStatus::Unknown => "unknown".to_owned(),
    };
    facts.push(("DNSSEC", dnssec));
    for (k, v) in facts {
        let _ = write!(
            out,
            "<dt>{k}</dt><dd><code class=\"break\">{}</code></dd>",
            esc(&v)
        );
    }
    out.push_str("</dl>");
    output_block(
        out,
        &format!("TXT {}", report.sts_record.name),
        &joined(&report.sts_record.records),
        "raw-sts",
    );
    output_block(
        out,
        &format!("TXT {}", report.tlsrpt.name),
        &joined(&report.tlsrpt.records),
        "raw-tlsrpt",
    );
    if let Some(text) = &report.policy.text {
        output_block(out, "Policy file", text, "raw-policy");
        let source = match route {
            PolicyRoute::Browser => "fetched by this browser",
            PolicyRoute::Relay => "fetched by the relay",
            PolicyRoute::Pasted { head_seen: true } => "pasted by you, with its response head",
            PolicyRoute::Pasted { head_seen: false } => {
                "pasted by you: status 200 and text/plain assumed"
            }
            _ => "",
        };
        let p = &report.policy;
        let http = p.http_status.map(|status| {
            let mut text = format!("HTTP {status}");
            if let Some(t) = &p.content_type {
                let _ = write!(text, ", Content-Type: {t}");
            }
            if let Some(l) = &p.location {
                let _ = write!(text, ", Location: {l}");
            }
            text
        });
        let hint: Vec<String> = [Some(source.to_owned()), http]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        let _ = write!(out, "<p class=\"hint\">{}</p>", esc(&hint.join(" · ")));
    }
    out.push_str("</section>");
}

/// `<pre>` with a label above it and a Copy button beside the label: the markup of
/// `components/output_block.rs`.
fn output_block(out: &mut String, label: &str, text: &str, id: &str) {
    let _ = write!(
        out,
        "<div class=\"output\"><div class=\"output-head\"><span class=\"output-label\" id=\"{id}-label\">{}</span>",
        esc(label)
    );
    copy_button(out, label, id, None);
    let _ = write!(
        out,
        "</div><pre id=\"{id}\" aria-labelledby=\"{id}-label\" tabindex=\"0\">{}</pre></div>",
        esc(text)
    );
}

/// TXT records one per line, as published (each joined from its strings).
fn joined(records: &[String]) -> String {
    if records.is_empty() {
        "(none)".to_owned()
    } else {
        records.join("\n")
    }
}
