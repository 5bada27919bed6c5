//! `stslens serve` as a static server: files, SPA fallback, MIME types, caching, compression,
//! security headers, /healthz, startup errors and shutdown. All on loopback, in-process.

mod common;

use common::{INDEX, PRECOMPRESSED_BR, PRECOMPRESSED_GZ, Server, client, site};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use stslens_web::serve::headers::SECURITY_HEADERS;
use stslens_web::serve::{self, Config, StartupError};

const WASM: &str = "/stslens-app-0123456789abcdef_bg.wasm";
const JS: &str = "/stslens-app-0123456789abcdef.js";

async fn site_server(name: &str) -> Server {
    let config = Config {
        site: Some(site(name)),
        relay: None,
        allow_origins: vec![],
        trust_proxy: false,
    };
    Server::start(config).await
}

fn header(res: &Response, name: impl reqwest::header::AsHeaderName) -> &str {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

fn assert_security_headers(res: &Response) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(
            header(res, *name),
            *value,
            "{name} on {} ({})",
            res.url(),
            res.status()
        );
    }
}

#[tokio::test]
async fn index_and_app_routes_get_index_html_uncached() {
    let server = site_server("routes").await;
    for path in [
        "/",
        "/index.html",
        "/check/example.com",
        "/check/mail.example.com.br",
        "/reports",
        "/generate",
    ] {
        let res = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            header(&res, CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&res, CACHE_CONTROL), "no-cache", "{path}");
        assert_security_headers(&res);
        assert_eq!(res.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn missing_files_are_404_not_index_html() {
    let server = site_server("missing").await;
    for path in [
        "/foo.wasm",
        "/assets/x.js",
        "/styles-ffffffffffffffff.css",
        "/favicon.ico",
    ] {
        let res = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_security_headers(&res);
        assert!(!res.text().await.unwrap().contains("<html"), "{path}");
    }
}

#[tokio::test]
async fn bundles_have_their_mime_type_and_immutable_caching() {
    let server = site_server("mime").await;
    for (path, mime) in [
        (WASM, "application/wasm"),
        (JS, "text/javascript"),
        ("/styles-0123456789abcdef.css", "text/css"),
    ] {
        let res = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            header(&res, CONTENT_TYPE).starts_with(mime),
            "{path}: {}",
            header(&res, CONTENT_TYPE)
        );
        assert_eq!(
            header(&res, CACHE_CONTROL),
            "public, max-age=31536000, immutable",
            "{path}"
        );
        assert_security_headers(&res);
    }
    let res = client()
        .get(server.url("/assets/pre.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&res, CACHE_CONTROL),
        "no-cache",
        "unhashed files are revalidated"
    );
}

#[tokio::test]
async fn compresses_on_the_fly_with_gzip_and_brotli() {
    let server = site_server("compress").await;
    let plain = client()
        .get(server.url(WASM))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let res = client()
        .get(server.url(WASM))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, CONTENT_ENCODING), "gzip");
    assert_security_headers(&res);
    let gz = res.bytes().await.unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "gzip magic");
    assert!(
        gz.len() < plain.len() / 4,
        "{} vs {}",
        gz.len(),
        plain.len()
    );
    let res = client()
        .get(server.url(WASM))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    assert!(res.bytes().await.unwrap().len() < plain.len() / 4);
    let res = client().get(server.url(WASM)).send().await.unwrap();
    assert_eq!(
        header(&res, CONTENT_ENCODING),
        "",
        "no encoding unless asked"
    );
}

#[tokio::test]
async fn precompressed_files_are_sent_as_they_are() {
    let server = site_server("precompressed").await;
    let res = client()
        .get(server.url("/assets/pre.js"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, CONTENT_ENCODING), "gzip");
    assert!(header(&res, CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PRECOMPRESSED_GZ);
    let res = client()
        .get(server.url("/assets/pre.js"))
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PRECOMPRESSED_BR);
}

#[tokio::test]
async fn healthz_and_api_paths_answer_json_with_security_headers() {
    let server = site_server("healthz").await;
    let res = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_security_headers(&res);
    let body = common::json(res).await;
    assert_eq!(body, serde_json::json!({"status": "ok", "relay": false}));
    // The relay is off: its paths are a JSON 404, not the app's index.html.
    for path in [
        "/api/v1/mx-probe?host=mx.example.com",
        "/api/v2/other",
        "/api",
    ] {
        let res = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_security_headers(&res);
        let body = common::json(res).await;
        assert_eq!(body["error"]["code"], "not-found", "{path}");
    }
}

#[tokio::test]
async fn other_methods_are_refused_with_headers() {
    let server = site_server("methods").await;
    let res = client()
        .post(server.url("/index.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_security_headers(&res);
}

#[test]
fn missing_or_empty_site_is_a_startup_error_naming_it() {
    let missing = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-dist");
    let err = serve::app(Config {
        site: Some(missing.clone()),
        relay: None,
        allow_origins: vec![],
        trust_proxy: false,
    })
    .unwrap_err();
    assert!(matches!(err, StartupError::Site(_)));
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let empty = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("empty-dist-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let err = serve::app(Config {
        site: Some(empty.clone()),
        relay: None,
        allow_origins: vec![],
        trust_proxy: false,
    })
    .unwrap_err();
    assert!(err.to_string().contains("has no index.html"), "{err}");
    assert!(
        err.to_string().contains(&empty.display().to_string()),
        "{err}"
    );
}

#[test]
fn the_binary_exits_2_naming_a_missing_site() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stslens"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--dist",
            "/nonexistent/stslens-dist",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/stslens-dist"), "{stderr}");
}

#[test]
fn the_binary_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dist = site("sigterm");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stslens"))
        .args(["serve", "--addr", "127.0.0.1:0", "--dist"])
        .arg(&dist)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("listening on"));
    assert!(
        listening.is_some(),
        "the server never said it was listening"
    );
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}

#[tokio::test]
async fn run_returns_after_shutdown() {
    let server = site_server("shutdown").await;
    let url = server.url("/healthz");
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    server.stop().await.unwrap();
    assert!(
        client().get(&url).send().await.is_err(),
        "no longer listening"
    );
}
