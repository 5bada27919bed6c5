//! Building the web app with Trunk, and measuring what a first visit downloads.

use crate::sh::{Cmd, Fail, path_with, root};
use crate::tools;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Builds the release site into `dist/` (Trunk, offline, wasm-opt from npm's binaryen).
pub fn build_dist() -> Result<PathBuf, Fail> {
    tools::ensure_site_tools()?;
    tools::say("building the site with trunk (release, offline) into dist/");
    Cmd::new("trunk")
        .args(["build", "--release", "--offline"])
        .env("PATH", path_with(&tools::binaryen_bin()))
        .env("NO_COLOR", "true")
        .run()?;
    let dist = root().join("dist");
    externalize_loader(&dist)?;
    Ok(dist)
}

/// Moves the wasm loader that Trunk 0.21 writes inline into `index.html` (a `<script type="module">`)
/// into its own content-hashed file, `boot-<hash>.js`, referenced with `src` and an SRI hash.
///
/// The site's CSP allows no inline script (`script-src 'self' 'wasm-unsafe-eval'`), and Trunk has no
/// option to emit the loader as a file. Doing it here, in the one place every build goes through,
/// keeps `dist/` CSP-clean for `stslens serve` and for static hosts alike.
fn externalize_loader(dist: &Path) -> Result<(), Fail> {
    use base64::Engine as _;
    use sha2::Digest as _;
    const OPEN: &str = "<script type=\"module\">";
    const CLOSE: &str = "</script>";
    let index_path = dist.join("index.html");
    let html = std::fs::read_to_string(&index_path).map_err(|e| Fail::io(&index_path, e))?;
    let start = html.find(OPEN).ok_or_else(|| {
        Fail::msg(format!(
            "{}: Trunk's inline module loader was not found",
            index_path.display()
        ))
    })?;
    let body_start = start + OPEN.len();
    let end = body_start
        + html[body_start..].find(CLOSE).ok_or_else(|| {
            Fail::msg(format!(
                "{}: unterminated inline <script>",
                index_path.display()
            ))
        })?;
    let script = html[body_start..end].trim().to_owned() + "\n";
    let digest = sha2::Sha256::digest(script.as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let sri =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(script.as_bytes()));
    let name = format!("boot-{hash}.js");
    let path = dist.join(&name);
    std::fs::write(&path, &script).map_err(|e| Fail::io(&path, e))?;
    let tag = format!(
        "<script type=\"module\" src=\"/{name}\" integrity=\"sha384-{sri}\" crossorigin=\"anonymous\"></script>"
    );
    let html = format!("{}{tag}{}", &html[..start], &html[end + CLOSE.len()..]);
    if html.contains("<script>") || html.contains(OPEN) {
        return Err(Fail::msg(format!(
            "{}: still has an inline script",
            index_path.display()
        )));
    }
    std::fs::write(&index_path, html).map_err(|e| Fail::io(&index_path, e))
}

/// Builds the release `stslens` binary and returns its path.
pub fn build_stslens() -> Result<PathBuf, Fail> {
    tools::say("building the stslens binary (release)");
    Cmd::new("cargo")
        .args(["build", "--release", "--locked", "-p", "stslens-web"])
        .run()?;
    Ok(target_dir().join("release/stslens"))
}

/// The cargo target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The first-load budget (ARCHITECTURE.md, Budgets): HTML, JS, wasm and CSS together, gzip.
pub const FIRST_LOAD_BUDGET: u64 = 300 * 1024;

/// One file of the first load and its sizes.
pub struct Asset {
    /// Path relative to dist/.
    pub name: String,
    /// Size on disk.
    pub raw: u64,
    /// Size after gzip -9 (what a server sends with `Content-Encoding: gzip`).
    pub gzip: u64,
}

/// The files a first visit downloads: index.html and every .js, .wasm and .css it references.
/// Lazily fetched files (sample reports, the service worker's extras) are not part of it.
pub fn first_load(dist: &Path) -> Result<Vec<Asset>, Fail> {
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path).map_err(|e| Fail::io(&index_path, e))?;
    let mut names = vec!["index.html".to_owned()];
    for entry in std::fs::read_dir(dist).map_err(|e| Fail::io(dist, e))? {
        let entry = entry.map_err(|e| Fail::io(dist, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let loaded = [".js", ".wasm", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if loaded && index.contains(&name) {
            names.push(name);
        }
    }
    if !names.iter().any(|n| n.ends_with(".wasm")) {
        return Err(Fail::msg(format!(
            "{} references no .wasm file",
            index_path.display()
        )));
    }
    names
        .into_iter()
        .map(|name| {
            let path = dist.join(&name);
            let bytes = std::fs::read(&path).map_err(|e| Fail::io(&path, e))?;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&bytes).map_err(|e| Fail::io(&path, e))?;
            let gzip = gz.finish().map_err(|e| Fail::io(&path, e))?.len() as u64;
            Ok(Asset {
                name,
                raw: bytes.len() as u64,
                gzip,
            })
        })
        .collect()
}

/// Prints the first-load table and returns the gzip total in bytes.
pub fn print_first_load(assets: &[Asset]) -> u64 {
    let total: u64 = assets.iter().map(|a| a.gzip).sum();
    eprintln!("first load (gzip -9):");
    for a in assets {
        eprintln!("  {:<48} {:>9} B raw {:>9} B gzip", a.name, a.raw, a.gzip);
    }
    eprintln!(
        "  {:<48} {:>9}         {:>9} B gzip ({:.1} KiB)",
        "total",
        "",
        total,
        total as f64 / 1024.0
    );
    total
}
