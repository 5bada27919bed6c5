//! The fetch-response rules of RFC 8461 §3.3, as a pure function over what a fetch observed.
//!
//! The shells (browser `fetch`, the native client, the relay) perform the HTTPS GET of
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` the way a sender does (no redirect followed,
//! at most [`BODY_CAP`] + 1 bytes read) and describe what they saw in a [`FetchResponse`]; this module
//! decides what a compliant sender would make of it.

/// Senders read at most 64 KiB of policy (RFC 8461 §3.3: "a maximum size of 64 KiB").
pub const BODY_CAP: usize = 64 * 1024;

/// What one HTTPS GET of the policy URL observed at the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    /// The URL that was requested.
    pub url: String,
    /// The HTTP status code of the (first, unfollowed) response.
    pub status: u16,
    /// The `Content-Type` header as sent, if any.
    pub content_type: Option<String>,
    /// The `Location` header as sent, if any (redirects are reported, never followed).
    pub location: Option<String>,
    /// The body bytes read, at most [`BODY_CAP`] + 1 (one more byte proves the cap was exceeded).
    pub body: Vec<u8>,
}
