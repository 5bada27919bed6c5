//! SMTP TLS Reporting (RFC 8460): reading the aggregate reports senders mail to a domain.
//!
//! ```text
//!   bytes of one input (.json .json.gz .zip .eml .mbox, recognised by content)
//!        │
//!   unpack   gzip / zip / email / mbox, capped: 20 MiB per report, 10,000 entries, depth 2
//!        │   ──► errors, each naming the input and the item inside it
//!        ▼
//!   parse    lenient JSON → Report; every accepted departure from RFC 8460 → Deviation
//!        │
//!   ingest   dedup by (organization-name, report-id) ──► Found (for tables, CSV, NDJSON rows)
//!        ▼
//!   aggregate  running counts ──► Summary: the `stslens report --json` object
//! ```
//!
//! One [`Ingest`] is fed inputs one at a time ([`Ingest::add`]) and can give its [`Summary`] at
//! any moment, so the browser can show progress and nothing but the aggregate outlives an input.
//! [`result_type`] explains each result type in plain words; [`export`] turns failure details
//! into CSV or NDJSON rows. A viewer that re-counts under a [`Filter`] (period, organization,
//! result type) also hands each report to a [`ReportStore`], which keeps compact copies.

pub mod aggregate;
pub mod date_time;
pub mod deviation;
mod document;
mod email;
pub mod export;
pub mod filter;
mod gzip;
pub mod ingest;
mod json;
pub mod model;
pub mod parse;
pub mod result_type;
mod shelf;
pub mod store;
pub mod unpack;

pub use aggregate::{Aggregator, ByResultType, Summary};
pub use date_time::{Day, Timestamp};
pub use deviation::{Deviation, DeviationKind};
pub use document::MAX_REPORT_ELEMENTS;
pub use export::{FailureRow, failure_rows};
pub use filter::Filter;
pub use ingest::{Added, Found, Ingest, IngestError, InputError, Parsed, Reader};
pub use model::{
    DateRange, DateTime, FailureDetail, Policy, PolicyResult, PolicySummary, PolicyType, Report,
};
pub use parse::{ParseError, parse_report};
pub use result_type::{Explanation, ResultType};
pub use store::ReportStore;
pub use unpack::{Format, Limits, UnpackError, sniff};
