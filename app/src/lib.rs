//! StsLens web app: a thin Leptos view over `stslens-core`, run in the browser as wasm.
//!
//! `pages/` has one module per route, `components/` the reusable pieces, and `io/` every call into
//! the browser (fetch, storage, files); `checker` runs core's check plan with that I/O in a Web
//! Worker (the `stslens-check` binary), and `runner` is the check page's side of it. No RFC
//! logic lives here: it is all in `stslens-core`.

pub mod app;
pub mod checker;
pub mod components;
pub mod io;
pub mod pages;
pub mod runner;

pub use app::App;
