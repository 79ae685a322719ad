//! Any bytes as each C2SP text Jifen reads (a signed note, a checkpoint,
//! a tlog-proof receipt, a tlog-witness request, a hash tile, an entry
//! bundle, a verifier key, a tlog-policy): never a panic; whatever reads back writes
//! back to the same bytes; and a proof read from the bytes never holds
//! for a tree it was not made from.
#![no_main]

use ledger_core::tlog::{
    AddCheckpoint, Checkpoint, Note, NoteVerifier, Policy, TlogProof, Tree, read_entry_bundle,
    read_hash_tile, verify_consistency, verify_inclusion,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A policy that reads decides any note, and any set of witnesses,
    // without a panic.
    if let Ok(policy) = Policy::parse(data) {
        let _ = policy.check(data);
        let _ = policy.quorum_met(&[]);
    }
    if let Ok(note) = Note::parse(data) {
        assert_eq!(note.to_text().as_bytes(), data, "a note reads back");
        if let Ok(checkpoint) = Checkpoint::parse(note.text()) {
            assert_eq!(checkpoint.text(), note.text(), "a checkpoint reads back");
        }
    }
    if let Ok(proof) = TlogProof::parse(data) {
        assert_eq!(TlogProof::parse(&proof.to_text()), Ok(proof.clone()));
    }
    if let Ok(request) = AddCheckpoint::parse(data) {
        assert_eq!(AddCheckpoint::parse(&request.to_text()), Ok(request));
    }
    if let Ok(text) = core::str::from_utf8(data)
        && let Ok(verifier) = NoteVerifier::from_vkey(text)
    {
        assert_eq!(verifier.vkey(), text, "a vkey reads back");
    }
    if let Ok(leaves) = read_entry_bundle(data) {
        let again = ledger_core::tlog::entry_bundle(leaves.iter().copied());
        assert_eq!(again.as_deref(), Some(data), "a bundle reads back");
    }
    let _ = read_hash_tile(data, (data.len() / 32).min(256) as u16);
    // A proof of any hashes, for a small tree of known leaves: it holds
    // only where it is the tree's own.
    let mut tree = Tree::new();
    for leaf in 0..13u8 {
        tree.push(&[leaf]);
    }
    let hashes: Vec<[u8; 32]> = data
        .chunks_exact(32)
        .take(8)
        .map(|c| c.try_into().unwrap_or([0; 32]))
        .collect();
    let index = u64::from(data.first().copied().unwrap_or(0) % 16);
    let size = 13;
    let leaf = ledger_core::tlog::leaf_hash(&[index as u8]);
    if verify_inclusion(index, size, &leaf, &hashes, &tree.root()).is_ok() {
        assert_eq!(tree.inclusion_proof(index, size), Some(hashes.clone()));
    }
    let old = index.min(size);
    let old_root = tree.root_at(old).unwrap_or_default();
    if verify_consistency(old, size, &old_root, &tree.root(), &hashes).is_ok() {
        assert_eq!(tree.consistency_proof(old, size), Some(hashes));
    }
});
