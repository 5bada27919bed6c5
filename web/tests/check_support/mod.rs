//! Shared by the `check_*` tests: a domain described as a builder, started as loopback fakes
//! (`stslens-e2e`'s `Scenario`), and checked with the native runner pointed at them: DoH at the
//! fake resolver, the test CA as the only root, the policy host's and the SMTP fakes' ports.
//! MX hosts get their own loopback addresses (127.0.0.2, .3, ...) on one shared port, so the
//! check finds them through DNS exactly as it finds real ones.

#![allow(dead_code)] // Each test binary uses a different part.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use stslens_core::check::{Report, Step};
use stslens_core::name::{DomainName, TrailingDot};
use stslens_e2e::doh::Zone;
use stslens_e2e::policy_host::Site;
use stslens_e2e::scenario::{Running, Scenario};
use stslens_e2e::smtp::SmtpBehaviour;
use stslens_web::check::{CheckOptions, Checked, Checker};
use stslens_web::io::tls::TrustAnchors;

/// Not a reserved name: the linters flag `example.*` and `.test` as placeholders.
pub const DOMAIN: &str = "acme-mail.net";
pub const MX1: &str = "mx1.acme-mail.net";
pub const MX2: &str = "mx2.acme-mail.net";
pub const ID: &str = "20240301T120000";
pub const ENFORCE: &str = "version: STSv1\nmode: enforce\nmx: mx1.acme-mail.net\nmax_age: 604800\n";

/// The SMTP reply timeout the checks use: how long a silent server is waited for.
pub const REPLY_TIMEOUT: Duration = Duration::from_millis(800);

/// A domain to start as fakes.
pub struct Setup {
    scenario: Scenario,
    next_ip: u8,
    probe: bool,
}

impl Setup {
    /// Nothing at all: every lookup is NXDOMAIN.
    pub fn empty() -> Setup {
        Setup {
            scenario: Scenario::default(),
            next_ip: 2,
            probe: true,
        }
    }

    /// `acme-mail.net`: MX 10 mx1 (healthy), `_mta-sts` with [`ID`], an [`ENFORCE`] policy on a
    /// resolvable policy host, and a TLS-RPT record.
    pub fn healthy() -> Setup {
        Setup::empty()
            .sts(&[&format!("v=STSv1; id={ID};")])
            .tlsrpt(&["v=TLSRPTv1; rua=mailto:tlsrpt@acme-mail.net"])
            .site(Site::policy(ENFORCE))
            .mx(10, MX1, SmtpBehaviour::Healthy)
    }

    /// Changes the zone.
    pub fn zone(mut self, change: impl FnOnce(Zone) -> Zone) -> Setup {
        self.scenario.zone = change(std::mem::take(&mut self.scenario.zone));
        self
    }

    /// Replaces the TXT records at `_mta-sts`.
    pub fn sts(self, records: &[&str]) -> Setup {
        self.txt(&format!("_mta-sts.{DOMAIN}"), records)
    }

    /// Replaces the TXT records at `_smtp._tls`.
    pub fn tlsrpt(self, records: &[&str]) -> Setup {
        self.txt(&format!("_smtp._tls.{DOMAIN}"), records)
    }

    fn txt(self, name: &str, records: &[&str]) -> Setup {
        let name = name.to_owned();
        let records: Vec<String> = records.iter().map(|s| s.to_string()).collect();
        self.zone(move |mut zone| {
            zone.records.retain(|r| {
                !(r.name == name && matches!(r.data, stslens_e2e::doh::ZoneData::Txt { .. }))
            });
            records
                .iter()
                .fold(zone, |z, r| z.txt(&name, &[r.as_str()]))
        })
    }

    /// Serves `site` at `mta-sts.<domain>`, whose A record points at the policy host.
    pub fn site(mut self, site: Site) -> Setup {
        if self.scenario.policy_sites.is_empty() {
            self = self.zone(|z| z.a(&format!("mta-sts.{DOMAIN}"), Ipv4Addr::LOCALHOST));
        }
        self.scenario.policy_sites.insert(DOMAIN.to_owned(), site);
        self
    }

