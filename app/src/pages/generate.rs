//! `/generate`: a form (domain, MX hosts, mode, max_age, report destinations) and, live beside
//! it, everything to publish, produced and self-checked by `stslens_core::generate`. The page only
//! gathers input, stamps the time and shows the result; all MTA-STS knowledge is in the core.
//!
//! The page validates the form itself as you type (`generate::validate`, small), and asks the
//! check worker for the output once the form is valid: the generator, the linters that check its
//! output and the hosting texts are a large part of the wasm, and this keeps them out of the
//! site's first load.

use crate::checker::protocol::Generated;
use crate::components::field_error::{FieldError, sentence};
use crate::components::generator_output::GeneratorOutput;
use crate::components::mx_from_dns::MxFromDns;
use crate::components::rich_text::RichText;
use crate::io::check_worker::CheckWorker;
use crate::io::clock;
use leptos::prelude::*;
use stslens_core::generate::{
    Field, InvalidRequest, MAX_AGE_PRESETS, Request, default_max_age, describe_seconds,
    parse_max_age, validate,
};
use stslens_core::policy::Mode;

/// The modes as the form offers them, with what each means for senders.
const MODES: [(Mode, &str); 3] = [
    (
        Mode::Testing,
        "Senders deliver even when validation fails, and report it. Start here.",
    ),
    (
        Mode::Enforce,
        "Senders refuse to deliver to an MX host that fails validation.",
    ),
    (
        Mode::None,
        "Removes MTA-STS safely: publish this before deleting the records.",
    ),
];

