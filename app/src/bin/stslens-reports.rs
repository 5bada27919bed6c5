//! The report worker: the TLS-RPT engine in its own wasm module, started by the `/reports` page
//! (see `stslens_app::engine`). Trunk builds it with `data-type="worker"`; it is fetched only
//! when that page opens, so it is not part of the site's first load.

fn main() {
    stslens_app::engine::runner::start();
}
