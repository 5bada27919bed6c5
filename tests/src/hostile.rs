//! A hostile set of TLS-RPT inputs: many good reports in every container the viewer and
//! `stslens report` accept, mixed with corrupt, truncated, oversized and mislabelled files.
//!
//! The set is deterministic (same files, same bytes for the same arguments), and [`Manifest`]
//! says what a correct reader must conclude: how many distinct reports and sessions the good files
//! hold, and which files must each be listed as unreadable. Good files are sometimes named for
//! the wrong container too (a gzip called `.json`), because readers must sniff content, not trust
//! names; only files that hold no readable report are bad.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;

/// What a correct reader concludes from the set.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Every file name written, good and bad, in order.
    pub files: Vec<String>,
    /// Files holding exactly one valid report each.
    pub good: Vec<String>,
    /// Files that must be listed as unreadable, with the kind of damage done to them.
    pub bad: Vec<(String, Damage)>,
    /// Sum of `total-successful-session-count` over the good reports.
    pub successful: u64,
    /// Sum of `total-failure-session-count` over the good reports.
    pub failed: u64,
    /// Total bytes written.
    pub bytes: u64,
}

/// How a bad file is damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// Bytes flipped inside a compressed stream.
    Corrupt,
    /// Cut short: gzip, zip or JSON.
    Truncated,
    /// Decompresses past the 20 MiB per-report cap (a compression bomb).
    Oversized,
    /// Named like a report but holding something else (DMARC XML, an image, HTML, a mail
    /// without a report).
    Mislabelled,
}

impl Damage {
    const ALL: [Damage; 4] = [
        Damage::Corrupt,
        Damage::Truncated,
        Damage::Oversized,
        Damage::Mislabelled,
    ];
}

/// Writes `total` files into `dir` (which must exist), one in ten of them bad (the four kinds of
/// damage in turn), and returns what a correct reader concludes.
pub fn write_set(dir: &Path, total: usize) -> std::io::Result<Manifest> {
    let mut manifest = Manifest::default();
    for i in 0..total {
        let (name, bytes) = if i % 10 == 9 {
            let damage = Damage::ALL[(i / 10) % Damage::ALL.len()];
            let (name, bytes) = bad_file(i, damage);
            manifest.bad.push((name.clone(), damage));
            (name, bytes)
        } else {
            let (successful, failed) = sessions(i);
            manifest.successful += successful;
            manifest.failed += failed;
            let (name, bytes) = good_file(i);
            manifest.good.push(name.clone());
            (name, bytes)
        };
        std::fs::write(dir.join(&name), &bytes)?;
        manifest.bytes += bytes.len() as u64;
        manifest.files.push(name);
    }
    Ok(manifest)
}

/// The session counts of report `i`.
fn sessions(i: usize) -> (u64, u64) {
    let i = i as u64;
    (1_000 + (i * 7919) % 50_000, (i * 31) % 17)
}

