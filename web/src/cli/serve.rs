//! `stslens serve [--addr] [--dist] [--relay] [--allow-origin ORIGIN]...`
//!
//! Builds the configuration from the flags, refuses to start on anything unclear (exit 2 with a
//! message naming the problem), then serves until SIGINT or SIGTERM. The server itself is
//! `stslens_web::serve`.

use super::{Outcome, fail};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use stslens_web::serve::{
    self, AddressPolicy, Config, Limits, RelayConfig, SystemResolver, Upstream,
};

/// Arguments of `stslens serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Directory of the built site (must hold index.html; see --relay-only).
    #[arg(long, default_value = "dist")]
    pub dist: String,
    /// Enable the relay API (/api/v1/mx-probe, /api/v1/policy).
    #[arg(long)]
    pub relay: bool,
    /// Serve only the relay and /healthz, no site (for a relay used by a statically hosted site).
    #[arg(long, requires = "relay", conflicts_with = "dist")]
    pub relay_only: bool,
    /// Origins allowed to call the relay cross-origin (same origin always works).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Believe X-Forwarded-For and X-Forwarded-Host: set only behind a reverse proxy that sets them.
    #[arg(long)]
    pub trust_proxy: bool,
    /// TESTS ONLY: let the relay connect to loopback addresses. Never on a reachable server.
    #[arg(long, hide = true)]
    pub unsafe_allow_loopback_for_tests: bool,
    /// TESTS ONLY: the SMTP port the relay probes instead of 25.
    #[arg(
        long,
        hide = true,
        value_name = "PORT",
        requires = "unsafe_allow_loopback_for_tests"
    )]
    pub unsafe_smtp_port_for_tests: Option<u16>,
    /// TESTS ONLY: the HTTPS port the relay fetches policies from instead of 443.
    #[arg(
        long,
        hide = true,
        value_name = "PORT",
        requires = "unsafe_allow_loopback_for_tests"
    )]
    pub unsafe_https_port_for_tests: Option<u16>,
}

/// How long requests in flight may finish after SIGINT/SIGTERM: longer than the longest relay
/// request (2 s slot wait + 5 s lookup + 30 s probe).
const DRAIN: Duration = Duration::from_secs(40);

/// The relay's network side: the native SMTP probe and policy fetch of `stslens check`. They are
/// not in this build yet; until they are, `--relay` refuses to start rather than pretend.
fn native_upstream() -> Option<Arc<dyn Upstream>> {
    None
}

impl Args {
    fn address_policy(&self) -> AddressPolicy {
        if self.unsafe_allow_loopback_for_tests {
            let smtp = self
                .unsafe_smtp_port_for_tests
                .unwrap_or(serve::guard::SMTP_PORT);
            let https = self
                .unsafe_https_port_for_tests
                .unwrap_or(serve::guard::HTTPS_PORT);
            AddressPolicy::unsafe_loopback_for_tests(smtp, https)
        } else {
            AddressPolicy::public_only()
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> Outcome {
    init_logging();
    let Ok(addr) = args.addr.parse::<SocketAddr>() else {
        return fail(format!(
            "--addr {:?} is not an address like 127.0.0.1:8080 or [::]:8080",
            args.addr
        ));
    };
    let relay = if args.relay {
        let Some(upstream) = native_upstream() else {
            return fail(
                "--relay needs the native SMTP probe and policy fetch, which this build does not include yet",
            );
        };
        Some(RelayConfig {
            upstream,
            resolver: Arc::new(SystemResolver),
            policy: args.address_policy(),
            limits: Limits::default(),
        })
    } else {
        None
    };
    let config = Config {
        site: (!args.relay_only).then(|| PathBuf::from(&args.dist)),
        relay,
        allow_origins: args.allow_origin.clone(),
        trust_proxy: args.trust_proxy,
    };
    let app = match serve::app(config) {
        Ok(app) => app,
        Err(e) => return fail(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
        };
        let shutdown = match serve::shutdown_signal() {
            Ok(signal) => signal,
            Err(e) => return fail(format!("cannot install the SIGINT/SIGTERM handlers: {e}")),
        };
        let local = listener.local_addr().unwrap_or(addr);
        tracing::info!(addr = %local, site = !args.relay_only, relay = args.relay, "listening on http://{local}");
        match serve::run(listener, app, shutdown, DRAIN).await {
            Ok(()) => Outcome::Fine,
            Err(e) => fail(format!("server error: {e}")),
        }
    })
}

/// Logs to stderr; `RUST_LOG` overrides the default level (`info`). Colours only on a terminal,
/// and never with `NO_COLOR` set, so log files and journald get plain `key=value` lines.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        Cli::try_parse_from(std::iter::once("serve").chain(argv.iter().copied())).map(|c| c.args)
    }

    #[test]
    fn loopback_allowance_is_off_by_default() {
        let args = parse(&["--relay"]).unwrap();
        assert!(!args.unsafe_allow_loopback_for_tests);
        assert_eq!(args.address_policy(), AddressPolicy::public_only());
    }

    #[test]
    fn test_ports_need_the_loopback_flag() {
        assert!(parse(&["--relay", "--unsafe-smtp-port-for-tests", "2525"]).is_err());
        let args = parse(&[
            "--relay",
            "--unsafe-allow-loopback-for-tests",
            "--unsafe-smtp-port-for-tests",
            "2525",
        ])
        .unwrap();
        assert_eq!(
            args.address_policy(),
            AddressPolicy::unsafe_loopback_for_tests(2525, 443)
        );
    }

    #[test]
    fn relay_only_requires_the_relay() {
        assert!(parse(&["--relay-only"]).is_err());
        assert!(parse(&["--relay", "--relay-only"]).unwrap().relay_only);
    }

    #[test]
    fn hidden_flags_stay_out_of_the_help() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("--relay"));
        assert!(!help.contains("unsafe"), "{help}");
    }
}
