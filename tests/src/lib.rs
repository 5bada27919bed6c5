//! Loopback fakes for StsLens's integration and end-to-end tests.
