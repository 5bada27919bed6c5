//! Decoding a DoH response into a [`Lookup`].
//!
//! `simple-dns` parses the message (header, name decompression, A/AAAA/MX/CNAME/SOA). A short walk
//! over the raw bytes comes first, for three reasons: to fail with "truncated" rather than a
//! generic parse error, to let `simple-dns` parse a TLSA question (it refuses question types it
//! does not know, so the copy it parses carries type NULL there; the real type is checked here),
//! and to read TXT character-strings as bytes, which `simple-dns` does not expose.

use super::lookup::{CnameLink, Lookup, Mx, Record, RecordData, Status, Tlsa, TxtRecord};
use super::{Query, RecordType, same_name};
use simple_dns::rdata::RData;
use simple_dns::{CLASS, PacketFlag, QTYPE, SimpleDnsError};
use std::fmt::Write as _;
use thiserror::Error;

/// Longest CNAME chain followed; resolvers stop far earlier (RFC 1034 §3.6.2 asks them to).
const MAX_CHAIN: usize = 16;

/// A response that cannot be read as the answer to the query that was sent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot use the DNS response for {name} {record_type}: {kind}")]
pub struct DecodeError {
    /// The name that was asked about.
    pub name: String,
    /// The type that was asked for.
    pub record_type: RecordType,
    /// What is wrong.
    pub kind: DecodeErrorKind,
}

/// What is wrong with a response.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The bytes end before the message does.
    #[error("the message is truncated ({len} bytes)")]
    Truncated {
        /// How many bytes there were.
        len: usize,
    },
    /// The bytes are not a well-formed DNS message.
    #[error("the message is malformed: {reason}")]
    Malformed {
        /// What the parser found.
        reason: String,
    },
    /// The QR bit is clear: the server echoed a query back.
    #[error("the message is a query, not a response")]
    NotAResponse,
    /// The id is not 0, which every DoH query sends (RFC 8484 §4.1).
    #[error("the message has id {id}, not the 0 that was sent")]
    IdMismatch {
        /// The id received.
        id: u16,
    },
    /// The question section does not repeat the question that was sent.
    #[error("it answers {found} instead")]
    QuestionMismatch {
        /// What it answers.
        found: String,
    },
    /// The TC bit is set: the resolver sent a partial answer, which never happens over HTTPS
    /// unless the resolver is broken (RFC 8484 §5 has no size limit to truncate for).
    #[error("the resolver marked the answer as truncated (TC bit)")]
    TruncatedFlag,
    /// The CNAME chain loops or is absurdly long.
    #[error("the CNAME chain loops or is longer than {MAX_CHAIN} links at `{at}`")]
    CnameLoop {
        /// Where the walk stopped.
        at: String,
    },
}

/// A resource record of the answer section, as located in the raw bytes.
struct RawRecord {
    type_code: u16,
    rdata: std::ops::Range<usize>,
}

/// What the raw walk found.
struct Layout {
    qdcount: u16,
    /// Offset of the first question's type, if there is a question.
    qtype_at: Option<usize>,
    answers: Vec<RawRecord>,
}

enum WalkError {
    Truncated,
    Malformed(&'static str),
}

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn take(&mut self, n: usize) -> Result<std::ops::Range<usize>, WalkError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or(WalkError::Truncated)?;
        let range = self.pos..end;
        self.pos = end;
        Ok(range)
    }

    fn u16(&mut self) -> Result<u16, WalkError> {
        let r = self.take(2)?;
        Ok(u16::from_be_bytes([
            self.bytes[r.start],
            self.bytes[r.start + 1],
        ]))
    }

    /// Skips a name: labels up to the root, or up to a compression pointer (RFC 1035 §4.1.4).
    fn skip_name(&mut self) -> Result<(), WalkError> {
        loop {
            let len = self.bytes[self.take(1)?.start];
            match len & 0xC0 {
                0xC0 => {
                    self.take(1)?;
                    return Ok(());
                }
                0x00 if len == 0 => return Ok(()),
                0x00 => {
                    self.take(usize::from(len))?;
                }
                _ => return Err(WalkError::Malformed("a name uses an unknown label type")),
            }
        }
    }
}

