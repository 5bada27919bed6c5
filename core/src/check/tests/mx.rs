//! MX hosts: coverage, names, addresses, aliases, TLSA, and what each probe shows.

use super::*;

const MX2: &str = "mx2.acme.net";

#[test]
fn an_mx_host_not_covered_and_a_pattern_unused() {
    let mut f = Fixture::healthy();
    f.policy(
        "version: STSv1\nmode: enforce\nmx: mx1.acme.net\nmx: old.example.net\nmax_age: 604800\n",
    );
    let mut f2 = Fixture::new(PlanOptions::native());
    f2.obs = f.obs.clone();
    f2.mx(&[(10, MX1), (20, MX2)]);
    let report = f2.report();
    let not_covered = finding(&report, Code::PolicyMxNotCovered);
    assert_eq!(not_covered.host.as_deref(), Some(MX2));
    assert_eq!(not_covered.component, Component::Mx);
    assert!(not_covered.finding.message.contains("refuse to deliver"));
    assert!(
        not_covered
            .finding
            .fix
            .as_deref()
            .unwrap()
            .contains("`mx: mx2.acme.net`")
    );
    let unused = finding(&report, Code::PolicyMxUnused);
    assert_eq!(unused.component, Component::Policy);
    assert!(unused.finding.message.contains("`old.example.net`"));
    assert_eq!(unused.finding.severity, Severity::Warning);
    let rows = &report.mx.hosts;
    assert_eq!(
        (rows[0].policy_allows, rows[1].policy_allows),
        (Some(true), Some(false))
    );
    assert_eq!(rows[1].sender.action, SenderAction::Refuse);
    assert_eq!(rows[0].sender.action, SenderAction::DeliverTls);
    assert!(
        report.verdict.summary.starts_with(
            "In enforce mode, compliant senders refuse 1 of 2 MX hosts (policy-mx-not-covered)"
        ),
        "{}",
        report.verdict.summary
    );
    assert!(
        report.sender.summary.contains("1 of 2 pass, 1 refused"),
        "{}",
        report.sender.summary
    );
    assert_well_formed(&report);
}

#[test]
fn wildcards_cover_one_label() {
    let mut f = Fixture::new(PlanOptions::native());
    f.sts(&["v=STSv1; id=1"])
        .tlsrpt(&["v=TLSRPTv1; rua=mailto:a@acme.net"])
        .dns(Step::PolicyHostA, a("mta-sts.acme.net", 80))
        .policy("version: STSv1\nmode: enforce\nmx: *.acme.net\nmax_age: 604800\n")
        .mx(&[(10, MX1), (20, "a.b.acme.net")]);
    let report = f.report();
    assert_eq!(report.mx.hosts[0].pattern.as_deref(), Some("*.acme.net"));
    assert_eq!(report.mx.hosts[1].policy_allows, Some(false));
    assert_eq!(
        finding(&report, Code::PolicyMxNotCovered).host.as_deref(),
        Some("a.b.acme.net")
    );
}

#[test]
fn no_coverage_rules_without_a_validating_policy() {
    let mut f = Fixture::healthy();
    f.policy("version: STSv1\nmode: none\nmx: other.example.net\nmax_age: 86400\n");
    let report = f.report();
    assert!(!report.has(Code::PolicyMxNotCovered) && !report.has(Code::PolicyMxUnused));
}

#[test]
fn expired_and_other_name_certificates() {
    let mut f = Fixture::healthy();
    f.probe_with(MX1, |p| {
        p.chain_valid = false;
        p.chain_error = Some(ChainError::Expired);
        p.certificates[0].not_after = NOW - DAY;
    });
    let report = f.report();
    let e = finding(&report, Code::MxCertInvalid);
    assert_eq!(
        (e.finding.severity, e.host.as_deref()),
        (Severity::Error, Some(MX1))
    );
    assert!(
        e.finding.message.contains("expired on 2024-02-29"),
        "{}",
        e.finding.message
    );
    let row = &report.mx.hosts[0];
    assert_eq!(row.chain_error, Some(ChainError::Expired));
    assert_eq!(row.days_to_expiry, Some(-1));
    assert!(!report.has(Code::MxCertExpiring), "expired, not expiring");

    f.probe_with(MX1, |p| {
        p.certificates[0].dns_names = vec!["wrong-name.example.net".into()]
    });
    let report = f.report();
    let e = finding(&report, Code::MxCertNameMismatch);
    assert!(
        e.finding
            .message
            .contains("is for wrong-name.example.net, not mx1.acme.net")
    );
    assert_eq!(report.mx.hosts[0].name_valid, Some(false));
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::Refuse);
    assert!(
        report.mx.hosts[0]
            .sender
            .why
            .contains("not valid for its name")
    );
}

