//! The fetch-response rules of RFC 8461 §3.3, as a pure function over what a fetch observed.
//!
//! The shells (browser `fetch`, the native client, the relay) perform the HTTPS GET of
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` the way a sender does (no redirect followed,
//! at most [`BODY_CAP`] + 1 bytes read) and describe what they saw in a [`FetchResponse`]; this module
//! decides what a compliant sender would make of it.

use crate::finding::{Code, Finding};

/// Senders read at most 64 KiB of policy (RFC 8461 §3.3: "a suggested maximum policy size is 64
/// kilobytes"; mox, postfix-tlspol and Mimecast enforce about that much).
pub const BODY_CAP: usize = 64 * 1024;

/// Where the policy lives on the policy host (RFC 8461 §3.3).
pub const POLICY_PATH: &str = "/.well-known/mta-sts.txt";

/// `mta-sts.<domain>`, the policy host (RFC 8461 §3.3).
pub fn policy_host(domain: &crate::name::DomainName) -> String {
    format!("mta-sts.{domain}")
}

/// `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 §3.3).
pub fn policy_url(domain: &crate::name::DomainName) -> String {
    format!("https://{}{POLICY_PATH}", policy_host(domain))
}

/// What one HTTPS GET of the policy URL observed at the HTTP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    /// The URL that was requested.
    pub url: String,
    /// The HTTP status code of the (first, unfollowed) response.
    pub status: u16,
    /// The `Content-Type` header as sent, if any.
    pub content_type: Option<String>,
    /// The `Location` header as sent, if any (redirects are reported, never followed).
    pub location: Option<String>,
    /// The body bytes read, at most [`BODY_CAP`] + 1 (one more byte proves the cap was exceeded).
    pub body: Vec<u8>,
}

/// What a compliant sender makes of a fetch: the findings about the HTTP layer, and the body to
/// read as a policy when some senders would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchVerdict<'a> {
    /// Findings about status, media type and size, in that order.
    pub findings: Vec<Finding>,
    /// The body to lint as a policy: `None` when no sender would read it (not 200, a redirect,
    /// over the size cap).
    pub body: Option<&'a [u8]>,
}

/// A `Content-Type` value split into its media type (lower case) and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    /// `type/subtype`, lower-cased.
    pub essence: String,
    /// `name=value` parameters, names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl MediaType {
    /// Parses a header value (RFC 9110 §8.3.1): `type "/" subtype *( OWS ";" OWS parameter )`;
    /// `None` when it is not a media type at all.
    pub fn parse(header: &str) -> Option<MediaType> {
        let mut parts = header.split(';');
        let essence = parts.next()?.trim_matches([' ', '\t']);
        let (ty, sub) = essence.split_once('/')?;
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        };
        if !token(ty) || !token(sub) {
            return None;
        }
        let params = parts
            .filter_map(|p| {
                let (name, value) = p.trim_matches([' ', '\t']).split_once('=')?;
                Some((
                    name.trim().to_ascii_lowercase(),
                    value.trim().trim_matches('"').to_owned(),
                ))
            })
            .collect();
        Some(MediaType {
            essence: essence.to_ascii_lowercase(),
            params,
        })
    }

    /// The `charset` parameter, lower-cased, if any.
    pub fn charset(&self) -> Option<String> {
        self.params
            .iter()
            .find(|(n, _)| n == "charset")
            .map(|(_, v)| v.to_ascii_lowercase())
    }
}

