//! `stslens report <FILE|->... [--json | --csv | --ndjson]`

use super::{Outcome, fail};

/// Arguments of `stslens report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report files (.json .json.gz .gz .zip .eml .mbox), or `-` for stdin.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// Print the aggregate as JSON.
    #[arg(long, group = "format")]
    pub json: bool,
    /// Print one CSV row per failure detail.
    #[arg(long, group = "format")]
    pub csv: bool,
    /// Print one JSON object per line per failure detail.
    #[arg(long, group = "format")]
    pub ndjson: bool,
}

/// Runs the command.
pub fn run(_args: Args) -> Outcome {
    fail("`report` is not implemented yet")
}
