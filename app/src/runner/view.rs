//! The page's side of a check: the signals the components read ([`CheckView`]), so components
//! only display and the runner only applies the worker's updates.

use crate::checker::protocol::{Finished, PolicyRoute, RelayInfo, StepProgress};
use leptos::prelude::*;
use stslens_core::Finding;

/// Where the whole check stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStatus {
    /// Finding the relay, or running steps.
    Running,
    /// Evaluated: the report is there.
    Finished,
    /// No resolver answered the domain's own lookups: nothing about it is known.
    Failed(String),
    /// The check worker did not start or stopped (its wasm did not load, say).
    Stopped(String),
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
    /// The result, once evaluated (again after a paste): the verdict and the sections' HTML.
    pub report: RwSignal<Option<Finished>>,
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
