//! `stslens serve [--addr] [--dist] [--relay] [--allow-origin ORIGIN]...`

use super::{Outcome, fail};

/// Arguments of `stslens serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Directory of the built site.
    #[arg(long, default_value = "dist")]
    pub dist: String,
    /// Enable the relay API (/api/v1/mx-probe, /api/v1/policy).
    #[arg(long)]
    pub relay: bool,
    /// Origins allowed to call the relay cross-origin (same origin always works).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
}

/// Runs the command.
pub fn run(_args: Args) -> Outcome {
    fail("`serve` is not implemented yet")
}
