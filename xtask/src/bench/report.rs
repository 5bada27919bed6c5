//! Report ingestion: `stslens report --json` against parsedmarc on the same 3,000 gzip reports.
//!
//! What is compared, and why it is fair:
//! - The same files: 3,000 realistic gzip TLS-RPT reports generated here (deterministically) in
//!   the scratch directory, in the form both tools accept (parsedmarc requires `policy-domain`
//!   and `contact-info`, so every report has them). Every report-id is unique, so deduplication
//!   (which only stslens does) changes nothing.
//! - The same work, end to end, as a user runs each tool: one process over all files, reading,
//!   gunzipping, parsing and validating every report, and writing one JSON document to a file.
//!   parsedmarc (`parsedmarc --offline FILES...`, its default single process, no DNS) prints
//!   every parsed report; stslens prints the aggregate. parsedmarc parses on one thread;
//!   stslens reads and parses on one thread per core and counts on its main thread, which is
//!   why CPU time (user + system, all threads) is reported beside wall time.
//! - The same answer: both outputs are read back and must count the same reports and the same
//!   successful and failed sessions as the generator wrote; otherwise the benchmark fails.
//! - Each tool runs once to warm the page cache (and parsedmarc's bytecode cache), then three
//!   times, the two tools taking turns; the fastest run of each counts, which is the least
//!   disturbed by other load. The warm-up runs are checked but not counted. Every counted run's
//!   wall time is printed too: on a shared machine the spread says how far to trust the ratio.
//!
//! Beside them it times the floor: only opening, reading and closing the same files in this
//! process. parsedmarc's time divided by that floor is the highest ratio any tool could reach on
//! this machine, which shows how much of the gap is file-system cost rather than parsing.
//!
//! It also measures stslens's peak RSS (`/usr/bin/time -v`, in runs of their own) on all 3,000
//! files and on the first 750 (both sets hold reports of the largest size), beside the largest
//! report's size: memory follows the largest input, not the file count.

