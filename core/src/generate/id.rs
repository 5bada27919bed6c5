//! Policy ids made from the clock, and the "bump" that every policy change needs.
//!
//! A sender that cached a policy re-fetches it only when the `id` in the `_mta-sts` record differs
//! from the cached one (RFC 8461 §3.1, §5.1), so every change to the policy file must come with a
//! new id. Senders only compare ids for equality; StsLens makes them UTC timestamps in the form of
//! the RFC's own example (`20160831085700Z`: `YYYYMMDDhhmmssZ`, 15 letters and digits) because an
//! admin can read when the policy was published, and ids from later times sort after earlier ones.
//!
//! The core has no clock: callers pass "now" as unix seconds (the CLI from the system clock, the
//! web app from `Date.now()`).

use crate::record::{StsId, StsRecord};

/// Seconds in a day.
const DAY: u64 = 86_400;

/// The id for a policy published at `unix_seconds` (UTC): `YYYYMMDDhhmmssZ`.
///
/// Always 1-32 letters and digits: 15 characters up to the year 9999, 16 for years up to 99999
/// and so on (a `u64` of seconds ends in year ~584 billion, 20 characters).
pub fn id_at(unix_seconds: u64) -> StsId {
    let (days, secs) = (unix_seconds / DAY, unix_seconds % DAY);
    let (year, month, day) = civil_from_days(days);
    let text = format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    StsId::new(&text).expect("a timestamp id is 15-21 ASCII digits and `Z`")
}

/// The time an id made by [`id_at`] stands for, or `None` for an id of another form.
pub fn id_time(id: &StsId) -> Option<u64> {
    let digits = id.as_str().strip_suffix('Z')?;
    if digits.len() < 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (date, time) = digits.split_at(digits.len() - 6);
    let (year, month_day) = date.split_at(date.len() - 4);
    let num = |s: &str| s.parse::<u64>().ok();
    let (year, month, day) = (num(year)?, num(&month_day[..2])?, num(&month_day[2..])?);
    let (h, m, s) = (num(&time[..2])?, num(&time[2..4])?, num(&time[4..])?);
    if year < 1970 || !(1..=12).contains(&month) || day == 0 || h > 23 || m > 59 || s > 59 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let seconds = days_from_civil(year, month, day)?
        .checked_mul(DAY)?
        .checked_add(h * 3600 + m * 60 + s)?;
    // Only ids in the canonical form (no leading zeros beyond four year digits) count as ours.
    (id_at(seconds) == *id).then_some(seconds)
}

/// The id to publish after `current`, at `now`: the timestamp id for `now`, or, when `current`
/// is a timestamp id for `now` or later (two changes in one second, or a clock behind the one
/// that made `current`), the one second after it. Either way the result differs from `current`
/// and, for timestamp ids, sorts after it.
///
/// An id in another form (a counter such as `2024030101`, a hash) is replaced by a timestamp id:
/// senders only compare ids for equality, so changing scheme is safe.
pub fn next_id(current: &StsId, now: u64) -> StsId {
    match id_time(current) {
        Some(t) if t >= now => id_at(t.saturating_add(1)),
        _ => id_at(now),
    }
}

/// `record` with the id that must follow it ([`next_id`]); extension fields are kept.
pub fn bump(record: &StsRecord, now: u64) -> StsRecord {
    let mut next = StsRecord::new(next_id(record.id(), now));
    for ext in record.extensions() {
        next = next
            .with_extension(ext.clone())
            .expect("extensions of a valid record are valid and unique");
    }
    next
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`, restricted to dates from 1970 on).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`], for dates from 1970 on; `None` on overflow.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> StsId {
        StsId::new(s).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(id_at(0).as_str(), "19700101000000Z");
        // The RFC 8461 §3.1 example id.
        assert_eq!(id_at(1_472_633_820).as_str(), "20160831085700Z");
        // Leap day, end of a leap year, the 2038 boundary.
        assert_eq!(id_at(951_782_400).as_str(), "20000229000000Z");
        assert_eq!(id_at(1_735_689_599).as_str(), "20241231235959Z");
        assert_eq!(id_at(2_147_483_648).as_str(), "20380119031408Z");
        assert_eq!(id_at(253_402_300_799).as_str(), "99991231235959Z");
        assert_eq!(id_at(253_402_300_800).as_str(), "100000101000000Z");
        assert!(id_at(u64::MAX).as_str().len() <= 32);
    }

    #[test]
    fn ids_read_back_and_refuse_other_forms() {
        for t in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_472_633_820,
            253_402_300_800,
        ] {
            assert_eq!(id_time(&id_at(t)), Some(t), "{t}");
        }
        for other in [
            "1",
            "2024030101",
            "20160831085700",
            "20160831085700z",
            "20160230000000Z",
            "20161301000000Z",
            "20160831246000Z",
            "019700101000000Z",
            "19691231235959Z",
            "abc",
        ] {
            assert_eq!(id_time(&id(other)), None, "{other}");
        }
    }

    #[test]
    fn later_times_give_later_ids() {
        let times = [
            0,
            1,
            60,
            3_599,
            86_400,
            1_700_000_000,
            1_700_000_001,
            4_102_444_800,
        ];
        for pair in times.windows(2) {
            let (a, b) = (id_at(pair[0]), id_at(pair[1]));
            assert!(a < b, "{a} < {b}");
        }
    }

    #[test]
    fn next_id_always_differs_and_moves_forward() {
        let now = 1_700_000_000;
        // From an older timestamp: the one for now.
        assert_eq!(next_id(&id_at(now - 3600), now), id_at(now));
        // Same second, or a clock that is behind: one second after the current id.
        assert_eq!(next_id(&id_at(now), now), id_at(now + 1));
        assert_eq!(next_id(&id_at(now + 50), now), id_at(now + 51));
        // Another scheme: switch to a timestamp.
        assert_eq!(next_id(&id("2024030101"), now), id_at(now));
        assert_eq!(next_id(&id("abc"), now), id_at(now));
        // Repeated bumps in the same second still differ every time.
        let mut current = id_at(now);
        for _ in 0..5 {
            let next = next_id(&current, now);
            assert!(next > current);
            current = next;
        }
    }

    #[test]
    fn bump_keeps_extensions() {
        let record = StsRecord::parse("v=STSv1; id=old1; ext=1").unwrap();
        let bumped = bump(&record, 0);
        assert_eq!(bumped.to_string(), "v=STSv1; id=19700101000000Z; ext=1");
    }
}