/// The generator page.
#[component]
pub fn Generate() -> impl IntoView {
    let domain = RwSignal::new(String::new());
    let mx = RwSignal::new(String::new());
    let mode = RwSignal::new(Mode::Testing);
    let max_age = RwSignal::new(String::new());
    let rua = RwSignal::new(String::new());
    let now = RwSignal::new(clock::now_unix());
    // Fields the user has left once: only then is an empty field's problem worth showing.
    let visited = RwSignal::new(Vec::<Field>::new());

    // The form as a request, and its problems; `Ok` once it can be generated.
    let checked = Memo::new(move |_| {
        let parsed_age = parse_max_age(&max_age.get());
        let request = Request {
            domain: domain.get(),
            mx: vec![mx.get()],
            mode: mode.get(),
            max_age: parsed_age.clone().ok().flatten(),
            rua: vec![rua.get()],
        };
        let valid = validate(&request);
        match (parsed_age, valid) {
            (Ok(_), Ok(())) => Ok(request),
            (Ok(_), Err(invalid)) => Err(invalid),
            (Err(age), Ok(())) => Err(InvalidRequest { errors: vec![age] }),
            (Err(age), Err(mut invalid)) => {
                let at = invalid
                    .errors
                    .iter()
                    .position(|e| e.field() == Field::Rua)
                    .unwrap_or(invalid.errors.len());
                invalid.errors.insert(at, age);
                Err(invalid)
            }
        }
    });
    // The worker's output for the latest valid form; `None` while the form is invalid.
    let generated = RwSignal::new(None::<Generated>);
    let failure = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let at = now.get();
        match checked.get() {
            Ok(request) => match CheckWorker::shared() {
                Ok(worker) => worker.generate(request, at, move |output| match output {
                    Ok(g) => {
                        failure.try_set(None);
                        generated.try_set(Some(g));
                    }
                    Err(message) => {
                        generated.try_set(None);
                        failure.try_set(Some(message));
                    }
                }),
                Err(e) => failure.set(Some(format!("the generator could not start: {e}"))),
            },
            Err(_) => generated.set(None),
        }
    });
    let started = move || !domain.with(String::is_empty) || !mx.with(String::is_empty);

    let text_of = move |field: Field| match field {
        Field::Domain => domain,
        Field::Mx => mx,
        Field::MaxAge => max_age,
        Field::Rua => rua,
    };
    // A field's problems, once it has something in it or has been visited.
    let errors_for = move |field: Field| {
        Signal::derive(move || {
            let shown = !text_of(field).with(|t| t.trim().is_empty())
                || visited.with(|v| v.contains(&field));
            checked.with(|r| match r {
                Err(invalid) if shown => {
                    invalid.for_field(field).map(ToString::to_string).collect()
                }
                _ => Vec::new(),
            })
        })
    };
    let invalid = move |field: Field| move || (!errors_for(field).with(Vec::is_empty)).to_string();
    let visit = move |field: Field| {
        move |_| {
            visited.update(|v| {
                if !v.contains(&field) {
                    v.push(field);
                }
            })
        }
    };
    let input = move |signal: RwSignal<String>| move |ev| signal.set(event_target_value(&ev));

    let default_age = move || describe_seconds(default_max_age(mode.get()));
    let age_hint = move || match parse_max_age(&max_age.get()) {
        Ok(Some(s)) => u32::try_from(s)
            .map(|s| format!("= {}", describe_seconds(s)))
            .unwrap_or_default(),
        Ok(None) => format!("Empty: the default for this mode, {}.", default_age()),
        Err(_) => String::new(),
    };

    let status = move || {
        if let Some(message) = failure.get() {
            return format!("No output: {message}.");
        }
        checked.with(|r| match r {
            Ok(_) => generated.with(|g| match g {
                Some(g) => {
                    let warnings = g
                        .findings
                        .iter()
                        .filter(|f| f.severity == stslens_core::Severity::Warning)
                        .count();
                    format!("Records updated: valid, {warnings} warning(s).")
                }
                None => String::new(),
            }),
            Err(invalid) if started() => {
                format!("Not yet: {} input problem(s).", invalid.errors.len())
            }
            Err(_) => String::new(),
        })
    };

    view! {
        <h1>"Generate MTA-STS and TLS-RPT records"</h1>
        <p class="lead">
            "Enter your mail domain and its MX hosts. StsLens writes the policy file, both DNS records, "
            "hosting snippets and a rollout plan, and checks its own output with the same rules it uses to check domains."
        </p>
        <div class="generator">
            <form class="card gen-form" novalidate on:submit=|ev| ev.prevent_default()>
                <h2 class="visually-hidden">"Your setup"</h2>
                <div class="field">
                    <label for="gen-domain">"Mail domain " <span class="hint">"the part after @ in your addresses"</span></label>
                    <input id="gen-domain" type="text" placeholder="example.com" autocomplete="off" spellcheck="false"
                        autocapitalize="none" aria-describedby="gen-domain-error" aria-invalid=invalid(Field::Domain)
                        prop:value=move || domain.get() on:input=input(domain) on:blur=visit(Field::Domain)/>
                    <FieldError id="gen-domain-error" messages=errors_for(Field::Domain)/>
                </div>
                <div class="field">
                    <label for="gen-mx">"MX hosts " <span class="hint">"one per line; "<code>"*.example.net"</code>" covers one label; "<code>"dig +short MX"</code>" output works"</span></label>
                    <textarea id="gen-mx" rows="4" placeholder="mx1.example.com\nmx2.example.com" spellcheck="false"
                        autocapitalize="none" aria-describedby="gen-mx-error gen-mx-dns" aria-invalid=invalid(Field::Mx)
                        prop:value=move || mx.get() on:input=input(mx) on:blur=visit(Field::Mx)></textarea>
                    <FieldError id="gen-mx-error" messages=errors_for(Field::Mx)/>
                    <MxFromDns domain=domain mx=mx/>
                </div>
                <fieldset>
                    <legend>"Mode"</legend>
                    {MODES
                        .into_iter()
                        .map(|(m, what)| {
                            let id = format!("gen-mode-{m}");
                            view! {
                                <div class="radio">
                                    <input type="radio" name="gen-mode" id=id.clone() value=m.as_str()
                                        prop:checked=move || mode.get() == m on:change=move |_| mode.set(m)/>
                                    <label for=id><code>{m.as_str()}</code>" "<span class="hint">{what}</span></label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="field">
                    <label for="gen-max-age">"max_age " <span class="hint">"seconds senders keep the policy"</span></label>
                    <input id="gen-max-age" type="text" inputmode="numeric" autocomplete="off"
                        placeholder=move || default_max_age(mode.get()).to_string()
                        aria-describedby="gen-max-age-hint gen-max-age-error" aria-invalid=invalid(Field::MaxAge)
                        prop:value=move || max_age.get() on:input=input(max_age) on:blur=visit(Field::MaxAge)/>
                    <FieldError id="gen-max-age-error" messages=errors_for(Field::MaxAge)/>
                    <div class="row presets" role="group" aria-label="max_age presets">
                        {MAX_AGE_PRESETS
                            .into_iter()
                            .map(|(seconds, name)| {
                                let value = seconds.to_string();
                                let pressed = {
                                    let value = value.clone();
                                    move || (max_age.get().trim() == value).to_string()
                                };
                                view! {
                                    <button type="button" class="small secondary" aria-pressed=pressed
                                        on:click=move |_| max_age.set(value.clone())>{name}</button>
                                }
                            })
                            .collect_view()}
                        <button type="button" class="small secondary" aria-pressed=move || max_age.with(|a| a.trim().is_empty()).to_string()
                            on:click=move |_| max_age.set(String::new())>"Default"</button>
                    </div>
                    <p class="hint" id="gen-max-age-hint">{age_hint}</p>
                </div>
                <div class="field">
                    <label for="gen-rua">"TLS report destinations " <span class="hint">"mailto: or https:, comma-separated"</span></label>
                    <input id="gen-rua" type="text" autocomplete="off" spellcheck="false" autocapitalize="none"
                        placeholder=move || {
                            let d = domain.get();
                            let d = d.trim().trim_end_matches('.');
                            format!("mailto:tls-reports@{}", if d.is_empty() { "example.com" } else { d })
                        }
                        aria-describedby="gen-rua-hint gen-rua-error" aria-invalid=invalid(Field::Rua)
                        prop:value=move || rua.get() on:input=input(rua) on:blur=visit(Field::Rua)/>
                    <FieldError id="gen-rua-error" messages=errors_for(Field::Rua)/>
                    <p class="hint" id="gen-rua-hint">"Empty: reports go to tls-reports@ your domain; make sure that mailbox exists."</p>
                </div>
            </form>

            <div class="gen-output">
                // One short spoken summary per change; the output itself is too long to announce.
                <p class="visually-hidden" role="status">{status}</p>
                <Show
                    when=move || generated.with(Option::is_some)
                    fallback=move || view! { <Pending checked=checked started=Signal::derive(started)/> }
                >
                    <GeneratorOutput generated=generated on_new_id=Callback::new(move |()| now.set(clock::now_unix()))/>
                </Show>
            </div>
        </div>
    }
}

/// What stands in for the output until the form is complete: a prompt, or the problems.
#[component]
fn Pending(checked: Memo<Result<Request, InvalidRequest>>, started: Signal<bool>) -> impl IntoView {
    let problems = move || {
        checked.with(|r| match r {
            Err(invalid) => invalid.errors.iter().map(ToString::to_string).collect(),
            Ok(_) => Vec::new(),
        })
    };
    view! {
        <Show
            when=move || started.get()
            fallback=|| view! {
                <div class="notice info">
                    "The policy file, the DNS records, hosting snippets and the rollout checklist appear here as you type."
                </div>
            }
        >
            <div class="notice warning">
                <p><strong>"Not yet: "</strong>"fix these inputs to see the records."</p>
                <ul>
                    {move || {
                        problems()
                            .into_iter()
                            .map(|p: String| view! { <li><RichText text=sentence(&p)/></li> })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
