//! `stslens lint policy|sts-record|tlsrpt-record`

use super::{Outcome, fail};

/// What to lint.
#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Lint the bytes of a policy file (mta-sts.txt); `-` reads stdin.
    Policy {
        /// Path of the policy file, or `-` for stdin.
        file: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lint the TXT records found at _mta-sts.<domain> (each argument is one record; none = absent).
    StsRecord {
        /// The TXT records, one per argument.
        records: Vec<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lint the TXT records found at _smtp._tls.<domain> (each argument is one record; none = absent).
    TlsrptRecord {
        /// The TXT records, one per argument.
        records: Vec<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(_target: Target) -> Outcome {
    fail("`lint` is not implemented yet")
}
