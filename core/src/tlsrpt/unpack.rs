//! Finding the report JSON inside whatever a mail admin has: a `.json`, a `.json.gz`, a `.zip` of
//! several of those, the report email itself (`.eml`), or a whole mailbox (`.mbox`).
//!
//! The format is recognised by content, never by file name: reporters name attachments
//! inconsistently and users rename files. gzip and zip are decompressed as streams that stop at
//! [`Limits::max_report_bytes`], so a bomb costs at most that much memory and time before it is
//! refused; archives may hold at most [`Limits::max_archive_entries`] entries and nest at most
//! [`Limits::max_depth`] levels. Every problem is reported for the one item it concerns, named by
//! its location (`reports.zip > google.json.gz`), and the other items are still unpacked.
//!
//! Nesting depth counts extractions: the decompressed content of a gzip, an entry of a zip, or a
//! message attached to a message is one level deeper than its container. Splitting an mbox into
//! messages and decoding a MIME part (base64, quoted-printable) are framing, not extraction, so
//! `inbox.mbox > message 3 > report.json.gz` is at depth 1 and `reports.zip > a.json.gz` at 2.

use super::email;
use super::gzip::Inflater;
use std::io::{Cursor, Read};

/// Caps that keep a hostile input from exhausting memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest report JSON, and largest output of any one decompression, in bytes.
    pub max_report_bytes: usize,
    /// Most entries a zip archive may hold.
    pub max_archive_entries: usize,
    /// Most extraction levels (gzip, zip entry, attached message) around a report.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 20 MiB per report, 10,000 entries per archive, nesting depth 2. Real reports are a few
    /// KiB; the largest seen from big senders are well under 1 MiB.
    fn default() -> Self {
        Limits {
            max_report_bytes: 20 * 1024 * 1024,
            max_archive_entries: 10_000,
            max_depth: 2,
        }
    }
}

/// Why an input, or one item inside it, could not be unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnpackError {
    /// Nothing at all.
    #[error("empty input")]
    Empty,
    /// Not JSON, gzip, zip, an email or an mbox.
    #[error("not a TLS-RPT report: {what} is neither JSON, gzip, zip nor an email ({seen})")]
    Unrecognised {
        /// What was looked at, e.g. "the content" or "the decompressed gzip content".
        what: &'static str,
        /// A description of how it starts.
        seen: String,
    },
    /// The gzip header is invalid.
    #[error("not gzip: {0}")]
    NotGzip(String),
    /// The gzip data is corrupt or truncated.
    #[error("corrupt gzip after {after} decompressed bytes: {reason}")]
    CorruptGzip {
        /// Bytes decompressed before the error.
        after: usize,
        /// The decoder's message.
        reason: String,
    },
    /// The zip archive itself cannot be read (e.g. truncated: no central directory).
    #[error("not a readable zip archive: {0}")]
    Zip(String),
    /// One zip entry cannot be read.
    #[error("cannot read this zip entry: {0}")]
    ZipEntry(String),
    /// A zip archive with no files in it.
    #[error("the zip archive holds no files")]
    EmptyZip,
    /// Decompression would exceed the per-report cap.
    #[error(
        "larger than {} bytes once decompressed (the cap per report); refused as a possible decompression bomb",
        crate::number::count(*limit as u64)
    )]
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A zip archive with too many entries.
    #[error(
        "the zip archive holds {} entries, more than the cap of {}; refused",
        crate::number::count(*entries as u64),
        crate::number::count(*limit as u64)
    )]
    TooManyEntries {
        /// Entries in the archive.
        entries: usize,
        /// The cap.
        limit: usize,
    },
    /// Archives nested deeper than the cap.
    #[error("nested more than {limit} levels deep (archives inside archives); refused")]
    TooDeep {
        /// The cap.
        limit: usize,
    },
    /// Starts like an email but mail-parser found no header.
    #[error("not a readable email: no header fields found")]
    NotEmail,
    /// An email with no report in it.
    #[error("the email holds no TLS-RPT report (its parts: {parts})")]
    NoReportInEmail {
        /// The media types of its parts.
        parts: String,
    },
    /// A MIME part whose transfer encoding is broken.
    #[error("the {encoding} encoding of this attachment is corrupt")]
    CorruptEncoding {
        /// "base64" or "quoted-printable".
        encoding: &'static str,
    },
}

