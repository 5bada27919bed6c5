//! Helpers shared by the TLS-RPT integration tests: fixtures, and builders for the containers
//! reports arrive in (gzip, zip, email, mbox), written here so every test says exactly what its
//! input holds.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

/// `tests/fixtures/tlsrpt` at the workspace root.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tlsrpt")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A minimal conforming report; `policies` is inserted verbatim.
pub fn report(org: &str, id: &str, day: &str, policies: &str) -> String {
    format!(
        r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"{day}T00:00:00Z","end-datetime":"{day}T23:59:59Z"}},"contact-info":"tlsrpt@{org}","report-id":"{id}","policies":[{policies}]}}"#
    )
}

/// One sts policy entry for `domain` with the given counts and failure details (verbatim JSON).
pub fn sts_policy(domain: &str, ok: u64, failed: u64, details: &str) -> String {
    format!(
        r#"{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx.{domain}","max_age: 86400"],"policy-domain":"{domain}","mx-host":["mx.{domain}"]}},"summary":{{"total-successful-session-count":{ok},"total-failure-session-count":{failed}}},"failure-details":[{details}]}}"#
    )
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A zip of `(name, content)` entries, deflated; names ending in `/` are directories.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        if name.ends_with('/') {
            w.add_directory(*name, options).unwrap();
        } else {
            w.start_file(*name, options).unwrap();
            w.write_all(content).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n"); // 76-character lines, as RFC 2045 §6.8 requires
        }
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * j) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for &b in bytes {
        let piece = if (33..=126).contains(&b) && b != b'=' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line + piece.len() > 75 {
            out.push_str("=\r\n"); // soft line break
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

/// A `multipart/report; report-type=tlsrpt` email (RFC 8460 §5.3) with a text part and one
/// attachment of `content_type`, encoded `base64` or `quoted-printable`.
pub fn email(
    subject: &str,
    content_type: &str,
    filename: &str,
    encoding: &str,
    content: &[u8],
) -> Vec<u8> {
    let body = match encoding {
        "base64" => base64(content),
        "quoted-printable" => quoted_printable(content),
        other => panic!("unknown encoding {other}"),
    };
    format!(
        "From: noreply-smtp-tls-reporting@sender.example\r\n\
         To: tlsrpt@receiver.example\r\n\
         Subject: {subject}\r\n\
         TLS-Report-Domain: receiver.example\r\n\
         TLS-Report-Submitter: sender.example\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; boundary=\"b1\"; report-type=tlsrpt\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=\"UTF-8\"\r\n\
         \r\n\
         This is an aggregate TLS report from sender.example\r\n\
         From the reporting team.\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: {content_type}; name=\"{filename}\"\r\n\
         Content-Disposition: attachment; filename=\"{filename}\"\r\n\
         Content-Transfer-Encoding: {encoding}\r\n\
         \r\n\
         {body}\r\n\
         --b1--\r\n"
    )
    .into_bytes()
}

/// An mbox (mboxrd): each message after a `From ` line, body lines starting with `From ` quoted.
pub fn mbox(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From noreply@sender.example Thu Jan  2 00:00:00 2025\n");
        let text = String::from_utf8_lossy(m).replace("\r\n", "\n");
        for line in text.split_inclusive('\n') {
            if line.trim_start_matches('>').starts_with("From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line.as_bytes());
        }
        out.extend_from_slice(b"\n");
    }
    out
}
