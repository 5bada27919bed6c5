//! Lenient parsing of one report's JSON (RFC 8460 §4.4) into a [`Report`].
//!
//! Only three things make a document "not a TLS-RPT report": it is not JSON, it is not a JSON
//! object, or it has no `policies` array, the one field without which nothing can be counted.
//! Everything else that departs from the RFC is accepted, read the way the reporter evidently
//! meant it, and recorded as a [`Deviation`]; values that cannot be used (a count written as a
//! string, a field of the wrong type) are kept verbatim among the `unknown_fields` of the object
//! they were found in. Counts are taken only from JSON integers, never re-parsed from strings, so
//! a total is always a sum of what the reporter actually counted.

use super::date_time::{Zone, parse_date_time};
use super::deviation::{Deviation, DeviationKind as D};
use super::model::{
    DateRange, DateTime, FailureDetail, Policy, PolicyResult, PolicySummary, PolicyType, Report,
};
use super::result_type::ResultType;
use serde_json::{Map, Value};

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
    let value: Value =
        serde_json::from_slice(json).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let Value::Object(mut root) = value else {
        return Err(ParseError::NotAnObject {
            found: type_name(&value),
        });
    };
    let policies = match root.remove("policies") {
        None => return Err(ParseError::MissingPolicies),
        Some(Value::Array(policies)) => policies,
        Some(other) => {
            return Err(ParseError::PoliciesNotArray {
                found: type_name(&other),
            });
        }
    };

    let mut w = Walker::default();
    if bom {
        w.note(D::ByteOrderMark, "", "");
    }
    let mut unknown = Map::new();
    let organization_name = w.string(&mut root, "", "organization-name", true, &mut unknown);
    let date_range = match w.object(&mut root, "", "date-range", true, &mut unknown) {
        Some(range) => w.date_range(range),
        None => DateRange::default(),
    };
    let contact_info = w.string(&mut root, "", "contact-info", false, &mut unknown);
    let report_id = w.string(&mut root, "", "report-id", true, &mut unknown);
    let mut results = Vec::with_capacity(policies.len());
    for (i, entry) in policies.into_iter().enumerate() {
        let path = format!("/policies/{i}");
        match entry {
            Value::Object(entry) => results.push(w.policy_result(entry, &path)),
            other => w.keep_wrong_type(&path, other, &mut unknown),
        }
    }
    w.unknown_fields(root, "", &mut unknown);
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

#[derive(Default)]
struct Walker {
    deviations: Vec<Deviation>,
}

impl Walker {
    fn note(&mut self, kind: D, path: &str, detail: impl Into<String>) {
        self.deviations.push(Deviation::new(kind, path, detail));
    }

    /// Takes `key` out of `obj`. `None` when absent (noted if `required`) or null (noted).
    fn take(
        &mut self,
        obj: &mut Map<String, Value>,
        at: &str,
        key: &str,
        required: bool,
    ) -> Option<Value> {
        match obj.remove(key) {
            None => {
                if required {
                    self.note(D::FieldMissing, &pointer(at, key), format!("no \"{key}\""));
                }
                None
            }
            Some(Value::Null) => {
                self.note(
                    D::FieldNull,
                    &pointer(at, key),
                    format!("\"{key}\" is null"),
                );
                None
            }
            Some(value) => Some(value),
        }
    }

    /// A value of the wrong type: noted, and kept verbatim under its own key.
    fn wrong_type(
        &mut self,
        at: &str,
        key: &str,
        expected: &str,
        value: Value,
        unknown: &mut Map<String, Value>,
    ) {
        let detail = format!(
            "\"{key}\" is {}, not {expected}: {}",
            type_name(&value),
            clip(&value)
        );
        self.note(D::FieldWrongType, &pointer(at, key), detail);
        unknown.insert(key.to_owned(), value);
    }

    /// An array element of the wrong type, kept verbatim under its JSON pointer.
    fn keep_wrong_type(&mut self, path: &str, value: Value, unknown: &mut Map<String, Value>) {
        let detail = format!(
            "{} instead of an object: {}",
            type_name(&value),
            clip(&value)
        );
        self.note(D::FieldWrongType, path, detail);
        unknown.insert(path.to_owned(), value);
    }

