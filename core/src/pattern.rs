//! MX patterns: the values of a policy's `mx` lines (RFC 8461 §3.2) and how they match MX hosts
//! (§4.1).
//!
//! A pattern is either a full hostname (`mail.example.com`) or a wildcard that stands for exactly
//! one whole leftmost label (`*.example.net`). [`MxPattern`] can only be built valid, so everything
//! downstream (the policy model, the generator, the check's coverage rules) can rely on it.

use crate::name::{DomainName, NameError, TrailingDot};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Why a string is not a valid `mx` pattern.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PatternError {
    /// Nothing there.
    #[error("the mx pattern is empty")]
    Empty,
    /// `*` alone: a pattern needs a domain after `*.`.
    #[error(
        "`*` alone is not a pattern; a wildcard must be followed by a domain, as in `*.example.com`"
    )]
    BareWildcard,
    /// `*` used anywhere but as the whole leftmost label (`*mx.example.com`, `mx.*.com`, `*.*.example`).
    #[error(
        "`{pattern}` uses `*` inside or after a label; a wildcard may only be the whole leftmost label (`*.example.com`)"
    )]
    MisplacedWildcard {
        /// The pattern as written.
        pattern: String,
    },
    /// The `.example.com` suffix form of early drafts, which RFC 8461 does not have.
    #[error("`{pattern}` starts with a dot; RFC 8461 has no `.suffix` form, write `*{pattern}`")]
    LeadingDot {
        /// The pattern as written.
        pattern: String,
    },
    /// The domain part is not a valid hostname (A-labels, no trailing dot, not an IP address).
    #[error("`{pattern}` is not a valid mx pattern: {source}")]
    Name {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with its domain part.
        source: NameError,
    },
}

/// One `mx` value of a policy: `[*.]domain`, in lower case, without a trailing dot.
///
/// The domain follows RFC 5321 `Domain` as [`DomainName`] reads it: LDH labels, A-labels for
/// internationalised names (§3.2: "the mx value MUST specify the Punycode-encoded A-label"), no
/// trailing dot, and not an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MxPattern {
    wildcard: bool,
    domain: DomainName,
}

impl MxPattern {
    /// Parses an `mx` value exactly as the §3.2 ABNF writes it (`["*."] Domain`); surrounding
    /// whitespace is the caller's business.
    pub fn parse(input: &str) -> Result<MxPattern, PatternError> {
        if input.is_empty() {
            return Err(PatternError::Empty);
        }
        if input == "*" || input == "*." {
            return Err(PatternError::BareWildcard);
        }
        let (wildcard, rest) = match input.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        if rest.contains('*') {
            return Err(PatternError::MisplacedWildcard {
                pattern: input.to_owned(),
            });
        }
        if !wildcard && rest.starts_with('.') && rest.len() > 1 {
            return Err(PatternError::LeadingDot {
                pattern: input.to_owned(),
            });
        }
        let domain =
            DomainName::parse(rest, TrailingDot::Refuse).map_err(|source| PatternError::Name {
                pattern: input.to_owned(),
                source,
            })?;
        Ok(MxPattern { wildcard, domain })
    }

    /// A pattern for exactly this host.
    pub fn exact(domain: DomainName) -> MxPattern {
        MxPattern {
            wildcard: false,
            domain,
        }
    }

    /// A pattern for any host one label below `parent` (`*.parent`).
    pub fn wildcard(parent: DomainName) -> MxPattern {
        MxPattern {
            wildcard: true,
            domain: parent,
        }
    }

    /// True for `*.` patterns.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The domain after `*.`, or the whole name for exact patterns.
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// True for a wildcard directly over a top-level domain (`*.com`): it allows any host one
    /// label under the TLD, which is almost certainly not what the domain owner meant and defeats
    /// the point of the policy. (Without the public suffix list, `*.co.uk` is not caught.)
    pub fn is_suffix_wide(&self) -> bool {
        self.wildcard && self.domain.label_count() == 1
    }

