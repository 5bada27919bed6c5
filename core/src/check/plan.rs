//! The plan of a check: which lookups and connections, in which round, each waiting only for what
//! it needs (design §1).
//!
//! ```text
//! round 1, all at once       MX <domain>   TXT _mta-sts   TXT _smtp._tls   A/AAAA mta-sts   policy fetch
//!                              │                                              └──(needs, if the shell
//!                              │ the MX answer names the hosts                    connects to addresses)──┘
//! round 2, per MX host       A/AAAA <mx>   TLSA _25._tcp.<mx>   STARTTLS probe <mx>
//!                              └───────────(needs, if the shell connects to addresses)───────┘
//! ```
//!
//! A plan is data, so that both shells (the native CLI and the browser) drive it the same way and
//! the app can show live progress per step: start every step whose [`PlannedStep::needs`] have
//! finished, record each answer in [`Observations`](super::Observations), and when the MX
//! answer arrives call [`Plan::add_mx_hosts`] to add round 2. CNAMEs need no step of their own:
//! a resolver returns the chain with the answer (`Lookup::cname_chain`), which is how the
//! delegations of `_mta-sts` and `mta-sts` (RFC 8461 §8.2) and MX aliases are seen.

use crate::dns::{Lookup, RecordType};
use crate::name::{DomainName, TrailingDot};
use serde::{Deserialize, Serialize};
use std::fmt;

/// At most this many MX hosts get round-2 steps: a real domain has 1-5; more would only slow
/// the check (and turn a relay into a scanner). The rest are listed but not probed.
pub const MAX_MX_HOSTS: usize = 10;

/// One unit of work: a DNS question, the policy fetch, or a STARTTLS probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Step {
    /// `MX <domain>`: where mail goes (RFC 5321 §5.1).
    Mx,
    /// `TXT _mta-sts.<domain>`: whether a policy exists, and its id (RFC 8461 §3.1).
    StsRecord,
    /// `TXT _smtp._tls.<domain>`: where TLS reports go (RFC 8460 §3).
    TlsRptRecord,
    /// `A mta-sts.<domain>`: the policy host resolves (RFC 8461 §3.3).
    PolicyHostA,
    /// `AAAA mta-sts.<domain>`.
    PolicyHostAaaa,
    /// `GET https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 §3.3).
    PolicyFetch,
    /// `A <mx>`.
    MxA {
        /// The MX host.
        host: DomainName,
    },
    /// `AAAA <mx>`.
    MxAaaa {
        /// The MX host.
        host: DomainName,
    },
    /// `TLSA _25._tcp.<mx>`: DANE (RFC 7672 §2.2), which senders that do it prefer (RFC 8461 §2).
    MxTlsa {
        /// The MX host.
        host: DomainName,
    },
    /// The STARTTLS probe of `<mx>` on port 25 (RFC 3207, RFC 8461 §4).
    MxProbe {
        /// The MX host.
        host: DomainName,
    },
}

impl Step {
    /// A stable id, e.g. `mx`, `policy-fetch`, `mx-probe:mx1.example.com`: the key the app shows
    /// progress under and the timeline names steps by.
    pub fn id(&self) -> String {
        let (kind, host) = match self {
            Step::Mx => ("mx", None),
            Step::StsRecord => ("sts-record", None),
            Step::TlsRptRecord => ("tlsrpt-record", None),
            Step::PolicyHostA => ("policy-host-a", None),
            Step::PolicyHostAaaa => ("policy-host-aaaa", None),
            Step::PolicyFetch => ("policy-fetch", None),
            Step::MxA { host } => ("mx-a", Some(host)),
            Step::MxAaaa { host } => ("mx-aaaa", Some(host)),
            Step::MxTlsa { host } => ("mx-tlsa", Some(host)),
            Step::MxProbe { host } => ("mx-probe", Some(host)),
        };
        match host {
            Some(host) => format!("{kind}:{host}"),
            None => kind.to_owned(),
        }
    }

