//! Saving text the page made (an export) as a file on the user's machine.
//!
//! The text becomes a `Blob` with an object URL (`blob:` URLs are local to this browser; nothing
//! is uploaded), and a temporary `<a download>` is clicked. The URL is revoked a minute later,
//! long after the browser has taken the download, so the memory is freed.

use thiserror::Error;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// How long the object URL lives after the click.
const REVOKE_AFTER_MS: i32 = 60_000;

/// Why the file could not be offered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the browser refused to save the file: {0}")]
pub struct DownloadError(String);

/// Offers `text` for download as `file_name`, of type `mime` (e.g. `text/csv;charset=utf-8`).
pub fn save_text(file_name: &str, mime: &str, text: &str) -> Result<(), DownloadError> {
    let fail = |e: wasm_bindgen::JsValue| DownloadError(super::files::describe(&e));
    let window = web_sys::window().ok_or_else(|| DownloadError("no window".into()))?;
    let document = window
        .document()
        .ok_or_else(|| DownloadError("no document".into()))?;
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&text.into());
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let link: HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| DownloadError("no body".into()))?;
    body.append_child(&link).map_err(fail)?;
    link.click();
    link.remove();
    let revoke = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            revoke.unchecked_ref(),
            REVOKE_AFTER_MS,
        )
        .map_err(fail)?;
    Ok(())
}
