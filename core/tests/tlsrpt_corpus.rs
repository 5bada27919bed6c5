//! Every real report in the fixtures parses with no error and with the right numbers; the
//! synthetic negatives fail with a clear message. See tests/fixtures/tlsrpt/PROVENANCE.md.

mod reports;

use reports::{fixture, fixtures_dir};
use std::path::{Path, PathBuf};
use stslens_core::tlsrpt::{
    DeviationKind, Ingest, Limits, PolicyType, Report, ResultType, Summary, parse_report,
};

fn ingest_one(name: &str) -> (Summary, Vec<Report>) {
    let mut ingest = Ingest::new();
    let mut reports = Vec::new();
    let added = ingest.add_with(name, &fixture(name), |found| {
        reports.push(found.report.clone())
    });
    assert!(added.errors.is_empty(), "{name}: {:?}", added.errors);
    (ingest.summary(), reports)
}

fn codes(report: &Report) -> Vec<&'static str> {
    report.deviations.iter().map(|d| d.kind.code()).collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_report_parses_with_no_error() {
    let names = names(&fixtures_dir());
    let mut checked = 0;
    for name in names
        .iter()
        .filter(|n| !n.starts_with("synthetic_negative_"))
    {
        let (summary, reports) = ingest_one(name);
        assert_eq!(summary.reports, 1, "{name}");
        assert_eq!(reports.len(), 1, "{name}");
        assert!(!reports[0].policies.is_empty(), "{name}");
        checked += 1;
    }
    assert!(checked >= 36, "only {checked} fixtures found");
}

/// An email and the JSON extracted from it with stock tools (base64 -d | gunzip) must give the
/// same report, field for field.
#[test]
fn each_email_gives_the_report_extracted_from_it_by_hand() {
    let emails: Vec<String> = names(&fixtures_dir())
        .into_iter()
        .filter(|n| n.ends_with(".eml"))
        .collect();
    assert_eq!(emails.len(), 8);
    for eml in emails {
        let extracted = eml.replace(".eml", ".extracted.json");
        let extracted = if fixtures_dir().join(&extracted).exists() {
            extracted
        } else {
            // marcbradshaw's repo ships the JSON beside the email under another name.
            "marcbradshaw-mail-tls-rpt_report.json".to_owned()
        };
        let (_, from_email) = ingest_one(&eml);
        let by_hand = parse_report(&fixture(&extracted)).unwrap();
        assert_eq!(from_email[0], by_hand, "{eml} vs {extracted}");
    }
}

// ── Totals checked by hand ───────────────────────────────────────────────────────────────────
// Each number below was read off the JSON by eye and cross-checked with jq, independently of
// this code, e.g.
//   jq '[.policies[].summary."total-successful-session-count" // 0] | add' FILE
//   jq '[.policies[].summary."total-failure-session-count" // 0] | add' FILE
//   jq -c '[.policies[]."failure-details"[]? | {(."result-type"): ."failed-session-count"}]' FILE

#[test]
fn hand_checked_rfc_example() {
    // 5326 successful, 303 failed = 100 certificate-expired + 200 starttls-not-supported + 3
    // validation-failure, each at its own MX and sending IP.
    let (s, reports) = ingest_one("cry-inc-dmarc-report-viewer_rfc-example.json");
    assert_eq!(s.totals.successful_sessions, 5326);
    assert_eq!(s.totals.failed_sessions, 303);
    assert_eq!(s.totals.failed_sessions_in_details, 303);
    assert_eq!(s.failures_by_result_type["certificate-expired"], 100);
    assert_eq!(s.failures_by_result_type["starttls-not-supported"], 200);
    assert_eq!(s.failures_by_result_type["validation-failure"], 3);
    let mx: Vec<(Option<&str>, u64)> = s
        .by_mx
        .iter()
        .map(|m| (m.mx.as_deref(), m.failed_sessions))
        .collect();
    assert_eq!(
        mx,
        [
            (Some("mx2.mail.company-y.example"), 200),
            (Some("mx1.mail.company-y.example"), 100),
            (Some("mx-backup.mail.company-y.example"), 3)
        ]
    );
    // 2001:db8:abcd:0012::1 is written with a leading zero; grouped in canonical form.
    assert_eq!(
        s.by_sending_ip[1].sending_ip.as_deref(),
        Some("2001:db8:abcd:12::1")
    );
    assert_eq!(s.by_policy[0].mode.as_deref(), Some("testing"));
    assert_eq!(s.success_rate, Some(5326.0 / 5629.0));
    let detail = &reports[0].policies[0].failure_details[2];
    assert_eq!(
        detail.failure_reason_code.as_deref(),
        Some("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED")
    );
    assert_eq!(detail.receiving_ip.as_deref(), Some("203.0.113.58"));
    assert!(
        reports[0].deviations.is_empty(),
        "{:?}",
        reports[0].deviations
    );
}