    /// Whether this pattern allows `host` (§4.1): case-insensitive (both sides are lower-cased
    /// names), and `*` matches exactly one whole leftmost label, so `*.example.com` matches
    /// `mail.example.com` but neither `example.com` nor `a.b.example.com`.
    pub fn matches(&self, host: &DomainName) -> bool {
        if self.wildcard {
            host.parent() == Some(self.domain.as_str())
        } else {
            host == &self.domain
        }
    }

    /// [`matches`](Self::matches) for a host name as text; a trailing dot is ignored, and a string
    /// that is not a valid hostname (an IP address, `*.example.com`, a U-label) matches nothing.
    pub fn matches_host(&self, host: &str) -> bool {
        DomainName::parse(host, TrailingDot::Allow).is_ok_and(|h| self.matches(&h))
    }
}

impl fmt::Display for MxPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wildcard {
            f.write_str("*.")?;
        }
        f.write_str(self.domain.as_str())
    }
}

impl std::str::FromStr for MxPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MxPattern::parse(s)
    }
}

impl TryFrom<String> for MxPattern {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        MxPattern::parse(&s)
    }
}

impl From<MxPattern> for String {
    fn from(p: MxPattern) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> MxPattern {
        MxPattern::parse(s).unwrap()
    }

    #[test]
    fn rfc_4_1_examples() {
        let pat = p("*.example.com");
        assert!(pat.matches_host("mail.example.com"));
        assert!(!pat.matches_host("example.com"));
        assert!(!pat.matches_host("foo.bar.example.com"));
    }

    #[test]
    fn matching_ignores_case_and_the_hosts_root_dot() {
        assert!(p("SMTP.GOOGLE.COM").matches_host("smtp.google.com."));
        assert!(p("*.Example.Net").matches_host("MX1.example.net"));
        assert_eq!(p("Mail.Example.COM").to_string(), "mail.example.com");
    }

    #[test]
    fn invalid_hosts_match_nothing() {
        let pat = p("*.example.com");
        for host in [
            "*.example.com",
            "",
            "192.0.2.1",
            "mx.bücher.example.com",
            "a..example.com",
        ] {
            assert!(!pat.matches_host(host), "{host}");
        }
    }

    #[test]
    fn refuses_what_the_abnf_refuses() {
        assert_eq!(MxPattern::parse(""), Err(PatternError::Empty));
        assert_eq!(MxPattern::parse("*"), Err(PatternError::BareWildcard));
        for s in [
            "*mx.example.com",
            "mx.*.com",
            "*.*.example",
            "**.example",
            "mx.*ple.com",
        ] {
            assert!(
                matches!(
                    MxPattern::parse(s),
                    Err(PatternError::MisplacedWildcard { .. })
                ),
                "{s}"
            );
        }
        assert!(matches!(
            MxPattern::parse(".example.com"),
            Err(PatternError::LeadingDot { .. })
        ));
        for (s, want) in [
            (".", NameError::TrailingDot),
            ("mx.example.com.", NameError::TrailingDot),
            ("møx.example", NameError::NotAscii),
        ] {
            match MxPattern::parse(s) {
                Err(PatternError::Name { source, .. }) => assert_eq!(source, want, "{s}"),
                other => panic!("{s}: {other:?}"),
            }
        }
        for s in ["127.0.0.1", "*.1.2.3.4", "test.example-", "a_b.example"] {
            assert!(
                matches!(MxPattern::parse(s), Err(PatternError::Name { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn suffix_wide_is_a_wildcard_over_one_label() {
        assert!(p("*.com").is_suffix_wide());
        assert!(p("*.com").matches_host("foo.com"));
        assert!(!p("*.example.com").is_suffix_wide());
        assert!(!p("localhost").is_suffix_wide());
    }

    #[test]
    fn serde_round_trips_through_the_text_form() {
        let json = serde_json::to_string(&p("*.example.net")).unwrap();
        assert_eq!(json, "\"*.example.net\"");
        assert_eq!(
            serde_json::from_str::<MxPattern>(&json).unwrap(),
            p("*.example.net")
        );
        assert!(serde_json::from_str::<MxPattern>("\"*.*.x\"").is_err());
    }
}
