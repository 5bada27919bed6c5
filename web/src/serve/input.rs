//! What a caller may ask the relay about: one DNS hostname, nothing else.
//!
//! [`parse_query`] takes the raw query string and accepts one hostname: no IP literal in any
//! notation (the shared rules of [`DomainName::parse`]), no port, path or userinfo, no
//! percent-encoding (so that nothing can hide behind a second decoding), at least two labels (a
//! single label would be completed by the resolver's search list into an internal name), and no
//! special-use or private-use top-level name (`localhost`, `local`, `internal`, ...). Refusals
//! never quote the caller's text back, except one escaped character.
//!
//! The one exception is [`Names::AlsoDotTestForTests`]: names under `.test`, which the loopback
//! fakes of the end-to-end tests use. The relay turns it on only together with the test-only
//! loopback allowance (see `relay.rs`), so there is no separate switch that could be left on.

use stslens_core::name::{DomainName, NameError, TrailingDot};
use thiserror::Error;

/// Longest raw query value looked at: a name of 253 characters plus a trailing dot.
const MAX_INPUT: usize = 254;

/// Top-level names that never belong to a public mail host: special-use names (RFC 6761, RFC 7686,
/// RFC 8375 `home.arpa`, `internal` reserved by ICANN in 2024) and private-use names common in
/// corporate DNS (ICANN name-collision list), which a relay inside such a network would resolve to
/// internal hosts.
const REFUSED_TLDS: &[&str] = &[
    "localhost",
    "localdomain",
    "local",
    "internal",
    "intranet",
    "lan",
    "home",
    "corp",
    "private",
    "arpa",
    "onion",
    "invalid",
    "test",
    "example",
];

/// Which names the relay accepts besides public DNS hostnames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// Public hostnames only: every special-use top-level name is refused. Production.
    #[default]
    Public,
    /// Also names under `.test` (RFC 6761 §6.2: reserved for testing, never delegated), where the
    /// loopback fakes live. Only ever chosen by the test-only loopback allowance; every other
    /// special-use name is still refused.
    AlsoDotTestForTests,
}

/// Why a query was refused before any lookup (HTTP 400 `invalid-host`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// The parameter is absent or empty.
    #[error("the `{param}` parameter is missing; send ?{param}=<hostname>")]
    Missing {
        /// The expected parameter.
        param: &'static str,
    },
    /// Another parameter, or the same one twice.
    #[error("only one `{param}` parameter is accepted, and nothing else")]
    UnexpectedParam {
        /// The expected parameter.
        param: &'static str,
    },
    /// `%` or `+` in the query: the relay accepts plain hostnames only.
    #[error(
        "percent-encoding is not accepted; send the hostname in plain letters, digits, hyphens and dots"
    )]
    Encoded,
    /// Longer than any hostname.
    #[error("the value is longer than {MAX_INPUT} characters, the most a hostname can have")]
    TooLong,
    /// `:` in the value: a port or an IPv6 address.
    #[error(
        "a `:` is not accepted: give a hostname without a port (the relay always uses the standard port) and not an IPv6 address"
    )]
    PortOrIpv6,
    /// `@` in the value.
    #[error("userinfo (`@`) is not accepted; give a hostname only")]
    Userinfo,
    /// `/`, `\`, `?` or `#` in the value.
    #[error("a path or URL is not accepted; give a hostname only, e.g. mx1.example.com")]
    Path,
    /// Not a hostname by the shared rules.
    #[error("not a hostname: {0}")]
    Name(String),
    /// A single label, which the resolver would complete with its search domains.
    #[error("a hostname needs at least two labels, e.g. mx1.example.com")]
    SingleLabel,
    /// A special-use or private-use top-level name.
    #[error("names under `.{tld}` are never public mail hosts")]
    SpecialUse {
        /// The top-level label (already validated as letters, digits, hyphens).
        tld: String,
    },
    /// `mta-sts.` plus the domain is longer than a hostname can be.
    #[error("mta-sts.<domain> would be longer than 253 characters")]
    PolicyHostTooLong,
}

