//! The policy host and the policy: resolution, the §3.3 fetch rules, the certificate, max_age.

use super::*;

fn with_record_and(mut change: impl FnMut(&mut Fixture)) -> Report {
    let mut f = Fixture::healthy();
    change(&mut f);
    f.report()
}

#[test]
fn policy_404_with_a_record_is_broken_and_says_what_senders_do() {
    let report = with_record_and(|f| {
        f.fetch(policy_probe(404, Some("text/html"), "not found"));
    });
    let nf = finding(&report, Code::PolicyNotFound);
    assert_eq!(nf.component, Component::Policy);
    assert_eq!(report.policy.status, PolicyStatus::Unavailable);
    assert_eq!(report.policy.http_status, Some(404));
    assert_eq!(report.policy.sha256, None, "no policy, no hash");
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report
            .verdict
            .summary
            .starts_with("Senders cannot use the policy (policy-not-found)")
    );
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );
    assert!(report.sender.summary.contains("cannot be fetched"));
    assert!(
        report
            .sender
            .cached_policy
            .as_deref()
            .unwrap()
            .contains("max_age")
    );
    assert_well_formed(&report);
}

#[test]
fn redirect_wrong_type_and_oversized() {
    let report = with_record_and(|f| {
        let mut p = policy_probe(301, None, "");
        p.location = Some("https://www.acme.net/".into());
        f.fetch(p);
    });
    assert!(
        finding(&report, Code::PolicyRedirected)
            .finding
            .message
            .contains("www.acme.net")
    );
    assert_eq!(
        report.policy.location.as_deref(),
        Some("https://www.acme.net/")
    );

    let report = with_record_and(|f| {
        f.fetch(policy_probe(200, Some("text/html"), ENFORCE));
    });
    assert!(report.has(Code::PolicyContentType));
    assert_eq!(report.policy.status, PolicyStatus::Invalid);
    assert!(!report.policy.in_force);
    assert!(
        report.policy.parsed.is_some(),
        "lenient senders still read it"
    );
    assert_eq!(
        report.mx.hosts[0].pattern.as_deref(),
        Some(MX1),
        "the table still matches"
    );

    let report = with_record_and(|f| {
        f.fetch(policy_probe(200, Some("text/plain"), &"x".repeat(70_000)));
    });
    assert!(report.has(Code::PolicyTooLarge));
    assert_eq!(report.policy.status, PolicyStatus::Unavailable);
}

#[test]
fn a_policy_without_a_record_is_pointed_out() {
    let report = with_record_and(|f| {
        f.sts(&[]);
    });
    let w = finding(&report, Code::PolicyWithoutRecord);
    assert_eq!(w.finding.severity, Severity::Warning);
    assert!(
        w.finding
            .fix
            .as_deref()
            .unwrap()
            .contains("_mta-sts.acme.net TXT")
    );
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    assert!(!report.policy.in_force);
}

#[test]
fn an_unresolvable_policy_host() {
    let report = with_record_and(|f| {
        f.dns(
            Step::PolicyHostA,
            empty("mta-sts.acme.net", RecordType::A, Status::NxDomain),
        )
        .dns(
            Step::PolicyHostAaaa,
            empty("mta-sts.acme.net", RecordType::Aaaa, Status::NxDomain),
        )
        .set(
            Step::PolicyFetch,
            Outcome::NotRun {
                reason: NotRunReason::NoAddress,
                message: "mta-sts.acme.net has no address".into(),
            },
        );
    });
    assert_eq!(report.policy.host.status, HostStatus::NoAddress);
    let e = finding(&report, Code::PolicyHostUnresolvable);
    assert_eq!(e.finding.severity, Severity::Error);
    assert_eq!(report.policy.status, PolicyStatus::Unavailable);
    assert_eq!(
        problems(&report),
        [(Code::PolicyHostUnresolvable, Severity::Error)]
    );
}

#[test]
fn fetch_failures_map_to_what_senders_do() {
    for (kind, words) in [
        (FailureKind::Timeout, "did not answer in time"),
        (FailureKind::Refused, "refused the connection"),
        (FailureKind::Tls, "TLS handshake"),
        (FailureKind::Protocol, "fetching"),
    ] {
        let report = with_record_and(|f| {
            f.set(Step::PolicyFetch, failure(kind, "details"));
        });
        let e = finding(&report, Code::PolicyFetchFailed);
        assert!(
            e.finding.message.contains(words),
            "{kind:?}: {}",
            e.finding.message
        );
        assert!(e.finding.message.contains("cached one keep applying it"));
        assert_eq!(report.policy.failure.as_deref(), Some("details"));
        assert_eq!(report.policy.status, PolicyStatus::Unavailable);
    }
}

