//! The policy file reader (RFC 8461 §3.2) and the §3.3 fetch rules, on arbitrary bytes.
//! Oracle: whatever reads as a valid policy renders to canonical text that reads back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stslens_core::Policy;
use stslens_core::lint::{lint_fetch, lint_policy};
use stslens_core::policy::fetch::FetchResponse;

fuzz_target!(|data: &[u8]| {
    let lint = lint_policy(data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(policy) = Policy::parse(text)
    {
        let again = Policy::parse(&policy.to_text()).expect("canonical text reads back");
        assert_eq!(again, policy, "round trip changed the policy");
    }
    assert_eq!(lint.valid, !lint.findings.iter().any(|f| f.is_error()));
    // The same bytes as the body of a fetch, with a status and content type taken from them.
    let status = data.first().map_or(200, |b| if *b < 200 { 200 } else { 100 + u16::from(*b) });
    let response = FetchResponse {
        url: "https://mta-sts.example.com/.well-known/mta-sts.txt".into(),
        status,
        content_type: data.get(1..8).map(|b| String::from_utf8_lossy(b).into_owned()),
        location: None,
        body: data.to_vec(),
    };
    let _ = lint_fetch(&response);
});
