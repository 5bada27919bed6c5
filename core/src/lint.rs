//! The lint result of the CLI contract, shared by `stslens lint` and the web app:
//! `{"valid", "findings", "parsed"}`.
//!
//! `valid` is true when no finding is an error: a strict, compliant sender accepts the input.
//! `parsed` holds the effective values a lenient sender would use (first occurrence wins, RFC 8461
//! §3.2), or `null` when a required part is missing or unusable. So an input can be invalid and
//! still show `parsed` (e.g. a policy with a malformed extension line): the findings say why a
//! strict sender rejects it.

use crate::finding::{Finding, all_valid};
use crate::policy::fetch::{FetchResponse, evaluate};
use crate::policy::{Mode, POLICY_VERSION, Policy, PolicyError, error_finding, read};
use crate::record::{StsRecord, TlsRptRecord, join_records, sts, tlsrpt};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The result of linting one input: the contract's JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint<P> {
    /// True when there is no `error` finding.
    pub valid: bool,
    /// Every finding, in input order.
    pub findings: Vec<Finding>,
    /// The effective values, or `null` when nothing usable was found.
    pub parsed: Option<P>,
}

impl<P> Lint<P> {
    fn new(findings: Vec<Finding>, parsed: Option<P>) -> Self {
        Lint {
            valid: all_valid(&findings),
            findings,
            parsed,
        }
    }
}

/// A policy's effective values: `{"version", "mode", "max_age", "mx": [...], "extensions": {}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedPolicy {
    /// Always `STSv1`.
    pub version: String,
    /// The mode.
    pub mode: Mode,
    /// Seconds.
    pub max_age: u32,
    /// The valid mx patterns, in order, lower-cased, each once.
    pub mx: Vec<String>,
    /// Unknown fields (ignored by senders), first occurrence of each.
    pub extensions: BTreeMap<String, String>,
}

impl From<&Policy> for ParsedPolicy {
    fn from(p: &Policy) -> Self {
        ParsedPolicy {
            version: POLICY_VERSION.to_owned(),
            mode: p.mode(),
            max_age: p.max_age().seconds(),
            mx: p.mx().iter().map(ToString::to_string).collect(),
            extensions: p
                .extensions()
                .iter()
                .map(|e| (e.name().to_owned(), e.value().to_owned()))
                .collect(),
        }
    }
}

/// An `_mta-sts` record's effective values: `{"version", "id", "extensions"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedStsRecord {
    /// Always `STSv1`.
    pub version: String,
    /// The policy id.
    pub id: String,
    /// Extension fields, first occurrence of each.
    pub extensions: BTreeMap<String, String>,
}

impl From<&StsRecord> for ParsedStsRecord {
    fn from(r: &StsRecord) -> Self {
        ParsedStsRecord {
            version: "STSv1".to_owned(),
            id: r.id().to_string(),
            extensions: r
                .extensions()
                .iter()
                .map(|e| (e.name().to_owned(), e.value().to_owned()))
                .collect(),
        }
    }
}

/// A `_smtp._tls` record's effective values: `{"version", "rua": [...], "extensions"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedTlsRptRecord {
    /// Always `TLSRPTv1`.
    pub version: String,
    /// The destinations reporters use (supported schemes only), in order.
    pub rua: Vec<String>,
    /// Extension fields, first occurrence of each.
    pub extensions: BTreeMap<String, String>,
}

impl From<&TlsRptRecord> for ParsedTlsRptRecord {
    fn from(r: &TlsRptRecord) -> Self {
        ParsedTlsRptRecord {
            version: "TLSRPTv1".to_owned(),
            rua: r.rua().iter().map(|u| u.as_str().to_owned()).collect(),
            extensions: r
                .extensions()
                .iter()
                .map(|e| (e.name().to_owned(), e.value().to_owned()))
                .collect(),
        }
    }
}

/// Lints the bytes of a policy file (RFC 8461 §3.2). Bytes that are not UTF-8 are an error
/// naming the line; the rest is still read (with U+FFFD for the bad bytes) so that every other
/// problem shows too.
pub fn lint_policy(bytes: &[u8]) -> Lint<ParsedPolicy> {
    let (text, utf8_error) = match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), None),
        Err(e) => {
            let newlines = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let line = u32::try_from(newlines + 1).unwrap_or(u32::MAX);
            (
                String::from_utf8_lossy(bytes),
                Some(PolicyError::NotUtf8 { line }),
            )
        }
    };
    let reading = read(&text);
    let mut findings = reading.findings;
    let mut parsed = reading.policy.as_ref().map(ParsedPolicy::from);
    if let Some(err) = utf8_error {
        findings.insert(0, error_finding(&err));
        // Values holding U+FFFD were not in the file; nothing read from it is trustworthy.
        if parsed
            .as_ref()
            .is_some_and(|p| p.extensions.values().any(|v| v.contains('\u{FFFD}')))
        {
            parsed = None;
        }
    }
    Lint::new(findings, parsed)
}

