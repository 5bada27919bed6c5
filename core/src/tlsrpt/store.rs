//! [`ReportStore`]: the distinct reports kept compactly, so the viewer can re-aggregate them under
//! a [`Filter`] and export what it shows.
//!
//! [`super::Ingest`] alone keeps nothing but running counts, which is all `stslens report` needs.
//! A viewer that lets the user narrow the period, organization or result type has to count
//! again, so it also hands every [`Found`] to a store:
//!
//! ```
//! use stslens_core::tlsrpt::{Filter, Ingest, ReportStore};
//!
//! let json = br#"{"organization-name":"Google Inc.","report-id":"r1",
//!   "date-range":{"start-datetime":"2024-01-09T00:00:00Z","end-datetime":"2024-01-09T23:59:59Z"},
//!   "policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},
//!                "summary":{"total-successful-session-count":10,"total-failure-session-count":0}}]}"#;
//! let (mut ingest, mut store) = (Ingest::new(), ReportStore::new());
//! ingest.add_with("google.json", json, |found| store.keep(found));
//! ingest.add_with("copy.json", json, |found| store.keep(found));
//! let everything = store.summary(&Filter::default(), 2, ingest.errors());
//! assert_eq!(everything, ingest.summary());
//! ```
//!
//! What is kept of a report is what aggregation and export read, nothing else: organization,
//! report-id, date range, each policy's type, domain and `mode` line, its summary counts and
//! failure details, and the kinds of deviations met. Unknown fields, contact-info, `mx-host`, the
//! rest of the policy string and the deviations' paths and details are dropped, which keeps a
//! typical report to well under a kilobyte (3,000 reports: a few MiB in the browser).

use super::aggregate::{Aggregator, Summary};
use super::deviation::Deviation;
use super::export::{FailureRow, failure_rows};
use super::filter::Filter;
use super::ingest::{Found, InputError, dedup_string};
use super::model::{DateRange, FailureDetail, Policy, PolicyResult, PolicySummary, Report};
use foldhash::HashMap;
use serde_json::Map;

/// The distinct reports of an [`super::Ingest`], compacted, with their duplicate counts.
#[derive(Debug, Clone, Default)]
pub struct ReportStore {
    kept: Vec<Kept>,
    /// Dedup key → position in `kept`, to charge a duplicate to the report it copies.
    positions: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
struct Kept {
    location: Box<str>,
    report: Report,
    duplicates: u64,
}

impl ReportStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a report found by [`super::Ingest::add_with`]: a compact copy of a new one, or one
    /// more duplicate of a report kept before. Feed it every `Found` of one `Ingest`.
    pub fn keep(&mut self, found: Found<'_>) {
        let key = dedup_string(found.report);
        if found.duplicate {
            if let Some(&at) = key.as_ref().and_then(|k| self.positions.get(k)) {
                self.kept[at].duplicates += 1;
            }
            return;
        }
        if let Some(key) = key {
            self.positions.insert(key, self.kept.len());
        }
        self.kept.push(Kept {
            location: found.location.into(),
            report: compact(found.report),
            duplicates: 0,
        });
    }

    /// Distinct reports kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether no report is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The aggregate of the reports the filter lets in (and of their duplicates). `inputs` and
    /// `errors` describe the files, which no filter narrows, and are passed through.
    pub fn summary(&self, filter: &Filter, inputs: u64, errors: &[InputError]) -> Summary {
        let mut aggregate = Aggregator::new();
        for kept in &self.kept {
            if let Some(report) = filter.apply(&kept.report) {
                aggregate.add(&report);
                for _ in 0..kept.duplicates {
                    aggregate.add_duplicate();
                }
            }
        }
        aggregate.summary(inputs, errors)
    }