/// Applies the rules of RFC 8461 §3.2-§3.3 to what a fetch observed.
///
/// - Status: only 200 makes a policy (§3.3). A 3xx is `policy-redirected` (senders "MUST NOT"
///   follow it), 404/410 `policy-not-found`, anything else `policy-http-status`.
/// - Media type: §3.2 says senders SHOULD check for `text/plain`. Postfix's resolvers
///   (postfix-mta-sts-resolver, postfix-tlspol) and go-mtasts (maddy) reject anything else, while
///   mox and mail-auth ignore it: since real senders reject it, a missing or different type is an
///   error, and the body is still linted (the others read it). `charset=utf-8` or `us-ascii` is
///   fine; any other charset is ignored by senders, who read UTF-8, so it is a warning.
/// - Size: senders read at most 64 KiB (§3.3 suggests the limit, and mox, postfix-tlspol and
///   Mimecast enforce it); a longer body is an error and is not read.
///
/// UTF-8 is checked with the body itself by [`crate::lint::lint_policy`].
pub fn evaluate(response: &FetchResponse) -> FetchVerdict<'_> {
    let mut findings = Vec::new();
    let url = &response.url;
    match response.status {
        200 => {}
        s @ 300..=399 => {
            let target = match &response.location {
                Some(loc) => format!(" to `{loc}`"),
                None => " (without a Location header)".to_owned(),
            };
            findings.push(
                Finding::new(
                    Code::PolicyRedirected,
                    format!("{url} answered {s}, a redirect{target}; senders must not follow redirects (RFC 8461 §3.3), so they find no policy."),
                )
                .with_fix(format!("Serve the policy itself at {url} with status 200; remove the redirect (for example the http→https or apex→www rule) for /.well-known/mta-sts.txt.")),
            );
            return FetchVerdict {
                findings,
                body: None,
            };
        }
        s @ (404 | 410) => {
            findings.push(
                Finding::new(
                    Code::PolicyNotFound,
                    format!("{url} answered {s}: there is no policy file there, so senders ignore the _mta-sts record."),
                )
                .with_fix(format!("Publish the policy at {url} (the path is exactly /.well-known/mta-sts.txt on the host mta-sts.<domain>).")),
            );
            return FetchVerdict {
                findings,
                body: None,
            };
        }
        s => {
            let hint = if (200..300).contains(&s) {
                "only 200 counts (RFC 8461 §3.3)"
            } else {
                "senders only accept 200 (RFC 8461 §3.3)"
            };
            findings.push(
                Finding::new(
                    Code::PolicyHttpStatus,
                    format!("{url} answered {s}; {hint}, so they find no policy."),
                )
                .with_fix(format!(
                    "Make {url} answer 200 with the policy as its body."
                )),
            );
            return FetchVerdict {
                findings,
                body: None,
            };
        }
    }

    match response.content_type.as_deref().map(|ct| (ct, MediaType::parse(ct))) {
        None => findings.push(
            Finding::new(
                Code::PolicyContentType,
                format!("{url} was served without a Content-Type; senders that check it (postfix-mta-sts-resolver, postfix-tlspol, maddy) reject the policy."),
            )
            .with_fix("Serve mta-sts.txt with `Content-Type: text/plain; charset=utf-8`."),
        ),
        Some((ct, Some(mt))) if mt.essence == "text/plain" => {
            if let Some(cs) = mt.charset().filter(|cs| cs != "utf-8" && cs != "us-ascii") {
                findings.push(
                    Finding::new(
                        Code::PolicyCharset,
                        format!("{url} was served as `{ct}`; senders ignore charset `{cs}` (RFC 8461 §3.2 honours only utf-8 and us-ascii) and read the policy as UTF-8."),
                    )
                    .with_fix("Serve it as `text/plain; charset=utf-8`."),
                );
            }
        }
        Some((ct, _)) => findings.push(
            Finding::new(
                Code::PolicyContentType,
                format!("{url} was served as `{ct}`, not `text/plain`; senders that check it as RFC 8461 §3.2 asks (postfix-mta-sts-resolver, postfix-tlspol, maddy) reject the policy, others (mox) read it anyway."),
            )
            .with_fix("Serve mta-sts.txt with `Content-Type: text/plain; charset=utf-8` (in nginx: `default_type text/plain;` in the location block)."),
        ),
    }

    if response.body.len() > BODY_CAP {
        findings.push(
            Finding::new(
                Code::PolicyTooLarge,
                format!("The policy body is over 64 KiB ({} bytes read, more than {BODY_CAP}); senders stop reading at 64 KiB and reject it.", response.body.len()),
            )
            .with_fix("Serve only the policy: a few short lines of `key: value`."),
        );
        return FetchVerdict {
            findings,
            body: None,
        };
    }
    FetchVerdict {
        findings,
        body: Some(&response.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, ct: Option<&str>, body: &[u8]) -> FetchResponse {
        FetchResponse {
            url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
            status,
            content_type: ct.map(str::to_owned),
            location: (status / 100 == 3).then(|| "https://www.example.com/".to_owned()),
            body: body.to_vec(),
        }
    }

    fn codes(r: &FetchResponse) -> Vec<Code> {
        evaluate(r).findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn status_rules() {
        assert!(codes(&resp(200, Some("text/plain"), b"x")).is_empty());
        let r = resp(301, None, b"");
        let v = evaluate(&r);
        assert_eq!(v.findings[0].code, Code::PolicyRedirected);
        assert!(v.findings[0].message.contains("https://www.example.com/"));
        assert!(v.body.is_none());
        assert_eq!(codes(&resp(404, None, b"")), [Code::PolicyNotFound]);
        for s in [202, 204, 403, 500, 502] {
            assert_eq!(
                codes(&resp(s, Some("text/plain"), b"x")),
                [Code::PolicyHttpStatus],
                "{s}"
            );
        }
    }

    #[test]
    fn media_type_rules() {
        for ok in [
            "text/plain",
            "TEXT/PLAIN",
            "TeXT/PlAiN",
            "text/plain;charset=utf-8",
            "text/plain ; charset=UTF-8",
            "text/plain; charset=\"us-ascii\"; x-extra=ignored",
        ] {
            assert!(codes(&resp(200, Some(ok), b"x")).is_empty(), "{ok}");
        }
        for bad in [
            "application/octet-stream",
            "application/octet-stream+text/plain",
            "application/json+text/plain",
            "text/plain+",
            "text/html",
            "",
            "not a media type",
        ] {
            assert_eq!(
                codes(&resp(200, Some(bad), b"x")),
                [Code::PolicyContentType],
                "{bad}"
            );
        }
        assert_eq!(codes(&resp(200, None, b"x")), [Code::PolicyContentType]);
        assert_eq!(
            codes(&resp(200, Some("text/plain; charset=iso-8859-1"), b"x")),
            [Code::PolicyCharset]
        );
        assert!(evaluate(&resp(200, Some("text/html"), b"x")).body.is_some());
    }

    #[test]
    fn size_cap() {
        assert!(
            evaluate(&resp(200, Some("text/plain"), &vec![b'a'; BODY_CAP]))
                .body
                .is_some()
        );
        let r = resp(200, Some("text/plain"), &vec![b'a'; BODY_CAP + 1]);
        let v = evaluate(&r);
        assert_eq!(v.findings[0].code, Code::PolicyTooLarge);
        assert!(v.body.is_none());
    }
}