/// Lints a policy fetch: the §3.3 response rules, then the body, when a sender would read it.
pub fn lint_fetch(response: &FetchResponse) -> Lint<ParsedPolicy> {
    let verdict = evaluate(response);
    let mut findings = verdict.findings;
    let parsed = match verdict.body {
        Some(body) => {
            let body_lint = lint_policy(body);
            findings.extend(body_lint.findings);
            body_lint.parsed
        }
        None => None,
    };
    Lint::new(findings, parsed)
}

/// Lints the TXT records found at `_mta-sts` (RFC 8461 §3.1), each already joined from its
/// character-strings. None at all means the domain has no MTA-STS.
pub fn lint_sts_records<S: AsRef<str>>(records: &[S]) -> Lint<ParsedStsRecord> {
    let (record, findings) = sts::lint_records(records);
    Lint::new(findings, record.as_ref().map(ParsedStsRecord::from))
}

/// [`lint_sts_records`] for records given as their character-strings, which are joined with no
/// separator (RFC 8461 §3.1).
pub fn lint_sts_record_strings<S: AsRef<str>>(records: &[Vec<S>]) -> Lint<ParsedStsRecord> {
    lint_sts_records(&join_records(records))
}

/// Lints the TXT records found at `_smtp._tls` (RFC 8460 §3), each already joined from its
/// character-strings. None at all means the domain asks for no reports.
pub fn lint_tlsrpt_records<S: AsRef<str>>(records: &[S]) -> Lint<ParsedTlsRptRecord> {
    let (record, findings) = tlsrpt::lint_records(records);
    Lint::new(findings, record.as_ref().map(ParsedTlsRptRecord::from))
}

/// [`lint_tlsrpt_records`] for records given as their character-strings (RFC 8460 §3).
pub fn lint_tlsrpt_record_strings<S: AsRef<str>>(records: &[Vec<S>]) -> Lint<ParsedTlsRptRecord> {
    lint_tlsrpt_records(&join_records(records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;
    use serde_json::json;

    #[test]
    fn policy_json_is_the_contract() {
        let lint = lint_policy(
            b"version: STSv1\nmode: enforce\nmx: mx1.mail.net\nmax_age: 604800\nfoo: bar\n",
        );
        let v = serde_json::to_value(&lint).unwrap();
        assert_eq!(v["valid"], json!(true));
        assert_eq!(
            v["parsed"],
            json!({"version": "STSv1", "mode": "enforce", "max_age": 604800, "mx": ["mx1.mail.net"], "extensions": {"foo": "bar"}})
        );
        assert_eq!(v["findings"][0]["code"], json!("policy-field-unknown"));
        assert_eq!(v["findings"][0]["line"], json!(5));
        let back: Lint<ParsedPolicy> = serde_json::from_value(v).unwrap();
        assert_eq!(back, lint);
    }

    #[test]
    fn record_json_is_the_contract() {
        let v = serde_json::to_value(lint_sts_records(&["v=STSv1; id=abc; x=1"])).unwrap();
        assert_eq!(
            v["parsed"],
            json!({"version": "STSv1", "id": "abc", "extensions": {"x": "1"}})
        );
        let v = serde_json::to_value(lint_tlsrpt_records(&["v=TLSRPTv1; rua=mailto:a@b.example"]))
            .unwrap();
        assert_eq!(
            v["parsed"],
            json!({"version": "TLSRPTv1", "rua": ["mailto:a@b.example"], "extensions": {}})
        );
        assert_eq!(v["valid"], json!(true));
        let v = serde_json::to_value(lint_sts_records::<&str>(&[])).unwrap();
        assert_eq!(v["parsed"], json!(null));
        assert_eq!(v["findings"][0]["code"], json!("sts-record-missing"));
    }

    #[test]
    fn split_strings_are_joined_exactly() {
        let lint = lint_sts_record_strings(&[vec!["v=STSv1; id=", "policy1;"]]);
        assert!(lint.valid);
        assert_eq!(lint.parsed.unwrap().id, "policy1");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let lint = lint_policy(b"version: STSv1\nmode: none\nmax_age: 1\ncomment: ok\xffbad\n");
        assert!(!lint.valid);
        assert_eq!(
            (lint.findings[0].code, lint.findings[0].line),
            (Code::PolicyNotUtf8, Some(4))
        );
        assert!(lint.parsed.is_none());
    }

    #[test]
    fn fetch_then_body() {
        let resp = FetchResponse {
            url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
            status: 200,
            content_type: Some("text/html".into()),
            location: None,
            body: b"version: STSv1\nmode: none\nmax_age: 1\n".to_vec(),
        };
        let lint = lint_fetch(&resp);
        assert!(!lint.valid);
        assert_eq!(lint.findings[0].code, Code::PolicyContentType);
        assert!(lint.parsed.is_some());
    }
}
