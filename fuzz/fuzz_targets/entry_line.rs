//! Any bytes as one entry line: parsing never panics, reads to exactly
//! what serde_json alone reads (the fast reader of canonical lines changes
//! nothing), an accepted entry survives a canonical round trip, a line in
//! the canonical layout is read by the fast reader (so a build without
//! serde_json refuses no valid line), a line taken as canonical without
//! being written again is exactly the canonical writing, and the line
//! pushed after a real genesis is checked without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

const GENESIS: &[u8] = include_bytes!("../seeds/entry_line/00-genesis.jsonl");

fuzz_target!(|data: &[u8]| {
    let parsed = ledger_core::parse_line(data);
    assert_eq!(
        parsed,
        ledger_core::testing::parse_line_with_serde_json(data),
        "the fast reader differs"
    );
    if let Ok((ledger_id, entry)) = parsed {
        let line = entry.to_line(&ledger_id);
        if line.as_bytes() == data {
            assert!(ledger_core::testing::read_fast(data), "a canonical line left to serde_json");
        }
        // A line taken as canonical without being written again is the
        // canonical writing, its hash and sig where the writer puts them;
        // and every canonical line without an escape is taken so.
        let layout = ledger_core::testing::read_as_canonical(data);
        if layout.is_some() {
            let mut written = Vec::new();
            let ranges = entry.write_canonical(&ledger_id, true, &mut written);
            assert_eq!(written, data, "taken as canonical, but is not");
            assert_eq!(layout, ranges, "hash and sig elsewhere");
        } else if line.as_bytes() == data {
            assert!(data.contains(&b'\\'), "a canonical line written again");
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
