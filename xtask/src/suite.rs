//! `cargo xtask test`: every test suite, in an order that fails fast on cheap checks.
//!
//! 1. formatting and clippy (native and wasm32);
//! 2. native unit, corpus, property and loopback integration tests;
//! 3. the release site build (Trunk) with its size budget;
//! 4. the app's browser I/O tests (wasm-bindgen-test in headless Chromium);
//! 5. the end-to-end tests in headless Chromium against `stslens serve --relay` and the loopback
//!    fakes (tests/e2e, Node + playwright-core); screenshots land in target/e2e/.

use crate::sh::{Cmd, Fail, root};
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
    step(
        "app browser I/O tests (wasm-bindgen-test, headless Chromium)",
        || {
            tools::ensure_chromium()?;
            tools::ensure_wasm_bindgen()?;
            Cmd::new("cargo")
                .args([
                    "test",
                    "-p",
                    "stslens-app",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--locked",
                ])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .current_dir(root().join("app"))
                .run()
        },
    )?;
    step(
        "end-to-end tests (headless Chromium, stslens serve, loopback fakes)",
        || {
            tools::ensure_chromium()?;
            tools::ensure_certutil()?;
            tools::ensure_e2e_packages()?;
            Cmd::new("cargo")
                .args([
                    "build",
                    "--locked",
                    "-p",
                    "stslens-web",
                    "-p",
                    "stslens-e2e",
                    "--bins",
                ])
                .run()?;
            let target = site::target_dir();
            let out = target.join("e2e");
            std::fs::create_dir_all(&out).map_err(|e| Fail::io(&out, e))?;
            Cmd::new("node")
                .args(["--test", "--test-concurrency=1", "."])
                .current_dir(root().join("tests/e2e"))
                .env("STSLENS_BIN", target.join("debug/stslens"))
                .env("STSLENS_FAKES_BIN", target.join("debug/stslens-fakes"))
                .env("STSLENS_DIST", root().join("dist"))
                .env("E2E_OUT", &out)
                .run()?;
            tools::say(&format!("screenshots are in {}", out.display()));
            Ok(())
        },
    )?;
    tools::say("all test suites passed");
    Ok(())
}

fn step(name: &str, f: impl FnOnce() -> Result<(), Fail>) -> Result<(), Fail> {
    tools::say(&format!("── {name}"));
    f().map_err(|e| Fail::msg(format!("{name}: {e}")))
}
