//! The domains checked in this browser, latest first, from the local history.

use crate::io::{clock, history};
use leptos::prelude::*;
use leptos_router::components::A;
use stslens_core::check::RecordStatus;

/// How many domains the home page lists.
const SHOWN: usize = 8;

/// A list of links to the latest checks; nothing when there are none.
#[component]
pub fn RecentChecks() -> impl IntoView {
    let recent = history::load().recent(SHOWN);
    (!recent.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="recent-h">
                <h2 id="recent-h">"Recent checks"</h2>
                <ul class="recent">
                    {recent.into_iter().map(|s| {
                        let what = match (s.sts_status, s.mode) {
                            (_, Some(mode)) => format!("mode {mode}"),
                            (RecordStatus::Missing, _) => "no MTA-STS".to_owned(),
                            _ => "policy not seen".to_owned(),
                        };
                        view! {
                            <li>
                                <A href=format!("/check/{}", s.domain)>{s.domain.to_string()}</A>
                                <span class="muted small">{format!(" {what}, {}", clock::format_utc(s.checked_at))}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="hint">"Kept in this browser only; clear it in Settings."</p>
            </section>
        }
    })
}
