//! The policy fetch against the loopback HTTPS policy host, trusted through an explicit test CA:
//! 200, 404, redirect (reported, not followed), wrong content type, oversized body (capped at
//! 64 KiB + 1), expired certificate and certificate for another name (facts kept).

use std::time::Duration;
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::policy::fetch::BODY_CAP;
use stslens_core::probe::{ChainError, FailureKind};
use stslens_e2e::pki::TestCa;
use stslens_e2e::policy_host::{FakePolicyHost, Site};
use stslens_web::io::policy_fetch::{FetchStep, PolicyFetchError, PolicyFetcher, PolicyTimeouts};
use stslens_web::io::tls::TrustAnchors;

const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 604800\n";

fn domain(name: &str) -> DomainName {
    DomainName::parse(name, TrailingDot::Refuse).unwrap()
}

struct Setup {
    host: FakePolicyHost,
    fetcher: PolicyFetcher,
}

async fn setup() -> Setup {
    let ca = TestCa::new();
    let sites = vec![
        ("ok.test".to_owned(), Site::policy(POLICY)),
        ("missing.test".to_owned(), Site::status(404)),
        (
            "moved.test".to_owned(),
            Site::redirect("https://elsewhere.test/policy.txt"),
        ),
        (
            "html.test".to_owned(),
            Site::policy_typed(POLICY, "text/html; charset=utf-8"),
        ),
        ("huge.test".to_owned(), Site::oversized(200 * 1024)),
        ("expired.test".to_owned(), Site::policy(POLICY).expired()),
        (
            "misnamed.test".to_owned(),
            Site::policy(POLICY).cert_for("www.other.test"),
        ),
    ];
    let host = FakePolicyHost::start(&ca, sites).await.unwrap();
    let anchors = TrustAnchors::empty()
        .with_roots_pem(&ca.cert_pem())
        .unwrap();
    let timeouts = PolicyTimeouts {
        connect: Duration::from_secs(2),
        handshake: Duration::from_secs(2),
        total: Duration::from_secs(5),
    };
    Setup {
        host,
        fetcher: PolicyFetcher::new(&anchors, timeouts),
    }
}

#[tokio::test]
async fn a_good_policy_with_its_tls_facts() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("ok.test"), s.host.addr())
        .await
        .unwrap();
    assert_eq!(
        fetch.response.url,
        "https://mta-sts.ok.test/.well-known/mta-sts.txt"
    );
    assert_eq!(fetch.response.status, 200);
    assert_eq!(fetch.response.content_type.as_deref(), Some("text/plain"));
    assert_eq!(fetch.response.location, None);
    assert_eq!(fetch.response.body, POLICY.as_bytes());
    assert!(fetch.tls.chain_valid, "{:?}", fetch.tls.chain_error);
    assert!(fetch.tls.name_valid);
    assert!(fetch.tls.session.version.starts_with("TLSv1."));
    assert_eq!(fetch.tls.certificates.len(), 2, "leaf and CA");
    let leaf = &fetch.tls.certificates[0];
    assert_eq!(leaf.dns_names, ["mta-sts.ok.test"]);
    assert!(leaf.subject.contains("mta-sts.ok.test"), "{}", leaf.subject);
    assert!(leaf.issuer.contains("StsLens Test CA"), "{}", leaf.issuer);
    assert_eq!(leaf.sha256.len(), 64);
    assert!(leaf.not_before < leaf.not_after);

    let probe = fetch.to_probe();
    assert_eq!(probe.fetch_response(), fetch.response);
    assert!(probe.tls.chain_valid);
    assert_eq!(probe.tls.name_valid("mta-sts.ok.test"), Some(true));
}

#[tokio::test]
async fn not_found_is_reported_as_it_is() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("missing.test"), s.host.addr())
        .await
        .unwrap();
    assert_eq!(fetch.response.status, 404);
    assert!(fetch.response.body.is_empty());
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("moved.test"), s.host.addr())
        .await
        .unwrap();
    assert_eq!(fetch.response.status, 301);
    assert_eq!(
        fetch.response.location.as_deref(),
        Some("https://elsewhere.test/policy.txt")
    );
    assert_eq!(
        fetch.response.url,
        "https://mta-sts.moved.test/.well-known/mta-sts.txt"
    );
}

#[tokio::test]
async fn the_content_type_is_kept_as_sent() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("html.test"), s.host.addr())
        .await
        .unwrap();
    assert_eq!(
        fetch.response.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
}

#[tokio::test]
async fn oversized_bodies_are_cut_at_the_cap_plus_one() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("huge.test"), s.host.addr())
        .await
        .unwrap();
    assert_eq!(fetch.response.status, 200);
    assert_eq!(fetch.response.body.len(), BODY_CAP + 1);
}

#[tokio::test]
async fn expired_certificates_keep_their_facts() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("expired.test"), s.host.addr())
        .await
        .unwrap();
    assert!(!fetch.tls.chain_valid);
    assert_eq!(fetch.tls.chain_error, Some(ChainError::Expired));
    assert!(
        fetch.tls.name_valid,
        "the name is right, only the dates are wrong"
    );
    assert_eq!(
        fetch.tls.certificates[0].dns_names,
        ["mta-sts.expired.test"]
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(fetch.tls.certificates[0].days_to_expiry(now) < 0);
    assert_eq!(
        fetch.response.body,
        POLICY.as_bytes(),
        "fetched anyway, and marked"
    );
    let json = serde_json::to_value(fetch.to_probe()).unwrap();
    assert_eq!(json["tls"]["chain_valid"], false);
    assert_eq!(json["tls"]["chain_error"], "expired");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_flagged_separately_from_the_chain() {
    let s = setup().await;
    let fetch = s
        .fetcher
        .fetch_at(&domain("misnamed.test"), s.host.addr())
        .await
        .unwrap();
    assert!(fetch.tls.chain_valid, "the chain itself is fine");
    assert!(!fetch.tls.name_valid);
    assert_eq!(fetch.tls.certificates[0].dns_names, ["www.other.test"]);
    assert_eq!(
        fetch.to_probe().tls.name_valid("mta-sts.misnamed.test"),
        Some(false)
    );
}

#[tokio::test]
async fn an_untrusted_ca_is_an_unknown_issuer() {
    let s = setup().await;
    let fetcher = PolicyFetcher::new(&TrustAnchors::webpki(), PolicyTimeouts::default());
    let fetch = fetcher
        .fetch_at(&domain("ok.test"), s.host.addr())
        .await
        .unwrap();
    assert_eq!(fetch.tls.chain_error, Some(ChainError::UnknownIssuer));
    assert_eq!(fetch.response.status, 200);
}

#[tokio::test]
async fn connection_failures_and_silent_servers_are_errors() {
    let s = setup().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = s
        .fetcher
        .fetch_at(&domain("ok.test"), dead)
        .await
        .unwrap_err();
    assert!(matches!(err, PolicyFetchError::Connect { .. }), "{err:?}");
    assert_eq!(err.failure().kind, FailureKind::Refused);
    assert!(err.to_string().contains("mta-sts.ok.test"), "{err}");

    // Accepts TCP, never speaks TLS.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let _holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let quick = PolicyFetcher::new(
        &TrustAnchors::empty(),
        PolicyTimeouts {
            connect: Duration::from_millis(300),
            handshake: Duration::from_millis(300),
            total: Duration::from_secs(5),
        },
    );
    let err = quick
        .fetch_at(&domain("ok.test"), silent_addr)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PolicyFetchError::Timeout {
                step: FetchStep::Handshake,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.failure().kind, FailureKind::Timeout);
}
