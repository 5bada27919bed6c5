//! Numbers as people read them: `91,240`, `99.94%`, `4.1 MB`, `1.23 s`.
//!
//! Counts and percentages come from [`stslens_core::number`], which the CLI's summary table
//! shares; sizes and durations are the viewer's own. Integer arithmetic only: the page's
//! first-load bundle then carries no float formatting code.

pub use stslens_core::number::{count, percent};

/// `n` in tenths, as `12.3`.
fn tenths(n: u64, unit: u64) -> String {
    let t = (u128::from(n) * 10 + u128::from(unit) / 2) / u128::from(unit);
    format!("{}.{}", t / 10, t % 10)
}

/// A size in bytes, in decimal units as file managers show them.
pub fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..999_950 => format!("{} kB", tenths(n, 1_000)),
        999_950..999_950_000 => format!("{} MB", tenths(n, 1_000_000)),
        _ => format!("{} GB", tenths(n, 1_000_000_000)),
    }
}

/// Milliseconds, as `850 ms` under a second and `1.23 s` from there.
pub fn duration_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        let cs = (ms + 5) / 10;
        format!("{}.{:02} s", cs / 100, cs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1_500), "1.5 kB");
        assert_eq!(bytes(999_960), "1.0 MB");
        assert_eq!(bytes(4_100_000), "4.1 MB");
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(1234), "1.23 s");
        assert_eq!(duration_ms(1999), "2.00 s");
    }
}
