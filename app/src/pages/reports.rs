//! `/reports`: the private TLS-RPT report viewer.
//!
//! The page collects files (drop, picker, paste, or the bundled samples) and hands their `File`
//! handles to the report worker (`crate::engine`). The worker reads them, counts with the core,
//! and renders the progress and the results (filters, numbers, chart, tables, export buttons) as
//! escaped HTML, which the page puts in place; clicks and changes inside the results reach the
//! page by event delegation and go back to the worker as requests. So the page reads no report
//! and renders no result itself: it stays responsive however many files are read, its code stays
//! small (it is part of the site's first load; the worker is not), and it has nothing to upload.
//! The only request it makes is for the sample files, from this site, when asked.

use crate::components::drop_zone::DropZone;
use crate::components::paste_box::PasteBox;
use crate::engine::protocol::{Counts, Event, ExportFormat, Request};
use crate::engine::render::controls::filter_from_form;
use crate::io::engine_worker::{Delivery, EngineWorker};
use crate::io::yield_now::{now_ms, yield_now};
use crate::io::{dom, download, samples};
use crate::numbers::count;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::rc::Rc;
use stslens_core::tlsrpt::Filter;
use web_sys::File;

/// Main-thread time one post of files to the worker should take (see `Request::Add`'s `more`).
///
/// Posting a picked `File` makes Chromium ask the browser process for the file's size and date
/// first, a synchronous round trip per file: from a few microseconds on a fast desktop to over a
/// millisecond on a slow virtual machine. So the number of files per post adapts to what the
/// last post cost, aiming at this much, and the page keeps painting between posts.
const POST_MS: f64 = 30.0;
/// Files in the first post, before anything is measured.
const FIRST_POST: usize = 16;
/// Most files in one post, however fast posting is.
const MOST_PER_POST: usize = 1024;

thread_local! {
    /// Whether the sample reports are among those read (the worker outlives the page).
    static SAMPLES_READ: Cell<bool> = const { Cell::new(false) };
    /// Pasted texts so far, to name each one.
    static PASTES: Cell<u32> = const { Cell::new(0) };
}

/// What the next results will be announced as, once they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Nothing,
    Reading,
    Filter,
}