/// A valid RFC 8460 report, unique by its report-id.
fn report_json(i: usize) -> String {
    let (successful, failed) = sessions(i);
    let day = 1 + i % 28;
    let org = [
        "Google Inc.",
        "Microsoft Corporation",
        "Mail.Ru",
        "Example Reporter",
    ][i % 4];
    let failures = if failed > 0 {
        format!(
            r#","failure-details":[{{"result-type":"certificate-expired","sending-mta-ip":"198.51.100.{}","receiving-mx-hostname":"mx{}.example.com","failed-session-count":{failed}}}]"#,
            i % 250 + 1,
            i % 3
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"2025-03-{day:02}T00:00:00Z","end-datetime":"2025-03-{day:02}T23:59:59Z"}},"contact-info":"tlsrpt@reporter.example","report-id":"hostile-{i:05}","policies":[{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: *.example.com","max_age: 86400"],"policy-domain":"example.com","mx-host":["*.example.com"]}},"summary":{{"total-successful-session-count":{successful},"total-failure-session-count":{failed}}}{failures}}}]}}"#
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

fn zip_of(entry: &str, bytes: &[u8]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.start_file(entry, options).expect("a zip entry");
    writer.write_all(bytes).expect("writing to a Vec");
    writer.finish().expect("writing to a Vec").into_inner()
}

/// A report mail the way Google sends one: multipart, the report gzipped and base64-encoded.
fn eml_of(i: usize, attachment_name: &str, attachment: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(attachment);
    let mut wrapped = String::new();
    for line in encoded.as_bytes().chunks(76) {
        wrapped.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        wrapped.push_str("\r\n");
    }
    format!(
        "From: noreply-smtp-tls-reporting@reporter.example\r\n\
         To: tlsrpt@example.com\r\n\
         Subject: Report Domain: example.com Submitter: reporter.example Report-ID: <hostile-{i:05}>\r\n\
         TLS-Report-Domain: example.com\r\n\
         TLS-Report-Submitter: reporter.example\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b{i}\"\r\n\
         \r\n\
         --b{i}\r\n\
         Content-Type: text/plain; charset=\"UTF-8\"\r\n\
         \r\n\
         This is an aggregate TLS report from reporter.example\r\n\
         --b{i}\r\n\
         Content-Type: application/tlsrpt+gzip; name=\"{attachment_name}\"\r\n\
         Content-Disposition: attachment; filename=\"{attachment_name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {wrapped}--b{i}--\r\n"
    )
    .into_bytes()
}

/// Good file `i`: the same report in one of five forms, in turn.
fn good_file(i: usize) -> (String, Vec<u8>) {
    let json = report_json(i);
    let stem = format!("reporter.example!example.com!{i:05}");
    match i % 5 {
        0 => (format!("{stem}.json"), json.into_bytes()),
        1 => (format!("{stem}.json.gz"), gzip(json.as_bytes())),
        2 => (
            format!("{stem}.zip"),
            zip_of(&format!("{stem}.json"), json.as_bytes()),
        ),
        3 => (
            format!("{stem}.eml"),
            eml_of(i, &format!("{stem}.json.gz"), &gzip(json.as_bytes())),
        ),
        // Misnamed but fine: a gzip called .json. Readers sniff the magic bytes.
        _ => (format!("{stem}-misnamed.json"), gzip(json.as_bytes())),
    }
}

/// Bad file `i` with `damage`; variants rotate so every container is damaged somewhere.
fn bad_file(i: usize, damage: Damage) -> (String, Vec<u8>) {
    let stem = format!("reporter.example!example.com!{i:05}-bad");
    let json = report_json(i);
    let variant = i / 40;
    match damage {
        Damage::Corrupt => {
            let mut bytes = gzip(json.as_bytes());
            // Inside the deflate data, past the 10-byte header and before the 8-byte trailer:
            // enough flipped bytes that neither the stream nor its CRC can survive.
            let (start, end) = (12, bytes.len() - 10);
            for k in (start..end).step_by(7) {
                bytes[k] ^= 0xA5;
            }
            (format!("{stem}.json.gz"), bytes)
        }
        Damage::Truncated => match variant % 3 {
            0 => {
                let bytes = gzip(json.as_bytes());
                (format!("{stem}.json.gz"), bytes[..bytes.len() / 2].to_vec())
            }
            1 => {
                let bytes = zip_of("report.json", json.as_bytes());
                (format!("{stem}.zip"), bytes[..bytes.len() * 2 / 3].to_vec())
            }
            _ => (
                format!("{stem}.json"),
                json.as_bytes()[..json.len() / 2].to_vec(),
            ),
        },
        Damage::Oversized => {
            // 21 MiB of whitespace then a report: valid JSON, but past the per-report cap. It
            // compresses to about 21 KiB, which is exactly the bomb the cap is for.
            let mut big = vec![b' '; 21 * 1024 * 1024];
            big.extend_from_slice(json.as_bytes());
            let compressed = gzip(&big);
            if variant.is_multiple_of(2) {
                (format!("{stem}.json.gz"), compressed)
            } else {
                (format!("{stem}.zip"), zip_of("report.json", &big))
            }
        }
        Damage::Mislabelled => match variant % 4 {
            0 => (
                format!("{stem}.json.gz"),
                gzip(b"<?xml version=\"1.0\"?><feedback><report_metadata><org_name>x</org_name></report_metadata></feedback>"),
            ),
            1 => (
                format!("{stem}.json"),
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec(),
            ),
            2 => (
                format!("{stem}.zip"),
                b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>".to_vec(),
            ),
            _ => (
                format!("{stem}.eml"),
                b"From: someone@example.org\r\nSubject: lunch?\r\n\r\nNo report here.\r\n".to_vec(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_in_ten_is_bad_and_every_kind_of_damage_appears() {
        let dir = std::env::temp_dir().join(format!("stslens-hostile-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = write_set(&dir, 200).unwrap();
        assert_eq!(manifest.files.len(), 200);
        assert_eq!(manifest.bad.len(), 20);
        assert_eq!(manifest.good.len(), 180);
        for damage in Damage::ALL {
            assert!(manifest.bad.iter().any(|(_, d)| *d == damage), "{damage:?}");
        }
        let again = write_set(&dir, 200).unwrap();
        assert_eq!(again.bytes, manifest.bytes, "the set is deterministic");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
