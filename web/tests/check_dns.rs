//! `stslens check` end to end on loopback, DNS: the AD bit set and unset, SERVFAIL against
//! NXDOMAIN, CNAME delegation of `_mta-sts` and `mta-sts`, null MX, DANE TLSA records, and a
//! resolver that does not answer at all (the check cannot run).

mod check_support;

use check_support::*;
use std::net::Ipv4Addr;
use stslens_core::check::{DnssecStatus, MxStatus, RecordStatus, VerdictStatus};
use stslens_e2e::policy_host::Site;
use stslens_web::check::{CheckError, Checker};

#[tokio::test]
async fn dnssec_ad_bit_set() {
    let report = Setup::healthy()
        .zone(|z| z.authenticated(true))
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.dnssec.status, DnssecStatus::Validated);
    assert!(codes(&report).contains(&"dnssec-validated"));
    assert!(!codes(&report).contains(&"dnssec-not-validated"));
    assert_eq!(report.sts_record.authenticated, Some(true));
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
}

#[tokio::test]
async fn dnssec_ad_bit_unset() {
    let report = Setup::healthy()
        .zone(|z| z.authenticated(false))
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.dnssec.status, DnssecStatus::NotValidated);
    assert!(codes(&report).contains(&"dnssec-not-validated"));
    assert_eq!(report.dnssec.not_validated.len(), 3);
    assert_eq!(report.sts_record.authenticated, Some(false));
    assert!(report.valid, "information only");
}

#[tokio::test]
async fn servfail_is_not_nxdomain() {
    let report = Setup::healthy()
        .zone(|z| z.servfail(&format!("_mta-sts.{DOMAIN}")))
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.sts_record.status, RecordStatus::LookupFailed);
    assert_eq!(problems(&report), ["error dns-servfail"]);
    assert_eq!(report.verdict.status, VerdictStatus::Broken);

    let report = Setup::healthy()
        .zone(|z| {
            let mut z = z;
            z.records.retain(|r| r.name != format!("_mta-sts.{DOMAIN}"));
            z
        })
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.sts_record.status, RecordStatus::Missing);
    assert!(!codes(&report).contains(&"dns-servfail"));
}

#[tokio::test]
async fn cname_delegation_of_both_names() {
    let provider_sts = "_mta-sts.sts-provider.net";
    let report = Setup::healthy()
        .zone(|z| {
            let mut z = z;
            z.records.retain(|r| {
                r.name != format!("_mta-sts.{DOMAIN}") && r.name != format!("mta-sts.{DOMAIN}")
            });
            z.cname(&format!("_mta-sts.{DOMAIN}"), provider_sts)
                .txt(provider_sts, &[&format!("v=STSv1; id={ID}")])
                .cname(&format!("mta-sts.{DOMAIN}"), "policy.sts-provider.net")
                .a("policy.sts-provider.net", Ipv4Addr::LOCALHOST)
        })
        .start()
        .await
        .report()
        .await;
    assert_eq!(report.sts_record.cname_chain, [provider_sts]);
    assert_eq!(report.policy.host.cname_chain, ["policy.sts-provider.net"]);
    assert!(codes(&report).contains(&"sts-record-cname"));
    assert!(codes(&report).contains(&"policy-host-cname"));
    assert_eq!(report.verdict.status, VerdictStatus::Enforced);
    assert_eq!(report.sts_record.id.as_deref(), Some(ID));
}

#[tokio::test]
async fn null_mx() {
    let net = Setup::empty().zone(|z| z.mx(DOMAIN, 0, ".")).start().await;
    let checked = net.run().await;
    let report = checked.report(now());
    assert_eq!(report.mx.status, MxStatus::NullMx);
    assert!(codes(&report).contains(&"mx-null"));
    assert_eq!(report.verdict.status, VerdictStatus::NotDeployed);
    assert!(
        checked.plan.steps().iter().all(|s| s.round == 1),
        "no round 2"
    );
}

#[tokio::test]
async fn dane_tlsa_records() {
    let report = Setup::healthy()
        .zone(|z| {
            z.tlsa(&format!("_25._tcp.{MX1}"), 3, 1, 1, &"ab".repeat(32))
                .authenticated(true)
        })
        .start()
        .await
        .report()
        .await;
    let row = &report.mx.hosts[0];
    assert_eq!((row.tlsa, row.dane), (Some(true), Some(true)));
    assert!(codes(&report).contains(&"mx-dane"));
    assert!(row.sender.why.contains("DANE"));
}

#[tokio::test]
async fn a_resolver_that_does_not_answer_means_the_check_cannot_run() {
    let net = Setup::healthy().site(Site::status(404)).start().await;
    let mut options = net.options();
    // Nothing listens on port 1 of loopback.
    options.doh.resolvers = vec!["http://127.0.0.1:1/dns-query".into()];
    let checker = Checker::new(&options).unwrap();
    match checker.run(&domain()).await {
        Err(CheckError::ResolverUnreachable { message }) => {
            assert!(message.contains("127.0.0.1:1"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
