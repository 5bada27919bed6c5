//! The [`Report`]: what `stslens check --json` prints and what the web app renders.
//!
//! ```text
//! {"domain": "example.com", "checked_at": 1700000000, "valid": true,
//!  "verdict": {"status": "enforced", "summary": "..."},
//!  "findings": [{"component": "mx", "host": "mx1.example.com",
//!                "code", "severity", "message", "rfc", "fix", "line"}],
//!  "sts_record": {"status", "name", "records": [...], "id", "cname_chain": [...], "authenticated"},
//!  "policy": {"status", "url", "host": {"status", "addresses", "cname_chain"}, "http_status",
//!             "content_type", "location", "tls": {...} | null, "text", "sha256", "id", "parsed",
//!             "in_force", "failure"},
//!  "mx": {"status", "hosts": [{"preference", "host", "addresses", "cname_chain", "pattern",
//!          "policy_allows", "probe", "probe_error", "starttls", "tls_version", "chain_valid",
//!          "chain_error", "name_valid", "days_to_expiry", "not_after", "tlsa", "dane",
//!          "sender": {"action", "why"}}]},
//!  "tlsrpt": {"status", "name", "records": [...], "rua": [...]},
//!  "sender": {"policy_applied", "mode", "summary", "cached_policy"},
//!  "dnssec": {"status", "validated": [...], "not_validated": [...]},
//!  "timeline": {"elapsed_ms", "critical_path": [ids], "steps": [{"id", "label", "round",
//!               "started_ms", "finished_ms", "result"}]}}
//! ```
//! Absent facts are `null` (e.g. `starttls` when the MX was not probed), never guessed.

use crate::finding::{Finding, Severity};
use crate::lint::ParsedPolicy;
use crate::name::DomainName;
use crate::policy::Mode;
use crate::probe::ChainError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The whole result of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The domain checked.
    pub domain: DomainName,
    /// "Now" as the caller passed it, Unix seconds: certificate expiry is counted from it.
    pub checked_at: i64,
    /// True when no finding is an error (the CLI then exits 0).
    pub valid: bool,
    /// The overall answer.
    pub verdict: Verdict,
    /// Every finding, grouped by component in [`Component`] order.
    pub findings: Vec<CheckFinding>,
    /// The `_mta-sts` TXT record.
    pub sts_record: RecordReport,
    /// The policy host and file.
    pub policy: PolicyReport,
    /// The MX hosts.
    pub mx: MxReport,
    /// The `_smtp._tls` TXT record.
    pub tlsrpt: TlsRptReport,
    /// What a compliant sender does overall.
    pub sender: SenderSummary,
    /// Which answers the resolver validated with DNSSEC.
    pub dnssec: DnssecReport,
    /// When each step ran.
    pub timeline: Timeline,
}

impl Report {
    /// The findings of one component.
    pub fn findings_of(&self, component: Component) -> impl Iterator<Item = &CheckFinding> {
        self.findings
            .iter()
            .filter(move |f| f.component == component)
    }

    /// Whether a finding with this code was reported.
    pub fn has(&self, code: crate::Code) -> bool {
        self.findings.iter().any(|f| f.finding.code == code)
    }

    /// How many findings of each severity, as the verdict line words it: `2 errors, 1 warning`,
    /// severities without findings left out; empty when there is none.
    pub fn finding_counts(&self) -> String {
        let n = |s| self.findings.iter().filter(|f| f.severity() == s).count();
        [
            (n(crate::Severity::Error), "error"),
            (n(crate::Severity::Warning), "warning"),
            (n(crate::Severity::Info), "note"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}{}", crate::number::plural(n)))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// The overall state of the domain's MTA-STS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictStatus {
    /// No MTA-STS in effect: no record, mode `none`, a domain that takes no mail, or no domain.
    NotDeployed,
    /// A `testing` policy and no error: senders report failures but deliver.
    Testing,
    /// An `enforce` policy and no error: senders refuse MX hosts that fail validation, and none does.
    Enforced,
    /// At least one error finding.
    Broken,
    /// The check could not see enough to decide: the `_mta-sts` lookup could not be made, or a
    /// record exists and the policy could not be fetched from where the check ran (a browser
    /// without CORS access). Not one of the design's four states, on purpose: guessing would
    /// be wrong either way.
    Unknown,
}

impl VerdictStatus {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictStatus::NotDeployed => "not-deployed",
            VerdictStatus::Testing => "testing",
            VerdictStatus::Enforced => "enforced",
            VerdictStatus::Broken => "broken",
            VerdictStatus::Unknown => "unknown",
        }
    }
}

