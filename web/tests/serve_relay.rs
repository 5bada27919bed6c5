//! The relay's behaviour with a fake upstream: the JSON shapes, timeouts, upstream failures and caps,
//! the rate limit, the concurrency cap, the cache, and CORS. In-process server on loopback.

mod common;

use common::{
    Behaviour, FakeResolver, FakeUpstream, Server, client, json, relay_config, test_limits,
};
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use stslens_web::serve::{AddressPolicy, Limits};
use tokio::sync::Semaphore;

fn resolver() -> FakeResolver {
    let mut entries = Vec::new();
    for i in 0..20 {
        entries.push((
            format!("mx{i}.example.net"),
            vec!["93.184.215.14".parse().unwrap()],
        ));
    }
    entries.push((
        "mta-sts.example.net".into(),
        vec!["93.184.215.14".parse().unwrap()],
    ));
    entries.push(("mx.slow-resolver.example.net".into(), vec![]));
    FakeResolver(entries.into_iter().collect())
}

async fn start(behaviour: Behaviour, limits: Limits) -> (Server, Arc<FakeUpstream>) {
    let upstream = FakeUpstream::new(behaviour);
    let config = relay_config(
        upstream.clone(),
        resolver(),
        AddressPolicy::public_only(),
        limits,
    );
    (Server::start(config).await, upstream)
}

async fn get(server: &Server, path: &str) -> reqwest::Response {
    client().get(server.url(path)).send().await.unwrap()
}

#[tokio::test]
async fn answers_have_the_designed_json_shapes() {
    let (server, _) = start(Behaviour::Answer, test_limits()).await;
    let res = get(&server, "/api/v1/mx-probe?host=mx1.example.net").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = json(res).await;
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "host",
        "address",
        "banner",
        "starttls",
        "tls",
        "certificates",
        "chain_valid",
        "chain_error",
        "elapsed_ms",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(body["address"], "93.184.215.14");
    assert_eq!(body["tls"]["version"], "TLSv1.3");
    let cert = body["certificates"][0].as_object().unwrap();
    let mut cert_keys: Vec<&str> = cert.keys().map(String::as_str).collect();
    cert_keys.sort_unstable();
    assert_eq!(
        cert_keys,
        [
            "dns_names",
            "issuer",
            "not_after",
            "not_before",
            "sha256",
            "subject"
        ]
    );

    let body = json(get(&server, "/api/v1/policy?domain=example.net").await).await;
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
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
        "https://mta-sts.example.net/.well-known/mta-sts.txt"
    );
    let mut tls_keys: Vec<&str> = body["tls"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    tls_keys.sort_unstable();
    assert_eq!(
        tls_keys,
        ["certificates", "chain_error", "chain_valid", "version"]
    );
}

#[tokio::test]
async fn a_slow_upstream_or_resolver_is_a_504_timeout() {
    let (server, upstream) = start(Behaviour::Hang, test_limits()).await;
    for path in [
        "/api/v1/mx-probe?host=mx1.example.net",
        "/api/v1/policy?domain=example.net",
        "/api/v1/mx-probe?host=slow.example.net",
    ] {
        let res = get(&server, path).await;
        assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT, "{path}");
        assert_eq!(json(res).await["error"]["code"], "timeout", "{path}");
    }
    assert_eq!(
        upstream.calls(),
        2,
        "the slow resolver never reached the upstream"
    );
    assert_eq!(
        upstream.in_flight.load(Ordering::SeqCst),
        0,
        "timed-out probes were dropped"
    );
}

