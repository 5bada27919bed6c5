//! `/check/:domain`: runs the check from this browser and shows it as it happens, then the
//! result. The URL is the permalink: opening it runs the check again, from the opener's browser.

use crate::components::check_progress::CheckProgress;
use crate::components::field_error::sentence;
use crate::components::history_changes::HistoryChanges;
use crate::components::policy_paste::PolicyPaste;
use crate::components::results::Results;
use crate::components::verdict_card::VerdictCard;
use crate::io::storage;
use crate::runner::{CheckView, PolicyRoute, RelayChoice, RunStatus, Runner};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use stslens_core::check::domain_from_input;
use stslens_core::name::DomainName;

/// The check page: the domain comes from the URL.
#[component]
pub fn CheckPage() -> impl IntoView {
    let params = use_params_map();
    let raw = move || params.with(|p| p.get("domain").unwrap_or_default());
    let parsed = Memo::new(move |_| domain_from_input(&raw()).map_err(|e| e.to_string()));
    move || {
        match parsed.get() {
        Ok(domain) => view! { <Checking domain=domain/> }.into_any(),
        Err(error) => view! {
            <h1>"Check a domain"</h1>
            <div class="notice error" role="alert">
                <p><strong>{format!("“{}” cannot be checked. ", raw())}</strong>{sentence(&error)}</p>
            </div>
            <p><A href="/">"Check another domain"</A></p>
        }
        .into_any(),
    }
    }
}

/// The check of one domain: started when shown, again on "Check again", stopped when left.
#[component]
fn Checking(domain: DomainName) -> impl IntoView {
    let view = CheckView::new();
    let runner = StoredValue::new_local(None::<Runner>);
    let start = {
        let domain = domain.clone();
        move || {
            if let Some(old) = runner.get_value() {
                old.cancel();
            }
            let settings = storage::load_settings();
            let choice = RelayChoice::from_settings(&settings);
            runner.set_value(Some(Runner::start(
                view,
                domain.clone(),
                settings.resolver,
                choice,
            )));
        }
    };
    start();
    on_cleanup(move || {
        if let Some(r) = runner.try_get_value().flatten() {
            r.cancel();
        }
    });
    let again = Callback::new(move |()| start());
    let paste = Callback::new(move |text: String| {
        if let Some(r) = runner.get_value() {
            r.paste(&text);
        }
    });
    let title = format!("{domain}");
    let report = view.report;
    let finished = move || report.with(Option::is_some);
    let failed = move || match view.status.get() {
        RunStatus::Failed(message) => Some(message),
        _ => None,
    };
    let stopped = move || match view.status.get() {
        RunStatus::Stopped(message) => Some(message),
        _ => None,
    };
    let paste_domain = domain.clone();
    view! {
        <h1>"MTA-STS check: " <span class="domain">{title}</span></h1>
        <CheckProgress view=view/>
        {move || failed().map(|message| view! {
            <div class="notice error" role="alert">
                <p><strong>"No DNS answers, so nothing about this domain is known. "</strong>{sentence(&message)}</p>
                <p>"Check your connection, or choose another DNS-over-HTTPS resolver in "<A href="/settings">"Settings"</A>"."</p>
                <button type="button" on:click=move |_| again.run(())>"Try again"</button>
            </div>
        })}
        {move || stopped().map(|message| view! {
            <div class="notice error" role="alert">
                <p><strong>"The check could not run in this browser. "</strong>{sentence(&message)}</p>
                <button type="button" on:click=move |_| again.run(())>"Try again"</button>
            </div>
        })}
        <Show when=move || matches!(view.route.get(), PolicyRoute::NeedsPaste | PolicyRoute::Pasted { .. })>
            <PolicyPaste domain=paste_domain.clone() route=view.route on_paste=paste/>
        </Show>
        <Show when=finished>
            <VerdictCard result=report elapsed_ms=view.elapsed_ms on_again=again/>
            <HistoryChanges changes=view.changes/>
            <Results result=report/>
        </Show>
    }
}
