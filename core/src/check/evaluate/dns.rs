//! The lookups themselves: SERVFAIL (temporary) against NXDOMAIN (absent) on every name, lookups
//! the resolver could not answer, the domain's existence, and the AD bit (DNSSEC).

use super::{Answer, Ctx, Sink};
use crate::check::plan::Step;
use crate::check::report::{Component, DnssecReport, DnssecStatus};
use crate::dns::Status;
use crate::finding::{Code, Finding, Severity};

/// Reports failed lookups and DNSSEC; returns the DNSSEC summary and whether the domain exists
/// (false only on NXDOMAIN for its MX lookup).
pub(super) fn evaluate(ctx: &Ctx<'_>, sink: &mut Sink) -> (DnssecReport, bool) {
    let sts_present = ctx
        .answer(&Step::StsRecord)
        .records()
        .is_some_and(|l| l.txt().any(|t| t.as_bytes().starts_with(b"v=STS")));
    for planned in ctx.plan.steps() {
        let step = &planned.step;
        let Some((name, record_type)) = step.query(ctx.domain) else {
            continue;
        };
        match ctx.answer(step) {
            Answer::Error(lookup) => {
                let rcode = match lookup.status {
                    Status::ServFail => "SERVFAIL".to_owned(),
                    Status::Other { rcode } => format!("error code {rcode}"),
                    _ => unreachable!("Answer::Error is SERVFAIL or another code"),
                };
                let (severity, consequence) = servfail_consequence(ctx, step, sts_present);
                sink.push(
                    Component::Dns,
                    Finding::new(
                        Code::DnsServfail,
                        format!("The resolver answered {rcode} for {name} {record_type}: a temporary failure (often broken DNSSEC signatures or unreachable name servers), not a statement that the record is absent as NXDOMAIN would be. {consequence}"),
                    )
                    .with_severity(severity)
                    .with_fix(format!("Check the name servers and the DNSSEC chain of {name} (e.g. with DNSViz or `dig +dnssec {name} {record_type}` against each authoritative server) and fix the one that fails.")),
                );
            }
            Answer::Failed(failure) => sink.push(
                Component::Dns,
                Finding::new(
                    Code::DnsLookupFailed,
                    format!("{name} {record_type} could not be looked up: {}. What depends on it was not checked.", failure.message),
                )
                .with_fix("Run the check again, or with another DNS-over-HTTPS resolver."),
            ),
            _ => {}
        }
    }
    let exists = !matches!(ctx.answer(&Step::Mx), Answer::NxDomain(_));
    if !exists {
        sink.push(
            Component::Dns,
            Finding::new(
                Code::DomainNotFound,
                format!("{} does not exist (NXDOMAIN): mail to it bounces, and there is nothing to check.", ctx.domain),
            )
            .with_fix(format!("Check the spelling of {}, or register and delegate the domain.", ctx.domain)),
        );
    }
    (dnssec(ctx, sink), exists)
}

/// How bad a SERVFAIL is depends on what senders needed the name for.
fn servfail_consequence(ctx: &Ctx<'_>, step: &Step, sts_present: bool) -> (Severity, &'static str) {
    match step {
        Step::Mx => (
            Severity::Error,
            "Senders cannot find the mail servers and keep the mail queued until the lookup works.",
        ),
        Step::StsRecord => (
            Severity::Error,
            "Senders cannot tell whether a policy exists: those with a cached policy keep applying it, the others deliver without MTA-STS (RFC 8461 §3.3).",
        ),
        Step::TlsRptRecord => (
            Severity::Warning,
            "Reporters cannot find where to send TLS reports, so failures go unreported.",
        ),
        Step::PolicyHostA | Step::PolicyHostAaaa if sts_present => (
            Severity::Error,
            "Senders cannot reach the policy host to fetch the policy.",
        ),
        Step::PolicyHostA | Step::PolicyHostAaaa => (
            Severity::Warning,
            "The policy host does not resolve reliably (no _mta-sts record points senders to it yet).",
        ),
        Step::MxA { host } | Step::MxAaaa { host } => {
            let other = match step {
                Step::MxA { .. } => Step::MxAaaa { host: host.clone() },
                _ => Step::MxA { host: host.clone() },
            };
            if ctx.answer(&other).records().is_some() {
                (
                    Severity::Warning,
                    "Senders that try this address family first are delayed; the other family resolves.",
                )
            } else {
                (
                    Severity::Error,
                    "Senders cannot find this MX host's address and try the next MX, or queue the mail.",
                )
            }
        }
        Step::MxTlsa { .. } => (
            Severity::Warning,
            "Senders that do DANE defer mail to this MX host while its TLSA lookup fails (RFC 7672 §2.2).",
        ),
        Step::PolicyFetch | Step::MxProbe { .. } => (Severity::Warning, ""),
    }
}

/// The AD bit over the domain's own answers (MX, `_mta-sts`, `_smtp._tls`); NXDOMAIN and NODATA
/// count, since a validating resolver authenticates denials too (RFC 4035 §3.1.3).
fn dnssec(ctx: &Ctx<'_>, sink: &mut Sink) -> DnssecReport {
    let mut validated = Vec::new();
    let mut not_validated = Vec::new();
    for step in [Step::Mx, Step::StsRecord, Step::TlsRptRecord] {
        if let Some(lookup) = ctx.answer(&step).lookup() {
            let label = format!("{} {}", lookup.name, lookup.record_type);
            if lookup.authenticated {
                validated.push(label);
            } else {
                not_validated.push(label);
            }
        }
    }
    let status = match (validated.is_empty(), not_validated.is_empty()) {
        (true, true) => DnssecStatus::Unknown,
        (false, true) => DnssecStatus::Validated,
        (true, false) => DnssecStatus::NotValidated,
        (false, false) => DnssecStatus::Partial,
    };
    match status {
        DnssecStatus::Validated => sink.push(
            Component::Dns,
            Finding::new(
                Code::DnssecValidated,
                format!("The resolver validated the answers for {} with DNSSEC (AD bit set): the records cannot be forged on the way to a validating sender.", validated.join(", ")),
            )
            .with_fix("Nothing to do; keep the DNSSEC signatures fresh."),
        ),
        DnssecStatus::Partial | DnssecStatus::NotValidated => sink.push(
            Component::Dns,
            Finding::new(
                Code::DnssecNotValidated,
                format!("The resolver did not validate {} with DNSSEC (AD bit clear): the zone is unsigned or the resolver does not validate. MTA-STS does not need DNSSEC (it authenticates the policy with HTTPS), but DANE does.", not_validated.join(", ")),
            )
            .with_fix("Optional: sign the zone with DNSSEC (and then consider DANE TLSA records for the MX hosts)."),
        ),
        DnssecStatus::Unknown => {}
    }
    DnssecReport {
        status,
        validated,
        not_validated,
    }
}