/// Reads the only parameter of a relay query from the raw query string and checks it is a public
/// DNS hostname. `raw` is the undecoded query (after `?`).
pub fn parse_query(
    raw: Option<&str>,
    param: &'static str,
    names: Names,
) -> Result<DomainName, InputError> {
    let raw = raw.unwrap_or("");
    let mut value = None;
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((key, v)) if key == param && value.is_none() => value = Some(v),
            _ => return Err(InputError::UnexpectedParam { param }),
        }
    }
    let value = value
        .filter(|v| !v.is_empty())
        .ok_or(InputError::Missing { param })?;
    parse_host(value, names)
}

/// Checks one hostname as the relay accepts it (see the module docs).
pub fn parse_host(value: &str, names: Names) -> Result<DomainName, InputError> {
    if value.len() > MAX_INPUT {
        return Err(InputError::TooLong);
    }
    if value.contains(['%', '+']) {
        return Err(InputError::Encoded);
    }
    if value.contains('@') {
        return Err(InputError::Userinfo);
    }
    if value.contains(['/', '\\', '?', '#']) {
        return Err(InputError::Path);
    }
    if value.contains(':') {
        return Err(InputError::PortOrIpv6);
    }
    let name =
        DomainName::parse(value, TrailingDot::Allow).map_err(|e| InputError::Name(describe(&e)))?;
    if name.label_count() < 2 {
        return Err(InputError::SingleLabel);
    }
    let tld = name.labels().next_back().unwrap_or_default();
    let test_allowed = names == Names::AlsoDotTestForTests && tld == "test";
    if REFUSED_TLDS.contains(&tld) && !test_allowed {
        return Err(InputError::SpecialUse {
            tld: tld.to_owned(),
        });
    }
    Ok(name)
}

/// The host a policy is fetched from: `mta-sts.<domain>` (RFC 8461 §3.3).
pub fn policy_host(domain: &DomainName) -> Result<DomainName, InputError> {
    DomainName::parse(&format!("mta-sts.{domain}"), TrailingDot::Refuse)
        .map_err(|_| InputError::PolicyHostTooLong)
}

