//! Any bytes as a batch of signatures, some honest, some crafted at the
//! edges of the reading (`ledger_core::testing::Craft`), some any 64
//! bytes: a batch's verdict is the verdict of checking each signature
//! alone, and a refusal names the first that fails alone; the bytes read
//! as a batch (a worker's input) never panic.
#![no_main]

use ledger_core::signature;
use ledger_core::testing::{Craft, batch_bytes, public_key, sign};
use ledger_core::verify::SignatureBatch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = SignatureBatch::from_bytes(data);
    let seeds = [[1u8; 32], [2u8; 32]];
    let keys = seeds.map(|seed| public_key(&seed));
    let crafts = Craft::all();
    // Each signature from 3 bytes (which key, how, the message), or 67
    // (a key, a message byte and any 64 bytes) when the first byte says so.
    let mut signatures = Vec::new();
    let mut rest = data;
    while let Some((&how, tail)) = rest.split_first() {
        let key = usize::from(how & 1);
        let Some((&message_byte, tail)) = tail.split_first() else { break };
        let message = [message_byte; 32];
        let signature = if how & 0x80 != 0 {
            let Some((raw, tail)) = tail.split_first_chunk::<64>() else { break };
            rest = tail;
            *raw
        } else {
            let craft = crafts[usize::from(how >> 1) % crafts.len()];
            rest = tail;
            sign(&seeds[key], &message, craft)
        };
        signatures.push((key, message, signature));
        if signatures.len() == 64 {
            break;
        }
    }
    if signatures.is_empty() {
        return;
    }
    let alone = signatures.iter().position(|(key, message, signature)| {
        let point = signature::check_key(&keys[*key]).unwrap_or_else(|_| panic!("honest key"));
        !signature::verify(&point, &keys[*key], message, signature)
    });
    let items: Vec<(u32, [u8; 32], [u8; 64])> = signatures
        .iter()
        .map(|(key, message, signature)| (*key as u32, *message, *signature))
        .collect();
    let bytes = batch_bytes(&keys, &items);
    let batch = SignatureBatch::from_bytes(&bytes).unwrap_or_else(|| panic!("a batch"));
    let verdict = batch.verify().map_err(|error| error.seq.0);
    assert_eq!(verdict, alone.map_or(Ok(()), |index| Err(index as u64)));
});
