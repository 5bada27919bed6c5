//! [`Session`]: everything the viewer has read, and the filter it is looked at through.
//!
//! Plain Rust over `stslens_core::tlsrpt`, no browser calls: the worker's runner drives it, and
//! tests (native, and in the browser for the 3,000-report measurement) drive it directly. The
//! counting, filtering and export formats are all the core's; this only composes them.

use super::protocol::{Counts, ExportFormat};
use super::render;
use stslens_core::tlsrpt::export::csv_header;
use stslens_core::tlsrpt::{Day, Filter, Ingest, ReportStore, Summary};

/// The reports read so far, kept compactly, and the current filter.
#[derive(Debug, Default)]
pub struct Session {
    ingest: Ingest,
    store: ReportStore,
    filter: Filter,
}

/// The values the filters offer, taken from all reports read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices {
    /// Reporting organizations, most failures first; `None` for reports without one.
    pub organizations: Vec<Option<String>>,
    /// Result types seen, most failures first.
    pub result_types: Vec<String>,
    /// The first day a report starts on.
    pub first_day: Option<Day>,
    /// The last day a report starts on.
    pub last_day: Option<Day>,
    /// Distinct reports read, whatever the filter.
    pub reports: u64,
}

/// A file for the user to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Suggested file name.
    pub file_name: String,
    /// MIME type.
    pub mime: &'static str,
    /// Content.
    pub text: String,
}

impl Session {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one input (any format core recognises), named `name` in errors and exports.
    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        let store = &mut self.store;
        self.ingest.add_with(name, bytes, |found| store.keep(found));
    }

    /// Records an input the browser could not read, so that it is listed with the others.
    pub fn add_unreadable(&mut self, name: &str, reason: &str) {
        self.ingest.add_unreadable(name, reason);
    }

    /// The filter in force.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Counts under `filter` from now on.
    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
    }

    /// The results under the current filter: the numbers the page announces, and the HTML.
    pub fn results(&self) -> (Counts, String) {
        let (summary, choices) = self.view();
        let counts = Counts {
            inputs: summary.inputs,
            reports: choices.reports,
            shown: summary.reports,
            unreadable: summary.errors.len() as u64,
        };
        (counts, render::results(&summary, &self.filter, &choices))
    }

    /// The aggregate under the current filter.
    pub fn summary(&self) -> Summary {
        self.view().0
    }

    /// The aggregate under the current filter, and the choices the filters offer.
    pub fn view(&self) -> (Summary, Choices) {
        let all = self.ingest.summary();
        let choices = Choices {
            organizations: all
                .by_organization
                .iter()
                .map(|o| o.organization.clone())
                .collect(),
            result_types: all
                .result_types
                .iter()
                .map(|t| t.result_type.clone())
                .collect(),
            first_day: all.period.map(|p| p.first_day),
            last_day: all.period.map(|p| p.last_day),
            reports: all.reports,
        };
        let summary = if self.filter.is_empty() {
            all
        } else {
            self.store
                .summary(&self.filter, all.inputs, self.ingest.errors())
        };
        (summary, choices)
    }

    /// What the current filter shows, as `stslens report --csv` or `--json` would write it.
    pub fn export(&self, format: ExportFormat) -> Export {
        let summary = self.summary();
        let period = summary
            .period
            .map(|p| format!("-{}-to-{}", p.first_day, p.last_day))
            .unwrap_or_default();
        match format {
            ExportFormat::Csv => {
                let mut text = csv_header();
                self.store
                    .rows(&self.filter, |row| text.push_str(&row.to_csv()));
                Export {
                    file_name: format!("tlsrpt-failures{period}.csv"),
                    mime: "text/csv;charset=utf-8",
                    text,
                }
            }
            ExportFormat::Json => {
                let mut text = serde_json::to_string_pretty(&summary)
                    .expect("a summary of strings and numbers serialises");
                text.push('\n');
                Export {
                    file_name: format!("tlsrpt-summary{period}.json"),
                    mime: "application/json",
                    text,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(org: &str, id: &str, day: &str, failed: u64) -> String {
        format!(
            r#"{{"organization-name":"{org}","report-id":"{id}",
              "date-range":{{"start-datetime":"{day}T00:00:00Z","end-datetime":"{day}T23:59:59Z"}},
              "policies":[{{"policy":{{"policy-type":"sts","policy-domain":"example.com","policy-string":["mode: enforce"]}},
                "summary":{{"total-successful-session-count":100,"total-failure-session-count":{failed}}},
                "failure-details":[{{"result-type":"certificate-expired","failed-session-count":{failed},
                  "receiving-mx-hostname":"mx.example.com","failure-reason-code":"expired, \"really\""}}]}}]}}"#
        )
    }

    fn session() -> Session {
        let mut s = Session::new();
        s.add(
            "g.json",
            report("Google Inc.", "1", "2025-01-01", 3).as_bytes(),
        );
        s.add(
            "m.json",
            report("Microsoft", "2", "2025-01-02", 5).as_bytes(),
        );
        s.add(
            "again.json",
            report("Google Inc.", "1", "2025-01-01", 3).as_bytes(),
        );
        s.add_unreadable("folder", "NotReadableError");
        s
    }

    #[test]
    fn results_carry_the_choices_of_everything_read() {
        let mut s = session();
        s.set_filter(Filter {
            organizations: vec![Some("Microsoft".into())],
            ..Filter::default()
        });
        let (summary, choices) = s.view();
        assert_eq!(summary.reports, 1);
        assert_eq!(summary.totals.failed_sessions, 5);
        assert_eq!(
            summary.errors.len(),
            1,
            "errors are about files, never filtered"
        );
        assert_eq!(choices.reports, 2);
        assert_eq!(
            choices.organizations,
            [Some("Microsoft".into()), Some("Google Inc.".into())]
        );
        assert_eq!(choices.result_types, ["certificate-expired"]);
        assert_eq!(choices.first_day.unwrap().to_string(), "2025-01-01");
        let (counts, html) = s.results();
        let expected = Counts {
            inputs: 4,
            reports: 2,
            shown: 1,
            unreadable: 1,
        };
        assert_eq!(counts, expected);
        // Google is still offered by the filter, but counted nowhere.
        assert!(html.contains("<th scope=\"row\">Microsoft</th>"), "{html}");
        assert!(
            !html.contains("<th scope=\"row\">Google Inc.</th>"),
            "{html}"
        );
    }

    #[test]
    fn exports_follow_the_filter() {
        let mut s = session();
        let csv = s.export(ExportFormat::Csv);
        assert_eq!(
            csv.file_name,
            "tlsrpt-failures-2025-01-01-to-2025-01-02.csv"
        );
        assert_eq!(csv.text.lines().count(), 3, "{}", csv.text);
        assert!(csv.text.contains("\"expired, \"\"really\"\"\""));
        s.set_filter(Filter {
            from: stslens_core::tlsrpt::Day::parse("2025-01-02"),
            ..Filter::default()
        });
        let csv = s.export(ExportFormat::Csv);
        assert_eq!(csv.text.lines().count(), 2);
        assert!(
            csv.text
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("m.json,Microsoft,")
        );
        let json = s.export(ExportFormat::Json);
        assert_eq!(
            json.file_name,
            "tlsrpt-summary-2025-01-02-to-2025-01-02.json"
        );
        let value: serde_json::Value = serde_json::from_str(&json.text).unwrap();
        assert_eq!(value["reports"], 1);
        assert_eq!(value["totals"]["failed_sessions"], 5);
        assert_eq!(value["errors"][0]["source"], "folder");
    }
}
