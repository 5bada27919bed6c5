//! Micro-benchmarks of the hot pure functions, with criterion: policy lint, TXT record lint, MX
//! pattern matching and DNS response decoding. `cargo xtask bench` runs them and prints each as
//! operations per second beside the end-to-end benchmarks; run them alone with
//! `cargo bench -p stslens-core --bench micro`.
//!
//! Inputs are real where we have them (the 43 real policy files of tests/fixtures) and realistic
//! otherwise (an MX answer of three hosts, compressed the way resolvers send it).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use simple_dns::rdata::{MX, RData, TXT};
use simple_dns::{CLASS, CharacterString, Name, Packet, Question, ResourceRecord};
use std::hint::black_box;
use std::path::Path;
use stslens_core::dns::{Query, RecordType};
use stslens_core::{MxPattern, lint_policy, lint_sts_records, lint_tlsrpt_records};

/// Every real policy file of tests/fixtures/real-policies.
fn real_policies() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/real-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the real policies are missing");
    files
        .iter()
        .map(|path| std::fs::read(path).expect("a readable policy"))
        .collect()
}

fn policy_lint(c: &mut Criterion) {
    let policies = real_policies();
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Elements(policies.len() as u64));
    group.bench_function("lint all real policies", |b| {
        b.iter(|| {
            for policy in &policies {
                black_box(lint_policy(black_box(policy)));
            }
        })
    });
    group.finish();
}

fn record_lint(c: &mut Criterion) {
    let mut group = c.benchmark_group("records");
    group.throughput(Throughput::Elements(1));
    group.bench_function("lint _mta-sts TXT", |b| {
        let records = [
            "v=STSv1; id=20240315T101500Z;",
            "google-site-verification=abc",
        ];
        b.iter(|| black_box(lint_sts_records(black_box(&records))))
    });
    group.bench_function("lint _smtp._tls TXT", |b| {
        let records =
            ["v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.net/v1/tlsrpt"];
        b.iter(|| black_box(lint_tlsrpt_records(black_box(&records))))
    });
    group.finish();
}

fn pattern_matching(c: &mut Criterion) {
    let patterns: Vec<MxPattern> = ["mx1.example.com", "*.mail.example.com", "*.example.net"]
        .iter()
        .map(|p| MxPattern::parse(p).expect("a valid pattern"))
        .collect();
    let hosts = [
        "mx1.example.com.",
        "A.Mail.Example.COM",
        "deep.a.mail.example.com",
        "mx.example.net",
        "example.net",
        "other.example.org",
    ];
    let mut group = c.benchmark_group("pattern");
    group.throughput(Throughput::Elements((patterns.len() * hosts.len()) as u64));
    group.bench_function("match hosts against patterns", |b| {
        b.iter(|| {
            for pattern in &patterns {
                for host in &hosts {
                    black_box(pattern.matches_host(black_box(host)));
                }
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse a wildcard pattern", |b| {
        b.iter(|| black_box(MxPattern::parse(black_box("*.mail.example.com"))))
    });
    group.finish();
}

/// An MX answer of three hosts and a split TXT answer, compressed as resolvers send them.
fn dns_answers() -> (Vec<u8>, Vec<u8>) {
    let mut packet = Packet::new_reply(0);
    let qname = Name::new_unchecked("example.com");
    packet.questions.push(Question::new(
        qname.clone(),
        simple_dns::TYPE::MX.into(),
        CLASS::IN.into(),
        false,
    ));
    for (preference, host) in [
        (10, "mx1.mail.example.com"),
        (20, "mx2.mail.example.com"),
        (30, "backup.example.net"),
    ] {
        packet.answers.push(ResourceRecord::new(
            qname.clone(),
            CLASS::IN,
            300,
            RData::MX(MX {
                preference,
                exchange: Name::new_unchecked(host),
            }),
        ));
    }
    let mx = packet.build_bytes_vec_compressed().expect("an MX answer");

    let mut packet = Packet::new_reply(0);
    let qname = Name::new_unchecked("_mta-sts.example.com");
    packet.questions.push(Question::new(
        qname.clone(),
        simple_dns::TYPE::TXT.into(),
        CLASS::IN.into(),
        false,
    ));
    let txt = TXT::new()
        .with_char_string(CharacterString::new(b"v=STSv1;").expect("a string"))
        .with_char_string(CharacterString::new(b" id=20240315T101500Z;").expect("a string"));
    packet
        .answers
        .push(ResourceRecord::new(qname, CLASS::IN, 300, RData::TXT(txt)));
    let txt = packet.build_bytes_vec_compressed().expect("a TXT answer");
    (mx, txt)
}

fn dns_decoding(c: &mut Criterion) {
    let (mx, txt) = dns_answers();
    let mx_query = Query::new("example.com", RecordType::Mx).expect("a query");
    let txt_query = Query::new("_mta-sts.example.com", RecordType::Txt).expect("a query");
    assert_eq!(mx_query.decode(&mx).expect("decodes").mx().count(), 3);
    assert_eq!(txt_query.decode(&txt).expect("decodes").txt().count(), 1);
    let mut group = c.benchmark_group("dns");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode an MX answer (3 hosts)", |b| {
        b.iter(|| black_box(mx_query.decode(black_box(&mx))))
    });
    group.bench_function("decode a TXT answer", |b| {
        b.iter(|| black_box(txt_query.decode(black_box(&txt))))
    });
    group.bench_function("encode a query", |b| {
        b.iter_batched(
            || (),
            |()| {
                black_box(Query::new("_mta-sts.example.com", RecordType::Txt).map(|q| q.to_wire()))
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(
    benches,
    policy_lint,
    record_lint,
    pattern_matching,
    dns_decoding
);
criterion_main!(benches);
