//! [`Ingest`]: feed inputs one at a time, get the aggregate at any moment.
//!
//! This is the whole engine as the browser viewer and `stslens report` use it: each input (a
//! file's bytes) is unpacked, each report in it parsed, deduplicated and counted, and then the
//! input's bytes can be dropped. Memory is the largest single input being processed plus the
//! aggregate (and one deduplication key per distinct report), never the sum of all inputs, so the
//! browser can feed thousands of files with a progress bar between them.
//!
//! ```
//! use stslens_core::tlsrpt::Ingest;
//!
//! let json = br#"{"organization-name":"Google Inc.","report-id":"r1",
//!   "date-range":{"start-datetime":"2024-01-09T00:00:00Z","end-datetime":"2024-01-09T23:59:59Z"},
//!   "policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com","mx-host":["mx.example.com"]},
//!                "summary":{"total-successful-session-count":10,"total-failure-session-count":0}}]}"#;
//! let mut ingest = Ingest::new();
//! let added = ingest.add("google.json", json);
//! assert_eq!((added.reports, added.duplicates), (1, 0));
//! let again = ingest.add("copy.json", json);
//! assert_eq!((again.reports, again.duplicates), (0, 1));
//! let summary = ingest.summary();
//! assert_eq!((summary.reports, summary.duplicates), (1, 1));
//! assert_eq!(summary.totals.successful_sessions, 10);
//! ```

use super::aggregate::{Aggregator, Summary};
use super::gzip::Inflater;
use super::model::Report;
use super::parse::{ParseError, parse_report};
use super::unpack::{Limits, Sink, UnpackError, unpack};
use foldhash::HashSet;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;

/// What went wrong with one input, or one item inside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The container could not be unpacked (corrupt gzip, truncated zip, a cap hit, ...).
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    /// A document was found but is not a TLS-RPT report.
    #[error(transparent)]
    Report(#[from] ParseError),
    /// The shell could not read the input at all (reported by the caller, e.g. a missing file).
    #[error("cannot read: {0}")]
    Unreadable(String),
}

/// An error together with the input, or the item inside it, that it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Where: the input's name, then the path inside it, e.g. `inbox.mbox > message 3 > x.json.gz`.
    pub source: String,
    /// What.
    pub error: IngestError,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.error)
    }
}

impl Serialize for InputError {
    /// `{"source": "...", "message": "..."}`, as the design's contract shows.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("InputError", 2)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("message", &self.error.to_string())?;
        st.end()
    }
}

/// What one call to [`Ingest::add`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Added {
    /// New distinct reports counted.
    pub reports: usize,
    /// Reports already counted before (same organization and report-id), not counted again.
    pub duplicates: usize,
    /// Items that could not be read; they are also kept for [`Ingest::summary`].
    pub errors: Vec<InputError>,
}

/// A report as it is found, for callers that want more than the aggregate (a table of reports,
/// CSV rows). Handed out by reference so nothing is kept unless the caller keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// Where it was found, e.g. `reports.zip > google.com!example.com!1!2.json.gz`.
    pub location: &'a str,
    /// The report.
    pub report: &'a Report,
    /// Whether it was already counted from an earlier input or item.
    pub duplicate: bool,
}

/// The ingestion engine: unpack, parse, deduplicate, aggregate.
#[derive(Debug, Clone, Default)]
pub struct Ingest {
    limits: Limits,
    seen: HashSet<String>,
    aggregate: Aggregator,
    errors: Vec<InputError>,
    inputs: u64,
    /// One gzip decoder for all inputs: creating one per stream costs more than inflating it.
    inflater: Inflater,
}

impl Ingest {
    /// An empty ingester with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty ingester with other caps (tests, or a deployment that wants them smaller).
    pub fn with_limits(limits: Limits) -> Self {
        Ingest {
            limits,
            ..Self::default()
        }
    }

    /// The caps in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Ingests one input, whatever its format, named `source` in errors and locations.
    pub fn add(&mut self, source: &str, bytes: &[u8]) -> Added {
        self.add_with(source, bytes, |_| {})
    }

