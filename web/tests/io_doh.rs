//! DoH client against the loopback fake resolver: every record kind, split TXT, CNAME chains,
//! NXDOMAIN / NODATA / SERVFAIL, the AD bit, GET and POST, and resolver fallback.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use stslens_core::dns::{RecordData, RecordType, Status};
use stslens_e2e::doh::{FakeDoh, Zone};
use stslens_web::io::doh::{DohClient, DohError, DohMethod, DohOptions};
use stslens_web::io::tls::TrustAnchors;

fn zone() -> Zone {
    Zone::new()
        .mx("example.test", 10, "mx1.example.test")
        .mx("example.test", 20, "mx2.example.test")
        .mx("nullmx.test", 0, ".")
        .txt("_mta-sts.example.test", &["v=STSv1; ", "id=20240101;"])
        .txt("_mta-sts.example.test", &["unrelated text"])
        .a("mx1.example.test", Ipv4Addr::new(192, 0, 2, 1))
        .aaaa(
            "mx1.example.test",
            "2001:db8::1".parse::<Ipv6Addr>().unwrap(),
        )
        .cname("mta-sts.example.test", "sts.provider.test")
        .cname("sts.provider.test", "edge.provider.test")
        .a("edge.provider.test", Ipv4Addr::new(198, 51, 100, 7))
        .tlsa("_25._tcp.mx1.example.test", 3, 1, 1, "0a0b0c")
        .servfail("broken.test")
}

fn client(resolvers: Vec<String>, method: DohMethod) -> DohClient {
    let options = DohOptions {
        resolvers,
        method,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
    };
    DohClient::new(&TrustAnchors::empty(), options).unwrap()
}

#[tokio::test]
async fn every_record_kind_over_get_and_post() {
    let fake = FakeDoh::start(zone()).await.unwrap();
    for method in [DohMethod::Get, DohMethod::Post] {
        let doh = client(vec![fake.url()], method);

        let mx = doh.lookup("example.test", RecordType::Mx).await.unwrap();
        let hosts: Vec<_> = mx
            .mx()
            .map(|m| (m.preference, m.exchange.clone()))
            .collect();
        assert_eq!(
            hosts,
            [
                (10, "mx1.example.test".into()),
                (20, "mx2.example.test".into())
            ]
        );
        assert_eq!(mx.records[0].ttl, 300);

        let txt = doh
            .lookup("_mta-sts.example.test", RecordType::Txt)
            .await
            .unwrap();
        let records: Vec<_> = txt.txt().collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].as_bytes(), b"v=STSv1; id=20240101;");
        assert_eq!(records[0].strings.len(), 2);

        let a = doh.lookup("mx1.example.test", RecordType::A).await.unwrap();
        assert_eq!(a.addresses().next().unwrap().to_string(), "192.0.2.1");
        let aaaa = doh
            .lookup("mx1.example.test", RecordType::Aaaa)
            .await
            .unwrap();
        assert_eq!(aaaa.addresses().next().unwrap().to_string(), "2001:db8::1");

        let tlsa = doh
            .lookup("_25._tcp.mx1.example.test", RecordType::Tlsa)
            .await
            .unwrap();
        let record = tlsa.tlsa().next().unwrap();
        assert_eq!(
            (
                record.usage,
                record.selector,
                record.matching_type,
                record.data.as_str()
            ),
            (3, 1, 1, "0a0b0c")
        );

        assert!(
            doh.lookup("nullmx.test", RecordType::Mx)
                .await
                .unwrap()
                .is_null_mx()
        );
    }
    assert!(fake.queries() >= 12);
}

