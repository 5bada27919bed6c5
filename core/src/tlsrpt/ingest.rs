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
/// an input of several reports holds more than [`Limits::max_report_bytes`] (their
/// [`Parsed::weight`]), nothing more is kept and the input's bytes go to [`Ingest::add_parsed`]
/// instead, which ingests them there one report at a time as [`Ingest::add`] does (parsing that
/// input twice, a cost only very large ones pay). An input of one report always keeps it: the
/// per-report caps bound it (20 MiB of JSON, [`MAX_REPORT_ELEMENTS`](super::MAX_REPORT_ELEMENTS)
/// elements: about 100 MiB), and parsing it twice would save nothing.
#[derive(Debug, Default)]
pub struct Parsed {
    items: Vec<Item>,
    /// What the documents met so far hold, in bytes (see [`Parsed::weight`]).
    weight: usize,
    /// Documents met so far.
    documents: usize,
    /// Set when the documents passed the bound: the input, to ingest on the counting side.
    whole: Option<(String, Vec<u8>)>,
    /// The bound on `weight`.
    keep_bytes: usize,
}

/// About what one policy or failure detail costs in memory once parsed, whatever its JSON: its
/// model struct and strings, the deviations it gives rise to, and its share of the document
/// structs it was read through. Measured: 100,000 empty `{}` failure details peak at 110 MiB,
/// 100,000 typical ones (100 bytes of JSON each) at 89 MiB.
const ELEMENT_BYTES: usize = 1024;

/// How many bytes a parsed report is counted as holding: its JSON, or [`ELEMENT_BYTES`] per
/// policy and failure detail, whichever is more. The JSON alone understated tiny elements by up
/// to 350 times: 300 KiB of `{}` holds 100 MiB.
fn weight(json: &[u8], report: &Report) -> usize {
    let elements = report.policies.len()
        + report
            .policies
            .iter()
            .map(|p| p.failure_details.len())
            .sum::<usize>();
    json.len().max(elements.saturating_mul(ELEMENT_BYTES))
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
    /// About how many bytes of memory its reports hold: each report's JSON, or about 1 KiB per
    /// policy and failure detail, whichever is more. For a caller that bounds how much parsed
    /// input waits to be counted.
    pub fn weight(&self) -> usize {
        self.weight
    }

    /// Whether the documents met have passed the bound (see the type's documentation).
    fn over(&self) -> bool {
        self.documents > 1 && self.weight > self.keep_bytes
    }
}

impl Sink for Parsed {
    fn document(&mut self, location: &str, json: &[u8]) {
        // Counted before parsing too, so that an input past the bound parses nothing more.
        self.documents += 1;
        self.weight = self.weight.saturating_add(json.len());
        if self.over() {
            self.items.clear();
            return;
        }
        let item = match parse_report(json) {
            Ok(report) => {
                let beyond_json = weight(json, &report) - json.len();
                self.weight = self.weight.saturating_add(beyond_json);
                Item::Report {
                    location: location.to_owned(),
                    report,
                }
            }
            Err(e) => Item::Error(InputError {
                source: location.to_owned(),
                error: e.into(),
            }),
        };
        if self.over() {
            self.items.clear();
            return;
        }
        // Room for exactly one at first (later ones grow as usual): nearly every input is one
        // report, and `push` alone makes room for four of these few-hundred-byte items, so the
        // allocator's pages would hold a quarter as many.
        if self.items.capacity() == 0 {
            self.items.reserve_exact(1);
        }
        self.items.push(item);
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

    /// Frees an input once it has been counted ([`Ingest::add_parsed`]). Called on the thread
    /// that read it, this keeps the room of its large reports' failure details for the next
    /// inputs that thread reads, which then touch no fresh memory for them.
    pub fn recycle(&mut self, parsed: Parsed) {
        for item in parsed.items {
            if let Item::Report { report, .. } = item {
                super::parse::recycle(report);
            }
        }
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
    use super::{ELEMENT_BYTES, Ingest, joined_key};

    /// A report with `details` empty failure details: a few bytes of JSON each.
    fn empty_details(id: usize, details: usize) -> String {
        let details = vec!["{}"; details].join(",");
        format!(
            r#"{{"organization-name":"o","report-id":"{id}","policies":[{{"failure-details":[{details}]}}]}}"#
        )
    }

    fn zip_of(reports: &[String]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (i, report) in reports.iter().enumerate() {
            zip.start_file(
                format!("{i}.json"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut zip, report.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_parsed_input_weighs_its_json_or_a_kib_per_element_whichever_is_more() {
        let mut reader = Ingest::new().reader();
        let tiny = empty_details(1, 999);
        let parsed = reader.read("tiny.json", tiny.as_bytes());
        assert_eq!(
            parsed.weight(),
            1000 * ELEMENT_BYTES,
            "one policy, 999 details"
        );
        // Long strings and few elements: the JSON is more.
        let long = format!(
            r#"{{"organization-name":"{}","policies":[]}}"#,
            "o".repeat(5000)
        );
        let parsed = reader.read("long.json", long.as_bytes());
        assert_eq!(parsed.weight(), long.len());
        // An input that is no report weighs its JSON.
        let parsed = reader.read("list.json", b"[1,2,3]");
        assert_eq!(parsed.weight(), 7);
    }

    #[test]
    fn an_archive_whose_reports_hold_more_than_the_cap_is_counted_whole_and_one_report_never_is() {
        let mut reader = Ingest::new().reader();
        // 8,000 elements each: 24 KB of JSON, 8 MiB of model; three pass the 20 MiB bound.
        let reports: Vec<String> = (0..3).map(|id| empty_details(id, 7_999)).collect();
        let two = reader.read("two.zip", &zip_of(&reports[..2]));
        assert!(two.whole.is_none(), "16 MiB is kept");
        assert_eq!(two.items.len(), 2);
        let archive = zip_of(&reports);
        let three = reader.read("three.zip", &archive);
        assert!(three.whole.is_some(), "24 MiB is handed over whole");
        assert!(three.items.is_empty(), "and none of its reports is kept");
        let mut apart = Ingest::new();
        apart.add_parsed(&three, |_| {});
        let mut together = Ingest::new();
        together.add("three.zip", &archive);
        assert_eq!(apart.summary().reports, 3);
        assert_eq!(
            serde_json::to_value(apart.summary()).unwrap(),
            serde_json::to_value(together.summary()).unwrap()
        );
        // One report of 30,000 elements (30 MiB of model) is kept: parsing it again would only
        // cost time.
        let one = reader.read("one.json", empty_details(9, 29_999).as_bytes());
        assert!(one.whole.is_none());
        assert_eq!(one.weight(), 30_000 * ELEMENT_BYTES);
    }

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
