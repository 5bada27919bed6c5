//! The MX hosts: the null MX (RFC 7505), names that are not hosts, addresses and aliases,
//! coverage by the policy's patterns (RFC 8461 §4.1) in both directions, and TLSA (DANE).

use super::{Answer, Ctx, Sink, consequence, validates};
use crate::check::plan::{Step, mx_hosts};
use crate::check::report::{
    Component, MxReport, MxRow, MxStatus, PolicyReport, ProbeState, SenderAction, SenderOutcome,
};
use crate::finding::{Code, Finding};
use crate::name::DomainName;
use crate::number::plural;
use crate::pattern::MxPattern;
use crate::policy::Mode;

pub(super) fn evaluate(
    ctx: &Ctx<'_>,
    policy: &PolicyReport,
    mode: Option<Mode>,
    sink: &mut Sink,
) -> MxReport {
    let domain = ctx.domain;
    let lookup = match ctx.answer(&Step::Mx) {
        Answer::Records(lookup) => lookup,
        Answer::NoData(_) => {
            sink.push(
                Component::Mx,
                Finding::new(
                    Code::MxMissing,
                    format!("{domain} has no MX record: senders deliver to the address of {domain} itself (implicit MX, RFC 5321 §5.1), which MTA-STS policies rarely cover and this check does not probe."),
                )
                .with_fix(format!("Publish MX records naming your mail servers, or the null MX `{domain}. MX 0 .` if the domain receives no mail.")),
            );
            return report(MxStatus::None, Vec::new());
        }
        Answer::NxDomain(_) => return report(MxStatus::NoDomain, Vec::new()),
        Answer::Error(_) | Answer::Failed(_) | Answer::NotRun => {
            return report(MxStatus::LookupFailed, Vec::new());
        }
    };
    if lookup.is_null_mx() {
        let tail = if policy.id.is_some() || policy.parsed.is_some() {
            " Its _mta-sts record and policy have nothing to protect and can be removed."
        } else {
            ""
        };
        sink.push(
            Component::Mx,
            Finding::new(
                Code::MxNull,
                format!("{domain} publishes the null MX (`0 .`, RFC 7505): it accepts no mail, so MTA-STS does not apply.{tail}"),
            )
            .with_fix("Nothing to do if the domain should receive no mail; otherwise replace the null MX with MX records for your mail servers."),
        );
        return report(MxStatus::NullMx, Vec::new());
    }

    let patterns: Vec<MxPattern> = policy
        .parsed
        .as_ref()
        .map(|p| {
            p.mx.iter()
                .filter_map(|m| MxPattern::parse(m).ok())
                .collect()
        })
        .unwrap_or_default();
    let mut rows = Vec::new();
    for entry in mx_hosts(lookup) {
        match entry.host {
            Ok(host) => rows.push(row(ctx, entry.preference, &host, &patterns, sink)),
            Err(raw) => {
                not_a_host(entry.preference, &raw, sink);
                rows.push(blank_row(entry.preference, raw));
            }
        }
    }
    if validates(mode) {
        coverage(&rows, &patterns, mode, sink);
    }
    report(MxStatus::Hosts, rows)
}

fn report(status: MxStatus, hosts: Vec<MxRow>) -> MxReport {
    MxReport { status, hosts }
}

/// A row with nothing known yet; the sender column is filled in by `sender`.
pub(super) fn blank_row(preference: u16, host: String) -> MxRow {
    MxRow {
        preference,
        host,
        addresses: Vec::new(),
        cname_chain: Vec::new(),
        pattern: None,
        policy_allows: None,
        probe: ProbeState::NotRun,
        probe_error: None,
        starttls: None,
        tls_version: None,
        chain_valid: None,
        chain_error: None,
        name_valid: None,
        days_to_expiry: None,
        not_after: None,
        tlsa: None,
        dane: None,
        sender: SenderOutcome {
            action: SenderAction::Unknown,
            why: String::new(),
        },
    }
}

fn not_a_host(preference: u16, raw: &str, sink: &mut Sink) {
    let why = if raw == "." {
        "is the null MX (`.`) mixed with other MX records, which RFC 7505 §3 forbids; senders skip it".to_owned()
    } else if raw.parse::<std::net::IpAddr>().is_ok()
        || raw
            .split('.')
            .all(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        format!(
            "names an IP address: MX records must name a host (RFC 5321 §5.1), so senders look `{raw}` up as a name and fail"
        )
    } else {
        "is not a valid host name, so senders cannot use it and no policy pattern can match it"
            .to_owned()
    };
    sink.push_host(
        raw,
        Finding::new(
            Code::MxNotHostname,
            format!("The MX record `{preference} {raw}` {why}."),
        )
        .with_fix("Point the MX record at a host name that has A/AAAA records, e.g. `10 mx1.example.com.`, or delete it."),
    );
}

