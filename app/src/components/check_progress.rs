//! The check's steps as they run: each with its state and, once finished, its time; above them
//! a one-line summary in a polite live region, so a screen reader hears the progress without
//! hearing every row.

use crate::runner::{CheckView, RunStatus, StepProgress, StepState};
use leptos::prelude::*;

/// The progress of `view`'s check. Collapsed into a `<details>` once the check has finished,
/// so the result comes first; still there for whoever wants the timings.
#[component]
pub fn CheckProgress(view: CheckView) -> impl IntoView {
    let steps = view.steps;
    let counts = move || {
        steps.with(|s| {
            let finished = s
                .iter()
                .filter(|p| !matches!(p.state, StepState::Waiting | StepState::Running))
                .count();
            (finished, s.len())
        })
    };
    let summary = move || {
        let (finished, total) = counts();
        match view.status.get() {
            RunStatus::Finished => format!(
                "Check finished: {total} steps in {} ms.",
                view.elapsed_ms.get()
            ),
            RunStatus::Failed(_) => "The check stopped: no DNS answers.".to_owned(),
            RunStatus::Stopped(_) => "The check stopped.".to_owned(),
            RunStatus::Running if total == 0 => "Starting the check…".to_owned(),
            RunStatus::Running => {
                let round = if steps.with(|s| s.iter().any(|p| p.round == 2)) {
                    "round 2: the MX hosts"
                } else {
                    "round 1: records and policy"
                };
                format!("Checking, {round}: {finished} of {total} steps done.")
            }
        }
    };
    let running = move || view.status.with(|s| *s == RunStatus::Running);
    let relay = move || {
        view.relay
            .get()
            .map(|r| r.about)
            .unwrap_or_else(|| "Looking for a relay…".to_owned())
    };
    view! {
        <section class="card progress" aria-labelledby="progress-h">
            <h2 id="progress-h" class="visually-hidden">"Progress"</h2>
            <p class="progress-summary" role="status" aria-live="polite">{summary}</p>
            <progress max=move || counts().1.max(1) value=move || counts().0 aria-hidden="true"
                class:visually-hidden=move || !running()></progress>
            <details prop:open=running>
                <summary>"Steps"</summary>
                <p class="hint">{relay}</p>
                <ol class="steps">
                    <For each=move || steps.get() key=|s| (s.id.clone(), s.state as u8, s.note.clone()) let:step>
                        <StepRow step=step/>
                    </For>
                </ol>
            </details>
        </section>
    }
}

#[component]
fn StepRow(step: StepProgress) -> impl IntoView {
    let (class, mark, state) = match step.state {
        StepState::Waiting => ("waiting", "·", "waiting"),
        StepState::Running => ("running", "…", "running"),
        StepState::Done => ("done", "✓", "done"),
        StepState::Failed => ("failed", "✗", "failed"),
        StepState::Skipped => ("skipped", "–", "not run"),
    };
    let elapsed = step.elapsed_ms.map(|ms| format!("{ms} ms"));
    view! {
        <li class=class>
            <span class="state" aria-hidden="true">{mark}</span>
            <span class="visually-hidden">{format!("{state}: ")}</span>
            <code class="step-label">{step.label}</code>
            <span class="step-note">{step.note}</span>
            <span class="elapsed">{elapsed}</span>
        </li>
    }
}
