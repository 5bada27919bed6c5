//! The hostile-input suite, engine side: 1,000 files, one in ten corrupt, truncated, oversized or
//! mislabelled, fed to `core::tlsrpt::Ingest` exactly as the browser viewer feeds it (one file's
//! bytes at a time, then dropped). Every good report must be counted, every bad file listed with
//! a reason that fits its damage, and no good file listed.
//!
//! The CLI side of the same suite is web/tests/cli_hostile.rs.

use stslens_core::tlsrpt::Ingest;
use stslens_e2e::hostile::{Damage, write_set};

#[test]
fn a_thousand_files_with_a_hundred_bad_lose_nothing_good() {
    let dir = std::env::temp_dir().join(format!("stslens-hostile-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = write_set(&dir, 1_000).unwrap();
    assert_eq!((manifest.good.len(), manifest.bad.len()), (900, 100));

    let mut ingest = Ingest::new();
    for name in &manifest.files {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        ingest.add(name, &bytes);
    }
    let summary = ingest.summary();
    assert_eq!(summary.reports, 900, "every good report is counted once");
    assert_eq!(summary.duplicates, 0);
    assert_eq!(summary.totals.successful_sessions, manifest.successful);
    assert_eq!(summary.totals.failed_sessions, manifest.failed);

    let errors = ingest.errors();
    for good in &manifest.good {
        assert!(
            !errors.iter().any(|e| e.source.starts_with(good.as_str())),
            "good file {good} was listed as bad: {:?}",
            errors.iter().find(|e| e.source.starts_with(good.as_str()))
        );
    }
    for (bad, damage) in &manifest.bad {
        let listed: Vec<String> = errors
            .iter()
            .filter(|e| e.source.starts_with(bad.as_str()))
            .map(|e| e.error.to_string())
            .collect();
        assert!(
            !listed.is_empty(),
            "bad file {bad} ({damage:?}) was not listed"
        );
        let reason = listed.join(" | ");
        let fits = match damage {
            Damage::Corrupt => reason.contains("corrupt gzip"),
            Damage::Truncated => {
                reason.contains("corrupt gzip")
                    || reason.contains("zip")
                    || reason.contains("JSON")
                    || reason.contains("json")
            }
            Damage::Oversized => reason.contains("cap per report"),
            Damage::Mislabelled => {
                reason.contains("not a TLS-RPT report")
                    || reason.contains("holds no TLS-RPT report")
                    || reason.contains("zip")
            }
        };
        assert!(
            fits,
            "bad file {bad} ({damage:?}) listed with an unfitting reason: {reason}"
        );
    }
    assert_eq!(
        errors.len(),
        100,
        "one error per bad file: {:#?}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
