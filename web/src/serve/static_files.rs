//! The built site: files from `dist/`, with the app's routes falling back to `index.html`.
//!
//! - A path whose last segment has a static-file extension (`.wasm`, `.js`, `.css`, ...) is a file:
//!   missing, it is a 404, so a stale cached page asking for an old bundle fails loudly instead of
//!   receiving HTML as JavaScript. Any other path (`/check/example.com`, `/reports`) is an app route
//!   and gets `index.html`. Domain names end in TLDs, never in these extensions (`.br` and `.gz` are
//!   left out for that reason: Brazil has `.br`).
//! - Precompressed `file.br` / `file.gz` beside a file are sent when the client accepts them;
//!   otherwise the compression layer in `mod.rs` compresses on the fly.
//! - Trunk names bundles `name-<hash>.ext`: those never change under that name and are cached for a
//!   year, `immutable`. Everything else, `index.html` first, is `no-cache` (revalidated every time),
//!   so a deploy is seen at the next load.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use thiserror::Error;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Extensions that mark a path as a file rather than an app route.
const FILE_EXTENSIONS: &[&str] = &[
    "wasm",
    "js",
    "mjs",
    "css",
    "map",
    "json",
    "html",
    "txt",
    "xml",
    "webmanifest",
    "ico",
    "png",
    "svg",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "woff",
    "woff2",
    "ttf",
    "otf",
];

/// `Cache-Control` of hashed bundles.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else.
pub const NO_CACHE: &str = "no-cache";

/// Why the site directory cannot be served.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SiteError {
    /// The directory does not exist or cannot be read.
    #[error("the site directory {} cannot be read ({source}); build it with `cargo xtask dist` or pass --dist DIR", .path.display())]
    Unreadable {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It exists but has no `index.html`.
    #[error("the site directory {} has no index.html; build it with `cargo xtask dist` or pass --dist DIR", .path.display())]
    NoIndex {
        /// The directory.
        path: PathBuf,
    },
}

/// Checks that `dist` is a readable directory holding `index.html`, and warns when that page has
/// inline scripts: the CSP (`script-src 'self'`) blocks them, so a page that starts from one (as
/// Trunk's default wasm loader does) would stay blank.
pub fn check_site(dist: &Path) -> Result<(), SiteError> {
    std::fs::read_dir(dist).map_err(|source| SiteError::Unreadable {
        path: dist.to_owned(),
        source,
    })?;
    let index = dist.join("index.html");
    if !index.is_file() {
        return Err(SiteError::NoIndex {
            path: dist.to_owned(),
        });
    }
    let html = std::fs::read_to_string(&index).unwrap_or_default();
    let inline = inline_scripts(&html);
    if inline > 0 {
        tracing::warn!(
            index = %index.display(),
            inline_scripts = inline,
            "index.html has inline <script> elements; the Content Security Policy blocks them \
             (move the code into a file loaded with <script src>)"
        );
    }
    Ok(())
}

/// Number of `<script>` elements without `src` that a browser would execute (data blocks such as
/// `application/json` are not scripts and are not counted).
pub fn inline_scripts(html: &str) -> usize {
    let lower = html.to_ascii_lowercase();
    lower
        .match_indices("<script")
        .filter_map(|(at, _)| lower[at..].find('>').map(|end| &lower[at..at + end]))
        .filter(|tag| !tag.contains("src=") && !tag.contains("json"))
        .count()
}

/// The router serving `dist`, as the fallback of the whole app.
pub fn router(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let fallback = tower::service_fn(move |req: Request| {
        let index = index.clone();
        async move {
            if is_file_path(req.uri().path()) {
                return Ok::<_, Infallible>((StatusCode::NOT_FOUND, "not found\n").into_response());
            }
            let res = index.oneshot(req).await?;
            Ok(res.map(Body::new))
        }
    });
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(fallback);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

/// Whether a request path names a file (by its extension) rather than an app route.
pub fn is_file_path(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.')
        .is_some_and(|(_, ext)| FILE_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// Whether a file name carries a Trunk content hash: `name-<hex>.ext` or `name-<hex>_bg.wasm`,
/// with at least 12 hex digits (Trunk writes 16; dates like `-20240101` are too short to match).
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let Some((_, tail)) = name.rsplit_once('-') else {
        return false;
    };
    let hash = tail.split(['.', '_']).next().unwrap_or("");
    hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && tail.len() > hash.len()
}

async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    let value = if hashed && res.status().is_success() {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_paths_are_told_from_app_routes() {
        for p in [
            "/app-0123.wasm",
            "/assets/x.js",
            "/styles.CSS",
            "/favicon.ico",
            "/a/b/c.json",
        ] {
            assert!(is_file_path(p), "{p}");
        }
        for p in [
            "/",
            "/check/example.com",
            "/check/example.com.br",
            "/reports",
            "/check/mail.example.co.uk",
            "/about/",
        ] {
            assert!(!is_file_path(p), "{p}");
        }
    }

    #[test]
    fn inline_scripts_are_counted() {
        let trunk = "<head><link rel=modulepreload href=/a-0123456789abcdef.js>\
            <script type=\"module\">import init from '/a-0123456789abcdef.js';</script></head>";
        assert_eq!(inline_scripts(trunk), 1);
        let clean = "<script type=\"module\" src=\"/init-0123456789abcdef.js\"></script>\
            <SCRIPT type=\"application/ld+json\">{}</SCRIPT>";
        assert_eq!(inline_scripts(clean), 0);
        assert_eq!(
            inline_scripts("<script>alert(1)</script><Script defer>x()</Script>"),
            2
        );
    }

    #[test]
    fn trunk_hashed_names_are_recognised() {
        for p in [
            "/stslens-app-0123456789abcdef_bg.wasm",
            "/stslens-app-0123456789abcdef.js",
            "/styles-a1b2c3d4e5f60718.css",
        ] {
            assert!(is_hashed(p), "{p}");
        }
        for p in [
            "/index.html",
            "/report-20240101.json",
            "/stslens-app.js",
            "/x-0123456789abcdef",
            "/a-0123456789abcdeg.js",
        ] {
            assert!(!is_hashed(p), "{p}");
        }
    }
}
