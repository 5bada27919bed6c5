//! Aggregation of many reports into the one [`Summary`] that `stslens report --json` prints and
//! the viewer shows.
//!
//! The [`Aggregator`] is incremental: it takes one report at a time and keeps only running counts
//! per group (organization, policy, MX, sending IP, day), so its memory grows with the number of
//! distinct groups, never with the number of reports or files. Counts are sums of the JSON
//! integers the reporters wrote (saturating at `u64::MAX`); nothing is re-parsed from text.
//!
//! What is counted where:
//! - `totals` sum the policies' `summary` counts, as the design contract says;
//!   `failed_sessions_in_details` sums the failure details' counts, which reporters do not
//!   always keep equal to the summary (Mail.ru: 2 details, total 1). Both are shown, neither is
//!   "corrected".
//! - `failures_by_result_type`, `by_mx` and `by_sending_ip` sum failure details (the only place
//!   a result type, MX or sending IP appears); `by_organization`, `by_policy` and `daily` sum
//!   summaries.
//! - A report is counted on the UTC day its `date-range` starts; a report whose start cannot be
//!   read is counted in a last `daily` row whose `date` is null, so the daily rows always add up
//!   to the totals.

use super::date_time::Day;
use super::deviation::DeviationKind;
use super::ingest::InputError;
use super::model::{FailureDetail, Report};
use super::result_type::{Explanation, ResultType};
use crate::Severity;
use foldhash::HashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The key under which failure details without a `result-type` are counted.
pub const MISSING_RESULT_TYPE: &str = "(missing)";

/// Failed sessions per result type, by name (unknown types verbatim), in name order.
///
/// The names are borrowed for RFC 8460's types and [`MISSING_RESULT_TYPE`], owned only for
/// others. Why: a summary holds one of these per policy, MX and sending IP, each with up to a
/// dozen types; as `String`s that was about 6,000 copies of the same eleven names for the
/// benchmark's 3,000 reports, and building and freeing them was most of the time the summary
/// took (0.5 of 0.55 ms, all of it after the last report is counted).
pub type ByResultType = BTreeMap<Cow<'static, str>, u64>;

/// The aggregate of everything ingested: the object `stslens report --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Inputs handed to the ingester (files, or `-`).
    pub inputs: u64,
    /// Distinct reports counted.
    pub reports: u64,
    /// Reports seen again (same organization and report-id) and not counted again.
    pub duplicates: u64,
    /// Session totals over all counted reports.
    pub totals: Totals,
    /// Successful sessions over all sessions, from 0 to 1; null when there were no sessions.
    pub success_rate: Option<f64>,
    /// The first and last UTC day counted; null when no report is dated.
    pub period: Option<Period>,
    /// Failed sessions per result type, from the failure details; unknown types verbatim.
    pub failures_by_result_type: ByResultType,
    /// Each result type seen, most failures first, with what it means and what to fix.
    pub result_types: Vec<ResultTypeRow>,
    /// Per reporting organization, most failures first.
    pub by_organization: Vec<OrganizationRow>,
    /// Per policy (domain, type, mode), most failures first.
    pub by_policy: Vec<PolicyRow>,
    /// Per receiving MX (from the failure details), most failures first.
    pub by_mx: Vec<MxRow>,
    /// Per sending MTA IP (from the failure details), most failures first.
    pub by_sending_ip: Vec<SendingIpRow>,
    /// Per UTC day, oldest first; undated reports last, with a null date.
    pub daily: Vec<DayRow>,
    /// The reporter quirks met, with how often and what was done about them.
    pub deviations: Vec<DeviationRow>,
    /// One entry per input, or item inside an input, that could not be read.
    pub errors: Vec<InputError>,
}

/// Session totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// Sum of `total-successful-session-count`.
    pub successful_sessions: u64,
    /// Sum of `total-failure-session-count`.
    pub failed_sessions: u64,
    /// Sum of the failure details' `failed-session-count`.
    pub failed_sessions_in_details: u64,
}

/// The days covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first UTC day a report starts on.
    pub first_day: Day,
    /// The last UTC day a report starts on.
    pub last_day: Day,
}

