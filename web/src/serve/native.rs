//! The relay's network side over the native I/O of `web/src/io/`.
//!
//! - [`NativeUpstream`]: the [`Upstream`] of `stslens serve --relay`. `probe_mx` is
//!   [`SmtpProber::probe`] at the checked address, `fetch_policy` is [`PolicyFetcher::fetch_at`]
//!   at the checked address. Neither resolves a name: the only address either connects to is
//!   `target.addr()`, which only the guard can produce.
//! - [`DohResolver`]: a [`Resolver`] over the DoH client, **for tests only** (the hidden
//!   `--unsafe-resolver-for-tests`): it lets the relay resolve `*.test` names through the loopback
//!   fake resolver. Production uses the system resolver.
//!
//! Time limits nest so that the innermost one that can name the slow step fires first: every
//! per-step timeout of the probe and the fetch is at most their whole-operation timeout, which
//! is a little shorter than the relay's overall one ([`within`]). A tarpit is therefore reported
//! as "the greeting timed out" rather than as a bare overall timeout, and the relay's own timeout
//! remains the backstop.

use super::guard::{AddressPolicy, BoxFuture, CheckedTarget, Resolver, SMTP_PORT, Service};
use super::limits::Limits;
use super::upstream::{MxProbe, PolicyProbe, Upstream, UpstreamError};
use crate::io::doh::{DohClient, DohError, DohOptions};
use crate::io::policy_fetch::{PolicyFetchError, PolicyFetcher, PolicyTimeouts, policy_host};
use crate::io::smtp_probe::{SmtpOptions, SmtpProbeError, SmtpProber, SmtpStep};
use crate::io::tls::TrustAnchors;
use std::io;
use std::net::IpAddr;
use std::time::Duration;
use stslens_core::dns::{Lookup, RecordType, Status};
use stslens_core::name::DomainName;
use thiserror::Error;

/// The SMTP probe and the policy fetch, as the relay calls them.
#[derive(Debug, Clone)]
pub struct NativeUpstream {
    prober: SmtpProber,
    fetcher: PolicyFetcher,
}

/// A limit a little shorter than `outer`, so that an inner timeout (which names its step) fires
/// before the relay's overall one: 10 % shorter, at most 1 s.
pub fn within(outer: Duration) -> Duration {
    outer.saturating_sub((outer / 10).min(Duration::from_secs(1)))
}

impl NativeUpstream {
    /// An upstream judging certificate chains against `anchors`, probing the SMTP port of
    /// `policy` (25; another only in the loopback test policy), and finishing each probe and fetch
    /// within the relay's overall timeouts of `limits`. Read caps are the I/O modules' defaults:
    /// reply lines of 1 KiB, 64 lines per reply, policy bodies of 64 KiB + 1 byte.
    pub fn new(anchors: &TrustAnchors, policy: AddressPolicy, limits: &Limits) -> NativeUpstream {
        let mut smtp = match policy.port(Service::Smtp) {
            SMTP_PORT => SmtpOptions::default(),
            // Only `AddressPolicy::unsafe_loopback_for_tests` sets another port.
            port => SmtpOptions::default().with_test_port(port),
        };
        smtp.total_timeout = within(limits.probe_timeout);
        smtp.connect_timeout = smtp.connect_timeout.min(smtp.total_timeout);
        smtp.reply_timeout = smtp.reply_timeout.min(smtp.total_timeout);
        smtp.handshake_timeout = smtp.handshake_timeout.min(smtp.total_timeout);

        let total = within(limits.fetch_timeout);
        let defaults = PolicyTimeouts::default();
        let fetch = PolicyTimeouts {
            connect: defaults.connect.min(total),
            handshake: defaults.handshake.min(total),
            total,
        };
        NativeUpstream {
            prober: SmtpProber::new(anchors, smtp),
            fetcher: PolicyFetcher::new(anchors, fetch),
        }
    }

    /// The probe's limits (for tests and logs).
    pub fn smtp_options(&self) -> &SmtpOptions {
        self.prober.options()
    }
}

