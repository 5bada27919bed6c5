//! `_mta-sts` and `_smtp._tls` TXT records (RFC 8461 §3.1, RFC 8460 §3) and MX patterns (§4.1).
//! Input: records separated by NUL bytes. Oracle: a record that parses renders back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stslens_core::lint::{lint_sts_records, lint_tlsrpt_records};
use stslens_core::{MxPattern, StsRecord, TlsRptRecord};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let records: Vec<&str> = text.split('\0').collect();
    let _ = lint_sts_records(&records);
    let _ = lint_tlsrpt_records(&records);
    for record in &records {
        if let Ok(sts) = StsRecord::parse(record) {
            assert_eq!(StsRecord::parse(&sts.to_string()).expect("renders valid"), sts);
        }
        if let Ok(rpt) = TlsRptRecord::parse(record) {
            assert_eq!(TlsRptRecord::parse(&rpt.to_string()).expect("renders valid"), rpt);
        }
    }
    if let [pattern, host, ..] = records.as_slice()
        && let Ok(p) = MxPattern::parse(pattern)
    {
        assert_eq!(MxPattern::parse(&p.to_string()).expect("renders valid"), p);
        let _ = p.matches_host(host);
    }
});