/// A result type, how often it failed, and its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultTypeRow {
    /// The result type as the reporters wrote it.
    pub result_type: String,
    /// Failed sessions with this result type.
    pub failed_sessions: u64,
    /// What it means and what to fix.
    #[serde(flatten)]
    pub explanation: Explanation,
}

/// Counts for one reporting organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationRow {
    /// `organization-name`; null when reports lacked it.
    pub organization: Option<String>,
    /// Reports from it.
    pub reports: u64,
    /// Sum of its successful-session counts.
    pub successful_sessions: u64,
    /// Sum of its failure-session counts.
    pub failed_sessions: u64,
}

/// Counts for one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRow {
    /// `policy-domain`; null when absent.
    pub policy_domain: Option<String>,
    /// `policy-type`, verbatim; null when absent.
    pub policy_type: Option<String>,
    /// The MTA-STS `mode` from the policy string; null for TLSA or when not reported.
    pub mode: Option<String>,
    /// Reports that include this policy.
    pub reports: u64,
    /// Sum of its successful-session counts.
    pub successful_sessions: u64,
    /// Sum of its failure-session counts.
    pub failed_sessions: u64,
    /// Failed sessions per result type, from its failure details.
    pub failures_by_result_type: ByResultType,
}

/// Failures at one receiving MX.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MxRow {
    /// `receiving-mx-hostname`, lower-cased without a trailing dot; null when absent.
    pub mx: Option<String>,
    /// Failed sessions.
    pub failed_sessions: u64,
    /// Failed sessions per result type.
    pub failures_by_result_type: ByResultType,
}

/// Failures from one sending MTA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendingIpRow {
    /// `sending-mta-ip` (IP addresses in canonical form); null when absent.
    pub sending_ip: Option<String>,
    /// Failed sessions.
    pub failed_sessions: u64,
    /// Failed sessions per result type.
    pub failures_by_result_type: ByResultType,
}

/// Counts for one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayRow {
    /// The day; null for reports whose start could not be read.
    pub date: Option<Day>,
    /// Reports starting that day.
    pub reports: u64,
    /// Their successful sessions.
    pub successful_sessions: u64,
    /// Their failed sessions.
    pub failed_sessions: u64,
}

/// One kind of deviation met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviationRow {
    /// The deviation code.
    pub code: DeviationKind,
    /// `info` (nothing lost) or `warning` (some data could not be used as intended).
    pub severity: Severity,
    /// How many times it occurred.
    pub occurrences: u64,
    /// In how many reports.
    pub reports: u64,
    /// What it is and how it was read.
    pub meaning: &'static str,
}

#[derive(Debug, Clone, Default)]
struct Sessions {
    reports: u64,
    successful: u64,
    failed: u64,
}

#[derive(Debug, Clone, Default)]
struct PolicySessions {
    sessions: Sessions,
    /// The last report that counted here, so a report listing a policy twice counts once.
    last_report: u64,
    by_result_type: ByType,
}

#[derive(Debug, Clone, Default)]
struct Failures {
    failed: u64,
    by_result_type: ByType,
}

impl Failures {
    fn add(&mut self, result_type: TypeId, n: u64) {
        add(&mut self.failed, n);
        self.by_result_type.add(result_type, n);
    }
}

/// A result type's number in [`ResultTypes`].
type TypeId = u32;

/// The result types met, each numbered once, so that counting a failure detail under its type
/// (in four places: overall, its policy, its MX, its sending IP) adds to a number instead of
/// looking a string up in four maps: on reports with thousands of failure details those lookups
/// were most of the counting time.
#[derive(Debug, Clone, Default)]
struct ResultTypes {
    /// Each number's name, as [`result_type_key`] gives it.
    names: Vec<Cow<'static, str>>,
    /// The numbers of the RFC's types and of [`MISSING_RESULT_TYPE`], once met.
    fixed: [Option<TypeId>; FIXED_TYPES],
    /// The numbers of other types, by name.
    other: HashMap<String, TypeId>,
}

