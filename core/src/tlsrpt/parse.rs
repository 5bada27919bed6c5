//! Lenient parsing of one report's JSON (RFC 8460 §4.4) into a [`Report`].
//!
//! Only three things make a document "not a TLS-RPT report": it is not JSON, it is not a JSON
//! object, or it has no `policies` array, the one field without which nothing can be counted.
//! Everything else that departs from the RFC is accepted, read the way the reporter evidently
//! meant it, and recorded as a [`Deviation`]; values that cannot be used (a count written as a
//! string, a field of the wrong type, a field given twice) are kept verbatim among the
//! `unknown_fields` of the object they were found in. Counts are taken only from JSON integers,
//! never re-parsed from strings, so a total is always a sum of what the reporter counted.

use super::date_time::{Zone, parse_date_time};
use super::deviation::{Deviation, DeviationKind as D};
use super::document::{
    self, Extras, RawDateRange, RawFailureDetail, RawPolicy, RawPolicyResult, RawSummary,
    ReadError, Slot, Strings,
};
use super::json::Json;
use super::model::{
    DateRange, DateTime, FailureDetail, Policy, PolicyResult, PolicySummary, PolicyType, Report,
};
use super::result_type::ResultType;
use serde_json::{Map, Value};
use std::fmt;

/// Why a document is not a TLS-RPT report at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The bytes are not JSON (serde_json's message, with line and column).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// The JSON is valid but not an object.
    #[error("not a TLS-RPT report: the JSON is {found}, not an object (RFC 8460 §4.4)")]
    NotAnObject {
        /// The JSON type found, e.g. "an array".
        found: &'static str,
    },
    /// The object has no `policies` member.
    #[error("not a TLS-RPT report: the JSON object has no \"policies\" array (RFC 8460 §4.4)")]
    MissingPolicies,
    /// `policies` is not an array.
    #[error("not a TLS-RPT report: \"policies\" is {found}, not an array (RFC 8460 §4.4)")]
    PoliciesNotArray {
        /// The JSON type found.
        found: &'static str,
    },
    /// The `policies` and `failure-details` arrays hold more elements in all than one report may
    /// ([`MAX_REPORT_ELEMENTS`](super::MAX_REPORT_ELEMENTS)).
    #[error(
        "the report has more than {} elements in its \"policies\" and \"failure-details\" arrays, the cap per report; refused, as each takes about 1 KiB of memory",
        crate::number::count(*limit as u64)
    )]
    TooManyElements {
        /// The cap.
        limit: usize,
    },
}

/// From this many failure details on, a policy's details are turned into the model in the vector
/// they were read into, instead of into a new one, and that vector is read into again once the
/// report is done with ([`recycle`]).
///
/// Why: a report of 4,000 details read them into a vector of 1.1 MiB and then moved them into
/// one of 0.8 MiB, memory never touched before, once per thread and large report: on the
/// benchmark's 3,000 files 3,212 page faults against 2,689 in place, and about 3 % of the wall
/// and CPU time (medians of 60 interleaved runs). Rust's `collect` reuses the allocation when
/// the elements are no larger (`FailureDetail` is as large as what the reader holds per element),
/// a test checks that it does. The model's vector then keeps the room the reader gave it (about
/// one element per 100 bytes of the document): room never written, so no memory is touched for
/// it. Fewer details go the old way, as their read vector is kept for the next document
/// ([`document::give_back`]), which saves allocating one per report.
const IN_PLACE_DETAILS: usize = 256;

