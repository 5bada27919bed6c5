//! The RFC examples, and the vectors of UK NCSC Mail Check (MTA-STS), KumoMTA, Stalwart mail-auth
//! and checkdmarc, with StsLens's verdict.

mod common;
use common::*;
use stslens_core::{Code, Policy};

#[test]
fn rfc_examples() {
    let v = load("rfc-examples.yaml");
    for case in seq(&v, "mta_sts_txt") {
        verdict(case, sts_ok(s(case, "txt")), b(case, "valid"));
    }
    for case in seq(&v, "policies") {
        let text = s(case, "text");
        verdict(case, policy_ok(text), b(case, "valid"));
        let p = Policy::parse(text).unwrap();
        for h in strings(&case["mx_examples"]["match"]) {
            assert!(p.mx().iter().any(|m| m.matches_host(&h)), "{h}");
        }
        for h in strings(&case["mx_examples"]["no_match"]) {
            assert!(!p.mx().iter().any(|m| m.matches_host(&h)), "{h}");
        }
        // The generator's rendering of the RFC example reads back as the same policy.
        assert_eq!(Policy::parse(&p.to_text()).unwrap(), p);
    }
    let m = &v["mx_matching_4_1"];
    for h in strings(&m["match"]) {
        assert!(matches(s(m, "pattern"), &h), "{h}");
    }
    for h in strings(&m["no_match"]) {
        assert!(!matches(s(m, "pattern"), &h), "{h}");
    }
    for case in seq(&v, "tlsrpt_txt") {
        verdict(case, tlsrpt_ok(s(case, "txt")), b(case, "valid"));
    }
    // §8.2 delegation: `_mta-sts` may be a CNAME (followed by the resolver) and the policy host
    // stays mta-sts.<user domain>; both are the check's concern. The errata are decided in
    // `disagreements.rs` (6285) and by the policy reader (6253: LF or CRLF; 7282: 10 digits, limit
    // 31557600), tested in `errata_decisions` below.
    assert_eq!(seq(&v, "errata").len(), 3);
}

#[test]
fn errata_decisions() {
    // 6253: "CRLF-separated" vs the ABNF's LF / CRLF: both, and mixed, are valid.
    assert!(policy_ok("version: STSv1\nmode: none\r\nmax_age: 1\n"));
    // 6285: whitespace before `;` is valid by the ABNF and warned (see disagreements.rs).
    let lint = sts(&["v=STSv1 ; id=1"]);
    assert!(usable(&lint));
    assert_eq!(warning_codes(&lint), [Code::StsRecordSpaceBeforeDelimiter]);
    // 7282: up to 10 digits parse; the value limit still applies.
    assert_eq!(
        error_codes(&policy("version: STSv1\nmode: none\nmax_age: 0031557600\n")),
        []
    );
    assert_eq!(
        error_codes(&policy("version: STSv1\nmode: none\nmax_age: 9999999999\n")),
        [Code::PolicyMaxAgeTooLarge]
    );
    assert_eq!(
        error_codes(&policy(
            "version: STSv1\nmode: none\nmax_age: 00000000001\n"
        )),
        [Code::PolicyMaxAgeInvalid]
    );
}

#[test]
fn ncsc_mailcheck_mta_sts() {
    let v = load("ukncsc_MailCheck.Public.MtaSts.yaml");
    let mut n = 0;
    for case in seq(&v, "txt_record") {
        n += 1;
        let lint = match case.get("txt_rrset") {
            Some(set) => {
                let set = strings(set);
                sts(&set.iter().map(String::as_str).collect::<Vec<_>>())
            }
            None => sts(&[s(case, "txt")]),
        };
        let txt = opt_s(case, "txt").unwrap_or("");
        let ncsc_ok = case["advisories"].as_u64() == Some(0);
        if txt == "v=STSv1" {
            // NCSC accepts a record without id; §3.1 requires it.
            verdict(case, usable(&lint), false);
            assert_eq!(error_codes(&lint), [Code::StsRecordIdMissing]);
        } else if txt.starts_with("v=STSv1; extension-1_2.3=") {
            // Every character the extension grammar allows: the extension is fine, but the record
            // has no id, which NCSC does not require and the RFC does.
            verdict(case, usable(&lint), false);
            assert_eq!(error_codes(&lint), [Code::StsRecordIdMissing]);
        } else {
            verdict(case, usable(&lint), ncsc_ok);
        }
    }
    assert_eq!(n, 16);

    // Per-key verdicts, as whole policies: `mx:` followed by the value NCSC's key parser saw.
    let base = |key: &str, value: &str| {
        let mut lines = vec![
            "version: STSv1".to_owned(),
            "mode: enforce".to_owned(),
            "mx: mx.gov.example.net".to_owned(),
            "max_age: 86400".to_owned(),
        ];
        lines.retain(|l| !l.starts_with(&format!("{key}:")) || key == "mx");
        lines.push(format!("{key}:{value}"));
        lines.join("\n") + "\n"
    };
    let mut n = 0;
    for case in seq(&v, "policy_key_parsers") {
        n += 1;
        let (key, value) = (s(case, "key"), s(case, "value"));
        let value = if value.starts_with(' ') {
            value.to_owned()
        } else {
            format!(" {value}")
        };
        let text = base(key, &value);
        let lint = policy(&text);
        let ncsc = b(case, "ok");
        let raw = s(case, "value");
        if key == "mx" && raw.ends_with(' ') {
            // A trailing space after the value is `*WSP` (allowed, noted as info); NCSC rejects it.
            verdict(case, usable(&lint), true);
            assert!(
                lint.findings
                    .iter()
                    .any(|f| f.code == Code::PolicyTrailingWhitespace)
            );
        } else if key == "mx" && raw.starts_with(' ') {
            // Spaces after `mx:` are `*WSP` (allowed); NCSC's key parser saw them in the value.
            verdict(case, usable(&lint), true);
        } else {
            verdict(case, usable(&lint), ncsc);
        }
    }
    assert_eq!(n, 16);

    // Whole documents.
    let docs = seq(&v, "policy_document");
    assert_eq!(
        error_codes(&policy(s(&docs[0], "body"))),
        [Code::PolicyEmpty]
    );
    assert!(error_codes(&policy(s(&docs[1], "body"))).contains(&Code::PolicyLineSyntax));
    assert!(error_codes(&policy(s(&docs[2], "body"))).contains(&Code::PolicyLineSyntax));
    // The max_age thresholds under `rules` are NCSC's recommendations, not RFC rules; they belong
    // to the check's advice, not to the linter.
    assert_eq!(seq(&v, "rules").len(), 4);
}

