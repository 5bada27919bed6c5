//! Browser tests for `io::policy` and `io::relay` in headless Chromium: the request options that
//! make `fetch` behave like a sender, how responses and refusals are classified, and the relay's
//! answers and errors. Network paths go to the test page's own origin or a closed loopback port.

#![cfg(target_arch = "wasm32")]

use stslens_app::io::policy::{self, PolicyFetchError};
use stslens_app::io::relay::{self, RelayError};
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::policy::fetch::BODY_CAP;
use stslens_core::probe::{FailureKind, MxProbe};
use wasm_bindgen_test::*;
use web_sys::{
    ReferrerPolicy, RequestCache, RequestCredentials, RequestMode, RequestRedirect, Response,
    ResponseInit,
};

wasm_bindgen_test_configure!(run_in_browser);

fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> Response {
    let init = ResponseInit::new();
    init.set_status(status);
    let headers = web_sys::Headers::new().unwrap();
    if let Some(t) = content_type {
        headers.set("Content-Type", t).unwrap();
    }
    init.set_headers(&headers);
    let mut body = body.to_vec();
    Response::new_with_opt_u8_array_and_init(Some(&mut body), &init).unwrap()
}

fn origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

const URL: &str = "https://mta-sts.example.com/.well-known/mta-sts.txt";
const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n";

#[wasm_bindgen_test]
fn the_request_follows_no_redirect_and_uses_no_cache() {
    let request = policy::request(URL, None).unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(request.url(), URL);
    assert_eq!(request.redirect(), RequestRedirect::Manual);
    assert_eq!(request.cache(), RequestCache::NoStore);
    assert_eq!(request.mode(), RequestMode::Cors);
    assert_eq!(request.credentials(), RequestCredentials::Omit);
    assert_eq!(request.referrer_policy(), ReferrerPolicy::NoReferrer);
}

#[wasm_bindgen_test]
async fn a_response_becomes_cores_policy_probe_without_certificate_facts() {
    let ok = response(200, Some("text/plain; charset=utf-8"), POLICY.as_bytes());
    let probe = policy::read_response(URL, &ok, || 7).await.unwrap();
    assert_eq!(probe.status, 200);
    assert_eq!(
        probe.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(probe.body, POLICY);
    assert_eq!(probe.url, URL);
    assert_eq!(probe.elapsed_ms, 7);
    assert!(
        probe.tls.chain_valid,
        "a response means the browser accepted the certificate"
    );
    assert!(probe.tls.certificates.is_empty());

    let missing = response(404, Some("text/html"), b"<h1>Not found</h1>");
    let probe = policy::read_response(URL, &missing, || 0).await.unwrap();
    assert_eq!(
        (probe.status, probe.body.as_str()),
        (404, ""),
        "no body read but for a 200"
    );
}

#[wasm_bindgen_test]
async fn an_oversized_policy_is_read_one_byte_past_the_cap() {
    let big = response(200, Some("text/plain"), &vec![b'#'; BODY_CAP * 3]);
    let probe = policy::read_response(URL, &big, || 0).await.unwrap();
    assert_eq!(probe.body.len(), BODY_CAP + 1);
}

#[wasm_bindgen_test]
async fn an_unreachable_or_cors_blocked_host_is_blocked() {
    // A closed port and a refused cross-origin read look the same to a page: a TypeError.
    let err = policy::fetch_url("http://127.0.0.1:9/.well-known/mta-sts.txt")
        .await
        .unwrap_err();
    assert!(matches!(err, PolicyFetchError::Blocked { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("CORS") && text.contains("does not say which"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn a_same_origin_fetch_reads_status_and_type() {
    // The test page's server answers its own page and a 404 for anything else.
    let page = policy::fetch_url(&format!("{}/", origin())).await.unwrap();
    assert_eq!(page.status, 200);
    assert!(
        page.content_type
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert!(!page.body.is_empty());
    let missing = policy::fetch_url(&format!("{}/.well-known/mta-sts.txt", origin()))
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
}

fn host(name: &str) -> DomainName {
    DomainName::parse(name, TrailingDot::Refuse).unwrap()
}

#[wasm_bindgen_test]
fn relay_urls_carry_only_the_name() {
    assert_eq!(
        relay::mx_probe_url("https://relay.example/", &host("mx.example.com")),
        "https://relay.example/api/v1/mx-probe?host=mx.example.com"
    );
    assert_eq!(
        relay::policy_url("https://relay.example", &host("example.com")),
        "https://relay.example/api/v1/policy?domain=example.com"
    );
}

#[wasm_bindgen_test]
async fn relay_answers_and_refusals() {
    let probe = r#"{"host":"mx.example.com","address":"192.0.2.25","banner":"mx ESMTP","starttls":true,
        "tls":{"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256"},"certificates":[],
        "chain_valid":true,"chain_error":null,"elapsed_ms":12}"#;
    let ok = response(200, Some("application/json"), probe.as_bytes());
    let parsed: MxProbe = relay::read_answer("https://r", &ok).await.unwrap();
    assert!(parsed.starttls);

    let timeout = response(
        504,
        Some("application/json"),
        br#"{"error":{"code":"timeout","message":"the SMTP probe: the greeting timed out"}}"#,
    );
    let err = relay::read_answer::<MxProbe>("https://r", &timeout)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        RelayError::Refused {
            status: 504,
            code: "timeout".into(),
            message: "the SMTP probe: the greeting timed out".into()
        }
    );
    assert_eq!(err.failure().kind, FailureKind::Timeout);
    assert!(err.failure().message.contains("greeting timed out"));

    let html = response(200, Some("text/html"), b"<!doctype html><p>app</p>");
    let err = relay::read_answer::<MxProbe>("https://r", &html)
        .await
        .unwrap_err();
    assert!(matches!(err, RelayError::Malformed { .. }), "{err:?}");
    assert_eq!(err.failure().kind, FailureKind::Protocol);
}

#[wasm_bindgen_test]
async fn a_server_without_healthz_has_no_known_relay() {
    // The test server is not `stslens serve`: /healthz is a 404 page, which is not an answer.
    assert_eq!(relay::has_relay(&origin()).await, None);
    assert_eq!(relay::has_relay("http://127.0.0.1:9").await, None);
    let err = relay::probe_mx("http://127.0.0.1:9", &host("mx.example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, RelayError::Unreachable { .. }), "{err:?}");
}
