//! The domain check, run in a Web Worker: `stslens_core::check` with the browser's I/O, and the
//! messages the check page exchanges with it.
//!
//! ```text
//!  page (main thread, stslens-app wasm)                 worker (stslens-check wasm)
//!  pages/check.rs ── runner/ ── io/check_worker.rs ──postMessage──► io/check_scope.rs ── worker.rs
//!     ▲   Request: Start, Paste, Cancel                                    │ run.rs: Plan, DoH,
//!     │                                                                    │ policy fetch, relay,
//!     └──── Update: Relay, Route, Steps, Unreachable, Finished ◄───────────┘ evaluate, render
//!   history (localStorage) + compare on the page, from the Finished's snapshot
//! ```
//!
//! Why a worker: the check engine (core's plan, evaluation and verdict rules, the DNS wire
//! format, the policy and probe types, and the fetch code around them) is a large share of the
//! app's wasm; as a second module, fetched when a check starts, it is not part of the site's
//! first load (`cargo xtask dist` holds that to a budget). Network waits and evaluation also
//! stay off the thread that paints. The worker's origin is the page's, so its requests (DoH,
//! the policy fetch, the relay) are the ones the page would make, under the same CSP
//! (`connect-src`) and the same CORS rules.
//!
//! [`protocol`] is what crosses between the two; [`run`] is one check; [`worker`] the loop
//! that owns the current run; [`relay`] confirms the relay setting; [`describe`] words each
//! step's outcome for the progress list; [`render`] writes the result sections as HTML;
//! [`mx_fill`] is the generator's "Fill in from DNS", which needs the same DoH client.

pub mod describe;
pub mod mx_fill;
pub mod protocol;
pub mod relay;
pub mod render;
pub mod run;
pub mod worker;
