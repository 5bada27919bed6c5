//! A fake DNS-over-HTTPS resolver on loopback: RFC 8484 GET and POST in wire format, answers
//! from an in-memory [`Zone`] that each test sets, CORS headers so a browser page can use it,
//! and an optional latency added to every answer (for the critical-path benchmark).
//!
//! It speaks plain HTTP: clients accept `http://` resolvers only on loopback.

use crate::server::{AbortOnDrop, Body, cors, text_response};
use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use simple_dns::rdata::{A, AAAA, CNAME, MX, NULL, RData, SOA, TXT};
use simple_dns::{
    CLASS, CharacterString, Name, PacketFlag, QTYPE, Question, RCODE, ResourceRecord, TYPE,
};
use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The data of one record in the fake zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum ZoneData {
    /// IPv4 address.
    A {
        /// The address.
        address: Ipv4Addr,
    },
    /// IPv6 address.
    Aaaa {
        /// The address.
        address: Ipv6Addr,
    },
    /// Alias.
    Cname {
        /// The target.
        target: String,
    },
    /// Mail exchange (`exchange: "."` for a null MX).
    Mx {
        /// Preference.
        preference: u16,
        /// Host.
        exchange: String,
    },
    /// Text, as separate character-strings.
    Txt {
        /// The strings, sent as they are (each at most 255 bytes).
        strings: Vec<String>,
    },
    /// DANE TLSA.
    Tlsa {
        /// Usage.
        usage: u8,
        /// Selector.
        selector: u8,
        /// Matching type.
        matching_type: u8,
        /// Association data, hex.
        data: String,
    },
}

impl ZoneData {
    fn type_code(&self) -> u16 {
        match self {
            ZoneData::A { .. } => 1,
            ZoneData::Cname { .. } => 5,
            ZoneData::Mx { .. } => 15,
            ZoneData::Txt { .. } => 16,
            ZoneData::Aaaa { .. } => 28,
            ZoneData::Tlsa { .. } => 52,
        }
    }
}

/// One record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRecord {
    /// Owner name.
    pub name: String,
    /// TTL in seconds.
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    /// Data.
    #[serde(flatten)]
    pub data: ZoneData,
}

fn default_ttl() -> u32 {
    300
}

/// What the fake resolver knows. Names without records answer NXDOMAIN, names with records of
/// other types NODATA, names marked `servfail` SERVFAIL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// The records.
    #[serde(default)]
    pub records: Vec<ZoneRecord>,
    /// Names that answer SERVFAIL.
    #[serde(default)]
    pub servfail: HashSet<String>,
    /// Set the AD bit on every answer.
    #[serde(default)]
    pub authenticated: bool,
    /// Delay before every answer, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
}

impl Zone {
    /// An empty zone.
    pub fn new() -> Zone {
        Zone::default()
    }

    /// Adds a record.
    pub fn record(mut self, name: &str, data: ZoneData) -> Zone {
        self.records.push(ZoneRecord {
            name: name.to_ascii_lowercase(),
            ttl: default_ttl(),
            data,
        });
        self
    }

    /// Adds an MX record.
    pub fn mx(self, name: &str, preference: u16, exchange: &str) -> Zone {
        self.record(
            name,
            ZoneData::Mx {
                preference,
                exchange: exchange.into(),
            },
        )
    }

    /// Adds a TXT record made of these character-strings.
    pub fn txt(self, name: &str, strings: &[&str]) -> Zone {
        self.record(
            name,
            ZoneData::Txt {
                strings: strings.iter().map(|s| s.to_string()).collect(),
            },
        )
    }

    /// Adds an A record.
    pub fn a(self, name: &str, address: Ipv4Addr) -> Zone {
        self.record(name, ZoneData::A { address })
    }

    /// Adds an AAAA record.
    pub fn aaaa(self, name: &str, address: Ipv6Addr) -> Zone {
        self.record(name, ZoneData::Aaaa { address })
    }

    /// Adds a CNAME record.
    pub fn cname(self, name: &str, target: &str) -> Zone {
        self.record(
            name,
            ZoneData::Cname {
                target: target.into(),
            },
        )
    }

    /// Adds a TLSA record.
    pub fn tlsa(self, name: &str, usage: u8, selector: u8, matching_type: u8, data: &str) -> Zone {
        self.record(
            name,
            ZoneData::Tlsa {
                usage,
                selector,
                matching_type,
                data: data.into(),
            },
        )
    }

