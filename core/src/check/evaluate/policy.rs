//! The policy host and the policy: does `mta-sts.<domain>` resolve, what did the fetch get
//! (RFC 8461 §3.3 through [`lint_fetch`]), is the certificate one a sender accepts, and is the
//! max_age sensible. Fetch problems are errors only when an `_mta-sts` record sends senders
//! there; without one, senders never fetch, and only a policy served anyway is worth a word.

use super::records::sts_intended;
use super::{Ctx, EXPIRY_WARNING_DAYS, ONE_DAY, Sink, date};
use crate::check::observation::{NotRunReason, Outcome};
use crate::check::paste::curl_command;
use crate::check::plan::{Step, policy_host, policy_url};
use crate::check::report::{
    Component, HostStatus, PolicyHostReport, PolicyReport, PolicyStatus, PolicyTlsReport,
    RecordReport, RecordStatus,
};
use crate::finding::{Code, Finding, Severity};
use crate::lint::lint_fetch;
use crate::number::plural;
use crate::policy::Mode;
use crate::policy::fetch::BODY_CAP;
use crate::probe::{ChainError, FailureKind, PolicyProbe, ProbeFailure};
use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The mode senders would apply if they could: the fetched policy's, when a record points to it.
pub(super) fn applicable_mode(sts: &RecordReport, policy: &PolicyReport) -> Option<Mode> {
    if !sts_intended(sts) {
        return None;
    }
    policy.parsed.as_ref().map(|p| p.mode)
}

pub(super) fn evaluate(ctx: &Ctx<'_>, sts: &RecordReport, sink: &mut Sink) -> PolicyReport {
    let intended = sts_intended(sts);
    let mut report = PolicyReport {
        status: PolicyStatus::NotChecked,
        url: policy_url(ctx.domain),
        host: host(ctx, intended, sink),
        http_status: None,
        content_type: None,
        location: None,
        tls: None,
        text: None,
        sha256: None,
        id: sts.id.clone(),
        parsed: None,
        in_force: false,
        failure: None,
    };
    match ctx.obs.get(&Step::PolicyFetch).map(|o| &o.outcome) {
        Some(Outcome::Policy { policy }) => {
            let missing = sts.status == RecordStatus::Missing;
            fetched(ctx, policy, intended, missing, &mut report, sink);
        }
        Some(Outcome::Failed { failure }) => {
            report.status = PolicyStatus::Unavailable;
            report.failure = Some(failure.message.clone());
            if intended {
                sink.push(Component::Policy, fetch_failed(ctx, failure));
            }
        }
        Some(Outcome::NotRun {
            reason: NotRunReason::NoAddress,
            message,
        }) => {
            // The host's lookups already say why (unresolvable, or SERVFAIL).
            report.status = PolicyStatus::Unavailable;
            report.failure = Some(message.clone());
        }
        Some(Outcome::NotRun { message, .. }) => {
            report.failure = Some(message.clone());
            if intended {
                sink.push(Component::Policy, not_checked(ctx, Some(message)));
            }
        }
        Some(Outcome::Lookup { .. } | Outcome::Probe { .. }) | None => {
            if intended {
                sink.push(Component::Policy, not_checked(ctx, None));
            }
        }
    }
    report.in_force =
        intended && sts.status == RecordStatus::Valid && report.status == PolicyStatus::Valid;
    report
}

fn not_checked(ctx: &Ctx<'_>, why: Option<&String>) -> Finding {
    let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
    Finding::new(
        Code::PolicyNotChecked,
        format!(
            "The policy at {} could not be fetched from here{why}, so it was not checked.",
            policy_url(ctx.domain)
        ),
    )
    .with_fix(format!(
        "Check it through a relay, or fetch it yourself (`{}`) and paste it into the checker.",
        curl_command(ctx.domain)
    ))
}