/// The verdict and one sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The state.
    pub status: VerdictStatus,
    /// Why, in one sentence.
    pub summary: String,
}

/// The part of the setup a finding is about; findings are grouped (and printed) in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// The lookups themselves: SERVFAIL, resolver failures, the domain's existence, DNSSEC.
    Dns,
    /// The `_mta-sts` TXT record.
    StsRecord,
    /// The policy host, its certificate, the fetch and the policy file.
    Policy,
    /// The MX hosts: coverage by the policy, addresses, STARTTLS, certificates, DANE.
    Mx,
    /// The `_smtp._tls` TXT record.
    Tlsrpt,
}

impl Component {
    /// Every component, in report order.
    pub const ALL: [Component; 5] = [
        Component::Dns,
        Component::StsRecord,
        Component::Policy,
        Component::Mx,
        Component::Tlsrpt,
    ];

    /// A heading for displays.
    pub fn title(self) -> &'static str {
        match self {
            Component::Dns => "DNS",
            Component::StsRecord => "_mta-sts record",
            Component::Policy => "Policy",
            Component::Mx => "MX hosts",
            Component::Tlsrpt => "TLS reporting",
        }
    }
}

/// A finding with the component (and MX host) it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckFinding {
    /// Which part of the setup.
    pub component: Component,
    /// The MX host it is about, for per-host findings.
    pub host: Option<String>,
    /// The finding itself (`code`, `severity`, `message`, `rfc`, `fix`, `line`).
    #[serde(flatten)]
    pub finding: Finding,
}

impl CheckFinding {
    /// Its severity.
    pub fn severity(&self) -> Severity {
        self.finding.severity
    }
}

/// How a TXT record set reads to a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordStatus {
    /// Exactly one usable record.
    Valid,
    /// No record of the kind (NXDOMAIN, NODATA, or only unrelated TXT records).
    Missing,
    /// More than one record of the kind: senders use none.
    Multiple,
    /// One record that senders reject.
    Invalid,
    /// The lookup failed (SERVFAIL or the resolver could not be asked).
    LookupFailed,
    /// The lookup was not performed.
    NotChecked,
}

/// The `_mta-sts` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordReport {
    /// How senders read it.
    pub status: RecordStatus,
    /// `_mta-sts.<domain>`.
    pub name: String,
    /// Every TXT record at the name, each joined from its strings (RFC 8461 §3.1).
    pub records: Vec<String>,
    /// The policy id of the usable record.
    pub id: Option<String>,
    /// Alias targets, in order, when the name is a CNAME (RFC 8461 §8.2 delegation).
    pub cname_chain: Vec<String>,
    /// The AD bit of the answer; `null` without an answer.
    pub authenticated: Option<bool>,
}

/// The `_smtp._tls` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRptReport {
    /// How reporters read it.
    pub status: RecordStatus,
    /// `_smtp._tls.<domain>`.
    pub name: String,
    /// Every TXT record at the name, joined.
    pub records: Vec<String>,
    /// Where reports go (supported schemes only).
    pub rua: Vec<String>,
}

/// What became of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyStatus {
    /// A sender would fetch and apply it.
    Valid,
    /// It was fetched, but a strict sender rejects it (the response or the file has an error).
    Invalid,
    /// No usable response: not 200, redirected, TLS or connection failure, no address.
    Unavailable,
    /// Not fetched (the shell could not, e.g. a browser without CORS), or not looked at.
    NotChecked,
}

