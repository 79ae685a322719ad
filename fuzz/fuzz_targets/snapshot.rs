//! Any bytes as the body of a snapshot, sealed with their digest so that
//! the decoder itself is exercised: reading never panics, and a snapshot
//! that reads writes back exactly the bytes it was read from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let mut sealed = data.to_vec();
    sealed.extend_from_slice(&Sha256::digest(data));
    if let Some(snapshot) = ledger_core::Snapshot::from_bytes(&sealed) {
        assert_eq!(snapshot.to_bytes(), sealed);
        assert_eq!(snapshot.len(), snapshot.head().seq.0 + 1);
    }
});
