//! # stslens-core
//!
//! Everything StsLens knows about MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460), with no I/O.
//!
//! ```text
//!   bytes / DNS answers / fetch results          (from the browser, the CLI or the relay)
//!                    │
//!   ┌────────────────▼──────────────────────────────────────────────────────────────┐
//!   │ record   _mta-sts and _smtp._tls TXT grammar                  RFC 8461 §3.1, 8460 §3 │
//!   │ policy   policy file grammar, fetch-response rules            RFC 8461 §3.2, §3.3   │
//!   │ pattern  MX pattern matching                                  RFC 8461 §4.1         │
//!   │ dns      DoH query building and response decoding             RFC 8484              │
//!   │ check    plan → Observations → Report                                              │
//!   │ tlsrpt   report model, unpacking, dedup, aggregation, export  RFC 8460 §4           │
//!   │ generate policy file, TXT records, hosting, rollout plan, self-linted              │
//!   │ lint     {valid, findings, parsed} for a policy or a TXT record set (CLI + app)      │
//!   └────────────────┬──────────────────────────────────────────────────────────────┘
//!                    ▼
//!         values: parsed records, [`Finding`]s, reports
//! ```
//!
//! Keeping this crate free of sockets, files and clocks is what lets one engine serve the browser
//! (wasm32), the CLI and the relay, and lets nearly every test run natively in milliseconds.
//! Callers that need "now" pass it in.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod dns;
pub mod finding;
pub mod generate;
pub mod lint;
pub mod name;
pub mod number;
pub mod pattern;
pub mod policy;
pub mod probe;
pub mod record;
pub mod tlsrpt;

pub use finding::{Code, Finding, Severity};
pub use generate::{Generated, Request, generate};
pub use lint::{Lint, lint_policy, lint_sts_records, lint_tlsrpt_records};
pub use pattern::MxPattern;
pub use policy::{MaxAge, Mode, Policy};
pub use record::{StsRecord, TlsRptRecord};
