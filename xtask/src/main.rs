//! `cargo xtask serve | dist | test | bench | fuzz | samples`: the project's one-command tasks.
//!
//! Each task installs the pinned tools it is missing (see `tools.rs`), says what it is doing, and
//! fails with a message naming what went wrong.

mod bench;
mod fuzz;
mod samples;
mod sh;
mod site;
mod suite;
mod tools;

use sh::{Cmd, Fail};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  serve   build the site and run `stslens serve --relay` on http://127.0.0.1:8080
  dist    build the release site into dist/ and print the first-load size
  test    run every test suite (fmt, clippy, unit, integration, wasm, browser end-to-end)
  bench   run every benchmark and print one table of figures against the budgets
          (`bench NAME` runs those whose name contains NAME, e.g. `bench check`, `bench relay`)
  fuzz    run the cargo-fuzz targets of core/fuzz [TARGET]... [--seconds N] (default 600 each)
  samples write the report viewer's synthetic sample reports into public/samples/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(),
        Some("dist") => dist(),
        Some("test") => suite::run(),
        Some("bench") => bench(args.get(1).map(String::as_str)),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("samples") => samples(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Fail::msg(format!("unknown task `{other}`\n\n{USAGE}"))),
        None => Err(Fail::msg(USAGE)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve() -> Result<(), Fail> {
    let dist = site::build_dist()?;
    let stslens = site::build_stslens()?;
    tools::say("serving on http://127.0.0.1:8080 (Ctrl-C to stop)");
    Cmd::new(stslens)
        .args(["serve", "--addr", "127.0.0.1:8080", "--relay", "--dist"])
        .arg(dist)
        .run()
}

fn dist() -> Result<(), Fail> {
    let dist = site::build_dist()?;
    let total = site::print_first_load(&site::first_load(&dist)?);
    if total > site::FIRST_LOAD_BUDGET {
        return Err(Fail::msg(format!(
            "first load is {total} B gzip, over the 300 KiB budget (ARCHITECTURE.md, Budgets)"
        )));
    }
    tools::say(&format!(
        "dist/ is ready ({:.1} KiB gzip first load)",
        total as f64 / 1024.0
    ));
    Ok(())
}

fn samples() -> Result<(), Fail> {
    let dir = sh::root().join("public/samples");
    let n = samples::write(&dir).map_err(|e| Fail::io(&dir, e))?;
    tools::say(&format!("wrote {n} sample files into {}", dir.display()));
    Ok(())
}

fn bench(only: Option<&str>) -> Result<(), Fail> {
    let root = sh::root();
    let scratch = site::target_dir().join("bench");
    std::fs::create_dir_all(&scratch).map_err(|e| Fail::io(&scratch, e))?;
    bench::run_all(&bench::Ctx { root, scratch }, only).map_err(Fail::msg)
}
