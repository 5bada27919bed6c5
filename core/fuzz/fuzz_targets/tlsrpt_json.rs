//! The lenient TLS-RPT report parser (RFC 8460 §4.4) on arbitrary bytes, and aggregation of
//! whatever it accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stslens_core::tlsrpt::{Aggregator, parse_report};

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = parse_report(data) {
        let _ = report.dedup_key();
        let _ = report.day();
        let mut aggregator = Aggregator::default();
        aggregator.add(&report);
        let summary = aggregator.summary(1, &[]);
        let _ = serde_json::to_string(&summary).expect("a summary serializes");
    }
});
