//! The MTA-STS policy file (RFC 8461 §3.2) and the rules for fetching it (§3.3).
//!
//! ```text
//! sts-policy-record  = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP)
//!                      [sts-policy-term]
//! sts-policy-field   = version / mode / max_age / mx / extension     ; `key:` *WSP value
//! sts-policy-term    = LF / CRLF
//! ```
//!
//! [`Policy`] is the model: it can only hold what a sender would accept (a mode, a max_age within
//! the limit, at least one valid mx pattern unless the mode is `none`) and renders back to the
//! canonical text the generator emits. The tolerant reader that lints real files, line by line,
//! lives in [`reader`]; the §3.3 response rules in [`fetch`].
//!
//! Decisions where the RFC or the implementations disagree:
//! - Line endings: LF or CRLF, mixed freely (the ABNF; erratum 6253 corrects the prose
//!   "CRLF-separated"). The canonical rendering uses LF, which every parser reads.
//! - Duplicate fields other than `mx`: the first occurrence counts (§3.2 "all entries except for
//!   the first SHALL be ignored"), with a warning.
//! - `max_age`: 1 to 10 digits (the ABNF); a value above 31557600 is an error, not capped
//!   (erratum 7282 notes the two limits; a sender that rejects the policy is the safe reading).

mod error;
pub mod fetch;
pub mod reader;

use crate::pattern::MxPattern;
use crate::record::is_ext_name;
use serde::{Deserialize, Serialize};
use std::fmt;

pub use error::{PolicyError, error_finding};
pub use reader::{Reading, read};

/// The only policy version (§3.2).
pub const POLICY_VERSION: &str = "STSv1";

/// Largest `max_age`: 31557600 seconds, about a year (§3.2).
pub const MAX_AGE_LIMIT: u32 = 31_557_600;

/// Most digits `max_age` may have (§3.2 ABNF: `1*10(DIGIT)`).
pub const MAX_AGE_DIGITS: usize = 10;

/// What a sender does when validation fails (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Do not deliver to MX hosts that fail validation.
    Enforce,
    /// Deliver anyway and report failures (TLS-RPT).
    Testing,
    /// Treat the domain as having no policy (used to remove MTA-STS, §8.3).
    None,
}

impl Mode {
    /// The value as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }

    /// Reads a mode value; case-sensitive like the ABNF (`%s"enforce"`).
    pub fn parse(value: &str) -> Option<Mode> {
        match value {
            "enforce" => Some(Mode::Enforce),
            "testing" => Some(Mode::Testing),
            "none" => Some(Mode::None),
            _ => None,
        }
    }