#[tokio::test]
async fn cname_chain_and_negative_answers() {
    let fake = FakeDoh::start(zone()).await.unwrap();
    let doh = client(vec![fake.url()], DohMethod::Get);

    let lookup = doh
        .lookup("mta-sts.example.test", RecordType::A)
        .await
        .unwrap();
    let chain: Vec<_> = lookup
        .cname_chain
        .iter()
        .map(|l| l.target.as_str())
        .collect();
    assert_eq!(chain, ["sts.provider.test", "edge.provider.test"]);
    assert_eq!(lookup.final_name(), "edge.provider.test");
    assert_eq!(
        lookup.records[0].data,
        RecordData::A {
            address: Ipv4Addr::new(198, 51, 100, 7)
        }
    );

    let cname = doh
        .lookup("mta-sts.example.test", RecordType::Cname)
        .await
        .unwrap();
    assert_eq!(
        cname.records[0].data,
        RecordData::Cname {
            target: "sts.provider.test".into()
        }
    );

    let nx = doh
        .lookup("_mta-sts.nowhere.test", RecordType::Txt)
        .await
        .unwrap();
    assert_eq!(nx.status, Status::NxDomain);
    assert_eq!(nx.negative_ttl, Some(60));
    let nodata = doh
        .lookup("mx1.example.test", RecordType::Txt)
        .await
        .unwrap();
    assert_eq!(nodata.status, Status::NoData);
    let servfail = doh.lookup("broken.test", RecordType::Mx).await.unwrap();
    assert_eq!(servfail.status, Status::ServFail);
}

#[tokio::test]
async fn ad_bit_follows_the_resolver() {
    let fake = FakeDoh::start(zone()).await.unwrap();
    let doh = client(vec![fake.url()], DohMethod::Get);
    assert!(
        !doh.lookup("example.test", RecordType::Mx)
            .await
            .unwrap()
            .authenticated
    );
    fake.set_zone(zone().authenticated(true));
    assert!(
        doh.lookup("example.test", RecordType::Mx)
            .await
            .unwrap()
            .authenticated
    );
}

#[tokio::test]
async fn lookups_of_one_round_run_concurrently_on_one_client() {
    let fake = FakeDoh::start(zone()).await.unwrap();
    let doh = client(vec![fake.url()], DohMethod::Get);
    let (mx, txt, a, tlsa) = tokio::join!(
        doh.lookup("example.test", RecordType::Mx),
        doh.lookup("_mta-sts.example.test", RecordType::Txt),
        doh.lookup("mta-sts.example.test", RecordType::A),
        doh.lookup("_25._tcp.mx1.example.test", RecordType::Tlsa),
    );
    assert_eq!(mx.unwrap().status, Status::Answer);
    assert_eq!(txt.unwrap().status, Status::Answer);
    assert_eq!(a.unwrap().status, Status::Answer);
    assert_eq!(tlsa.unwrap().status, Status::Answer);
}

#[tokio::test]
async fn falls_back_to_the_next_resolver_and_names_the_failing_one() {
    let fake = FakeDoh::start(zone()).await.unwrap();
    // A port that nothing listens on: bind, note the port, close.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dead_url = format!("http://{dead}/dns-query");
    let doh = client(vec![dead_url.clone(), fake.url()], DohMethod::Get);
    assert_eq!(
        doh.lookup("example.test", RecordType::Mx)
            .await
            .unwrap()
            .status,
        Status::Answer
    );

    let only_dead = client(vec![dead_url.clone()], DohMethod::Get);
    let err = only_dead
        .lookup("example.test", RecordType::Mx)
        .await
        .unwrap_err();
    assert!(matches!(err, DohError::Http { .. }), "{err:?}");
    assert!(err.to_string().contains(&dead_url), "{err}");

    let wrong_path = client(
        vec![fake.url().replace("/dns-query", "/other")],
        DohMethod::Get,
    );
    let err = wrong_path
        .lookup("example.test", RecordType::Mx)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DohError::Status { status: 404, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_slow_resolver_is_bounded_by_the_timeout() {
    let fake = FakeDoh::start(zone().latency(Duration::from_secs(5)))
        .await
        .unwrap();
    let options = DohOptions {
        resolvers: vec![fake.url()],
        method: DohMethod::Get,
        connect_timeout: Duration::from_millis(200),
        timeout: Duration::from_millis(200),
    };
    let doh = DohClient::new(&TrustAnchors::empty(), options).unwrap();
    let err = doh
        .lookup("example.test", RecordType::Mx)
        .await
        .unwrap_err();
    assert!(matches!(err, DohError::Timeout { .. }), "{err:?}");
}

#[test]
fn plain_http_resolvers_off_loopback_are_refused() {
    let options = DohOptions {
        resolvers: vec!["http://dns.example/dns-query".into()],
        ..DohOptions::default()
    };
    assert!(matches!(
        DohClient::new(&TrustAnchors::webpki(), options),
        Err(DohError::InsecureResolver { .. })
    ));
}