    /// Like [`Ingest::add`], and hands every report found (duplicates too, marked) to `on_report`
    /// as soon as it is parsed: `stslens report --csv` streams rows this way.
    pub fn add_with(
        &mut self,
        source: &str,
        bytes: &[u8],
        on_report: impl FnMut(Found<'_>),
    ) -> Added {
        self.inputs += 1;
        let mut collector = Collector {
            seen: &mut self.seen,
            aggregate: &mut self.aggregate,
            added: Added::default(),
            on_report,
        };
        unpack(
            bytes,
            source,
            &self.limits,
            &mut self.inflater,
            &mut collector,
        );
        let added = collector.added;
        self.errors.extend(added.errors.iter().cloned());
        added
    }

    /// Records an input the caller could not read (a missing file, a read error), so that it
    /// appears in the summary's errors like every other failed input.
    pub fn add_unreadable(&mut self, source: &str, reason: impl fmt::Display) -> InputError {
        self.inputs += 1;
        let error = InputError {
            source: source.to_owned(),
            error: IngestError::Unreadable(reason.to_string()),
        };
        self.errors.push(error.clone());
        error
    }

    /// The aggregate of everything ingested so far.
    pub fn summary(&self) -> Summary {
        self.aggregate.summary(self.inputs, &self.errors)
    }

    /// Every error so far, in the order met.
    pub fn errors(&self) -> &[InputError] {
        &self.errors
    }
}

/// One input unpacked and parsed but not yet counted, in the order its items were met: what a
/// [`Reader`] gives and [`Ingest::add_parsed`] takes.
///
/// Parsing is nearly all of the work and needs no shared state, while counting needs the
/// deduplication set and the aggregate; splitting the two lets a caller parse inputs on several
/// threads and count them on one, in input order, with the same result as [`Ingest::add`].
///
/// Memory stays bounded by the largest report, not by how many an archive or mailbox holds: once
/// an input's reports pass [`Limits::max_report_bytes`] of JSON in all, nothing more is kept and
/// the input's bytes go to [`Ingest::add_parsed`] instead, which ingests them there one report at
/// a time as [`Ingest::add`] does (parsing that input twice, a cost only very large ones pay).
#[derive(Debug, Default)]
pub struct Parsed {
    items: Vec<Item>,
    /// JSON bytes of the documents met so far.
    json_bytes: usize,
    /// Set when the documents passed the bound: the input, to ingest on the counting side.
    whole: Option<(String, Vec<u8>)>,
    /// The bound on `json_bytes`.
    keep_bytes: usize,
}

/// Nearly every item is a report, so boxing reports to shrink the rare error would only add an
/// allocation per report.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
enum Item {
    Report { location: String, report: Report },
    Error(InputError),
}

impl Parsed {
    /// How many bytes of JSON its documents held: what keeping it costs, for a caller that
    /// bounds how many parsed inputs wait (the model takes a few times this).
    pub fn json_bytes(&self) -> usize {
        self.json_bytes
    }

    /// Whether the documents met have passed the bound (see the type's documentation).
    fn over(&self) -> bool {
        self.json_bytes > self.keep_bytes
    }
}

impl Sink for Parsed {
    fn document(&mut self, location: &str, json: &[u8]) {
        self.json_bytes = self.json_bytes.saturating_add(json.len());
        if self.over() {
            self.items.clear();
            return;
        }
        self.items.push(match parse_report(json) {
            Ok(report) => Item::Report {
                location: location.to_owned(),
                report,
            },
            Err(e) => Item::Error(InputError {
                source: location.to_owned(),
                error: e.into(),
            }),
        });
    }

    fn error(&mut self, location: &str, error: UnpackError) {
        if self.over() {
            return;
        }
        self.items.push(Item::Error(InputError {
            source: location.to_owned(),
            error: error.into(),
        }));
    }
}

/// Unpacks and parses inputs without counting them; one per thread. Made by [`Ingest::reader`]
/// so that it applies the same [`Limits`].
#[derive(Debug, Clone)]
pub struct Reader {
    limits: Limits,
    inflater: Inflater,
}

impl Reader {
    /// Unpacks and parses one input, named `source` in errors and locations.
    pub fn read(&mut self, source: &str, bytes: &[u8]) -> Parsed {
        let mut parsed = Parsed {
            keep_bytes: self.limits.max_report_bytes,
            ..Parsed::default()
        };
        unpack(bytes, source, &self.limits, &mut self.inflater, &mut parsed);
        if parsed.over() {
            parsed.whole = Some((source.to_owned(), bytes.to_vec()));
        }
        parsed
    }
}

impl Ingest {
    /// A [`Reader`] with this ingester's caps, to parse inputs elsewhere (another thread).
    pub fn reader(&self) -> Reader {
        Reader {
            limits: self.limits,
            inflater: Inflater::default(),
        }
    }

