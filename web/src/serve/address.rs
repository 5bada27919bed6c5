//! Which IP addresses the relay may connect to: the public internet, and nothing else.
//!
//! The relay turns a name from anyone on the internet into a TCP connection from the server. If that
//! connection could reach the server's own loopback, its private network or a cloud metadata service,
//! the relay would be an SSRF gateway. So every address a name resolves to goes through [`classify`],
//! which names the special-purpose range it falls in (IANA IPv4 and IPv6 Special-Purpose Address
//! Registries, RFC 6890 and its updates) or declares it public.
//!
//! IPv4 is a deny list over a fully allocated space. IPv6 is an allow list: only global unicast
//! (`2000::/3`, RFC 4291 §2.4) minus its special blocks is public, so an unallocated or newly
//! reserved block is refused until someone decides otherwise. Addresses that embed an IPv4 address
//! (IPv4-mapped, NAT64, 6to4) are judged by the address they embed, since that is what a packet to
//! them reaches.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A special-purpose range the relay never connects to. `Display` names the range and its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Range {
    /// `0.0.0.0/8` ("this network", RFC 791) other than the unspecified address itself.
    ThisNetwork,
    /// `0.0.0.0` or `::`.
    Unspecified,
    /// `127.0.0.0/8` or `::1`.
    Loopback,
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` (RFC 1918).
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT shared space (RFC 6598).
    SharedCgnat,
    /// `169.254.169.254`, the metadata service of most clouds (inside link-local, named apart so logs
    /// and messages say what was attempted).
    CloudMetadata,
    /// `169.254.0.0/16` or `fe80::/10`.
    LinkLocal,
    /// `192.0.0.0/24`, IETF protocol assignments (RFC 6890), or `2001::/23` in IPv6.
    ProtocolAssignments,
    /// `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24` (RFC 5737), `2001:db8::/32` (RFC 3849),
    /// `3fff::/20` (RFC 9637).
    Documentation,
    /// `192.88.99.0/24`, the deprecated 6to4 relay anycast (RFC 7526).
    Relay6to4,
    /// `198.18.0.0/15`, network benchmarking (RFC 2544).
    Benchmarking,
    /// `224.0.0.0/4` or `ff00::/8`.
    Multicast,
    /// `240.0.0.0/4`, reserved for future use (RFC 1112).
    Reserved,
    /// `255.255.255.255`, limited broadcast.
    Broadcast,
    /// `::/96` other than `::` and `::1`: IPv4-compatible IPv6, deprecated (RFC 4291 §2.5.5.1).
    Ipv4Compatible,
    /// `::ffff:0:0:0/96`, IPv4-translated (RFC 2765), never a real destination.
    Ipv4Translated,
    /// `64:ff9b:1::/48`, local-use NAT64 (RFC 8215).
    LocalNat64,
    /// `100::/64`, discard-only (RFC 6666).
    Discard,
    /// `5f00::/16`, SRv6 segment identifiers (RFC 9602).
    Srv6,
    /// `fc00::/7`, unique local addresses (RFC 4193).
    UniqueLocal,
    /// `fec0::/10`, deprecated site-local (RFC 3879).
    SiteLocal,
    /// Any IPv6 address outside global unicast `2000::/3`.
    NotGlobalUnicast,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Range::ThisNetwork => "a \"this network\" address (0.0.0.0/8)",
            Range::Unspecified => "the unspecified address",
            Range::Loopback => "a loopback address",
            Range::Private => "a private address (RFC 1918)",
            Range::SharedCgnat => "a carrier-grade NAT address (100.64.0.0/10)",
            Range::CloudMetadata => "the cloud metadata address (169.254.169.254)",
            Range::LinkLocal => "a link-local address",
            Range::ProtocolAssignments => "an IETF protocol assignment address",
            Range::Documentation => "a documentation address",
            Range::Relay6to4 => "the 6to4 relay anycast address (192.88.99.0/24)",
            Range::Benchmarking => "a benchmarking address (198.18.0.0/15)",
            Range::Multicast => "a multicast address",
            Range::Reserved => "a reserved address (240.0.0.0/4)",
            Range::Broadcast => "the broadcast address",
            Range::Ipv4Compatible => "an IPv4-compatible IPv6 address (deprecated)",
            Range::Ipv4Translated => "an IPv4-translated IPv6 address",
            Range::LocalNat64 => "a local-use NAT64 address (64:ff9b:1::/48)",
            Range::Discard => "a discard-only address (100::/64)",
            Range::Srv6 => "an SRv6 segment identifier (5f00::/16)",
            Range::UniqueLocal => "a unique local address (fc00::/7)",
            Range::SiteLocal => "a site-local address (fec0::/10)",
            Range::NotGlobalUnicast => "an IPv6 address outside global unicast (2000::/3)",
        })
    }
}

/// How an IPv6 address carries the IPv4 address it was judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedding {
    /// `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2).
    Mapped,
    /// `64:ff9b::a.b.c.d`, the well-known NAT64 prefix (RFC 6052).
    Nat64,
    /// `2002:aabb:ccdd::/48`, 6to4 (RFC 3056).
    SixToFour,
}

