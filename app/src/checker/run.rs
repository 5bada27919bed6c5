//! One check, run in the worker: drives core's [`Plan`] the way the native runner
//! (`web/src/check.rs`) does, with the browser's I/O, and posts every change to the page as an
//! [`Update`] so progress shows step by step.
//!
//! ```text
//!   relay?  /healthz of this site (or the relay set in Settings)  ─► PlanOptions::browser(relay)
//!   pump:   start every step whose needs are done ─► spawn_local(perform) ─► finish:
//!             record in Observations, the MX answer adds round 2, pump again
//!   policy fetch blocked (CORS)? once A/AAAA of mta-sts.<domain> are in:
//!             no address → not run (no-address);  relay → fetch through it;  else → paste box
//!   all steps recorded ─► core::check::evaluate ─► Update::Report (history is the page's)
//! ```
//!
//! In the browser `fetch` and the relay resolve names themselves, so nothing waits for an
//! address lookup ([`PlanOptions::browser`]): round 1 starts at once, round 2 as soon as the MX
//! answer names the hosts. The only extra wait is the fallback of a blocked policy fetch, which
//! needs the policy host's lookups to tell "no such host" from "not allowed to read".

use super::describe::describe;
use super::protocol::{
    Event, Finished, PolicyRoute, RelayChoice, RelayInfo, StepProgress, StepState, Update, Verdict,
};
use super::{relay, render};
use crate::io::check_scope::post;
use crate::io::{clock, doh, policy, relay as relay_io};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use stslens_core::check::{
    NotRunReason, Observations, Outcome, Pasted, Plan, PlanOptions, Report, Snapshot, Step,
    evaluate, pasted_policy,
};
use stslens_core::dns::Status;
use stslens_core::name::DomainName;
use stslens_core::probe::{FailureKind, ProbeFailure};
use wasm_bindgen_futures::spawn_local;

/// A policy fetch the browser could not read, waiting for its fallback.
struct Deferred {
    began: u64,
    /// Redirects need no address check: the host answered.
    redirected: bool,
    message: String,
}

struct Inner {
    domain: DomainName,
    resolver: String,
    relay: Option<String>,
    relay_info: Option<RelayInfo>,
    plan: Plan,
    observations: Observations,
    started: HashSet<Step>,
    running: usize,
    deferred: Option<Deferred>,
    start_ms: f64,
    checked_at: i64,
    cancelled: bool,
    route: PolicyRoute,
}

/// One check run; cheap to clone (shared state). Dropping it does not stop it: [`Run::cancel`].
#[derive(Clone)]
pub struct Run {
    inner: Rc<RefCell<Inner>>,
    id: u32,
}

/// What performing a step gave.
enum Performed {
    Outcome(Outcome),
    /// The browser may not read the policy: decide the fallback later.
    Deferred {
        redirected: bool,
        message: String,
    },
}

impl Run {
    /// Starts checking `domain` with the DoH `resolver`; `relay` is the relay setting's base URL
    /// and whether it was chosen explicitly (another origin) or is this site's own, to be
    /// confirmed by its `/healthz`.
    pub fn start(id: u32, domain: DomainName, resolver: String, relay: RelayChoice) -> Run {
        let runner = Run {
            inner: Rc::new(RefCell::new(Inner {
                plan: Plan::new(domain.clone(), PlanOptions::browser(false)),
                domain,
                resolver,
                relay: None,
                relay_info: None,
                observations: Observations::new(),
                started: HashSet::new(),
                running: 0,
                deferred: None,
                start_ms: clock::monotonic_ms(),
                checked_at: 0,
                cancelled: false,
                route: PolicyRoute::Pending,
            })),
            id,
        };
        let this = runner.clone();
        spawn_local(async move {
            let info = relay::resolve(relay).await;
            if this.cancelled() {
                return;
            }
            {
                let mut inner = this.inner.borrow_mut();
                inner.relay = info.base.clone();
                inner.relay_info = Some(info.clone());
                inner.plan = Plan::new(
                    inner.domain.clone(),
                    PlanOptions::browser(info.base.is_some()),
                );
                inner.start_ms = clock::monotonic_ms();
            }
            this.send(Update::Relay(info));
            this.publish();
            this.pump();
        });
        runner
    }

