//! Loopback fakes for StsLens's integration and end-to-end tests: a DNS-over-HTTPS resolver
//! ([`doh`]), an HTTPS policy host ([`policy_host`]) and SMTP servers with STARTTLS ([`smtp`]),
//! all certified by a throwaway CA ([`pki`]). Everything listens on 127.0.0.1 only.
//!
//! The web crate's integration tests use them in-process; the browser end-to-end tests start
//! them through the `stslens-fakes` binary ([`scenario`]), which prints their addresses as JSON.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod doh;
pub mod hostile;
pub mod pki;
pub mod policy_host;
pub mod scenario;
pub mod server;
pub mod smtp;