use super::{Ctx, Figure};
use serde_json::Value;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// parsedmarc, pinned.
const PARSEDMARC: &str = "11.1.0";
pub(super) const REPORTS: usize = 3_000;
const RUNS: usize = 3;
/// Every this many reports, one very large report (many failure details).
const LARGE_EVERY: usize = 750;
const BUDGET: f64 = 50.0;

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Vec<Figure>, String> {
    let dir = ctx.scratch.join("report");
    let corpus = generate(&dir)?;
    let parsedmarc = install_parsedmarc(&ctx.root)?;
    let stslens = build_stslens(&ctx.root)?;

    let files: Vec<String> = corpus.files.clone();
    let few: Vec<String> = files[..REPORTS / 4].to_vec();
    let stslens_cmd = |files: &[String]| {
        let mut c = Command::new(&stslens);
        c.arg("report").arg("--json").args(files);
        c
    };
    let parsedmarc_cmd = || {
        let mut c = Command::new(&parsedmarc);
        c.arg("--offline").args(&files);
        c
    };

    eprintln!("xtask bench: report: warm-up runs (checked, not counted)");
    measure(&dir, stslens_cmd(&files), "stslens.json")?;
    check_stslens(&dir.join("stslens.json"), &corpus)?;
    measure(&dir, parsedmarc_cmd(), "parsedmarc.json")?;
    check_parsedmarc(&dir.join("parsedmarc.json"), &corpus)?;

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 1..=RUNS {
        eprintln!("xtask bench: report: run {run} of {RUNS}");
        ours.push(measure(&dir, stslens_cmd(&files), "stslens.json")?);
        theirs.push(measure(&dir, parsedmarc_cmd(), "parsedmarc.json")?);
    }
    let (best_ours, best_theirs) = (fastest(&ours), fastest(&theirs));
    check_stslens(&dir.join("stslens.json"), &corpus)?;
    check_parsedmarc(&dir.join("parsedmarc.json"), &corpus)?;
    let rss_ours = peak_rss(&dir, stslens_cmd(&files), "stslens.json")?;
    let rss_few = peak_rss(&dir, stslens_cmd(&few), "stslens-750.json")?;
    let rss_theirs = peak_rss(&dir, parsedmarc_cmd(), "parsedmarc.json")?;
    let floor = read_floor(&dir, &files)?;

    let ratio = best_theirs.wall.as_secs_f64() / best_ours.wall.as_secs_f64();
    let per_second = |m: &Measured| REPORTS as f64 / m.wall.as_secs_f64();
    Ok(vec![
        info(
            "report: stslens report --json, 3,000 gzip reports",
            format!(
                "{:.3} s wall, {:.2} s CPU ({:.0} reports/s)",
                best_ours.wall.as_secs_f64(),
                best_ours.cpu,
                per_second(&best_ours)
            ),
        ),
        info(
            &format!("report: parsedmarc {PARSEDMARC} --offline, same files"),
            format!(
                "{:.2} s wall, {:.2} s CPU ({:.0} reports/s)",
                best_theirs.wall.as_secs_f64(),
                best_theirs.cpu,
                per_second(&best_theirs)
            ),
        ),
        info(
            "report: each run, stslens / parsedmarc (wall)",
            format!(
                "{} ms / {} s",
                walls(&ours, |wall| format!("{:.1}", wall * 1e3)),
                walls(&theirs, |wall| format!("{wall:.2}"))
            ),
        ),
        info(
            "report: only opening and reading the same files (no parsing)",
            format!(
                "{:.3} s on one thread: at most {:.0}x is possible here",
                floor.as_secs_f64(),
                best_theirs.wall.as_secs_f64() / floor.as_secs_f64()
            ),
        ),
        Figure {
            name: "report: throughput vs parsedmarc".into(),
            value: format!("{ratio:.0}x"),
            budget: format!(">= {BUDGET:.0}x"),
            met: Some(ratio >= BUDGET),
        },
        info(
            "report: sessions counted (both agree)",
            format!(
                "{} successful, {} failed in {} reports",
                corpus.successful, corpus.failed, REPORTS
            ),
        ),
        info(
            "report: stslens peak RSS, 3,000 / 750 files",
            format!("{} / {}", mib(rss_ours), mib(rss_few)),
        ),
        info("report: parsedmarc peak RSS, 3,000 files", mib(rss_theirs)),
        info(
            "report: largest report (decompressed), all reports",
            format!(
                "{:.0} KiB, {:.1} MiB in total",
                corpus.largest as f64 / 1024.0,
                corpus.total as f64 / 1024.0 / 1024.0
            ),
        ),
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

// ── Measuring ────────────────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, Copy)]
struct Measured {
    wall: Duration,
    /// User plus system time of all threads, seconds.
    cpu: f64,
}

/// The run with the least wall time: the one least disturbed by other load on the machine.
fn fastest(runs: &[Measured]) -> Measured {
    *runs
        .iter()
        .min_by_key(|m| m.wall)
        .expect("at least one run")
}

/// The wall times of `runs` in the order they ran, each given to `format` in seconds, so that the
/// spread (how noisy the machine was) shows beside the fastest.
fn walls(runs: &[Measured], format: impl Fn(f64) -> String) -> String {
    let each: Vec<String> = runs.iter().map(|m| format(m.wall.as_secs_f64())).collect();
    each.join(", ")
}

/// Runs `command` in `dir`, stdout to `output`, and returns its wall time and CPU time. Fails
/// unless it exits 0.
///
/// The child is spawned and reaped here with `wait4`, which returns its resource usage, rather
/// than run under `/usr/bin/time -v`: GNU time itself took about 4 ms with 3,000 file arguments
/// (`perf stat` on `/usr/bin/time -v /bin/true FILES...`, 5.5 ms against 1.5 ms for `/bin/true
/// FILES...`), about 13 % of stslens's run and 0.3 % of parsedmarc's, so the wrapper charged its
/// own cost mostly to the faster tool.
fn measure(dir: &Path, mut command: Command, output: &str) -> Result<Measured, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = File::create(dir.join(output)).map_err(|e| format!("{output}: {e}"))?;
    let err_path = dir.join(format!("{output}.stderr"));
    let err = File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;
    let start = Instant::now();
    let child = command
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; `status` and `usage` are valid for writes. The
    // `Child` is not waited on afterwards (dropping it does not wait).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if reaped != pid {
        return Err(format!(
            "waiting for {program}: {}",
            std::io::Error::last_os_error()
        ));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        return Err(failed(&program, &format!("wait status {status}"), &stderr));
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Measured {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
    })
}

/// Runs `command` in `dir` under `/usr/bin/time -v`, stdout to `output`, and returns its peak
/// RSS in KiB. Fails unless it exits 0.
///
/// Not `wait4`'s `ru_maxrss`: Linux carries the high-water mark of the memory a process had
/// before `exec` into it, so a child spawned straight from this process (tens of MiB) would
/// report this process's size. GNU time is small, so the peak it reports is the tool's own.
fn peak_rss(dir: &Path, command: Command, output: &str) -> Result<u64, String> {
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-v")
        .arg(command.get_program())
        .args(command.get_args());
    let out = File::create(dir.join(output)).map_err(|e| format!("{output}: {e}"))?;
    let result = timed
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time (Debian package `time`): {e}"))?;
    let stderr = String::from_utf8_lossy(&result.stderr);
    if !result.status.success() {
        let program = command.get_program().to_string_lossy();
        return Err(failed(&program, &result.status.to_string(), &stderr));
    }
    let name = "Maximum resident set size (kbytes): ";
    stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix(name))
        .ok_or_else(|| format!("no \"{name}\" in the output of /usr/bin/time -v"))?
        .trim()
        .parse()
        .map_err(|e| format!("{name}{e}"))
}