#[test]
fn hand_checked_mail_ru() {
    // total-failure-session-count is 1 but the two failure details count 1 + 1: both are kept,
    // the summary in totals, the details per result type, and the mismatch is flagged.
    let (s, reports) = ingest_one("domainaware-parsedmarc_mail.ru.json");
    assert_eq!(s.totals.successful_sessions, 0);
    assert_eq!(s.totals.failed_sessions, 1);
    assert_eq!(s.totals.failed_sessions_in_details, 2);
    assert_eq!(s.failures_by_result_type["sts-policy-fetch-error"], 2);
    assert_eq!(s.by_mx.len(), 1);
    assert_eq!(s.by_mx[0].mx, None);
    assert_eq!(s.by_sending_ip[0].sending_ip, None);
    let reasons: Vec<_> = reports[0].policies[0]
        .failure_details
        .iter()
        .map(|d| d.failure_reason_code.as_deref().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "bad https response code: 404",
            "bad https response code: 500"
        ]
    );
    assert_eq!(
        codes(&reports[0]),
        [
            "end-at-next-midnight",
            "mx-host-missing",
            "failure-detail-without-sending-ip",
            "failure-detail-without-mx",
            "failure-detail-without-sending-ip",
            "failure-detail-without-mx",
            "failure-count-mismatch"
        ]
    );
    assert_eq!(s.daily[0].date.unwrap().to_string(), "2024-02-22");
}

#[test]
fn hand_checked_parsedmarc_smtp_tls() {
    // 0 successful, 3 failed: validation-failure 2 from 209.85.222.201 and 1 from 209.85.208.176,
    // both at MX example.com.
    let (s, _) = ingest_one("domainaware-parsedmarc_smtp_tls.json");
    assert_eq!(
        (s.totals.successful_sessions, s.totals.failed_sessions),
        (0, 3)
    );
    assert_eq!(s.success_rate, Some(0.0));
    let ips: Vec<(Option<&str>, u64)> = s
        .by_sending_ip
        .iter()
        .map(|r| (r.sending_ip.as_deref(), r.failed_sessions))
        .collect();
    assert_eq!(
        ips,
        [(Some("209.85.222.201"), 2), (Some("209.85.208.176"), 1)]
    );
    assert_eq!(s.by_mx[0].mx.as_deref(), Some("example.com"));
    assert_eq!(s.by_mx[0].failures_by_result_type["validation-failure"], 3);
}

#[test]
fn hand_checked_microsoft_sts_and_tlsa() {
    // Two policies, 2 + 2 successful; the TLSA policy-string is one string holding two records.
    let (s, reports) = ingest_one("cry-inc-dmarc-report-viewer_microsoft.json");
    assert_eq!(
        (s.totals.successful_sessions, s.totals.failed_sessions),
        (4, 0)
    );
    assert_eq!(s.by_policy.len(), 2);
    let tlsa = &reports[0].policies[1].policy;
    assert_eq!(tlsa.policy_type, Some(PolicyType::Tlsa));
    assert_eq!(
        tlsa.policy_string,
        [
            "3 1 1 6007EEE553E85D8DF007A845D19EC343283D4E416E9A33F9EF3040C8B7C285BC",
            "3 1 1 837C773D54C2E2BD71871A3FC352BE8214D5646CBAE5E3091401A7274717998B"
        ]
    );
    assert_eq!(
        codes(&reports[0]),
        ["mx-host-missing", "policy-string-json-array"]
    );
}

#[test]
fn hand_checked_google_email_343_sessions() {
    // The Fastmail-delivered Google email: 343 successful sessions, no-policy-found.
    let (s, reports) = ingest_one("marcbradshaw-mail-tls-rpt_email.eml");
    assert_eq!(
        (s.totals.successful_sessions, s.totals.failed_sessions),
        (343, 0)
    );
    assert_eq!(
        reports[0].report_id.as_deref(),
        Some("2020-03-02T00:00:00Z_fastmaildmarc.com")
    );
    assert_eq!(
        reports[0].policies[0].policy.policy_type,
        Some(PolicyType::NoPolicyFound)
    );
    assert_eq!(
        s.by_organization[0].organization.as_deref(),
        Some("Google Inc.")
    );
    assert_eq!(s.success_rate, Some(1.0));
}

#[test]
fn hand_checked_certificate_expired_email() {
    // 4523 successful, 2 certificate-expired from 192.0.2.1 at mail.example.com.
    let (s, _) = ingest_one("isseis-tlsrpt-digest_tlsrpt_failure.eml");
    assert_eq!(
        (s.totals.successful_sessions, s.totals.failed_sessions),
        (4523, 2)
    );
    assert_eq!(s.result_types[0].result_type, "certificate-expired");
    assert_eq!(s.result_types[0].failed_sessions, 2);
    assert!(s.result_types[0].explanation.fix.contains("Renew"));
    assert_eq!(s.by_mx[0].mx.as_deref(), Some("mail.example.com"));
    assert_eq!(s.by_sending_ip[0].sending_ip.as_deref(), Some("192.0.2.1"));
}

