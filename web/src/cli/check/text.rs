//! The text report of `stslens check`, in the order a mail admin reads it: the verdict, the
//! findings grouped by component with their fixes, the MX table, what a sender does, TLS-RPT,
//! then the raw records and the policy. Colour marks states only; `anstream` drops it when
//! stdout is not a terminal or `NO_COLOR` is set.

use super::super::render;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};
use stslens_core::check::{
    Component, MxRow, MxStatus, PolicyStatus, ProbeState, RecordStatus, Report, SenderAction,
    VerdictStatus,
};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GOOD: Style = AnsiColor::Green.on_default();
const BAD: Style = AnsiColor::Red.on_default();
const WARN: Style = AnsiColor::Yellow.on_default();

/// Prints the whole report.
pub fn print(out: &mut impl Write, r: &Report) -> io::Result<()> {
    verdict(out, r)?;
    for component in Component::ALL {
        let findings: Vec<_> = r
            .findings_of(component)
            .map(|f| {
                let mut finding = f.finding.clone();
                if let Some(host) = &f.host
                    && !finding.message.contains(host.as_str())
                {
                    finding.message = format!("{host}: {}", finding.message);
                }
                finding
            })
            .collect();
        if findings.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{BOLD}── {} ──{BOLD:#}", component.title())?;
        render::findings(out, &findings)?;
    }
    mx_table(out, r)?;
    senders(out, r)?;
    tlsrpt(out, r)?;
    records(out, r)?;
    timeline(out, r)
}

fn verdict(out: &mut impl Write, r: &Report) -> io::Result<()> {
    let (style, mark, word) = match r.verdict.status {
        VerdictStatus::Enforced => (GOOD.bold(), "✓", "enforced and healthy"),
        VerdictStatus::Testing => (AnsiColor::Cyan.on_default().bold(), "◐", "testing"),
        VerdictStatus::NotDeployed => (WARN.bold(), "○", "not deployed"),
        VerdictStatus::Broken => (BAD.bold(), "✗", "broken"),
        VerdictStatus::Unknown => (DIM.bold(), "?", "unknown"),
    };
    let counts = r.finding_counts();
    writeln!(
        out,
        "{style}{mark} {}: MTA-STS {word}{style:#}{DIM}{}{DIM:#}",
        r.domain,
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({counts})")
        }
    )?;
    writeln!(out, "  {}", r.verdict.summary)
}

fn yes_no(value: Option<bool>, yes: &str, no: &str) -> (String, Style) {
    match value {
        Some(true) => (yes.to_owned(), GOOD),
        Some(false) => (no.to_owned(), BAD),
        None => ("-".to_owned(), DIM),
    }
}

fn action_text(action: SenderAction) -> (&'static str, Style) {
    match action {
        SenderAction::DeliverTls => ("delivers over TLS", GOOD),
        SenderAction::DeliverDespiteFailure => ("delivers despite failure", WARN),
        SenderAction::Refuse => ("refuses", BAD),
        SenderAction::DeliverWithoutMtaSts => ("delivers without MTA-STS", WARN),
        SenderAction::Unknown => ("unknown", DIM),
    }
}

/// One row's cells, each with its style.
fn cells(row: &MxRow) -> Vec<(String, Style)> {
    let plain = |s: String| (s, Style::new());
    let starttls = match row.probe {
        ProbeState::NotRun => ("not probed".to_owned(), DIM),
        ProbeState::Failed if row.starttls.is_none() => ("no answer".to_owned(), WARN),
        ProbeState::Failed => ("failed".to_owned(), BAD),
        ProbeState::Done => yes_no(row.starttls, "yes", "no"),
    };
    let chain = match (&row.chain_valid, &row.chain_error) {
        (Some(false), Some(e)) => (e.to_string(), BAD),
        (v, _) => yes_no(*v, "valid", "invalid"),
    };
    let expiry = match row.days_to_expiry {
        Some(d) if d < 0 => ("expired".to_owned(), BAD),
        Some(d) if d < 14 => (format!("{d} d"), WARN),
        Some(d) => (format!("{d} d"), Style::new()),
        None => ("-".to_owned(), DIM),
    };
    let pattern = match (&row.pattern, row.policy_allows) {
        (Some(p), _) => (p.clone(), GOOD),
        (None, Some(false)) => ("not covered".to_owned(), BAD),
        _ => ("-".to_owned(), DIM),
    };
    let tlsa = match (row.tlsa, row.dane) {
        (Some(true), Some(true)) => ("DANE".to_owned(), GOOD),
        (Some(true), _) => ("unsigned".to_owned(), WARN),
        (Some(false), _) => ("no".to_owned(), Style::new()),
        (None, _) => ("-".to_owned(), DIM),
    };
    let (action, style) = action_text(row.sender.action);
    vec![
        plain(row.preference.to_string()),
        plain(row.host.clone()),
        pattern,
        starttls,
        (
            row.tls_version.clone().unwrap_or_else(|| "-".into()),
            Style::new(),
        ),
        chain,
        yes_no(row.name_valid, "valid", "mismatch"),
        expiry,
        tlsa,
        (action.to_owned(), style),
    ]
}

