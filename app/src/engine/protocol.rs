//! The messages between the `/reports` page and its worker.
//!
//! Each `postMessage` carries one envelope, a plain object: `msg`, the message as JSON, and when
//! needed `files` (an array of `File` handles, page to worker) or `text` (a long string, worker to
//! page: the results' HTML, an export). Files and long texts travel beside the JSON so that they
//! are neither copied into it nor escaped.
//!
//! The enums are externally tagged (`"ready"`, `{"progress": {...}}`): serde reads that form
//! without buffering, which keeps the page's share of this code small.

use serde::{Deserialize, Serialize};
use stslens_core::tlsrpt::Filter;

/// Envelope key of the JSON message.
pub const MSG: &str = "msg";
/// Envelope key of the `File` handles that go with [`Request::Add`].
pub const FILES: &str = "files";
/// Envelope key of the text that goes with [`Event::Results`] (HTML) and [`Event::Export`].
pub const TEXT: &str = "text";

/// What the page asks of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// Read the files in the envelope's `files`, after any still waiting.
    Add {
        /// More files of the same selection follow in further `Add` requests: the engine must
        /// not call the reading done when it runs out before they arrive. The page posts a
        /// large selection in parts because posting a `File` handle costs the main thread
        /// about a millisecond in Chromium (3,000 at once froze the page for seconds).
        more: bool,
    },
    /// Read pasted text as one input named `name`.
    Paste {
        /// How the input is named in errors, e.g. "pasted text 1".
        name: String,
        /// The text.
        text: String,
    },
    /// Count under this filter from now on, and send the results.
    Filter {
        /// The filter.
        filter: Filter,
    },
    /// Send what the current filter shows, as a file to save.
    Export {
        /// CSV (one row per failure detail) or JSON (the summary).
        format: ExportFormat,
    },
    /// Send the current progress and results (a page that opens again).
    Refresh,
    /// Forget every report, error and filter.
    Clear,
}

/// The export formats: the same as `stslens report --csv` and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// One row per failure detail, with its report, organization and policy.
    Csv,
    /// The summary object (design §3).
    Json,
}

/// What the engine tells the page. Progress and results come as HTML the worker rendered
/// (`super::render`), in the envelope's `text`; the JSON part carries only what the page itself
/// acts on, which keeps the page's share of this code small.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// The worker has started and takes requests.
    Ready,
    /// How far reading has come (HTML in `text`).
    Progress {
        /// Whether every input handed over has been read.
        done: bool,
    },
    /// The results under the current filter (HTML in `text`, empty before any input).
    Results(Counts),
    /// An export; its content is in the envelope's `text`.
    Export {
        /// The format asked for.
        format: ExportFormat,
        /// A file name to save it under.
        file_name: String,
        /// Its MIME type.
        mime: String,
    },
    /// The engine could not do what was asked (a bug, or a message it does not understand).
    Failed {
        /// What went wrong, in plain words.
        message: String,
    },
}

/// The numbers the page announces to screen readers when results arrive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Inputs handed over (files and pasted texts).
    pub inputs: u64,
    /// Distinct reports read, whatever the filter.
    pub reports: u64,
    /// Distinct reports the filter lets in.
    pub shown: u64,
    /// Inputs, or items inside them, that could not be read.
    pub unreadable: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_a_stable_json_form() {
        let add = serde_json::to_string(&Request::Add { more: true }).unwrap();
        assert_eq!(add, r#"{"add":{"more":true}}"#);
        let export = Request::Export {
            format: ExportFormat::Csv,
        };
        assert_eq!(
            serde_json::to_string(&export).unwrap(),
            r#"{"export":{"format":"csv"}}"#
        );
        assert_eq!(serde_json::to_string(&Event::Ready).unwrap(), r#""ready""#);
        for event in [
            Event::Ready,
            Event::Progress { done: true },
            Event::Results(Counts {
                inputs: 3,
                reports: 2,
                shown: 1,
                unreadable: 1,
            }),
            Event::Export {
                format: ExportFormat::Json,
                file_name: "a.json".into(),
                mime: "application/json".into(),
            },
            Event::Failed {
                message: "x".into(),
            },
        ] {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(
                serde_json::from_str::<Event>(&json).unwrap(),
                event,
                "{json}"
            );
        }
    }
}
