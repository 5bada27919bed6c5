//! The policy fetch from the browser: `GET https://mta-sts.<domain>/.well-known/mta-sts.txt` the
//! way a sender does it, as far as `fetch` allows (RFC 8461 §3.3).
//!
//! - **No redirect followed**: `redirect: "manual"`. A redirect then arrives as an
//!   `opaqueredirect` response whose status and `Location` the browser hides, which is still
//!   enough to say "redirected" ([`PolicyFetchError::Redirected`]); `redirect: "error"` would
//!   make it indistinguishable from a network error.
//! - **No cache**: `cache: "no-store"`, so an edited policy is seen at once.
//! - **At most 64 KiB + 1 bytes read**, the rest of the stream cancelled (core's `BODY_CAP`).
//! - **No cookies, no referrer**: the policy host learns nothing about the page.
//!
//! Most policy hosts send no `Access-Control-Allow-Origin`, and then the browser refuses to let
//! the page read the answer. `fetch` reports that exactly like a network or TLS failure (a
//! `TypeError`), so [`PolicyFetchError::Blocked`] says "blocked or unreachable" and the check
//! falls back to the relay, or to the paste box. A response that did arrive is described as
//! core's [`PolicyProbe`] without certificate facts: the browser validated the chain and the
//! name itself, or there would be no response.

use super::fetch::{self, Deadline, FetchError};
use stslens_core::check::policy_url;
use stslens_core::name::DomainName;
use stslens_core::policy::fetch::BODY_CAP;
use stslens_core::probe::{PolicyProbe, PolicyTls};
use thiserror::Error;
use web_sys::{
    AbortSignal, ReferrerPolicy, Request, RequestCache, RequestCredentials, RequestInit,
    RequestMode, RequestRedirect, Response, ResponseType,
};

/// How long the fetch may take, body included (the relay allows 15 s too).
pub const TIMEOUT_MS: u32 = 15_000;

/// Why the page got no response it may read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyFetchError {
    /// No readable response: the policy host sends no CORS header (most do not), or it could
    /// not be reached at all (no server, a TLS or certificate error). Browsers report both the
    /// same way, on purpose.
    #[error(
        "the browser was not allowed to read {url}: the policy host does not allow requests from web pages (no CORS header), or it could not be reached or its certificate was refused; the browser does not say which"
    )]
    Blocked {
        /// The policy URL.
        url: String,
    },
    /// A redirect, which senders never follow; the browser hides its status and target.
    #[error(
        "{url} answered with a redirect, which senders do not follow (RFC 8461 §3.3); the browser does not show where it points"
    )]
    Redirected {
        /// The policy URL.
        url: String,
    },
    /// No answer within [`TIMEOUT_MS`].
    #[error("{url} did not answer within {} seconds", TIMEOUT_MS / 1000)]
    Timeout {
        /// The policy URL.
        url: String,
    },
    /// The browser refused the request itself.
    #[error("the browser refused to fetch {url}: {message}")]
    Other {
        /// The policy URL.
        url: String,
        /// Its words.
        message: String,
    },
}

/// The GET request for the policy at `url`; `abort` is a [`Deadline`]'s signal.
pub fn request(url: &str, abort: Option<&AbortSignal>) -> Result<Request, PolicyFetchError> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    init.set_redirect(RequestRedirect::Manual);
    init.set_cache(RequestCache::NoStore);
    init.set_credentials(RequestCredentials::Omit);
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    init.set_signal(abort);
    Request::new_with_str_and_init(url, &init).map_err(|e| PolicyFetchError::Other {
        url: url.to_owned(),
        message: fetch::classify(&e).to_string(),
    })
}

/// Describes a response to the policy fetch: status, `Content-Type` and, for a 200, the body
/// (at most 64 KiB + 1 bytes). Opaque responses are the browser's refusals, not answers.
pub async fn read_response(
    url: &str,
    response: &Response,
    elapsed_ms: impl FnOnce() -> u64,
) -> Result<PolicyProbe, PolicyFetchError> {
    match response.type_() {
        ResponseType::Opaqueredirect => {
            return Err(PolicyFetchError::Redirected {
                url: url.to_owned(),
            });
        }
        ResponseType::Opaque | ResponseType::Error => {
            return Err(PolicyFetchError::Blocked {
                url: url.to_owned(),
            });
        }
        _ => {}
    }
    let status = response.status();
    let body = if status == 200 {
        fetch::read_capped(response, BODY_CAP + 1)
            .await
            .map_err(|e| from_fetch(url, e))?
    } else {
        Vec::new()
    };
    Ok(PolicyProbe {
        url: url.to_owned(),
        status,
        content_type: fetch::header(response, "content-type"),
        // A redirect never reaches here (see above); the header is not exposed to pages anyway.
        location: None,
        body: String::from_utf8_lossy(&body).into_owned(),
        tls: PolicyTls {
            // The browser does not tell pages the TLS version or the certificate; it validated
            // both before handing over a response.
            version: String::new(),
            certificates: Vec::new(),
            chain_valid: true,
            chain_error: None,
        },
        elapsed_ms: elapsed_ms(),
    })
}

/// Fetches the policy at `url` (the policy URL of a domain, or a test URL).
pub async fn fetch_url(url: &str) -> Result<PolicyProbe, PolicyFetchError> {
    let started = js_sys::Date::now();
    let deadline = Deadline::new(TIMEOUT_MS);
    let request = request(url, deadline.as_ref().map(Deadline::signal).as_ref())?;
    let response = fetch::send(&request)
        .await
        .map_err(|e| from_fetch(url, e))?;
    let probe = read_response(url, &response, || {
        (js_sys::Date::now() - started).max(0.0) as u64
    })
    .await;
    drop(deadline);
    probe
}

/// Fetches the policy of `domain`.
pub async fn fetch_policy(domain: &DomainName) -> Result<PolicyProbe, PolicyFetchError> {
    fetch_url(&policy_url(domain)).await
}

fn from_fetch(url: &str, e: FetchError) -> PolicyFetchError {
    let url = url.to_owned();
    match e {
        FetchError::Timeout => PolicyFetchError::Timeout { url },
        FetchError::Blocked(_) => PolicyFetchError::Blocked { url },
        FetchError::Other(message) => PolicyFetchError::Other { url, message },
    }
}
