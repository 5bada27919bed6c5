//! Unpacking by content: gzip, zip, email, mbox, and every way they can be broken. Each error
//! must name the input and the item inside it, and never stop the other items from counting.

mod reports;

use reports::{email, fixture, gzip, mbox, report, sts_policy, zip};
use stslens_core::tlsrpt::{Ingest, Limits, Summary};

fn one_report(org: &str, id: &str, ok: u64) -> Vec<u8> {
    report(
        org,
        id,
        "2025-01-02",
        &sts_policy("receiver.example", ok, 0, ""),
    )
    .into_bytes()
}

fn failing_report(org: &str, id: &str) -> Vec<u8> {
    let detail = r#"{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.7","receiving-mx-hostname":"mx.receiver.example","failed-session-count":3}"#;
    report(
        org,
        id,
        "2025-01-03",
        &sts_policy("receiver.example", 5, 3, detail),
    )
    .into_bytes()
}

/// Ingests one input and returns the summary and the error lines `source: message`.
fn run(source: &str, bytes: &[u8]) -> (Summary, Vec<String>) {
    let mut ingest = Ingest::new();
    let added = ingest.add(source, bytes);
    let errors: Vec<String> = added.errors.iter().map(ToString::to_string).collect();
    (ingest.summary(), errors)
}

#[test]
fn gzip_is_recognised_by_content_whatever_the_name() {
    let (s, errors) = run("report.txt", &gzip(&one_report("Google Inc.", "g1", 7)));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((s.reports, s.totals.successful_sessions), (1, 7));
}

#[test]
fn a_zip_of_mixed_entries() {
    let eml = email(
        "Report",
        "application/tlsrpt+gzip",
        "ms.json.gz",
        "base64",
        &gzip(&one_report("Microsoft Corporation", "m1", 2)),
    );
    let archive = zip(&[
        ("reports/", b""),
        ("reports/google.json", &one_report("Google Inc.", "g1", 10)),
        (
            "reports/mailru.json.gz",
            &gzip(&failing_report("Mail.ru", "r1")),
        ),
        ("reports/microsoft.eml", &eml),
        (
            "reports/google-again.json",
            &one_report("Google Inc.", "g1", 10),
        ),
        (
            "__MACOSX/reports/._google.json",
            b"\x00\x05\x16\x07 AppleDouble",
        ),
        ("reports/README.txt", b"TLS reports for January"),
    ]);
    let (s, errors) = run("mixed.zip", &archive);
    assert_eq!((s.reports, s.duplicates), (3, 1));
    assert_eq!(s.totals.successful_sessions, 10 + 5 + 2);
    assert_eq!(s.failures_by_result_type["certificate-expired"], 3);
    assert_eq!(
        errors,
        [
            "mixed.zip > reports/README.txt: not a TLS-RPT report: the zip entry is neither JSON, gzip, zip nor an email (starts with \"TLS reports for January\")"
        ]
    );
}

#[test]
fn report_locations_name_the_item_inside_the_input() {
    let archive = zip(&[(
        "a/google.json.gz",
        &gzip(&one_report("Google Inc.", "g1", 1)),
    )]);
    let mut locations = Vec::new();
    Ingest::new().add_with("jan.zip", &archive, |f| {
        locations.push(f.location.to_owned())
    });
    assert_eq!(locations, ["jan.zip > a/google.json.gz"]);

    let eml = fixture("mjl-mox_example.eml");
    let mut locations = Vec::new();
    Ingest::new().add_with("mox.eml", &eml, |f| locations.push(f.location.to_owned()));
    assert_eq!(
        locations,
        ["mox.eml > google.com!test.xmox.nl!1663200000!1663286399!001.json.gz"]
    );
}

#[test]
fn an_mbox_of_several_emails() {
    let messages = vec![
        email(
            "one",
            "application/tlsrpt+gzip",
            "g.json.gz",
            "base64",
            &gzip(&one_report("Google Inc.", "g1", 4)),
        ),
        email(
            "two",
            "application/tlsrpt+json",
            "m.json",
            "quoted-printable",
            &failing_report("Mail.ru", "r1"),
        ),
        fixture("mjl-mox_microsoft.eml"),
        email(
            "dup",
            "application/gzip",
            "g.json.gz",
            "base64",
            &gzip(&one_report("Google Inc.", "g1", 4)),
        ),
        b"From: someone@example.com\r\nSubject: lunch?\r\n\r\nFrom the canteen: pizza.\r\n"
            .to_vec(),
    ];
    let (s, errors) = run("inbox.mbox", &mbox(&messages));
    assert_eq!((s.reports, s.duplicates), (3, 1));
    assert_eq!(s.totals.successful_sessions, 4 + 5 + 2);
    assert_eq!(s.totals.failed_sessions, 3);
    assert_eq!(
        errors,
        ["inbox.mbox > message 5: the email holds no TLS-RPT report (its parts: text/plain)"]
    );
}

