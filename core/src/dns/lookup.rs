//! The decoded answer to one DNS question: what a check reasons about.

use super::RecordType;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// How the resolver answered, from the response code and the answer section.
///
/// NXDOMAIN and NODATA are different facts for MTA-STS: no `_mta-sts` name at all versus a name
/// that exists (perhaps with other records) but no TXT record (RFC 2308 §1, §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Status {
    /// NOERROR with at least one record of the type asked for.
    Answer,
    /// NOERROR without a record of the type: the name exists, the type does not (RFC 2308 §2.2).
    NoData,
    /// NXDOMAIN: the name (or the end of its CNAME chain, RFC 6604 §2) does not exist.
    NxDomain,
    /// SERVFAIL: the resolver could not get an answer, e.g. DNSSEC validation failed (RFC 4035 §5.5).
    ServFail,
    /// Any other response code (FORMERR, NOTIMP, REFUSED, ...).
    Other {
        /// The response code.
        rcode: u16,
    },
}

/// One link of a CNAME chain: `owner` is an alias for `target` (RFC 1034 §3.6.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CnameLink {
    /// The alias.
    pub owner: String,
    /// The name it points to.
    pub target: String,
    /// Seconds the link may be cached.
    pub ttl: u32,
}

/// The decoded answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    /// The name asked about (lower case, no trailing dot).
    pub name: String,
    /// The type asked for.
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// What the resolver said.
    #[serde(flatten)]
    pub status: Status,
    /// The AD bit: the resolver validated the answer with DNSSEC (RFC 4035 §3.2.3). Only as
    /// trustworthy as the path to the resolver, which DoH protects.
    pub authenticated: bool,
    /// The CNAME chain from the query name to the owner of the records, in order; empty when the
    /// name is not an alias.
    pub cname_chain: Vec<CnameLink>,
    /// The records of the type asked for, at the end of the chain, in the order received.
    pub records: Vec<Record>,
    /// For NXDOMAIN and NODATA: how long the negative answer may be cached, from the SOA in the
    /// authority section (RFC 2308 §5: the lesser of its TTL and its MINIMUM field).
    pub negative_ttl: Option<u32>,
}

impl Lookup {
    /// The owner name of the records: the query name, or the last target of the CNAME chain.
    pub fn final_name(&self) -> &str {
        self.cname_chain
            .last()
            .map_or(&self.name, |link| &link.target)
    }

    /// The MX records, in the order received.
    pub fn mx(&self) -> impl Iterator<Item = &Mx> {
        self.records.iter().filter_map(|r| match &r.data {
            RecordData::Mx(mx) => Some(mx),
            _ => None,
        })
    }

    /// The TXT records, in the order received.
    pub fn txt(&self) -> impl Iterator<Item = &TxtRecord> {
        self.records.iter().filter_map(|r| match &r.data {
            RecordData::Txt(txt) => Some(txt),
            _ => None,
        })
    }

    /// The A and AAAA addresses, in the order received.
    pub fn addresses(&self) -> impl Iterator<Item = std::net::IpAddr> + '_ {
        self.records.iter().filter_map(|r| match &r.data {
            RecordData::A { address } => Some((*address).into()),
            RecordData::Aaaa { address } => Some((*address).into()),
            _ => None,
        })
    }

    /// The TLSA records, in the order received.
    pub fn tlsa(&self) -> impl Iterator<Item = &Tlsa> {
        self.records.iter().filter_map(|r| match &r.data {
            RecordData::Tlsa(tlsa) => Some(tlsa),
            _ => None,
        })
    }

    /// Whether the MX answer is a null MX (RFC 7505 §3): exactly one MX, preference 0, exchange
    /// the root. The domain declares that it accepts no mail.
    pub fn is_null_mx(&self) -> bool {
        let mut mx = self.mx();
        matches!((mx.next(), mx.next()), (Some(only), None) if only.is_null())
    }

    /// The smallest TTL of the records and chain links, if there are any.
    pub fn min_ttl(&self) -> Option<u32> {
        let records = self.records.iter().map(|r| r.ttl);
        records.chain(self.cname_chain.iter().map(|l| l.ttl)).min()
    }
}

/// One resource record of the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Seconds the record may be cached.
    pub ttl: u32,
    /// The record's data.
    #[serde(flatten)]
    pub data: RecordData,
}

/// The data of a record, by type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum RecordData {
    /// An IPv4 address.
    A {
        /// The address.
        address: Ipv4Addr,
    },
    /// An IPv6 address.
    Aaaa {
        /// The address.
        address: Ipv6Addr,
    },
    /// An alias, when CNAME itself was asked for.
    Cname {
        /// The canonical name.
        target: String,
    },
    /// A mail exchange.
    Mx(Mx),
    /// A text record.
    Txt(TxtRecord),
    /// A DANE TLSA record.
    Tlsa(Tlsa),
}

