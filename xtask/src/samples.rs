//! `cargo xtask samples`: writes the viewer's sample reports into `public/samples/`.
//!
//! The samples are synthetic, written here (no third-party data): fictional reporting
//! organizations on reserved `.example` domains, documentation IP addresses (RFC 5737, RFC 3849),
//! and a receiving domain `example.com` with a story an admin would recognise over two weeks of
//! March 2025: a legacy MX still in use but not in the policy (validation failures), an expired
//! certificate on `mx2` for three days, the switch from `testing` to `enforce` with the policy
//! file missing for a day, a certificate with the wrong name, a DANE key rollover on
//! `example.net` that broke the TLSA records, and a sender without STARTTLS.
//!
//! They come in every form the viewer reads: `.json.gz` files (Acme), weekly `.zip` archives
//! (Globex), one `.mbox` (Initech), `.eml` emails with zone-less dates (Hooli), a resent plain
//! `.json` copy (a duplicate), and two inputs that cannot be read (a DMARC report that landed in
//! the TLS-RPT mailbox, a truncated download), so every part of the page has something to show.
//! The output is deterministic; a test checks that the files in the repository are exactly what
//! this writes.

use base64::Engine as _;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// 2025-03-01T00:00:00Z.
const FIRST_DAY: u64 = 1_740_787_200;
const DAYS: u64 = 14;

struct Org {
    name: &'static str,
    domain: &'static str,
    contact: &'static str,
    /// Typical successful sessions per day to example.com.
    volume: u64,
    ips: &'static [&'static str],
    /// Whether it validates DANE (reports the example.net TLSA policy).
    dane: bool,
}

const ORGS: [Org; 4] = [
    Org {
        name: "Acme Mail Inc.",
        domain: "acme-mail.example",
        contact: "tlsrpt@acme-mail.example",
        volume: 5200,
        ips: &["192.0.2.25", "192.0.2.26", "2001:db8:25::1"],
        dane: true,
    },
    Org {
        name: "Globex Mail",
        domain: "globex.example",
        contact: "smtp-tls-reporting@globex.example",
        volume: 1800,
        ips: &["198.51.100.7", "198.51.100.8"],
        dane: true,
    },
    Org {
        name: "Initech Messaging",
        domain: "initech.example",
        contact: "postmaster@initech.example",
        volume: 420,
        ips: &["203.0.113.40"],
        dane: false,
    },
    Org {
        name: "Hooli Mail",
        domain: "hooli.example",
        contact: "tls-reports@hooli.example",
        volume: 150,
        ips: &["203.0.113.90", "2001:db8:90::25"],
        dane: false,
    },
];

/// xorshift64*: the same samples on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn date(day: u64) -> String {
    format!("2025-03-{:02}", day + 1)
}

fn failure(result_type: &str, ip: &str, mx: &str, count: u64, reason: Option<&str>) -> Value {
    let mut d = json!({
        "result-type": result_type,
        "sending-mta-ip": ip,
        "receiving-mx-hostname": mx,
        "failed-session-count": count,
    });
    if let Some(reason) = reason {
        d["failure-reason-code"] = reason.into();
    }
    d
}

