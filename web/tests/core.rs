//! What only the WebAssembly build of ledger-core does differently, in a
//! real headless Chromium: hex read sixteen digits at a time with SIMD.
//! Compared with a plain reading, one pair of digits at a time.
#![cfg(target_arch = "wasm32")]

use core::str::FromStr;

use ledger_core::EntryHash;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("../../tests/data/golden.jsonl");

/// 64 lowercase hex digits as 32 bytes, one pair at a time.
fn plain(text: &[u8]) -> Option<[u8; 32]> {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Every byte value at every place of a hash, the other digits all
/// sixteen in turn: read as the plain reading reads it, or refused as it
/// is refused.
#[wasm_bindgen_test]
fn hex_is_read_as_a_plain_reading_reads_it() {
    let digits = b"0123456789abcdef";
    let base: Vec<u8> = (0..64).map(|i| digits[(i * 7 + 3) % 16]).collect();
    for at in 0..64 {
        for byte in 0..=u8::MAX {
            let mut text = base.clone();
            text[at] = byte;
            let read = core::str::from_utf8(&text)
                .ok()
                .and_then(|text| EntryHash::from_str(text).ok());
            assert_eq!(read.map(|hash| hash.0), plain(&text), "{byte:#x} at {at}");
        }
    }
    for length in [0, 1, 16, 32, 62, 63, 65, 66, 128] {
        let text = String::from_utf8(base.iter().cycle().take(length).copied().collect());
        let read = text.ok().and_then(|text| EntryHash::from_str(&text).ok());
        assert_eq!(read, None, "{length} digits");
    }
}

/// The golden ledger verifies, and a signature with one digit changed to
/// a non-digit is refused at its line.
#[wasm_bindgen_test]
fn lines_read_with_simd_hex_verify() {
    let ledger = ledger_core::verify::verify_jsonl(GOLDEN.as_bytes()).expect("verifies");
    assert_eq!(ledger.len(), GOLDEN.lines().count() as u64);
    let at = GOLDEN
        .find("\"sig\":\"")
        .map(|at| at + 7 + 100)
        .unwrap_or(0);
    let mut changed = GOLDEN.to_owned();
    changed.replace_range(at..at + 1, "g");
    let error = ledger_core::verify::verify_jsonl(changed.as_bytes()).err();
    assert_eq!(error.map(|e| e.seq.0), Some(0));
}
