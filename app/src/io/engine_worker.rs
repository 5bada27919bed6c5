//! The page's side of the report worker: starting it, posting requests with their `File`
//! handles, and handing its events to whoever shows them.
//!
//! One worker serves the whole visit ([`EngineWorker::shared`]): leaving `/reports` for another
//! page and coming back finds the reports still read. Closing the tab ends it, and with it every
//! report: nothing is stored. Only a worker that stopped (it did not load, or it failed) is
//! replaced by a new one on the next request.

use super::worker_link::{self, WorkerLink};
use crate::engine::protocol::{Event, FILES, MSG, Request, TEXT};
use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::File;

/// Trunk's loader for the worker binary (`data-type="worker"`, `data-loader-shim` in
/// index.html): it imports the wasm-bindgen glue and starts `stslens-reports_bg.wasm`.
pub const WORKER_URL: &str = "/stslens-reports_loader.js";

/// An event from the engine, with the text that came beside it (an export's content).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The event.
    pub event: Event,
    /// The envelope's `text`, if any: the results' HTML, or an export's content.
    pub text: Option<String>,
}

type Handler = Rc<dyn Fn(Delivery)>;

/// The running worker.
pub struct EngineWorker {
    link: WorkerLink,
    handler: Rc<RefCell<Option<Handler>>>,
}

thread_local! {
    static SHARED: RefCell<Option<Rc<EngineWorker>>> = const { RefCell::new(None) };
}

impl EngineWorker {
    /// The worker of this visit, started on first use, and started again if the last one
    /// stopped (its script did not load, or it failed): "Try again" then really tries again.
    /// A stopped worker still held by an older run ends when that run lets go of it.
    pub fn shared() -> Result<Rc<EngineWorker>, String> {
        worker_link::shared(
            &SHARED,
            |worker| &worker.link,
            || EngineWorker::start(WORKER_URL),
        )
    }

    /// Starts a worker from `url`.
    pub fn start(url: &str) -> Result<EngineWorker, String> {
        let handler: Rc<RefCell<Option<Handler>>> = Rc::new(RefCell::new(None));

        let deliver = {
            let handler = handler.clone();
            move |delivery: Delivery| {
                // Cloned out first: the handler may set a new handler.
                let current = handler.borrow().clone();
                if let Some(h) = current {
                    h(delivery);
                }
            }
        };
        let stopped = {
            let deliver = deliver.clone();
            move |detail: String| {
                deliver(Delivery {
                    event: Event::Failed {
                        message: format!("the report engine stopped: {detail}"),
                    },
                    text: None,
                })
            }
        };
        let read = |data: &JsValue| {
            read_envelope(data).unwrap_or_else(|message| Delivery {
                event: Event::Failed { message },
                text: None,
            })
        };
        let link = WorkerLink::start(
            url,
            read,
            |delivery| delivery.event == Event::Ready,
            deliver,
            stopped,
        )
        .map_err(|e| super::files::describe(&e))?;
        Ok(EngineWorker { link, handler })
    }

    /// Whether the worker has started and said so.
    pub fn is_ready(&self) -> bool {
        self.link.is_ready()
    }

    /// Whether the worker stopped (its script did not load, or it failed): it reads nothing more.
    pub fn has_stopped(&self) -> bool {
        self.link.has_stopped()
    }

    /// Sets who receives the events (`None`: nobody; events are then dropped, and a page that
    /// opens again asks for the state with [`Request::Refresh`]).
    pub fn set_handler(&self, handler: Option<impl Fn(Delivery) + 'static>) {
        *self.handler.borrow_mut() = handler.map(|h| Rc::new(h) as Handler);
    }

    /// Posts a request, with `files` for [`Request::Add`]. The handles are cloned for the
    /// worker; their bytes are read there, never here.
    pub fn send(&self, request: &Request, files: &[File]) {
        let envelope = Object::new();
        let json = super::json::to_string(request).expect("requests serialise");
        let _ = Reflect::set(&envelope, &MSG.into(), &json.into());
        if !files.is_empty() {
            let list: Array = files.iter().collect();
            let _ = Reflect::set(&envelope, &FILES.into(), &list);
        }
        self.link.post(envelope.into());
    }
}

fn read_envelope(data: &JsValue) -> Result<Delivery, String> {
    let msg = Reflect::get(data, &MSG.into())
        .ok()
        .and_then(|m| m.as_string())
        .ok_or("the report engine sent a message without content")?;
    let event = super::json::from_str(&msg).map_err(|e| {
        format!("the report engine sent a message the page does not understand: {e}")
    })?;
    let text = Reflect::get(data, &TEXT.into())
        .ok()
        .and_then(|t| t.as_string());
    Ok(Delivery { event, text })
}
