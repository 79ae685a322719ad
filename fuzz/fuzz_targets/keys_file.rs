//! Any bytes as a keys file: parsing never panics, and an accepted file
//! survives a round trip through its own writer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(keys) = ledger_core::keys::Keys::parse(data) {
        let again =
            ledger_core::keys::Keys::parse(keys.to_json().as_bytes()).expect("written keys parse");
        assert!(keys.actors().eq(again.actors()));
    }
});