/// One organization's report for one day.
fn report(org: &Org, org_index: usize, day: u64, rng: &mut Rng) -> Value {
    let mode = if day < 9 { "testing" } else { "enforce" };
    let ip = |rng: &mut Rng| org.ips[rng.below(org.ips.len() as u64) as usize];
    let mut failures = Vec::new();
    if day < 3 && org_index == 0 {
        let reason = "mx-legacy.example.com does not match any mx pattern of the policy";
        failures.push(failure(
            "validation-failure",
            ip(rng),
            "mx-legacy.example.com",
            14 + rng.below(20),
            Some(reason),
        ));
    }
    if (4..7).contains(&day) {
        let n = org.volume / 25 + rng.below(org.volume / 50 + 1);
        failures.push(failure(
            "certificate-expired",
            ip(rng),
            "mx2.example.com",
            n,
            Some("X509_V_ERR_CERT_HAS_EXPIRED"),
        ));
    }
    if day == 9 && org_index == 1 {
        failures.push(failure(
            "sts-policy-fetch-error",
            ip(rng),
            "mx1.example.com",
            31,
            Some("HTTP 404 for https://mta-sts.example.com/.well-known/mta-sts.txt"),
        ));
    }
    if day == 11 && org_index == 2 {
        failures.push(failure(
            "certificate-host-mismatch",
            ip(rng),
            "mx1.example.com",
            12,
            Some("certificate is for mail.example.org"),
        ));
    }
    if day == 7 && org_index == 3 {
        failures.push(failure(
            "starttls-not-supported",
            ip(rng),
            "mx2.example.com",
            3,
            None,
        ));
    }
    let failed: u64 = failures
        .iter()
        .map(|f| f["failed-session-count"].as_u64().unwrap_or(0))
        .sum();
    let ok = org.volume - org.volume / 10 + rng.below(org.volume / 5);
    let mut sts = json!({
        "policy": {
            "policy-type": "sts",
            "policy-string": ["version: STSv1", format!("mode: {mode}"), "mx: mx1.example.com", "mx: mx2.example.com", "max_age: 604800"],
            "policy-domain": "example.com",
            "mx-host": ["mx1.example.com", "mx2.example.com"],
        },
        "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
    });
    // Reporters leave `failure-details` out when nothing failed.
    if !failures.is_empty() {
        sts["failure-details"] = failures.into();
    }
    let mut policies = vec![sts];
    if org.dane {
        let broken = day >= 12;
        let tlsa_failed = if broken { 15 + rng.below(10) } else { 0 };
        let mut tlsa = json!({
            "policy": {
                "policy-type": "tlsa",
                "policy-string": ["3 1 1 8A1B9E2D4C7F60B3A5E2C1D0F9E8D7C6B5A4938271605F4E3D2C1B0A99887766"],
                "policy-domain": "example.net",
            },
            "summary": {"total-successful-session-count": org.volume / 8 + rng.below(40), "total-failure-session-count": tlsa_failed},
        });
        if broken {
            tlsa["failure-details"] = json!([failure(
                "tlsa-invalid",
                ip(rng),
                "mx.example.net",
                tlsa_failed,
                Some("no TLSA record matches the certificate")
            )]);
        }
        policies.push(tlsa);
    }
    // Hooli writes its dates without a zone, as some real reporters do.
    let zone = if org_index == 3 { "" } else { "Z" };
    json!({
        "organization-name": org.name,
        "date-range": {
            "start-datetime": format!("{}T00:00:00{zone}", date(day)),
            "end-datetime": format!("{}T23:59:59{zone}", date(day)),
        },
        "contact-info": org.contact,
        "report-id": format!("{}_{}_{:03}", date(day), org.domain, 100 + day),
        "policies": policies,
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("writing to memory");
    gz.finish().expect("writing to memory")
}

fn file_stem(org: &Org, day: u64) -> String {
    let start = FIRST_DAY + day * 86_400;
    format!("{}!example.com!{start}!{}", org.domain, start + 86_399)
}

fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let time = zip::DateTime::from_date_and_time(2025, 3, 8, 6, 0, 0).expect("a valid date");
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).expect("zip entry");
        zip.write_all(bytes).expect("writing to memory");
    }
    zip.finish().expect("writing to memory").into_inner()
}

/// An RFC 8460 §5.3 report email with the gzip report attached.
fn email(org: &Org, day: u64, report: &Value, gz: &[u8]) -> String {
    let id = report["report-id"].as_str().unwrap_or_default();
    let send = day + 1;
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        [((FIRST_DAY / 86_400 + send) % 7) as usize];
    let b64 = base64::engine::general_purpose::STANDARD.encode(gz);
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    let boundary = format!("=_tlsrpt_{}_{send}", org.domain);
    format!(
        "From: {contact}\nTo: tls-reports@example.com\nSubject: Report Domain: example.com Submitter: {domain} Report-ID: <{id}>\n\
         Date: {weekday}, {dd:02} Mar 2025 06:{mm:02}:00 +0000\nMessage-ID: <{id}@{domain}>\nTLS-Report-Domain: example.com\n\
         TLS-Report-Submitter: {domain}\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"{boundary}\"\n\n\
         --{boundary}\nContent-Type: text/plain; charset=utf-8\n\nThis is an aggregate TLS report from {domain} for example.com.\n\n\
         --{boundary}\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\
         Content-Disposition: attachment; filename=\"{name}.json.gz\"\n\n{body}\n--{boundary}--\n",
        contact = org.contact,
        domain = org.domain,
        dd = send + 1,
        mm = 10 + send,
        name = file_stem(org, day),
        body = body.join("\n"),
    )
}