impl Upstream for NativeUpstream {
    fn probe_mx<'a>(
        &'a self,
        target: &'a CheckedTarget,
    ) -> BoxFuture<'a, Result<MxProbe, UpstreamError>> {
        Box::pin(async move {
            // The prober's port is fixed when it is built; it must be the one the guard checked.
            // Built from the same AddressPolicy it always is; refusing beats connecting elsewhere.
            if target.addr().port() != self.prober.options().port() {
                return Err(UpstreamError::Failed(format!(
                    "internal error: the probe is set up for port {}, not {}",
                    self.prober.options().port(),
                    target.addr().port()
                )));
            }
            self.prober
                .probe(target.host(), target.addr().ip())
                .await
                .map_err(smtp_error)
        })
    }

    fn fetch_policy<'a>(
        &'a self,
        domain: &'a DomainName,
        target: &'a CheckedTarget,
    ) -> BoxFuture<'a, Result<PolicyProbe, UpstreamError>> {
        Box::pin(async move {
            // fetch_at sends SNI and Host for mta-sts.<domain>: it must be the name that was checked.
            if target.host().as_str() != policy_host(domain) {
                return Err(UpstreamError::Failed(format!(
                    "internal error: {} is not the policy host of {domain}",
                    target.host()
                )));
            }
            self.fetcher
                .fetch_at(domain, target.addr())
                .await
                .map(|fetch| fetch.to_probe())
                .map_err(fetch_error)
        })
    }
}

/// Timeouts name their step (the relay says "the SMTP probe: the greeting timed out"); every
/// other failure keeps the probe's message, which names the host and the step and may quote the
/// peer (the relay replaces control characters and cuts it).
fn smtp_error(e: SmtpProbeError) -> UpstreamError {
    match e {
        SmtpProbeError::Timeout { step, .. } => UpstreamError::Timeout(
            match step {
                SmtpStep::Connect => "connecting",
                SmtpStep::Greeting => "the greeting",
                SmtpStep::Ehlo => "the EHLO reply",
                SmtpStep::StartTls => "the STARTTLS reply",
                SmtpStep::Handshake => "the TLS handshake",
                SmtpStep::Quit => "the QUIT reply",
                SmtpStep::Total => "the whole probe",
            }
            .to_owned(),
        ),
        other => UpstreamError::Failed(other.failure().message),
    }
}

fn fetch_error(e: PolicyFetchError) -> UpstreamError {
    match e {
        PolicyFetchError::Timeout { step, .. } => UpstreamError::Timeout(step.to_string()),
        other => UpstreamError::Failed(other.failure().message),
    }
}

/// Why the test resolver cannot be set up.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DohResolverError {
    /// The URL does not point at a loopback address: the test resolver is for loopback fakes only.
    #[error("`{url}` is not a resolver on a loopback address (127.0.0.0/8 or ::1)")]
    NotLoopback {
        /// The URL given.
        url: String,
    },
    /// The DoH client refused the URL or could not be built.
    #[error(transparent)]
    Client(#[from] DohError),
}

/// **Tests only**: resolves relay targets with A and AAAA queries to one DNS-over-HTTPS resolver
/// on loopback (the fake of `stslens-e2e`), so that end-to-end tests can map `*.test` names to
/// loopback fakes. Names go out as they are, which in DNS messages means absolute: no search list.
pub struct DohResolver {
    client: DohClient,
}

impl DohResolver {
    /// A resolver asking only `url`, which must be on a loopback address, each lookup within
    /// `timeout`. It keeps no idle connection, so the server's sockets are only its own.
    pub fn for_tests(
        url: &str,
        anchors: &TrustAnchors,
        timeout: Duration,
    ) -> Result<DohResolver, DohResolverError> {
        let loopback = reqwest::Url::parse(url).ok().is_some_and(|u| {
            let host = u.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        });
        if !loopback {
            return Err(DohResolverError::NotLoopback {
                url: url.to_owned(),
            });
        }
        let options = DohOptions {
            resolvers: vec![url.to_owned()],
            connect_timeout: timeout,
            timeout,
            ..DohOptions::default()
        };
        let client = DohClient::without_idle_connections(anchors, options)?;
        Ok(DohResolver { client })
    }
}

