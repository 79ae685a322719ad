//! Any bytes as one entry line: parsing never panics, an accepted entry
//! survives a canonical round trip, and the line pushed after a real
//! genesis is checked without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

const GENESIS: &[u8] = include_bytes!("../seeds/entry_line/00-genesis.jsonl");

fuzz_target!(|data: &[u8]| {
    if let Ok((ledger_id, entry)) = ledger_core::parse_line(data) {
        let line = entry.to_line(&ledger_id);
        let again = ledger_core::parse_line(line.as_bytes()).expect("a canonical line parses");
        assert_eq!(again.1, entry);
    }
    let mut verifier = ledger_core::verify::Verifier::new();
    let genesis = GENESIS.strip_suffix(b"\n").unwrap_or(GENESIS);
    verifier.push_line(genesis).expect("the seed genesis verifies");
    let _ = verifier.push_line(data);
    if let Some(batch) = verifier.take_batch(1) {
        let _ = batch.verify();
    }
});
