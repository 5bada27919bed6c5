//! What a TLS connection to an MX host or a policy host showed: the relay's result shapes
//! (design §4) that the browser deserializes and the check evaluates.
//!
//! The shells (native I/O, the relay) only record facts: the certificate chain as presented, the
//! WebPKI verdict on it, the negotiated version and cipher. What those facts mean against the
//! policy (is the MX name in the certificate, is it about to expire) is decided here and in
//! `check`, with "now" passed in, because the core reads no clock.
//!
//! Dates are **seconds since the Unix epoch (UTC)** in JSON and in Rust (`not_before`,
//! `not_after`): they compare and subtract without a date library in the core or in the browser
//! (`new Date(s * 1000)`), and certificates carry whole seconds anyway (RFC 5280 §4.1.2.5).

use crate::name::DomainName;
use crate::policy::fetch::FetchResponse;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;

/// The result of `GET /api/v1/mx-probe`: one STARTTLS probe of one MX host (RFC 3207), with the
/// facts RFC 8461 §4.2 (MX host validation) and §3.4 need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxProbe {
    /// The MX host name that was probed (and sent as TLS SNI).
    pub host: DomainName,
    /// The address that was connected to.
    pub address: IpAddr,
    /// The server's greeting, lines joined with `\n`, without the reply codes' CRLF.
    pub banner: String,
    /// Whether the EHLO response advertised STARTTLS.
    pub starttls: bool,
    /// The negotiated TLS session; absent when there was no STARTTLS.
    pub tls: Option<TlsSession>,
    /// The certificates the server presented, leaf first; empty without TLS.
    pub certificates: Vec<Certificate>,
    /// Whether the chain leads to a trusted root and every certificate is within its validity
    /// period (WebPKI, RFC 5280). Says nothing about the host name: see [`MxProbe::name_valid`].
    /// False when there was no TLS.
    pub chain_valid: bool,
    /// Why the chain is not valid; absent when it is, or when there was no TLS.
    pub chain_error: Option<ChainError>,
    /// Wall time of the whole probe in milliseconds.
    pub elapsed_ms: u64,
}

impl MxProbe {
    /// Whether the leaf certificate is valid for the MX host name (RFC 8461 §4.2, RFC 6125 §6.4);
    /// `None` without a certificate.
    pub fn name_valid(&self) -> Option<bool> {
        self.certificates
            .first()
            .map(|leaf| leaf.valid_for(self.host.as_str()))
    }
}

/// The negotiated TLS session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsSession {
    /// Protocol version as IANA names it, e.g. `TLSv1.3`.
    pub version: String,
    /// Cipher suite as IANA names it, e.g. `TLS_AES_256_GCM_SHA384`.
    pub cipher: String,
}

/// The TLS facts of a policy fetch (the `tls` member of `GET /api/v1/policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTls {
    /// Protocol version, e.g. `TLSv1.3`.
    pub version: String,
    /// The certificates the policy host presented, leaf first.
    pub certificates: Vec<Certificate>,
    /// Whether the chain leads to a trusted root and every certificate is within its validity
    /// period (WebPKI). As for MX probes, the host name is judged separately
    /// ([`PolicyTls::name_valid`]); RFC 8461 §3.3 requires both for a sender to use the policy.
    pub chain_valid: bool,
    /// Why not; absent when valid.
    pub chain_error: Option<ChainError>,
}

impl PolicyTls {
    /// Whether the leaf certificate is valid for `host` (`mta-sts.<domain>`); `None` without one.
    pub fn name_valid(&self, host: &str) -> Option<bool> {
        self.certificates.first().map(|leaf| leaf.valid_for(host))
    }
}

/// The result of `GET /api/v1/policy`: one HTTPS GET of the policy URL the way a sender does it.
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
    /// The body, at most 64 KiB + 1 bytes, as text (bytes that are not UTF-8 become U+FFFD:
    /// a policy is ASCII text, RFC 8461 §3.2, so such a body is broken either way).
    pub body: String,
    /// The TLS facts of the connection.
    pub tls: PolicyTls,
    /// Wall time of the whole fetch in milliseconds.
    pub elapsed_ms: u64,
}

impl PolicyProbe {
    /// Builds the relay's answer from what the fetch observed.
    pub fn new(fetch: &FetchResponse, tls: PolicyTls, elapsed_ms: u64) -> PolicyProbe {
        PolicyProbe {
            url: fetch.url.clone(),
            status: fetch.status,
            content_type: fetch.content_type.clone(),
            location: fetch.location.clone(),
            body: String::from_utf8_lossy(&fetch.body).into_owned(),
            tls,
            elapsed_ms,
        }
    }

