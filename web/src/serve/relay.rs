//! `GET /api/v1/mx-probe?host=` and `GET /api/v1/policy?domain=` (design §4).
//!
//! Every request goes through the same steps, cheapest first, and stops at the first refusal:
//! 1. `Origin`: own or configured origin, or none ([`cors`]) → else 403 `forbidden-origin`;
//! 2. the client's token bucket ([`RateLimiter`]) → else 429 `rate-limited` with `Retry-After`;
//! 3. the query: one hostname ([`input::parse_query`]) → else 400 `invalid-host`;
//! 4. the per-host cache ([`ResultCache`]): a fresh answer is sent again; a burst of requests for
//!    one host waits for the first one's answer;
//! 5. a global slot ([`Concurrency`]) → else, after a short wait, 429 `rate-limited`;
//! 6. one lookup, refused unless every address is public ([`Guard::check`]) → 403 `forbidden-target`;
//! 7. the upstream, under an overall timeout → 504 `timeout`, 502 `upstream-failed`; its answer
//!    is size-checked ([`upstream::check_caps`]) before it is sent.
//!
//! Answers of steps 6 and 7, failures included, are cached for the TTL: asking again about a host
//! that timed out a second ago should not cost another 30 s probe.

use super::cors::{self, AllowedOrigins, OriginCheck};
use super::guard::{CheckedTarget, Guard, GuardError, Service};
use super::input;
use super::limits::{ClientKey, Concurrency, Freshness, Limits, RateLimiter, ResultCache};
use super::upstream::{self, Upstream, UpstreamError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stslens_core::name::DomainName;
use thiserror::Error;

/// `Retry-After` when the relay is at its concurrency cap.
const BUSY_RETRY_AFTER: Duration = Duration::from_secs(5);
/// Longest error message sent; longer ones (quoting a remote peer) are cut.
const MAX_MESSAGE: usize = 300;

/// Why a relay request was not answered with a result. Each maps to the design's status and code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RelayError {
    /// 400 `invalid-host`.
    #[error("{0}")]
    InvalidHost(#[from] input::InputError),
    /// 403 `forbidden-origin`.
    #[error("this relay does not accept requests from pages on another origin")]
    ForbiddenOrigin,
    /// 403 `forbidden-target`.
    #[error("{0}")]
    ForbiddenTarget(String),
    /// 429 `rate-limited`: this client's budget is spent.
    #[error("too many requests from this address; retry in {} s", .retry_after.as_secs())]
    RateLimited {
        /// When a token is available again.
        retry_after: Duration,
    },
    /// 429 `rate-limited`: every probe slot is taken.
    #[error("the relay is at capacity; retry in {} s", BUSY_RETRY_AFTER.as_secs())]
    Busy,
    /// 502 `upstream-failed`.
    #[error("{0}")]
    UpstreamFailed(String),
    /// 504 `timeout`.
    #[error("{0}")]
    Timeout(String),
}

impl RelayError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            RelayError::InvalidHost(_) => StatusCode::BAD_REQUEST,
            RelayError::ForbiddenOrigin | RelayError::ForbiddenTarget(_) => StatusCode::FORBIDDEN,
            RelayError::RateLimited { .. } | RelayError::Busy => StatusCode::TOO_MANY_REQUESTS,
            RelayError::UpstreamFailed(_) => StatusCode::BAD_GATEWAY,
            RelayError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The stable error code of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            RelayError::InvalidHost(_) => "invalid-host",
            RelayError::ForbiddenOrigin => "forbidden-origin",
            RelayError::ForbiddenTarget(_) => "forbidden-target",
            RelayError::RateLimited { .. } | RelayError::Busy => "rate-limited",
            RelayError::UpstreamFailed(_) => "upstream-failed",
            RelayError::Timeout(_) => "timeout",
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            RelayError::RateLimited { retry_after } => Some(*retry_after),
            RelayError::Busy => Some(BUSY_RETRY_AFTER),
            _ => None,
        }
    }

    fn answer(&self) -> Answer {
        let body = json!({"error": {"code": self.code(), "message": sanitise(&self.to_string())}});
        Answer {
            status: self.status(),
            body: Bytes::from(body.to_string()),
            outcome: self.code(),
        }
    }
}

impl From<GuardError> for RelayError {
    fn from(e: GuardError) -> Self {
        match e {
            GuardError::Forbidden { .. } => RelayError::ForbiddenTarget(e.to_string()),
            GuardError::Timeout { .. } => RelayError::Timeout(e.to_string()),
            _ => RelayError::UpstreamFailed(e.to_string()),
        }
    }
}

/// Keeps a message printable and short: messages may quote a remote server (a banner line, a
/// certificate name), which is attacker-controlled text. JSON escaping does the rest.
fn sanitise(message: &str) -> String {
    let mut clean: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !clean.is_char_boundary(end) {
            end -= 1;
        }
        clean.truncate(end);
        clean.push('…');
    }
    clean
}