    /// The page's number for this run.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Posts `update` about this run to the page, unless it was cancelled.
    fn send(&self, update: Update) {
        if !self.cancelled() {
            post(&Event::Update {
                run: self.id,
                update,
            });
        }
    }

    /// Sets how the policy reached the check, and tells the page.
    fn set_route(&self, route: PolicyRoute) {
        self.inner.borrow_mut().route = route.clone();
        self.send(Update::Route(route));
    }

    fn route(&self) -> PolicyRoute {
        self.inner.borrow().route.clone()
    }

    /// Stops publishing: results that arrive later are dropped.
    pub fn cancel(&self) {
        self.inner.borrow_mut().cancelled = true;
    }

    fn cancelled(&self) -> bool {
        self.inner.borrow().cancelled
    }

    fn now(&self) -> u64 {
        (clock::monotonic_ms() - self.inner.borrow().start_ms).max(0.0) as u64
    }

    /// Evaluates the check again with a policy the user pasted in place of the blocked fetch.
    pub fn paste(&self, text: &str) {
        let route = {
            let mut inner = self.inner.borrow_mut();
            let (began, finished) = inner
                .observations
                .get(&Step::PolicyFetch)
                .map_or((0, 0), |o| (o.started_ms, o.finished_ms));
            let (outcome, route) = match pasted_policy(&inner.domain, text) {
                Pasted::Response { probe, head_seen } => (
                    Outcome::Policy { policy: probe },
                    PolicyRoute::Pasted { head_seen },
                ),
                Pasted::Failure(failure) => (
                    Outcome::Failed { failure },
                    PolicyRoute::Pasted { head_seen: true },
                ),
            };
            inner
                .observations
                .record(Step::PolicyFetch, began, finished, outcome);
            route
        };
        self.set_route(route);
        self.publish();
        self.evaluate();
    }

    /// Starts every step whose needs are done.
    fn pump(&self) {
        let ready: Vec<Step> = {
            let mut inner = self.inner.borrow_mut();
            let ready: Vec<Step> = inner
                .plan
                .steps()
                .iter()
                .filter(|p| p.needs.iter().all(|n| inner.observations.has(n)))
                .map(|p| p.step.clone())
                .filter(|s| !inner.started.contains(s))
                .collect();
            for step in &ready {
                inner.started.insert(step.clone());
                inner.running += 1;
            }
            ready
        };
        if ready.is_empty() {
            return;
        }
        self.publish();
        for step in ready {
            let this = self.clone();
            let (domain, resolver, relay) = {
                let inner = self.inner.borrow();
                (
                    inner.domain.clone(),
                    inner.resolver.clone(),
                    inner.relay.clone(),
                )
            };
            spawn_local(async move {
                let began = this.now();
                let performed = perform(&domain, &step, &resolver, relay.as_deref()).await;
                this.finish(step, began, performed);
            });
        }
    }

    fn finish(&self, step: Step, began: u64, performed: Performed) {
        if self.cancelled() {
            return;
        }
        let finished = self.now();
        // A policy that arrives while the route is still pending came from the browser's own
        // fetch; the relay's answer arrives with the route on Relay.
        if step == Step::PolicyFetch
            && matches!(performed, Performed::Outcome(Outcome::Policy { .. }))
            && self.route() == PolicyRoute::Pending
        {
            self.set_route(PolicyRoute::Browser);
        }
        {
            let mut inner = self.inner.borrow_mut();
            inner.running -= 1;
            match performed {
                Performed::Outcome(outcome) => {
                    if step == Step::Mx
                        && let Outcome::Lookup { lookup } = &outcome
                    {
                        inner.plan.add_mx_hosts(lookup);
                    }
                    inner.observations.record(step, began, finished, outcome);
                }
                Performed::Deferred {
                    redirected,
                    message,
                } => {
                    inner.deferred = Some(Deferred {
                        began,
                        redirected,
                        message,
                    });
                }
            }
        }
        self.settle_deferred();
        self.publish();
        self.pump();
        self.maybe_evaluate();
    }