#[test]
fn email_attachments_of_every_kind_real_reporters_send() {
    let json = one_report("Google Inc.", "g1", 3);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "tlsrpt+gzip base64",
            email(
                "s",
                "application/tlsrpt+gzip",
                "r.json.gz",
                "base64",
                &gzip(&json),
            ),
        ),
        (
            "tlsrpt+json base64",
            email("s", "application/tlsrpt+json", "r.json", "base64", &json),
        ),
        (
            "tlsrpt+json quoted-printable",
            email(
                "s",
                "application/tlsrpt+json",
                "r.json",
                "quoted-printable",
                &json,
            ),
        ),
        (
            "tlsrpt+gzip quoted-printable",
            email(
                "s",
                "application/tlsrpt+gzip",
                "r.json.gz",
                "quoted-printable",
                &gzip(&json),
            ),
        ),
        (
            "application/gzip",
            email("s", "application/gzip", "r.json.gz", "base64", &gzip(&json)),
        ),
        (
            "application/x-gzip",
            email("s", "application/x-gzip", "r.gz", "base64", &gzip(&json)),
        ),
        (
            "application/zip",
            email(
                "s",
                "application/zip",
                "r.zip",
                "base64",
                &zip(&[("r.json", &json)]),
            ),
        ),
        (
            "application/octet-stream",
            email(
                "s",
                "application/octet-stream",
                "r.bin",
                "base64",
                &gzip(&json),
            ),
        ),
        (
            "application/json",
            email("s", "application/json", "r.json", "base64", &json),
        ),
        (
            "text/plain attachment",
            email("s", "text/plain", "r.json", "quoted-printable", &json),
        ),
    ];
    for (what, bytes) in cases {
        let (s, errors) = run("r.eml", &bytes);
        assert!(errors.is_empty(), "{what}: {errors:?}");
        assert_eq!((s.reports, s.totals.successful_sessions), (1, 3), "{what}");
    }
}

#[test]
fn a_single_part_email_whose_body_is_the_report() {
    let body = reports::base64(&gzip(&one_report("Google Inc.", "g1", 9)));
    let eml = format!(
        "From: tlsrpt@sender.example\r\nSubject: report\r\nMIME-Version: 1.0\r\n\
         Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
    );
    let (s, errors) = run("single.eml", eml.as_bytes());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.totals.successful_sessions, 9);
}

#[test]
fn a_report_email_forwarded_as_an_attached_message() {
    let inner = fixture("mjl-mox_example.eml");
    let outer = format!(
        "From: admin@receiver.example\r\nSubject: Fwd: report\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"out\"\r\n\r\n\
         --out\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --out\r\nContent-Type: message/rfc822\r\n\r\n{}\r\n--out--\r\n",
        String::from_utf8(inner).unwrap()
    );
    let (s, errors) = run("fwd.eml", outer.as_bytes());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.totals.successful_sessions, 3);
}

#[test]
fn a_declared_report_part_that_is_not_a_report() {
    let eml = email(
        "s",
        "application/tlsrpt+gzip",
        "r.json.gz",
        "base64",
        b"this is not gzip at all",
    );
    let (s, errors) = run("bad.eml", &eml);
    assert_eq!(s.reports, 0);
    assert_eq!(
        errors,
        [
            "bad.eml > r.json.gz: not a TLS-RPT report: this application/tlsrpt part is neither JSON, gzip, zip nor an email (starts with \"this is not gzip at all\")"
        ]
    );
}

#[test]
fn broken_base64_in_a_report_part() {
    let good = email(
        "s",
        "application/tlsrpt+gzip",
        "r.json.gz",
        "base64",
        &gzip(&one_report("G", "1", 1)),
    );
    let text = String::from_utf8(good).unwrap();
    let start = text.find("H4sI").unwrap();
    let broken = format!("{}H4s*%$#@!{}", &text[..start], &text[start + 9..]);
    let (s, errors) = run("broken.eml", broken.as_bytes());
    assert_eq!(s.reports, 0);
    assert_eq!(
        errors,
        ["broken.eml > r.json.gz: the base64 encoding of this attachment is corrupt"]
    );
}

