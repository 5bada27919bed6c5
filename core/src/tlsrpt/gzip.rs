//! gzip (RFC 1952), decoded with one inflate state reused for every stream.
//!
//! An inflate stream state is about 43 KiB (a 32 KiB window and the Huffman tables); flate2's
//! gzip readers allocate and zero a new one per stream, and copy every byte through the window,
//! which for thousands of small reports costs more than inflating them. [`Inflater`] parses the
//! gzip framing itself (header, CRC-32 and length trailer, several members in a row) and runs
//! one raw-deflate [`Decompress`] (reset, never rebuilt, between streams) straight into a growing
//! output buffer: nothing to zero per stream, nothing copied twice. Output stops as soon as it
//! passes the cap: a bomb costs the cap, never its full size.
//!
//! The decompressor is flate2's zlib-rs backend (pure Rust, builds for wasm32), not miniz_oxide:
//! a report is a single small Huffman block, so setting up its tables is most of the work, and
//! zlib-rs builds smaller tables (its root tables take 7 bits for the code lengths and at most 10
//! and 9 bits for literals and distances, cut to the longest code the block uses, where
//! miniz_oxide fills 1,024 entries for each of the three). On the benchmark's 2,996 small reports it inflates in about 60 % of miniz_oxide's time
//! with the state reused the same way (/tmp microbenchmark, fastest of 15 rounds: 14 against 24
//! ms), and the large ones in about 70 %.

use super::shelf::{SHELVED_BYTES, Shelf};
use super::unpack::UnpackError;
use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::fmt;

/// A reusable gzip decoder.
pub(crate) struct Inflater {
    /// Raw deflate (no zlib header): the gzip framing is read here. Made at the first stream,
    /// not with the decoder: its 43 KiB are then allocated (and zeroed) by the thread that
    /// decodes, in parallel with the others, not by the one that hands out the decoders before
    /// any work starts (`stslens report` makes one per worker on its main thread).
    raw: Option<Decompress>,
    /// The last output buffer, handed out again by [`Inflater::buffer`]: allocating and freeing
    /// a large buffer per report makes the allocator consolidate its free lists every time.
    spare: Vec<u8>,
    /// Where buffers from [`SHELVED_BYTES`] on go: [`OUTPUTS`] (tests use their own).
    shelf: &'static Shelf<Vec<u8>>,
}

impl Default for Inflater {
    fn default() -> Self {
        Inflater {
            raw: None,
            spare: Vec::new(),
            shelf: &OUTPUTS,
        }
    }
}

impl Clone for Inflater {
    /// A fresh decoder: the state holds nothing between streams worth copying.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl fmt::Debug for Inflater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Inflater")
    }
}

/// The most deflate can expand its input (a run of one byte: 258 bytes for each 2-bit code, about
/// 1,032:1).
const MAX_RATIO: usize = 1032;

/// Large output buffers, for whichever decoder meets a large stream next (see [`super::shelf`]).
static OUTPUTS: Shelf<Vec<u8>> = Shelf::new();

const FTEXT_FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED: u8 = 0xe0;