fn row(
    ctx: &Ctx<'_>,
    preference: u16,
    host: &DomainName,
    patterns: &[MxPattern],
    sink: &mut Sink,
) -> MxRow {
    let name = host.as_str();
    let mut row = blank_row(preference, name.to_owned());
    let a = ctx.answer(&Step::MxA { host: host.clone() });
    let aaaa = ctx.answer(&Step::MxAaaa { host: host.clone() });
    row.addresses = [a, aaaa]
        .iter()
        .filter_map(|x| x.records())
        .flat_map(|l| l.addresses())
        .collect();
    row.cname_chain = [a, aaaa]
        .iter()
        .filter_map(|x| x.lookup())
        .map(|l| l.cname_chain.iter().map(|c| c.target.clone()).collect())
        .find(|chain: &Vec<String>| !chain.is_empty())
        .unwrap_or_default();
    if let Some(target) = row.cname_chain.last() {
        sink.push_host(
            name,
            Finding::new(
                Code::MxCname,
                format!("MX host {name} is an alias (CNAME) for {target}. MX records must name a host, not an alias (RFC 2181 §10.3, RFC 5321 §5.1), and some senders refuse it; MTA-STS still matches the policy and the certificate against {name}, not {target}."),
            )
            .with_fix(format!("Point the MX record at {target} (then cover it in the policy and change the id), or replace the CNAME at {name} with A/AAAA records.")),
        );
    }
    if a.absent() && aaaa.absent() {
        sink.push_host(
            name,
            Finding::new(
                Code::MxNoAddress,
                format!("MX host {name} has no A or AAAA record: senders cannot deliver to it and try the next MX host, or bounce the mail if none is left."),
            )
            .with_fix(format!("Publish the address of {name}, or remove its MX record.")),
        );
    }
    if !patterns.is_empty() {
        row.pattern = patterns
            .iter()
            .find(|p| p.matches(host))
            .map(ToString::to_string);
        row.policy_allows = Some(row.pattern.is_some());
    }
    tlsa(ctx, host, &mut row, sink);
    row
}

/// DANE: TLSA at `_25._tcp.<mx>` (RFC 7672 §2.2). Senders that do DANE prefer it to MTA-STS
/// (RFC 8461 §2), but only in a DNSSEC-validated answer.
fn tlsa(ctx: &Ctx<'_>, host: &DomainName, row: &mut MxRow, sink: &mut Sink) {
    let answer = ctx.answer(&Step::MxTlsa { host: host.clone() });
    row.tlsa = match answer {
        Answer::Records(l) => Some(l.tlsa().next().is_some()),
        Answer::NoData(_) | Answer::NxDomain(_) => Some(false),
        _ => None,
    };
    let Some(lookup) = answer.records().filter(|l| l.tlsa().next().is_some()) else {
        return;
    };
    row.dane = Some(lookup.authenticated);
    let name = host.as_str();
    let count = lookup.tlsa().count();
    let finding = if lookup.authenticated {
        Finding::new(
            Code::MxDane,
            format!("_25._tcp.{name} has {count} TLSA record{} in a DNSSEC-validated answer: senders that do DANE (Microsoft 365, Postfix and Exim with DANE) authenticate {name} with DANE and ignore MTA-STS for it (RFC 8461 §2).", plural(count)),
        )
        .with_fix(format!("Nothing to do; when you replace the certificate or key of {name}, publish its new TLSA record first."))
    } else {
        Finding::new(
            Code::MxTlsaUnsigned,
            format!("_25._tcp.{name} has {count} TLSA record{}, but the resolver did not validate the answer with DNSSEC (AD bit clear): DANE senders ignore TLSA records that are not DNSSEC-signed (RFC 7672 §2.2).", plural(count)),
        )
        .with_fix(format!("Sign the zone of {name} with DNSSEC, or remove the TLSA records (if your resolver does not validate, check with one that does)."))
    };
    sink.push_host(name, finding);
}

/// Every MX host matched by a pattern, and every pattern used (RFC 8461 §4.1).
fn coverage(rows: &[MxRow], patterns: &[MxPattern], mode: Option<Mode>, sink: &mut Sink) {
    let listed = patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for row in rows.iter().filter(|r| r.policy_allows == Some(false)) {
        let host = &row.host;
        sink.push_host(
            host,
            Finding::new(
                Code::PolicyMxNotCovered,
                format!("MX host {host} (preference {}) matches none of the policy's mx patterns ({listed}): {}.", row.preference, consequence(mode)),
            )
            .with_fix(format!("Add `mx: {host}` (or a wildcard such as `*.{}`) to the policy and change the _mta-sts id; or remove the MX record if {host} is not used.", host.split_once('.').map_or(host.as_str(), |(_, parent)| parent))),
        );
    }
    let hosts: Vec<DomainName> = rows
        .iter()
        .filter_map(|r| DomainName::parse(&r.host, crate::name::TrailingDot::Refuse).ok())
        .collect();
    if hosts.is_empty() {
        return;
    }
    let names = hosts
        .iter()
        .map(DomainName::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    for pattern in patterns
        .iter()
        .filter(|p| !hosts.iter().any(|h| p.matches(h)))
    {
        sink.push(
            Component::Policy,
            Finding::new(
                Code::PolicyMxUnused,
                format!("The policy's mx pattern `{pattern}` matches none of the MX hosts ({names}): a stale or mistyped entry, which also lets a host you do not use pass validation."),
            )
            .with_fix(format!("Remove `mx: {pattern}` from the policy and change the _mta-sts id, unless the MX records are about to move to it.")),
        );
    }
}
