//! What the viewer narrows the aggregate to: a period, reporting organizations, result types.
//!
//! A filter selects reports, and within them policies; it never splits a count. The sessions of
//! a policy are only known as its `summary` totals (RFC 8460 §4.4), so a policy is in or out as a
//! whole:
//! - **Days**: a report is in when the UTC day it is counted on (the day its range starts, as in
//!   `daily`) lies within `from..=to`. With either bound set, undated reports are out: nobody
//!   can say they fall in the period.
//! - **Organizations**: a report is in when its `organization-name` is one of those listed
//!   (`null` in the list stands for reports that have none).
//! - **Result types**: a policy is in when one of its failure details has one of the listed
//!   result types ([`MISSING_RESULT_TYPE`] for details without one), and its failure details are
//!   narrowed to those types. So the failure tables (result types, MX hosts, sending IPs) and
//!   `failed_sessions_in_details` count only the chosen types, while the session totals are
//!   those of the policies where they occurred. A report with no such policy is out.
//!
//! An empty list, or an unset day, does not narrow anything: [`Filter::default`] lets everything
//! through, and [`super::ReportStore::summary`] with it equals [`super::Ingest::summary`].
//!
//! [`MISSING_RESULT_TYPE`]: super::aggregate::MISSING_RESULT_TYPE

use super::aggregate::result_type_key;
use super::date_time::Day;
use super::model::{FailureDetail, PolicyResult, Report};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A selection of reports (and policies within them) to aggregate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// First UTC day included.
    pub from: Option<Day>,
    /// Last UTC day included.
    pub to: Option<Day>,
    /// Only reports from these organizations; `None` stands for reports without a name.
    pub organizations: Vec<Option<String>>,
    /// Only policies that failed with these result types, and only those failures.
    pub result_types: Vec<String>,
}

impl Filter {
    /// Whether the filter lets everything through.
    pub fn is_empty(&self) -> bool {
        self.from.is_none()
            && self.to.is_none()
            && self.organizations.is_empty()
            && self.result_types.is_empty()
    }

