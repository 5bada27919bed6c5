//! The worker's main loop: takes the page's requests, reads queued inputs one at a time into the
//! [`Session`], and reports progress and results at a pace the page can paint.
//!
//! Inputs are read in the order handed over, files in batches with one browser read each, a few
//! batches ahead of the one being parsed ([`ManyRead`]). Between two inputs the loop yields when a frame's worth of work has
//! passed, so a request that arrives meanwhile (a new filter, more files, "forget everything")
//! is handled at once, not after the whole run.
//! Progress goes out at most every [`PROGRESS_EVERY_MS`], results every [`RESULTS_EVERY_MS`]
//! while reading, and both when the queue is empty.

use super::protocol::{Event, Request};
use super::render::controls;
use super::session::Session;
use crate::io::files::ManyRead;
use crate::io::worker_scope::post;
use crate::io::yield_now::{FRAME_MS, TimeSlice, now_ms};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use web_sys::File;

/// Least time between two progress events.
pub const PROGRESS_EVERY_MS: f64 = 100.0;
/// Least time between two results events while reading (each is a full summary).
pub const RESULTS_EVERY_MS: f64 = 750.0;

/// Reading progress since the engine was last idle (shown as HTML).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Inputs read (or found unreadable) so far.
    pub files_done: u64,
    /// Inputs handed over so far.
    pub files_total: u64,
    /// Bytes of the inputs read so far.
    pub bytes_done: u64,
    /// Bytes of all inputs handed over.
    pub bytes_total: u64,
    /// The input being read, if any.
    pub current: Option<String>,
    /// Whether every input handed over has been read.
    pub done: bool,
    /// Milliseconds from the first input of this run to now (or to the end of the run).
    pub elapsed_ms: u64,
}

enum Input {
    File(File),
    Text { name: String, text: String },
}

#[derive(Default)]
struct Runner {
    session: Session,
    queue: VecDeque<Input>,
    progress: Progress,
    /// When the current run began (`now_ms`).
    started: f64,
    reading: bool,
    /// Bumped by "forget everything", so a read in flight is dropped.
    generation: u64,
    /// More files of the current selection are on their way (`Request::Add { more }`).
    more_coming: bool,
}

type Shared = Rc<RefCell<Runner>>;

/// Starts serving the page: called once by the worker binary.
pub fn start() {
    let runner: Shared = Rc::default();
    crate::io::worker_scope::on_request(move |request, files| handle(&runner, request, files));
    post(&Event::Ready, None);
}

fn handle(runner: &Shared, request: Request, files: Vec<File>) {
    match request {
        Request::Add { more } => {
            runner.borrow_mut().more_coming = more;
            let inputs = files.into_iter().map(|f| (f.size() as u64, Input::File(f)));
            enqueue(runner, inputs.collect());
        }
        Request::Paste { name, text } => {
            enqueue(
                runner,
                vec![(text.len() as u64, Input::Text { name, text })],
            );
        }
        Request::Filter { filter } => {
            runner.borrow_mut().session.set_filter(filter);
            post_results(runner);
        }
        Request::Export { format } => {
            let export = runner.borrow().session.export(format);
            post(
                &Event::Export {
                    format,
                    file_name: export.file_name,
                    mime: export.mime.to_owned(),
                },
                Some(&export.text),
            );
        }
        Request::Refresh => {
            post_progress(runner);
            post_results(runner);
        }
        Request::Clear => {
            {
                let mut r = runner.borrow_mut();
                let generation = r.generation + 1;
                *r = Runner {
                    generation,
                    ..Runner::default()
                };
                r.progress.done = true;
            }
            post_progress(runner);
            post_results(runner);
        }
    }
}

fn enqueue(runner: &Shared, inputs: Vec<(u64, Input)>) {
    let start = {
        let mut r = runner.borrow_mut();
        if !r.reading && (r.progress.done || r.progress.files_total == 0) {
            // A new run: progress counts from here.
            r.progress = Progress::default();
            r.started = now_ms();
        }
        for (size, input) in inputs {
            r.progress.files_total += 1;
            r.progress.bytes_total += size;
            r.queue.push_back(input);
        }
        r.progress.done = false;
        !std::mem::replace(&mut r.reading, true)
    };
    if start {
        let generation = runner.borrow().generation;
        wasm_bindgen_futures::spawn_local(read_queue(runner.clone(), generation));
    } else {
        post_progress(runner);
    }
}