impl Resolver for DohResolver {
    /// Both families at once. Any failure, of either query, fails the lookup: the guard must see
    /// every address of a name, or none.
    fn lookup<'a>(&'a self, host: &'a DomainName) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            let (v4, v6) = tokio::join!(
                self.client.lookup(host.as_str(), RecordType::A),
                self.client.lookup(host.as_str(), RecordType::Aaaa)
            );
            let mut addresses = Vec::new();
            for lookup in [v4, v6] {
                addresses.extend(answered(lookup.map_err(io::Error::other)?)?);
            }
            Ok(addresses)
        })
    }
}

/// The addresses of an answer; NODATA is none; NXDOMAIN and SERVFAIL are errors, as the system
/// resolver reports them.
fn answered(lookup: Lookup) -> io::Result<Vec<IpAddr>> {
    match lookup.status {
        Status::Answer | Status::NoData => Ok(lookup.addresses().collect()),
        Status::NxDomain => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{}: no such name", lookup.name),
        )),
        status => Err(io::Error::other(format!(
            "{}: the resolver answered {status:?}",
            lookup.name
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_limits_end_before_the_relays() {
        assert_eq!(within(Duration::from_secs(30)), Duration::from_secs(29));
        assert_eq!(within(Duration::from_secs(2)), Duration::from_millis(1800));
        assert_eq!(within(Duration::ZERO), Duration::ZERO);
        let limits = Limits::default();
        let upstream = NativeUpstream::new(
            &TrustAnchors::empty(),
            AddressPolicy::public_only(),
            &limits,
        );
        let o = upstream.smtp_options();
        assert_eq!(o.port(), 25);
        assert!(o.total_timeout < limits.probe_timeout);
        for step in [o.connect_timeout, o.reply_timeout, o.handshake_timeout] {
            assert!(step <= o.total_timeout);
        }
        let test = NativeUpstream::new(
            &TrustAnchors::empty(),
            AddressPolicy::unsafe_loopback_for_tests(2525, 8443),
            &limits,
        );
        assert_eq!(test.smtp_options().port(), 2525);
    }

    #[test]
    fn timeouts_name_their_step_and_other_failures_keep_their_message() {
        let address = "192.0.2.25:25".parse().unwrap();
        let e = smtp_error(SmtpProbeError::Timeout {
            host: "mx.example.com".into(),
            address,
            step: SmtpStep::Greeting,
        });
        assert_eq!(e, UpstreamError::Timeout("the greeting".into()));
        let e = smtp_error(SmtpProbeError::NotSmtp {
            host: "mx.example.com".into(),
            address,
            line: "SSH-2.0-OpenSSH".into(),
        });
        assert!(
            matches!(&e, UpstreamError::Failed(m) if m.contains("does not speak SMTP")),
            "{e:?}"
        );
    }

    #[test]
    fn the_test_resolver_must_be_on_loopback() {
        let anchors = TrustAnchors::empty();
        let t = Duration::from_secs(1);
        for url in [
            "https://dns.google/dns-query",
            "http://10.0.0.1/dns-query",
            "http://localhost.example.com/dns-query",
            "not a url",
        ] {
            assert!(
                matches!(
                    DohResolver::for_tests(url, &anchors, t),
                    Err(DohResolverError::NotLoopback { .. })
                ),
                "{url}"
            );
        }
        assert!(DohResolver::for_tests("http://127.0.0.1:8053/dns-query", &anchors, t).is_ok());
        assert!(DohResolver::for_tests("http://[::1]:8053/dns-query", &anchors, t).is_ok());
    }

    #[test]
    fn nxdomain_and_servfail_are_lookup_errors_and_nodata_is_empty() {
        let lookup = |status| Lookup {
            name: "mx.example.test".into(),
            record_type: RecordType::A,
            status,
            authenticated: false,
            cname_chain: Vec::new(),
            records: Vec::new(),
            negative_ttl: None,
        };
        assert!(answered(lookup(Status::NoData)).unwrap().is_empty());
        assert_eq!(
            answered(lookup(Status::NxDomain)).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert!(answered(lookup(Status::ServFail)).is_err());
    }
}
