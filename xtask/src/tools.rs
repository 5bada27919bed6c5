//! The pinned tools the build and the tests need, installed on first use.
//!
//! Every `ensure_*` function checks what is there, says what it installs, and fails with a message
//! that tells the user what to do when it cannot. Versions are pinned here and nowhere else.

use crate::sh::{Cmd, Fail, root};
use std::path::PathBuf;

/// Trunk 0.22 needs a newer rustc than the project's 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from npm: Debian's binaryen 108 silently corrupts the output.
pub const BINARYEN_NPM: &str = "binaryen@132.0.0";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Directory for tools installed into the project (npm packages), kept out of git.
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// The directory holding `wasm-opt` from npm's binaryen, to put on PATH for Trunk.
pub fn binaryen_bin() -> PathBuf {
    tools_dir().join("npm/node_modules/.bin")
}

/// The wasm32 target for rustc.
pub fn ensure_wasm_target() -> Result<(), Fail> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output()?;
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        say(&format!("installing the Rust target {WASM_TARGET}"));
        Cmd::new("rustup")
            .args(["target", "add", WASM_TARGET])
            .run()?;
    }
    Ok(())
}

/// Trunk, pinned.
pub fn ensure_trunk() -> Result<(), Fail> {
    let want = format!("trunk {TRUNK_VERSION}");
    if version_of("trunk", "--version").as_deref() != Some(want.as_str()) {
        say(&format!(
            "installing trunk {TRUNK_VERSION} (cargo install --locked; takes ~12 minutes once)"
        ));
        Cmd::new("cargo")
            .args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")])
            .run()?;
    }
    Ok(())
}

/// wasm-bindgen-cli, exactly the version of the `wasm-bindgen` crate in Cargo.lock.
pub fn ensure_wasm_bindgen() -> Result<(), Fail> {
    let want = locked_version("wasm-bindgen")?;
    let have = version_of("wasm-bindgen", "--version");
    if have.as_deref() != Some(format!("wasm-bindgen {want}").as_str()) {
        say(&format!(
            "installing wasm-bindgen-cli {want} (to match the wasm-bindgen crate)"
        ));
        // Not --locked: the registry mirror lacks one of its locked dependencies.
        Cmd::new("cargo")
            .args(["install", "wasm-bindgen-cli", "--version", &want])
            .run()?;
    }
    Ok(())
}

/// wasm-opt from npm's binaryen, pinned, installed into .tools/npm.
pub fn ensure_wasm_opt() -> Result<(), Fail> {
    ensure_node()?;
    let wasm_opt = binaryen_bin().join("wasm-opt");
    let ok = Cmd::new(&wasm_opt)
        .arg("--version")
        .output()
        .is_ok_and(|v| v.contains(" 132"));
    if !ok {
        say(&format!(
            "installing wasm-opt from npm ({BINARYEN_NPM}) into .tools/npm"
        ));
        let prefix = tools_dir().join("npm");
        std::fs::create_dir_all(&prefix).map_err(|e| Fail::io(&prefix, e))?;
        Cmd::new("npm")
            .args(["install", "--no-save", "--no-package-lock", "--prefix"])
            .arg(&prefix)
            .arg(BINARYEN_NPM)
            .run()?;
    }
    Ok(())
}

/// Everything `trunk build` needs.
pub fn ensure_site_tools() -> Result<(), Fail> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_opt()?;
    ensure_trunk()
}

/// Node.js and npm (for wasm-opt and the browser tests), from Debian when missing.
pub fn ensure_node() -> Result<(), Fail> {
    if version_of("node", "--version").is_none() || version_of("npm", "--version").is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    Ok(())
}

/// Debian's Chromium and ChromeDriver for the browser tests.
pub fn ensure_chromium() -> Result<(), Fail> {
    if !std::path::Path::new("/usr/bin/chromium").exists()
        || !std::path::Path::new("/usr/bin/chromedriver").exists()
    {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    Ok(())
}

/// NSS's certutil, with which the e2e tests make Chromium trust the fakes' test CA.
pub fn ensure_certutil() -> Result<(), Fail> {
    if version_of("certutil", "-H").is_none() && !std::path::Path::new("/usr/bin/certutil").exists()
    {
        apt_install(&["libnss3-tools"])?;
    }
    Ok(())
}

/// The e2e tests' npm packages (playwright-core, pinned by tests/e2e/package-lock.json).
pub fn ensure_e2e_packages() -> Result<(), Fail> {
    ensure_node()?;
    let dir = root().join("tests/e2e");
    if !dir.join("node_modules/playwright-core").exists() {
        say("installing the browser tests' npm packages (npm ci in tests/e2e)");
        Cmd::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .run()?;
    }
    Ok(())
}

fn apt_install(packages: &[&str]) -> Result<(), Fail> {
    say(&format!(
        "installing {} from Debian (apt-get)",
        packages.join(" ")
    ));
    let as_root = Cmd::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|u| u.trim() == "0");
    let (prog, pre): (&str, &[&str]) = if as_root {
        ("apt-get", &[])
    } else {
        ("sudo", &["apt-get"])
    };
    let update = Cmd::new(prog)
        .args(pre.iter().copied())
        .args(["update", "-q"])
        .run();
    if let Err(e) = update {
        eprintln!("xtask: apt-get update failed ({e}); trying the install anyway");
    }
    Cmd::new(prog)
        .args(pre.iter().copied())
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages.iter().copied())
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
        .map_err(|e| {
            Fail::msg(format!(
                "could not install {}: {e}\n  install them yourself (e.g. `sudo apt-get install {}`) and rerun",
                packages.join(" "),
                packages.join(" ")
            ))
        })
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String, Fail> {
    let path = root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&path).map_err(|e| Fail::io(&path, e))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"")
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err(Fail::msg(format!(
        "{package} is not in Cargo.lock; run `cargo generate-lockfile`"
    )))
}

/// `prog flag` trimmed, or None when the program is missing or fails.
fn version_of(prog: &str, flag: &str) -> Option<String> {
    Cmd::new(prog)
        .arg(flag)
        .quiet()
        .output()
        .ok()
        .map(|s| s.trim().to_owned())
}

/// Tells the user what xtask is doing.
pub fn say(what: &str) {
    eprintln!("xtask: {what}");
}