    /// Makes `name` answer SERVFAIL.
    pub fn servfail(mut self, name: &str) -> Zone {
        self.servfail.insert(name.to_ascii_lowercase());
        self
    }

    /// Sets or clears the AD bit on every answer.
    pub fn authenticated(mut self, on: bool) -> Zone {
        self.authenticated = on;
        self
    }

    /// Adds a delay before every answer.
    pub fn latency(mut self, latency: Duration) -> Zone {
        self.latency_ms = latency.as_millis() as u64;
        self
    }

    fn at<'z>(&'z self, name: &'z str) -> impl Iterator<Item = &'z ZoneRecord> + 'z {
        self.records
            .iter()
            .filter(move |r| r.name.trim_end_matches('.').eq_ignore_ascii_case(name))
    }

    /// Builds the wire response to a wire query, or `None` when the query cannot be read.
    pub fn answer(&self, query: &[u8]) -> Option<Vec<u8>> {
        let (id, qname, qtype, rd) = read_question(query)?;
        let mut packet = simple_dns::Packet::new_reply(id);
        packet.set_flags(PacketFlag::RECURSION_AVAILABLE);
        if rd {
            packet.set_flags(PacketFlag::RECURSION_DESIRED);
        }
        let question_name = Name::new_unchecked(&qname);
        let qtype_wire = QTYPE::TYPE(TYPE::from(qtype));
        packet.questions.push(Question::new(
            question_name,
            qtype_wire,
            CLASS::IN.into(),
            false,
        ));

        // Follow CNAMEs within the zone, as a recursive resolver would.
        let mut owner = qname.clone();
        let mut answers: Vec<(String, u32, ZoneData)> = Vec::new();
        if qtype != 5 {
            for _ in 0..8 {
                let Some(link) = self
                    .at(&owner)
                    .find(|r| matches!(r.data, ZoneData::Cname { .. }))
                else {
                    break;
                };
                let ZoneData::Cname { target } = &link.data else {
                    unreachable!()
                };
                answers.push((owner.clone(), link.ttl, link.data.clone()));
                owner = target.trim_end_matches('.').to_ascii_lowercase();
            }
        }
        let rcode = if self.servfail.contains(&owner) || self.servfail.contains(&qname) {
            answers.clear();
            RCODE::ServerFailure
        } else {
            let matching: Vec<_> = self
                .at(&owner)
                .filter(|r| r.data.type_code() == qtype)
                .collect();
            let exists = self.at(&owner).next().is_some();
            answers.extend(
                matching
                    .iter()
                    .map(|r| (owner.clone(), r.ttl, r.data.clone())),
            );
            if exists || !answers.is_empty() {
                RCODE::NoError
            } else {
                RCODE::NameError
            }
        };
        *packet.rcode_mut() = rcode;
        if self.authenticated && rcode != RCODE::ServerFailure {
            packet.set_flags(PacketFlag::AUTHENTIC_DATA);
        }
        // The records borrow their names and bytes; keep the owned values alive while writing.
        let owned: Vec<(String, u32, ZoneData, Vec<Vec<u8>>)> = answers
            .into_iter()
            .map(|(name, ttl, data)| {
                let blobs = match &data {
                    ZoneData::Txt { strings } => {
                        strings.iter().map(|s| s.as_bytes().to_vec()).collect()
                    }
                    ZoneData::Tlsa {
                        usage,
                        selector,
                        matching_type,
                        data,
                    } => {
                        let mut raw = vec![*usage, *selector, *matching_type];
                        raw.extend(unhex(data));
                        vec![raw]
                    }
                    _ => Vec::new(),
                };
                (name, ttl, data, blobs)
            })
            .collect();
        for (name, ttl, data, blobs) in &owned {
            let rdata = match data {
                ZoneData::A { address } => RData::A(A {
                    address: u32::from(*address),
                }),
                ZoneData::Aaaa { address } => RData::AAAA(AAAA {
                    address: u128::from(*address),
                }),
                ZoneData::Cname { target } => {
                    RData::CNAME(CNAME(Name::new_unchecked(target.trim_end_matches('.'))))
                }
                ZoneData::Mx {
                    preference,
                    exchange,
                } => {
                    let exchange = if exchange == "." {
                        ""
                    } else {
                        exchange.trim_end_matches('.')
                    };
                    RData::MX(MX {
                        preference: *preference,
                        exchange: Name::new_unchecked(exchange),
                    })
                }
                ZoneData::Txt { .. } => {
                    let mut txt = TXT::new();
                    for blob in blobs {
                        txt.add_char_string(CharacterString::new(blob).ok()?);
                    }
                    RData::TXT(txt)
                }
                ZoneData::Tlsa { .. } => RData::NULL(52, NULL::new(&blobs[0]).ok()?),
            };
            packet.answers.push(ResourceRecord::new(
                Name::new_unchecked(name),
                CLASS::IN,
                *ttl,
                rdata,
            ));
        }
        let zone_apex = apex(&owner);
        if packet
            .answers
            .iter()
            .all(|rr| u16::from(rr.rdata.type_code()) != qtype)
            && rcode != RCODE::ServerFailure
        {
            let soa = SOA {
                mname: Name::new_unchecked("ns.invalid"),
                rname: Name::new_unchecked("hostmaster.invalid"),
                serial: 1,
                refresh: 3600,
                retry: 600,
                expire: 86_400,
                minimum: 60,
            };
            packet.name_servers.push(ResourceRecord::new(
                Name::new_unchecked(&zone_apex),
                CLASS::IN,
                300,
                RData::SOA(soa),
            ));
        }
        packet.build_bytes_vec_compressed().ok()
    }
}

