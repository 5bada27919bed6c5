//! Property tests of the generator: any valid request, typed in any of the forms the generator
//! reads, gives output that every lint accepts without an error and that parses back to exactly
//! the values asked for; any request at all either fails with named errors or succeeds valid.

use proptest::prelude::*;
use stslens_core::Severity;
use stslens_core::generate::{Field, Request, default_max_age, generate, id_at, id_time, next_id};
use stslens_core::lint::{lint_policy, lint_sts_records, lint_tlsrpt_records};
use stslens_core::policy::{Mode, Policy};
use stslens_core::record::{StsId, StsRecord, TlsRptRecord};

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
}

/// A valid hostname of 2-4 labels whose last label is not all digits.
fn hostname() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(label(), 1..4),
        "[a-z][a-z0-9]{1,5}",
    )
        .prop_map(|(mut l, tld)| {
            l.push(tld);
            l.join(".")
        })
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Enforce), Just(Mode::Testing), Just(Mode::None)]
}

/// An MX entry and the pattern it stands for, written as a user might: upper case, with the root
/// dot `dig` prints, with an MX preference in front.
fn mx_entry() -> impl Strategy<Value = (String, String)> {
    (any::<bool>(), hostname(), 0u8..4).prop_map(|(wild, host, form)| {
        let pattern = if wild { format!("*.{host}") } else { host };
        let typed = match form {
            0 => pattern.clone(),
            1 => pattern.to_ascii_uppercase(),
            2 => format!("{pattern}."),
            _ => format!("10 {pattern}."),
        };
        (typed, pattern)
    })
}

fn rua_entry() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        ("[a-z0-9._+-]{1,10}", hostname(), any::<bool>()).prop_map(|(local, d, bare)| {
            let uri = format!("mailto:{local}@{d}");
            (
                if bare {
                    format!("{local}@{d}")
                } else {
                    uri.clone()
                },
                uri,
            )
        }),
        (hostname(), "(/[a-z0-9._~-]{1,8}){0,3}").prop_map(|(d, path)| {
            let uri = format!("https://{d}{path}");
            (uri.clone(), uri)
        }),
    ]
}

fn first_of_each(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_requests_generate_clean_output_that_reads_back(
        domain in hostname(),
        mode in mode(),
        mx in proptest::collection::vec(mx_entry(), 0..5),
        one_entry in any::<bool>(),
        max_age in proptest::option::of(0u64..=31_557_600),
        rua in proptest::collection::vec(rua_entry(), 0..3),
        now in 0u64..=4_102_444_800,
    ) {
        prop_assume!(!domain.starts_with("mta-sts."));
        prop_assume!(!mx.is_empty() || mode == Mode::None);
        let typed_mx: Vec<String> = mx.iter().map(|(t, _)| t.clone()).collect();
        let request = Request {
            domain: format!(" {}. ", domain.to_ascii_uppercase()),
            // All in one textarea, or one argument each.
            mx: if one_entry { vec![typed_mx.join("\n")] } else { typed_mx },
            mode,
            max_age,
            rua: rua.iter().map(|(t, _)| t.clone()).collect(),
        };
        let g = generate(&request, now).map_err(|e| TestCaseError::fail(e.to_string()))?;

        prop_assert!(g.valid);
        prop_assert!(g.findings.iter().all(|f| f.severity != Severity::Error), "{:#?}", g.findings);

        // The policy: lints clean and reads back to the values asked for.
        let lint = lint_policy(g.policy.text.as_bytes());
        prop_assert!(lint.valid);
        let policy = Policy::parse(&g.policy.text).unwrap();
        prop_assert_eq!(&policy, &g.parts.policy);
        prop_assert_eq!(policy.mode(), mode);
        let want_age = max_age.unwrap_or(default_max_age(mode).into());
        prop_assert_eq!(u64::from(policy.max_age().seconds()), want_age);
        let want_mx = first_of_each(mx.iter().map(|(_, p)| p.clone()));
        let got_mx: Vec<String> = policy.mx().iter().map(ToString::to_string).collect();
        prop_assert_eq!(&got_mx, &want_mx);
        prop_assert_eq!(lint.parsed.unwrap().mx, want_mx);

        // The _mta-sts record: no finding at all, and the id is the time asked for.
        let sts = lint_sts_records(std::slice::from_ref(&g.dns.sts.record.value));
        prop_assert!(sts.valid && sts.findings.is_empty(), "{:#?}", sts.findings);
        let record = StsRecord::parse(&g.dns.sts.record.value).unwrap();
        prop_assert_eq!(&record, &g.parts.sts_record);
        prop_assert_eq!(id_time(record.id()), Some(now));

        // The _smtp._tls record: no finding, the destinations asked for (or the default).
        let rpt = lint_tlsrpt_records(std::slice::from_ref(&g.dns.tlsrpt.record.value));
        prop_assert!(rpt.valid && rpt.findings.is_empty(), "{:#?}", rpt.findings);
        let record = TlsRptRecord::parse(&g.dns.tlsrpt.record.value).unwrap();
        let want_rua = if rua.is_empty() {
            vec![format!("mailto:tls-reports@{domain}")]
        } else {
            first_of_each(rua.iter().map(|(_, u)| u.clone()))
        };
        let got_rua: Vec<String> = record.rua().iter().map(|u| u.as_str().to_owned()).collect();
        prop_assert_eq!(got_rua, want_rua);
        prop_assert_eq!(g.defaulted.contains(&Field::Rua), rua.is_empty());

        // The zone block carries exactly the two records' values.
        let quoted = format!("\"{}\"", g.dns.sts.record.value);
        prop_assert!(g.dns.zone.contains(&quoted));
        prop_assert!(g.dns.zone.contains(&g.dns.tlsrpt.record.value[..20]));
    }

    #[test]
    fn any_request_fails_with_named_errors_or_succeeds_valid(
        domain in any::<String>(),
        mx in proptest::collection::vec(any::<String>(), 0..3),
        mode in mode(),
        max_age in proptest::option::of(any::<u64>()),
        rua in proptest::collection::vec("[ -~]{0,20}", 0..3),
    ) {
        let request = Request { domain, mx, mode, max_age, rua };
        match generate(&request, 1_700_000_000) {
            Ok(g) => prop_assert!(g.valid, "{:#?}", g.findings),
            Err(e) => {
                prop_assert!(!e.errors.is_empty());
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn ids_are_fresh_and_monotonic(a in 0u64..=253_402_300_799, b in 0u64..=253_402_300_799) {
        let (ia, ib) = (id_at(a), id_at(b));
        prop_assert!(StsId::new(ia.as_str()).is_ok() && ia.as_str().len() == 15);
        prop_assert_eq!(a.cmp(&b), ia.cmp(&ib));
        prop_assert_eq!(id_time(&ia), Some(a));
        // A bump at any time differs from the current id and never goes back.
        let next = next_id(&ia, b);
        prop_assert!(next > ia);
        prop_assert!(id_time(&next).unwrap() >= b);
    }
}
