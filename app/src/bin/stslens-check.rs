//! The check worker: the domain check in its own wasm module, started by the check page (see
//! `stslens_app::checker`). Trunk builds it with `data-type="worker"`; it is fetched only when a
//! check starts, so it is not part of the site's first load.

fn main() {
    stslens_app::checker::worker::start();
}
