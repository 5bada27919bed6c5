//! What the relay asks of the network: one SMTP STARTTLS probe, one policy fetch, and the JSON
//! shapes of their answers (design §4).
//!
//! The relay itself never opens a socket. It hands a [`CheckedTarget`] (a name plus the one address
//! and port the guard approved) to an [`Upstream`], so the safety rules and their tests do not depend
//! on how the probe and the fetch are done, and the upstream cannot resolve or pick an address.
//!
//! The JSON shapes are `stslens_core::probe`'s, shared with the app (which reads them) and the
//! check (which judges them); they are re-exported here for the relay's users. The native
//! implementation is [`super::native::NativeUpstream`] (over `web/src/io/`); tests use fakes.

use super::guard::{BoxFuture, CheckedTarget};
use serde::Serialize;
use stslens_core::name::DomainName;
use stslens_core::policy::fetch::BODY_CAP;
use thiserror::Error;

pub use stslens_core::probe::{
    Certificate, ChainError, MxProbe, PolicyProbe, PolicyTls, TlsSession,
};

/// Longest SMTP greeting the relay passes on (all lines together): 64 lines of 1 KiB, the read caps
/// the native probe applies (RFC 5321 §4.5.3.1.5 allows 512-octet lines), so this second line never
/// refuses what the probe accepted, and a flood never gets through.
pub const MAX_BANNER: usize = 64 * 1024;
/// Most certificates of one chain the relay passes on; real chains have 2 to 4.
pub const MAX_CERTIFICATES: usize = 16;
/// Longest `Content-Type` or `Location` value of a policy fetch the relay passes on. hyper reads
/// up to about 400 KiB of response headers; real values are a media type or one URL, and common
/// servers refuse header lines over 8 KiB (nginx `large_client_header_buffers`).
pub const MAX_HEADER_VALUE: usize = 8 * 1024;
/// Largest JSON answer the relay sends, whatever the upstream returned. A banner or policy body at
/// its cap (64 KiB, JSON-escaped at worst 6 bytes per byte), both header values at theirs and 16
/// certificates fit.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Why the upstream could not answer. Messages may quote the remote peer; the relay sanitises them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// A step took too long (HTTP 504 `timeout`).
    #[error("{0} timed out")]
    Timeout(String),
    /// The connection, the protocol or the handshake failed (HTTP 502 `upstream-failed`).
    #[error("{0}")]
    Failed(String),
}

/// The network side of the relay. Implementations connect to `target.addr()` and nowhere else,
/// use `target.host()` for SNI, EHLO and `Host:`, and apply their own per-step timeouts and read
/// caps; the relay adds an overall timeout and caps what it passes on ([`check_caps`]).
pub trait Upstream: Send + Sync + 'static {
    /// Greeting, EHLO, STARTTLS, handshake with SNI, QUIT; never MAIL, RCPT or DATA.
    fn probe_mx<'a>(
        &'a self,
        target: &'a CheckedTarget,
    ) -> BoxFuture<'a, Result<MxProbe, UpstreamError>>;

    /// `GET https://mta-sts.<domain>/.well-known/mta-sts.txt` as an RFC 8461 sender does it.
    /// `target.host()` is `mta-sts.<domain>`; `domain` is the policy domain.
    fn fetch_policy<'a>(
        &'a self,
        domain: &'a DomainName,
        target: &'a CheckedTarget,
    ) -> BoxFuture<'a, Result<PolicyProbe, UpstreamError>>;
}

/// Which of the relay's caps an answer broke.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CapExceeded {
    /// The banner is over [`MAX_BANNER`] bytes.
    #[error("the SMTP greeting is over {MAX_BANNER} bytes")]
    Banner,
    /// More than [`MAX_CERTIFICATES`] certificates.
    #[error("the certificate chain has more than {MAX_CERTIFICATES} certificates")]
    Certificates,
    /// The policy body is over 64 KiB + 1 byte.
    #[error("the policy body is over the 64 KiB read cap")]
    Body,
    /// A response header value passed on is over [`MAX_HEADER_VALUE`] bytes.
    #[error("the {0} header is over {MAX_HEADER_VALUE} bytes")]
    Header(&'static str),
    /// The whole answer is over [`MAX_RESPONSE_BYTES`].
    #[error("the answer is over {MAX_RESPONSE_BYTES} bytes")]
    Response,
}

/// Answers the relay can size-check before passing them on. The upstream enforces its own read caps;
/// this is the second line, so that a bug there cannot make the relay stream unbounded data.
pub trait Capped: Serialize {
    /// Checks the field caps.
    fn check_fields(&self) -> Result<(), CapExceeded>;
}

