//! The native check runner: drives core's [`Plan`] with the native clients, every step as soon
//! as the steps it needs have finished, all of them concurrently on the tokio runtime, and
//! records each result with its timing in core's [`Observations`]. Then core evaluates.
//!
//! ```text
//!   Checker::run(domain)
//!     start every step whose needs are done ──► JoinSet (one task per step)
//!        ▲                                            │ next result
//!        └── record in Observations ◄─────────────────┘  (the MX answer adds round 2)
//!   stslens_core::check::evaluate(&plan, &observations, now) -> Report
//! ```
//!
//! Natively, connections go to the addresses the check's own DoH lookups returned
//! ([`PlanOptions::native`]): the policy fetch waits for the A/AAAA of `mta-sts.<domain>` and each
//! probe for its MX host's, so the check judges exactly the hosts its lookups named (a
//! split-horizon system resolver cannot make it probe something else), and the loopback tests
//! can point a whole check at the fakes through DNS alone. IPv4 addresses are tried first.
//!
//! Everything a test must change is injectable: resolvers ([`DohOptions`]), trust anchors,
//! timeouts, and, for loopback fakes only, the HTTPS and SMTP ports.

use crate::io::doh::{DohClient, DohError, DohOptions};
use crate::io::policy_fetch::{PolicyFetchError, PolicyFetcher, PolicyTimeouts};
use crate::io::smtp_probe::{SmtpOptions, SmtpProber};
use crate::io::tls::TrustAnchors;
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;
use stslens_core::check::{NotRunReason, Observations, Outcome, Plan, PlanOptions, Report, Step};
use stslens_core::dns::{Lookup, Status};
use stslens_core::name::DomainName;
use stslens_core::probe::{FailureKind, ProbeFailure};
use thiserror::Error;
use tokio::task::JoinSet;

/// The HTTPS port of the policy host (RFC 8461 §3.3).
pub const HTTPS_PORT: u16 = 443;

/// How a check runs.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// DNS-over-HTTPS resolvers and limits.
    pub doh: DohOptions,
    /// Roots that certificate chains are judged against (and the DoH resolvers verified with).
    pub anchors: TrustAnchors,
    /// Limits of the policy fetch.
    pub policy: PolicyTimeouts,
    /// Limits (and, in tests, the port) of the SMTP probe.
    pub smtp: SmtpOptions,
    /// Whether to probe the MX hosts (`--no-probe` turns it off).
    pub probe_mx: bool,
    https_port: u16,
}

impl CheckOptions {
    /// The defaults: Cloudflare and Google DoH, the Mozilla roots, ports 443 and 25.
    pub fn new() -> CheckOptions {
        CheckOptions {
            doh: DohOptions::default(),
            anchors: TrustAnchors::webpki(),
            policy: PolicyTimeouts::default(),
            smtp: SmtpOptions::default(),
            probe_mx: true,
            https_port: HTTPS_PORT,
        }
    }

    /// Fetches policies from `port` instead of 443. **For tests against loopback fakes only.**
    pub fn with_test_https_port(mut self, port: u16) -> CheckOptions {
        self.https_port = port;
        self
    }

    /// The port policies are fetched from.
    pub fn https_port(&self) -> u16 {
        self.https_port
    }
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions::new()
    }
}

/// Why a check could not run at all (as opposed to finding problems, which is a result).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The DoH client cannot be built (bad resolver URL, no resolver).
    #[error(transparent)]
    Resolver(#[from] DohError),
    /// No resolver answered the domain's own lookups, so nothing about it is known.
    #[error(
        "no DNS-over-HTTPS resolver answered ({message}); check the network or pass another resolver with --doh"
    )]
    ResolverUnreachable {
        /// The first failure.
        message: String,
    },
}

/// What a run produced: the plan as it grew and everything observed.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The plan, round 2 included.
    pub plan: Plan,
    /// Every result with its timing.
    pub observations: Observations,
}

impl Checked {
    /// Core's evaluation at `now` (Unix seconds).
    pub fn report(&self, now: i64) -> Report {
        stslens_core::check::evaluate(&self.plan, &self.observations, now)
    }
}

/// Runs checks; cheap to clone (the clients share their connection pools).
#[derive(Debug, Clone)]
pub struct Checker {
    doh: DohClient,
    fetcher: PolicyFetcher,
    prober: SmtpProber,
    probe_mx: bool,
    https_port: u16,
}

/// A finished step, as a task returns it.
type Done = (Step, u64, u64, Outcome);

impl Checker {
    /// A checker with these options.
    pub fn new(options: &CheckOptions) -> Result<Checker, CheckError> {
        Ok(Checker {
            doh: DohClient::new(&options.anchors, options.doh.clone())?,
            fetcher: PolicyFetcher::new(&options.anchors, options.policy),
            prober: SmtpProber::new(&options.anchors, options.smtp.clone()),
            probe_mx: options.probe_mx,
            https_port: options.https_port,
        })
    }

