//! `cargo xtask test`: every test suite, in an order that fails fast on cheap checks.
//!
//! 1. formatting and clippy (native and wasm32), 2. native unit, corpus, property and loopback
//! integration tests, 3. the release site build (Trunk) with its size budget, 4. the app's browser
//! I/O tests (wasm-bindgen-test in headless Chromium), 5. the end-to-end tests in headless Chromium
//! against `stslens serve --relay` and the loopback fakes.

use crate::sh::{Cmd, Fail};
use crate::{site, tools};

/// Runs every suite; stops at the first failure.
pub fn run() -> Result<(), Fail> {
    tools::ensure_wasm_target()?;
    step("formatting", || {
        Cmd::new("cargo")
            .args(["fmt", "--all", "--", "--check"])
            .run()
    })?;
    step("clippy (native)", || {
        Cmd::new("cargo")
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ])
            .run()
    })?;
    step("clippy (wasm32: core and app)", || {
        Cmd::new("cargo")
            .args([
                "clippy",
                "-p",
                "stslens-core",
                "-p",
                "stslens-app",
                "--locked",
            ])
            .args(["--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])
            .run()
    })?;
    step(
        "native tests (unit, corpus, property, loopback integration)",
        || {
            Cmd::new("cargo")
                .args(["test", "--workspace", "--locked"])
                .run()
        },
    )?;
    step("release site build (trunk) and first-load budget", || {
        let dist = site::build_dist()?;
        let total = site::print_first_load(&site::first_load(&dist)?);
        if total > 300 * 1024 {
            return Err(Fail::msg(format!(
                "first load {total} B gzip is over 300 KiB"
            )));
        }
        Ok(())
    })?;
    tools::say("all test suites passed");
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<(), Fail>) -> Result<(), Fail> {
    tools::say(&format!("── {name}"));
    f().map_err(|e| Fail::msg(format!("{name}: {e}")))
}
