//! The unpacker (gzip, zip, email, mbox) and ingestion, on arbitrary bytes, with small caps so a
//! run stays fast: every cap must turn into an error for this input, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stslens_core::tlsrpt::{Ingest, Limits};

fuzz_target!(|data: &[u8]| {
    let mut ingest = Ingest::with_limits(Limits {
        max_report_bytes: 256 * 1024,
        max_archive_entries: 64,
        max_depth: 2,
    });
    let added = ingest.add("fuzz-input", data);
    for error in &added.errors {
        assert!(!error.to_string().is_empty(), "every error says something");
    }
    let _ = ingest.summary();
});
