//! Any bytes as the body of a snapshot, sealed with their digest so that
//! the decoder itself is exercised: reading never panics, and a snapshot
//! that reads writes back the bytes it was read from, except that points
//! kept with trailing zeros (as an older version wrote them, `2.50`) come
//! back without them; what it writes reads back to exactly itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let mut sealed = data.to_vec();
    sealed.extend_from_slice(&Sha256::digest(data));
    if let Some(snapshot) = ledger_core::Snapshot::from_bytes(&sealed) {
        let written = snapshot.to_bytes();
        assert_eq!(written.len(), sealed.len());
        if written != sealed {
            // Points written again without trailing zeros: the same length,
            // and the writing is its own fixed point.
            let again = ledger_core::Snapshot::from_bytes(&written).expect("its own bytes read");
            assert_eq!(again.to_bytes(), written);
            assert_eq!(again.head(), snapshot.head());
        }
        assert_eq!(snapshot.len(), snapshot.head().seq.0 + 1);
    }
});
