//! The readable summary `stslens report` prints without a format flag: what a mail admin wants to
//! see first (how many sessions failed, why, and what to fix), then the breakdowns. Colour only
//! marks headings and failures; `anstream` drops it when the output is not a terminal.

use anstyle::{AnsiColor, Style};
use std::io::{self, Write};
use stslens_core::number::{self, count, percent};
use stslens_core::tlsrpt::Summary;

const HEADING: Style = Style::new().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();

/// How many rows of the long per-MX and per-IP lists are shown (all are in `--json`).
const TOP: usize = 10;

/// Where explanations are wrapped.
const WRAP: usize = 92;

/// Prints the summary.
pub fn print(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    let period = match s.period {
        Some(p) if p.first_day == p.last_day => format!(", {}", p.first_day),
        Some(p) => format!(", {} to {}", p.first_day, p.last_day),
        None => String::new(),
    };
    let duplicates = match s.duplicates {
        0 => String::new(),
        1 => " (1 duplicate not counted again)".to_owned(),
        n => format!(" ({n} duplicates not counted again)"),
    };
    writeln!(
        out,
        "{HEADING}TLS-RPT:{HEADING:#} {} from {}{duplicates}{period}",
        plural(s.reports, "report"),
        plural(s.inputs, "input"),
    )?;
    let t = &s.totals;
    let sessions = t.successful_sessions.saturating_add(t.failed_sessions);
    let rate = match percent(t.successful_sessions, sessions) {
        Some(p) => {
            let style = if t.failed_sessions == 0 { GOOD } else { BAD };
            format!(", {style}{p}{style:#} success")
        }
        None => String::new(),
    };
    writeln!(
        out,
        "Sessions: {} successful, {} failed{rate}",
        count(t.successful_sessions),
        failed(t.failed_sessions)
    )?;
    if t.failed_sessions_in_details != t.failed_sessions {
        writeln!(
            out,
            "{DIM}(the failure details of the reports add up to {} failed sessions){DIM:#}",
            count(t.failed_sessions_in_details)
        )?;
    }

    if !s.result_types.is_empty() {
        writeln!(out, "\n{HEADING}Failures by result type{HEADING:#}")?;
        let width = s
            .result_types
            .iter()
            .map(|r| r.result_type.len())
            .max()
            .unwrap_or(0);
        let counts = s
            .result_types
            .iter()
            .map(|r| count(r.failed_sessions).len())
            .max()
            .unwrap_or(0);
        for r in &s.result_types {
            let e = &r.explanation;
            let count = failed(r.failed_sessions);
            let pad = counts.saturating_sub(visible(&count));
            writeln!(
                out,
                "  {:<width$}  {:pad$}{count}  {}",
                r.result_type, "", e.title
            )?;
            for line in wrap(&e.meaning, WRAP) {
                writeln!(out, "      {DIM}{line}{DIM:#}")?;
            }
            for line in wrap(&format!("Fix: {}", e.fix), WRAP) {
                writeln!(out, "      {line}")?;
            }
        }
    }

    let organizations: Vec<Vec<String>> = s
        .by_organization
        .iter()
        .map(|o| {
            let name = o
                .organization
                .clone()
                .unwrap_or_else(|| "(no organization-name)".into());
            vec![
                name,
                count(o.reports),
                count(o.successful_sessions),
                failed(o.failed_sessions),
            ]
        })
        .collect();
    section(
        out,
        "Reporting organizations",
        &["reports", "successful", "failed"],
        &organizations,
        None,
    )?;

    let policies: Vec<Vec<String>> = s
        .by_policy
        .iter()
        .map(|p| {
            let name = format!(
                "{}  {}{}",
                p.policy_domain.as_deref().unwrap_or("(no policy-domain)"),
                p.policy_type.as_deref().unwrap_or("(no policy-type)"),
                p.mode
                    .as_deref()
                    .map(|m| format!(" {m}"))
                    .unwrap_or_default(),
            );
            vec![
                name,
                count(p.reports),
                count(p.successful_sessions),
                failed(p.failed_sessions),
            ]
        })
        .collect();
    section(
        out,
        "Policies",
        &["reports", "successful", "failed"],
        &policies,
        None,
    )?;

    let mx: Vec<Vec<String>> = s
        .by_mx
        .iter()
        .map(|m| {
            vec![
                m.mx.clone().unwrap_or_else(|| "(not reported)".into()),
                failed(m.failed_sessions),
            ]
        })
        .collect();
    section(out, "Receiving MX", &["failed"], &mx, Some(TOP))?;

    let ips: Vec<Vec<String>> = s
        .by_sending_ip
        .iter()
        .map(|i| {
            vec![
                i.sending_ip
                    .clone()
                    .unwrap_or_else(|| "(not reported)".into()),
                failed(i.failed_sessions),
            ]
        })
        .collect();
    section(out, "Sending MTA IPs", &["failed"], &ips, Some(TOP))?;

    let days: Vec<Vec<String>> = s
        .daily
        .iter()
        .map(|d| {
            let date = d
                .date
                .map_or_else(|| "(undated)".to_owned(), |d| d.to_string());
            vec![
                date,
                count(d.reports),
                count(d.successful_sessions),
                failed(d.failed_sessions),
            ]
        })
        .collect();
    section(
        out,
        "Daily (UTC)",
        &["reports", "successful", "failed"],
        &days,
        None,
    )?;

    if !s.deviations.is_empty() {
        writeln!(
            out,
            "\n{HEADING}Reporter quirks{HEADING:#} {DIM}(accepted; nothing was dropped){DIM:#}"
        )?;
        let seen: Vec<String> = s
            .deviations
            .iter()
            .map(|d| {
                format!(
                    "{}x in {}",
                    count(d.occurrences),
                    plural(d.reports, "report")
                )
            })
            .collect();
        let width = s
            .deviations
            .iter()
            .map(|d| d.code.code().len())
            .max()
            .unwrap_or(0);
        let seen_width = seen.iter().map(String::len).max().unwrap_or(0);
        for (d, seen) in s.deviations.iter().zip(&seen) {
            writeln!(
                out,
                "  {:<width$}  {seen:<seen_width$}  {DIM}{}{DIM:#}",
                d.code.code(),
                d.meaning
            )?;
        }
    }

    if !s.errors.is_empty() {
        let n = s.errors.len();
        let what = if n == 1 {
            "1 error"
        } else {
            &format!("{} errors", count(n as u64))
        };
        writeln!(
            out,
            "\n{BAD}{what}{BAD:#}: inputs, or items inside them, that could not be read (named on \
             stderr); everything else was counted"
        )?;
    }
    Ok(())
}

