//! What the shell saw while running a [`Plan`](super::Plan): every answer or failure, keyed by
//! step, each with its timing relative to the start of the check.
//!
//! The shells record facts only; what they mean is decided by [`evaluate`](super::evaluate).
//! Timings are milliseconds from the check's start, taken by the shell's own clock (the core
//! reads none), so a report can draw the timeline and name the chain that took longest.
//!
//! JSON, one entry per step that ran or was given up:
//! ```text
//! {"entries": [
//!   {"step": {"kind": "mx"}, "started_ms": 0, "finished_ms": 41, "result": "lookup", "lookup": {...}},
//!   {"step": {"kind": "policy-fetch"}, ..., "result": "policy", "policy": {...relay policy shape}},
//!   {"step": {"kind": "mx-probe", "host": "mx1.example.com"}, ..., "result": "probe", "probe": {...}},
//!   {"step": {...}, ..., "result": "failed", "failure": {"kind": "timeout", "message": "..."}},
//!   {"step": {...}, ..., "result": "not-run", "reason": "no-address", "message": "..."}
//! ]}
//! ```

use super::plan::Step;
use crate::dns::Lookup;
use crate::probe::{MxProbe, PolicyProbe, ProbeFailure};
use serde::{Deserialize, Serialize};

/// Why a planned step was not performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NotRunReason {
    /// The step needs an address and its lookups returned none.
    NoAddress,
    /// The shell cannot perform it (a browser cannot speak SMTP without a relay).
    Unsupported,
    /// The browser refused to let the page read the answer (no CORS header on the policy host).
    Blocked,
}

/// The result of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Outcome {
    /// A DNS answer (NOERROR, NXDOMAIN, SERVFAIL... are all answers).
    Lookup {
        /// The decoded answer.
        lookup: Lookup,
    },
    /// An HTTP response to the policy fetch, whatever its status, with the TLS facts.
    ///
    /// A browser's `fetch` exposes no certificate: it records `tls.certificates` empty and
    /// `tls.chain_valid` true, because a response only arrives when the browser validated
    /// the chain and the name itself.
    Policy {
        /// The relay's `/api/v1/policy` shape.
        policy: PolicyProbe,
    },
    /// A STARTTLS probe that reached the SMTP dialogue (with or without STARTTLS).
    Probe {
        /// The relay's `/api/v1/mx-probe` shape.
        probe: MxProbe,
    },
    /// The step ran and got no answer: resolver unreachable, timeout, refused, TLS failure.
    Failed {
        /// What happened.
        failure: ProbeFailure,
    },
    /// The step was not performed.
    NotRun {
        /// Why.
        reason: NotRunReason,
        /// The details, for display.
        message: String,
    },
}

/// One step's result and timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The step.
    pub step: Step,
    /// When it started, in ms since the check started.
    pub started_ms: u64,
    /// When it finished, in ms since the check started.
    pub finished_ms: u64,
    /// What it gave.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Every result of one check, in the order they were recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observations {
    /// The results; at most one per step (a second record of a step replaces the first).
    pub entries: Vec<Observation>,
}

impl Observations {
    /// Nothing observed yet.
    pub fn new() -> Observations {
        Observations::default()
    }

    /// Records the result of `step`.
    pub fn record(&mut self, step: Step, started_ms: u64, finished_ms: u64, outcome: Outcome) {
        let observation = Observation {
            step,
            started_ms,
            finished_ms: finished_ms.max(started_ms),
            outcome,
        };
        match self.entries.iter_mut().find(|o| o.step == observation.step) {
            Some(existing) => *existing = observation,
            None => self.entries.push(observation),
        }
    }

    /// The result of `step`, if recorded.
    pub fn get(&self, step: &Step) -> Option<&Observation> {
        self.entries.iter().find(|o| &o.step == step)
    }

    /// Whether `step` has finished (any outcome).
    pub fn has(&self, step: &Step) -> bool {
        self.get(step).is_some()
    }

    /// The DNS answer of `step`, if it got one.
    pub fn lookup(&self, step: &Step) -> Option<&Lookup> {
        match &self.get(step)?.outcome {
            Outcome::Lookup { lookup } => Some(lookup),
            _ => None,
        }
    }

    /// The failure of `step`, if it failed.
    pub fn failure(&self, step: &Step) -> Option<&ProbeFailure> {
        match &self.get(step)?.outcome {
            Outcome::Failed { failure } => Some(failure),
            _ => None,
        }
    }

    /// When the last step finished: the check's duration as far as the steps go.
    pub fn elapsed_ms(&self) -> u64 {
        self.entries
            .iter()
            .map(|o| o.finished_ms)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{RecordType, Status};
    use crate::probe::FailureKind;

    fn nx() -> Lookup {
        Lookup {
            name: "_mta-sts.example.com".into(),
            record_type: RecordType::Txt,
            status: Status::NxDomain,
            authenticated: true,
            cname_chain: vec![],
            records: vec![],
            negative_ttl: Some(300),
        }
    }

    #[test]
    fn json_shape_round_trips() {
        let mut obs = Observations::new();
        obs.record(Step::StsRecord, 0, 12, Outcome::Lookup { lookup: nx() });
        obs.record(
            Step::PolicyFetch,
            0,
            20,
            Outcome::Failed {
                failure: ProbeFailure {
                    kind: FailureKind::Timeout,
                    message: "timed out".into(),
                },
            },
        );
        let json = serde_json::to_value(&obs).unwrap();
        let first = &json["entries"][0];
        assert_eq!(first["step"]["kind"], "sts-record");
        assert_eq!(first["result"], "lookup");
        assert_eq!(first["lookup"]["status"], "nx-domain");
        assert_eq!(first["finished_ms"], 12);
        assert_eq!(json["entries"][1]["failure"]["kind"], "timeout");
        let back: Observations = serde_json::from_value(json).unwrap();
        assert_eq!(back, obs);
        assert_eq!(back.elapsed_ms(), 20);
        assert!(back.lookup(&Step::StsRecord).is_some());
        assert!(back.failure(&Step::PolicyFetch).is_some());
        assert!(!back.has(&Step::Mx));
    }

    #[test]
    fn a_second_record_replaces_the_first() {
        let mut obs = Observations::new();
        obs.record(Step::StsRecord, 5, 3, Outcome::Lookup { lookup: nx() });
        assert_eq!(obs.entries[0].finished_ms, 5, "never before it started");
        obs.record(
            Step::StsRecord,
            0,
            9,
            Outcome::NotRun {
                reason: NotRunReason::Unsupported,
                message: "x".into(),
            },
        );
        assert_eq!(obs.entries.len(), 1);
        assert_eq!(obs.entries[0].finished_ms, 9);
    }
}
