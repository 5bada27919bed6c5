//! `stslens check` end to end on loopback, the records and the policy: a healthy enforce domain,
//! testing mode, no TXT record, two TXT records, and every way the policy fetch can go wrong
//! (404, redirect, wrong content type, oversized body, bad certificates, no address).

mod check_support;

use check_support::*;
use stslens_core::check::{
    HostStatus, PolicyStatus, RecordStatus, SenderAction, Step, VerdictStatus,
};
use stslens_core::policy::Mode;
use stslens_e2e::pki::Validity;
use stslens_e2e::policy_host::Site;
use stslens_e2e::smtp::SmtpBehaviour;

#[tokio::test]
async fn healthy_enforce() {
    let net = Setup::healthy().start().await;
    let checked = net.run().await;
    let report = checked.report(now());
    assert_eq!(problems(&report), Vec::<String>::new());
    assert!(report.valid);
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert_eq!(report.sts_record.id.as_deref(), Some(ID));
    assert_eq!(report.policy.status, PolicyStatus::Valid);
    assert!(report.policy.in_force);
    assert_eq!(
        report.policy.sha256.as_deref(),
        Some(stslens_core::check::policy_sha256(ENFORCE.as_bytes()).as_str())
    );
    let tls = report.policy.tls.as_ref().unwrap();
    assert!(tls.chain_valid && tls.name_valid == Some(true));
    let row = &report.mx.hosts[0];
    assert_eq!(row.host, MX1);
    assert_eq!(
        row.addresses,
        ["127.0.0.2".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(row.pattern.as_deref(), Some(MX1));
    assert_eq!(
        (row.starttls, row.chain_valid, row.name_valid),
        (Some(true), Some(true), Some(true))
    );
    assert!(
        row.days_to_expiry.unwrap() >= 88,
        "{:?}",
        row.days_to_expiry
    );
    assert_eq!(row.sender.action, SenderAction::DeliverTls);
    assert_eq!(report.tlsrpt.rua, ["mailto:tlsrpt@acme-mail.net"]);
    let commands = net.commands(MX1);
    assert_eq!(commands, ["EHLO", "STARTTLS", "QUIT"]);
    assert_harmless(&commands);

    // Every planned step ran exactly once, each DNS step as one query.
    let dns_steps = checked
        .plan
        .steps()
        .iter()
        .filter(|s| s.step.query(&domain()).is_some())
        .count();
    assert_eq!(net.running.doh.queries(), dns_steps);
    assert_eq!(
        checked.observations.entries.len(),
        checked.plan.steps().len()
    );
    // The fetch waited for the policy host's address, the probe for the MX host's.
    let at = |step: &Step| checked.observations.get(step).unwrap();
    assert!(at(&Step::PolicyFetch).started_ms >= at(&Step::PolicyHostA).finished_ms);
    let mx_a = Step::MxA { host: host(MX1) };
    assert!(at(&probe_step(MX1)).started_ms >= at(&mx_a).finished_ms);
    assert!(at(&mx_a).started_ms >= at(&Step::Mx).finished_ms);
}

#[tokio::test]
async fn testing_mode() {
    let policy = ENFORCE.replace("enforce", "testing");
    let report = Setup::healthy()
        .site(Site::policy(&policy))
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.verdict.status, VerdictStatus::Testing);
    assert_eq!(report.sender.mode, Some(Mode::Testing));
    assert_eq!(problems(&report), Vec::<String>::new());
}

#[tokio::test]
async fn no_txt_record() {
    let report = Setup::healthy().sts(&[]).start().await.report().await;
    assert_eq!(report.sts_record.status, RecordStatus::Missing);
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    // The policy is still served: senders never see it.
    assert_eq!(
        problems(&report),
        [
            "warning sts-record-missing",
            "warning policy-without-record"
        ]
    );
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );
    assert!(report.valid, "not deployed is not broken");
}

#[tokio::test]
async fn two_txt_records() {
    let report = Setup::healthy()
        .sts(&["v=STSv1; id=1", "v=STSv1; id=2"])
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.sts_record.status, RecordStatus::Multiple);
    assert_eq!(problems(&report), ["error sts-record-multiple"]);
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(!report.policy.in_force);
    assert!(report.sender.cached_policy.is_some());
}

#[tokio::test]
async fn policy_404() {
    let report = Setup::healthy()
        .site(Site::status(404))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error policy-not-found"]);
    assert_eq!(report.policy.http_status, Some(404));
    assert_eq!(report.policy.status, PolicyStatus::Unavailable);
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );
}

#[tokio::test]
async fn redirect() {
    let report = Setup::healthy()
        .site(Site::redirect("https://www.acme-mail.net/mta-sts.txt"))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error policy-redirected"]);
    assert_eq!(
        report.policy.location.as_deref(),
        Some("https://www.acme-mail.net/mta-sts.txt")
    );
}

#[tokio::test]
async fn wrong_content_type() {
    let report = Setup::healthy()
        .site(Site::policy_typed(ENFORCE, "text/html"))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error policy-content-type"]);
    assert_eq!(report.policy.status, PolicyStatus::Invalid);
    assert!(report.policy.parsed.is_some(), "the body is still read");
}

#[tokio::test]
async fn oversized_policy() {
    let report = Setup::healthy()
        .site(Site::oversized(100_000))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error policy-too-large"]);
    assert_eq!(
        report.policy.text.as_ref().map(String::len),
        Some(64 * 1024 + 1),
        "one byte past the cap is read, no more"
    );
}

#[tokio::test]
async fn policy_host_certificates() {
    let report = Setup::healthy()
        .site(Site::policy(ENFORCE).expired())
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error policy-cert-invalid"]);
    assert!(!report.policy.in_force);
    assert_eq!(
        report.mx.hosts[0].sender.action,
        SenderAction::DeliverWithoutMtaSts
    );

    let report = Setup::healthy()
        .site(Site::policy(ENFORCE).cert_for("www.acme-mail.net"))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error policy-cert-name-mismatch"]);

    let report = Setup::healthy()
        .site(Site::policy(ENFORCE).validity(Validity::ExpiringSoon))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["warning policy-cert-expiring"]);
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
}

#[tokio::test]
async fn policy_host_without_address() {
    let report = Setup::empty()
        .sts(&["v=STSv1; id=1"])
        .tlsrpt(&["v=TLSRPTv1; rua=mailto:tlsrpt@acme-mail.net"])
        .mx(10, MX1, SmtpBehaviour::Healthy)
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.policy.host.status, HostStatus::NoAddress);
    assert_eq!(problems(&report), ["error policy-host-unresolvable"]);
    assert_eq!(report.policy.status, PolicyStatus::Unavailable);
}
