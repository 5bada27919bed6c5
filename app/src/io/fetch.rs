//! The browser's `fetch`, with what every network call of the app needs and the API leaves to
//! the caller: a time limit ([`Deadline`], an `AbortController` that also stops the body), a body
//! read with a byte cap ([`read_capped`], so a hostile server cannot make the page hold more than
//! a policy or a DNS message can be), and failures sorted into what a page can actually tell
//! apart ([`FetchError`]).
//!
//! What a page cannot tell apart: when `fetch` rejects with a `TypeError`, the cause may be a
//! network error, a TLS failure or a CORS refusal; the browser hides which, on purpose, so that
//! pages cannot probe other origins. Callers say so in plain words instead of guessing.

use js_sys::{Reflect, Uint8Array};
use thiserror::Error;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, Request, Response};

// The global functions rather than `Window`'s methods: the same code runs on the page and in the
// check worker, whose global scope is no `Window`.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: i32);
}

/// Why a fetch gave no response, or its body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FetchError {
    /// The time limit passed (the request or the body was aborted).
    #[error("no answer in time")]
    Timeout,
    /// The browser gave no response: a network or TLS error, or a CORS refusal (a `TypeError`).
    #[error("the browser could not get or read the response ({0})")]
    Blocked(String),
    /// Anything else: an invalid URL, a request the browser refuses to build.
    #[error("{0}")]
    Other(String),
}

/// Sorts a rejection of `fetch` or of a body read: `AbortError` is the [`Deadline`], `TypeError`
/// is the browser's opaque network/CORS failure.
pub fn classify(error: &JsValue) -> FetchError {
    let name = Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned());
    match name.as_str() {
        "AbortError" | "TimeoutError" => FetchError::Timeout,
        "TypeError" => FetchError::Blocked(message),
        _ => FetchError::Other(message),
    }
}

/// A time limit for one request and its body: aborts both when it passes, and is cleared when
/// dropped (so keep it alive until the body has been read).
pub struct Deadline {
    controller: AbortController,
    handle: i32,
    _on_timeout: Closure<dyn FnMut()>,
}

impl Deadline {
    /// A limit of `ms` milliseconds from now; `None` where the browser has no `AbortController`
    /// (the request then runs without a limit rather than not at all).
    pub fn new(ms: u32) -> Option<Deadline> {
        let controller = AbortController::new().ok()?;
        let aborter = controller.clone();
        let on_timeout = Closure::<dyn FnMut()>::new(move || aborter.abort());
        let handle = set_timeout(
            on_timeout.as_ref().unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        );
        Some(Deadline {
            controller,
            handle,
            _on_timeout: on_timeout,
        })
    }

    /// The signal to put in the request.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(self.handle);
    }
}

/// Sends `request`. Resolves with any HTTP response (a 404 is a response); rejects only when
/// there is none. The request must carry the deadline's signal for the limit to apply.
pub async fn send(request: &Request) -> Result<Response, FetchError> {
    let value = JsFuture::from(global_fetch(request))
        .await
        .map_err(|e| classify(&e))?;
    value
        .dyn_into::<Response>()
        .map_err(|_| FetchError::Other("fetch resolved to something that is not a response".into()))
}

/// Reads at most `cap` bytes of the body, then cancels the rest of the stream. A caller that
/// must know whether a body was over a limit asks for one byte more than the limit.
pub async fn read_capped(response: &Response, cap: usize) -> Result<Vec<u8>, FetchError> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader = ReadableStreamDefaultReader::new(&stream).map_err(|e| classify(&e))?;
    let mut out = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| classify(&e))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(out);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|e| classify(&e))?;
        let bytes = Uint8Array::new(&value);
        let room = cap - out.len();
        let take = (bytes.length() as usize).min(room);
        let start = out.len();
        out.resize(start + take, 0);
        bytes.subarray(0, take as u32).copy_to(&mut out[start..]);
        if out.len() == cap {
            // Nothing more is wanted; a cancelled stream stops downloading.
            let _ = reader.cancel();
            return Ok(out);
        }
    }
}

/// A response header, when the page may read it (CORS exposes only the safelisted ones, such as
/// `Content-Type`, unless the server lists more).
pub fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}
