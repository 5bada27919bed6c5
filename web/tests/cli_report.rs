//! `stslens report` as a user runs it: the built binary, real fixture files, exit codes, and the
//! JSON shape the design contract fixes.

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/tlsrpt")
        .join(name);
    assert!(path.exists(), "{}", path.display());
    path.to_string_lossy().into_owned()
}

/// A scratch file for this test, under cargo's per-target temp dir.
fn scratch(name: &str, bytes: &[u8]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_report");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

fn stslens(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stslens"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Runs `stslens report FORMAT ARGS...`, which must exit 1 and name exactly `bad` on stderr, in
/// that order; gives the output for the caller's own checks.
fn report_naming_bad(format: &str, args: &[String], bad: &[String]) -> std::process::Output {
    let mut all = vec!["report", format];
    all.extend(args.iter().map(String::as_str));
    let out = stslens(&all, None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(inputs_named(&stderr), bad, "{stderr}");
    out
}
/// The inputs that `stslens report`'s error lines (`stslens: <input>: <why>`) name, in order.
fn inputs_named(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .map(|l| {
            l.strip_prefix("stslens: ")
                .unwrap()
                .split(": ")
                .next()
                .unwrap()
        })
        .collect()
}

#[test]
fn json_has_the_contract_shape_and_the_right_numbers() {
    let rfc = fixture("cry-inc-dmarc-report-viewer_rfc-example.json");
    let out = stslens(
        &[
            "report",
            "--json",
            &rfc,
            &fixture("domainaware-parsedmarc_mail.ru.json"),
            &fixture("marcbradshaw-mail-tls-rpt_email.eml"),
            &rfc,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let v = json_of(&out);
    // The contract's fields, with their JSON types.
    for key in ["reports", "duplicates"] {
        assert!(v[key].is_u64(), "{key}");
    }
    for key in ["by_organization", "by_policy", "by_mx", "daily", "errors"] {
        assert!(v[key].is_array(), "{key}");
    }
    assert!(v["failures_by_result_type"].is_object());
    assert_eq!(v["reports"], 3);
    assert_eq!(v["duplicates"], 1);
    assert_eq!(v["totals"]["successful_sessions"], 5326 + 343);
    assert_eq!(v["totals"]["failed_sessions"], 303 + 1);
    assert_eq!(
        v["failures_by_result_type"],
        json!({"certificate-expired": 100, "starttls-not-supported": 200, "validation-failure": 3, "sts-policy-fetch-error": 2})
    );
    assert_eq!(v["errors"], json!([]));
    // The additions beyond the contract.
    assert_eq!(v["inputs"], 4);
    assert_eq!(v["by_organization"][0]["organization"], "Company-X");
    assert_eq!(v["by_policy"][0]["policy_domain"], "company-y.example");
    assert_eq!(v["by_policy"][0]["mode"], "testing");
    assert_eq!(
        v["by_mx"][0],
        json!({"mx": "mx2.mail.company-y.example", "failed_sessions": 200, "failures_by_result_type": {"starttls-not-supported": 200}})
    );
    assert_eq!(v["by_sending_ip"][0]["sending_ip"], "2001:db8:abcd:13::1");
    assert_eq!(
        v["daily"][0],
        json!({"date": "2016-04-01", "reports": 1, "successful_sessions": 5326, "failed_sessions": 303})
    );
    assert_eq!(
        v["period"],
        json!({"first_day": "2016-04-01", "last_day": "2024-02-22"})
    );
    assert_eq!(
        v["result_types"][0]["result_type"],
        "starttls-not-supported"
    );
    assert!(
        v["result_types"][0]["fix"]
            .as_str()
            .unwrap()
            .contains("STARTTLS")
    );
    assert!(v["success_rate"].as_f64().unwrap() > 0.94);
    assert_eq!(v["deviations"][0]["code"], "end-at-next-midnight");
}

#[test]
fn one_bad_file_among_good_ones_exits_1_and_counts_the_rest() {
    let bad = scratch("bad.json.gz", b"\x1f\x8b\x08\x00 not really gzip");
    let missing = scratch("gone.json", b"").replace("gone.json", "does-not-exist.json");
    let good = fixture("isseis-tlsrpt-digest_tlsrpt_failure.eml");
    let other = fixture("mjl-mox_example.eml");
    let out = stslens(&["report", "--json", &good, &bad, &missing, &other], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["reports"], 2);
    assert_eq!(v["totals"]["successful_sessions"], 4523 + 3);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["source"], bad.as_str());
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("corrupt gzip"),
        "{errors:?}"
    );
    assert_eq!(errors[1]["source"], missing.as_str());
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read: "),
        "{errors:?}"
    );
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with(&format!("stslens: {bad}: corrupt gzip")),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!("stslens: {missing}: cannot read: ")),
        "{stderr}"
    );
}

