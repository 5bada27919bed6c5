//! `/`: the domain box, the checks made in this browser, and the way to the report viewer.

use crate::components::field_error::FieldError;
use crate::components::recent_checks::RecentChecks;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use stslens_core::check::domain_from_input;

/// The home page.
#[component]
pub fn Home() -> impl IntoView {
    let input = RwSignal::new(String::new());
    let error = RwSignal::new(Vec::<String>::new());
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match domain_from_input(&input.get_untracked()) {
            Ok(domain) => {
                error.set(Vec::new());
                navigate(&format!("/check/{domain}"), Default::default());
            }
            Err(e) => {
                error.set(vec![e.to_string()]);
                focus("domain");
            }
        }
    };
    let invalid = move || (!error.with(Vec::is_empty)).to_string();
    view! {
        <h1>"Check a domain's MTA-STS"</h1>
        <p class="lead">
            "StsLens looks up the records, fetches the policy and probes the MX hosts the way a sending mail "
            "server does (RFC 8461, RFC 8460), then says what senders would do and what to fix."
        </p>
        <form class="card check-form" on:submit=submit novalidate>
            <label for="domain">"Mail domain " <span class="hint">"the part after @ in your addresses"</span></label>
            <div class="field-inline">
                <input id="domain" name="domain" type="text" inputmode="url" placeholder="example.com"
                    autocomplete="off" autocapitalize="none" spellcheck="false" autofocus
                    aria-describedby="domain-error" aria-invalid=invalid
                    prop:value=move || input.get()
                    on:input=move |ev| {
                        input.set(event_target_value(&ev));
                        error.set(Vec::new());
                    }/>
                <button type="submit">"Check"</button>
            </div>
            <FieldError id="domain-error" messages=error/>
            <p class="hint">"A URL or an address works too: StsLens takes the domain out of it."</p>
        </form>
        <RecentChecks/>
        <section class="card reports-teaser" aria-labelledby="reports-h">
            <h2 id="reports-h">"TLS reports"</h2>
            <p>
                "Got TLS-RPT reports (" <code>".json"</code>", " <code>".json.gz"</code>", " <code>".zip"</code>", "
                <code>".eml"</code>")? The " <A href="/reports">"report viewer"</A>
                " reads them in this browser; nothing is uploaded."
            </p>
        </section>
    }
}

/// Moves the keyboard focus to the element with this id (after an error, to the field at fault).
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