    /// Runs the whole plan for `domain`; every step of a round at once, each step as soon as
    /// what it needs has finished.
    pub async fn run(&self, domain: &DomainName) -> Result<Checked, CheckError> {
        let start = Instant::now();
        let mut plan = Plan::new(
            domain.clone(),
            PlanOptions {
                probe_mx: self.probe_mx,
                connect_to_resolved: true,
            },
        );
        let mut observations = Observations::new();
        let mut started: HashSet<Step> = HashSet::new();
        let mut tasks: JoinSet<Done> = JoinSet::new();
        loop {
            for planned in plan.steps() {
                let ready = planned.needs.iter().all(|n| observations.has(n));
                if ready && started.insert(planned.step.clone()) {
                    let work = self.step(domain, &planned.step, &observations, start);
                    tasks.spawn(work);
                }
            }
            let Some(done) = tasks.join_next().await else {
                break;
            };
            // A step task only panics on a bug; losing one result must not lose the check.
            let Ok((step, started_ms, finished_ms, outcome)) = done else {
                continue;
            };
            if step == Step::Mx
                && let Outcome::Lookup { lookup } = &outcome
            {
                plan.add_mx_hosts(lookup);
            }
            observations.record(step, started_ms, finished_ms, outcome);
        }
        if let (Some(mx), Some(_)) = (
            observations.failure(&Step::Mx),
            observations.failure(&Step::StsRecord),
        ) {
            return Err(CheckError::ResolverUnreachable {
                message: mx.message.clone(),
            });
        }
        Ok(Checked { plan, observations })
    }

    /// The task for one step, with what it needs copied out of the observations.
    fn step(
        &self,
        domain: &DomainName,
        step: &Step,
        observations: &Observations,
        start: Instant,
    ) -> impl Future<Output = Done> + Send + 'static {
        let this = self.clone();
        let domain = domain.clone();
        let step = step.clone();
        let addresses = match &step {
            Step::PolicyFetch => addresses(observations, &Step::PolicyHostA, &Step::PolicyHostAaaa),
            Step::MxProbe { host } => addresses(
                observations,
                &Step::MxA { host: host.clone() },
                &Step::MxAaaa { host: host.clone() },
            ),
            _ => Vec::new(),
        };
        async move {
            let ms = |at: Instant| at.duration_since(start).as_millis() as u64;
            let began = Instant::now();
            let outcome = this.perform(&domain, &step, &addresses).await;
            (step, ms(began), ms(Instant::now()), outcome)
        }
    }

    async fn perform(&self, domain: &DomainName, step: &Step, addresses: &[IpAddr]) -> Outcome {
        if let Some((name, record_type)) = step.query(domain) {
            return match self.doh.lookup(&name, record_type).await {
                Ok(lookup) => Outcome::Lookup { lookup },
                Err(e) => Outcome::Failed {
                    failure: doh_failure(&e),
                },
            };
        }
        match step {
            Step::PolicyFetch => self.fetch(domain, addresses).await,
            Step::MxProbe { host } => self.probe(host, addresses).await,
            _ => unreachable!("every other step is a DNS lookup"),
        }
    }

    /// The policy fetch at the resolved addresses in turn, moving on only when a connection
    /// cannot be made (as a sender moves on to the next address).
    async fn fetch(&self, domain: &DomainName, addresses: &[IpAddr]) -> Outcome {
        let mut last: Option<PolicyFetchError> = None;
        for ip in addresses {
            match self
                .fetcher
                .fetch_at(domain, SocketAddr::new(*ip, self.https_port))
                .await
            {
                Ok(fetch) => {
                    return Outcome::Policy {
                        policy: fetch.to_probe(),
                    };
                }
                Err(e @ PolicyFetchError::Connect { .. }) => last = Some(e),
                Err(e) => {
                    return Outcome::Failed {
                        failure: e.failure(),
                    };
                }
            }
        }
        match last {
            Some(e) => Outcome::Failed {
                failure: e.failure(),
            },
            None => no_address(&format!("mta-sts.{domain}")),
        }
    }

    /// The STARTTLS probe at the resolved addresses, moving on after a refused or failed
    /// connection (not after a timeout, which would multiply the wait).
    async fn probe(&self, host: &DomainName, addresses: &[IpAddr]) -> Outcome {
        let mut last = None;
        for ip in addresses {
            match self.prober.probe(host, *ip).await {
                Ok(probe) => return Outcome::Probe { probe },
                Err(e) => {
                    let failure = e.failure();
                    let retry = matches!(failure.kind, FailureKind::Refused | FailureKind::Network);
                    last = Some(failure);
                    if !retry {
                        break;
                    }
                }
            }
        }
        match last {
            Some(failure) => Outcome::Failed { failure },
            None => no_address(host.as_str()),
        }
    }
}

fn no_address(host: &str) -> Outcome {
    Outcome::NotRun {
        reason: NotRunReason::NoAddress,
        message: format!("{host} has no address"),
    }
}

/// The addresses of two lookups (A then AAAA): IPv4 first, which connects from more networks.
fn addresses(observations: &Observations, a: &Step, aaaa: &Step) -> Vec<IpAddr> {
    let of = |step| {
        observations
            .lookup(step)
            .filter(|l: &&Lookup| l.status == Status::Answer)
            .map(|l| l.addresses().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut all = of(a);
    all.extend(of(aaaa));
    all
}

/// A DoH failure as data for the observations.
fn doh_failure(error: &DohError) -> ProbeFailure {
    let kind = match error {
        DohError::Timeout { .. } => FailureKind::Timeout,
        DohError::Http { .. } => FailureKind::Network,
        _ => FailureKind::Protocol,
    };
    ProbeFailure {
        kind,
        message: error.to_string(),
    }
}
