//! What a compliant sender (Gmail, Microsoft 365, Postfix with an MTA-STS resolver) does with
//! each MX host under the current policy, for a sender that has no cached policy.
//!
//! RFC 8461 §5: with a policy in `enforce` mode, a host that fails validation (§4: no pattern
//! matches it, no STARTTLS, or a certificate that is not valid for it) gets no mail; in
//! `testing` mode it gets the mail anyway and the failure is reported (RFC 8460); in `none`
//! mode, or without a usable policy (§3.3), the sender behaves as if MTA-STS did not exist:
//! opportunistic STARTTLS, no certificate check, plaintext if STARTTLS is missing or stripped.
//! Senders that cached an earlier policy keep applying it until it expires (§3.3), which is
//! stated separately. Senders that do DANE use DNSSEC-validated TLSA records instead (§2).

use super::report::{
    MxReport, MxRow, PolicyReport, PolicyStatus, ProbeState, RecordReport, RecordStatus,
    SenderAction, SenderOutcome, SenderSummary,
};
use crate::name::{DomainName, TrailingDot};
use crate::number::plural;
use crate::policy::Mode;

/// Fills in each row's sender outcome and summarises the domain.
pub(super) fn simulate(
    sts: &RecordReport,
    policy: &PolicyReport,
    mx: &mut MxReport,
) -> SenderSummary {
    let mode = policy
        .parsed
        .as_ref()
        .filter(|_| policy.in_force)
        .map(|p| p.mode);
    for row in &mut mx.hosts {
        row.sender = outcome(row, mode);
    }
    summary(sts, policy, mode, &mx.hosts)
}

/// Why MTA-STS validation (RFC 8461 §4) fails for a row, as far as the check saw.
pub fn validation_failures(row: &MxRow) -> Vec<String> {
    let mut why = Vec::new();
    if row.policy_allows == Some(false) {
        why.push("it matches no mx pattern of the policy".to_owned());
    }
    match (row.probe, row.starttls) {
        (ProbeState::Done, Some(false)) => why.push("it offers no STARTTLS".to_owned()),
        (ProbeState::Failed, Some(true)) => why.push("STARTTLS fails".to_owned()),
        _ => {}
    }
    if row.chain_valid == Some(false) {
        let error = row
            .chain_error
            .as_ref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        why.push(format!("its certificate chain is not valid{error}"));
    }
    if row.name_valid == Some(false) {
        why.push("its certificate is not valid for its name".to_owned());
    }
    why
}

fn outcome(row: &MxRow, mode: Option<Mode>) -> SenderOutcome {
    if DomainName::parse(&row.host, TrailingDot::Refuse).is_err() {
        return SenderOutcome {
            action: SenderAction::Unknown,
            why: "This MX record names no host (see mx-not-hostname), so senders cannot deliver to it and move on to the next MX host.".to_owned(),
        };
    }
    let dane = if row.dane == Some(true) {
        " Senders that do DANE use its TLSA records instead."
    } else {
        ""
    };
    let (action, why) = match mode {
        None | Some(Mode::None) => {
            let prefix = if mode == Some(Mode::None) {
                "The policy's mode is none, so no MTA-STS applies"
            } else {
                "No MTA-STS policy applies"
            };
            let tls = match row.starttls {
                Some(false) => "this host offers no STARTTLS, so mail goes in plaintext",
                Some(true) => {
                    "the sender uses STARTTLS without checking the certificate, and an attacker on the path can strip it"
                }
                None => "the sender uses STARTTLS if offered, without checking the certificate",
            };
            (
                SenderAction::DeliverWithoutMtaSts,
                format!("{prefix}: {tls}."),
            )
        }
        Some(mode) => {
            let failures = validation_failures(row);
            if !failures.is_empty() {
                let reasons = failures.join(", and ");
                if mode == Mode::Enforce {
                    (
                        SenderAction::Refuse,
                        format!(
                            "Validation fails because {reasons}: in enforce mode the sender does not deliver to this host and tries the next one."
                        ),
                    )
                } else {
                    (
                        SenderAction::DeliverDespiteFailure,
                        format!(
                            "Validation fails because {reasons}: in testing mode the sender delivers anyway and reports the failure (TLS-RPT)."
                        ),
                    )
                }
            } else if row.probe == ProbeState::Done {
                let pattern = row.pattern.as_deref().unwrap_or("?");
                (
                    SenderAction::DeliverTls,
                    format!(
                        "It matches `{pattern}` and offers STARTTLS with a certificate valid for its name: the sender delivers over authenticated TLS."
                    ),
                )
            } else {
                let why = row.probe_error.as_deref().unwrap_or("it was not probed");
                (
                    SenderAction::Unknown,
                    format!(
                        "It matches the policy, but its STARTTLS and certificate were not checked ({why}): the sender delivers only if they validate."
                    ),
                )
            }
        }
    };
    SenderOutcome {
        action,
        why: format!("{why}{dane}"),
    }
}

