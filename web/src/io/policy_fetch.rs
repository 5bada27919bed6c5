//! The policy fetch, the way an RFC 8461 sender does it (§3.3): one HTTPS GET of
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt`, no redirect followed, at most 64 KiB read
//! (plus one byte to prove the cap was exceeded), timeouts on every step.
//!
//! It is written with hyper over tokio-rustls rather than reqwest because the TLS handshake must
//! be ours: the certificate facts are recorded and judged even when the chain is invalid
//! ([`TrustAnchors::observing_config`]), and the connection must go to an address the caller
//! chose (the relay connects to the address it checked, with SNI = the policy host).
//!
//! Choice: when the chain or the name is invalid, the policy is **still fetched** and returned
//! with `chain_valid: false` / `name_valid: false`. A sender would stop there (§3.3 requires a
//! valid certificate), and the core's §3.3 rules say so; but the admin fixing the certificate
//! also wants to see whether the policy behind it is right.

use super::tls::{TlsFacts, TrustAnchors};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::pki_types::{ServerName, UnixTime};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::policy::fetch::{BODY_CAP, FetchResponse};
use stslens_core::probe::{FailureKind, PolicyProbe, PolicyTls, ProbeFailure};
use thiserror::Error;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

/// The well-known path (RFC 8461 §3.2).
pub use stslens_core::policy::fetch::{POLICY_PATH, policy_host, policy_url};

/// Time limits of a fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyTimeouts {
    /// Name resolution and TCP connection.
    pub connect: Duration,
    /// TLS handshake.
    pub handshake: Duration,
    /// The whole fetch, from resolution to the last body byte.
    pub total: Duration,
}

impl Default for PolicyTimeouts {
    fn default() -> Self {
        PolicyTimeouts {
            connect: Duration::from_secs(10),
            handshake: Duration::from_secs(10),
            total: Duration::from_secs(20),
        }
    }
}

/// The step of a fetch that ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchStep {
    /// Resolving and connecting.
    Connect,
    /// The TLS handshake.
    Handshake,
    /// The whole fetch (the response or its body was too slow).
    Total,
}

impl std::fmt::Display for FetchStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FetchStep::Connect => "connecting",
            FetchStep::Handshake => "the TLS handshake",
            FetchStep::Total => "the whole fetch",
        })
    }
}

/// Why a fetch produced no HTTP response.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PolicyFetchError {
    /// The policy host name could not be resolved.
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// The policy host name has no address.
    #[error("{host} has no address")]
    NoAddress {
        /// The host.
        host: String,
    },
    /// The TCP connection failed.
    #[error("cannot connect to {url} at {address}: {source}")]
    Connect {
        /// The policy URL.
        url: String,
        /// The address tried.
        address: SocketAddr,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
    /// A step ran out of time.
    #[error("fetching {url} timed out during {step}")]
    Timeout {
        /// The policy URL.
        url: String,
        /// Which step.
        step: FetchStep,
    },
    /// The TLS handshake failed (not for certificate reasons: those are reported as facts).
    #[error("TLS handshake with {url} at {address} failed: {source}")]
    Tls {
        /// The policy URL.
        url: String,
        /// The address.
        address: SocketAddr,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// The server did not speak HTTP/1.1 properly.
    #[error("HTTP exchange with {url} failed: {source}")]
    Http {
        /// The policy URL.
        url: String,
        /// What failed.
        #[source]
        source: hyper::Error,
    },
}

impl PolicyFetchError {
    /// The failure as data, for the check's observations and the relay's errors.
    pub fn failure(&self) -> ProbeFailure {
        let kind = match self {
            PolicyFetchError::Resolve { .. } | PolicyFetchError::NoAddress { .. } => {
                FailureKind::Network
            }
            PolicyFetchError::Connect { source, .. }
                if source.kind() == std::io::ErrorKind::ConnectionRefused =>
            {
                FailureKind::Refused
            }
            PolicyFetchError::Connect { .. } => FailureKind::Network,
            PolicyFetchError::Timeout { .. } => FailureKind::Timeout,
            PolicyFetchError::Tls { .. } => FailureKind::Tls,
            PolicyFetchError::Http { .. } => FailureKind::Protocol,
        };
        ProbeFailure {
            kind,
            message: self.to_string(),
        }
    }
}

/// What one fetch observed: the HTTP facts (for the core's §3.3 rules) and the TLS facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFetch {
    /// Status, headers and capped body.
    pub response: FetchResponse,
    /// The handshake's facts; `name_valid` is judged for `mta-sts.<domain>`.
    pub tls: TlsFacts,
    /// The address connected to.
    pub address: SocketAddr,
    /// Wall time of the whole fetch.
    pub elapsed: Duration,
}

impl PolicyFetch {
    /// The relay's JSON shape (design §4).
    pub fn to_probe(&self) -> PolicyProbe {
        let tls = PolicyTls {
            version: self.tls.session.version.clone(),
            certificates: self.tls.certificates.clone(),
            chain_valid: self.tls.chain_valid,
            chain_error: self.tls.chain_error.clone(),
        };
        PolicyProbe::new(&self.response, tls, self.elapsed.as_millis() as u64)
    }
}

/// Fetches policies; cheap to clone and share across concurrent fetches.
#[derive(Debug, Clone)]
pub struct PolicyFetcher {
    config: Arc<ClientConfig>,
    anchors: TrustAnchors,
    timeouts: PolicyTimeouts,
}

impl PolicyFetcher {
    /// A fetcher judging chains against `anchors`.
    pub fn new(anchors: &TrustAnchors, timeouts: PolicyTimeouts) -> PolicyFetcher {
        // HTTP/1.1 only: it is what the fetch needs, and it keeps the exchange simple to cap.
        let config = Arc::new(anchors.observing_config(&[b"http/1.1"]));
        PolicyFetcher {
            config,
            anchors: anchors.clone(),
            timeouts,
        }
    }

    /// Resolves `mta-sts.<domain>` with the system resolver and fetches from the first address
    /// that accepts a connection on port 443.
    pub async fn fetch(&self, domain: &DomainName) -> Result<PolicyFetch, PolicyFetchError> {
        let started = Instant::now();
        let host = policy_host(domain);
        let url = policy_url(domain);
        let work = async {
            let addresses: Vec<SocketAddr> = timeout(
                self.timeouts.connect,
                tokio::net::lookup_host((host.as_str(), 443)),
            )
            .await
            .map_err(|_| PolicyFetchError::Timeout {
                url: url.clone(),
                step: FetchStep::Connect,
            })?
            .map_err(|source| PolicyFetchError::Resolve {
                host: host.clone(),
                source,
            })?
            .collect();
            let mut last = PolicyFetchError::NoAddress { host: host.clone() };
            for address in addresses {
                match self.fetch_inner(domain, address, started).await {
                    Err(e @ PolicyFetchError::Connect { .. }) => last = e,
                    other => return other,
                }
            }
            Err(last)
        };
        timeout(self.timeouts.total, work)
            .await
            .map_err(|_| PolicyFetchError::Timeout {
                url: url.clone(),
                step: FetchStep::Total,
            })?
    }

    /// Fetches from `address` (already resolved and, for the relay, already checked), with
    /// SNI and `Host` set to `mta-sts.<domain>`. The port is the caller's: 443 in production,
    /// a loopback port in tests.
    pub async fn fetch_at(
        &self,
        domain: &DomainName,
        address: SocketAddr,
    ) -> Result<PolicyFetch, PolicyFetchError> {
        let started = Instant::now();
        timeout(
            self.timeouts.total,
            self.fetch_inner(domain, address, started),
        )
        .await
        .map_err(|_| PolicyFetchError::Timeout {
            url: policy_url(domain),
            step: FetchStep::Total,
        })?
    }

    async fn fetch_inner(
        &self,
        domain: &DomainName,
        address: SocketAddr,
        started: Instant,
    ) -> Result<PolicyFetch, PolicyFetchError> {
        let host = policy_host(domain);
        let url = policy_url(domain);
        let tcp = timeout(self.timeouts.connect, TcpStream::connect(address))
            .await
            .map_err(|_| PolicyFetchError::Timeout {
                url: url.clone(),
                step: FetchStep::Connect,
            })?
            .map_err(|source| PolicyFetchError::Connect {
                url: url.clone(),
                address,
                source,
            })?;
        let _ = tcp.set_nodelay(true);

        let server_name =
            ServerName::try_from(host.clone()).expect("mta-sts.<hostname> is a valid DNS name");
        let connector = TlsConnector::from(Arc::clone(&self.config));
        let tls = timeout(self.timeouts.handshake, connector.connect(server_name, tcp))
            .await
            .map_err(|_| PolicyFetchError::Timeout {
                url: url.clone(),
                step: FetchStep::Handshake,
            })?
            .map_err(|source| PolicyFetchError::Tls {
                url: url.clone(),
                address,
                source,
            })?;
        let policy_host = DomainName::parse(&host, TrailingDot::Refuse)
            .expect("mta-sts.<hostname> is a hostname");
        let facts = TlsFacts::observe(
            tls.get_ref().1,
            &policy_host,
            &self.anchors,
            UnixTime::now(),
        );

        let http_error = |source| PolicyFetchError::Http {
            url: url.clone(),
            source,
        };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(http_error)?;
        // The connection task ends when the exchange is over or the guard drops it.
        let driver = AbortOnDrop(tokio::spawn(connection));
        let request = http::Request::get(POLICY_PATH)
            .header(http::header::HOST, &host)
            .header(
                http::header::USER_AGENT,
                concat!("stslens/", env!("CARGO_PKG_VERSION")),
            )
            .header(http::header::CONNECTION, "close")
            .body(Empty::<Bytes>::new())
            .expect("a static request is well-formed");
        let response = sender.send_request(request).await.map_err(http_error)?;
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let status = response.status().as_u16();
        let content_type = header(http::header::CONTENT_TYPE);
        let location = header(http::header::LOCATION);

        let mut body_stream = response.into_body();
        let mut body = Vec::new();
        while body.len() <= BODY_CAP {
            let Some(frame) = body_stream.frame().await else {
                break;
            };
            if let Ok(data) = frame.map_err(http_error)?.into_data() {
                let room = BODY_CAP + 1 - body.len();
                body.extend_from_slice(&data[..data.len().min(room)]);
            }
        }
        drop(body_stream);
        drop(driver);
        Ok(PolicyFetch {
            response: FetchResponse {
                url,
                status,
                content_type,
                location,
                body,
            },
            tls: facts,
            address,
            elapsed: started.elapsed(),
        })
    }
}

/// Aborts a spawned task when dropped, so that no connection outlives its fetch.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
