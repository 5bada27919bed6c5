//! `stslens-fakes`: starts the loopback fakes of a scenario and prints where they listen.
//!
//! ```text
//! stslens-fakes SCENARIO.json     # or - for standard input
//! stslens-fakes --demo            # a healthy enforce-mode domain, example.test
//!     [--latency-ms N]            # wait N ms before every answer: DNS, HTTP, each SMTP reply
//! ```
//! Prints one JSON line (`doh_url`, `policy_addr`, `smtp`, `ca_pem`) and runs until standard
//! input closes or the process is killed. Listens on 127.0.0.1 only.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::Duration;
use stslens_e2e::scenario::{Running, Scenario};

fn usage() -> ExitCode {
    eprintln!("usage: stslens-fakes (SCENARIO.json | - | --demo) [--latency-ms N]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
