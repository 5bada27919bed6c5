//! The criterion micro-benchmarks of core (core/benches/micro.rs): policy lint, TXT record lint,
//! MX pattern matching, DNS encoding and decoding, each printed as operations per second.
//!
//! criterion does the measuring (warm-up, sampling, outlier analysis); this module runs it with a
//! shorter measurement time than its default so the whole table stays quick, then reads the mean
//! time per iteration and the declared throughput from the JSON criterion writes under
//! target/criterion/. These figures have no budget: they are there to spot regressions.

use super::{Ctx, Figure};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs the benchmarks and returns one figure per criterion benchmark.
pub fn run(ctx: &Ctx) -> Result<Vec<Figure>, String> {
    let out = ctx.root.join("target/criterion");
    // Old results would be read as new ones if a benchmark was renamed or removed.
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO"))
        .args(["bench", "-p", "stslens-core", "--bench", "micro", "--"])
        .args(["--warm-up-time", "1", "--measurement-time", "3"])
        .current_dir(&ctx.root)
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo bench -p stslens-core --bench micro: {status}"
        ));
    }
    let mut figures = Vec::new();
    collect(&out, &mut figures)?;
    if figures.is_empty() {
        return Err(format!(
            "criterion wrote no results under {}",
            out.display()
        ));
    }
    figures.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(figures)
}

/// Finds every `new/benchmark.json` under `dir` and turns it and its `estimates.json` into a figure.
fn collect(dir: &Path, figures: &mut Vec<Figure>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if !path.is_dir() {
            continue;
        }
        let (benchmark, estimates) = (
            path.join("new/benchmark.json"),
            path.join("new/estimates.json"),
        );
        if benchmark.is_file() && estimates.is_file() {
            figures.push(figure(&benchmark, &estimates)?);
        } else if path.file_name().is_some_and(|n| n != "report") {
            collect(&path, figures)?;
        }
    }
    Ok(())
}

fn figure(benchmark: &Path, estimates: &Path) -> Result<Figure, String> {
    let read = |path: &Path| -> Result<Value, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let (benchmark_json, estimates_json) = (read(benchmark)?, read(estimates)?);
    let name = format!(
        "micro: {} / {}",
        benchmark_json["group_id"].as_str().unwrap_or("?"),
        benchmark_json["function_id"].as_str().unwrap_or("?")
    );
    let nanos = estimates_json["mean"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no mean estimate", estimates.display()))?;
    let elements = benchmark_json["throughput"]["Elements"]
        .as_u64()
        .unwrap_or(1);
    let per_second = elements as f64 / (nanos * 1e-9);
    Ok(Figure {
        name,
        value: format!("{} /s", human(per_second)),
        budget: String::new(),
        met: None,
    })
}

/// `12_345_678.0` as "12.3 M".
fn human(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1} M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn rates_are_short() {
        assert_eq!(human(12_345_678.0), "12.3 M");
        assert_eq!(human(4_560.0), "4.6 k");
        assert_eq!(human(12.4), "12");
    }
}
