//! Deviations: the ways a report departs from RFC 8460 §4.4 that the parser accepted.
//!
//! Real reporters deviate (Microsoft's zone-less dates, Google's `\r` in policy strings, the RFC's
//! own pre-erratum `mx-host` string...). Rejecting those reports would lose real data, accepting
//! them silently would hide what was changed, so each one is kept in the report as a
//! [`Deviation`]: a stable code, where in the JSON it was, and what was done about it.
//!
//! All kinds live in one table ([`deviations!`]) so their codes, severities and meanings can be
//! reviewed in one place. `info` means nothing was lost or changed in meaning (a different but
//! unambiguous spelling); `warning` means some data could not be used as the RFC intends (a
//! count that is not a number, a policy without its domain), though it is still kept verbatim.

use crate::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! deviations {
    ($( $(#[$doc:meta])* $variant:ident => ($code:literal, $severity:ident, $rfc:literal, $meaning:literal), )*) => {
        /// A kind of deviation from RFC 8460 §4.4. Rendered as a stable kebab-case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum DeviationKind {
            $( $(#[$doc])* $variant, )*
        }

        impl DeviationKind {
            /// Every kind, in table order.
            pub const ALL: &'static [DeviationKind] = &[$(DeviationKind::$variant,)*];

            /// The kebab-case code, e.g. `mx-host-string`.
            pub fn code(self) -> &'static str {
                match self { $(DeviationKind::$variant => $code,)* }
            }

            /// `Info` when nothing was lost, `Warning` when some data could not be used as intended.
            pub fn severity(self) -> Severity {
                match self { $(DeviationKind::$variant => Severity::$severity,)* }
            }

            /// The section that the report departs from.
            pub fn rfc(self) -> &'static str {
                match self { $(DeviationKind::$variant => $rfc,)* }
            }

            /// What the deviation is and how StsLens reads it, in plain words.
            pub fn meaning(self) -> &'static str {
                match self { $(DeviationKind::$variant => $meaning,)* }
            }
        }
    };
}

