//! `stslens check <domain> [--json] [--doh URL]... [--no-probe]`

use super::{Outcome, fail};

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
}

/// Runs the command.
pub fn run(_args: Args) -> Outcome {
    fail("`check` is not implemented yet")
}