/// The RFC's eleven result types, plus one for a missing result type.
const FIXED_TYPES: usize = 12;

impl ResultTypes {
    /// The number of a failure detail's result type, given one when first met.
    fn id(&mut self, detail: &FailureDetail) -> TypeId {
        use ResultType as R;
        let fixed = match &detail.result_type {
            None => FIXED_TYPES - 1,
            Some(R::StarttlsNotSupported) => 0,
            Some(R::CertificateHostMismatch) => 1,
            Some(R::CertificateExpired) => 2,
            Some(R::CertificateNotTrusted) => 3,
            Some(R::ValidationFailure) => 4,
            Some(R::TlsaInvalid) => 5,
            Some(R::DnssecInvalid) => 6,
            Some(R::DaneRequired) => 7,
            Some(R::StsPolicyFetchError) => 8,
            Some(R::StsPolicyInvalid) => 9,
            Some(R::StsWebpkiInvalid) => 10,
            Some(R::Other(name)) => {
                if let Some(&id) = self.other.get(name.as_str()) {
                    return id;
                }
                let id = self.push(Cow::Owned(name.clone()));
                self.other.insert(name.clone(), id);
                return id;
            }
        };
        match self.fixed[fixed] {
            Some(id) => id,
            None => {
                let name = match &detail.result_type {
                    None => MISSING_RESULT_TYPE,
                    Some(known) => known.known_name().expect("a fixed type is a known one"),
                };
                let id = self.push(Cow::Borrowed(name));
                self.fixed[fixed] = Some(id);
                id
            }
        }
    }

    fn push(&mut self, name: Cow<'static, str>) -> TypeId {
        let id = TypeId::try_from(self.names.len()).expect("fewer result types than u32::MAX");
        self.names.push(name);
        id
    }

    fn name(&self, id: TypeId) -> &Cow<'static, str> {
        &self.names[id as usize]
    }
}

/// Failed sessions per result type number, for one group: a short list, as a group meets only a
/// few types. A type is listed once a failure detail of it was counted, even with 0 sessions.
#[derive(Debug, Clone, Default)]
struct ByType(Vec<(TypeId, u64)>);

impl ByType {
    fn add(&mut self, id: TypeId, n: u64) {
        match self.0.iter_mut().find(|(t, _)| *t == id) {
            Some((_, total)) => add(total, n),
            None => self.0.push((id, n)),
        }
    }

