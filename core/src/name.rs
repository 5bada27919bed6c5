//! Domain names as MTA-STS uses them: hostnames in RFC 5321 `Domain` form (LDH labels, A-labels for
//! internationalised names), not arbitrary DNS owner names.
//!
//! Several places need the same judgement with slightly different framing: policy `mx` patterns
//! (RFC 8461 §3.2: no trailing dot), hosts being matched (§4.1: a trailing dot is ignored), the domain a
//! user types into the checker, and the relay's input guard (hostnames only, never IP literals). They
//! all go through [`DomainName::parse`] so that the rules cannot drift apart.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Longest presentation-form name without the trailing dot (RFC 1035 §2.3.4: 255 octets on the wire).
pub const MAX_NAME_LEN: usize = 253;
/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// Why a string is not a valid hostname.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NameError {
    /// Nothing there.
    #[error("the name is empty")]
    Empty,
    /// Over 253 characters.
    #[error("the name is {len} characters long; at most 253 are allowed")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Two dots in a row, or a leading dot.
    #[error("the name has an empty label (two dots in a row or a leading dot)")]
    EmptyLabel,
    /// A label over 63 characters.
    #[error("the label `{label}` is {len} characters long; at most 63 are allowed")]
    LabelTooLong {
        /// The label.
        label: String,
        /// Its length.
        len: usize,
    },
    /// A trailing dot where the grammar has none (policy `mx` values, RFC 8461 §3.2).
    #[error("the name ends with a dot")]
    TrailingDot,
    /// Non-ASCII characters: the name must be written with A-labels (`xn--…`).
    #[error(
        "the name contains non-ASCII characters; write internationalised names as A-labels (xn--…)"
    )]
    NotAscii,
    /// A character other than a letter, digit or hyphen.
    #[error("the label `{label}` contains `{ch}`; only letters, digits and hyphens are allowed")]
    InvalidChar {
        /// The label.
        label: String,
        /// The offending character.
        ch: char,
    },
    /// A label that starts or ends with a hyphen.
    #[error("the label `{label}` starts or ends with a hyphen")]
    HyphenAtEdge {
        /// The label.
        label: String,
    },
    /// An all-numeric last label: the string is (or looks like) an IPv4 address, not a hostname.
    #[error("`{name}` looks like an IP address, not a hostname")]
    LooksLikeIp {
        /// The input.
        name: String,
    },
    /// An IPv6 literal or bracketed address literal.
    #[error("`{name}` is an IP address literal, not a hostname")]
    IpLiteral {
        /// The input.
        name: String,
    },
}

/// Whether a trailing dot (the DNS root) is accepted and dropped, or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailingDot {
    /// `mail.example.com.` is read as `mail.example.com` (hosts being matched, user input).
    Allow,
    /// A trailing dot is an error (policy `mx` values).
    Refuse,
}

/// A valid hostname, lower-cased, without a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    /// Parses a hostname: ASCII letters, digits and hyphens in dot-separated labels of 1-63
    /// characters, 253 in all, no hyphen at a label's edge, and a last label that is not a number
    /// (RFC 3696 §2: a TLD is never all-numeric). "A number" is read the way URL parsers and
    /// `inet_aton` read one (WHATWG URL "ends in a number"): all digits, or `0x` followed by hex
    /// digits. That keeps every IPv4 form out, dotted, short (`127.1`), decimal (`2130706433`), octal
    /// (`0177.0.0.1`) and hex (`0x7f000001`, `127.0.0.0x1`), so that no caller can hand a resolver
    /// something it would read as an address.
    pub fn parse(input: &str, trailing_dot: TrailingDot) -> Result<DomainName, NameError> {
        let name = match input.strip_suffix('.') {
            Some(stripped) if trailing_dot == TrailingDot::Allow => stripped,
            Some(_) => return Err(NameError::TrailingDot),
            None => input,
        };
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.contains(':') || name.starts_with('[') {
            return Err(NameError::IpLiteral {
                name: input.to_owned(),
            });
        }
        if !name.is_ascii() {
            return Err(NameError::NotAscii);
        }
        if name.len() > MAX_NAME_LEN {
            return Err(NameError::TooLong { len: name.len() });
        }
        for label in name.split('.') {
            check_label(label)?;
        }
        let last = name.rsplit('.').next().unwrap_or(name);
        if is_number_label(last) {
            return Err(NameError::LooksLikeIp {
                name: input.to_owned(),
            });
        }
        Ok(DomainName(name.to_ascii_lowercase()))
    }

    /// The name as text: lower case, no trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The labels, left to right.
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('.')
    }

    /// Number of labels (`mail.example.com` has 3).
    pub fn label_count(&self) -> usize {
        self.0.split('.').count()
    }

    /// The name without its leftmost label, if it has more than one.
    pub fn parent(&self) -> Option<&str> {
        self.0.split_once('.').map(|(_, rest)| rest)
    }
}

