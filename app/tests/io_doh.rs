//! Browser tests for `io::fetch` and `io::doh` in headless Chromium: the request the browser
//! would send, the handling of every kind of response (built as real `Response` objects), and the
//! fetch path itself against the test page's own origin and a closed port, so nothing leaves the
//! machine. Run by `cargo xtask test` (wasm-bindgen-test-runner + chromedriver).

#![cfg(target_arch = "wasm32")]

use stslens_app::io::doh::{self, DohErrorKind, MAX_RESPONSE};
use stslens_app::io::fetch::{self, FetchError};
use stslens_core::dns::{Query, RecordType, Status};
use stslens_core::probe::FailureKind;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{RequestCredentials, RequestMode, Response, ResponseInit};

wasm_bindgen_test_configure!(run_in_browser);

/// A `Response` as a server would send it.
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

/// The answer to `query` (MX example.com): the question echoed, QR and RA set, one MX record
/// `10 mx.example.com` whose owner is a compression pointer to the question (RFC 1035 §4.1).
fn mx_answer(query: &Query) -> Vec<u8> {
    let mut msg = query.to_wire();
    msg[2] |= 0x80; // QR: a response
    msg[3] |= 0x80; // RA
    msg[7] = 1; // ANCOUNT = 1
    msg.extend_from_slice(&[0xc0, 0x0c, 0, 15, 0, 1, 0, 0, 0x0e, 0x10]);
    let mut rdata = vec![0, 10];
    for label in ["mx", "example", "com"] {
        rdata.push(label.len() as u8);
        rdata.extend_from_slice(label.as_bytes());
    }
    rdata.push(0);
    msg.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    msg.extend_from_slice(&rdata);
    msg
}

fn origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

#[wasm_bindgen_test]
fn the_request_is_an_rfc_8484_get_without_credentials() {
    let query = Query::new("Example.com.", RecordType::Mx).unwrap();
    let request = doh::request(&query, "https://dns.example/dns-query", None).unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(
        request.url(),
        query.get_url("https://dns.example/dns-query")
    );
    assert!(
        request
            .url()
            .starts_with("https://dns.example/dns-query?dns=")
    );
    assert!(!request.url().ends_with('='), "base64url without padding");
    assert_eq!(
        request.headers().get("accept").unwrap().as_deref(),
        Some("application/dns-message")
    );
    assert_eq!(request.mode(), RequestMode::Cors);
    assert_eq!(request.credentials(), RequestCredentials::Omit);
    let with_query = doh::request(&query, "https://dns.example/q?x=1", None).unwrap();
    assert!(
        with_query
            .url()
            .starts_with("https://dns.example/q?x=1&dns=")
    );
}

#[wasm_bindgen_test]
async fn a_good_answer_is_decoded_by_core() {
    let query = Query::new("example.com", RecordType::Mx).unwrap();
    let ok = response(200, Some("application/dns-message"), &mx_answer(&query));
    let lookup = doh::read_answer(&query, &ok).await.unwrap();
    assert_eq!(lookup.status, Status::Answer);
    let mx: Vec<_> = lookup
        .mx()
        .map(|m| (m.preference, m.exchange.clone()))
        .collect();
    assert_eq!(mx, [(10, "mx.example.com".to_owned())]);
    // Parameters on the media type are fine.
    let with_params = response(
        200,
        Some("Application/DNS-Message; charset=binary"),
        &mx_answer(&query),
    );
    assert!(doh::read_answer(&query, &with_params).await.is_ok());
}

