//! Any bytes as one entry line: parsing never panics, reads to exactly
//! what serde_json alone reads (the fast reader of canonical lines changes
//! nothing), an accepted entry survives a canonical round trip, a line in
//! the canonical layout is read by the fast reader (so a build without
//! serde_json refuses no valid line), and the line pushed after a real
//! genesis is checked without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

const GENESIS: &[u8] = include_bytes!("../seeds/entry_line/00-genesis.jsonl");

fuzz_target!(|data: &[u8]| {
    let parsed = ledger_core::parse_line(data);
    assert_eq!(
        parsed,
        ledger_core::parse_line_with_serde_json(data),
        "the fast reader differs"
    );
    if let Ok((ledger_id, entry)) = parsed {
        let line = entry.to_line(&ledger_id);
        if line.as_bytes() == data {
            assert!(ledger_core::read_fast(data), "a canonical line left to serde_json");
        }
        let again = ledger_core::parse_line(line.as_bytes()).expect("a canonical line parses");
        assert_eq!(again.1, entry);
    }
    let mut verifier = ledger_core::verify::Verifier::new();
    let genesis = GENESIS.strip_suffix(b"\n").unwrap_or(GENESIS);
    verifier
        .push_line(genesis)
        .expect("the seed genesis verifies");
    let _ = verifier.push_line(data);
    if let Some(batch) = verifier.take_batch(1) {
        let _ = batch.verify();
    }
});
