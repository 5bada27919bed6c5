//! The report viewer's engine: `stslens_core::tlsrpt` run in a Web Worker, and the messages the
//! `/reports` page exchanges with it.
//!
//! ```text
//!  page (main thread)                               worker (stslens-reports wasm)
//!  pages/reports.rs ── io/engine_worker.rs ──postMessage──► io/worker_scope.rs ── runner.rs
//!     ▲  Request + File handles (never bytes)                   │ reads each File (io/files.rs)
//!     │                                                         ▼
//!     └──── Event: Progress, Results (+ HTML) ◄──────────── session.rs: Ingest + ReportStore
//!                                                         render/: Summary → HTML
//! ```
//!
//! Why a worker: the TLS-RPT engine (gzip, zip, MIME and charset decoding, the JSON reader) adds
//! about 140 KiB gzip of wasm, and the results view as Leptos components about as much again;
//! neither fits the first-load budget next to the rest of the site. As a worker they are a
//! second wasm module fetched only when `/reports` opens. It also keeps the page responsive by
//! construction: unpacking, parsing, counting and rendering never run on the thread that paints
//! and handles input. The page posts `File` handles; the worker reads them itself, so the bytes
//! never pass through the page, and nothing in either leaves the browser.
//!
//! [`protocol`] is what crosses between the two, [`session`] is the engine's state (plain Rust,
//! testable anywhere), [`render`] writes the results as HTML, [`runner`] drives it all inside
//! the worker.

pub mod protocol;
pub mod render;
pub mod runner;
pub mod session;
