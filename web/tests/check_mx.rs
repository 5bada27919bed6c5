//! `stslens check` end to end on loopback, the MX hosts: not covered by the policy, a pattern
//! unused, expired and misnamed certificates, no STARTTLS, a server that never answers (cut off
//! by the timeout), and a check without the probe.

mod check_support;

use check_support::*;
use std::time::Duration;
use stslens_core::check::{ProbeState, SenderAction, Step, VerdictStatus};
use stslens_core::probe::ChainError;
use stslens_e2e::policy_host::Site;
use stslens_e2e::smtp::{SmtpBehaviour, WRONG_NAME};

#[tokio::test]
async fn mx_not_covered_by_the_policy() {
    let net = Setup::healthy()
        .mx(20, MX2, SmtpBehaviour::Healthy)
        .start()
        .await;
    let report = net.report().await;
    assert_eq!(problems(&report), ["error policy-mx-not-covered"]);
    let finding = &report
        .findings_of(stslens_core::check::Component::Mx)
        .next()
        .unwrap();
    assert_eq!(finding.host.as_deref(), Some(MX2));
    let rows = &report.mx.hosts;
    assert_eq!(
        rows.iter().map(|r| r.host.as_str()).collect::<Vec<_>>(),
        [MX1, MX2],
        "preference order"
    );
    assert_eq!(rows[1].policy_allows, Some(false));
    assert_eq!(rows[1].sender.action, SenderAction::Refuse);
    assert_eq!(rows[0].sender.action, SenderAction::DeliverTls);
    assert_eq!(report.verdict.status, VerdictStatus::Broken);
    assert!(
        report.verdict.summary.contains("refuse 1 of 2 MX hosts"),
        "{}",
        report.verdict.summary
    );
    // Both hosts were probed, each at its own address.
    assert_harmless(&net.commands(MX1));
    assert_eq!(net.commands(MX2), ["EHLO", "STARTTLS", "QUIT"]);
}

#[tokio::test]
async fn pattern_unused() {
    let policy = format!("{ENFORCE}mx: old-mx.acme-mail.net\n");
    let report = Setup::healthy()
        .site(Site::policy(&policy))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["warning policy-mx-unused"]);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.finding.message.contains("`old-mx.acme-mail.net`"))
    );
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
}

#[tokio::test]
async fn expired_certificate() {
    let report = Setup::healthy()
        .mx(20, MX2, SmtpBehaviour::ExpiredCert)
        .site(Site::policy(&format!("{ENFORCE}mx: {MX2}\n")))
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error mx-cert-invalid"]);
    let row = &report.mx.hosts[1];
    assert_eq!(row.chain_error, Some(ChainError::Expired));
    assert!(row.days_to_expiry.unwrap() < 0);
    assert_eq!(row.sender.action, SenderAction::Refuse);
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::DeliverTls);
}

#[tokio::test]
async fn certificate_for_another_name() {
    let report = Setup::empty()
        .sts(&["v=STSv1; id=1"])
        .tlsrpt(&["v=TLSRPTv1; rua=mailto:tlsrpt@acme-mail.net"])
        .site(Site::policy(&ENFORCE.replace("enforce", "testing")))
        .mx(10, MX1, SmtpBehaviour::WrongName)
        .start()
        .await
        .report()
        .await;
    assert_eq!(problems(&report), ["error mx-cert-name-mismatch"]);
    let row = &report.mx.hosts[0];
    assert_eq!((row.chain_valid, row.name_valid), (Some(true), Some(false)));
    assert_eq!(row.sender.action, SenderAction::DeliverDespiteFailure);
    let finding = report
        .findings
        .iter()
        .find(|f| f.finding.code.as_str() == "mx-cert-name-mismatch")
        .unwrap();
    assert!(finding.finding.message.contains(WRONG_NAME));
}

#[tokio::test]
async fn no_starttls() {
    let net = Setup::empty()
        .sts(&["v=STSv1; id=1"])
        .tlsrpt(&["v=TLSRPTv1; rua=mailto:tlsrpt@acme-mail.net"])
        .site(Site::policy(ENFORCE))
        .mx(10, MX1, SmtpBehaviour::NoStartTls)
        .start()
        .await;
    let report = net.report().await;
    assert_eq!(problems(&report), ["error mx-starttls-missing"]);
    assert_eq!(report.mx.hosts[0].starttls, Some(false));
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::Refuse);
    assert!(report.sender.summary.contains("No MX host passes"));
    assert_eq!(net.commands(MX1), ["EHLO", "QUIT"]);
}

#[tokio::test]
async fn a_server_that_never_answers_is_cut_off() {
    let net = Setup::healthy()
        .mx(20, MX2, SmtpBehaviour::NeverAnswers)
        .site(Site::policy(&format!("{ENFORCE}mx: {MX2}\n")))
        .start()
        .await;
    let checked = net.run().await;
    let report = checked.report(now());
    assert_eq!(problems(&report), ["warning mx-unreachable"]);
    let row = &report.mx.hosts[1];
    assert_eq!(row.probe, ProbeState::Failed);
    assert!(
        row.probe_error.as_deref().unwrap().contains("greeting"),
        "{:?}",
        row.probe_error
    );
    assert_eq!(row.sender.action, SenderAction::Unknown);
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    // The wait for the greeting is the reply timeout, and the whole check does not outlast it
    // by much: the other steps ran meanwhile.
    let probe = checked.observations.get(&probe_step(MX2)).unwrap();
    let waited = Duration::from_millis(probe.finished_ms - probe.started_ms);
    assert!(waited >= REPLY_TIMEOUT, "{waited:?}");
    assert!(waited < REPLY_TIMEOUT * 4, "{waited:?}");
    assert!(report.timeline.critical_path.last().unwrap().ends_with(MX2));
}

#[tokio::test]
async fn without_the_probe() {
    let net = Setup::healthy().without_probe().start().await;
    let checked = net.run().await;
    let report = checked.report(now());
    assert!(
        !checked
            .plan
            .steps()
            .iter()
            .any(|s| matches!(s.step, Step::MxProbe { .. }))
    );
    assert!(net.commands(MX1).is_empty(), "nothing connected to port 25");
    assert!(codes(&report).contains(&"mx-not-probed"));
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert!(report.verdict.summary.contains("not probed"));
    assert_eq!(report.mx.hosts[0].sender.action, SenderAction::Unknown);
}