    fn string(
        &mut self,
        obj: &mut Map<String, Value>,
        at: &str,
        key: &str,
        required: bool,
        unknown: &mut Map<String, Value>,
    ) -> Option<String> {
        match self.take(obj, at, key, required)? {
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(at, key, "a string", other, unknown);
                None
            }
        }
    }

    fn object(
        &mut self,
        obj: &mut Map<String, Value>,
        at: &str,
        key: &str,
        required: bool,
        unknown: &mut Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        match self.take(obj, at, key, required)? {
            Value::Object(o) => Some(o),
            other => {
                self.wrong_type(at, key, "an object", other, unknown);
                None
            }
        }
    }

    /// A session count: only a non-negative integer JSON number counts.
    fn count(
        &mut self,
        obj: &mut Map<String, Value>,
        at: &str,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<u64> {
        let value = self.take(obj, at, key, true)?;
        if let Some(n) = value.as_u64() {
            return Some(n);
        }
        let detail = format!("\"{key}\" is {}: {}", type_name(&value), clip(&value));
        self.note(D::CountNotANumber, &pointer(at, key), detail);
        unknown.insert(key.to_owned(), value);
        None
    }

    /// A list of strings; any other shape is kept verbatim as a wrong type.
    fn strings(
        &mut self,
        value: Value,
        at: &str,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<Vec<String>> {
        match value {
            Value::Array(items) if items.iter().all(Value::is_string) => Some(
                items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s),
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

    fn unknown_fields(
        &mut self,
        rest: Map<String, Value>,
        at: &str,
        unknown: &mut Map<String, Value>,
    ) {
        for (key, value) in rest {
            self.note(
                D::UnknownField,
                &pointer(at, &key),
                format!("\"{key}\": {}", clip(&value)),
            );
            unknown.insert(key, value);
        }
    }

    fn date_range(&mut self, mut range: Map<String, Value>) -> DateRange {
        const AT: &str = "/date-range";
        let mut unknown = Map::new();
        let start = self.date_time(&mut range, "start-datetime", &mut unknown);
        let end = self.date_time(&mut range, "end-datetime", &mut unknown);
        self.unknown_fields(range, AT, &mut unknown);
        if let (Some(s), Some(e)) = (
            start.as_ref().and_then(|d| d.at),
            end.as_ref().and_then(|d| d.at),
        ) {
            let one_day = s.second_of_day() == 0
                && (e.unix() == s.unix() + 86_399 || e.unix() == s.unix() + 86_400);
            if one_day && e.unix() == s.unix() + 86_400 {
                self.note(
                    D::EndAtNextMidnight,
                    &pointer(AT, "end-datetime"),
                    format!("{s} to {e}"),
                );
            } else if !one_day {
                self.note(D::DateRangeNotOneDay, AT, format!("{s} to {e}"));
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
        range: &mut Map<String, Value>,
        key: &str,
        unknown: &mut Map<String, Value>,
    ) -> Option<DateTime> {
        const AT: &str = "/date-range";
        let raw = self.string(range, AT, key, true, unknown)?;
        let at = match parse_date_time(&raw) {
            Some((at, Zone::Explicit)) => Some(at),
            Some((at, Zone::Missing)) => {
                self.note(
                    D::DateTimeWithoutZone,
                    &pointer(AT, key),
                    format!("\"{raw}\" read as {at}"),
                );
                Some(at)
            }
            None => {
                self.note(D::DateTimeInvalid, &pointer(AT, key), format!("\"{raw}\""));
                None
            }
        };
        Some(DateTime { raw, at })
    }

    fn policy_result(&mut self, mut entry: Map<String, Value>, at: &str) -> PolicyResult {
        let mut unknown = Map::new();
        let policy = match self.object(&mut entry, at, "policy", true, &mut unknown) {
            Some(policy) => self.policy(policy, &pointer(at, "policy")),
            None => Policy::default(),
        };
        let summary = match self.object(&mut entry, at, "summary", true, &mut unknown) {
            Some(summary) => self.summary(summary, &pointer(at, "summary")),
            None => PolicySummary::default(),
        };
        let mut failure_details = Vec::new();
        let details_at = pointer(at, "failure-details");
        match self.take(&mut entry, at, "failure-details", false) {
            None => {}
            Some(Value::Array(items)) if items.is_empty() => {
                self.note(D::FailureDetailsEmpty, &details_at, "");
            }
            Some(Value::Array(items)) => {
                for (i, item) in items.into_iter().enumerate() {
                    let path = format!("{details_at}/{i}");
                    match item {
                        Value::Object(item) => {
                            failure_details.push(self.failure_detail(item, &path))
                        }
                        other => self.keep_wrong_type(&path, other, &mut unknown),
                    }
                }
            }
            Some(other) => self.wrong_type(at, "failure-details", "an array", other, &mut unknown),
        }
        self.unknown_fields(entry, at, &mut unknown);
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
                self.note(D::FailureCountMismatch, &pointer(at, "summary"), detail);
            }
        }
        result
    }

    fn policy(&mut self, mut obj: Map<String, Value>, at: &str) -> Policy {
        let mut unknown = Map::new();
        let policy_type = self
            .string(&mut obj, at, "policy-type", true, &mut unknown)
            .map(|t| {
                let parsed = PolicyType::parse(&t);
                if let PolicyType::Other(_) = parsed {
                    self.note(
                        D::UnknownPolicyType,
                        &pointer(at, "policy-type"),
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
            self.note(D::PolicyDomainMissing, &pointer(at, "policy-domain"), "");
        }
        let mx_at = pointer(at, "mx-host");
        let mx_host = match self.take(&mut obj, at, "mx-host", false) {
            None => {
                if policy_type == Some(PolicyType::Sts) {
                    self.note(D::MxHostMissing, &mx_at, "");
                }
                Vec::new()
            }
            Some(Value::String(mx)) => {
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
        self.unknown_fields(obj, at, &mut unknown);
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
        value: Value,
        at: &str,
        unknown: &mut Map<String, Value>,
    ) -> Vec<String> {
        let ps_at = pointer(at, "policy-string");
        let Some(mut lines) = self.strings(value, at, "policy-string", unknown) else {
            return Vec::new();
        };
        if lines.is_empty() {
            self.note(D::PolicyStringEmpty, &ps_at, "");
        }
        // Microsoft's TLSA policy-string: ["[\"3 1 1 60...\",\"3 1 1 83...\"]"].
        if let [only] = lines.as_slice()
            && only.trim_start().starts_with('[')
            && let Ok(decoded) = serde_json::from_str::<Vec<String>>(only)
        {
            self.note(
                D::PolicyStringJsonArray,
                &ps_at,
                format!("{} records in one string", decoded.len()),
            );
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
            self.note(
                D::PolicyStringTrailingCr,
                &ps_at,
                format!("{with_cr} of {} lines", lines.len()),
            );
        }
        lines
    }

    fn summary(&mut self, mut obj: Map<String, Value>, at: &str) -> PolicySummary {
        let mut unknown = Map::new();
        let total_successful_session_count =
            self.count(&mut obj, at, "total-successful-session-count", &mut unknown);
        let total_failure_session_count =
            self.count(&mut obj, at, "total-failure-session-count", &mut unknown);
        self.unknown_fields(obj, at, &mut unknown);
        PolicySummary {
            total_successful_session_count,
            total_failure_session_count,
            unknown_fields: unknown,
        }
    }

    fn failure_detail(&mut self, mut obj: Map<String, Value>, at: &str) -> FailureDetail {
        let mut u = Map::new();
        let result_type = self
            .string(&mut obj, at, "result-type", true, &mut u)
            .map(|t| {
                let parsed = ResultType::parse(&t);
                if !parsed.is_known() {
                    self.note(
                        D::UnknownResultType,
                        &pointer(at, "result-type"),
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
        self.unknown_fields(obj, at, &mut u);
        FailureDetail {
            unknown_fields: u,
            ..detail
        }
    }
}

/// A JSON pointer (RFC 6901) to `key` inside the object at `at`.
fn pointer(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
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