#[test]
fn certificate_of_the_policy_host() {
    let report = with_record_and(|f| {
        let mut p = policy_probe(200, Some("text/plain"), ENFORCE);
        p.tls.chain_valid = false;
        p.tls.chain_error = Some(ChainError::Expired);
        p.tls.certificates[0].not_after = NOW - 3 * DAY;
        f.fetch(p);
    });
    let e = finding(&report, Code::PolicyCertInvalid);
    assert!(
        e.finding.message.contains("expired on 2024-02-27"),
        "{}",
        e.finding.message
    );
    assert_eq!(report.policy.status, PolicyStatus::Invalid);
    assert!(!report.policy.in_force);
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );

    let report = with_record_and(|f| {
        let mut p = policy_probe(200, Some("text/plain"), ENFORCE);
        p.tls.chain_valid = false;
        p.tls.chain_error = Some(ChainError::UnknownIssuer);
        f.fetch(p);
    });
    assert!(
        finding(&report, Code::PolicyCertInvalid)
            .finding
            .message
            .contains("self-signed")
    );

    let report = with_record_and(|f| {
        let mut p = policy_probe(200, Some("text/plain"), ENFORCE);
        p.tls.certificates[0].dns_names = vec!["www.acme.net".into()];
        f.fetch(p);
    });
    let e = finding(&report, Code::PolicyCertNameMismatch);
    assert!(
        e.finding
            .message
            .contains("for www.acme.net, not mta-sts.acme.net")
    );
    assert_eq!(report.policy.tls.as_ref().unwrap().name_valid, Some(false));

    let report = with_record_and(|f| {
        let mut p = policy_probe(200, Some("text/plain"), ENFORCE);
        p.tls.certificates[0] = cert(&["mta-sts.acme.net"], 5);
        f.fetch(p);
    });
    let w = finding(&report, Code::PolicyCertExpiring);
    assert_eq!(w.finding.severity, Severity::Warning);
    assert!(w.finding.message.contains("in 5 days"));
    assert_eq!(
        report.verdict.status,
        VerdictStatus::Enforced,
        "a warning only"
    );
}

#[test]
fn a_browser_fetch_has_no_certificate_details_and_that_is_fine() {
    let report = with_record_and(|f| {
        let mut p = policy_probe(200, Some("text/plain"), ENFORCE);
        p.tls.certificates.clear();
        p.tls.version.clear();
        f.fetch(p);
    });
    assert_eq!(report.policy.status, PolicyStatus::Valid);
    assert_eq!(report.policy.tls.as_ref().unwrap().name_valid, None);
    assert_eq!(problems(&report), []);
}

#[test]
fn max_age_advice() {
    let report = with_record_and(|f| {
        f.policy("version: STSv1\nmode: none\nmax_age: 31557600\n");
    });
    let w = finding(&report, Code::PolicyModeNoneMaxAge);
    assert!(w.finding.message.contains("365 days"));
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);

    let report = with_record_and(|f| {
        f.policy("version: STSv1\nmode: enforce\nmx: mx1.acme.net\nmax_age: 3600\n");
    });
    assert_eq!(
        finding(&report, Code::PolicyMaxAgeShort).finding.severity,
        Severity::Warning
    );

    let report = with_record_and(|f| {
        f.policy("version: STSv1\nmode: testing\nmx: mx1.acme.net\nmax_age: 3600\n");
    });
    assert_eq!(
        finding(&report, Code::PolicyMaxAgeShort).finding.severity,
        Severity::Info
    );

    let report = with_record_and(|f| {
        f.policy("version: STSv1\nmode: enforce\nmx: mx1.acme.net\nmax_age: 86400\n");
    });
    assert!(!report.has(Code::PolicyMaxAgeShort), "a day is enough");
}

#[test]
fn syntax_comes_from_the_linter_with_lines() {
    let report = with_record_and(|f| {
        f.policy("version: STSv1\nmode: enforce\nmx: mx1.acme.net\nmax_age: 604800\nmx: *.com\n");
    });
    let w = finding(&report, Code::PolicyMxWildcardTld);
    assert_eq!(w.finding.line, Some(5));
    assert!(
        report.has(Code::PolicyMxUnused),
        "*.com matches no MX host either"
    );

    let report = with_record_and(|f| {
        f.policy("version: STSv1\nmode: enforce\nmax_age: 604800\n");
    });
    assert!(report.has(Code::PolicyMxMissing));
    assert_eq!(report.policy.status, PolicyStatus::Invalid);
    assert!(report.policy.parsed.is_none());
    assert_eq!(report.mx.hosts[0].policy_allows, None);
}
