//! Any bytes as a device's submission and as a leaf of a log: never a
//! panic; a submission the log accepts writes back to the same bytes, and
//! the log replayed from its leaves agrees with it.
#![no_main]

use ledger_core::log::{DeviceEntry, Leaf, Log};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = DeviceEntry::parse(data) {
        assert_eq!(entry.to_bytes(), data, "a device entry reads back");
        assert!(entry.hash_holds());
    }
    if let Ok(leaf) = Leaf::parse(data) {
        assert_eq!(leaf.to_bytes(), data, "a leaf reads back");
    }
    // A body read fast reads as serde_json reads it.
    let (fast, serde) = ledger_core::testing::body_fast_and_serde(data);
    if let Ok(body) = fast {
        assert_eq!(serde, Ok(body), "the fast body reader agrees with serde_json");
    }
    // As the genesis of a new log, then as each line a submission.
    let mut lines = data.split(|&b| b == b'\n');
    let Some(first) = lines.next() else { return };
    // The log's clock: the genesis's own, then a second a line.
    let Ok(genesis) = DeviceEntry::parse(first) else { return };
    let start = genesis.ts_ms;
    let Ok((mut log, _)) = Log::start(first, start) else {
        return;
    };
    for (n, line) in lines.enumerate() {
        let _ = log.submit(line, start + 1_000 * (n as u64 + 1));
    }
    let leaves: Vec<Vec<u8>> = (0..log.len()).filter_map(|i| log.leaf(i)).collect();
    let replayed = Log::replay(leaves.iter().map(Vec::as_slice));
    assert_eq!(replayed.map(|r| r.tree().root()).ok(), Some(log.tree().root()));
});
