//! The timeline of a check from its observations: when each step ran, and the chain of
//! dependent steps that ended last (the observed critical path).

use super::observation::{Observations, Outcome};
use super::plan::Plan;
use super::report::{Timeline, TimelineStep};
use crate::dns::Status;

pub(super) fn timeline(plan: &Plan, obs: &Observations) -> Timeline {
    let steps = plan
        .steps()
        .iter()
        .map(|planned| {
            let seen = obs.get(&planned.step);
            let result = match seen.map(|o| &o.outcome) {
                None => "missing",
                Some(Outcome::Lookup { lookup }) => match lookup.status {
                    Status::Answer => "answer",
                    Status::NoData => "no-data",
                    Status::NxDomain => "nx-domain",
                    Status::ServFail => "serv-fail",
                    Status::Other { .. } => "other",
                },
                Some(Outcome::Policy { .. }) => "policy",
                Some(Outcome::Probe { .. }) => "probe",
                Some(Outcome::Failed { .. }) => "failed",
                Some(Outcome::NotRun { .. }) => "not-run",
            };
            TimelineStep {
                id: planned.id.clone(),
                label: planned.label.clone(),
                round: planned.round,
                started_ms: seen.map(|o| o.started_ms),
                finished_ms: seen.map(|o| o.finished_ms),
                result: result.to_owned(),
            }
        })
        .collect();
    Timeline {
        elapsed_ms: obs.elapsed_ms(),
        critical_path: observed_critical_path(plan, obs),
        steps,
    }
}

/// From the step that finished last, back through the need that finished last, to a step that
/// needed nothing: the chain that set the check's duration.
fn observed_critical_path(plan: &Plan, obs: &Observations) -> Vec<String> {
    let finished = |step| obs.get(step).map(|o| o.finished_ms);
    let Some(mut at) = plan
        .steps()
        .iter()
        .filter(|s| finished(&s.step).is_some())
        .max_by_key(|s| finished(&s.step))
    else {
        return Vec::new();
    };
    let mut chain = vec![at.id.clone()];
    while let Some(next) = at
        .needs
        .iter()
        .filter_map(|need| plan.steps().iter().find(|s| &s.step == need))
        .filter(|s| finished(&s.step).is_some())
        .max_by_key(|s| finished(&s.step))
    {
        chain.push(next.id.clone());
        at = next;
    }
    chain.reverse();
    chain
}
