//! `stslens serve --relay` as a process, with the hidden test options the browser end-to-end tests
//! use: `*.test` names resolved by the fake DoH server (`--unsafe-resolver-for-tests`), several
//! SMTP fakes sharing one port on their own loopback addresses, the fakes' CA trusted (`--unsafe-test-ca`), the fakes' ports (`--unsafe-smtp-port-for-tests`,
//! `--unsafe-https-port-for-tests`), all behind `--unsafe-allow-loopback-for-tests`. Also: each
//! option is refused without that flag, none appears in `--help`, each logs a warning, and
//! without them `*.test` names are refused.

mod common;

use common::{client, json};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stslens_e2e::doh::Zone;
use stslens_e2e::policy_host::Site;
use stslens_e2e::scenario::{Running, Scenario};
use stslens_e2e::smtp::SmtpBehaviour;

const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx1.healthy.test\nmax_age: 604800\n";

fn stslens() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stslens"));
    command.env("NO_COLOR", "1").env_remove("RUST_LOG");
    command
}

/// A running `stslens serve`, killed when dropped, with its log lines.
struct Serve {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    /// Starts `stslens serve --relay --relay-only --addr 127.0.0.1:0 ARGS` and waits for its
    /// "listening on" line. Standard error is read to the end by a thread, so it never fills.
    fn start(args: &[&str]) -> Serve {
        let mut child = stslens()
            .args(["serve", "--relay", "--relay-only", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, rest)) = line.split_once("listening on http://") {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(format!("http://{addr}"));
                }
                lines.lock().unwrap().push(line);
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("no listening line: {:?}", log.lock().unwrap());
            }
        };
        Serve { child, url, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fakes as the browser end-to-end harness starts them (`tests/e2e/harness.mjs`): one
/// scenario, SMTP fakes on their own loopback addresses sharing one port (the relay has one test
/// SMTP port), A records for them in the fake resolver's zone; and the CA PEM in a file.
async fn fakes(name: &str) -> (Running, PathBuf) {
    let mut scenario = Scenario {
        zone: Zone::new().a("mta-sts.healthy.test", Ipv4Addr::LOCALHOST),
        policy_sites: BTreeMap::from([("healthy.test".to_owned(), Site::policy(POLICY))]),
        smtp: BTreeMap::from([
            ("mx1.healthy.test".to_owned(), SmtpBehaviour::Healthy),
            ("mx1.plain.test".to_owned(), SmtpBehaviour::NoStartTls),
            ("mx1.expired.test".to_owned(), SmtpBehaviour::ExpiredCert),
        ]),
        ..Scenario::default()
    };
    scenario.smtp_shared_port = true;
    let running = Running::start(scenario, IpAddr::V4(Ipv4Addr::LOCALHOST))
        .await
        .unwrap();
    let ca_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("serve-test-mode-{name}-{}.pem", std::process::id()));
    std::fs::write(&ca_file, running.ca.cert_pem()).unwrap();
    (running, ca_file)
}

async fn get(url: &str) -> (u16, serde_json::Value) {
    let res = client().get(url).send().await.unwrap();
    (res.status().as_u16(), json(res).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_mode_reaches_the_fakes_by_their_test_names() {
    let (fakes, ca_file) = fakes("reach").await;
    let endpoints = fakes.endpoints();
    let smtp_port = endpoints.smtp["mx1.healthy.test"].port().to_string();
    let https_port = endpoints.policy_addr.port().to_string();
    let serve = Serve::start(&[
        "--unsafe-allow-loopback-for-tests",
        "--unsafe-resolver-for-tests",
        &endpoints.doh_url,
        "--unsafe-https-port-for-tests",
        &https_port,
        "--unsafe-test-ca",
        ca_file.to_str().unwrap(),
        "--unsafe-smtp-port-for-tests",
        &smtp_port,
    ]);

    let probe = |host: &str| format!("{}/api/v1/mx-probe?host={host}", serve.url);
    let (status, body) = get(&probe("mx1.healthy.test")).await;
    assert_eq!(status, 200, "{body}\n{}", serve.log());
    assert_eq!(
        body["address"],
        endpoints.smtp["mx1.healthy.test"].ip().to_string()
    );
    assert_eq!(body["starttls"], true);
    assert_eq!(body["chain_valid"], true, "the test CA is trusted: {body}");
    assert_eq!(
        fakes.smtp["mx1.healthy.test"].commands(),
        ["EHLO", "STARTTLS", "QUIT"]
    );

    // Other behaviours on the same port, told apart by their loopback address.
    let (status, body) = get(&probe("mx1.plain.test")).await;
    assert_eq!(
        (status, &body["starttls"]),
        (200, &Value::Bool(false)),
        "{body}"
    );
    let (status, body) = get(&probe("mx1.expired.test")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["chain_error"], "expired");
    assert!(
        fakes.doh.queries() >= 6,
        "A and AAAA of each went to the fake resolver"
    );

    let url = format!("{}/api/v1/policy?domain=healthy.test", serve.url);
    let (status, body) = get(&url).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], 200);
    assert_eq!(body["body"], POLICY);
    assert_eq!(body["tls"]["chain_valid"], true, "{body}");

    let log = serve.log();
    for warning in [
        "UNSAFE TEST MODE: the relay may connect to loopback addresses",
        "UNSAFE TEST MODE: certificates issued by the test CA are judged valid",
        "UNSAFE TEST MODE: relay targets are resolved by a test resolver",
    ] {
        assert!(log.contains(warning), "{warning:?} not logged:\n{log}");
    }
    let _ = std::fs::remove_file(&ca_file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_test_mode_test_names_are_refused_and_nothing_is_logged_as_unsafe() {
    let serve = Serve::start(&[]);
    let url = format!("{}/api/v1/mx-probe?host=mx1.healthy.test", serve.url);
    let (status, body) = get(&url).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid-host");
    assert!(!serve.log().contains("UNSAFE"), "{}", serve.log());
}

#[test]
fn every_test_option_is_refused_without_the_loopback_flag() {
    for (flag, value) in [
        ("--unsafe-smtp-port-for-tests", "2525"),
        ("--unsafe-https-port-for-tests", "8443"),
        (
            "--unsafe-resolver-for-tests",
            "http://127.0.0.1:8053/dns-query",
        ),
        ("--unsafe-test-ca", "ca.pem"),
    ] {
        let out = stslens()
            .args(["serve", "--relay", "--relay-only", flag, value])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains("--unsafe-allow-loopback-for-tests"),
            "{flag}: {stderr}"
        );
    }
    let out = stslens()
        .args(["serve", "--unsafe-allow-loopback-for-tests"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the allowance needs --relay");
}

#[test]
fn unusable_test_options_stop_startup_with_exit_2() {
    let loopback = ["serve", "--relay", "--relay-only", "--addr", "127.0.0.1:0"];
    let cases = [
        (
            vec![
                "--unsafe-resolver-for-tests",
                "https://dns.google/dns-query",
            ],
            "is not a resolver on a loopback address",
        ),
        (
            vec!["--unsafe-test-ca", "/nonexistent/ca.pem"],
            "--unsafe-test-ca /nonexistent/ca.pem",
        ),
    ];
    for (args, message) in cases {
        let out = stslens()
            .args(loopback)
            .arg("--unsafe-allow-loopback-for-tests")
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn the_test_options_are_hidden_from_help() {
    let out = stslens().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--relay"), "{help}");
    assert!(!help.to_lowercase().contains("unsafe"), "{help}");
}
