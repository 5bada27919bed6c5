//! Each MX host's STARTTLS probe: what a sender sees before it would send mail. MTA-STS
//! validation (RFC 8461 §4) needs STARTTLS and a certificate whose chain is valid (§4.2, WebPKI)
//! and which is valid for the MX host name (RFC 6125).

use super::policy::names;
use super::{Ctx, EXPIRY_WARNING_DAYS, Sink, consequence, date, policy_severity};
use crate::check::observation::{NotRunReason, Outcome};
use crate::check::plan::Step;
use crate::check::report::{Component, MxRow, ProbeState};
use crate::finding::{Code, Finding};
use crate::name::{DomainName, TrailingDot};
use crate::number::plural;
use crate::policy::Mode;
use crate::probe::{ChainError, FailureKind, MxProbe, ProbeFailure};

pub(super) fn evaluate(ctx: &Ctx<'_>, rows: &mut [MxRow], mode: Option<Mode>, sink: &mut Sink) {
    let hosts = rows
        .iter()
        .filter(|r| DomainName::parse(&r.host, TrailingDot::Refuse).is_ok())
        .count();
    if !ctx.plan.options().probe_mx {
        if hosts > 0 {
            sink.push(
                Component::Mx,
                Finding::new(
                    Code::MxNotProbed,
                    "The MX hosts were not probed, so STARTTLS and their certificates were not checked.",
                )
                .with_fix("Run the check with the STARTTLS probe (the CLI without --no-probe from a host whose outbound port 25 is open, or the web app through a relay)."),
            );
        }
        return;
    }
    for row in rows.iter_mut() {
        let Ok(host) = DomainName::parse(&row.host, TrailingDot::Refuse) else {
            continue;
        };
        let step = Step::MxProbe { host };
        match ctx.obs.get(&step).map(|o| &o.outcome) {
            Some(Outcome::Probe { probe }) => probed(ctx, row, probe, mode, sink),
            Some(Outcome::Failed { failure }) => failed(row, failure, mode, sink),
            Some(Outcome::NotRun {
                reason: NotRunReason::NoAddress,
                message,
            }) => row.probe_error = Some(message.clone()),
            Some(Outcome::NotRun { message, .. }) => {
                row.probe_error = Some(message.clone());
                not_probed(row, sink);
            }
            _ => not_probed(row, sink),
        }
    }
}

fn not_probed(row: &MxRow, sink: &mut Sink) {
    sink.push_host(
        &row.host,
        Finding::new(
            Code::MxNotProbed,
            format!(
                "{} was not probed, so its STARTTLS and certificate were not checked.",
                row.host
            ),
        )
        .with_fix(
            "Run the check with the STARTTLS probe (the CLI, or the web app through a relay).",
        ),
    );
}