/// Where the policy host points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyHostReport {
    /// `resolves`, `no-address` (NXDOMAIN/NODATA for both A and AAAA), `lookup-failed`.
    pub status: HostStatus,
    /// Its addresses, A then AAAA.
    pub addresses: Vec<IpAddr>,
    /// Alias targets when `mta-sts.<domain>` is a CNAME (RFC 8461 §8.2).
    pub cname_chain: Vec<String>,
}

/// Whether a host name resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostStatus {
    /// At least one address.
    Resolves,
    /// Neither A nor AAAA exists.
    NoAddress,
    /// A lookup failed and none gave an address.
    LookupFailed,
    /// Not looked up.
    NotChecked,
}

/// The certificate facts of the policy host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTlsReport {
    /// Negotiated version, e.g. `TLSv1.3` (empty when the fetching agent does not say).
    pub version: String,
    /// WebPKI verdict on the chain.
    pub chain_valid: bool,
    /// Why not.
    pub chain_error: Option<ChainError>,
    /// Whether the leaf is valid for `mta-sts.<domain>`; `null` without certificate details.
    pub name_valid: Option<bool>,
    /// Whole days until the leaf expires; negative once expired.
    pub days_to_expiry: Option<i64>,
    /// The leaf's subjectAltName DNS names.
    pub dns_names: Vec<String>,
    /// The leaf's issuer.
    pub issuer: Option<String>,
}

/// The policy host and file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyReport {
    /// What became of it.
    pub status: PolicyStatus,
    /// The URL senders fetch.
    pub url: String,
    /// Where `mta-sts.<domain>` points.
    pub host: PolicyHostReport,
    /// HTTP status of the response.
    pub http_status: Option<u16>,
    /// `Content-Type` as served.
    pub content_type: Option<String>,
    /// `Location` as served.
    pub location: Option<String>,
    /// TLS facts.
    pub tls: Option<PolicyTlsReport>,
    /// The body as served (at most 64 KiB + 1 bytes).
    pub text: Option<String>,
    /// SHA-256 of the body, lower-case hex: compare it across checks to see whether the policy
    /// changed while the record's id did not (RFC 8461 §3.1).
    pub sha256: Option<String>,
    /// The id of the `_mta-sts` record, shown beside the hash.
    pub id: Option<String>,
    /// The effective values a lenient sender would use.
    pub parsed: Option<ParsedPolicy>,
    /// Whether a strict sender applies the policy (record, fetch, TLS and file all valid).
    pub in_force: bool,
    /// Why the fetch got no response.
    pub failure: Option<String>,
}

/// The MX set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxReport {
    /// `hosts`, `null-mx`, `none` (NODATA), `no-domain` (NXDOMAIN), `lookup-failed`.
    pub status: MxStatus,
    /// One row per MX host, preference order.
    pub hosts: Vec<MxRow>,
}

/// What the MX lookup said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MxStatus {
    /// One or more MX hosts.
    Hosts,
    /// The null MX of RFC 7505: no mail accepted.
    NullMx,
    /// No MX record (senders fall back to the domain's address, RFC 5321 §5.1).
    None,
    /// The domain does not exist.
    NoDomain,
    /// The lookup failed.
    LookupFailed,
}

/// Whether an MX host was probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeState {
    /// The SMTP dialogue happened (with or without STARTTLS).
    Done,
    /// The probe failed (see `probe_error`).
    Failed,
    /// Not probed.
    NotRun,
}

