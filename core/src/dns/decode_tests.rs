//! Decoder tests over hand-built wire messages (independent of `simple-dns`'s writer) and over
//! messages built with `simple-dns`.

use super::*;
use crate::dns::Query;
use proptest::prelude::*;
use simple_dns::rdata::{A, CNAME, MX, NULL, TXT};
use simple_dns::{CharacterString, Name, Packet, Question, ResourceRecord};

const QR: u16 = 0x8000;
const RD: u16 = 0x0100;
const RA: u16 = 0x0080;
const AD: u16 = 0x0020;
const TC: u16 = 0x0200;

/// Writes DNS messages byte by byte, without compression.
struct Msg {
    id: u16,
    flags: u16,
    question: Option<(String, u16)>,
    answers: Vec<(String, u16, u32, Vec<u8>)>,
    authority: Vec<(String, u16, u32, Vec<u8>)>,
}

fn name_wire(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

impl Msg {
    fn response(name: &str, qtype: u16, rcode: u16) -> Msg {
        Msg {
            id: 0,
            flags: QR | RD | RA | rcode,
            question: Some((name.to_owned(), qtype)),
            answers: vec![],
            authority: vec![],
        }
    }
    fn answer(mut self, owner: &str, rtype: u16, ttl: u32, rdata: Vec<u8>) -> Msg {
        self.answers.push((owner.to_owned(), rtype, ttl, rdata));
        self
    }
    fn soa(mut self, zone: &str, ttl: u32, minimum: u32) -> Msg {
        let mut rdata = name_wire(&format!("ns.{zone}"));
        rdata.extend(name_wire(&format!("hostmaster.{zone}")));
        for field in [1u32, 7200, 900, 1_209_600, minimum] {
            rdata.extend(field.to_be_bytes());
        }
        self.authority.push((zone.to_owned(), 6, ttl, rdata));
        self
    }
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(self.id.to_be_bytes());
        out.extend(self.flags.to_be_bytes());
        out.extend((self.question.is_some() as u16).to_be_bytes());
        out.extend((self.answers.len() as u16).to_be_bytes());
        out.extend((self.authority.len() as u16).to_be_bytes());
        out.extend(0u16.to_be_bytes());
        if let Some((name, qtype)) = &self.question {
            out.extend(name_wire(name));
            out.extend(qtype.to_be_bytes());
            out.extend(1u16.to_be_bytes());
        }
        for (owner, rtype, ttl, rdata) in self.answers.iter().chain(&self.authority) {
            out.extend(name_wire(owner));
            out.extend(rtype.to_be_bytes());
            out.extend(1u16.to_be_bytes());
            out.extend(ttl.to_be_bytes());
            out.extend((rdata.len() as u16).to_be_bytes());
            out.extend(rdata);
        }
        out
    }
}

fn txt_rdata(strings: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in strings {
        out.push(s.len() as u8);
        out.extend_from_slice(s);
    }
    out
}

fn mx_rdata(preference: u16, exchange: &str) -> Vec<u8> {
    let mut out = preference.to_be_bytes().to_vec();
    out.extend(name_wire(exchange));
    out
}

fn q(name: &str, t: RecordType) -> Query {
    Query::new(name, t).unwrap()
}

fn kind(query: &Query, bytes: &[u8]) -> DecodeErrorKind {
    query.decode(bytes).unwrap_err().kind
}

#[test]
fn mx_answer_with_ttls() {
    let query = q("example.com", RecordType::Mx);
    let msg = Msg::response("example.com", 15, 0)
        .answer("example.com", 15, 300, mx_rdata(10, "mx1.example.com"))
        .answer("example.com", 15, 200, mx_rdata(20, "MX2.Example.com"));
    let lookup = query.decode(&msg.bytes()).unwrap();
    assert_eq!(lookup.status, Status::Answer);
    assert!(!lookup.authenticated);
    let mx: Vec<_> = lookup
        .mx()
        .map(|m| (m.preference, m.exchange.as_str()))
        .collect();
    assert_eq!(mx, [(10, "mx1.example.com"), (20, "MX2.Example.com")]);
    assert_eq!(lookup.records[0].ttl, 300);
    assert_eq!(lookup.min_ttl(), Some(200));
    assert!(!lookup.is_null_mx());
}

