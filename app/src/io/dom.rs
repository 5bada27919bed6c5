//! The page's few direct DOM operations for HTML the report worker renders: putting a fragment
//! in place without losing the user's place in it, and reading the controls inside it.
//!
//! Replacing a fragment re-creates its elements, so the element that had focus and the
//! `<details>` the user opened would be lost on every refresh (a filter change, new files).
//! [`replace_html`] puts them back: the focused element and the open `<details>` are found again
//! by their `id`s, which the worker gives every control and every `<details>`.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement};

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Sets `element`'s content to `html` (rendered and escaped by the worker), keeping focus and
/// open `<details>` where they were when they still exist.
pub fn replace_html(element: &Element, html: &str) {
    let Some(document) = document() else {
        return;
    };
    let focused = document
        .active_element()
        .filter(|a| element.contains(Some(a)))
        .map(|a| a.id())
        .filter(|id| !id.is_empty());
    let mut open = Vec::new();
    if let Ok(list) = element.query_selector_all("details[open][id]") {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                open.push(e.id());
            }
        }
    }
    element.set_inner_html(html);
    for id in open {
        if let Some(details) = document.get_element_by_id(&id) {
            let _ = details.set_attribute("open", "");
        }
    }
    if let Some(el) = focused
        .and_then(|id| document.get_element_by_id(&id))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The `data-action` of the element an event happened on, or of its closest ancestor with one.
pub fn action_of(event: &web_sys::Event) -> Option<String> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let with_action = target.closest("[data-action]").ok()??;
    if Reflect::get(&with_action, &JsValue::from_str("disabled"))
        .ok()
        .and_then(|d| d.as_bool())
        == Some(true)
    {
        return None;
    }
    with_action.get_attribute("data-action")
}

/// The `id` of the element an event happened on.
pub fn target_id(event: &web_sys::Event) -> Option<String> {
    Some(event.target()?.dyn_into::<Element>().ok()?.id())
}

/// The current `value` of the form control with this id (input or select), if there is one.
pub fn value_of(id: &str) -> Option<String> {
    let element = document()?.get_element_by_id(id)?;
    Reflect::get(&element, &JsValue::from_str("value"))
        .ok()?
        .as_string()
}