impl Inflater {
    /// A scratch buffer for [`Inflater::gunzip`]; give it back with [`Inflater::recycle`].
    pub(crate) fn buffer(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.spare)
    }

    /// Keeps `buffer` for the next stream (the larger one, if a nested stream took a new one):
    /// as this decoder's spare, or from [`SHELVED_BYTES`] on, on the [`OUTPUTS`] shelf for the
    /// next large stream of any decoder on any thread (which takes it in [`Inflater::gunzip`]).
    ///
    /// Kept whatever its size, which [`Inflater::gunzip`] holds to the per-report cap + 1: one
    /// such buffer is the most a run of decompression bombs then costs. Buffers past 4 MiB used
    /// to be freed, so each bomb allocated the cap again while the allocator still held the
    /// last one's (`stslens report` keeps freed memory 50 ms, web/src/allocator.rs): the hostile
    /// suite's 25 bombs reached 106 MiB, against 68 to 95 MiB when each decoder kept its own.
    /// The price: the shelf is the process's, so up to the cap + 1 (20 MiB) stays allocated for
    /// the process's lifetime once a stream that large was met, after every ingester is gone
    /// (in the browser viewer, for as long as its worker lives).
    pub(crate) fn recycle(&mut self, buffer: Vec<u8>) {
        if buffer.len() >= SHELVED_BYTES {
            self.shelf.put(buffer, Vec::len);
        } else if buffer.len() > self.spare.len() {
            self.spare = buffer;
        }
    }

    /// Decompresses every gzip member in `input` into `scratch`, at most `limit` bytes, and
    /// returns how many: the content is `scratch[..n]`. The scratch buffer stays initialised
    /// (its length is its usable size) so it is zeroed once when it grows, not per stream.
    ///
    /// Zero bytes after the last member (padding some tools add) are ignored; anything else
    /// after it is an error, as is a CRC-32 or length that does not match.
    pub(crate) fn gunzip(
        &mut self,
        input: &[u8],
        limit: usize,
        scratch: &mut Vec<u8>,
    ) -> Result<usize, UnpackError> {
        // Room for what the last member's trailer says it holds (its length modulo 2^32, which
        // for the usual single member is the whole output), as far as deflate can expand
        // (1,032:1) so that a forged length cannot claim more; else reports compress about 10:1.
        // Plus one byte, so that output that fits exactly ends without growing. Never past the
        // cap. Why: growing by doubling copies the output each time into memory never touched
        // before; a report of 800 KB went through 400 KB first.
        let stated = input
            .len()
            .checked_sub(4)
            .map_or(0, |at| {
                u32::from_le_bytes(input[at..].try_into().expect("4 bytes")) as usize
            })
            .min(input.len().saturating_mul(MAX_RATIO));
        let want = shelf_size(input.len().saturating_mul(10).max(stated.saturating_add(1)))
            .min(limit.saturating_add(1));
        if scratch.len() < want {
            if want >= SHELVED_BYTES
                && let Some(shelved) = self.shelf.take_if(|b| b.len() >= want)
            {
                // Only one that needs no growing: grown, it would be copied into new memory,
                // which is what the shelf is there to avoid.
                let own = std::mem::replace(scratch, shelved);
                self.recycle(own);
            }
            if scratch.len() < want {
                grow(scratch, want);
            }
        }
        let mut written = 0;
        let mut rest = input;
        loop {
            let body = header(rest)?;
            let start = written;
            let used = self.member(body, scratch, &mut written, limit)?;
            let out = &scratch[..written];
            let trailer = &body[used..];
            let Some((crc, size)) = trailer.get(..8).map(|t| t.split_at(4)) else {
                return Err(corrupt(written, "truncated (unexpected end of data)"));
            };
            let mut check = Crc::new();
            check.update(&out[start..]);
            if u32::from_le_bytes(crc.try_into().expect("4 bytes")) != check.sum() {
                return Err(corrupt(written, "checksum mismatch (CRC-32)"));
            }
            if u32::from_le_bytes(size.try_into().expect("4 bytes")) != check.amount() {
                return Err(corrupt(written, "length mismatch"));
            }
            rest = &trailer[8..];
            if rest.iter().all(|&b| b == 0) {
                return Ok(written);
            }
            if !rest.starts_with(&[0x1f, 0x8b]) {
                let reason = format!(
                    "{} bytes of trailing data after the gzip stream",
                    rest.len()
                );
                return Err(corrupt(written, &reason));
            }
        }
    }

    /// Inflates one member's deflate data into `scratch` from `written` on, growing it up to
    /// `limit + 1` bytes; returns the input bytes it used. The decompressor keeps its own window,
    /// so each call only needs the room left after what is already written.
    fn member(
        &mut self,
        body: &[u8],
        scratch: &mut Vec<u8>,
        written: &mut usize,
        limit: usize,
    ) -> Result<usize, UnpackError> {
        let raw = self.raw.get_or_insert_with(|| Decompress::new(false));
        raw.reset(false);
        let start = *written;
        loop {
            let room = scratch.len().min(limit.saturating_add(1));
            if *written == room {
                if room > limit {
                    return Err(UnpackError::TooLarge { limit });
                }
                grow(
                    scratch,
                    room.saturating_mul(2)
                        .max(16 * 1024)
                        .min(limit.saturating_add(1)),
                );
                continue;
            }
            let taken = used(raw);
            let status = raw.decompress(
                &body[taken..],
                &mut scratch[*written..room],
                FlushDecompress::Finish,
            );
            *written = start.saturating_add(usize::try_from(raw.total_out()).unwrap_or(usize::MAX));
            match status {
                Ok(Status::StreamEnd) if *written > limit => {
                    return Err(UnpackError::TooLarge { limit });
                }
                Ok(Status::StreamEnd) => return Ok(used(raw)),
                // The output is full: grow it (at the top of the loop) and go on.
                Ok(_) if *written == room => {}
                // Room left and no end: the input ran out.
                Ok(_) => return Err(corrupt(*written, "truncated (unexpected end of data)")),
                Err(e) => {
                    let reason = match e.message() {
                        Some(why) => format!("corrupt deflate stream ({why})"),
                        None => "corrupt deflate stream".to_owned(),
                    };
                    return Err(corrupt(*written, &reason));
                }
            }
        }
    }
}

