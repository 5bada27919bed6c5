//! Every call from the app into the browser lives here, behind small typed functions, so that pages
//! and components stay plain views and the browser-facing code can be tested on its own
//! (wasm-bindgen-test in headless Chromium, see `app/tests/`).
//!
//! | module | what |
//! |---|---|
//! | `fetch` | `fetch` with a deadline, capped body reads, failures a page can tell apart |
//! | `doh` | DNS over HTTPS (RFC 8484 GET) with core's wire format |
//! | `policy` | the policy fetch as a sender does it, as far as `fetch` allows |
//! | `relay` | the relay's MX probe, policy fetch and `/healthz` |
//! | `storage` | settings in localStorage |
//! | `history` | past checks in localStorage |
//! | `clipboard`, `clock` | copying text; the time |
//! | `check_worker`, `check_scope` | the check worker, from the page and from inside it |
//! | `worker_link` | starting a worker and holding messages until it is ready (both clients) |

pub mod check_scope;
pub mod check_worker;
pub mod clipboard;
pub mod clock;
pub mod doh;
pub mod dom;
pub mod download;
pub mod engine_worker;
pub mod fetch;
pub mod files;
pub mod history;
pub mod json;
pub mod policy;
pub mod relay;
pub mod samples;
pub mod storage;
pub mod worker_link;
pub mod worker_scope;
pub mod yield_now;