#[test]
fn csv_gives_one_row_per_failure_detail_once() {
    let rfc = fixture("domainaware-parsedmarc_rfc8460.json");
    let mailru = fixture("domainaware-parsedmarc_mail.ru.json");
    let out = stslens(&["report", "--csv", &rfc, &mailru, &rfc], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "source,organization,report_id,start,end,day,policy_domain,policy_type,mode,result_type,failed_sessions,sending_mta_ip,receiving_mx_hostname,receiving_mx_helo,receiving_ip,failure_reason_code,additional_information"
    );
    // 3 details in the RFC example (counted once though given twice) + 2 from Mail.ru.
    assert_eq!(lines.len(), 1 + 3 + 2, "{csv}");
    assert_eq!(
        lines[1],
        format!(
            "{rfc},Company-X,5065427c-23d3-47ca-b6e0-946ea0e8c4be,2016-04-01T00:00:00Z,2016-04-01T23:59:59Z,2016-04-01,company-y.example,sts,testing,certificate-expired,100,2001:db8:abcd:0012::1,mx1.mail.company-y.example,,,,"
        )
    );
    assert_eq!(
        lines[5],
        format!(
            "{mailru},Mail.ru,b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru,2024-02-22T00:00:00Z,2024-02-23T00:00:00Z,2024-02-22,example.com,sts,,sts-policy-fetch-error,1,,,,,bad https response code: 500,"
        )
    );
}

