//! A set of fakes described as data, so that a process outside Rust (the browser end-to-end
//! tests) can start them with `stslens-fakes` and read back where they listen.

use crate::doh::{FakeDoh, Zone};
use crate::pki::TestCa;
use crate::policy_host::{FakePolicyHost, Site};
use crate::smtp::{FakeSmtp, SmtpBehaviour};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Which fakes to start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// The DoH resolver's zone.
    #[serde(default)]
    pub zone: Zone,
    /// Policy hosts by domain (`example.com` serves `mta-sts.example.com`); all on one port.
    #[serde(default)]
    pub policy_sites: BTreeMap<String, Site>,
    /// SMTP servers by MX host name, one port each (unless placed by `smtp_ips`).
    #[serde(default)]
    pub smtp: BTreeMap<String, SmtpBehaviour>,
    /// Where SMTP servers listen, by MX host name: each on its own loopback address and all of
    /// them on one shared port, as a check with a single SMTP test port needs (the zone's A
    /// records must point the MX hosts at these addresses).
    #[serde(default)]
    pub smtp_ips: BTreeMap<String, IpAddr>,
    /// Delay before every answer of every fake: DNS responses, HTTP responses, SMTP replies
    /// (the greeting included). Overrides `zone.latency_ms`.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Place every SMTP fake not named in `smtp_ips` on its own loopback address (127.0.0.10,
    /// .11, ...) sharing one port, and give each MX host an A record for its address: the
    /// convenient form of `smtp_ips` for the browser tests, whose relay has one SMTP test port.
    #[serde(default)]
    pub smtp_shared_port: bool,
    /// Also serve the resolver over HTTPS, with a certificate for these names (e.g. `doh.test`):
    /// a browser page may only connect to `https:` URLs under the app's CSP.
    #[serde(default)]
    pub doh_tls_names: Vec<String>,
}

impl Scenario {
    /// A healthy enforce-mode domain `example.test` with one MX, for demos and smoke tests.
    pub fn demo() -> Scenario {
        let zone = Zone::new()
            .mx("example.test", 10, "mx.example.test")
            .txt("_mta-sts.example.test", &["v=STSv1; id=20240101T000000;"])
            .txt(
                "_smtp._tls.example.test",
                &["v=TLSRPTv1; rua=mailto:tlsrpt@example.test"],
            )
            .a("mta-sts.example.test", Ipv4Addr::LOCALHOST)
            .a("mx.example.test", Ipv4Addr::LOCALHOST);
        let policy = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 604800\n";
        Scenario {
            zone,
            policy_sites: BTreeMap::from([("example.test".to_owned(), Site::policy(policy))]),
            smtp: BTreeMap::from([("mx.example.test".to_owned(), SmtpBehaviour::Healthy)]),
            ..Scenario::default()
        }
    }
}

/// Where the started fakes listen, and the CA to trust: what `stslens-fakes` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// The DoH resolver URL.
    pub doh_url: String,
    /// The HTTPS resolver's address, when `doh_tls_names` asked for one.
    pub doh_tls_addr: Option<SocketAddr>,
    /// The policy host (every site).
    pub policy_addr: SocketAddr,
    /// SMTP servers by MX host name.
    pub smtp: BTreeMap<String, SocketAddr>,
    /// The test CA, PEM: trust it explicitly.
    pub ca_pem: String,
}

/// Started fakes; they stop when this is dropped.
#[derive(Debug)]
pub struct Running {
    /// The resolver.
    pub doh: FakeDoh,
    /// The same resolver over HTTPS, if asked for.
    pub doh_tls: Option<FakeDoh>,
    /// The policy host.
    pub policy: FakePolicyHost,
    /// The SMTP servers, by host.
    pub smtp: BTreeMap<String, FakeSmtp>,
    /// The CA that certified them.
    pub ca: TestCa,
}

impl Running {
    /// Starts every fake of `scenario` on `ip` (a loopback address), on free ports.
    pub async fn start(scenario: Scenario, ip: IpAddr) -> std::io::Result<Running> {
        let ca = TestCa::new();
        let mut zone = scenario.zone;
        let latency = match scenario.latency_ms {
            Some(ms) => {
                zone.latency_ms = ms;
                Duration::from_millis(ms)
            }
            None => Duration::ZERO,
        };
        let mut smtp_ips = scenario.smtp_ips;
        if scenario.smtp_shared_port {
            for (i, host) in scenario.smtp.keys().enumerate() {
                if !smtp_ips.contains_key(host) {
                    let own =
                        Ipv4Addr::new(127, 0, 0, 10 + u8::try_from(i).expect("< 245 SMTP fakes"));
                    zone = zone.a(host, own);
                    smtp_ips.insert(host.clone(), IpAddr::V4(own));
                }
            }
        }
        let mut smtp = BTreeMap::new();
        let mut shared_port = 0;
        for (host, behaviour) in scenario.smtp {
            let addr = match smtp_ips.get(&host) {
                Some(placed) => SocketAddr::new(*placed, shared_port),
                None => SocketAddr::new(ip, 0),
            };
            let server = FakeSmtp::start_with_latency(addr, &ca, &host, behaviour, latency).await?;
            if smtp_ips.contains_key(&host) {
                shared_port = server.port();
            }
            smtp.insert(host, server);
        }
        let doh_tls = if scenario.doh_tls_names.is_empty() {
            None
        } else {
            let names: Vec<&str> = scenario.doh_tls_names.iter().map(String::as_str).collect();
            Some(FakeDoh::start_tls_on(SocketAddr::new(ip, 0), zone.clone(), &ca, &names).await?)
        };
        let doh = FakeDoh::start_on(SocketAddr::new(ip, 0), zone).await?;
        let sites = scenario.policy_sites.into_iter().collect();
        let policy =
            FakePolicyHost::start_with_latency(SocketAddr::new(ip, 0), &ca, sites, latency).await?;
        Ok(Running {
            doh,
            doh_tls,
            policy,
            smtp,
            ca,
        })
    }

