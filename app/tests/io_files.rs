//! Browser tests for `io::files` in headless Chromium: files from a picker's list and from a drop,
//! reading their bytes, and the error when the browser cannot read one.

#![cfg(target_arch = "wasm32")]

use js_sys::Function;
use stslens_app::io::files::{self, ManyRead, ReadError};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Blob, DataTransfer, DragEvent, DragEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn transfer(names: &[&str]) -> DataTransfer {
    let transfer = DataTransfer::new().unwrap();
    for name in names {
        let file = files::file_from_bytes(name.as_bytes(), name);
        transfer.items().add_with_file(&file).unwrap();
    }
    transfer
}

fn drop_event(transfer: &DataTransfer) -> DragEvent {
    let init = DragEventInit::new();
    init.set_data_transfer(Some(transfer));
    DragEvent::new_with_event_init_dict("drop", &init).unwrap()
}

#[wasm_bindgen_test]
fn a_file_list_gives_every_file_in_order() {
    let t = transfer(&["a.json", "b.json.gz", "c.zip"]);
    let list = files::from_list(&t.files().unwrap());
    let names: Vec<String> = list.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["a.json", "b.json.gz", "c.zip"]);
    // Each file holds its own name as content: 6 + 9 + 5 bytes.
    assert_eq!(files::total_size(&list), 20);
}

#[wasm_bindgen_test]
fn a_drop_of_files_gives_them_and_a_drop_of_text_gives_none() {
    let with_files = drop_event(&transfer(&["x.eml", "y.mbox"]));
    assert!(files::drag_has_files(&with_files));
    let names: Vec<String> = files::from_drop(&with_files)
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(names, ["x.eml", "y.mbox"]);

    let text = DataTransfer::new().unwrap();
    text.set_data("text/plain", "https://example.com/report.json")
        .unwrap();
    let with_text = drop_event(&text);
    assert!(!files::drag_has_files(&with_text));
    assert!(files::from_drop(&with_text).is_empty());
    let without_transfer = DragEvent::new("drop").unwrap();
    assert!(!files::drag_has_files(&without_transfer));
    assert!(files::from_drop(&without_transfer).is_empty());
}

#[wasm_bindgen_test]
async fn reading_gives_the_exact_bytes() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let file = files::file_from_bytes(&bytes, "r.json.gz");
    assert_eq!(file.size() as usize, bytes.len());
    assert_eq!(files::read(&file).await.unwrap(), bytes);
    let renamed = files::file_from_blob(&file, "copy.json.gz").unwrap();
    assert_eq!(renamed.name(), "copy.json.gz");
    assert_eq!(files::read(&renamed).await.unwrap(), bytes);
}

#[wasm_bindgen_test]
async fn a_file_the_browser_cannot_read_is_an_error_with_its_reason() {
    // What Chromium does for a dropped folder or a file deleted since it was picked.
    let failing = Function::new_no_args(
        "const b = new Blob(['x']); \
         b.arrayBuffer = () => Promise.reject(new DOMException('A requested file could not be read', 'NotReadableError')); \
         return b;",
    );
    let blob: Blob = failing
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap()
        .unchecked_into();
    let error: ReadError = files::read(&blob).await.unwrap_err();
    assert_eq!(
        error.0,
        "NotReadableError: A requested file could not be read"
    );
    assert!(
        error.to_string().contains("a folder cannot be read"),
        "{error}"
    );
}

#[wasm_bindgen_test]
async fn a_batch_is_read_at_once_and_split_back_into_each_file() {
    let names = ["a.json", "empty.json", "c.json.gz", "d.eml"];
    let contents: [&[u8]; 4] = [
        b"{\"a\":1}",
        b"",
        &[0x1f, 0x8b, 8, 0],
        b"From: x\r\n\r\nbody",
    ];
    let batch: Vec<_> = names
        .iter()
        .zip(contents)
        .map(|(name, bytes)| files::file_from_bytes(bytes, name))
        .collect();
    let read = ManyRead::start(batch.clone()).finish().await;
    let got: Vec<Vec<u8>> = read.into_iter().map(Result::unwrap).collect();
    let want: Vec<Vec<u8>> = contents.iter().map(|c| c.to_vec()).collect();
    assert_eq!(got, want);
    // One file alone goes the plain way.
    let one = ManyRead::start(batch[..1].to_vec()).finish().await;
    assert_eq!(one, vec![Ok(b"{\"a\":1}".to_vec())]);
    assert!(ManyRead::start(Vec::new()).finish().await.is_empty());
}
