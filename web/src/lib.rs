//! The native side of StsLens as a library, so that integration tests (`web/tests/`) can start
//! the server in-process. The binary `stslens` (`main.rs`) is the CLI on top.

#![forbid(unsafe_code)]

pub mod serve;
