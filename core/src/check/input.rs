//! The domain to check, from what a person typed or pasted into the checker's box.
//!
//! People paste what they have at hand: a URL from the address bar, an e-mail address, a host
//! with a port, `dig` output with a trailing dot, capitals. None of these can mean anything but
//! the domain inside it, so the box takes the domain out of them; what remains goes through the
//! same rules as the generator's domain field ([`check_domain`]), whose errors name the value and
//! say what to type. The CLI keeps the strict reading ([`super::parse_domain`]): a script that
//! passes a URL has a bug worth seeing.

use crate::generate::{InputError, check_domain};
use crate::name::DomainName;

/// Reads the domain out of `input`: surrounding whitespace, a URL scheme (`https://`,
/// `mailto:`), everything after the host (path, query, fragment), a local part or userinfo
/// (`postmaster@`) and a port (`:443`) are dropped; the rest must be a mail domain.
///
/// ```
/// use stslens_core::check::domain_from_input;
/// let d = domain_from_input(" https://Example.COM/.well-known/mta-sts.txt ").unwrap();
/// assert_eq!(d.as_str(), "example.com");
/// assert_eq!(domain_from_input("mailto:postmaster@example.org").unwrap().as_str(), "example.org");
/// assert!(domain_from_input("localhost").is_err());
/// ```
pub fn domain_from_input(input: &str) -> Result<DomainName, InputError> {
    check_domain(strip_decoration(input))
}

/// `input` without what cannot be part of a domain name typed on its own.
fn strip_decoration(input: &str) -> &str {
    let mut value = input.trim();
    if let Some((scheme, rest)) = value.split_once("://")
        && is_scheme(scheme)
    {
        value = rest;
    } else if value.len() >= 7 && value[..7].eq_ignore_ascii_case("mailto:") {
        value = &value[7..];
    }
    value = value.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some((_, host)) = value.rsplit_once('@') {
        value = host;
    }
    if let Some((host, port)) = value.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && !host.contains(':')
    {
        value = host;
    }
    value.trim()
}

/// RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Result<String, String> {
        domain_from_input(input)
            .map(|d| d.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn decorations_around_the_domain_are_dropped() {
        for input in [
            "example.com",
            "  Example.COM.  ",
            "https://example.com",
            "HTTPS://example.com/",
            "https://mail.example.com@example.com/path?q=1#frag",
            "http://example.com:8080/x",
            "example.com:25",
            "postmaster@example.com",
            "mailto:Postmaster@Example.com",
            "MAILTO:a@example.com?subject=hi",
            "example.com/.well-known/mta-sts.txt",
        ] {
            assert_eq!(read(input).as_deref(), Ok("example.com"), "{input:?}");
        }
    }

    #[test]
    fn what_remains_follows_the_domain_rules() {
        let err = read("").unwrap_err();
        assert!(err.contains("missing"), "{err}");
        assert!(read("https://").unwrap_err().contains("missing"));
        assert!(read("localhost").unwrap_err().contains("localhost"));
        let policy_host = read("https://mta-sts.example.com/").unwrap_err();
        assert!(policy_host.contains("`example.com`"), "{policy_host}");
        assert!(read("exa mple.com").is_err());
        assert!(read("192.0.2.1").is_err(), "an address is not a domain");
        assert!(read("[2001:db8::1]").is_err());
        assert!(read("example.com:").is_err(), "an empty port is not a port");
    }

    #[test]
    fn only_real_schemes_are_stripped() {
        assert!(is_scheme("https") && is_scheme("svn+ssh") && !is_scheme("1http"));
        assert!(!is_scheme(""));
        // `://` after something that is not a scheme leaves the text to the domain rules.
        assert!(read("exa_mple://example.com").is_err());
    }
}