#[test]
fn ndjson_gives_one_object_per_line() {
    let out = stslens(
        &[
            "report",
            "--ndjson",
            &fixture("domainaware-parsedmarc_smtp_tls.json"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["sending_mta_ip"], "209.85.222.201");
    assert_eq!(rows[0]["failed_sessions"], 2);
    assert_eq!(rows[1]["organization"], "Example Inc.");
    assert_eq!(rows[1]["receiving_mx_helo"], Value::Null);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let eml = std::fs::read(fixture("mjl-mox_microsoft.eml")).unwrap();
    let out = stslens(&["report", "--json", "-"], Some(&eml));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["totals"]["successful_sessions"], 2);

    let out = stslens(&["report", "--json", "-"], Some(b"not a report"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["errors"][0]["source"], "<stdin>");
}

#[test]
fn the_default_summary_is_readable_and_plain_when_piped() {
    let out = stslens(
        &[
            "report",
            &fixture("cry-inc-dmarc-report-viewer_rfc-example.json"),
            &fixture("mjl-mox_microsoft.eml"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let summary = text(&out.stdout);
    assert!(!summary.contains('\x1b'), "colour codes in piped output");
    let first: Vec<&str> = summary.lines().take(2).collect();
    assert_eq!(
        first,
        [
            "TLS-RPT: 2 reports from 2 inputs, 2016-04-01 to 2023-01-10",
            "Sessions: 5,328 successful, 303 failed, 94.6% success"
        ]
    );
    assert!(
        summary.contains("  starttls-not-supported  200  STARTTLS not supported\n"),
        "{summary}"
    );
    assert!(
        summary.contains("      Fix: Enable STARTTLS on every MX host"),
        "{summary}"
    );
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        summary
            .lines()
            .any(|l| words(l) == "mx2.mail.company-y.example 200"),
        "{summary}"
    );
    assert!(
        summary.contains("date-time-without-zone  2x in 1 report"),
        "{summary}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = stslens(&["report"], None);
    assert_eq!(out.status.code(), Some(2));
    let file = fixture("mjl-mox_example.eml");
    let out = stslens(&["report", "--json", "--csv", &file], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot be used with"),
        "{}",
        text(&out.stderr)
    );
}

/// Many inputs spread over the worker threads (chunks of 16, claimed as workers get free) come
/// back in the order given: errors on stderr in argument order, duplicates decided by the first
/// copy, CSV rows as one thread would write them.
#[test]
fn many_inputs_are_counted_in_the_order_given() {
    let distinct = [
        fixture("domainaware-parsedmarc_rfc8460.json"),
        fixture("isseis-tlsrpt-digest_tlsrpt_failure.eml"),
        fixture("cry-inc-dmarc-report-viewer_google.json"),
        fixture("mjl-mox_microsoft.eml"),
        fixture("phi-ag-mta-sts-exporter_microsoft.json"),
    ];
    let mut args: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    for i in 0..150 {
        if i % 7 == 3 {
            let name = format!("order-bad-{i}.json");
            let path = scratch(&name, format!("not json {i}").as_bytes());
            bad.push(path.clone());
            args.push(path);
        } else {
            args.push(distinct[(i * 3) % distinct.len()].clone());
        }
    }
    let mut first_seen: Vec<String> = Vec::new();
    for a in &args {
        if distinct.contains(a) && !first_seen.contains(a) {
            first_seen.push(a.clone());
        }
    }
    let out = report_naming_bad("--csv", &args, &bad);

    let mut once = vec!["report", "--csv"];
    once.extend(first_seen.iter().map(String::as_str));
    let expected = stslens(&once, None);
    assert_eq!(
        expected.status.code(),
        Some(0),
        "{}",
        text(&expected.stderr)
    );
    assert_eq!(text(&out.stdout), text(&expected.stdout));

    let mut many = vec!["report", "--json"];
    many.extend(args.iter().map(String::as_str));
    let v = json_of(&stslens(&many, None));
    assert_eq!(v["reports"], distinct.len());
    assert_eq!(v["errors"].as_array().unwrap().len(), bad.len());
}

/// More parsed bytes than the budget of uncounted ones (16 MiB) holds, behind a slow first
/// chunk: the first 16 inputs are dense (thousands of failure details each, slow to parse), the
/// rest are large but quick (one long string). On two or more cores another worker then runs
/// ahead through the quick ones until the budget pauses it. The rows must still come out in
/// argument order, each report once, and the bad inputs be named in order. (Were the worker of
/// the chunk being counted paused too, this would hang: checked by breaking `must_pause`.)
#[test]
fn large_inputs_past_the_ahead_budget_keep_their_order() {
    let filler = "x".repeat(1_200_000);
    let mut args = Vec::new();
    let mut bad = Vec::new();
    let mut expected = Vec::new();
    for i in 0..40u64 {
        let name = format!("large-order-{i:02}.json");
        if i % 9 == 4 {
            let path = scratch(&name, format!("{{\"policies\": {i}").as_bytes());
            bad.push(path.clone());
            args.push(path);
            continue;
        }
        let dense = i < 16;
        let id = format!("large-{i:02}");
        // Each detail's failed-session count: the first tells the reports apart.
        let failed: Vec<u64> = (0..if dense { 4000 } else { 1 })
            .map(|d| if d == 0 { i + 1 } else { 1 })
            .collect();
        let details: Vec<Value> = failed
            .iter()
            .enumerate()
            .map(|(d, count)| {
                json!({
                    "result-type": "certificate-expired",
                    "sending-mta-ip": format!("192.0.2.{}", d % 250),
                    "receiving-mx-hostname": "mx.large.example",
                    "failed-session-count": count,
                    "additional-information": if dense { "" } else { filler.as_str() }
                })
            })
            .collect();
        let report = json!({
            "organization-name": "Large Org",
            "date-range": {
                "start-datetime": "2024-05-01T00:00:00Z",
                "end-datetime": "2024-05-01T23:59:59Z"
            },
            "contact-info": "tlsrpt@large.example",
            "report-id": id,
            "policies": [{
                "policy": {
                    "policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.large.example", "max_age: 86400"],
                    "policy-domain": "large.example"
                },
                "summary": {"total-successful-session-count": 10, "total-failure-session-count": i + 1},
                "failure-details": details
            }]
        });
        let path = scratch(&name, report.to_string().as_bytes());
        expected.extend(failed.iter().map(|&n| (path.clone(), id.clone(), n)));
        args.push(path);
    }
    let out = report_naming_bad("--ndjson", &args, &bad);
    let rows: Vec<(String, String, u64)> = text(&out.stdout)
        .lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).unwrap();
            (
                row["source"].as_str().unwrap().to_owned(),
                row["report_id"].as_str().unwrap().to_owned(),
                row["failed_sessions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, expected);
}