/// The last two labels: good enough as the SOA owner of a negative answer.
fn apex(name: &str) -> String {
    let labels: Vec<&str> = name.split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// Reads id, name, type and RD from a query. Done by hand because simple-dns refuses question
/// types it does not know (TLSA).
fn read_question(query: &[u8]) -> Option<(u16, String, u16, bool)> {
    let id = u16::from_be_bytes([*query.first()?, *query.get(1)?]);
    let rd = query.get(2)? & 0x01 != 0;
    let mut pos = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(pos)?);
        pos += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        labels.push(String::from_utf8_lossy(query.get(pos..pos + len)?).to_ascii_lowercase());
        pos += len;
    }
    let qtype = u16::from_be_bytes([*query.get(pos)?, *query.get(pos + 1)?]);
    Some((id, labels.join("."), qtype, rd))
}

/// A running fake resolver. Stops when dropped.
#[derive(Debug)]
pub struct FakeDoh {
    addr: SocketAddr,
    zone: Arc<RwLock<Zone>>,
    queries: Arc<AtomicUsize>,
    _server: AbortOnDrop,
}

impl FakeDoh {
    /// Starts a resolver on `127.0.0.1`, on a free port.
    pub async fn start(zone: Zone) -> std::io::Result<FakeDoh> {
        FakeDoh::start_on("127.0.0.1:0".parse().expect("literal"), zone).await
    }