/// Where `mta-sts.<domain>` points, and the findings about it.
fn host(ctx: &Ctx<'_>, intended: bool, sink: &mut Sink) -> PolicyHostReport {
    let a = ctx.answer(&Step::PolicyHostA);
    let aaaa = ctx.answer(&Step::PolicyHostAaaa);
    let addresses: Vec<_> = [a, aaaa]
        .iter()
        .filter_map(|x| x.records())
        .flat_map(|l| l.addresses())
        .collect();
    let cname_chain: Vec<String> = [a, aaaa]
        .iter()
        .filter_map(|x| x.lookup())
        .map(|l| l.cname_chain.iter().map(|c| c.target.clone()).collect())
        .find(|chain: &Vec<String>| !chain.is_empty())
        .unwrap_or_default();
    let status = if !addresses.is_empty() {
        HostStatus::Resolves
    } else if a.failed() || aaaa.failed() {
        HostStatus::LookupFailed
    } else if a.absent() && aaaa.absent() {
        HostStatus::NoAddress
    } else {
        HostStatus::NotChecked
    };
    let name = policy_host(ctx.domain);
    if intended && status == HostStatus::NoAddress {
        sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyHostUnresolvable,
                format!("{name} has no A or AAAA record, so senders cannot fetch the policy: those that cached one keep applying it until it expires, the others deliver without MTA-STS (RFC 8461 §3.3)."),
            )
            .with_fix(format!("Publish an A (and AAAA) record, or a CNAME to your policy hosting, for {name}.")),
        );
    }
    if intended && let Some(target) = cname_chain.last() {
        sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyHostCname,
                format!("{name} is an alias (CNAME) for {target}: the policy host is delegated (RFC 8461 §8.2). The server behind {target} must still present a certificate valid for {name}, and serve the policy at exactly /.well-known/mta-sts.txt."),
            )
            .with_fix(format!("Nothing to do if the delegation is intended; make sure the provider's certificate covers {name}.")),
        );
    }
    PolicyHostReport {
        status,
        addresses,
        cname_chain,
    }
}

fn fetch_failed(ctx: &Ctx<'_>, failure: &ProbeFailure) -> Finding {
    let url = policy_url(ctx.domain);
    let host = policy_host(ctx.domain);
    let (what, fix) = match failure.kind {
        FailureKind::Timeout => (
            format!("{url} did not answer in time"),
            format!(
                "Make {host} answer HTTPS on port 443 from the internet: check the web server, the firewall and its A/AAAA records."
            ),
        ),
        FailureKind::Refused => (
            format!("{host} refused the connection on port 443"),
            format!(
                "Run an HTTPS server for {host} on port 443, or point {host} at one that serves the policy."
            ),
        ),
        FailureKind::Tls => (
            format!("the TLS handshake with {host} failed"),
            format!(
                "Serve HTTPS for {host} (TLS 1.2 or later, SNI {host}) with a certificate for {host} from a public CA."
            ),
        ),
        _ => (
            format!("fetching {url} failed"),
            format!("Serve the policy with HTTPS at {url} (status 200, text/plain)."),
        ),
    };
    Finding::new(
        Code::PolicyFetchFailed,
        format!("The _mta-sts record points senders to the policy, but {what} ({}). Senders find no policy: those that cached one keep applying it until its max_age runs out, the others deliver without MTA-STS (RFC 8461 §3.3).", failure.message),
    )
    .with_fix(fix)
}

/// A response arrived: its TLS facts, the §3.3 rules and the policy file. `record_missing`:
/// the `_mta-sts` lookup said there is no record (not merely that it failed).
fn fetched(
    ctx: &Ctx<'_>,
    probe: &PolicyProbe,
    intended: bool,
    record_missing: bool,
    report: &mut PolicyReport,
    sink: &mut Sink,
) {
    let host = policy_host(ctx.domain);
    let leaf = probe.tls.certificates.first();
    let tls = PolicyTlsReport {
        version: probe.tls.version.clone(),
        chain_valid: probe.tls.chain_valid,
        chain_error: probe.tls.chain_error.clone(),
        name_valid: probe.tls.name_valid(&host),
        days_to_expiry: leaf.map(|c| c.days_to_expiry(ctx.now)),
        dns_names: leaf.map(|c| c.dns_names.clone()).unwrap_or_default(),
        issuer: leaf.map(|c| c.issuer.clone()),
    };
    let tls_ok = tls.chain_valid && tls.name_valid != Some(false);
    let lint = lint_fetch(&probe.fetch_response());
    let body_read = probe.status == 200 && probe.body.len() <= BODY_CAP;
    report.http_status = Some(probe.status);
    report.content_type = probe.content_type.clone();
    report.location = probe.location.clone();
    if !probe.body.is_empty() || probe.status == 200 {
        report.text = Some(probe.body.clone());
    }
    if probe.status == 200 {
        report.sha256 = Some(sha256_hex(probe.body.as_bytes()));
    }
    report.status = if !body_read {
        PolicyStatus::Unavailable
    } else if !tls_ok || !lint.valid {
        PolicyStatus::Invalid
    } else {
        PolicyStatus::Valid
    };
    report.parsed = lint.parsed.clone();

    if !intended {
        if record_missing && lint.parsed.is_some() {
            sink.push(
                Component::Policy,
                Finding::new(
                    Code::PolicyWithoutRecord,
                    format!("{} serves a policy, but there is no _mta-sts TXT record, so senders never fetch it (RFC 8461 §3.1: the record is what tells them a policy exists).", report.url),
                )
                .with_fix(format!("Publish `_mta-sts.{} TXT \"v=STSv1; id=<a new id>\"` to deploy it, or remove the policy file if MTA-STS is not wanted.", ctx.domain)),
            );
        }
        report.tls = Some(tls);
        return;
    }

    tls_findings(ctx, probe, &tls, sink);
    sink.extend(Component::Policy, lint.findings);
    if let Some(parsed) = &lint.parsed {
        max_age_findings(parsed.mode, parsed.max_age, sink);
    }
    report.tls = Some(tls);
}

