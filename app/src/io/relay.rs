//! The relay client (`stslens serve --relay`, design §4): the STARTTLS probe of an MX host and
//! the policy fetch for hosts that do not let pages read them.
//!
//! The relay is given nothing but a host name. Its answers are core's [`MxProbe`] and
//! [`PolicyProbe`]; its refusals are `{"error": {"code", "message"}}` with 400 `invalid-host`,
//! 403 `forbidden-target` / `forbidden-origin`, 429 `rate-limited`, 502 `upstream-failed`, 504
//! `timeout`. `/healthz` (`{"status": "ok", "relay": bool}`) says whether a server has a relay;
//! it carries no CORS header, so it can only be read from the relay's own origin.

use super::fetch::{self, Deadline, FetchError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use stslens_core::name::DomainName;
use stslens_core::probe::{FailureKind, MxProbe, PolicyProbe, ProbeFailure};
use thiserror::Error;
use web_sys::{Request, RequestCredentials, RequestInit, RequestMode, Response};

/// A relay answer can take this long: up to 2 s waiting for a slot, 5 s resolving, 30 s probing.
pub const TIMEOUT_MS: u32 = 45_000;

/// `/healthz` is answered at once by a live server.
pub const HEALTH_TIMEOUT_MS: u32 = 5_000;

/// The largest answer the relay sends (its own cap is 1 MiB).
const MAX_ANSWER: usize = 1024 * 1024;

/// Why the relay gave no result.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RelayError {
    /// No response from the relay at all.
    #[error("the relay at {base} could not be reached ({detail})")]
    Unreachable {
        /// The relay's base URL.
        base: String,
        /// What the browser said.
        detail: String,
    },
    /// No answer within [`TIMEOUT_MS`].
    #[error("the relay at {base} did not answer in time")]
    Timeout {
        /// The relay's base URL.
        base: String,
    },
    /// The relay's own error answer.
    #[error("the relay answered {status} {code}: {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The stable code, e.g. `timeout`.
        code: String,
        /// Its message.
        message: String,
    },
    /// Something that is not a relay answer (wrong URL, a proxy's error page).
    #[error("the relay at {base} sent an answer that is not the relay's JSON ({detail})")]
    Malformed {
        /// The relay's base URL.
        base: String,
        /// What was wrong.
        detail: String,
    },
}

impl RelayError {
    /// The failure as the check records it. The relay's codes do not carry the probe's own
    /// failure kind, so every upstream failure counts as a network failure seen from the relay.
    pub fn failure(&self) -> ProbeFailure {
        let kind = match self {
            RelayError::Timeout { .. } => FailureKind::Timeout,
            RelayError::Refused { code, .. } if code == "timeout" => FailureKind::Timeout,
            RelayError::Malformed { .. } => FailureKind::Protocol,
            _ => FailureKind::Network,
        };
        ProbeFailure {
            kind,
            message: self.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

#[derive(Deserialize)]
struct Health {
    relay: bool,
}

/// `<base>/api/v1/mx-probe?host=<host>`. Host names hold only letters, digits, `-` and `.`,
/// so nothing needs escaping (and the relay refuses percent-encoding).
pub fn mx_probe_url(base: &str, host: &DomainName) -> String {
    format!("{}/api/v1/mx-probe?host={host}", base.trim_end_matches('/'))
}

/// `<base>/api/v1/policy?domain=<domain>`.
pub fn policy_url(base: &str, domain: &DomainName) -> String {
    format!(
        "{}/api/v1/policy?domain={domain}",
        base.trim_end_matches('/')
    )
}

/// Probes `host` through the relay at `base`.
pub async fn probe_mx(base: &str, host: &DomainName) -> Result<MxProbe, RelayError> {
    get_json(base, &mx_probe_url(base, host), TIMEOUT_MS).await
}

/// Fetches the policy of `domain` through the relay at `base`.
pub async fn fetch_policy(base: &str, domain: &DomainName) -> Result<PolicyProbe, RelayError> {
    get_json(base, &policy_url(base, domain), TIMEOUT_MS).await
}

/// Whether the server at `base` runs a relay, by its `/healthz`. `None` when that cannot be
/// told: no answer, or not the relay's JSON (a static host answers with the app's page).
pub async fn has_relay(base: &str) -> Option<bool> {
    let url = format!("{}/healthz", base.trim_end_matches('/'));
    get_json::<Health>(base, &url, HEALTH_TIMEOUT_MS)
        .await
        .ok()
        .map(|h| h.relay)
}

async fn get_json<T: DeserializeOwned>(
    base: &str,
    url: &str,
    timeout_ms: u32,
) -> Result<T, RelayError> {
    let unreachable = |detail: String| RelayError::Unreachable {
        base: base.to_owned(),
        detail,
    };
    let deadline = Deadline::new(timeout_ms);
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    if let Some(deadline) = &deadline {
        init.set_signal(Some(&deadline.signal()));
    }
    let request = Request::new_with_str_and_init(url, &init)
        .map_err(|e| unreachable(fetch::classify(&e).to_string()))?;
    let response = fetch::send(&request).await.map_err(|e| match e {
        FetchError::Timeout => RelayError::Timeout {
            base: base.to_owned(),
        },
        other => unreachable(other.to_string()),
    })?;
    let answer = read_answer(base, &response).await;
    drop(deadline);
    answer
}

/// Reads a relay answer: the JSON of `T` on 200, the relay's error otherwise.
pub async fn read_answer<T: DeserializeOwned>(
    base: &str,
    response: &Response,
) -> Result<T, RelayError> {
    let malformed = |detail: String| RelayError::Malformed {
        base: base.to_owned(),
        detail,
    };
    let body = fetch::read_capped(response, MAX_ANSWER + 1)
        .await
        .map_err(|e| match e {
            FetchError::Timeout => RelayError::Timeout {
                base: base.to_owned(),
            },
            other => malformed(other.to_string()),
        })?;
    if body.len() > MAX_ANSWER {
        return Err(malformed("the answer is larger than 1 MiB".to_owned()));
    }
    let status = response.status();
    if status == 200 {
        return serde_json::from_slice(&body).map_err(|e| malformed(e.to_string()));
    }
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(ErrorBody { error }) => Err(RelayError::Refused {
            status,
            code: error.code,
            message: error.message,
        }),
        Err(_) => Err(malformed(format!("HTTP status {status}"))),
    }
}
