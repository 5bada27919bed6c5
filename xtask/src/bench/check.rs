//! A domain check against its critical path: `stslens check` on a fake network that adds the
//! same latency `L` before every answer, wall time divided by the critical path (budget ≤ 1.2,
//! design §7).
//!
//! The network: `stslens-fakes` (release) serves a healthy enforce-mode domain with three MX
//! hosts, each SMTP fake on its own loopback address, and waits `L` before every DNS response,
//! every HTTP response of the policy host, and every SMTP reply (the greeting included). TCP
//! connects and TLS handshakes on loopback are not delayed.
//!
//! The critical path, from core's own plan ([`Plan::critical_path`]) and `L`: each step costs
//! the answers it waits for, times `L`; a step starts when the steps it needs have finished.
//! - a DNS lookup: 1 answer;
//! - the policy fetch: 1 (the HTTP response), after the A/AAAA of `mta-sts.<domain>`;
//! - a STARTTLS probe: 4 (greeting, EHLO, STARTTLS, QUIT), after its MX host's A/AAAA, which
//!   come after the MX lookup.
//!
//! So round 1's slowest chain is A `mta-sts` → fetch (2L), round 2's is MX → A `<mx>` →
//! probe (1L + 1L + 4L), and the critical path is 6L: the best a check can do when every step
//! of a round runs at once and nothing waits for what it does not need. A runner that did
//! rounds one after the other (round 1 entirely, then all addresses, then all probes) would
//! take 7L; one lookup at a time, about 20L.
//!
//! Measured: the wall time of the whole `stslens check --json` process (start-up, TLS set-up
//! and output included), median of several runs after a warm-up. The run must be the real
//! thing: each report is read back and must say `enforced` with all three MX hosts passing.

use super::{Ctx, Figure};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use stslens_core::check::{Plan, PlanOptions, Step};
use stslens_core::dns::{Lookup, Mx, Record, RecordData, RecordType, Status};
use stslens_core::name::{DomainName, TrailingDot};