/// One MX host: the per-MX table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRow {
    /// Lower is tried first.
    pub preference: u16,
    /// The host as the MX record names it.
    pub host: String,
    /// Its addresses (A then AAAA).
    pub addresses: Vec<IpAddr>,
    /// Alias targets when the MX host is a CNAME.
    pub cname_chain: Vec<String>,
    /// The first policy pattern that matches it (RFC 8461 §4.1).
    pub pattern: Option<String>,
    /// Whether the policy allows it; `null` without a policy with mx patterns.
    pub policy_allows: Option<bool>,
    /// Whether it was probed.
    pub probe: ProbeState,
    /// Why the probe failed or did not run.
    pub probe_error: Option<String>,
    /// Whether EHLO offered STARTTLS.
    pub starttls: Option<bool>,
    /// Negotiated TLS version.
    pub tls_version: Option<String>,
    /// WebPKI verdict on the chain.
    pub chain_valid: Option<bool>,
    /// Why not.
    pub chain_error: Option<ChainError>,
    /// Whether the certificate is valid for this host name (RFC 8461 §4.2, RFC 6125).
    pub name_valid: Option<bool>,
    /// Whole days until the leaf expires; negative once expired.
    pub days_to_expiry: Option<i64>,
    /// Leaf expiry, Unix seconds.
    pub not_after: Option<i64>,
    /// Whether `_25._tcp.<host>` has TLSA records; `null` when unknown.
    pub tlsa: Option<bool>,
    /// TLSA records in a DNSSEC-validated answer: DANE senders use them (RFC 7672).
    pub dane: Option<bool>,
    /// What a compliant sender does with this host.
    pub sender: SenderOutcome,
}

/// What a compliant MTA-STS sender (Gmail, Microsoft 365, Postfix with an MTA-STS resolver)
/// does with one MX host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SenderAction {
    /// Validation passes: delivers over authenticated TLS.
    DeliverTls,
    /// Validation fails in `testing` mode: delivers anyway and reports the failure (RFC 8461 §5).
    DeliverDespiteFailure,
    /// Validation fails in `enforce` mode: does not deliver to this host (RFC 8461 §5).
    Refuse,
    /// No policy applies (none, mode `none`, or unusable): opportunistic TLS at best.
    DeliverWithoutMtaSts,
    /// Depends on facts the check could not see (the host was not probed or did not answer).
    Unknown,
}

impl SenderAction {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderAction::DeliverTls => "deliver-tls",
            SenderAction::DeliverDespiteFailure => "deliver-despite-failure",
            SenderAction::Refuse => "refuse",
            SenderAction::DeliverWithoutMtaSts => "deliver-without-mta-sts",
            SenderAction::Unknown => "unknown",
        }
    }
}

/// A sender's action and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderOutcome {
    /// What it does.
    pub action: SenderAction,
    /// Why, in one sentence.
    pub why: String,
}

/// What a compliant sender does with the domain as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderSummary {
    /// Whether a sender without a cached policy applies one now.
    pub policy_applied: bool,
    /// The mode it applies.
    pub mode: Option<Mode>,
    /// In one sentence.
    pub summary: String,
    /// What senders that cached an earlier policy do, when it differs (RFC 8461 §3.3, §5.1).
    pub cached_policy: Option<String>,
}

/// The AD bit over the domain's own lookups (MX, `_mta-sts`, `_smtp._tls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnssecReport {
    /// `validated` (all), `partial`, `not-validated` (none), `unknown` (no answers).
    pub status: DnssecStatus,
    /// Names whose answer had AD set.
    pub validated: Vec<String>,
    /// Names whose answer had AD clear.
    pub not_validated: Vec<String>,
}

/// See [`DnssecReport::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnssecStatus {
    /// Every answer validated.
    Validated,
    /// Some did.
    Partial,
    /// None did.
    NotValidated,
    /// No answer to judge.
    Unknown,
}

/// The check's steps in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// When the last step finished, ms after the start.
    pub elapsed_ms: u64,
    /// The chain of dependent steps that ended last, first step first: where the time went.
    pub critical_path: Vec<String>,
    /// Every step, in plan order.
    pub steps: Vec<TimelineStep>,
}

/// One step in time ([`Step`](super::Step) ids and labels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineStep {
    /// [`Step::id`].
    pub id: String,
    /// [`Step::label`].
    pub label: String,
    /// 1 or 2.
    pub round: u8,
    /// Start, ms after the check's start; `null` when it never ran.
    pub started_ms: Option<u64>,
    /// End, ms after the check's start.
    pub finished_ms: Option<u64>,
    /// `answer`, `no-data`, `nx-domain`, `serv-fail`, `other`, `policy`, `probe`, `failed`,
    /// `not-run`, or `missing` when the shell recorded nothing.
    pub result: String,
}