/// A format recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON text (the report itself, or not).
    Json,
    /// gzip (RFC 1952), magic `1f 8b`.
    Gzip,
    /// zip, magic `PK\x03\x04` (or `PK\x05\x06` when empty).
    Zip,
    /// An RFC 5322 message: starts with a header field.
    Email,
    /// An mbox: starts with a `From ` separator line.
    Mbox,
}

/// Recognises the format from the first bytes. `None` when it is none of them.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return Some(Format::Json);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Some(Format::Gzip);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if bytes.starts_with(b"From ") {
        return Some(Format::Mbox);
    }
    // RFC 5322 §2.2: a field name is printable ASCII except ':', followed by ':'.
    let name = bytes
        .iter()
        .take_while(|&&b| (33..=126).contains(&b) && b != b':')
        .count();
    if name > 0 && bytes.get(name) == Some(&b':') {
        return Some(Format::Email);
    }
    None
}

/// Receives what unpacking finds: the JSON documents and the errors, each with its location.
pub(crate) trait Sink {
    /// A JSON document (not yet known to be a report) at `location`.
    fn document(&mut self, location: &str, json: &[u8]);
    /// An item at `location` that could not be unpacked.
    fn error(&mut self, location: &str, error: UnpackError);
}

/// Unpacks `bytes`, named `source`, feeding `sink` one document or error at a time.
pub(crate) fn unpack(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
    inflater: &mut Inflater,
    sink: &mut dyn Sink,
) {
    let mut u = Unpacker {
        limits: *limits,
        inflater,
        sink,
        emitted: 0,
    };
    if bytes.is_empty() {
        u.fail(source, UnpackError::Empty);
    } else {
        u.any(bytes, source, 0, "the content");
    }
}

pub(crate) struct Unpacker<'s> {
    pub(crate) limits: Limits,
    inflater: &'s mut Inflater,
    sink: &'s mut dyn Sink,
    /// Documents and errors emitted so far, so an email can tell whether it held anything.
    pub(crate) emitted: usize,
}