    /// 1 for the steps that only need the domain, 2 for those that need the MX hosts.
    pub fn round(&self) -> u8 {
        match self {
            Step::Mx
            | Step::StsRecord
            | Step::TlsRptRecord
            | Step::PolicyHostA
            | Step::PolicyHostAaaa
            | Step::PolicyFetch => 1,
            Step::MxA { .. } | Step::MxAaaa { .. } | Step::MxTlsa { .. } | Step::MxProbe { .. } => {
                2
            }
        }
    }

    /// The DNS question this step asks, if it is a lookup.
    pub fn query(&self, domain: &DomainName) -> Option<(String, RecordType)> {
        Some(match self {
            Step::Mx => (domain.to_string(), RecordType::Mx),
            Step::StsRecord => (format!("_mta-sts.{domain}"), RecordType::Txt),
            Step::TlsRptRecord => (format!("_smtp._tls.{domain}"), RecordType::Txt),
            Step::PolicyHostA => (policy_host(domain), RecordType::A),
            Step::PolicyHostAaaa => (policy_host(domain), RecordType::Aaaa),
            Step::MxA { host } => (host.to_string(), RecordType::A),
            Step::MxAaaa { host } => (host.to_string(), RecordType::Aaaa),
            Step::MxTlsa { host } => (format!("_25._tcp.{host}"), RecordType::Tlsa),
            Step::PolicyFetch | Step::MxProbe { .. } => return None,
        })
    }

    /// The MX host a round-2 step is about.
    pub fn host(&self) -> Option<&DomainName> {
        match self {
            Step::MxA { host } | Step::MxAaaa { host } | Step::MxTlsa { host } => Some(host),
            Step::MxProbe { host } => Some(host),
            _ => None,
        }
    }

    /// What the step does, for progress displays: `MX example.com`, `STARTTLS mx.example.com:25`.
    pub fn label(&self, domain: &DomainName) -> String {
        match (self, self.query(domain)) {
            (_, Some((name, record_type))) => format!("{record_type} {name}"),
            (Step::PolicyFetch, None) => format!("GET {}", policy_url(domain)),
            (Step::MxProbe { host }, None) => format!("STARTTLS {host}:25"),
            _ => self.id(),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

pub use crate::policy::fetch::{policy_host, policy_url};

/// What the shell running the plan can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Probe the MX hosts with STARTTLS (the native CLI, or the browser through a relay).
    pub probe_mx: bool,
    /// The shell connects to the addresses the plan's own lookups return (the native CLI): the
    /// policy fetch then needs the A/AAAA of `mta-sts.<domain>`, and each probe the A/AAAA of its
    /// MX. A shell whose connections resolve names themselves (the browser's `fetch`, a relay)
    /// sets this to false and starts them without waiting.
    pub connect_to_resolved: bool,
}

impl PlanOptions {
    /// The native CLI: probes MX hosts, connects to the addresses it looked up.
    pub fn native() -> PlanOptions {
        PlanOptions {
            probe_mx: true,
            connect_to_resolved: true,
        }
    }

    /// A browser: no probe unless a relay is configured; the relay and `fetch` resolve names.
    pub fn browser(relay: bool) -> PlanOptions {
        PlanOptions {
            probe_mx: relay,
            connect_to_resolved: false,
        }
    }
}

/// A step with its place in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// The work.
    pub step: Step,
    /// [`Step::id`].
    pub id: String,
    /// [`Step::round`].
    pub round: u8,
    /// [`Step::label`].
    pub label: String,
    /// The steps that must have finished (answered or failed) before this one starts.
    pub needs: Vec<Step>,
}

/// The steps of one check, growing from round 1 to round 2 when the MX answer arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    domain: DomainName,
    options: PlanOptions,
    steps: Vec<PlannedStep>,
    mx_added: bool,
}

