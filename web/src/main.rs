//! `stslens`: the command-line tool and self-hosting server of StsLens.
//!
//! Every subcommand is a thin shell: it reads input, performs I/O where needed, and hands bytes and
//! answers to `stslens-core`, which does all the judging. Exit codes follow the design's contract:
//! 0 fine, 1 the input has errors (the full result is still printed), 2 usage or I/O failure.

mod allocator;
mod cli;

use clap::{Parser, Subcommand};
use std::io::Write;

/// MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) checker, linter, report reader and server.
#[derive(Debug, Parser)]
#[command(name = "stslens", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a domain's MTA-STS and TLS-RPT setup end to end (DNS, policy, MX STARTTLS).
    Check(cli::check::Args),
    /// Lint a policy file or a TXT record.
    #[command(subcommand)]
    Lint(cli::lint::Target),
    /// Test whether a policy mx pattern matches a host name (exit 0 yes, 1 no).
    Match(cli::pattern::Args),
    /// Read TLS-RPT reports (.json .json.gz .gz .zip .eml .mbox) and aggregate them.
    Report(cli::report::Args),
    /// Generate a policy file, the _mta-sts and _smtp._tls records and a rollout plan.
    Generate(cli::generate::Args),
    /// Serve the web app, and with --relay the MX probe and policy relay API.
    Serve(cli::serve::Args),
}

fn main() {
    allocator::configure();
    // `stslens report` with thousands of file names skips clap when it can (see `Args::plain`).
    let outcome = match cli::report::Args::plain(argv::iter().skip(1)) {
        Some(plain) => plain.run(),
        None => run(Cli::parse()),
    };
    exit_now(outcome)
}

/// Runs the subcommand clap parsed.
fn run(cli: Cli) -> cli::Outcome {
    match cli.command {
        Command::Check(args) => cli::check::run(args),
        Command::Lint(target) => cli::lint::run(target),
        Command::Match(args) => cli::pattern::run(args),
        Command::Report(args) => cli::report::run(args),
        Command::Generate(args) => cli::generate::run(args),
        Command::Serve(args) => cli::serve::run(args),
    }
}

/// Flushes stdout and ends the process at once with the outcome's exit code.
///
/// Why not return from `main`: the C library's exit handlers would then run, mimalloc's among
/// them, which gathers every heap's free memory and hands it back to the system page by page just
/// before the kernel frees the whole address space anyway. After `stslens report` on the
/// benchmark's 3,000 files that was about 0.6 ms of 24 (medians of 25 interleaved runs). Nothing
/// here needs to run at exit: files written were closed when their handles dropped, stderr is
/// unbuffered, and stdout is flushed here (a failure to flush it is a failure to write the
/// output, exit 2, where returning from `main` would have ignored it).
fn exit_now(outcome: cli::Outcome) -> ! {
    let code = match std::io::stdout().flush() {
        Ok(()) => outcome.code(),
        Err(e) => cli::fail(format!("cannot write the output: {e}")).code(),
    };
    // SAFETY: _exit takes a plain integer; ending the process without running exit handlers is
    // what is wanted (see above), and all output has been flushed.
    unsafe { libc::_exit(code) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{OsStr, OsString};

    /// What clap makes of `stslens <args>`: the report arguments, or `None` for anything else
    /// (another subcommand, help, an error).
    fn by_clap(args: &[&str]) -> Option<cli::report::Args> {
        let argv = std::iter::once("stslens").chain(args.iter().copied());
        match Cli::try_parse_from(argv).ok()?.command {
            Command::Report(args) => Some(args),
            _ => None,
        }
    }

    /// What `Args::plain` makes of them, as clap's type.
    fn plain(args: &[&str]) -> Option<cli::report::Args> {
        let plain = cli::report::Args::plain(args.iter().map(OsStr::new))?;
        Some(cli::report::Args {
            files: plain.files.iter().map(|f| f.to_string()).collect(),
            json: plain.json,
            csv: plain.csv,
            ndjson: plain.ndjson,
        })
    }

    #[test]
    fn plain_report_arguments_read_as_clap_reads_them() {
        for args in [
            &["report", "a.json"][..],
            &["report", "-"],
            &["report", "a.json", "--json", "b.gz", "-"],
            &["report", "--csv", "a.json"],
            &["report", "a", "--ndjson"],
            &["report", "json", "csv", "report"],
        ] {
            let plain = plain(args);
            assert!(plain.is_some(), "{args:?} is plain");
            assert_eq!(plain, by_clap(args), "{args:?}");
        }
    }

    #[test]
    fn anything_else_is_left_to_clap() {
        for args in [
            &[][..],
            &["report"],
            &["report", "--json"],
            &["report", "--json", "--csv", "a"],
            &["report", "--json", "--json", "a"],
            &["report", "--", "-a.json"],
            &["report", "--help", "a"],
            &["report", "-h"],
            &["report", "--jso", "a"],
            &["report", "--json=1", "a"],
            &["--version"],
            &["lint", "policy", "a.txt"],
            &["check", "report"],
        ] {
            assert_eq!(plain(args), None, "{args:?} is not plain");
        }
        // Clap refuses most of them; the one it takes (`--`) gives the same arguments.
        assert_eq!(
            by_clap(&["report", "--", "-a.json"]).map(|a| a.files),
            Some(vec!["-a.json".to_string()])
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_that_is_not_utf8_is_left_to_clap() {
        use std::os::unix::ffi::OsStringExt;
        let args = [
            OsString::from("report"),
            OsString::from_vec(vec![b'a', 0xff]),
        ];
        assert_eq!(
            cli::report::Args::plain(args.iter().map(OsString::as_os_str)),
            None
        );
    }
}
