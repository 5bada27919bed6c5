//! Property tests: no parser panics on any input, and everything the generator side can build
//! renders to text that reads back equal with no finding above info.

use proptest::prelude::*;
use stslens_core::lint::{lint_policy, lint_sts_records, lint_tlsrpt_records};
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::policy::{MaxAge, Mode, Policy, PolicyExtension};
use stslens_core::record::{Extension, ReportUri, StsId, StsRecord, TlsRptRecord};
use stslens_core::{MxPattern, Severity};

/// Inputs biased towards the grammar's own characters, so that deep paths are reached.
fn policyish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::vec(
            prop_oneof![
                Just("version".to_owned()),
                Just("mode".to_owned()),
                Just("max_age".to_owned()),
                Just("mx".to_owned()),
                Just(": ".to_owned()),
                Just(":".to_owned()),
                Just("\n".to_owned()),
                Just("\r\n".to_owned()),
                Just("\r".to_owned()),
                Just(" ".to_owned()),
                Just("\t".to_owned()),
                Just("STSv1".to_owned()),
                Just("enforce".to_owned()),
                Just("*.".to_owned()),
                Just(".".to_owned()),
                "[a-z0-9-]{0,8}",
                "\\PC{0,3}",
            ],
            0..40
        )
        .prop_map(|parts| parts.concat().into_bytes()),
    ]
}

fn recordish(tag: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop_oneof![
                Just(tag.to_owned()),
                Just(";".to_owned()),
                Just(" ".to_owned()),
                Just("\t".to_owned()),
                Just("=".to_owned()),
                Just(",".to_owned()),
                Just("id=".to_owned()),
                Just("rua=".to_owned()),
                Just("mailto:".to_owned()),
                Just("https://".to_owned()),
                Just("@".to_owned()),
                Just("%".to_owned()),
                "[a-zA-Z0-9._-]{0,10}",
                "\\PC{0,2}",
            ],
            0..20
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
}

/// A valid hostname of 2-4 labels whose last label is not all digits.
fn domain() -> impl Strategy<Value = DomainName> {
    (
        proptest::collection::vec(label(), 1..4),
        "[a-z][a-z0-9]{1,5}",
    )
        .prop_map(|(mut labels, tld)| {
            labels.push(tld);
            DomainName::parse(&labels.join("."), TrailingDot::Refuse).unwrap()
        })
}

fn pattern() -> impl Strategy<Value = MxPattern> {
    (any::<bool>(), domain()).prop_map(|(wild, d)| {
        if wild {
            MxPattern::wildcard(d)
        } else {
            MxPattern::exact(d)
        }
    })
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Enforce), Just(Mode::Testing), Just(Mode::None)]
}

fn policy_ext() -> impl Strategy<Value = PolicyExtension> {
    (
        "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,31}",
        "[!-~é€]([ !-~é€]{0,20}[!-~é€])?",
    )
        .prop_filter_map("reserved name", |(n, v)| PolicyExtension::new(&n, &v).ok())
}

fn txt_ext() -> impl Strategy<Value = Extension> {
    ("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,31}", "[!-:<>-~]{1,20}")
        .prop_map(|(n, v)| Extension::new(&n, &v).unwrap())
}

fn report_uri() -> impl Strategy<Value = ReportUri> {
    prop_oneof![
        ("[a-z0-9._+-]{1,10}", domain())
            .prop_map(|(local, d)| ReportUri::parse(&format!("mailto:{local}@{d}")).unwrap()),
        (domain(), "(/[a-z0-9._~-]{1,8}){0,3}")
            .prop_map(|(d, path)| ReportUri::parse(&format!("https://{d}{path}")).unwrap()),
    ]
}

