//! Native network I/O for checks and the relay: DNS over HTTPS, the policy fetch and the SMTP
//! STARTTLS probe. Each module only moves bytes and records what it saw; the judging happens in
//! `stslens-core`.
//!
//! ```text
//!   doh           DohClient::lookup(name, type) -> core dns::Lookup        RFC 8484 (reqwest, rustls)
//!   policy_fetch  PolicyFetcher::fetch[_at](domain) -> PolicyFetch         RFC 8461 §3.3 (hyper, tokio-rustls)
//!   smtp_probe    SmtpProber::probe(host, address) -> core probe::MxProbe  RFC 3207 (tokio-rustls)
//!   smtp_reply    ReplyReader: capped SMTP reply reading                 RFC 5321 §4.2
//!   tls           TrustAnchors, observing verifier, TlsFacts, certificate_facts
//! ```
//!
//! All three clients take `&self` and are cheap to clone, so the lookups of one check round run
//! concurrently over shared clients.

pub mod doh;
pub mod policy_fetch;
pub mod smtp_probe;
pub mod smtp_reply;
pub mod tls;