/// The verdict on one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A public address. For an IPv4-mapped IPv6 address this is the plain IPv4 address, which is
    /// what the relay connects to.
    Public(IpAddr),
    /// An address in a special-purpose range, possibly reached through an IPv4 embedding.
    Special {
        /// The range.
        range: Range,
        /// How the IPv4 address was embedded, if it was.
        via: Option<Embedding>,
    },
}

impl Class {
    /// The special range, if the address is not public.
    pub fn range(&self) -> Option<Range> {
        match self {
            Class::Public(_) => None,
            Class::Special { range, .. } => Some(*range),
        }
    }
}

/// Classifies an address: public, or the special-purpose range it belongs to.
pub fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => match special_v4(v4) {
            None => Class::Public(ip),
            Some(range) => Class::Special { range, via: None },
        },
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<Range> {
    let [a, b, c, _] = ip.octets();
    let range = match (a, b, c) {
        _ if ip.is_unspecified() => Range::Unspecified,
        _ if ip.is_broadcast() => Range::Broadcast,
        (0, ..) => Range::ThisNetwork,
        (10, ..) => Range::Private,
        (100, 64..=127, _) => Range::SharedCgnat,
        (127, ..) => Range::Loopback,
        (169, 254, _) if ip == Ipv4Addr::new(169, 254, 169, 254) => Range::CloudMetadata,
        (169, 254, _) => Range::LinkLocal,
        (172, 16..=31, _) => Range::Private,
        (192, 0, 0) => Range::ProtocolAssignments,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Range::Documentation,
        (192, 88, 99) => Range::Relay6to4,
        (192, 168, _) => Range::Private,
        (198, 18..=19, _) => Range::Benchmarking,
        (224..=239, ..) => Range::Multicast,
        (240..=255, ..) => Range::Reserved,
        _ => return None,
    };
    Some(range)
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    let seg = ip.segments();
    let special = |range| Class::Special { range, via: None };
    let embedded = |v4: Ipv4Addr, via: Embedding, keep: IpAddr| match special_v4(v4) {
        None => Class::Public(keep),
        Some(range) => Class::Special {
            range,
            via: Some(via),
        },
    };
    if ip.is_unspecified() {
        return special(Range::Unspecified);
    }
    if ip.is_loopback() {
        return special(Range::Loopback);
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        // The socket would reach the IPv4 address itself; connect to that form.
        return embedded(v4, Embedding::Mapped, IpAddr::V4(v4));
    }
    let low32 = Ipv4Addr::new(
        (seg[6] >> 8) as u8,
        seg[6] as u8,
        (seg[7] >> 8) as u8,
        seg[7] as u8,
    );
    match seg {
        [0, 0, 0, 0, 0, 0, _, _] => return special(Range::Ipv4Compatible),
        [0, 0, 0, 0, 0xffff, 0, _, _] => return special(Range::Ipv4Translated),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => {
            return embedded(low32, Embedding::Nat64, IpAddr::V6(ip));
        }
        [0x64, 0xff9b, 1, ..] => return special(Range::LocalNat64),
        [0x100, 0, 0, 0, ..] => return special(Range::Discard),
        _ => {}
    }
    if seg[0] & 0xff00 == 0xff00 {
        return special(Range::Multicast);
    }
    if seg[0] & 0xfe00 == 0xfc00 {
        return special(Range::UniqueLocal);
    }
    if seg[0] & 0xffc0 == 0xfe80 {
        return special(Range::LinkLocal);
    }
    if seg[0] & 0xffc0 == 0xfec0 {
        return special(Range::SiteLocal);
    }
    if seg[0] == 0x5f00 {
        return special(Range::Srv6);
    }
    if seg[0] & 0xe000 != 0x2000 {
        return special(Range::NotGlobalUnicast);
    }
    // Inside 2000::/3 from here on.
    if (seg[0] == 0x2001 && seg[1] == 0x0db8) || (seg[0] == 0x3fff && seg[1] & 0xf000 == 0) {
        return special(Range::Documentation);
    }
    if seg[0] == 0x2001 && seg[1] < 0x0200 {
        return special(Range::ProtocolAssignments);
    }
    if seg[0] == 0x2002 {
        let v4 = Ipv4Addr::new(
            (seg[1] >> 8) as u8,
            seg[1] as u8,
            (seg[2] >> 8) as u8,
            seg[2] as u8,
        );
        return embedded(v4, Embedding::SixToFour, IpAddr::V6(ip));
    }
    Class::Public(IpAddr::V6(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> Option<Range> {
        classify(s.parse().unwrap()).range()
    }

    fn assert_all(addrs: &[&str], want: Range) {
        for a in addrs {
            assert_eq!(range(a), Some(want), "{a}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for a in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "192.88.98.255",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "203.0.112.255",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "2001:200::1",
            "2001:db9::1",
            "3ffe::1",
            "3fff:1000::1",
        ] {
            assert_eq!(
                classify(a.parse().unwrap()),
                Class::Public(a.parse().unwrap()),
                "{a}"
            );
        }
    }

    #[test]
    fn ipv4_special_ranges_are_refused_at_both_edges() {
        assert_all(&["0.0.0.0"], Range::Unspecified);
        assert_all(&["0.0.0.1", "0.255.255.255"], Range::ThisNetwork);
        assert_all(&["10.0.0.0", "10.255.255.255"], Range::Private);
        assert_all(&["172.16.0.0", "172.31.255.255"], Range::Private);
        assert_all(&["192.168.0.0", "192.168.255.255"], Range::Private);
        assert_all(
            &["100.64.0.0", "100.127.255.255", "100.100.100.200"],
            Range::SharedCgnat,
        );
        assert_all(
            &["127.0.0.0", "127.0.0.1", "127.255.255.255"],
            Range::Loopback,
        );
        assert_all(
            &["169.254.0.0", "169.254.255.255", "169.254.169.253"],
            Range::LinkLocal,
        );
        assert_all(&["169.254.169.254"], Range::CloudMetadata);
        assert_all(
            &["192.0.0.0", "192.0.0.192", "192.0.0.255"],
            Range::ProtocolAssignments,
        );
        assert_all(
            &["192.0.2.0", "192.0.2.255", "198.51.100.7", "203.0.113.255"],
            Range::Documentation,
        );
        assert_all(&["192.88.99.1"], Range::Relay6to4);
        assert_all(&["198.18.0.0", "198.19.255.255"], Range::Benchmarking);
        assert_all(&["224.0.0.0", "239.255.255.255"], Range::Multicast);
        assert_all(&["240.0.0.0", "255.255.255.254"], Range::Reserved);
        assert_all(&["255.255.255.255"], Range::Broadcast);
    }

    #[test]
    fn ipv6_special_ranges_are_refused() {
        assert_all(&["::"], Range::Unspecified);
        assert_all(&["::1"], Range::Loopback);
        assert_all(&["::2", "::127.0.0.1", "::8.8.8.8"], Range::Ipv4Compatible);
        assert_all(&["::ffff:0:8.8.8.8"], Range::Ipv4Translated);
        assert_all(&["64:ff9b:1::1"], Range::LocalNat64);
        assert_all(&["100::1"], Range::Discard);
        assert_all(&["2001::1", "2001:1ff:ffff::1"], Range::ProtocolAssignments);
        assert_all(
            &["2001:db8::1", "3fff::1", "3fff:fff::1"],
            Range::Documentation,
        );
        assert_all(&["5f00::1"], Range::Srv6);
        assert_all(&["fc00::1", "fd00:ec2::254", "fdff::1"], Range::UniqueLocal);
        assert_all(&["fe80::1", "febf::1"], Range::LinkLocal);
        assert_all(&["fec0::1", "feff::1"], Range::SiteLocal);
        assert_all(&["ff02::1", "ff05::2"], Range::Multicast);
        assert_all(
            &["1::1", "4000::1", "e000::1", "::1:0:0:1"],
            Range::NotGlobalUnicast,
        );
    }

    #[test]
    fn embedded_ipv4_is_judged_by_what_it_embeds() {
        let mapped = |s: &str| classify(s.parse().unwrap());
        assert_eq!(
            mapped("::ffff:127.0.0.1"),
            Class::Special {
                range: Range::Loopback,
                via: Some(Embedding::Mapped)
            }
        );
        assert_eq!(
            mapped("::ffff:169.254.169.254"),
            Class::Special {
                range: Range::CloudMetadata,
                via: Some(Embedding::Mapped)
            }
        );
        assert_eq!(
            mapped("::ffff:10.1.2.3"),
            Class::Special {
                range: Range::Private,
                via: Some(Embedding::Mapped)
            }
        );
        assert_eq!(
            mapped("64:ff9b::192.168.1.1"),
            Class::Special {
                range: Range::Private,
                via: Some(Embedding::Nat64)
            }
        );
        assert_eq!(
            mapped("64:ff9b::7f00:1"),
            Class::Special {
                range: Range::Loopback,
                via: Some(Embedding::Nat64)
            }
        );
        assert_eq!(
            mapped("2002:7f00:1::1"),
            Class::Special {
                range: Range::Loopback,
                via: Some(Embedding::SixToFour)
            }
        );
        assert_eq!(
            mapped("2002:a9fe:a9fe::"),
            Class::Special {
                range: Range::CloudMetadata,
                via: Some(Embedding::SixToFour)
            }
        );
    }

    #[test]
    fn embedded_public_ipv4_is_public_and_mapped_form_connects_as_ipv4() {
        assert_eq!(
            classify("::ffff:8.8.8.8".parse().unwrap()),
            Class::Public("8.8.8.8".parse().unwrap())
        );
        let nat64: IpAddr = "64:ff9b::808:808".parse().unwrap();
        assert_eq!(classify(nat64), Class::Public(nat64));
        let six_to_four: IpAddr = "2002:808:808::1".parse().unwrap();
        assert_eq!(classify(six_to_four), Class::Public(six_to_four));
    }

    #[test]
    fn messages_name_the_range() {
        assert_eq!(
            Range::CloudMetadata.to_string(),
            "the cloud metadata address (169.254.169.254)"
        );
        assert_eq!(
            Range::SharedCgnat.to_string(),
            "a carrier-grade NAT address (100.64.0.0/10)"
        );
    }
}
