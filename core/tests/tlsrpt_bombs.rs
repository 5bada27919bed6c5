//! Decompression bombs: 1 GiB of zeros as gzip and as zip must be refused at the 20 MiB cap,
//! having cost at most about the cap in memory; and element bombs, reports whose JSON is small
//! for the memory it would take (millions of empty failure details), refused at the element cap. A counting global allocator measures the peak
//! heap use while the bomb is ingested, so "bounded memory" is checked, not assumed. (No timing
//! here: how fast the refusal is follows from how little is decompressed, which the memory peak
//! shows.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use stslens_core::tlsrpt::{
    Ingest, IngestError, MAX_REPORT_ELEMENTS, ParseError, UnpackError, parse_report,
};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(size: usize) {
    let now = CURRENT.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(now, Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests measure one process-wide peak, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const GIB: usize = 1 << 30;
const MIB: usize = 1 << 20;
const CAP: usize = 20 * MIB;

/// Streams 1 GiB of zeros through `sink` in 1 MiB writes.
fn stream_zeros(mut sink: impl Write) {
    let zeros = vec![0u8; MIB];
    for _ in 0..GIB / MIB {
        sink.write_all(&zeros).unwrap();
    }
}

/// Ingests `bytes` and returns the errors and the heap growth while doing so.
fn ingest_measured(source: &str, bytes: &[u8]) -> (Vec<(String, IngestError)>, usize) {
    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let added = Ingest::new().add(source, bytes);
    let growth = PEAK.load(Relaxed) - before;
    let errors = added
        .errors
        .into_iter()
        .map(|e| (e.source, e.error))
        .collect();
    (errors, growth)
}

fn assert_refused_at_cap(errors: &[(String, IngestError)], source: &str) {
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, source);
    assert_eq!(
        errors[0].1,
        IngestError::Unpack(UnpackError::TooLarge { limit: CAP })
    );
}

#[test]
fn a_one_gib_gzip_bomb_is_refused_at_the_cap() {
    let _serial = SERIAL.lock().unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    stream_zeros(&mut encoder);
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 8 * MIB, "the bomb is {} bytes", bomb.len());

    let (errors, growth) = ingest_measured("bomb.json.gz", &bomb);
    assert_refused_at_cap(&errors, "bomb.json.gz");
    // At most the cap plus the decoder's state: 1/40 of what inflating it all would take.
    assert!(growth <= CAP + 2 * MIB, "peak heap growth {growth} bytes");
    println!(
        "gzip bomb: {} bytes compressed, peak heap growth {growth} bytes",
        bomb.len()
    );
}

fn zip_bomb() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    writer.start_file("report.json", options).unwrap();
    stream_zeros(&mut writer);
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_one_gib_zip_bomb_is_refused_at_the_cap() {
    let _serial = SERIAL.lock().unwrap();
    let bomb = zip_bomb();
    assert!(bomb.len() < 8 * MIB, "the bomb is {} bytes", bomb.len());

    // Declaring its real size, it is refused before anything is decompressed.
    let (errors, growth) = ingest_measured("bomb.zip", &bomb);
    assert_refused_at_cap(&errors, "bomb.zip > report.json");
    assert!(growth < MIB, "peak heap growth {growth} bytes");

    // Declaring a small size (a lying header, as real bombs do), it is refused as soon as the
    // output passes the declared size: the zip crate enforces it, and the 20 MiB cap on the read
    // stands behind that.
    let lying = with_declared_size(bomb, 1000);
    let (errors, growth) = ingest_measured("lying.zip", &lying);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "lying.zip > report.json");
    assert_eq!(
        errors[0].1.to_string(),
        "cannot read this zip entry: it inflates to more than its header declares (a sign of a zip bomb); refused"
    );
    assert!(growth < MIB, "peak heap growth {growth} bytes");
    println!("zip bomb: peak heap growth {growth} bytes");
}

