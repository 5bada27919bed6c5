//! One test per real-world deviation from RFC 8460 §4.4 that the engine must accept without
//! losing data (issue 3, item 1), plus deduplication. Each test starts from a conforming report,
//! changes one thing, and checks what is read, what is counted and what is noted.

mod reports;

use serde_json::{Value, json};
use stslens_core::tlsrpt::{DeviationKind, Ingest, Report, ResultType, parse_report};

/// A conforming report: Google-style, one sts policy, one failure detail.
fn base() -> Value {
    json!({
        "organization-name": "Google Inc.",
        "date-range": {"start-datetime": "2024-01-09T00:00:00Z", "end-datetime": "2024-01-09T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": "2024-01-09T00:00:00Z_example.com",
        "policies": [{
            "policy": {
                "policy-type": "sts",
                "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.example.com", "max_age: 86400"],
                "policy-domain": "example.com",
                "mx-host": ["mx.example.com"]
            },
            "summary": {"total-successful-session-count": 10, "total-failure-session-count": 2},
            "failure-details": [{
                "result-type": "certificate-expired",
                "sending-mta-ip": "209.85.222.201",
                "receiving-mx-hostname": "mx.example.com",
                "failed-session-count": 2
            }]
        }]
    })
}

fn with(change: impl FnOnce(&mut Value)) -> Report {
    let mut v = base();
    change(&mut v);
    parse_report(v.to_string().as_bytes()).expect("the report parses")
}

fn kinds(report: &Report) -> Vec<DeviationKind> {
    report.deviations.iter().map(|d| d.kind).collect()
}

fn policy(v: &mut Value) -> &mut Value {
    &mut v["policies"][0]["policy"]
}

fn detail(v: &mut Value) -> &mut Value {
    &mut v["policies"][0]["failure-details"][0]
}

#[test]
fn the_base_report_conforms() {
    assert!(with(|_| {}).deviations.is_empty());
}

#[test]
fn date_times_without_a_zone_are_utc() {
    let r = with(|v| {
        v["date-range"] =
            json!({"start-datetime": "2023-01-10T00:00:00", "end-datetime": "2023-01-10T23:59:59"});
    });
    assert_eq!(kinds(&r), [DeviationKind::DateTimeWithoutZone; 2]);
    assert_eq!(
        r.date_range.start.as_ref().unwrap().raw,
        "2023-01-10T00:00:00"
    );
    assert_eq!(r.day().unwrap().to_string(), "2023-01-10");
    assert_eq!(r.deviations[1].path, "/date-range/end-datetime");
}

#[test]
fn an_offset_moves_the_report_to_its_utc_day() {
    let r = with(|v| {
        v["date-range"] = json!({"start-datetime": "2024-01-10T00:00:00+01:00", "end-datetime": "2024-01-10T23:59:59+01:00"});
    });
    assert_eq!(r.day().unwrap().to_string(), "2024-01-09");
    // A day in +01:00 is not the full UTC day RFC 8460 §4.1 asks for.
    assert_eq!(kinds(&r), [DeviationKind::DateRangeNotOneDay]);
}

#[test]
fn end_at_next_midnight_is_the_same_day() {
    let r = with(|v| v["date-range"]["end-datetime"] = json!("2024-01-10T00:00:00Z"));
    assert_eq!(kinds(&r), [DeviationKind::EndAtNextMidnight]);
    assert_eq!(r.day().unwrap().to_string(), "2024-01-09");
}

#[test]
fn a_range_longer_than_a_day_is_noted_and_counted_on_its_first_day() {
    let r = with(|v| v["date-range"]["end-datetime"] = json!("2024-01-15T23:59:59Z"));
    assert_eq!(kinds(&r), [DeviationKind::DateRangeNotOneDay]);
    assert_eq!(r.day().unwrap().to_string(), "2024-01-09");
}

