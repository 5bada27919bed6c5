//! Browser tests for `io::download` in headless Chromium: the export is offered as a local
//! `blob:` download with the right name and content, and the link does not stay in the page.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use stslens_app::io::download;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlAnchorElement, MouseEvent, Response};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_text_is_offered_as_a_local_file() {
    let document = web_sys::window().unwrap().document().unwrap();
    let clicked: Rc<RefCell<Vec<(String, String, bool)>>> = Rc::default();
    // Capture the click before the browser acts on it, and stop the real download.
    let on_click = {
        let clicked = clicked.clone();
        Closure::<dyn FnMut(MouseEvent)>::new(move |e: MouseEvent| {
            if let Some(a) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlAnchorElement>().ok())
            {
                clicked
                    .borrow_mut()
                    .push((a.href(), a.download(), a.is_connected()));
                e.prevent_default();
            }
        })
    };
    document
        .add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true)
        .unwrap();
    let csv = "source,organization\nr.json,\"Example, Inc.\"\n";
    download::save_text("tlsrpt-failures.csv", "text/csv;charset=utf-8", csv).unwrap();
    document
        .remove_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        )
        .unwrap();

    let clicked = clicked.borrow().clone();
    assert_eq!(clicked.len(), 1, "one click on one link");
    let (href, name, connected) = &clicked[0];
    assert_eq!(name, "tlsrpt-failures.csv");
    assert!(href.starts_with("blob:"), "{href}");
    assert!(*connected, "the link is in the document when clicked");
    assert!(
        document.query_selector("a[download]").unwrap().is_none(),
        "and removed after"
    );

    // The object URL is alive for the download and holds exactly the text, typed.
    let window = web_sys::window().unwrap();
    let response: Response = JsFuture::from(window.fetch_with_str(href))
        .await
        .unwrap()
        .unchecked_into();
    assert_eq!(
        response.headers().get("content-type").unwrap().as_deref(),
        Some("text/csv;charset=utf-8")
    );
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    assert_eq!(text.as_string().unwrap(), csv);
}
