//! Outputs for each mode, the advice, and that what is generated is what the lints accept.

use super::*;
use crate::Severity;
use crate::policy::MaxAge;
use serde_json::json;

/// 2024-03-01 12:00:00 UTC.
const NOW: u64 = 1_709_294_400;

fn request(mode: Mode, mx: &[&str]) -> Request {
    Request {
        domain: "example.com".into(),
        mx: mx.iter().map(|s| s.to_string()).collect(),
        mode,
        max_age: None,
        rua: vec!["mailto:tlsrpt@example.com".into()],
    }
}

fn codes(g: &Generated) -> Vec<&'static str> {
    g.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn testing_mode_output() {
    let g = generate(
        &request(Mode::Testing, &["mx1.mail.net", "*.mail.net"]),
        NOW,
    )
    .unwrap();
    assert!(g.valid);
    assert_eq!(g.domain, "example.com");
    assert_eq!(
        g.policy.text,
        "version: STSv1\nmode: testing\nmx: mx1.mail.net\nmx: *.mail.net\nmax_age: 86400\n"
    );
    assert_eq!(
        g.policy.url,
        "https://mta-sts.example.com/.well-known/mta-sts.txt"
    );
    assert_eq!(g.dns.sts.record.name, "_mta-sts.example.com");
    assert_eq!(g.dns.sts.record.value, "v=STSv1; id=20240301120000Z");
    assert_eq!(g.dns.sts.id, "20240301120000Z");
    assert_eq!(g.dns.tlsrpt.record.name, "_smtp._tls.example.com");
    assert_eq!(
        g.dns.tlsrpt.record.value,
        "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"
    );
    assert_eq!(g.defaulted, [Field::MaxAge]);
    assert!(g.findings.is_empty(), "{:#?}", g.findings);
    assert!(
        g.dns
            .zone
            .contains("_mta-sts.example.com.   IN TXT   \"v=STSv1; id=20240301120000Z\"")
    );
    assert!(
        g.rollout
            .iter()
            .any(|s| s.current && s.stage == Stage::Testing)
    );
}

#[test]
fn enforce_mode_output() {
    let mut r = request(Mode::Enforce, &["mx1.mail.net"]);
    r.rua.push("https://reports.example.com/v1".into());
    let g = generate(&r, NOW).unwrap();
    assert!(g.valid && g.findings.is_empty(), "{:#?}", g.findings);
    assert_eq!(
        g.policy.text,
        "version: STSv1\nmode: enforce\nmx: mx1.mail.net\nmax_age: 604800\n"
    );
    assert_eq!(
        g.dns.tlsrpt.record.value,
        "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/v1"
    );
    assert_eq!(g.dns.tlsrpt.rua.len(), 2);
    assert!(
        g.rollout
            .iter()
            .any(|s| s.current && s.stage == Stage::Enforce)
    );
}

#[test]
fn none_mode_output_with_and_without_mx() {
    let g = generate(&request(Mode::None, &[]), NOW).unwrap();
    assert!(g.valid && g.findings.is_empty(), "{:#?}", g.findings);
    assert_eq!(
        g.policy.text,
        "version: STSv1\nmode: none\nmax_age: 86400\n"
    );
    assert!(
        g.rollout
            .iter()
            .any(|s| s.current && s.stage == Stage::Remove)
    );
    let g = generate(&request(Mode::None, &["mx1.mail.net"]), NOW).unwrap();
    assert_eq!(
        g.policy.text,
        "version: STSv1\nmode: none\nmx: mx1.mail.net\nmax_age: 86400\n"
    );
}

#[test]
fn placeholder_mx_is_shown_as_the_lints_warning() {
    let g = generate(&request(Mode::Testing, &["mail.example.com"]), NOW).unwrap();
    assert!(g.valid);
    assert_eq!(codes(&g), ["policy-mx-placeholder"]);
    assert_eq!(g.findings[0].severity, Severity::Warning);
    let g = generate(&request(Mode::Testing, &["*.com"]), NOW).unwrap();
    assert!(g.valid);
    assert_eq!(codes(&g), ["policy-mx-wildcard-tld"]);
}

