//! `cargo xtask fuzz [TARGET]... [--seconds N]`: runs the cargo-fuzz targets of core/fuzz one after
//! another (default: all of them, 600 seconds each), with corpora seeded from tests/fixtures.
//!
//! libFuzzer needs the nightly toolchain (sanitizer flags); cargo-fuzz is installed pinned. A crash
//! leaves its input in core/fuzz/artifacts/<target>/; turn it into a regression test beside the code
//! it broke, then fix the code.

use crate::sh::{Cmd, Fail, root};
use crate::tools::say;
use std::path::Path;

/// cargo-fuzz, pinned.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Every target in core/fuzz/Cargo.toml, with the fixture files that seed its corpus.
const TARGETS: &[(&str, &[&str])] = &[
    ("policy", &["real-policies"]),
    ("txt_records", &[]),
    ("dns_decode", &[]),
    ("tlsrpt_json", &["tlsrpt"]),
    ("unpack", &["tlsrpt"]),
];

/// Seeds for the TXT-record target (records separated by NUL, as the target reads them).
const TXT_SEEDS: &[&str] = &[
    "v=STSv1; id=20160831085700Z;",
    "v=STSv1; id=a; ext=1\0v=STSv1; id=b",
    "v=TLSRPTv1; rua=mailto:reports@example.com,https://r.example.net/v1",
    "*.example.com\0mail.example.com",
];

/// Runs the targets named in `args` (all when none) for `--seconds` each.
pub fn run(args: &[String]) -> Result<(), Fail> {
    let mut seconds = 600u64;
    let mut chosen = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| Fail::msg("--seconds needs a number"))?;
            }
            name => {
                if !TARGETS.iter().any(|(t, _)| *t == name) {
                    let names: Vec<_> = TARGETS.iter().map(|(t, _)| *t).collect();
                    return Err(Fail::msg(format!(
                        "unknown fuzz target `{name}`; targets: {}",
                        names.join(", ")
                    )));
                }
                chosen.push(name.to_owned());
            }
        }
    }
    ensure_tools()?;
    let fuzz_dir = root().join("core/fuzz");
    for (target, seeds) in TARGETS {
        if !chosen.is_empty() && !chosen.iter().any(|c| c == target) {
            continue;
        }
        let corpus = fuzz_dir.join("corpus").join(target);
        seed(&corpus, target, seeds)?;
        say(&format!(
            "fuzzing `{target}` for {seconds} s (corpus {})",
            corpus.display()
        ));
        Cmd::new("cargo")
            .args(["+nightly", "fuzz", "run", "--release", target])
            .arg(&corpus)
            .args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=2048", "-timeout=10"])
            .args(["-print_final_stats=1"])
            .current_dir(&fuzz_dir)
            .run()
            .map_err(|e| {
                Fail::msg(format!(
                    "fuzz target `{target}` found a failure ({e}); its input is in core/fuzz/artifacts/{target}/"
                ))
            })?;
    }
    say("fuzzing finished with no failure");
    Ok(())
}

fn ensure_tools() -> Result<(), Fail> {
    let toolchains = Cmd::new("rustup").args(["toolchain", "list"]).output()?;
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        say("installing the nightly toolchain (libFuzzer needs it)");
        Cmd::new("rustup")
            .args(["toolchain", "install", "nightly", "--profile", "minimal"])
            .run()?;
    }
    let have = Cmd::new("cargo")
        .args(["fuzz", "--version"])
        .quiet()
        .output()
        .unwrap_or_default();
    if !have.contains(CARGO_FUZZ_VERSION) {
        say(&format!("installing cargo-fuzz {CARGO_FUZZ_VERSION}"));
        Cmd::new("cargo")
            .args([
                "install",
                "--locked",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ_VERSION,
            ])
            .run()?;
    }
    Ok(())
}

/// Copies the fixtures into an empty corpus directory (an existing corpus is kept and grows).
fn seed(corpus: &Path, target: &str, fixture_dirs: &[&str]) -> Result<(), Fail> {
    std::fs::create_dir_all(corpus).map_err(|e| Fail::io(corpus, e))?;
    let empty = std::fs::read_dir(corpus)
        .map_err(|e| Fail::io(corpus, e))?
        .next()
        .is_none();
    if !empty {
        return Ok(());
    }
    for dir in fixture_dirs {
        let from = root().join("tests/fixtures").join(dir);
        for entry in std::fs::read_dir(&from).map_err(|e| Fail::io(&from, e))? {
            let path = entry.map_err(|e| Fail::io(&from, e))?.path();
            if path.is_file() && path.extension().is_none_or(|e| e != "md") {
                let to = corpus.join(path.file_name().expect("a file has a name"));
                std::fs::copy(&path, &to).map_err(|e| Fail::io(&to, e))?;
            }
        }
    }
    if target == "txt_records" {
        for (i, seed) in TXT_SEEDS.iter().enumerate() {
            let to = corpus.join(format!("seed-{i}"));
            std::fs::write(&to, seed).map_err(|e| Fail::io(&to, e))?;
        }
    }
    Ok(())
}
