//! StsLens web app: a thin Leptos view over `stslens-core`, run in the browser as wasm.
//!
//! `pages/` has one module per route, `components/` the reusable pieces, and `io/` every call into
//! the browser (fetch, storage, files). Two Web Workers carry the heavy engines, each its own wasm
//! fetched only when needed: `checker` runs core's check plan (the `stslens-check` binary; `runner`
//! is the check page's side of it), and `engine/` reads TLS-RPT reports (`stslens-reports`). No RFC
//! logic lives here: it is all in `stslens-core`.

pub mod app;
pub mod checker;
pub mod components;
pub mod engine;
pub mod io;
pub mod numbers;
pub mod pages;
pub mod runner;

pub use app::App;