impl Unpacker<'_> {
    pub(crate) fn fail(&mut self, location: &str, error: UnpackError) {
        self.emitted += 1;
        self.sink.error(location, error);
    }

    /// Unpacks content of any format found at `depth`.
    pub(crate) fn any(&mut self, bytes: &[u8], location: &str, depth: usize, what: &'static str) {
        match sniff(bytes) {
            Some(Format::Json) => self.json(bytes, location),
            Some(Format::Gzip) => self.gzip(bytes, location, depth),
            Some(Format::Zip) => self.zip(bytes, location, depth),
            Some(Format::Email) => email::unpack_email(self, bytes, location, depth),
            Some(Format::Mbox) => email::unpack_mbox(self, bytes, location, depth),
            None => self.fail(
                location,
                UnpackError::Unrecognised {
                    what,
                    seen: describe(bytes),
                },
            ),
        }
    }

    pub(crate) fn json(&mut self, bytes: &[u8], location: &str) {
        if bytes.len() > self.limits.max_report_bytes {
            return self.fail(
                location,
                UnpackError::TooLarge {
                    limit: self.limits.max_report_bytes,
                },
            );
        }
        self.emitted += 1;
        self.sink.document(location, bytes);
    }

    /// Whether content extracted from something at `depth` would be nested too deep.
    pub(crate) fn too_deep(&mut self, location: &str, depth: usize) -> bool {
        let deep = depth >= self.limits.max_depth;
        if deep {
            self.fail(
                location,
                UnpackError::TooDeep {
                    limit: self.limits.max_depth,
                },
            );
        }
        deep
    }

    fn gzip(&mut self, bytes: &[u8], location: &str, depth: usize) {
        if self.too_deep(location, depth) {
            return;
        }
        let mut scratch = self.inflater.buffer();
        match self
            .inflater
            .gunzip(bytes, self.limits.max_report_bytes, &mut scratch)
        {
            Ok(n) => self.any(
                &scratch[..n],
                location,
                depth + 1,
                "the decompressed gzip content",
            ),
            Err(e) => self.fail(location, e),
        }
        self.inflater.recycle(scratch);
    }

    fn zip(&mut self, bytes: &[u8], location: &str, depth: usize) {
        if self.too_deep(location, depth) {
            return;
        }
        let limit = self.limits.max_report_bytes;
        let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(archive) => archive,
            Err(e) => {
                let reason = match e.to_string() {
                    // The end-of-central-directory record is the zip's last bytes.
                    r if r.contains("EOCD") => {
                        "no end of central directory: the archive is truncated or incomplete".into()
                    }
                    r => r,
                };
                return self.fail(location, UnpackError::Zip(reason));
            }
        };
        let entries = archive.len();
        if entries > self.limits.max_archive_entries {
            let limit = self.limits.max_archive_entries;
            return self.fail(location, UnpackError::TooManyEntries { entries, limit });
        }
        let mut files = 0;
        for index in 0..entries {
            let mut entry = match archive.by_index(index) {
                Ok(entry) => entry,
                Err(e) => {
                    let at = format!("{location} > entry {}", index + 1);
                    self.fail(&at, UnpackError::ZipEntry(e.to_string()));
                    continue;
                }
            };
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
            };
            // Directories hold nothing; __MACOSX/ holds Finder metadata (AppleDouble), never data.
            if entry.is_dir() || name.starts_with("__MACOSX/") {
                continue;
            }
            files += 1;
            let at = format!("{location} > {name}");
            // The declared size may lie, so it only refuses early; the read below is capped.
            if entry.size() > limit as u64 {
                self.fail(&at, UnpackError::TooLarge { limit });
                continue;
            }
            let mut content = Vec::with_capacity(entry.size() as usize);
            let read = (&mut entry)
                .take(limit as u64 + 1)
                .read_to_end(&mut content);
            drop(entry);
            match read {
                // The zip crate stops an entry at its declared size: a header that understates
                // the size is how zip bombs slip past size checks.
                Err(e) if e.to_string().contains("larger than its declared") => {
                    self.fail(&at, UnpackError::ZipEntry(
                        "it inflates to more than its header declares (a sign of a zip bomb); refused".into(),
                    ));
                }
                Err(e) => self.fail(&at, UnpackError::ZipEntry(e.to_string())),
                Ok(_) if content.len() > limit => self.fail(&at, UnpackError::TooLarge { limit }),
                Ok(_) => self.any(&content, &at, depth + 1, "the zip entry"),
            }
        }
        if files == 0 {
            self.fail(location, UnpackError::EmptyZip);
        }
    }
}

/// How content starts, for an error message: the first characters of text, or hex of binary.
fn describe(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(24)];
    let printable = head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    let start = if printable {
        format!("starts with {:?}", String::from_utf8_lossy(head).trim_end())
    } else {
        let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("starts with bytes {}", hex.join(" "))
    };
    if bytes.starts_with(b"<") {
        format!("{start}: XML, perhaps a DMARC aggregate report rather than TLS-RPT")
    } else {
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"  \n{\"policies\":[]}"), Some(Format::Json));
        assert_eq!(sniff(b"\xEF\xBB\xBF{}"), Some(Format::Json));
        assert_eq!(sniff(b"[1]"), Some(Format::Json));
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Some(Format::Gzip));
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(sniff(b"PK\x05\x06"), Some(Format::Zip));
        assert_eq!(
            sniff(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"),
            Some(Format::Mbox)
        );
        assert_eq!(
            sniff(b"Return-Path: <x@example.com>\r\n"),
            Some(Format::Email)
        );
        assert_eq!(
            sniff(b"X-Mox-Reason: no-bad-signals\r\n"),
            Some(Format::Email)
        );
        assert_eq!(sniff(b"<?xml version=\"1.0\"?>"), None);
        assert_eq!(sniff(b": no field name"), None);
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn describes_unrecognised_content() {
        assert_eq!(describe(b"hello"), "starts with \"hello\"");
        assert!(describe(b"<feedback>").contains("DMARC"));
        assert_eq!(describe(&[0, 1, 2, 0xff]), "starts with bytes 00 01 02 ff");
    }
}