    /// An MX record for `host`, its A record on the next loopback address, and an SMTP fake
    /// with `behaviour` there.
    pub fn mx(mut self, preference: u16, host: &str, behaviour: SmtpBehaviour) -> Setup {
        let ip = Ipv4Addr::new(127, 0, 0, self.next_ip);
        self.next_ip += 1;
        self.scenario.smtp.insert(host.to_owned(), behaviour);
        self.scenario
            .smtp_ips
            .insert(host.to_owned(), IpAddr::V4(ip));
        self.zone(|z| z.mx(DOMAIN, preference, host).a(host, ip))
    }

    /// Checks without the STARTTLS probe (`--no-probe`).
    pub fn without_probe(mut self) -> Setup {
        self.probe = false;
        self
    }

    /// The scenario, for tests that start it themselves (the CLI tests).
    pub fn scenario(&self) -> Scenario {
        self.scenario.clone()
    }

    /// Starts the fakes.
    pub async fn start(self) -> Net {
        let running = Running::start(self.scenario, IpAddr::V4(Ipv4Addr::LOCALHOST))
            .await
            .expect("the fakes start on loopback");
        Net {
            running,
            probe: self.probe,
        }
    }
}

/// Running fakes; they stop when dropped.
pub struct Net {
    pub running: Running,
    probe: bool,
}

impl Net {
    /// Options pointing a check at the fakes, with short timeouts.
    pub fn options(&self) -> CheckOptions {
        let anchors = TrustAnchors::empty()
            .with_root_der(&self.running.ca.cert_der())
            .unwrap();
        let mut options =
            CheckOptions::new().with_test_https_port(self.running.policy.addr().port());
        options.anchors = anchors;
        options.doh.resolvers = vec![self.running.doh.url()];
        options.probe_mx = self.probe;
        options.policy.connect = Duration::from_secs(2);
        options.policy.handshake = Duration::from_secs(2);
        options.policy.total = Duration::from_secs(3);
        let port = self.smtp_port();
        options.smtp = options.smtp.with_test_port(port);
        options.smtp.connect_timeout = Duration::from_secs(2);
        options.smtp.reply_timeout = REPLY_TIMEOUT;
        options.smtp.handshake_timeout = Duration::from_secs(2);
        options.smtp.total_timeout = Duration::from_secs(4);
        options
    }

    /// The port every SMTP fake listens on (1, where nothing listens, when there is none).
    pub fn smtp_port(&self) -> u16 {
        self.running.smtp.values().next().map_or(1, |s| s.port())
    }

    /// Runs the check.
    pub async fn run(&self) -> Checked {
        let checker = Checker::new(&self.options()).unwrap();
        checker.run(&domain()).await.unwrap()
    }

    /// Runs the check and evaluates it now.
    pub async fn report(&self) -> Report {
        self.run().await.report(now())
    }

    /// The SMTP verbs `host`'s fake received.
    pub fn commands(&self, host: &str) -> Vec<String> {
        self.running.smtp[host].commands()
    }
}

pub fn domain() -> DomainName {
    DomainName::parse(DOMAIN, TrailingDot::Refuse).unwrap()
}

pub fn host(name: &str) -> DomainName {
    DomainName::parse(name, TrailingDot::Refuse).unwrap()
}

pub fn probe_step(host_name: &str) -> Step {
    Step::MxProbe {
        host: host(host_name),
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The codes of the findings that are not info, as kebab-case names.
pub fn problems(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.finding.severity != stslens_core::Severity::Info)
        .map(|f| format!("{} {}", f.finding.severity, f.finding.code))
        .collect()
}

/// Every finding's code.
pub fn codes(report: &Report) -> Vec<&'static str> {
    report
        .findings
        .iter()
        .map(|f| f.finding.code.as_str())
        .collect()
}

/// A probe never sent MAIL, RCPT or DATA.
pub fn assert_harmless(commands: &[String]) {
    for forbidden in ["MAIL", "RCPT", "DATA"] {
        assert!(
            !commands.iter().any(|c| c == forbidden),
            "{forbidden} sent: {commands:?}"
        );
    }
}