    /// The HTTP-layer facts, for the RFC 8461 §3.3 rules in [`crate::policy::fetch`].
    pub fn fetch_response(&self) -> FetchResponse {
        FetchResponse {
            url: self.url.clone(),
            status: self.status,
            content_type: self.content_type.clone(),
            location: self.location.clone(),
            body: self.body.as_bytes().to_vec(),
        }
    }
}

/// The facts of one X.509 certificate that a mail admin acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Subject distinguished name, RFC 4514 form.
    pub subject: String,
    /// Issuer distinguished name, RFC 4514 form.
    pub issuer: String,
    /// The DNS names of the subjectAltName extension (RFC 5280 §4.2.1.6), as written.
    pub dns_names: Vec<String>,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// SHA-256 of the DER encoding, lower-case hex: the fingerprint admins compare.
    pub sha256: String,
}

impl Certificate {
    /// Whole days from `now` (Unix seconds) until `not_after`; negative once expired.
    pub fn days_to_expiry(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    /// Whether `now` (Unix seconds) is within the validity period.
    pub fn valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Whether one of the subjectAltName DNS names matches `host` (RFC 6125 §6.4): compared
    /// case-insensitively, a wildcard only as the whole left-most label, standing for exactly one
    /// label. The subject CN is not consulted (RFC 6125 §6.4.4: not when DNS names are present,
    /// and WebPKI clients no longer fall back to it).
    pub fn valid_for(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        self.dns_names.iter().any(|name| name_matches(name, host))
    }
}

fn name_matches(presented: &str, host: &str) -> bool {
    let presented = presented.strip_suffix('.').unwrap_or(presented);
    match presented.strip_prefix("*.") {
        Some(base) => match host.split_once('.') {
            Some((first, rest)) => {
                !first.is_empty() && base.contains('.') && rest.eq_ignore_ascii_case(base)
            }
            None => false,
        },
        None => presented.eq_ignore_ascii_case(host),
    }
}

/// Why a certificate chain is not valid. In JSON a kebab-case string such as `"expired"`;
/// reasons without a variant travel as their own text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChainError {
    /// A certificate's `notAfter` has passed.
    Expired,
    /// A certificate's `notBefore` is in the future.
    NotYetValid,
    /// The chain does not lead to a trusted root (self-signed, private CA, missing intermediate).
    UnknownIssuer,
    /// A signature in the chain does not verify.
    BadSignature,
    /// A certificate was revoked.
    Revoked,
    /// The certificate may not be used for TLS server authentication.
    InvalidPurpose,
    /// The server presented no certificate, or one that cannot be parsed.
    BadEncoding,
    /// Anything else, in the verifier's words.
    Other(String),
}

impl ChainError {
    /// The JSON form.
    pub fn as_str(&self) -> &str {
        match self {
            ChainError::Expired => "expired",
            ChainError::NotYetValid => "not-yet-valid",
            ChainError::UnknownIssuer => "unknown-issuer",
            ChainError::BadSignature => "bad-signature",
            ChainError::Revoked => "revoked",
            ChainError::InvalidPurpose => "invalid-purpose",
            ChainError::BadEncoding => "bad-encoding",
            ChainError::Other(text) => text,
        }
    }

    /// Reads the JSON form back.
    pub fn from_text(text: &str) -> ChainError {
        match text {
            "expired" => ChainError::Expired,
            "not-yet-valid" => ChainError::NotYetValid,
            "unknown-issuer" => ChainError::UnknownIssuer,
            "bad-signature" => ChainError::BadSignature,
            "revoked" => ChainError::Revoked,
            "invalid-purpose" => ChainError::InvalidPurpose,
            "bad-encoding" => ChainError::BadEncoding,
            other => ChainError::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChainError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ChainError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(ChainError::from_text(&String::deserialize(deserializer)?))
    }
}

/// Why a probe or fetch produced no result, in a form the check and the relay carry as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeFailure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The details, naming the host and the step.
    pub message: String,
}

