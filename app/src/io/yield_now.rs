//! Giving the event loop a turn during long work, on the main thread or in a worker.
//!
//! `setTimeout(0)` is clamped to 4 ms after a few nested calls, so a loop that yields through it
//! spends more time waiting than working. A message posted to a `MessageChannel` is delivered as
//! the next task with no clamp: input, rendering (on the main thread) and incoming messages (in a
//! worker) get their turn, then the work goes on. [`TimeSlice`] yields only when ~16 ms of work
//! (one frame) have passed, so short inputs are not slowed down by yielding after each.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageChannel, Performance};

/// One frame at 60 Hz: the most work to do between two turns of the event loop.
pub const FRAME_MS: f64 = 16.0;

/// Milliseconds from `performance.now()`, in whatever global scope this runs (window or worker).
pub fn now_ms() -> f64 {
    Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Resolves at the next task: everything already queued (events, messages, a paint) runs first.
pub async fn yield_now() {
    let Ok(channel) = MessageChannel::new() else {
        return;
    };
    let promise = Promise::new(&mut |resolve, _reject| {
        let on_message = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        channel
            .port1()
            .set_onmessage(Some(on_message.unchecked_ref()));
    });
    if channel.port2().post_message(&JsValue::UNDEFINED).is_err() {
        return;
    }
    let _ = JsFuture::from(promise).await;
    channel.port1().close();
    channel.port2().close();
}

/// Work time since the last turn of the event loop.
#[derive(Debug, Clone, Copy)]
pub struct TimeSlice {
    started: f64,
    budget_ms: f64,
}

impl TimeSlice {
    /// A slice of `budget_ms`, starting now.
    pub fn new(budget_ms: f64) -> Self {
        TimeSlice {
            started: now_ms(),
            budget_ms,
        }
    }

    /// Whether the budget is spent.
    pub fn is_over(&self) -> bool {
        now_ms() - self.started >= self.budget_ms
    }

    /// Yields if the budget is spent, then starts a new slice. Returns whether it yielded.
    pub async fn maybe_yield(&mut self) -> bool {
        if !self.is_over() {
            return false;
        }
        yield_now().await;
        self.started = now_ms();
        true
    }

    /// Starts a new slice now (after an `await` that already gave the event loop a turn).
    pub fn restart(&mut self) {
        self.started = now_ms();
    }
}
