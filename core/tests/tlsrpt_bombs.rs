//! Decompression bombs: 1 GiB of zeros as gzip and as zip must be refused at the 20 MiB cap,
//! having cost at most about the cap in memory. A counting global allocator measures the peak
//! heap use while the bomb is ingested, so "bounded memory" is checked, not assumed. (No timing
//! here: how fast the refusal is follows from how little is decompressed, which the memory peak
//! shows.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use stslens_core::tlsrpt::{Ingest, IngestError, UnpackError};

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
