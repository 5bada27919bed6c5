//! The page's side of a check: the signals the components read ([`CheckView`]) and the words
//! for each step's state, so components only display and the runner only publishes.

use leptos::prelude::*;
use stslens_core::Finding;
use stslens_core::check::{NotRunReason, Outcome, Report};
use stslens_core::dns::Status;

use super::RelayInfo;

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Waiting for what it needs.
    Waiting,
    /// Under way.
    Running,
    /// Answered (a DNS answer, a response, a probe).
    Done,
    /// Ran and got no answer.
    Failed,
    /// Not performed (blocked, no address, not possible here).
    Skipped,
}

/// One step as the progress list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProgress {
    /// Core's step id.
    pub id: String,
    /// What it does, e.g. `TXT _mta-sts.example.com`.
    pub label: String,
    /// 1 or 2.
    pub round: u8,
    /// Where it stands.
    pub state: StepState,
    /// Its duration once finished.
    pub elapsed_ms: Option<u64>,
    /// What it gave, in a few words (`answer`, `HTTP 200`, `no STARTTLS`, `through the relay`).
    pub note: String,
}

/// How the policy reached the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyRoute {
    /// Not yet known.
    Pending,
    /// The browser read it.
    Browser,
    /// The browser was refused (or saw a redirect it may not read), the relay fetched it.
    Relay,
    /// The browser was refused and there is no relay: the user may paste it.
    NeedsPaste,
    /// The user pasted it; `head_seen` says whether status and headers were pasted too.
    Pasted {
        /// Whether the paste held the response head.
        head_seen: bool,
    },
    /// Another outcome (no address, a failure): nothing to offer.
    Other,
}

/// Where the whole check stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStatus {
    /// Finding the relay, or running steps.
    Running,
    /// Evaluated: the report is there.
    Finished,
    /// No resolver answered the domain's own lookups: nothing about it is known.
    Failed(String),
}

/// What the history says about this check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// When the domain was last checked before (Unix seconds).
    pub previous_at: i64,
    /// What changed since, as core's findings.
    pub findings: Vec<Finding>,
}

/// The page's view of a check: signals the components read.
#[derive(Debug, Clone, Copy)]
pub struct CheckView {
    /// Every planned step, plan order.
    pub steps: RwSignal<Vec<StepProgress>>,
    /// Where the check stands.
    pub status: RwSignal<RunStatus>,
    /// The report, once evaluated (again after a paste).
    pub report: RwSignal<Option<Report>>,
    /// The relay in use.
    pub relay: RwSignal<Option<RelayInfo>>,
    /// How the policy was obtained.
    pub route: RwSignal<PolicyRoute>,
    /// Changes since the previous check of the domain in this browser.
    pub changes: RwSignal<Option<Changes>>,
    /// When the last step finished, ms after the start.
    pub elapsed_ms: RwSignal<u64>,
}

impl CheckView {
    /// Empty signals, owned by the current reactive owner (the page).
    pub fn new() -> CheckView {
        CheckView {
            steps: RwSignal::new(Vec::new()),
            status: RwSignal::new(RunStatus::Running),
            report: RwSignal::new(None),
            relay: RwSignal::new(None),
            route: RwSignal::new(PolicyRoute::Pending),
            changes: RwSignal::new(None),
            elapsed_ms: RwSignal::new(0),
        }
    }

    pub(super) fn reset(&self) {
        self.steps.set(Vec::new());
        self.status.set(RunStatus::Running);
        self.report.set(None);
        self.relay.set(None);
        self.route.set(PolicyRoute::Pending);
        self.changes.set(None);
        self.elapsed_ms.set(0);
    }
}

impl Default for CheckView {
    fn default() -> Self {
        CheckView::new()
    }
}

/// A step's state and a few words about its result.
pub(super) fn describe(outcome: &Outcome) -> (StepState, String) {
    match outcome {
        Outcome::Lookup { lookup } => {
            let note = match lookup.status {
                Status::Answer => match lookup.records.len() {
                    1 => "1 record".to_owned(),
                    n => format!("{n} records"),
                },
                Status::NoData => "no record".to_owned(),
                Status::NxDomain => "no such name".to_owned(),
                Status::ServFail => "SERVFAIL".to_owned(),
                Status::Other { rcode } => format!("error code {rcode}"),
            };
            (StepState::Done, note)
        }
        Outcome::Policy { policy } => (StepState::Done, format!("HTTP {}", policy.status)),
        Outcome::Probe { probe } => (
            StepState::Done,
            if probe.starttls {
                "STARTTLS offered".to_owned()
            } else {
                "no STARTTLS".to_owned()
            },
        ),
        Outcome::Failed { failure } => (StepState::Failed, failure.message.clone()),
        Outcome::NotRun { reason, .. } => (
            StepState::Skipped,
            match reason {
                NotRunReason::Blocked => "blocked by the browser (CORS)".to_owned(),
                NotRunReason::NoAddress => "no address".to_owned(),
                _ => "not possible here".to_owned(),
            },
        ),
    }
}
