//! The in-browser measurement of the viewer's budget (design §7): 3,000 gzip reports aggregated
//! in headless Chromium, through the code the report worker runs (`io::files::read`, then
//! `engine::session::Session`, yielding every frame), inside a dedicated worker as in the app.
//!
//! It prints the time; it asserts only that the counts are right, never a duration (speed is a
//! measurement, not a pass/fail test). The reports mirror `cargo xtask bench`'s corpus: nine
//! organizations, 40 policy domains, 300 sending IPs, 90 days, a fifth of the policies with
//! failure details, and every 750th report very large (4,000 failure details).
//! The end-to-end figure through the real worker and page is `tests/e2e/reports.test.mjs`.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p stslens-app --target wasm32-unknown-unknown --test reports_bench`

#![cfg(target_arch = "wasm32")]

use std::io::Write;
use stslens_app::engine::session::Session;
use stslens_app::io::files;
use stslens_app::io::yield_now::{FRAME_MS, TimeSlice, now_ms};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const REPORTS: u64 = 3_000;
const LARGE_EVERY: u64 = 750;
const ORGS: [&str; 9] = [
    "Google Inc.",
    "Google Inc.",
    "Microsoft Corporation",
    "Microsoft Corporation",
    "Mail.ru",
    "Yahoo Inc.",
    "Comcast",
    "mx.relay.example",
    "mail.sender.example",
];
const TYPES: [&str; 6] = [
    "certificate-expired",
    "certificate-host-mismatch",
    "starttls-not-supported",
    "sts-policy-fetch-error",
    "validation-failure",
    "tlsa-invalid",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// `(name, gzip bytes)` of every report, and the expected (successful, failed) totals.
fn corpus() -> (Vec<(String, Vec<u8>)>, u64, u64) {
    let mut rng = Rng(0x5EED_7153_0000_0001);
    let (mut ok_total, mut failed_total) = (0, 0);
    let mut out = Vec::new();
    for i in 0..REPORTS {
        let org = ORGS[rng.below(ORGS.len() as u64) as usize];
        let day = 1 + i % 28;
        let mut policies = Vec::new();
        for p in 0..1 + rng.below(3) {
            let domain = format!("customer{:02}.example", rng.below(40));
            let ok = rng.below(5_000) * rng.below(10);
            let wanted = if i % LARGE_EVERY == LARGE_EVERY - 1 && p == 0 {
                4_000
            } else if rng.below(5) == 0 {
                1 + rng.below(6)
            } else {
                0
            };
            let mut failed = 0;
            let details: Vec<String> = (0..wanted)
                .map(|_| {
                    let n = 1 + rng.below(40);
                    failed += n;
                    let ip = rng.below(300);
                    format!(
                        r#"{{"result-type":"{}","sending-mta-ip":"198.51.{}.{}","receiving-mx-hostname":"mx{}.{domain}","receiving-ip":"203.0.113.{}","failed-session-count":{n},"failure-reason-code":"X509_V_ERR_CERT_HAS_EXPIRED"}}"#,
                        TYPES[rng.below(TYPES.len() as u64) as usize], ip / 200, ip % 200 + 1,
                        1 + rng.below(2), 1 + rng.below(250)
                    )
                })
                .collect();
            ok_total += ok;
            failed_total += failed;
            policies.push(format!(
                r#"{{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.{domain}","mx: mx2.{domain}","max_age: 604800"],"policy-domain":"{domain}","mx-host":["mx1.{domain}","mx2.{domain}"]}},"summary":{{"total-successful-session-count":{ok},"total-failure-session-count":{failed}}},"failure-details":[{}]}}"#,
                details.join(",")
            ));
        }
        let json = format!(
            r#"{{"organization-name":"{org}","date-range":{{"start-datetime":"2025-02-{day:02}T00:00:00Z","end-datetime":"2025-02-{day:02}T23:59:59Z"}},"contact-info":"tlsrpt@example.com","report-id":"r{i:05}","policies":[{}]}}"#,
            policies.join(",")
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(json.as_bytes()).unwrap();
        out.push((format!("{i:05}.json.gz"), gz.finish().unwrap()));
    }
    (out, ok_total, failed_total)
}

#[wasm_bindgen_test]
async fn three_thousand_gzip_reports() {
    let (reports, ok, failed) = corpus();
    let bytes: usize = reports.iter().map(|(_, b)| b.len()).sum();
    let files: Vec<web_sys::File> = reports
        .iter()
        .map(|(n, b)| files::file_from_bytes(b, n))
        .collect();
    drop(reports);

    let mut session = Session::new();
    let mut slice = TimeSlice::new(FRAME_MS);
    let (mut yields, mut longest, mut since) = (0, 0.0f64, now_ms());
    let start = now_ms();
    for file in &files {
        let data = files::read(file).await.unwrap();
        slice.restart();
        session.add(&file.name(), &data);
        longest = longest.max(now_ms() - since);
        if slice.maybe_yield().await {
            yields += 1;
        }
        since = now_ms();
    }
    let read = now_ms() - start;
    let (counts, html) = session.results();
    let total = now_ms() - start;

    let summary = session.summary();
    assert_eq!((counts.reports, counts.shown), (REPORTS, REPORTS));
    assert_eq!(counts.unreadable, 0);
    assert_eq!(
        (
            summary.totals.successful_sessions,
            summary.totals.failed_sessions
        ),
        (ok, failed)
    );
    assert!(html.contains("By sending IP"));
    console_log!(
        "reports_bench: {REPORTS} gzip reports ({:.1} MB gzip): read and aggregated in {read:.0} ms, \
         with the results rendered {total:.0} ms; longest step between two turns of the event loop \
         {longest:.1} ms; {yields} yields",
        bytes as f64 / 1e6
    );
}
