//! Browser tests for `io::engine_worker` in headless Chromium, against a stand-in worker written
//! here (the real one is built by Trunk and tested end to end in tests/e2e): requests posted
//! before the worker is ready wait and are delivered in order, files travel as handles with
//! them, the text beside an event arrives, and a worker that cannot load is reported.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use stslens_app::engine::protocol::{Event, Request};
use stslens_app::io::engine_worker::{Delivery, EngineWorker};
use stslens_app::io::files;
use stslens_app::io::yield_now::yield_now;
use wasm_bindgen_test::*;
use web_sys::{Blob, BlobPropertyBag, Url};

wasm_bindgen_test_configure!(run_in_browser);

/// A worker that says it is ready after a moment, then answers each request with a `failed`
/// event naming the request and its files (any event would do; this one carries a string).
const ECHO: &str = r#"
onmessage = (e) => {
  const files = (e.data.files || []).map((f) => f.name + ':' + f.size).join(',');
  postMessage({ msg: JSON.stringify({ failed: { message: e.data.msg + '|' + files } }), text: 'beside' });
};
setTimeout(() => postMessage({ msg: '"ready"' }), 50);
"#;

fn script_url(source: &str) -> String {
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob =
        Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&source.into()), &options)
            .unwrap();
    Url::create_object_url_with_blob(&blob).unwrap()
}

async fn until(deliveries: &Rc<RefCell<Vec<Delivery>>>, n: usize) {
    for _ in 0..2_000 {
        if deliveries.borrow().len() >= n {
            return;
        }
        yield_now().await;
    }
    panic!("only {:?} arrived", deliveries.borrow());
}

fn collecting(worker: &EngineWorker) -> Rc<RefCell<Vec<Delivery>>> {
    let got: Rc<RefCell<Vec<Delivery>>> = Rc::default();
    let sink = got.clone();
    worker.set_handler(Some(move |d: Delivery| sink.borrow_mut().push(d)));
    got
}

#[wasm_bindgen_test]
async fn requests_wait_for_ready_and_arrive_in_order_with_their_files() {
    let worker = EngineWorker::start(&script_url(ECHO)).unwrap();
    let got = collecting(&worker);
    assert!(!worker.is_ready());
    let files = [
        files::file_from_bytes(b"{}", "a.json"),
        files::file_from_bytes(b"12345", "b.json.gz"),
    ];
    worker.send(&Request::Add { more: false }, &files);
    worker.send(&Request::Refresh, &[]);
    until(&got, 3).await;
    assert!(worker.is_ready());
    let got = got.borrow();
    assert_eq!(got[0].event, Event::Ready);
    assert_eq!(
        got[1].event,
        Event::Failed {
            message: "{\"add\":{\"more\":false}}|a.json:2,b.json.gz:5".into()
        }
    );
    assert_eq!(got[1].text.as_deref(), Some("beside"));
    assert_eq!(
        got[2].event,
        Event::Failed {
            message: "\"refresh\"|".into()
        }
    );
}

#[wasm_bindgen_test]
async fn a_message_the_page_cannot_read_becomes_a_failure() {
    let worker = EngineWorker::start(&script_url(
        "postMessage({ msg: '{\"no-such-event\": 1}' });",
    ))
    .unwrap();
    let got = collecting(&worker);
    until(&got, 1).await;
    let Event::Failed { message } = &got.borrow()[0].event else {
        panic!("{:?}", got.borrow());
    };
    assert!(message.contains("does not understand"), "{message}");
}

#[wasm_bindgen_test]
async fn a_worker_that_cannot_load_is_reported() {
    let worker = EngineWorker::start("/no-such-worker-script.js").unwrap();
    let got = collecting(&worker);
    until(&got, 1).await;
    let Event::Failed { message } = &got.borrow()[0].event else {
        panic!("{:?}", got.borrow());
    };
    assert!(
        message.starts_with("the report engine stopped:"),
        "{message}"
    );
    assert!(!worker.is_ready());
}
