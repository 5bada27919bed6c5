//! The worker's side of the report worker: receiving the page's requests and posting events.
//! Only meaningful inside a dedicated worker (the `stslens-reports` binary).

use crate::engine::protocol::{Event, FILES, MSG, Request, TEXT};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Calls `handle` with every request from the page and the files that came with it. A message
/// that is not a request is answered with [`Event::Failed`].
pub fn on_request(mut handle: impl FnMut(Request, Vec<File>) + 'static) {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let data = message.data();
        let request = Reflect::get(&data, &MSG.into())
            .ok()
            .and_then(|m| m.as_string())
            .ok_or_else(|| "a message without content".to_owned())
            .and_then(|m| serde_json::from_str::<Request>(&m).map_err(|e| e.to_string()));
        match request {
            Ok(request) => {
                let files = Reflect::get(&data, &FILES.into())
                    .ok()
                    .filter(|f| f.is_object())
                    .map(|f| {
                        Array::from(&f)
                            .iter()
                            .filter_map(|f| f.dyn_into::<File>().ok())
                            .collect()
                    })
                    .unwrap_or_default();
                handle(request, files);
            }
            Err(e) => post(
                &Event::Failed {
                    message: format!("the report engine got a request it does not understand: {e}"),
                },
                None,
            ),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

/// Posts an event to the page, with `text` beside it (an export's content).
pub fn post(event: &Event, text: Option<&str>) {
    let envelope = Object::new();
    let json = serde_json::to_string(event).expect("events serialise");
    let _ = Reflect::set(&envelope, &MSG.into(), &JsValue::from(json));
    if let Some(text) = text {
        let _ = Reflect::set(&envelope, &TEXT.into(), &JsValue::from_str(text));
    }
    let _ = scope().post_message(&envelope);
}
