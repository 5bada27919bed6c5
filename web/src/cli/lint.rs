//! `stslens lint policy|sts-record|tlsrpt-record`

use super::{Outcome, fail, render};
use serde::Serialize;
use std::io::{Read, Write};
use stslens_core::lint::{Lint, ParsedPolicy, ParsedStsRecord, ParsedTlsRptRecord};

/// What to lint.
#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Lint the bytes of a policy file (mta-sts.txt); `-` reads stdin.
    Policy {
        /// Path of the policy file, or `-` for stdin.
        file: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lint the TXT records found at _mta-sts.<domain> (each argument is one record; none = absent).
    StsRecord {
        /// The TXT records, one per argument.
        records: Vec<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lint the TXT records found at _smtp._tls.<domain> (each argument is one record; none = absent).
    TlsrptRecord {
        /// The TXT records, one per argument.
        records: Vec<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(target: Target) -> Outcome {
    match target {
        Target::Policy { file, json } => {
            let bytes = match read_input(&file) {
                Ok(bytes) => bytes,
                Err(err) => return fail(err),
            };
            let lint = stslens_core::lint_policy(&bytes);
            let subject = if file == "-" {
                "the policy (stdin)".to_owned()
            } else {
                format!("the policy {file}")
            };
            emit(&lint, json, &subject, policy_lines)
        }
        Target::StsRecord { records, json } => {
            let lint = stslens_core::lint_sts_records(&records);
            emit(&lint, json, "the _mta-sts record set", sts_lines)
        }
        Target::TlsrptRecord { records, json } => {
            let lint = stslens_core::lint_tlsrpt_records(&records);
            emit(&lint, json, "the _smtp._tls record set", tlsrpt_lines)
        }
    }
}

/// Reads a file, or stdin for `-`; the error names the file.
fn read_input(file: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the policy from stdin: {e}"))?;
    } else {
        bytes = std::fs::read(file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    }
    Ok(bytes)
}

fn emit<P: Serialize>(
    lint: &Lint<P>,
    json: bool,
    subject: &str,
    parsed_lines: fn(&P) -> (&'static str, Vec<String>),
) -> Outcome {
    let written = if json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, lint)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        let mut out = anstream::stdout().lock();
        render::verdict(&mut out, subject, &lint.findings)
            .and_then(|()| render::findings(&mut out, &lint.findings))
            .and_then(|()| match &lint.parsed {
                Some(p) => {
                    let (heading, lines) = parsed_lines(p);
                    render::block(&mut out, heading, &lines)
                }
                None => Ok(()),
            })
    };
    if let Err(err) = written
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        return fail(format!("cannot write the result: {err}"));
    }
    if lint.valid {
        Outcome::Fine
    } else {
        Outcome::InputErrors
    }
}

fn policy_lines(p: &ParsedPolicy) -> (&'static str, Vec<String>) {
    let mut lines = vec![
        format!("version: {}", p.version),
        format!("mode: {}", p.mode.as_str()),
    ];
    lines.extend(p.mx.iter().map(|m| format!("mx: {m}")));
    lines.push(format!("max_age: {}", p.max_age));
    lines.extend(p.extensions.iter().map(|(k, v)| format!("{k}: {v}")));
    ("Effective policy (what a lenient sender applies):", lines)
}

fn sts_lines(r: &ParsedStsRecord) -> (&'static str, Vec<String>) {
    let mut text = format!("v={}; id={}", r.version, r.id);
    for (k, v) in &r.extensions {
        text.push_str(&format!("; {k}={v}"));
    }
    ("Effective record:", vec![text])
}

fn tlsrpt_lines(r: &ParsedTlsRptRecord) -> (&'static str, Vec<String>) {
    let mut text = format!("v={}; rua={}", r.version, r.rua.join(","));
    for (k, v) in &r.extensions {
        text.push_str(&format!("; {k}={v}"));
    }
    ("Effective record:", vec![text])
}
