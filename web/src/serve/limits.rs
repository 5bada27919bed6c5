//! The relay's limits: what one client may ask, how much work runs at once, and how long an answer
//! is reused. All state is per process: several instances share nothing, and each enforces its own
//! limits (documented in README "Deploy").
//!
//! Functions that depend on time take `now` as an argument, so their unit tests need no clock.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

/// The values of every limit. [`Limits::default`] is what `stslens serve --relay` uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests one client may make at once (token bucket capacity).
    pub burst: u32,
    /// Tokens added per minute per client.
    pub per_minute: u32,
    /// Upstream operations (lookup + probe or fetch) running at once, over all clients.
    pub max_concurrent: usize,
    /// How long a request waits for a free slot before it is refused with 429.
    pub queue_wait: Duration,
    /// How long an answer (success or failure) is reused for the same host.
    pub cache_ttl: Duration,
    /// Most cached answers kept; past it, new answers are not cached.
    pub cache_entries: usize,
    /// Most clients tracked by the rate limiter; past it, idle ones are forgotten first.
    pub tracked_clients: usize,
    /// Limit on the DNS lookup.
    pub resolve_timeout: Duration,
    /// Limit on one MX probe, all steps together.
    pub probe_timeout: Duration,
    /// Limit on one policy fetch, all steps together.
    pub fetch_timeout: Duration,
}

