//! `stslens check <domain> [--json] [--doh URL]... [--no-probe]`
//!
//! Runs the check with the native runner ([`stslens_web::check`]) and prints core's `Report`:
//! grouped, colour-aware text (verdict first), or the `Report` as JSON. Exit 0 when no finding
//! is an error, 1 when some are (the full report is still printed), 2 when the check could not
//! run (an invalid domain or resolver URL, no resolver answering), naming the problem; with
//! `--json`, that failure is also printed as `{"error": {"code", "message"}}`.
//!
//! Hidden test-only flags point a check at loopback fakes: `--unsafe-test-ca FILE` (trust an
//! extra root), `--unsafe-test-https-port N`, `--unsafe-test-smtp-port N`,
//! `--unsafe-test-timeout-ms N`. Each logs a loud warning; none has a default.

mod text;

use super::{Outcome, fail};
use std::io::{self, Write};
use std::time::Duration;
use stslens_core::check::parse_domain;
use stslens_web::check::{CheckError, CheckOptions, Checker};
use stslens_web::io::tls::TrustAnchors;

/// Arguments of `stslens check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The mail domain to check, e.g. example.com.
    pub domain: String,
    /// Print the full report as JSON.
    #[arg(long)]
    pub json: bool,
    /// DNS-over-HTTPS resolver URL (repeat to try several in order).
    #[arg(long = "doh", value_name = "URL")]
    pub doh: Vec<String>,
    /// Skip the STARTTLS probe of the MX hosts.
    #[arg(long)]
    pub no_probe: bool,
    /// TEST ONLY: also trust the root certificates in this PEM file.
    #[arg(long = "unsafe-test-ca", value_name = "FILE", hide = true)]
    pub unsafe_test_ca: Option<String>,
    /// TEST ONLY: fetch the policy from this port instead of 443.
    #[arg(long = "unsafe-test-https-port", value_name = "N", hide = true)]
    pub unsafe_test_https_port: Option<u16>,
    /// TEST ONLY: probe MX hosts on this port instead of 25.
    #[arg(long = "unsafe-test-smtp-port", value_name = "N", hide = true)]
    pub unsafe_test_smtp_port: Option<u16>,
    /// TEST ONLY: cut every network step off after this many milliseconds.
    #[arg(long = "unsafe-test-timeout-ms", value_name = "N", hide = true)]
    pub unsafe_test_timeout_ms: Option<u64>,
}

/// Runs the command.
pub fn run(args: Args) -> Outcome {
    let domain = match parse_domain(&args.domain) {
        Ok(domain) => domain,
        Err(err) => return could_not_run(args.json, "invalid-domain", &err.to_string()),
    };
    let options = match options(&args) {
        Ok(options) => options,
        Err(message) => return could_not_run(args.json, "invalid-option", &message),
    };
    let checker = match Checker::new(&options) {
        Ok(checker) => checker,
        Err(err) => return could_not_run(args.json, "invalid-resolver", &err.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let checked = match runtime.block_on(checker.run(&domain)) {
        Ok(checked) => checked,
        Err(err @ CheckError::ResolverUnreachable { .. }) => {
            return could_not_run(args.json, "resolver-unreachable", &err.to_string());
        }
        Err(err) => return could_not_run(args.json, "invalid-resolver", &err.to_string()),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let report = checked.report(now);
    let written = if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        text::print(&mut anstream::stdout().lock(), &report)
    };
    if let Err(err) = written
        && err.kind() != io::ErrorKind::BrokenPipe
    {
        return fail(format!("cannot write the result: {err}"));
    }
    if report.valid {
        Outcome::Fine
    } else {
        Outcome::InputErrors
    }
}

/// The options from the flags; the test-only ones each log a warning.
fn options(args: &Args) -> Result<CheckOptions, String> {
    let mut options = CheckOptions::new();
    if !args.doh.is_empty() {
        options.doh.resolvers = args.doh.clone();
    }
    options.probe_mx = !args.no_probe;
    let warn = |what: &str| {
        eprintln!(
            "stslens: WARNING: {what}. This flag exists for tests against loopback fakes; never use it to judge a real domain."
        );
    };
    if let Some(path) = &args.unsafe_test_ca {
        warn(&format!(
            "--unsafe-test-ca: also trusting the roots in {path}"
        ));
        let pem =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
        options.anchors = TrustAnchors::webpki()
            .with_roots_pem(&pem)
            .map_err(|e| format!("--unsafe-test-ca {path}: {e}"))?;
    }
    if let Some(port) = args.unsafe_test_https_port {
        warn(&format!(
            "--unsafe-test-https-port: fetching policies from port {port}, not 443"
        ));
        options = options.with_test_https_port(port);
    }
    if let Some(port) = args.unsafe_test_smtp_port {
        warn(&format!(
            "--unsafe-test-smtp-port: probing MX hosts on port {port}, not 25"
        ));
        options.smtp = options.smtp.with_test_port(port);
    }
    if let Some(ms) = args.unsafe_test_timeout_ms {
        warn(&format!(
            "--unsafe-test-timeout-ms: cutting every step off after {ms} ms"
        ));
        let limit = Duration::from_millis(ms);
        options.doh.timeout = limit;
        options.doh.connect_timeout = limit;
        options.policy.connect = limit;
        options.policy.handshake = limit;
        options.policy.total = limit;
        options.smtp.connect_timeout = limit;
        options.smtp.reply_timeout = limit;
        options.smtp.handshake_timeout = limit;
        options.smtp.total_timeout = limit;
    }
    Ok(options)
}

/// Exit 2 naming the problem; with `--json` also `{"error": {"code", "message"}}` on stdout.
fn could_not_run(json: bool, code: &str, message: &str) -> Outcome {
    if json {
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        println!("{body}");
    }
    fail(format!("cannot check: {message}"))
}
