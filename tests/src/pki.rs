//! A throwaway certificate authority (rcgen) for the TLS fakes. Clients trust it through an
//! explicit test option (`TrustAnchors::with_root_der` / `with_roots_pem`), never by default.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Which validity period a leaf certificate gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    /// Valid from yesterday for 90 days.
    Current,
    /// Expired yesterday.
    Expired,
    /// Valid from tomorrow.
    NotYetValid,
    /// Valid now, expiring in 5 days (for "expires soon" findings).
    ExpiringSoon,
}

/// A CA that issues leaf certificates for test host names.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert: rcgen::Certificate,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

impl TestCa {
    /// A new CA with a fresh key.
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names is fine");
        params
            .distinguished_name
            .push(DnType::CommonName, "StsLens Test CA");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "StsLens tests");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(365);
        params.not_after = now + Duration::days(3650);
        let key = KeyPair::generate().expect("key generation");
        let cert = params.self_signed(&key).expect("self-signing the CA");
        TestCa {
            issuer: Issuer::new(params, key),
            cert,
        }
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// Issues a leaf for `names` (subjectAltName DNS names; the first is also the CN) and returns
    /// its chain (leaf, then the CA) and key.
    pub fn issue(
        &self,
        names: &[&str],
        validity: Validity,
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("valid test names");
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.is_ca = IsCa::NoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let now = OffsetDateTime::now_utc();
        let day = Duration::days(1);
        (params.not_before, params.not_after) = match validity {
            Validity::Current => (now - day, now + 90 * day),
            Validity::Expired => (now - 90 * day, now - day),
            Validity::NotYetValid => (now + day, now + 90 * day),
            Validity::ExpiringSoon => (now - 85 * day, now + 5 * day),
        };
        let key = KeyPair::generate().expect("key generation");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("signing a leaf");
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (vec![cert.der().clone(), self.cert.der().clone()], key_der)
    }

    /// A leaf ready for a rustls server.
    pub fn certified_key(&self, names: &[&str], validity: Validity) -> Arc<CertifiedKey> {
        let (chain, key) = self.issue(names, validity);
        let signing_key =
            rustls::crypto::ring::sign::any_supported_type(&key).expect("rcgen keys are supported");
        Arc::new(CertifiedKey::new(chain, signing_key))
    }
}

/// A rustls server configuration with the ring provider that presents `resolver`'s certificates.
pub fn server_config(
    resolver: Arc<dyn rustls::server::ResolvesServerCert>,
    alpn: &[&[u8]],
) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}

/// Picks a certificate by SNI, whatever names it holds (so a fake can present a certificate
/// for another name, which `ResolvesServerCertUsingSni` refuses to hold).
#[derive(Debug, Default)]
pub struct SniResolver {
    keys: std::collections::HashMap<String, Arc<CertifiedKey>>,
    fallback: Option<Arc<CertifiedKey>>,
}

impl SniResolver {
    /// Presents `key` for SNI `name`.
    pub fn add(&mut self, name: &str, key: Arc<CertifiedKey>) {
        self.keys.insert(name.to_ascii_lowercase(), key);
    }

    /// Presents `key` when the SNI is absent or unknown.
    pub fn set_fallback(&mut self, key: Arc<CertifiedKey>) {
        self.fallback = Some(key);
    }
}

impl rustls::server::ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        hello
            .server_name()
            .and_then(|name| self.keys.get(&name.to_ascii_lowercase()).cloned())
            .or_else(|| self.fallback.clone())
    }
}
