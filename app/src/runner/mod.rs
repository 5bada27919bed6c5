//! The page's side of a check: starts a run in the check worker (`crate::checker`), applies its
//! updates to the page's signals ([`CheckView`]), and keeps the history, which lives in
//! localStorage and so on the page (a worker has none).
//!
//! ```text
//!   Runner::start ─► Request::Start{run} ─► worker ─► Update::{Relay, Route, Steps}* ─► signals
//!                                                  └► Update::Finished ─► history, compare, signals
//!   paste ─► Request::Paste{run} ─► Update::{Route, Steps, Finished} (evaluated again)
//!   cancel (page left, check again) ─► Request::Cancel{run}; later updates of the run dropped
//! ```

mod view;

pub use crate::checker::protocol::{PolicyRoute, RelayChoice, RelayInfo, StepProgress, StepState};
pub use view::{Changes, CheckView, RunStatus};

use crate::checker::protocol::{Event, Finished, Request, Update};
use crate::io::check_worker::CheckWorker;
use crate::io::history;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use stslens_core::check::compare;
use stslens_core::name::DomainName;

thread_local! {
    /// The number of the latest run: a run's updates are applied only while it is the latest.
    static LATEST: Cell<u32> = const { Cell::new(0) };
}

/// One check run on the page; cheap to clone. Dropping it does not stop it: [`Runner::cancel`].
#[derive(Clone)]
pub struct Runner {
    run: u32,
    worker: Option<Rc<CheckWorker>>,
}

impl Runner {
    /// Starts checking `domain` with the DoH `resolver`; `relay` is the relay setting, which
    /// the worker confirms (`/healthz`) when it is this site's own.
    pub fn start(
        view: CheckView,
        domain: DomainName,
        resolver: String,
        relay: RelayChoice,
    ) -> Runner {
        view.reset();
        let run = LATEST.with(|l| l.get().wrapping_add(1));
        LATEST.with(|l| l.set(run));
        let worker = match CheckWorker::shared() {
            Ok(worker) => worker,
            Err(message) => {
                view.status.set(RunStatus::Stopped(format!(
                    "the check engine did not start: {message}"
                )));
                return Runner { run, worker: None };
            }
        };
        worker.set_handler(Some(move |event: Event| match event {
            Event::Update { run: of, update } if of == run && is_latest(run) => {
                apply(view, update);
            }
            Event::Failed { message } if is_latest(run) => {
                view.status.try_set(RunStatus::Stopped(message));
            }
            _ => {}
        }));
        worker.send(&Request::Start {
            run,
            domain,
            resolver,
            relay,
        });
        Runner {
            run,
            worker: Some(worker),
        }
    }

    /// Stops the run: the worker drops it, and updates already on their way are ignored.
    pub fn cancel(&self) {
        LATEST.with(|l| {
            if l.get() == self.run {
                l.set(self.run.wrapping_add(1));
            }
        });
        if let Some(worker) = &self.worker {
            worker.send(&Request::Cancel { run: self.run });
        }
    }

    /// Evaluates the check again with a policy the user pasted in place of the blocked fetch.
    pub fn paste(&self, text: &str) {
        if let Some(worker) = &self.worker {
            worker.send(&Request::Paste {
                run: self.run,
                text: text.to_owned(),
            });
        }
    }
}

fn is_latest(run: u32) -> bool {
    LATEST.with(|l| l.get() == run)
}

/// Applies one of the worker's updates to the signals. `try_set`: the page may have been left
/// (its signals disposed) while the update was on its way.
fn apply(view: CheckView, update: Update) {
    match update {
        Update::Relay(info) => {
            view.relay.try_set(Some(info));
        }
        Update::Route(route) => {
            view.route.try_set(route);
        }
        Update::Steps { steps, elapsed_ms } => {
            view.elapsed_ms.try_set(elapsed_ms);
            view.steps.try_set(steps);
        }
        Update::Unreachable { message } => {
            view.status.try_set(RunStatus::Failed(message));
        }
        Update::Finished(finished) => done(view, *finished),
    }
}

/// The result is in: the history's snapshot and what changed since the previous one, then the
/// result itself.
fn done(view: CheckView, finished: Finished) {
    let mut snapshot = finished.snapshot.clone();
    let pasted = view
        .route
        .try_get_untracked()
        .is_some_and(|r| matches!(r, PolicyRoute::Pasted { .. }));
    if pasted {
        // A text box rewrites line endings: the pasted body's hash is not the served one's.
        snapshot.policy_sha256 = None;
    }
    // History is a convenience: a browser that keeps no storage still gets its report.
    if let Ok(previous) = history::record(snapshot.clone()) {
        view.changes.try_set(previous.map(|p| Changes {
            previous_at: p.checked_at,
            findings: compare(&p, &snapshot),
        }));
    }
    view.report.try_set(Some(finished));
    view.status.try_set(RunStatus::Finished);
}
