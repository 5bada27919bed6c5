//! Which address the relay may connect to for a name that passed [`super::input`].
//!
//! [`Guard::check`] resolves the name once, refuses it if any address is not public
//! ([`address::classify`]), and returns a [`CheckedTarget`]: the name with the one address and fixed
//! port to connect to. Its fields are private and this module is the only place that builds one, so
//! the upstream cannot be handed an address that was not checked, and never resolves by itself.

use super::address::{self, Class, Range};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use stslens_core::name::DomainName;
use thiserror::Error;

/// A boxed, sendable future, so that resolvers and upstreams can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The port of every MX probe (RFC 5321 §4.5.4.2 delivery, as a sender would connect).
pub const SMTP_PORT: u16 = 25;
/// The port of every policy fetch (RFC 8461 §3.3: HTTPS on the default port).
pub const HTTPS_PORT: u16 = 443;
/// Most addresses of one name that are classified; the rest are ignored (and never connected to).
const MAX_ADDRESSES: usize = 32;

/// Resolves a hostname to addresses. Injectable so tests can map names to any address.
pub trait Resolver: Send + Sync + 'static {
    /// All addresses of `host` (A and AAAA), in the resolver's order.
    fn lookup<'a>(&'a self, host: &'a DomainName) -> BoxFuture<'a, io::Result<Vec<IpAddr>>>;
}

/// The system resolver (getaddrinfo through tokio). The name is passed with a trailing dot, as an
/// absolute name, so that the resolver's search list can never turn it into an internal name.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn lookup<'a>(&'a self, host: &'a DomainName) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            let absolute = format!("{host}.");
            let addrs = tokio::net::lookup_host((absolute.as_str(), 0)).await?;
            Ok(addrs.map(|sa| sa.ip()).collect())
        })
    }
}

/// Which kind of connection a target is for; it fixes the port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// SMTP on port 25 (the MX probe).
    Smtp,
    /// HTTPS on port 443 (the policy fetch).
    Https,
}

/// Which addresses and ports the relay uses. Production is [`AddressPolicy::public_only`]; the
/// only other constructor is the loud, test-only [`AddressPolicy::unsafe_loopback_for_tests`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressPolicy {
    allow_loopback: bool,
    smtp_port: u16,
    https_port: u16,
}

impl Default for AddressPolicy {
    fn default() -> Self {
        AddressPolicy::public_only()
    }
}

impl AddressPolicy {
    /// Public addresses only, ports 25 and 443. The default, and the only choice in production.
    pub const fn public_only() -> Self {
        AddressPolicy {
            allow_loopback: false,
            smtp_port: SMTP_PORT,
            https_port: HTTPS_PORT,
        }
    }

    /// For tests only: also allows loopback addresses (and nothing else), and connects to the given
    /// ports, where loopback fakes listen. While it is in force the relay also accepts `.test`
    /// names (`input::Names`), which the fakes use. Never use on a server reachable by others.
    pub const fn unsafe_loopback_for_tests(smtp_port: u16, https_port: u16) -> Self {
        AddressPolicy {
            allow_loopback: true,
            smtp_port,
            https_port,
        }
    }

    /// Whether loopback targets are allowed (test-only).
    pub fn allows_loopback(&self) -> bool {
        self.allow_loopback
    }

    /// The port connected to for `service`: 25 and 443, except in the test policy.
    pub fn port(&self, service: Service) -> u16 {
        match service {
            Service::Smtp => self.smtp_port,
            Service::Https => self.https_port,
        }
    }

    /// The address to connect to for `addr`, or the range that forbids it. Loopback is let through
    /// only in the test policy, and only as itself (not through an IPv4 embedding).
    fn permits(&self, addr: IpAddr) -> Result<IpAddr, Range> {
        match address::classify(addr) {
            Class::Public(ip) => Ok(ip),
            Class::Special {
                range: Range::Loopback,
                via: None,
            } if self.allow_loopback => Ok(addr),
            Class::Special { range, .. } => Err(range),
        }
    }
}

