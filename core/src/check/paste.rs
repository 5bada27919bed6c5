//! A policy fetched by the user and pasted into the checker, for when the browser may not read
//! the policy host (no CORS header) and no relay is configured.
//!
//! The checker offers `curl -sS --max-redirs 0 -D - <policy URL>` ([`curl_command`]), which prints
//! the response head and then the body, or one `curl: (N) ...` line when the fetch failed. People
//! paste all of it, just the body, or the error, so all three are read:
//!
//! - a response head (`HTTP/1.1 200 OK`, `HTTP/2 301`, headers, a blank line): its status,
//!   `Content-Type` and `Location` are used, and the rest is the body;
//! - only a body: taken as served with status 200 and `text/plain`, which the page must say
//!   (the result says whether a head was seen);
//! - a curl error: the failure a sender would meet too (resolution, connection, timeout, TLS).
//!
//! What a paste cannot show: the certificate (curl checked it, or the error says why not) and
//! the exact bytes (a browser's text box turns CRLF into LF), so a pasted policy's hash is not
//! one to compare across checks.

use super::plan::policy_url;
use crate::name::DomainName;
use crate::policy::fetch::BODY_CAP;
use crate::probe::{FailureKind, PolicyProbe, PolicyTls, ProbeFailure};

/// The command that fetches the policy the way a sender does: no redirect followed, the
/// response head printed before the body.
pub fn curl_command(domain: &DomainName) -> String {
    format!("curl -sS --max-redirs 0 -D - {}", policy_url(domain))
}

/// What a paste holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pasted {
    /// A response: with its head (`head_seen`), or only a body taken as `200 text/plain`.
    Response {
        /// The response as the relay would have described it; no certificate facts.
        probe: PolicyProbe,
        /// Whether the status and headers came from the paste.
        head_seen: bool,
    },
    /// curl's error: no response.
    Failure(ProbeFailure),
}

/// Reads pasted text for the policy of `domain`. Empty text reads as an empty body.
pub fn pasted_policy(domain: &DomainName, text: &str) -> Pasted {
    let url = policy_url(domain);
    let trimmed = text.trim_start();
    if let Some(error) = trimmed.strip_prefix("curl: ") {
        return Pasted::Failure(curl_failure(error.lines().next().unwrap_or_default()));
    }
    let mut rest = trimmed;
    let mut head = None;
    // curl prints one head per response; informational ones (100 Continue) and a proxy's
    // "Connection established" come first, so the last head is the policy host's.
    while let Some((parsed, after)) = read_head(rest) {
        head = Some(parsed);
        rest = after;
    }
    let head_seen = head.is_some();
    let head = head.unwrap_or(Head {
        status: 200,
        content_type: Some("text/plain".to_owned()),
        location: None,
    });
    let body = if head_seen { rest } else { text };
    let mut body = body.to_owned();
    if body.len() > BODY_CAP + 1 {
        let mut cut = BODY_CAP + 1;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    Pasted::Response {
        probe: PolicyProbe {
            url,
            status: head.status,
            content_type: head.content_type,
            location: head.location,
            body,
            // The page cannot see a certificate; curl, which printed a response, accepted it.
            tls: PolicyTls {
                version: String::new(),
                certificates: Vec::new(),
                chain_valid: true,
                chain_error: None,
            },
            elapsed_ms: 0,
        },
        head_seen,
    }
}

struct Head {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
}

/// One response head at the start of `text` (`HTTP/x[.y] NNN ...`, header lines, a blank line),
/// and the text after it.
fn read_head(text: &str) -> Option<(Head, &str)> {
    let (status_line, mut rest) = split_line(text)?;
    let mut words = status_line.split_whitespace();
    if !words.next()?.starts_with("HTTP/") {
        return None;
    }
    let status = words.next()?.parse::<u16>().ok()?;
    let mut head = Head {
        status,
        content_type: None,
        location: None,
    };
    loop {
        let Some((line, after)) = split_line(rest) else {
            // The head ran to the end of the paste: no body.
            return Some((head, ""));
        };
        rest = after;
        if line.trim().is_empty() {
            return Some((head, rest));
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim().to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" if head.content_type.is_none() => head.content_type = Some(value),
                "location" if head.location.is_none() => head.location = Some(value),
                _ => {}
            }
        }
    }
}

/// The first line of `text` without its CRLF or LF, and the text after it; `None` when empty.
fn split_line(text: &str) -> Option<(&str, &str)> {
    if text.is_empty() {
        return None;
    }
    let (line, rest) = text.split_once('\n').unwrap_or((text, ""));
    Some((line.strip_suffix('\r').unwrap_or(line), rest))
}

