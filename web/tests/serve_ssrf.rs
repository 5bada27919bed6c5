//! The relay's SSRF matrix: every way of naming a non-public target is refused with the JSON error
//! and the right status, and the upstream is never called. In-process server on loopback, fake
//! resolver and upstream.

mod common;

use common::{
    Behaviour, FakeResolver, FakeUpstream, Server, client, json, relay_config, test_limits,
};
use reqwest::StatusCode;
use std::sync::Arc;
use stslens_web::serve::AddressPolicy;

/// Names and what the fake resolver answers for them. `mta-sts.<name>` resolves the same, so the
/// policy endpoint meets the same addresses.
const RESOLVES_TO: &[(&str, &[&str])] = &[
    ("loopback.example.net", &["127.0.0.1"]),
    ("loopback2.example.net", &["127.0.0.2"]),
    ("loopback6.example.net", &["::1"]),
    ("private10.example.net", &["10.0.0.1"]),
    ("private172.example.net", &["172.16.5.4"]),
    ("private192.example.net", &["192.168.1.1"]),
    ("linklocal.example.net", &["169.254.1.1"]),
    ("linklocal6.example.net", &["fe80::1"]),
    ("cgnat.example.net", &["100.64.0.1"]),
    ("metadata.example.net", &["169.254.169.254"]),
    ("metadata6.example.net", &["fd00:ec2::254"]),
    ("multicast.example.net", &["224.0.0.1"]),
    ("multicast6.example.net", &["ff02::1"]),
    ("unspecified.example.net", &["0.0.0.0"]),
    ("unspecified6.example.net", &["::"]),
    ("thisnet.example.net", &["0.1.2.3"]),
    ("broadcast.example.net", &["255.255.255.255"]),
    ("reserved.example.net", &["240.0.0.1"]),
    ("doc1.example.net", &["192.0.2.10"]),
    ("doc2.example.net", &["198.51.100.10"]),
    ("doc3.example.net", &["203.0.113.10"]),
    ("doc6.example.net", &["2001:db8::1"]),
    ("bench.example.net", &["198.18.0.1"]),
    ("mapped.example.net", &["::ffff:127.0.0.1"]),
    ("mapped-private.example.net", &["::ffff:10.0.0.1"]),
    ("mapped-metadata.example.net", &["::ffff:169.254.169.254"]),
    ("compat.example.net", &["::127.0.0.1"]),
    ("nat64.example.net", &["64:ff9b::a00:1"]),
    ("sixtofour.example.net", &["2002:7f00:1::1"]),
    ("ula.example.net", &["fd12:3456::1"]),
    ("sitelocal.example.net", &["fec0::1"]),
    ("mixed.example.net", &["93.184.215.14", "10.0.0.1"]),
    ("mixed6.example.net", &["2606:2800:21f:cb07::1", "::1"]),
    ("public.example.net", &["93.184.215.14"]),
    ("public6.example.net", &["2606:2800:21f:cb07::1"]),
    ("mapped-public.example.net", &["::ffff:93.184.215.14"]),
];

async fn start(policy: AddressPolicy) -> (Server, Arc<FakeUpstream>) {
    let mut entries: Vec<(String, Vec<std::net::IpAddr>)> = Vec::new();
    for (name, ips) in RESOLVES_TO {
        let ips: Vec<std::net::IpAddr> = ips.iter().map(|i| i.parse().unwrap()).collect();
        entries.push(((*name).to_owned(), ips.clone()));
        entries.push((format!("mta-sts.{name}"), ips));
    }
    let resolver = FakeResolver(entries.into_iter().collect());
    let upstream = FakeUpstream::new(Behaviour::Answer);
    let server = Server::start(relay_config(
        upstream.clone(),
        resolver,
        policy,
        test_limits(),
    ))
    .await;
    (server, upstream)
}

/// Asks both endpoints about `value` (raw, unencoded in the URL) and checks status and error code.
async fn expect_refusal(server: &Server, value: &str, status: StatusCode, code: &str) {
    for (path, param) in [("/api/v1/mx-probe", "host"), ("/api/v1/policy", "domain")] {
        let url = server.url(&format!("{path}?{param}={value}"));
        let res = client().get(&url).send().await.unwrap();
        assert_eq!(res.status(), status, "{url}");
        assert_eq!(res.headers()["content-type"], "application/json", "{url}");
        let body = json(res).await;
        let error = body["error"]
            .as_object()
            .unwrap_or_else(|| panic!("{url}: {body}"));
        assert_eq!(error.len(), 2, "{url}: exactly code and message: {body}");
        assert_eq!(error["code"], code, "{url}: {body}");
        assert!(!error["message"].as_str().unwrap().is_empty(), "{url}");
    }
}

#[tokio::test]
async fn ip_literals_in_every_notation_are_invalid_hosts() {
    let (server, upstream) = start(AddressPolicy::public_only()).await;
    for literal in [
        "127.0.0.1",
        "127.0.0.1.",
        "2130706433",
        "0x7f000001",
        "0X7F000001",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.0.0.0x1",
        "127.1",
        "10.1",
        "169.254.169.254",
        "0.0.0.0",
        "0",
        "[::1]",
        "::1",
        "[::ffff:127.0.0.1]",
        "::ffff:127.0.0.1",
        "fe80::1%25eth0",
        "[fd00:ec2::254]",
    ] {
        expect_refusal(&server, literal, StatusCode::BAD_REQUEST, "invalid-host").await;
    }
    assert_eq!(upstream.calls(), 0);
}

