//! `stslens check` as a user runs it: the built binary against loopback fakes, through the
//! hidden test-only flags. The JSON shape, the text report, and the exit codes: 0 healthy,
//! 1 errors found (the report still printed in full), 2 the check could not run.

mod check_support;

use check_support::*;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use stslens_e2e::policy_host::Site;

/// Runs the binary with the fakes' flags (when `net` is given) and `args`.
async fn stslens(net: Option<&Net>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stslens"));
    command.arg("check").args(args).env("NO_COLOR", "1");
    if let Some(net) = net {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_check");
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join(format!("ca-{}.pem", net.running.policy.addr().port()));
        std::fs::write(&ca, net.running.ca.cert_pem()).unwrap();
        command
            .args(["--doh", &net.running.doh.url()])
            .arg("--unsafe-test-ca")
            .arg(&ca)
            .args([
                "--unsafe-test-https-port",
                &net.running.policy.addr().port().to_string(),
                "--unsafe-test-smtp-port",
                &net.smtp_port().to_string(),
                "--unsafe-test-timeout-ms",
                "3000",
            ]);
    }
    // The fakes run on this test's runtime; the binary waits on another thread.
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test(flavor = "multi_thread")]
async fn healthy_json_exit_0() {
    let net = Setup::healthy().start().await;
    let out = stslens(Some(&net), &[DOMAIN, "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        keys(&report),
        [
            "checked_at",
            "dnssec",
            "domain",
            "findings",
            "mx",
            "policy",
            "sender",
            "sts_record",
            "timeline",
            "tlsrpt",
            "valid",
            "verdict"
        ]
    );
    assert_eq!(report["domain"], DOMAIN);
    assert_eq!(report["valid"], true);
    assert_eq!(report["verdict"]["status"], "enforced");
    assert_eq!(report["sts_record"]["id"], ID);
    assert_eq!(report["policy"]["parsed"]["mode"], "enforce");
    assert_eq!(report["policy"]["sha256"].as_str().unwrap().len(), 64);
    let row = &report["mx"]["hosts"][0];
    assert_eq!(row["host"], MX1);
    assert_eq!(row["starttls"], true);
    assert_eq!(row["sender"]["action"], "deliver-tls");
    assert_eq!(report["tlsrpt"]["status"], "valid");
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "dnssec-not-validated");
    assert_eq!(finding["component"], "dns");
    assert!(
        report["timeline"]["steps"].as_array().unwrap().len() >= 10,
        "6 steps in round 1, 4 per MX host"
    );
    // Every test-only flag said so.
    let warnings = stderr(&out);
    for flag in [
        "--unsafe-test-ca",
        "--unsafe-test-https-port",
        "--unsafe-test-smtp-port",
        "--unsafe-test-timeout-ms",
    ] {
        assert!(warnings.contains(&format!("WARNING: {flag}")), "{warnings}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_exit_1_with_the_whole_report() {
    let net = Setup::healthy().site(Site::status(404)).start().await;
    let out = stslens(Some(&net), &[DOMAIN, "--json"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["valid"], false);
    assert_eq!(report["verdict"]["status"], "broken");
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"policy-not-found"), "{codes:?}");
    assert_eq!(
        report["mx"]["hosts"][0]["sender"]["action"],
        "deliver-without-mta-sts"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn text_report_is_grouped_verdict_first() {
    let net = Setup::healthy().tlsrpt(&[]).start().await;
    let out = stslens(Some(&net), &[DOMAIN]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("✓ acme-mail.net: MTA-STS enforced and healthy"),
        "{text}"
    );
    let order = [
        "── DNS ──",
        "── TLS reporting ──\n\nwarning tlsrpt-record-missing",
        "── MX table ──",
        "What a compliant sender does (policy mode enforce)",
        "── TLS-RPT status ──\n  no TLS-RPT record",
        "── Records and policy ──",
        "version: STSv1",
        "slowest chain: ",
    ];
    let mut at = 0;
    for part in order {
        let found = text[at..]
            .find(part)
            .unwrap_or_else(|| panic!("`{part}` missing after byte {at}:\n{text}"));
        at += found + part.len();
    }
    assert!(text.contains("fix: "), "findings carry their fix");
    assert!(text.contains("mx1.acme-mail.net: delivers over TLS."));
    assert!(!text.contains('\x1b'), "NO_COLOR means no escape codes");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_probe_flag() {
    let net = Setup::healthy().start().await;
    let out = stslens(Some(&net), &[DOMAIN, "--json", "--no-probe"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["mx"]["hosts"][0]["probe"], "not-run");
    assert_eq!(report["mx"]["hosts"][0]["starttls"], Value::Null);
    assert!(net.commands(MX1).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn cannot_run_exits_2_naming_the_problem() {
    let out = stslens(None, &["https://acme-mail.net/", "--json"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "invalid-domain");
    assert!(
        stderr(&out).contains("https://acme-mail.net/"),
        "{}",
        stderr(&out)
    );

    let out = stslens(None, &["com"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("single label"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    let out = stslens(None, &[DOMAIN, "--doh", "http://dns.example.net/dns-query"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not an https:// URL"),
        "{}",
        stderr(&out)
    );

    // A resolver that does not answer: nothing listens on port 1.
    let out = stslens(
        None,
        &[
            DOMAIN,
            "--json",
            "--doh",
            "http://127.0.0.1:1/dns-query",
            "--no-probe",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let error = json(&out);
    assert_eq!(error["error"]["code"], "resolver-unreachable");
    assert!(stderr(&out).contains("127.0.0.1:1"), "{}", stderr(&out));
}
