//! Numbers as people read them: `91,240`, `99.94%`, `4.1 MB`, `1.23 s`.
//!
//! Integer arithmetic only: the page's first-load bundle then carries no float formatting code.

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a percentage; `None` when `whole` is 0. Never rounds a share below the
/// whole up to "100%" nor one above nothing down to "0%": one failure among a million sessions
/// must stay visible.
pub fn percent(part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    if part >= whole {
        return Some("100%".to_owned());
    }
    if part == 0 {
        return Some("0%".to_owned());
    }
    // In hundredths (bp) and tenths of a percent, rounded half up.
    let round = |scale: u128| (u128::from(part) * 2 * scale / u128::from(whole)).div_ceil(2) as u64;
    let bp = round(10_000);
    Some(match bp {
        10_000.. => ">99.99%".to_owned(),
        0 => "<0.01%".to_owned(),
        100..9_900 => {
            let t = round(1_000);
            format!("{}.{}%", t / 10, t % 10)
        }
        _ => format!("{}.{:02}%", bp / 100, bp % 100),
    })
}

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
    fn counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(91_240), "91,240");
        assert_eq!(count(12_345_678), "12,345,678");
    }

    #[test]
    fn percentages_keep_rare_failures_visible() {
        assert_eq!(percent(1, 1).as_deref(), Some("100%"));
        assert_eq!(percent(0, 5).as_deref(), Some("0%"));
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent(999_999, 1_000_000).as_deref(), Some(">99.99%"));
        assert_eq!(percent(9_994, 10_000).as_deref(), Some("99.94%"));
        assert_eq!(percent(1, 2).as_deref(), Some("50.0%"));
        assert_eq!(percent(1, 3).as_deref(), Some("33.3%"));
        assert_eq!(percent(2, 3).as_deref(), Some("66.7%"));
        assert_eq!(percent(1, 200).as_deref(), Some("0.50%"));
        assert_eq!(percent(1, 100_000).as_deref(), Some("<0.01%"));
    }

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
