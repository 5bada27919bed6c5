//! The check's findings grouped by the part of the setup they are about (core's `Component`
//! order: DNS, the `_mta-sts` record, the policy, the MX hosts, TLS reporting), each fix with a
//! Copy button.

use super::findings_list::FindingItem;
use leptos::prelude::*;
use stslens_core::check::{Component, Report};

/// The findings of `report`, one section per component that has any.
#[component]
pub fn FindingsByComponent(report: RwSignal<Option<Report>>) -> impl IntoView {
    let groups = move || {
        report.with(|r| {
            let Some(r) = r else { return Vec::new() };
            Component::ALL
                .into_iter()
                .map(|c| (c, r.findings_of(c).cloned().collect::<Vec<_>>()))
                .filter(|(_, f)| !f.is_empty())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="findings-h" id="findings">
            <h2 id="findings-h">"Findings"</h2>
            <Show when=move || !groups().is_empty()
                fallback=|| view! { <p>"Nothing to report: every record, the policy and the MX hosts read as a compliant sender expects."</p> }>
                {move || groups().into_iter().map(|(component, findings)| {
                    let key = slug(component);
                    let heading = format!("findings-{key}");
                    view! {
                        <h3 id=heading.clone()>{component.title()}" "<span class="muted small">{format!("({})", findings.len())}</span></h3>
                        <ul class="findings" aria-labelledby=heading>
                            {findings.into_iter().enumerate().map(|(i, f)| view! {
                                <FindingItem finding=f.finding host=f.host fix_id=Some(format!("fix-{key}-{i}"))/>
                            }).collect_view()}
                        </ul>
                    }
                }).collect_view()}
            </Show>
        </section>
    }
}

fn slug(component: Component) -> &'static str {
    match component {
        Component::Dns => "dns",
        Component::StsRecord => "sts-record",
        Component::Policy => "policy",
        Component::Mx => "mx",
        Component::Tlsrpt => "tlsrpt",
    }
}