#[test]
fn hand_checked_microsoft_zone_less_email() {
    // "2023-01-10T00:00:00" without a zone: read as UTC, counted on 2023-01-10, 2 sessions.
    let (s, reports) = ingest_one("mjl-mox_microsoft.eml");
    assert_eq!(s.totals.successful_sessions, 2);
    assert_eq!(s.daily.len(), 1);
    assert_eq!(s.daily[0].date.unwrap().to_string(), "2023-01-10");
    assert_eq!(
        codes(&reports[0]),
        [
            "date-time-without-zone",
            "date-time-without-zone",
            "mx-host-missing"
        ]
    );
}

#[test]
fn hand_checked_google_crlf_policy() {
    // 5 sessions; "mode: enforce\r" is still mode enforce once the CR is removed.
    let (s, reports) = ingest_one(
        "gene-hightower-internet-message-parser_encoding.test.ts_google-digilicious.extracted.json",
    );
    assert_eq!(s.totals.successful_sessions, 5);
    assert_eq!(s.by_policy[0].mode.as_deref(), Some("enforce"));
    assert_eq!(
        reports[0].policies[0].policy.policy_string[3],
        "mx: digilicious.com"
    );
}

/// Stalwart's rpt03 (a synthetic negative test in mail-auth, whose own test suite parses it):
/// no policy-domain, an unknown policy-type, summaries without a failure count.
///
/// Decision: parse it, with every deviation noted. RFC 8460 §4.4 defines the report's format,
/// not a receiver's duty to reject; the report is identifiable (organization, report-id, dates)
/// and its two successful sessions are real counts. Each defect only limits what can be said
/// about one policy, so it is recorded there: the unknown type verbatim, the domain as unknown,
/// the failure count as absent (not as zero). Rejecting the whole report would lose data that
/// is not in doubt; only a report with no `policies` at all is rejected, because nothing in it
/// can be counted.
#[test]
fn stalwart_rpt03_parses_with_its_defects_noted() {
    let (s, reports) = ingest_one("stalwartlabs-mail-auth_rpt03.json");
    let report = &reports[0];
    assert_eq!(s.totals.successful_sessions, 2);
    assert_eq!(s.totals.failed_sessions, 0);
    assert_eq!(report.policies[0].summary.total_failure_session_count, None);
    assert_eq!(
        report.policies[1].policy.policy_type,
        Some(PolicyType::Other("invalid-policy-type".into()))
    );
    assert_eq!(
        codes(report),
        [
            "policy-domain-missing",
            "field-missing",
            "unknown-policy-type",
            "policy-domain-missing",
            "field-missing"
        ]
    );
    let types: Vec<_> = s
        .by_policy
        .iter()
        .map(|p| (p.policy_type.as_deref(), p.policy_domain.as_deref()))
        .collect();
    assert_eq!(
        types,
        [
            (Some("invalid-policy-type"), None),
            (Some("no-policy-found"), None)
        ]
    );
    assert!(
        s.deviations
            .iter()
            .any(|d| d.code == DeviationKind::UnknownPolicyType)
    );
}

#[test]
fn synthetic_files_reproduce_the_issue_thread_quirks() {
    let (_, r) = ingest_one("synthetic_stalwart-style_no-policy-found.json");
    assert_eq!(
        codes(&r[0]),
        [
            "end-at-next-midnight",
            "field-null",
            "policy-string-empty",
            "mx-host-empty",
            "failure-details-empty"
        ]
    );
    let (_, r) = ingest_one("synthetic_stalwart-style_sts.json");
    assert_eq!(
        codes(&r[0]),
        [
            "end-at-next-midnight",
            "field-null",
            "failure-details-empty"
        ]
    );
    assert_eq!(r[0].policies[0].policy.mx_host.len(), 3);
    let (s, r) = ingest_one("synthetic_postfix-tlsrpt-reporter_no-policy-domain.json");
    assert_eq!(
        codes(&r[0]),
        ["policy-domain-missing", "failure-details-empty"]
    );
    assert_eq!(s.totals.successful_sessions, 4);
    let (_, r) = ingest_one("synthetic_google_wildcard-mx.json");
    assert!(r[0].deviations.is_empty());
    assert_eq!(r[0].policies[0].policy.mx_host, ["*.mx.hosting.example"]);
}