/// The error for a tool that did not exit 0: its name, how it ended and the last 30 lines it
/// wrote on stderr.
fn failed(program: &str, how: &str, stderr: &str) -> String {
    let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!("{program} failed ({how}): {}", tail.join("\n"))
}

fn check_stslens(output: &Path, corpus: &Corpus) -> Result<(), String> {
    let v = read_json(output)?;
    let got = (
        v["reports"].as_u64(),
        v["totals"]["successful_sessions"].as_u64(),
        v["totals"]["failed_sessions"].as_u64(),
    );
    let want = (
        Some(REPORTS as u64),
        Some(corpus.successful),
        Some(corpus.failed),
    );
    if got != want || v["errors"].as_array().is_none_or(|e| !e.is_empty()) {
        return Err(format!(
            "stslens counted {got:?}, the generator wrote {want:?}; errors {}",
            v["errors"]
        ));
    }
    Ok(())
}

fn check_parsedmarc(output: &Path, corpus: &Corpus) -> Result<(), String> {
    let v = read_json(output)?;
    let reports = v["smtp_tls_reports"]
        .as_array()
        .ok_or("parsedmarc printed no smtp_tls_reports")?;
    let (mut successful, mut failed) = (0, 0);
    for policy in reports
        .iter()
        .flat_map(|r| r["policies"].as_array().into_iter().flatten())
    {
        successful += policy["successful_session_count"].as_u64().unwrap_or(0);
        failed += policy["failed_session_count"].as_u64().unwrap_or(0);
    }
    let got = (reports.len(), successful, failed);
    let want = (REPORTS, corpus.successful, corpus.failed);
    if got != want {
        return Err(format!(
            "parsedmarc counted {got:?}, the generator wrote {want:?}"
        ));
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: not JSON: {e}", path.display()))
}

/// The least any tool could take on this machine: opening, reading and closing every file, in
/// this process on one thread, the fastest of [`RUNS`]. Set beside parsedmarc's time, it says
/// which ratio is possible at all here (system calls are costly in some virtual machines).
fn read_floor(dir: &Path, files: &[String]) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    let mut buffer = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        for file in files {
            buffer.clear();
            File::open(dir.join(file))
                .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut buffer))
                .map_err(|e| format!("{file}: {e}"))?;
        }
        best = best.min(start.elapsed());
    }
    Ok(best)
}

// ── Tools ────────────────────────────────────────────────────────────────────────────────────

/// parsedmarc in a venv under target/, installed from PyPI when missing.
fn install_parsedmarc(root: &Path) -> Result<PathBuf, String> {
    let venv = target_dir(root).join(format!("bench-tools/parsedmarc-{PARSEDMARC}"));
    let bin = venv.join("bin/parsedmarc");
    if bin.exists() {
        return Ok(bin);
    }
    eprintln!(
        "xtask bench: installing parsedmarc {PARSEDMARC} into {} (from PyPI)",
        venv.display()
    );
    run_ok(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        "python3 -m venv",
    )?;
    run_ok(
        Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("parsedmarc=={PARSEDMARC}"),
        ]),
        "pip install parsedmarc",
    )?;
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!("{} missing after pip install", bin.display()))
    }
}

