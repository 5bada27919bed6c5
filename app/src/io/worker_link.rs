//! What both page-side worker clients ([`super::check_worker`], [`super::engine_worker`]) need
//! from a dedicated worker: starting it, holding messages back until it says it is ready,
//! turning a load or run-time error into a message, and ending it when dropped.
//!
//! The clients keep what differs: their protocol (how an envelope is read, which event means
//! "ready") and what they do with each event.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::thread::LocalKey;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

/// A running worker and its message handlers.
pub struct WorkerLink {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    /// Set by the error event. The worker is then of no more use (its script did not load, or
    /// its wasm panicked, which leaves the instance unusable), so the clients start a new one
    /// for the next request instead of posting to this one forever.
    stopped: Rc<Cell<bool>>,
    /// Envelopes posted before the worker said it was ready: a message that arrives while its
    /// wasm is still loading would find no listener and be lost.
    waiting: Rc<RefCell<Vec<JsValue>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerLink {
    /// Starts the worker at `url`. Each message's data goes through `read`; when `is_ready`
    /// says it is the worker's announcement, the envelopes held back are posted. Every message
    /// then goes to `deliver`. An error event (the script did not load, or the worker threw)
    /// goes to `stopped` with what the browser said, or that `url` did not load.
    pub fn start<T: 'static>(
        url: &str,
        read: impl Fn(&JsValue) -> T + 'static,
        is_ready: impl Fn(&T) -> bool + 'static,
        deliver: impl Fn(T) + 'static,
        stopped: impl Fn(String) + 'static,
    ) -> Result<WorkerLink, JsValue> {
        let worker = Worker::new(url)?;
        let ready = Rc::new(Cell::new(false));
        let waiting: Rc<RefCell<Vec<JsValue>>> = Rc::default();
        let on_message = {
            let (ready, waiting, worker) = (ready.clone(), waiting.clone(), worker.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                let item = read(&message.data());
                if is_ready(&item) && !ready.replace(true) {
                    for envelope in waiting.borrow_mut().drain(..) {
                        let _ = worker.post_message(&envelope);
                    }
                }
                deliver(item);
            })
        };
        let stopped_flag = Rc::new(Cell::new(false));
        let on_error = {
            let url = url.to_owned();
            let stopped_flag = stopped_flag.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                stopped_flag.set(true);
                let detail = event
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| format!("{url} did not load"));
                stopped(detail);
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerLink {
            worker,
            ready,
            stopped: stopped_flag,
            waiting,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Whether the worker has started and said so.
    pub fn is_ready(&self) -> bool {
        self.ready.get()
    }

    /// Whether the worker reported an error: it should be replaced, not used again.
    pub fn has_stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Posts `envelope`, or keeps it until the worker is ready.
    pub fn post(&self, envelope: JsValue) {
        if self.ready.get() {
            let _ = self.worker.post_message(&envelope);
        } else {
            self.waiting.borrow_mut().push(envelope);
        }
    }
}

impl Drop for WorkerLink {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The worker kept in `slot` for this visit, or a new one from `start` (kept there in its place)
/// when there is none yet or the kept one has stopped. `link` gives a client's [`WorkerLink`].
pub fn shared<W>(
    slot: &'static LocalKey<RefCell<Option<Rc<W>>>>,
    link: fn(&W) -> &WorkerLink,
    start: impl FnOnce() -> Result<W, String>,
) -> Result<Rc<W>, String> {
    slot.with(|kept| {
        if let Some(worker) = kept.borrow().as_ref()
            && !link(worker).has_stopped()
        {
            return Ok(worker.clone());
        }
        let worker = Rc::new(start()?);
        *kept.borrow_mut() = Some(worker.clone());
        Ok(worker)
    })
}
