//! One test per row of the corpus README's "Cross-implementation disagreements" table: which way
//! StsLens goes and why. The rule throughout: follow the RFC text; where it is strict, be strict;
//! where the ABNF forbids something most senders tolerate, warn and say who rejects it.

mod common;
use common::*;
use stslens_core::Code;
use stslens_core::policy::fetch::evaluate;

/// `v=STSv1 ; id=x`: the ABNF (`*WSP ";" *WSP`) allows it; the text discards records not
/// beginning `v=STSv1;` (erratum 6285), as mox does. StsLens: valid, with a warning that names the
/// senders that will see no record. go-mtasts and postfix-tlspol accept it.
#[test]
fn wsp_before_semicolon_is_valid_with_a_warning() {
    let lint = sts(&["v=STSv1 ; id=x"]);
    assert!(usable(&lint));
    assert_eq!(warning_codes(&lint), [Code::StsRecordSpaceBeforeDelimiter]);
    assert!(lint.findings[0].message.contains("6285") && lint.findings[0].message.contains("mox"));
    let lint = tlsrpt(&["v=TLSRPTv1 ; rua=mailto:a@b.example"]);
    assert!(usable(&lint));
    assert_eq!(
        warning_codes(&lint),
        [Code::TlsrptRecordSpaceBeforeDelimiter]
    );
}

/// `v=STSv1; id=a;;`: one optional trailing delimiter only. Invalid (mox); Snawoot accepts.
#[test]
fn extra_trailing_semicolon_is_invalid() {
    assert_eq!(
        error_codes(&sts(&["v=STSv1; id=a;;"])),
        [Code::StsRecordSyntax]
    );
    assert!(sts_ok("v=STSv1; id=a;"));
}

/// `v=STSv1` alone: `id` is required (§3.1). Invalid; NCSC Mail Check gives no advisory.
#[test]
fn record_without_id_is_invalid() {
    assert_eq!(error_codes(&sts(&["v=STSv1"])), [Code::StsRecordIdMissing]);
}

/// `id=x; v=STSv1`: "The TXT record MUST begin with the sts-version field". Invalid (senders
/// discard it, so the domain has no MTA-STS); go-mtasts accepts any order.
#[test]
fn version_must_come_first() {
    let lint = sts(&["id=x; v=STSv1"]);
    assert!(!usable(&lint));
    assert_eq!(error_codes(&lint), [Code::StsRecordVersion]);
}

/// Unknown TXT tags and policy keys "SHALL be ignored" (§3.2). Valid, noted as info; checkdmarc
/// rejects them.
#[test]
fn unknown_fields_are_ignored() {
    let lint = sts(&["v=STSv1; id=1; xyz=foo"]);
    assert!(usable(&lint));
    assert_eq!(lint.findings[0].code, Code::StsRecordExtensionUnknown);
    let lint = policy("version: STSv1\nmode: none\nmax_age: 1\nbadkey: badvalue\n");
    assert!(usable(&lint));
    assert_eq!(lint.findings[0].code, Code::PolicyFieldUnknown);
    assert_eq!(lint.parsed.unwrap().extensions["badkey"], "badvalue");
}

/// Duplicate `mode`: "all entries except for the first SHALL be ignored" (§3.2). First wins with
/// a warning; checkdmarc and KumoMTA error, Snawoot and mail-auth take the last.
#[test]
fn duplicate_mode_first_wins() {
    let lint = policy(
        "version: STSv1\nmode: enforce\nmode: testing\nmax_age: 86400\nmx: mx1.mailhost.net\n",
    );
    assert!(usable(&lint));
    assert_eq!(lint.parsed.as_ref().unwrap().mode.as_str(), "enforce");
    assert_eq!(warning_codes(&lint), [Code::PolicyFieldDuplicate]);
    assert_eq!(lint.findings[0].line, Some(3));
}

/// A blank line: the ABNF has none, but most senders skip it. Warning (the call for
/// deviations real senders tolerate); the message names the strict ones (postfix-tlspol, mox) that
/// reject the policy.
#[test]
fn blank_line_is_a_warning() {
    let lint = policy("version: STSv1\n\nmode: none\nmax_age: 1\n");
    assert!(usable(&lint));
    assert_eq!(warning_codes(&lint), [Code::PolicyBlankLine]);
    assert_eq!(lint.findings[0].line, Some(2));
    assert!(lint.findings[0].message.contains("postfix-tlspol"));
}

/// `max_age` over 31557600: the RFC gives the maximum; a value above is invalid, not capped
/// (postfix-tlspol caps, mox accepts). Error, so the owner fixes it rather than relying on
/// senders' different repairs.
#[test]
fn max_age_over_the_limit_is_an_error() {
    let lint = policy("version: STSv1\nmode: none\nmax_age: 31557601\n");
    assert!(!lint.valid);
    assert_eq!(error_codes(&lint), [Code::PolicyMaxAgeTooLarge]);
    assert!(lint.findings[0].message.contains("31557601"));
}

