//! The page's side of the check worker: starting it when the first check starts, posting
//! requests, and handing its events to the run the page shows.
//!
//! One worker serves the whole visit ([`CheckWorker::shared`]): a second check, or "Check
//! again", does not fetch and compile its wasm again. Only a worker that stopped (it did not
//! load, or it failed) is replaced by a new one on the next request.

use super::worker_link::{self, WorkerLink};
use crate::checker::protocol::{Event, Generated, MSG, MxFill, Request};
use js_sys::{Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use stslens_core::name::DomainName;
use wasm_bindgen::JsValue;

/// Trunk's loader for the worker binary (`data-type="worker"`, `data-loader-shim` in
/// index.html): it imports the wasm-bindgen glue and starts `stslens-check_bg.wasm`. A file of
/// this origin, as the CSP's `worker-src 'self'` requires.
pub const WORKER_URL: &str = "/stslens-check_loader.js";

type Handler = Rc<dyn Fn(Event)>;
type FillDone = Box<dyn FnOnce(MxFill)>;
type GenerateDone = Box<dyn FnOnce(Result<Generated, String>)>;

/// The running worker.
pub struct CheckWorker {
    link: WorkerLink,
    handler: Rc<RefCell<Option<Handler>>>,
    /// "Fill in from DNS" lookups under way, by id.
    fills: Rc<RefCell<Vec<(u32, FillDone)>>>,
    /// The latest generator request and who wants its answer (an older one is superseded).
    generation: Rc<RefCell<Option<(u32, GenerateDone)>>>,
}

thread_local! {
    static SHARED: RefCell<Option<Rc<CheckWorker>>> = const { RefCell::new(None) };
}

impl CheckWorker {
    /// The worker of this visit, started on first use, and started again if the last one
    /// stopped (its script did not load, or it failed): "Try again" then really tries again.
    /// A stopped worker still held by an older run ends when that run lets go of it.
    pub fn shared() -> Result<Rc<CheckWorker>, String> {
        worker_link::shared(
            &SHARED,
            |worker| &worker.link,
            || CheckWorker::start(WORKER_URL),
        )
    }

    /// Starts a worker from `url`.
    pub fn start(url: &str) -> Result<CheckWorker, String> {
        let handler: Rc<RefCell<Option<Handler>>> = Rc::new(RefCell::new(None));
        let fills: Rc<RefCell<Vec<(u32, FillDone)>>> = Rc::default();
        let generation: Rc<RefCell<Option<(u32, GenerateDone)>>> = Rc::default();
        let deliver = {
            let (handler, fills, generation) = (handler.clone(), fills.clone(), generation.clone());
            move |event: Event| {
                match &event {
                    Event::Generated { id, output } => {
                        let latest = generation.borrow().as_ref().map(|(of, _)| *of);
                        if latest == Some(*id)
                            && let Some((_, done)) = generation.borrow_mut().take()
                        {
                            done(output.clone().map(|g| *g));
                        }
                        return;
                    }
                    Event::MxFill { id, fill } => {
                        let mut fills = fills.borrow_mut();
                        if let Some(i) = fills.iter().position(|(of, _)| of == id) {
                            let (_, done) = fills.remove(i);
                            drop(fills);
                            done(fill.clone());
                        }
                        return;
                    }
                    Event::Failed { message } => {
                        if let Some((_, done)) = generation.borrow_mut().take() {
                            done(Err(format!("the generator did not answer: {message}")));
                        }
                        let waiting: Vec<_> = fills.borrow_mut().drain(..).collect();
                        for (_, done) in waiting {
                            done(MxFill {
                                hosts: Vec::new(),
                                message: format!("No answer: {message}."),
                            });
                        }
                    }
                    _ => {}
                }
                // Cloned out first: the handler may set a new handler.
                let current = handler.borrow().clone();
                if let Some(h) = current {
                    h(event);
                }
            }
        };
        let stopped = {
            let deliver = deliver.clone();
            move |detail: String| {
                deliver(Event::Failed {
                    message: format!("the check engine stopped: {detail}"),
                })
            }
        };
        let link = WorkerLink::start(
            url,
            |data| read_envelope(data).unwrap_or_else(|message| Event::Failed { message }),
            |event| *event == Event::Ready,
            deliver,
            stopped,
        )
        .map_err(|e| format!("{e:?}"))?;
        Ok(CheckWorker {
            link,
            handler,
            fills,
            generation,
        })
    }

    /// Sets who receives the events (`None`: nobody; events are then dropped).
    pub fn set_handler(&self, handler: Option<impl Fn(Event) + 'static>) {
        *self.handler.borrow_mut() = handler.map(|h| Rc::new(h) as Handler);
    }

    /// Runs the generator on a validated `request`; `done` gets the output, unless a newer
    /// request comes first (then only the newer one is answered).
    pub fn generate(
        &self,
        request: stslens_core::generate::Request,
        now: u64,
        done: impl FnOnce(Result<Generated, String>) + 'static,
    ) {
        thread_local! {
            static NEXT: Cell<u32> = const { Cell::new(0) };
        }
        let id = NEXT.with(|n| n.replace(n.get().wrapping_add(1)));
        *self.generation.borrow_mut() = Some((id, Box::new(done)));
        self.send(&Request::Generate { id, request, now });
    }

    /// Looks up the MX hosts of `domain` ("Fill in from DNS"); `done` gets the answer.
    pub fn mx_fill(
        &self,
        resolver: String,
        domain: DomainName,
        done: impl FnOnce(MxFill) + 'static,
    ) {
        thread_local! {
            static NEXT: Cell<u32> = const { Cell::new(0) };
        }
        let id = NEXT.with(|n| n.replace(n.get().wrapping_add(1)));
        self.fills.borrow_mut().push((id, Box::new(done)));
        self.send(&Request::MxFill {
            id,
            resolver,
            domain,
        });
    }

    /// Posts a request, or keeps it until the worker is ready.
    pub fn send(&self, request: &Request) {
        let envelope = Object::new();
        let json = super::json::to_string(request).expect("requests serialise");
        let _ = Reflect::set(&envelope, &MSG.into(), &json.into());
        self.link.post(envelope.into());
    }
}

fn read_envelope(data: &JsValue) -> Result<Event, String> {
    let msg = Reflect::get(data, &MSG.into())
        .ok()
        .and_then(|m| m.as_string())
        .ok_or("the check engine sent a message without content")?;
    super::json::from_str(&msg)
        .map_err(|e| format!("the check engine sent a message the page does not understand: {e}"))
}
