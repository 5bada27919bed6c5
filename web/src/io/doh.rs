//! DNS over HTTPS (RFC 8484) with reqwest: the core builds the wire query and decodes the answer;
//! this module only moves bytes.
//!
//! One [`DohClient`] is shared by all the lookups of a check round; its methods take `&self`, so
//! the lookups run concurrently (over one HTTP/2 connection per resolver when it offers h2).

use super::tls::TrustAnchors;
use std::time::Duration;
use stslens_core::dns::{CONTENT_TYPE, DecodeError, Lookup, Query, QueryError, RecordType};
use thiserror::Error;

/// Cloudflare and Google: both answer wire-format DoH and send CORS headers (design §1).
pub const DEFAULT_RESOLVERS: [&str; 2] = [
    "https://cloudflare-dns.com/dns-query",
    "https://dns.google/dns-query",
];

/// A DNS message is at most 65,535 bytes (RFC 1035 §4.2.2 framing, RFC 8484 §6).
const MAX_RESPONSE: usize = 65_535;

/// How queries are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DohMethod {
    /// `GET ?dns=<base64url>`: cacheable, and what browsers can send without a CORS preflight.
    #[default]
    Get,
    /// `POST` with the message as body.
    Post,
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct DohOptions {
    /// Resolver URLs, tried in order until one answers.
    pub resolvers: Vec<String>,
    /// GET or POST.
    pub method: DohMethod,
    /// Limit on establishing the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Limit on one whole request, connection included.
    pub timeout: Duration,
}