    /// Where everything listens.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            doh_url: self.doh.url(),
            doh_tls_addr: self.doh_tls.as_ref().map(FakeDoh::addr),
            policy_addr: self.policy.addr(),
            smtp: self
                .smtp
                .iter()
                .map(|(host, s)| (host.clone(), s.addr()))
                .collect(),
            ca_pem: self.ca.cert_pem(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_read_back_from_json() {
        let demo = Scenario::demo();
        let json = serde_json::to_string(&demo).unwrap();
        assert_eq!(serde_json::from_str::<Scenario>(&json).unwrap(), demo);

        let written = r#"{
            "zone": {"records": [
                {"name": "example.test", "type": "MX", "preference": 10, "exchange": "mx.example.test"},
                {"name": "_mta-sts.example.test", "type": "TXT", "strings": ["v=STSv1; ", "id=1;"], "ttl": 60}
            ], "authenticated": true},
            "policy_sites": {"example.test": {"answer": {"kind": "status", "status": 404}, "cert": {"kind": "valid", "validity": "expired"}}},
            "smtp": {"mx.example.test": {"kind": "slow", "delay_ms": 10}}
        }"#;
        let scenario: Scenario = serde_json::from_str(written).unwrap();
        assert_eq!(scenario.zone.records.len(), 2);
        assert_eq!(scenario.zone.records[1].ttl, 60);
        assert!(scenario.zone.authenticated);
        assert_eq!(
            scenario.smtp["mx.example.test"],
            SmtpBehaviour::Slow { delay_ms: 10 }
        );
    }

    #[tokio::test]
    async fn placed_smtp_servers_share_one_port() {
        let mut scenario = Scenario::demo();
        scenario
            .smtp
            .insert("mx2.example.test".into(), SmtpBehaviour::Healthy);
        for (host, last) in [("mx.example.test", 2), ("mx2.example.test", 3)] {
            scenario
                .smtp_ips
                .insert(host.into(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)));
        }
        scenario.latency_ms = Some(1);
        let running = Running::start(scenario, IpAddr::V4(Ipv4Addr::LOCALHOST))
            .await
            .unwrap();
        let smtp = running.endpoints().smtp;
        let (a, b) = (smtp["mx.example.test"], smtp["mx2.example.test"]);
        assert_eq!(a.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
        assert_eq!(b.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)));
        assert_eq!(a.port(), b.port());
        assert_eq!(
            running.doh.zone_latency_ms(),
            1,
            "the scenario's latency reaches DNS"
        );
    }

    #[tokio::test]
    async fn endpoints_name_every_fake() {
        let running = Running::start(Scenario::demo(), IpAddr::V4(Ipv4Addr::LOCALHOST))
            .await
            .unwrap();
        let endpoints = running.endpoints();
        assert!(endpoints.doh_url.starts_with("http://127.0.0.1:"));
        assert!(endpoints.smtp.contains_key("mx.example.test"));
        assert!(endpoints.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_ne!(endpoints.policy_addr.port(), 0);
    }

    #[tokio::test]
    async fn shared_port_smtp_fakes_get_their_own_address_and_a_record() {
        let mut scenario = Scenario::demo();
        scenario
            .smtp
            .insert("mx2.example.test".into(), SmtpBehaviour::NoStartTls);
        scenario.smtp_shared_port = true;
        scenario.doh_tls_names = vec!["doh.test".into()];
        let running = Running::start(scenario, IpAddr::V4(Ipv4Addr::LOCALHOST))
            .await
            .unwrap();
        let e = running.endpoints();
        let (a, b) = (e.smtp["mx.example.test"], e.smtp["mx2.example.test"]);
        assert_eq!(a.port(), b.port(), "one port shared by every SMTP fake");
        assert_ne!(a.ip(), b.ip(), "each on its own loopback address");
        assert!(e.doh_tls_addr.is_some());
        // The zone answers each MX host with its fake's address.
        let query =
            stslens_core::dns::Query::new("mx2.example.test", stslens_core::dns::RecordType::A)
                .unwrap();
        let answer = running
            .doh
            .zone_answer(&query.to_wire())
            .expect("an answer");
        let lookup = query.decode(&answer).unwrap();
        assert!(lookup.addresses().any(|ip| ip == b.ip()));
    }
}