    /// Decides what becomes of a policy fetch the browser could not read, once the policy
    /// host's lookups are in: no address, through the relay, or the paste box.
    fn settle_deferred(&self) {
        let mut inner = self.inner.borrow_mut();
        let Some(deferred) = inner.deferred.as_ref() else {
            return;
        };
        let looked_up = |step| inner.observations.has(step);
        let host_looked_up = looked_up(&Step::PolicyHostA) && looked_up(&Step::PolicyHostAaaa);
        if !(deferred.redirected || host_looked_up) {
            return;
        }
        let absent = |step| {
            inner
                .observations
                .lookup(step)
                .is_some_and(|l| matches!(l.status, Status::NxDomain | Status::NoData))
        };
        let no_address =
            !deferred.redirected && absent(&Step::PolicyHostA) && absent(&Step::PolicyHostAaaa);
        let Some(deferred) = inner.deferred.take() else {
            return;
        };
        let now = (clock::monotonic_ms() - inner.start_ms).max(0.0) as u64;
        if no_address {
            let message = format!("mta-sts.{} has no address", inner.domain);
            inner.observations.record(
                Step::PolicyFetch,
                deferred.began,
                now,
                Outcome::NotRun {
                    reason: NotRunReason::NoAddress,
                    message,
                },
            );
            drop(inner);
            self.set_route(PolicyRoute::Other);
            return;
        }
        let Some(base) = inner.relay.clone() else {
            let outcome = if deferred.redirected {
                Outcome::Failed {
                    failure: ProbeFailure {
                        kind: FailureKind::Protocol,
                        message: deferred.message,
                    },
                }
            } else {
                Outcome::NotRun {
                    reason: NotRunReason::Blocked,
                    message: deferred.message,
                }
            };
            let needs_paste = !deferred.redirected;
            inner
                .observations
                .record(Step::PolicyFetch, deferred.began, now, outcome);
            drop(inner);
            self.set_route(if needs_paste {
                PolicyRoute::NeedsPaste
            } else {
                PolicyRoute::Other
            });
            return;
        };
        inner.running += 1;
        let domain = inner.domain.clone();
        drop(inner);
        self.set_route(PolicyRoute::Relay);
        let this = self.clone();
        spawn_local(async move {
            let outcome = match relay_io::fetch_policy(&base, &domain).await {
                Ok(policy) => Outcome::Policy { policy },
                Err(e) => Outcome::Failed {
                    failure: e.failure(),
                },
            };
            this.finish(
                Step::PolicyFetch,
                deferred.began,
                Performed::Outcome(outcome),
            );
        });
    }

    /// Evaluates once every planned step has a result and nothing is under way.
    fn maybe_evaluate(&self) {
        let complete = {
            let inner = self.inner.borrow();
            inner.running == 0
                && inner.deferred.is_none()
                && inner
                    .plan
                    .steps()
                    .iter()
                    .all(|s| inner.observations.has(&s.step))
        };
        if !complete {
            return;
        }
        let unreachable = {
            let inner = self.inner.borrow();
            match (
                inner.observations.failure(&Step::Mx),
                inner.observations.failure(&Step::StsRecord),
            ) {
                (Some(mx), Some(_)) => Some(mx.message.clone()),
                _ => None,
            }
        };
        if let Some(message) = unreachable {
            self.send(Update::Unreachable { message });
            return;
        }
        self.inner.borrow_mut().checked_at = clock::now_unix() as i64;
        self.evaluate();
    }

    /// Core's evaluation of what was observed, sent as the verdict, the history's snapshot and
    /// the results as HTML. The page keeps the history: localStorage is not there in a worker.
    fn evaluate(&self) {
        let finished = {
            let inner = self.inner.borrow();
            let report = evaluate(&inner.plan, &inner.observations, inner.checked_at);
            Finished {
                verdict: verdict(&report),
                snapshot: Snapshot::of(&report),
                html: render::results(&report, inner.relay_info.as_ref(), &inner.route),
            }
        };
        self.send(Update::Finished(Box::new(finished)));
    }

