//! JSON through the browser's own `JSON.parse` / `JSON.stringify`, with serde-wasm-bindgen in
//! between, for the page's small documents: settings and history in localStorage, the messages
//! to and from the workers, the sample list.
//!
//! Why not serde_json here: its parser and formatter are some 30 KB of wasm that the browser
//! already has, and the page's first load has a 300 KiB budget. The workers, which parse large
//! documents (reports) or are not part of the first load, keep serde_json. The text is the same
//! either way: `json_compatible` writes maps as objects, `None` as `null`, and integers as
//! numbers, as serde_json does.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// `value` as JSON text.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&js)
        .map(String::from)
        .map_err(|e| describe(&e))
}

/// Reads JSON `text` as a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let js = js_sys::JSON::parse(text).map_err(|e| describe(&e))?;
    serde_wasm_bindgen::from_value(js).map_err(|e| e.to_string())
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "not JSON".to_owned())
}
