//! Shared TLS setup (rustls with the ring provider) and the certificate facts StsLens reports.
//!
//! Two kinds of client configuration exist, on purpose:
//! - [`TrustAnchors::strict_config`]: ordinary verification, for DNS-over-HTTPS. A resolver with a
//!   bad certificate is simply not used.
//! - [`TrustAnchors::observing_config`]: for the policy fetch and the SMTP probe, whose job is to
//!   *report* on a certificate. Its verifier accepts any chain during the handshake (it still
//!   checks the handshake signatures, so the peer must hold the key of the certificate it shows)
//!   and the chain is judged afterwards by [`TlsFacts::observe`] against the same WebPKI rules
//!   a sender applies. That is how an expired or misnamed certificate is reported with all its
//!   facts instead of as a bare handshake error. Nothing sent over such a connection is trusted
//!   by StsLens itself: the facts go to the core, which decides what a sender would do.

use ring::digest;
use rustls::client::Resumption;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, CommonState, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::fmt::Write as _;
use std::sync::Arc;
use stslens_core::name::DomainName;
use stslens_core::probe::{Certificate, ChainError, TlsSession};
use thiserror::Error;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// A problem with trust anchors given by the caller.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The PEM text holds no certificate or cannot be read.
    #[error("cannot read the extra root certificate PEM: {0}")]
    Pem(String),
    /// The certificate cannot serve as a trust anchor.
    #[error("cannot use the extra root certificate as a trust anchor: {0}")]
    Anchor(#[source] rustls::Error),
}

/// The roots that certificate chains are judged against: the Mozilla set from `webpki-roots`
/// (what most senders trust) and, for tests, extra roots added explicitly.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    roots: Arc<RootCertStore>,
}

impl TrustAnchors {
    /// The Mozilla root program, as shipped by `webpki-roots`.
    pub fn webpki() -> TrustAnchors {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        TrustAnchors {
            roots: Arc::new(roots),
        }
    }

    /// No roots at all: every chain is reported as `unknown-issuer` until roots are added.
    pub fn empty() -> TrustAnchors {
        TrustAnchors {
            roots: Arc::new(RootCertStore::empty()),
        }
    }

    /// These anchors plus one more root, DER-encoded (tests use an rcgen CA).
    pub fn with_root_der(self, der: &[u8]) -> Result<TrustAnchors, TrustError> {
        let mut roots = Arc::unwrap_or_clone(self.roots);
        roots
            .add(CertificateDer::from(der.to_vec()))
            .map_err(TrustError::Anchor)?;
        Ok(TrustAnchors {
            roots: Arc::new(roots),
        })
    }

    /// These anchors plus every certificate in `pem`.
    pub fn with_roots_pem(mut self, pem: &str) -> Result<TrustAnchors, TrustError> {
        let mut found = false;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| TrustError::Pem(e.to_string()))?;
            self = self.with_root_der(&cert)?;
            found = true;
        }
        if !found {
            return Err(TrustError::Pem("no CERTIFICATE section found".into()));
        }
        Ok(self)
    }

    /// The root store.
    pub fn roots(&self) -> &RootCertStore {
        &self.roots
    }

    /// A client configuration that verifies certificates the ordinary way (for DoH).
    pub fn strict_config(&self, alpn: &[&[u8]]) -> ClientConfig {
        let mut config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(Arc::clone(&self.roots))
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config
    }

    /// A client configuration that completes the handshake whatever the chain, so that the
    /// chain can be reported (see the module docs). Only for the policy fetch and the SMTP probe.
    ///
    /// Session resumption is off: a resumed TLS 1.3 session carries no certificate, and rustls
    /// reports the chain stored with the ticket instead, so a second probe of a host would show
    /// the certificate of the first one, not the one the server presents now.
    pub fn observing_config(&self, alpn: &[&[u8]]) -> ClientConfig {
        let provider = provider();
        let verifier = Arc::new(ObservingVerifier {
            algorithms: provider.signature_verification_algorithms,
        });
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config.resumption = Resumption::disabled();
        config
    }
}

/// The ring crypto provider: pure Rust and assembly, no cmake (unlike aws-lc-rs).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Accepts every chain; checks handshake signatures. See the module docs.
#[derive(Debug)]
struct ObservingVerifier {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ObservingVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What a completed handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// Negotiated version and cipher suite.
    pub session: TlsSession,
    /// The presented chain, leaf first.
    pub certificates: Vec<Certificate>,
    /// WebPKI verdict on the chain (trusted root, validity periods, signatures), not the name.
    pub chain_valid: bool,
    /// Why the chain is not valid.
    pub chain_error: Option<ChainError>,
    /// Whether the leaf is valid for the host name (RFC 6125 as WebPKI implements it), judged
    /// separately from the chain so that both failures can be reported.
    pub name_valid: bool,
}

