//! Shared by the `serve_*` tests: an in-process server on a loopback port, a fake resolver, a fake
//! upstream that records what it was asked, and a site directory to serve.

#![allow(dead_code)] // Each test binary uses a different part.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stslens_core::name::DomainName;
use stslens_web::serve::guard::{BoxFuture, CheckedTarget};
use stslens_web::serve::upstream::{
    Certificate, MxProbe, PolicyProbe, PolicyTls, TlsSession, UpstreamError,
};
use stslens_web::serve::{self, AddressPolicy, Config, Limits, RelayConfig, Resolver, Upstream};
use tokio::sync::{Semaphore, oneshot};

/// A server running in this process until dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<io::Result<()>>>,
}

impl Server {
    pub async fn start(config: Config) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = serve::app(config).expect("valid config");
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = rx.await;
        };
        let task = tokio::spawn(serve::run(listener, app, shutdown, Duration::from_secs(5)));
        Server {
            addr,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    /// Asks the server to stop and waits for it.
    pub async fn stop(mut self) -> io::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An HTTP client that never uses a proxy and never decompresses (tests look at raw encodings).
pub fn client() -> reqwest::Client {
    // reqwest is built with `rustls-no-provider` (the project uses ring, not aws-lc): a client needs a
    // process-wide provider even for plain-HTTP requests. Installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Maps names to addresses; unknown names fail like NXDOMAIN; `slow.example.net` never answers.
pub struct FakeResolver(pub HashMap<String, Vec<IpAddr>>);

impl FakeResolver {
    pub fn new(entries: &[(&str, &[&str])]) -> FakeResolver {
        FakeResolver(
            entries
                .iter()
                .map(|(n, ips)| {
                    (
                        (*n).to_owned(),
                        ips.iter().map(|i| i.parse().unwrap()).collect(),
                    )
                })
                .collect(),
        )
    }
}

impl Resolver for FakeResolver {
    fn lookup<'a>(&'a self, host: &'a DomainName) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            if host.as_str() == "slow.example.net" {
                std::future::pending::<()>().await;
            }
            self.0
                .get(host.as_str())
                .cloned()
                .ok_or_else(|| io::Error::other("NXDOMAIN"))
        })
    }
}

/// How the fake upstream answers.
#[derive(Clone)]
pub enum Behaviour {
    /// A well-formed answer at once.
    Answer,
    /// Never answers.
    Hang,
    /// Fails with a message quoting a hostile peer.
    Fail,
    /// Answers with a 1 MiB policy body / banner, past the relay's caps.
    Oversized,
    /// Waits for a permit of the semaphore (the test adds them), then answers.
    Gate(Arc<Semaphore>),
}

/// Records every call and the target it was given.
pub struct FakeUpstream {
    pub behaviour: Behaviour,
    pub calls: AtomicUsize,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    pub targets: Mutex<Vec<(String, SocketAddr)>>,
}