/// Parses one report. A UTF-8 byte order mark is skipped (and noted).
pub fn parse_report(json: &[u8]) -> Result<Report, ParseError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let (json, bom) = match json.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (json, false),
    };
    let root = document::read(json)
        .map_err(|e| match e {
            ReadError::Json(e) => ParseError::NotJson(e.to_string()),
            ReadError::TooManyElements => ParseError::TooManyElements {
                limit: document::MAX_REPORT_ELEMENTS,
            },
        })?
        .map_err(|value| ParseError::NotAnObject {
            found: value.type_name(),
        })?;
    let policies = match root.policies {
        Slot::Absent => return Err(ParseError::MissingPolicies),
        Slot::Value(policies) => policies,
        Slot::Null => return Err(ParseError::PoliciesNotArray { found: "null" }),
        Slot::Other(other) => {
            return Err(ParseError::PoliciesNotArray {
                found: other.type_name(),
            });
        }
    };

    let at = Path::ROOT;
    let mut w = Walker::default();
    if bom {
        w.note(D::ByteOrderMark, &at, "");
    }
    let mut unknown = Map::new();
    let organization_name = w.string(
        root.organization_name,
        &at,
        "organization-name",
        true,
        &mut unknown,
    );
    let date_range = match w.object(root.date_range, &at, "date-range", true, &mut unknown) {
        Some(range) => w.date_range(range, &at.key("date-range")),
        None => DateRange::default(),
    };
    let contact_info = w.string(root.contact_info, &at, "contact-info", false, &mut unknown);
    let report_id = w.string(root.report_id, &at, "report-id", true, &mut unknown);
    let mut results = Vec::with_capacity(policies.len());
    let policies_at = at.key("policies");
    for (i, entry) in policies.into_iter().enumerate() {
        let path = policies_at.index(i);
        match entry {
            Ok(entry) => results.push(w.policy_result(entry, &path)),
            Err(other) => w.keep_wrong_element(&path, other, &mut unknown),
        }
    }
    w.unknown_fields(root.extras, &at, &mut unknown);
    Ok(Report {
        organization_name,
        date_range,
        contact_info,
        report_id,
        policies: results,
        unknown_fields: unknown,
        deviations: w.deviations,
    })
}

/// Frees a parsed report, keeping the vectors of its large failure-detail lists (those made in
/// place, see [`IN_PLACE_DETAILS`]) for the next documents read on this thread (from
/// 256 KiB of room on, on any thread: `document::give_back`).
pub(crate) fn recycle(report: Report) {
    for result in report.policies {
        if result.failure_details.capacity() >= IN_PLACE_DETAILS {
            document::give_back_model(result.failure_details);
        }
    }
}

/// A JSON pointer (RFC 6901) built only when a deviation needs it: most reports need none, and
/// formatting a path for every field read would cost more than reading the field.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.segment {
            Segment::Root => Ok(()),
            Segment::Key(key) => write!(f, "/{}", key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(index) => write!(f, "/{index}"),
        }
    }
}

#[derive(Default)]
struct Walker {
    deviations: Vec<Deviation>,
}

impl Walker {
    fn note(&mut self, kind: D, path: &Path<'_>, detail: impl Into<String>) {
        self.deviations
            .push(Deviation::new(kind, path.to_string(), detail));
    }

    /// A field's value: `None` when absent (noted if `required`) or null (noted), `Err` with
    /// the value verbatim when it has another type than the RFC gives it.
    fn take<T>(
        &mut self,
        slot: Slot<T>,
        at: &Path<'_>,
        key: &str,
        required: bool,
    ) -> Option<Result<T, Json>> {
        match slot {
            Slot::Absent => {
                if required {
                    self.note(D::FieldMissing, &at.key(key), format!("no \"{key}\""));
                }
                None
            }
            Slot::Null => {
                self.note(D::FieldNull, &at.key(key), format!("\"{key}\" is null"));
                None
            }
            Slot::Value(value) => Some(Ok(value)),
            Slot::Other(value) => Some(Err(*value)),
        }
    }

    /// A value of the wrong type: noted, and kept verbatim under its own key.
    fn wrong_type(
        &mut self,
        at: &Path<'_>,
        key: &str,
        expected: &str,
        value: Json,
        unknown: &mut Map<String, Value>,
    ) {
        let value = value.into_value();
        let detail = format!(
            "\"{key}\" is {}, not {expected}: {}",
            type_name(&value),
            clip(&value)
        );
        self.note(D::FieldWrongType, &at.key(key), detail);
        unknown.insert(key.to_owned(), value);
    }

    /// An array element that is not an object, kept verbatim under its JSON pointer.
    fn keep_wrong_element(
        &mut self,
        path: &Path<'_>,
        value: Json,
        unknown: &mut Map<String, Value>,
    ) {
        let value = value.into_value();
        let detail = format!(
            "{} instead of an object: {}",
            type_name(&value),
            clip(&value)
        );
        self.note(D::FieldWrongType, path, detail);
        unknown.insert(path.to_string(), value);
    }

