//! The library half of `stslens-web`: the native I/O (DoH, policy fetch, SMTP probe), the check
//! runner that drives core's plan with it, and the server,
//! shared by the `stslens` binary (CLI, `serve`, relay) and the integration tests in `web/tests/`,
//! which start the server in-process.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod io;
pub mod serve;