#[tokio::test]
async fn malformed_names_ports_paths_userinfo_and_encodings_are_invalid_hosts() {
    let (server, upstream) = start(AddressPolicy::public_only()).await;
    let too_long = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(63),
    ]
    .join(".");
    let long_label = format!("{}.example.com", "a".repeat(64));
    for value in [
        "",
        "public.example.net:25",
        "public.example.net:443",
        "public.example.net/path",
        "public.example.net/",
        "http://public.example.net",
        "user@public.example.net",
        "user:pass@public.example.net",
        "public.example.net%2f..%2f",
        "pub%6cic.example.net",
        "public.example.net%00",
        "public.example.net..",
        ".public.example.net",
        "public..example.net",
        "-public.example.net",
        "public_.example.net",
        "*.example.net",
        "mx",
        "localhost",
        "localhost.",
        "mx.localhost",
        "printer.local",
        "metadata.google.internal",
        "1.0.0.127.in-addr.arpa",
        too_long.as_str(),
        long_label.as_str(),
    ] {
        expect_refusal(&server, value, StatusCode::BAD_REQUEST, "invalid-host").await;
    }
    for query in [
        "",
        "?",
        "?hostname=public.example.net",
        "?host=a.example.net&host=b.example.net",
    ] {
        let res = client()
            .get(server.url(&format!("/api/v1/mx-probe{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(json(res).await["error"]["code"], "invalid-host", "{query}");
    }
    assert_eq!(upstream.calls(), 0);
}

#[tokio::test]
async fn names_resolving_to_non_public_addresses_are_forbidden_targets() {
    let (server, upstream) = start(AddressPolicy::public_only()).await;
    for (name, _) in RESOLVES_TO
        .iter()
        .filter(|(n, _)| !n.starts_with("public") && !n.starts_with("mapped-public"))
    {
        expect_refusal(&server, name, StatusCode::FORBIDDEN, "forbidden-target").await;
        // A trailing dot is the same name.
        expect_refusal(
            &server,
            &format!("{name}."),
            StatusCode::FORBIDDEN,
            "forbidden-target",
        )
        .await;
    }
    assert_eq!(upstream.calls(), 0, "the upstream was never reached");
}

#[tokio::test]
async fn forbidden_messages_name_the_range_not_the_address() {
    let (server, _) = start(AddressPolicy::public_only()).await;
    let res = client()
        .get(server.url("/api/v1/mx-probe?host=metadata.example.net"))
        .send()
        .await
        .unwrap();
    let message = json(res).await["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        message,
        "metadata.example.net resolves to the cloud metadata address (169.254.169.254); \
         the relay only connects to public addresses"
    );
    let res = client()
        .get(server.url("/api/v1/mx-probe?host=private10.example.net"))
        .send()
        .await
        .unwrap();
    let message = json(res).await["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!message.contains("10.0.0.1"), "{message}");
}

#[tokio::test]
async fn public_names_reach_the_upstream_at_exactly_the_checked_address_and_fixed_port() {
    let (server, upstream) = start(AddressPolicy::public_only()).await;
    for (name, want) in [
        ("public.example.net", "93.184.215.14:25"),
        ("public6.example.net", "[2606:2800:21f:cb07::1]:25"),
        ("mapped-public.example.net", "93.184.215.14:25"),
    ] {
        let res = client()
            .get(server.url(&format!("/api/v1/mx-probe?host={name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{name}");
        let body = json(res).await;
        assert_eq!(body["host"], name);
        let (host, addr) = upstream.targets.lock().unwrap().last().cloned().unwrap();
        assert_eq!((host.as_str(), addr), (name, want.parse().unwrap()));
    }
    let res = client()
        .get(server.url("/api/v1/policy?domain=public.example.net"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (host, addr) = upstream.targets.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (host.as_str(), addr),
        (
            "mta-sts.public.example.net",
            "93.184.215.14:443".parse().unwrap()
        )
    );
}

#[tokio::test]
async fn loopback_is_refused_by_default_and_allowed_only_by_the_test_policy() {
    let (server, upstream) = start(AddressPolicy::default()).await;
    expect_refusal(
        &server,
        "loopback.example.net",
        StatusCode::FORBIDDEN,
        "forbidden-target",
    )
    .await;
    assert_eq!(upstream.calls(), 0);
    drop(server);

    let (server, upstream) = start(AddressPolicy::unsafe_loopback_for_tests(2525, 8443)).await;
    let res = client()
        .get(server.url("/api/v1/mx-probe?host=loopback.example.net"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = client()
        .get(server.url("/api/v1/policy?domain=loopback6.example.net"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let targets = upstream.targets.lock().unwrap().clone();
    assert_eq!(targets[0].1, "127.0.0.1:2525".parse().unwrap());
    assert_eq!(targets[1].1, "[::1]:8443".parse().unwrap());
    drop(targets);
    // Everything else stays refused, loopback reached through an IPv4 embedding included.
    for name in [
        "private10.example.net",
        "metadata.example.net",
        "mapped.example.net",
        "nat64.example.net",
    ] {
        expect_refusal(&server, name, StatusCode::FORBIDDEN, "forbidden-target").await;
    }
    assert_eq!(upstream.calls(), 2);
}
