//! StsLens web app: a thin Leptos view over `stslens-core`, run in the browser as wasm.
//!
//! `pages/` has one module per route, `components/` the reusable pieces, `io/` every call into
//! the browser (fetch, storage, files), `runner` drives core's check plan with that I/O, and
//! `engine/` is the report viewer's worker and its messages. No RFC logic lives here: it is all in
//! `stslens-core`.

pub mod app;
pub mod components;
pub mod engine;
pub mod io;
pub mod numbers;
pub mod pages;
pub mod runner;

pub use app::App;