/// The policy host's certificate: §3.3 requires a valid chain and a name valid for
/// `mta-sts.<domain>` before a sender may use the policy.
fn tls_findings(ctx: &Ctx<'_>, probe: &PolicyProbe, tls: &PolicyTlsReport, sink: &mut Sink) {
    let host = policy_host(ctx.domain);
    let leaf = probe.tls.certificates.first();
    let renew = format!(
        "Install a certificate for {host} from a public CA with its full chain (for example Let's Encrypt with automatic renewal)."
    );
    if !tls.chain_valid {
        let why = match (&tls.chain_error, leaf) {
            (Some(ChainError::Expired), Some(leaf)) => {
                format!("expired on {}", date(leaf.not_after))
            }
            (Some(ChainError::Expired), None) => "has expired".to_owned(),
            (Some(ChainError::NotYetValid), _) => "is not valid yet".to_owned(),
            (Some(ChainError::UnknownIssuer), _) => "is not issued by a certificate authority senders trust (self-signed, a private CA, or a missing intermediate certificate)".to_owned(),
            (Some(other), _) => format!("is not valid ({other})"),
            (None, _) => "is not valid".to_owned(),
        };
        sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyCertInvalid,
                format!("The certificate of {host} {why}. Senders must not use a policy fetched over it (RFC 8461 §3.3), so they find no policy: those that cached one keep it until it expires, the others deliver without MTA-STS."),
            )
            .with_fix(renew.clone()),
        );
    }
    if tls.name_valid == Some(false) {
        sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyCertNameMismatch,
                format!("The certificate of {host} is for {}, not {host}. Senders must not use a policy fetched over it (RFC 8461 §3.3), so they find no policy.", names(&tls.dns_names)),
            )
            .with_fix(format!("Serve {host} with a certificate that lists {host} in its subjectAltName (with SNI, if the server hosts several names).")),
        );
    }
    if tls.chain_valid
        && let Some(days) = tls.days_to_expiry
        && (0..EXPIRY_WARNING_DAYS).contains(&days)
    {
        sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyCertExpiring,
                format!("The certificate of {host} expires in {days} day{} ({}); after that senders cannot fetch the policy.", plural(days), leaf.map(|l| date(l.not_after)).unwrap_or_default()),
            )
            .with_fix(format!("Renew the certificate of {host} now and check that automatic renewal works.")),
        );
    }
}

/// max_age advice beyond the syntax (RFC 8461 §3.2, §8.3).
fn max_age_findings(mode: Mode, max_age: u32, sink: &mut Sink) {
    match mode {
        Mode::None if max_age > ONE_DAY => sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyModeNoneMaxAge,
                format!("Mode none with max_age {max_age} ({} days): RFC 8461 §8.3 removes MTA-STS with a `none` policy of small max_age (e.g. 86400), so that senders forget the domain's policy soon after the records are gone.", max_age / ONE_DAY),
            )
            .with_fix("Set `max_age: 86400` while in mode none (and change the record's id)."),
        ),
        Mode::Enforce | Mode::Testing if max_age < ONE_DAY => {
            let severity = if mode == Mode::Enforce { Severity::Warning } else { Severity::Info };
            sink.push(
                Component::Policy,
                Finding::new(
                    Code::PolicyMaxAgeShort,
                    format!("max_age is {max_age} seconds, under a day: senders re-fetch the policy that often, and an attacker who blocks a re-fetch after it expires gets past it. RFC 8461 §3.2 expects weeks or more."),
                )
                .with_severity(severity)
                .with_fix("Raise max_age to at least 604800 (a week), and towards 31557600 once the policy is stable (change the record's id)."),
            );
        }
        _ => {}
    }
}

pub(super) fn names(names: &[String]) -> String {
    if names.is_empty() {
        "no DNS name at all".to_owned()
    } else {
        names.join(", ")
    }
}