deviations! {
    /// The JSON starts with a UTF-8 byte order mark.
    ByteOrderMark => ("byte-order-mark", Info, "RFC 8259 §8.1",
        "The JSON starts with a byte order mark, which JSON forbids; it was skipped."),
    /// A `date-time` without `Z` or an offset (Microsoft).
    DateTimeWithoutZone => ("date-time-without-zone", Info, "RFC 8460 §4.4, RFC 3339 §5.6",
        "A date-time has no time zone; it was read as UTC, as the report period is defined in UTC."),
    /// A `date-time` that is not a date-time at all.
    DateTimeInvalid => ("date-time-invalid", Warning, "RFC 8460 §4.4, RFC 3339 §5.6",
        "A date-time could not be read; it is kept verbatim, and the report counts as undated."),
    /// The range ends at the next day's 00:00:00 instead of 23:59:59.
    EndAtNextMidnight => ("end-at-next-midnight", Info, "RFC 8460 §4.1",
        "The range ends at the next day's 00:00:00 (the RFC's \"2400\"), not 23:59:59 as Google and Microsoft write it; same day."),
    /// The range is not one full UTC day.
    DateRangeNotOneDay => ("date-range-not-one-day", Info, "RFC 8460 §4.1",
        "The range is not one full UTC day; the whole report is counted on the day it starts."),
    /// `mx-host` is a single string: the RFC's own example before erratum 6241.
    MxHostString => ("mx-host-string", Info, "RFC 8460 §4.4 (erratum 6241)",
        "mx-host is a string, as in the RFC's example before erratum 6241, not an array; read as a list of one."),
    /// An `sts` policy without `mx-host` (Microsoft, Mail.ru).
    MxHostMissing => ("mx-host-missing", Info, "RFC 8460 §4.4",
        "An sts policy has no mx-host; the MX patterns are still in policy-string when the reporter sent it."),
    /// `mx-host` is an empty array.
    MxHostEmpty => ("mx-host-empty", Info, "RFC 8460 §4.4",
        "mx-host is an empty array."),
    /// `policy-string` is an empty array.
    PolicyStringEmpty => ("policy-string-empty", Info, "RFC 8460 §4.4",
        "policy-string is an empty array."),
    /// A TLSA `policy-string` that is one string holding a JSON array (Microsoft).
    PolicyStringJsonArray => ("policy-string-json-array", Info, "RFC 8460 §4.4, §4.5",
        "policy-string is one string holding a JSON-encoded array; it was decoded into its records."),
    /// Policy-string lines ending in `\r` (a CRLF policy file kept as is, Google).
    PolicyStringTrailingCr => ("policy-string-trailing-cr", Info, "RFC 8460 §4.4, RFC 8461 §3.2",
        "policy-string lines end in a carriage return (the policy file uses CRLF); it was removed."),
    /// A field given as `null` (e.g. `"contact-info": null`, Stalwart).
    FieldNull => ("field-null", Info, "RFC 8460 §4.4",
        "A field is null; it was read as absent."),
    /// A field the RFC defines is absent.
    FieldMissing => ("field-missing", Warning, "RFC 8460 §4.4",
        "A field the report format defines is missing."),
    /// A field has the wrong JSON type; its value is kept in `unknown-fields`.
    FieldWrongType => ("field-wrong-type", Warning, "RFC 8460 §4.4",
        "A field has the wrong JSON type; its value is kept verbatim among the unknown fields and not used."),
    /// A policy without `policy-domain` (Postfix tlsrpt-reporter for no-policy-found).
    PolicyDomainMissing => ("policy-domain-missing", Warning, "RFC 8460 §4.4",
        "A policy has no policy-domain; its sessions are counted under an unknown domain."),
    /// `policy-type` is not `tlsa`, `sts` or `no-policy-found`.
    UnknownPolicyType => ("unknown-policy-type", Warning, "RFC 8460 §4.4",
        "policy-type is not tlsa, sts or no-policy-found; it is kept verbatim."),
    /// `failure-details` is an empty array.
    FailureDetailsEmpty => ("failure-details-empty", Info, "RFC 8460 §4.4",
        "failure-details is an empty array."),
    /// A failure detail without `sending-mta-ip` (Microsoft, Mail.ru).
    FailureDetailWithoutSendingIp => ("failure-detail-without-sending-ip", Info, "RFC 8460 §4.4",
        "A failure detail has no sending-mta-ip; counted under an unknown sending IP."),
    /// A failure detail without `receiving-mx-hostname` (Microsoft, Mail.ru).
    FailureDetailWithoutMx => ("failure-detail-without-mx", Info, "RFC 8460 §4.4",
        "A failure detail has no receiving-mx-hostname; counted under an unknown MX."),
    /// The failure details do not add up to the summary's failure count (Mail.ru).
    FailureCountMismatch => ("failure-count-mismatch", Warning, "RFC 8460 §4.2.2",
        "The failed-session-counts of the failure details do not add up to total-failure-session-count; both are kept."),
    /// A session count that is not a non-negative integer JSON number.
    CountNotANumber => ("count-not-a-number", Warning, "RFC 8460 §4.4",
        "A session count is not a non-negative integer JSON number; it is kept verbatim but not counted."),
    /// A `result-type` that RFC 8460 §4.3 does not define.
    UnknownResultType => ("unknown-result-type", Info, "RFC 8460 §4.3",
        "result-type is not one RFC 8460 defines; it is kept and counted verbatim."),
    /// A field given twice in one object; the first is used, the others kept verbatim.
    DuplicateField => ("duplicate-field", Warning, "RFC 8259 §4",
        "A field appears more than once in one object; the first is used, the others are kept verbatim."),
    /// A field the RFC does not define; kept verbatim.
    UnknownField => ("unknown-field", Info, "RFC 8460 §4.4",
        "A field the RFC does not define; it is kept verbatim."),
}

impl fmt::Display for DeviationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for DeviationKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One deviation found in one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deviation {
    /// What kind of deviation.
    #[serde(rename = "code")]
    pub kind: DeviationKind,
    /// Where in the report, as a JSON pointer (RFC 6901), e.g. `/policies/0/policy/mx-host`.
    pub path: String,
    /// The specifics: the value found, the counts that disagree.
    pub detail: String,
}

impl Deviation {
    /// A deviation of `kind` at `path`.
    pub fn new(kind: DeviationKind, path: impl Into<String>, detail: impl Into<String>) -> Self {
        Deviation {
            kind,
            path: path.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {}",
            self.kind,
            if self.path.is_empty() {
                "/"
            } else {
                &self.path
            }
        )?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for kind in DeviationKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{code}"
            );
            assert!(kind.rfc().starts_with("RFC "), "{code}");
            assert!(kind.meaning().ends_with('.'), "{code}");
        }
    }
}
