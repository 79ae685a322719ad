//! Jifen's tree, tiles, checkpoints and notes against code somebody else
//! wrote from the same specifications: `tlog_tiles` (a port of Go's
//! sumdb/tlog, used for tlog-tiles logs) and `signed_note`.

use ed25519_dalek::SigningKey;
use ledger_core::tlog::{
    Checkpoint, KeyKind, Note, NoteVerifier, TileRef, TlogProof, Tree, leaf_hash, sign_checkpoint,
    tiles_between, verify_consistency, verify_inclusion,
};
use signed_note::{Note as TheirNote, StandardVerifier, VerifierList};
use tlog_tiles::{Hash as TheirHash, HashReader};

/// Go's stored-hash layout, kept in memory.
struct Stored(Vec<TheirHash>);

impl HashReader for Stored {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TheirHash>, tlog_tiles::Error> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

fn leaf(i: u64) -> Vec<u8> {
    format!(
        "{{\"leaf\":{i},\"pad\":\"{}\"}}",
        "x".repeat((i % 7) as usize)
    )
    .into_bytes()
}

fn both(n: u64) -> (Tree, Stored) {
    let mut tree = Tree::new();
    let mut stored = Stored(Vec::new());
    for i in 0..n {
        let data = leaf(i);
        tree.push(&data);
        let more = tlog_tiles::stored_hashes(i, &data, &stored).expect("stored");
        stored.0.extend(more);
    }
    (tree, stored)
}

fn ours(hashes: &[TheirHash]) -> Vec<[u8; 32]> {
    hashes.iter().map(|h| h.0).collect()
}

#[test]
fn roots_and_proofs_match_the_go_port() {
    let (tree, stored) = both(300);
    for size in 1..=300u64 {
        let root = tlog_tiles::tree_hash(size, &stored).expect("root");
        assert_eq!(tree.root_at(size), Some(root.0), "root of {size}");
        for index in (0..size).step_by(7) {
            let theirs = tlog_tiles::prove_record(size, index, &stored).expect("prove");
            let mine = tree.inclusion_proof(index, size).expect("proof");
            assert_eq!(mine, ours(&theirs), "inclusion {index} in {size}");
            let leaf = leaf_hash(&leaf(index));
            assert_eq!(verify_inclusion(index, size, &leaf, &mine, &root.0), Ok(()));
        }
        for old in (1..=size).step_by(5) {
            let theirs = tlog_tiles::prove_tree(size, old, &stored).expect("prove");
            let mine = tree.consistency_proof(old, size).expect("proof");
            assert_eq!(mine, ours(&theirs), "consistency {old} → {size}");
            let old_root = tlog_tiles::tree_hash(old, &stored).expect("root");
            assert_eq!(
                verify_consistency(old, size, &old_root.0, &root.0, &mine),
                Ok(())
            );
        }
    }
}

#[test]
fn tiles_match_the_go_port_byte_for_byte() {
    let (tree, stored) = both(70_000);
    for tile in tiles_between(0, 70_000) {
        let theirs = tlog_tiles::Tile::new(8, tile.level, tile.index, u32::from(tile.width), false);
        assert_eq!(
            theirs.path().replacen("tile/8/", "tile/", 1),
            tile.path(),
            "the Go layout names the height; C2SP does not"
        );
        let bytes = theirs.read_data(&stored).expect("tile");
        assert_eq!(tree.tile(&tile), Some(bytes), "{}", tile.path());
    }
    let data = tlog_tiles::Tile::new(8, 0, 3, 17, true).path();
    let mine = TileRef {
        level: 0,
        index: 3,
        width: 17,
    }
    .entries_path();
    assert_eq!(data.replacen("tile/8/data/", "tile/entries/", 1), mine);
}

fn log_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

const ORIGIN: &str = "jifen.example/xinhua-3";

#[test]
fn our_checkpoints_verify_with_their_note_code() {
    let (tree, _) = both(1234);
    let checkpoint = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 1234,
        root: tree.root(),
        extensions: Vec::new(),
    };
    let note = sign_checkpoint(&checkpoint, &log_key()).expect("sign");
    let ours = NoteVerifier::new(
        ORIGIN,
        KeyKind::Ed25519,
        log_key().verifying_key().to_bytes(),
    )
    .expect("verifier");
    let theirs = StandardVerifier::new(&ours.vkey()).expect("their verifier");
    let list = VerifierList::new(vec![Box::new(theirs)]);
    let text = note.to_text();
    let parsed = TheirNote::from_bytes(text.as_bytes()).expect("their parse");
    let (verified, unverified) = parsed.verify(&list).expect("their verify");
    assert_eq!((verified.len(), unverified.len()), (1, 0));
    let their_checkpoint = tlog_tiles::Checkpoint::from_bytes(parsed.text()).expect("checkpoint");
    assert_eq!(their_checkpoint.origin(), ORIGIN);
    assert_eq!(their_checkpoint.size(), 1234);
    assert_eq!(their_checkpoint.hash().0, tree.root());
    assert_eq!(their_checkpoint.to_bytes(), checkpoint.text().into_bytes());
}