#[test]
fn corrupt_gzip() {
    let mut bytes = gzip(&one_report("Google Inc.", "g1", 1));
    let middle = bytes.len() / 2;
    for b in &mut bytes[12..middle] {
        *b ^= 0x55;
    }
    let (s, errors) = run("corrupt.json.gz", &bytes);
    assert_eq!(s.reports, 0);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("corrupt.json.gz: corrupt gzip after "),
        "{}",
        errors[0]
    );
}

#[test]
fn truncated_gzip() {
    let bytes = gzip(&one_report("Google Inc.", "g1", 1));
    let (_, errors) = run("cut.json.gz", &bytes[..bytes.len() - 20]);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("cut.json.gz: corrupt gzip after "),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].ends_with("truncated (unexpected end of data)"),
        "{}",
        errors[0]
    );
}

#[test]
fn gzip_with_a_bad_header() {
    let mut bytes = gzip(b"{}");
    bytes[2] = 7; // compression method: only 8 (deflate) exists
    let (_, errors) = run("odd.gz", &bytes);
    assert_eq!(
        errors,
        ["odd.gz: not gzip: invalid header: compression method 7 (only 8, deflate, exists)"]
    );
}

#[test]
fn truncated_zip() {
    let bytes = zip(&[
        ("a.json", &one_report("Google Inc.", "g1", 1)),
        ("b.json", &one_report("Google Inc.", "g2", 1)),
    ]);
    let (s, errors) = run("cut.zip", &bytes[..bytes.len() / 2]);
    assert_eq!(s.reports, 0);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0],
        "cut.zip: not a readable zip archive: no end of central directory: the archive is truncated or incomplete"
    );
}

#[test]
fn a_corrupt_zip_entry_fails_alone() {
    let good = one_report("Google Inc.", "g1", 1);
    let other = one_report("Google Inc.", "g2", 2);
    let mut bytes = zip(&[("a.json", &good), ("b.json", &other)]);
    // Flip bytes inside the first entry's compressed data (after its 30-byte header and name).
    for b in &mut bytes[40..60] {
        *b ^= 0xff;
    }
    let (s, errors) = run("half.zip", &bytes);
    assert_eq!(s.reports, 1, "{errors:?}");
    assert_eq!(s.totals.successful_sessions, 2);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("half.zip > a.json: "),
        "{}",
        errors[0]
    );
}

#[test]
fn non_json_and_invalid_json() {
    let (_, errors) = run("notes.txt", b"Dear postmaster,\n");
    assert_eq!(
        errors,
        [
            "notes.txt: not a TLS-RPT report: the content is neither JSON, gzip, zip nor an email (starts with \"Dear postmaster,\")"
        ]
    );
    let (_, errors) = run(
        "broken.json",
        br#"{"organization-name": "Google Inc.", "policies": [}"#,
    );
    assert_eq!(
        errors,
        ["broken.json: not JSON: expected value at line 1 column 51"]
    );
    let (_, errors) = run("list.json", b"[1, 2]");
    assert_eq!(
        errors,
        ["list.json: not a TLS-RPT report: the JSON is an array, not an object (RFC 8460 §4.4)"]
    );
    let (_, errors) = run("empty.json", b"");
    assert_eq!(errors, ["empty.json: empty input"]);
    let (_, errors) = run("binary.bin", &[0u8, 159, 146, 150]);
    assert_eq!(
        errors,
        [
            "binary.bin: not a TLS-RPT report: the content is neither JSON, gzip, zip nor an email (starts with bytes 00 9f 92 96)"
        ]
    );
}

#[test]
fn json_missing_policies() {
    let (_, errors) = run(
        "no-policies.json",
        br#"{"organization-name":"Google Inc.","report-id":"x"}"#,
    );
    assert_eq!(
        errors,
        [
            "no-policies.json: not a TLS-RPT report: the JSON object has no \"policies\" array (RFC 8460 §4.4)"
        ]
    );
    let (_, errors) = run("policies-object.json", br#"{"policies":{"policy":{}}}"#);
    assert_eq!(
        errors,
        [
            "policies-object.json: not a TLS-RPT report: \"policies\" is an object, not an array (RFC 8460 §4.4)"
        ]
    );
}

#[test]
fn one_bad_input_among_good_ones() {
    let mut ingest = Ingest::new();
    ingest.add("a.json", &one_report("Google Inc.", "g1", 1));
    let bad = ingest.add("b.json.gz", b"\x1f\x8b\x08\x00garbage");
    ingest.add("c.json", &failing_report("Mail.ru", "r1"));
    ingest.add_unreadable("d.json", "No such file or directory (os error 2)");
    assert_eq!(bad.errors.len(), 1);
    let s = ingest.summary();
    assert_eq!((s.inputs, s.reports), (4, 2));
    assert_eq!(s.totals.successful_sessions, 6);
    let errors: Vec<String> = s.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0].starts_with("b.json.gz: corrupt gzip"),
        "{}",
        errors[0]
    );
    assert_eq!(
        errors[1],
        "d.json: cannot read: No such file or directory (os error 2)"
    );
}