/// `n` and the noun, singular or plural: "1 file", "2,000 files".
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// `text` ending as a sentence does.
fn sentence(mut text: String) -> String {
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// The sentence a screen reader hears when results arrive, if any.
fn announcement(awaiting: Awaiting, done: bool, c: Counts) -> Option<String> {
    match awaiting {
        Awaiting::Reading if done => {
            let unreadable = match c.unreadable {
                0 => String::new(),
                n => format!(", {} could not be read", count(n)),
            };
            Some(format!(
                "Read {}: {}{unreadable}.",
                plural(c.inputs, "file", "files"),
                plural(c.reports, "report", "reports")
            ))
        }
        Awaiting::Filter => Some(format!(
            "Showing {} of {} reports.",
            count(c.shown),
            count(c.reports)
        )),
        _ => None,
    }
}

/// The report viewer page.
#[component]
pub fn Reports() -> impl IntoView {
    let ready = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let announce = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let has_results = RwSignal::new(false);
    let samples_read = RwSignal::new(SAMPLES_READ.with(Cell::get));
    let loading_samples = RwSignal::new(false);
    let progress_el: NodeRef<html::Div> = NodeRef::new();
    let results_el: NodeRef<html::Div> = NodeRef::new();
    let awaiting = Rc::new(Cell::new(Awaiting::Nothing));

    // The worker this page talks to. A worker that stopped (its script did not load, or it
    // failed) is replaced by a new one the next time the page needs it: on "Try again", or on
    // the next files added, so the page never posts to a dead worker.
    let engine = StoredValue::new_local(None::<Rc<EngineWorker>>);
    let on_event = {
        let awaiting = awaiting.clone();
        move |Delivery { event, text }: Delivery| match event {
            Event::Ready => {
                ready.set(true);
                failure.set(None);
            }
            Event::Progress { done } => {
                busy.set(!done);
                if let Some(el) = progress_el.get_untracked() {
                    dom::replace_html(&el, text.as_deref().unwrap_or(""));
                }
            }
            Event::Results(counts) => {
                if let Some(line) = announcement(awaiting.get(), !busy.get_untracked(), counts) {
                    announce.set(line);
                    awaiting.set(Awaiting::Nothing);
                }
                has_results.set(counts.inputs > 0);
                if let Some(el) = results_el.get_untracked() {
                    dom::replace_html(&el, text.as_deref().unwrap_or(""));
                }
            }
            Event::Export {
                file_name, mime, ..
            } => match download::save_text(&file_name, &mime, text.as_deref().unwrap_or("")) {
                Ok(()) => announce.set(format!("Saved {file_name}.")),
                Err(e) => notice.set(Some(format!("{file_name} could not be saved: {e}."))),
            },
            Event::Failed { message } if !ready.get_untracked() => failure.set(Some(message)),
            Event::Failed { message } => {
                // A worker that stopped while reading never says it is done.
                if engine.with_value(|e| e.as_ref().is_some_and(|e| e.has_stopped())) {
                    busy.set(false);
                }
                notice.set(Some(message));
            }
        }
    };

    // `refresh`: ask a worker met for the first time for what it holds, which a worker from an
    // earlier visit to this page shows that way. Not when files are about to be added: their
    // results show everything, and the refresh's would be announced as theirs.
    let connect = StoredValue::new_local(move |refresh: bool| match EngineWorker::shared() {
        Ok(worker) => {
            let known = engine.with_value(|e| e.as_ref().is_some_and(|e| Rc::ptr_eq(e, &worker)));
            if !known {
                ready.set(worker.is_ready());
                worker.set_handler(Some(on_event.clone()));
                if refresh {
                    worker.send(&Request::Refresh, &[]);
                }
                engine.set_value(Some(worker.clone()));
            }
            Some(worker)
        }
        Err(e) => {
            failure.set(Some(e));
            None
        }
    });
    connect.with_value(|connect| connect(true));
    // Events that arrive while no page shows them are dropped; the next visit asks again.
    on_cleanup(move || {
        engine.with_value(|e| {
            if let Some(e) = e {
                e.set_handler(None::<fn(Delivery)>);
            }
        })
    });
    let try_again = move |_| {
        failure.set(None);
        connect.with_value(|connect| connect(true));
    };
    let send = Rc::new(move |request: Request, files: &[File]| {
        if let Some(e) = connect.with_value(|connect| connect(false)) {
            e.send(&request, files);
        }
    });

    let add_files = {
        let (send, awaiting) = (send.clone(), awaiting.clone());
        move |files: Vec<File>| {
            notice.set(None);
            announce.set(format!(
                "Reading {}…",
                plural(files.len() as u64, "file", "files")
            ));
            awaiting.set(Awaiting::Reading);
            let send = send.clone();
            spawn_local(async move {
                // In parts, yielding between them, each sized to take about `POST_MS`.
                let mut rest = files.as_slice();
                let mut per_post = FIRST_POST;
                while !rest.is_empty() {
                    let (part, after) = rest.split_at(per_post.min(rest.len()));
                    rest = after;
                    let started = now_ms();
                    send(
                        Request::Add {
                            more: !rest.is_empty(),
                        },
                        part,
                    );
                    let took = (now_ms() - started).max(0.5);
                    let rate = part.len() as f64 / took;
                    per_post = ((rate * POST_MS) as usize).clamp(1, MOST_PER_POST);
                    yield_now().await;
                }
            });
        }
    };
    let add_text = {
        let (send, awaiting) = (send.clone(), awaiting.clone());
        move |text: String| {
            let n = PASTES.with(|p| {
                p.set(p.get() + 1);
                p.get()
            });
            notice.set(None);
            announce.set("Reading the pasted text…".into());
            awaiting.set(Awaiting::Reading);
            send(
                Request::Paste {
                    name: format!("pasted text {n}"),
                    text,
                },
                &[],
            );
        }
    };
    let load_samples = {
        let add_files = add_files.clone();
        move |_| {
            loading_samples.set(true);
            notice.set(None);
            announce.set("Loading the sample reports…".into());
            let add_files = add_files.clone();
            spawn_local(async move {
                match samples::fetch_samples().await {
                    Ok(files) => {
                        SAMPLES_READ.with(|s| s.set(true));
                        samples_read.set(true);
                        add_files(files);
                    }
                    Err(e) => notice.set(Some(format!(
                        "The sample reports could not be loaded: {e}."
                    ))),
                }
                loading_samples.set(false);
            });
        }
    };

    // Controls inside the worker's HTML (see engine::render::controls for the contract).
    let on_change = {
        let (send, awaiting) = (send.clone(), awaiting.clone());
        move |e: leptos::ev::Event| {
            if dom::target_id(&e).is_some_and(|id| id.starts_with("filter-")) {
                let value = |id| dom::value_of(id).unwrap_or_default();
                let filter = filter_from_form(
                    &value("filter-from"),
                    &value("filter-to"),
                    &value("filter-organization"),
                    &value("filter-result-type"),
                );
                awaiting.set(Awaiting::Filter);
                send(Request::Filter { filter }, &[]);
            }
        }
    };
    let on_click = move |e: leptos::ev::MouseEvent| match dom::action_of(&e).as_deref() {
        Some("clear-filters") => {
            awaiting.set(Awaiting::Filter);
            send(
                Request::Filter {
                    filter: Filter::default(),
                },
                &[],
            );
        }
        Some("export-csv") => send(
            Request::Export {
                format: ExportFormat::Csv,
            },
            &[],
        ),
        Some("export-json") => send(
            Request::Export {
                format: ExportFormat::Json,
            },
            &[],
        ),
        Some("forget") => {
            SAMPLES_READ.with(|s| s.set(false));
            samples_read.set(false);
            notice.set(None);
            announce.set("Forgot every report.".into());
            send(Request::Clear, &[]);
        }
        _ => {}
    };

    view! {
        <h1>"Read TLS-RPT reports"</h1>
        <p class="lead">
            "Drop the SMTP TLS reports that senders mail to your "<code>"rua"</code>" address, as they arrived: "
            "StsLens unpacks them, removes duplicates and shows where TLS failed and why. "
            <strong>"They are read in this tab and never leave your browser"</strong>": nothing is uploaded or stored."
        </p>
        <p class="visually-hidden" id="reports-status" role="status" aria-live="polite">{move || announce.get()}</p>
        {move || failure.get().map(|message| view! {
            <div class="notice error" role="alert">
                <strong>"The report reader could not start. "</strong>{sentence(message)}
                " If this persists, the browser may block Web Workers or WebAssembly. "
                <button type="button" on:click=try_again>"Try again"</button>
            </div>
        })}

        <section class="ingest" aria-label="Add reports">
            <DropZone on_files=add_files busy=busy/>
            <div class="row ingest-actions">
                <button type="button" class="secondary" id="try-samples" on:click=load_samples
                    disabled=move || loading_samples.get() || !ready.get()>
                    {move || if loading_samples.get() { "Loading samples…" } else { "Try sample reports" }}
                </button>
                <span class="hint">"Synthetic reports bundled with StsLens, to see what the viewer shows."</span>
            </div>
            <PasteBox on_text=add_text/>
            // Polite and busy while reading: a screen reader hears the final "Read N files"
            // line, not every tick of the bar.
            <div class="progress-live" node_ref=progress_el aria-live="polite" aria-busy=move || busy.get().to_string()></div>
        </section>

        {move || notice.get().map(|n| view! { <div class="notice error" role="alert">{n}</div> })}
        <div class="notice info samples-notice" hidden=move || !samples_read.get()>
            <strong>"Sample reports. "</strong>"These are synthetic reports written for StsLens (made-up "
            "organizations, reserved example domains and documentation IP addresses), not real mail traffic. "
            "Use “Forget these reports” to start over with your own."
        </div>
        <div class="card empty-state" hidden=move || has_results.get()>
            <h2>"What you will see"</h2>
            <ul>
                <li>"How many TLS sessions succeeded and failed, per day and per sending organization."</li>
                <li>"Which policy, receiving MX host and sending IP each failure concerned."</li>
                <li>"What each failure type means and what to change, in plain words."</li>
                <li>"Which files could not be read and why. Export the failures as CSV, or the summary as JSON."</li>
            </ul>
        </div>
        <div class="results" node_ref=results_el on:change=on_change on:click=on_click
            on:submit=|e: leptos::ev::SubmitEvent| e.prevent_default()></div>
    }
}
