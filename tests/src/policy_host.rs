//! A fake HTTPS policy host: serves `https://mta-sts.<domain>/.well-known/mta-sts.txt` for any
//! number of domains on one loopback port, each with its own behaviour and certificate, chosen
//! by SNI (the certificate) and `Host` (the response).

use crate::pki::{SniResolver, TestCa, Validity, server_config};
use crate::server::{AbortOnDrop, Body, text_response};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What the policy URL answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Answer {
    /// 200 with this body and content type.
    Policy {
        /// The body.
        body: String,
        /// The `Content-Type`.
        content_type: String,
    },
    /// This status with an empty body.
    Status {
        /// The status.
        status: u16,
    },
    /// 301 to `location`.
    Redirect {
        /// The `Location`.
        location: String,
    },
    /// 200 `text/plain` with `size` bytes of a policy padded with comment-free filler lines.
    Oversized {
        /// Body size in bytes.
        size: usize,
    },
}

/// The certificate a site presents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum SiteCert {
    /// Issued by the test CA for `mta-sts.<domain>`, with this validity.
    Valid {
        /// Validity period.
        #[serde(default = "current")]
        validity: Validity,
    },
    /// Issued by the test CA, valid now, but for another name.
    OtherName {
        /// The name in the certificate.
        name: String,
    },
}

fn current() -> Validity {
    Validity::Current
}

/// One domain's policy host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// What the policy URL answers.
    pub answer: Answer,
    /// The certificate.
    #[serde(default = "valid_cert")]
    pub cert: SiteCert,
    /// Whether responses carry `Access-Control-Allow-Origin: *`. Real policy hosts mostly do not,
    /// which is why the browser checker needs its relay; the browser tests turn it on for the
    /// domains whose policy the page should read directly.
    #[serde(default)]
    pub cors: bool,
}

fn valid_cert() -> SiteCert {
    SiteCert::Valid {
        validity: Validity::Current,
    }
}

impl Site {
    /// 200 `text/plain` with `body`, valid certificate.
    pub fn policy(body: &str) -> Site {
        Site::answer(Answer::Policy {
            body: body.into(),
            content_type: "text/plain".into(),
        })
    }

    /// 200 with `body` and this content type.
    pub fn policy_typed(body: &str, content_type: &str) -> Site {
        Site::answer(Answer::Policy {
            body: body.into(),
            content_type: content_type.into(),
        })
    }

    /// This status.
    pub fn status(status: u16) -> Site {
        Site::answer(Answer::Status { status })
    }

    /// 301 to `location`.
    pub fn redirect(location: &str) -> Site {
        Site::answer(Answer::Redirect {
            location: location.into(),
        })
    }

    /// A 200 `text/plain` body of `size` bytes.
    pub fn oversized(size: usize) -> Site {
        Site::answer(Answer::Oversized { size })
    }

    /// Also sends `Access-Control-Allow-Origin: *`, so a browser page may read the answer.
    pub fn with_cors(mut self) -> Site {
        self.cors = true;
        self
    }

    fn answer(answer: Answer) -> Site {
        Site {
            cors: false,
            answer,
            cert: valid_cert(),
        }
    }

    /// With an expired certificate.
    pub fn expired(mut self) -> Site {
        self.cert = SiteCert::Valid {
            validity: Validity::Expired,
        };
        self
    }

    /// With a certificate of this validity.
    pub fn validity(mut self, validity: Validity) -> Site {
        self.cert = SiteCert::Valid { validity };
        self
    }

    /// With a certificate for another name.
    pub fn cert_for(mut self, name: &str) -> Site {
        self.cert = SiteCert::OtherName { name: name.into() };
        self
    }
}

/// A running fake policy host. Stops when dropped.
#[derive(Debug)]
pub struct FakePolicyHost {
    addr: SocketAddr,
    _server: AbortOnDrop,
}