fn mx_table(out: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{BOLD}── MX table ──{BOLD:#}")?;
    let status = match r.mx.status {
        MxStatus::Hosts => None,
        MxStatus::NullMx => Some("null MX: the domain accepts no mail"),
        MxStatus::None => Some("no MX record"),
        MxStatus::NoDomain => Some("the domain does not exist"),
        MxStatus::LookupFailed => Some("the MX lookup failed"),
    };
    if let Some(status) = status {
        return writeln!(out, "  {status}");
    }
    let header = [
        "pref", "host", "policy", "STARTTLS", "TLS", "chain", "name", "expires", "TLSA", "sender",
    ];
    let rows: Vec<Vec<(String, Style)>> = r.mx.hosts.iter().map(cells).collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|row| row[i].0.chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let last = header.len() - 1;
    write!(out, " ")?;
    for (i, (h, w)) in header.iter().zip(&widths).enumerate() {
        let w = if i == last { 0 } else { *w };
        write!(out, " {DIM}{h:<w$}{DIM:#}")?;
    }
    writeln!(out)?;
    for row in &rows {
        write!(out, " ")?;
        for (i, ((text, style), w)) in row.iter().zip(&widths).enumerate() {
            let w = if i == last { 0 } else { *w };
            write!(out, " {style}{text:<w$}{style:#}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn senders(out: &mut impl Write, r: &Report) -> io::Result<()> {
    let mode = r
        .sender
        .mode
        .map(|m| format!(" (policy mode {m})"))
        .unwrap_or_default();
    writeln!(out)?;
    writeln!(
        out,
        "{BOLD}── What a compliant sender does{mode} ──{BOLD:#}"
    )?;
    writeln!(out, "  {}", r.sender.summary)?;
    if let Some(cached) = &r.sender.cached_policy {
        writeln!(out, "  {DIM}{cached}{DIM:#}")?;
    }
    for row in &r.mx.hosts {
        let (action, style) = action_text(row.sender.action);
        writeln!(
            out,
            "  {BOLD}{}{BOLD:#}: {style}{action}{style:#}. {}",
            row.host, row.sender.why
        )?;
    }
    Ok(())
}

fn tlsrpt(out: &mut impl Write, r: &Report) -> io::Result<()> {
    let t = &r.tlsrpt;
    let line = match t.status {
        RecordStatus::Valid => format!("{GOOD}reports go to{GOOD:#} {}", t.rua.join(", ")),
        RecordStatus::Missing => format!("{WARN}no TLS-RPT record{WARN:#}: failures go unreported"),
        RecordStatus::Multiple => {
            format!("{BAD}several TLS-RPT records{BAD:#}: reporters use none")
        }
        RecordStatus::Invalid => format!("{BAD}the TLS-RPT record is invalid{BAD:#}"),
        RecordStatus::LookupFailed => format!("{WARN}the lookup of {} failed{WARN:#}", t.name),
        RecordStatus::NotChecked => "not checked".to_owned(),
    };
    writeln!(out)?;
    writeln!(out, "{BOLD}── TLS-RPT status ──{BOLD:#}")?;
    writeln!(out, "  {line}")
}

fn records(out: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{BOLD}── Records and policy ──{BOLD:#}")?;
    let txt = |name: &str, records: &[String]| -> String {
        if records.is_empty() {
            format!("{name} TXT {DIM}(none){DIM:#}")
        } else {
            records
                .iter()
                .map(|t| format!("{name} TXT {t:?}"))
                .collect::<Vec<_>>()
                .join("\n  ")
        }
    };
    writeln!(out, "  {}", txt(&r.sts_record.name, &r.sts_record.records))?;
    writeln!(out, "  {}", txt(&r.tlsrpt.name, &r.tlsrpt.records))?;
    for row in &r.mx.hosts {
        writeln!(out, "  {} MX {} {}", r.domain, row.preference, row.host)?;
    }
    let p = &r.policy;
    let mut facts = Vec::new();
    if let Some(status) = p.http_status {
        facts.push(format!("HTTP {status}"));
    }
    if let Some(ct) = &p.content_type {
        facts.push(ct.clone());
    }
    if let Some(location) = &p.location {
        facts.push(format!("Location: {location}"));
    }
    if let Some(failure) = &p.failure {
        facts.push(failure.clone());
    }
    let state = match p.status {
        PolicyStatus::Valid if p.in_force => "in force",
        PolicyStatus::Valid => "valid",
        PolicyStatus::Invalid => "rejected by strict senders",
        PolicyStatus::Unavailable => "unavailable",
        PolicyStatus::NotChecked => "not checked",
    };
    writeln!(
        out,
        "  {} {DIM}({}){DIM:#}: {state}",
        p.url,
        facts.join(", ")
    )?;
    if let Some(sha) = &p.sha256 {
        let id = p.id.as_deref().unwrap_or("-");
        writeln!(out, "  {DIM}sha256 {sha}, record id {id}{DIM:#}")?;
    }
    if let (Some(text), Some(200)) = (&p.text, p.http_status) {
        const SHOWN: usize = 40;
        let lines: Vec<&str> = text.lines().collect();
        for line in lines.iter().take(SHOWN) {
            writeln!(out, "    {line}")?;
        }
        if lines.len() > SHOWN {
            writeln!(out, "    {DIM}… {} more lines{DIM:#}", lines.len() - SHOWN)?;
        }
    }
    Ok(())
}

fn timeline(out: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{DIM}Checked in {} ms; slowest chain: {}{DIM:#}",
        r.timeline.elapsed_ms,
        r.timeline.critical_path.join(" → ")
    )
}
