//! DNS over HTTPS from the browser (RFC 8484): core builds the wire query and decodes the answer
//! (`stslens_core::dns::Query`); this module only moves the bytes with `fetch`.
//!
//! GET with `?dns=<base64url>` and `Accept: application/dns-message`: both are CORS-safelisted,
//! so a resolver that allows cross-origin reads (Cloudflare, Google) answers without a
//! preflight, and the answer can be cached (the query id is 0, RFC 8484 §4.1). The resolver is
//! the one chosen in Settings; the native CLI's client (`web/src/io/doh.rs`) applies the same
//! limits: 10 s, at most 65,535 bytes, `application/dns-message` only.

use super::fetch::{self, Deadline, FetchError};
use stslens_core::dns::{CONTENT_TYPE, DecodeError, Lookup, Query, QueryError, RecordType};
use stslens_core::probe::{FailureKind, ProbeFailure};
use thiserror::Error;
use web_sys::{AbortSignal, Request, RequestCredentials, RequestInit, RequestMode, Response};

/// How long one lookup may take, body included.
pub const TIMEOUT_MS: u32 = 10_000;

/// A DNS message is at most 65,535 bytes (RFC 1035 §4.2.2, RFC 8484 §6).
pub const MAX_RESPONSE: usize = 65_535;

/// A lookup that got no usable answer: which resolver, which question, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the resolver {resolver} could not answer {question}: {kind}")]
pub struct DohError {
    /// The resolver URL.
    pub resolver: String,
    /// The question, e.g. `MX example.com`.
    pub question: String,
    /// What went wrong.
    pub kind: DohErrorKind,
}

/// What went wrong with a lookup, in words for the page.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DohErrorKind {
    /// The name cannot be put in a query.
    #[error("{0}")]
    Query(#[from] QueryError),
    /// No answer within [`TIMEOUT_MS`].
    #[error("it did not answer within {} seconds", TIMEOUT_MS / 1000)]
    Timeout,
    /// No response reached the page: offline, a TLS error, or a resolver that does not allow
    /// requests from web pages (no CORS header); the browser does not say which.
    #[error(
        "it could not be reached (the network is down, or the resolver does not allow requests from web pages)"
    )]
    Unreachable,
    /// A status other than 200.
    #[error("it answered with HTTP status {0}")]
    Status(u16),
    /// Not `application/dns-message`: probably not an RFC 8484 endpoint.
    #[error("it answered with {}, not application/dns-message: is this an RFC 8484 DNS-over-HTTPS URL?", .0.as_deref().unwrap_or("no content type"))]
    ContentType(Option<String>),
    /// Larger than any DNS message.
    #[error("its answer is larger than any DNS message ({MAX_RESPONSE} bytes)")]
    TooLarge,
    /// Not a valid response to the question.
    #[error("its answer is not a valid DNS response ({0})")]
    Decode(#[from] DecodeError),
    /// The browser refused to send the request (an invalid resolver URL).
    #[error("the browser refused the request ({0})")]
    Request(String),
}

impl DohError {
    /// The failure as the check records it.
    pub fn failure(&self) -> ProbeFailure {
        let kind = match self.kind {
            DohErrorKind::Timeout => FailureKind::Timeout,
            DohErrorKind::Unreachable | DohErrorKind::Request(_) | DohErrorKind::Status(_) => {
                FailureKind::Network
            }
            _ => FailureKind::Protocol,
        };
        ProbeFailure {
            kind,
            message: self.to_string(),
        }
    }
}

/// The GET request for `query` to `resolver`; `abort` is a [`Deadline`]'s signal.
pub fn request(
    query: &Query,
    resolver: &str,
    abort: Option<&AbortSignal>,
) -> Result<Request, DohErrorKind> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    // A resolver needs no cookies; sending none also keeps the request simple (no preflight).
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(abort);
    let request = Request::new_with_str_and_init(&query.get_url(resolver), &init)
        .map_err(|e| DohErrorKind::Request(fetch::classify(&e).to_string()))?;
    request
        .headers()
        .set("Accept", CONTENT_TYPE)
        .map_err(|e| DohErrorKind::Request(fetch::classify(&e).to_string()))?;
    Ok(request)
}

/// Reads the resolver's response to `query`: status 200, `application/dns-message`, at most
/// [`MAX_RESPONSE`] bytes, then core's decoder (which checks it answers this question).
pub async fn read_answer(query: &Query, response: &Response) -> Result<Lookup, DohErrorKind> {
    if response.status() != 200 {
        return Err(DohErrorKind::Status(response.status()));
    }
    let content_type = fetch::header(response, "content-type");
    let essence = content_type
        .as_deref()
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    if essence.as_deref() != Some(CONTENT_TYPE) {
        return Err(DohErrorKind::ContentType(content_type));
    }
    let body = fetch::read_capped(response, MAX_RESPONSE + 1)
        .await
        .map_err(from_fetch)?;
    if body.len() > MAX_RESPONSE {
        return Err(DohErrorKind::TooLarge);
    }
    Ok(query.decode(&body)?)
}

/// Looks up `name` `record_type` at `resolver`.
pub async fn lookup(
    resolver: &str,
    name: &str,
    record_type: RecordType,
) -> Result<Lookup, DohError> {
    let error = |kind| DohError {
        resolver: resolver.to_owned(),
        question: format!("{record_type} {name}"),
        kind,
    };
    let query = Query::new(name, record_type).map_err(|e| error(e.into()))?;
    let deadline = Deadline::new(TIMEOUT_MS);
    let request = request(
        &query,
        resolver,
        deadline.as_ref().map(Deadline::signal).as_ref(),
    )
    .map_err(error)?;
    let response = fetch::send(&request)
        .await
        .map_err(|e| error(from_fetch(e)))?;
    let answer = read_answer(&query, &response).await.map_err(error);
    drop(deadline);
    answer
}

fn from_fetch(e: FetchError) -> DohErrorKind {
    match e {
        FetchError::Timeout => DohErrorKind::Timeout,
        FetchError::Blocked(_) => DohErrorKind::Unreachable,
        FetchError::Other(message) => DohErrorKind::Request(message),
    }
}
