//! Export of failure details as CSV (RFC 4180 quoting) or NDJSON: one row per failure detail,
//! with the report, organization and policy it belongs to, for spreadsheets and log pipelines.
//!
//! Rows are produced per report, so an exporter can stream them while ingesting (see
//! [`super::Ingest::add_with`]) without keeping any report. Values are written exactly as the
//! reporter sent them; absent values are empty cells (CSV) or `null` (NDJSON).

use super::model::{FailureDetail, PolicyResult, Report};
use serde::Serialize;

/// The CSV columns, in order; also the NDJSON keys.
pub const COLUMNS: &[&str] = &[
    "source",
    "organization",
    "report_id",
    "start",
    "end",
    "day",
    "policy_domain",
    "policy_type",
    "mode",
    "result_type",
    "failed_sessions",
    "sending_mta_ip",
    "receiving_mx_hostname",
    "receiving_mx_helo",
    "receiving_ip",
    "failure_reason_code",
    "additional_information",
];

/// One failure detail in the context of its report and policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRow<'a> {
    /// Where the report was found.
    pub source: &'a str,
    /// `organization-name`.
    pub organization: Option<&'a str>,
    /// `report-id`.
    pub report_id: Option<&'a str>,
    /// `start-datetime`, as written.
    pub start: Option<&'a str>,
    /// `end-datetime`, as written.
    pub end: Option<&'a str>,
    /// The UTC day the report is counted on.
    pub day: Option<String>,
    /// `policy-domain`.
    pub policy_domain: Option<&'a str>,
    /// `policy-type`.
    pub policy_type: Option<&'a str>,
    /// The MTA-STS mode from the policy string.
    pub mode: Option<&'a str>,
    /// `result-type`.
    pub result_type: Option<&'a str>,
    /// `failed-session-count`.
    pub failed_sessions: Option<u64>,
    /// `sending-mta-ip`.
    pub sending_mta_ip: Option<&'a str>,
    /// `receiving-mx-hostname`.
    pub receiving_mx_hostname: Option<&'a str>,
    /// `receiving-mx-helo`.
    pub receiving_mx_helo: Option<&'a str>,
    /// `receiving-ip`.
    pub receiving_ip: Option<&'a str>,
    /// `failure-reason-code`.
    pub failure_reason_code: Option<&'a str>,
    /// `additional-information`.
    pub additional_information: Option<&'a str>,
}

/// The rows of one report: one per failure detail of each of its policies.
pub fn failure_rows<'a>(
    source: &'a str,
    report: &'a Report,
) -> impl Iterator<Item = FailureRow<'a>> {
    let day = report.day().map(|d| d.to_string());
    report.policies.iter().flat_map(move |result| {
        let day = day.clone();
        result
            .failure_details
            .iter()
            .map(move |detail| row(source, report, result, detail, day.clone()))
    })
}

fn row<'a>(
    source: &'a str,
    report: &'a Report,
    result: &'a PolicyResult,
    detail: &'a FailureDetail,
    day: Option<String>,
) -> FailureRow<'a> {
    FailureRow {
        source,
        organization: report.organization_name.as_deref(),
        report_id: report.report_id.as_deref(),
        start: report.date_range.start.as_ref().map(|d| d.raw.as_str()),
        end: report.date_range.end.as_ref().map(|d| d.raw.as_str()),
        day,
        policy_domain: result.policy.policy_domain.as_deref(),
        policy_type: result.policy.policy_type.as_ref().map(|t| t.as_str()),
        mode: result.policy.mode(),
        result_type: detail.result_type.as_ref().map(|t| t.as_str()),
        failed_sessions: detail.failed_session_count,
        sending_mta_ip: detail.sending_mta_ip.as_deref(),
        receiving_mx_hostname: detail.receiving_mx_hostname.as_deref(),
        receiving_mx_helo: detail.receiving_mx_helo.as_deref(),
        receiving_ip: detail.receiving_ip.as_deref(),
        failure_reason_code: detail.failure_reason_code.as_deref(),
        additional_information: detail.additional_information.as_deref(),
    }
}

