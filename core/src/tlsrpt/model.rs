//! The TLS-RPT aggregate report (RFC 8460 §4.4), as StsLens holds it after lenient parsing.
//!
//! Every RFC field that a real reporter has been seen to omit is an `Option` (or an empty list):
//! the model says "absent" rather than inventing a value. Fields the RFC does not define are kept
//! verbatim in `unknown_fields` at the level where they appeared, and every departure from the RFC
//! that the parser accepted is listed in [`Report::deviations`]. Serialising a `Report` gives the
//! RFC's own field names, plus `unknown-fields` and `deviations`.

use super::date_time::{Day, Timestamp};
use super::deviation::Deviation;
use super::result_type::ResultType;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// One TLS-RPT report: one reporting organization's view of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    /// `organization-name`: who sent the report.
    pub organization_name: Option<String>,
    /// `date-range`: the period the report covers.
    pub date_range: DateRange,
    /// `contact-info`: whom to ask about the report.
    pub contact_info: Option<String>,
    /// `report-id`: unique per organization; with the organization, the deduplication key.
    pub report_id: Option<String>,
    /// `policies`: one entry per policy the sender applied to the domain.
    pub policies: Vec<PolicyResult>,
    /// Top-level fields RFC 8460 does not define, verbatim.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub unknown_fields: Map<String, Value>,
    /// Every departure from RFC 8460 that was accepted, in the order found.
    pub deviations: Vec<Deviation>,
}

impl Report {
    /// The key under which two copies of this report are the same report: organization and
    /// report-id, exactly as written. `None` when either is missing: such a report cannot be
    /// recognised as a duplicate and is always counted.
    pub fn dedup_key(&self) -> Option<(&str, &str)> {
        Some((
            self.organization_name.as_deref()?,
            self.report_id.as_deref()?,
        ))
    }

    /// The UTC day the report is counted on: the day its range starts.
    pub fn day(&self) -> Option<Day> {
        self.date_range.start.as_ref()?.at.map(Timestamp::day)
    }
}

/// `date-range`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DateRange {
    /// `start-datetime`.
    #[serde(rename = "start-datetime")]
    pub start: Option<DateTime>,
    /// `end-datetime`.
    #[serde(rename = "end-datetime")]
    pub end: Option<DateTime>,
    /// Fields of `date-range` RFC 8460 does not define, verbatim.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub unknown_fields: Map<String, Value>,
}

/// A `date-time` as written, with the instant it denotes when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTime {
    /// The string as it appeared in the report.
    pub raw: String,
    /// The instant, UTC; `None` when the string is not a date-time.
    pub at: Option<Timestamp>,
}

impl Serialize for DateTime {
    /// Serialised verbatim, so a report serialises back to what the reporter wrote.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

/// One entry of `policies`: a policy and the sessions it governed.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PolicyResult {
    /// `policy`.
    pub policy: Policy,
    /// `summary`.
    pub summary: PolicySummary,
    /// `failure-details`; empty when absent.
    pub failure_details: Vec<FailureDetail>,
    /// Fields of this entry RFC 8460 does not define, verbatim.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub unknown_fields: Map<String, Value>,
}

impl PolicyResult {
    /// The sum of the failure details' `failed-session-count`s (numbers only).
    pub fn detailed_failures(&self) -> u64 {
        self.failure_details
            .iter()
            .filter_map(|d| d.failed_session_count)
            .fold(0, u64::saturating_add)
    }
}

/// `policy`: the policy the sender applied.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Policy {
    /// `policy-type`.
    pub policy_type: Option<PolicyType>,
    /// `policy-string`: the policy's lines (sts) or TLSA records (tlsa), normalised: a TLSA array
    /// sent as one JSON-encoded string is decoded, a trailing `\r` is removed (both noted as
    /// deviations).
    pub policy_string: Vec<String>,
    /// `policy-domain`.
    pub policy_domain: Option<String>,
    /// `mx-host`: the policy's MX patterns (sts); a single string is read as a list of one.
    pub mx_host: Vec<String>,
    /// Fields of `policy` RFC 8460 does not define, verbatim.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub unknown_fields: Map<String, Value>,
}

impl Policy {
    /// The `mode` of an MTA-STS policy, read from its `mode:` line (RFC 8461 §3.2). `None` when
    /// the policy string has no such line, e.g. for TLSA or when the policy was not fetched.
    pub fn mode(&self) -> Option<&str> {
        self.policy_string.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == "mode").then(|| value.trim())
        })
    }
}

/// `policy-type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyType {
    /// `tlsa`: DANE.
    Tlsa,
    /// `sts`: MTA-STS.
    Sts,
    /// `no-policy-found`.
    NoPolicyFound,
    /// Anything else, verbatim.
    Other(String),
}

impl PolicyType {
    /// Reads a `policy-type` value, exactly as the RFC spells them.
    pub fn parse(text: &str) -> PolicyType {
        match text {
            "tlsa" => PolicyType::Tlsa,
            "sts" => PolicyType::Sts,
            "no-policy-found" => PolicyType::NoPolicyFound,
            other => PolicyType::Other(other.to_owned()),
        }
    }

    /// The value as written in reports.
    pub fn as_str(&self) -> &str {
        match self {
            PolicyType::Tlsa => "tlsa",
            PolicyType::Sts => "sts",
            PolicyType::NoPolicyFound => "no-policy-found",
            PolicyType::Other(text) => text,
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PolicyType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `summary`: the session counts for one policy. `None` when the count is absent or not a
/// non-negative integer JSON number (the value is then kept among the unknown fields).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PolicySummary {
    /// `total-successful-session-count`.
    pub total_successful_session_count: Option<u64>,
    /// `total-failure-session-count`.
    pub total_failure_session_count: Option<u64>,
    /// Fields of `summary` RFC 8460 does not define, verbatim.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub unknown_fields: Map<String, Value>,
}

/// One entry of `failure-details`: a group of failed sessions with the same circumstances.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct FailureDetail {
    /// `result-type`; `None` when absent.
    pub result_type: Option<ResultType>,
    /// `sending-mta-ip`.
    pub sending_mta_ip: Option<String>,
    /// `receiving-mx-hostname`.
    pub receiving_mx_hostname: Option<String>,
    /// `receiving-mx-helo`.
    pub receiving_mx_helo: Option<String>,
    /// `receiving-ip`.
    pub receiving_ip: Option<String>,
    /// `failed-session-count`.
    pub failed_session_count: Option<u64>,
    /// `additional-information`: a URI with more details.
    pub additional_information: Option<String>,
    /// `failure-reason-code`: free text, e.g. an OpenSSL error name or an HTTP status.
    pub failure_reason_code: Option<String>,
    /// Fields of this entry RFC 8460 does not define, verbatim.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub unknown_fields: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_is_read_from_the_policy_string() {
        let policy = Policy {
            policy_string: vec!["version: STSv1".into(), " mode :  testing".into()],
            ..Policy::default()
        };
        assert_eq!(policy.mode(), Some("testing"));
        assert_eq!(Policy::default().mode(), None);
    }

    #[test]
    fn policy_types_round_trip() {
        for text in ["tlsa", "sts", "no-policy-found", "invalid-policy-type"] {
            assert_eq!(PolicyType::parse(text).as_str(), text);
        }
        assert_eq!(PolicyType::parse("STS"), PolicyType::Other("STS".into()));
    }
}
