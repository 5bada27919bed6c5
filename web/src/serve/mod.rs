//! `stslens serve`: the built site, and with `--relay` the MX probe and policy relay (design §4).
//!
//! ```text
//!  request ─▶ security headers ─▶ request log ─▶ compression ─▶ /healthz
//!             (every response)    (one line)     (gzip, br)    /api/v1/mx-probe ┐ relay: origin, rate,
//!                                                              /api/v1/policy   ┘ input, cache, slots,
//!                                                              /api/*  → JSON 404   guard, upstream
//!                                                              /*      → dist/ with SPA fallback
//! ```
//!
//! Modules, one concept each: [`static_files`] (dist/, SPA fallback, caching), [`headers`] (CSP and
//! security headers), [`cors`] (which origins may call the relay), [`relay`] (the two endpoints),
//! [`input`] (what may be asked), [`guard`] (which address may be connected to), [`address`] (the IP range classifier), [`limits`] (rate
//! limit, concurrency cap, result cache), [`upstream`] (the network side's interface and JSON shapes),
//! [`native`] (that interface over `crate::io`: SMTP probe, policy fetch, and the test resolver).

pub mod address;
pub mod cors;
pub mod guard;
pub mod headers;
pub mod input;
pub mod limits;
pub mod native;
pub mod relay;
pub mod static_files;
pub mod upstream;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use guard::{AddressPolicy, Resolver, SystemResolver};
pub use limits::Limits;
pub use native::{DohResolver, NativeUpstream};
pub use upstream::Upstream;

/// Everything `serve` needs, validated by [`app`].
pub struct Config {
    /// The built site (`dist/`), or `None` to serve only `/healthz` and the relay.
    pub site: Option<PathBuf>,
    /// The relay, or `None` to serve only the site.
    pub relay: Option<RelayConfig>,
    /// Origins that may call the relay from a browser (besides the server's own).
    pub allow_origins: Vec<String>,
    /// Whether a reverse proxy in front sets `X-Forwarded-For` / `X-Forwarded-Host` (only then are
    /// they believed).
    pub trust_proxy: bool,
}

/// The relay's parts.
pub struct RelayConfig {
    /// The network side: SMTP probe and policy fetch.
    pub upstream: Arc<dyn Upstream>,
    /// The resolver, looked up once per target.
    pub resolver: Arc<dyn Resolver>,
    /// Public addresses only, unless a test says otherwise.
    pub policy: AddressPolicy,
    /// Rate, concurrency, cache and timeouts.
    pub limits: Limits,
}

/// Why the server cannot start (exit 2).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StartupError {
    /// The site directory is missing, unreadable or has no index.html.
    #[error(transparent)]
    Site(#[from] static_files::SiteError),
    /// An `--allow-origin` value is not a single origin.
    #[error(transparent)]
    Origin(#[from] cors::OriginError),
    /// Neither a site nor a relay: nothing to serve.
    #[error("nothing to serve: give a site directory, or --relay")]
    Nothing,
}

/// Builds the application: routes, relay state and the layers of every response.
pub fn app(config: Config) -> Result<Router, StartupError> {
    if config.site.is_none() && config.relay.is_none() {
        return Err(StartupError::Nothing);
    }
    let origins = cors::AllowedOrigins::parse(&config.allow_origins)?;
    let relay_on = config.relay.is_some();
    let mut router = Router::new().route("/healthz", get(move || healthz(relay_on)));
    if let Some(rc) = config.relay {
        if rc.policy.allows_loopback() {
            tracing::warn!(
                "UNSAFE TEST MODE: the relay may connect to loopback addresses and non-standard ports. \
                 Never run this on a server others can reach."
            );
        }
        let guard = guard::Guard::new(rc.resolver, rc.policy, rc.limits.resolve_timeout);
        let relay = Arc::new(relay::Relay::new(
            guard,
            rc.upstream,
            rc.limits,
            origins,
            config.trust_proxy,
        ));
        let api = Router::new()
            .route(
                "/api/v1/mx-probe",
                get(relay::mx_probe).options(relay::preflight),
            )
            .route(
                "/api/v1/policy",
                get(relay::policy).options(relay::preflight),
            )
            .with_state(relay);
        router = router.merge(api);
    }
    router = router
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", get(api_not_found));
    if let Some(dist) = &config.site {
        static_files::check_site(dist)?;
        router = router.merge(static_files::router(dist));
    }
    let mut router = router
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(log_request));
    for (name, value) in headers::security_headers() {
        router = router.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    Ok(router)
}

async fn healthz(relay: bool) -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "relay": relay}))
}

/// Unknown API paths, and the relay's paths when it is off, answer in the relay's JSON error shape
/// rather than with the app's index.html.
async fn api_not_found() -> Response {
    let body = json!({"error": {"code": "not-found", "message": "no such API endpoint on this server (is the relay enabled with --relay?)"}});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// One log line per request: method, path (never the query, which the relay logs parsed), status,
/// and latency to the response head.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    tracing::info!(
        target: "stslens::http",
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    res
}

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting and lets requests
/// in flight finish (at most `drain`, so a stuck probe cannot hold the process).
pub async fn run(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    drain: Duration,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut stopped = stop_rx.clone();
    let deadline = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(drain_s = drain.as_secs(), "requests still running after the drain time; stopping anyway");
            Ok(())
        }
    }
}

/// A future that completes on SIGINT (Ctrl-C) or SIGTERM (what service managers and container
/// runtimes send). The handlers are installed by this call, not when the future is first polled,
/// so a signal that arrives right after startup is not missed (the default action would kill the
/// process without draining). Call it inside the runtime, before announcing readiness.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutting down: no new connections; finishing requests in flight");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: no new connections; finishing requests in flight");
        })
    }
}
