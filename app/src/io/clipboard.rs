//! Copying text for the user: the asynchronous Clipboard API, and when it is missing or refused,
//! selecting the text so that Ctrl+C (⌘C) copies it.
//!
//! The Clipboard API exists only in secure contexts (HTTPS, `localhost`) and a browser may refuse
//! it (permissions, a page without focus), so callers must handle [`ClipboardError`].

use thiserror::Error;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Why the text could not be copied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClipboardError {
    /// No Clipboard API here (an insecure context or an old browser).
    #[error("this browser offers no clipboard access here")]
    Unavailable,
    /// The browser refused the write.
    #[error("the browser refused to copy: {0}")]
    Refused(String),
}

/// Puts `text` on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), ClipboardError> {
    let window = web_sys::window().ok_or(ClipboardError::Unavailable)?;
    let navigator = window.navigator();
    // `navigator.clipboard` is undefined outside secure contexts; calling through it would throw.
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false);
    if !present {
        return Err(ClipboardError::Unavailable);
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| ClipboardError::Refused(describe(&e)))
}

/// Selects the whole text of `element`, so the user can copy it with the keyboard.
pub fn select_contents(element: &web_sys::Element) {
    let Some(document) = element.owner_document() else {
        return;
    };
    let (Ok(range), Ok(Some(selection))) = (
        document.create_range(),
        web_sys::window().map_or(Ok(None), |w| w.get_selection()),
    ) else {
        return;
    };
    if range.select_node_contents(element).is_ok() {
        let _ = selection.remove_all_ranges();
        let _ = selection.add_range(&range);
    }
}

fn describe(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