fn probed(ctx: &Ctx<'_>, row: &mut MxRow, probe: &MxProbe, mode: Option<Mode>, sink: &mut Sink) {
    let host = row.host.clone();
    let severity = policy_severity(mode);
    let leaf = probe.certificates.first();
    row.probe = ProbeState::Done;
    row.starttls = Some(probe.starttls);
    if !probe.starttls {
        sink.push_host(
            &host,
            Finding::new(
                Code::MxStarttlsMissing,
                format!("{host} does not offer STARTTLS (its EHLO reply does not list it): mail to it travels in plaintext, and MTA-STS validation fails; {}.", consequence(mode)),
            )
            .with_severity(severity)
            .with_fix(format!("Enable STARTTLS on {host} with a certificate for {host} from a public CA (e.g. `smtpd_tls_security_level = may` and the certificate files in Postfix).")),
        );
        return;
    }
    row.tls_version = probe.tls.as_ref().map(|t| t.version.clone());
    row.chain_valid = Some(probe.chain_valid);
    row.chain_error = probe.chain_error.clone();
    row.name_valid = probe.name_valid();
    row.days_to_expiry = leaf.map(|c| c.days_to_expiry(ctx.now));
    row.not_after = leaf.map(|c| c.not_after);

    if let Some(version) = &row.tls_version
        && matches!(
            version.as_str(),
            "SSLv2" | "SSLv3" | "TLSv1" | "TLSv1.0" | "TLSv1.1"
        )
    {
        sink.push_host(
            &host,
            Finding::new(
                Code::MxTlsVersionOld,
                format!("{host} negotiated {version}: TLS 1.0 and 1.1 are deprecated (RFC 8996) and many senders no longer offer them, so they cannot use TLS with this host."),
            )
            .with_fix(format!("Enable TLS 1.2 and 1.3 on {host} (and disable the older versions).")),
        );
    }
    if !probe.chain_valid {
        let why = match (&probe.chain_error, leaf) {
            (Some(ChainError::Expired), Some(leaf)) => format!("expired on {}", date(leaf.not_after)),
            (Some(ChainError::Expired), None) => "has expired".to_owned(),
            (Some(ChainError::NotYetValid), Some(leaf)) => {
                format!("is not valid until {}", date(leaf.not_before))
            }
            (Some(ChainError::UnknownIssuer), _) => "is not issued by a certificate authority senders trust (self-signed, a private CA, or a missing intermediate certificate)".to_owned(),
            (Some(other), _) => format!("is not valid ({other})"),
            (None, _) => "is not valid".to_owned(),
        };
        sink.push_host(
            &host,
            Finding::new(
                Code::MxCertInvalid,
                format!("The certificate of {host} {why}: MTA-STS validation fails (RFC 8461 §4.2); {}.", consequence(mode)),
            )
            .with_severity(severity)
            .with_fix(format!("Install a certificate for {host} from a public CA with its full chain on the SMTP server, and automate its renewal.")),
        );
    }
    if row.name_valid == Some(false) {
        let dns_names = leaf.map(|c| c.dns_names.clone()).unwrap_or_default();
        sink.push_host(
            &host,
            Finding::new(
                Code::MxCertNameMismatch,
                format!("The certificate of {host} is for {}, not {host}: MTA-STS validation fails (RFC 8461 §4.2, matched as RFC 6125 §6.4 says); {}.", names(&dns_names), consequence(mode)),
            )
            .with_severity(severity)
            .with_fix(format!("Present a certificate that lists {host} in its subjectAltName (with SNI {host}, if the server has several).")),
        );
    }
    if probe.chain_valid
        && let Some(days) = row.days_to_expiry
        && (0..EXPIRY_WARNING_DAYS).contains(&days)
    {
        sink.push_host(
            &host,
            Finding::new(
                Code::MxCertExpiring,
                format!("The certificate of {host} expires in {days} day{} ({}); after that MTA-STS validation fails for it.", plural(days), row.not_after.map(date).unwrap_or_default()),
            )
            .with_fix(format!("Renew the certificate of {host} now and check that automatic renewal reloads the SMTP server.")),
        );
    }
}

fn failed(row: &mut MxRow, failure: &ProbeFailure, mode: Option<Mode>, sink: &mut Sink) {
    let host = row.host.clone();
    row.probe = ProbeState::Failed;
    row.probe_error = Some(failure.message.clone());
    let finding = match failure.kind {
        FailureKind::StartTlsRefused | FailureKind::Tls => {
            // The EHLO reply offered STARTTLS: that much is known.
            row.starttls = Some(true);
            let what = if failure.kind == FailureKind::StartTlsRefused {
                "advertises STARTTLS but refused it"
            } else {
                "offers STARTTLS but the TLS handshake failed (it may offer only TLS versions or ciphers below what senders accept, i.e. below TLS 1.2)"
            };
            Finding::new(
                Code::MxStarttlsFailed,
                format!("{host} {what} ({}): senders cannot use TLS with it; {}.", failure.message, consequence(mode)),
            )
            .with_severity(policy_severity(mode))
            .with_fix(format!("Fix TLS on {host}: TLS 1.2 or 1.3, a certificate for {host} and its key readable by the SMTP server (check its logs during a STARTTLS)."))
        }
        FailureKind::Refused | FailureKind::Timeout | FailureKind::Network => Finding::new(
            Code::MxUnreachable,
            format!("{host} could not be probed on port 25 from here ({}). If this network blocks outbound port 25 (many ISPs and clouds do), the host may be fine; otherwise senders cannot reach it either.", failure.message),
        )
        .with_fix(format!("Check that {host} accepts connections on port 25 from the internet, or run the check from a network that allows outbound port 25 (or through a relay).")),
        _ => Finding::new(
            Code::MxProbeFailed,
            format!("{host} answered on port 25, but not as an SMTP server should ({}): senders cannot deliver to it.", failure.message),
        )
        .with_fix(format!("Make sure port 25 of {host} is served by the mail server (not another service or a proxy) and that it greets with `220`.")),
    };
    sink.push_host(&host, finding);
}