/// Batches read at once: the browser reads the next ones while this one is parsed, and its
/// reads overlap (see [`ManyRead`]). At most this many times [`BATCH_BYTES`] wait in memory.
const READS_AHEAD: usize = 4;
/// Most files read with one browser read (see [`ManyRead`]).
const BATCH_FILES: usize = 256;
/// Most bytes read with one browser read; a larger file is read alone.
const BATCH_BYTES: u64 = 8 << 20;

/// The next inputs to read: consecutive files up to the batch limits, or one pasted text.
fn next_batch(queue: &mut VecDeque<Input>) -> Vec<Input> {
    let mut batch = Vec::new();
    let mut bytes = 0u64;
    while let Some(input) = queue.front() {
        let size = match input {
            Input::Text { .. } if batch.is_empty() => {
                batch.extend(queue.pop_front());
                break;
            }
            Input::Text { .. } => break,
            Input::File(f) => f.size() as u64,
        };
        if !batch.is_empty() && (batch.len() >= BATCH_FILES || bytes + size > BATCH_BYTES) {
            break;
        }
        bytes += size;
        batch.extend(queue.pop_front());
    }
    batch
}

async fn read_queue(runner: Shared, generation: u64) {
    let mut slice = TimeSlice::new(FRAME_MS);
    let (mut last_progress, mut last_results) = (0.0, now_ms());
    // Batches whose reads are under way, oldest first.
    let mut reading: VecDeque<(Vec<Input>, ManyRead)> = VecDeque::new();
    loop {
        {
            let mut r = runner.borrow_mut();
            if r.generation != generation {
                return;
            }
            while reading.len() < READS_AHEAD {
                let batch = next_batch(&mut r.queue);
                if batch.is_empty() {
                    break;
                }
                let files: Vec<File> = batch
                    .iter()
                    .filter_map(|input| match input {
                        Input::File(f) => Some(f.clone()),
                        Input::Text { .. } => None,
                    })
                    .collect();
                reading.push_back((batch, ManyRead::start(files)));
            }
        }
        let Some((batch, read)) = reading.pop_front() else {
            break;
        };
        runner.borrow_mut().progress.current = batch.first().map(|input| match input {
            Input::File(f) => f.name(),
            Input::Text { name, .. } => name.clone(),
        });
        let mut read = read.finish().await.into_iter();
        slice.restart();
        for input in batch {
            {
                let mut r = runner.borrow_mut();
                if r.generation != generation {
                    return;
                }
                match input {
                    Input::File(file) => {
                        let name = file.name();
                        match read.next() {
                            Some(Ok(bytes)) => r.session.add(&name, &bytes),
                            Some(Err(e)) => r.session.add_unreadable(&name, &e.0),
                            None => r
                                .session
                                .add_unreadable(&name, "the browser did not read it"),
                        }
                        r.progress.bytes_done += file.size() as u64;
                    }
                    Input::Text { name, text } => {
                        r.session.add(&name, text.as_bytes());
                        r.progress.bytes_done += text.len() as u64;
                    }
                }
                r.progress.files_done += 1;
                r.progress.elapsed_ms = (now_ms() - r.started) as u64;
            }
            let now = now_ms();
            if now - last_progress >= PROGRESS_EVERY_MS {
                last_progress = now;
                post_progress(&runner);
            }
            if now - last_results >= RESULTS_EVERY_MS {
                post_results(&runner);
                last_results = now_ms();
            }
            slice.maybe_yield().await;
        }
    }
    {
        let mut r = runner.borrow_mut();
        r.reading = false;
        if r.more_coming {
            // The rest of the selection is still being posted: the run goes on when it comes.
            r.progress.current = None;
            drop(r);
            post_progress(&runner);
            return;
        }
        r.progress.done = true;
        r.progress.current = None;
        r.progress.elapsed_ms = (now_ms() - r.started) as u64;
    }
    post_progress(&runner);
    post_results(&runner);
}

fn post_progress(runner: &Shared) {
    let r = runner.borrow();
    post(
        // Nothing handed over yet counts as done: the page must not say "Reading…" then.
        &Event::Progress {
            done: r.progress.done || r.progress.files_total == 0,
        },
        Some(&controls::progress(&r.progress)),
    );
}

fn post_results(runner: &Shared) {
    let (counts, html) = runner.borrow().session.results();
    post(&Event::Results(counts), Some(&html));
}