#[test]
fn synthetic_negatives_fail_with_a_clear_message() {
    let cases = [
        (
            "synthetic_negative_missing-policies.json",
            "not a TLS-RPT report: the JSON object has no \"policies\" array (RFC 8460 §4.4)",
        ),
        (
            "synthetic_negative_dmarc-aggregate.xml",
            "not a TLS-RPT report: the content is neither JSON, gzip, zip nor an email (starts with \"<?xml version=\\\"1.0\\\" enco\": XML, perhaps a DMARC aggregate report rather than TLS-RPT)",
        ),
        (
            "synthetic_negative_truncated.json",
            "not JSON: EOF while parsing",
        ),
    ];
    for (name, message) in cases {
        let mut ingest = Ingest::new();
        let added = ingest.add(name, &fixture(name));
        assert_eq!(added.reports, 0, "{name}");
        assert_eq!(added.errors.len(), 1, "{name}");
        assert_eq!(added.errors[0].source, name);
        let got = added.errors[0].error.to_string();
        assert!(got.starts_with(message), "{name}: {got}");
    }
}

/// The shared corpus (all of it, the issue-thread files included) when this checkout sits beside
/// it; `STSLENS_TLSRPT_CORPUS` may point elsewhere.
#[test]
fn shared_corpus_parses_when_present() {
    let Some(dir) = shared_corpus() else {
        println!(
            "SKIPPED: no shared TLS-RPT corpus (set STSLENS_TLSRPT_CORPUS, or check out beside shared/corpus/tlsrpt)"
        );
        return;
    };
    println!("shared TLS-RPT corpus: {}", dir.display());
    let names = names(&dir);
    assert!(
        names.len() >= 37,
        "{}: only {} files",
        dir.display(),
        names.len()
    );
    let mut ingest = Ingest::new();
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let added = ingest.add(name, &bytes);
        assert!(added.errors.is_empty(), "{name}: {:?}", added.errors);
        assert_eq!(added.reports + added.duplicates, 1, "{name}");
    }
    let s = ingest.summary();
    assert!(s.errors.is_empty());
    // The corpus holds each email beside its extracted JSON, and the RFC example four times.
    assert_eq!(s.reports + s.duplicates, names.len() as u64);
    assert!(s.duplicates >= 8, "{}", s.duplicates);
    assert!(
        s.result_types
            .iter()
            .all(|r| ResultType::parse(&r.result_type).is_known())
    );
}

fn shared_corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STSLENS_TLSRPT_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .map(|a| a.join("shared/corpus/tlsrpt"))
        .find(|d| d.is_dir())
}

/// Parsing apart ([`stslens_core::tlsrpt::Reader`]) and counting later (`add_parsed`), as
/// `stslens report` does on several threads, gives exactly what `add` gives: the same summary,
/// duplicates decided by input order, the same errors in the same order, the same reports seen.
#[test]
fn reading_apart_and_counting_in_order_equals_adding() {
    let dir = fixtures_dir();
    let mut inputs: Vec<(String, Vec<u8>)> = names(&dir)
        .into_iter()
        .map(|name| {
            let bytes = fixture(&name);
            (name, bytes)
        })
        .collect();
    // A duplicate and a corrupt input among them.
    let first = inputs[0].clone();
    inputs.push((format!("{}-again", first.0), first.1));
    inputs.push(("corrupt.json.gz".into(), b"\x1f\x8b\x08\x00broken".to_vec()));

    // A zip of every fixture: more JSON in all than the small cap below, so the reader hands
    // this input over whole instead of keeping its reports.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &inputs {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    inputs.push(("all.zip".into(), zip.finish().unwrap().into_inner()));
    let plain_json: usize = inputs
        .iter()
        .filter(|(name, _)| name.ends_with(".json"))
        .map(|(_, bytes)| bytes.len())
        .sum();
    assert!(plain_json > 16 * 1024, "{plain_json} bytes of plain JSON");
    let limits = Limits {
        max_report_bytes: 16 * 1024,
        ..Limits::default()
    };

    let mut whole = Ingest::with_limits(limits);
    let mut whole_seen = Vec::new();
    for (name, bytes) in &inputs {
        whole.add_with(name, bytes, |f| {
            whole_seen.push((f.location.to_owned(), f.duplicate))
        });
    }
    let mut split = Ingest::with_limits(limits);
    let mut reader = split.reader();
    let mut split_seen = Vec::new();
    for (name, bytes) in &inputs {
        let parsed = reader.read(name, bytes);
        split.add_parsed(&parsed, |f| {
            split_seen.push((f.location.to_owned(), f.duplicate))
        });
    }
    assert_eq!(split_seen, whole_seen);
    assert!(whole_seen.iter().any(|(_, duplicate)| *duplicate));
    assert_eq!(split.errors(), whole.errors());
    assert!(!whole.errors().is_empty());
    assert_eq!(
        serde_json::to_value(split.summary()).unwrap(),
        serde_json::to_value(whole.summary()).unwrap()
    );
}
