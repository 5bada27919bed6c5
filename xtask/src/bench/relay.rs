//! Relay load: 200 concurrent MX probes through `stslens serve --relay` against a loopback SMTP
//! fake, with the server's latency, peak memory and sockets measured from outside.
//!
//! Set-up, all on loopback, release builds:
//! - `stslens-fakes` with one SMTP fake (healthy, STARTTLS, certificate for `*.load.test` from
//!   the fakes' CA) and a fake DoH resolver mapping `mx0.load.test` ... `mx999.load.test` to
//!   127.0.0.1;
//! - `stslens serve --relay --relay-only --trust-proxy` with the hidden test options (loopback
//!   allowance, the fake's SMTP port, the fake resolver, the fakes' CA) and otherwise the
//!   **production limits** (`Limits::default()`): nothing is raised for the benchmark.
//!
//! What is fired, and why:
//! - 200 requests released together by a barrier, each for a distinct host (so the per-host cache
//!   never answers: every request is a full lookup + probe) and each with its own
//!   `X-Forwarded-For` address, as 200 users behind the reverse proxy that `--trust-proxy` is
//!   for. The per-client rate limit (burst 20) therefore does not refuse them, while the global
//!   concurrency cap (32) does its job: 168 requests queue for a slot (at most 2 s, else 429).
//!   The latency percentiles include that queueing; the answers are counted by status.
//! - Every 200 answer is read back: STARTTLS seen and the chain valid (the test CA), so the
//!   figures are for real probes, not for quick errors.
//!
//! Memory and sockets, from `/proc/<pid>` of the server:
//! - peak RSS (`VmHWM`) of a fresh server after 20 probes, and of another after each of five
//!   batches of 200 (1,000 distinct hosts). The working memory follows the probes *in flight*
//!   (at most 32, plus the queued requests), not the number made; after the first batch, what
//!   remains per probe is the state kept on purpose (the cached answer, the client's bucket,
//!   both capped), which the budget bounds ([`PER_PROBE_BUDGET`]);
//! - open sockets (`/proc/<pid>/fd` entries that are sockets) after start-up and again once the
//!   run has settled (polled until it returns to the start-up count, at most 10 s). The test
//!   resolver keeps no idle connection, and clients send `Connection: close`, so any socket
//!   beyond the start-up ones is a leak.