impl Default for DohOptions {
    fn default() -> Self {
        DohOptions {
            resolvers: DEFAULT_RESOLVERS.iter().map(|s| s.to_string()).collect(),
            method: DohMethod::Get,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Why a lookup got no usable answer. Each names the resolver and the question.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DohError {
    /// The name cannot be put in a query.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// No resolver was configured.
    #[error("no DNS-over-HTTPS resolver is configured")]
    NoResolver,
    /// A resolver URL is not https (plain http is accepted only for loopback test servers).
    #[error("resolver `{url}` is not an https:// URL (plain http is only allowed on loopback)")]
    InsecureResolver {
        /// The URL.
        url: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up the DNS-over-HTTPS client: {0}")]
    Client(#[source] reqwest::Error),
    /// The request timed out.
    #[error("resolver {url} did not answer {name} {record_type} in time")]
    Timeout {
        /// The resolver.
        url: String,
        /// The name asked about.
        name: String,
        /// The type asked for.
        record_type: RecordType,
    },
    /// Connection or HTTP failure.
    #[error("resolver {url} failed for {name} {record_type}: {source}")]
    Http {
        /// The resolver.
        url: String,
        /// The name asked about.
        name: String,
        /// The type asked for.
        record_type: RecordType,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The resolver answered with a non-200 status.
    #[error("resolver {url} answered HTTP {status} for {name} {record_type}")]
    Status {
        /// The resolver.
        url: String,
        /// The name asked about.
        name: String,
        /// The type asked for.
        record_type: RecordType,
        /// The HTTP status.
        status: u16,
    },
    /// The resolver answered with something other than `application/dns-message`.
    #[error(
        "resolver {url} answered {name} {record_type} with content type {content_type:?}, not application/dns-message"
    )]
    ContentType {
        /// The resolver.
        url: String,
        /// The name asked about.
        name: String,
        /// The type asked for.
        record_type: RecordType,
        /// What it sent.
        content_type: Option<String>,
    },
    /// The answer is larger than any DNS message can be.
    #[error("resolver {url} sent more than {MAX_RESPONSE} bytes for {name} {record_type}")]
    TooLarge {
        /// The resolver.
        url: String,
        /// The name asked about.
        name: String,
        /// The type asked for.
        record_type: RecordType,
    },
    /// The answer is not a valid response to the query.
    #[error("resolver {url}: {source}")]
    Decode {
        /// The resolver.
        url: String,
        /// What was wrong.
        #[source]
        source: DecodeError,
    },
}

/// A DoH client over a shared connection pool.
#[derive(Debug, Clone)]
pub struct DohClient {
    http: reqwest::Client,
    options: DohOptions,
}

impl DohClient {
    /// A client trusting `anchors` for the resolvers' certificates. Connections are kept open
    /// between lookups (HTTP/2 or HTTP/1.1 keep-alive), which is what a check round wants.
    pub fn new(anchors: &TrustAnchors, options: DohOptions) -> Result<DohClient, DohError> {
        DohClient::build(anchors, options, true)
    }

    /// Like [`DohClient::new`], but every lookup opens its own connection and closes it after the
    /// answer. For the relay's test resolver: a server whose open sockets are counted (the relay
    /// load benchmark) must not hold idle connections of its own.
    pub fn without_idle_connections(
        anchors: &TrustAnchors,
        options: DohOptions,
    ) -> Result<DohClient, DohError> {
        DohClient::build(anchors, options, false)
    }

    fn build(
        anchors: &TrustAnchors,
        options: DohOptions,
        keep_idle: bool,
    ) -> Result<DohClient, DohError> {
        if options.resolvers.is_empty() {
            return Err(DohError::NoResolver);
        }
        for url in &options.resolvers {
            if !allowed_resolver(url) {
                return Err(DohError::InsecureResolver { url: url.clone() });
            }
        }
        let tls = anchors.strict_config(&[b"h2", b"http/1.1"]);
        let mut builder = reqwest::Client::builder();
        if !keep_idle {
            builder = builder.pool_max_idle_per_host(0);
        }
        let http = builder
            .tls_backend_preconfigured(tls)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("stslens/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(DohError::Client)?;
        Ok(DohClient { http, options })
    }

    /// Looks `name` up: each resolver in turn until one gives an answer (NXDOMAIN and SERVFAIL
    /// are answers; transport and decoding failures move on to the next resolver).
    pub async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Lookup, DohError> {
        let query = Query::new(name, record_type)?;
        let mut last = DohError::NoResolver;
        for url in &self.options.resolvers {
            match self.ask(url, &query).await {
                Ok(lookup) => return Ok(lookup),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Sends `query` to one resolver.
    pub async fn ask(&self, url: &str, query: &Query) -> Result<Lookup, DohError> {
        let name = query.name().to_owned();
        let record_type = query.record_type();
        let http_error = |source: reqwest::Error| {
            if source.is_timeout() {
                DohError::Timeout {
                    url: url.to_owned(),
                    name: name.clone(),
                    record_type,
                }
            } else {
                DohError::Http {
                    url: url.to_owned(),
                    name: name.clone(),
                    record_type,
                    source,
                }
            }
        };
        let request = match self.options.method {
            DohMethod::Get => self.http.get(query.get_url(url)),
            DohMethod::Post => self
                .http
                .post(url)
                .header("content-type", CONTENT_TYPE)
                .body(query.post_body()),
        };
        let mut response = request
            .header("accept", CONTENT_TYPE)
            .send()
            .await
            .map_err(http_error)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(DohError::Status {
                url: url.to_owned(),
                name,
                record_type,
                status,
            });
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let media_type = content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(str::trim);
        if !media_type.is_some_and(|m| m.eq_ignore_ascii_case(CONTENT_TYPE)) {
            return Err(DohError::ContentType {
                url: url.to_owned(),
                name,
                record_type,
                content_type,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(http_error)? {
            if body.len() + chunk.len() > MAX_RESPONSE {
                return Err(DohError::TooLarge {
                    url: url.to_owned(),
                    name,
                    record_type,
                });
            }
            body.extend_from_slice(&chunk);
        }
        query.decode(&body).map_err(|source| DohError::Decode {
            url: url.to_owned(),
            source,
        })
    }
}

/// https anywhere; plain http only to a loopback address, which is where the test fakes live.
fn allowed_resolver(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "https" => true,
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolvers_must_be_https_except_on_loopback() {
        assert!(allowed_resolver("https://dns.google/dns-query"));
        assert!(allowed_resolver("http://127.0.0.1:8053/dns-query"));
        assert!(allowed_resolver("http://[::1]:8053/dns-query"));
        assert!(!allowed_resolver("http://dns.google/dns-query"));
        assert!(!allowed_resolver("http://10.0.0.1/dns-query"));
        assert!(!allowed_resolver("ftp://127.0.0.1/"));
        assert!(!allowed_resolver("not a url"));
    }
}
