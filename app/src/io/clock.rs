//! The browser's clock. The core has none: the generator takes "now" from here to stamp a fresh
//! policy id.

/// Seconds since 1970-01-01 UTC, from `Date.now()`.
pub fn now_unix() -> u64 {
    // Date.now() is milliseconds as an f64; it is never negative on a sane clock, and the cast
    // saturates if it were.
    (js_sys::Date::now() / 1000.0) as u64
}