impl Plan {
    /// The plan for `domain`: round 1, all at once (design §1).
    pub fn new(domain: DomainName, options: PlanOptions) -> Plan {
        let mut plan = Plan {
            domain,
            options,
            steps: Vec::new(),
            mx_added: false,
        };
        for step in [
            Step::Mx,
            Step::StsRecord,
            Step::TlsRptRecord,
            Step::PolicyHostA,
            Step::PolicyHostAaaa,
        ] {
            plan.push(step, Vec::new());
        }
        let fetch_needs = if options.connect_to_resolved {
            vec![Step::PolicyHostA, Step::PolicyHostAaaa]
        } else {
            Vec::new()
        };
        plan.push(Step::PolicyFetch, fetch_needs);
        plan
    }

    fn push(&mut self, step: Step, needs: Vec<Step>) -> PlannedStep {
        let planned = PlannedStep {
            id: step.id(),
            round: step.round(),
            label: step.label(&self.domain),
            step,
            needs,
        };
        self.steps.push(planned.clone());
        planned
    }

    /// The domain checked.
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// What the shell can do.
    pub fn options(&self) -> PlanOptions {
        self.options
    }

    /// Every step so far, round 1 first.
    pub fn steps(&self) -> &[PlannedStep] {
        &self.steps
    }

    /// The step with this id.
    pub fn find(&self, id: &str) -> Option<&PlannedStep> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Whether round 2 has been added.
    pub fn has_round_two(&self) -> bool {
        self.mx_added
    }

    /// Adds round 2 for the hosts of the MX answer and returns the new steps: A, AAAA and TLSA
    /// of each host, and its probe (if the shell probes), which waits for the host's A/AAAA when
    /// the shell connects to resolved addresses. Every round-2 step needs the MX step. Hosts
    /// come from [`mx_hosts`]: valid names only, in preference order, at most
    /// [`MAX_MX_HOSTS`]. Calling it again adds nothing.
    pub fn add_mx_hosts(&mut self, mx: &Lookup) -> Vec<PlannedStep> {
        if self.mx_added {
            return Vec::new();
        }
        self.mx_added = true;
        let mut added = Vec::new();
        for entry in mx_hosts(mx).into_iter().filter_map(|e| e.host.ok()) {
            let host = entry;
            let a = Step::MxA { host: host.clone() };
            let aaaa = Step::MxAaaa { host: host.clone() };
            added.push(self.push(a.clone(), vec![Step::Mx]));
            added.push(self.push(aaaa.clone(), vec![Step::Mx]));
            added.push(self.push(Step::MxTlsa { host: host.clone() }, vec![Step::Mx]));
            if self.options.probe_mx {
                let needs = if self.options.connect_to_resolved {
                    vec![Step::Mx, a, aaaa]
                } else {
                    vec![Step::Mx]
                };
                added.push(self.push(Step::MxProbe { host }, needs));
            }
        }
        added
    }

    /// The longest chain of dependent steps when each step costs `cost(step)`: the time a check
    /// takes at best when every step of a round runs at once. Returns the total and the chain,
    /// first step first. Steps only depend on earlier steps, so one pass in plan order suffices.
    pub fn critical_path(&self, cost: impl Fn(&Step) -> u64) -> (u64, Vec<Step>) {
        let mut finish: Vec<(u64, Option<usize>)> = Vec::with_capacity(self.steps.len());
        for planned in &self.steps {
            // The need that finishes last; on a tie, the first in plan order.
            let before = planned
                .needs
                .iter()
                .filter_map(|need| self.steps.iter().position(|s| &s.step == need))
                .fold((0, None), |best: (u64, Option<usize>), i| {
                    if best.1.is_none() || finish[i].0 > best.0 {
                        (finish[i].0, Some(i))
                    } else {
                        best
                    }
                });
            finish.push((before.0 + cost(&planned.step), before.1));
        }
        let Some(last) = (0..finish.len()).rev().max_by_key(|&i| finish[i].0) else {
            return (0, Vec::new());
        };
        let mut chain = vec![self.steps[last].step.clone()];
        let mut at = finish[last].1;
        while let Some(i) = at {
            chain.push(self.steps[i].step.clone());
            at = finish[i].1;
        }
        chain.reverse();
        (finish[last].0, chain)
    }
}