/// Kinds of probe failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FailureKind {
    /// The host refused the TCP connection.
    Refused,
    /// A step took longer than its timeout.
    Timeout,
    /// Another network error (unreachable, reset).
    Network,
    /// The peer does not speak the protocol (no SMTP greeting, not HTTP).
    Protocol,
    /// The peer sent more than the caps allow (line length, line count).
    TooLarge,
    /// The SMTP server advertised STARTTLS but refused the command (RFC 3207 §4).
    StartTlsRefused,
    /// The TLS handshake failed.
    Tls,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(names: &[&str]) -> Certificate {
        Certificate {
            subject: "CN=mx.example.com".into(),
            issuer: "CN=Test CA".into(),
            dns_names: names.iter().map(|s| s.to_string()).collect(),
            not_before: 1_700_000_000,
            not_after: 1_700_000_000 + 30 * 86_400,
            sha256: "00".repeat(32),
        }
    }

    #[test]
    fn host_names_match_like_rfc_6125() {
        let c = cert(&["mx.example.com", "*.mail.example.net"]);
        assert!(c.valid_for("MX.example.com."));
        assert!(c.valid_for("a.mail.example.net"));
        assert!(
            !c.valid_for("mail.example.net"),
            "the wildcard needs one label"
        );
        assert!(!c.valid_for("a.b.mail.example.net"), "and only one");
        assert!(!c.valid_for("example.com"));
        assert!(
            !cert(&["*.com"]).valid_for("example.com"),
            "no wildcard over a TLD"
        );
        assert!(
            !cert(&["m*.example.com"]).valid_for("mx.example.com"),
            "partial wildcards are not honoured"
        );
    }

    #[test]
    fn expiry_in_days_with_now_passed_in() {
        let c = cert(&[]);
        assert_eq!(c.days_to_expiry(1_700_000_000), 30);
        assert_eq!(c.days_to_expiry(1_700_000_000 + 30 * 86_400 + 1), -1);
        assert!(c.valid_at(1_700_000_001));
        assert!(!c.valid_at(1_600_000_000));
    }

    #[test]
    fn mx_probe_json_matches_the_relay_contract() {
        let probe = MxProbe {
            host: DomainName::parse("mx.example.com", crate::name::TrailingDot::Refuse).unwrap(),
            address: "192.0.2.25".parse().unwrap(),
            banner: "mx.example.com ESMTP".into(),
            starttls: true,
            tls: Some(TlsSession {
                version: "TLSv1.3".into(),
                cipher: "TLS_AES_128_GCM_SHA256".into(),
            }),
            certificates: vec![cert(&["mx.example.com"])],
            chain_valid: false,
            chain_error: Some(ChainError::Expired),
            elapsed_ms: 42,
        };
        let json = serde_json::to_value(&probe).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        let mut expected = [
            "host",
            "address",
            "banner",
            "starttls",
            "tls",
            "certificates",
            "chain_valid",
            "chain_error",
            "elapsed_ms",
        ];
        expected.sort();
        assert_eq!(keys, expected);
        assert_eq!(json["chain_error"], "expired");
        assert_eq!(json["tls"]["version"], "TLSv1.3");
        let cert_keys: Vec<_> = json["certificates"][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            cert_keys,
            [
                "dns_names",
                "issuer",
                "not_after",
                "not_before",
                "sha256",
                "subject"
            ]
        );
        assert_eq!(serde_json::from_value::<MxProbe>(json).unwrap(), probe);
        assert_eq!(probe.name_valid(), Some(true));
    }

    #[test]
    fn chain_errors_round_trip_including_unknown_ones() {
        for e in [
            ChainError::Expired,
            ChainError::UnknownIssuer,
            ChainError::Other("weird thing".into()),
        ] {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<ChainError>(&json).unwrap(), e);
        }
        assert_eq!(
            serde_json::to_string(&ChainError::NotYetValid).unwrap(),
            "\"not-yet-valid\""
        );
    }

    #[test]
    fn policy_probe_carries_the_fetch_response() {
        let fetch = FetchResponse {
            url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
            status: 200,
            content_type: Some("text/plain".into()),
            location: None,
            body: b"version: STSv1\n".to_vec(),
        };
        let tls = PolicyTls {
            version: "TLSv1.2".into(),
            certificates: vec![],
            chain_valid: true,
            chain_error: None,
        };
        let probe = PolicyProbe::new(&fetch, tls, 7);
        assert_eq!(probe.fetch_response(), fetch);
        let json = serde_json::to_value(&probe).unwrap();
        let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "body",
                "content_type",
                "elapsed_ms",
                "location",
                "status",
                "tls",
                "url"
            ]
        );
    }
}
