//! The report as a whole: verdicts, the sender simulation, the JSON shape, the timeline.

use super::*;

#[test]
fn healthy_enforce_is_enforced_with_nothing_to_fix() {
    let report = Fixture::healthy().report();
    assert_eq!(problems(&report), []);
    assert!(report.valid);
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert!(
        report
            .verdict
            .summary
            .contains("the MX host passes validation"),
        "{}",
        report.verdict.summary
    );
    assert_eq!(report.sts_record.status, RecordStatus::Valid);
    assert_eq!(report.sts_record.id.as_deref(), Some("20240301T000000"));
    assert_eq!(report.policy.status, PolicyStatus::Valid);
    assert!(report.policy.in_force);
    assert_eq!(report.policy.id.as_deref(), Some("20240301T000000"));
    assert_eq!(
        report.policy.sha256.as_deref(),
        Some(policy_sha256(ENFORCE.as_bytes()).as_str())
    );
    assert_eq!(report.policy.host.status, HostStatus::Resolves);
    assert_eq!(report.tlsrpt.status, RecordStatus::Valid);
    assert_eq!(report.tlsrpt.rua, ["mailto:tlsrpt@acme.net"]);
    let row = &report.mx.hosts[0];
    assert_eq!(
        (row.preference, row.host.as_str(), row.pattern.as_deref()),
        (10, MX1, Some(MX1))
    );
    assert_eq!(row.probe, ProbeState::Done);
    assert_eq!(
        (
            row.starttls,
            row.chain_valid,
            row.name_valid,
            row.policy_allows
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    assert_eq!(row.tls_version.as_deref(), Some("TLSv1.3"));
    assert_eq!(row.days_to_expiry, Some(60));
    assert_eq!(row.tlsa, Some(false));
    assert_eq!(row.sender.action, SenderAction::DeliverTls);
    assert!(report.sender.policy_applied);
    assert_eq!(report.sender.mode, Some(crate::policy::Mode::Enforce));
    assert_well_formed(&report);
}

#[test]
fn sha256_is_the_digest_of_the_body() {
    // FIPS 180-2 test vector.
    assert_eq!(
        policy_sha256(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn testing_mode_is_testing_and_delivers_despite_failures() {
    let mut f = Fixture::healthy();
    f.policy(&ENFORCE.replace("enforce", "testing"));
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::Testing);
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::DeliverTls);

    f.probe_with(MX1, |p| p.starttls = false);
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report
            .verdict
            .summary
            .contains("testing mode still delivers"),
        "{}",
        report.verdict.summary
    );
    let row = &report.mx.hosts[0];
    assert_eq!(row.sender.action, SenderAction::DeliverDespiteFailure);
    assert!(row.sender.why.contains("no STARTTLS"), "{}", row.sender.why);
}

#[test]
fn enforce_refuses_failing_hosts_and_says_so() {
    let mut f = Fixture::healthy();
    f.probe_with(MX1, |p| p.chain_valid = false);
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report.verdict.summary.starts_with(
            "In enforce mode, compliant senders refuse 1 of 1 MX hosts (mx-cert-invalid)"
        ),
        "{}",
        report.verdict.summary
    );
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::Refuse);
    assert!(
        report.sender.summary.contains("No MX host passes"),
        "{}",
        report.sender.summary
    );
}

#[test]
fn no_record_means_not_deployed_and_no_fetch_noise() {
    let mut f = Fixture::healthy();
    f.dns(
        Step::StsRecord,
        empty("_mta-sts.acme.net", RecordType::Txt, Status::NxDomain),
    )
    .fetch(policy_probe(404, Some("text/html"), "<h1>Not Found</h1>"));
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    assert!(report.verdict.summary.contains("no _mta-sts record"));
    assert_eq!(report.sts_record.status, RecordStatus::Missing);
    assert_eq!(
        problems(&report),
        [(Code::StsRecordMissing, Severity::Warning)],
        "a 404 is the normal state without a record"
    );
    assert!(report.valid);
    assert_eq!(report.policy.status, PolicyStatus::Unavailable);
    assert!(!report.policy.in_force);
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );
    assert!(report.sender.summary.contains("no _mta-sts record"));
}

#[test]
fn mode_none_is_not_deployed() {
    let mut f = Fixture::healthy();
    f.policy("version: STSv1\nmode: none\nmax_age: 86400\n");
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    assert!(report.verdict.summary.contains("mode is none"));
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );
    assert!(!report.sender.policy_applied);
}

#[test]
fn no_probe_is_said_everywhere() {
    let mut f = Fixture::new(PlanOptions {
        probe_mx: false,
        connect_to_resolved: true,
    });
    f.sts(&["v=STSv1; id=1"])
        .tlsrpt(&["v=TLSRPTv1; rua=mailto:a@acme.net"])
        .dns(Step::PolicyHostA, a("mta-sts.acme.net", 80))
        .dns(
            Step::PolicyHostAaaa,
            empty("mta-sts.acme.net", RecordType::Aaaa, Status::NoData),
        )
        .policy(ENFORCE)
        .mx(&[(10, MX1)]);
    let report = f.report();
    assert!(report.plan_steps_have_no_probe(&f.plan));
    let nf = finding(&report, Code::MxNotProbed);
    assert_eq!(nf.host, None, "one finding for the whole set");
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert!(report.verdict.summary.contains("not probed"));
    let row = &report.mx.hosts[0];
    assert_eq!((row.probe, row.starttls), (ProbeState::NotRun, None));
    assert_eq!(row.sender.action, SenderAction::Unknown);
}

impl Report {
    fn plan_steps_have_no_probe(&self, plan: &Plan) -> bool {
        !plan
            .steps()
            .iter()
            .any(|s| matches!(s.step, Step::MxProbe { .. }))
    }
}

