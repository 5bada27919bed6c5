//! Files the user hands over (a file picker, a drop, fetched samples) and reading their bytes.
//!
//! The page only collects `File` handles, references the browser keeps to the files on disk, and
//! posts them to the report worker, which reads them in batches with [`ManyRead`] when their turn
//! comes (posting a picked file costs the page one round trip to the browser process for its
//! size and date; see `pages/reports.rs`). Nothing here sends anything anywhere.

use js_sys::{Array, Uint8Array};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DragEvent, File, FileList, FilePropertyBag};

/// Why a file's bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the browser could not read it ({0}); a folder cannot be read: drop the files inside it")]
pub struct ReadError(pub String);

/// The files of a `<input type="file">` selection or of a drop, in order.
pub fn from_list(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The files dropped by a drag-and-drop; none when the drop carried only text or links.
pub fn from_drop(event: &DragEvent) -> Vec<File> {
    event
        .data_transfer()
        .and_then(|transfer| transfer.files())
        .map(|list| from_list(&list))
        .unwrap_or_default()
}

/// Whether a drag carries files (and not only text or a link), so the page can show it as a
/// drop target.
pub fn drag_has_files(event: &DragEvent) -> bool {
    event.data_transfer().is_some_and(|transfer| {
        transfer
            .types()
            .iter()
            .any(|t| t.as_string().as_deref() == Some("Files"))
    })
}

/// The sum of the files' sizes in bytes.
pub fn total_size(files: &[File]) -> u64 {
    files.iter().map(|f| f.size() as u64).sum()
}

/// Reads a file (or any blob) into memory, with `Blob.arrayBuffer()`, which works on the main
/// thread and in workers alike.
pub async fn read(blob: &Blob) -> Result<Vec<u8>, ReadError> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| ReadError(describe(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A read of several files with one `Blob.arrayBuffer()` over their concatenation, each file's
/// bytes handed back in order; started at once and awaited later, so that the browser reads the
/// next batches while the caller parses this one.
///
/// Why batches, and why several at a time: each read of a file-backed blob is a round trip to
/// the browser process that opens the file on disk, a few milliseconds apiece whether the reads
/// overlap or not (measured: 3,000 small reports took about 4 ms each read one by one or all at
/// once, a sixth of that read as concatenated blobs of 256, and a third of that again with the
/// batches' reads overlapping). If a batch cannot be read (one file was moved or changed since it
/// was chosen), each file is read on its own, so one bad file never loses the others.
pub struct ManyRead {
    files: Vec<File>,
    /// The concatenation's read, already under way; `None` for fewer than two files, or when
    /// the browser refused to join them.
    joined: Option<JsFuture>,
}

impl ManyRead {
    /// Starts reading `files`: the browser begins now, before anything awaits.
    pub fn start(files: Vec<File>) -> ManyRead {
        let joined = if files.len() > 1 {
            let parts: Array = files.iter().collect();
            Blob::new_with_blob_sequence(&parts)
                .ok()
                .map(|joined| JsFuture::from(joined.array_buffer()))
        } else {
            None
        };
        ManyRead { files, joined }
    }

    /// Each file's bytes, in order, or why that file could not be read.
    pub async fn finish(self) -> Vec<Result<Vec<u8>, ReadError>> {
        if let Some(joined) = self.joined
            && let Ok(buffer) = joined.await
        {
            let all = Uint8Array::new(&buffer).to_vec();
            let mut out = Vec::with_capacity(self.files.len());
            let mut at = 0usize;
            for f in &self.files {
                let end = at + f.size() as usize;
                match all.get(at..end) {
                    Some(bytes) => out.push(Ok(bytes.to_vec())),
                    None => break,
                }
                at = end;
            }
            if out.len() == self.files.len() && at == all.len() {
                return out;
            }
        }
        let mut out = Vec::with_capacity(self.files.len());
        for f in &self.files {
            out.push(read(f).await);
        }
        out
    }
}

/// A `File` made from a blob (a fetched sample) or bytes (tests), named `name`.
pub fn file_from_blob(blob: &Blob, name: &str) -> Result<File, ReadError> {
    let options = FilePropertyBag::new();
    options.set_type(&blob.type_());
    File::new_with_blob_sequence_and_options(&Array::of1(blob), name, &options)
        .map_err(|e| ReadError(describe(&e)))
}

/// A `File` holding `bytes`.
pub fn file_from_bytes(bytes: &[u8], name: &str) -> File {
    let parts = Array::of1(&Uint8Array::from(bytes));
    File::new_with_u8_array_sequence(&parts, name).expect("a File from bytes")
}

/// The `name: message` of a DOMException or Error, or whatever the value says.
pub fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return format!("{}: {}", String::from(e.name()), String::from(e.message()));
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}