impl TlsFacts {
    /// Reads the facts off a connection whose handshake completed, judging the chain for `host`
    /// at `now` against `anchors`.
    pub fn observe(
        state: &CommonState,
        host: &DomainName,
        anchors: &TrustAnchors,
        now: UnixTime,
    ) -> TlsFacts {
        let chain = state.peer_certificates().unwrap_or_default();
        let verdict = judge_chain(chain, host, anchors, now);
        TlsFacts {
            session: TlsSession {
                version: state
                    .protocol_version()
                    .map_or_else(|| "unknown".into(), version_name),
                cipher: state
                    .negotiated_cipher_suite()
                    .map_or_else(|| "unknown".into(), |s| cipher_name(s.suite())),
            },
            certificates: chain.iter().map(|der| certificate_facts(der)).collect(),
            chain_valid: verdict.chain_error.is_none(),
            chain_error: verdict.chain_error,
            name_valid: verdict.name_valid,
        }
    }
}

/// The WebPKI verdict on a chain, name apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerdict {
    /// `None` when the chain is valid.
    pub chain_error: Option<ChainError>,
    /// Whether the leaf is valid for the host.
    pub name_valid: bool,
}

/// Judges a presented chain (leaf first) the way rustls's WebPKI verifier does, but reporting the
/// chain and the name separately instead of stopping at the first failure.
pub fn judge_chain(
    chain: &[CertificateDer<'_>],
    host: &DomainName,
    anchors: &TrustAnchors,
    now: UnixTime,
) -> ChainVerdict {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return ChainVerdict {
            chain_error: Some(ChainError::BadEncoding),
            name_valid: false,
        };
    };
    let Ok(parsed) = rustls::server::ParsedCertificate::try_from(leaf) else {
        return ChainVerdict {
            chain_error: Some(ChainError::BadEncoding),
            name_valid: false,
        };
    };
    let algorithms = provider().signature_verification_algorithms;
    let chain_error = rustls::client::verify_server_cert_signed_by_trust_anchor(
        &parsed,
        anchors.roots(),
        intermediates,
        now,
        algorithms.all,
    )
    .err()
    .map(|e| chain_error(&e));
    let name_valid = ServerName::try_from(host.as_str())
        .map(|name| rustls::client::verify_server_name(&parsed, &name).is_ok())
        .unwrap_or(false);
    ChainVerdict {
        chain_error,
        name_valid,
    }
}

fn chain_error(error: &rustls::Error) -> ChainError {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(e) => match e {
            C::Expired | C::ExpiredContext { .. } => ChainError::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => ChainError::NotYetValid,
            C::UnknownIssuer => ChainError::UnknownIssuer,
            C::BadSignature => ChainError::BadSignature,
            C::Revoked => ChainError::Revoked,
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => ChainError::InvalidPurpose,
            C::BadEncoding => ChainError::BadEncoding,
            other => ChainError::Other(format!("{other:?}")),
        },
        other => ChainError::Other(other.to_string()),
    }
}

/// `TLSv1.3` rather than rustls's `TLSv1_3`.
fn version_name(version: rustls::ProtocolVersion) -> String {
    match version {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        rustls::ProtocolVersion::TLSv1_1 => "TLSv1.1".into(),
        rustls::ProtocolVersion::TLSv1_0 => "TLSv1.0".into(),
        other => format!("{other:?}"),
    }
}

/// The IANA name: rustls calls the TLS 1.3 suites `TLS13_*`, IANA `TLS_*`.
fn cipher_name(suite: rustls::CipherSuite) -> String {
    let name = suite
        .as_str()
        .map_or_else(|| format!("{suite:?}"), str::to_owned);
    match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name,
    }
}

/// The reported facts of one DER certificate. One that x509-parser cannot read still gets its
/// fingerprint, with empty names and zero dates.
pub fn certificate_facts(der: &[u8]) -> Certificate {
    let sha256 = hex(digest::digest(&digest::SHA256, der).as_ref());
    match X509Certificate::from_der(der) {
        Ok((_, cert)) => {
            let dns_names = match cert.subject_alternative_name() {
                Ok(Some(san)) => san
                    .value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DNSName(name) => Some((*name).to_owned()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Certificate {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                dns_names,
                not_before: cert.validity().not_before.timestamp(),
                not_after: cert.validity().not_after.timestamp(),
                sha256,
            }
        }
        Err(_) => Certificate {
            subject: String::new(),
            issuer: String::new(),
            dns_names: Vec::new(),
            not_before: 0,
            not_after: 0,
            sha256,
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