fn walk(bytes: &[u8]) -> Result<Layout, WalkError> {
    let mut w = Walker { bytes, pos: 0 };
    w.take(4)?;
    let qdcount = w.u16()?;
    let ancount = w.u16()?;
    w.take(4)?;
    let mut qtype_at = None;
    for i in 0..qdcount {
        w.skip_name()?;
        if i == 0 {
            qtype_at = Some(w.pos);
        }
        w.take(4)?;
    }
    let mut answers = Vec::new();
    for _ in 0..ancount {
        w.skip_name()?;
        let type_code = w.u16()?;
        w.take(6)?;
        let rdlength = w.u16()?;
        let rdata = w.take(usize::from(rdlength))?;
        answers.push(RawRecord { type_code, rdata });
    }
    Ok(Layout {
        qdcount,
        qtype_at,
        answers,
    })
}

/// Presentation form of a name without the trailing dot; the root is `.`.
fn name_text(name: &simple_dns::Name<'_>) -> String {
    let text = name.to_string();
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

pub(super) fn decode(query: &Query, bytes: &[u8]) -> Result<Lookup, DecodeError> {
    let fail = |kind| DecodeError {
        name: query.name().to_owned(),
        record_type: query.record_type(),
        kind,
    };
    let malformed = |reason: &str| {
        fail(DecodeErrorKind::Malformed {
            reason: reason.to_owned(),
        })
    };
    let truncated = || fail(DecodeErrorKind::Truncated { len: bytes.len() });

    let layout = walk(bytes).map_err(|e| match e {
        WalkError::Truncated => truncated(),
        WalkError::Malformed(reason) => malformed(reason),
    })?;
    if layout.qdcount != 1 {
        let found = format!("{} questions", layout.qdcount);
        return Err(fail(DecodeErrorKind::QuestionMismatch { found }));
    }
    let qtype_at = layout.qtype_at.expect("one question was walked");
    let qtype = u16::from_be_bytes([bytes[qtype_at], bytes[qtype_at + 1]]);
    let qclass = u16::from_be_bytes([bytes[qtype_at + 2], bytes[qtype_at + 3]]);

    let mut patched;
    let parse_from = if QTYPE::try_from(qtype).is_err() {
        patched = bytes.to_vec();
        patched[qtype_at..qtype_at + 2].copy_from_slice(&10u16.to_be_bytes());
        &patched[..]
    } else {
        bytes
    };
    let packet = simple_dns::Packet::parse(parse_from).map_err(|e| match e {
        // The walk proved the message complete: running short now means a record's data does.
        SimpleDnsError::InsufficientData => malformed("a record's data runs past its length"),
        other => malformed(&other.to_string()),
    })?;

    if !packet.has_flags(PacketFlag::RESPONSE) {
        return Err(fail(DecodeErrorKind::NotAResponse));
    }
    if packet.id() != 0 {
        return Err(fail(DecodeErrorKind::IdMismatch { id: packet.id() }));
    }
    let qname = packet
        .questions
        .first()
        .map(|q| name_text(&q.qname))
        .unwrap_or_default();
    if !same_name(&qname, query.name()) || qtype != query.record_type().code() || qclass != 1 {
        let type_name =
            RecordType::from_code(qtype).map_or(format!("TYPE{qtype}"), |t| t.to_string());
        let found = format!("{qname} {type_name} (class {qclass})");
        return Err(fail(DecodeErrorKind::QuestionMismatch { found }));
    }
    if packet.has_flags(PacketFlag::TRUNCATION) {
        return Err(fail(DecodeErrorKind::TruncatedFlag));
    }
    if packet.answers.len() != layout.answers.len() {
        return Err(malformed(
            "the answer section could not be read consistently",
        ));
    }

    let answers: Vec<_> = packet.answers.iter().zip(&layout.answers).collect();
    let mut cname_chain: Vec<CnameLink> = Vec::new();
    let mut owner = query.name().to_owned();
    if query.record_type() != RecordType::Cname {
        while let Some((rr, _)) = answers.iter().find(|(rr, raw)| {
            raw.type_code == RecordType::Cname.code() && same_name(&name_text(&rr.name), &owner)
        }) {
            let RData::CNAME(cname) = &rr.rdata else {
                return Err(malformed("a CNAME record does not hold a name"));
            };
            let target = name_text(&cname.0);
            let seen = same_name(&target, query.name())
                || cname_chain.iter().any(|l| same_name(&l.target, &target));
            if seen || cname_chain.len() >= MAX_CHAIN {
                return Err(fail(DecodeErrorKind::CnameLoop { at: target }));
            }
            cname_chain.push(CnameLink {
                owner: name_text(&rr.name),
                target: target.clone(),
                ttl: rr.ttl,
            });
            owner = target;
        }
    }

    let mut records = Vec::new();
    for (rr, raw) in &answers {
        if raw.type_code != query.record_type().code()
            || rr.class != CLASS::IN
            || !same_name(&name_text(&rr.name), &owner)
        {
            continue;
        }
        let rdata = &bytes[raw.rdata.clone()];
        let data = record_data(query.record_type(), &rr.rdata, rdata).map_err(malformed)?;
        records.push(Record { ttl: rr.ttl, data });
    }

    let status = match bytes[3] & 0x0F {
        0 if records.is_empty() => Status::NoData,
        0 => Status::Answer,
        2 => Status::ServFail,
        3 => Status::NxDomain,
        rcode => Status::Other {
            rcode: u16::from(rcode),
        },
    };
    let negative_ttl = match status {
        Status::NoData | Status::NxDomain => {
            packet.name_servers.iter().find_map(|rr| match &rr.rdata {
                RData::SOA(soa) => Some(rr.ttl.min(soa.minimum)),
                _ => None,
            })
        }
        _ => None,
    };
    Ok(Lookup {
        name: query.name().to_owned(),
        record_type: query.record_type(),
        status,
        authenticated: packet.has_flags(PacketFlag::AUTHENTIC_DATA),
        cname_chain,
        records,
        negative_ttl,
    })
}

/// The record data of one answer, from what `simple-dns` parsed or, for TXT and TLSA, the raw bytes.
fn record_data(
    record_type: RecordType,
    parsed: &RData<'_>,
    raw: &[u8],
) -> Result<RecordData, &'static str> {
    Ok(match (record_type, parsed) {
        (RecordType::A, RData::A(a)) => RecordData::A {
            address: a.address.into(),
        },
        (RecordType::Aaaa, RData::AAAA(aaaa)) => RecordData::Aaaa {
            address: aaaa.address.into(),
        },
        (RecordType::Cname, RData::CNAME(cname)) => RecordData::Cname {
            target: name_text(&cname.0),
        },
        (RecordType::Mx, RData::MX(mx)) => RecordData::Mx(Mx {
            preference: mx.preference,
            exchange: name_text(&mx.exchange),
        }),
        (RecordType::Txt, _) => RecordData::Txt(txt_strings(raw)?),
        (RecordType::Tlsa, _) => RecordData::Tlsa(tlsa(raw)?),
        _ => return Err("a record's data does not match its type"),
    })
}

/// TXT RDATA: one or more length-prefixed character-strings (RFC 1035 §3.3.14).
fn txt_strings(mut raw: &[u8]) -> Result<TxtRecord, &'static str> {
    let mut strings = Vec::new();
    while let Some((&len, rest)) = raw.split_first() {
        let len = usize::from(len);
        if rest.len() < len {
            return Err("a TXT character-string runs past its record");
        }
        strings.push(rest[..len].to_vec());
        raw = &rest[len..];
    }
    Ok(TxtRecord::from_strings(strings))
}

/// TLSA RDATA: usage, selector, matching type, association data (RFC 6698 §2.1).
fn tlsa(raw: &[u8]) -> Result<Tlsa, &'static str> {
    let [usage, selector, matching_type, data @ ..] = raw else {
        return Err("a TLSA record is shorter than its three fixed fields");
    };
    let mut hex = String::with_capacity(data.len() * 2);
    for byte in data {
        let _ = write!(hex, "{byte:02x}");
    }
    Ok(Tlsa {
        usage: *usage,
        selector: *selector,
        matching_type: *matching_type,
        data: hex,
    })
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
