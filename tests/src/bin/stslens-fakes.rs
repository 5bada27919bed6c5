//! `stslens-fakes`: starts the loopback fakes of a scenario and prints where they listen.
//!
//! ```text
//! stslens-fakes SCENARIO.json     # or - for standard input
//! stslens-fakes --demo            # a healthy enforce-mode domain, example.test
//!     [--latency-ms N]            # wait N ms before every answer: DNS, HTTP, each SMTP reply
//! stslens-fakes --hostile DIR N   # write N hostile report files into DIR (see stslens_e2e::hostile)
//! ```
//! Prints one JSON line (`doh_url`, `policy_addr`, `smtp`, `ca_pem`) and runs until standard
//! input closes or the process is killed. Listens on 127.0.0.1 only.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::Duration;
use stslens_e2e::scenario::{Running, Scenario};

/// `--hostile DIR N`: writes the hostile set and prints its manifest as one JSON line
/// (`files`, `good`, `bad` as `[name, damage]`, `successful`, `failed`), for the browser test.
fn hostile(args: &[String]) -> ExitCode {
    let (Some(dir), Some(Ok(total)), None) = (
        args.first(),
        args.get(1).map(|n| n.parse::<usize>()),
        args.get(2),
    ) else {
        eprintln!("usage: stslens-fakes --hostile DIR N");
        return ExitCode::from(2);
    };
    let dir = std::path::Path::new(dir);
    let written =
        std::fs::create_dir_all(dir).and_then(|()| stslens_e2e::hostile::write_set(dir, total));
    match written {
        Ok(m) => {
            let bad: Vec<(String, String)> = m
                .bad
                .iter()
                .map(|(name, damage)| (name.clone(), format!("{damage:?}")))
                .collect();
            let json = serde_json::json!({
                "files": m.files, "good": m.good, "bad": bad,
                "successful": m.successful, "failed": m.failed,
            });
            // A reader that stops early (`| head`) is not an error of ours.
            let _ = writeln!(std::io::stdout(), "{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "stslens-fakes: cannot write the hostile set into {}: {e}",
                dir.display()
            );
            ExitCode::from(2)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: stslens-fakes (SCENARIO.json | - | --demo) [--latency-ms N]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--hostile") {
        return hostile(&args[1..]);
    }
    let mut scenario = None;
    let mut latency = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--demo" => scenario = Some(Scenario::demo()),
            "--latency-ms" => {
                i += 1;
                match args.get(i).and_then(|n| n.parse::<u64>().ok()) {
                    Some(ms) => latency = Some(Duration::from_millis(ms)),
                    None => return usage(),
                }
            }
            "-h" | "--help" => return usage(),
            path => {
                let text = if path == "-" {
                    let mut text = String::new();
                    std::io::stdin().read_to_string(&mut text).map(|_| text)
                } else {
                    std::fs::read_to_string(path)
                };
                let parsed = text
                    .map_err(|e| e.to_string())
                    .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()));
                match parsed {
                    Ok(s) => scenario = Some(s),
                    Err(e) => {
                        eprintln!("stslens-fakes: cannot read scenario {path}: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
        }
        i += 1;
    }
    let Some(mut scenario) = scenario else {
        return usage();
    };
    if let Some(latency) = latency {
        scenario.latency_ms = Some(latency.as_millis() as u64);
    }
    let from_stdin = args.iter().any(|a| a == "-");
    let running = match Running::start(scenario, IpAddr::V4(Ipv4Addr::LOCALHOST)).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("stslens-fakes: cannot start the fakes: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{}",
        serde_json::to_string(&running.endpoints()).expect("endpoints serialize")
    );
    if from_stdin {
        // Standard input held the scenario; run until killed.
        std::future::pending::<()>().await;
    }
    // Run until standard input closes (the parent test process exits or closes the pipe).
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = [0u8; 256];
        while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
    })
    .await;
    drop(running);
    ExitCode::SUCCESS
}
