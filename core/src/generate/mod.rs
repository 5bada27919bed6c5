//! The record generator: from a domain, its MX hosts, a mode, a max_age and report destinations,
//! everything an admin publishes to deploy MTA-STS and TLS-RPT, checked by the same lints that
//! judge other people's records.
//!
//! ```text
//!   Request {domain, mx, mode, max_age, rua} + now (unix seconds)
//!        │ input::check: every problem at once, each naming its field and value
//!        ▼
//!   Policy + StsRecord (id from now) + TlsRptRecord     the model types: only valid values
//!        │ render                                       │ lint_policy, lint_*_records
//!        ▼                                              ▼
//!   policy text, TXT records, zone lines,          findings (+ advice on max_age, rua)
//!   hosting snippets, rollout checklist            valid = no error
//! ```
//!
//! No I/O and no clock: the caller passes "now", so the same request at the same second gives
//! the same output (the CLI honours `SOURCE_DATE_EPOCH`).
//!
//! Defaults, for an admin who gives only the domain and the MX hosts:
//! - mode `testing` is the CLI's and the page's default: the safe first step;
//! - `max_age` by mode ([`default_max_age`]): 1 day in testing, 1 week in enforce, 1 day in none;
//! - `rua`: `mailto:tls-reports@<domain>` when none is given, flagged by a `tlsrpt-rua-assumed`
//!   warning. Testing mode without reports is blind, so leaving the record out would be worse
//!   than a clearly announced assumption the admin can act on (create the mailbox or pass one).
//!
//! The JSON form (`stslens generate --json`) is [`Generated`] serialized; its shape is stable:
//! ```text
//! {"valid": true, "domain": "example.com", "defaulted": ["max_age", "rua"],
//!  "policy": {"url", "mode", "max_age", "mx": [...], "text"},
//!  "dns": {"sts": {"name", "value", "zone_line", "id"},
//!          "tlsrpt": {"name", "value", "zone_line", "rua": [...]},
//!          "zone"},
//!  "hosting": {"host", "file_path", "certificate", "nginx", "caddy",
//!              "static_site": {"notes": [...], "headers_file"}, "verify"},
//!  "rollout": [{"stage", "current", "title", "detail"}],
//!  "findings": [{"code", "severity", "message", "rfc", "fix", "line"}]}
//! ```

mod hosting;
mod id;
mod input;
mod rollout;

pub use hosting::{Hosting, POLICY_PATH, StaticSite, TxtRecord, hosting, txt_strings, zone};
pub use id::{bump, id_at, id_time, next_id};
pub use input::{
    Field, InputError, InvalidRequest, MAX_AGE_PRESETS, POLICY_HOST_LABEL, Request, check_domain,
    default_max_age, default_rua, mx_entries, parse_max_age, rua_entries,
};
pub use rollout::{Stage, Step, checklist, describe_seconds};

use crate::finding::{Code, Finding, all_valid};
use crate::lint::{lint_policy, lint_sts_records, lint_tlsrpt_records};
use crate::policy::{Mode, Policy};
use crate::record::{StsRecord, TlsRptRecord};
use serde::{Deserialize, Serialize};

/// Below this `max_age` (one day) an enforced policy protects little (RFC 8461 §3.2).
const SHORT_ENFORCE_MAX_AGE: u32 = 86_400;

/// Everything to publish, and the verdict of the lints on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generated {
    /// True when no finding is an error (always, unless the generator has a bug: the lints are
    /// run precisely to catch that).
    pub valid: bool,
    /// The mail domain, normalised (lower case, no trailing dot).
    pub domain: String,
    /// The inputs that were left empty and took their default.
    pub defaulted: Vec<Field>,
    /// The policy file.
    pub policy: PolicyFile,
    /// The TXT records and zone-file lines.
    pub dns: DnsRecords,
    /// How to serve the policy file.
    pub hosting: Hosting,
    /// The rollout checklist.
    pub rollout: Vec<Step>,
    /// The lints' findings on the policy and both records, then the generator's advice.
    pub findings: Vec<Finding>,
    /// The generated values as model types (not serialized).
    #[serde(skip)]
    pub parts: Parts,
}

/// The generated values as the model types, for callers that go on working with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The policy.
    pub policy: Policy,
    /// The `_mta-sts` record.
    pub sts_record: StsRecord,
    /// The `_smtp._tls` record.
    pub tlsrpt_record: TlsRptRecord,
}

/// The policy file and where it is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFile {
    /// `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub url: String,
    /// The mode.
    pub mode: Mode,
    /// Seconds.
    pub max_age: u32,
    /// The mx patterns, in the order given, each once.
    pub mx: Vec<String>,
    /// The file's content: LF line endings, a final LF.
    pub text: String,
}