    /// Rebuilds the progress list from the plan and the observations.
    fn publish(&self) {
        let inner = self.inner.borrow();
        let route = inner.route.clone();
        let steps = inner
            .plan
            .steps()
            .iter()
            .map(|planned| {
                let seen = inner.observations.get(&planned.step);
                let (state, note) = match seen.map(|o| &o.outcome) {
                    Some(outcome) => describe(outcome),
                    None if inner.started.contains(&planned.step) => {
                        (StepState::Running, String::new())
                    }
                    None => (StepState::Waiting, String::new()),
                };
                let note = match (&planned.step, &route) {
                    (Step::PolicyFetch, PolicyRoute::Relay) if seen.is_some() => {
                        format!("{note}, through the relay")
                    }
                    (Step::PolicyFetch, PolicyRoute::Relay) => {
                        "blocked for the browser; asking the relay".to_owned()
                    }
                    (Step::PolicyFetch, PolicyRoute::Pasted { .. }) => format!("{note}, pasted"),
                    _ => note,
                };
                StepProgress {
                    id: planned.id.clone(),
                    label: planned.label.clone(),
                    round: planned.round,
                    state,
                    elapsed_ms: seen.map(|o| o.finished_ms - o.started_ms),
                    note,
                }
            })
            .collect();
        let elapsed_ms = inner.observations.elapsed_ms();
        drop(inner);
        self.send(Update::Steps { steps, elapsed_ms });
    }
}

/// Performs one step with the browser's I/O.
async fn perform(
    domain: &DomainName,
    step: &Step,
    resolver: &str,
    relay: Option<&str>,
) -> Performed {
    if let Some((name, record_type)) = step.query(domain) {
        return Performed::Outcome(match doh::lookup(resolver, &name, record_type).await {
            Ok(lookup) => Outcome::Lookup { lookup },
            Err(e) => Outcome::Failed {
                failure: e.failure(),
            },
        });
    }
    match step {
        Step::PolicyFetch => match policy::fetch_policy(domain).await {
            Ok(policy) => Performed::Outcome(Outcome::Policy { policy }),
            Err(e @ policy::PolicyFetchError::Blocked { .. }) => Performed::Deferred {
                redirected: false,
                message: e.to_string(),
            },
            Err(e @ policy::PolicyFetchError::Redirected { .. }) => Performed::Deferred {
                redirected: true,
                message: e.to_string(),
            },
            Err(e) => Performed::Outcome(Outcome::Failed {
                failure: ProbeFailure {
                    kind: match e {
                        policy::PolicyFetchError::Timeout { .. } => FailureKind::Timeout,
                        _ => FailureKind::Network,
                    },
                    message: e.to_string(),
                },
            }),
        },
        Step::MxProbe { host } => Performed::Outcome(match relay {
            Some(base) => match relay_io::probe_mx(base, host).await {
                Ok(probe) => Outcome::Probe { probe },
                Err(e) => Outcome::Failed {
                    failure: e.failure(),
                },
            },
            None => Outcome::NotRun {
                reason: NotRunReason::Unsupported,
                message: "no relay is configured".to_owned(),
            },
        }),
        other => Performed::Outcome(Outcome::NotRun {
            reason: NotRunReason::Unsupported,
            message: format!("{other} is not a step the browser performs"),
        }),
    }
}

/// The verdict card's content.
fn verdict(report: &Report) -> Verdict {
    let counts = report.finding_counts();
    Verdict {
        status: report.verdict.status,
        summary: report.verdict.summary.clone(),
        sender: report.sender.summary.clone(),
        cached_policy: report.sender.cached_policy.clone(),
        counts: if counts.is_empty() {
            "Nothing to fix.".to_owned()
        } else {
            format!("{counts}.")
        },
        checked_at: report.checked_at,
    }
}