/// The latency added to every answer.
const LATENCY_MS: u64 = 100;
const RUNS: usize = 7;
const BUDGET: f64 = 1.2;
const DOMAIN: &str = "bench-mail.net";
const MX_HOSTS: [&str; 3] = [
    "mx1.bench-mail.net",
    "mx2.bench-mail.net",
    "mx3.bench-mail.net",
];

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Vec<Figure>, String> {
    let dir = ctx.scratch.join("check");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (stslens, fakes) = build(&ctx.root)?;
    let scenario = dir.join("scenario.json");
    write(&scenario, &scenario_json().to_string())?;

    let running = Fakes::start(&fakes, &scenario)?;
    let ca = dir.join("ca.pem");
    write(
        &ca,
        running.endpoints["ca_pem"].as_str().unwrap_or_default(),
    )?;
    let args = running.check_args(&ca)?;

    let (critical_ms, chain) = critical_path();
    eprintln!("xtask bench: check: warm-up run");
    let warm = check_once(&stslens, &args)?;
    verify(&warm.report)?;
    let mut runs = Vec::new();
    for n in 1..=RUNS {
        eprintln!("xtask bench: check: run {n} of {RUNS}");
        let run = check_once(&stslens, &args)?;
        verify(&run.report)?;
        runs.push(run);
    }
    drop(running);

    runs.sort_by_key(|r| r.wall);
    let median = &runs[RUNS / 2];
    let critical = Duration::from_millis(critical_ms);
    let ratio = median.wall.as_secs_f64() / critical.as_secs_f64();
    let inner = median.report["timeline"]["elapsed_ms"]
        .as_u64()
        .unwrap_or(0);
    let observed: Vec<&str> = median.report["timeline"]["critical_path"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    Ok(vec![
        info(
            "check: critical path (from the plan)",
            format!(
                "{critical_ms} ms = {} L, L = {LATENCY_MS} ms: {}",
                critical_ms / LATENCY_MS,
                chain.join(" → ")
            ),
        ),
        info(
            "check: stslens check, 3 MX hosts, wall time",
            format!(
                "median {} ms (min {}, max {}) of {RUNS} runs; steps done at {inner} ms",
                median.wall.as_millis(),
                runs[0].wall.as_millis(),
                runs[RUNS - 1].wall.as_millis()
            ),
        ),
        info("check: slowest chain observed", observed.join(" → ")),
        Figure {
            name: "check: wall time / critical path".into(),
            value: format!("{ratio:.3}"),
            budget: format!("<= {BUDGET}"),
            met: Some(ratio <= BUDGET),
        },
    ])
}

fn info(name: &str, value: String) -> Figure {
    Figure {
        name: name.to_owned(),
        value,
        budget: String::new(),
        met: None,
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The critical path of the benchmark domain's plan at [`LATENCY_MS`] per answer.
fn critical_path() -> (u64, Vec<String>) {
    let name = |s: &str| DomainName::parse(s, TrailingDot::Refuse).expect("a valid name");
    let mut plan = Plan::new(name(DOMAIN), PlanOptions::native());
    let mx = Lookup {
        name: DOMAIN.into(),
        record_type: RecordType::Mx,
        status: Status::Answer,
        authenticated: false,
        cname_chain: Vec::new(),
        records: MX_HOSTS
            .iter()
            .zip([10u16, 20, 30])
            .map(|(host, preference)| Record {
                ttl: 300,
                data: RecordData::Mx(Mx {
                    preference,
                    exchange: (*host).into(),
                }),
            })
            .collect(),
        negative_ttl: None,
    };
    plan.add_mx_hosts(&mx);
    let (total, chain) = plan.critical_path(|step| match step {
        Step::MxProbe { .. } => 4 * LATENCY_MS,
        _ => LATENCY_MS,
    });
    (total, chain.iter().map(Step::id).collect())
}

/// A healthy enforce domain with three MX hosts on 127.0.0.2-4 (one shared port) and a DANE
/// record on the first.
fn scenario_json() -> Value {
    let mut records = vec![
        serde_json::json!({"name": format!("_mta-sts.{DOMAIN}"), "type": "TXT", "strings": ["v=STSv1; id=20240301T120000;"]}),
        serde_json::json!({"name": format!("_smtp._tls.{DOMAIN}"), "type": "TXT", "strings": [format!("v=TLSRPTv1; rua=mailto:tlsrpt@{DOMAIN}")]}),
        serde_json::json!({"name": format!("mta-sts.{DOMAIN}"), "type": "A", "address": "127.0.0.1"}),
        serde_json::json!({"name": format!("_25._tcp.{}", MX_HOSTS[0]), "type": "TLSA", "usage": 3, "selector": 1, "matching_type": 1, "data": "ab".repeat(32)}),
    ];
    let mut smtp = serde_json::Map::new();
    let mut ips = serde_json::Map::new();
    for (i, host) in MX_HOSTS.iter().enumerate() {
        let ip = format!("127.0.0.{}", i + 2);
        records.push(serde_json::json!({"name": DOMAIN, "type": "MX", "preference": 10 * (i + 1), "exchange": host}));
        records.push(serde_json::json!({"name": host, "type": "A", "address": ip}));
        smtp.insert((*host).into(), serde_json::json!({"kind": "healthy"}));
        ips.insert((*host).into(), Value::String(ip));
    }
    let policy = format!("version: STSv1\nmode: enforce\nmx: *.{DOMAIN}\nmax_age: 604800\n");
    serde_json::json!({
        "zone": {"records": records, "authenticated": true},
        "policy_sites": {DOMAIN: {"answer": {"kind": "policy", "body": policy, "content_type": "text/plain"}}},
        "smtp": smtp,
        "smtp_ips": ips,
        "latency_ms": LATENCY_MS,
    })
}

fn build(root: &Path) -> Result<(PathBuf, PathBuf), String> {
    eprintln!("xtask bench: check: building stslens and stslens-fakes (release)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "stslens-web",
            "--bin",
            "stslens",
        ])
        .args(["-p", "stslens-e2e", "--bin", "stslens-fakes"])
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build --release failed: {status}"));
    }
    let release = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("release");
    Ok((release.join("stslens"), release.join("stslens-fakes")))
}

/// The fakes process; it exits when its standard input closes, and is killed if it does not.
struct Fakes {
    child: Child,
    endpoints: Value,
}

impl Fakes {
    fn start(binary: &Path, scenario: &Path) -> Result<Fakes, String> {
        let mut child = Command::new(binary)
            .arg(scenario)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout from stslens-fakes")?;
        let read = BufReader::new(stdout).read_line(&mut line);
        let mut fakes = Fakes {
            child,
            endpoints: Value::Null,
        };
        read.map_err(|e| format!("reading stslens-fakes: {e}"))?;
        fakes.endpoints = serde_json::from_str(&line)
            .map_err(|e| format!("stslens-fakes printed {line:?}: {e}"))?;
        Ok(fakes)
    }

    /// The `stslens check` arguments that point it at these fakes.
    fn check_args(&self, ca: &Path) -> Result<Vec<String>, String> {
        let e = &self.endpoints;
        let port = |addr: &Value| -> Result<String, String> {
            addr.as_str()
                .and_then(|a| a.rsplit(':').next())
                .map(str::to_owned)
                .ok_or_else(|| format!("no port in {addr}"))
        };
        let smtp_port = port(&e["smtp"][MX_HOSTS[0]])?;
        Ok(vec![
            "check".into(),
            DOMAIN.into(),
            "--json".into(),
            "--doh".into(),
            e["doh_url"].as_str().unwrap_or_default().into(),
            "--unsafe-test-ca".into(),
            ca.display().to_string(),
            "--unsafe-test-https-port".into(),
            port(&e["policy_addr"])?,
            "--unsafe-test-smtp-port".into(),
            smtp_port,
        ])
    }
}

impl Drop for Fakes {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Run {
    wall: Duration,
    report: Value,
}

fn check_once(stslens: &Path, args: &[String]) -> Result<Run, String> {
    let start = Instant::now();
    let out = Command::new(stslens)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", stslens.display()))?;
    let wall = start.elapsed();
    if out.status.code() != Some(0) {
        let _ = std::io::stderr().write_all(&out.stderr);
        return Err(format!("stslens check exited with {}", out.status));
    }
    let report = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("stslens check printed no JSON report: {e}"))?;
    Ok(Run { wall, report })
}

/// The report of a real, complete, healthy check.
fn verify(report: &Value) -> Result<(), String> {
    let status = report["verdict"]["status"].as_str().unwrap_or("?");
    let passing = report["mx"]["hosts"]
        .as_array()
        .map(|hosts| {
            hosts
                .iter()
                .filter(|h| h["sender"]["action"] == "deliver-tls")
                .count()
        })
        .unwrap_or(0);
    if status != "enforced" || passing != MX_HOSTS.len() {
        return Err(format!(
            "the benchmark check is not healthy: verdict {status}, {passing} of {} MX hosts pass: {}",
            MX_HOSTS.len(),
            report["verdict"]["summary"]
        ));
    }
    Ok(())
}
