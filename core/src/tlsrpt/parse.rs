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
use super::json::{Json, Key, Object};
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
}

/// Parses one report. A UTF-8 byte order mark is skipped (and noted).
pub fn parse_report(json: &[u8]) -> Result<Report, ParseError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let (json, bom) = match json.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (json, false),
    };
    let value: Json =
        serde_json::from_slice(json).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let Json::Object(mut root) = value else {
        return Err(ParseError::NotAnObject {
            found: value.type_name(),
        });
    };
    let policies = match root.take("policies") {
        None => return Err(ParseError::MissingPolicies),
        Some(Json::Array(policies)) => policies,
        Some(other) => {
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
    let organization_name = w.string(&mut root, &at, "organization-name", true, &mut unknown);
    let date_range = match w.object(&mut root, &at, "date-range", true, &mut unknown) {
        Some(range) => w.date_range(range, &at.key("date-range")),
        None => DateRange::default(),
    };
    let contact_info = w.string(&mut root, &at, "contact-info", false, &mut unknown);
    let report_id = w.string(&mut root, &at, "report-id", true, &mut unknown);
    let mut results = Vec::with_capacity(policies.len());
    let policies_at = at.key("policies");
    for (i, entry) in policies.into_iter().enumerate() {
        let path = policies_at.index(i);
        match entry {
            Json::Object(entry) => results.push(w.policy_result(entry, &path)),
            other => w.keep_wrong_element(&path, other, &mut unknown),
        }
    }
    const FIELDS: &[&str] = &[
        "organization-name",
        "date-range",
        "contact-info",
        "report-id",
        "policies",
    ];
    w.unknown_fields(root, &at, FIELDS, &mut unknown);
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

    /// Takes `key` out of `obj`. `None` when absent (noted if `required`) or null (noted).
    fn take(&mut self, obj: &mut Object, at: &Path<'_>, key: &str, required: bool) -> Option<Json> {
        match obj.take(key) {
            None => {
                if required {
                    self.note(D::FieldMissing, &at.key(key), format!("no \"{key}\""));
                }
                None
            }
            Some(Json::Null) => {
                self.note(D::FieldNull, &at.key(key), format!("\"{key}\" is null"));
                None
            }
            Some(value) => Some(value),
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

    fn string(
        &mut self,
        obj: &mut Object,
        at: &Path<'_>,
        key: &str,
        required: bool,
        unknown: &mut Map<String, Value>,
    ) -> Option<String> {
        match self.take(obj, at, key, required)? {
            Json::String(s) => Some(s),
            other => {
                self.wrong_type(at, key, "a string", other, unknown);
                None
            }
        }
    }

    fn object(
        &mut self,
        obj: &mut Object,
        at: &Path<'_>,
        key: &str,
        required: bool,
        unknown: &mut Map<String, Value>,
    ) -> Option<Object> {
        match self.take(obj, at, key, required)? {
            Json::Object(o) => Some(o),
            other => {
                self.wrong_type(at, key, "an object", other, unknown);
                None
            }
        }
    }

    /// A session count: only a non-negative integer JSON number counts.
    fn count(
        &mut self,
        obj: &mut Object,
        at: &Path<'_>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<u64> {
        let value = self.take(obj, at, key, true)?;
        if let Some(n) = value.as_u64() {
            return Some(n);
        }
        let value = value.into_value();
        let detail = format!("\"{key}\" is {}: {}", type_name(&value), clip(&value));
        self.note(D::CountNotANumber, &at.key(key), detail);
        unknown.insert(key.to_owned(), value);
        None
    }

    /// A list of strings; any other shape is kept verbatim as a wrong type.
    fn strings(
        &mut self,
        value: Json,
        at: &Path<'_>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<Vec<String>> {
        match value {
            Json::Array(items) if items.iter().all(|i| matches!(i, Json::String(_))) => Some(
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        Json::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            other => {
                self.wrong_type(at, key, "an array of strings", other, unknown);
                None
            }
        }
    }

    /// Keeps what is left of an object verbatim: fields RFC 8460 does not define, and second
    /// occurrences of those it does (`fields`: the names this object may have).
    fn unknown_fields(
        &mut self,
        rest: Object,
        at: &Path<'_>,
        fields: &[&str],
        unknown: &mut Map<String, Value>,
    ) {
        for (key, value) in rest.into_members() {
            let value = value.into_value();
            let name = key.as_str();
            let kind = match key {
                Key::Known(known) if fields.contains(&known) => D::DuplicateField,
                _ => D::UnknownField,
            };
            self.note(kind, &at.key(name), format!("\"{name}\": {}", clip(&value)));
            let name = name.to_owned();
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

    fn date_range(&mut self, mut range: Object, at: &Path<'_>) -> DateRange {
        let mut unknown = Map::new();
        let start = self.date_time(&mut range, at, "start-datetime", &mut unknown);
        let end = self.date_time(&mut range, at, "end-datetime", &mut unknown);
        self.unknown_fields(range, at, &["start-datetime", "end-datetime"], &mut unknown);
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
        range: &mut Object,
        at: &Path<'_>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<DateTime> {
        let raw = self.string(range, at, key, true, unknown)?;
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

    fn policy_result(&mut self, mut entry: Object, at: &Path<'_>) -> PolicyResult {
        let mut unknown = Map::new();
        let policy = match self.object(&mut entry, at, "policy", true, &mut unknown) {
            Some(policy) => self.policy(policy, &at.key("policy")),
            None => Policy::default(),
        };
        let summary = match self.object(&mut entry, at, "summary", true, &mut unknown) {
            Some(summary) => self.summary(summary, &at.key("summary")),
            None => PolicySummary::default(),
        };
        let mut failure_details = Vec::new();
        let details_at = at.key("failure-details");
        match self.take(&mut entry, at, "failure-details", false) {
            None => {}
            Some(Json::Array(items)) if items.is_empty() => {
                self.note(D::FailureDetailsEmpty, &details_at, "");
            }
            Some(Json::Array(items)) => {
                failure_details.reserve_exact(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let path = details_at.index(i);
                    match item {
                        Json::Object(item) => {
                            failure_details.push(self.failure_detail(item, &path))
                        }
                        other => self.keep_wrong_element(&path, other, &mut unknown),
                    }
                }
            }
            Some(other) => self.wrong_type(at, "failure-details", "an array", other, &mut unknown),
        }
        self.unknown_fields(
            entry,
            at,
            &["policy", "summary", "failure-details"],
            &mut unknown,
        );
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

    fn policy(&mut self, mut obj: Object, at: &Path<'_>) -> Policy {
        let mut unknown = Map::new();
        let policy_type = self
            .string(&mut obj, at, "policy-type", true, &mut unknown)
            .map(|t| {
                let parsed = PolicyType::parse(&t);
                if let PolicyType::Other(_) = parsed {
                    self.note(
                        D::UnknownPolicyType,
                        &at.key("policy-type"),
                        format!("\"{t}\""),
                    );
                }
                parsed
            });
        let policy_string = match self.take(&mut obj, at, "policy-string", false) {
            Some(value) => self.policy_string(value, at, &mut unknown),
            None => Vec::new(),
        };
        let policy_domain = self.string(&mut obj, at, "policy-domain", false, &mut unknown);
        if policy_domain.is_none() && !unknown.contains_key("policy-domain") {
            self.note(D::PolicyDomainMissing, &at.key("policy-domain"), "");
        }
        let mx_at = at.key("mx-host");
        let mx_host = match self.take(&mut obj, at, "mx-host", false) {
            None => {
                if policy_type == Some(PolicyType::Sts) {
                    self.note(D::MxHostMissing, &mx_at, "");
                }
                Vec::new()
            }
            Some(Json::String(mx)) => {
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
        const FIELDS: &[&str] = &["policy-type", "policy-string", "policy-domain", "mx-host"];
        self.unknown_fields(obj, at, FIELDS, &mut unknown);
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
        value: Json,
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

    fn summary(&mut self, mut obj: Object, at: &Path<'_>) -> PolicySummary {
        let mut unknown = Map::new();
        let total_successful_session_count =
            self.count(&mut obj, at, "total-successful-session-count", &mut unknown);
        let total_failure_session_count =
            self.count(&mut obj, at, "total-failure-session-count", &mut unknown);
        const FIELDS: &[&str] = &[
            "total-successful-session-count",
            "total-failure-session-count",
        ];
        self.unknown_fields(obj, at, FIELDS, &mut unknown);
        PolicySummary {
            total_successful_session_count,
            total_failure_session_count,
            unknown_fields: unknown,
        }
    }

    fn failure_detail(&mut self, mut obj: Object, at: &Path<'_>) -> FailureDetail {
        let mut u = Map::new();
        let result_type = self
            .string(&mut obj, at, "result-type", true, &mut u)
            .map(|t| {
                let parsed = ResultType::parse(&t);
                if !parsed.is_known() {
                    self.note(
                        D::UnknownResultType,
                        &at.key("result-type"),
                        format!("\"{t}\""),
                    );
                }
                parsed
            });
        let sending_mta_ip = self.string(&mut obj, at, "sending-mta-ip", false, &mut u);
        if sending_mta_ip.is_none() && !u.contains_key("sending-mta-ip") {
            self.note(D::FailureDetailWithoutSendingIp, at, "");
        }
        let receiving_mx_hostname =
            self.string(&mut obj, at, "receiving-mx-hostname", false, &mut u);
        if receiving_mx_hostname.is_none() && !u.contains_key("receiving-mx-hostname") {
            self.note(D::FailureDetailWithoutMx, at, "");
        }
        let detail = FailureDetail {
            result_type,
            sending_mta_ip,
            receiving_mx_hostname,
            receiving_mx_helo: self.string(&mut obj, at, "receiving-mx-helo", false, &mut u),
            receiving_ip: self.string(&mut obj, at, "receiving-ip", false, &mut u),
            failed_session_count: self.count(&mut obj, at, "failed-session-count", &mut u),
            additional_information: self.string(
                &mut obj,
                at,
                "additional-information",
                false,
                &mut u,
            ),
            failure_reason_code: self.string(&mut obj, at, "failure-reason-code", false, &mut u),
            unknown_fields: Map::new(),
        };
        const FIELDS: &[&str] = &[
            "result-type",
            "sending-mta-ip",
            "receiving-mx-hostname",
            "receiving-mx-helo",
            "receiving-ip",
            "failed-session-count",
            "additional-information",
            "failure-reason-code",
        ];
        self.unknown_fields(obj, at, FIELDS, &mut u);
        FailureDetail {
            unknown_fields: u,
            ..detail
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