#[test]
fn certificate_problems_are_warnings_without_a_policy() {
    let mut f = Fixture::healthy();
    f.sts(&[]).probe_with(MX1, |p| p.chain_valid = false);
    let report = f.report();
    assert_eq!(
        finding(&report, Code::MxCertInvalid).finding.severity,
        Severity::Warning
    );
    assert!(
        finding(&report, Code::MxCertInvalid)
            .finding
            .message
            .contains("no MTA-STS policy applies")
    );
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
}

#[test]
fn expiring_soon_and_old_tls() {
    let mut f = Fixture::healthy();
    f.probe_with(MX1, |p| {
        p.certificates[0] = cert(&[MX1], 13);
        p.tls.as_mut().unwrap().version = "TLSv1.1".into();
    });
    let report = f.report();
    assert!(
        finding(&report, Code::MxCertExpiring)
            .finding
            .message
            .contains("in 13 days")
    );
    assert!(
        finding(&report, Code::MxTlsVersionOld)
            .finding
            .message
            .contains("TLSv1.1")
    );
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    f.probe_with(MX1, |p| p.certificates[0] = cert(&[MX1], 14));
    assert!(!f.report().has(Code::MxCertExpiring));
}

#[test]
fn no_starttls_and_failed_starttls() {
    let mut f = Fixture::healthy();
    f.probe_with(MX1, |p| {
        p.starttls = false;
        p.tls = None;
        p.certificates.clear();
        p.chain_valid = false;
    });
    let report = f.report();
    assert_eq!(
        problems(&report),
        [(Code::MxStarttlsMissing, Severity::Error)],
        "one finding, not a chain error too"
    );
    assert_eq!(report.mx.hosts[0].starttls, Some(false));
    assert_eq!(report.mx.hosts[0].chain_valid, None);

    for kind in [FailureKind::StartTlsRefused, FailureKind::Tls] {
        f.probe(MX1, failure(kind, "454 TLS not available"));
        let report = f.report();
        let e = finding(&report, Code::MxStarttlsFailed);
        assert_eq!(e.finding.severity, Severity::Error);
        let row = &report.mx.hosts[0];
        assert_eq!((row.probe, row.starttls), (ProbeState::Failed, Some(true)));
        assert_eq!(row.sender.action, SenderAction::Refuse);
    }
}

#[test]
fn unreachable_and_broken_servers() {
    let mut f = Fixture::healthy();
    f.probe(
        MX1,
        failure(
            FailureKind::Timeout,
            "mx1.acme.net (192.0.2.25:25) timed out at the greeting step",
        ),
    );
    let report = f.report();
    let w = finding(&report, Code::MxUnreachable);
    assert_eq!(w.finding.severity, Severity::Warning);
    assert!(w.finding.message.contains("port 25"));
    let row = &report.mx.hosts[0];
    assert_eq!(row.probe, ProbeState::Failed);
    assert_eq!(row.sender.action, SenderAction::Unknown);
    assert!(row.sender.why.contains("timed out"));
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert!(
        report
            .verdict
            .summary
            .contains("1 of 1 MX hosts could not be probed"),
        "{}",
        report.verdict.summary
    );

    f.probe(MX1, failure(FailureKind::Protocol, "does not speak SMTP"));
    let report = f.report();
    assert_eq!(
        finding(&report, Code::MxProbeFailed).finding.severity,
        Severity::Error
    );
}

#[test]
fn dane_tlsa_signed_and_unsigned() {
    let mut f = Fixture::healthy();
    let mut signed = tlsa(MX1);
    signed.authenticated = true;
    f.dns(Step::MxTlsa { host: name(MX1) }, signed);
    let report = f.report();
    assert!(
        finding(&report, Code::MxDane)
            .finding
            .message
            .contains("ignore MTA-STS")
    );
    let row = &report.mx.hosts[0];
    assert_eq!((row.tlsa, row.dane), (Some(true), Some(true)));
    assert!(row.sender.why.contains("DANE"));

    f.dns(Step::MxTlsa { host: name(MX1) }, tlsa(MX1));
    let report = f.report();
    assert_eq!(
        finding(&report, Code::MxTlsaUnsigned).finding.severity,
        Severity::Warning
    );
    assert_eq!(report.mx.hosts[0].dane, Some(false));
}

