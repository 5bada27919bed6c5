//! Lookups: SERVFAIL against NXDOMAIN, resolver failures, the domain's existence, DNSSEC, and
//! the records read through the linters.

use super::*;

#[test]
fn servfail_is_temporary_and_its_weight_depends_on_the_name() {
    let mut f = Fixture::healthy();
    f.dns(
        Step::StsRecord,
        empty("_mta-sts.acme.net", RecordType::Txt, Status::ServFail),
    )
    .dns(
        Step::MxTlsa { host: name(MX1) },
        empty("_25._tcp.mx1.acme.net", RecordType::Tlsa, Status::ServFail),
    );
    let report = f.report();
    let servfails: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.finding.code == Code::DnsServfail)
        .collect();
    assert_eq!(servfails.len(), 2);
    assert_eq!(servfails[0].finding.severity, Severity::Error);
    assert!(
        servfails[0]
            .finding
            .message
            .contains("_mta-sts.acme.net TXT")
    );
    assert!(servfails[0].finding.message.contains("cached policy"));
    assert_eq!(servfails[1].finding.severity, Severity::Warning);
    assert!(servfails[1].finding.message.contains("DANE"));
    assert_eq!(report.sts_record.status, RecordStatus::LookupFailed);
    assert!(
        !report.has(Code::StsRecordMissing),
        "SERVFAIL is not absence"
    );
    assert!(
        !report.has(Code::PolicyWithoutRecord),
        "nor does it say the record is missing"
    );
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report.verdict.summary.contains("SERVFAIL"),
        "{}",
        report.verdict.summary
    );
    assert_eq!(report.mx.hosts[0].tlsa, None, "unknown, not false");
    assert_well_formed(&report);
}

#[test]
fn servfail_on_one_address_family_is_a_warning_when_the_other_resolves() {
    let mut f = Fixture::healthy();
    f.dns(
        Step::MxAaaa { host: name(MX1) },
        empty(MX1, RecordType::Aaaa, Status::ServFail),
    );
    let report = f.report();
    assert_eq!(
        finding(&report, Code::DnsServfail).finding.severity,
        Severity::Warning
    );
    f.dns(
        Step::MxA { host: name(MX1) },
        empty(MX1, RecordType::A, Status::ServFail),
    );
    let report = f.report();
    assert!(
        report
            .findings
            .iter()
            .filter(|x| x.finding.code == Code::DnsServfail)
            .all(|x| x.finding.severity == Severity::Error)
    );
}

#[test]
fn other_error_codes_are_named() {
    let mut f = Fixture::healthy();
    f.dns(
        Step::TlsRptRecord,
        empty(
            "_smtp._tls.acme.net",
            RecordType::Txt,
            Status::Other { rcode: 5 },
        ),
    );
    let report = f.report();
    let servfail = finding(&report, Code::DnsServfail);
    assert!(servfail.finding.message.contains("error code 5"));
    assert_eq!(servfail.finding.severity, Severity::Warning);
    assert_eq!(report.tlsrpt.status, RecordStatus::LookupFailed);
}

#[test]
fn a_resolver_failure_is_not_a_fact_about_the_domain() {
    let mut f = Fixture::healthy();
    f.set(
        Step::StsRecord,
        failure(
            FailureKind::Timeout,
            "resolver http://127.0.0.1:1/dns-query did not answer",
        ),
    );
    let report = f.report();
    let lf = finding(&report, Code::DnsLookupFailed);
    assert_eq!(lf.finding.severity, Severity::Warning);
    assert!(lf.finding.message.contains("did not answer"));
    assert_eq!(report.verdict.status, VerdictStatus::Unknown);
    assert!(report.valid);
}

#[test]
fn a_domain_that_does_not_exist() {
    let mut f = Fixture::new(PlanOptions::native());
    f.dns(Step::Mx, empty(DOMAIN, RecordType::Mx, Status::NxDomain))
        .dns(
            Step::StsRecord,
            empty("_mta-sts.acme.net", RecordType::Txt, Status::NxDomain),
        );
    let report = f.report();
    assert_eq!(
        finding(&report, Code::DomainNotFound).finding.severity,
        Severity::Error
    );
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    assert!(report.verdict.summary.contains("does not exist"));
    assert_eq!(report.mx.status, MxStatus::NoDomain);
    assert!(!report.valid);
}

