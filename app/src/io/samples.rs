//! The bundled sample reports: synthetic TLS-RPT reports written for StsLens (no third-party
//! data), in `public/samples/`, listed by `index.json`.
//!
//! They are fetched only when the user asks for them, from this site's own origin: the request
//! mode `same-origin` makes the browser refuse any other origin, and nothing is sent but the
//! file names. They are not part of the first load.

use super::files::{ReadError, describe, file_from_blob};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File, RequestCredentials, RequestInit, RequestMode, Response};

/// Where the list of samples is.
pub const INDEX: &str = "/samples/index.json";

/// `index.json`: the sample files, by name, relative to `/samples/`.
#[derive(Debug, Deserialize)]
struct Index {
    files: Vec<String>,
}

/// Fetches every sample as a `File`, named as in the index.
pub async fn fetch_samples() -> Result<Vec<File>, String> {
    let index = fetch_blob(INDEX).await?;
    let text = String::from_utf8(
        super::files::read(&index)
            .await
            .map_err(|e| e.to_string())?,
    )
    .map_err(|_| format!("{INDEX} is not text"))?;
    let index: Index =
        super::json::from_str(&text).map_err(|e| format!("{INDEX} is not a sample list: {e}"))?;
    let mut files = Vec::with_capacity(index.files.len());
    for name in &index.files {
        // Plain names only: the list cannot point outside /samples/.
        if name.is_empty() || name.contains(['/', '\\', '?', '#']) || name.starts_with('.') {
            return Err(format!("{INDEX} lists an unexpected name: {name:?}"));
        }
        let blob = fetch_blob(&format!("/samples/{name}")).await?;
        files.push(file_from_blob(&blob, name).map_err(|e: ReadError| e.to_string())?);
    }
    Ok(files)
}

async fn fetch_blob(path: &str) -> Result<Blob, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_mode(RequestMode::SameOrigin);
    init.set_credentials(RequestCredentials::Omit);
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| format!("{path} could not be fetched: {}", describe(&e)))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "{path} could not be fetched: HTTP {}",
            response.status()
        ));
    }
    let blob = response
        .blob()
        .map_err(|e| format!("{path}: {}", describe(&e)))?;
    JsFuture::from(blob)
        .await
        .map(|b| b.unchecked_into())
        .map_err(|e| format!("{path}: {}", describe(&e)))
}