#[wasm_bindgen_test]
async fn bad_answers_say_what_was_wrong() {
    let query = Query::new("example.com", RecordType::Mx).unwrap();
    let status = response(404, Some("text/html"), b"<h1>404</h1>");
    assert_eq!(
        doh::read_answer(&query, &status).await,
        Err(DohErrorKind::Status(404))
    );
    let html = response(200, Some("text/html"), b"<html></html>");
    assert_eq!(
        doh::read_answer(&query, &html).await,
        Err(DohErrorKind::ContentType(Some("text/html".into())))
    );
    let none = response(200, None, &mx_answer(&query));
    assert!(matches!(
        doh::read_answer(&query, &none).await,
        Err(DohErrorKind::ContentType(_))
    ));
    let huge = response(
        200,
        Some("application/dns-message"),
        &vec![0; MAX_RESPONSE + 10],
    );
    assert_eq!(
        doh::read_answer(&query, &huge).await,
        Err(DohErrorKind::TooLarge)
    );
    let other = Query::new("example.org", RecordType::Mx).unwrap();
    let mismatch = response(200, Some("application/dns-message"), &mx_answer(&other));
    let err = doh::read_answer(&query, &mismatch).await.unwrap_err();
    assert!(matches!(err, DohErrorKind::Decode(_)), "{err:?}");
    assert!(
        err.to_string().contains("not a valid DNS response"),
        "{err}"
    );
}

#[wasm_bindgen_test]
async fn the_fetch_path_reaches_a_server_and_reports_its_status() {
    // The test page's own server has no resolver: it answers 404, which must come back as such.
    let resolver = format!("{}/no-such-resolver", origin());
    let err = doh::lookup(&resolver, "example.com", RecordType::Mx)
        .await
        .unwrap_err();
    assert!(matches!(err.kind, DohErrorKind::Status(404)), "{err:?}");
    assert_eq!(err.question, "MX example.com");
    assert!(err.to_string().contains(&resolver), "{err}");
    assert_eq!(err.failure().kind, FailureKind::Network);
}

#[wasm_bindgen_test]
async fn an_unreachable_resolver_is_said_plainly() {
    // Nothing listens on port 9 of the loopback address (and Chromium refuses it anyway).
    let err = doh::lookup(
        "http://127.0.0.1:9/dns-query",
        "example.com",
        RecordType::Txt,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, DohErrorKind::Unreachable);
    assert!(err.to_string().contains("could not be reached"), "{err}");
    let invalid = doh::lookup("https://dns.example", "exa mple.com", RecordType::Txt)
        .await
        .unwrap_err();
    assert!(
        matches!(invalid.kind, DohErrorKind::Query(_)),
        "{invalid:?}"
    );
}

#[wasm_bindgen_test]
async fn an_aborted_request_is_a_timeout() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let query = Query::new("example.com", RecordType::A).unwrap();
    let request = doh::request(&query, &origin(), Some(&controller.signal())).unwrap();
    assert_eq!(
        fetch::send(&request).await.unwrap_err(),
        FetchError::Timeout
    );
}

#[wasm_bindgen_test]
fn rejections_are_sorted_into_what_a_page_can_tell() {
    let abort = js_sys::Error::new("aborted");
    abort.set_name("AbortError");
    assert_eq!(fetch::classify(&abort.into()), FetchError::Timeout);
    let type_error: JsValue = js_sys::TypeError::new("Failed to fetch").into();
    assert_eq!(
        fetch::classify(&type_error),
        FetchError::Blocked("Failed to fetch".into())
    );
    assert_eq!(
        fetch::classify(&JsValue::from_str("odd")),
        FetchError::Other("odd".into())
    );
}

#[wasm_bindgen_test]
async fn bodies_are_read_up_to_the_cap() {
    let big = response(200, Some("text/plain"), &vec![b'x'; 100_000]);
    assert_eq!(
        fetch::read_capped(&big, 65_537).await.unwrap().len(),
        65_537
    );
    let small = response(200, Some("text/plain"), b"version: STSv1\n");
    assert_eq!(
        fetch::read_capped(&small, 65_537).await.unwrap(),
        b"version: STSv1\n"
    );
    let empty = response(200, None, b"");
    assert!(fetch::read_capped(&empty, 10).await.unwrap().is_empty());
}
