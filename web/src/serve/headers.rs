//! The security headers sent on every response, and the Content Security Policy.
//!
//! The same list ships as `public/_headers` (Netlify / Cloudflare Pages format) for static hosting;
//! a test below keeps the two identical.
//!
//! The CSP in words: everything from the site's own origin, nothing inline, ever (no
//! `'unsafe-inline'` for scripts or styles); `'wasm-unsafe-eval'` because compiling the app's
//! WebAssembly needs it and it allows nothing else; `connect-src https:` because the checker talks
//! to DoH resolvers (Cloudflare, Google, or one the user sets), to `https://mta-sts.<any domain>`
//! and to a relay the user configures, none of which can be listed in advance; no plugins, no
//! framing, no `<base>`, forms only to the site itself.

use axum::http::{HeaderName, HeaderValue};

/// The Content Security Policy of the site and the relay.
pub const CSP: &str = "default-src 'self'; \
script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; \
img-src 'self' data:; \
font-src 'self'; \
connect-src 'self' https:; \
worker-src 'self'; \
manifest-src 'self'; \
object-src 'none'; \
frame-ancestors 'none'; \
base-uri 'none'; \
form-action 'self'";

/// Headers on every response, lower-case names. `Strict-Transport-Security` is not among them:
/// `stslens serve` speaks plain HTTP behind a TLS-terminating proxy, which owns that decision.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    // For browsers without CSP `frame-ancestors`.
    ("x-frame-options", "DENY"),
    // The app opens no cross-origin windows that need a handle back to it.
    ("cross-origin-opener-policy", "same-origin"),
    // Only no-cors loads (img, script) are affected; CORS fetches of the relay are not.
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()",
    ),
];

/// The headers as typed pairs, for the response layer.
pub fn security_headers() -> Vec<(HeaderName, HeaderValue)> {
    SECURITY_HEADERS
        .iter()
        .map(|(name, value)| {
            (
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The headers `public/_headers` sets for `/*`, names lower-cased.
    fn static_host_headers() -> BTreeMap<String, String> {
        let text = include_str!("../../../public/_headers");
        let mut in_all = false;
        let mut found = BTreeMap::new();
        for line in text.lines() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if !line.starts_with([' ', '\t']) {
                in_all = line.trim() == "/*";
                continue;
            }
            if in_all {
                let (name, value) = line.trim().split_once(':').expect("`Name: value` line");
                let previous =
                    found.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                assert!(previous.is_none(), "{name} is set twice in public/_headers");
            }
        }
        found
    }

    #[test]
    fn public_headers_file_carries_exactly_the_served_headers() {
        let served: BTreeMap<String, String> = SECURITY_HEADERS
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(static_host_headers(), served);
    }

    #[test]
    fn csp_allows_no_inline_script_or_style_and_no_eval() {
        for directive in CSP.split(';').map(str::trim) {
            assert!(!directive.contains("'unsafe-inline'"), "{directive}");
            assert!(!directive.contains("'unsafe-eval'"), "{directive}");
            assert!(!directive.contains('*'), "{directive}");
        }
        assert!(CSP.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(CSP.contains("connect-src 'self' https:;"));
        assert!(CSP.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn every_header_value_is_valid() {
        assert_eq!(security_headers().len(), SECURITY_HEADERS.len());
    }
}
