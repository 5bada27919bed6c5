//! Every call from the app into the browser lives here, behind small typed functions, so that pages
//! and components stay plain views and the browser-facing code can be tested on its own
//! (wasm-bindgen-test in headless Chromium, see `app/tests/`).

pub mod clipboard;
pub mod clock;
pub mod dom;
pub mod download;
pub mod engine_worker;
pub mod files;
pub mod samples;
pub mod storage;
pub mod worker_scope;
pub mod yield_now;
