//! The MTA-STS policy file (RFC 8461 §3.2) and the rules for fetching it (§3.3).

pub mod fetch;
