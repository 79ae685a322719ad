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

/// A device holding only an officer's key redeems with it, as the rules
/// let officers redeem (it used to look for a kiosk key only); the
/// kiosk's buttons ask the core, which prices the redeem and names why
/// not (here: a reward out of stock, a resident short of points).
#[wasm_bindgen_test]
fn a_device_with_only_an_officer_key_may_redeem() {
    use jifen_web::api::{Device, quote_redeem};
    use ledger_core::{Body, Draft, PublicKey, Role, RuleError};
    let demo = ledger_core::demo::generate(&ledger_core::demo::DemoConfig {
        residents: 8,
        entries: 300,
        ..Default::default()
    });
    let mut ledger = demo.ledger;
    let admin = demo
        .keys
        .iter()
        .find(|(id, _)| id.as_str() == "admin-1")
        .map(|(_, seed)| ledger_core::SigningKey::from_bytes(seed))
        .unwrap_or_else(|| panic!("admin-1"));
    let secret = [77u8; 32];
    let public = ledger_core::SigningKey::from_bytes(&secret)
        .verifying_key()
        .to_bytes();
    let draft = Draft {
        ts_ms: ledger.last_ts_ms(),
        actor: "admin-1".parse().unwrap_or_else(|_| panic!("id")),
        body: Body::Actor {
            id: "officer-tablet".parse().unwrap_or_else(|_| panic!("id")),
            role: Role::Officer,
            pubkey: PublicKey(public),
            active: true,
        },
    };
    ledger
        .append(draft, &admin)
        .unwrap_or_else(|e| panic!("{e}"));
    let device = Device::from_stored(vec![(
        "officer-tablet".to_owned(),
        ledger_core::hex::encode(&secret),
    )]);
    let state = ledger.state();
    let richest = state
        .residents()
        .iter()
        .max_by_key(|r| r.balance)
        .unwrap_or_else(|| panic!("residents"));
    let cheapest = state
        .rewards()
        .iter()
        .filter(|r| r.active && r.stock > 0)
        .min_by_key(|r| r.cost)
        .unwrap_or_else(|| panic!("rewards"));
    let quote = quote_redeem(
        state,
        &device,
        richest.code.as_str(),
        cheapest.id.as_str(),
        1,
    );
    assert_eq!(quote.verdict, Ok(()));
    assert_eq!(quote.points, Some(cheapest.cost));
    let body = state
        .redeem_body(
            richest.code.clone(),
            cheapest.id.clone(),
            1,
            "web:test".parse().unwrap_or_else(|_| panic!("id")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        device.signer_id(state, &body).map(|id| id.to_string()),
        Some("officer-tablet".to_owned())
    );
    // Too many for the stock, and too dear for the poorest resident.
    let too_many = quote_redeem(
        state,
        &device,
        richest.code.as_str(),
        cheapest.id.as_str(),
        u32::try_from(cheapest.stock)
            .unwrap_or(u32::MAX)
            .saturating_add(1)
            .min(1000),
    );
    assert!(too_many.verdict.is_err(), "{too_many:?}");
    let poorest = state
        .residents()
        .iter()
        .min_by_key(|r| r.balance)
        .unwrap_or_else(|| panic!("residents"));
    let dearest = state
        .rewards()
        .iter()
        .max_by_key(|r| r.cost)
        .unwrap_or_else(|| panic!("rewards"));
    if dearest.cost > poorest.balance {
        let short = quote_redeem(
            state,
            &device,
            poorest.code.as_str(),
            dearest.id.as_str(),
            1,
        );
        assert!(
            matches!(
                short.verdict,
                Err(RuleError::InsufficientPoints { .. } | RuleError::InsufficientStock { .. })
            ),
            "{short:?}"
        );
    }
}