    /// By name, as the summary shows it. Two numbers may share a name (a reporter that writes
    /// `"(missing)"` itself, as [`MISSING_RESULT_TYPE`] reads): their sessions are added up.
    fn named(&self, types: &ResultTypes) -> ByResultType {
        let mut named = ByResultType::new();
        for &(id, n) in &self.0 {
            add(named.entry(types.name(id).clone()).or_insert(0), n);
        }
        named
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PolicyKey {
    domain: Option<String>,
    policy_type: Option<String>,
    mode: Option<String>,
}

/// Running aggregate of reports, fed one at a time.
#[derive(Debug, Clone, Default)]
pub struct Aggregator {
    reports: u64,
    duplicates: u64,
    totals: Totals,
    result_types: ResultTypes,
    by_result_type: ByType,
    organizations: HashMap<Option<String>, Sessions>,
    /// Keyed by [`policy_key`], so a lookup needs no allocation.
    policies: HashMap<String, (PolicyKey, PolicySessions)>,
    mx: Groups,
    sending_ips: Groups,
    days: BTreeMap<Option<Day>, Sessions>,
    deviations: BTreeMap<DeviationKind, (u64, u64)>,
    /// Reused buffer for policy keys.
    key: String,
}

/// Failures grouped by a text key (MX or IP) in its normal form, plus those without one. Looked
/// up by `&str`, so counting a failure detail allocates nothing once its group exists.
#[derive(Debug, Clone, Default)]
struct Groups {
    named: HashMap<String, Failures>,
    unnamed: Option<Failures>,
}

impl Groups {
    /// Counts under `text` as written, put in normal form by `normalise` (which must give the
    /// same form again for a text already in it).
    fn add(
        &mut self,
        text: Option<&str>,
        normalise: fn(&str) -> Cow<'_, str>,
        result_type: TypeId,
        n: u64,
    ) {
        let group = match text {
            None => self.unnamed.get_or_insert_with(Failures::default),
            Some(text) => {
                // Nearly every text is already in normal form and its group exists: then one
                // hash lookup and no normalising (parsing and printing an IPv6 address).
                if let Some(group) = self.named.get_mut(text) {
                    return group.add(result_type, n);
                }
                let key = normalise(text);
                if let Some(group) = self.named.get_mut(key.as_ref()) {
                    return group.add(result_type, n);
                }
                self.named.entry(key.into_owned()).or_default()
            }
        };
        group.add(result_type, n);
    }

    /// Groups by failures, most first, then by key (the unnamed group before named ones).
    fn ranked(&self) -> Vec<(Option<String>, &Failures)> {
        let mut rows: Vec<(Option<String>, &Failures)> = self
            .named
            .iter()
            .map(|(k, f)| (Some(k.clone()), f))
            .collect();
        rows.extend(self.unnamed.iter().map(|f| (None, f)));
        rows.sort_by(|a, b| b.1.failed.cmp(&a.1.failed).then_with(|| a.0.cmp(&b.0)));
        rows
    }
}

impl Aggregator {
    /// An empty aggregate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one (distinct) report.
    pub fn add(&mut self, report: &Report) {
        self.reports += 1;
        let mut report_sessions = Sessions {
            reports: 1,
            ..Sessions::default()
        };
        for result in &report.policies {
            let successful = result.summary.total_successful_session_count.unwrap_or(0);
            let failed = result.summary.total_failure_session_count.unwrap_or(0);
            report_sessions.successful = report_sessions.successful.saturating_add(successful);
            report_sessions.failed = report_sessions.failed.saturating_add(failed);

            let policy = &result.policy;
            let policy_type = policy.policy_type.as_ref().map(|t| t.as_str());
            let mode = policy.mode();
            policy_key(
                &mut self.key,
                policy.policy_domain.as_deref(),
                policy_type,
                mode,
            );
            if !self.policies.contains_key(self.key.as_str()) {
                let key = PolicyKey {
                    domain: policy.policy_domain.clone(),
                    policy_type: policy_type.map(str::to_owned),
                    mode: mode.map(str::to_owned),
                };
                self.policies
                    .insert(self.key.clone(), (key, PolicySessions::default()));
            }
            let (_, group) = self
                .policies
                .get_mut(self.key.as_str())
                .expect("just inserted");
            if group.last_report != self.reports {
                group.last_report = self.reports;
                group.sessions.reports += 1;
            }
            add(&mut group.sessions.successful, successful);
            add(&mut group.sessions.failed, failed);

            for detail in &result.failure_details {
                let count = detail.failed_session_count.unwrap_or(0);
                let result_type = self.result_types.id(detail);
                add(&mut self.totals.failed_sessions_in_details, count);
                self.by_result_type.add(result_type, count);
                group.by_result_type.add(result_type, count);
                let mx = detail.receiving_mx_hostname.as_deref();
                self.mx.add(mx, normalise_host, result_type, count);
                let ip = detail.sending_mta_ip.as_deref();
                self.sending_ips.add(ip, normalise_ip, result_type, count);
            }
        }
        add(
            &mut self.totals.successful_sessions,
            report_sessions.successful,
        );
        add(&mut self.totals.failed_sessions, report_sessions.failed);
        match self.organizations.get_mut(&report.organization_name) {
            Some(group) => merge(group, &report_sessions),
            None => {
                let name = report.organization_name.clone();
                self.organizations.insert(name, report_sessions.clone());
            }
        }
        merge(self.days.entry(report.day()).or_default(), &report_sessions);

        let mut kinds: Vec<DeviationKind> = report.deviations.iter().map(|d| d.kind).collect();
        for &kind in &kinds {
            self.deviations.entry(kind).or_default().0 += 1;
        }
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            self.deviations.entry(kind).or_default().1 += 1;
        }
    }

    /// Counts a report that was already counted.
    pub fn add_duplicate(&mut self) {
        self.duplicates += 1;
    }

    /// The aggregate so far, with the given inputs count and errors.
    pub fn summary(&self, inputs: u64, errors: &[InputError]) -> Summary {
        let totals = self.totals;
        let sessions = totals
            .successful_sessions
            .saturating_add(totals.failed_sessions);
        let success_rate =
            (sessions > 0).then(|| totals.successful_sessions as f64 / sessions as f64);
        let mut dated = self.days.keys().flatten();
        let period = dated.next().map(|&first_day| Period {
            first_day,
            last_day: self
                .days
                .keys()
                .flatten()
                .next_back()
                .copied()
                .unwrap_or(first_day),
        });

        let by_result_type = self.by_result_type.named(&self.result_types);
        let mut result_types: Vec<ResultTypeRow> = by_result_type
            .iter()
            .map(|(name, &failed_sessions)| ResultTypeRow {
                result_type: name.to_string(),
                failed_sessions,
                explanation: explain(name),
            })
            .collect();
        result_types.sort_by(|a, b| {
            b.failed_sessions
                .cmp(&a.failed_sessions)
                .then(a.result_type.cmp(&b.result_type))
        });

        let mut by_organization: Vec<OrganizationRow> = self
            .organizations
            .iter()
            .map(|(organization, s)| OrganizationRow {
                organization: organization.clone(),
                reports: s.reports,
                successful_sessions: s.successful,
                failed_sessions: s.failed,
            })
            .collect();
        by_organization.sort_by(|a, b| {
            (b.failed_sessions, b.successful_sessions, &a.organization).cmp(&(
                a.failed_sessions,
                a.successful_sessions,
                &b.organization,
            ))
        });

        let mut by_policy: Vec<PolicyRow> = self
            .policies
            .values()
            .map(|(key, p)| PolicyRow {
                policy_domain: key.domain.clone(),
                policy_type: key.policy_type.clone(),
                mode: key.mode.clone(),
                reports: p.sessions.reports,
                successful_sessions: p.sessions.successful,
                failed_sessions: p.sessions.failed,
                failures_by_result_type: p.by_result_type.named(&self.result_types),
            })
            .collect();
        by_policy.sort_by(|a, b| {
            (
                b.failed_sessions,
                b.successful_sessions,
                &a.policy_domain,
                &a.policy_type,
                &a.mode,
            )
                .cmp(&(
                    a.failed_sessions,
                    a.successful_sessions,
                    &b.policy_domain,
                    &b.policy_type,
                    &b.mode,
                ))
        });

        let by_mx = self
            .mx
            .ranked()
            .into_iter()
            .map(|(mx, f)| MxRow {
                mx,
                failed_sessions: f.failed,
                failures_by_result_type: f.by_result_type.named(&self.result_types),
            })
            .collect();
        let by_sending_ip = self
            .sending_ips
            .ranked()
            .into_iter()
            .map(|(sending_ip, f)| SendingIpRow {
                sending_ip,
                failed_sessions: f.failed,
                failures_by_result_type: f.by_result_type.named(&self.result_types),
            })
            .collect();

        // BTreeMap order puts `None` first; undated reports belong last.
        let mut daily: Vec<DayRow> = self
            .days
            .iter()
            .map(|(date, s)| DayRow {
                date: *date,
                reports: s.reports,
                successful_sessions: s.successful,
                failed_sessions: s.failed,
            })
            .collect();
        if daily.first().is_some_and(|d| d.date.is_none()) {
            daily.rotate_left(1);
        }

        let deviations = self
            .deviations
            .iter()
            .map(|(&code, &(occurrences, reports))| DeviationRow {
                code,
                severity: code.severity(),
                occurrences,
                reports,
                meaning: code.meaning(),
            })
            .collect();

        Summary {
            inputs,
            reports: self.reports,
            duplicates: self.duplicates,
            totals,
            success_rate,
            period,
            failures_by_result_type: by_result_type,
            result_types,
            by_organization,
            by_policy,
            by_mx,
            by_sending_ip,
            daily,
            deviations,
            errors: errors.to_vec(),
        }
    }
}

fn add(total: &mut u64, n: u64) {
    *total = total.saturating_add(n);
}

fn merge(into: &mut Sessions, from: &Sessions) {
    add(&mut into.reports, from.reports);
    add(&mut into.successful, from.successful);
    add(&mut into.failed, from.failed);
}

/// Writes the lookup key of a policy group into `buf`: each part behind a presence marker (so
/// "absent" and "empty" differ), ended by a unit separator, which no domain, policy type or
/// mode contains.
fn policy_key(buf: &mut String, domain: Option<&str>, kind: Option<&str>, mode: Option<&str>) {
    buf.clear();
    for part in [domain, kind, mode] {
        match part {
            Some(text) => {
                buf.push('+');
                buf.push_str(text);
            }
            None => buf.push('-'),
        }
        buf.push('\u{1f}');
    }
}

/// The key a failure detail is counted under: its result type, or [`MISSING_RESULT_TYPE`].
pub(crate) fn result_type_key(detail: &FailureDetail) -> &str {
    detail
        .result_type
        .as_ref()
        .map_or(MISSING_RESULT_TYPE, ResultType::as_str)
}

/// The explanation for a result-type key as counted.
pub fn explain(key: &str) -> Explanation {
    if key == MISSING_RESULT_TYPE {
        return Explanation {
            known: false,
            title: "Result type missing",
            meaning: "The reporter counted these failures without saying what failed \
                      (no result-type)."
                .to_owned(),
            fix: "Look at the receiving MX, sending IPs and failure-reason-code of these failures, \
                  and ask the reporter (contact-info).",
            rfc: "",
        };
    }
    ResultType::parse(key).explanation()
}

/// MX host names compare case-insensitively and without the root dot (RFC 8461 §4.1). Borrowed
/// when already in that form, as nearly all are. Spaces around the root dot go with it, so that
/// the form is stable: normalising it again changes nothing, which [`Groups::add`] relies on.
fn normalise_host(host: &str) -> Cow<'_, str> {
    let trimmed = host
        .trim_start()
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// IP addresses in their canonical text form (`2001:db8:abcd:0012::1` and `2001:db8:abcd:12::1`
/// are one sender); anything that is not an address is kept as written. An IPv4 address that
/// parses is already canonical (the parser refuses leading zeros), so it is borrowed.
fn normalise_ip(ip: &str) -> Cow<'_, str> {
    let trimmed = ip.trim();
    match trimmed.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => Cow::Borrowed(trimmed),
        Ok(addr) => Cow::Owned(addr.to_string()),
        Err(_) => Cow::Borrowed(ip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlsrpt::model::{PolicyResult, PolicySummary};

    fn detail(result_type: Option<&str>, mx: &str, ip: &str, n: u64) -> FailureDetail {
        FailureDetail {
            result_type: result_type.map(ResultType::parse),
            receiving_mx_hostname: Some(mx.into()),
            sending_mta_ip: Some(ip.into()),
            failed_session_count: Some(n),
            ..FailureDetail::default()
        }
    }

    fn report(details: Vec<FailureDetail>) -> Report {
        Report {
            organization_name: Some("Org".into()),
            date_range: Default::default(),
            contact_info: None,
            report_id: Some("r".into()),
            policies: vec![PolicyResult {
                summary: PolicySummary::default(),
                failure_details: details,
                ..PolicyResult::default()
            }],
            unknown_fields: Default::default(),
            deviations: Vec::new(),
        }
    }

    /// An MX row: its name, its failed sessions, and those per result type.
    type MxCounts<'a> = (&'a str, u64, Vec<(&'a str, u64)>);

    fn by_mx(s: &Summary) -> Vec<MxCounts<'_>> {
        let rows = s.by_mx.iter().map(|r| {
            let types = r.failures_by_result_type.iter();
            let types = types.map(|(k, &v)| (k.as_ref(), v)).collect();
            (r.mx.as_deref().unwrap(), r.failed_sessions, types)
        });
        rows.collect()
    }

    #[test]
    fn spellings_of_one_host_or_address_share_a_group_whichever_comes_first() {
        let spellings = [
            detail(
                Some("certificate-expired"),
                "MX1.Example. ",
                "2001:db8::0001",
                1,
            ),
            detail(Some("certificate-expired"), "mx1.example", "2001:db8::1", 2),
            detail(Some("x-new-type"), "mx1.example.", "2001:DB8::1", 4),
        ];
        for order in [[0, 1, 2], [1, 0, 2], [2, 1, 0]] {
            let mut a = Aggregator::new();
            a.add(&report(
                order.iter().map(|&i| spellings[i].clone()).collect(),
            ));
            let s = a.summary(1, &[]);
            assert_eq!(
                by_mx(&s),
                [(
                    "mx1.example",
                    7,
                    vec![("certificate-expired", 3), ("x-new-type", 4)]
                )],
                "order {order:?}"
            );
            assert_eq!(s.by_sending_ip.len(), 1);
            assert_eq!(
                s.by_sending_ip[0].sending_ip.as_deref(),
                Some("2001:db8::1")
            );
        }
    }

    #[test]
    fn every_result_type_met_is_listed_under_its_own_name_even_with_no_sessions() {
        let mut a = Aggregator::new();
        a.add(&report(vec![
            detail(Some("tlsa-invalid"), "a.example", "192.0.2.1", 0),
            detail(None, "b.example", "192.0.2.2", 5),
            detail(Some("weird"), "a.example", "192.0.2.1", 2),
        ]));
        a.add(&report(vec![detail(
            Some("weird"),
            "b.example",
            "192.0.2.1",
            1,
        )]));
        let s = a.summary(2, &[]);
        let overall: Vec<(&str, u64)> = s
            .failures_by_result_type
            .iter()
            .map(|(k, &v)| (k.as_ref(), v))
            .collect();
        assert_eq!(
            overall,
            [(MISSING_RESULT_TYPE, 5), ("tlsa-invalid", 0), ("weird", 3)]
        );
        assert_eq!(
            by_mx(&s),
            [
                ("b.example", 6, vec![(MISSING_RESULT_TYPE, 5), ("weird", 1)]),
                ("a.example", 2, vec![("tlsa-invalid", 0), ("weird", 2)]),
            ]
        );
        let policy = &s.by_policy[0].failures_by_result_type;
        assert_eq!(policy.len(), 3);
        assert_eq!(policy["weird"], 3);
    }

    #[test]
    fn a_result_type_written_as_the_missing_key_adds_to_the_missing_ones() {
        let mut a = Aggregator::new();
        a.add(&report(vec![
            detail(None, "a.example", "192.0.2.1", 2),
            detail(Some(MISSING_RESULT_TYPE), "a.example", "192.0.2.1", 3),
        ]));
        let s = a.summary(1, &[]);
        assert_eq!(s.failures_by_result_type[MISSING_RESULT_TYPE], 5);
        assert_eq!(s.by_mx[0].failures_by_result_type[MISSING_RESULT_TYPE], 5);
    }

    #[test]
    fn a_summary_borrows_the_names_of_known_result_types_and_owns_only_the_others() {
        let mut a = Aggregator::new();
        a.add(&report(vec![
            detail(Some("tlsa-invalid"), "a.example", "192.0.2.1", 1),
            detail(None, "a.example", "192.0.2.1", 1),
            detail(Some("weird"), "a.example", "192.0.2.1", 1),
        ]));
        let s = a.summary(1, &[]);
        let rows = [
            &s.failures_by_result_type,
            &s.by_policy[0].failures_by_result_type,
            &s.by_mx[0].failures_by_result_type,
            &s.by_sending_ip[0].failures_by_result_type,
        ];
        for types in rows {
            let owned: Vec<&str> = types
                .keys()
                .filter(|k| matches!(k, Cow::Owned(_)))
                .map(|k| k.as_ref())
                .collect();
            assert_eq!(owned, ["weird"]);
            assert_eq!(types.len(), 3);
        }
    }
}
