//! The relay wired to the real network code ([`NativeUpstream`]) against the loopback fakes of
//! `stslens-e2e`, in-process: the design §4 JSON of a healthy probe, no STARTTLS, an expired
//! certificate (facts kept), a slow or silent SMTP server and a banner flood cut off by the
//! limits, another protocol on the port, nothing listening; policy fetches that answer 200, 404,
//! a redirect (not followed), an oversized body, an expired certificate and a `Location` past the
//! relay's cap, and a policy host that never completes the handshake; the loopback allowance off by default (the same request
//! is refused), and `*.test` names refused outside test mode.
//!
//! Names resolve through a fake resolver to 127.0.0.1; the relay runs with the test-only
//! loopback policy pointing at the fake's port, and trusts the fakes' CA explicitly.

mod common;

use common::{FakeResolver, Server, client, json};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use stslens_core::policy::fetch::BODY_CAP;
use stslens_core::probe::MxProbe;
use stslens_e2e::pki::TestCa;
use stslens_e2e::policy_host::{FakePolicyHost, Site};
use stslens_e2e::smtp::{FakeSmtp, SmtpBehaviour};
use stslens_web::io::tls::TrustAnchors;
use stslens_web::serve::{AddressPolicy, Config, Limits, NativeUpstream, RelayConfig};

const MX: &str = "mx.healthy.test";
const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx.healthy.test\nmax_age: 604800\n";

/// Limits with room for a debug build on a busy machine, and a rate limit that never interferes.
fn limits() -> Limits {
    Limits {
        burst: 1000,
        per_minute: 1000,
        probe_timeout: Duration::from_secs(10),
        fetch_timeout: Duration::from_secs(10),
        ..Limits::default()
    }
}

/// Every test name, and the loopback name used without `.test`, resolves to 127.0.0.1.
fn resolver() -> FakeResolver {
    FakeResolver::new(&[
        (MX, &["127.0.0.1"]),
        ("mx.loopback.example.net", &["127.0.0.1"]),
        ("mta-sts.ok.test", &["127.0.0.1"]),
        ("mta-sts.missing.test", &["127.0.0.1"]),
        ("mta-sts.moved.test", &["127.0.0.1"]),
        ("mta-sts.huge.test", &["127.0.0.1"]),
        ("mta-sts.expired.test", &["127.0.0.1"]),
        ("mta-sts.silent.test", &["127.0.0.1"]),
        ("mta-sts.longurl.test", &["127.0.0.1"]),
    ])
}

/// The relay as `stslens serve --relay` builds it, with the fakes' CA and the given policy.
async fn relay(ca: &TestCa, policy: AddressPolicy, limits: Limits) -> Server {
    let anchors = TrustAnchors::webpki()
        .with_roots_pem(&ca.cert_pem())
        .unwrap();
    let upstream = Arc::new(NativeUpstream::new(&anchors, policy, &limits));
    Server::start(Config {
        site: None,
        relay: Some(RelayConfig {
            upstream,
            resolver: Arc::new(resolver()),
            policy,
            limits,
        }),
        allow_origins: Vec::new(),
        trust_proxy: false,
    })
    .await
}

async fn get(server: &Server, path: &str) -> (StatusCode, Value) {
    let res = client().get(server.url(path)).send().await.unwrap();
    let status = res.status();
    (status, json(res).await)
}

/// Probes `MX` through the relay against a fake with `behaviour`; returns the answer and the
/// commands the fake received.
async fn probe(behaviour: SmtpBehaviour, limits: Limits) -> (StatusCode, Value, Vec<String>) {
    let ca = TestCa::new();
    let fake = FakeSmtp::start(&ca, MX, behaviour).await.unwrap();
    let policy = AddressPolicy::unsafe_loopback_for_tests(fake.port(), 443);
    let server = relay(&ca, policy, limits).await;
    let (status, body) = get(&server, &format!("/api/v1/mx-probe?host={MX}")).await;
    // The fake records a command before replying, and the probe reads the QUIT reply before it
    // answers, so the list is complete here.
    (status, body, fake.commands())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sorted_keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str, needle: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
}