/// curl's `(N) message` as a failure of the kind a sender meets (curl's exit codes).
fn curl_failure(error: &str) -> ProbeFailure {
    let code = error
        .strip_prefix('(')
        .and_then(|e| e.split_once(')'))
        .and_then(|(n, _)| n.parse::<u16>().ok());
    let kind = match code {
        Some(7) => FailureKind::Refused,
        Some(28) => FailureKind::Timeout,
        Some(35 | 51 | 53 | 54 | 58 | 59 | 60 | 66 | 77 | 80 | 83 | 90 | 91) => FailureKind::Tls,
        _ => FailureKind::Network,
    };
    ProbeFailure {
        kind,
        message: format!("curl: {}", error.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::TrailingDot;

    fn domain() -> DomainName {
        DomainName::parse("example.com", TrailingDot::Refuse).unwrap()
    }

    const POLICY: &str = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n";

    fn response(text: &str) -> (PolicyProbe, bool) {
        match pasted_policy(&domain(), text) {
            Pasted::Response { probe, head_seen } => (probe, head_seen),
            Pasted::Failure(f) => panic!("a response was expected, got {f:?}"),
        }
    }

    #[test]
    fn the_command_fetches_like_a_sender() {
        assert_eq!(
            curl_command(&domain()),
            "curl -sS --max-redirs 0 -D - https://mta-sts.example.com/.well-known/mta-sts.txt"
        );
    }

    #[test]
    fn a_body_alone_is_taken_as_served_200_text_plain() {
        let (probe, head_seen) = response(POLICY);
        assert!(!head_seen);
        assert_eq!(probe.status, 200);
        assert_eq!(probe.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            probe.body, POLICY,
            "the body exactly, leading space included"
        );
        assert_eq!(
            probe.url,
            "https://mta-sts.example.com/.well-known/mta-sts.txt"
        );
        assert!(probe.tls.chain_valid && probe.tls.certificates.is_empty());
    }

    #[test]
    fn curl_output_gives_status_type_and_body() {
        let pasted = format!(
            "HTTP/2 200 \r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: 70\r\n\r\n{POLICY}"
        );
        let (probe, head_seen) = response(&pasted);
        assert!(head_seen);
        assert_eq!(probe.status, 200);
        assert_eq!(
            probe.content_type.as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(probe.body, POLICY);
        // A text box turns CRLF into LF; the head reads the same.
        let (lf, _) = response(&pasted.replace("\r\n", "\n"));
        assert_eq!(lf.content_type, probe.content_type);
    }

    #[test]
    fn the_last_head_is_the_policy_hosts() {
        let pasted = "HTTP/1.1 200 Connection established\n\nHTTP/1.1 301 Moved Permanently\nLocation: https://www.example.com/\nContent-Type: text/html\n\n<html>moved</html>";
        let (probe, _) = response(pasted);
        assert_eq!(probe.status, 301);
        assert_eq!(probe.location.as_deref(), Some("https://www.example.com/"));
        assert_eq!(probe.body, "<html>moved</html>");
        let (no_body, _) = response("HTTP/1.1 404 Not Found\nContent-Type: text/plain");
        assert_eq!((no_body.status, no_body.body.as_str()), (404, ""));
    }

    #[test]
    fn curl_errors_are_failures_a_sender_meets_too() {
        let cases = [
            (
                "curl: (6) Could not resolve host: mta-sts.example.com",
                FailureKind::Network,
            ),
            (
                "curl: (7) Failed to connect to mta-sts.example.com port 443",
                FailureKind::Refused,
            ),
            (
                "curl: (28) Connection timed out after 10001 milliseconds",
                FailureKind::Timeout,
            ),
            (
                "curl: (60) SSL certificate problem: certificate has expired\nMore details here",
                FailureKind::Tls,
            ),
        ];
        for (text, kind) in cases {
            match pasted_policy(&domain(), text) {
                Pasted::Failure(f) => {
                    assert_eq!(f.kind, kind, "{text}");
                    assert!(!f.message.contains('\n'), "one line: {}", f.message);
                    assert!(f.message.starts_with("curl: ("), "{}", f.message);
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn oversized_pastes_are_cut_like_a_fetch() {
        let big = "é".repeat(BODY_CAP);
        let (probe, _) = response(&big);
        assert!(probe.body.len() <= BODY_CAP + 1);
        assert!(probe.body.len() > BODY_CAP - 1, "{}", probe.body.len());
    }
}
