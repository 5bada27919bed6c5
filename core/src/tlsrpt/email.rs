//! Reports delivered by email (RFC 8460 §5.3) and mailboxes of them.
//!
//! The RFC's form is a `multipart/report; report-type=tlsrpt` message whose report part is
//! `application/tlsrpt+json` or `application/tlsrpt+gzip`, but what arrives varies: a single-part
//! message whose body is the report, `application/gzip` or `application/zip` attachments,
//! quoted-printable instead of base64, reports forwarded as attached messages. So every leaf part
//! is looked at by content: gzip and zip are unpacked, JSON is taken when the part is an
//! attachment or declares a report type, and body text, signatures and images are passed over.
//! A part that declares `application/tlsrpt+*` but holds something else is an error for that part.
//! An email that yields nothing at all is an error for the email, so it cannot go unnoticed.

use super::unpack::{Format, UnpackError, Unpacker, sniff};
use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::{Encoding, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// Unpacks one RFC 5322 message. Its parts stay at `depth`: MIME decoding is framing.
pub(crate) fn unpack_email(u: &mut Unpacker<'_>, bytes: &[u8], location: &str, depth: usize) {
    let Some(message) = MessageParser::default().parse(bytes) else {
        return u.fail(location, UnpackError::NotEmail);
    };
    let before = u.emitted;
    walk(u, &message, location, depth);
    if u.emitted == before {
        let mut parts: Vec<String> = Vec::new();
        leaf_types(&message, &mut parts);
        let parts = if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        };
        u.fail(location, UnpackError::NoReportInEmail { parts });
    }
}

/// Unpacks an mbox: each message (`From ` line to the next, `>From ` unquoted) is an email.
pub(crate) fn unpack_mbox(u: &mut Unpacker<'_>, bytes: &[u8], location: &str, depth: usize) {
    for (index, message) in MessageIterator::new(bytes).enumerate() {
        let at = format!("{location} > message {}", index + 1);
        match message {
            Ok(message) => unpack_email(u, message.contents(), &at, depth),
            // Reading from memory cannot fail; if it ever did, say so rather than stop silently.
            Err(e) => {
                return u.fail(
                    &at,
                    UnpackError::Unrecognised {
                        what: "the mbox",
                        seen: e.to_string(),
                    },
                );
            }
        }
    }
}

fn walk(u: &mut Unpacker<'_>, message: &Message<'_>, location: &str, depth: usize) {
    for (index, part) in message.parts.iter().enumerate() {
        match &part.body {
            PartType::Multipart(_) => {}
            PartType::Message(attached) => {
                let at = format!("{location} > {}", label(part, index));
                if !u.too_deep(&at, depth) {
                    walk(u, attached, &at, depth + 1);
                }
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                candidate(u, part, bytes, location, index, depth, true);
            }
            PartType::Text(text) | PartType::Html(text) => {
                candidate(u, part, text.as_bytes(), location, index, depth, false);
            }
        }
    }
}

/// Looks at one leaf part: unpacks it if it holds a report, passes over it if it is just text.
fn candidate(
    u: &mut Unpacker<'_>,
    part: &MessagePart<'_>,
    bytes: &[u8],
    location: &str,
    index: usize,
    depth: usize,
    binary: bool,
) {
    let declared = declares_report(part);
    let attachment = part.attachment_name().is_some();
    let at = || format!("{location} > {}", label(part, index));
    // mail-parser turns a part whose base64 or quoted-printable is broken into raw text.
    if part.is_encoding_problem && (declared || attachment || binary) {
        let encoding = match part.content_transfer_encoding() {
            Some(e) if e.eq_ignore_ascii_case("quoted-printable") => "quoted-printable",
            _ if part.encoding == Encoding::QuotedPrintable => "quoted-printable",
            _ => "base64",
        };
        return u.fail(&at(), UnpackError::CorruptEncoding { encoding });
    }
    match sniff(bytes) {
        Some(Format::Json) if binary || declared || attachment => u.json(bytes, &at()),
        Some(Format::Gzip | Format::Zip) => u.any(bytes, &at(), depth, "the attachment"),
        // An .eml or .mbox sent as a file: a message inside a message, one level deeper.
        Some(Format::Email | Format::Mbox) if binary || attachment => {
            let at = at();
            if !u.too_deep(&at, depth) {
                u.any(bytes, &at, depth + 1, "the attachment");
            }
        }
        _ if declared => u.fail(
            &at(),
            UnpackError::Unrecognised {
                what: "this application/tlsrpt part",
                seen: start_of(bytes),
            },
        ),
        // Body text ("This is an aggregate TLS report from ..."), signatures, logos.
        _ => {}
    }
}

/// `application/tlsrpt+json` or `application/tlsrpt+gzip` (RFC 8460 §5.3, §6.4, §6.5).
fn declares_report(part: &MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("application")
            && ct
                .subtype()
                .is_some_and(|s| s.to_ascii_lowercase().starts_with("tlsrpt+"))
    })
}

/// How a part is named in locations: its file name, or its number and media type.
fn label(part: &MessagePart<'_>, index: usize) -> String {
    match part.attachment_name() {
        Some(name) => name.to_owned(),
        None => format!("part {index} ({})", media_type(part)),
    }
}

fn media_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => "text/plain".to_owned(),
    }
}

fn leaf_types(message: &Message<'_>, out: &mut Vec<String>) {
    for part in &message.parts {
        match &part.body {
            PartType::Multipart(_) => {}
            PartType::Message(attached) => leaf_types(attached, out),
            _ => out.push(media_type(part)),
        }
    }
}

fn start_of(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(24)]).into_owned();
    format!("starts with {head:?}")
}