/// A finished answer (result or error), as cached and sent.
#[derive(Debug, Clone)]
struct Answer {
    status: StatusCode,
    body: Bytes,
    /// `ok` or the error code, for the log.
    outcome: &'static str,
}

/// What is being asked, and the cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Endpoint {
    MxProbe,
    Policy,
}

impl Endpoint {
    fn param(self) -> &'static str {
        match self {
            Endpoint::MxProbe => "host",
            Endpoint::Policy => "domain",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Endpoint::MxProbe => "mx-probe",
            Endpoint::Policy => "policy",
        }
    }
}

/// The relay's state: the guard, the upstream and the limits.
pub struct Relay {
    guard: Guard,
    upstream: Arc<dyn Upstream>,
    limits: Limits,
    rate: RateLimiter,
    slots: Concurrency,
    cache: ResultCache<(Endpoint, DomainName), Answer>,
    origins: AllowedOrigins,
    trust_proxy: bool,
    /// `.test` names are accepted only with the test-only loopback allowance: one switch, not two.
    names: input::Names,
}

impl Relay {
    /// A relay with its own limiter, slots and cache.
    pub fn new(
        guard: Guard,
        upstream: Arc<dyn Upstream>,
        limits: Limits,
        origins: AllowedOrigins,
        trust_proxy: bool,
    ) -> Relay {
        let names = if guard.policy().allows_loopback() {
            input::Names::AlsoDotTestForTests
        } else {
            input::Names::Public
        };
        Relay {
            names,
            rate: RateLimiter::new(&limits),
            slots: Concurrency::new(limits.max_concurrent, limits.queue_wait),
            cache: ResultCache::new(limits.cache_ttl, limits.cache_entries),
            guard,
            upstream,
            limits,
            origins,
            trust_proxy,
        }
    }

    /// The client a request is charged to: the peer, or behind a trusted proxy the last address in
    /// `X-Forwarded-For` (the one the proxy appended; earlier ones are the client's own claims).
    fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trust_proxy {
            return peer.ip();
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok())
            .unwrap_or(peer.ip())
    }

    async fn handle(
        &self,
        endpoint: Endpoint,
        peer: SocketAddr,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Response {
        let started = Instant::now();
        let origin = cors::check(headers, &self.origins, self.trust_proxy);
        let client = self.client_ip(peer, headers);
        let mut host_for_log = String::new();
        let result = self
            .answer(endpoint, &origin, client, query, &mut host_for_log)
            .await;
        let (answer, freshness, retry_after) = match result {
            Ok((answer, freshness)) => (answer, freshness, None),
            Err(refused) => (refused.answer(), Freshness::Computed, Some(refused)),
        };
        tracing::info!(
            target: "stslens::relay",
            endpoint = endpoint.name(),
            host = %host_for_log,
            client = %client,
            outcome = answer.outcome,
            status = answer.status.as_u16(),
            cached = freshness == Freshness::Cached,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "relay request"
        );
        let res = respond(answer, &origin, freshness);
        match retry_after {
            Some(error) => with_retry_after(res, &error),
            None => res,
        }
    }

    async fn answer(
        &self,
        endpoint: Endpoint,
        origin: &OriginCheck,
        client: IpAddr,
        query: Option<&str>,
        host_for_log: &mut String,
    ) -> Result<(Answer, Freshness), RelayError> {
        if !origin.permitted() {
            return Err(RelayError::ForbiddenOrigin);
        }
        let now = Instant::now();
        self.rate
            .check(ClientKey::of(client), now)
            .map_err(|retry_after| RelayError::RateLimited { retry_after })?;
        let name = input::parse_query(query, endpoint.param(), self.names)?;
        *host_for_log = name.to_string();
        let lookup = match endpoint {
            Endpoint::MxProbe => name.clone(),
            Endpoint::Policy => input::policy_host(&name)?,
        };
        let work = || async {
            let _slot = self.slots.acquire().await.map_err(|_| RelayError::Busy)?;
            Ok(match self.work(endpoint, &name, &lookup).await {
                Ok(answer) => answer,
                Err(e) => e.answer(),
            })
        };
        self.cache
            .get_or_compute((endpoint, name.clone()), now, work)
            .await
    }

    /// Step 6, logging what the caller is not told: the refused address, the resolver's error.
    async fn check(
        &self,
        host: &DomainName,
        service: Service,
    ) -> Result<CheckedTarget, RelayError> {
        self.guard.check(host, service).await.map_err(|e| {
            match &e {
                GuardError::Forbidden { host, range, addr } => tracing::warn!(
                    target: "stslens::relay",
                    host = %host,
                    addr = %addr,
                    range = %range,
                    "refused a non-public target"
                ),
                GuardError::Lookup { host, source } => tracing::info!(
                    target: "stslens::relay",
                    host = %host,
                    error = %source,
                    "lookup failed"
                ),
                _ => {}
            }
            RelayError::from(e)
        })
    }

    /// Steps 6 and 7: lookup, address check, upstream, caps. `lookup` is the host connected to:
    /// the MX host itself, or `mta-sts.<domain>` for a policy.
    async fn work(
        &self,
        endpoint: Endpoint,
        name: &DomainName,
        lookup: &DomainName,
    ) -> Result<Answer, RelayError> {
        let body = match endpoint {
            Endpoint::MxProbe => {
                let target = self.check(lookup, Service::Smtp).await?;
                let limit = self.limits.probe_timeout;
                let probe = tokio::time::timeout(limit, self.upstream.probe_mx(&target)).await;
                upstream::check_caps(&finish(probe, limit, "the SMTP probe")?)
            }
            Endpoint::Policy => {
                let target = self.check(lookup, Service::Https).await?;
                let limit = self.limits.fetch_timeout;
                let fetch =
                    tokio::time::timeout(limit, self.upstream.fetch_policy(name, &target)).await;
                upstream::check_caps(&finish(fetch, limit, "the policy fetch")?)
            }
        };
        let body = body.map_err(|e| {
            RelayError::UpstreamFailed(format!("the upstream answer was refused: {e}"))
        })?;
        Ok(Answer {
            status: StatusCode::OK,
            body: Bytes::from(body),
            outcome: "ok",
        })
    }
}

