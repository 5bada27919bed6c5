//! Shared loader and verdict helpers for the corpus tests.
//!
//! A verdict here is StsLens's, from the RFC: "usable" means a strict, compliant sender accepts
//! the input (no error finding) and there is something to apply (`parsed` is not null).

#![allow(dead_code)]

use serde_norway::Value;
use std::path::PathBuf;
use stslens_core::lint::{self, Lint};
use stslens_core::policy::fetch::FetchResponse;
use stslens_core::{Code, MxPattern, Severity};

/// The repository's `tests/fixtures` directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// One YAML vector file of `tests/fixtures/mta-sts`.
pub fn load(name: &str) -> Value {
    let path = fixtures().join("mta-sts").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sequence at `key` (panics if absent, so that a renamed key cannot skip cases silently).
pub fn seq<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_sequence)
        .unwrap_or_else(|| panic!("no sequence `{key}`"))
}

/// The string at `key`.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string `{key}` in {v:?}"))
}

/// The string at `key`, if any.
pub fn opt_s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The boolean at `key`.
pub fn b(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_bool)
        .unwrap_or_else(|| panic!("no bool `{key}` in {v:?}"))
}

/// The strings of a sequence.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .unwrap_or_else(|| panic!("not a sequence: {v:?}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("not a string: {x:?}"))
                .to_owned()
        })
        .collect()
}

pub fn usable<P>(l: &Lint<P>) -> bool {
    l.valid && l.parsed.is_some()
}

pub fn sts(records: &[&str]) -> Lint<lint::ParsedStsRecord> {
    lint::lint_sts_records(records)
}

pub fn sts_ok(record: &str) -> bool {
    usable(&sts(&[record]))
}

pub fn policy(text: &str) -> Lint<lint::ParsedPolicy> {
    lint::lint_policy(text.as_bytes())
}

pub fn policy_ok(text: &str) -> bool {
    usable(&policy(text))
}

pub fn tlsrpt(records: &[&str]) -> Lint<lint::ParsedTlsRptRecord> {
    lint::lint_tlsrpt_records(records)
}

pub fn tlsrpt_ok(record: &str) -> bool {
    usable(&tlsrpt(&[record]))
}

/// Whether `pattern` is a valid mx pattern that matches `host` (RFC 8461 §4.1).
pub fn matches(pattern: &str, host: &str) -> bool {
    MxPattern::parse(pattern).is_ok_and(|p| p.matches_host(host))
}

/// A policy fetch as the shells describe it.
pub fn fetch(status: u16, content_type: Option<&str>, body: &[u8]) -> FetchResponse {
    FetchResponse {
        url: "https://mta-sts.example.com/.well-known/mta-sts.txt".to_owned(),
        status,
        content_type: content_type.map(str::to_owned),
        location: (300..400).contains(&status).then(|| "/other".to_owned()),
        body: body.to_vec(),
    }
}

/// Lints a fetch and its body: usable when a strict sender would apply the policy.
pub fn fetch_ok(response: &FetchResponse) -> bool {
    usable(&lint::lint_fetch(response))
}

/// The codes of the findings at `severity`.
pub fn codes_at<P>(l: &Lint<P>, severity: Severity) -> Vec<Code> {
    l.findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.code)
        .collect()
}

pub fn error_codes<P>(l: &Lint<P>) -> Vec<Code> {
    codes_at(l, Severity::Error)
}

pub fn warning_codes<P>(l: &Lint<P>) -> Vec<Code> {
    codes_at(l, Severity::Warning)
}

/// Checks a case's verdict and says which case failed.
#[track_caller]
pub fn verdict(case: impl std::fmt::Debug, ours: bool, want: bool) {
    assert_eq!(
        ours, want,
        "case {case:?}: StsLens says usable={ours}, the RFC-based verdict is {want}"
    );
}
