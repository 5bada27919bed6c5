//! Browser tests for `io::storage` against the real localStorage of headless Chromium.
//! Run by `cargo xtask test` (wasm-bindgen-test-runner + chromedriver).

#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

use stslens_app::io::storage::{self, RelayChoice, Settings};

#[wasm_bindgen_test]
fn settings_round_trip_through_local_storage() {
    storage::remove("stslens.settings.v1").unwrap();
    assert_eq!(storage::load_settings(), Settings::default());
    let s = Settings {
        resolver: "https://dns.example/dns-query".into(),
        relay: RelayChoice::Url("https://relay.example".into()),
    };
    storage::save_settings(&s).unwrap();
    assert_eq!(storage::load_settings(), s);
    assert_eq!(s.relay_base().as_deref(), Some("https://relay.example"));
    storage::remove("stslens.settings.v1").unwrap();
}

#[wasm_bindgen_test]
fn corrupt_entries_fall_back_to_defaults() {
    let ls = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    ls.set_item("stslens.settings.v1", "{not json").unwrap();
    assert_eq!(storage::load_settings(), Settings::default());
    ls.set_item(
        "stslens.settings.v1",
        r#"{"resolver":"https://x/dns-query"}"#,
    )
    .unwrap();
    assert_eq!(storage::load_settings().resolver, "https://x/dns-query");
    assert_eq!(storage::load_settings().relay, RelayChoice::SameOrigin);
    storage::remove("stslens.settings.v1").unwrap();
}

#[wasm_bindgen_test]
fn same_origin_relay_is_this_page() {
    let s = Settings::default();
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert_eq!(s.relay_base(), Some(origin));
    let off = Settings {
        relay: RelayChoice::Off,
        ..Settings::default()
    };
    assert_eq!(off.relay_base(), None);
}
