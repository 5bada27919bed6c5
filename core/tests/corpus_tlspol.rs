//! Every case of Zuplu/postfix-tlspol's tests (tests/fixtures/mta-sts/Zuplu_postfix-tlspol.yaml)
//! with StsLens's verdict. postfix-tlspol is the strictest parser in the corpus and agrees with the
//! RFC except on blank lines (see below).

mod common;
use common::*;
use stslens_core::Code;
use stslens_core::lint::lint_fetch;
use stslens_core::record::join_records;

#[test]
fn txt_rrsets() {
    let v = load("Zuplu_postfix-tlspol.yaml");
    let mut n = 0;
    for case in seq(&v, "txt_rrset_available") {
        n += 1;
        match opt_s(case, "rcode") {
            // SERVFAIL is a DNS outcome for the check; NXDOMAIN means no records at all.
            Some("SERVFAIL") => continue,
            Some("NXDOMAIN") => {
                verdict(case, usable(&sts(&[])), b(case, "want"));
                continue;
            }
            _ => {}
        }
        let rrset: Vec<Vec<String>> = seq(case, "txt_strings").iter().map(strings).collect();
        let joined = join_records(&rrset);
        let refs: Vec<&str> = joined.iter().map(String::as_str).collect();
        verdict(case, usable(&sts(&refs)), b(case, "want"));
    }
    assert_eq!(n, 12);
}

#[test]
fn policies() {
    let v = load("Zuplu_postfix-tlspol.yaml");
    let mut n = 0;
    for case in seq(&v, "policy") {
        n += 1;
        let name = s(case, "name");
        let want = b(case, "valid");
        if let Some(desc) = opt_s(case, "text_desc") {
            // "valid policy + 'note: ' + 65536*'a'": over the 64 KiB senders read (RFC 8461 §3.3).
            assert!(desc.contains("65536"));
            let mut body =
                b"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\nnote: "
                    .to_vec();
            body.extend(std::iter::repeat_n(b'a', 65536));
            let lint = lint_fetch(&fetch(200, Some("text/plain"), &body));
            verdict(case, usable(&lint), want);
            assert_eq!(lint.findings[0].code, Code::PolicyTooLarge);
            continue;
        }
        if let Some(hex) = opt_s(case, "text_hex_suffix") {
            let mut body =
                b"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n".to_vec();
            body.extend(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()),
            );
            let lint = stslens_core::lint_policy(&body);
            verdict(case, usable(&lint), want);
            assert_eq!(lint.findings[0].code, Code::PolicyNotUtf8);
            continue;
        }
        let lint = policy(s(case, "text"));
        if name == "blank policy line is invalid" {
            // postfix-tlspol follows the ABNF and rejects the policy. Most senders skip blank
            // lines, so StsLens keeps the policy valid and warns, saying that strict parsers
            // (postfix-tlspol, mox) reject it.
            verdict(case, usable(&lint), true);
            let blank = lint
                .findings
                .iter()
                .find(|f| f.code == Code::PolicyBlankLine)
                .unwrap();
            assert_eq!(blank.line, Some(2));
            assert!(blank.message.contains("postfix-tlspol"));
            continue;
        }
        verdict(case, usable(&lint), want);
        if let Some(age) = case.get("max_age") {
            assert_eq!(
                u64::from(lint.parsed.unwrap().max_age),
                age.as_u64().unwrap()
            );
        }
    }
    assert_eq!(n, 36);
}

#[test]
fn content_type() {
    let v = load("Zuplu_postfix-tlspol.yaml");
    let mut n = 0;
    for case in seq(&v, "content_type") {
        let ct = s(case, "ct");
        // An empty header value is treated as a missing one.
        let header = (!ct.is_empty()).then_some(ct);
        let r = fetch(200, header, b"version: STSv1\nmode: none\nmax_age: 1\n");
        verdict(case, fetch_ok(&r), b(case, "ok"));
        n += 1;
    }
    assert_eq!(n, 7);
}