/// A titled table: the first column left-aligned under the title, the others right-aligned
/// under `columns`. Widths count visible characters, not the escape codes of styled cells.
fn section(
    out: &mut impl Write,
    title: &str,
    columns: &[&str],
    rows: &[Vec<String>],
    limit: Option<usize>,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let shown = &rows[..limit.map_or(rows.len(), |l| l.min(rows.len()))];
    let names = shown.iter().map(|r| visible(&r[0])).max().unwrap_or(0);
    let first = title.len().max(names + 2);
    let widths: Vec<usize> = (0..columns.len())
        .map(|c| {
            shown
                .iter()
                .map(|r| visible(&r[c + 1]))
                .max()
                .unwrap_or(0)
                .max(columns[c].len())
        })
        .collect();
    write!(out, "\n{HEADING}{title:<first$}{HEADING:#}")?;
    for (c, name) in columns.iter().enumerate() {
        write!(out, "  {HEADING}{name:>w$}{HEADING:#}", w = widths[c])?;
    }
    writeln!(out)?;
    for row in shown {
        write!(out, "  {:<w$}", row[0], w = first - 2)?;
        for (c, cell) in row[1..].iter().enumerate() {
            let pad = widths[c].saturating_sub(visible(cell));
            write!(out, "  {:pad$}{cell}", "")?;
        }
        writeln!(out)?;
    }
    if shown.len() < rows.len() {
        writeln!(
            out,
            "  {DIM}... and {} more (all are in --json){DIM:#}",
            rows.len() - shown.len()
        )?;
    }
    Ok(())
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The width of a cell without its ANSI styling.
fn visible(cell: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in cell.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

fn failed(n: u64) -> String {
    if n == 0 {
        "0".to_owned()
    } else {
        format!("{BAD}{}{BAD:#}", count(n))
    }
}

fn plural(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", count(n), number::plural(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(plural(1, "report"), "1 report");
        assert_eq!(plural(1200, "report"), "1,200 reports");
        assert_eq!(visible(&failed(1234)), 5);
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), [""]);
    }
}
