//! Counts and shares as people read them: `91,240`, `99.94%`, `3 days`.
//!
//! Why here: the viewer, the CLI's summary table and the error messages of the caps all show the
//! same numbers for the same reports, so they format them with one set of rules. Integer
//! arithmetic only, so the viewer's first-load bundle carries no float formatting code.

/// A count with thousands separators: `12,345,678`.
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

/// The ending a noun takes after `n`: `""` for one, `"s"` otherwise (`0 days`, `1 day`, `2 days`).
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) { "" } else { "s" }
}

/// `part` of `whole` as a percentage; `None` when `whole` is 0. One decimal between 1 % and
/// 99 %, two outside it, and never a share below the whole rounded up to "100%" nor one above
/// nothing down to "0%": one failure among a million sessions must stay visible.
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
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(0usize), "s");
        assert_eq!(plural(1u64), "");
        assert_eq!(plural(2i64), "s");
        assert_eq!(plural(-1i64), "s");
    }

    #[test]
    fn percentages_keep_rare_failures_visible() {
        assert_eq!(percent(1, 1).as_deref(), Some("100%"));
        assert_eq!(percent(0, 5).as_deref(), Some("0%"));
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent(999_999, 1_000_000).as_deref(), Some(">99.99%"));
        assert_eq!(percent(9_994, 10_000).as_deref(), Some("99.94%"));
        assert_eq!(percent(5_326, 5_629).as_deref(), Some("94.6%"));
        assert_eq!(percent(1, 2).as_deref(), Some("50.0%"));
        assert_eq!(percent(1, 3).as_deref(), Some("33.3%"));
        assert_eq!(percent(2, 3).as_deref(), Some("66.7%"));
        assert_eq!(percent(1, 200).as_deref(), Some("0.50%"));
        assert_eq!(percent(1, 100_000).as_deref(), Some("<0.01%"));
        assert_eq!(percent(u64::MAX - 1, u64::MAX).as_deref(), Some(">99.99%"));
    }
}
