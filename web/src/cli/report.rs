//! `stslens report <FILE|->... [--json | --csv | --ndjson]`
//!
//! A thin shell over [`stslens_core::tlsrpt::Ingest`]: it reads the inputs one at a time (so memory
//! is the largest input plus the aggregate, whatever their number), hands each to the engine,
//! reports each input that fails on stderr as it goes, and prints the aggregate at the end:
//! the design contract's JSON object with `--json`, one row per failure detail with `--csv` or
//! `--ndjson` (streamed while reading), or a readable summary. An input that fails makes the
//! exit code 1, but never stops the others from being counted.

mod table;

use super::{Outcome, fail};
use std::io::{BufWriter, Read, Write};
use stslens_core::tlsrpt::{Found, Ingest, export};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
    Ndjson,
}

/// Runs the command.
pub fn run(args: Args) -> Outcome {
    let format = match (args.json, args.csv, args.ndjson) {
        (true, _, _) => Format::Json,
        (_, true, _) => Format::Csv,
        (_, _, true) => Format::Ndjson,
        _ => Format::Table,
    };
    match report(&args.files, format) {
        Ok(outcome) => outcome,
        Err(e) => fail(format!("cannot write the output: {e}")),
    }
}

fn report(files: &[String], format: Format) -> std::io::Result<Outcome> {
    let mut rows = BufWriter::new(std::io::stdout().lock());
    if format == Format::Csv {
        rows.write_all(export::csv_header().as_bytes())?;
    }
    let mut ingest = Ingest::new();
    let mut write_error = None;
    for file in files {
        let (source, read) = if file == "-" {
            let mut bytes = Vec::new();
            (
                "<stdin>",
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut bytes)
                    .map(|_| bytes),
            )
        } else {
            (file.as_str(), std::fs::read(file))
        };
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("stslens: {}", ingest.add_unreadable(source, e));
                continue;
            }
        };
        let added = ingest.add_with(source, &bytes, |found| {
            if write_error.is_none()
                && let Err(e) = write_rows(&mut rows, format, found)
            {
                write_error = Some(e);
            }
        });
        for error in &added.errors {
            eprintln!("stslens: {error}");
        }
        if let Some(e) = write_error.take() {
            return Err(e);
        }
    }
    let summary = ingest.summary();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut rows, &summary).map_err(std::io::Error::other)?;
            rows.write_all(b"\n")?;
        }
        Format::Table => {
            rows.flush()?;
            let mut out = anstream::stdout().lock();
            table::print(&mut out, &summary)?;
            out.flush()?;
        }
        Format::Csv | Format::Ndjson => {}
    }
    rows.flush()?;
    Ok(if summary.errors.is_empty() {
        Outcome::Fine
    } else {
        Outcome::InputErrors
    })
}

/// CSV or NDJSON rows for a report; duplicates were already exported when first seen.
fn write_rows(out: &mut impl Write, format: Format, found: Found<'_>) -> std::io::Result<()> {
    if found.duplicate {
        return Ok(());
    }
    for row in export::failure_rows(found.location, found.report) {
        match format {
            Format::Csv => out.write_all(row.to_csv().as_bytes())?,
            Format::Ndjson => out.write_all(row.to_ndjson().as_bytes())?,
            Format::Table | Format::Json => {}
        }
    }
    Ok(())
}
