//! The verdict: one state and one sentence, decided in this order.
//!
//! 1. The domain does not exist (NXDOMAIN) → `not-deployed`.
//! 2. Any error finding → `broken`; the sentence comes from the first component with an error
//!    (DNS, `_mta-sts` record, policy, MX hosts, TLS-RPT) and counts the rest.
//! 3. Null MX → `not-deployed` (the domain takes no mail).
//! 4. No `_mta-sts` record → `not-deployed`.
//! 5. The `_mta-sts` lookup could not be made, or the policy could not be fetched from here
//!    (and nothing else is wrong) → `unknown`.
//! 6. A policy in force in mode `none` → `not-deployed`.
//! 7. The MX lookup could not be made → `unknown`.
//! 8. `testing` → `testing`; `enforce` → `enforced` (every MX host validates, or could not be
//!    probed, or there is no MX record at all: the sentence says which).

use super::report::{
    CheckFinding, Component, MxReport, MxStatus, PolicyReport, RecordReport, RecordStatus,
    SenderAction, Verdict, VerdictStatus,
};
use crate::finding::{Code, Severity};
use crate::name::DomainName;
use crate::policy::Mode;

/// What the verdict is decided from.
pub(super) struct Facts<'a> {
    pub domain: &'a DomainName,
    pub domain_exists: bool,
    pub sts: &'a RecordReport,
    pub policy: &'a PolicyReport,
    pub mx: &'a MxReport,
    pub findings: &'a [CheckFinding],
    pub probed: bool,
}

pub(super) fn decide(f: &Facts<'_>) -> Verdict {
    let verdict = |status, summary: String| Verdict { status, summary };
    let domain = f.domain;
    if !f.domain_exists {
        return verdict(
            VerdictStatus::NotDeployed,
            format!("{domain} does not exist (NXDOMAIN), so it receives no mail."),
        );
    }
    let errors: Vec<&CheckFinding> = f
        .findings
        .iter()
        .filter(|x| x.severity() == Severity::Error)
        .collect();
    if let Some(first) = errors.first() {
        return verdict(VerdictStatus::Broken, broken(f, first, &errors));
    }
    if f.mx.status == MxStatus::NullMx {
        return verdict(
            VerdictStatus::NotDeployed,
            format!("{domain} accepts no mail (null MX, RFC 7505), so MTA-STS does not apply."),
        );
    }
    match f.sts.status {
        RecordStatus::Missing => {
            return verdict(
                VerdictStatus::NotDeployed,
                format!(
                    "{domain} has no _mta-sts record, so senders use opportunistic TLS, which an attacker on the path can strip."
                ),
            );
        }
        RecordStatus::LookupFailed | RecordStatus::NotChecked => {
            return verdict(
                VerdictStatus::Unknown,
                format!(
                    "The _mta-sts record of {domain} could not be looked up, so whether MTA-STS is deployed is unknown."
                ),
            );
        }
        _ => {}
    }
    let Some(parsed) = f.policy.parsed.as_ref().filter(|_| f.policy.in_force) else {
        return verdict(
            VerdictStatus::Unknown,
            format!(
                "{domain} publishes an _mta-sts record, but its policy could not be fetched from here, so its mode and MX coverage are unknown."
            ),
        );
    };
    if parsed.mode == Mode::None {
        return verdict(
            VerdictStatus::NotDeployed,
            "The policy's mode is none: senders treat the domain as having no MTA-STS policy (RFC 8461 §5).".to_owned(),
        );
    }
    let status = if parsed.mode == Mode::Enforce {
        VerdictStatus::Enforced
    } else {
        VerdictStatus::Testing
    };
    match f.mx.status {
        MxStatus::LookupFailed => {
            return verdict(
                VerdictStatus::Unknown,
                format!(
                    "The MX hosts of {domain} could not be looked up, so whether they pass MTA-STS validation is unknown."
                ),
            );
        }
        MxStatus::None => {
            return verdict(
                status,
                format!(
                    "The policy is in {} mode, but {domain} has no MX record: senders deliver to its own address (implicit MX), which this check does not validate.",
                    parsed.mode
                ),
            );
        }
        _ => {}
    }
    let total = f.mx.hosts.len();
    let count = |action| {
        f.mx.hosts
            .iter()
            .filter(|r| r.sender.action == action)
            .count()
    };
    let unchecked = count(SenderAction::Unknown);
    let probes = if !f.probed {
        " (the MX hosts were not probed: STARTTLS and certificates unchecked)".to_owned()
    } else if unchecked > 0 {
        format!(" ({unchecked} of {total} MX hosts could not be probed from here)")
    } else {
        String::new()
    };
    let summary = if status == VerdictStatus::Testing {
        format!(
            "The policy is in testing mode: senders report TLS failures but deliver anyway, and every MX host is covered by the policy{probes}."
        )
    } else if f.probed && unchecked == 0 {
        match total {
            1 => "MTA-STS is enforced and healthy: the MX host passes validation.".to_owned(),
            n => format!("MTA-STS is enforced and healthy: all {n} MX hosts pass validation."),
        }
    } else {
        format!("MTA-STS is enforced and every MX host is covered by the policy{probes}.")
    };
    verdict(status, summary)
}