#[test]
fn null_mx_is_recognised() {
    let query = q("example.com", RecordType::Mx);
    let msg = Msg::response("example.com", 15, 0).answer("example.com", 15, 300, mx_rdata(0, ""));
    let lookup = query.decode(&msg.bytes()).unwrap();
    assert_eq!(lookup.mx().next().unwrap().exchange, ".");
    assert!(lookup.is_null_mx());
}

#[test]
fn txt_split_strings_are_joined_exactly_and_kept() {
    let query = q("_mta-sts.example.com", RecordType::Txt);
    let msg = Msg::response("_mta-sts.example.com", 16, 0)
        .answer(
            "_mta-sts.example.com",
            16,
            60,
            txt_rdata(&[b"v=STSv1; ", b"id=2024 ", b"", b"\xff"]),
        )
        .answer("_mta-sts.example.com", 16, 60, txt_rdata(&[b"other"]));
    let lookup = query.decode(&msg.bytes()).unwrap();
    let txt: Vec<_> = lookup.txt().collect();
    assert_eq!(txt.len(), 2, "two records stay two records");
    assert_eq!(txt[0].as_bytes(), b"v=STSv1; id=2024 \xff");
    let strings: Vec<&[u8]> = txt[0].strings.iter().map(|s| s.as_bytes()).collect();
    assert_eq!(strings, [&b"v=STSv1; "[..], b"id=2024 ", b"", b"\xff"]);
    assert_eq!(txt[1].text.as_str(), Some("other"));
}

#[test]
fn txt_of_255_byte_strings() {
    let long = vec![b'a'; 255];
    let query = q("_smtp._tls.example.com", RecordType::Txt);
    let msg = Msg::response("_smtp._tls.example.com", 16, 0).answer(
        "_smtp._tls.example.com",
        16,
        60,
        txt_rdata(&[&long, b"b"]),
    );
    let lookup = query.decode(&msg.bytes()).unwrap();
    assert_eq!(lookup.txt().next().unwrap().as_bytes().len(), 256);
}

#[test]
fn a_and_aaaa() {
    let query = q("mta-sts.example.com", RecordType::A);
    let msg = Msg::response("mta-sts.example.com", 1, 0).answer(
        "mta-sts.example.com",
        1,
        30,
        vec![192, 0, 2, 7],
    );
    let addrs: Vec<_> = query.decode(&msg.bytes()).unwrap().addresses().collect();
    assert_eq!(addrs, ["192.0.2.7".parse::<std::net::IpAddr>().unwrap()]);

    let query = q("mta-sts.example.com", RecordType::Aaaa);
    let ip: std::net::Ipv6Addr = "2001:db8::7".parse().unwrap();
    let msg = Msg::response("mta-sts.example.com", 28, 0).answer(
        "mta-sts.example.com",
        28,
        30,
        ip.octets().to_vec(),
    );
    let lookup = query.decode(&msg.bytes()).unwrap();
    assert_eq!(lookup.records[0].data, RecordData::Aaaa { address: ip });
}

#[test]
fn cname_chain_is_followed_from_the_query_name_to_the_owner() {
    let query = q("mta-sts.example.com", RecordType::A);
    // Out of order on purpose: the chain is followed by name, not by position.
    let msg = Msg::response("mta-sts.example.com", 1, 0)
        .answer("sts.provider.net", 5, 100, name_wire("edge.cdn.net"))
        .answer("MTA-STS.example.com", 5, 300, name_wire("sts.provider.net"))
        .answer("edge.cdn.net", 1, 20, vec![198, 51, 100, 1])
        .answer("unrelated.example", 1, 20, vec![198, 51, 100, 2]);
    let lookup = query.decode(&msg.bytes()).unwrap();
    let chain: Vec<_> = lookup
        .cname_chain
        .iter()
        .map(|l| (l.owner.as_str(), l.target.as_str(), l.ttl))
        .collect();
    assert_eq!(
        chain,
        [
            ("MTA-STS.example.com", "sts.provider.net", 300),
            ("sts.provider.net", "edge.cdn.net", 100)
        ]
    );
    assert_eq!(lookup.final_name(), "edge.cdn.net");
    assert_eq!(
        lookup.addresses().count(),
        1,
        "records of other owners are not answers"
    );
    assert_eq!(lookup.status, Status::Answer);
}