#[test]
fn a_browser_without_cors_access_gives_unknown() {
    let mut f = Fixture::new(PlanOptions::browser(false));
    f.sts(&["v=STSv1; id=1"])
        .tlsrpt(&[])
        .dns(Step::PolicyHostA, a("mta-sts.acme.net", 80))
        .set(
            Step::PolicyFetch,
            Outcome::NotRun {
                reason: NotRunReason::Blocked,
                message: "the policy host sends no CORS header".into(),
            },
        )
        .mx(&[(10, MX1)]);
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::Unknown);
    let nc = finding(&report, Code::PolicyNotChecked);
    assert!(nc.finding.message.contains("CORS"));
    assert!(nc.finding.fix.as_deref().unwrap().contains("curl"));
    assert_eq!(report.policy.status, PolicyStatus::NotChecked);
}

#[test]
fn json_shape_is_documented_and_round_trips() {
    let report = Fixture::healthy().report();
    let json = serde_json::to_value(&report).unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&json),
        [
            "checked_at",
            "dnssec",
            "domain",
            "findings",
            "mx",
            "policy",
            "sender",
            "sts_record",
            "timeline",
            "tlsrpt",
            "valid",
            "verdict"
        ]
    );
    assert_eq!(json["verdict"]["status"], "enforced");
    assert_eq!(json["mx"]["status"], "hosts");
    assert_eq!(
        keys(&json["mx"]["hosts"][0]),
        [
            "addresses",
            "chain_error",
            "chain_valid",
            "cname_chain",
            "dane",
            "days_to_expiry",
            "host",
            "name_valid",
            "not_after",
            "pattern",
            "policy_allows",
            "preference",
            "probe",
            "probe_error",
            "sender",
            "starttls",
            "tls_version",
            "tlsa"
        ]
    );
    assert_eq!(json["mx"]["hosts"][0]["sender"]["action"], "deliver-tls");
    assert_eq!(json["policy"]["parsed"]["mode"], "enforce");
    assert_eq!(json["policy"]["host"]["addresses"][0], "192.0.2.80");
    let finding = &json["findings"][0];
    assert_eq!(
        keys(finding),
        [
            "code",
            "component",
            "fix",
            "host",
            "line",
            "message",
            "rfc",
            "severity"
        ]
    );
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn timeline_names_the_chain_that_ended_last() {
    let mut f = Fixture::healthy();
    // The probe of mx1 finishes last, after its A lookup, after the MX lookup.
    let last = f.obs.elapsed_ms();
    f.obs.record(
        Step::MxProbe { host: name(MX1) },
        last,
        last + 500,
        Outcome::Probe { probe: probe(MX1) },
    );
    let report = f.report();
    assert_eq!(report.timeline.elapsed_ms, last + 500);
    assert_eq!(
        report.timeline.critical_path,
        ["mx", "mx-aaaa:mx1.acme.net", "mx-probe:mx1.acme.net"],
        "the AAAA answer was recorded after the A answer"
    );
    let steps = &report.timeline.steps;
    assert_eq!(steps.len(), f.plan.steps().len());
    assert_eq!(steps[0].id, "mx");
    assert_eq!(steps[0].result, "answer");
    assert!(steps.iter().any(|s| s.result == "probe"));
    assert!(steps.iter().any(|s| s.result == "nx-domain"), "TLSA");
    assert!(steps.iter().all(|s| s.finished_ms.is_some()));
}

#[test]
fn findings_are_grouped_by_component() {
    let mut f = Fixture::healthy();
    f.tlsrpt(&[]).probe_with(MX1, |p| p.starttls = false).dns(
        Step::StsRecord,
        with_cname(
            txt("_mta-sts.acme.net", &["v=STSv1; id=1"]),
            "sts.provider.example",
        ),
    );
    let report = f.report();
    let components: Vec<Component> = report.findings.iter().map(|f| f.component).collect();
    let mut sorted = components.clone();
    sorted.sort();
    assert_eq!(components, sorted);
    assert!(components.contains(&Component::Tlsrpt) && components.contains(&Component::Mx));
    assert_eq!(report.findings_of(Component::Tlsrpt).count(), 1);
}

#[test]
fn an_unknown_or_missing_mx_set_is_said_plainly() {
    let mut f = Fixture::healthy();
    f.set(
        Step::Mx,
        failure(FailureKind::Timeout, "resolver timed out"),
    );
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::Unknown);
    assert!(
        report
            .verdict
            .summary
            .contains("MX hosts of acme.net could not be looked up")
    );

    let mut f = Fixture::healthy();
    f.dns(Step::Mx, empty(DOMAIN, RecordType::Mx, Status::NoData));
    let report = f.report();
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert!(
        report.verdict.summary.contains("implicit MX"),
        "{}",
        report.verdict.summary
    );
}

#[test]
fn finding_counts_word_each_severity_met() {
    let mut report = Fixture::healthy().report();
    let with = |severities: &[Severity]| -> Vec<CheckFinding> {
        severities
            .iter()
            .map(|&s| CheckFinding {
                component: Component::Policy,
                host: None,
                finding: crate::Finding::new(Code::PolicyEmpty, "m").with_severity(s),
            })
            .collect()
    };
    report.findings.clear();
    assert_eq!(report.finding_counts(), "");
    report.findings = with(&[Severity::Warning]);
    assert_eq!(report.finding_counts(), "1 warning");
    report.findings = with(&[
        Severity::Info,
        Severity::Error,
        Severity::Warning,
        Severity::Error,
        Severity::Info,
        Severity::Info,
    ]);
    assert_eq!(report.finding_counts(), "2 errors, 1 warning, 3 notes");
}
