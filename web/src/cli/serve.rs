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
use stslens_web::io::tls::{TrustAnchors, TrustError};
use stslens_web::serve::native::DohResolverError;
use stslens_web::serve::{
    self, AddressPolicy, Config, DohResolver, Limits, NativeUpstream, RelayConfig, Resolver,
    SystemResolver, Upstream,
};
use thiserror::Error;

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
    /// TESTS ONLY: let the relay connect to loopback addresses (and accept `*.test` names).
    /// Never on a reachable server.
    #[arg(long, hide = true, requires = "relay")]
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
    /// TESTS ONLY: resolve relay targets with this DNS-over-HTTPS resolver on loopback (the fake
    /// resolver of the end-to-end tests) instead of the system resolver.
    #[arg(
        long,
        hide = true,
        value_name = "URL",
        requires = "unsafe_allow_loopback_for_tests"
    )]
    pub unsafe_resolver_for_tests: Option<String>,
    /// TESTS ONLY: also trust the root certificates in this PEM file when judging the chains of
    /// probed and fetched hosts (the test CA of the fakes).
    #[arg(
        long,
        hide = true,
        value_name = "PEM",
        requires = "unsafe_allow_loopback_for_tests"
    )]
    pub unsafe_test_ca: Option<PathBuf>,
}

/// How long requests in flight may finish after SIGINT/SIGTERM: longer than the longest relay
/// request (2 s slot wait + 5 s lookup + 30 s probe).
const DRAIN: Duration = Duration::from_secs(40);

/// Why the relay cannot be set up (exit 2). Only the test-only options can fail.
#[derive(Debug, Error)]
enum RelaySetupError {
    /// The test CA file cannot be read.
    #[error("--unsafe-test-ca {}: {source}", path.display())]
    ReadCa {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The test CA file holds no usable root.
    #[error("--unsafe-test-ca {}: {source}", path.display())]
    Ca {
        path: PathBuf,
        #[source]
        source: TrustError,
    },
    /// The test resolver URL is unusable.
    #[error("--unsafe-resolver-for-tests: {0}")]
    Resolver(#[from] DohResolverError),
}

/// The relay's network side: the native SMTP probe and policy fetch (`web/src/io/`), judging
/// chains against `anchors`, on the ports of `policy`, within the relay's timeouts.
fn native_upstream(
    anchors: &TrustAnchors,
    policy: AddressPolicy,
    limits: &Limits,
) -> Arc<dyn Upstream> {
    Arc::new(NativeUpstream::new(anchors, policy, limits))
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

    /// The Mozilla roots, plus the test CA when one is given (test mode only: clap refuses
    /// `--unsafe-test-ca` without `--unsafe-allow-loopback-for-tests`).
    fn trust_anchors(&self) -> Result<TrustAnchors, RelaySetupError> {
        let anchors = TrustAnchors::webpki();
        let Some(path) = &self.unsafe_test_ca else {
            return Ok(anchors);
        };
        let pem = std::fs::read_to_string(path).map_err(|source| RelaySetupError::ReadCa {
            path: path.clone(),
            source,
        })?;
        tracing::warn!(
            ca = %path.display(),
            "UNSAFE TEST MODE: certificates issued by the test CA are judged valid"
        );
        anchors
            .with_roots_pem(&pem)
            .map_err(|source| RelaySetupError::Ca {
                path: path.clone(),
                source,
            })
    }

    /// The system resolver, or in test mode the DoH resolver of `--unsafe-resolver-for-tests`.
    fn resolver(
        &self,
        anchors: &TrustAnchors,
        limits: &Limits,
    ) -> Result<Arc<dyn Resolver>, RelaySetupError> {
        let Some(url) = &self.unsafe_resolver_for_tests else {
            return Ok(Arc::new(SystemResolver));
        };
        let resolver = DohResolver::for_tests(url, anchors, limits.resolve_timeout)?;
        tracing::warn!(
            resolver = %url,
            "UNSAFE TEST MODE: relay targets are resolved by a test resolver, not the system's"
        );
        Ok(Arc::new(resolver))
    }

    /// The relay's parts: the real network side, with the test options applied when given.
    fn relay_config(&self) -> Result<RelayConfig, RelaySetupError> {
        let limits = Limits::default();
        let policy = self.address_policy();
        let anchors = self.trust_anchors()?;
        Ok(RelayConfig {
            upstream: native_upstream(&anchors, policy, &limits),
            resolver: self.resolver(&anchors, &limits)?,
            policy,
            limits,
        })
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
        match args.relay_config() {
            Ok(relay) => Some(relay),
            Err(e) => return fail(e),
        }
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
    fn every_test_option_needs_the_loopback_flag() {
        for flag in [
            "--unsafe-smtp-port-for-tests",
            "--unsafe-https-port-for-tests",
            "--unsafe-resolver-for-tests",
            "--unsafe-test-ca",
        ] {
            let value = if flag.contains("port") { "2525" } else { "x" };
            let e = parse(&["--relay", flag, value]).unwrap_err();
            assert!(
                e.to_string().contains("--unsafe-allow-loopback-for-tests"),
                "{flag}: {e}"
            );
        }
        assert!(parse(&["--unsafe-allow-loopback-for-tests"]).is_err());
        let args = parse(&[
            "--relay",
            "--unsafe-allow-loopback-for-tests",
            "--unsafe-resolver-for-tests",
            "http://127.0.0.1:8053/dns-query",
            "--unsafe-test-ca",
            "ca.pem",
        ])
        .unwrap();
        assert!(args.unsafe_resolver_for_tests.is_some() && args.unsafe_test_ca.is_some());
    }

    #[test]
    fn without_test_options_the_relay_starts_public_only() {
        let relay = parse(&["--relay"]).unwrap().relay_config().unwrap();
        assert_eq!(relay.policy, AddressPolicy::public_only());
    }

    #[test]
    fn a_missing_or_empty_test_ca_stops_startup() {
        let base = [
            "--relay",
            "--unsafe-allow-loopback-for-tests",
            "--unsafe-test-ca",
        ];
        let missing = parse(&[&base[..], &["/nonexistent/ca.pem"]].concat()).unwrap();
        assert!(matches!(
            missing.relay_config(),
            Err(RelaySetupError::ReadCa { .. })
        ));
        let empty =
            std::env::temp_dir().join(format!("stslens-empty-ca-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let args = parse(&[&base[..], &[empty.to_str().unwrap()]].concat()).unwrap();
        let e = args.relay_config().err().unwrap();
        let _ = std::fs::remove_file(&empty);
        assert!(matches!(e, RelaySetupError::Ca { .. }), "{e}");
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
