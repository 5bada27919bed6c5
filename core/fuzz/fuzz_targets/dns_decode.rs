//! DNS response decoding (RFC 1035, RFC 8484) on arbitrary bytes, for every record type the check
//! asks for. The first byte picks the type; the rest is the "response".
#![no_main]

use libfuzzer_sys::fuzz_target;
use stslens_core::dns::{Query, RecordType};

const TYPES: [RecordType; 6] = [
    RecordType::A,
    RecordType::Aaaa,
    RecordType::Cname,
    RecordType::Mx,
    RecordType::Txt,
    RecordType::Tlsa,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, response)) = data.split_first() else { return };
    let record_type = TYPES[usize::from(pick) % TYPES.len()];
    let query = Query::new("_mta-sts.example.com", record_type).expect("a valid query");
    if let Ok(lookup) = query.decode(response) {
        let _ = lookup.final_name();
        let _ = lookup.is_null_mx();
        let _ = lookup.min_ttl();
        let _ = lookup.txt().map(|t| t.as_bytes().len()).sum::<usize>();
        let json = serde_json::to_string(&lookup).expect("a lookup serializes");
        let _ = serde_json::from_str::<stslens_core::dns::Lookup>(&json);
    }
});
