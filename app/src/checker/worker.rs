//! The worker's main loop: one run at a time, started, fed pasted policies and cancelled by the
//! page's requests.

use super::mx_fill::mx_fill;
use super::protocol::{Event, Request};
use super::run::Run;
use crate::io::check_scope::{on_request, post};
use std::cell::RefCell;
use std::rc::Rc;

/// Starts taking requests, then tells the page so (requests posted while the wasm was loading
/// wait on the page's side until then).
pub fn start() {
    let current: Rc<RefCell<Option<Run>>> = Rc::default();
    on_request(move |request| handle(&current, request));
    post(&Event::Ready);
}

fn handle(current: &RefCell<Option<Run>>, request: Request) {
    match request {
        Request::Start {
            run,
            domain,
            resolver,
            relay,
        } => {
            if let Some(old) = current.borrow_mut().take() {
                old.cancel();
            }
            *current.borrow_mut() = Some(Run::start(run, domain, resolver, relay));
        }
        Request::Paste { run, text } => {
            if let Some(r) = current.borrow().as_ref().filter(|r| r.id() == run) {
                r.paste(&text);
            }
        }
        Request::Generate { id, request, now } => {
            let output = stslens_core::generate::generate(&request, now)
                .map(|g| Box::new(g.into()))
                .map_err(|invalid| invalid.to_string());
            post(&Event::Generated { id, output });
        }
        Request::MxFill {
            id,
            resolver,
            domain,
        } => wasm_bindgen_futures::spawn_local(async move {
            let fill = mx_fill(&resolver, &domain).await;
            post(&Event::MxFill { id, fill });
        }),
        Request::Cancel { run } => {
            let mut current = current.borrow_mut();
            if current.as_ref().is_some_and(|r| r.id() == run)
                && let Some(r) = current.take()
            {
                r.cancel();
            }
        }
    }
}