/// An MX record (RFC 1035 §3.3.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mx {
    /// Lower is preferred.
    pub preference: u16,
    /// The mail host, without the trailing dot; `.` for the root (null MX).
    pub exchange: String,
}

impl Mx {
    /// Whether this is the null MX record of RFC 7505 §3: preference 0 and exchange `.`.
    pub fn is_null(&self) -> bool {
        self.preference == 0 && self.exchange == "."
    }
}

/// A TXT record: its character-strings as sent, and their concatenation.
///
/// RFC 8461 §3.1 and RFC 8460 §3 say a record split in several strings is read as their
/// concatenation with nothing in between (RFC 7208 §3.3 does the same for SPF); the list is kept
/// too, so that a check can say how the record was split.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TxtRecord {
    /// The character-strings joined with no separator, bytes as received.
    pub text: CharString,
    /// The character-strings in order, each at most 255 bytes (RFC 1035 §3.3).
    pub strings: Vec<CharString>,
}

impl TxtRecord {
    /// A record from its character-strings.
    pub fn from_strings(strings: Vec<Vec<u8>>) -> TxtRecord {
        let text = CharString(strings.concat());
        TxtRecord {
            text,
            strings: strings.into_iter().map(CharString).collect(),
        }
    }

    /// The joined text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text.0
    }
}

/// A TLSA record (RFC 6698 §2.1): which certificate or key a TLS server must present.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tlsa {
    /// 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218).
    pub usage: u8,
    /// 0 full certificate, 1 SubjectPublicKeyInfo.
    pub selector: u8,
    /// 0 exact, 1 SHA-256, 2 SHA-512.
    pub matching_type: u8,
    /// The association data, lower-case hex.
    pub data: String,
}

/// Bytes from a DNS character-string (RFC 1035 §3.3), kept exactly.
///
/// In JSON it is a string when the bytes are UTF-8 (nearly always) and an array of byte values
/// otherwise, so nothing is lost either way and both forms read back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CharString(pub Vec<u8>);

impl CharString {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text, if they are UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Display for CharString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl Serialize for CharString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(text) => serializer.serialize_str(text),
            None => self.0.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for CharString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            Bytes(Vec<u8>),
        }
        Ok(match Form::deserialize(deserializer)? {
            Form::Text(text) => CharString(text.into_bytes()),
            Form::Bytes(bytes) => CharString(bytes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_string_json_keeps_every_byte() {
        let text = CharString(b"v=STSv1; id=1".to_vec());
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"v=STSv1; id=1\"");
        let binary = CharString(vec![b'v', 0xff, 0]);
        let json = serde_json::to_string(&binary).unwrap();
        assert_eq!(json, "[118,255,0]");
        assert_eq!(serde_json::from_str::<CharString>(&json).unwrap(), binary);
        assert_eq!(
            serde_json::from_str::<CharString>("\"v=STSv1; id=1\"").unwrap(),
            text
        );
    }

    #[test]
    fn lookup_json_shape_round_trips() {
        let lookup = Lookup {
            name: "example.com".into(),
            record_type: RecordType::Mx,
            status: Status::Answer,
            authenticated: true,
            cname_chain: vec![],
            records: vec![Record {
                ttl: 300,
                data: RecordData::Mx(Mx {
                    preference: 10,
                    exchange: "mx.example.com".into(),
                }),
            }],
            negative_ttl: None,
        };
        let json = serde_json::to_value(&lookup).unwrap();
        assert_eq!(json["status"], "answer");
        assert_eq!(json["type"], "MX");
        assert_eq!(json["records"][0]["type"], "MX");
        assert_eq!(json["records"][0]["exchange"], "mx.example.com");
        assert_eq!(json["records"][0]["ttl"], 300);
        let back: Lookup = serde_json::from_value(json).unwrap();
        assert_eq!(back, lookup);

        let other = Lookup {
            status: Status::Other { rcode: 5 },
            records: vec![],
            ..lookup
        };
        let json = serde_json::to_value(&other).unwrap();
        assert_eq!(
            (json["status"].as_str(), json["rcode"].as_u64()),
            (Some("other"), Some(5))
        );
        assert_eq!(serde_json::from_value::<Lookup>(json).unwrap(), other);
    }

    #[test]
    fn null_mx_needs_a_single_root_record_with_preference_zero() {
        let mx = |preference, exchange: &str| Record {
            ttl: 60,
            data: RecordData::Mx(Mx {
                preference,
                exchange: exchange.into(),
            }),
        };
        let mut lookup = Lookup {
            name: "example.com".into(),
            record_type: RecordType::Mx,
            status: Status::Answer,
            authenticated: false,
            cname_chain: vec![],
            records: vec![mx(0, ".")],
            negative_ttl: None,
        };
        assert!(lookup.is_null_mx());
        lookup.records = vec![mx(10, ".")];
        assert!(!lookup.is_null_mx());
        lookup.records = vec![mx(0, "."), mx(10, "mx.example.com")];
        assert!(!lookup.is_null_mx());
    }
}