#[test]
fn kumomta() {
    let v = load("KumoCorp_kumomta.yaml");
    for case in seq(&v, "policy") {
        let lint = policy(s(case, "text"));
        verdict(case, usable(&lint), true);
        let p = lint.parsed.unwrap();
        assert_eq!(p.mx, strings(&case["expect"]["mx"]));
        assert_eq!(
            u64::from(p.max_age),
            case["expect"]["max_age"].as_u64().unwrap()
        );
    }
    for case in seq(&v, "txt") {
        assert_eq!(
            sts(&[s(case, "txt")]).parsed.unwrap().id,
            s(&case["expect"], "id")
        );
    }
    let mut n = 0;
    for case in seq(&v, "mx_matching") {
        // `*.com` matching `foo.com` is RFC-correct; the linter warns about such a pattern
        // (policy-mx-wildcard-tld).
        verdict(
            case,
            matches(s(case, "pattern"), s(case, "host")),
            b(case, "match"),
        );
        n += 1;
    }
    assert_eq!(n, 7);
}

#[test]
fn stalwart_mail_auth() {
    let v = load("stalwartlabs_mail-auth.yaml");
    for case in seq(&v, "mta_sts_txt") {
        assert_eq!(sts(&[s(case, "txt")]).parsed.unwrap().id, s(case, "id"));
    }
    for case in seq(&v, "tlsrpt_txt") {
        let lint = tlsrpt(&[s(case, "txt")]);
        let want: Vec<String> = seq(case, "rua")
            .iter()
            .map(|r| match (opt_s(r, "mail"), opt_s(r, "http")) {
                (Some(m), _) => format!("mailto:{m}"),
                (_, Some(h)) => h.to_owned(),
                _ => panic!("{r:?}"),
            })
            .collect();
        assert_eq!(lint.parsed.unwrap().rua, want);
    }
}

#[test]
fn checkdmarc() {
    let v = load("domainaware_checkdmarc.yaml");
    for case in seq(&v, "mta_sts_txt") {
        let txt = s(case, "txt");
        let lint = sts(&[txt]);
        match txt {
            // Unknown tags are ignored (RFC 8461 §3.2); this record fails only for its missing id.
            "v=STSv1; xyz=foo" => assert_eq!(error_codes(&lint), [Code::StsRecordIdMissing]),
            // Duplicates: first wins with a warning, not an error.
            "v=STSv1; id=foo; id=bar" => {
                verdict(case, usable(&lint), true);
                assert_eq!(lint.parsed.unwrap().id, "foo");
            }
            _ => verdict(case, usable(&lint), b(case, "ok")),
        }
    }
    for case in seq(&v, "policy") {
        let text = s(case, "text");
        let lint = policy(text);
        if text.contains("mode: testing\r\n") && text.contains("mode: enforce")
            || text.contains("badkey")
        {
            // Duplicate mode (first wins) and unknown keys (ignored) are valid per §3.2.
            verdict(case, usable(&lint), true);
        } else {
            verdict(case, usable(&lint), b(case, "ok"));
        }
    }
    for case in seq(&v, "mx_in_patterns") {
        let any = strings(&case["patterns"])
            .iter()
            .any(|p| matches(p, s(case, "mx")));
        verdict(case, any, b(case, "match"));
    }
    for case in seq(&v, "tlsrpt_txt") {
        let txt = s(case, "txt");
        let lint = tlsrpt(&[txt]);
        match txt {
            "v=TLSRPTv1; xyz=foo" => assert_eq!(error_codes(&lint), [Code::TlsrptRuaMissing]),
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com" => {
                verdict(case, usable(&lint), true);
                assert_eq!(warning_codes(&lint), [Code::TlsrptRecordFieldDuplicate]);
            }
            _ => verdict(case, usable(&lint), b(case, "ok")),
        }
    }
}