#[test]
fn short_enforced_max_age_is_advised_against() {
    let mut r = request(Mode::Enforce, &["mx1.mail.net"]);
    r.max_age = Some(3600);
    let g = generate(&r, NOW).unwrap();
    assert!(g.valid);
    assert_eq!(codes(&g), ["policy-max-age-short"]);
    assert!(g.findings[0].message.contains("1 hour"));
    r.max_age = Some(86_400);
    assert!(generate(&r, NOW).unwrap().findings.is_empty());
    // Testing mode may be short: that is its point.
    let mut r = request(Mode::Testing, &["mx1.mail.net"]);
    r.max_age = Some(0);
    assert!(generate(&r, NOW).unwrap().findings.is_empty());
}

#[test]
fn assumed_rua_is_flagged() {
    let mut r = request(Mode::Testing, &["mx1.mail.net"]);
    r.rua.clear();
    let g = generate(&r, NOW).unwrap();
    assert_eq!(
        g.dns.tlsrpt.record.value,
        "v=TLSRPTv1; rua=mailto:tls-reports@example.com"
    );
    assert_eq!(g.defaulted, [Field::MaxAge, Field::Rua]);
    assert_eq!(codes(&g), ["tlsrpt-rua-assumed"]);
    assert!(
        g.findings[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("tls-reports@example.com")
    );
}

#[test]
fn output_parses_back_to_the_same_values() {
    let mut r = request(Mode::Enforce, &["MX1.mail.net.", "*.backup.mail.net"]);
    r.max_age = Some(1_209_600);
    let g = generate(&r, NOW).unwrap();
    let policy = Policy::parse(&g.policy.text).unwrap();
    assert_eq!(policy, g.parts.policy);
    assert_eq!(policy.max_age(), MaxAge::new(1_209_600).unwrap());
    assert_eq!(
        StsRecord::parse(&g.dns.sts.record.value).unwrap(),
        g.parts.sts_record
    );
    assert_eq!(
        TlsRptRecord::parse(&g.dns.tlsrpt.record.value).unwrap(),
        g.parts.tlsrpt_record
    );
}

#[test]
fn invalid_input_is_refused() {
    let r = request(Mode::Enforce, &[]);
    let err = generate(&r, NOW).unwrap_err();
    assert_eq!(
        err.errors,
        [InputError::MxMissing {
            mode: Mode::Enforce
        }]
    );
    assert!(
        err.to_string()
            .contains("mode `enforce` needs at least one MX host")
    );
}

#[test]
fn id_follows_the_clock() {
    let r = request(Mode::Testing, &["mx1.mail.net"]);
    let a = generate(&r, NOW).unwrap();
    let b = generate(&r, NOW + 1).unwrap();
    assert_ne!(a.dns.sts.id, b.dns.sts.id);
    assert!(a.dns.sts.id < b.dns.sts.id);
    // Same request, same second: the same output (no hidden clock or randomness).
    assert_eq!(generate(&r, NOW).unwrap(), a);
}

#[test]
fn json_shape_is_the_documented_one() {
    let g = generate(&request(Mode::Testing, &["mx1.mail.net"]), NOW).unwrap();
    let v = serde_json::to_value(&g).unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        [
            "defaulted",
            "dns",
            "domain",
            "findings",
            "hosting",
            "policy",
            "rollout",
            "valid"
        ]
    );
    assert_eq!(keys(&v["policy"]), ["max_age", "mode", "mx", "text", "url"]);
    assert_eq!(keys(&v["dns"]), ["sts", "tlsrpt", "zone"]);
    assert_eq!(keys(&v["dns"]["sts"]), ["id", "name", "value", "zone_line"]);
    assert_eq!(
        keys(&v["dns"]["tlsrpt"]),
        ["name", "rua", "value", "zone_line"]
    );
    assert_eq!(
        keys(&v["hosting"]),
        [
            "caddy",
            "certificate",
            "file_path",
            "host",
            "nginx",
            "static_site",
            "verify"
        ]
    );
    assert_eq!(
        keys(&v["hosting"]["static_site"]),
        ["headers_file", "notes"]
    );
    assert_eq!(
        keys(&v["rollout"][0]),
        ["current", "detail", "stage", "title"]
    );
    assert_eq!(v["defaulted"], json!(["max_age"]));
    assert_eq!(v["policy"]["mode"], json!("testing"));
    assert_eq!(v["policy"]["max_age"], json!(86400));
    assert_eq!(v["rollout"][3]["stage"], json!("testing"));
    assert_eq!(v["rollout"][3]["current"], json!(true));
}