#[tokio::test]
async fn a_healthy_mx_answers_exactly_the_designed_json() {
    let (status, body, commands) = probe(SmtpBehaviour::Healthy, limits()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sorted_keys(&body),
        [
            "address",
            "banner",
            "certificates",
            "chain_error",
            "chain_valid",
            "elapsed_ms",
            "host",
            "starttls",
            "tls"
        ]
    );
    assert_eq!(body["host"], MX);
    assert_eq!(body["address"], "127.0.0.1");
    assert_eq!(body["banner"], "mx.healthy.test ESMTP StsLens fake");
    assert_eq!(body["starttls"], true);
    assert_eq!(sorted_keys(&body["tls"]), ["cipher", "version"]);
    let version = body["tls"]["version"].as_str().unwrap();
    assert!(version == "TLSv1.3" || version == "TLSv1.2", "{version}");
    assert!(body["tls"]["cipher"].as_str().unwrap().starts_with("TLS"));
    assert_eq!(body["chain_valid"], true, "{body}");
    assert!(body["chain_error"].is_null());
    assert!(body["elapsed_ms"].is_u64());

    let certificates = body["certificates"].as_array().unwrap();
    assert!(!certificates.is_empty());
    let leaf = &certificates[0];
    assert_eq!(
        sorted_keys(leaf),
        [
            "dns_names",
            "issuer",
            "not_after",
            "not_before",
            "sha256",
            "subject"
        ]
    );
    assert_eq!(leaf["dns_names"], serde_json::json!([MX]));
    assert!(leaf["issuer"].as_str().unwrap().contains("StsLens Test CA"));
    let sha256 = leaf["sha256"].as_str().unwrap();
    assert!(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(leaf["not_before"].as_i64().unwrap() < now());
    assert!(leaf["not_after"].as_i64().unwrap() > now());

    let parsed: MxProbe = serde_json::from_value(body).unwrap();
    assert_eq!(parsed.name_valid(), Some(true));
    assert_eq!(
        commands,
        ["EHLO", "STARTTLS", "QUIT"],
        "never MAIL/RCPT/DATA"
    );
}

#[tokio::test]
async fn no_starttls_is_an_answer_without_tls() {
    let (status, body, commands) = probe(SmtpBehaviour::NoStartTls, limits()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["starttls"], false);
    assert!(body["tls"].is_null());
    assert_eq!(body["certificates"], serde_json::json!([]));
    assert_eq!(body["chain_valid"], false);
    assert!(body["chain_error"].is_null());
    assert_eq!(commands, ["EHLO", "QUIT"]);
}

#[tokio::test]
async fn an_expired_certificate_keeps_its_facts() {
    let (status, body, commands) = probe(SmtpBehaviour::ExpiredCert, limits()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["starttls"], true);
    assert_eq!(body["chain_valid"], false);
    assert_eq!(body["chain_error"], "expired");
    let leaf = &body["certificates"][0];
    assert_eq!(leaf["dns_names"], serde_json::json!([MX]));
    assert!(leaf["not_after"].as_i64().unwrap() < now());
    assert_eq!(commands, ["EHLO", "STARTTLS", "QUIT"]);
}

#[tokio::test]
async fn a_slow_or_silent_smtp_server_is_cut_off_with_a_504() {
    let short = Limits {
        probe_timeout: Duration::from_secs(1),
        ..limits()
    };
    for behaviour in [
        SmtpBehaviour::Slow { delay_ms: 20_000 },
        SmtpBehaviour::NeverAnswers,
    ] {
        let (status, body, commands) = probe(behaviour, short.clone()).await;
        assert_error(
            status,
            &body,
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the SMTP probe",
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("timed out"), "{message}");
        assert!(commands.is_empty(), "{behaviour:?}: {commands:?}");
    }
}

#[tokio::test]
async fn a_flooded_banner_is_cut_off_with_a_502() {
    let (status, body, commands) = probe(SmtpBehaviour::BannerFlood, limits()).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_GATEWAY,
        "upstream-failed",
        "sent too much at the greeting step: more than 64 lines in one reply",
    );
    assert!(commands.is_empty(), "nothing sent to a flood: {commands:?}");
}

#[tokio::test]
async fn another_protocol_on_the_port_is_a_502_naming_it() {
    let (status, body, commands) = probe(SmtpBehaviour::NotSmtp, limits()).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_GATEWAY,
        "upstream-failed",
        "does not speak SMTP",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SSH-2.0")
    );
    assert!(commands.is_empty());
}

#[tokio::test]
async fn nothing_listening_is_a_502() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ca = TestCa::new();
    let server = relay(
        &ca,
        AddressPolicy::unsafe_loopback_for_tests(dead, 443),
        limits(),
    )
    .await;
    let (status, body) = get(&server, &format!("/api/v1/mx-probe?host={MX}")).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_GATEWAY,
        "upstream-failed",
        "refused the connection",
    );
}

/// One policy host for every policy test, and a relay pointed at it.
async fn policy_relay() -> (Server, FakePolicyHost) {
    let ca = TestCa::new();
    let sites = vec![
        ("ok.test".to_owned(), Site::policy(POLICY)),
        ("missing.test".to_owned(), Site::status(404)),
        (
            "moved.test".to_owned(),
            // Following it would give the ok.test policy and a 200.
            Site::redirect("https://mta-sts.ok.test/.well-known/mta-sts.txt"),
        ),
        ("huge.test".to_owned(), Site::oversized(200 * 1024)),
        ("expired.test".to_owned(), Site::policy(POLICY).expired()),
        (
            "longurl.test".to_owned(),
            Site::redirect(&format!("https://elsewhere.test/{}", "a".repeat(10_000))),
        ),
    ];
    let host = FakePolicyHost::start(&ca, sites).await.unwrap();
    let policy = AddressPolicy::unsafe_loopback_for_tests(25, host.addr().port());
    (relay(&ca, policy, limits()).await, host)
}