    /// Hands the export rows ([`failure_rows`]) of the reports the filter lets in to `row`, in
    /// the order the reports were found; a result-type filter also narrows the rows.
    pub fn rows(&self, filter: &Filter, mut row: impl FnMut(FailureRow<'_>)) {
        for kept in &self.kept {
            if let Some(report) = filter.apply(&kept.report) {
                failure_rows(&kept.location, &report).for_each(&mut row);
            }
        }
    }
}

/// The parts of a report that aggregation and export read.
fn compact(report: &Report) -> Report {
    Report {
        organization_name: report.organization_name.clone(),
        date_range: DateRange {
            start: report.date_range.start.clone(),
            end: report.date_range.end.clone(),
            unknown_fields: Map::new(),
        },
        contact_info: None,
        report_id: report.report_id.clone(),
        policies: report.policies.iter().map(compact_policy).collect(),
        unknown_fields: Map::new(),
        deviations: report
            .deviations
            .iter()
            .map(|d| Deviation::new(d.kind, String::new(), String::new()))
            .collect(),
    }
}

fn compact_policy(result: &PolicyResult) -> PolicyResult {
    let policy = &result.policy;
    PolicyResult {
        policy: Policy {
            policy_type: policy.policy_type.clone(),
            // `Policy::mode` reads this line back, for aggregation and export alike.
            policy_string: policy
                .mode()
                .map(|mode| vec![format!("mode: {mode}")])
                .unwrap_or_default(),
            policy_domain: policy.policy_domain.clone(),
            mx_host: Vec::new(),
            unknown_fields: Map::new(),
        },
        summary: PolicySummary {
            total_successful_session_count: result.summary.total_successful_session_count,
            total_failure_session_count: result.summary.total_failure_session_count,
            unknown_fields: Map::new(),
        },
        failure_details: result
            .failure_details
            .iter()
            .map(|d| FailureDetail {
                result_type: d.result_type.clone(),
                sending_mta_ip: d.sending_mta_ip.clone(),
                receiving_mx_hostname: d.receiving_mx_hostname.clone(),
                receiving_mx_helo: d.receiving_mx_helo.clone(),
                receiving_ip: d.receiving_ip.clone(),
                failed_session_count: d.failed_session_count,
                additional_information: d.additional_information.clone(),
                failure_reason_code: d.failure_reason_code.clone(),
                unknown_fields: Map::new(),
            })
            .collect(),
        unknown_fields: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlsrpt::Ingest;

    const REPORT: &str = r#"{"organization-name":"Google Inc.","report-id":"r1","contact-info":"x@google.com",
        "date-range":{"start-datetime":"2024-01-09T00:00:00","end-datetime":"2024-01-09T23:59:59Z"},
        "extra":{"big":[1,2,3]},
        "policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com","mx-host":"mx.example.com",
            "policy-string":["version: STSv1","mode: testing","mx: mx.example.com","max_age: 86400"]},
          "summary":{"total-successful-session-count":10,"total-failure-session-count":2},
          "failure-details":[{"result-type":"certificate-expired","failed-session-count":2,
            "sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.com","vendor":"x"}]}]}"#;

    #[test]
    fn compaction_keeps_what_is_counted_and_exported() {
        let (mut ingest, mut store) = (Ingest::new(), ReportStore::new());
        let (mut original, mut kinds) = (Vec::new(), Vec::new());
        ingest.add_with("a.json", REPORT.as_bytes(), |found| {
            original.extend(failure_rows(found.location, found.report).map(|r| r.to_csv()));
            kinds.extend(found.report.deviations.iter().map(|d| d.kind));
            store.keep(found);
        });
        let kept = &store.kept[0].report;
        assert!(kept.unknown_fields.is_empty() && kept.contact_info.is_none());
        assert_eq!(kept.policies[0].policy.policy_string, ["mode: testing"]);
        assert!(kept.policies[0].policy.mx_host.is_empty());
        assert!(
            kept.policies[0].failure_details[0]
                .unknown_fields
                .is_empty()
        );
        assert!(kinds.len() >= 3, "the sample report has quirks: {kinds:?}");
        let kept_kinds: Vec<_> = kept.deviations.iter().map(|d| d.kind).collect();
        assert_eq!(kept_kinds, kinds);
        // Same rows and the same summary as the full report gives.
        let mut rows = Vec::new();
        store.rows(&Filter::default(), |r| rows.push(r.to_csv()));
        assert_eq!(rows, original);
        assert_eq!(
            store.summary(&Filter::default(), 1, ingest.errors()),
            ingest.summary()
        );
    }

    #[test]
    fn duplicates_are_charged_to_the_report_they_copy() {
        let (mut ingest, mut store) = (Ingest::new(), ReportStore::new());
        let other = REPORT
            .replace("Google Inc.", "Microsoft Corporation")
            .replace("2024-01-09T00", "2024-01-10T00");
        for (name, json) in [("a", REPORT), ("b", &other), ("c", REPORT), ("d", REPORT)] {
            ingest.add_with(name, json.as_bytes(), |found| store.keep(found));
        }
        assert_eq!(store.len(), 2);
        let google = Filter {
            organizations: vec![Some("Google Inc.".into())],
            ..Filter::default()
        };
        let microsoft = Filter {
            organizations: vec![Some("Microsoft Corporation".into())],
            ..Filter::default()
        };
        assert_eq!(store.summary(&google, 4, &[]).duplicates, 2);
        assert_eq!(store.summary(&microsoft, 4, &[]).duplicates, 0);
        assert_eq!(
            store.summary(&Filter::default(), 4, ingest.errors()),
            ingest.summary()
        );
    }

    #[test]
    fn rows_follow_the_filter() {
        let (mut ingest, mut store) = (Ingest::new(), ReportStore::new());
        ingest.add_with("a.json", REPORT.as_bytes(), |found| store.keep(found));
        let mut count = 0;
        let only = |t: &str| Filter {
            result_types: vec![t.to_owned()],
            ..Filter::default()
        };
        store.rows(&only("certificate-expired"), |r| {
            assert_eq!(r.source, "a.json");
            assert_eq!(r.mode, Some("testing"));
            count += 1;
        });
        assert_eq!(count, 1);
        store.rows(&only("validation-failure"), |_| count += 1);
        assert_eq!(count, 1);
    }
}