    /// Counts an input a [`Reader`] parsed, exactly as [`Ingest::add_with`] would have: inputs
    /// must be added in the order the caller wants duplicates decided (the first copy counts).
    ///
    /// It only borrows `parsed`, so that the caller can free it where it likes: on the thread
    /// that parsed it, whose allocator then reuses the memory at once, rather than on the
    /// counting thread, where every free is a cross-thread one.
    pub fn add_parsed(&mut self, parsed: &Parsed, on_report: impl FnMut(Found<'_>)) -> Added {
        if let Some((source, bytes)) = &parsed.whole {
            return self.add_with(source, bytes, on_report);
        }
        self.inputs += 1;
        let mut collector = Collector {
            seen: &mut self.seen,
            aggregate: &mut self.aggregate,
            added: Added::default(),
            on_report,
        };
        for item in &parsed.items {
            match item {
                Item::Report { location, report } => collector.count(location, report),
                Item::Error(error) => collector.added.errors.push(error.clone()),
            }
        }
        let added = collector.added;
        self.errors.extend(added.errors.iter().cloned());
        added
    }
}

/// [`Report::dedup_key`] as one string, the form [`Ingest`] and [`super::ReportStore`] remember.
/// The organization's length in front makes the joining unambiguous whatever characters the two
/// values hold.
///
/// Built by hand: `format!` with its three arguments was about 1 % of the instructions of
/// `stslens report` on 3,000 reports (callgrind), all of it on the counting thread.
pub(crate) fn dedup_string(report: &Report) -> Option<String> {
    let (organization, id) = report.dedup_key()?;
    Some(joined_key(organization, id))
}

/// `"{organization.len()}\0{organization}\0{id}"`.
fn joined_key(organization: &str, id: &str) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = organization.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let length = std::str::from_utf8(&digits[at..]).expect("ASCII digits");
    let mut key = String::with_capacity(length.len() + organization.len() + id.len() + 2);
    key.push_str(length);
    key.push('\0');
    key.push_str(organization);
    key.push('\0');
    key.push_str(id);
    key
}

struct Collector<'a, F> {
    seen: &'a mut HashSet<String>,
    aggregate: &'a mut Aggregator,
    added: Added,
    on_report: F,
}

impl<F: FnMut(Found<'_>)> Sink for Collector<'_, F> {
    fn document(&mut self, location: &str, json: &[u8]) {
        match parse_report(json) {
            Ok(report) => self.count(location, &report),
            Err(e) => self.error_at(location, e.into()),
        }
    }

    fn error(&mut self, location: &str, error: UnpackError) {
        self.error_at(location, error.into());
    }
}

impl<F: FnMut(Found<'_>)> Collector<'_, F> {
    /// Deduplicates and counts one parsed report.
    fn count(&mut self, location: &str, report: &Report) {
        let duplicate = match dedup_string(report) {
            Some(key) => !self.seen.insert(key),
            None => false,
        };
        if duplicate {
            self.added.duplicates += 1;
            self.aggregate.add_duplicate();
        } else {
            self.added.reports += 1;
            self.aggregate.add(report);
        }
        (self.on_report)(Found {
            location,
            report,
            duplicate,
        });
    }
}

impl<F> Collector<'_, F> {
    fn error_at(&mut self, location: &str, error: IngestError) {
        self.added.errors.push(InputError {
            source: location.to_owned(),
            error,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::joined_key;

    #[test]
    fn the_joined_key_is_the_length_then_both_values() {
        let long = "o".repeat(1234);
        for (organization, id) in [
            ("", ""),
            ("Google Inc.", "2024-01-09T00:00:00Z_example.com"),
            ("a\0b", "c"),
            ("a", "\0b\0c"),
            ("Mail.ru", "значение"),
            (long.as_str(), "x"),
        ] {
            assert_eq!(
                joined_key(organization, id),
                format!("{}\0{organization}\0{id}", organization.len())
            );
        }
        // The length keeps two different pairs apart even when their joined values match.
        assert_ne!(joined_key("a\0b", "c"), joined_key("a", "b\0c"));
    }
}