#[test]
fn cname_asked_for_directly_is_a_record_not_a_chain() {
    let query = q("_mta-sts.example.com", RecordType::Cname);
    let msg = Msg::response("_mta-sts.example.com", 5, 0).answer(
        "_mta-sts.example.com",
        5,
        60,
        name_wire("_mta-sts.provider.net"),
    );
    let lookup = query.decode(&msg.bytes()).unwrap();
    assert!(lookup.cname_chain.is_empty());
    assert_eq!(
        lookup.records[0].data,
        RecordData::Cname {
            target: "_mta-sts.provider.net".into()
        }
    );
}

#[test]
fn cname_loops_are_refused() {
    let query = q("a.example", RecordType::A);
    let msg = Msg::response("a.example", 1, 0)
        .answer("a.example", 5, 1, name_wire("b.example"))
        .answer("b.example", 5, 1, name_wire("a.example"));
    assert!(matches!(
        kind(&query, &msg.bytes()),
        DecodeErrorKind::CnameLoop { .. }
    ));
}

#[test]
fn tlsa_question_and_record() {
    let query = q("_25._tcp.mx.example.com", RecordType::Tlsa);
    let msg = Msg::response("_25._tcp.mx.example.com", 52, 0).answer(
        "_25._tcp.mx.example.com",
        52,
        3600,
        vec![3, 1, 1, 0xab, 0xcd, 0x01],
    );
    let lookup = query.decode(&msg.bytes()).unwrap();
    let tlsa = lookup.tlsa().next().unwrap();
    assert_eq!((tlsa.usage, tlsa.selector, tlsa.matching_type), (3, 1, 1));
    assert_eq!(tlsa.data, "abcd01");
    let short = Msg::response("_25._tcp.mx.example.com", 52, 0).answer(
        "_25._tcp.mx.example.com",
        52,
        1,
        vec![3, 1],
    );
    assert!(matches!(
        kind(&query, &short.bytes()),
        DecodeErrorKind::Malformed { .. }
    ));
}

#[test]
fn nxdomain_nodata_servfail_and_other_rcodes() {
    let query = q("_mta-sts.example.com", RecordType::Txt);
    let nx = Msg::response("_mta-sts.example.com", 16, 3).soa("example.com", 900, 300);
    let lookup = query.decode(&nx.bytes()).unwrap();
    assert_eq!(lookup.status, Status::NxDomain);
    assert_eq!(
        lookup.negative_ttl,
        Some(300),
        "lesser of SOA TTL and MINIMUM"
    );

    // NODATA: the name exists with another type only.
    let nodata = Msg::response("_mta-sts.example.com", 16, 0)
        .answer("_mta-sts.example.com", 1, 60, vec![192, 0, 2, 1])
        .soa("example.com", 120, 3600);
    let lookup = query.decode(&nodata.bytes()).unwrap();
    assert_eq!(lookup.status, Status::NoData);
    assert_eq!(lookup.negative_ttl, Some(120));
    assert!(lookup.records.is_empty());

    let servfail = Msg::response("_mta-sts.example.com", 16, 2);
    assert_eq!(
        query.decode(&servfail.bytes()).unwrap().status,
        Status::ServFail
    );
    let refused = Msg::response("_mta-sts.example.com", 16, 5);
    assert_eq!(
        query.decode(&refused.bytes()).unwrap().status,
        Status::Other { rcode: 5 }
    );
}

#[test]
fn nxdomain_at_the_end_of_a_cname_chain_keeps_the_chain() {
    let query = q("mta-sts.example.com", RecordType::A);
    let msg = Msg::response("mta-sts.example.com", 1, 3).answer(
        "mta-sts.example.com",
        5,
        60,
        name_wire("gone.provider.net"),
    );
    let lookup = query.decode(&msg.bytes()).unwrap();
    assert_eq!(lookup.status, Status::NxDomain);
    assert_eq!(lookup.final_name(), "gone.provider.net");
}