/// Rewrites the uncompressed size of the (single) entry in its local header (offset 22) and
/// central directory header (offset 24).
fn with_declared_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    let find = |zip: &[u8], signature: &[u8]| zip.windows(4).position(|w| w == signature).unwrap();
    let local = find(&zip, b"PK\x03\x04");
    zip[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
    let central = find(&zip, b"PK\x01\x02");
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
    zip
}

/// A report of one policy with `details` empty failure details, `{}`.
fn empty_details(details: usize) -> String {
    let mut json = String::from(
        r#"{"organization-name":"o","report-id":"r","policies":[{"failure-details":["#,
    );
    for i in 0..details {
        json.push_str(if i == 0 { "{}" } else { ",{}" });
    }
    json.push_str("]}]}");
    json
}

#[test]
fn twenty_mib_of_empty_failure_details_is_refused_at_the_element_cap_and_the_rest_is_read() {
    let _serial = SERIAL.lock().unwrap();
    // About 7 million elements: 7 GiB and 40 s of model before the cap existed.
    let bomb = empty_details((CAP - 100) / 3);
    assert!(bomb.len() <= CAP);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("bomb.json", options).unwrap();
    writer.write_all(bomb.as_bytes()).unwrap();
    writer.start_file("good.json", options).unwrap();
    writer
        .write_all(empty_details(3).replace(r#""r""#, r#""r2""#).as_bytes())
        .unwrap();
    let zip = writer.finish().unwrap().into_inner();
    drop(bomb);

    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let mut ingest = Ingest::new();
    let added = ingest.add("elements.zip", &zip);
    let growth = PEAK.load(Relaxed) - before;
    assert_eq!(added.reports, 1, "the good entry is still read");
    assert_eq!(added.errors.len(), 1, "{:?}", added.errors);
    assert_eq!(added.errors[0].source, "elements.zip > bomb.json");
    assert_eq!(
        added.errors[0].error,
        IngestError::Report(ParseError::TooManyElements {
            limit: MAX_REPORT_ELEMENTS
        })
    );
    assert_eq!(
        added.errors[0].to_string(),
        "elements.zip > bomb.json: the report has more than 100,000 elements in its \"policies\" and \"failure-details\" arrays, the cap per report; refused, as each takes about 1 KiB of memory"
    );
    // The entry (20 MiB) and what was read of it before the cap: no more than a few hundred
    // bytes per element read.
    assert!(
        growth < CAP + 80 * MIB,
        "peak heap growth {} MiB",
        growth / MIB
    );
    println!("element bomb: peak heap growth {} MiB", growth / MIB);
}

#[test]
fn the_element_cap_counts_policies_and_failure_details_together() {
    let _serial = SERIAL.lock().unwrap();
    // One policy and the rest failure details: exactly at the cap, read in full.
    let at_cap = parse_report(empty_details(MAX_REPORT_ELEMENTS - 1).as_bytes()).unwrap();
    assert_eq!(
        at_cap.policies[0].failure_details.len(),
        MAX_REPORT_ELEMENTS - 1
    );
    let over = Err(ParseError::TooManyElements {
        limit: MAX_REPORT_ELEMENTS,
    });
    assert_eq!(
        parse_report(empty_details(MAX_REPORT_ELEMENTS).as_bytes()).map(|_| ()),
        over
    );
    // Spread over several policies, and elements that are not objects count too.
    let half = MAX_REPORT_ELEMENTS / 2;
    let spread = format!(
        r#"{{"policies":[{{"failure-details":[{}]}},{{"failure-details":[{}]}}]}}"#,
        vec!["0"; half - 1].join(","),
        vec!["{}"; half].join(",")
    );
    assert_eq!(parse_report(spread.as_bytes()).map(|_| ()), over);
    let fits = spread.replacen("0,", "", 1);
    assert!(parse_report(fits.as_bytes()).is_ok());
    // The count starts again for each report.
    assert!(parse_report(empty_details(MAX_REPORT_ELEMENTS - 1).as_bytes()).is_ok());
}
