//! The library half of `stslens-web`: the native I/O that the `stslens` binary (CLI and relay)
//! and the integration tests in `web/tests/` share.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod io;