#[test]
fn ad_bit_is_reported() {
    let query = q("example.com", RecordType::Mx);
    let mut msg = Msg::response("example.com", 15, 0).answer(
        "example.com",
        15,
        1,
        mx_rdata(10, "mx.example.com"),
    );
    assert!(!query.decode(&msg.bytes()).unwrap().authenticated);
    msg.flags |= AD;
    assert!(query.decode(&msg.bytes()).unwrap().authenticated);
}

#[test]
fn malformed_messages_are_refused_with_the_reason() {
    let query = q("example.com", RecordType::Mx);
    let good = Msg::response("example.com", 15, 0).answer(
        "example.com",
        15,
        1,
        mx_rdata(10, "mx.example.com"),
    );
    let bytes = good.bytes();
    for cut in [0, 5, 11, 20, bytes.len() - 1] {
        assert_eq!(
            kind(&query, &bytes[..cut]),
            DecodeErrorKind::Truncated { len: cut },
            "cut at {cut}"
        );
    }

    let mut not_response = Msg::response("example.com", 15, 0);
    not_response.flags &= !QR;
    assert_eq!(
        kind(&query, &not_response.bytes()),
        DecodeErrorKind::NotAResponse
    );

    let mut wrong_id = Msg::response("example.com", 15, 0);
    wrong_id.id = 0x1234;
    assert_eq!(
        kind(&query, &wrong_id.bytes()),
        DecodeErrorKind::IdMismatch { id: 0x1234 }
    );

    let other_name = Msg::response("example.org", 15, 0);
    let err = query.decode(&other_name.bytes()).unwrap_err();
    assert!(
        matches!(&err.kind, DecodeErrorKind::QuestionMismatch { found } if found.contains("example.org MX"))
    );
    assert!(err.to_string().contains("example.com MX"), "{err}");
    let other_type = Msg::response("example.com", 16, 0);
    assert!(matches!(
        kind(&query, &other_type.bytes()),
        DecodeErrorKind::QuestionMismatch { .. }
    ));
    let mut no_question = Msg::response("example.com", 15, 0);
    no_question.question = None;
    assert!(matches!(
        kind(&query, &no_question.bytes()),
        DecodeErrorKind::QuestionMismatch { .. }
    ));

    let mut tc = Msg::response("example.com", 15, 0);
    tc.flags |= TC;
    assert_eq!(kind(&query, &tc.bytes()), DecodeErrorKind::TruncatedFlag);

    let txt_query = q("example.com", RecordType::Txt);
    let overrun = Msg::response("example.com", 16, 0).answer("example.com", 16, 1, vec![5, b'a']);
    assert!(matches!(
        kind(&txt_query, &overrun.bytes()),
        DecodeErrorKind::Malformed { .. }
    ));

    // A compression pointer that points forward (simple-dns only follows backward ones).
    let mut forward = Msg::response("example.com", 15, 0).bytes();
    forward[7] = 1; // ancount = 1
    forward.extend([0xC0, 0xFF, 0, 15, 0, 1, 0, 0, 0, 1, 0, 4, 0, 10, 0xC0, 0x0C]);
    assert!(matches!(
        kind(&query, &forward),
        DecodeErrorKind::Malformed { .. }
    ));
}