fn no_error_or_warning<P>(lint: &stslens_core::Lint<P>) -> bool {
    lint.findings.iter().all(|f| f.severity == Severity::Info)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn policy_reader_never_panics(bytes in policyish()) {
        let lint = lint_policy(&bytes);
        prop_assert_eq!(lint.valid, lint.findings.iter().all(|f| f.severity != Severity::Error));
        // Whatever it reads, a policy it accepts renders to text it accepts again.
        if let (true, Some(text)) = (lint.valid, std::str::from_utf8(&bytes).ok()) {
            let p = Policy::parse(text).unwrap();
            prop_assert_eq!(Policy::parse(&p.to_text()).unwrap(), p);
        }
    }

    #[test]
    fn record_readers_never_panic(sts in recordish("v=STSv1"), rpt in recordish("v=TLSRPTv1"), other in any::<String>()) {
        let _ = lint_sts_records(std::slice::from_ref(&sts));
        let _ = lint_sts_records(&[sts.clone(), other.clone()]);
        let _ = lint_tlsrpt_records(std::slice::from_ref(&rpt));
        let _ = lint_tlsrpt_records(&[rpt, other]);
        let _ = StsRecord::parse(&sts);
    }

    #[test]
    fn pattern_matching_never_panics(p in any::<String>(), h in any::<String>(), q in "[*.a-z0-9-]{0,20}") {
        for pat in [&p, &q] {
            if let Ok(pattern) = MxPattern::parse(pat) {
                let _ = pattern.matches_host(&h);
                let _ = pattern.matches_host(&q);
                prop_assert_eq!(MxPattern::parse(&pattern.to_string()).unwrap(), pattern);
            }
        }
    }

    #[test]
    fn built_policies_round_trip_clean(
        mode in mode(),
        age in 0u64..=31_557_600,
        mx in proptest::collection::vec(pattern(), 0..5),
        exts in proptest::collection::vec(policy_ext(), 0..3),
    ) {
        let mut mx = mx;
        mx.dedup();
        let mut seen = std::collections::HashSet::new();
        let mx: Vec<_> = mx.into_iter().filter(|p| seen.insert(p.clone())).collect();
        let Ok(mut policy) = Policy::new(mode, MaxAge::new(age).unwrap(), mx) else {
            prop_assume!(false);
            unreachable!()
        };
        for e in exts {
            if let Ok(p) = policy.clone().with_extension(e) {
                policy = p;
            }
        }
        let text = policy.to_text();
        prop_assert_eq!(Policy::parse(&text).unwrap(), policy.clone());
        let lint = lint_policy(text.as_bytes());
        prop_assert!(lint.valid);
        // Only infos (unknown extension fields) may appear, plus placeholder/TLD warnings that
        // depend on the generated names, never anything about the text's form.
        prop_assert!(lint.findings.iter().all(|f| f.severity != Severity::Error));
        prop_assert!(lint.findings.iter().all(|f| f.code.as_str().starts_with("policy-mx-")
            || f.severity == Severity::Info), "{:#?}", lint.findings);
    }

    #[test]
    fn built_sts_records_round_trip_clean(id in "[a-zA-Z0-9]{1,32}", exts in proptest::collection::vec(txt_ext(), 0..3)) {
        let mut record = StsRecord::new(StsId::new(&id).unwrap());
        for e in exts {
            if let Ok(r) = record.clone().with_extension(e) {
                record = r;
            }
        }
        let text = record.to_string();
        prop_assert_eq!(StsRecord::parse(&text).unwrap(), record);
        let lint = lint_sts_records(&[text]);
        prop_assert!(lint.valid && lint.parsed.is_some());
        prop_assert!(no_error_or_warning(&lint), "{:#?}", lint.findings);
    }

    #[test]
    fn built_tlsrpt_records_round_trip_clean(rua in proptest::collection::vec(report_uri(), 1..4), exts in proptest::collection::vec(txt_ext(), 0..3)) {
        let mut record = TlsRptRecord::new(rua).unwrap();
        for e in exts {
            if let Ok(r) = record.clone().with_extension(e) {
                record = r;
            }
        }
        let text = record.to_string();
        prop_assert_eq!(TlsRptRecord::parse(&text).unwrap(), record);
        let lint = lint_tlsrpt_records(&[text]);
        prop_assert!(lint.valid && lint.parsed.is_some());
        prop_assert!(no_error_or_warning(&lint), "{:#?}", lint.findings);
    }
}