/// The shared name rules' verdict, without echoing the caller's text: only a character, escaped.
fn describe(e: &NameError) -> String {
    match e {
        NameError::InvalidChar { ch, .. } => format!(
            "it contains `{}`; only letters, digits, hyphens and dots are allowed",
            ch.escape_default()
        ),
        NameError::LabelTooLong { len, .. } => {
            format!("a label is {len} characters long; at most 63 are allowed")
        }
        NameError::HyphenAtEdge { .. } => "a label starts or ends with a hyphen".to_owned(),
        NameError::LooksLikeIp { .. } | NameError::IpLiteral { .. } => {
            "it is an IP address (in some notation); the relay accepts hostnames only".to_owned()
        }
        // The remaining variants carry no caller text.
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<DomainName, InputError> {
        parse_query(Some(raw), "host", Names::Public)
    }

    #[test]
    fn accepts_one_plain_hostname() {
        assert_eq!(
            parse("host=MX1.Example.com.").unwrap().as_str(),
            "mx1.example.com"
        );
        assert_eq!(
            parse("host=mail.xn--bcher-kva.example.org")
                .unwrap()
                .as_str(),
            "mail.xn--bcher-kva.example.org"
        );
    }

    #[test]
    fn refuses_everything_but_one_hostname() {
        assert_eq!(parse(""), Err(InputError::Missing { param: "host" }));
        assert_eq!(parse("host="), Err(InputError::Missing { param: "host" }));
        assert_eq!(
            parse("domain=example.com"),
            Err(InputError::UnexpectedParam { param: "host" })
        );
        assert_eq!(
            parse("host=a.com&host=b.com"),
            Err(InputError::UnexpectedParam { param: "host" })
        );
        assert_eq!(
            parse("host=a.com&x=1"),
            Err(InputError::UnexpectedParam { param: "host" })
        );
        assert_eq!(
            parse("host"),
            Err(InputError::UnexpectedParam { param: "host" })
        );
        assert_eq!(parse("host=ex%61mple.com"), Err(InputError::Encoded));
        assert_eq!(parse("host=127.0.0.1%2f"), Err(InputError::Encoded));
        assert_eq!(parse("host=a+b.com"), Err(InputError::Encoded));
        assert_eq!(parse("host=example.com:25"), Err(InputError::PortOrIpv6));
        assert_eq!(parse("host=::1"), Err(InputError::PortOrIpv6));
        assert_eq!(parse("host=[::1]"), Err(InputError::PortOrIpv6));
        assert_eq!(parse("host=user@example.com"), Err(InputError::Userinfo));
        assert_eq!(parse("host=example.com/x"), Err(InputError::Path));
        assert_eq!(parse("host=http:"), Err(InputError::PortOrIpv6));
        assert_eq!(parse("host=example.com\\x"), Err(InputError::Path));
        assert_eq!(
            parse(&format!("host={}", "a.".repeat(128))),
            Err(InputError::TooLong)
        );
        assert_eq!(parse("host=mx"), Err(InputError::SingleLabel));
        assert!(matches!(parse("host=a..com"), Err(InputError::Name(_))));
        assert!(matches!(parse("host=-a.com"), Err(InputError::Name(_))));
        assert!(matches!(parse("host=a_b.com"), Err(InputError::Name(_))));
        assert!(matches!(
            parse("host=example.com.."),
            Err(InputError::Name(_))
        ));
    }

    #[test]
    fn refuses_ip_literals_in_every_notation() {
        for v in [
            "127.0.0.1",
            "127.0.0.1.",
            "127.1",
            "2130706433",
            "0x7f000001",
            "0177.0.0.1",
            "0x7f.0.0.1",
            "127.0.0.0x1",
            "169.254.169.254",
            "[127.0.0.1]",
        ] {
            let e = parse(&format!("host={v}")).unwrap_err();
            assert!(
                matches!(e, InputError::Name(_) | InputError::PortOrIpv6),
                "{v}: {e:?}"
            );
            if let InputError::Name(m) = e {
                assert!(m.contains("IP address") || m.contains("`[`"), "{v}: {m}");
            }
        }
    }

    #[test]
    fn refuses_special_use_names() {
        for v in [
            "localhost",
            "a.localhost",
            "printer.local",
            "db.internal",
            "x.home.arpa",
            "1.0.0.127.in-addr.arpa",
            "abc.onion",
            "mx.corp",
            "mx.lan",
        ] {
            assert!(
                matches!(
                    parse(&format!("host={v}")),
                    Err(InputError::SpecialUse { .. } | InputError::SingleLabel)
                ),
                "{v}"
            );
        }
    }

    #[test]
    fn dot_test_names_only_in_test_mode_and_nothing_else_special() {
        assert_eq!(
            parse("host=mx1.healthy.test"),
            Err(InputError::SpecialUse { tld: "test".into() })
        );
        let test = |v: &str| parse_query(Some(v), "host", Names::AlsoDotTestForTests);
        assert_eq!(
            test("host=mx1.healthy.test").unwrap().as_str(),
            "mx1.healthy.test"
        );
        for v in [
            "mx.localhost",
            "db.internal",
            "x.example",
            "a.invalid",
            "x.home.arpa",
        ] {
            assert!(
                matches!(
                    test(&format!("host={v}")),
                    Err(InputError::SpecialUse { .. })
                ),
                "{v}"
            );
        }
        assert_eq!(test("host=test"), Err(InputError::SingleLabel));
        assert!(matches!(test("host=127.0.0.1"), Err(InputError::Name(_))));
    }

    #[test]
    fn messages_never_echo_the_callers_label() {
        let e = parse("host=ab<script>.com").unwrap_err();
        assert!(!e.to_string().contains("script"), "{e}");
        let e = parse(&format!("host={}.com", "x".repeat(70))).unwrap_err();
        assert!(!e.to_string().contains("xxxxx"), "{e}");
    }

    #[test]
    fn policy_host_is_prefixed_and_length_checked() {
        let d = parse_host("example.com", Names::Public).unwrap();
        assert_eq!(policy_host(&d).unwrap().as_str(), "mta-sts.example.com");
        let long = [
            &"a".repeat(63)[..],
            &"b".repeat(63),
            &"c".repeat(63),
            &"d".repeat(55),
        ]
        .join(".");
        let d = parse_host(&long, Names::Public).unwrap();
        assert_eq!(policy_host(&d), Err(InputError::PolicyHostTooLong));
    }
}
