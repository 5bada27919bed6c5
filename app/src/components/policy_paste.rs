//! When the browser may not read the policy and there is no relay: says so plainly, gives the
//! `curl` command that fetches it the way a sender does, and takes what the user pastes back
//! (the body alone, or all of curl's output) to evaluate it as if fetched, marked as pasted.

use super::output_block::OutputBlock;
use crate::runner::PolicyRoute;
use leptos::prelude::*;
use leptos_router::components::A;
use stslens_core::check::{curl_command, policy_url};
use stslens_core::name::DomainName;

/// The paste box for `domain`'s policy; `on_paste` gets the text.
#[component]
pub fn PolicyPaste(
    domain: DomainName,
    route: RwSignal<PolicyRoute>,
    on_paste: Callback<String>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let url = policy_url(&domain);
    let command = Signal::stored(curl_command(&domain));
    let pasted = move || match route.get() {
        PolicyRoute::Pasted { head_seen: true } => {
            Some("The result below uses the response you pasted (status, Content-Type and body).")
        }
        PolicyRoute::Pasted { head_seen: false } => Some(
            "The result below uses the policy you pasted, as if served with status 200 and Content-Type text/plain: paste curl's whole output to have those checked too.",
        ),
        _ => None,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_paste.run(text.get_untracked());
    };
    view! {
        <section class="card paste" aria-labelledby="paste-h" id="paste">
            <h2 id="paste-h">"The browser may not read the policy"</h2>
            <div class="notice warning">
                <p>
                    "This browser was not allowed to read "<code class="break">{url}</code>
                    ": the policy host does not allow requests from web pages (it sends no CORS header, as most do not), "
                    "or it could not be reached. Senders are not browsers, so this alone is no problem for them."
                </p>
                <p>"No relay is available to fetch it for you ("<A href="/settings">"Settings"</A>"). Fetch it yourself and paste it here:"</p>
            </div>
            <OutputBlock label="Fetch the policy as a sender does" text=command id="paste-curl"
                note="No redirect is followed; the response head is printed before the body."/>
            <form on:submit=submit novalidate>
                <div class="field wide">
                    <label for="paste-text">"What curl printed " <span class="hint">"or just the policy file"</span></label>
                    <textarea id="paste-text" rows="8" spellcheck="false" autocapitalize="none"
                        placeholder="HTTP/2 200\ncontent-type: text/plain\n\nversion: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </div>
                <div class="row">
                    <button type="submit" disabled=move || text.with(|t| t.trim().is_empty())>"Check with this policy"</button>
                    <span role="status" class="small">{pasted}</span>
                </div>
            </form>
        </section>
    }
}