use super::{Ctx, Figure};
use serde_json::{Value, json};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Concurrent probes of one batch.
const PROBES: usize = 200;
/// Batches fired one after the other at the same server (distinct hosts throughout).
const BATCHES: usize = 5;
/// Probes of the small run that memory is compared with.
const FEW: usize = 20;
/// The production concurrency cap (`Limits::default().max_concurrent`), for the report.
const CAP: usize = 32;
/// Most peak RSS that each probe after the first batch may add, on average, in bytes. What the
/// relay keeps on purpose per distinct host and client is a cached answer (about 0.7 KiB of JSON
/// here plus its entry; at most 4,096 answers, for 60 s) and a rate-limit bucket (at most 100,000
/// clients): about 1 KiB, plus allocator slack. A leaked connection (its socket, TLS state and
/// buffers) would hold 16 KiB or more.
const PER_PROBE_BUDGET: u64 = 8 * 1024;

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Vec<Figure>, String> {
    let dir = ctx.scratch.join("relay");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (stslens, fakes_bin) = build(&ctx.root)?;
    let fakes = Fakes::start(&fakes_bin, &dir)?;

    eprintln!("xtask bench: relay: {FEW} probes on a fresh server");
    let mut small = Server::start(&stslens, &fakes, &dir, "20")?;
    let few_idle_rss = small.peak_rss_kib()?;
    let few = fire(small.addr, 0..FEW)?;
    let mut sockets = vec![(small.sockets, small.settle()?)];
    let few_rss = small.peak_rss_kib()?;
    drop(small);

    let mut server = Server::start(&stslens, &fakes, &dir, "200")?;
    let mut batches = Vec::new();
    let mut rss = Vec::new();
    for b in 0..BATCHES {
        eprintln!(
            "xtask bench: relay: {PROBES} concurrent probes, batch {} of {BATCHES}",
            b + 1
        );
        batches.push(fire(server.addr, b * PROBES..(b + 1) * PROBES)?);
        sockets.push((server.sockets, server.settle()?));
        rss.push(server.peak_rss_kib()?);
    }
    drop(server);
    drop(fakes);

    let (first, last) = (&batches[0], &batches[BATCHES - 1]);
    let all_ok = few.verified == few.sent && batches.iter().all(|b| b.verified == b.sent);
    let later_probes = ((BATCHES - 1) * PROBES) as u64;
    let per_probe = rss[BATCHES - 1].saturating_sub(rss[0]) * 1024 / later_probes;
    let leaked: usize = sockets.iter().map(|(b, a)| a.saturating_sub(*b)).sum();
    let rss_list: Vec<String> = rss
        .iter()
        .map(|&k| format!("{:.1}", k as f64 / 1024.0))
        .collect();
    let settled: Vec<String> = sockets.iter().map(|(_, after)| after.to_string()).collect();
    Ok(vec![
        Figure {
            name: format!("relay: {PROBES} concurrent probes (cap {CAP}), answers"),
            value: first.by_status(),
            budget: format!("{PROBES} answered, all probes"),
            met: Some(all_ok),
        },
        info(
            &format!("relay: {PROBES} probes, latency p50 / p95 / p99 / max"),
            first.percentiles(),
        ),
        info(
            &format!("relay: batch {BATCHES} (same server), p50 / p95 / p99 / max"),
            last.percentiles(),
        ),
        info(
            &format!("relay: peak RSS idle / {FEW} / {PROBES} probes"),
            format!("{} / {} / {}", mib(few_idle_rss), mib(few_rss), mib(rss[0])),
        ),
        Figure {
            name: format!(
                "relay: peak RSS after each {PROBES} of {} probes",
                BATCHES * PROBES
            ),
            value: format!(
                "{} MiB (then {:.1} KiB/probe; answers {:.1} KiB)",
                rss_list.join(", "),
                per_probe as f64 / 1024.0,
                last.answer_bytes as f64 / 1024.0 / last.sent as f64
            ),
            budget: format!("<= {} KiB/probe", PER_PROBE_BUDGET / 1024),
            met: Some(per_probe <= PER_PROBE_BUDGET),
        },
        Figure {
            name: "relay: open sockets at start / after each run".into(),
            value: format!(
                "{} / {} ({leaked} leaked)",
                sockets[0].0,
                settled.join(", ")
            ),
            budget: "0 leaked".into(),
            met: Some(leaked == 0),
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

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The release `stslens` and `stslens-fakes`, built now so they are current.
fn build(root: &Path) -> Result<(PathBuf, PathBuf), String> {
    eprintln!("xtask bench: building stslens and stslens-fakes (release)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--release", "--quiet"])
        .args(["-p", "stslens-web", "--bin", "stslens"])
        .args(["-p", "stslens-e2e", "--bin", "stslens-fakes"])
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build --release failed: {status}"));
    }
    let release = crate::site::target_dir().join("release");
    Ok((release.join("stslens"), release.join("stslens-fakes")))
}

/// Kills and reaps a child we started when dropped, so that no benchmark process outlives a
/// failed run.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `stslens-fakes` running the load scenario. Dropping it closes the fakes' standard input (their
/// signal to stop), then kills and reaps the process.
struct Fakes {
    _stdin: Option<ChildStdin>,
    _child: Reaped,
    doh_url: String,
    smtp_port: u16,
    ca_file: PathBuf,
}

impl Fakes {
    fn start(bin: &Path, dir: &Path) -> Result<Fakes, String> {
        let records: Vec<Value> = (0..BATCHES * PROBES)
            .map(|i| json!({"name": format!("mx{i}.load.test"), "type": "A", "address": "127.0.0.1"}))
            .collect();
        let scenario = json!({
            "zone": {"records": records},
            "smtp": {"*.load.test": {"kind": "healthy"}},
        });
        let path = dir.join("scenario.json");
        std::fs::write(&path, scenario.to_string()).map_err(|e| format!("{e}"))?;
        let log = File::create(dir.join("fakes.log")).map_err(|e| format!("{e}"))?;
        let mut child = Command::new(bin)
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let child = Reaped(child);
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("stslens-fakes: {e}"))?;
        let endpoints: Value = serde_json::from_str(&line)
            .map_err(|e| format!("stslens-fakes printed {line:?}: {e}"))?;
        let smtp: SocketAddr = endpoints["smtp"]["*.load.test"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("no SMTP fake in {line}"))?;
        let ca_file = dir.join("ca.pem");
        let ca = endpoints["ca_pem"].as_str().ok_or("no ca_pem")?;
        std::fs::write(&ca_file, ca).map_err(|e| format!("{e}"))?;
        Ok(Fakes {
            _stdin: stdin,
            _child: child,
            doh_url: endpoints["doh_url"]
                .as_str()
                .ok_or("no doh_url")?
                .to_owned(),
            smtp_port: smtp.port(),
            ca_file,
        })
    }
}

/// A running `stslens serve --relay`.
struct Server {
    child: Reaped,
    addr: SocketAddr,
    /// Open sockets after start-up.
    sockets: usize,
}

impl Server {
    fn start(bin: &Path, fakes: &Fakes, dir: &Path, name: &str) -> Result<Server, String> {
        let log_path = dir.join(format!("serve-{name}.log"));
        let log = File::create(&log_path).map_err(|e| format!("{e}"))?;
        let child = Command::new(bin)
            .args(["serve", "--relay", "--relay-only", "--addr", "127.0.0.1:0"])
            .arg("--trust-proxy")
            .arg("--unsafe-allow-loopback-for-tests")
            .args(["--unsafe-smtp-port-for-tests", &fakes.smtp_port.to_string()])
            .args(["--unsafe-resolver-for-tests", &fakes.doh_url])
            .arg("--unsafe-test-ca")
            .arg(&fakes.ca_file)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let child = Reaped(child);
        let started = Instant::now();
        let addr = loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let found = text.lines().find_map(|l| {
                let (_, rest) = l.split_once("listening on http://")?;
                rest.split_whitespace().next()?.parse::<SocketAddr>().ok()
            });
            if let Some(addr) = found {
                break addr;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("stslens serve did not start: {text}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let sockets = sockets(child.0.id())?;
        Ok(Server {
            child,
            addr,
            sockets,
        })
    }

    /// Waits until the open sockets are back to the start-up count (at most 10 s) and returns
    /// the count then.
    fn settle(&mut self) -> Result<usize, String> {
        let started = Instant::now();
        loop {
            let now = sockets(self.child.0.id())?;
            if now <= self.sockets || started.elapsed() > Duration::from_secs(10) {
                return Ok(now);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `VmHWM`: the peak resident set size of the process so far, KiB.
    fn peak_rss_kib(&self) -> Result<u64, String> {
        let path = format!("/proc/{}/status", self.child.0.id());
        let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no VmHWM in {path}"))
    }
}

/// Entries of `/proc/<pid>/fd` that are sockets.
fn sockets(pid: u32) -> Result<usize, String> {
    let dir = format!("/proc/{pid}/fd");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?;
    Ok(entries
        .filter_map(Result::ok)
        // An fd closed between the listing and the readlink is simply not counted.
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count())
}

/// The outcome of one batch of concurrent probes.
struct Batch {
    sent: usize,
    /// (status, count), by status; 0 for no answer.
    statuses: Vec<(u16, usize)>,
    /// 200 answers that show a real probe: STARTTLS and a valid chain.
    verified: usize,
    /// Sorted latencies of answered requests.
    latencies: Vec<Duration>,
    /// Bytes of the answers' bodies (what the result cache keeps).
    answer_bytes: usize,
}

impl Batch {
    fn by_status(&self) -> String {
        let parts: Vec<String> = self
            .statuses
            .iter()
            .map(|(status, n)| match status {
                0 => format!("{n} unanswered"),
                _ => format!("{n} x {status}"),
            })
            .collect();
        format!("{} ({} verified probes)", parts.join(", "), self.verified)
    }

    fn percentiles(&self) -> String {
        let at = |q: f64| {
            let n = self.latencies.len();
            if n == 0 {
                return "-".to_owned();
            }
            let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
            format!("{:.0}", self.latencies[i].as_secs_f64() * 1000.0)
        };
        format!(
            "{} / {} / {} / {} ms",
            at(0.50),
            at(0.95),
            at(0.99),
            at(1.0)
        )
    }
}

/// Fires one request per host index in `hosts`, all released together, each from its own
/// forwarded client address.
fn fire(addr: SocketAddr, hosts: std::ops::Range<usize>) -> Result<Batch, String> {
    let sent = hosts.len();
    let barrier = Arc::new(Barrier::new(sent));
    let threads: Vec<_> = hosts
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    barrier.wait();
                    probe(addr, i)
                })
                .map_err(|e| format!("cannot start a client thread: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let mut statuses = std::collections::BTreeMap::new();
    let (mut verified, mut latencies, mut answer_bytes) = (0, Vec::new(), 0);
    for thread in threads {
        let outcome = thread.join().map_err(|_| "a client thread panicked")?;
        let status = match outcome {
            Ok((status, body, latency)) => {
                latencies.push(latency);
                answer_bytes += body.len();
                verified += usize::from(status == 200 && is_real_probe(&body));
                status
            }
            Err(_) => 0,
        };
        *statuses.entry(status).or_insert(0) += 1;
    }
    latencies.sort();
    Ok(Batch {
        sent,
        statuses: statuses.into_iter().collect(),
        verified,
        latencies,
        answer_bytes,
    })
}

/// One `GET /api/v1/mx-probe` over its own connection: status, body and latency.
fn probe(addr: SocketAddr, i: usize) -> Result<(u16, Vec<u8>, Duration), String> {
    let client = Ipv4Addr::from(0x0a00_0000 + i as u32);
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    // Longer than the relay's longest answer (2 s slot wait + 5 s lookup + 30 s probe).
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET /api/v1/mx-probe?host=mx{i}.load.test HTTP/1.1\r\nHost: {addr}\r\n\
         X-Forwarded-For: {client}\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| e.to_string())?;
    let latency = started.elapsed();
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.as_bytes().to_vec())
        .unwrap_or_default();
    Ok((status, body, latency))
}

/// The answer of a probe that really happened: STARTTLS and a chain from the fakes' CA.
fn is_real_probe(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .is_ok_and(|v| v["starttls"] == true && v["chain_valid"] == true)
}