#[test]
fn null_mx() {
    let mut f = Fixture::healthy();
    f.dns(Step::Mx, mx(&[(0, ".")]));
    let report = f.report();
    let info = finding(&report, Code::MxNull);
    assert!(info.finding.message.contains("can be removed"));
    assert_eq!(report.mx.status, MxStatus::NullMx);
    assert!(report.mx.hosts.is_empty());
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    assert!(report.verdict.summary.contains("accepts no mail"));
    assert!(
        !report.has(Code::PolicyMxUnused),
        "no coverage rules for a null MX"
    );
}

#[test]
fn no_mx_records() {
    let mut f = Fixture::healthy();
    f.dns(Step::Mx, empty(DOMAIN, RecordType::Mx, Status::NoData));
    let report = f.report();
    assert_eq!(
        finding(&report, Code::MxMissing).finding.severity,
        Severity::Warning
    );
    assert_eq!(report.mx.status, MxStatus::None);
}

#[test]
fn mx_names_that_are_not_hosts() {
    let mut f = Fixture::new(PlanOptions::native());
    f.mx(&[(10, "192.0.2.1"), (20, MX1), (30, ".")]);
    let report = f.report();
    let bad: Vec<_> = report
        .findings
        .iter()
        .filter(|x| x.finding.code == Code::MxNotHostname)
        .collect();
    assert_eq!(bad.len(), 2);
    assert!(bad[0].finding.message.contains("IP address"));
    assert!(bad[1].finding.message.contains("RFC 7505"));
    assert_eq!(report.mx.hosts.len(), 3);
    assert_eq!(report.mx.hosts[0].host, "192.0.2.1");
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::Unknown);
    assert!(report.mx.hosts[0].sender.why.contains("names no host"));
    assert_eq!(
        f.plan.steps().iter().filter(|s| s.round == 2).count(),
        4,
        "round 2 only for the real host"
    );
}

#[test]
fn mx_aliases_and_hosts_without_address() {
    let mut f = Fixture::healthy();
    f.dns(
        Step::MxA { host: name(MX1) },
        with_cname(a(MX1, 25), "mail.provider.example"),
    );
    let report = f.report();
    let w = finding(&report, Code::MxCname);
    assert_eq!(w.finding.severity, Severity::Warning);
    assert!(w.finding.message.contains("mail.provider.example"));
    assert_eq!(report.mx.hosts[0].cname_chain, ["mail.provider.example"]);

    f.dns(
        Step::MxA { host: name(MX1) },
        empty(MX1, RecordType::A, Status::NxDomain),
    )
    .dns(
        Step::MxAaaa { host: name(MX1) },
        empty(MX1, RecordType::Aaaa, Status::NxDomain),
    )
    .probe(
        MX1,
        Outcome::NotRun {
            reason: NotRunReason::NoAddress,
            message: "mx1.acme.net has no address".into(),
        },
    );
    let report = f.report();
    assert_eq!(
        finding(&report, Code::MxNoAddress).finding.severity,
        Severity::Error
    );
    assert!(
        !report.has(Code::MxNotProbed),
        "the missing address says it all"
    );
    assert!(report.mx.hosts[0].addresses.is_empty());
}

#[test]
fn a_probe_the_shell_did_not_record_is_not_probed() {
    let mut f = Fixture::healthy();
    f.obs
        .entries
        .retain(|o| !matches!(o.step, Step::MxProbe { .. }));
    let report = f.report();
    assert_eq!(
        finding(&report, Code::MxNotProbed).host.as_deref(),
        Some(MX1)
    );
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::Unknown);
}

#[test]
fn mx_findings_follow_the_preference_order() {
    let mut f = Fixture::new(PlanOptions::native());
    f.sts(&["v=STSv1; id=1"])
        .tlsrpt(&["v=TLSRPTv1; rua=mailto:a@acme.net"])
        .dns(Step::PolicyHostA, a("mta-sts.acme.net", 80))
        .policy(ENFORCE)
        .mx(&[(10, MX1), (20, MX2)])
        .probe_with(MX1, |p| p.chain_valid = false);
    let report = f.report();
    let hosts: Vec<&str> = report
        .findings_of(Component::Mx)
        .filter_map(|f| f.host.as_deref())
        .collect();
    assert_eq!(
        hosts,
        [MX1, MX2],
        "the coverage rule runs last, mx1 still comes first"
    );
}