/// Every sample file, `(name, bytes)`, in the order the index lists them; the index last.
pub fn generate() -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng(0x5A3B_1E5F_2025_0301);
    let mut files = Vec::new();
    let mut mbox = String::new();
    let mut globex_weeks: [Vec<(String, Vec<u8>)>; 2] = Default::default();
    for day in 0..DAYS {
        for (i, org) in ORGS.iter().enumerate() {
            // Hooli skipped a day, as real reporters sometimes do.
            if i == 3 && day == 6 {
                continue;
            }
            let report = report(org, i, day, &mut rng);
            let json = report.to_string();
            let stem = file_stem(org, day);
            match i {
                0 => {
                    files.push((format!("{stem}.json.gz"), gzip(json.as_bytes())));
                    if day == 2 {
                        files.push((format!("{stem}-resent.json"), json.clone().into_bytes()));
                    }
                }
                1 => globex_weeks[(day / 7) as usize]
                    .push((format!("{stem}.json"), json.into_bytes())),
                2 => {
                    mbox.push_str(&format!("From {} Sat Mar  1 06:00:00 2025\n", org.contact));
                    mbox.push_str(&email(org, day, &report, &gzip(json.as_bytes())));
                    mbox.push('\n');
                }
                _ => files.push((
                    format!("hooli-tlsrpt-{}.eml", date(day)),
                    email(org, day, &report, &gzip(json.as_bytes())).into_bytes(),
                )),
            }
        }
    }
    for (week, entries) in globex_weeks.iter().enumerate() {
        let (from, to) = (date(week as u64 * 7), date(week as u64 * 7 + 6));
        files.push((
            format!("globex-tls-reports-{from}-to-{to}.zip"),
            zip(entries),
        ));
    }
    files.push((
        "initech-messaging-reports.mbox".to_owned(),
        mbox.into_bytes(),
    ));
    let dmarc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n  <report_metadata>\n    \
                 <org_name>acme-mail.example</org_name>\n    <report_id>dmarc-2025-03-05</report_id>\n  \
                 </report_metadata>\n  <policy_published><domain>example.com</domain><p>none</p></policy_published>\n</feedback>\n";
    files.push((
        "acme-mail.example!example.com!dmarc!1741132800.xml.gz".to_owned(),
        gzip(dmarc.as_bytes()),
    ));
    let partial = gzip(report(&ORGS[1], 1, 13, &mut rng).to_string().as_bytes());
    files.push((
        "partial-download.json.gz".to_owned(),
        partial[..partial.len() / 2].to_vec(),
    ));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let index = serde_json::to_string_pretty(&json!({
        "note": "Synthetic TLS-RPT reports for the StsLens viewer, written by `cargo xtask samples`: fictional organizations, reserved example domains, documentation IP addresses. Not real mail traffic.",
        "files": names,
    }))
    .expect("an index of strings");
    files.push(("index.json".to_owned(), format!("{index}\n").into_bytes()));
    files
}

/// Writes the samples into `dir`, replacing what is there.
pub fn write(dir: &Path) -> std::io::Result<usize> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let files = generate();
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_samples_are_what_the_generator_writes() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/samples");
        let files = generate();
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask samples`", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        assert_eq!(on_disk, names, "run `cargo xtask samples`");
        for (name, bytes) in files {
            assert!(
                std::fs::read(dir.join(&name)).unwrap() == bytes,
                "{name} differs: run `cargo xtask samples`"
            );
        }
    }

    #[test]
    fn the_samples_tell_the_story() {
        let files = generate();
        assert!(files.len() > 20);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for suffix in [".json.gz", ".json", ".zip", ".mbox", ".eml", ".xml.gz"] {
            assert!(
                names.iter().any(|n| n.ends_with(suffix)),
                "no {suffix} sample"
            );
        }
        let total: usize = files.iter().map(|(_, b)| b.len()).sum();
        assert!(
            total < 200_000,
            "samples are {total} bytes: keep them light"
        );
    }
}