/// `n` bytes, or from [`SHELVED_BYTES`] on, rounded up to a multiple of an eighth of the power
/// of two at or above it (less than a quarter more, an eighth more near powers of two). Why: a
/// day's large reports are a few KB apart (the benchmark's four: 811,050 to 814,257 bytes), so a
/// shelved buffer sized to one was short of the next one's room and never taken; rounded, they
/// all ask for 917,504. The rounded-up room is zeroed too, so the first such buffer costs that
/// much more.
fn shelf_size(n: usize) -> usize {
    if n < SHELVED_BYTES {
        return n;
    }
    let step = n.checked_next_power_of_two().map_or(n, |p| p / 8);
    n.div_ceil(step).saturating_mul(step)
}

/// Input bytes the decompressor has used since its reset.
fn used(raw: &Decompress) -> usize {
    usize::try_from(raw.total_in()).unwrap_or(usize::MAX)
}

/// Grows `scratch` to `len` bytes with no more capacity than that: `resize` alone may double the
/// capacity, which near the cap allocates up to about twice the cap (the bomb test saw 41 MiB of
/// capacity for a 20 MiB cap).
fn grow(scratch: &mut Vec<u8>, len: usize) {
    scratch.reserve_exact(len.saturating_sub(scratch.len()));
    scratch.resize(len, 0);
}

fn corrupt(after: usize, reason: &str) -> UnpackError {
    UnpackError::CorruptGzip {
        after,
        reason: reason.to_owned(),
    }
}

