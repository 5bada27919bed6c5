//! Which web pages may call the relay from a browser.
//!
//! The relay is meant for the StsLens app served from the same origin, and for the app hosted
//! elsewhere by the same operator (`--allow-origin https://stslens.example.org`). Any other page
//! could otherwise make its visitors' browsers use the relay from thousands of addresses, around the
//! per-client rate limit. So a relay request that carries an `Origin` header must come from the
//! server's own origin or a configured one; anything else is refused with 403 `forbidden-origin`
//! (not merely left without CORS headers: the browser would hide the answer, but the probe would
//! still run). Requests without `Origin` (curl, same-origin GETs) pass: they are rate-limited by
//! their own address. Static files ignore `Origin` and never carry CORS headers.

use axum::http::{HeaderMap, HeaderValue, header};
use thiserror::Error;

/// A configured origin that is not a plain `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OriginError {
    /// `*` or `null`.
    #[error("`--allow-origin {0}` would let any page use the relay; list each origin")]
    Wildcard(String),
    /// Not `http://` or `https://` followed by a host and optional port.
    #[error("`--allow-origin {0}` is not an origin; write it as https://host or https://host:port")]
    Malformed(String),
}

/// The origins allowed to call the relay cross-origin, normalised to lower case without a trailing
/// slash (browsers send `Origin` that way).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// Validates the configured list.
    pub fn parse(list: &[String]) -> Result<AllowedOrigins, OriginError> {
        list.iter()
            .map(|o| normalise(o))
            .collect::<Result<_, _>>()
            .map(AllowedOrigins)
    }

    fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

fn normalise(origin: &str) -> Result<String, OriginError> {
    let trimmed = origin.trim();
    if trimmed == "*" || trimmed.eq_ignore_ascii_case("null") {
        return Err(OriginError::Wildcard(trimmed.to_owned()));
    }
    let lower = trimmed
        .strip_suffix('/')
        .unwrap_or(trimmed)
        .to_ascii_lowercase();
    let malformed = || OriginError::Malformed(origin.to_owned());
    let authority = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(malformed)?;
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']').ok_or_else(malformed)?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(malformed)?),
            };
            (host, port)
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(malformed());
    }
    Ok(lower)
}

/// The verdict on a relay request's `Origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginCheck {
    /// No `Origin` header: not a cross-origin browser request.
    Absent,
    /// The server's own origin.
    SameOrigin,
    /// A configured origin; answer with this `Access-Control-Allow-Origin`.
    Allowed(HeaderValue),
    /// Any other origin, `null` included.
    Refused,
}

impl OriginCheck {
    /// Whether the request may proceed.
    pub fn permitted(&self) -> bool {
        !matches!(self, OriginCheck::Refused)
    }
}

/// Judges a request's `Origin` against the request's own host and the configured list. With
/// `trust_proxy`, `X-Forwarded-Host` (set by the proxy) counts as the request's host too.
pub fn check(headers: &HeaderMap, allowed: &AllowedOrigins, trust_proxy: bool) -> OriginCheck {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return OriginCheck::Absent;
    };
    let Ok(text) = origin.to_str() else {
        return OriginCheck::Refused;
    };
    let text = text.to_ascii_lowercase();
    if allowed.contains(&text) {
        return OriginCheck::Allowed(origin.clone());
    }
    let authority = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let mut hosts = vec![headers.get(header::HOST)];
    if trust_proxy {
        hosts.push(headers.get("x-forwarded-host"));
    }
    let same = hosts
        .into_iter()
        .flatten()
        .filter_map(|h| h.to_str().ok())
        .any(|h| authority.is_some_and(|a| a.eq_ignore_ascii_case(h.trim())));
    if same {
        OriginCheck::SameOrigin
    } else {
        OriginCheck::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.insert(*n, HeaderValue::from_static(v));
        }
        h
    }

    fn allowed() -> AllowedOrigins {
        AllowedOrigins::parse(&[
            "https://StsLens.example.org/".to_owned(),
            "http://localhost:3000".to_owned(),
        ])
        .unwrap()
    }

    #[test]
    fn configured_origins_are_validated() {
        assert!(matches!(
            AllowedOrigins::parse(&["*".into()]),
            Err(OriginError::Wildcard(_))
        ));
        assert!(matches!(
            AllowedOrigins::parse(&["null".into()]),
            Err(OriginError::Wildcard(_))
        ));
        for bad in [
            "stslens.example.org",
            "ftp://x.org",
            "https://",
            "https://x.org/app",
            "https://x.org:",
            "https://x.org:123456",
            "https://a b.org",
        ] {
            assert!(
                matches!(
                    AllowedOrigins::parse(&[bad.into()]),
                    Err(OriginError::Malformed(_))
                ),
                "{bad}"
            );
        }
        assert!(AllowedOrigins::parse(&["https://[::1]:8443".into()]).is_ok());
    }

    #[test]
    fn configured_origin_is_allowed_and_echoed() {
        let h = headers(&[
            ("origin", "https://stslens.example.org"),
            ("host", "relay.example.net"),
        ]);
        assert_eq!(
            check(&h, &allowed(), false),
            OriginCheck::Allowed(HeaderValue::from_static("https://stslens.example.org"))
        );
        let h = headers(&[
            ("origin", "http://localhost:3000"),
            ("host", "relay.example.net"),
        ]);
        assert!(matches!(
            check(&h, &allowed(), false),
            OriginCheck::Allowed(_)
        ));
    }

    #[test]
    fn unknown_and_null_origins_are_refused() {
        for o in [
            "https://evil.example",
            "null",
            "https://stslens.example.org.evil.example",
            "http://stslens.example.org",
            "http://localhost:3001",
        ] {
            let mut h = headers(&[("host", "relay.example.net")]);
            h.insert("origin", HeaderValue::from_str(o).unwrap());
            assert_eq!(check(&h, &allowed(), false), OriginCheck::Refused, "{o}");
        }
    }

    #[test]
    fn same_origin_and_no_origin_pass() {
        let h = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert_eq!(
            check(&h, &AllowedOrigins::default(), false),
            OriginCheck::SameOrigin
        );
        let h = headers(&[("host", "127.0.0.1:8080")]);
        assert_eq!(
            check(&h, &AllowedOrigins::default(), false),
            OriginCheck::Absent
        );
    }

    #[test]
    fn forwarded_host_counts_only_behind_a_trusted_proxy() {
        let h = headers(&[
            ("origin", "https://stslens.example.net"),
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "stslens.example.net"),
        ]);
        assert_eq!(
            check(&h, &AllowedOrigins::default(), false),
            OriginCheck::Refused
        );
        assert_eq!(
            check(&h, &AllowedOrigins::default(), true),
            OriginCheck::SameOrigin
        );
    }
}