/// A hostname and the one checked public address (with its fixed port) to connect to for it.
/// Only [`Guard::check`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTarget {
    host: DomainName,
    addr: SocketAddr,
}

impl CheckedTarget {
    /// The hostname (for SNI, `Host:` and certificate name checks).
    pub fn host(&self) -> &DomainName {
        &self.host
    }

    /// The address and port to connect to, and the only one.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl fmt::Display for CheckedTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.host, self.addr)
    }
}

/// Why a name cannot be connected to.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum GuardError {
    /// The name resolves to a non-public address (HTTP 403 `forbidden-target`). The address itself
    /// is not in the message: a split-horizon resolver's internal answers are not for callers.
    #[error("{host} resolves to {range}; the relay only connects to public addresses")]
    Forbidden {
        /// The name.
        host: DomainName,
        /// The range of the first refused address.
        range: Range,
        /// The refused address, for the server's log only.
        addr: IpAddr,
    },
    /// No A or AAAA record (HTTP 502 `upstream-failed`).
    #[error("no address found for {host}")]
    NoAddress {
        /// The name.
        host: DomainName,
    },
    /// The lookup failed (HTTP 502 `upstream-failed`).
    #[error("looking up {host} failed")]
    Lookup {
        /// The name.
        host: DomainName,
        /// The resolver's error, for the server's log.
        #[source]
        source: io::Error,
    },
    /// The lookup took too long (HTTP 504 `timeout`).
    #[error("looking up {host} took longer than {} ms", .limit.as_millis())]
    Timeout {
        /// The name.
        host: DomainName,
        /// The limit.
        limit: Duration,
    },
}

/// Resolves names once and lets through only what the [`AddressPolicy`] permits.
pub struct Guard {
    resolver: Arc<dyn Resolver>,
    policy: AddressPolicy,
    timeout: Duration,
}

impl Guard {
    /// A guard using `resolver`, `policy` and a lookup `timeout`.
    pub fn new(resolver: Arc<dyn Resolver>, policy: AddressPolicy, timeout: Duration) -> Guard {
        Guard {
            resolver,
            policy,
            timeout,
        }
    }