/// Checks a member header (RFC 1952 §2.3) and returns what follows it.
fn header(input: &[u8]) -> Result<&[u8], UnpackError> {
    let invalid = |why: &str| UnpackError::NotGzip(format!("invalid header: {why}"));
    let truncated = || UnpackError::CorruptGzip {
        after: 0,
        reason: "truncated header".into(),
    };
    let fixed = input.get(..10).ok_or_else(truncated)?;
    if fixed[..2] != [0x1f, 0x8b] {
        return Err(invalid("no gzip magic number"));
    }
    if fixed[2] != 8 {
        return Err(invalid(&format!(
            "compression method {} (only 8, deflate, exists)",
            fixed[2]
        )));
    }
    let flags = fixed[3];
    if flags & RESERVED != 0 {
        return Err(invalid("reserved flag bits are set"));
    }
    let mut rest = &input[10..];
    if flags & FEXTRA != 0 {
        let len = rest.get(..2).ok_or_else(truncated)?;
        let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
        rest = rest.get(2 + len..).ok_or_else(truncated)?;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = rest.iter().position(|&b| b == 0).ok_or_else(truncated)?;
            rest = &rest[end + 1..];
        }
    }
    if flags & FTEXT_FHCRC != 0 {
        rest = rest.get(2..).ok_or_else(truncated)?;
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    impl Inflater {
        fn gunzip_new(&mut self, input: &[u8], limit: usize) -> Result<Vec<u8>, UnpackError> {
            let mut scratch = self.buffer();
            let n = self.gunzip(input, limit, &mut scratch);
            let content = n.map(|n| scratch[..n].to_vec());
            self.recycle(scratch);
            content
        }
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn one_inflater_decodes_many_streams_and_members() {
        let mut inflater = Inflater::default();
        assert!(
            inflater.raw.is_none(),
            "the state is made at the first stream"
        );
        for text in [&b"first"[..], b"", b"second, longer text"] {
            assert_eq!(inflater.gunzip_new(&gz(text), 100).unwrap(), text);
        }
        let mut two = gz(b"one ");
        two.extend(gz(b"two"));
        assert_eq!(inflater.gunzip_new(&two, 100).unwrap(), b"one two");
        let mut padded = gz(b"x");
        padded.extend([0; 7]);
        assert_eq!(inflater.gunzip_new(&padded, 100).unwrap(), b"x");
        assert!(inflater.raw.is_some(), "and kept for the next ones");
    }

    #[test]
    fn a_large_output_buffer_serves_the_next_large_stream_on_another_thread() {
        static SHELF: Shelf<Vec<u8>> = Shelf::new();
        let on_shelf = || Inflater {
            shelf: &SHELF,
            ..Inflater::default()
        };
        let large: Vec<u8> = (0..SHELVED_BYTES * 2).map(|i| (i % 251) as u8).collect();
        let stream = gz(&large);
        let first = std::thread::spawn({
            let stream = stream.clone();
            move || {
                let mut inflater = on_shelf();
                let mut scratch = inflater.buffer();
                assert_eq!(
                    inflater.gunzip(&stream, 1 << 30, &mut scratch),
                    Ok(large.len())
                );
                let at = scratch.as_ptr() as usize;
                inflater.recycle(scratch);
                assert!(
                    inflater.spare.is_empty(),
                    "a large buffer goes on the shelf"
                );
                at
            }
        })
        .join()
        .unwrap();
        let (second, small_kept) = std::thread::spawn(move || {
            let mut inflater = on_shelf();
            inflater.recycle(vec![0; 100]);
            let mut scratch = inflater.buffer();
            assert!(inflater.gunzip(&stream, 1 << 30, &mut scratch).is_ok());
            (scratch.as_ptr() as usize, inflater.spare.len())
        })
        .join()
        .unwrap();
        assert_eq!(second, first, "the shelved buffer, not a new one");
        assert_eq!(
            small_kept, 100,
            "the decoder's small spare is kept for small streams"
        );
    }

    #[test]
    fn optional_header_fields_are_skipped() {
        let mut e = flate2::GzBuilder::new()
            .filename("r.json")
            .comment("hi")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), flate2::Compression::fast());
        e.write_all(b"{}").unwrap();
        let bytes = e.finish().unwrap();
        assert_eq!(Inflater::default().gunzip_new(&bytes, 10).unwrap(), b"{}");
    }

    #[test]
    fn checks_what_it_decodes() {
        let mut i = Inflater::default();
        let good = gz(b"some report text");
        let mut bad_crc = good.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        assert_eq!(
            i.gunzip_new(&bad_crc, 100),
            Err(corrupt(16, "checksum mismatch (CRC-32)"))
        );
        let mut bad_len = good.clone();
        bad_len[n - 4] ^= 1;
        assert!(
            matches!(i.gunzip_new(&bad_len, 100), Err(UnpackError::CorruptGzip { reason, .. }) if reason == "length mismatch")
        );
        let mut trailing = good.clone();
        trailing.extend(b"junk");
        assert!(
            matches!(i.gunzip_new(&trailing, 100), Err(UnpackError::CorruptGzip { reason, .. }) if reason.contains("4 bytes of trailing data"))
        );
        assert_eq!(
            i.gunzip_new(&good[..5], 100),
            Err(UnpackError::CorruptGzip {
                after: 0,
                reason: "truncated header".into()
            })
        );
        assert!(
            matches!(i.gunzip_new(&good[..n - 3], 100), Err(UnpackError::CorruptGzip { reason, .. }) if reason.starts_with("truncated"))
        );
        assert!(
            matches!(i.gunzip_new(&good[..n - 12], 100), Err(UnpackError::CorruptGzip { reason, .. }) if reason.starts_with("truncated"))
        );
        let mut flags = good.clone();
        flags[3] = 0x80;
        assert_eq!(
            i.gunzip_new(&flags, 100),
            Err(UnpackError::NotGzip(
                "invalid header: reserved flag bits are set".into()
            ))
        );
        // A deflate block of the reserved type 3: the decompressor's reason is kept.
        let mut reserved = good[..10].to_vec();
        reserved.extend([0x07, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(
            matches!(i.gunzip_new(&reserved, 100), Err(UnpackError::CorruptGzip { after: 0, reason }) if reason == "corrupt deflate stream (invalid block type)"),
            "{:?}",
            i.gunzip_new(&reserved, 100)
        );
        // Still usable after errors.
        assert_eq!(i.gunzip_new(&good, 100).unwrap(), b"some report text");
    }

    #[test]
    fn output_that_nears_the_cap_never_holds_more_than_the_cap() {
        // The trailer states more than the cap, so the output takes the cap + 1 at once; that
        // step must not double the capacity (plain `resize` gave 27.4 MiB).
        let mut i = Inflater::default();
        let limit = 21 * 1024 * 1024;
        let data = vec![b'x'; limit + 10];
        let bomb = gz(&data);
        let mut scratch = i.buffer();
        assert_eq!(
            i.gunzip(&bomb, limit, &mut scratch),
            Err(UnpackError::TooLarge { limit })
        );
        assert!(scratch.capacity() <= limit + 1, "{}", scratch.capacity());
    }

    #[test]
    fn the_output_is_sized_once_from_the_stated_length_as_far_as_deflate_can_expand() {
        let mut i = Inflater::default();
        // 200 KB that compresses about 100:1: growing from ten times the input would take
        // several steps.
        let text: Vec<u8> = (0..200_000u32)
            .map(|n| b"abcdefgh"[(n % 8) as usize])
            .collect();
        let stream = gz(&text);
        assert!(stream.len() * 10 < text.len());
        let mut scratch = i.buffer();
        assert_eq!(i.gunzip(&stream, 1 << 20, &mut scratch), Ok(text.len()));
        assert_eq!(scratch.len(), text.len() + 1, "one step, one byte spare");
        // A forged length gets no more room than deflate could fill, and the stream still
        // fails on the length check.
        let mut forged = gz(b"tiny");
        let n = forged.len();
        forged[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut scratch = Vec::new();
        assert!(matches!(
            i.gunzip(&forged, 1 << 30, &mut scratch),
            Err(UnpackError::CorruptGzip { reason, .. }) if reason == "length mismatch"
        ));
        assert!(scratch.len() <= n * MAX_RATIO + 1, "{}", scratch.len());
    }

    #[test]
    fn large_rooms_are_rounded_so_that_reports_a_few_bytes_apart_share_a_buffer() {
        assert_eq!(shelf_size(1000), 1000);
        assert_eq!(shelf_size(SHELVED_BYTES - 1), SHELVED_BYTES - 1);
        assert_eq!(shelf_size(SHELVED_BYTES), SHELVED_BYTES);
        assert_eq!(shelf_size(811_051), 917_504);
        assert_eq!(shelf_size(814_258), 917_504);
        for n in [SHELVED_BYTES + 1, 600_000, 1 << 20, (1 << 20) + 1, 20 << 20] {
            let room = shelf_size(n);
            assert!(room >= n && room - n < n / 4, "{n}: {room}");
        }
        assert_eq!(shelf_size(usize::MAX), usize::MAX);
    }

    #[test]
    fn stops_at_the_cap() {
        let mut i = Inflater::default();
        let data = vec![b'a'; 10_000];
        assert_eq!(i.gunzip_new(&gz(&data), 10_000).unwrap().len(), 10_000);
        // No cap at all (a caller's `Limits` may say so) must not overflow `limit + 1`.
        assert_eq!(i.gunzip_new(&gz(&data), usize::MAX).unwrap().len(), 10_000);
        assert_eq!(
            i.gunzip_new(&gz(&data), 9_999),
            Err(UnpackError::TooLarge { limit: 9_999 })
        );
    }
}
