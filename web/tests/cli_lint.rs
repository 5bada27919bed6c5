//! `stslens lint` and `stslens match` as a user runs them: the built binary, its JSON, its exit
//! codes (0 fine, 1 input has errors, 2 usage or I/O failure).

use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn stslens(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stslens"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the stslens binary runs");
    let input = stdin.unwrap_or_default().to_vec();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn policy_file(name: &str, body: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stslens-cli-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// Keys and value types exactly as the design's contract writes them.
fn assert_contract_shape(v: &Value) {
    let obj = v.as_object().expect("one object");
    let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["findings", "parsed", "valid"]);
    assert!(v["valid"].is_boolean());
    for f in v["findings"].as_array().unwrap() {
        let mut keys: Vec<_> = f.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["code", "fix", "line", "message", "rfc", "severity"]);
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(f["rfc"].as_str().unwrap().starts_with("RFC 846"));
        assert!(f["line"].is_null() || f["line"].is_u64());
    }
}

#[test]
fn valid_policy_file_exits_0_with_the_parsed_policy() {
    let path = policy_file(
        "ok.txt",
        b"version: STSv1\nmode: enforce\nmx: mx1.mail.net\nmx: *.mail.net\nmax_age: 604800\n",
    );
    let out = stslens(&["lint", "policy", path.to_str().unwrap(), "--json"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(
        v,
        json!({"valid": true, "findings": [], "parsed": {"version": "STSv1", "mode": "enforce",
            "max_age": 604800, "mx": ["mx1.mail.net", "*.mail.net"], "extensions": {}}})
    );
}

#[test]
fn policy_with_errors_exits_1_and_still_prints_everything() {
    let path = policy_file(
        "bad.txt",
        b"version: STSv1\nmode: enforcing\nmx: mx1.mail.net\nmax_age: 86401\n\n",
    );
    let out = stslens(&["lint", "policy", path.to_str().unwrap(), "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(v["valid"], json!(false));
    assert_eq!(v["parsed"], json!(null));
    let codes: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].clone(), f["line"].clone()))
        .collect();
    assert_eq!(
        codes,
        [
            (json!("policy-mode-invalid"), json!(2)),
            (json!("policy-blank-line"), json!(5))
        ]
    );
    assert_eq!(
        v["findings"][0]["fix"],
        json!("Change line 2 to `mode: enforce`.")
    );
}

#[test]
fn stdin_is_read_for_dash() {
    let out = stslens(
        &["lint", "policy", "-", "--json"],
        Some(b"version: STSv1\r\nmode: none\r\nmax_age: 0\r\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out)["parsed"]["mode"], json!("none"));
}

#[test]
fn a_missing_file_exits_2_naming_it() {
    let out = stslens(
        &["lint", "policy", "/nonexistent/dir/mta-sts.txt", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/dir/mta-sts.txt"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(stslens(&["lint", "policy"], None).status.code(), Some(2));
    assert_eq!(stslens(&["lint", "nonsense"], None).status.code(), Some(2));
    assert_eq!(
        stslens(&["match", "*.example.com"], None).status.code(),
        Some(2)
    );
}

#[test]
fn sts_record_arguments_are_the_rrset() {
    let out = stslens(
        &[
            "lint",
            "sts-record",
            "v=STSv1; id=20160831085700Z;",
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(
        v["parsed"],
        json!({"version": "STSv1", "id": "20160831085700Z", "extensions": {}})
    );

    let out = stslens(
        &[
            "lint",
            "sts-record",
            "v=STSv1; id=1",
            "v=STSv1; id=2",
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["findings"][0]["code"], json!("sts-record-multiple"));
    assert_eq!(v["parsed"], json!(null));

    // No argument: the record is absent, which is not an error of any record.
    let out = stslens(&["lint", "sts-record", "--json"], None);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(v["findings"][0]["code"], json!("sts-record-missing"));
    assert_eq!(v["parsed"], json!(null));
}

#[test]
fn tlsrpt_record_lint() {
    let out = stslens(
        &[
            "lint",
            "tlsrpt-record",
            "v=TLSRPTv1; rua=mailto:tlsrpt@mail.net,https://r.mail.net/v1",
            "--json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_contract_shape(&v);
    assert_eq!(
        v["parsed"],
        json!({"version": "TLSRPTv1", "rua": ["mailto:tlsrpt@mail.net", "https://r.mail.net/v1"], "extensions": {}})
    );
    let out = stslens(&["lint", "tlsrpt-record", "v=TLSRPTv1", "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_of(&out)["findings"][0]["code"],
        json!("tlsrpt-rua-missing")
    );
}

#[test]
fn text_output_is_plain_without_a_terminal() {
    let out = stslens(&["lint", "sts-record", "v=STSv1; id=bad-id"], None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when piped: {text:?}"
    );
    assert!(text.contains("sts-record-id-invalid"), "{text}");
    assert!(text.contains("fix: "), "{text}");
}

#[test]
fn match_exit_codes() {
    let run = |p: &str, h: &str| stslens(&["match", p, h], None).status.code();
    assert_eq!(run("*.example.com", "mail.example.com"), Some(0));
    assert_eq!(run("*.example.com", "MAIL.Example.com."), Some(0));
    assert_eq!(run("*.example.com", "example.com"), Some(1));
    assert_eq!(run("*.example.com", "foo.bar.example.com"), Some(1));
    assert_eq!(run("mail.example.com", "mail.example.com"), Some(0));
    let bad = stslens(&["match", "mx.*.example.com", "mx.a.example.com"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("mx.*.example.com"));
    assert_eq!(run("*.example.com", "192.0.2.1"), Some(2));
}