#[tokio::test]
async fn a_policy_fetch_answers_the_designed_json() {
    let (server, _host) = policy_relay().await;
    let (status, body) = get(&server, "/api/v1/policy?domain=ok.test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sorted_keys(&body),
        [
            "body",
            "content_type",
            "elapsed_ms",
            "location",
            "status",
            "tls",
            "url"
        ]
    );
    assert_eq!(
        body["url"],
        "https://mta-sts.ok.test/.well-known/mta-sts.txt"
    );
    assert_eq!(body["status"], 200);
    assert_eq!(body["content_type"], "text/plain");
    assert!(body["location"].is_null());
    assert_eq!(body["body"], POLICY);
    assert!(body["elapsed_ms"].is_u64());
    let tls = &body["tls"];
    assert_eq!(
        sorted_keys(tls),
        ["certificates", "chain_error", "chain_valid", "version"]
    );
    assert!(tls["version"].as_str().unwrap().starts_with("TLSv1."));
    assert_eq!(tls["chain_valid"], true, "{tls}");
    assert!(tls["chain_error"].is_null());
    assert_eq!(
        tls["certificates"][0]["dns_names"],
        serde_json::json!(["mta-sts.ok.test"])
    );
}

#[tokio::test]
async fn not_found_redirect_oversized_and_expired_policies_are_reported_as_they_are() {
    let (server, _host) = policy_relay().await;

    let (status, body) = get(&server, "/api/v1/policy?domain=missing.test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["status"].as_u64(), body["body"].as_str()),
        (Some(404), Some(""))
    );

    let (status, body) = get(&server, "/api/v1/policy?domain=moved.test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], 301, "the redirect was not followed");
    assert_eq!(
        body["location"],
        "https://mta-sts.ok.test/.well-known/mta-sts.txt"
    );
    assert_eq!(body["body"], "");

    let (status, body) = get(&server, "/api/v1/policy?domain=huge.test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], 200);
    assert_eq!(
        body["body"].as_str().unwrap().len(),
        BODY_CAP + 1,
        "read up to the cap plus one byte, no further"
    );

    let (status, body) = get(&server, "/api/v1/policy?domain=expired.test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tls"]["chain_valid"], false);
    assert_eq!(body["tls"]["chain_error"], "expired");
    assert_eq!(
        body["body"], POLICY,
        "the policy behind a bad certificate is shown"
    );
}

#[tokio::test]
async fn a_header_value_past_the_relays_cap_is_a_502() {
    let (server, _host) = policy_relay().await;
    let (status, body) = get(&server, "/api/v1/policy?domain=longurl.test").await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_GATEWAY,
        "upstream-failed",
        "the Location header is over 8192 bytes",
    );
}

#[tokio::test]
async fn a_policy_host_that_never_completes_the_handshake_is_a_504() {
    // Accepts connections and says nothing: the TLS handshake never completes.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let ca = TestCa::new();
    let short = Limits {
        fetch_timeout: Duration::from_secs(1),
        ..limits()
    };
    let server = relay(
        &ca,
        AddressPolicy::unsafe_loopback_for_tests(25, port),
        short,
    )
    .await;
    let (status, body) = get(&server, "/api/v1/policy?domain=silent.test").await;
    assert_error(
        status,
        &body,
        StatusCode::GATEWAY_TIMEOUT,
        "timeout",
        "the policy fetch",
    );
    held.abort();
}

#[tokio::test]
async fn without_the_loopback_allowance_the_same_request_is_forbidden() {
    let ca = TestCa::new();
    let fake = FakeSmtp::start(&ca, "mx.loopback.example.net", SmtpBehaviour::Healthy)
        .await
        .unwrap();
    let path = "/api/v1/mx-probe?host=mx.loopback.example.net";

    let allowed = relay(
        &ca,
        AddressPolicy::unsafe_loopback_for_tests(fake.port(), 443),
        limits(),
    )
    .await;
    let (status, body) = get(&allowed, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["chain_valid"], true);
    let probed = fake.commands();

    let default = relay(&ca, AddressPolicy::default(), limits()).await;
    let (status, body) = get(&default, path).await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "forbidden-target",
        "loopback",
    );
    assert_eq!(
        fake.commands(),
        probed,
        "the refused request reached nothing"
    );
}

#[tokio::test]
async fn dot_test_names_are_refused_outside_test_mode() {
    let ca = TestCa::new();
    let server = relay(&ca, AddressPolicy::public_only(), limits()).await;
    for path in [
        "/api/v1/mx-probe?host=mx.healthy.test",
        "/api/v1/policy?domain=ok.test",
    ] {
        let (status, body) = get(&server, path).await;
        assert_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid-host",
            "names under `.test` are never public mail hosts",
        );
    }
}