/// The release `stslens`, built now so it is current.
fn build_stslens(root: &Path) -> Result<PathBuf, String> {
    eprintln!("xtask bench: building stslens (release)");
    run_ok(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(root)
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "stslens-web",
                "--bin",
                "stslens",
            ]),
        "cargo build --release -p stslens-web",
    )?;
    Ok(target_dir(root).join("release/stslens"))
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

fn run_ok(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {status}"))
    }
}

// ── The generated reports ────────────────────────────────────────────────────────────────────

pub(super) struct Corpus {
    /// File names, relative to the scratch directory.
    pub(super) files: Vec<String>,
    pub(super) successful: u64,
    pub(super) failed: u64,
    /// Largest report JSON, bytes.
    largest: usize,
    /// All report JSON, bytes.
    total: usize,
}

/// xorshift64*: deterministic, so every run (and both tools) sees the same reports.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// (organization-name, contact-info, submitter domain)
const ORGS: &[(&str, &str, &str)] = &[
    ("Google Inc.", "smtp-tls-reporting@google.com", "google.com"),
    ("Google Inc.", "smtp-tls-reporting@google.com", "google.com"),
    (
        "Microsoft Corporation",
        "tlsrpt-noreply@microsoft.com",
        "microsoft.com",
    ),
    (
        "Microsoft Corporation",
        "tlsrpt-noreply@microsoft.com",
        "microsoft.com",
    ),
    ("Mail.ru", "tls_support@corp.mail.ru", "mail.ru"),
    ("Yahoo Inc.", "tlsrpt@yahooinc.com", "yahoo.com"),
    ("Comcast", "tlsrpt@comcast.net", "comcast.net"),
    (
        "mx.relay.example",
        "postmaster@mx.relay.example",
        "relay.example",
    ),
    (
        "mail.sender.example",
        "smtp-tls-reporting@mail.sender.example",
        "sender.example",
    ),
];

const RESULT_TYPES: &[&str] = &[
    "starttls-not-supported",
    "certificate-host-mismatch",
    "certificate-expired",
    "certificate-not-trusted",
    "validation-failure",
    "tlsa-invalid",
    "dnssec-invalid",
    "dane-required",
    "sts-policy-fetch-error",
    "sts-policy-invalid",
    "sts-webpki-invalid",
];

const REASONS: &[&str] = &[
    "X509_V_ERR_CERT_HAS_EXPIRED",
    "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "bad https response code: 404",
    "Connection timed out",
    "tls handshake failure: no shared cipher",
];

