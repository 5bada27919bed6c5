//! From [`Observations`] to a [`Report`]: every rule of the check, one module per component.
//!
//! ```text
//!   dns      SERVFAIL vs NXDOMAIN per lookup, resolver failures, the domain's existence, DNSSEC
//!   records  _mta-sts and _smtp._tls through the linters, CNAME delegation (RFC 8461 §8.2)
//!   policy   policy host resolution, the fetch (§3.3 rules via lint_fetch), its certificate,
//!            max_age advice, the SHA-256 beside the id
//!   mx       null MX, MX names, addresses and aliases, coverage by the policy (§4.1), TLSA
//!   tls      each probe: STARTTLS, version, chain, name, expiry (§4.2)
//! ```
//! then `sender` (what a compliant sender does) and `verdict` (one word and one sentence).
//!
//! Severity follows whether a policy applies: an MX certificate problem is an error when the
//! domain publishes a `testing` or `enforce` policy (senders fail validation and report it, or
//! refuse the host) and a warning otherwise (senders without MTA-STS do not validate).

mod dns;
mod mx;
mod policy;
mod records;
mod tls;

pub(super) use policy::sha256_hex;

use super::observation::{Observations, Outcome};
use super::plan::{Plan, Step};
use super::report::{CheckFinding, Component, Report};
use super::{sender, timeline, verdict};
use crate::dns::{Lookup, Status};
use crate::finding::{Finding, all_valid};
use crate::name::DomainName;
use crate::policy::Mode;
use crate::probe::ProbeFailure;

/// Certificates expiring within this many days get a warning (renewal has clearly stalled:
/// ACME clients renew 30 days ahead).
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// One day in seconds: the threshold for a short `max_age` and a long one in mode `none`.
pub const ONE_DAY: u32 = 86_400;

/// Evaluates what a check observed into its report. `now` is Unix seconds (certificate
/// expiry is counted from it); the core reads no clock.
///
/// Steps of the plan with no observation are treated as not run. Observations of steps that
/// are not in the plan are ignored.
pub fn evaluate(plan: &Plan, observations: &Observations, now: i64) -> Report {
    let ctx = Ctx {
        plan,
        obs: observations,
        domain: plan.domain(),
        now,
    };
    let mut sink = Sink::default();
    let (dnssec, domain_exists) = dns::evaluate(&ctx, &mut sink);
    let sts = records::sts_record(&ctx, &mut sink);
    let tlsrpt = records::tlsrpt_record(&ctx, &mut sink);
    let policy = policy::evaluate(&ctx, &sts, &mut sink);
    let mode = policy::applicable_mode(&sts, &policy);
    let mut mx = mx::evaluate(&ctx, &policy, mode, &mut sink);
    tls::evaluate(&ctx, &mut mx.hosts, mode, &mut sink);
    let sender = sender::simulate(&sts, &policy, &mut mx);
    let mut findings = sink.finish();
    // Within the MX component, hosts in preference order (a stable sort keeps each host's own
    // findings in the order the rules ran).
    findings.sort_by_key(|f| {
        let row = f
            .host
            .as_ref()
            .and_then(|h| mx.hosts.iter().position(|r| &r.host == h));
        (f.component, row.map_or(0, |i| i + 1))
    });
    let valid = all_valid(
        &findings
            .iter()
            .map(|f| f.finding.clone())
            .collect::<Vec<_>>(),
    );
    let verdict = verdict::decide(&verdict::Facts {
        domain: plan.domain(),
        domain_exists,
        sts: &sts,
        policy: &policy,
        mx: &mx,
        findings: &findings,
        probed: plan.options().probe_mx,
    });
    Report {
        domain: plan.domain().clone(),
        checked_at: now,
        valid,
        verdict,
        findings,
        sts_record: sts,
        policy,
        mx,
        tlsrpt,
        sender,
        dnssec,
        timeline: timeline::timeline(plan, observations),
    }
}

/// What every rule reads.
pub(super) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub obs: &'a Observations,
    pub domain: &'a DomainName,
    pub now: i64,
}