    /// Whether this mode needs at least one `mx` line (all but `none`).
    pub fn needs_mx(self) -> bool {
        self != Mode::None
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy lifetime in seconds, 0 to [`MAX_AGE_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u32")]
pub struct MaxAge(u32);

impl MaxAge {
    /// A max_age, if `seconds` is at most [`MAX_AGE_LIMIT`].
    pub fn new(seconds: u64) -> Result<MaxAge, PolicyError> {
        match u32::try_from(seconds) {
            Ok(s) if s <= MAX_AGE_LIMIT => Ok(MaxAge(s)),
            _ => Err(PolicyError::MaxAgeTooLarge {
                line: None,
                value: seconds,
            }),
        }
    }

    /// The seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl TryFrom<u64> for MaxAge {
    type Error = PolicyError;
    fn try_from(s: u64) -> Result<Self, Self::Error> {
        MaxAge::new(s)
    }
}

impl From<MaxAge> for u32 {
    fn from(m: MaxAge) -> u32 {
        m.0
    }
}

impl fmt::Display for MaxAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An extension field of a policy: a name under the extension grammar and a value of visible
/// characters (UTF-8 allowed) with single spaces inside and none at the edges (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyExtension {
    name: String,
    value: String,
}

impl PolicyExtension {
    /// An extension field, if the name and value follow the grammar and the name is not one of
    /// the defined fields (in any case).
    pub fn new(name: &str, value: &str) -> Result<PolicyExtension, PolicyError> {
        if ["version", "mode", "max_age", "mx"]
            .iter()
            .any(|d| d.eq_ignore_ascii_case(name))
        {
            return Err(PolicyError::ReservedName {
                name: name.to_owned(),
            });
        }
        PolicyExtension::read(name, value, None)
    }

    /// The grammar check alone (the reader accepts `Mode: x` as an extension, as the ABNF does).
    pub(crate) fn read(name: &str, value: &str, line: Option<u32>) -> Result<Self, PolicyError> {
        if !is_ext_name(name) {
            return Err(PolicyError::ExtensionName {
                line,
                name: name.to_owned(),
            });
        }
        if !is_ext_value(value) {
            return Err(PolicyError::ExtensionValue {
                line,
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
        Ok(PolicyExtension {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }

    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// `sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar]`, where a vchar is visible
/// ASCII or any non-ASCII character (UTF-8 is guaranteed by `&str`).
pub(crate) fn is_ext_value(value: &str) -> bool {
    let vchar = |c: char| ('\x21'..='\x7e').contains(&c) || !c.is_ascii();
    !value.is_empty()
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && value.chars().all(|c| c == ' ' || vchar(c))
}

/// A valid policy: what a sender would apply.
///
/// `Display` (and [`Policy::to_text`]) render the canonical form, which [`Policy::parse`] reads
/// back equal with no finding above `info`:
/// ```text
/// version: STSv1
/// mode: enforce
/// mx: mail.example.com
/// mx: *.example.net
/// max_age: 604800
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy {
    mode: Mode,
    max_age: MaxAge,
    mx: Vec<MxPattern>,
    extensions: Vec<PolicyExtension>,
}

impl Policy {
    /// A policy; `mx` may be empty only when the mode is `none` (§3.2).
    pub fn new(mode: Mode, max_age: MaxAge, mx: Vec<MxPattern>) -> Result<Policy, PolicyError> {
        if mx.is_empty() && mode.needs_mx() {
            return Err(PolicyError::MxMissing { mode });
        }
        Ok(Policy {
            mode,
            max_age,
            mx,
            extensions: Vec::new(),
        })
    }

    /// Adds an extension field (names are unique: a second one would be ignored by senders).
    pub fn with_extension(mut self, ext: PolicyExtension) -> Result<Policy, PolicyError> {
        if self.extensions.iter().any(|e| e.name == ext.name) {
            return Err(PolicyError::DuplicateExtension { name: ext.name });
        }
        self.extensions.push(ext);
        Ok(self)
    }

    /// Built by the reader from checked parts.
    pub(crate) fn from_parts(
        mode: Mode,
        max_age: MaxAge,
        mx: Vec<MxPattern>,
        extensions: Vec<PolicyExtension>,
    ) -> Option<Policy> {
        (!mx.is_empty() || !mode.needs_mx()).then_some(Policy {
            mode,
            max_age,
            mx,
            extensions,
        })
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The max_age.
    pub fn max_age(&self) -> MaxAge {
        self.max_age
    }

    /// The mx patterns, in order.
    pub fn mx(&self) -> &[MxPattern] {
        &self.mx
    }

    /// The extension fields, in order.
    pub fn extensions(&self) -> &[PolicyExtension] {
        &self.extensions
    }

    /// Whether any pattern allows `host` (§4.1).
    pub fn allows(&self, host: &crate::name::DomainName) -> bool {
        self.mx.iter().any(|p| p.matches(host))
    }

    /// Parses policy text strictly: the first error, if any (warnings such as a blank line do not
    /// fail it).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let reading = read(text);
        match (reading.errors.into_iter().next(), reading.policy) {
            (Some(err), _) => Err(err),
            (None, Some(policy)) => Ok(policy),
            (None, None) => Err(PolicyError::Empty),
        }
    }

    /// The canonical text: LF line endings, a final LF, fields in the order of the RFC example.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "version: {POLICY_VERSION}")?;
        writeln!(f, "mode: {}", self.mode)?;
        for mx in &self.mx {
            writeln!(f, "mx: {mx}")?;
        }
        writeln!(f, "max_age: {}", self.max_age)?;
        for ext in &self.extensions {
            writeln!(f, "{}: {}", ext.name, ext.value)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Policy {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mx(s: &str) -> MxPattern {
        MxPattern::parse(s).unwrap()
    }

    #[test]
    fn renders_the_rfc_example_and_reads_it_back() {
        let p = Policy::new(
            Mode::Enforce,
            MaxAge::new(604800).unwrap(),
            vec![
                mx("mail.example.com"),
                mx("*.example.net"),
                mx("backupmx.example.com"),
            ],
        )
        .unwrap();
        let text = p.to_text();
        assert_eq!(
            text,
            "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n"
        );
        assert_eq!(Policy::parse(&text).unwrap(), p);
    }

    #[test]
    fn model_refuses_what_senders_refuse() {
        assert_eq!(MaxAge::new(31_557_600).unwrap().seconds(), 31_557_600);
        assert!(MaxAge::new(31_557_601).is_err());
        assert!(MaxAge::new(u64::MAX).is_err());
        assert_eq!(
            Policy::new(Mode::Testing, MaxAge::new(1).unwrap(), vec![]),
            Err(PolicyError::MxMissing {
                mode: Mode::Testing
            })
        );
        assert!(Policy::new(Mode::None, MaxAge::new(1).unwrap(), vec![]).is_ok());
        assert!(PolicyExtension::new("Mode", "x").is_err());
        assert!(PolicyExtension::new("comment", "café au lait").is_ok());
        for bad in ["", " x", "x ", "a\tb", "a\u{7f}b", "a\0b"] {
            assert!(PolicyExtension::new("comment", bad).is_err(), "{bad:?}");
        }
        let p = Policy::new(Mode::None, MaxAge::new(1).unwrap(), vec![]).unwrap();
        let p = p
            .with_extension(PolicyExtension::new("a", "1").unwrap())
            .unwrap();
        assert!(
            p.with_extension(PolicyExtension::new("a", "2").unwrap())
                .is_err()
        );
    }

    #[test]
    fn mode_is_case_sensitive() {
        assert_eq!(Mode::parse("enforce"), Some(Mode::Enforce));
        assert_eq!(Mode::parse("Enforce"), None);
        assert_eq!(Mode::parse("enforcing"), None);
    }
}