/// A label that an IPv4 parser would take for a number: decimal (octal with a leading 0 is digits
/// too) or `0x`/`0X` followed by hex digits, possibly none (`0x` alone is zero to `inet_aton`).
fn is_number_label(label: &str) -> bool {
    match label
        .strip_prefix("0x")
        .or_else(|| label.strip_prefix("0X"))
    {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => label.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn check_label(label: &str) -> Result<(), NameError> {
    if label.is_empty() {
        return Err(NameError::EmptyLabel);
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(NameError::LabelTooLong {
            label: label.to_owned(),
            len: label.len(),
        });
    }
    if let Some(ch) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(NameError::InvalidChar {
            label: label.to_owned(),
            ch,
        });
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(NameError::HyphenAtEdge {
            label: label.to_owned(),
        });
    }
    Ok(())
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for DomainName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DomainName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DomainName::parse(&s, TrailingDot::Allow)
    }
}

impl From<DomainName> for String {
    fn from(n: DomainName) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        DomainName::parse(s, TrailingDot::Allow)
            .unwrap()
            .to_string()
    }
    fn err(s: &str) -> NameError {
        DomainName::parse(s, TrailingDot::Allow).unwrap_err()
    }

    #[test]
    fn accepts_hostnames_and_normalises_case_and_root_dot() {
        assert_eq!(ok("Mail.Example.COM."), "mail.example.com");
        assert_eq!(ok("xn--bcher-kva.example"), "xn--bcher-kva.example");
        assert_eq!(ok("a-b.c1"), "a-b.c1");
        assert_eq!(ok("localhost"), "localhost");
        // Hex-looking labels are names anywhere but last, and so is a last label that is not hex.
        assert_eq!(ok("0x7f.example.com"), "0x7f.example.com");
        assert_eq!(ok("mail.0xg"), "mail.0xg");
    }

    #[test]
    fn refuses_what_is_not_a_hostname() {
        assert_eq!(err(""), NameError::Empty);
        assert_eq!(err("."), NameError::Empty);
        assert_eq!(err("a..b"), NameError::EmptyLabel);
        assert_eq!(err(".a"), NameError::EmptyLabel);
        assert!(matches!(err("-a.com"), NameError::HyphenAtEdge { .. }));
        assert!(matches!(
            err("a_b.com"),
            NameError::InvalidChar { ch: '_', .. }
        ));
        assert!(matches!(
            err("*.example.com"),
            NameError::InvalidChar { ch: '*', .. }
        ));
        assert!(matches!(
            err("a b.com"),
            NameError::InvalidChar { ch: ' ', .. }
        ));
        assert_eq!(err("bücher.example"), NameError::NotAscii);
        assert!(matches!(
            err(&"a".repeat(64)),
            NameError::LabelTooLong { len: 64, .. }
        ));
        let long = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
        ]
        .join(".");
        assert!(matches!(err(&long), NameError::TooLong { len: 255 }));
    }

    #[test]
    fn refuses_ip_literals_in_every_notation() {
        for s in [
            "127.0.0.1",
            "127.1",
            "10.0.0.1.",
            "2130706433",
            "0177.0.0.1",
            "1.2.3.04",
        ] {
            assert!(matches!(err(s), NameError::LooksLikeIp { .. }), "{s}");
        }
        for s in [
            "0x7f000001",
            "0X7F000001",
            "0x7f.0x0.0x0.0x1",
            "127.0.0.0x1",
            "10.0x",
            "0xA",
        ] {
            assert!(matches!(err(s), NameError::LooksLikeIp { .. }), "{s}");
        }
        for s in ["::1", "[127.0.0.1]", "::ffff:127.0.0.1", "fe80::1%eth0"] {
            assert!(matches!(err(s), NameError::IpLiteral { .. }), "{s}");
        }
    }

    #[test]
    fn trailing_dot_can_be_refused() {
        assert_eq!(
            DomainName::parse("mx.example.com.", TrailingDot::Refuse),
            Err(NameError::TrailingDot)
        );
    }

    #[test]
    fn parent_and_labels() {
        let n = DomainName::parse("mail.example.com", TrailingDot::Refuse).unwrap();
        assert_eq!(n.parent(), Some("example.com"));
        assert_eq!(n.labels().collect::<Vec<_>>(), ["mail", "example", "com"]);
        assert_eq!(n.label_count(), 3);
    }
}
