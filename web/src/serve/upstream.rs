//! What the relay asks of the network: one SMTP STARTTLS probe, one policy fetch, and the JSON
//! shapes of their answers (design §4).
//!
//! The relay itself never opens a socket. It hands a [`CheckedTarget`] (a name plus the one address
//! and port the guard approved) to an [`Upstream`], so the safety rules and their tests do not depend
//! on how the probe and the fetch are done, and the upstream cannot resolve or pick an address.
//!
//! The native implementation (reqwest + rustls for the policy, tokio-rustls for SMTP) lives with the
//! CLI's `check` in `web/src/io/`; tests use fakes.

use super::guard::{BoxFuture, CheckedTarget};
use serde::{Deserialize, Serialize};
use stslens_core::name::DomainName;
use stslens_core::policy::fetch::BODY_CAP;
use thiserror::Error;

/// Longest SMTP greeting the relay passes on (all lines together): 64 lines of 1 KiB, the read caps
/// the native probe applies (RFC 5321 §4.5.3.1.5 allows 512-octet lines), so this second line never
/// refuses what the probe accepted, and a flood never gets through.
pub const MAX_BANNER: usize = 64 * 1024;
/// Most certificates of one chain the relay passes on; real chains have 2 to 4.
pub const MAX_CERTIFICATES: usize = 16;
/// Largest JSON answer the relay sends, whatever the upstream returned. A banner or policy body at
/// its cap (64 KiB, JSON-escaped at worst 6 bytes per byte) plus 16 certificates fits.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The result of `GET /api/v1/mx-probe` (design §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxProbe {
    /// The probed hostname.
    pub host: String,
    /// The address connected to.
    pub address: String,
    /// The server's greeting, all lines.
    pub banner: String,
    /// Whether the server offered STARTTLS in its EHLO reply.
    pub starttls: bool,
    /// The negotiated session, when the handshake completed.
    pub tls: Option<TlsSession>,
    /// The presented chain, leaf first, whether or not it validates.
    pub certificates: Vec<Certificate>,
    /// Whether the chain validates against the web PKI for `host`.
    pub chain_valid: bool,
    /// Why it does not, when it does not.
    pub chain_error: Option<String>,
    /// Wall time of the whole probe.
    pub elapsed_ms: u64,
}

/// A negotiated TLS session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsSession {
    /// e.g. `TLSv1.3`.
    pub version: String,
    /// e.g. `TLS13_AES_128_GCM_SHA256`.
    pub cipher: String,
}

/// Facts of one certificate; the core judges them against the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// DNS subject alternative names.
    pub dns_names: Vec<String>,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
}

/// The result of `GET /api/v1/policy` (design §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyProbe {
    /// The URL requested: `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub url: String,
    /// HTTP status of the first response (redirects are not followed).
    pub status: u16,
    /// `Content-Type` as sent.
    pub content_type: Option<String>,
    /// `Location` as sent.
    pub location: Option<String>,
    /// The body read, at most 64 KiB + 1 byte (RFC 8461 §3.3).
    pub body: String,
    /// The TLS session of the fetch.
    pub tls: PolicyTls,
    /// Wall time of the fetch.
    pub elapsed_ms: u64,
}

/// TLS facts of a policy fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTls {
    /// e.g. `TLSv1.3`.
    pub version: String,
    /// The presented chain, leaf first.
    pub certificates: Vec<Certificate>,
    /// Whether the chain validates for `mta-sts.<domain>`.
    pub chain_valid: bool,
    /// Why it does not.
    pub chain_error: Option<String>,
}

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
            host: "mx.example.com".into(),
            address: "192.0.2.1".into(),
            banner: "x".repeat(banner_len),
            starttls: true,
            tls: None,
            certificates: vec![certificate(); certs],
            chain_valid: false,
            chain_error: Some("unknown issuer".into()),
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
    }

    #[test]
    fn the_largest_allowed_answer_fits_the_response_cap() {
        // A body of control characters is the worst case for JSON escaping (\u0001: 6 bytes each).
        let mut worst = policy(0, MAX_CERTIFICATES);
        worst.body = "\u{1}".repeat(BODY_CAP + 1);
        assert!(check_caps(&worst).is_ok());
        let mut worst = probe(0, MAX_CERTIFICATES);
        worst.banner = "\u{1}".repeat(MAX_BANNER);
        assert!(check_caps(&worst).is_ok());
    }
}
