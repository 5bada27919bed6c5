//! `stslens generate --domain D --mx HOST... [--mode] [--max-age N] [--rua URI]... [--json]`

use super::{Outcome, fail};

/// Arguments of `stslens generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The mail domain.
    #[arg(long)]
    pub domain: String,
    /// MX host names or patterns (`*.example.net`) the policy allows.
    #[arg(long = "mx", value_name = "HOST")]
    pub mx: Vec<String>,
    /// Policy mode.
    #[arg(long, default_value = "testing", value_parser = ["testing", "enforce", "none"])]
    pub mode: String,
    /// Policy max_age in seconds.
    #[arg(long = "max-age", value_name = "N")]
    pub max_age: Option<u64>,
    /// TLS-RPT report destination (mailto: or https:), repeatable.
    #[arg(long = "rua", value_name = "URI")]
    pub rua: Vec<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(_args: Args) -> Outcome {
    fail("`generate` is not implemented yet")
}
