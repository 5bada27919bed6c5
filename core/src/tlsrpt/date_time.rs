//! The `date-time` values of a report's `date-range` (RFC 8460 §4.4, RFC 3339 §5.6) and the UTC
//! days they fall on.
//!
//! Reporters mostly send RFC 3339 (`2024-01-09T00:00:00Z`), but Microsoft has sent the zone-less
//! `2023-01-10T00:00:00` for years; that form is read as UTC and flagged by the parser. The day
//! arithmetic is a few lines of proleptic-Gregorian maths, so no date crate is needed (and none
//! has to build for wasm32).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time, in seconds since 1970-01-01T00:00:00Z. Fractional seconds are dropped: the
/// reports describe whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The timestamp for a number of seconds since the Unix epoch.
    pub fn from_unix(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.0
    }

    /// The UTC day this instant falls on.
    pub fn day(self) -> Day {
        Day(self.0.div_euclid(SECONDS_PER_DAY))
    }

    /// Seconds since the start of its UTC day.
    pub fn second_of_day(self) -> i64 {
        self.0.rem_euclid(SECONDS_PER_DAY)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.second_of_day();
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.day(),
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

/// A UTC calendar day, as days since 1970-01-01. Displays and serialises as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// The day for a civil date, if the date exists.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Day(days_from_civil(year, month, day)))
    }

    /// The civil date `(year, month, day)`.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }

    /// The first second of this day.
    pub fn start(self) -> Timestamp {
        Timestamp(self.0 * SECONDS_PER_DAY)
    }

    /// The day after this one.
    pub fn next(self) -> Day {
        Day(self.0 + 1)
    }

    /// Reads `YYYY-MM-DD`, the form days display in and the form an HTML date input gives;
    /// `None` for anything else or a date that does not exist.
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
        Day::from_ymd(i64::from(year), month, day)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    /// From `YYYY-MM-DD`, so a [`super::Filter`] can travel as JSON (the browser viewer sends
    /// one to its worker).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Day::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!("not a YYYY-MM-DD date: {text:?}"))
        })
    }
}

/// What a `date-time` string said about its time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// `Z` or a numeric offset, as RFC 3339 requires.
    Explicit,
    /// No zone at all (Microsoft's form); read as UTC.
    Missing,
}

/// Parses an RFC 3339 `date-time` (`T`, `t` or a space between date and time; optional fraction;
/// `Z`, `z` or `±HH:MM`) or the same without a zone. Seconds may be 60 (a leap second), which
/// is read as 59 so the instant stays within its minute. Returns `None` for anything else.
pub fn parse_date_time(text: &str) -> Option<(Timestamp, Zone)> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = Day::from_ymd(year as i64, month, day)?;
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &fraction[n..];
    }
    let (offset, zone) = match rest {
        [] => (0, Zone::Missing),
        [b'Z' | b'z'] => (0, Zone::Explicit),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = i64::from(h * 60 + m);
            (
                if *sign == b'+' { minutes } else { -minutes },
                Zone::Explicit,
            )
        }
        _ => return None,
    };
    let local = date.start().unix() + i64::from(hour * 3600 + minute * 60 + second.min(59));
    Some((Timestamp(local - offset * 60), zone))
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` / `civil_from_days` (public domain): eras of 400 years,
// years starting in March so the leap day is the last day of the year.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (String, Zone) {
        let (t, zone) = parse_date_time(text).unwrap_or_else(|| panic!("{text} did not parse"));
        (t.to_string(), zone)
    }

    #[test]
    fn rfc3339_forms() {
        assert_eq!(
            at("2016-04-01T00:00:00Z"),
            ("2016-04-01T00:00:00Z".into(), Zone::Explicit)
        );
        assert_eq!(at("2016-04-01t23:59:59z").0, "2016-04-01T23:59:59Z");
        assert_eq!(at("2016-04-01 23:59:59.999Z").0, "2016-04-01T23:59:59Z");
        // An offset moves the instant, and with it the UTC day.
        assert_eq!(at("2024-03-26T01:30:00+02:00").0, "2024-03-25T23:30:00Z");
        assert_eq!(at("2024-03-26T23:30:00-01:00").0, "2024-03-27T00:30:00Z");
        assert_eq!(at("2016-12-31T23:59:60Z").0, "2016-12-31T23:59:59Z");
    }

    #[test]
    fn zone_less_microsoft_form_is_utc() {
        assert_eq!(
            at("2023-01-10T00:00:00"),
            ("2023-01-10T00:00:00Z".into(), Zone::Missing)
        );
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        for bad in [
            "",
            "2024-01-09",
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-09T24:00:00Z",
            "2024-01-09T00:00:00+0200",
            "2024-01-09T00:00:00.Z",
            "2024-01-09T00:00:00Z trailing",
            "yesterday, more or less",
            "2024-01-09T00:00:00+24:00",
        ] {
            assert_eq!(parse_date_time(bad), None, "{bad:?}");
        }
        assert!(parse_date_time("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn days_round_trip_across_eras() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day::from_ymd(2000, 3, 1).unwrap().to_string(), "2000-03-01");
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, dd) = Day(d).ymd();
            assert_eq!(Day::from_ymd(y, m, dd), Some(Day(d)));
        }
        assert_eq!(Timestamp::from_unix(-1).day().to_string(), "1969-12-31");
    }

    #[test]
    fn days_parse_from_their_display_form_only() {
        let day = Day::parse("2024-02-29").unwrap();
        assert_eq!(day.to_string(), "2024-02-29");
        assert_eq!(serde_json::to_string(&day).unwrap(), "\"2024-02-29\"");
        assert_eq!(serde_json::from_str::<Day>("\"2024-02-29\"").unwrap(), day);
        for bad in [
            "2023-02-29",
            "2024-1-09",
            "2024-01-09T00:00:00Z",
            "20240109",
            "",
            "2024/01/09",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad:?}");
        }
        assert!(serde_json::from_str::<Day>("\"2024-13-01\"").is_err());
    }
}