impl Default for Limits {
    /// A domain check costs one policy fetch and one probe per MX (2 to 5 in practice), so a burst of
    /// 20 covers a few checks in a row; 20 per minute sustained is far above what a person clicks
    /// and far below what makes the relay useful for scanning. 32 concurrent probes keep memory and
    /// sockets bounded (each is one TCP connection and a few KiB). The probe timeout is longer than
    /// the fetch's: SMTP greetings are legitimately slow (RFC 5321 §4.5.3.2 allows 5 minutes; real
    /// servers answer in seconds, tarpits do not).
    fn default() -> Self {
        Limits {
            burst: 20,
            per_minute: 20,
            max_concurrent: 32,
            queue_wait: Duration::from_secs(2),
            cache_ttl: Duration::from_secs(60),
            cache_entries: 4096,
            tracked_clients: 100_000,
            resolve_timeout: Duration::from_secs(5),
            probe_timeout: Duration::from_secs(30),
            fetch_timeout: Duration::from_secs(15),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain counters behind; they are still usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who a request is charged to: an IPv4 address, or the /64 of an IPv6 address (one host usually
/// owns a whole /64, so per-address buckets would be free to multiply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key for a client address.
    pub fn of(ip: IpAddr) -> ClientKey {
        match ip {
            IpAddr::V4(_) => ClientKey(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientKey(IpAddr::V6(bits.into()))
                }
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A token bucket per client: `burst` requests at once, then `per_minute` a minute.
#[derive(Debug)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<ClientKey, Bucket>>,
    capacity: f64,
    per_second: f64,
    max_clients: usize,
}

impl RateLimiter {
    /// A limiter with the values from `limits`.
    pub fn new(limits: &Limits) -> RateLimiter {
        RateLimiter {
            buckets: Mutex::new(HashMap::new()),
            capacity: f64::from(limits.burst.max(1)),
            per_second: f64::from(limits.per_minute) / 60.0,
            max_clients: limits.tracked_clients.max(1),
        }
    }

    /// Takes one token for `client`, or says how long until one is available.
    pub fn check(&self, client: ClientKey, now: Instant) -> Result<(), Duration> {
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= self.max_clients && !buckets.contains_key(&client) {
            self.forget_idle(&mut buckets, now);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.capacity,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        if self.per_second <= 0.0 {
            return Err(Duration::from_secs(3600));
        }
        Err(Duration::from_secs_f64(
            (1.0 - bucket.tokens) / self.per_second,
        ))
    }

    /// Drops the buckets that have refilled (they are the same as no bucket). If every client is
    /// active, drops the fullest half: a flood of distinct clients must not grow memory without end,
    /// and forgetting a client only ever gives it more tokens, never fewer.
    fn forget_idle(&self, buckets: &mut HashMap<ClientKey, Bucket>, now: Instant) {
        let (cap, rate) = (self.capacity, self.per_second);
        buckets.retain(|_, b| {
            b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < cap
        });
        if buckets.len() >= self.max_clients {
            let mut levels: Vec<f64> = buckets.values().map(|b| b.tokens).collect();
            levels.sort_by(f64::total_cmp);
            let median = levels[levels.len() / 2];
            buckets.retain(|_, b| b.tokens < median);
        }
    }

    /// Number of clients currently tracked.
    pub fn tracked(&self) -> usize {
        lock(&self.buckets).len()
    }
}

/// The global cap on upstream work. Excess requests wait up to `queue_wait` for a slot, then are
/// refused (429 `rate-limited`, with `Retry-After`), so a flood queues briefly instead of piling up.
#[derive(Debug, Clone)]
pub struct Concurrency {
    slots: Arc<Semaphore>,
    wait: Duration,
}

/// No slot became free in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Concurrency {
    /// `max` slots, waiting at most `wait` for one.
    pub fn new(max: usize, wait: Duration) -> Concurrency {
        Concurrency {
            slots: Arc::new(Semaphore::new(max.max(1))),
            wait,
        }
    }

    /// Takes a slot, held until the permit is dropped.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, Busy> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// Free slots now.
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

/// A value with the instant it was computed.
#[derive(Debug, Clone)]
struct Stamped<V> {
    value: V,
    at: Instant,
}

/// Answers per key for `ttl`, computed once even when many requests for the same key arrive
/// together: the first one computes, the others wait for its answer (a burst costs one probe).
/// If the computing request is cancelled, a waiting one takes over.
pub struct ResultCache<K, V> {
    entries: Mutex<HashMap<K, Arc<OnceCell<Stamped<V>>>>>,
    ttl: Duration,
    max_entries: usize,
}

/// Whether an answer came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Computed by this request.
    Computed,
    /// Computed earlier (or by a concurrent request) and reused.
    Cached,
}

impl<K: Eq + Hash + Clone, V: Clone> ResultCache<K, V> {
    /// A cache keeping answers for `ttl`, at most `max_entries` of them.
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        ResultCache {
            entries: Mutex::new(HashMap::new()),
            ttl,
            max_entries,
        }
    }

    /// The cached answer for `key`, or the one `compute` produces. `compute` returns `Err` for
    /// outcomes that must not be cached (the relay being busy); they are passed through.
    pub async fn get_or_compute<E, F, Fut>(
        &self,
        key: K,
        now: Instant,
        compute: F,
    ) -> Result<(V, Freshness), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let Some(cell) = self.cell(key, now) else {
            return compute().await.map(|v| (v, Freshness::Computed));
        };
        let mut computed = false;
        let stamped = cell
            .get_or_try_init(|| async {
                computed = true;
                compute().await.map(|value| Stamped {
                    value,
                    at: Instant::now(),
                })
            })
            .await?;
        let freshness = if computed {
            Freshness::Computed
        } else {
            Freshness::Cached
        };
        Ok((stamped.value.clone(), freshness))
    }

    /// The cell for `key`, fresh or being computed; `None` when the cache is full.
    fn cell(&self, key: K, now: Instant) -> Option<Arc<OnceCell<Stamped<V>>>> {
        let mut entries = lock(&self.entries);
        let expired = |cell: &OnceCell<Stamped<V>>| {
            cell.get()
                .is_some_and(|s| now.saturating_duration_since(s.at) >= self.ttl)
        };
        if let Some(cell) = entries.get(&key).filter(|c| !expired(c)) {
            return Some(cell.clone());
        }
        entries.remove(&key);
        if entries.len() >= self.max_entries {
            entries.retain(|_, c| !expired(c));
            if entries.len() >= self.max_entries {
                return None;
            }
        }
        let cell = Arc::new(OnceCell::new());
        entries.insert(key, cell.clone());
        Some(cell)
    }

    /// Number of entries held (fresh, expired-but-not-yet-dropped, or in progress).
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(burst: u32, per_minute: u32) -> Limits {
        Limits {
            burst,
            per_minute,
            ..Limits::default()
        }
    }

    fn key(s: &str) -> ClientKey {
        ClientKey::of(s.parse().unwrap())
    }

    #[test]
    fn bucket_allows_a_burst_then_refills_at_the_rate() {
        let rl = RateLimiter::new(&limits(3, 60));
        let t0 = Instant::now();
        let c = key("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(rl.check(c, t0), Ok(()));
        }
        let wait = rl.check(c, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(rl.check(c, t0 + Duration::from_millis(500)).is_err());
        assert_eq!(rl.check(c, t0 + Duration::from_secs(1)), Ok(()));
        // Another client has its own bucket.
        assert_eq!(rl.check(key("192.0.2.2"), t0), Ok(()));
        // Refill never exceeds the burst.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(rl.check(c, later), Ok(()));
        }
        assert!(rl.check(c, later).is_err());
    }

    #[test]
    fn ipv6_clients_are_charged_per_64_and_mapped_ones_as_ipv4() {
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::2"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
    }

    #[test]
    fn tracked_clients_stay_bounded() {
        let rl = RateLimiter::new(&Limits {
            tracked_clients: 10,
            ..limits(2, 1)
        });
        let t0 = Instant::now();
        for i in 0..100u8 {
            let _ = rl.check(key(&format!("198.51.100.{i}")), t0);
            let _ = rl.check(key(&format!("198.51.100.{i}")), t0);
            assert!(rl.tracked() <= 10, "{}", rl.tracked());
        }
    }

    #[test]
    fn zero_rate_refuses_after_the_burst() {
        let rl = RateLimiter::new(&limits(1, 0));
        let t0 = Instant::now();
        assert_eq!(rl.check(key("192.0.2.1"), t0), Ok(()));
        assert!(
            rl.check(key("192.0.2.1"), t0 + Duration::from_secs(86_400))
                .is_err()
        );
    }

    #[tokio::test]
    async fn concurrency_refuses_past_the_cap_and_frees_on_drop() {
        let c = Concurrency::new(2, Duration::ZERO);
        let a = c.acquire().await.unwrap();
        let _b = c.acquire().await.unwrap();
        assert_eq!(c.acquire().await.unwrap_err(), Busy);
        drop(a);
        assert!(c.acquire().await.is_ok());
    }

    #[tokio::test]
    async fn cache_computes_once_and_expires() {
        let cache: ResultCache<&str, u32> = ResultCache::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        let r = cache
            .get_or_compute("a", t0, || async { Ok::<_, ()>(1) })
            .await;
        assert_eq!(r, Ok((1, Freshness::Computed)));
        let r = cache
            .get_or_compute("a", t0, || async { Ok::<_, ()>(2) })
            .await;
        assert_eq!(r, Ok((1, Freshness::Cached)));
        let r = cache
            .get_or_compute("a", t0 + Duration::from_secs(61), || async {
                Ok::<_, ()>(3)
            })
            .await;
        assert_eq!(r, Ok((3, Freshness::Computed)));
    }

    #[tokio::test]
    async fn cache_does_not_keep_refusals() {
        let cache: ResultCache<&str, u32> = ResultCache::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        assert_eq!(
            cache
                .get_or_compute("a", t0, || async { Err::<u32, _>(Busy) })
                .await,
            Err(Busy)
        );
        let r = cache
            .get_or_compute("a", t0, || async { Ok::<_, Busy>(7) })
            .await;
        assert_eq!(r, Ok((7, Freshness::Computed)));
    }

    #[tokio::test]
    async fn concurrent_requests_for_one_key_share_one_computation() {
        let cache: ResultCache<&str, u32> = ResultCache::new(Duration::from_secs(60), 10);
        let t0 = Instant::now();
        let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
        let first = cache.get_or_compute("a", t0, || async { Ok::<_, ()>(rx.await.unwrap()) });
        let second = cache.get_or_compute("a", t0, || async { Ok::<_, ()>(99) });
        let release = async {
            tx.send(5).unwrap();
        };
        let (r1, r2, ()) = tokio::join!(first, second, release);
        assert_eq!(r1, Ok((5, Freshness::Computed)));
        assert_eq!(r2, Ok((5, Freshness::Cached)));
    }

    #[tokio::test]
    async fn a_full_cache_still_answers_without_storing() {
        let cache: ResultCache<u32, u32> = ResultCache::new(Duration::from_secs(60), 2);
        let t0 = Instant::now();
        for k in 0..5 {
            let r = cache
                .get_or_compute(k, t0, || async move { Ok::<_, ()>(k) })
                .await;
            assert_eq!(r, Ok((k, Freshness::Computed)));
        }
        assert_eq!(cache.len(), 2);
    }
}