/// The sentence for a broken setup, from the first component that has an error.
fn broken(f: &Facts<'_>, first: &CheckFinding, errors: &[&CheckFinding]) -> String {
    let of = |component| -> Vec<&CheckFinding> {
        errors
            .iter()
            .copied()
            .filter(|e| e.component == component)
            .collect()
    };
    let codes = |list: &[&CheckFinding]| {
        let mut codes: Vec<&str> = list.iter().map(|e| e.finding.code.as_str()).collect();
        codes.dedup();
        codes.join(", ")
    };
    let mine = of(first.component);
    let others = errors.len() - mine.len();
    let more = match others {
        0 => String::new(),
        1 => ", and 1 more error elsewhere".to_owned(),
        n => format!(", and {n} more errors elsewhere"),
    };
    let mode = f.policy.parsed.as_ref().map(|p| p.mode);
    let head = match first.component {
        Component::StsRecord => format!(
            "The _mta-sts record is unusable ({}), so senders see no MTA-STS policy",
            codes(&mine)
        ),
        Component::Policy => format!(
            "Senders cannot use the policy ({}), so those without a cached copy deliver without MTA-STS",
            codes(&mine)
        ),
        Component::Mx => {
            let mut hosts: Vec<&str> = mine.iter().filter_map(|e| e.host.as_deref()).collect();
            hosts.sort_unstable();
            hosts.dedup();
            let n = hosts.len().max(1);
            let total = f.mx.hosts.len().max(n);
            let what = codes(&mine);
            match mode {
                Some(Mode::Enforce) if f.policy.in_force => format!(
                    "In enforce mode, compliant senders refuse {n} of {total} MX hosts ({what})"
                ),
                Some(Mode::Testing) if f.policy.in_force => format!(
                    "{n} of {total} MX hosts fail MTA-STS validation ({what}); testing mode still delivers, but enforcing would refuse them"
                ),
                _ => format!("{n} of {total} MX hosts have errors ({what})"),
            }
        }
        Component::Tlsrpt => format!(
            "The TLS-RPT record is unusable ({}), so reporters send no TLS reports",
            codes(&mine)
        ),
        Component::Dns => {
            if first.finding.code == Code::DnsServfail {
                format!(
                    "DNS lookups fail with SERVFAIL ({} name{}), so senders cannot rely on the records",
                    mine.len(),
                    if mine.len() == 1 { "" } else { "s" }
                )
            } else {
                format!("DNS is broken ({})", codes(&mine))
            }
        }
    };
    format!("{head}{more}.")
}
