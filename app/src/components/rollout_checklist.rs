//! The rollout plan as a checklist, with the steps of the generated mode marked.

use super::rich_text::RichText;
use leptos::prelude::*;
use stslens_core::generate::Step;

/// The steps in order; the `current` ones get a "This output" badge.
#[component]
pub fn RolloutChecklist(#[prop(into)] steps: Signal<Vec<Step>>) -> impl IntoView {
    view! {
        <ol class="checklist rollout">
            {move || {
                steps
                    .get()
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li class:current=s.current>
                                <div class="step-head">
                                    <strong>{s.title.clone()}</strong>
                                    {s.current.then(|| view! { <span class="badge ok">"This output"</span> })}
                                </div>
                                <p><RichText text=s.detail.clone()/></p>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}