/// Maps an upstream outcome under the overall timeout onto the relay's errors.
fn finish<T>(
    outcome: Result<Result<T, UpstreamError>, tokio::time::error::Elapsed>,
    limit: Duration,
    what: &str,
) -> Result<T, RelayError> {
    match outcome {
        Err(_) => Err(RelayError::Timeout(format!(
            "{what} took longer than {} s",
            limit.as_secs_f32()
        ))),
        Ok(Err(UpstreamError::Timeout(step))) => {
            Err(RelayError::Timeout(format!("{what}: {step} timed out")))
        }
        Ok(Err(e)) => Err(RelayError::UpstreamFailed(format!("{what} failed: {e}"))),
        Ok(Ok(value)) => Ok(value),
    }
}

fn respond(answer: Answer, origin: &OriginCheck, freshness: Freshness) -> Response {
    let mut res = (answer.status, answer.body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    let cache = if freshness == Freshness::Cached {
        "hit"
    } else {
        "miss"
    };
    h.insert("x-relay-cache", HeaderValue::from_static(cache));
    if let OriginCheck::Allowed(value) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value.clone());
        // Not CORS-safelisted: without this, a page elsewhere could not read when to retry a 429.
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, X-Relay-Cache"),
        );
    }
    res
}

/// Adds `Retry-After` to 429 answers. Kept apart from the cached [`Answer`]: refusals are never cached.
fn with_retry_after(mut res: Response, error: &RelayError) -> Response {
    if let Some(after) = error.retry_after() {
        let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
    res
}

/// `GET /api/v1/mx-probe?host=`.
pub async fn mx_probe(
    State(relay): State<Arc<Relay>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    relay
        .handle(Endpoint::MxProbe, peer, &headers, query.as_deref())
        .await
}

/// `GET /api/v1/policy?domain=`.
pub async fn policy(
    State(relay): State<Arc<Relay>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    relay
        .handle(Endpoint::Policy, peer, &headers, query.as_deref())
        .await
}

/// CORS preflight for the relay: only configured origins get an answer. The relay's GETs need no
/// preflight (no custom headers), but a client library may send one anyway.
pub async fn preflight(State(relay): State<Arc<Relay>>, headers: HeaderMap) -> Response {
    match cors::check(&headers, &relay.origins, relay.trust_proxy) {
        OriginCheck::Allowed(origin) => {
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            res
        }
        OriginCheck::Refused => error_response(&RelayError::ForbiddenOrigin),
        OriginCheck::Absent | OriginCheck::SameOrigin => StatusCode::NO_CONTENT.into_response(),
    }
}

/// A relay error as a response (not cached, no CORS headers).
pub fn error_response(error: &RelayError) -> Response {
    let res = respond(error.answer(), &OriginCheck::Absent, Freshness::Computed);
    with_retry_after(res, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_the_designed_status_and_code() {
        let cases = [
            (
                RelayError::InvalidHost(input::InputError::SingleLabel),
                400,
                "invalid-host",
            ),
            (RelayError::ForbiddenOrigin, 403, "forbidden-origin"),
            (
                RelayError::ForbiddenTarget(String::new()),
                403,
                "forbidden-target",
            ),
            (
                RelayError::RateLimited {
                    retry_after: Duration::from_secs(3),
                },
                429,
                "rate-limited",
            ),
            (RelayError::Busy, 429, "rate-limited"),
            (
                RelayError::UpstreamFailed(String::new()),
                502,
                "upstream-failed",
            ),
            (RelayError::Timeout(String::new()), 504, "timeout"),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status().as_u16(), e.code()), (status, code), "{e:?}");
        }
    }

    #[test]
    fn messages_are_printable_and_capped() {
        assert_eq!(sanitise("220 evil\r\n<script>"), "220 evil  <script>");
        let long = "é".repeat(400);
        let cut = sanitise(&long);
        assert!(cut.len() <= MAX_MESSAGE + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }
}
