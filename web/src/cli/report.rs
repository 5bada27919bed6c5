//! `stslens report <FILE|->... [--json | --csv | --ndjson]`
//!
//! A thin shell over [`stslens_core::tlsrpt::Ingest`]: it reads, unpacks and parses the inputs
//! on one thread per core ([`stslens_core::tlsrpt::Reader`]), a few ahead of the one being
//! counted (so memory is a few inputs per thread plus the aggregate, whatever their number),
//! counts them on this thread in the order given, reports each input that fails on stderr as it
//! goes, and prints the aggregate at the end:
//! the design contract's JSON object with `--json`, one row per failure detail with `--csv` or
//! `--ndjson` (streamed while reading), or a readable summary. An input that fails makes the
//! exit code 1, but never stops the others from being counted.

mod files;
mod table;

use super::{Outcome, fail};
use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use stslens_core::tlsrpt::{Found, Ingest, Parsed, Reader, export};

/// Arguments of `stslens report`.
#[derive(Debug, PartialEq, Eq, clap::Args)]
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

impl Args {
    /// Reads `stslens report`'s arguments without clap when they are plain: `report`, then file
    /// names (or `-`) and at most one of `--json`, `--csv`, `--ndjson`. Anything else (help, an
    /// unknown option, `--`, two formats, no file, a name that is not UTF-8) gives `None`, and
    /// clap parses it as usual, so every message and exit code stays clap's.
    ///
    /// Why: clap keeps a boxed, reference-counted value per argument, and a day's reports are
    /// often thousands of file names: with the benchmark's 3,000 that was about 0.9 ms (and 230
    /// page faults) of the run's 22 ms, all before any file is opened. The names are borrowed
    /// (`main` passes the process's own arguments, from the `argv` crate): copying each into an
    /// `OsString` (`std::env::args_os`) took about 0.2 ms more of the 25, on one thread before
    /// the workers start (a test program over the same 3,000 names: 360 to 410 µs against 160
    /// to 175 µs).
    pub fn plain<'a>(mut args: impl Iterator<Item = &'a OsStr>) -> Option<Plain<'a>> {
        if args.next()? != "report" {
            return None;
        }
        let mut parsed = Plain {
            files: Vec::with_capacity(args.size_hint().0),
            json: false,
            csv: false,
            ndjson: false,
        };
        for arg in args {
            let arg = arg.to_str()?;
            let format_given = parsed.json || parsed.csv || parsed.ndjson;
            let flag = match arg {
                "--json" => &mut parsed.json,
                "--csv" => &mut parsed.csv,
                "--ndjson" => &mut parsed.ndjson,
                option if option.starts_with('-') && option != "-" => return None,
                _ => {
                    parsed.files.push(arg);
                    continue;
                }
            };
            if format_given {
                return None; // a second format (or the same twice): clap says what is wrong
            }
            *flag = true;
        }
        (!parsed.files.is_empty()).then_some(parsed)
    }
}

/// `stslens report`'s arguments as [`Args::plain`] reads them: the same fields, with the file
/// names borrowed from the arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct Plain<'a> {
    pub files: Vec<&'a str>,
    pub json: bool,
    pub csv: bool,
    pub ndjson: bool,
}

impl Plain<'_> {
    /// Runs the command.
    pub fn run(self) -> Outcome {
        run_on(&self.files, Format::of(self.json, self.csv, self.ndjson))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
    Ndjson,
}