#[test]
fn their_signed_notes_verify_with_ours() {
    let seed = [9u8; 32];
    let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
    let verifier = NoteVerifier::new(ORIGIN, KeyKind::Ed25519, public).expect("verifier");
    let mut material = vec![1u8];
    material.extend_from_slice(&seed);
    let skey = format!(
        "PRIVATE+KEY+{ORIGIN}+{:08x}+{}",
        verifier.id(),
        ledger_core::tlog::base64_encode(&material)
    );
    let signer = signed_note::StandardSigner::new(&skey).expect("their signer");
    let root = both(77).0.root();
    let text = tlog_tiles::Checkpoint::new(ORIGIN, 77, TheirHash(root), "")
        .expect("their checkpoint")
        .to_bytes();
    let mut note = TheirNote::new(&text, &[]).expect("their note");
    note.add_sigs(&[&signer]).expect("their signature");
    let bytes = note.to_bytes();
    let (checkpoint, mine) = Checkpoint::open(&bytes, &verifier).expect("ours opens theirs");
    assert_eq!((checkpoint.size, checkpoint.root), (77, root));
    assert_eq!(mine.to_text().into_bytes(), bytes);
    assert!(Note::parse(&bytes).is_ok());
}

/// The golden v2 log (`tests/data/golden-log/`), read with the oracles
/// only: its checkpoint verifies with `signed_note` and parses with
/// `tlog_tiles`; the receipt beside it holds by `tlog_tiles::check_record`;
/// and the root of its entry bundles, hashed by `tlog_tiles`, is the
/// checkpoint's.
#[test]
fn the_golden_log_checks_with_the_oracles() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let read = |name: &str| std::fs::read(data.join(name)).expect(name);
    let vkey = String::from_utf8(read("golden-log/vkey")).expect("vkey");
    let verifier = StandardVerifier::new(vkey.trim()).expect("their verifier");
    let note = TheirNote::from_bytes(&read("golden-log/checkpoint")).expect("their note");
    note.verify(&VerifierList::new(vec![Box::new(verifier)]))
        .expect("the log's signature, by signed_note");
    let checkpoint = tlog_tiles::Checkpoint::from_bytes(note.text()).expect("checkpoint");
    // Every leaf from the bundles, into Go's stored-hash layout.
    let mut stored = Stored(Vec::new());
    let mut leaves = Vec::new();
    for bundle in [
        "golden-log/tile/entries/000",
        "golden-log/tile/entries/001.p/77",
    ] {
        let bytes = read(bundle);
        let mut at = 0;
        while at < bytes.len() {
            let length = usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
            leaves.push(bytes[at + 2..at + 2 + length].to_vec());
            at += 2 + length;
        }
    }
    for (n, leaf) in leaves.iter().enumerate() {
        let more = tlog_tiles::stored_hashes(n as u64, leaf, &stored).expect("stored");
        stored.0.extend(more);
    }
    let root = tlog_tiles::tree_hash(checkpoint.size(), &stored).expect("root");
    assert_eq!(
        (leaves.len() as u64, &root),
        (checkpoint.size(), checkpoint.hash())
    );
    // The receipt: its proof, for its leaf, under that root.
    let receipt = TlogProof::parse(&read("golden-log-100.tlog-proof")).expect("receipt");
    let proof: Vec<TheirHash> = receipt.proof.iter().map(|h| TheirHash(*h)).collect();
    let leaf = tlog_tiles::record_hash(receipt.extra.as_deref().expect("leaf"));
    tlog_tiles::check_record(
        &proof,
        checkpoint.size(),
        *checkpoint.hash(),
        receipt.index,
        leaf,
    )
    .expect("the receipt holds, by tlog_tiles");
    assert_eq!(receipt.extra.as_deref(), Some(leaves[100].as_slice()));
}
