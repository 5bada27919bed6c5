//! Settings and check history, kept in the browser's `localStorage` (never sent anywhere).
//!
//! Values are stored as JSON under versioned keys so that a later format can be told apart. Reading
//! never fails the page: a missing, unreadable or corrupt entry gives the default, because storage
//! can be disabled (private browsing, blocked cookies) and the app must still work without it.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use thiserror::Error;

/// DNS-over-HTTPS resolvers offered by default. Both answer cross-origin requests (CORS).
pub const RESOLVERS: &[(&str, &str)] = &[
    ("Cloudflare", "https://cloudflare-dns.com/dns-query"),
    ("Google", "https://dns.google/dns-query"),
];

const SETTINGS_KEY: &str = "stslens.settings.v1";

/// Why something could not be stored.
#[derive(Debug, Error)]
pub enum StorageError {
    /// The browser offers no localStorage (disabled, or private mode in some browsers).
    #[error("this browser does not allow local storage, so settings cannot be kept")]
    Unavailable,
    /// The browser refused the write (quota exceeded, or storage blocked).
    #[error("the browser refused to store the data: {0}")]
    Refused(String),
}

/// Where MX probes and CORS-blocked policy fetches go (a browser cannot speak SMTP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "url")]
pub enum RelayChoice {
    /// The relay of the server that serves this page, if it has one (`stslens serve --relay`).
    SameOrigin,
    /// No relay: MX hosts are not probed and blocked policy fetches ask the user to paste.
    Off,
    /// A relay at another origin (it must list this site in `--allow-origin`).
    Url(String),
}

/// The user's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The DoH resolver URL (RFC 8484 endpoint), e.g. `https://cloudflare-dns.com/dns-query`.
    pub resolver: String,
    /// The relay to use.
    pub relay: RelayChoice,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            resolver: RESOLVERS[0].1.to_owned(),
            relay: RelayChoice::SameOrigin,
        }
    }
}

impl Settings {
    /// The relay's base URL (no trailing slash), or `None` when the user turned it off.
    /// `SameOrigin` resolves to this page's origin.
    pub fn relay_base(&self) -> Option<String> {
        match &self.relay {
            RelayChoice::Off => None,
            RelayChoice::SameOrigin => page_origin(),
            RelayChoice::Url(url) => Some(url.trim_end_matches('/').to_owned()),
        }
    }
}

/// Checks a URL the user typed for a resolver or relay: it must be absolute `https:` (or `http:` for
/// a relay on localhost), because the page's CSP only allows HTTPS connections elsewhere.
pub fn validate_endpoint(input: &str) -> Result<String, String> {
    let url = input.trim();
    if url.is_empty() {
        return Err("Enter a URL.".into());
    }
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or("");
        if !(host == "localhost" || host == "127.0.0.1" || host == "[::1]") {
            return Err(format!(
                "`{url}` is not https: only https is allowed (http only for localhost)."
            ));
        }
        rest
    } else {
        return Err(format!("`{url}` is not an https:// URL."));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{url}` has no host name."));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{url}` contains spaces or control characters."));
    }
    Ok(url.to_owned())
}

/// Loads the settings; defaults when none are stored or they cannot be read.
pub fn load_settings() -> Settings {
    load(SETTINGS_KEY).unwrap_or_default()
}

/// Stores the settings.
pub fn save_settings(settings: &Settings) -> Result<(), StorageError> {
    save(SETTINGS_KEY, settings)
}

/// Reads a JSON value stored under `key`; `None` when absent, unreadable or of another shape.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = local_storage()?.get_item(key).ok()??;
    super::json::from_str(&text).ok()
}

/// Stores `value` as JSON under `key`.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), StorageError> {
    let storage = local_storage().ok_or(StorageError::Unavailable)?;
    let text = super::json::to_string(value).map_err(StorageError::Refused)?;
    storage
        .set_item(key, &text)
        .map_err(|e| StorageError::Refused(format!("{e:?}")))
}

/// Deletes what is stored under `key`.
pub fn remove(key: &str) -> Result<(), StorageError> {
    let storage = local_storage().ok_or(StorageError::Unavailable)?;
    storage
        .remove_item(key)
        .map_err(|e| StorageError::Refused(format!("{e:?}")))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// This page's origin, e.g. `https://stslens.example`.
pub fn page_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_https_except_localhost() {
        assert!(validate_endpoint("https://dns.example/dns-query").is_ok());
        assert!(validate_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(validate_endpoint("http://localhost:8080/").is_ok());
        assert!(
            validate_endpoint("http://relay.example")
                .unwrap_err()
                .contains("only https")
        );
        assert!(
            validate_endpoint("ftp://x")
                .unwrap_err()
                .contains("not an https")
        );
        assert!(
            validate_endpoint("https://")
                .unwrap_err()
                .contains("no host")
        );
        assert!(validate_endpoint("").is_err());
    }

    #[test]
    fn settings_json_is_stable() {
        let s = Settings {
            resolver: "https://r/dns-query".into(),
            relay: RelayChoice::Url("https://relay".into()),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"resolver":"https://r/dns-query","relay":{"kind":"url","url":"https://relay"}}"#
        );
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), s);
        // Old or partial entries fall back field by field.
        assert_eq!(
            serde_json::from_str::<Settings>("{}").unwrap(),
            Settings::default()
        );
    }
}
