//! Building DNS queries for DoH (RFC 8484 §4.1).

use super::{CONTENT_TYPE, RecordType, decode};
use crate::dns::{DecodeError, Lookup};
use crate::name::{MAX_LABEL_LEN, MAX_NAME_LEN};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use simple_dns::{CLASS, Name, PacketFlag, QCLASS, QTYPE, TYPE};
use thiserror::Error;

/// Why a name cannot be asked about.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The name breaks the DNS length limits or holds characters no record we ask for can have.
    #[error("cannot query `{name}`: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// One DNS question, ready to be sent over DoH.
///
/// The name is an owner name, not necessarily a hostname: `_mta-sts.example.com` and
/// `_25._tcp.mx.example.com` have underscore labels (RFC 8552), so letters, digits, hyphens and
/// underscores are accepted. It is kept in lower case without the trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    name: String,
    record_type: RecordType,
}

impl Query {
    /// A question for `name` and `record_type`.
    pub fn new(name: &str, record_type: RecordType) -> Result<Query, QueryError> {
        let invalid = |reason| QueryError::InvalidName {
            name: name.to_owned(),
            reason,
        };
        let bare = name.strip_suffix('.').unwrap_or(name);
        if bare.is_empty() {
            return Err(invalid("the name is empty"));
        }
        if bare.len() > MAX_NAME_LEN {
            return Err(invalid("the name is longer than 253 characters"));
        }
        for label in bare.split('.') {
            if label.is_empty() {
                return Err(invalid("the name has an empty label"));
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(invalid("a label is longer than 63 characters"));
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(invalid(
                    "only letters, digits, hyphens and underscores are allowed",
                ));
            }
        }
        Ok(Query {
            name: bare.to_ascii_lowercase(),
            record_type,
        })
    }

    /// The name asked about (lower case, no trailing dot).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The record type asked for.
    pub fn record_type(&self) -> RecordType {
        self.record_type
    }

    /// The query message: id 0 (RFC 8484 §4.1: it keeps GET requests cache-friendly), RD set, and
    /// AD set to ask a validating resolver to tell whether the answer is authenticated (RFC 6840
    /// §5.7), one question of class IN.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut packet = simple_dns::Packet::new_query(0);
        packet.set_flags(PacketFlag::RECURSION_DESIRED | PacketFlag::AUTHENTIC_DATA);
        // `Query::new` already enforced the limits that `Name::new` checks.
        let qname = Name::new_unchecked(&self.name);
        let qtype = QTYPE::TYPE(TYPE::from(self.record_type.code()));
        packet.questions.push(simple_dns::Question::new(
            qname,
            qtype,
            QCLASS::CLASS(CLASS::IN),
            false,
        ));
        packet
            .build_bytes_vec()
            .expect("writing into a Vec cannot fail")
    }

    /// The body of a POST request (RFC 8484 §4.1), sent with `Content-Type: application/dns-message`.
    pub fn post_body(&self) -> Vec<u8> {
        self.to_wire()
    }

    /// The URL of a GET request: the resolver's URL with `dns=` set to the message in base64url
    /// without padding (RFC 8484 §4.1, §6). The resolver URL may already have a query string.
    pub fn get_url(&self, resolver: &str) -> String {
        let encoded = URL_SAFE_NO_PAD.encode(self.to_wire());
        let separator = if resolver.contains('?') { '&' } else { '?' };
        format!("{resolver}{separator}dns={encoded}")
    }

    /// The `Accept` and `Content-Type` value for DoH.
    pub fn content_type() -> &'static str {
        CONTENT_TYPE
    }

    /// Decodes the resolver's response to this query.
    pub fn decode(&self, response: &[u8]) -> Result<Lookup, DecodeError> {
        decode::decode(self, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_has_id_zero_rd_ad_and_one_question() {
        let q = Query::new("_MTA-STS.Example.com.", RecordType::Txt).unwrap();
        assert_eq!(q.name(), "_mta-sts.example.com");
        let wire = q.to_wire();
        assert_eq!(&wire[0..2], &[0, 0], "id 0");
        assert_eq!(wire[2] & 0x80, 0, "QR clear: a query");
        assert_eq!(wire[2] & 0x01, 0x01, "RD");
        assert_eq!(wire[3] & 0x20, 0x20, "AD");
        assert_eq!(&wire[4..6], &[0, 1], "one question");
        assert_eq!(&wire[6..12], &[0; 6], "no other records");
        let mut expected_name = Vec::new();
        for label in ["_mta-sts", "example", "com"] {
            expected_name.push(label.len() as u8);
            expected_name.extend_from_slice(label.as_bytes());
        }
        expected_name.push(0);
        assert_eq!(&wire[12..12 + expected_name.len()], &expected_name[..]);
        assert_eq!(&wire[12 + expected_name.len()..], &[0, 16, 0, 1], "TXT IN");
    }

    #[test]
    fn tlsa_query_carries_type_52() {
        let wire = Query::new("_25._tcp.mx.example.com", RecordType::Tlsa)
            .unwrap()
            .to_wire();
        assert_eq!(&wire[wire.len() - 4..], &[0, 52, 0, 1]);
    }

    #[test]
    fn get_url_is_base64url_without_padding() {
        let q = Query::new("example.com", RecordType::Mx).unwrap();
        let url = q.get_url("https://dns.example/dns-query");
        let encoded = url
            .strip_prefix("https://dns.example/dns-query?dns=")
            .unwrap();
        assert!(!encoded.contains('=') && !encoded.contains('+') && !encoded.contains('/'));
        assert_eq!(URL_SAFE_NO_PAD.decode(encoded).unwrap(), q.post_body());
        let url = q.get_url("https://dns.example/q?ct=1");
        assert!(url.starts_with("https://dns.example/q?ct=1&dns="));
    }

    #[test]
    fn refuses_names_that_cannot_be_asked() {
        for bad in [
            "",
            ".",
            "a..b",
            "a b.com",
            "bücher.example",
            "*.example.com",
        ] {
            assert!(Query::new(bad, RecordType::A).is_err(), "{bad:?}");
        }
        assert!(Query::new(&"a".repeat(64), RecordType::A).is_err());
        let long = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
        ]
        .join(".");
        assert!(Query::new(&long, RecordType::A).is_err());
        let err = Query::new("a b", RecordType::A).unwrap_err();
        assert!(err.to_string().contains("`a b`"), "{err}");
    }
}