/// Writes the reports as gzip files into `dir` (emptied first) and returns what was written.
pub(super) fn generate(dir: &Path) -> Result<Corpus, String> {
    eprintln!(
        "xtask bench: report: generating {REPORTS} gzip reports in {}",
        dir.display()
    );
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let domains: Vec<String> = (0..40).map(|i| format!("customer{i:02}.example")).collect();
    let ips: Vec<String> = (0..300)
        .map(|i| {
            if i % 5 == 0 {
                format!("2001:db8:{i:x}::25")
            } else {
                format!("198.51.{}.{}", i / 200, i % 200 + 1)
            }
        })
        .collect();
    let mut rng = Rng(0x5EED_7153_0000_0001);
    let mut corpus = Corpus {
        files: Vec::new(),
        successful: 0,
        failed: 0,
        largest: 0,
        total: 0,
    };
    for i in 0..REPORTS {
        let (org, contact, submitter) = *rng.pick(ORGS);
        let day = (i % 90) as u64;
        let (date, start) = date_of(day);
        let mut policies = Vec::new();
        for p in 0..1 + rng.below(3) {
            let domain = rng.pick(&domains).clone();
            let successful = rng.below(5_000) * rng.below(10);
            let details_wanted = if i % LARGE_EVERY == LARGE_EVERY - 1 && p == 0 {
                4_000
            } else if rng.below(5) == 0 {
                1 + rng.below(6)
            } else {
                0
            };
            let mut details = Vec::new();
            let mut failed = 0;
            for _ in 0..details_wanted {
                let count = 1 + rng.below(40);
                failed += count;
                let mut d = serde_json::json!({
                    "result-type": rng.pick(RESULT_TYPES),
                    "sending-mta-ip": rng.pick(&ips),
                    "receiving-mx-hostname": format!("mx{}.{domain}", 1 + rng.below(2)),
                    "receiving-ip": format!("203.0.113.{}", 1 + rng.below(250)),
                    "failed-session-count": count,
                });
                if rng.below(2) == 0 {
                    d["failure-reason-code"] = (*rng.pick(REASONS)).into();
                }
                details.push(d);
            }
            let policy = match rng.below(10) {
                0 => serde_json::json!({"policy-type": "no-policy-found", "policy-domain": domain}),
                1 => serde_json::json!({
                    "policy-type": "tlsa",
                    "policy-string": ["3 1 1 6007EEE553E85D8DF007A845D19EC343283D4E416E9A33F9EF3040C8B7C285BC"],
                    "policy-domain": domain,
                }),
                _ => {
                    let mode = if rng.below(4) == 0 {
                        "testing"
                    } else {
                        "enforce"
                    };
                    serde_json::json!({
                        "policy-type": "sts",
                        "policy-string": ["version: STSv1", format!("mode: {mode}"), format!("mx: mx1.{domain}"), format!("mx: mx2.{domain}"), "max_age: 604800"],
                        "policy-domain": domain,
                        "mx-host": [format!("mx1.{domain}"), format!("mx2.{domain}")],
                    })
                }
            };
            let mut entry = serde_json::json!({
                "policy": policy,
                "summary": {"total-successful-session-count": successful, "total-failure-session-count": failed},
            });
            if !details.is_empty() {
                entry["failure-details"] = details.into();
            }
            corpus.successful += successful;
            corpus.failed += failed;
            policies.push(entry);
        }
        let report = serde_json::json!({
            "organization-name": org,
            "date-range": {"start-datetime": format!("{date}T00:00:00Z"), "end-datetime": format!("{date}T23:59:59Z")},
            "contact-info": contact,
            "report-id": format!("{date}T00:00:00Z_{i:05}_{submitter}"),
            "policies": policies,
        });
        let json = report.to_string();
        corpus.largest = corpus.largest.max(json.len());
        corpus.total += json.len();
        let name = format!(
            "{submitter}!customers.example!{start}!{}!{i:05}.json.gz",
            start + 86_399
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(json.as_bytes()).map_err(|e| e.to_string())?;
        let bytes = gz.finish().map_err(|e| e.to_string())?;
        std::fs::write(dir.join(&name), bytes).map_err(|e| format!("{name}: {e}"))?;
        corpus.files.push(name);
    }
    Ok(corpus)
}

/// `(YYYY-MM-DD, unix seconds)` of day `n` of 2025 (n < 90: January to March).
fn date_of(n: u64) -> (String, u64) {
    let (month, day) = match n {
        0..=30 => (1, n + 1),
        31..=58 => (2, n - 30),
        _ => (3, n - 58),
    };
    (
        format!("2025-{month:02}-{day:02}"),
        1_735_689_600 + n * 86_400,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_the_generated_reports() {
        assert_eq!(date_of(0), ("2025-01-01".into(), 1_735_689_600));
        assert_eq!(date_of(31).0, "2025-02-01");
        assert_eq!(date_of(59).0, "2025-03-01");
        assert_eq!(date_of(89).0, "2025-03-31");
    }

    /// Until `cargo xtask bench` is wired up: runs this benchmark and prints its figures.
    /// `cargo test -p xtask --release -- --ignored --nocapture report_benchmark`
    #[test]
    #[ignore = "a benchmark: slow, and installs parsedmarc from PyPI"]
    fn report_benchmark() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let ctx = Ctx {
            root: root.clone(),
            scratch: root.join("target/bench"),
        };
        let figures = run(&ctx).unwrap();
        for f in &figures {
            println!(
                "{:<52} {:>30}  {:<8} {:?}",
                f.name, f.value, f.budget, f.met
            );
        }
        assert!(figures.iter().all(|f| f.met != Some(false)));
    }
}
