//! `stslens generate --domain D --mx HOST... [--mode] [--max-age N] [--rua URI]... [--json]`
//!
//! A thin shell over `stslens_core::generate`: reads the clock (or `SOURCE_DATE_EPOCH`, for
//! reproducible output), prints the result grouped as an admin works through it (policy file, DNS
//! records, hosting, rollout) or as JSON ([`stslens_core::Generated`], shape documented in the
//! core module). Exit 0 when the generated output lints clean, 1 if the self-check found an error
//! (a generator bug, still printed in full), 2 for invalid input, naming the argument and value.

use super::{Outcome, fail, render};
use anstyle::Style;
use std::io::{self, Write};
use stslens_core::Generated;
use stslens_core::generate::{Field, InvalidRequest, Request, describe_seconds, generate};
use stslens_core::policy::Mode;

/// Arguments of `stslens generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The mail domain.
    #[arg(long)]
    pub domain: String,
    /// MX host names or patterns (`*.example.net`) the policy allows.
    #[arg(long = "mx", value_name = "HOST")]
    pub mx: Vec<String>,
    /// Policy mode.
    #[arg(long, default_value = "testing", value_parser = ["testing", "enforce", "none"])]
    pub mode: String,
    /// Policy max_age in seconds [default: 86400 in testing and none, 604800 in enforce].
    #[arg(long = "max-age", value_name = "N")]
    pub max_age: Option<u64>,
    /// TLS-RPT report destination (mailto: or https:), repeatable [default: mailto:tls-reports@DOMAIN].
    #[arg(long = "rua", value_name = "URI")]
    pub rua: Vec<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const CURRENT: Style = anstyle::AnsiColor::Cyan.on_default().bold();

/// Width that rollout details are wrapped to.
const WRAP: usize = 96;

/// Runs the command.
pub fn run(args: Args) -> Outcome {
    let now = match now() {
        Ok(now) => now,
        Err(err) => return fail(err),
    };
    let mode = Mode::parse(&args.mode).expect("clap only lets the three modes through");
    let request = Request {
        domain: args.domain,
        mx: args.mx,
        mode,
        max_age: args.max_age,
        rua: args.rua,
    };
    let generated = match generate(&request, now) {
        Ok(g) => g,
        Err(invalid) => return invalid_input(&invalid, args.json),
    };
    let written = if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &generated)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        text(&mut anstream::stdout().lock(), &generated)
    };
    if let Err(err) = written
        && err.kind() != io::ErrorKind::BrokenPipe
    {
        return fail(format!("cannot write the result: {err}"));
    }
    if generated.valid {
        Outcome::Fine
    } else {
        Outcome::InputErrors
    }
}

/// Unix seconds from `SOURCE_DATE_EPOCH` if set (reproducible output, as build tools use it),
/// else from the system clock.
fn now() -> Result<u64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value.trim().parse::<u64>().map_err(|_| {
            format!("SOURCE_DATE_EPOCH `{value}` is not a number of seconds since 1970")
        }),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| "the system clock is before 1970".to_owned()),
    }
}

fn flag(field: Field) -> &'static str {
    match field {
        Field::Domain => "--domain",
        Field::Mx => "--mx",
        Field::MaxAge => "--max-age",
        Field::Rua => "--rua",
    }
}

/// Every input problem on stderr, each with its argument; with `--json` also
/// `{"errors": [{"field", "message"}]}` on stdout for scripts.
fn invalid_input(invalid: &InvalidRequest, json: bool) -> Outcome {
    for err in &invalid.errors {
        eprintln!("stslens: {}: {err}", flag(err.field()));
    }
    if json {
        let errors: Vec<_> = invalid
            .errors
            .iter()
            .map(|e| serde_json::json!({"field": e.field(), "message": e.to_string()}))
            .collect();
        let body = serde_json::json!({ "errors": errors });
        println!(
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
    }
    Outcome::Failed
}

fn text(out: &mut impl Write, g: &Generated) -> io::Result<()> {
    render::verdict(
        out,
        &format!("the generated setup for {}", g.domain),
        &g.findings,
    )?;
    render::findings(out, &g.findings)?;

    let age = describe_seconds(g.policy.max_age);
    section(out, "Policy file", &format!("serve it at {}", g.policy.url))?;
    writeln!(out, "  {DIM}mode {}, max_age {age}{DIM:#}", g.policy.mode)?;
    indented(out, &g.policy.text, 4)?;

    section(
        out,
        "DNS records",
        "publish after the policy file is served",
    )?;
    for record in [&g.dns.sts.record, &g.dns.tlsrpt.record] {
        writeln!(out, "  {BOLD}{}{BOLD:#} TXT", record.name)?;
        writeln!(out, "    {}", record.value)?;
    }
    writeln!(out)?;
    writeln!(out, "  {BOLD}Zone file{BOLD:#}")?;
    indented(out, &g.dns.zone, 4)?;

    let h = &g.hosting;
    section(out, "Hosting", &h.host)?;
    wrapped(out, &h.certificate, 2)?;
    writeln!(
        out,
        "  {BOLD}Check what senders see{BOLD:#} (expect `200 text/plain`):"
    )?;
    writeln!(out, "    {}", h.verify)?;
    writeln!(out)?;
    writeln!(out, "  {BOLD}nginx{BOLD:#}")?;
    indented(out, &h.nginx, 4)?;
    writeln!(out)?;
    writeln!(out, "  {BOLD}Caddy{BOLD:#}")?;
    indented(out, &h.caddy, 4)?;
    writeln!(out)?;
    writeln!(out, "  {BOLD}Static host{BOLD:#}")?;
    for note in &h.static_site.notes {
        wrapped(out, &format!("- {note}"), 4)?;
    }
    writeln!(out, "    {DIM}_headers:{DIM:#}")?;
    indented(out, &h.static_site.headers_file, 6)?;

    section(
        out,
        "Rollout",
        "the whole plan; ▶ marks where this output belongs",
    )?;
    for (i, step) in g.rollout.iter().enumerate() {
        let (mark, style) = if step.current {
            ("▶", CURRENT)
        } else {
            (" ", BOLD)
        };
        writeln!(out, "{style}{mark} {}. {}{style:#}", i + 1, step.title)?;
        wrapped(out, &step.detail, 5)?;
    }
    Ok(())
}

fn section(out: &mut impl Write, title: &str, note: &str) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{BOLD}── {title}{BOLD:#} {DIM}({note}){DIM:#}")
}

/// Each line of `text`, indented, as it is (code and file contents are never re-wrapped).
fn indented(out: &mut impl Write, text: &str, indent: usize) -> io::Result<()> {
    for line in text.lines() {
        if line.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, "{:indent$}{line}", "")?;
        }
    }
    Ok(())
}

/// Prose, word-wrapped at [`WRAP`] columns, indented; a leading `- ` hangs. A span in backticks
/// (a command, a value) is never broken, so it can be copied from the terminal.
fn wrapped(out: &mut impl Write, text: &str, indent: usize) -> io::Result<()> {
    let hang = if text.starts_with("- ") { 2 } else { 0 };
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(open) if open.matches('`').count() % 2 == 1 => {
                open.push(' ');
                open.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
    }
    let mut line = String::new();
    let mut width = indent;
    for word in words {
        if !line.is_empty() && width + line.chars().count() + 1 + word.chars().count() > WRAP {
            writeln!(out, "{:width$}{line}", "")?;
            line.clear();
            width = indent + hang;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        writeln!(out, "{:width$}{line}", "")?;
    }
    Ok(())
}
