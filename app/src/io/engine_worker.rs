//! The page's side of the report worker: starting it, posting requests with their `File`
//! handles, and handing its events to whoever shows them.
//!
//! One worker serves the whole visit ([`EngineWorker::shared`]): leaving `/reports` for another
//! page and coming back finds the reports still read. Closing the tab ends it, and with it every
//! report: nothing is stored.

use crate::engine::protocol::{Event, FILES, MSG, Request, TEXT};
use js_sys::{Array, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{File, MessageEvent, Worker};

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
    worker: Worker,
    handler: Rc<RefCell<Option<Handler>>>,
    ready: Rc<Cell<bool>>,
    /// Envelopes posted before the worker said it was ready: a message that arrives while its
    /// wasm is still loading would find no listener and be lost.
    waiting: Rc<RefCell<Vec<JsValue>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static SHARED: RefCell<Option<Rc<EngineWorker>>> = const { RefCell::new(None) };
}

impl EngineWorker {
    /// The worker of this visit, started on first use.
    pub fn shared() -> Result<Rc<EngineWorker>, String> {
        SHARED.with(|shared| {
            if let Some(worker) = shared.borrow().as_ref() {
                return Ok(worker.clone());
            }
            let worker = Rc::new(EngineWorker::start(WORKER_URL)?);
            *shared.borrow_mut() = Some(worker.clone());
            Ok(worker)
        })
    }

    /// Starts a worker from `url`.
    pub fn start(url: &str) -> Result<EngineWorker, String> {
        let worker = Worker::new(url).map_err(|e| super::files::describe(&e))?;
        let handler: Rc<RefCell<Option<Handler>>> = Rc::new(RefCell::new(None));
        let ready = Rc::new(Cell::new(false));
        let waiting: Rc<RefCell<Vec<JsValue>>> = Rc::new(RefCell::new(Vec::new()));

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
        let on_message = {
            let (deliver, ready, waiting, worker) = (
                deliver.clone(),
                ready.clone(),
                waiting.clone(),
                worker.clone(),
            );
            Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                let delivery = match read_envelope(&message.data()) {
                    Ok(d) => d,
                    Err(message) => Delivery {
                        event: Event::Failed { message },
                        text: None,
                    },
                };
                if delivery.event == Event::Ready && !ready.replace(true) {
                    for envelope in waiting.borrow_mut().drain(..) {
                        let _ = worker.post_message(&envelope);
                    }
                }
                deliver(delivery);
            })
        };
        let on_error = {
            let (deliver, url) = (deliver.clone(), url.to_owned());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let detail = event
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| format!("{url} did not load"));
                deliver(Delivery {
                    event: Event::Failed {
                        message: format!("the report engine stopped: {detail}"),
                    },
                    text: None,
                });
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(EngineWorker {
            worker,
            handler,
            ready,
            waiting,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Whether the worker has started and said so.
    pub fn is_ready(&self) -> bool {
        self.ready.get()
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
        if self.ready.get() {
            let _ = self.worker.post_message(&envelope);
        } else {
            self.waiting.borrow_mut().push(envelope.into());
        }
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        self.worker.terminate();
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
