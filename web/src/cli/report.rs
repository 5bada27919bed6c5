//! `stslens report <FILE|->... [--json | --csv | --ndjson]`
//!
//! A thin shell over [`stslens_core::tlsrpt::Ingest`]: it reads the inputs in order, a few ahead
//! on a second thread (so memory is a few inputs plus the aggregate, whatever their number),
//! hands each to the engine on this thread, reports each input that fails on stderr as it goes,
//! and prints the aggregate at the end:
//! the design contract's JSON object with `--json`, one row per failure detail with `--csv` or
//! `--ndjson` (streamed while reading), or a readable summary. An input that fails makes the
//! exit code 1, but never stops the others from being counted.

mod table;

use super::{Outcome, fail};
use std::io::{BufWriter, Read, Write};
use std::sync::mpsc;
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
    std::thread::scope(|scope| {
        for mut batch in read_ahead(scope, files) {
            for input in &batch.inputs {
                let name = files[input.index].as_str();
                let source = if name == "-" { "<stdin>" } else { name };
                let bytes = match &input.read {
                    Ok(n) => &input.buffer[..*n],
                    Err(e) => {
                        eprintln!("stslens: {}", ingest.add_unreadable(source, e));
                        continue;
                    }
                };
                let added = ingest.add_with(source, bytes, |found| {
                    if matches!(format, Format::Csv | Format::Ndjson)
                        && write_error.is_none()
                        && let Err(e) = write_rows(&mut rows, format, found)
                    {
                        write_error = Some(e);
                    }
                });
                for error in &added.errors {
                    eprintln!("stslens: {error}");
                }
                if write_error.is_some() {
                    // Dropping the queue stops the reader.
                    return;
                }
            }
            batch.recycle();
        }
    });
    if let Some(e) = write_error {
        return Err(e);
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

/// Inputs are handed from the reader to the ingester in batches of at most this many...
const BATCH_INPUTS: usize = 64;
/// ... or buffers of about this many bytes in all, whichever comes first.
const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Batches read ahead of the one being ingested.
const AHEAD: usize = 2;

/// One input as read: its position in the arguments, and its bytes (`buffer[..n]`) or why it
/// could not be read.
struct Input {
    index: usize,
    read: std::io::Result<usize>,
    buffer: Vec<u8>,
}

/// Inputs read together; [`Batch::recycle`] hands their buffers back to the reader.
struct Batch {
    inputs: Vec<Input>,
    give_back: mpsc::Sender<Vec<Vec<u8>>>,
}

impl Batch {
    fn recycle(&mut self) {
        let buffers = self.inputs.drain(..).map(|i| i.buffer).collect();
        // The reader may have finished already; then the buffers are simply freed.
        let _ = self.give_back.send(buffers);
    }
}

/// Reads `files` in order on a second thread, a couple of batches ahead of the caller, so that
/// opening and reading the next files overlaps with ingesting these: with thousands of small
/// reports, the system calls cost about as much as the parsing. Batching keeps the two threads
/// from waking each other for every file. Memory stays bounded (a few batches of recycled
/// buffers, whatever the number of files), and the order, which decides which copy of a
/// duplicate counts, is the order given.
fn read_ahead<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    files: &'scope [String],
) -> impl Iterator<Item = Batch> + 'scope {
    let (queue, batches) = mpsc::sync_channel::<Vec<Input>>(AHEAD);
    let (give_back, recycled) = mpsc::channel::<Vec<Vec<u8>>>();
    scope.spawn(move || {
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut batch = Vec::with_capacity(BATCH_INPUTS);
        let mut bytes = 0;
        for (index, file) in files.iter().enumerate() {
            spare.extend(recycled.try_iter().flatten());
            let mut buffer = spare.pop().unwrap_or_default();
            let read = if file == "-" {
                read_all(&mut std::io::stdin().lock(), &mut buffer)
            } else {
                std::fs::File::open(file).and_then(|mut f| read_all(&mut f, &mut buffer))
            };
            bytes += buffer.len();
            batch.push(Input {
                index,
                read,
                buffer,
            });
            if batch.len() == BATCH_INPUTS || bytes >= BATCH_BYTES {
                bytes = 0;
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_INPUTS));
                if queue.send(full).is_err() {
                    return; // the caller stopped
                }
            }
        }
        if !batch.is_empty() {
            let _ = queue.send(batch);
        }
    });
    batches.into_iter().map(move |inputs| Batch {
        inputs,
        give_back: give_back.clone(),
    })
}

/// Reads `input` to its end into `buffer` and returns how many bytes it holds. The buffer stays
/// initialised and only grows, and no size is asked for first: `read_to_end` on a file adds a
/// `statx` and an `lseek` per file, a third of the system calls when reading thousands of small
/// reports.
fn read_all(input: &mut impl Read, buffer: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut n = 0;
    loop {
        if n == buffer.len() {
            buffer.resize((n * 2).max(16 * 1024), 0);
        }
        match input.read(&mut buffer[n..]) {
            Ok(0) => return Ok(n),
            Ok(got) => n += got,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
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