/// `max_age: 0`: "non-negative integer seconds". Valid; EFF rejects.
#[test]
fn max_age_zero_is_allowed() {
    assert!(policy_ok(
        "version: STSv1\nmode: testing\nmx: mx2.mailhost.net\nmax_age: 0\n"
    ));
}

/// Mode none without mx: mx is "required at least once, except when mode is none". Valid;
/// Stalwart's server errors.
#[test]
fn mode_none_needs_no_mx() {
    assert!(policy_ok("version: STSv1\nmode: none\nmax_age: 86400\n"));
    assert_eq!(
        error_codes(&policy("version: STSv1\nmode: testing\nmax_age: 86400\n")),
        [Code::PolicyMxMissing]
    );
}

/// Missing `max_age`: "required once". Error; Stalwart and Mimecast default to 86400.
#[test]
fn missing_max_age_is_an_error() {
    let lint = policy("version: STSv1\nmode: enforce\nmx: mx1.mailhost.net\n");
    assert_eq!(error_codes(&lint), [Code::PolicyMaxAgeMissing]);
    assert!(lint.parsed.is_none());
}

/// `mx: host.` and IP literals: `["*."] Domain` (RFC 5321), no root dot. Invalid; NCSC rejects the
/// dot, postfix-tlspol strips it but rejects IPs, most pass values through.
#[test]
fn mx_trailing_dot_and_ip_literal_are_invalid() {
    for value in [
        "mx1.mailhost.net.",
        "212.114.86.56",
        "*.1.2.3.4",
        "[192.0.2.1]",
    ] {
        let lint = policy(&format!(
            "version: STSv1\nmode: enforce\nmx: {value}\nmax_age: 1\n"
        ));
        assert_eq!(error_codes(&lint), [Code::PolicyMxInvalid], "{value}");
    }
    let fix = policy("version: STSv1\nmode: enforce\nmx: mx1.mailhost.net.\nmax_age: 1\n").findings
        [0]
    .fix
    .clone();
    assert_eq!(
        fix.as_deref(),
        Some("Change line 3 to `mx: mx1.mailhost.net` (no trailing dot).")
    );
}

/// `*.example.com` vs `a.b.example.com`: the wildcard is exactly the whole leftmost label (§4.1).
/// No match; mail-auth, checkdmarc and Mimecast match.
#[test]
fn wildcard_matches_exactly_one_label() {
    assert!(!matches("*.example.com", "a.b.example.com"));
    assert!(matches("*.example.com", "b.example.com"));
    assert!(!matches("*.example.com", "example.com"));
}

/// Non-ASCII (U-label) mx: "MUST specify the Punycode-encoded A-label". Invalid; EFF accepts,
/// go-mtasts normalises.
#[test]
fn u_label_mx_is_invalid() {
    let lint = policy("version: STSv1\nmode: enforce\nmx: bücher.example\nmax_age: 1\n");
    assert_eq!(error_codes(&lint), [Code::PolicyMxInvalid]);
    assert!(lint.findings[0].fix.as_deref().unwrap().contains("xn--"));
    assert!(policy_ok(
        "version: STSv1\nmode: enforce\nmx: xn--bcher-kva.example\nmax_age: 1\n"
    ));
}

/// HTTP 2xx other than 200, and redirects: "only valid if the HTTP response code is 200", "3xx
/// redirects MUST NOT be followed" (§3.3). Errors; NCSC and checkdmarc follow redirects and take
/// any 2xx, mail-auth takes 2xx.
#[test]
fn only_200_counts_and_redirects_are_not_followed() {
    let body = b"version: STSv1\nmode: none\nmax_age: 1\n";
    for status in [201, 202, 204, 206] {
        let r = fetch(status, Some("text/plain"), body);
        assert_eq!(
            evaluate(&r).findings[0].code,
            Code::PolicyHttpStatus,
            "{status}"
        );
        assert!(!fetch_ok(&r));
    }
    for status in [301, 302, 307, 308] {
        let r = fetch(status, Some("text/plain"), body);
        let v = evaluate(&r);
        assert_eq!(v.findings[0].code, Code::PolicyRedirected, "{status}");
        assert!(
            v.findings[0].message.contains("/other"),
            "names the Location"
        );
        assert!(v.body.is_none());
    }
}

/// Content-Type not text/plain: senders "SHOULD validate" it (§3.2). Snawoot, go-mtasts and
/// postfix-tlspol reject, so a compliant sender may reject: error. The body is still linted, as
/// mox, mail-auth and NCSC read it anyway; checkdmarc and EFF only warn.
#[test]
fn content_type_other_than_text_plain_is_an_error() {
    let body = b"version: STSv1\nmode: none\nmax_age: 1\n";
    let lint = stslens_core::lint::lint_fetch(&fetch(200, Some("text/html; charset=utf-8"), body));
    assert_eq!(error_codes(&lint), [Code::PolicyContentType]);
    assert!(lint.parsed.is_some(), "the body is still read");
    assert!(fetch_ok(&fetch(
        200,
        Some("Text/Plain; charset=UTF-8"),
        body
    )));
    assert!(!fetch_ok(&fetch(200, None, body)));
}