#[test]
fn an_unreadable_date_is_kept_and_the_report_is_undated_but_counted() {
    let mut v = base();
    v["date-range"]["start-datetime"] = json!("09/01/2024");
    let mut ingest = Ingest::new();
    ingest.add("odd-date.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.totals.successful_sessions, 10);
    assert_eq!(s.daily.len(), 1);
    assert_eq!(s.daily[0].date, None);
    assert_eq!(s.period, None);
    let r = with(|v| v["date-range"]["start-datetime"] = json!("09/01/2024"));
    assert_eq!(kinds(&r), [DeviationKind::DateTimeInvalid]);
    assert_eq!(r.date_range.start.as_ref().unwrap().raw, "09/01/2024");
}

#[test]
fn mx_host_as_array_string_or_absent() {
    assert_eq!(with(|_| {}).policies[0].policy.mx_host, ["mx.example.com"]);

    let r = with(|v| policy(v)["mx-host"] = json!("*.mail.example.com"));
    assert_eq!(r.policies[0].policy.mx_host, ["*.mail.example.com"]);
    assert_eq!(kinds(&r), [DeviationKind::MxHostString]);

    let r = with(|v| {
        policy(v).as_object_mut().unwrap().remove("mx-host");
    });
    assert!(r.policies[0].policy.mx_host.is_empty());
    assert_eq!(kinds(&r), [DeviationKind::MxHostMissing]);
}

#[test]
fn tlsa_policy_string_holding_a_json_array_is_decoded() {
    let r = with(|v| {
        *policy(v) = json!({
            "policy-type": "tlsa",
            "policy-string": ["[\"3 1 1 60AB\",\"3 1 1 83CD\"]"],
            "policy-domain": "example.com"
        });
    });
    assert_eq!(
        r.policies[0].policy.policy_string,
        ["3 1 1 60AB", "3 1 1 83CD"]
    );
    assert_eq!(kinds(&r), [DeviationKind::PolicyStringJsonArray]);
    // A TLSA policy-string in the RFC's form (§4.5) is left alone.
    let r = with(|v| {
        *policy(v) = json!({"policy-type": "tlsa", "policy-string": ["3 0 1 1F85", "3 0 1 12AB"], "policy-domain": "example.com"});
    });
    assert_eq!(
        r.policies[0].policy.policy_string,
        ["3 0 1 1F85", "3 0 1 12AB"]
    );
    assert!(r.deviations.is_empty());
}

#[test]
fn trailing_cr_in_policy_strings_is_removed() {
    let r = with(|v| {
        policy(v)["policy-string"] = json!([
            "version: STSv1\r",
            "mode: testing\r",
            "mx: mx.example.com\r",
            "max_age: 86400\r"
        ]);
    });
    assert_eq!(r.policies[0].policy.policy_string[1], "mode: testing");
    assert_eq!(r.policies[0].policy.mode(), Some("testing"));
    assert_eq!(kinds(&r), [DeviationKind::PolicyStringTrailingCr]);
    assert_eq!(r.deviations[0].detail, "4 of 4 lines");
}

#[test]
fn contact_info_null_is_absent() {
    let r = with(|v| v["contact-info"] = Value::Null);
    assert_eq!(r.contact_info, None);
    assert_eq!(kinds(&r), [DeviationKind::FieldNull]);
    assert_eq!(r.deviations[0].path, "/contact-info");
}

#[test]
fn no_policy_domain_counts_under_an_unknown_domain() {
    let mut v = base();
    policy(&mut v)
        .as_object_mut()
        .unwrap()
        .remove("policy-domain");
    let mut ingest = Ingest::new();
    ingest.add("no-domain.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.by_policy.len(), 1);
    assert_eq!(s.by_policy[0].policy_domain, None);
    assert_eq!(s.by_policy[0].successful_sessions, 10);
    let r = parse_report(v.to_string().as_bytes()).unwrap();
    assert_eq!(kinds(&r), [DeviationKind::PolicyDomainMissing]);
}

#[test]
fn empty_arrays_are_accepted() {
    let r = with(|v| {
        policy(v)["policy-string"] = json!([]);
        policy(v)["mx-host"] = json!([]);
        v["policies"][0]["failure-details"] = json!([]);
        v["policies"][0]["summary"]["total-failure-session-count"] = json!(0);
    });
    assert_eq!(
        kinds(&r),
        [
            DeviationKind::PolicyStringEmpty,
            DeviationKind::MxHostEmpty,
            DeviationKind::FailureDetailsEmpty
        ]
    );
    assert!(r.policies[0].failure_details.is_empty());
}

#[test]
fn failure_details_without_ips_or_mx_still_count() {
    let mut v = base();
    *detail(&mut v) = json!({"result-type": "sts-policy-fetch-error", "failed-session-count": 2});
    let r = parse_report(v.to_string().as_bytes()).unwrap();
    assert_eq!(
        kinds(&r),
        [
            DeviationKind::FailureDetailWithoutSendingIp,
            DeviationKind::FailureDetailWithoutMx
        ]
    );
    let mut ingest = Ingest::new();
    ingest.add("no-ip.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.failures_by_result_type["sts-policy-fetch-error"], 2);
    assert_eq!(
        (s.by_mx[0].mx.as_deref(), s.by_mx[0].failed_sessions),
        (None, 2)
    );
    assert_eq!(
        (
            s.by_sending_ip[0].sending_ip.as_deref(),
            s.by_sending_ip[0].failed_sessions
        ),
        (None, 2)
    );
}

#[test]
fn unknown_result_types_are_kept_verbatim_and_counted() {
    let mut v = base();
    detail(&mut v)["result-type"] = json!("tls-version-too-old");
    let r = parse_report(v.to_string().as_bytes()).unwrap();
    assert_eq!(
        r.policies[0].failure_details[0].result_type,
        Some(ResultType::Other("tls-version-too-old".into()))
    );
    assert_eq!(kinds(&r), [DeviationKind::UnknownResultType]);
    let mut ingest = Ingest::new();
    ingest.add("odd.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.failures_by_result_type["tls-version-too-old"], 2);
    assert!(!s.result_types[0].explanation.known);
    assert!(
        s.result_types[0]
            .explanation
            .meaning
            .contains("\"tls-version-too-old\"")
    );
}

#[test]
fn additional_information_and_every_optional_detail_field_are_kept() {
    let r = with(|v| {
        let d = detail(v);
        d["additional-information"] =
            json!("https://reports.example/info?id=1#StarttlsNotSupported");
        d["receiving-mx-helo"] = json!("mx.example.com");
        d["receiving-ip"] = json!("203.0.113.56");
        d["failure-reason-code"] = json!("X509_V_ERR_CERT_HAS_EXPIRED");
    });
    let d = &r.policies[0].failure_details[0];
    assert_eq!(
        d.additional_information.as_deref(),
        Some("https://reports.example/info?id=1#StarttlsNotSupported")
    );
    assert_eq!(d.receiving_mx_helo.as_deref(), Some("mx.example.com"));
    assert_eq!(d.receiving_ip.as_deref(), Some("203.0.113.56"));
    assert_eq!(
        d.failure_reason_code.as_deref(),
        Some("X509_V_ERR_CERT_HAS_EXPIRED")
    );
    assert!(r.deviations.is_empty());
}

#[test]
fn unknown_fields_are_kept_verbatim_at_every_level() {
    let r = with(|v| {
        v["x-report-version"] = json!(2);
        v["date-range"]["x-zone"] = json!("UTC");
        policy(v)["x-policy-id"] = json!("abc");
        v["policies"][0]["summary"]["x-total"] = json!(12);
        v["policies"][0]["x-note"] = json!({"a": [1, 2]});
        detail(v)["x-tls-version"] = json!("TLSv1.0");
    });
    assert_eq!(r.unknown_fields["x-report-version"], json!(2));
    assert_eq!(r.date_range.unknown_fields["x-zone"], json!("UTC"));
    assert_eq!(
        r.policies[0].policy.unknown_fields["x-policy-id"],
        json!("abc")
    );
    assert_eq!(r.policies[0].summary.unknown_fields["x-total"], json!(12));
    assert_eq!(r.policies[0].unknown_fields["x-note"], json!({"a": [1, 2]}));
    assert_eq!(
        r.policies[0].failure_details[0].unknown_fields["x-tls-version"],
        json!("TLSv1.0")
    );
    assert_eq!(kinds(&r), [DeviationKind::UnknownField; 6]);
    assert!(
        r.deviations
            .iter()
            .any(|d| d.path == "/policies/0/failure-details/0/x-tls-version")
    );
}

#[test]
fn counts_written_as_strings_are_kept_but_never_counted() {
    let mut v = base();
    v["policies"][0]["summary"]["total-successful-session-count"] = json!("10");
    detail(&mut v)["failed-session-count"] = json!(2.5);
    let r = parse_report(v.to_string().as_bytes()).unwrap();
    assert_eq!(r.policies[0].summary.total_successful_session_count, None);
    assert_eq!(
        r.policies[0].summary.unknown_fields["total-successful-session-count"],
        json!("10")
    );
    assert_eq!(
        r.policies[0].failure_details[0].unknown_fields["failed-session-count"],
        json!(2.5)
    );
    assert_eq!(
        kinds(&r),
        [
            DeviationKind::CountNotANumber,
            DeviationKind::CountNotANumber,
            DeviationKind::FailureCountMismatch
        ]
    );
    let mut ingest = Ingest::new();
    ingest.add("strings.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.totals.successful_sessions, 0);
    assert_eq!(s.totals.failed_sessions, 2);
    assert_eq!(s.totals.failed_sessions_in_details, 0);
}

#[test]
fn values_of_the_wrong_type_are_kept_verbatim() {
    let r = with(|v| {
        v["report-id"] = json!(12345);
        policy(v)["mx-host"] = json!([1, 2]);
    });
    assert_eq!(r.report_id, None);
    assert_eq!(r.unknown_fields["report-id"], json!(12345));
    assert_eq!(
        r.policies[0].policy.unknown_fields["mx-host"],
        json!([1, 2])
    );
    assert_eq!(
        kinds(&r),
        [DeviationKind::FieldWrongType, DeviationKind::FieldWrongType]
    );
}

#[test]
fn a_field_given_twice_uses_the_first_and_keeps_the_others() {
    let text = base().to_string().replacen(
        r#""report-id":"#,
        r#""report-id":"second","report-id":"third","report-id":"#,
        1,
    );
    let r = parse_report(text.as_bytes()).unwrap();
    assert_eq!(r.report_id.as_deref(), Some("second"));
    assert_eq!(r.unknown_fields["report-id"], json!("third"));
    assert_eq!(
        r.unknown_fields["report-id#2"],
        json!("2024-01-09T00:00:00Z_example.com")
    );
    assert_eq!(kinds(&r), [DeviationKind::DuplicateField; 2]);
    assert_eq!(r.deviations[0].path, "/report-id");
}

#[test]
fn a_policies_entry_that_is_not_an_object_is_kept() {
    let r = with(|v| v["policies"].as_array_mut().unwrap().push(json!("garbage")));
    assert_eq!(r.policies.len(), 1);
    assert_eq!(r.unknown_fields["/policies/1"], json!("garbage"));
    assert_eq!(kinds(&r), [DeviationKind::FieldWrongType]);
}

#[test]
fn failure_count_mismatch_is_noted_and_both_numbers_kept() {
    let r = with(|v| v["policies"][0]["summary"]["total-failure-session-count"] = json!(1));
    assert_eq!(kinds(&r), [DeviationKind::FailureCountMismatch]);
    assert_eq!(
        r.deviations[0].detail,
        "failure details add up to 2, total-failure-session-count is 1"
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(base().to_string().as_bytes());
    let mut ingest = Ingest::new();
    let added = ingest.add("bom.json", &bytes);
    assert_eq!((added.reports, added.errors.len()), (1, 0));
    assert_eq!(
        kinds(&parse_report(&bytes).unwrap()),
        [DeviationKind::ByteOrderMark]
    );
}

#[test]
fn missing_required_fields_are_noted_not_fatal() {
    let r = with(|v| {
        let o = v.as_object_mut().unwrap();
        o.remove("organization-name");
        o.remove("date-range");
        detail(v).as_object_mut().unwrap().remove("result-type");
    });
    assert_eq!(kinds(&r), [DeviationKind::FieldMissing; 3]);
    assert_eq!(r.dedup_key(), None);
    let mut v = base();
    detail(&mut v)
        .as_object_mut()
        .unwrap()
        .remove("result-type");
    let mut ingest = Ingest::new();
    ingest.add("no-type.json", v.to_string().as_bytes());
    assert_eq!(ingest.summary().failures_by_result_type["(missing)"], 2);
}

// ── Deduplication ────────────────────────────────────────────────────────────────────────────

#[test]
fn the_same_report_twice_counts_once() {
    let json = base().to_string();
    let mut ingest = Ingest::new();
    assert_eq!(ingest.add("a.json", json.as_bytes()).reports, 1);
    let again = ingest.add("a-copy.json", reports::gzip(json.as_bytes()).as_slice());
    assert_eq!((again.reports, again.duplicates), (0, 1));
    let s = ingest.summary();
    assert_eq!((s.reports, s.duplicates, s.inputs), (1, 1, 2));
    assert_eq!(s.totals.successful_sessions, 10);
    assert_eq!(s.failures_by_result_type["certificate-expired"], 2);
}

#[test]
fn dedup_is_by_organization_and_report_id_only() {
    let mut ingest = Ingest::new();
    ingest.add("google.json", base().to_string().as_bytes());
    // Same report-id from another organization: a different report.
    let mut other_org = base();
    other_org["organization-name"] = json!("Microsoft Corporation");
    assert_eq!(
        ingest
            .add("ms.json", other_org.to_string().as_bytes())
            .reports,
        1
    );
    // Same organization and report-id with other counts (a resend): still the same report, and
    // the first one seen is the one counted.
    let mut resend = base();
    resend["policies"][0]["summary"]["total-successful-session-count"] = json!(999);
    assert_eq!(
        ingest
            .add("resend.json", resend.to_string().as_bytes())
            .duplicates,
        1
    );
    let s = ingest.summary();
    assert_eq!((s.reports, s.duplicates), (2, 1));
    assert_eq!(s.totals.successful_sessions, 20);
}

#[test]
fn reports_without_a_report_id_are_never_merged() {
    let mut v = base();
    v.as_object_mut().unwrap().remove("report-id");
    let mut ingest = Ingest::new();
    ingest.add("a.json", v.to_string().as_bytes());
    ingest.add("b.json", v.to_string().as_bytes());
    assert_eq!(
        (ingest.summary().reports, ingest.summary().duplicates),
        (2, 0)
    );
}

#[test]
fn a_report_listing_a_policy_twice_counts_as_one_report_for_it() {
    let mut v = base();
    let entry = v["policies"][0].clone();
    v["policies"].as_array_mut().unwrap().push(entry);
    let mut ingest = Ingest::new();
    ingest.add("twice.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.by_policy.len(), 1);
    assert_eq!(s.by_policy[0].reports, 1);
    assert_eq!(s.by_policy[0].successful_sessions, 20);
}

#[test]
fn policy_and_result_types_that_are_not_strings_are_kept_and_counted_as_missing() {
    let mut v = base();
    policy(&mut v)["policy-type"] = json!(3);
    detail(&mut v)["result-type"] = json!({"code": "x"});
    let r = parse_report(v.to_string().as_bytes()).unwrap();
    assert_eq!(r.policies[0].policy.policy_type, None);
    assert_eq!(r.policies[0].policy.unknown_fields["policy-type"], json!(3));
    let d = &r.policies[0].failure_details[0];
    assert_eq!(d.result_type, None);
    assert_eq!(d.unknown_fields["result-type"], json!({"code": "x"}));
    assert_eq!(kinds(&r), [DeviationKind::FieldWrongType; 2]);
    assert_eq!(r.deviations[0].path, "/policies/0/policy/policy-type");
    assert_eq!(
        r.deviations[1].path,
        "/policies/0/failure-details/0/result-type"
    );
    let mut ingest = Ingest::new();
    ingest.add("odd.json", v.to_string().as_bytes());
    let s = ingest.summary();
    assert_eq!(s.totals.failed_sessions, 2);
    assert_eq!(s.failures_by_result_type["(missing)"], 2);
    assert_eq!(s.by_policy[0].policy_type, None);
}

#[test]
fn failure_details_entries_that_are_not_objects_are_kept_in_place_order() {
    let r = with(|v| {
        let details = v["policies"][0]["failure-details"].as_array_mut().unwrap();
        details.insert(0, json!("garbage"));
        details.push(json!(5));
        details.push(json!(null));
        details.push(json!([1]));
    });
    let entry = &r.policies[0];
    assert_eq!(entry.failure_details.len(), 1);
    assert_eq!(entry.detailed_failures(), 2);
    let kept: Vec<(&str, &Value)> = entry
        .unknown_fields
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    assert_eq!(
        kept,
        [
            ("/policies/0/failure-details/0", &json!("garbage")),
            ("/policies/0/failure-details/2", &json!(5)),
            ("/policies/0/failure-details/3", &json!(null)),
            ("/policies/0/failure-details/4", &json!([1])),
        ]
    );
    assert_eq!(kinds(&r), [DeviationKind::FieldWrongType; 4]);
    assert_eq!(r.deviations[3].path, "/policies/0/failure-details/4");
}