impl Capped for MxProbe {
    fn check_fields(&self) -> Result<(), CapExceeded> {
        if self.banner.len() > MAX_BANNER {
            return Err(CapExceeded::Banner);
        }
        if self.certificates.len() > MAX_CERTIFICATES {
            return Err(CapExceeded::Certificates);
        }
        Ok(())
    }
}

impl Capped for PolicyProbe {
    fn check_fields(&self) -> Result<(), CapExceeded> {
        // BODY_CAP + 1: one byte more than the cap is how a fetch proves the policy was too large.
        if self.body.len() > BODY_CAP + 1 {
            return Err(CapExceeded::Body);
        }
        for (name, value) in [
            ("Content-Type", &self.content_type),
            ("Location", &self.location),
        ] {
            if value.as_ref().is_some_and(|v| v.len() > MAX_HEADER_VALUE) {
                return Err(CapExceeded::Header(name));
            }
        }
        if self.tls.certificates.len() > MAX_CERTIFICATES {
            return Err(CapExceeded::Certificates);
        }
        Ok(())
    }
}

/// Serialises an answer after checking its caps, and the size of the whole.
pub fn check_caps<T: Capped>(answer: &T) -> Result<Vec<u8>, CapExceeded> {
    answer.check_fields()?;
    let json = serde_json::to_vec(answer).map_err(|_| CapExceeded::Response)?;
    if json.len() > MAX_RESPONSE_BYTES {
        return Err(CapExceeded::Response);
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stslens_core::name::TrailingDot;

    fn certificate() -> Certificate {
        Certificate {
            subject: "CN=mx".into(),
            issuer: "CN=CA".into(),
            dns_names: vec!["mx.example.com".into()],
            not_before: 0,
            not_after: 1,
            sha256: "00".repeat(32),
        }
    }

    fn probe(banner_len: usize, certs: usize) -> MxProbe {
        MxProbe {
            host: DomainName::parse("mx.example.com", TrailingDot::Refuse).unwrap(),
            address: "192.0.2.1".parse().unwrap(),
            banner: "x".repeat(banner_len),
            starttls: true,
            tls: None,
            certificates: vec![certificate(); certs],
            chain_valid: false,
            chain_error: Some(ChainError::UnknownIssuer),
            elapsed_ms: 1,
        }
    }

    fn policy(body_len: usize, certs: usize) -> PolicyProbe {
        PolicyProbe {
            url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
            status: 200,
            content_type: Some("text/plain".into()),
            location: None,
            body: "x".repeat(body_len),
            tls: PolicyTls {
                version: "TLSv1.3".into(),
                certificates: vec![certificate(); certs],
                chain_valid: true,
                chain_error: None,
            },
            elapsed_ms: 1,
        }
    }

    #[test]
    fn caps_hold_at_their_edges() {
        assert!(check_caps(&probe(MAX_BANNER, MAX_CERTIFICATES)).is_ok());
        assert_eq!(
            check_caps(&probe(MAX_BANNER + 1, 1)),
            Err(CapExceeded::Banner)
        );
        assert_eq!(
            check_caps(&probe(10, MAX_CERTIFICATES + 1)),
            Err(CapExceeded::Certificates)
        );
        assert!(check_caps(&policy(BODY_CAP + 1, MAX_CERTIFICATES)).is_ok());
        assert_eq!(check_caps(&policy(BODY_CAP + 2, 1)), Err(CapExceeded::Body));
        assert_eq!(
            check_caps(&policy(10, MAX_CERTIFICATES + 1)),
            Err(CapExceeded::Certificates)
        );
        let mut moved = policy(0, 1);
        moved.location = Some("x".repeat(MAX_HEADER_VALUE));
        assert!(check_caps(&moved).is_ok());
        moved.location = Some("x".repeat(MAX_HEADER_VALUE + 1));
        assert_eq!(check_caps(&moved), Err(CapExceeded::Header("Location")));
        let mut typed = policy(0, 1);
        typed.content_type = Some("t".repeat(MAX_HEADER_VALUE + 1));
        assert_eq!(check_caps(&typed), Err(CapExceeded::Header("Content-Type")));
    }

    #[test]
    fn the_largest_allowed_answer_fits_the_response_cap() {
        // A body of control characters is the worst case for JSON escaping (\u0001: 6 bytes each).
        let mut worst = policy(0, MAX_CERTIFICATES);
        worst.body = "\u{1}".repeat(BODY_CAP + 1);
        worst.content_type = Some("\u{1}".repeat(MAX_HEADER_VALUE));
        worst.location = Some("\u{1}".repeat(MAX_HEADER_VALUE));
        assert!(check_caps(&worst).is_ok());
        let mut worst = probe(0, MAX_CERTIFICATES);
        worst.banner = "\u{1}".repeat(MAX_BANNER);
        assert!(check_caps(&worst).is_ok());
    }
}