    /// Starts a resolver on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr, zone: Zone) -> std::io::Result<FakeDoh> {
        FakeDoh::serve(addr, zone, None).await
    }

    /// Starts a resolver speaking HTTPS on `addr`, presenting a certificate from `ca` for
    /// `names`. Browsers need this: the web app's CSP lets it connect to `https:` URLs only.
    pub async fn start_tls_on(
        addr: SocketAddr,
        zone: Zone,
        ca: &crate::pki::TestCa,
        names: &[&str],
    ) -> std::io::Result<FakeDoh> {
        let mut resolver = crate::pki::SniResolver::default();
        resolver.set_fallback(ca.certified_key(names, crate::pki::Validity::Current));
        let config = crate::pki::server_config(Arc::new(resolver), &[b"http/1.1"]);
        FakeDoh::serve(addr, zone, Some(Arc::new(config))).await
    }

    async fn serve(
        addr: SocketAddr,
        zone: Zone,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> std::io::Result<FakeDoh> {
        let zone = Arc::new(RwLock::new(zone));
        let queries = Arc::new(AtomicUsize::new(0));
        let state = (Arc::clone(&zone), Arc::clone(&queries));
        let (addr, server) = crate::server::serve_http(addr, tls, move |request| {
            let (zone, queries) = state.clone();
            async move { handle(request, zone, queries).await }
        })
        .await?;
        Ok(FakeDoh {
            addr,
            zone,
            queries,
            _server: server,
        })
    }

    /// The resolver URL: `http://127.0.0.1:<port>/dns-query` (for the plain-HTTP resolver).
    pub fn url(&self) -> String {
        format!("http://{}/dns-query", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the zone.
    pub fn set_zone(&self, zone: Zone) {
        *self.zone.write().expect("zone lock") = zone;
    }

    /// The latency added to every answer, in milliseconds.
    pub fn zone_latency_ms(&self) -> u64 {
        self.zone.read().expect("zone lock").latency_ms
    }

    /// What the current zone answers to `query` (wire format), without a network round trip.
    pub fn zone_answer(&self, query: &[u8]) -> Option<Vec<u8>> {
        self.zone.read().expect("zone lock").answer(query)
    }

    /// How many DNS queries were answered or refused so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

async fn handle(
    request: Request<Incoming>,
    zone: Arc<RwLock<Zone>>,
    queries: Arc<AtomicUsize>,
) -> Response<Body> {
    if request.method() == Method::OPTIONS {
        return cors(text_response(StatusCode::NO_CONTENT, "", "text/plain"));
    }
    if request.uri().path() != "/dns-query" {
        return cors(text_response(
            StatusCode::NOT_FOUND,
            "not found\n",
            "text/plain",
        ));
    }
    let message = match *request.method() {
        Method::GET => request
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|pair| pair.strip_prefix("dns="))
            .and_then(|encoded| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(encoded)
                    .ok()
            }),
        Method::POST => request
            .into_body()
            .collect()
            .await
            .ok()
            .map(|b| b.to_bytes().to_vec()),
        _ => {
            return cors(text_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "GET or POST\n",
                "text/plain",
            ));
        }
    };
    queries.fetch_add(1, Ordering::SeqCst);
    let Some(message) = message else {
        return cors(text_response(
            StatusCode::BAD_REQUEST,
            "no DNS message\n",
            "text/plain",
        ));
    };
    let (answer, latency) = {
        let zone = zone.read().expect("zone lock");
        (
            zone.answer(&message),
            Duration::from_millis(zone.latency_ms),
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match answer {
        Some(bytes) => {
            let mut response = Response::new(Full::new(Bytes::from(bytes)));
            response.headers_mut().insert(
                "content-type",
                "application/dns-message".parse().expect("static"),
            );
            cors(response)
        }
        None => cors(text_response(
            StatusCode::BAD_REQUEST,
            "malformed DNS message\n",
            "text/plain",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stslens_core::dns::{Query, RecordType, Status};

    #[test]
    fn zone_answers_decode_with_the_core_decoder() {
        let zone = Zone::new()
            .txt("_mta-sts.example.test", &["v=STSv1; ", "id=1;"])
            .cname("mta-sts.example.test", "sts.example.net")
            .a("sts.example.net", Ipv4Addr::new(192, 0, 2, 1))
            .tlsa("_25._tcp.mx.example.test", 3, 1, 1, "ff00")
            .servfail("bad.example.test")
            .authenticated(true);
        let ask = |name: &str, t| {
            let query = Query::new(name, t).unwrap();
            query
                .decode(&zone.answer(&query.to_wire()).unwrap())
                .unwrap()
        };
        let txt = ask("_mta-sts.example.test", RecordType::Txt);
        assert_eq!(txt.txt().next().unwrap().as_bytes(), b"v=STSv1; id=1;");
        assert!(txt.authenticated);
        let a = ask("mta-sts.example.test", RecordType::A);
        assert_eq!(a.final_name(), "sts.example.net");
        assert_eq!(a.addresses().count(), 1);
        assert_eq!(
            ask("_25._tcp.mx.example.test", RecordType::Tlsa)
                .tlsa()
                .next()
                .unwrap()
                .data,
            "ff00"
        );
        assert_eq!(
            ask("nothing.example.test", RecordType::Mx).status,
            Status::NxDomain
        );
        assert_eq!(
            ask("sts.example.net", RecordType::Mx).status,
            Status::NoData
        );
        assert_eq!(
            ask("bad.example.test", RecordType::Mx).status,
            Status::ServFail
        );
        assert_eq!(
            zone.answer(b"\x00\x01"),
            None,
            "an unreadable query gets no answer"
        );
    }
}
