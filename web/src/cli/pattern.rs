//! `stslens match <PATTERN> <HOSTNAME>`

use super::{Outcome, fail};
use stslens_core::MxPattern;
use stslens_core::name::{DomainName, TrailingDot};

/// Arguments of `stslens match`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A policy mx pattern, e.g. `*.mail.example.com`.
    pub pattern: String,
    /// The MX host name to test.
    pub hostname: String,
}

/// Runs the command: exit 0 when the pattern matches (RFC 8461 §4.1), 1 when not, 2 when the
/// pattern or the host name is not valid.
pub fn run(args: Args) -> Outcome {
    let pattern = match MxPattern::parse(&args.pattern) {
        Ok(p) => p,
        Err(err) => return fail(format!("invalid mx pattern: {err}")),
    };
    let host = match DomainName::parse(&args.hostname, TrailingDot::Allow) {
        Ok(h) => h,
        Err(err) => {
            return fail(format!(
                "`{}` is not a valid host name: {err}",
                args.hostname
            ));
        }
    };
    if pattern.matches(&host) {
        println!("`{pattern}` matches `{host}`");
        Outcome::Fine
    } else {
        let why = if pattern.is_wildcard() {
            format!(
                " (`*` stands for exactly one label in front of `{}`)",
                pattern.domain()
            )
        } else {
            String::new()
        };
        println!("`{pattern}` does not match `{host}`{why}");
        Outcome::InputErrors
    }
}
