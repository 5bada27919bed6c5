//! Every case of Snawoot/postfix-mta-sts-resolver's tests
//! (tests/fixtures/mta-sts/Snawoot_postfix-mta-sts-resolver.yaml) with StsLens's verdict.

mod common;
use common::*;
use stslens_core::Code;
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::policy::fetch::BODY_CAP;

#[test]
fn txt_field_split() {
    let v = load("Snawoot_postfix-mta-sts-resolver.yaml");
    let mut n = 0;
    for case in seq(&v["txt_field_split"], "cases") {
        let txt = s(case, "txt");
        let lint = sts(&[txt]);
        let fields = case["fields"].as_mapping().unwrap();
        if txt.ends_with(";;;") {
            // Snawoot's splitter drops empty fields; the ABNF allows one optional trailing `;`,
            // not `;;;` (mox agrees), so the record is invalid.
            verdict(case, usable(&lint), false);
            assert_eq!(
                error_codes(&lint),
                [Code::StsRecordSyntax, Code::StsRecordSyntax]
            );
        } else if !fields.is_empty() && txt.ends_with(' ') {
            // Whitespace after the last field with no `;` after it is outside the ABNF
            // (`[sts-field-delim]` needs the `;`); mox ("leftover characters") and postfix-tlspol
            // reject it, Snawoot's splitter trims it. Invalid.
            verdict(case, usable(&lint), false);
            assert_eq!(error_codes(&lint), [Code::StsRecordSyntax]);
        } else if fields.is_empty() {
            // Empty or whitespace-only: not an MTA-STS record at all.
            verdict(case, usable(&lint), false);
            assert!(lint.valid && lint.parsed.is_none());
        } else {
            verdict(case, usable(&lint), true);
            assert_eq!(lint.parsed.unwrap().id, s(&case["fields"], "id"));
        }
        n += 1;
    }
    assert_eq!(n, 9);
}

#[test]
fn content_type_is_text_plain() {
    let v = load("Snawoot_postfix-mta-sts-resolver.yaml");
    let mut n = 0;
    for case in seq(&v, "content_type_is_text_plain") {
        let r = fetch(
            200,
            Some(s(case, "ct")),
            b"version: STSv1\nmode: none\nmax_age: 1\n",
        );
        // Snawoot rejects any other type, as StsLens does (RFC 8461 §3.2 SHOULD; see disagreements).
        verdict(case, fetch_ok(&r), b(case, "ok"));
        n += 1;
    }
    assert_eq!(n, 11);
}

/// Snawoot's end-to-end expectations: VALID (a policy applies), NONE (no usable TXT record),
/// FETCH_ERROR (the policy cannot be fetched or is invalid).
#[test]
fn end_to_end_fixtures() {
    let v = load("Snawoot_postfix-mta-sts-resolver.yaml");
    let good_txt = "v=STSv1;id=20180907T090909;";
    let mut n = 0;
    for case in seq(&v["end_to_end_fixtures"], "cases") {
        n += 1;
        let domain = s(case, "domain");
        let expect = opt_s(case, "expect");
        let note = opt_s(case, "note").unwrap_or("");
        // Postfix next-hop syntax (`[host]:port`, `[ip]`) is Postfix's, not DNS: StsLens takes
        // host names only, and refuses these as names.
        if domain.starts_with('[') || domain.starts_with('.') {
            assert!(
                DomainName::parse(domain, TrailingDot::Allow).is_err(),
                "{domain}"
            );
            continue;
        }
        assert!(
            DomainName::parse(domain, TrailingDot::Allow).is_ok(),
            "{domain}"
        );
        if note.contains("cert")
            || note.contains("DNS timeout")
            || case.get("body").is_none() && note.contains("trailing dot")
        {
            // TLS and DNS facts are the fetcher's and resolver's; a trailing dot on the queried
            // domain is the same domain (checked above).
            continue;
        }
        let txt_value = case.get("txt");
        let txt: Option<&str> = match txt_value {
            Some(t) if t.is_null() => None,
            Some(t) => t.as_str(),
            None => Some(good_txt),
        };
        let record_ok = txt.is_some_and(sts_ok);
        if expect == Some("NONE") {
            verdict(case, record_ok, false);
            continue;
        }
        assert!(record_ok, "{case:?}");
        let status = case.get("http").and_then(|h| h.as_u64()).unwrap_or(200) as u16;
        let body: Vec<u8> = if domain.contains("overlength") {
            let mut body =
                b"version: STSv1\nmode: enforce\nmx: mail.loc\nmax_age: 86400\n".to_vec();
            body.resize(BODY_CAP + 1, b'a');
            body
        } else {
            s(case, "body").as_bytes().to_vec()
        };
        let ct = opt_s(case, "content_type").unwrap_or("text/plain");
        let ok = fetch_ok(&fetch(status, Some(ct), &body));
        match expect {
            Some("VALID") | None => verdict(case, ok, true),
            Some("FETCH_ERROR") => verdict(case, ok, false),
            Some(other) => panic!("unknown expectation {other}"),
        }
    }
    assert_eq!(n, 27);
}
