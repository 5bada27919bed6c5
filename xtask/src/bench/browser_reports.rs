//! The report viewer in the browser: 3,000 gzip reports aggregated in headless Chromium in under
//! 2 s with the page responsive throughout (design §7).
//!
//! Measured through the real site, as a user meets it: the release `dist/` served by
//! `stslens serve` (strict CSP), `/reports` open in headless Chromium, and the same 3,000 gzip
//! reports as the CLI benchmark (`report::generate`) chosen in the file picker at once. The
//! driver, `tests/e2e/reports-bench.mjs`, times in the page's own clock from the input's `change`
//! event to the page announcing the final results (numbers, chart and tables in the document),
//! three times into an emptied engine; the fastest counts, the least disturbed by other load on
//! a shared machine. It also reports the longest gap between two animation frames on the page's
//! thread while reading: the page is responsive if it keeps painting.
//!
//! `stslens serve` only hands out the site here (nothing is timed on its side), so the debug
//! build the end-to-end tests use will do; it avoids a release build of the server.
//!
//! Beside it, the browser's own floor: a picked `File` knows nothing of its file until Chromium
//! asks the browser process for its size and date, a synchronous round trip per file that must
//! happen on the page's thread before the file can be read or posted to a worker. The driver
//! times only that, on 3,000 fresh `File`s from a second picker, to show what part of the time
//! is the browser's and not the viewer's.
//!
//! The answer is checked, not just timed: the page's cards must show the reports and sessions
//! the generator wrote, or the benchmark fails.

use super::report::{self, REPORTS};
use super::{Ctx, Figure};
use serde_json::Value;
use std::process::Command;

/// Reading all reports, in milliseconds.
const BUDGET_MS: f64 = 2_000.0;
/// The longest the page may go without painting a frame while reading, in milliseconds: a
/// tenth of a second is the classic limit for a reaction to feel instant.
const FRAME_BUDGET_MS: f64 = 100.0;

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Vec<Figure>, String> {
    let dir = ctx.scratch.join("browser-reports");
    let corpus = report::generate(&dir)?;
    crate::tools::ensure_chromium().map_err(|e| e.to_string())?;
    crate::tools::ensure_e2e_packages().map_err(|e| e.to_string())?;
    let dist = crate::site::build_dist().map_err(|e| e.to_string())?;
    let stslens = build_server(&ctx.root)?;

    eprintln!("xtask bench: browser: reading {REPORTS} gzip reports in /reports, 3 runs");
    let output = Command::new("node")
        .arg("reports-bench.mjs")
        .arg(&dir)
        .arg("3")
        .current_dir(ctx.root.join("tests/e2e"))
        .env("STSLENS_BIN", &stslens)
        .env("STSLENS_DIST", &dist)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "node reports-bench.mjs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let result: Value = serde_json::from_str(line)
        .map_err(|e| format!("reports-bench.mjs printed {line:?}: {e}"))?;

    let card = |label: &str| {
        result["cards"][label]
            .as_str()
            .map(|v| v.replace(',', ""))
            .unwrap_or_default()
    };
    for (label, want) in [
        ("Reports", REPORTS as u64),
        ("Successful sessions", corpus.successful),
        ("Failed sessions", corpus.failed),
    ] {
        if card(label) != want.to_string() {
            return Err(format!(
                "the page shows {label} {:?}, the generator wrote {want}",
                card(label)
            ));
        }
    }
    let runs = result["runs"].as_array().cloned().unwrap_or_default();
    let figure = |run: &Value, key: &str| run[key].as_f64().unwrap_or(f64::INFINITY);
    let best = runs
        .iter()
        .min_by(|a, b| figure(a, "ms").total_cmp(&figure(b, "ms")))
        .ok_or("reports-bench.mjs measured no run")?;
    let ms = figure(best, "ms");
    let all: Vec<String> = runs
        .iter()
        .map(|r| format!("{:.0}", figure(r, "ms")))
        .collect();
    let frame = runs
        .iter()
        .map(|r| figure(r, "longest_frame_ms"))
        .fold(0.0, f64::max);
    let long_tasks = runs
        .iter()
        .map(|r| r["long_tasks"].as_u64().unwrap_or(0))
        .max()
        .unwrap_or(0);
    let floor = result["floor_ms"]
        .as_f64()
        .filter(|ms| *ms >= 0.0)
        .ok_or("reports-bench.mjs measured no floor")?;
    Ok(vec![
        Figure {
            name: "browser: only asking Chromium each picked file's size (floor)".into(),
            value: format!("{floor:.0} ms"),
            budget: String::new(),
            met: None,
        },
        Figure {
            name: "browser: /reports reads 3,000 gzip reports".into(),
            value: format!("{ms:.0} ms (runs: {} ms)", all.join(", ")),
            budget: format!("< {BUDGET_MS:.0} ms"),
            met: Some(ms < BUDGET_MS),
        },
        Figure {
            name: "browser: longest frame gap while reading".into(),
            value: format!("{frame:.0} ms ({long_tasks} long tasks)"),
            budget: format!("<= {FRAME_BUDGET_MS:.0} ms"),
            met: Some(frame <= FRAME_BUDGET_MS),
        },
    ])
}

/// The debug `stslens` (the site server; see the module docs for why not release).
fn build_server(root: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(root)
        .args(["build", "--quiet", "-p", "stslens-web", "--bin", "stslens"])
        .status()
        .map_err(|e| format!("cargo build -p stslens-web: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p stslens-web failed: {status}"));
    }
    Ok(crate::site::target_dir().join("debug/stslens"))
}