#[test]
fn messages_built_by_simple_dns_decode_too() {
    let mut packet = Packet::new_reply(0);
    packet.set_flags(PacketFlag::RECURSION_DESIRED | PacketFlag::AUTHENTIC_DATA);
    let qname = Name::new_unchecked("_mta-sts.example.com");
    packet.questions.push(Question::new(
        qname.clone(),
        simple_dns::TYPE::TXT.into(),
        simple_dns::CLASS::IN.into(),
        false,
    ));
    let txt = TXT::new()
        .with_char_string(CharacterString::new(b"v=STSv1;").unwrap())
        .with_char_string(CharacterString::new(b" id=abc").unwrap());
    packet.answers.push(ResourceRecord::new(
        qname.clone(),
        CLASS::IN,
        77,
        RData::TXT(txt),
    ));
    // Compressed names, as real resolvers send them.
    let wire = packet.build_bytes_vec_compressed().unwrap();
    let lookup = q("_mta-sts.example.com", RecordType::Txt)
        .decode(&wire)
        .unwrap();
    assert!(lookup.authenticated);
    let txt = lookup.txt().next().unwrap();
    assert_eq!(txt.as_bytes(), b"v=STSv1; id=abc");
    assert_eq!(txt.strings.len(), 2);
    assert_eq!(lookup.records[0].ttl, 77);

    let mut packet = Packet::new_reply(0);
    let qname = Name::new_unchecked("mx.example.com");
    let alias = Name::new_unchecked("mail.example.net");
    packet.questions.push(Question::new(
        qname.clone(),
        simple_dns::TYPE::A.into(),
        simple_dns::CLASS::IN.into(),
        false,
    ));
    packet.answers.push(ResourceRecord::new(
        qname.clone(),
        CLASS::IN,
        10,
        RData::CNAME(CNAME(alias.clone())),
    ));
    packet.answers.push(ResourceRecord::new(
        alias.clone(),
        CLASS::IN,
        10,
        RData::A(A {
            address: 0x7f000001,
        }),
    ));
    let wire = packet.build_bytes_vec_compressed().unwrap();
    let lookup = q("mx.example.com", RecordType::A).decode(&wire).unwrap();
    assert_eq!(lookup.final_name(), "mail.example.net");
    assert_eq!(lookup.addresses().next().unwrap().to_string(), "127.0.0.1");

    let mut packet = Packet::new_reply(0);
    let qname = Name::new_unchecked("example.com");
    packet.questions.push(Question::new(
        qname.clone(),
        simple_dns::TYPE::MX.into(),
        simple_dns::CLASS::IN.into(),
        false,
    ));
    let mx = MX {
        preference: 0,
        exchange: Name::new_unchecked(""),
    };
    packet.answers.push(ResourceRecord::new(
        qname.clone(),
        CLASS::IN,
        10,
        RData::MX(mx),
    ));
    let wire = packet.build_bytes_vec_compressed().unwrap();
    assert!(
        q("example.com", RecordType::Mx)
            .decode(&wire)
            .unwrap()
            .is_null_mx()
    );

    let mut packet = Packet::new_reply(0);
    let qname = Name::new_unchecked("_25._tcp.mx.example.com");
    packet.questions.push(Question::new(
        qname.clone(),
        simple_dns::QTYPE::TYPE(simple_dns::TYPE::Unknown(52)),
        simple_dns::CLASS::IN.into(),
        false,
    ));
    let rdata = [2u8, 0, 1, 0xde, 0xad];
    packet.answers.push(ResourceRecord::new(
        qname.clone(),
        CLASS::IN,
        10,
        RData::NULL(52, NULL::new(&rdata).unwrap()),
    ));
    let wire = packet.build_bytes_vec_compressed().unwrap();
    let lookup = q("_25._tcp.mx.example.com", RecordType::Tlsa)
        .decode(&wire)
        .unwrap();
    assert_eq!(lookup.tlsa().next().unwrap().data, "dead");
}

#[test]
fn a_query_decodes_as_not_a_response() {
    let query = q("example.com", RecordType::A);
    assert_eq!(
        kind(&query, &query.to_wire()),
        DecodeErrorKind::NotAResponse
    );
}

proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for t in [RecordType::A, RecordType::Mx, RecordType::Txt, RecordType::Tlsa, RecordType::Cname] {
            let _ = q("example.com", t).decode(&bytes);
        }
    }

    #[test]
    fn decoding_mutated_responses_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let msg = Msg::response("_mta-sts.example.com", 16, 0)
            .answer("_mta-sts.example.com", 5, 60, name_wire("sts.example.net"))
            .answer("sts.example.net", 16, 60, txt_rdata(&[b"v=STSv1;", b" id=1"]))
            .soa("example.net", 60, 60);
        let mut bytes = msg.bytes();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let _ = q("_mta-sts.example.com", RecordType::Txt).decode(&bytes);
    }
}
