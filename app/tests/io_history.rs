//! Browser tests for `io::history` against the real localStorage of headless Chromium: what a
//! check stores, what the next one compares with, and clearing.

#![cfg(target_arch = "wasm32")]

use stslens_app::io::history::{self, KEY, PER_DOMAIN};
use stslens_core::Code;
use stslens_core::check::{RecordStatus, Snapshot, compare};
use stslens_core::name::{DomainName, TrailingDot};
use stslens_core::policy::Mode;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn snap(domain: &str, at: i64, id: &str, sha: &str) -> Snapshot {
    Snapshot {
        domain: DomainName::parse(domain, TrailingDot::Refuse).unwrap(),
        checked_at: at,
        sts_status: RecordStatus::Valid,
        id: Some(id.into()),
        policy_sha256: Some(sha.into()),
        mode: Some(Mode::Enforce),
        max_age: Some(604_800),
        mx: vec!["mx.example.com".into()],
    }
}

#[wasm_bindgen_test]
fn a_check_is_compared_with_the_previous_one_of_its_domain() {
    history::clear().unwrap();
    assert_eq!(
        history::record(snap("example.com", 100, "1", "aa")).unwrap(),
        None
    );
    history::record(snap("example.org", 150, "9", "ff")).unwrap();
    let current = snap("example.com", 200, "1", "bb");
    let previous = history::record(current.clone())
        .unwrap()
        .expect("the first check");
    assert_eq!(previous.checked_at, 100);
    let changes = compare(&previous, &current);
    assert_eq!(changes[0].code, Code::PolicyChangedIdUnchanged);

    let recent = history::load().recent(10);
    let domains: Vec<&str> = recent.iter().map(|s| s.domain.as_str()).collect();
    assert_eq!(
        domains,
        ["example.com", "example.org"],
        "latest first, once each"
    );
    history::clear().unwrap();
}

#[wasm_bindgen_test]
fn storage_survives_reloads_and_is_capped() {
    history::clear().unwrap();
    for at in 0..(PER_DOMAIN as i64 + 3) {
        history::record(snap("example.com", at, "1", "aa")).unwrap();
    }
    let stored = history::load();
    assert_eq!(stored.snapshots.len(), PER_DOMAIN);
    let raw = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(KEY)
        .unwrap()
        .expect("stored under its key");
    assert!(raw.contains("\"checked_at\":12"), "{raw}");
    history::clear().unwrap();
    assert!(history::load().snapshots.is_empty());
}

#[wasm_bindgen_test]
fn a_corrupt_history_reads_as_empty() {
    let ls = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    ls.set_item(KEY, "{\"snapshots\": [{\"domain\": 5}]}")
        .unwrap();
    assert!(history::load().snapshots.is_empty());
    // And the next check starts it afresh.
    assert_eq!(
        history::record(snap("example.com", 1, "1", "aa")).unwrap(),
        None
    );
    assert_eq!(history::load().snapshots.len(), 1);
    history::clear().unwrap();
}