#[test]
fn nesting_deeper_than_two_levels_is_refused() {
    let json = one_report("Google Inc.", "g1", 1);
    // Two levels are fine: gzip inside gzip, gzip inside a zip, a zip inside an email's zip.
    for (what, bytes) in [
        ("gz(gz)", gzip(&gzip(&json))),
        ("zip(gz)", zip(&[("a.json.gz", &gzip(&json))])),
        (
            "eml(zip(gz))",
            email(
                "s",
                "application/zip",
                "r.zip",
                "base64",
                &zip(&[("a.json.gz", &gzip(&json))]),
            ),
        ),
        (
            "mbox(eml(zip(gz)))",
            mbox(&[email(
                "s",
                "application/zip",
                "r.zip",
                "base64",
                &zip(&[("a.json.gz", &gzip(&json))]),
            )]),
        ),
    ] {
        let (s, errors) = run(what, &bytes);
        assert_eq!((s.reports, errors.len()), (1, 0), "{what}: {errors:?}");
    }
    // Three are not.
    let (s, errors) = run("bomb.gz", &gzip(&gzip(&gzip(&json))));
    assert_eq!(s.reports, 0);
    assert_eq!(
        errors,
        ["bomb.gz: nested more than 2 levels deep (archives inside archives); refused"]
    );
    let nested = zip(&[("inner.zip", &zip(&[("a.json.gz", &gzip(&json))]))]);
    let (_, errors) = run("outer.zip", &nested);
    assert_eq!(
        errors,
        [
            "outer.zip > inner.zip > a.json.gz: nested more than 2 levels deep (archives inside archives); refused"
        ]
    );
}

#[test]
fn a_zip_with_more_than_ten_thousand_entries_is_refused() {
    let json = one_report("Google Inc.", "g1", 1);
    let names: Vec<String> = (0..10_001).map(|i| format!("r{i}.json")).collect();
    let entries: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), json.as_slice()))
        .collect();
    let (s, errors) = run("many.zip", &zip(&entries));
    assert_eq!(s.reports, 0);
    assert_eq!(
        errors,
        ["many.zip: the zip archive holds 10,001 entries, more than the cap of 10,000; refused"]
    );
    // At the cap it is read (and every copy after the first is a duplicate).
    let (s, errors) = run("full.zip", &zip(&entries[..10_000]));
    assert_eq!((s.reports, s.duplicates, errors.len()), (1, 9_999, 0));
}

#[test]
fn smaller_limits_can_be_set() {
    let limits = Limits {
        max_report_bytes: 100,
        max_archive_entries: 1,
        max_depth: 1,
    };
    let mut ingest = Ingest::with_limits(limits);
    let big = one_report("Google Inc.", "g1", 1);
    let added = ingest.add("big.json", &big);
    assert_eq!(
        added.errors[0].to_string(),
        "big.json: larger than 100 bytes once decompressed (the cap per report); refused as a possible decompression bomb"
    );
    let added = ingest.add("two.zip", &zip(&[("a", b"{}"), ("b", b"{}")]));
    assert!(
        added.errors[0]
            .to_string()
            .contains("holds 2 entries, more than the cap of 1")
    );
    let added = ingest.add("deep.gz", &gzip(&gzip(b"{}")));
    assert!(
        added.errors[0]
            .to_string()
            .contains("nested more than 1 levels deep")
    );
}

#[test]
fn an_empty_zip_and_an_email_with_nothing_in_it() {
    let (_, errors) = run("empty.zip", &zip(&[("dir/", b"")]));
    assert_eq!(errors, ["empty.zip: the zip archive holds no files"]);
    let (_, errors) = run(
        "hello.eml",
        b"From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n",
    );
    assert_eq!(
        errors,
        ["hello.eml: the email holds no TLS-RPT report (its parts: text/plain)"]
    );
}
