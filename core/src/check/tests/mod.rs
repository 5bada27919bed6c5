//! Unit tests of the evaluation over hand-built observations: one healthy domain
//! ([`Fixture::healthy`]) that each test breaks in one way.

mod dns;
mod mx;
mod policy;
mod report;

use super::*;
use crate::dns::{CnameLink, Lookup, Mx, Record, RecordData, RecordType, Status, Tlsa, TxtRecord};
use crate::finding::{Code, Severity};
use crate::name::{DomainName, TrailingDot};
use crate::probe::{
    Certificate, ChainError, FailureKind, MxProbe, PolicyProbe, PolicyTls, ProbeFailure, TlsSession,
};
use std::net::{IpAddr, Ipv4Addr};

/// 2024-03-01 12:00:00 UTC.
pub const NOW: i64 = 1_709_294_400;
pub const DAY: i64 = 86_400;
pub const DOMAIN: &str = "acme.net";
pub const MX1: &str = "mx1.acme.net";
pub const ENFORCE: &str = "version: STSv1\nmode: enforce\nmx: mx1.acme.net\nmax_age: 604800\n";

pub fn name(s: &str) -> DomainName {
    DomainName::parse(s, TrailingDot::Refuse).unwrap()
}

pub fn lookup(
    name: &str,
    record_type: RecordType,
    status: Status,
    data: Vec<RecordData>,
) -> Lookup {
    Lookup {
        name: name.to_owned(),
        record_type,
        status,
        authenticated: false,
        cname_chain: Vec::new(),
        records: data
            .into_iter()
            .map(|data| Record { ttl: 300, data })
            .collect(),
        negative_ttl: None,
    }
}

pub fn txt(name: &str, records: &[&str]) -> Lookup {
    let data = records
        .iter()
        .map(|r| RecordData::Txt(TxtRecord::from_strings(vec![r.as_bytes().to_vec()])))
        .collect::<Vec<_>>();
    let status = if data.is_empty() {
        Status::NoData
    } else {
        Status::Answer
    };
    lookup(name, RecordType::Txt, status, data)
}

pub fn mx(records: &[(u16, &str)]) -> Lookup {
    let data = records
        .iter()
        .map(|(preference, exchange)| {
            RecordData::Mx(Mx {
                preference: *preference,
                exchange: (*exchange).to_owned(),
            })
        })
        .collect();
    lookup(DOMAIN, RecordType::Mx, Status::Answer, data)
}

pub fn a(name: &str, last: u8) -> Lookup {
    lookup(
        name,
        RecordType::A,
        Status::Answer,
        vec![RecordData::A {
            address: Ipv4Addr::new(192, 0, 2, last),
        }],
    )
}

pub fn empty(name: &str, record_type: RecordType, status: Status) -> Lookup {
    lookup(name, record_type, status, Vec::new())
}

pub fn tlsa(host: &str) -> Lookup {
    lookup(
        &format!("_25._tcp.{host}"),
        RecordType::Tlsa,
        Status::Answer,
        vec![RecordData::Tlsa(Tlsa {
            usage: 3,
            selector: 1,
            matching_type: 1,
            data: "ab".repeat(32),
        })],
    )
}

pub fn with_cname(mut lookup: Lookup, target: &str) -> Lookup {
    lookup.cname_chain = vec![CnameLink {
        owner: lookup.name.clone(),
        target: target.to_owned(),
        ttl: 300,
    }];
    lookup
}

pub fn cert(names: &[&str], days_left: i64) -> Certificate {
    Certificate {
        subject: format!("CN={}", names.first().unwrap_or(&"")),
        issuer: "CN=Test CA".into(),
        dns_names: names.iter().map(|s| s.to_string()).collect(),
        not_before: NOW - 30 * DAY,
        not_after: NOW + days_left * DAY + 3600,
        sha256: "00".repeat(32),
    }
}

pub fn probe(host: &str) -> MxProbe {
    MxProbe {
        host: name(host),
        address: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 25)),
        banner: format!("{host} ESMTP"),
        starttls: true,
        tls: Some(TlsSession {
            version: "TLSv1.3".into(),
            cipher: "TLS_AES_128_GCM_SHA256".into(),
        }),
        certificates: vec![cert(&[host], 60)],
        chain_valid: true,
        chain_error: None,
        elapsed_ms: 30,
    }
}

pub fn policy_probe(status: u16, content_type: Option<&str>, body: &str) -> PolicyProbe {
    PolicyProbe {
        url: format!("https://mta-sts.{DOMAIN}/.well-known/mta-sts.txt"),
        status,
        content_type: content_type.map(str::to_owned),
        location: None,
        body: body.to_owned(),
        tls: PolicyTls {
            version: "TLSv1.3".into(),
            certificates: vec![cert(&["mta-sts.acme.net"], 60)],
            chain_valid: true,
            chain_error: None,
        },
        elapsed_ms: 20,
    }
}

pub fn failure(kind: FailureKind, message: &str) -> Outcome {
    Outcome::Failed {
        failure: ProbeFailure {
            kind,
            message: message.to_owned(),
        },
    }
}

