//! DNS over HTTPS in wire format (RFC 8484): building queries and decoding answers, with no I/O.
//!
//! ```text
//!   Query::new("_mta-sts.example.com", Txt)
//!        │  to_wire() / get_url(resolver) / post_body()     id 0, RD, AD (RFC 8484 §4.1, RFC 6840 §5.7)
//!        ▼
//!   shell: GET ?dns=<base64url> or POST, Accept/Content-Type application/dns-message
//!        │  response bytes
//!        ▼
//!   Query::decode(bytes) -> Lookup { status, authenticated, cname_chain, records, negative_ttl }
//! ```
//!
//! Wire format (rather than the JSON APIs some resolvers offer) is what keeps the facts MTA-STS
//! needs exact: the character-strings of a TXT record, joined with no separator as RFC 8461 §3.1
//! requires for a record split in several strings; NXDOMAIN versus NODATA (a name that exists with
//! no record of the type); the AD bit (RFC 4035 §3.2.3); and the CNAME chain from the query name to
//! the owner of the answer (the `_mta-sts` and `mta-sts` names are often delegated by CNAME).
//!
//! Messages are parsed with the `simple-dns` crate (small, pure Rust, builds for wasm32). Two gaps
//! are filled here, in [`decode`]: it cannot parse a question whose type it does not know (TLSA,
//! type 52, RFC 6698), and it does not expose the raw bytes of TXT character-strings.

mod decode;
mod lookup;
mod query;

pub use decode::{DecodeError, DecodeErrorKind};
pub use lookup::{CharString, CnameLink, Lookup, Mx, Record, RecordData, Status, Tlsa, TxtRecord};
pub use query::{Query, QueryError};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The media type of DNS messages over HTTPS (RFC 8484 §6).
pub const CONTENT_TYPE: &str = "application/dns-message";

/// The record types an MTA-STS check asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    /// IPv4 address (RFC 1035 §3.4.1).
    A,
    /// IPv6 address (RFC 3596).
    Aaaa,
    /// Canonical name (RFC 1035 §3.3.1).
    Cname,
    /// Mail exchange (RFC 1035 §3.3.9, RFC 7505 for null MX).
    Mx,
    /// Text (RFC 1035 §3.3.14): the `_mta-sts` and `_smtp._tls` records.
    Txt,
    /// DANE TLSA (RFC 6698 §2): `_25._tcp.<mx>` tells whether the MX publishes DANE.
    Tlsa,
}

impl RecordType {
    /// The type code on the wire.
    pub fn code(self) -> u16 {
        match self {
            RecordType::A => 1,
            RecordType::Cname => 5,
            RecordType::Mx => 15,
            RecordType::Txt => 16,
            RecordType::Aaaa => 28,
            RecordType::Tlsa => 52,
        }
    }

    /// The type for a wire code, if it is one of ours.
    pub fn from_code(code: u16) -> Option<RecordType> {
        Some(match code {
            1 => RecordType::A,
            5 => RecordType::Cname,
            15 => RecordType::Mx,
            16 => RecordType::Txt,
            28 => RecordType::Aaaa,
            52 => RecordType::Tlsa,
            _ => return None,
        })
    }

    /// The mnemonic, e.g. `AAAA`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Tlsa => "TLSA",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares two DNS names the way DNS does: ASCII case-insensitively, ignoring a trailing dot.
pub fn same_name(a: &str, b: &str) -> bool {
    let trim = |s: &'_ str| -> String { s.strip_suffix('.').unwrap_or(s).to_owned() };
    trim(a).eq_ignore_ascii_case(&trim(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_round_trip() {
        for t in [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Cname,
            RecordType::Mx,
            RecordType::Txt,
            RecordType::Tlsa,
        ] {
            assert_eq!(RecordType::from_code(t.code()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(RecordType::from_code(6), None);
    }

    #[test]
    fn names_compare_like_dns() {
        assert!(same_name("MX.Example.com.", "mx.example.com"));
        assert!(!same_name("mx.example.com", "mx.example.org"));
    }
}
