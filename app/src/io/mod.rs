//! Every call from the app into the browser lives here, behind small typed functions, so that pages
//! and components stay plain views and the browser-facing code can be tested on its own
//! (wasm-bindgen-test in headless Chromium, see `app/tests/`).

pub mod clipboard;
pub mod clock;
pub mod storage;
