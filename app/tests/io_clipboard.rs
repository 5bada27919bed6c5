//! Browser tests for `io::clipboard` and `io::clock` in headless Chromium.
//! Run by `cargo xtask test` (wasm-bindgen-test-runner + chromedriver).

#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use stslens_app::io::clipboard::{self, ClipboardError};
use stslens_app::io::clock;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_clock_is_the_browsers_in_seconds() {
    let ms = js_sys::Date::now();
    let now = clock::now_unix();
    assert!((now as f64 - ms / 1000.0).abs() < 2.0, "{now} vs {ms} ms");
    // Ids made from it are fresh: after 2024-01-01.
    assert!(now > 1_704_067_200);
}

#[wasm_bindgen_test]
async fn without_the_clipboard_api_copying_says_so() {
    let navigator = web_sys::window().unwrap().navigator();
    // Shadow `navigator.clipboard` as an insecure context has it: undefined.
    let descriptor = Object::new();
    Reflect::set(&descriptor, &"value".into(), &JsValue::UNDEFINED).unwrap();
    Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
    Object::define_property(&navigator, &"clipboard".into(), &descriptor);
    let result = clipboard::copy_text("x").await;
    Reflect::delete_property(&navigator, &"clipboard".into()).unwrap();
    assert_eq!(result, Err(ClipboardError::Unavailable));
}

#[wasm_bindgen_test]
async fn copying_ends_in_ok_or_a_refusal_never_a_throw() {
    // Headless Chromium without a user gesture may refuse; either way the error is a value.
    match clipboard::copy_text("version: STSv1\n").await {
        Ok(()) | Err(ClipboardError::Refused(_)) => {}
        Err(other) => panic!("the Clipboard API exists on this page: {other}"),
    }
}

#[wasm_bindgen_test]
fn the_fallback_selects_the_whole_text() {
    let document = web_sys::window().unwrap().document().unwrap();
    let pre = document.create_element("pre").unwrap();
    pre.set_text_content(Some("v=STSv1; id=20240301120000Z"));
    document
        .document_element()
        .unwrap()
        .append_child(&pre)
        .unwrap();
    clipboard::select_contents(&pre);
    let selection = web_sys::window().unwrap().get_selection().unwrap().unwrap();
    assert_eq!(
        String::from(selection.to_string()),
        "v=STSv1; id=20240301120000Z"
    );
    pre.remove();
}