/// The CSV header line, ending in a newline.
pub fn csv_header() -> String {
    let mut line = COLUMNS.join(",");
    line.push('\n');
    line
}

impl FailureRow<'_> {
    /// The row as one CSV line, ending in a newline. Fields holding a comma, quote, CR or LF are
    /// quoted with quotes doubled (RFC 4180 §2).
    ///
    /// Every field comes from a report a stranger sent, and spreadsheets run a cell that begins
    /// with `=`, `+`, `-`, `@`, a tab or a CR as a formula (OWASP "CSV injection"); such a
    /// field gets a leading apostrophe, which spreadsheets read as "this is text".
    pub fn to_csv(&self) -> String {
        let count = self.failed_sessions.map(|n| n.to_string());
        let cells: [Option<&str>; 17] = [
            Some(self.source),
            self.organization,
            self.report_id,
            self.start,
            self.end,
            self.day.as_deref(),
            self.policy_domain,
            self.policy_type,
            self.mode,
            self.result_type,
            count.as_deref(),
            self.sending_mta_ip,
            self.receiving_mx_hostname,
            self.receiving_mx_helo,
            self.receiving_ip,
            self.failure_reason_code,
            self.additional_information,
        ];
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let cell = defuse_formula(cell.unwrap_or(""));
            if cell.contains([',', '"', '\r', '\n']) {
                line.push('"');
                line.push_str(&cell.replace('"', "\"\""));
                line.push('"');
            } else {
                line.push_str(&cell);
            }
        }
        line.push('\n');
        line
    }

    /// The row as one JSON object on one line, ending in a newline.
    pub fn to_ndjson(&self) -> String {
        let mut line =
            serde_json::to_string(self).expect("a row of strings and numbers serialises");
        line.push('\n');
        line
    }
}

/// `cell`, with a leading apostrophe if a spreadsheet would read it as a formula.
fn defuse_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let row = FailureRow {
            source: "a.json",
            organization: Some("Example, Inc."),
            report_id: Some("say \"hi\""),
            start: None,
            end: None,
            day: None,
            policy_domain: Some("example.com"),
            policy_type: Some("sts"),
            mode: None,
            result_type: Some("validation-failure"),
            failed_sessions: Some(3),
            sending_mta_ip: None,
            receiving_mx_hostname: None,
            receiving_mx_helo: None,
            receiving_ip: None,
            failure_reason_code: Some("line1\nline2"),
            additional_information: None,
        };
        assert_eq!(
            row.to_csv(),
            "a.json,\"Example, Inc.\",\"say \"\"hi\"\"\",,,,example.com,sts,,validation-failure,3,,,,,\"line1\nline2\",\n"
        );
        assert_eq!(csv_header().matches(',').count(), COLUMNS.len() - 1);
        let json: serde_json::Value = serde_json::from_str(&row.to_ndjson()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = COLUMNS.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }

    #[test]
    fn csv_cells_that_spreadsheets_would_run_get_an_apostrophe() {
        let row = FailureRow {
            source: "=HYPERLINK(\"http://x.example\")",
            organization: Some("+1"),
            report_id: Some("-2"),
            start: None,
            end: None,
            day: None,
            policy_domain: Some("@SUM(A1)"),
            policy_type: Some("\tcmd"),
            mode: Some("\rcmd"),
            result_type: Some("a=b"),
            failed_sessions: Some(7),
            sending_mta_ip: None,
            receiving_mx_hostname: None,
            receiving_mx_helo: None,
            receiving_ip: None,
            failure_reason_code: None,
            additional_information: None,
        };
        assert_eq!(
            row.to_csv(),
            "\"'=HYPERLINK(\"\"http://x.example\"\")\",'+1,'-2,,,,'@SUM(A1),'\tcmd,\"'\rcmd\",a=b,7,,,,,,\n"
        );
        // JSON is not run by spreadsheets: its values stay as sent.
        assert!(row.to_ndjson().contains("\"organization\":\"+1\""));
    }
}