#[test]
fn dnssec_ad_bit_set_unset_and_partial() {
    let mut f = Fixture::healthy();
    let report = f.report();
    assert_eq!(report.dnssec.status, DnssecStatus::NotValidated);
    let nv = finding(&report, Code::DnssecNotValidated);
    assert_eq!(nv.finding.severity, Severity::Info);
    assert!(nv.finding.message.contains("acme.net MX"));

    let mut signed = mx(&[(10, MX1)]);
    signed.authenticated = true;
    f.dns(Step::Mx, signed);
    assert_eq!(f.report().dnssec.status, DnssecStatus::Partial);

    for step in [Step::StsRecord, Step::TlsRptRecord] {
        let mut l = f.obs.lookup(&step).unwrap().clone();
        l.authenticated = true;
        f.dns(step, l);
    }
    let report = f.report();
    assert_eq!(report.dnssec.status, DnssecStatus::Validated);
    assert_eq!(report.dnssec.validated.len(), 3);
    assert!(report.has(Code::DnssecValidated) && !report.has(Code::DnssecNotValidated));
    assert_eq!(report.sts_record.authenticated, Some(true));
}

#[test]
fn two_sts_records_mean_no_policy() {
    let mut f = Fixture::healthy();
    f.sts(&["v=STSv1; id=1", "v=STSv1; id=2"]);
    let report = f.report();
    assert_eq!(report.sts_record.status, RecordStatus::Multiple);
    assert_eq!(report.sts_record.records.len(), 2);
    assert_eq!(
        finding(&report, Code::StsRecordMultiple).component,
        Component::StsRecord
    );
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report
            .verdict
            .summary
            .starts_with("The _mta-sts record is unusable")
    );
    assert!(!report.policy.in_force);
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );
    assert!(report.sender.summary.contains("several _mta-sts records"));
    assert!(report.sender.cached_policy.is_some());
}

#[test]
fn unrelated_txt_records_are_not_a_record() {
    let mut f = Fixture::healthy();
    f.sts(&["google-site-verification=abc"]);
    let report = f.report();
    assert_eq!(report.sts_record.status, RecordStatus::Missing);
    assert!(report.has(Code::StsRecordIgnored));
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
}

#[test]
fn an_invalid_record_is_invalid() {
    let mut f = Fixture::healthy();
    f.sts(&["v=STSv1; id=not-alphanumeric!"]);
    let report = f.report();
    assert_eq!(report.sts_record.status, RecordStatus::Invalid);
    assert!(report.has(Code::StsRecordIdInvalid));
    assert!(!report.policy.in_force);
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
}

#[test]
fn delegation_by_cname_is_noted_for_both_names() {
    let mut f = Fixture::healthy();
    f.dns(
        Step::StsRecord,
        with_cname(
            txt("_mta-sts.acme.net", &["v=STSv1; id=1"]),
            "_mta-sts.provider.example",
        ),
    )
    .dns(
        Step::PolicyHostA,
        with_cname(a("mta-sts.acme.net", 80), "mta-sts.provider.example"),
    );
    let report = f.report();
    let sts = finding(&report, Code::StsRecordCname);
    assert_eq!(sts.finding.severity, Severity::Info);
    assert!(sts.finding.message.contains("_mta-sts.provider.example"));
    let host = finding(&report, Code::PolicyHostCname);
    assert!(
        host.finding
            .message
            .contains("certificate valid for mta-sts.acme.net")
    );
    assert_eq!(report.sts_record.cname_chain, ["_mta-sts.provider.example"]);
    assert_eq!(report.policy.host.cname_chain, ["mta-sts.provider.example"]);
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
}

#[test]
fn tlsrpt_missing_multiple_and_invalid() {
    let mut f = Fixture::healthy();
    f.tlsrpt(&[]);
    let report = f.report();
    assert_eq!(report.tlsrpt.status, RecordStatus::Missing);
    assert_eq!(
        problems(&report),
        [(Code::TlsrptRecordMissing, Severity::Warning)]
    );
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);

    f.tlsrpt(&[
        "v=TLSRPTv1; rua=mailto:a@acme.net",
        "v=TLSRPTv1; rua=mailto:b@acme.net",
    ]);
    let report = f.report();
    assert_eq!(report.tlsrpt.status, RecordStatus::Multiple);
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report
            .verdict
            .summary
            .starts_with("The TLS-RPT record is unusable")
    );

    f.tlsrpt(&["v=TLSRPTv1; rua=ftp://acme.net/x"]);
    assert_eq!(f.report().tlsrpt.status, RecordStatus::Invalid);
}