impl FakeUpstream {
    pub fn new(behaviour: Behaviour) -> Arc<FakeUpstream> {
        Arc::new(FakeUpstream {
            behaviour,
            calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            targets: Mutex::new(Vec::new()),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    async fn enter(&self, target: &CheckedTarget) -> Result<(), UpstreamError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.targets
            .lock()
            .unwrap()
            .push((target.host().to_string(), target.addr()));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let _leave = Leave(&self.in_flight);
        match &self.behaviour {
            Behaviour::Hang => std::future::pending::<()>().await,
            Behaviour::Gate(gate) => gate.acquire().await.unwrap().forget(),
            Behaviour::Fail => {
                return Err(UpstreamError::Failed(
                    "unexpected greeting \"HTTP/1.1 400\r\n<script>alert(1)</script>\"".into(),
                ));
            }
            Behaviour::Answer | Behaviour::Oversized => {}
        }
        Ok(())
    }
}

struct Leave<'a>(&'a AtomicUsize);
impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn certificate(name: &str) -> Certificate {
    Certificate {
        subject: format!("CN={name}"),
        issuer: "CN=Test CA".into(),
        dns_names: vec![name.into()],
        not_before: 1_767_225_600,
        not_after: 1_798_761_600,
        sha256: "00".repeat(32),
    }
}

impl Upstream for FakeUpstream {
    fn probe_mx<'a>(
        &'a self,
        target: &'a CheckedTarget,
    ) -> BoxFuture<'a, Result<MxProbe, UpstreamError>> {
        Box::pin(async move {
            self.enter(target).await?;
            let banner = match self.behaviour {
                Behaviour::Oversized => "220-x\r\n".repeat(150_000),
                _ => format!("220 {} ESMTP", target.host()),
            };
            Ok(MxProbe {
                host: target.host().clone(),
                address: target.addr().ip(),
                banner,
                starttls: true,
                tls: Some(TlsSession {
                    version: "TLSv1.3".into(),
                    cipher: "TLS13_AES_128_GCM_SHA256".into(),
                }),
                certificates: vec![certificate(target.host().as_str())],
                chain_valid: true,
                chain_error: None,
                elapsed_ms: 12,
            })
        })
    }

    fn fetch_policy<'a>(
        &'a self,
        domain: &'a DomainName,
        target: &'a CheckedTarget,
    ) -> BoxFuture<'a, Result<PolicyProbe, UpstreamError>> {
        Box::pin(async move {
            self.enter(target).await?;
            let body = match self.behaviour {
                Behaviour::Oversized => "x".repeat(1 << 20),
                _ => format!("version: STSv1\nmode: enforce\nmx: mx1.{domain}\nmax_age: 604800\n"),
            };
            Ok(PolicyProbe {
                url: format!("https://{}/.well-known/mta-sts.txt", target.host()),
                status: 200,
                content_type: Some("text/plain".into()),
                location: None,
                body,
                tls: PolicyTls {
                    version: "TLSv1.3".into(),
                    certificates: vec![certificate(target.host().as_str())],
                    chain_valid: true,
                    chain_error: None,
                },
                elapsed_ms: 7,
            })
        })
    }
}

/// Limits for tests: generous rate, short waits.
pub fn test_limits() -> Limits {
    Limits {
        burst: 1000,
        per_minute: 1000,
        queue_wait: Duration::from_millis(200),
        resolve_timeout: Duration::from_millis(300),
        probe_timeout: Duration::from_millis(300),
        fetch_timeout: Duration::from_millis(300),
        ..Limits::default()
    }
}

/// A relay-only config with the given parts.
pub fn relay_config(
    upstream: Arc<FakeUpstream>,
    resolver: FakeResolver,
    policy: AddressPolicy,
    limits: Limits,
) -> Config {
    Config {
        site: None,
        relay: Some(RelayConfig {
            upstream,
            resolver: Arc::new(resolver),
            policy,
            limits,
        }),
        allow_origins: vec!["https://app.example.org".into()],
        trust_proxy: false,
    }
}

/// A throwaway site directory with an index, Trunk-style hashed bundles and a precompressed file.
pub fn site(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("serve-site-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    let write = |p: &str, b: &[u8]| std::fs::write(dir.join(p), b).unwrap();
    write("index.html", INDEX.as_bytes());
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(std::iter::repeat_n(0u8, 8192));
    write("stslens-app-0123456789abcdef_bg.wasm", &wasm);
    write(
        "stslens-app-0123456789abcdef.js",
        "export function run() { return 1; }\n"
            .repeat(100)
            .as_bytes(),
    );
    write("styles-0123456789abcdef.css", b"body { margin: 0 }\n");
    write(
        "assets/pre.js",
        "console.log('plain');\n".repeat(50).as_bytes(),
    );
    write("assets/pre.js.gz", PRECOMPRESSED_GZ);
    write("assets/pre.js.br", PRECOMPRESSED_BR);
    dir
}

/// The index page of the test site.
pub const INDEX: &str = "<!doctype html><html><head><title>StsLens test</title>\
<script type=\"module\" src=\"/stslens-app-0123456789abcdef.js\"></script></head><body></body></html>\n";
/// Marker bytes standing in for a precompressed file: the test checks they are sent as they are.
pub const PRECOMPRESSED_GZ: &[u8] = b"precompressed gzip bytes";
pub const PRECOMPRESSED_BR: &[u8] = b"precompressed brotli bytes";

/// The body of a response as JSON.
pub async fn json(res: reqwest::Response) -> serde_json::Value {
    let bytes = res.bytes().await.unwrap();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}