fn summary(
    sts: &RecordReport,
    policy: &PolicyReport,
    mode: Option<Mode>,
    rows: &[MxRow],
) -> SenderSummary {
    let cached = "Senders that cached an earlier policy keep applying it until its max_age runs out (RFC 8461 §3.3), then fall back to no policy.";
    let count = |action| rows.iter().filter(|r| r.sender.action == action).count();
    let total = rows.len();
    let (summary, cached_policy) = match (sts.status, mode) {
        (RecordStatus::Missing, _) => (
            "Senders find no _mta-sts record and deliver with opportunistic TLS, which an attacker on the path can strip or downgrade.".to_owned(),
            None,
        ),
        (RecordStatus::LookupFailed | RecordStatus::NotChecked, _) => (
            "The _mta-sts record could not be looked up, so what senders do is unknown.".to_owned(),
            None,
        ),
        (_, None) => {
            let why = match (sts.status, policy.status) {
                (RecordStatus::Multiple, _) => "there are several _mta-sts records",
                (RecordStatus::Invalid, _) => "the _mta-sts record is invalid",
                (_, PolicyStatus::Unavailable) => "the policy cannot be fetched",
                (_, PolicyStatus::Invalid) => "the policy is rejected",
                _ => "the policy was not checked",
            };
            (
                format!("Senders without a cached policy find no usable one ({why}) and deliver without MTA-STS."),
                Some(cached.to_owned()),
            )
        }
        (_, Some(Mode::None)) => (
            "The policy's mode is none: senders treat the domain as having no MTA-STS policy (RFC 8461 §5).".to_owned(),
            None,
        ),
        (_, Some(Mode::Testing)) => (
            format!(
                "Senders validate each MX host but deliver even when validation fails, reporting failures through TLS-RPT: {} of {total} MX host{} would pass.",
                count(SenderAction::DeliverTls),
                plural(total)
            ),
            None,
        ),
        (_, Some(Mode::Enforce)) => {
            let ok = count(SenderAction::DeliverTls);
            let refused = count(SenderAction::Refuse);
            let unknown = count(SenderAction::Unknown);
            let text = if total > 0 && refused == total {
                "No MX host passes validation: compliant senders cannot deliver, retry, and finally bounce the mail.".to_owned()
            } else {
                let mut text = format!(
                    "Senders deliver only to MX hosts that pass validation: {ok} of {total} pass"
                );
                if refused > 0 {
                    text.push_str(&format!(", {refused} refused"));
                }
                if unknown > 0 {
                    text.push_str(&format!(", {unknown} not checked"));
                }
                text.push('.');
                text
            };
            (text, None)
        }
    };
    SenderSummary {
        policy_applied: mode.is_some_and(|m| m != Mode::None),
        mode,
        summary,
        cached_policy,
    }
}
