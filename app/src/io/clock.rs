//! The browser's clocks. The core has none: the generator takes "now" from here to stamp a fresh
//! policy id, and a check takes "now" to count certificate expiry and its steps' timings.

/// Seconds since 1970-01-01 UTC, from `Date.now()`.
pub fn now_unix() -> u64 {
    // Date.now() is milliseconds as an f64; it is never negative on a sane clock, and the cast
    // saturates if it were.
    (js_sys::Date::now() / 1000.0) as u64
}

/// Milliseconds on a clock that never goes back (`performance.now()`), for timing steps; the wall
/// clock can jump while a check runs. Falls back to `Date.now()` where there is no `performance`.
/// Reads the global `performance`, which pages and workers both have.
pub fn monotonic_ms() -> f64 {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// `2024-03-01 12:00 UTC` for Unix seconds: the same text for every reader of a shared link,
/// whatever their time zone.
pub fn format_utc(unix: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        date.get_utc_full_year(),
        date.get_utc_month() + 1,
        date.get_utc_date(),
        date.get_utc_hours(),
        date.get_utc_minutes()
    )
}