impl Ctx<'_> {
    /// What a DNS step gave.
    pub fn answer(&self, step: &Step) -> Answer<'_> {
        match self.obs.get(step).map(|o| &o.outcome) {
            None => Answer::NotRun,
            Some(Outcome::Lookup { lookup }) => match lookup.status {
                Status::Answer => Answer::Records(lookup),
                Status::NoData => Answer::NoData(lookup),
                Status::NxDomain => Answer::NxDomain(lookup),
                Status::ServFail | Status::Other { .. } => Answer::Error(lookup),
            },
            Some(Outcome::Failed { failure }) => Answer::Failed(failure),
            Some(_) => Answer::NotRun,
        }
    }
}

/// A DNS step's result in the terms the rules reason with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Answer<'a> {
    /// NOERROR with records of the type.
    Records(&'a Lookup),
    /// NOERROR without: the name exists, the type does not.
    NoData(&'a Lookup),
    /// The name does not exist.
    NxDomain(&'a Lookup),
    /// SERVFAIL or another error code: a temporary failure.
    Error(&'a Lookup),
    /// The resolver could not be asked.
    Failed(&'a ProbeFailure),
    /// Not performed or not recorded.
    NotRun,
}

impl<'a> Answer<'a> {
    /// The answer, for NOERROR and NXDOMAIN (the facts a sender sees).
    pub fn lookup(self) -> Option<&'a Lookup> {
        match self {
            Answer::Records(l) | Answer::NoData(l) | Answer::NxDomain(l) => Some(l),
            _ => None,
        }
    }

    /// The records, when there are some.
    pub fn records(self) -> Option<&'a Lookup> {
        match self {
            Answer::Records(l) => Some(l),
            _ => None,
        }
    }

    /// NXDOMAIN or NODATA: the record does not exist.
    pub fn absent(self) -> bool {
        matches!(self, Answer::NoData(_) | Answer::NxDomain(_))
    }

    /// SERVFAIL, another error code, or a resolver failure.
    pub fn failed(self) -> bool {
        matches!(self, Answer::Error(_) | Answer::Failed(_))
    }
}

/// Collects findings with their component.
#[derive(Debug, Default)]
pub(super) struct Sink {
    items: Vec<CheckFinding>,
}

impl Sink {
    /// Adds a finding about the domain as a whole.
    pub fn push(&mut self, component: Component, finding: Finding) {
        self.items.push(CheckFinding {
            component,
            host: None,
            finding,
        });
    }

    /// Adds a finding about one MX host.
    pub fn push_host(&mut self, host: &str, finding: Finding) {
        self.items.push(CheckFinding {
            component: Component::Mx,
            host: Some(host.to_owned()),
            finding,
        });
    }

    /// Adds findings from a linter.
    pub fn extend(&mut self, component: Component, findings: Vec<Finding>) {
        for f in findings {
            self.push(component, f);
        }
    }

    /// The findings grouped by component, in the order each component reported them.
    fn finish(mut self) -> Vec<CheckFinding> {
        self.items.sort_by_key(|f| f.component);
        self.items
    }
}

/// Whether a mode makes senders validate MX hosts.
pub(super) fn validates(mode: Option<Mode>) -> bool {
    matches!(mode, Some(Mode::Enforce | Mode::Testing))
}

/// Error when a policy makes senders validate, else a warning: senders without MTA-STS use
/// opportunistic TLS and do not check certificates.
pub(super) fn policy_severity(mode: Option<Mode>) -> crate::Severity {
    if validates(mode) {
        crate::Severity::Error
    } else {
        crate::Severity::Warning
    }
}

/// What a failing MX costs under the mode, for messages.
pub(super) fn consequence(mode: Option<Mode>) -> &'static str {
    match mode {
        Some(Mode::Enforce) => {
            "in enforce mode, compliant senders (Gmail, Microsoft 365) refuse to deliver to it"
        }
        Some(Mode::Testing) => {
            "in testing mode, senders still deliver but report a failure, and enforcing would refuse it"
        }
        _ => "no MTA-STS policy applies, so senders deliver anyway, without authenticated TLS",
    }
}

/// A date from Unix seconds, `YYYY-MM-DD` (UTC), for messages.
pub(super) fn date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    // Civil-from-days (Howard Hinnant), valid for the whole i64 range of certificates.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_in_utc() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(1_709_294_400), "2024-03-01");
        assert_eq!(super::date(951_782_400), "2000-02-29");
        assert_eq!(super::date(-86_400), "1969-12-31");
    }
}