/// The DNS records to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecords {
    /// `_mta-sts.<domain>`.
    pub sts: StsTxt,
    /// `_smtp._tls.<domain>`.
    pub tlsrpt: TlsRptTxt,
    /// Both records as zone-file lines, with the policy host's address records to fill in.
    pub zone: String,
}

/// The `_mta-sts` TXT record and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsTxt {
    /// Name, value and zone line.
    #[serde(flatten)]
    pub record: TxtRecord,
    /// The policy id.
    pub id: String,
}

/// The `_smtp._tls` TXT record and its destinations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRptTxt {
    /// Name, value and zone line.
    #[serde(flatten)]
    pub record: TxtRecord,
    /// The report destinations.
    pub rua: Vec<String>,
}

/// Checks `request` as [`generate`] does, without generating: every input problem at once. The
/// web page runs this as you type and asks its worker for the output only once this passes, so
/// that the generator and the linters it runs stay out of the page's first load.
pub fn validate(request: &Request) -> Result<(), InvalidRequest> {
    input::check(request).map(|_| ())
}

/// Generates everything for `request`, with the policy id taken from `now` (unix seconds, UTC).
///
/// Fails with every input problem at once; never fails on valid input.
pub fn generate(request: &Request, now: u64) -> Result<Generated, InvalidRequest> {
    let input = input::check(request)?;
    let domain = &input.domain;
    let policy = Policy::new(request.mode, input.max_age, input.mx)
        .expect("input::check refuses testing and enforce without mx");
    let id = id_at(now);
    let sts_record = StsRecord::new(id.clone());
    let tlsrpt_record =
        TlsRptRecord::new(input.rua).expect("input::check puts in the default rua when none");

    let policy_text = policy.to_text();
    let sts = TxtRecord::new(format!("_mta-sts.{domain}"), sts_record.to_string());
    let tlsrpt = TxtRecord::new(format!("_smtp._tls.{domain}"), tlsrpt_record.to_string());

    let mut findings = lint_policy(policy_text.as_bytes()).findings;
    findings.extend(lint_sts_records(std::slice::from_ref(&sts.value)).findings);
    findings.extend(lint_tlsrpt_records(std::slice::from_ref(&tlsrpt.value)).findings);
    findings.extend(advice(&policy, &tlsrpt_record, &input.defaulted));

    let hosting = hosting(domain);
    Ok(Generated {
        valid: all_valid(&findings),
        domain: domain.to_string(),
        defaulted: input.defaulted,
        policy: PolicyFile {
            url: format!("https://{}{POLICY_PATH}", hosting.host),
            mode: policy.mode(),
            max_age: policy.max_age().seconds(),
            mx: policy.mx().iter().map(ToString::to_string).collect(),
            text: policy_text,
        },
        dns: DnsRecords {
            zone: zone(domain, &[&sts, &tlsrpt]),
            sts: StsTxt {
                record: sts,
                id: id.to_string(),
            },
            tlsrpt: TlsRptTxt {
                record: tlsrpt,
                rua: tlsrpt_record
                    .rua()
                    .iter()
                    .map(|u| u.as_str().to_owned())
                    .collect(),
            },
        },
        rollout: checklist(domain, policy.mode(), policy.max_age().seconds()),
        hosting,
        findings,
        parts: Parts {
            policy,
            sts_record,
            tlsrpt_record,
        },
    })
}

/// Advice on the choices, beyond what the lints judge: a short enforced max_age, an assumed
/// report address.
fn advice(policy: &Policy, tlsrpt: &TlsRptRecord, defaulted: &[Field]) -> Vec<Finding> {
    let mut out = Vec::new();
    let age = policy.max_age().seconds();
    if policy.mode() == Mode::Enforce && age < SHORT_ENFORCE_MAX_AGE {
        out.push(
            Finding::new(
                Code::PolicyMaxAgeShort,
                format!(
                    "max_age is {} in enforce mode: senders forget the policy that quickly, and the first delivery after that is only as safe as the fetch of the policy, which an attacker can block. RFC 8461 §3.2 expects weeks or more.",
                    describe_seconds(age)
                ),
            )
            .with_fix(
                "Use max_age 604800 (1 week) or more; for a short lifetime while you check, use mode testing.",
            ),
        );
    }
    if defaulted.contains(&Field::Rua) {
        let uri = tlsrpt.rua().first().map(|u| u.as_str()).unwrap_or_default();
        out.push(
            Finding::new(
                Code::TlsrptRuaAssumed,
                format!("No report destination was given, so the _smtp._tls record sends TLS reports to `{uri}`."),
            )
            .with_fix(format!(
                "Make sure `{}` receives mail (create the mailbox or an alias), or give your own destination (`--rua`, or the report destination field on the page).",
                uri.trim_start_matches("mailto:")
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests;