impl Format {
    /// The format the flags ask for (clap and [`Args::plain`] let at most one be set).
    fn of(json: bool, csv: bool, ndjson: bool) -> Format {
        match (json, csv, ndjson) {
            (true, _, _) => Format::Json,
            (_, true, _) => Format::Csv,
            (_, _, true) => Format::Ndjson,
            _ => Format::Table,
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> Outcome {
    run_on(&args.files, Format::of(args.json, args.csv, args.ndjson))
}

/// Runs the command on `files` (each a path, or `-` for stdin).
fn run_on<S: AsRef<str> + Sync>(files: &[S], format: Format) -> Outcome {
    match report(files, format) {
        Ok(outcome) => outcome,
        Err(e) => fail(format!("cannot write the output: {e}")),
    }
}

fn report<S: AsRef<str> + Sync>(files: &[S], format: Format) -> std::io::Result<Outcome> {
    let mut rows = BufWriter::with_capacity(OUT_BUFFER, std::io::stdout().lock());
    if format == Format::Csv {
        rows.write_all(export::csv_header().as_bytes())?;
    }
    let mut ingest = Ingest::new();
    let mut write_error = None;
    std::thread::scope(|scope| {
        let mut inputs = parse_in_parallel(scope, &ingest, files);
        while let Some((index, parsed)) = inputs.next() {
            let source = source_name(files[index].as_ref());
            let parsed = match parsed {
                Ok(parsed) => parsed,
                Err(e) => {
                    eprintln!("stslens: {}", ingest.add_unreadable(source, e));
                    continue;
                }
            };
            let added = ingest.add_parsed(&parsed, |found| {
                if matches!(format, Format::Csv | Format::Ndjson)
                    && write_error.is_none()
                    && let Err(e) = write_rows(&mut rows, format, found)
                {
                    write_error = Some(e);
                }
            });
            inputs.spent(parsed);
            for error in &added.errors {
                eprintln!("stslens: {error}");
            }
            if write_error.is_some() {
                // Dropping the iterator stops the workers.
                return;
            }
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
    let outcome = if summary.errors.is_empty() {
        Outcome::Fine
    } else {
        Outcome::InputErrors
    };
    // The process ends as soon as this returns (`exit_now` in main.rs): freeing the aggregate
    // and the summary, tens of thousands of allocations on a day of reports, would only add
    // to the end of the run (about 0.1 ms on the benchmark's), so they are left to the exit.
    std::mem::forget((ingest, summary));
    Ok(outcome)
}

/// How much output is gathered before it is written. Why not `BufWriter`'s 8 KiB: stdout is
/// line-buffered, so each 8 KiB flush went out as two writes (up to the last newline, then the
/// rest), 74 system calls for the benchmark's 296 KB of JSON, about 0.2 ms of the run's end.
const OUT_BUFFER: usize = 64 * 1024;

/// Files are read and parsed in chunks: a worker claims one chunk at a time, so the threads meet
/// once per chunk rather than once per file. Chunks hold at most this many files, and fewer
/// towards the end (see [`chunk_starts`]).
const CHUNK: usize = 64;
/// Each chunk holds about the remaining files over this many times the number of workers (at
/// most [`CHUNK`], at least one).
const CHUNKS_PER_WORKER: usize = 4;
/// A worker hands over what it has parsed of a chunk once its inputs reach this many bytes, so
/// that a chunk of large files does not wait whole in memory.
const PART_BYTES: usize = 4 * 1024 * 1024;
/// How many bytes of parsed inputs may wait to be counted (each input weighs its file's size or
/// what its reports hold, [`Parsed::weight`], whichever is more). Past it, workers pause, except the
/// one holding the chunk being counted, so memory stays at this plus a part per worker, with
/// any number of files. It is a budget in bytes, not in chunks, so that while one worker spends
/// a while on a very large report the others go on through hundreds of small ones instead of
/// waiting for it.
const AHEAD_BYTES: usize = 16 * 1024 * 1024;

/// Inputs parsed by a worker: each input's position in the arguments and what it gave (or why
/// it could not be read), whether this part ends its chunk, and its weight against
/// [`AHEAD_BYTES`].
struct Part {
    inputs: Vec<(usize, std::io::Result<Parsed>)>,
    ends_chunk: bool,
    bytes: usize,
}

/// What the workers and the counting thread share: which chunk is claimed by whom, which one is
/// being counted, and how much waits.
#[derive(Default)]
struct Dispatch {
    state: Mutex<DispatchState>,
    changed: Condvar,
}

#[derive(Default)]
struct DispatchState {
    /// The chunk being counted.
    head: usize,
    /// The worker of each claimed chunk not yet counted, from `head` on; so the next chunk to
    /// claim is `head + owners.len()`.
    owners: VecDeque<usize>,
    /// Bytes of parts handed over and not yet counted, the one being counted included: a part of
    /// reports that each hold 50 MiB is in memory until it has been counted, and leaving it out
    /// let the workers start two more such reports meanwhile.
    waiting: usize,
    /// For each claimed chunk not yet counted, as `owners`: how many of its parts wait to be
    /// taken.
    parts_waiting: VecDeque<usize>,
    /// Set when the counting thread stops early.
    stopped: bool,
}

impl DispatchState {
    fn next(&self) -> usize {
        self.head + self.owners.len()
    }

    /// Whether work on chunk `k` must wait: too much waits to be counted, and the counting
    /// thread has something to go on with. So the chunk being counted goes on only while none
    /// of its parts waits: without that, a chunk of inputs that each hold 100 MiB (the most one
    /// report may) went on whole while each was counted, and 30 of them held 1.3 GiB.
    fn must_pause(&self, k: usize) -> bool {
        !self.stopped
            && self.waiting >= AHEAD_BYTES
            && (k != self.head || self.parts_waiting.front().is_some_and(|&n| n > 0))
    }
}

impl Dispatch {
    fn lock(&self) -> MutexGuard<'_, DispatchState> {
        // A worker that panicked makes the scope panic anyway; its lock is still good to use.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the state once `pause` no longer holds for it.
    fn wait_until_not(
        &self,
        pause: impl FnMut(&mut DispatchState) -> bool,
    ) -> MutexGuard<'_, DispatchState> {
        self.changed
            .wait_while(self.lock(), pause)
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks while chunk `k` must pause; false once the counting thread stopped.
    fn may_go_on(&self, k: usize) -> bool {
        !self.wait_until_not(|s| s.must_pause(k)).stopped
    }

    /// Claims the next chunk for `worker`, waiting while too much is ahead; `None` when all are
    /// claimed or the counting thread stopped.
    fn claim(&self, worker: usize, chunks: usize) -> Option<usize> {
        let mut state = self.wait_until_not(|s| s.next() < chunks && s.must_pause(s.next()));
        let k = state.next();
        if state.stopped || k >= chunks {
            return None;
        }
        state.owners.push_back(worker);
        state.parts_waiting.push_back(0);
        self.changed.notify_all();
        Some(k)
    }
}

/// Opens, reads, unpacks and parses `files` on one thread per core and hands the results back
/// in the order given, so that counting (on the caller's thread) decides duplicates exactly as
/// one thread would. Opening thousands of small files costs a good part of the time, so each
/// worker does both for its own files: the system calls run in parallel too.
///
/// Workers claim chunks in turn as they get free (a fixed share each would leave one idle while
/// another parses a large report), and each sends its parts on its own channel; the claims are
/// recorded in order, so the counting thread knows whose channel holds the chunk it needs next.
/// A worker pauses while [`AHEAD_BYTES`] wait uncounted, so memory stays bounded. Dropping the
/// iterator stops the workers.
fn parse_in_parallel<'scope, S: AsRef<str> + Sync>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    ingest: &Ingest,
    files: &'scope [S],
) -> InOrder {
    let n = std::thread::available_parallelism()
        .map_or(1, |n| n.get().min(8))
        .min(files.len().max(1));
    let starts: Arc<[usize]> = chunk_starts(files.len(), n).into();
    let chunks = starts.len() - 1;
    let dispatch = Arc::new(Dispatch::default());
    let mut from_workers = Vec::with_capacity(n);
    let mut to_workers = Vec::with_capacity(n);
    for worker in 0..n {
        let (outbox, from_worker) = mpsc::channel::<Part>();
        let (to_worker, spent) = mpsc::channel::<Vec<Parsed>>();
        let mut reader: Reader = ingest.reader();
        let dispatch = Arc::clone(&dispatch);
        let starts = Arc::clone(&starts);
        scope.spawn(move || {
            let mut files_reader = files::Files::new();
            while let Some(k) = dispatch.claim(worker, chunks) {
                let first = starts[k];
                let chunk = &files[first..starts[k + 1]];
                let mut part = Vec::new();
                let mut bytes = 0;
                let flow = files_reader.read_each(chunk, |i, content| {
                    // What was counted of this worker's parts is freed here, where it was
                    // allocated (see `InOrder::spent`), before each input: a chunk of inputs
                    // that each hold 100 MiB must not keep the counted ones until it ends.
                    // `recycle` keeps large reports' failure-detail vectors for the next ones.
                    while let Ok(counted) = spent.try_recv() {
                        for parsed in counted {
                            reader.recycle(parsed);
                        }
                    }
                    let file = &chunk[i];
                    let parsed = content.map(|content| {
                        let parsed = reader.read(source_name(file.as_ref()), content);
                        bytes += content.len().max(parsed.weight());
                        parsed
                    });
                    part.push((first + i, parsed));
                    let ends_chunk = i + 1 == chunk.len();
                    if ends_chunk || bytes >= PART_BYTES {
                        let inputs = std::mem::take(&mut part);
                        let sent = Part {
                            inputs,
                            ends_chunk,
                            bytes: std::mem::take(&mut bytes),
                        };
                        // Counted before it is sent: the counting thread takes it off
                        // as soon as it receives the part.
                        let mut state = dispatch.lock();
                        state.waiting += sent.bytes;
                        let at = k - state.head;
                        state.parts_waiting[at] += 1;
                        drop(state);
                        if outbox.send(sent).is_err() {
                            return ControlFlow::Break(()); // the caller stopped
                        }
                        if !ends_chunk && !dispatch.may_go_on(k) {
                            return ControlFlow::Break(());
                        }
                    }
                    ControlFlow::Continue(())
                });
                if flow.is_break() {
                    return;
                }
            }
        });
        from_workers.push(from_worker);
        to_workers.push(to_worker);
    }
    InOrder {
        from_workers,
        to_workers,
        dispatch,
        chunks,
        chunk_done: false,
        part: Vec::new().into_iter(),
        owner: 0,
        counted: Vec::new(),
        held: 0,
    }
}

/// The workers' parts, chunk by chunk in order: the parts of the chunk being counted, from the
/// worker that claimed it, up to the one that ends it. One part at a time is held here.
struct InOrder {
    from_workers: Vec<mpsc::Receiver<Part>>,
    /// Where counted inputs go back to be freed, one channel per worker.
    to_workers: Vec<mpsc::Sender<Vec<Parsed>>>,
    dispatch: Arc<Dispatch>,
    chunks: usize,
    chunk_done: bool,
    part: std::vec::IntoIter<(usize, std::io::Result<Parsed>)>,
    /// The worker that parsed `part`.
    owner: usize,
    /// The inputs of `part` counted so far, for [`InOrder::spent`].
    counted: Vec<Parsed>,
    /// What `part` weighs, taken off [`DispatchState::waiting`] once it is counted.
    held: usize,
}

impl InOrder {
    /// Takes back an input once counted, to be freed by the worker that parsed it. Why: a report
    /// is a few hundred allocations, and freeing them on this thread made each one a
    /// cross-thread free, which the allocator only takes back into the worker's heap later; the
    /// worker meanwhile took fresh memory (page faults) for the reports it went on parsing.
    fn spent(&mut self, parsed: Parsed) {
        self.counted.push(parsed);
    }

    /// Sends the inputs counted of the current part back to their worker (or frees them here if
    /// it has ended).
    fn send_back(&mut self) {
        if !self.counted.is_empty() {
            let counted = std::mem::take(&mut self.counted);
            let _ = self.to_workers[self.owner].send(counted);
        }
    }
}

impl Iterator for InOrder {
    type Item = (usize, std::io::Result<Parsed>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(input) = self.part.next() {
                return Some(input);
            }
            self.send_back();
            let mut state = self.dispatch.lock();
            if self.held > 0 {
                state.waiting -= std::mem::take(&mut self.held);
                self.dispatch.changed.notify_all();
            }
            if self.chunk_done {
                state.head += 1;
                state.owners.pop_front();
                state.parts_waiting.pop_front();
                self.chunk_done = false;
                self.dispatch.changed.notify_all();
            }
            if state.head >= self.chunks {
                return None;
            }
            drop(state);
            // Chunks are claimed in order, and every earlier chunk of its worker was counted, so
            // what that worker's channel holds next belongs to this chunk.
            let owner = self.dispatch.wait_until_not(|s| s.owners.is_empty()).owners[0];
            let part = self.from_workers[owner].recv().ok()?;
            let mut state = self.dispatch.lock();
            state.parts_waiting[0] -= 1;
            self.dispatch.changed.notify_all();
            drop(state);
            self.chunk_done = part.ends_chunk;
            self.held = part.bytes;
            self.part = part.inputs.into_iter();
            self.owner = owner;
        }
    }
}

impl Drop for InOrder {
    /// Wakes paused workers so that they see the stop and end.
    fn drop(&mut self) {
        self.dispatch.lock().stopped = true;
        self.dispatch.changed.notify_all();
    }
}

/// Where each chunk of `files` inputs starts, for `workers` threads, then `files` (no chunk at
/// all for no file): chunks of
/// [`CHUNK`] while many files remain, then smaller and smaller ones, down to one file.
///
/// Why: the threads meet once per chunk (a claim, a hand-over, a wake-up), and on the
/// benchmark's 3,000 files chunks of 64 took about a thirtieth off the CPU and wall time of
/// chunks of 16; but with fixed chunks of 64, fewer than 65 files would all go to one thread, and
/// the last chunk would keep one thread busy while the others have nothing left.
fn chunk_starts(files: usize, workers: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let mut at = 0;
    while at < files {
        let left = files - at;
        at += left
            .div_ceil(workers.max(1) * CHUNKS_PER_WORKER)
            .clamp(1, CHUNK);
        starts.push(at);
    }
    starts
}

/// The name errors and locations use for an argument: `<stdin>` for `-`.
fn source_name(file: &str) -> &str {
    if file == "-" { "<stdin>" } else { file }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_file_once_and_shrink_towards_the_end() {
        for workers in [1, 2, 8] {
            for files in [0, 1, 2, 7, 40, 64, 65, 1000, 3000, 24_000] {
                let starts = chunk_starts(files, workers);
                assert_eq!(starts.first(), Some(&0));
                assert_eq!(starts.last(), Some(&files));
                let sizes: Vec<usize> = starts.windows(2).map(|w| w[1] - w[0]).collect();
                assert!(sizes.iter().all(|&n| (1..=CHUNK).contains(&n)), "{sizes:?}");
                assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
                // A few files still spread over the threads.
                if files >= workers * CHUNKS_PER_WORKER {
                    assert!(
                        sizes.len() >= workers * CHUNKS_PER_WORKER,
                        "{files}: {sizes:?}"
                    );
                }
            }
        }
        let sizes = |files, workers| {
            let starts = chunk_starts(files, workers);
            starts.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
        };
        assert_eq!(sizes(3000, 2)[..3], [CHUNK, CHUNK, CHUNK]);
        assert_eq!(sizes(3000, 2).last(), Some(&1));
        assert_eq!(
            sizes(40, 2),
            [5, 5, 4, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
        );
    }
}