    /// The address policy in force.
    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// Resolves `host` once and returns the address to connect to for `service`. Every address of
    /// the name must be permitted, not only the chosen one: a name that mixes public and private
    /// answers is refused, so that no retry or fallback elsewhere could reach the private one.
    /// IPv4 is preferred, since a relay host without IPv6 routes is common.
    pub async fn check(
        &self,
        host: &DomainName,
        service: Service,
    ) -> Result<CheckedTarget, GuardError> {
        let lookup = tokio::time::timeout(self.timeout, self.resolver.lookup(host));
        let addrs = match lookup.await {
            Err(_) => {
                return Err(GuardError::Timeout {
                    host: host.clone(),
                    limit: self.timeout,
                });
            }
            Ok(Err(source)) => {
                return Err(GuardError::Lookup {
                    host: host.clone(),
                    source,
                });
            }
            Ok(Ok(addrs)) => addrs,
        };
        let mut permitted = Vec::new();
        for addr in addrs.into_iter().take(MAX_ADDRESSES) {
            match self.policy.permits(addr) {
                Ok(ip) => permitted.push(ip),
                Err(range) => {
                    return Err(GuardError::Forbidden {
                        host: host.clone(),
                        range,
                        addr,
                    });
                }
            }
        }
        let chosen = permitted
            .iter()
            .find(|ip| ip.is_ipv4())
            .or(permitted.first())
            .copied();
        let ip = chosen.ok_or_else(|| GuardError::NoAddress { host: host.clone() })?;
        Ok(CheckedTarget {
            host: host.clone(),
            addr: SocketAddr::new(ip, self.policy.port(service)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use stslens_core::name::TrailingDot;
    struct Table(HashMap<&'static str, Vec<IpAddr>>);
    impl Resolver for Table {
        fn lookup<'a>(&'a self, host: &'a DomainName) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
            let found = self.0.get(host.as_str()).cloned();
            Box::pin(async move { found.ok_or_else(|| io::Error::other("NXDOMAIN")) })
        }
    }

    fn guard(policy: AddressPolicy) -> Guard {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let table = HashMap::from([
            ("mx.public.net", vec![ip("2606:4700::1"), ip("1.1.1.1")]),
            ("mx.v6only.net", vec![ip("2606:4700::1")]),
            ("mx.mixed.net", vec![ip("1.1.1.1"), ip("10.0.0.1")]),
            ("mx.loop.net", vec![ip("127.0.0.1")]),
            ("mx.loop6.net", vec![ip("::1")]),
            ("mx.mapped-loop.net", vec![ip("::ffff:127.0.0.1")]),
            ("mx.mapped-public.net", vec![ip("::ffff:8.8.8.8")]),
            ("mx.meta.net", vec![ip("169.254.169.254")]),
            ("mx.private.net", vec![ip("192.168.1.1")]),
            ("mx.empty.net", vec![]),
        ]);
        Guard::new(Arc::new(Table(table)), policy, Duration::from_secs(5))
    }

    fn host(s: &str) -> DomainName {
        DomainName::parse(s, TrailingDot::Refuse).unwrap()
    }

    #[tokio::test]
    async fn picks_a_public_ipv4_address_with_the_fixed_port() {
        let g = guard(AddressPolicy::public_only());
        let t = g
            .check(&host("mx.public.net"), Service::Smtp)
            .await
            .unwrap();
        assert_eq!(t.addr(), "1.1.1.1:25".parse().unwrap());
        assert_eq!(t.host().as_str(), "mx.public.net");
        let t = g
            .check(&host("mx.v6only.net"), Service::Https)
            .await
            .unwrap();
        assert_eq!(t.addr(), "[2606:4700::1]:443".parse().unwrap());
        let t = g
            .check(&host("mx.mapped-public.net"), Service::Smtp)
            .await
            .unwrap();
        assert_eq!(t.addr(), "8.8.8.8:25".parse().unwrap());
    }

    #[tokio::test]
    async fn refuses_names_with_any_non_public_address() {
        let g = guard(AddressPolicy::public_only());
        for (name, want) in [
            ("mx.mixed.net", Range::Private),
            ("mx.loop.net", Range::Loopback),
            ("mx.loop6.net", Range::Loopback),
            ("mx.mapped-loop.net", Range::Loopback),
            ("mx.meta.net", Range::CloudMetadata),
            ("mx.private.net", Range::Private),
        ] {
            match g.check(&host(name), Service::Smtp).await {
                Err(GuardError::Forbidden { range, .. }) => assert_eq!(range, want, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(matches!(
            g.check(&host("mx.empty.net"), Service::Smtp).await,
            Err(GuardError::NoAddress { .. })
        ));
        assert!(matches!(
            g.check(&host("mx.unknown.net"), Service::Smtp).await,
            Err(GuardError::Lookup { .. })
        ));
    }

    #[tokio::test]
    async fn forbidden_message_names_the_range_but_not_the_address() {
        let g = guard(AddressPolicy::public_only());
        let e = g
            .check(&host("mx.private.net"), Service::Smtp)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "mx.private.net resolves to a private address (RFC 1918); the relay only connects to public addresses"
        );
    }

    #[tokio::test]
    async fn loopback_is_off_by_default_and_the_test_policy_allows_only_plain_loopback() {
        assert!(!AddressPolicy::default().allows_loopback());
        let g = guard(AddressPolicy::unsafe_loopback_for_tests(2525, 8443));
        let t = g.check(&host("mx.loop.net"), Service::Smtp).await.unwrap();
        assert_eq!(t.addr(), "127.0.0.1:2525".parse().unwrap());
        let t = g
            .check(&host("mx.loop6.net"), Service::Https)
            .await
            .unwrap();
        assert_eq!(t.addr(), "[::1]:8443".parse().unwrap());
        for name in ["mx.mapped-loop.net", "mx.private.net", "mx.meta.net"] {
            assert!(
                matches!(
                    g.check(&host(name), Service::Smtp).await,
                    Err(GuardError::Forbidden { .. })
                ),
                "{name}"
            );
        }
    }
}
