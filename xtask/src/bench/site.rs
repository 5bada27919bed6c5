//! The site's first load: builds the release site exactly as `cargo xtask dist` does and sums
//! what a first visit downloads (index.html and the JS, wasm and CSS it references), gzip -9.

use super::{Ctx, Figure};
use crate::site;

/// Builds dist/ and returns its first-load size against the budget.
pub fn run(_ctx: &Ctx) -> Result<Vec<Figure>, String> {
    let dist = site::build_dist().map_err(|e| e.to_string())?;
    let assets = site::first_load(&dist).map_err(|e| e.to_string())?;
    let total = site::print_first_load(&assets);
    let wasm: u64 = assets
        .iter()
        .filter(|a| a.name.ends_with(".wasm"))
        .map(|a| a.gzip)
        .sum();
    Ok(vec![
        Figure {
            name: "site: first load (HTML, JS, wasm, CSS), gzip -9".into(),
            value: format!("{:.1} KiB", total as f64 / 1024.0),
            budget: format!("<= {} KiB", site::FIRST_LOAD_BUDGET / 1024),
            met: Some(total <= site::FIRST_LOAD_BUDGET),
        },
        Figure {
            name: "site: of which wasm".into(),
            value: format!("{:.1} KiB", wasm as f64 / 1024.0),
            budget: String::new(),
            met: None,
        },
    ])
}
