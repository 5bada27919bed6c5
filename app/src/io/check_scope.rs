//! The worker's side of the check worker: receiving the page's requests and posting events.
//! Only meaningful inside a dedicated worker (the `stslens-check` binary).

use crate::checker::protocol::{Event, MSG, Request};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Calls `handle` with every request from the page. A message that is not a request is
/// answered with [`Event::Failed`].
pub fn on_request(mut handle: impl FnMut(Request) + 'static) {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let request = Reflect::get(&message.data(), &MSG.into())
            .ok()
            .and_then(|m| m.as_string())
            .ok_or_else(|| "a message without content".to_owned())
            .and_then(|m| serde_json::from_str::<Request>(&m).map_err(|e| e.to_string()));
        match request {
            Ok(request) => handle(request),
            Err(e) => post(&Event::Failed {
                message: format!("the check engine got a request it does not understand: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

/// Posts an event to the page.
pub fn post(event: &Event) {
    let envelope = Object::new();
    let json = serde_json::to_string(event).expect("events serialise");
    let _ = Reflect::set(&envelope, &MSG.into(), &JsValue::from(json));
    let _ = scope().post_message(&envelope);
}
