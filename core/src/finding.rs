//! Findings: what every check, lint and probe reports back.
//!
//! A [`Finding`] names a rule by a stable kebab-case [`Code`], says how bad a breach is
//! ([`Severity`]), which RFC section rules it, and the concrete fix. The severity scale follows what
//! senders do, not just what the ABNF says:
//! - `error`: a compliant sender would reject or fail this; the setup is broken.
//! - `warning`: a deviation from the RFC that many senders tolerate, or a risky setting.
//! - `info`: worth knowing, nothing to fix.
//!
//! All codes live in the one table below ([`codes!`]) so that their names, default severities and
//! RFC sections can be read (and reviewed) in one place.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing to fix.
    Info,
    /// Tolerated by many senders, or a risky setting.
    Warning,
    /// A compliant sender would reject or fail this.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares the [`Code`] enum from one table: variant, kebab-case name, default severity, RFC section.
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident => ($name:literal, $severity:ident, $rfc:literal), )*) => {
        /// A stable identifier for a rule. Rendered as kebab-case in JSON and text output; never
        /// renamed once released, because monitoring scripts match on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name, e.g. `sts-record-multiple`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity a breach of this rule has unless the context says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The RFC section that rules it, e.g. `RFC 8461 §3.2`.
            pub fn rfc(self) -> &'static str {
                match self { $(Code::$variant => $rfc,)* }
            }

            /// Looks a code up by its kebab-case name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // ── _mta-sts TXT record (RFC 8461 §3.1) ────────────────────────────────────────────────
    /// More than one TXT record at `_mta-sts` starts with `v=STSv1`: senders see no policy.
    StsRecordMultiple => ("sts-record-multiple", Error, "RFC 8461 §3.1"),

    // ── policy file (RFC 8461 §3.2) ────────────────────────────────────────────────────────
    /// `max_age` is above 31557600 seconds (about one year).
    PolicyMaxAgeTooLarge => ("policy-max-age-too-large", Error, "RFC 8461 §3.2"),

    // ── policy fetch (RFC 8461 §3.3) ───────────────────────────────────────────────────────
    /// The policy URL answered with a redirect, which senders must not follow.
    PolicyRedirected => ("policy-redirected", Error, "RFC 8461 §3.3"),

    // ── MX hosts against the policy (RFC 8461 §4.1) ────────────────────────────────────────
    /// An MX host that no policy pattern matches: in enforce mode, mail to it fails.
    PolicyMxNotCovered => ("policy-mx-not-covered", Error, "RFC 8461 §4.1"),
    /// A policy pattern that matches no MX host: stale or mistyped.
    PolicyMxUnused => ("policy-mx-unused", Warning, "RFC 8461 §4.1"),
    /// The MX host's certificate is not valid for its name.
    MxCertNameMismatch => ("mx-cert-name-mismatch", Error, "RFC 8461 §4.1"),

    // ── _smtp._tls TXT record (RFC 8460 §3) ────────────────────────────────────────────────
    /// No TLS-RPT record: failures go unreported.
    TlsrptRecordMissing => ("tlsrpt-record-missing", Warning, "RFC 8460 §3"),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code `{name}`")))
    }
}

/// One rule's verdict on one input.
///
/// Serializes exactly as the CLI contract says:
/// `{"code", "severity", "message", "rfc", "fix", "line"}` (`fix` and `line` may be `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Which rule.
    pub code: Code,
    /// How bad; usually [`Code::default_severity`].
    pub severity: Severity,
    /// What is wrong, in plain words, naming the offending value.
    pub message: String,
    /// The RFC section that rules it.
    pub rfc: String,
    /// The concrete change to make, if there is something to change.
    pub fix: Option<String>,
    /// The 1-based line of the input it concerns (policy files), if any.
    pub line: Option<u32>,
}

impl Finding {
    /// A finding with the code's default severity and RFC section.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.default_severity(),
            message: message.into(),
            rfc: code.rfc().to_owned(),
            fix: None,
            line: None,
        }
    }

    /// Adds the concrete fix.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Ties the finding to a 1-based line of the input.
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// Overrides the default severity where the context makes a breach worse or milder.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// True for `error` findings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True when none of `findings` is an error: the contract's `valid`.
pub fn all_valid(findings: &[Finding]) -> bool {
    !findings.iter().any(Finding::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code name {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name} is not kebab-case"
            );
            assert!(code.rfc().starts_with("RFC "), "{name} has no RFC section");
            assert_eq!(Code::from_name(name), Some(code));
        }
    }

    #[test]
    fn finding_serializes_as_the_cli_contract() {
        let f = Finding::new(
            Code::PolicyMaxAgeTooLarge,
            "max_age 99999999 is above 31557600",
        )
        .with_fix("Set max_age: 604800")
        .at_line(3);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "policy-max-age-too-large",
                "severity": "error",
                "message": "max_age 99999999 is above 31557600",
                "rfc": "RFC 8461 §3.2",
                "fix": "Set max_age: 604800",
                "line": 3
            })
        );
        let back: Finding = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn unknown_code_is_a_clear_error() {
        let err = serde_json::from_str::<Code>("\"no-such-code\"").unwrap_err();
        assert!(err.to_string().contains("no-such-code"));
    }

    #[test]
    fn severity_orders_info_warning_error() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert!(!all_valid(&[Finding::new(Code::PolicyRedirected, "x")]));
        assert!(all_valid(&[Finding::new(Code::PolicyMxUnused, "x")]));
    }
}