impl FakePolicyHost {
    /// Starts on `127.0.0.1`, on a free port, serving `sites` (domain → site).
    pub async fn start(ca: &TestCa, sites: Vec<(String, Site)>) -> std::io::Result<FakePolicyHost> {
        FakePolicyHost::start_on("127.0.0.1:0".parse().expect("literal"), ca, sites).await
    }

    /// Starts on `addr`.
    pub async fn start_on(
        addr: SocketAddr,
        ca: &TestCa,
        sites: Vec<(String, Site)>,
    ) -> std::io::Result<FakePolicyHost> {
        FakePolicyHost::start_with_latency(addr, ca, sites, Duration::ZERO).await
    }

    /// Starts on `addr`, waiting `latency` before every response (for the critical-path
    /// benchmark: one HTTP answer per fetch).
    pub async fn start_with_latency(
        addr: SocketAddr,
        ca: &TestCa,
        sites: Vec<(String, Site)>,
        latency: Duration,
    ) -> std::io::Result<FakePolicyHost> {
        let mut resolver = SniResolver::default();
        let mut by_host = HashMap::new();
        for (domain, site) in sites {
            let host = format!("mta-sts.{}", domain.to_ascii_lowercase());
            let key = match &site.cert {
                SiteCert::Valid { validity } => ca.certified_key(&[&host], *validity),
                SiteCert::OtherName { name } => ca.certified_key(&[name], Validity::Current),
            };
            resolver.add(&host, key);
            by_host.insert(host, (site.answer, site.cors));
        }
        let config = Arc::new(server_config(Arc::new(resolver), &[b"http/1.1"]));
        let by_host = Arc::new(by_host);
        let (addr, server) = crate::server::serve_http(addr, Some(config), move |request| {
            let by_host = Arc::clone(&by_host);
            async move {
                if !latency.is_zero() {
                    tokio::time::sleep(latency).await;
                }
                respond(&request, &by_host)
            }
        })
        .await?;
        Ok(FakePolicyHost {
            addr,
            _server: server,
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

fn respond(
    request: &Request<Incoming>,
    by_host: &HashMap<String, (Answer, bool)>,
) -> Response<Body> {
    let allows_cors = by_host_cors(request, by_host);
    let response = answer(request, by_host);
    if allows_cors {
        crate::server::cors(response)
    } else {
        response
    }
}

fn request_host(request: &Request<Incoming>) -> String {
    request
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
        .unwrap_or_default()
}

fn by_host_cors(request: &Request<Incoming>, by_host: &HashMap<String, (Answer, bool)>) -> bool {
    by_host
        .get(&request_host(request))
        .is_some_and(|(_, cors)| *cors)
}

fn answer(
    request: &Request<Incoming>,
    by_host: &HashMap<String, (Answer, bool)>,
) -> Response<Body> {
    let host = request_host(request);
    let Some((answer, _)) = by_host.get(&host) else {
        return text_response(
            StatusCode::MISDIRECTED_REQUEST,
            "unknown host\n",
            "text/plain",
        );
    };
    if request.uri().path() != "/.well-known/mta-sts.txt" {
        return text_response(StatusCode::NOT_FOUND, "not found\n", "text/plain");
    }
    match answer {
        Answer::Policy { body, content_type } => {
            text_response(StatusCode::OK, body.clone(), content_type)
        }
        Answer::Status { status } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            text_response(status, "", "")
        }
        Answer::Redirect { location } => {
            let mut response = text_response(StatusCode::MOVED_PERMANENTLY, "", "");
            response
                .headers_mut()
                .insert("location", location.parse().expect("a valid Location"));
            response
        }
        Answer::Oversized { size } => {
            let mut body =
                b"version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n".to_vec();
            while body.len() < *size {
                body.extend_from_slice(b"x-filler: 0123456789abcdef0123456789abcdef\n");
            }
            body.truncate(*size);
            text_response(StatusCode::OK, body, "text/plain")
        }
    }
}