    /// A field's value when it has the type `expected`; any other is kept as a wrong type.
    fn typed<T>(
        &mut self,
        slot: Slot<T>,
        at: &Path<'_>,
        key: &str,
        required: bool,
        expected: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<T> {
        match self.take(slot, at, key, required)? {
            Ok(value) => Some(value),
            Err(other) => {
                self.wrong_type(at, key, expected, other, unknown);
                None
            }
        }
    }

    fn string(
        &mut self,
        slot: Slot<String>,
        at: &Path<'_>,
        key: &str,
        required: bool,
        unknown: &mut Map<String, Value>,
    ) -> Option<String> {
        self.typed(slot, at, key, required, "a string", unknown)
    }

    fn object<T>(
        &mut self,
        slot: Slot<T>,
        at: &Path<'_>,
        key: &str,
        required: bool,
        unknown: &mut Map<String, Value>,
    ) -> Option<T> {
        self.typed(slot, at, key, required, "an object", unknown)
    }

    /// A session count: only a non-negative integer JSON number counts.
    fn count(
        &mut self,
        slot: Slot<u64>,
        at: &Path<'_>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<u64> {
        let value = match self.take(slot, at, key, true)? {
            Ok(n) => return Some(n),
            Err(value) => value.into_value(),
        };
        let detail = format!("\"{key}\" is {}: {}", type_name(&value), clip(&value));
        self.note(D::CountNotANumber, &at.key(key), detail);
        unknown.insert(key.to_owned(), value);
        None
    }

    /// A list of strings; any other shape is kept verbatim as a wrong type.
    fn strings(
        &mut self,
        value: Result<Strings, Json>,
        at: &Path<'_>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<Vec<String>> {
        let other = match value {
            Ok(Strings::List(list)) => return Some(list),
            Ok(Strings::One(s)) => Json::String(s),
            Err(other) => other,
        };
        self.wrong_type(at, key, "an array of strings", other, unknown);
        None
    }

    /// Keeps what is left of an object verbatim: fields RFC 8460 does not define, and second
    /// occurrences of those it does.
    fn unknown_fields(&mut self, rest: Extras, at: &Path<'_>, unknown: &mut Map<String, Value>) {
        for extra in rest.members {
            let value = extra.value.into_value();
            let name = extra.name;
            let kind = match extra.duplicate {
                true => D::DuplicateField,
                false => D::UnknownField,
            };
            self.note(
                kind,
                &at.key(&name),
                format!("\"{name}\": {}", clip(&value)),
            );
            // A third occurrence of a name would replace the second: keep each one.
            let name = match unknown.contains_key(&name) {
                false => name,
                true => (2..)
                    .map(|n| format!("{name}#{n}"))
                    .find(|k| !unknown.contains_key(k))
                    .expect("unbounded"),
            };
            unknown.insert(name, value);
        }
    }

    fn date_range(&mut self, range: RawDateRange, at: &Path<'_>) -> DateRange {
        let mut unknown = Map::new();
        let start = self.date_time(range.start, at, "start-datetime", &mut unknown);
        let end = self.date_time(range.end, at, "end-datetime", &mut unknown);
        self.unknown_fields(range.extras, at, &mut unknown);
        if let (Some(s), Some(e)) = (
            start.as_ref().and_then(|d| d.at),
            end.as_ref().and_then(|d| d.at),
        ) {
            let one_day = s.second_of_day() == 0
                && (e.unix() == s.unix() + 86_399 || e.unix() == s.unix() + 86_400);
            if one_day && e.unix() == s.unix() + 86_400 {
                self.note(
                    D::EndAtNextMidnight,
                    &at.key("end-datetime"),
                    format!("{s} to {e}"),
                );
            } else if !one_day {
                self.note(D::DateRangeNotOneDay, at, format!("{s} to {e}"));
            }
        }
        DateRange {
            start,
            end,
            unknown_fields: unknown,
        }
    }

    fn date_time(
        &mut self,
        slot: Slot<String>,
        at: &Path<'_>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<DateTime> {
        let raw = self.string(slot, at, key, true, unknown)?;
        let parsed = match parse_date_time(&raw) {
            Some((instant, Zone::Explicit)) => Some(instant),
            Some((instant, Zone::Missing)) => {
                let detail = format!("\"{raw}\" read as {instant}");
                self.note(D::DateTimeWithoutZone, &at.key(key), detail);
                Some(instant)
            }
            None => {
                self.note(D::DateTimeInvalid, &at.key(key), format!("\"{raw}\""));
                None
            }
        };
        Some(DateTime { raw, at: parsed })
    }

    fn policy_result(&mut self, entry: RawPolicyResult, at: &Path<'_>) -> PolicyResult {
        let mut unknown = Map::new();
        let policy = match self.object(entry.policy, at, "policy", true, &mut unknown) {
            Some(policy) => self.policy(policy, &at.key("policy")),
            None => Policy::default(),
        };
        let summary = match self.object(entry.summary, at, "summary", true, &mut unknown) {
            Some(summary) => self.summary(summary, &at.key("summary")),
            None => PolicySummary::default(),
        };
        let mut failure_details = Vec::new();
        let details_at = at.key("failure-details");
        match self.take(entry.failure_details, at, "failure-details", false) {
            None => {}
            Some(Ok(items)) if items.is_empty() => {
                self.note(D::FailureDetailsEmpty, &details_at, "");
                document::give_back(items);
            }
            Some(Ok(items)) if items.len() >= IN_PLACE_DETAILS => {
                failure_details = (items.into_iter().enumerate())
                    .filter_map(|(i, item)| self.detail_at(&details_at, i, item, &mut unknown))
                    .collect();
            }
            Some(Ok(mut items)) => {
                failure_details.reserve_exact(items.len());
                failure_details
                    .extend((items.drain(..).enumerate()).filter_map(|(i, item)| {
                        self.detail_at(&details_at, i, item, &mut unknown)
                    }));
                document::give_back(items);
            }
            Some(Err(other)) => {
                self.wrong_type(at, "failure-details", "an array", other, &mut unknown)
            }
        }
        self.unknown_fields(entry.extras, at, &mut unknown);
        let result = PolicyResult {
            policy,
            summary,
            failure_details,
            unknown_fields: unknown,
        };
        if let (false, Some(total)) = (
            result.failure_details.is_empty(),
            result.summary.total_failure_session_count,
        ) {
            let detailed = result.detailed_failures();
            if detailed != total {
                let detail = format!(
                    "failure details add up to {detailed}, total-failure-session-count is {total}"
                );
                self.note(D::FailureCountMismatch, &at.key("summary"), detail);
            }
        }
        result
    }

    fn policy(&mut self, obj: RawPolicy, at: &Path<'_>) -> Policy {
        let mut unknown = Map::new();
        let policy_type = self.typed(
            obj.policy_type,
            at,
            "policy-type",
            true,
            "a string",
            &mut unknown,
        );
        if let Some(PolicyType::Other(t)) = &policy_type {
            self.note(
                D::UnknownPolicyType,
                &at.key("policy-type"),
                format!("\"{t}\""),
            );
        }
        let policy_string = match self.take(obj.policy_string, at, "policy-string", false) {
            Some(value) => self.policy_string(value, at, &mut unknown),
            None => Vec::new(),
        };
        let policy_domain =
            self.string(obj.policy_domain, at, "policy-domain", false, &mut unknown);
        if policy_domain.is_none() && !unknown.contains_key("policy-domain") {
            self.note(D::PolicyDomainMissing, &at.key("policy-domain"), "");
        }
        let mx_at = at.key("mx-host");
        let mx_host = match self.take(obj.mx_host, at, "mx-host", false) {
            None => {
                if policy_type == Some(PolicyType::Sts) {
                    self.note(D::MxHostMissing, &mx_at, "");
                }
                Vec::new()
            }
            Some(Ok(Strings::One(mx))) => {
                self.note(D::MxHostString, &mx_at, format!("\"{mx}\""));
                vec![mx]
            }
            Some(value) => {
                let list = self
                    .strings(value, at, "mx-host", &mut unknown)
                    .unwrap_or_default();
                if list.is_empty() && !unknown.contains_key("mx-host") {
                    self.note(D::MxHostEmpty, &mx_at, "");
                }
                list
            }
        };
        self.unknown_fields(obj.extras, at, &mut unknown);
        Policy {
            policy_type,
            policy_string,
            policy_domain,
            mx_host,
            unknown_fields: unknown,
        }
    }

    fn policy_string(
        &mut self,
        value: Result<Strings, Json>,
        at: &Path<'_>,
        unknown: &mut Map<String, Value>,
    ) -> Vec<String> {
        let Some(mut lines) = self.strings(value, at, "policy-string", unknown) else {
            return Vec::new();
        };
        let ps_at = at.key("policy-string");
        if lines.is_empty() {
            self.note(D::PolicyStringEmpty, &ps_at, "");
        }
        // Microsoft's TLSA policy-string: ["[\"3 1 1 60...\",\"3 1 1 83...\"]"].
        if let [only] = lines.as_slice()
            && only.trim_start().starts_with('[')
            && let Ok(decoded) = serde_json::from_str::<Vec<String>>(only)
        {
            let detail = format!("{} records in one string", decoded.len());
            self.note(D::PolicyStringJsonArray, &ps_at, detail);
            lines = decoded;
        }
        // Google keeps the CR of a CRLF policy file: ["version: STSv1\r", ...].
        let with_cr = lines.iter().filter(|l| l.ends_with('\r')).count();
        if with_cr > 0 {
            for line in &mut lines {
                while line.ends_with('\r') {
                    line.pop();
                }
            }
            let detail = format!("{with_cr} of {} lines", lines.len());
            self.note(D::PolicyStringTrailingCr, &ps_at, detail);
        }
        lines
    }

    fn summary(&mut self, obj: RawSummary, at: &Path<'_>) -> PolicySummary {
        let mut unknown = Map::new();
        let total_successful_session_count = self.count(
            obj.total_successful_session_count,
            at,
            "total-successful-session-count",
            &mut unknown,
        );
        let total_failure_session_count = self.count(
            obj.total_failure_session_count,
            at,
            "total-failure-session-count",
            &mut unknown,
        );
        self.unknown_fields(obj.extras, at, &mut unknown);
        PolicySummary {
            total_successful_session_count,
            total_failure_session_count,
            unknown_fields: unknown,
        }
    }

    /// Element `i` of a `failure-details` array at `details_at`: the detail, or `None` when it
    /// is not an object (kept verbatim in `unknown`, and noted).
    fn detail_at(
        &mut self,
        details_at: &Path<'_>,
        i: usize,
        item: Result<RawFailureDetail, Json>,
        unknown: &mut Map<String, Value>,
    ) -> Option<FailureDetail> {
        let path = details_at.index(i);
        match item {
            Ok(item) => Some(self.failure_detail(item, &path)),
            Err(other) => {
                self.keep_wrong_element(&path, other, unknown);
                None
            }
        }
    }

    fn failure_detail(&mut self, obj: RawFailureDetail, at: &Path<'_>) -> FailureDetail {
        let mut u = Map::new();
        let result_type = self.typed(obj.result_type, at, "result-type", true, "a string", &mut u);
        if let Some(ResultType::Other(t)) = &result_type {
            self.note(
                D::UnknownResultType,
                &at.key("result-type"),
                format!("\"{t}\""),
            );
        }
        let sending_mta_ip = self.string(obj.sending_mta_ip, at, "sending-mta-ip", false, &mut u);
        if sending_mta_ip.is_none() && !u.contains_key("sending-mta-ip") {
            self.note(D::FailureDetailWithoutSendingIp, at, "");
        }
        let receiving_mx_hostname = self.string(
            obj.receiving_mx_hostname,
            at,
            "receiving-mx-hostname",
            false,
            &mut u,
        );
        if receiving_mx_hostname.is_none() && !u.contains_key("receiving-mx-hostname") {
            self.note(D::FailureDetailWithoutMx, at, "");
        }
        let receiving_mx_helo = self.string(
            obj.receiving_mx_helo,
            at,
            "receiving-mx-helo",
            false,
            &mut u,
        );
        let receiving_ip = self.string(obj.receiving_ip, at, "receiving-ip", false, &mut u);
        let failed_session_count =
            self.count(obj.failed_session_count, at, "failed-session-count", &mut u);
        let additional_information = self.string(
            obj.additional_information,
            at,
            "additional-information",
            false,
            &mut u,
        );
        let failure_reason_code = self.string(
            obj.failure_reason_code,
            at,
            "failure-reason-code",
            false,
            &mut u,
        );
        self.unknown_fields(obj.extras, at, &mut u);
        FailureDetail {
            result_type,
            sending_mta_ip,
            receiving_mx_hostname,
            receiving_mx_helo,
            receiving_ip,
            failed_session_count,
            additional_information,
            failure_reason_code,
            unknown_fields: u,
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value as JSON for a deviation's detail, shortened: the value itself is kept in full.
fn clip(value: &Value) -> String {
    const MAX: usize = 80;
    let text = value.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A report whose one policy has `n` failure details: detail 3 is not an object, details 5
    /// and `n - 1` have no sending IP, the others the IP `192.0.2.<i % 250>`.
    fn report_with_details(n: usize) -> Vec<u8> {
        let details: Vec<Value> = (0..n)
            .map(|i| match i {
                3 => json!(42),
                _ if i == 5 || i == n - 1 => json!({"result-type": "certificate-expired",
                    "receiving-mx-hostname": "mx.example.com", "failed-session-count": 1}),
                _ => json!({"result-type": "certificate-expired",
                    "sending-mta-ip": format!("192.0.2.{}", i % 250),
                    "receiving-mx-hostname": "mx.example.com", "failed-session-count": 1}),
            })
            .collect();
        json!({
            "organization-name": "Example", "report-id": "r",
            "date-range": {"start-datetime": "2024-01-09T00:00:00Z", "end-datetime": "2024-01-09T23:59:59Z"},
            "policies": [{
                "policy": {"policy-type": "no-policy-found", "policy-domain": "example.com"},
                "summary": {"total-successful-session-count": 0, "total-failure-session-count": n - 1},
                "failure-details": details
            }]
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn many_failure_details_read_as_few_do() {
        for n in [
            IN_PLACE_DETAILS - 1,
            IN_PLACE_DETAILS,
            IN_PLACE_DETAILS + 45,
        ] {
            let report = parse_report(&report_with_details(n)).unwrap();
            let result = &report.policies[0];
            assert_eq!(result.failure_details.len(), n - 1, "{n}");
            let ips: Vec<Option<&str>> = result
                .failure_details
                .iter()
                .map(|d| d.sending_mta_ip.as_deref())
                .collect();
            let expected: Vec<Option<String>> = (0..n)
                .filter(|&i| i != 3)
                .map(|i| (i != 5 && i != n - 1).then(|| format!("192.0.2.{}", i % 250)))
                .collect();
            assert_eq!(
                ips,
                expected.iter().map(Option::as_deref).collect::<Vec<_>>(),
                "{n}"
            );
            let found: Vec<(D, &str)> = report
                .deviations
                .iter()
                .map(|d| (d.kind, d.path.as_str()))
                .collect();
            let last = format!("/policies/0/failure-details/{}", n - 1);
            assert_eq!(
                found,
                [
                    (D::FieldWrongType, "/policies/0/failure-details/3"),
                    (
                        D::FailureDetailWithoutSendingIp,
                        "/policies/0/failure-details/5"
                    ),
                    (D::FailureDetailWithoutSendingIp, last.as_str()),
                ],
                "{n}"
            );
            assert_eq!(
                result.unknown_fields.get("/policies/0/failure-details/3"),
                Some(&json!(42)),
                "{n}"
            );
        }
    }

    #[test]
    fn many_failure_details_become_the_model_in_the_vector_they_were_read_into() {
        let entry = |n| RawPolicyResult {
            failure_details: Slot::Value((0..n).map(|_| Ok(RawFailureDetail::default())).collect()),
            ..RawPolicyResult::default()
        };
        let read = entry(IN_PLACE_DETAILS);
        let Slot::Value(details) = &read.failure_details else {
            unreachable!()
        };
        let at = details.as_ptr() as usize;
        let result = Walker::default().policy_result(read, &Path::ROOT.index(0));
        assert_eq!(result.failure_details.len(), IN_PLACE_DETAILS);
        assert_eq!(result.failure_details.as_ptr() as usize, at);
    }

    #[test]
    fn a_recycled_report_lends_its_details_vector_to_the_next_large_one() {
        // On a thread of its own: the spare vectors are per thread, and other tests leave some.
        std::thread::spawn(recycling_lends).join().unwrap();
    }

    fn recycling_lends() {
        // Details of the RFC's shape only, so that the scanner reads them (a document it gives
        // up on is read again by serde, into other vectors).
        let report = |n: usize| {
            let detail = r#"{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.com","failed-session-count":1}"#;
            format!(
                r#"{{"organization-name":"Example","report-id":"r","policies":[{{"policy":{{"policy-type":"sts","policy-domain":"example.com"}},"summary":{{"total-successful-session-count":0,"total-failure-session-count":{n}}},"failure-details":[{}]}}]}}"#,
                vec![detail; n].join(",")
            )
        };
        let first = parse_report(report(IN_PLACE_DETAILS + 10).as_bytes()).unwrap();
        let at = first.policies[0].failure_details.as_ptr() as usize;
        recycle(first);
        // A document of another size (within the same power of two of room) takes it too.
        let second = parse_report(report(IN_PLACE_DETAILS + 30).as_bytes()).unwrap();
        assert_eq!(second.policies[0].failure_details.as_ptr() as usize, at);
        assert_eq!(
            second.policies[0].failure_details.len(),
            IN_PLACE_DETAILS + 30
        );
        // Without recycling, the next one gets another vector.
        let third = parse_report(report(IN_PLACE_DETAILS + 30).as_bytes()).unwrap();
        assert_ne!(third.policies[0].failure_details.as_ptr() as usize, at);
        recycle(second);
        recycle(third);
    }
}
