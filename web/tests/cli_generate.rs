//! `stslens generate` as a user runs it: the built binary's text and JSON, its exit codes (0 the
//! output lints clean, 2 invalid input naming the argument), and its output fed back into
//! `stslens lint`, which must accept it.
//!
//! Exit 1 (the self-check found an error) cannot be reached from the command line: the core
//! builds only valid values, which the property tests in `core/tests/generate.rs` show.

use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// 2024-03-01 12:00:00 UTC.
const NOW: &str = "1709294400";

fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stslens"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the stslens binary runs");
    let input = stdin.unwrap_or_default().to_vec();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn generate(args: &[&str]) -> Output {
    let mut all = vec!["generate"];
    all.extend_from_slice(args);
    run(&all, &[("SOURCE_DATE_EPOCH", NOW)], None)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

fn sorted_keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

#[test]
fn text_output_is_grouped_and_exits_0() {
    let out = generate(&[
        "--domain",
        "Example.ORG.",
        "--mx",
        "10 mx1.mailhost.net.",
        "--mx",
        "*.mailhost.net",
        "--rua",
        "mailto:tlsrpt@example.org",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("✓ the generated setup for example.org is valid (no findings)"),
        "{text}"
    );
    // The groups, in the order an admin works through them.
    let order = [
        "── Policy file",
        "── DNS records",
        "── Hosting",
        "── Rollout",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|h| text.find(h).unwrap_or_else(|| panic!("{h}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    for needle in [
        "https://mta-sts.example.org/.well-known/mta-sts.txt",
        "    version: STSv1\n    mode: testing\n    mx: mx1.mailhost.net\n    mx: *.mailhost.net\n    max_age: 86400\n",
        "_mta-sts.example.org TXT\n    v=STSv1; id=20240301120000Z\n",
        "_smtp._tls.example.org TXT\n    v=TLSRPTv1; rua=mailto:tlsrpt@example.org\n",
        "_mta-sts.example.org.   IN TXT   \"v=STSv1; id=20240301120000Z\"",
        "server_name mta-sts.example.org;",
        "default_type \"text/plain; charset=utf-8\";",
        "mta-sts.example.org {",
        "_headers:",
        "▶ 4. Test for one to two weeks",
        "Backing out",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // NO_COLOR: plain text only.
    assert!(!text.contains('\x1b'));
}

#[test]
fn warnings_are_shown_and_still_exit_0() {
    let out = generate(&[
        "--domain",
        "example.org",
        "--mx",
        "mx.example.com",
        "--mode",
        "enforce",
        "--max-age",
        "600",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("✓ the generated setup for example.org is valid (3 warnings)"),
        "{text}"
    );
    for code in [
        "warning policy-mx-placeholder line 3",
        "warning policy-max-age-short",
        "warning tlsrpt-rua-assumed",
    ] {
        assert!(text.contains(code), "{code}");
    }
    assert!(text.contains("▶ 5. Enforce, with a new id"));
}

#[test]
fn json_has_the_documented_shape() {
    let out = generate(&[
        "--domain",
        "example.org",
        "--mx",
        "mx1.mailhost.net",
        "--mode",
        "enforce",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json_of(&out);
    assert_eq!(
        sorted_keys(&v),
        [
            "defaulted",
            "dns",
            "domain",
            "findings",
            "hosting",
            "policy",
            "rollout",
            "valid"
        ]
    );
    assert_eq!(v["valid"], json!(true));
    assert_eq!(v["domain"], json!("example.org"));
    assert_eq!(v["defaulted"], json!(["max_age", "rua"]));
    assert_eq!(
        v["policy"],
        json!({
            "url": "https://mta-sts.example.org/.well-known/mta-sts.txt",
            "mode": "enforce",
            "max_age": 604800,
            "mx": ["mx1.mailhost.net"],
            "text": "version: STSv1\nmode: enforce\nmx: mx1.mailhost.net\nmax_age: 604800\n"
        })
    );
    assert_eq!(
        v["dns"]["sts"],
        json!({
            "name": "_mta-sts.example.org",
            "value": "v=STSv1; id=20240301120000Z",
            "zone_line": "_mta-sts.example.org. IN TXT \"v=STSv1; id=20240301120000Z\"",
            "id": "20240301120000Z"
        })
    );
    assert_eq!(
        v["dns"]["tlsrpt"]["rua"],
        json!(["mailto:tls-reports@example.org"])
    );
    assert!(
        v["dns"]["zone"]
            .as_str()
            .unwrap()
            .contains("; mta-sts.example.org.")
    );
    assert_eq!(
        sorted_keys(&v["hosting"]),
        [
            "caddy",
            "certificate",
            "file_path",
            "host",
            "nginx",
            "static_site",
            "verify"
        ]
    );
    let rollout = v["rollout"].as_array().unwrap();
    assert_eq!(rollout.len(), 8);
    let current: Vec<&Value> = rollout
        .iter()
        .filter(|s| s["current"] == json!(true))
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["stage"], json!("enforce"));
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["tlsrpt-rua-assumed"]);
}

#[test]
fn generated_output_passes_stslens_lint() {
    for mode in ["testing", "enforce", "none"] {
        let out = generate(&[
            "--domain",
            "example.org",
            "--mx",
            "mx1.mailhost.net",
            "--mx",
            "*.backup.mailhost.net",
            "--mode",
            mode,
            "--rua",
            "https://tlsrpt.example.org/v1",
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let v = json_of(&out);
        let policy = v["policy"]["text"].as_str().unwrap();
        let lint = run(
            &["lint", "policy", "-", "--json"],
            &[],
            Some(policy.as_bytes()),
        );
        assert_eq!(lint.status.code(), Some(0), "{mode}: {}", stdout(&lint));
        let lint = json_of(&lint);
        assert_eq!(lint["valid"], json!(true));
        assert_eq!(lint["findings"], json!([]));
        assert_eq!(lint["parsed"]["mode"], json!(mode));
        assert_eq!(lint["parsed"]["mx"], v["policy"]["mx"]);
        assert_eq!(lint["parsed"]["max_age"], v["policy"]["max_age"]);

        let sts = v["dns"]["sts"]["value"].as_str().unwrap();
        let lint = json_of(&run(&["lint", "sts-record", sts, "--json"], &[], None));
        assert_eq!(
            (&lint["valid"], &lint["findings"]),
            (&json!(true), &json!([]))
        );
        assert_eq!(lint["parsed"]["id"], v["dns"]["sts"]["id"]);

        let rpt = v["dns"]["tlsrpt"]["value"].as_str().unwrap();
        let lint = json_of(&run(&["lint", "tlsrpt-record", rpt, "--json"], &[], None));
        assert_eq!(
            (&lint["valid"], &lint["findings"]),
            (&json!(true), &json!([]))
        );
        assert_eq!(
            lint["parsed"]["rua"],
            json!(["https://tlsrpt.example.org/v1"])
        );
    }
}

#[test]
fn invalid_input_exits_2_naming_the_argument_and_value() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--domain", "exa_mple.org", "--mx", "mx.mailhost.net"],
            "--domain: the domain `exa_mple.org` is not valid",
        ),
        (
            &[
                "--domain",
                "https://example.org/",
                "--mx",
                "mx.mailhost.net",
            ],
            "--domain: `https://example.org/` is not a domain name",
        ),
        (
            &["--domain", "example.org", "--mx", "mx.*.mailhost.net"],
            "--mx: the MX host `mx.*.mailhost.net` is not valid",
        ),
        (
            &["--domain", "example.org", "--mode", "enforce"],
            "--mx: mode `enforce` needs at least one MX host",
        ),
        (
            &[
                "--domain",
                "example.org",
                "--mx",
                "mx.mailhost.net",
                "--max-age",
                "31557601",
            ],
            "--max-age: the max_age 31557601 is above the limit",
        ),
        (
            &[
                "--domain",
                "example.org",
                "--mx",
                "mx.mailhost.net",
                "--rua",
                "mailto:nobody",
            ],
            "--rua: the report destination `mailto:nobody` is not a mailto: address",
        ),
    ];
    for (args, want) in cases {
        let out = generate(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert!(
            out.stdout.is_empty(),
            "{args:?}: text mode prints nothing on stdout"
        );
    }
    // With --json the same problems come as JSON too, every one at once.
    let out = generate(&[
        "--domain",
        "",
        "--mx",
        "*",
        "--max-age",
        "99999999999",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["domain", "mx", "max_age"]);
    assert_eq!(stderr(&out).lines().count(), 3);
}

#[test]
fn mode_none_needs_no_mx_and_unknown_modes_are_usage_errors() {
    let out = generate(&["--domain", "example.org", "--mode", "none"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("    version: STSv1\n    mode: none\n    max_age: 86400\n"));
    let out = generate(&[
        "--domain",
        "example.org",
        "--mx",
        "mx.mailhost.net",
        "--mode",
        "enforcing",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_id_comes_from_the_clock() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let out = run(
        &[
            "generate",
            "--domain",
            "example.org",
            "--mode",
            "none",
            "--json",
        ],
        &[],
        None,
    );
    let after = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = json_of(&out)["dns"]["sts"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stamp = |t: u64| stslens_core::generate::id_at(t).to_string();
    assert!(
        stamp(before) <= id && id <= stamp(after),
        "{id} not between {before} and {after}"
    );
    // SOURCE_DATE_EPOCH pins it, and a bad value is a usage error.
    let out = run(
        &["generate", "--domain", "example.org", "--mode", "none"],
        &[("SOURCE_DATE_EPOCH", "soon")],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("SOURCE_DATE_EPOCH `soon`"));
}
