//! Browser tests for `io::yield_now` in headless Chromium: yielding really gives the event loop a
//! turn (a message queued before it is handled before the work goes on), and a time slice
//! yields only once its budget is spent.

#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;
use stslens_app::io::yield_now::{TimeSlice, now_ms, yield_now};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_test::*;
use web_sys::MessageChannel;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_task_queued_before_the_yield_runs_during_it() {
    let ran = Rc::new(Cell::new(false));
    let channel = MessageChannel::new().unwrap();
    let on_message = {
        let ran = ran.clone();
        Closure::<dyn FnMut()>::new(move || ran.set(true))
    };
    channel
        .port1()
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    channel
        .port2()
        .post_message(&wasm_bindgen::JsValue::NULL)
        .unwrap();
    assert!(!ran.get(), "nothing ran yet: we have not left this task");
    yield_now().await;
    yield_now().await;
    assert!(ran.get(), "the queued message was handled while we yielded");
    channel.port1().close();
}

#[wasm_bindgen_test]
async fn yielding_never_completes_within_the_same_task() {
    let done = Rc::new(Cell::new(false));
    {
        let done = done.clone();
        wasm_bindgen_futures::spawn_local(async move {
            yield_now().await;
            done.set(true);
        });
    }
    // spawn_local runs the future up to its first await in a microtask, never to its end.
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL))
        .await
        .unwrap();
    assert!(!done.get());
    yield_now().await;
    yield_now().await;
    assert!(done.get());
}

#[wasm_bindgen_test]
async fn a_time_slice_yields_only_when_spent() {
    let mut spent = TimeSlice::new(0.0);
    assert!(spent.is_over());
    assert!(spent.maybe_yield().await);
    let mut fresh = TimeSlice::new(60_000.0);
    assert!(!fresh.is_over());
    assert!(!fresh.maybe_yield().await);
    let (a, b) = (now_ms(), now_ms());
    assert!(a > 0.0 && b >= a);
}