/// A plan and its observations, built step by step.
pub struct Fixture {
    pub plan: Plan,
    pub obs: Observations,
    clock: u64,
}

impl Fixture {
    /// Round 1 only, nothing observed.
    pub fn new(options: PlanOptions) -> Fixture {
        Fixture {
            plan: Plan::new(name(DOMAIN), options),
            obs: Observations::new(),
            clock: 0,
        }
    }

    /// `acme.net`: one MX (mx1), an enforce policy covering it, a healthy probe, TLS-RPT.
    pub fn healthy() -> Fixture {
        let mut f = Fixture::new(PlanOptions::native());
        f.sts(&["v=STSv1; id=20240301T000000;"])
            .tlsrpt(&["v=TLSRPTv1; rua=mailto:tlsrpt@acme.net"])
            .dns(Step::PolicyHostA, a("mta-sts.acme.net", 80))
            .dns(
                Step::PolicyHostAaaa,
                empty("mta-sts.acme.net", RecordType::Aaaa, Status::NoData),
            )
            .policy(ENFORCE)
            .mx(&[(10, MX1)]);
        f
    }

    pub fn set(&mut self, step: Step, outcome: Outcome) -> &mut Fixture {
        self.clock += 10;
        self.obs.record(step, self.clock - 10, self.clock, outcome);
        self
    }

    pub fn dns(&mut self, step: Step, lookup: Lookup) -> &mut Fixture {
        self.set(step, Outcome::Lookup { lookup })
    }

    pub fn sts(&mut self, records: &[&str]) -> &mut Fixture {
        self.dns(Step::StsRecord, txt("_mta-sts.acme.net", records))
    }

    pub fn tlsrpt(&mut self, records: &[&str]) -> &mut Fixture {
        self.dns(Step::TlsRptRecord, txt("_smtp._tls.acme.net", records))
    }

    pub fn policy(&mut self, body: &str) -> &mut Fixture {
        self.fetch(policy_probe(200, Some("text/plain"), body))
    }

    pub fn fetch(&mut self, policy: PolicyProbe) -> &mut Fixture {
        self.set(Step::PolicyFetch, Outcome::Policy { policy })
    }

    /// The MX answer, round 2, and for each host an address, no TLSA and a healthy probe.
    pub fn mx(&mut self, records: &[(u16, &str)]) -> &mut Fixture {
        self.mx_answer(mx(records))
    }

    pub fn mx_answer(&mut self, answer: Lookup) -> &mut Fixture {
        self.dns(Step::Mx, answer.clone());
        for planned in self.plan.add_mx_hosts(&answer) {
            let host = planned.step.host().unwrap().to_string();
            match &planned.step {
                Step::MxA { .. } => self.dns(planned.step.clone(), a(&host, 25)),
                Step::MxAaaa { .. } => self.dns(
                    planned.step.clone(),
                    empty(&host, RecordType::Aaaa, Status::NoData),
                ),
                Step::MxTlsa { .. } => self.dns(
                    planned.step.clone(),
                    empty(
                        &format!("_25._tcp.{host}"),
                        RecordType::Tlsa,
                        Status::NxDomain,
                    ),
                ),
                _ => self.set(
                    planned.step.clone(),
                    Outcome::Probe {
                        probe: probe(&host),
                    },
                ),
            };
        }
        self
    }

    /// Replaces a host's probe result.
    pub fn probe(&mut self, host: &str, outcome: Outcome) -> &mut Fixture {
        self.set(Step::MxProbe { host: name(host) }, outcome)
    }

    /// Changes the probe of `host` with `change`.
    pub fn probe_with(&mut self, host: &str, change: impl FnOnce(&mut MxProbe)) -> &mut Fixture {
        let mut p = probe(host);
        change(&mut p);
        self.probe(host, Outcome::Probe { probe: p })
    }

    pub fn report(&self) -> Report {
        evaluate(&self.plan, &self.obs, NOW)
    }
}

/// The codes of a report's findings, with severities, in order.
pub fn codes(report: &Report) -> Vec<(Code, Severity)> {
    report
        .findings
        .iter()
        .map(|f| (f.finding.code, f.finding.severity))
        .collect()
}

/// The one finding with `code`, or a panic listing them all.
pub fn finding(report: &Report, code: Code) -> &CheckFinding {
    let matching: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.finding.code == code)
        .collect();
    assert_eq!(matching.len(), 1, "{code}: {:#?}", codes(report));
    matching[0]
}

/// Every finding not of severity info.
pub fn problems(report: &Report) -> Vec<(Code, Severity)> {
    codes(report)
        .into_iter()
        .filter(|(_, s)| *s != Severity::Info)
        .collect()
}

/// Every finding has a fix and a message that ends a sentence.
pub fn assert_well_formed(report: &Report) {
    for f in &report.findings {
        let fix = f.finding.fix.as_deref().unwrap_or("");
        assert!(!fix.is_empty(), "{} has no fix", f.finding.code);
        assert!(f.finding.rfc.starts_with("RFC "), "{}", f.finding.code);
        assert!(
            f.finding.message.ends_with('.') || f.finding.message.ends_with(')'),
            "{}: {}",
            f.finding.code,
            f.finding.message
        );
    }
}
