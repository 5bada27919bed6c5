//! The words for each step's state in the progress list, written where the outcomes are (the
//! worker), so the page receives text and needs none of core's probe types to show progress.

use super::protocol::StepState;
use stslens_core::check::{NotRunReason, Outcome};
use stslens_core::dns::Status;

/// A step's state and a few words about its result.
pub fn describe(outcome: &Outcome) -> (StepState, String) {
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
