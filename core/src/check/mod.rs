//! The domain check: plan → observations → report, with no I/O.
//!
//! ```text
//!   Plan::new(domain, options)            round 1: MX, TXT _mta-sts, TXT _smtp._tls,
//!        │                                         A/AAAA mta-sts.<domain>, policy fetch
//!        │  shell runs every step whose `needs` are done, concurrently, and records
//!        ▼  each result with its timing:  observations.record(step, started_ms, finished_ms, outcome)
//!   plan.add_mx_hosts(&mx_answer)         round 2 per MX host: A/AAAA, TLSA _25._tcp, STARTTLS probe
//!        │
//!        ▼
//!   evaluate(&plan, &observations, now)   -> Report { verdict, findings, sts_record, policy, mx,
//!                                                     tlsrpt, sender, dnssec, timeline }
//!   history::compare(&previous, &Snapshot::of(&report))   what changed since the last check
//! ```
//!
//! Both shells drive the same plan: the native CLI (`stslens check`, in `stslens-web`) performs
//! every step itself and connects to the addresses its own lookups returned
//! ([`PlanOptions::native`]); the browser looks up DNS over HTTPS, fetches the policy with
//! `fetch` (or through a relay) and probes MX hosts only through a relay
//! ([`PlanOptions::browser`]). The core reads no clock: the shells time the steps and pass
//! "now" to [`evaluate`], which is what keeps a check reproducible from its saved plan and
//! observations.

mod evaluate;
pub mod history;
mod observation;
mod plan;
mod report;
pub mod sender;
mod timeline;
mod verdict;

pub use evaluate::{EXPIRY_WARNING_DAYS, evaluate};
pub use history::{Snapshot, compare};
pub use observation::{NotRunReason, Observation, Observations, Outcome};
pub use plan::{
    MAX_MX_HOSTS, MxEntry, Plan, PlanOptions, PlannedStep, Step, mx_hosts, policy_host, policy_url,
};
pub use report::{
    CheckFinding, Component, DnssecReport, DnssecStatus, HostStatus, MxReport, MxRow, MxStatus,
    PolicyHostReport, PolicyReport, PolicyStatus, PolicyTlsReport, ProbeState, RecordReport,
    RecordStatus, Report, SenderAction, SenderOutcome, SenderSummary, Timeline, TimelineStep,
    TlsRptReport, Verdict, VerdictStatus,
};

/// Reads the domain to check as a user typed it (the generator's rules: no URL, no address, no
/// single label, not `mta-sts.<domain>`); the error names the value and says what to type.
pub fn parse_domain(input: &str) -> Result<crate::name::DomainName, crate::generate::InputError> {
    crate::generate::check_domain(input)
}

/// SHA-256 of a policy body, lower-case hex, as shown beside the record's id.
pub fn policy_sha256(body: &[u8]) -> String {
    evaluate::sha256_hex(body)
}

#[cfg(test)]
mod tests;
