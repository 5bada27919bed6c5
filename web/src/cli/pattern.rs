//! `stslens match <PATTERN> <HOSTNAME>`

use super::{Outcome, fail};

/// Arguments of `stslens match`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A policy mx pattern, e.g. `*.mail.example.com`.
    pub pattern: String,
    /// The MX host name to test.
    pub hostname: String,
}

/// Runs the command.
pub fn run(_args: Args) -> Outcome {
    fail("`match` is not implemented yet")
}
