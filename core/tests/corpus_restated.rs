//! Cases from projects whose licences do not allow copying their files (EFF starttls-backend,
//! GPL-3.0; sys4 tlsrpt-rr-parser, LGPL-3.0; UK NCSC MailCheck.Public.TlsRpt, no licence). Each case
//! is restated here as a fact: the input, StsLens's RFC-based verdict, and where it comes from.
//! `their` is the source project's verdict, kept to show where StsLens differs and why.

mod common;
use common::*;

/// (input, StsLens usable?, their verdict, note)
type Case = (&'static str, bool, bool, &'static str);

const EFF_TXT_RRSETS: &[(&[&str], bool, bool)] = &[
    // case from EFF starttls-backend: two STS records
    (&["v=STSv1; id=1234", "v=STSv1; id=5678"], false, false),
    // case from EFF starttls-backend
    (&["v=STSv1; id=20171114T070707;"], true, true),
    // case from EFF starttls-backend: empty id
    (&["v=STSv1; id=;"], false, false),
    // case from EFF starttls-backend: id not alphanumeric
    (&["v=STSv1; id=###;"], false, false),
    // case from EFF starttls-backend: only an SPF record
    (&["v=spf1 a -all"], false, false),
];

const EFF_POLICIES: &[Case] = &[
    (
        "version: STSv1\nmode: enforce\nmax_age:100000\nmx: foo.example.com\nmx: bar.example.com\n",
        true,
        true,
        "case from EFF starttls-backend",
    ),
    // EFF accepts UTF-8 mx names; RFC 8461 §3.2 requires A-labels.
    (
        "version: STSv1\nmode: enforce\nmax_age:100000\nmx: 🌟.🐢.com\n",
        false,
        true,
        "case from EFF starttls-backend: U-label mx",
    ),
    (
        "\nmx: foo.example.com\nmx: bar.example.com\n",
        false,
        false,
        "case from EFF starttls-backend: no version, mode, max_age",
    ),
    // EFF requires max_age > 0; the ABNF and §3.2 ("non-negative integer") allow 0.
    (
        "version: STSv1\nmode: enforce\nmax_age:0\nmx: foo.example.com\nmx: bar.example.com\n",
        true,
        false,
        "case from EFF starttls-backend: max_age 0",
    ),
    (
        "version: STSv1\nmode: start_turtles\nmax_age:100000\nmx: foo.example.com\nmx: bar.example.com\n",
        false,
        false,
        "case from EFF starttls-backend: bad mode",
    ),
];

/// (host, pattern, StsLens match?, EFF match?)
const EFF_PATTERNS: &[(&str, &str, bool, bool)] = &[
    ("example.com", "example.com", true, true),
    ("mx.example.com", "mx.example.com", true, true),
    ("different.org", "example.com", false, false),
    ("not.example.com", "example.com", false, false),
    ("example.com", ".example.com", false, false),
    ("example.com", "*.example.com", false, false),
    ("mx.example.com", "*mx.example.com", false, false),
    ("mx.example.com", "*.example.com", true, true),
    // EFF accepts the draft's `.suffix` form; RFC 8461 has only `*.`: the pattern is invalid.
    ("mx.example.com", ".example.com", false, true),
    ("mx.mx.example.com", "*.mx.example.com", true, true),
    ("mx.mx.example.com", ".mx.example.com", false, true),
    ("mx.example.com", "mx.*.com", false, false),
    ("mx.mx.example.com", "*.example.com", false, false),
    ("mx.example.com", "mx.*ple.com", false, false),
    ("*.example.com", "mx.example.com", false, false),
    ("*.example.com", "mx.mx.example.com", false, false),
    ("*.example.com", ".mx.example.com", false, false),
    ("mx.example.com", "..example.com", false, false),
];

#[test]
fn eff_starttls_backend() {
    for (rrset, ours, _their) in EFF_TXT_RRSETS {
        verdict(rrset, usable(&sts(rrset)), *ours);
    }
    for (text, ours, _their, note) in EFF_POLICIES {
        verdict(note, policy_ok(text), *ours);
    }
    for (host, pattern, ours, _their) in EFF_PATTERNS {
        verdict((host, pattern), matches(pattern, host), *ours);
    }
    // EFF's MX-versus-policy cases (STARTTLS probing is the check's): coverage of each MX by some
    // pattern, which is what the policy decides.
    let covered = |patterns: &[&str], mx: &str| patterns.iter().any(|p| matches(p, mx));
    assert!(covered(&["mail.example.com"], "mail.example.com"));
    assert!(covered(
        &["mail.example.com", "extra-entries.are-okay.com"],
        "mail.example.com"
    ));
    assert!(covered(&["*.example.com"], "mail.example.com"));
    assert!(!covered(&[], "mail.example.com"));
    assert!(covered(
        &["nostarttls.example.com"],
        "nostarttls.example.com"
    ));
    assert_eq!(
        EFF_TXT_RRSETS.len() + EFF_POLICIES.len() + EFF_PATTERNS.len(),
        28
    );
}