/// One MX record as the check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxEntry {
    /// Its preference.
    pub preference: u16,
    /// The exchange as a hostname, or the exchange as written when it is not one (an IP
    /// address, the root of a null MX mixed with other records, a name with `_`).
    pub host: Result<DomainName, String>,
}

/// The MX hosts of an answer, lowest preference first (then by name), each once; the null MX
/// record of RFC 7505 is left out when it is the only record. Not capped: the plan stops at
/// [`MAX_MX_HOSTS`] valid hosts.
pub fn mx_hosts(mx: &Lookup) -> Vec<MxEntry> {
    if mx.is_null_mx() {
        return Vec::new();
    }
    let mut entries: Vec<MxEntry> = Vec::new();
    for record in mx.mx() {
        let host = DomainName::parse(&record.exchange, TrailingDot::Allow)
            .map_err(|_| record.exchange.clone());
        if entries.iter().any(|e| e.host == host) {
            continue;
        }
        entries.push(MxEntry {
            preference: record.preference,
            host,
        });
    }
    entries.sort_by(|a, b| {
        let name = |e: &MxEntry| match &e.host {
            Ok(h) => h.to_string(),
            Err(raw) => raw.clone(),
        };
        (a.preference, name(a)).cmp(&(b.preference, name(b)))
    });
    let mut valid = 0;
    entries.retain(|e| {
        if e.host.is_ok() {
            valid += 1;
            valid <= MAX_MX_HOSTS
        } else {
            true
        }
    });
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Mx, Record, RecordData, Status};

    fn domain() -> DomainName {
        DomainName::parse("example.com", TrailingDot::Refuse).unwrap()
    }

    fn host(name: &str) -> DomainName {
        DomainName::parse(name, TrailingDot::Refuse).unwrap()
    }

    fn mx_answer(records: &[(u16, &str)]) -> Lookup {
        Lookup {
            name: "example.com".into(),
            record_type: RecordType::Mx,
            status: Status::Answer,
            authenticated: false,
            cname_chain: vec![],
            records: records
                .iter()
                .map(|(preference, exchange)| Record {
                    ttl: 300,
                    data: RecordData::Mx(Mx {
                        preference: *preference,
                        exchange: (*exchange).into(),
                    }),
                })
                .collect(),
            negative_ttl: None,
        }
    }

    #[test]
    fn round_one_is_the_designs_list_and_needs_nothing_but_addresses() {
        let plan = Plan::new(domain(), PlanOptions::native());
        let ids: Vec<&str> = plan.steps().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "mx",
                "sts-record",
                "tlsrpt-record",
                "policy-host-a",
                "policy-host-aaaa",
                "policy-fetch"
            ]
        );
        assert!(plan.steps().iter().all(|s| s.round == 1));
        assert!(plan.steps()[..5].iter().all(|s| s.needs.is_empty()));
        assert_eq!(
            plan.steps()[5].needs,
            [Step::PolicyHostA, Step::PolicyHostAaaa]
        );
        let browser = Plan::new(domain(), PlanOptions::browser(false));
        assert!(browser.steps().iter().all(|s| s.needs.is_empty()));
        assert_eq!(
            plan.steps()[1].label,
            "TXT _mta-sts.example.com",
            "labels name the question"
        );
        assert_eq!(
            plan.steps()[5].label,
            "GET https://mta-sts.example.com/.well-known/mta-sts.txt"
        );
    }

    #[test]
    fn round_two_per_mx_host_in_preference_order() {
        let mut plan = Plan::new(domain(), PlanOptions::native());
        let added = plan.add_mx_hosts(&mx_answer(&[
            (20, "mx2.example.com."),
            (10, "MX1.example.com"),
            (30, "mx1.example.com"),
        ]));
        let ids: Vec<&str> = added.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "mx-a:mx1.example.com",
                "mx-aaaa:mx1.example.com",
                "mx-tlsa:mx1.example.com",
                "mx-probe:mx1.example.com",
                "mx-a:mx2.example.com",
                "mx-aaaa:mx2.example.com",
                "mx-tlsa:mx2.example.com",
                "mx-probe:mx2.example.com",
            ]
        );
        assert!(added.iter().all(|s| s.round == 2 && s.needs[0] == Step::Mx));
        assert_eq!(
            added[3].needs,
            [
                Step::Mx,
                Step::MxA {
                    host: host("mx1.example.com")
                },
                Step::MxAaaa {
                    host: host("mx1.example.com")
                }
            ]
        );
        assert!(
            plan.add_mx_hosts(&mx_answer(&[(1, "x.example.com")]))
                .is_empty()
        );
        assert_eq!(plan.steps().len(), 6 + 8);
        assert_eq!(
            added[2].label, "TLSA _25._tcp.mx1.example.com",
            "DANE's name for SMTP"
        );
    }

    #[test]
    fn no_probe_and_relay_shapes() {
        let mut plan = Plan::new(
            domain(),
            PlanOptions {
                probe_mx: false,
                connect_to_resolved: true,
            },
        );
        let added = plan.add_mx_hosts(&mx_answer(&[(10, "mx.example.com")]));
        assert_eq!(added.len(), 3, "no probe step");
        let mut relay = Plan::new(domain(), PlanOptions::browser(true));
        let added = relay.add_mx_hosts(&mx_answer(&[(10, "mx.example.com")]));
        assert_eq!(added[3].needs, [Step::Mx], "the relay resolves by itself");
    }

    #[test]
    fn null_mx_invalid_names_and_the_cap() {
        assert!(mx_hosts(&mx_answer(&[(0, ".")])).is_empty());
        let entries = mx_hosts(&mx_answer(&[(10, "192.0.2.1"), (5, "mx.example.com")]));
        assert_eq!(entries[0].host, Ok(host("mx.example.com")));
        assert_eq!(entries[1].host, Err("192.0.2.1".to_owned()));
        let many: Vec<(u16, String)> = (0..15).map(|i| (i, format!("mx{i}.example.com"))).collect();
        let refs: Vec<(u16, &str)> = many.iter().map(|(p, h)| (*p, h.as_str())).collect();
        let entries = mx_hosts(&mx_answer(&refs));
        assert_eq!(entries.len(), MAX_MX_HOSTS);
        assert_eq!(entries[0].host, Ok(host("mx0.example.com")));
    }

    #[test]
    fn critical_path_follows_the_needs() {
        let mut plan = Plan::new(domain(), PlanOptions::native());
        plan.add_mx_hosts(&mx_answer(&[(10, "mx.example.com")]));
        // Every lookup 1, the fetch 1, a probe 4 (greeting, EHLO, STARTTLS, QUIT).
        let cost = |s: &Step| match s {
            Step::MxProbe { .. } => 4,
            _ => 1,
        };
        let (total, chain) = plan.critical_path(cost);
        assert_eq!(total, 6);
        let ids: Vec<String> = chain.iter().map(Step::id).collect();
        assert_eq!(
            ids,
            ["mx", "mx-a:mx.example.com", "mx-probe:mx.example.com"]
        );
        // Before round 2 exists, the fetch chain is the longest.
        let plan = Plan::new(domain(), PlanOptions::native());
        let (total, chain) = plan.critical_path(cost);
        assert_eq!((total, chain.len()), (2, 2));
    }
}