#[tokio::test]
async fn upstream_failures_are_502_with_a_sanitised_message() {
    let (server, _) = start(Behaviour::Fail, test_limits()).await;
    let res = get(&server, "/api/v1/mx-probe?host=mx1.example.net").await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let message = json(res).await["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with("the SMTP probe failed: unexpected greeting"),
        "{message}"
    );
    assert!(!message.contains(['\r', '\n']), "{message:?}");
    // A name without addresses is the upstream's failure too, not the caller's.
    let res = get(&server, "/api/v1/mx-probe?host=mx.nxdomain.example.net").await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn answers_past_the_relays_caps_are_refused() {
    let (server, _) = start(Behaviour::Oversized, test_limits()).await;
    for path in [
        "/api/v1/mx-probe?host=mx1.example.net",
        "/api/v1/policy?domain=example.net",
    ] {
        let res = get(&server, path).await;
        assert_eq!(res.status(), StatusCode::BAD_GATEWAY, "{path}");
        let body = res.bytes().await.unwrap();
        assert!(
            body.len() < 1024,
            "{path}: the oversized answer was not passed on"
        );
    }
}

#[tokio::test]
async fn bursts_past_the_rate_limit_get_429_with_retry_after() {
    let limits = Limits {
        burst: 3,
        per_minute: 1,
        ..test_limits()
    };
    let (server, upstream) = start(Behaviour::Answer, limits).await;
    for i in 0..3 {
        let res = get(&server, &format!("/api/v1/mx-probe?host=mx{i}.example.net")).await;
        assert_eq!(res.status(), StatusCode::OK, "request {i}");
    }
    for path in [
        "/api/v1/mx-probe?host=mx9.example.net",
        "/api/v1/policy?domain=example.net",
        "/api/v1/mx-probe?host=127.0.0.1",
    ] {
        let res = get(&server, path).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(json(res).await["error"]["code"], "rate-limited");
    }
    // Without --trust-proxy, X-Forwarded-For is the client's own claim and changes nothing.
    let res = client()
        .get(server.url("/api/v1/mx-probe?host=mx9.example.net"))
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(upstream.calls(), 3);
    // The site's other paths are not rate-limited.
    assert_eq!(get(&server, "/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_the_last_forwarded_address() {
    let upstream = FakeUpstream::new(Behaviour::Answer);
    let mut config = relay_config(
        upstream.clone(),
        resolver(),
        AddressPolicy::public_only(),
        Limits {
            burst: 1,
            per_minute: 1,
            ..test_limits()
        },
    );
    config.trust_proxy = true;
    let server = Server::start(config).await;
    let ask = |xff: &'static str, host: &'static str| {
        let url = server.url(&format!("/api/v1/mx-probe?host={host}"));
        async move {
            client()
                .get(url)
                .header("x-forwarded-for", xff)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(ask("198.51.100.1", "mx1.example.net").await, StatusCode::OK);
    assert_eq!(
        ask("198.51.100.1", "mx2.example.net").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(ask("198.51.100.2", "mx3.example.net").await, StatusCode::OK);
    // A spoofed first entry does not help: the proxy's appended (last) entry counts.
    assert_eq!(
        ask("203.0.113.9, 198.51.100.2", "mx4.example.net").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_concurrency_cap_holds_and_excess_is_refused_after_a_short_wait() {
    let gate = Arc::new(Semaphore::new(0));
    let limits = Limits {
        max_concurrent: 2,
        queue_wait: Duration::from_millis(200),
        ..test_limits()
    };
    let limits = Limits {
        probe_timeout: Duration::from_secs(30),
        ..limits
    };
    let (server, upstream) = start(Behaviour::Gate(gate.clone()), limits).await;
    let done = Arc::new(tokio::sync::Notify::new());
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..5 {
        let url = server.url(&format!("/api/v1/mx-probe?host=mx{i}.example.net"));
        let (done, finished) = (done.clone(), finished.clone());
        tasks.push(tokio::spawn(async move {
            let status = client().get(url).send().await.unwrap().status();
            finished.fetch_add(1, Ordering::SeqCst);
            done.notify_one();
            status
        }));
    }
    // The three that found no slot give up while the two holders are still held at the gate.
    while finished.load(Ordering::SeqCst) < 3 {
        tokio::time::timeout(Duration::from_secs(10), done.notified())
            .await
            .expect("refusals arrive");
    }
    assert_eq!(upstream.in_flight.load(Ordering::SeqCst), 2);
    gate.add_permits(10);
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 429, 429, 429]);
    assert_eq!(upstream.max_in_flight.load(Ordering::SeqCst), 2);
    assert_eq!(upstream.calls(), 2);
}

#[tokio::test]
async fn the_cache_answers_a_repeat_and_a_burst_costs_one_probe() {
    let gate = Arc::new(Semaphore::new(0));
    let limits = Limits {
        probe_timeout: Duration::from_secs(30),
        ..test_limits()
    };
    let (server, upstream) = start(Behaviour::Gate(gate.clone()), limits).await;
    let url = server.url("/api/v1/mx-probe?host=mx1.example.net");
    let burst: Vec<_> = (0..5)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { client().get(url).send().await.unwrap() })
        })
        .collect();
    while upstream.calls() == 0 {
        tokio::task::yield_now().await;
    }
    gate.add_permits(10);
    let mut bodies = Vec::new();
    let mut hits = 0;
    for t in burst {
        let res = t.await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        hits += usize::from(res.headers()["x-relay-cache"] == "hit");
        bodies.push(res.bytes().await.unwrap());
    }
    assert_eq!(upstream.calls(), 1, "one probe for the whole burst");
    assert_eq!(hits, 4);
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    // A later repeat, with a trailing dot and other case, is the same host: still cached.
    let res = get(&server, "/api/v1/mx-probe?host=MX1.example.net.").await;
    assert_eq!(res.headers()["x-relay-cache"], "hit");
    assert_eq!(upstream.calls(), 1);
    // The policy endpoint has its own entries.
    let res = get(&server, "/api/v1/policy?domain=example.net").await;
    assert_eq!(
        (res.status(), &res.headers()["x-relay-cache"]),
        (StatusCode::OK, &"miss".parse().unwrap())
    );
    assert_eq!(upstream.calls(), 2);
}

#[tokio::test]
async fn failures_are_cached_too() {
    let (server, upstream) = start(Behaviour::Hang, test_limits()).await;
    assert_eq!(
        get(&server, "/api/v1/mx-probe?host=mx1.example.net")
            .await
            .status(),
        StatusCode::GATEWAY_TIMEOUT
    );
    let res = get(&server, "/api/v1/mx-probe?host=mx1.example.net").await;
    assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(res.headers()["x-relay-cache"], "hit");
    assert_eq!(upstream.calls(), 1);
}

#[tokio::test]
async fn cors_allows_configured_and_same_origins_and_refuses_others() {
    let (server, upstream) = start(Behaviour::Answer, test_limits()).await;
    let path = "/api/v1/mx-probe?host=mx1.example.net";
    let with_origin = |origin: String| {
        client()
            .get(server.url(path))
            .header("origin", origin)
            .send()
    };

    let res = with_origin("https://evil.example".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(json(res).await["error"]["code"], "forbidden-origin");
    assert_eq!(upstream.calls(), 0, "a refused origin costs no probe");

    let res = with_origin("https://app.example.org".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert_eq!(res.headers()["vary"], "Origin");
    assert_eq!(
        res.headers()["access-control-expose-headers"],
        "Retry-After, X-Relay-Cache"
    );

    let res = with_origin(format!("http://{}", server.addr))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "same origin");
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, server.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let res = preflight("https://app.example.org").await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert_eq!(res.headers()["access-control-allow-methods"], "GET");
    let res = preflight("https://evil.example").await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn only_get_reaches_the_relay() {
    let (server, upstream) = start(Behaviour::Answer, test_limits()).await;
    let res = client()
        .post(server.url("/api/v1/mx-probe?host=mx1.example.net"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(upstream.calls(), 0);
}
