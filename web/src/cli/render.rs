//! Text rendering of findings for the terminal, shared by `lint` and `check`.
//!
//! Output goes through `anstream`, which drops the colours when stdout is not a terminal or
//! `NO_COLOR` is set, so the same code serves people and pipes.

use anstyle::{AnsiColor, Style};
use std::io::{self, Write};
use stslens_core::{Finding, Severity};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const INFO: Style = AnsiColor::Cyan.on_default().bold();
const OK: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn style(severity: Severity) -> Style {
    match severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
        Severity::Info => INFO,
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// One line saying whether the input is valid, with the counts of each severity.
pub fn verdict(out: &mut impl Write, subject: &str, findings: &[Finding]) -> io::Result<()> {
    let n = |s| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings, infos) = (n(Severity::Error), n(Severity::Warning), n(Severity::Info));
    let counts = [(errors, "error"), (warnings, "warning"), (infos, "note")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| count(n, w))
        .collect::<Vec<_>>()
        .join(", ");
    let counts = if counts.is_empty() {
        "no findings".to_owned()
    } else {
        counts
    };
    if errors > 0 {
        writeln!(out, "{ERROR}✗ {subject} is invalid{ERROR:#} ({counts})")
    } else {
        writeln!(out, "{OK}✓ {subject} is valid{OK:#} ({counts})")
    }
}

/// Every finding: severity, code and line, then the message, the fix and the RFC section.
pub fn findings(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        let s = style(f.severity);
        let line = f.line.map(|l| format!(" line {l}")).unwrap_or_default();
        writeln!(out)?;
        writeln!(
            out,
            "{s}{}{s:#} {BOLD}{}{BOLD:#}{DIM}{line}{DIM:#}",
            f.severity, f.code
        )?;
        writeln!(out, "  {}", f.message)?;
        if let Some(fix) = &f.fix {
            writeln!(out, "  {BOLD}fix:{BOLD:#} {fix}")?;
        }
        writeln!(out, "  {DIM}({}){DIM:#}", f.rfc)?;
    }
    Ok(())
}

/// A heading and indented lines (e.g. the effective policy).
pub fn block(out: &mut impl Write, heading: &str, lines: &[String]) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{BOLD}{heading}{BOLD:#}")?;
    for l in lines {
        writeln!(out, "  {l}")?;
    }
    Ok(())
}
