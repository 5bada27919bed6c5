//! `/settings`: the DoH resolver and the relay, kept in this browser's localStorage, and the
//! button that forgets the local history of checks (as the About page promises).

use crate::io::history;
use crate::io::storage::{self, RESOLVERS, RelayChoice, Settings};
use leptos::prelude::*;

/// The settings form.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let initial = storage::load_settings();
    let preset = RESOLVERS.iter().any(|(_, url)| *url == initial.resolver);
    let resolver_choice = RwSignal::new(if preset {
        initial.resolver.clone()
    } else {
        "custom".to_owned()
    });
    let custom_resolver = RwSignal::new(if preset {
        String::new()
    } else {
        initial.resolver.clone()
    });
    let relay_choice = RwSignal::new(match &initial.relay {
        RelayChoice::SameOrigin => "same-origin",
        RelayChoice::Off => "off",
        RelayChoice::Url(_) => "url",
    });
    let relay_url = RwSignal::new(match &initial.relay {
        RelayChoice::Url(u) => u.clone(),
        _ => String::new(),
    });
    let resolver_error = RwSignal::new(None::<String>);
    let relay_error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        resolver_error.set(None);
        relay_error.set(None);
        let resolver = match resolver_choice.get_untracked().as_str() {
            "custom" => match storage::validate_endpoint(&custom_resolver.get_untracked()) {
                Ok(url) => url,
                Err(e) => {
                    resolver_error.set(Some(e));
                    status.set("Not saved: fix the resolver URL.".into());
                    return;
                }
            },
            url => url.to_owned(),
        };
        let relay = match relay_choice.get_untracked() {
            "off" => RelayChoice::Off,
            "url" => match storage::validate_endpoint(&relay_url.get_untracked()) {
                Ok(url) => RelayChoice::Url(url),
                Err(e) => {
                    relay_error.set(Some(e));
                    status.set("Not saved: fix the relay URL.".into());
                    return;
                }
            },
            _ => RelayChoice::SameOrigin,
        };
        match storage::save_settings(&Settings { resolver, relay }) {
            Ok(()) => status.set("Settings saved in this browser.".into()),
            Err(e) => status.set(format!("Not saved: {e}.")),
        }
    };

    view! {
        <h1>"Settings"</h1>
        <p class="lead">"Kept in this browser's local storage only."</p>
        <form on:submit=save novalidate>
            <fieldset>
                <legend>"DNS-over-HTTPS resolver"</legend>
                <p class="hint">"Answers every DNS question of a check. It must support RFC 8484 wire format and allow cross-origin requests."</p>
                {RESOLVERS.iter().map(|(name, url)| {
                    let url = *url;
                    view! {
                        <label class="radio">
                            <input type="radio" name="resolver" value=url
                                prop:checked=move || resolver_choice.get() == url
                                on:change=move |_| resolver_choice.set(url.to_owned())/>
                            <span>{*name}" "<code class="small">{url}</code></span>
                        </label>
                    }
                }).collect_view()}
                <label class="radio">
                    <input type="radio" name="resolver" value="custom"
                        prop:checked=move || resolver_choice.get() == "custom"
                        on:change=move |_| resolver_choice.set("custom".into())/>
                    <span>"Another resolver"</span>
                </label>
                <div class="field" class:visually-hidden=move || resolver_choice.get() != "custom">
                    <label for="custom-resolver">"Resolver URL"</label>
                    <input id="custom-resolver" type="url" placeholder="https://dns.example/dns-query"
                        aria-describedby="custom-resolver-error"
                        prop:value=move || custom_resolver.get()
                        on:input=move |ev| custom_resolver.set(event_target_value(&ev))/>
                    <p id="custom-resolver-error" class="small sev-error">{move || resolver_error.get()}</p>
                </div>
            </fieldset>

            <fieldset>
                <legend>"Relay"</legend>
                <p class="hint">"A browser cannot speak SMTP, and many policy hosts block cross-origin reads. "
                    "The relay probes MX hosts (STARTTLS) and fetches blocked policies; it is given only the host name."</p>
                <label class="radio">
                    <input type="radio" name="relay" value="same-origin"
                        prop:checked=move || relay_choice.get() == "same-origin"
                        on:change=move |_| relay_choice.set("same-origin")/>
                    <span>"This site's own relay, if it has one"</span>
                </label>
                <label class="radio">
                    <input type="radio" name="relay" value="url"
                        prop:checked=move || relay_choice.get() == "url"
                        on:change=move |_| relay_choice.set("url")/>
                    <span>"A relay at another address"</span>
                </label>
                <label class="radio">
                    <input type="radio" name="relay" value="off"
                        prop:checked=move || relay_choice.get() == "off"
                        on:change=move |_| relay_choice.set("off")/>
                    <span>"No relay (MX hosts are not probed)"</span>
                </label>
                <div class="field" class:visually-hidden=move || relay_choice.get() != "url">
                    <label for="relay-url">"Relay URL"</label>
                    <input id="relay-url" type="url" placeholder="https://stslens.example"
                        aria-describedby="relay-url-error"
                        prop:value=move || relay_url.get()
                        on:input=move |ev| relay_url.set(event_target_value(&ev))/>
                    <p id="relay-url-error" class="small sev-error">{move || relay_error.get()}</p>
                </div>
            </fieldset>
            <div class="row">
                <button type="submit">"Save settings"</button>
                <span role="status" aria-live="polite">{move || status.get()}</span>
            </div>
        </form>
        <ClearHistory/>
    }
}

/// How many checks are kept, and a button to forget them all.
#[component]
fn ClearHistory() -> impl IntoView {
    let count = RwSignal::new(history::load().snapshots.len());
    let status = RwSignal::new(String::new());
    let clear = move |_| match history::clear() {
        Ok(()) => {
            count.set(0);
            status.set("History cleared.".into());
        }
        Err(e) => status.set(format!("Not cleared: {e}.")),
    };
    view! {
        <section aria-labelledby="history-h" class="settings-history">
            <h2 id="history-h">"History of checks"</h2>
            <p class="hint">
                "Each check keeps a small snapshot (the record's id, the policy's hash and values) in this browser, "
                "so that the next check can tell you when the policy changed without its id changing."
            </p>
            <div class="row">
                <span>{move || match count.get() {
                    0 => "No checks are kept.".to_owned(),
                    1 => "1 check is kept.".to_owned(),
                    n => format!("{n} checks are kept."),
                }}</span>
                <button type="button" class="secondary" id="clear-history" on:click=clear
                    disabled=move || count.get() == 0>"Clear history"</button>
                <span role="status" aria-live="polite">{move || status.get()}</span>
            </div>
        </section>
    }
}