const SYS4_TLSRPT: &[Case] = &[
    (
        "v=TLSRPTv1; rua=mailto:reports@example.com",
        true,
        true,
        "case from sys4 tlsrpt-rr-parser",
    ),
    (
        "v=TLSRPTv1;rua=mailto:reports@example.com,mailto:postmaster@example.com",
        true,
        true,
        "case from sys4 tlsrpt-rr-parser: two URIs",
    ),
    (
        "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
        true,
        true,
        "case from sys4 tlsrpt-rr-parser",
    ),
    (
        "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt; ext=extvalue",
        true,
        true,
        "case from sys4 tlsrpt-rr-parser: extension",
    ),
    (
        "v=TLSRPTv1; rua=!!",
        false,
        false,
        "case from sys4 tlsrpt-rr-parser: not a URI",
    ),
];

const NCSC_TLSRPT: &[Case] = &[
    (
        "v=TLSRPTv1;rua=mailto:abc@cba.com",
        true,
        true,
        "case from NCSC MailCheck.Public.TlsRpt",
    ),
    (
        "v=TLSRPTv1;rua=mailto:abc@cba.com, mailto:def@cba.com",
        true,
        true,
        "case from NCSC MailCheck.Public.TlsRpt: space after comma",
    ),
    (
        "v=TLSRPTv1;rua=mailto:abc@cba.com,mailto:def@cba.com",
        true,
        true,
        "case from NCSC MailCheck.Public.TlsRpt",
    ),
    (
        "v=TLSRPTv1;rua=mailto:abc@cba.com:test",
        false,
        false,
        "case from NCSC MailCheck.Public.TlsRpt: malformed address",
    ),
    (
        "v=TLSRPTv1;rua=abc:abc@cba.com",
        false,
        false,
        "case from NCSC MailCheck.Public.TlsRpt: unknown scheme, nothing left",
    ),
    // NCSC's tag parser alone accepts it; the record still lacks the required rua.
    (
        "v=TLSRPTv1",
        false,
        true,
        "case from NCSC MailCheck.Public.TlsRpt: no rua",
    ),
    (
        "v=TLSRPTv1=TLSRPTv1",
        false,
        false,
        "case from NCSC MailCheck.Public.TlsRpt: malformed tag",
    ),
    (
        "rua=mailto:abc@cba.com",
        false,
        false,
        "case from NCSC MailCheck.Public.TlsRpt: no version",
    ),
    (
        "v=TLSRPTv1;v=TLSRPTv1",
        false,
        false,
        "case from NCSC MailCheck.Public.TlsRpt: repeated v, no rua",
    ),
    // Leading whitespace: the record must begin with `v=TLSRPTv1`; senders discard it.
    (
        " v=TLSRPTv1;rua=mailto:abc@cba.com",
        false,
        true,
        "case from NCSC MailCheck.Public.TlsRpt: leading space",
    ),
    (
        "v=TLSRPTv1 ;rua=mailto:abc@cba.com",
        true,
        true,
        "case from NCSC MailCheck.Public.TlsRpt: space before ;",
    ),
    (
        "v=TLSRPTv1; rua=mailto:abc@cba.com; ",
        true,
        true,
        "case from NCSC MailCheck.Public.TlsRpt: trailing delimiter",
    ),
];

/// NCSC's rua URI verdicts (StsLens usable?, NCSC valid?).
const NCSC_RUA: &[(&str, bool, bool)] = &[
    ("https://cba.com", true, true),
    ("https://com", false, false),
    ("htps://cba.com", false, false),
    ("mailto:abc@cba.com", true, true),
    ("mailto:abccba.com", false, false),
    ("mailo:abc@cba.com", false, false),
];

#[test]
fn sys4_and_ncsc_tlsrpt() {
    for (txt, ours, _their, note) in SYS4_TLSRPT.iter().chain(NCSC_TLSRPT) {
        verdict(note, tlsrpt_ok(txt), *ours);
    }
    for (uri, ours, _their) in NCSC_RUA {
        verdict(uri, tlsrpt_ok(&format!("v=TLSRPTv1; rua={uri}")), *ours);
    }
    // NCSC also warns when rua has two URIs; RFC 8460 §3 allows a comma-separated list: no finding.
    let lint = tlsrpt(&["v=TLSRPTv1; rua=mailto:a@cba.com,mailto:b@cba.com"]);
    assert!(lint.findings.is_empty());
}