    /// The report as the filter sees it: `None` when it is out; borrowed when it is in whole;
    /// a narrowed copy when a result-type filter removed policies or failure details.
    pub fn apply<'a>(&self, report: &'a Report) -> Option<Cow<'a, Report>> {
        if !self.admits_day(report.day()) || !self.admits_organization(report) {
            return None;
        }
        if self.result_types.is_empty() {
            return Some(Cow::Borrowed(report));
        }
        let policies: Vec<PolicyResult> = report
            .policies
            .iter()
            .filter(|result| result.failure_details.iter().any(|d| self.wants(d)))
            .map(|result| PolicyResult {
                policy: result.policy.clone(),
                summary: result.summary.clone(),
                failure_details: result
                    .failure_details
                    .iter()
                    .filter(|d| self.wants(d))
                    .cloned()
                    .collect(),
                unknown_fields: result.unknown_fields.clone(),
            })
            .collect();
        if policies.is_empty() {
            return None;
        }
        Some(Cow::Owned(Report {
            organization_name: report.organization_name.clone(),
            date_range: report.date_range.clone(),
            contact_info: report.contact_info.clone(),
            report_id: report.report_id.clone(),
            policies,
            unknown_fields: report.unknown_fields.clone(),
            deviations: report.deviations.clone(),
        }))
    }

    fn admits_day(&self, day: Option<Day>) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        day.is_some_and(|day| {
            self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
        })
    }

    fn admits_organization(&self, report: &Report) -> bool {
        self.organizations.is_empty()
            || self
                .organizations
                .iter()
                .any(|o| o.as_deref() == report.organization_name.as_deref())
    }

    fn wants(&self, detail: &FailureDetail) -> bool {
        let key = result_type_key(detail);
        self.result_types.iter().any(|t| t == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlsrpt::parse_report;

    fn report(org: Option<&str>, start: &str) -> Report {
        let org = org.map_or(String::new(), |o| format!(r#""organization-name":"{o}","#));
        let json = format!(
            r#"{{{org}"report-id":"r","date-range":{{"start-datetime":"{start}","end-datetime":"2024-01-09T23:59:59Z"}},
              "policies":[
                {{"policy":{{"policy-type":"sts","policy-domain":"a.example"}},
                  "summary":{{"total-successful-session-count":10,"total-failure-session-count":3}},
                  "failure-details":[{{"result-type":"certificate-expired","failed-session-count":2}},
                                     {{"result-type":"validation-failure","failed-session-count":1}}]}},
                {{"policy":{{"policy-type":"tlsa","policy-domain":"b.example"}},
                  "summary":{{"total-successful-session-count":5,"total-failure-session-count":4}},
                  "failure-details":[{{"failed-session-count":4}}]}}]}}"#
        );
        parse_report(json.as_bytes()).unwrap()
    }

    fn day(text: &str) -> Option<Day> {
        Some(Day::parse(text).unwrap())
    }

    #[test]
    fn the_empty_filter_borrows_everything() {
        let r = report(Some("Google Inc."), "2024-01-09T00:00:00Z");
        assert!(Filter::default().is_empty());
        assert!(matches!(
            Filter::default().apply(&r),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn days_are_inclusive_and_exclude_undated_reports() {
        let r = report(Some("Google Inc."), "2024-01-09T00:00:00Z");
        let undated = report(Some("Google Inc."), "last tuesday");
        let within = |from, to| Filter {
            from: day(from),
            to: day(to),
            ..Filter::default()
        };
        assert!(within("2024-01-09", "2024-01-09").apply(&r).is_some());
        assert!(within("2024-01-10", "2024-01-31").apply(&r).is_none());
        assert!(within("2024-01-01", "2024-01-08").apply(&r).is_none());
        let from_only = Filter {
            from: day("2024-01-01"),
            ..Filter::default()
        };
        assert!(from_only.apply(&r).is_some());
        assert!(from_only.apply(&undated).is_none());
        assert!(Filter::default().apply(&undated).is_some());
    }

    #[test]
    fn organizations_match_exactly_and_none_means_unnamed() {
        let google = report(Some("Google Inc."), "2024-01-09T00:00:00Z");
        let unnamed = report(None, "2024-01-09T00:00:00Z");
        let only = |orgs: Vec<Option<&str>>| Filter {
            organizations: orgs.into_iter().map(|o| o.map(str::to_owned)).collect(),
            ..Filter::default()
        };
        assert!(only(vec![Some("Google Inc.")]).apply(&google).is_some());
        assert!(only(vec![Some("google inc.")]).apply(&google).is_none());
        assert!(only(vec![Some("Google Inc.")]).apply(&unnamed).is_none());
        assert!(only(vec![None]).apply(&unnamed).is_some());
        assert!(
            only(vec![None, Some("Google Inc.")])
                .apply(&google)
                .is_some()
        );
    }

    #[test]
    fn result_types_narrow_policies_and_their_failure_details() {
        let r = report(Some("Google Inc."), "2024-01-09T00:00:00Z");
        let only = |types: &[&str]| Filter {
            result_types: types.iter().map(|t| t.to_string()).collect(),
            ..Filter::default()
        };
        let narrowed = only(&["certificate-expired"]).apply(&r).unwrap();
        assert_eq!(narrowed.policies.len(), 1);
        assert_eq!(
            narrowed.policies[0].policy.policy_domain.as_deref(),
            Some("a.example")
        );
        // The policy's totals stay as reported; its details are only the chosen type.
        assert_eq!(
            narrowed.policies[0].summary.total_failure_session_count,
            Some(3)
        );
        assert_eq!(narrowed.policies[0].detailed_failures(), 2);

        let missing = only(&["(missing)"]).apply(&r).unwrap();
        assert_eq!(
            missing.policies[0].policy.policy_domain.as_deref(),
            Some("b.example")
        );
        assert_eq!(
            only(&["(missing)", "validation-failure"])
                .apply(&r)
                .unwrap()
                .policies
                .len(),
            2
        );
        assert!(only(&["dnssec-invalid"]).apply(&r).is_none());
    }

    #[test]
    fn a_filter_travels_as_json() {
        let filter = Filter {
            from: day("2024-01-01"),
            to: None,
            organizations: vec![None, Some("Google Inc.".into())],
            result_types: vec!["certificate-expired".into()],
        };
        let json = serde_json::to_string(&filter).unwrap();
        assert_eq!(
            json,
            r#"{"from":"2024-01-01","to":null,"organizations":[null,"Google Inc."],"result_types":["certificate-expired"]}"#
        );
        assert_eq!(serde_json::from_str::<Filter>(&json).unwrap(), filter);
        assert_eq!(
            serde_json::from_str::<Filter>("{}").unwrap(),
            Filter::default()
        );
        assert!(serde_json::from_str::<Filter>(r#"{"from":"09/01/2024"}"#).is_err());
    }
}
