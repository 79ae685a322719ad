//! The tree against the recursive definition of RFC 6962, the notes
//! against the specification's own example, and every form against a
//! changed byte.

use ed25519_dalek::SigningKey;

use super::*;

/// MTH(D[0:n]) exactly as RFC 6962 §2.1 defines it.
fn mth(leaves: &[Vec<u8>]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaf_hash(&leaves[0]),
        n => {
            // The largest power of two below n.
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn leaves(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("leaf {i}").into_bytes()).collect()
}

fn tree(leaves: &[Vec<u8>]) -> Tree {
    let mut tree = Tree::new();
    for leaf in leaves {
        tree.push(leaf);
    }
    tree
}

fn hex32(text: &str) -> Hash {
    crate::hex::decode::<32>(text).expect("hex")
}

#[test]
fn roots_are_the_rfc_6962_definition() {
    let all = leaves(300);
    let tree = tree(&all);
    for size in 0..=300 {
        assert_eq!(
            tree.root_at(size as u64),
            Some(mth(&all[..size])),
            "size {size}"
        );
    }
    assert_eq!(tree.root_at(301), None);
}

/// The test vectors of the Certificate Transparency code (and of RFC 9162's
/// reference implementations): eight leaves and the roots of each prefix.
#[test]
fn the_certificate_transparency_vectors() {
    let inputs: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let mut tree = Tree::new();
    for (input, root) in inputs.iter().zip(roots) {
        tree.push(input);
        assert_eq!(crate::hex::encode(&tree.root()), root);
    }
}

#[test]
fn every_inclusion_proof_holds_and_a_changed_one_does_not() {
    let all = leaves(70);
    let tree = tree(&all);
    for size in 1..=70u64 {
        let root = tree.root_at(size).expect("root");
        for index in 0..size {
            let leaf = leaf_hash(&all[index as usize]);
            let proof = tree.inclusion_proof(index, size).expect("proof");
            assert_eq!(verify_inclusion(index, size, &leaf, &proof, &root), Ok(()));
            for at in 0..proof.len() {
                let mut bad = proof.clone();
                bad[at][0] ^= 1;
                assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err());
            }
            let mut longer = proof.clone();
            longer.push(root);
            assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
            if size > 1 {
                let other = (index + 1) % size;
                assert!(verify_inclusion(other, size, &leaf, &proof, &root).is_err());
            }
        }
        assert_eq!(tree.inclusion_proof(size, size), None);
    }
}

#[test]
fn every_consistency_proof_holds_and_a_changed_one_does_not() {
    let all = leaves(70);
    let tree = tree(&all);
    for new in 0..=70u64 {
        let new_root = tree.root_at(new).expect("root");
        for old in 0..=new {
            let old_root = tree.root_at(old).expect("root");
            let proof = tree.consistency_proof(old, new).expect("proof");
            assert_eq!(
                verify_consistency(old, new, &old_root, &new_root, &proof),
                Ok(()),
                "{old} → {new}"
            );
            for at in 0..proof.len() {
                let mut bad = proof.clone();
                bad[at][31] ^= 0x80;
                assert!(verify_consistency(old, new, &old_root, &new_root, &bad).is_err());
            }
            if old > 0 && old < new {
                let mut wrong = old_root;
                wrong[0] ^= 1;
                assert!(verify_consistency(old, new, &wrong, &new_root, &proof).is_err());
                assert!(verify_consistency(old - 1, new, &old_root, &new_root, &proof).is_err());
            }
        }
    }
    assert!(verify_consistency(3, 2, &EMPTY_ROOT, &EMPTY_ROOT, &[]).is_err());
}

/// signed-note's own example: its verifier key verifies its note.
#[test]
fn the_signed_note_example_verifies() {
    let vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    let verifier = NoteVerifier::from_vkey(vkey).expect("vkey");
    assert_eq!(verifier.vkey(), vkey);
    assert_eq!(verifier.id(), 0x530d903a);
    let text = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    let note = Note::parse(text.as_bytes()).expect("note");
    assert_eq!(note.text(), "This is an example message.\n");
    assert_eq!(note.verify(&[&verifier]), Ok(vec![(0, None)]));
    assert_eq!(note.to_text(), text);
    // One changed character of the text: the known key's signature fails,
    // and the whole note is refused.
    let changed = text.replacen("example message", "example massage", 1);
    let changed = Note::parse(changed.as_bytes()).expect("note");
    assert_eq!(
        changed.verify(&[&verifier]),
        Err(TlogError::SignatureFails("example.com/foo".to_owned()))
    );
}

#[test]
fn notes_that_are_not_in_the_form_are_refused() {
    let line = "\u{2014} a.example/k AAAAAAE=\n";
    for (bad, why) in [
        ("text\n".to_owned(), "no signature"),
        (format!("text\n{line}"), "no blank line"),
        (format!("text\n\n{}", line.trim_end()), "no final newline"),
        (format!("text\r\n\n{line}"), "a control character"),
        (
            "text\n\n\u{2014} a.example/k AAAA\n".to_owned(),
            "a signature of no bytes",
        ),
        (
            "text\n\n\u{2014} a example/k AAAAAAE=\n".to_owned(),
            "a space in the name",
        ),
        ("text\n\n\u{2014}  AAAAAAE=\n".to_owned(), "an empty name"),
        (
            "text\n\n- a.example/k AAAAAAE=\n".to_owned(),
            "a hyphen for the dash",
        ),
        (format!("text\n\n{line}{line}\n"), "an empty signature line"),
    ] {
        assert!(Note::parse(bad.as_bytes()).is_err(), "{why}");
    }
    assert!(Note::parse(&[0xff, b'\n', b'\n']).is_err());
    let many = format!("text\n\n{}", line.repeat(MAX_SIGNATURES + 1));
    assert_eq!(Note::parse(many.as_bytes()), Err(TlogError::TooLarge));
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn checkpoint(size: u64) -> Checkpoint {
    let tree = tree(&leaves(size as usize));
    Checkpoint {
        origin: "jifen.example/xinhua-3".to_owned(),
        size,
        root: tree.root(),
        extensions: Vec::new(),
    }
}

#[test]
fn a_signed_checkpoint_opens_with_the_log_key_only() {
    let log_key = key(1);
    let cp = checkpoint(5);
    let note = sign_checkpoint(&cp, &log_key).expect("sign");
    let text = note.to_text();
    assert!(text.starts_with("jifen.example/xinhua-3\n5\n"));
    let log = NoteVerifier::new(
        &cp.origin,
        KeyKind::Ed25519,
        log_key.verifying_key().to_bytes(),
    )
    .expect("verifier");
    let (opened, _) = Checkpoint::open(text.as_bytes(), &log).expect("open");
    assert_eq!(opened, cp);
    let other = NoteVerifier::new(
        &cp.origin,
        KeyKind::Ed25519,
        key(2).verifying_key().to_bytes(),
    )
    .expect("verifier");
    assert_eq!(
        Checkpoint::open(text.as_bytes(), &other).map(|_| ()),
        Err(TlogError::NotSigned)
    );
    // The same key under another name is another log.
    let renamed = NoteVerifier::new(
        "jifen.example/other",
        KeyKind::Ed25519,
        log_key.verifying_key().to_bytes(),
    )
    .expect("verifier");
    assert_eq!(
        Checkpoint::open(text.as_bytes(), &renamed).map(|_| ()),
        Err(TlogError::NotSigned)
    );
}

#[test]
fn checkpoints_not_in_the_form_are_refused() {
    let root = base64_encode(&EMPTY_ROOT);
    for bad in [
        format!("o\n0\n{root}"),
        format!("o\n00\n{root}\n"),
        format!("o\n01\n{root}\n"),
        format!("o\n-1\n{root}\n"),
        format!("\n0\n{root}\n"),
        format!("o\n0\n{root}\n\n"),
        format!("o\n1\n{}\n", base64_encode(&[0u8; 31])),
        format!("o\n0\n{}\n", base64_encode(&[0u8; 32])),
        "o\n0\n".to_owned(),
    ] {
        assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
    }
    let ok = Checkpoint::parse(&format!("o\n0\n{root}\next\n")).expect("checkpoint");
    assert_eq!(ok.extensions, vec!["ext".to_owned()]);
}

#[test]
fn a_cosignature_is_timestamped_and_binds_the_checkpoint() {
    let cp = checkpoint(9);
    let log_key = key(1);
    let mut note = sign_checkpoint(&cp, &log_key).expect("sign");
    let witness_key = key(7);
    let cosignature = cosign(
        note.text(),
        "witness.example/w1",
        &witness_key,
        1_679_315_147,
    )
    .expect("cosign");
    assert_eq!(cosignature.signature.len(), 72);
    assert_eq!(&cosignature.signature[..8], &1_679_315_147u64.to_be_bytes());
    note.push(cosignature);
    let witness = NoteVerifier::new(
        "witness.example/w1",
        KeyKind::Cosignature,
        witness_key.verifying_key().to_bytes(),
    )
    .expect("verifier");
    let reread = Note::parse(note.to_text().as_bytes()).expect("note");
    assert_eq!(
        reread.verify(&[&witness]),
        Ok(vec![(0, Some(1_679_315_147))])
    );
    // The same key as a plain Ed25519 key has another key ID: not known.
    let plain = NoteVerifier::new(
        "witness.example/w1",
        KeyKind::Ed25519,
        witness_key.verifying_key().to_bytes(),
    )
    .expect("verifier");
    assert_eq!(reread.verify(&[&plain]), Err(TlogError::NotSigned));
    // Another time under the same signature fails.
    let mut moved = reread.clone();
    let last = moved.signatures().len() - 1;
    let mut signature = moved.signatures()[last].clone();
    signature.signature[7] ^= 1;
    moved.push(signature);
    assert!(matches!(
        moved.verify(&[&witness]),
        Err(TlogError::SignatureFails(_))
    ));
}

#[test]
fn a_receipt_verifies_against_its_checkpoint_and_witnesses() {
    let all = leaves(1000);
    let tree = tree(&all);
    let cp = Checkpoint {
        origin: "jifen.example/xinhua-3".to_owned(),
        size: 1000,
        root: tree.root(),
        extensions: Vec::new(),
    };
    let log_key = key(1);
    let mut note = sign_checkpoint(&cp, &log_key).expect("sign");
    let witness_key = key(7);
    note.push(cosign(note.text(), "witness.example/w1", &witness_key, 100).expect("cosign"));
    let receipt = TlogProof {
        extra: Some(b"seq 733".to_vec()),
        index: 733,
        proof: tree.inclusion_proof(733, 1000).expect("proof"),
        checkpoint: note.to_text().into_bytes(),
    };
    let text = receipt.to_text();
    assert!(text.starts_with(b"c2sp.org/tlog-proof@v1\nextra c2VxIDczMw==\nindex 733\n"));
    let reread = TlogProof::parse(&text).expect("parse");
    assert_eq!(reread, receipt);
    let log = NoteVerifier::new(
        &cp.origin,
        KeyKind::Ed25519,
        log_key.verifying_key().to_bytes(),
    )
    .expect("log");
    let witness = NoteVerifier::new(
        "witness.example/w1",
        KeyKind::Cosignature,
        witness_key.verifying_key().to_bytes(),
    )
    .expect("witness");
    let leaf = leaf_hash(&all[733]);
    assert_eq!(
        reread.verify(&leaf, &log, &[&witness], 1).map(|c| c.size),
        Ok(1000)
    );
    assert_eq!(
        reread.verify(&leaf, &log, &[&witness], 2),
        Err(TlogError::TooFewWitnesses {
            needed: 2,
            found: 1
        })
    );
    assert_eq!(
        reread.verify(&leaf_hash(&all[732]), &log, &[&witness], 1),
        Err(TlogError::ProofDoesNotHold)
    );
    let mut wrong_index = reread.clone();
    wrong_index.index = 734;
    assert_eq!(
        wrong_index.verify(&leaf, &log, &[], 0),
        Err(TlogError::ProofDoesNotHold)
    );
}

#[test]
fn an_add_checkpoint_body_reads_back() {
    let tree = tree(&leaves(20));
    let cp = checkpoint(20);
    let note = sign_checkpoint(&cp, &key(1)).expect("sign");
    let request = AddCheckpoint {
        old: 13,
        proof: tree.consistency_proof(13, 20).expect("proof"),
        checkpoint: note.to_text().into_bytes(),
    };
    let text = request.to_text();
    assert!(text.starts_with(b"old 13\n"));
    assert_eq!(AddCheckpoint::parse(&text), Ok(request));
    assert!(AddCheckpoint::parse(b"old 013\n\nx").is_err());
    assert!(AddCheckpoint::parse(b"old 1\n").is_err());
}

#[test]
fn tiles_cover_the_tree_as_tlog_tiles_says() {
    // The specification's example: a tree of 70,000 leaves.
    let tiles = tiles_between(0, 70_000);
    let full0 = tiles
        .iter()
        .filter(|t| t.level == 0 && t.width == 256)
        .count();
    assert_eq!(full0, 273);
    let rest: Vec<_> = tiles
        .iter()
        .filter(|t| !(t.level == 0 && t.width == 256))
        .map(|t| t.path())
        .collect();
    assert_eq!(
        rest,
        [
            "tile/0/273.p/112",
            "tile/1/000",
            "tile/1/001.p/17",
            "tile/2/000.p/1"
        ]
    );
    // A tree of 256: one full level-0 tile, a partial level-1 tile of 1.
    let paths: Vec<_> = tiles_between(0, 256).iter().map(TileRef::path).collect();
    assert_eq!(paths, ["tile/0/000", "tile/1/000.p/1"]);
    let big = TileRef {
        level: 0,
        index: 1_234_067,
        width: 17,
    };
    assert_eq!(big.path(), "tile/0/x001/x234/067.p/17");
    assert_eq!(big.entries_path(), "tile/entries/x001/x234/067.p/17");
    // Growing writes only the tiles that changed.
    let grown: Vec<_> = tiles_between(300, 520).iter().map(TileRef::path).collect();
    assert_eq!(grown, ["tile/0/001", "tile/0/002.p/8", "tile/1/000.p/2"]);
}

#[test]
fn a_tile_path_reads_back_only_as_written() {
    for tile in tiles_between(0, 70_000).into_iter().chain([TileRef {
        level: 0,
        index: 1_234_067,
        width: 17,
    }]) {
        assert_eq!(TileRef::parse_path(&tile.path()), Some((tile, false)));
        if tile.level == 0 {
            assert_eq!(
                TileRef::parse_path(&tile.entries_path()),
                Some((tile, true))
            );
        }
    }
    for wrong in [
        "tile/00/000",
        "tile/64/000",
        "tile/0/1",
        "tile/0/0001",
        "tile/0/001/234",
        "tile/0/x001/234.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/017",
        "tile/entries/000.p/",
        "tile/entries/x000/000",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
        "tile/0/../000",
        "tiles/0/000",
        "",
    ] {
        assert_eq!(TileRef::parse_path(wrong), None, "{wrong}");
    }
}

#[test]
fn a_tile_holds_the_hashes_of_its_level() {
    let all = leaves(600);
    let tree = tree(&all);
    let tile = TileRef {
        level: 0,
        index: 2,
        width: 88,
    };
    let bytes = tree.tile(&tile).expect("tile");
    let hashes = read_hash_tile(&bytes, 88).expect("hashes");
    assert_eq!(hashes[0], leaf_hash(&all[512]));
    let level1 = tree
        .tile(&TileRef {
            level: 1,
            index: 0,
            width: 2,
        })
        .expect("tile");
    assert_eq!(&level1[32..], &mth(&all[256..512]));
    assert_eq!(
        tree.tile(&TileRef {
            level: 0,
            index: 2,
            width: 89
        }),
        None
    );
    let bundle = entry_bundle(all[512..].iter().map(Vec::as_slice)).expect("bundle");
    let read = read_entry_bundle(&bundle).expect("read");
    assert_eq!(read.len(), 88);
    assert_eq!(read[0], all[512].as_slice());
    assert!(read_entry_bundle(&bundle[..bundle.len() - 1]).is_err());
}

#[test]
fn the_key_id_is_as_signed_note_recommends() {
    let public = key(3).verifying_key().to_bytes();
    let verifier = NoteVerifier::new("a.example/k", KeyKind::Ed25519, public).expect("verifier");
    let again = NoteVerifier::from_vkey(&verifier.vkey()).expect("vkey");
    assert_eq!(again, verifier);
    // Base64 has pluses of its own: a key whose encoding has one reads.
    let with_plus = (0u8..=255)
        .map(|seed| key(seed).verifying_key().to_bytes())
        .map(|public| NoteVerifier::new("a.example/k", KeyKind::Ed25519, public).expect("key"))
        .find(|v| v.vkey().matches('+').count() > 2)
        .expect("some key's base64 has a plus");
    assert_eq!(NoteVerifier::from_vkey(&with_plus.vkey()), Ok(with_plus));
    assert_eq!(hex32(&crate::hex::encode(&EMPTY_ROOT)), EMPTY_ROOT);
    for bad in [
        "a.example/k+00000000+AQ==",
        "a.example/k+zz+AQ==",
        "a+b+c+d",
        "nokey",
    ] {
        assert!(NoteVerifier::from_vkey(bad).is_err(), "{bad}");
    }
    let small_order = [0u8; 32];
    assert!(matches!(
        NoteVerifier::new("a.example/k", KeyKind::Ed25519, small_order),
        Err(TlogError::WeakKey(_))
    ));
}

/// The entry bundles a log of these leaves serves for `tiles`.
fn bundles(all: &[Vec<u8>], tiles: &[TileRef]) -> Vec<(TileRef, Vec<u8>)> {
    tiles
        .iter()
        .map(|t| {
            let leaves = t.leaves().map(|i| all[i as usize].as_slice());
            (*t, entry_bundle(leaves).expect("bundle"))
        })
        .collect()
}

fn checkpoint_of(tree: &Tree) -> Checkpoint {
    Checkpoint {
        origin: "example.com/log".to_owned(),
        size: tree.len(),
        root: tree.root(),
        extensions: vec![],
    }
}

/// Runs the divergence search of a copy against a log, fetching its
/// hash tiles; returns the answer and how many tiles it took.
fn search(copy: &Tree, log: &Tree) -> (Found, usize) {
    let mut step = Divergence::start(copy.len(), log.len()).expect("a copy");
    let mut fetched = 0;
    loop {
        fetched += 1;
        let tile = step.tile();
        let bytes = log.tile(&tile).expect("the log serves the tile");
        match step.answer(copy, &bytes).expect("a tile") {
            Found::Fetch(next) => step = next,
            other => return (other, fetched),
        }
    }
}

fn follow_case(have: usize, size: usize, rewrite: Option<usize>) -> Result<usize, FollowError> {
    let mut all = leaves(size);
    let copy = tree(&all[..have]);
    if let Some(k) = rewrite {
        all[k] = format!("rewritten {k}").into_bytes();
    }
    let log = tree(&all);
    let fetched = bundles(&all, &bundles_to(copy.len(), log.len()));
    grow(&copy, &checkpoint_of(&log), &fetched).map(|new| new.len())
}

#[test]
fn a_copy_follows_a_growing_log_through_its_bundles_only() {
    for (have, size) in [
        (1, 1),
        (1, 2),
        (255, 256),
        (256, 257),
        (300, 700),
        (511, 70_000),
        (70_000, 70_001),
    ] {
        assert_eq!(
            follow_case(have, size, None),
            Ok(size - have),
            "{have} → {size}"
        );
    }
    // A checkpoint with fewer leaves than the copy.
    let copy = tree(&leaves(10));
    let smaller = tree(&leaves(9));
    assert_eq!(
        grow(&copy, &checkpoint_of(&smaller), &[]),
        Err(FollowError::Shrank { had: 10, now: 9 })
    );
}

#[test]
fn a_rewritten_history_is_refused_and_the_search_names_the_first_changed_leaf() {
    // Within the last bundle the copy holds: named at once.
    assert_eq!(
        follow_case(300, 400, Some(290)),
        Err(FollowError::Rewritten { index: 290 })
    );
    // Earlier: the root differs, and the tiles name the leaf.
    for (have, size, k) in [
        (300, 400, 3),
        (70_000, 70_010, 65_535),
        (70_000, 70_010, 0),
        (256, 256, 255),
        (66_000, 140_000, 65_600),
    ] {
        assert_eq!(
            follow_case(have, size, Some(k)),
            Err(FollowError::RootDiffers),
            "{have} {size} {k}"
        );
        let mut all = leaves(size);
        let copy = tree(&all[..have]);
        all[k] = b"rewritten".to_vec();
        let (found, fetched) = search(&copy, &tree(&all));
        assert_eq!(found, Found::Leaf(k as u64), "{have} {size} {k}");
        assert!(fetched <= 3, "{fetched} tiles for {have} leaves");
    }
    // The copy is a true prefix: it is the new part that lies.
    let all = leaves(600);
    let copy = tree(&all[..500]);
    assert_eq!(search(&copy, &tree(&all)).0, Found::Same);
}

proptest::proptest! {
    #[test]
    fn the_search_finds_any_rewritten_leaf(have in 1usize..2_000, extra in 0usize..700, k in 0usize..2_000) {
        let k = k % have;
        let size = have + extra;
        let mut all = leaves(size);
        let copy = tree(&all[..have]);
        all[k] = b"changed".to_vec();
        proptest::prop_assert_eq!(search(&copy, &tree(&all)).0, Found::Leaf(k as u64));
        proptest::prop_assert!(follow_case(have, size, Some(k)).is_err());
    }
}

fn witness_vkey(name: &str, seed: u8) -> (SigningKey, String) {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let vkey = NoteVerifier::new(name, KeyKind::Cosignature, key.verifying_key().to_bytes())
        .expect("verifier")
        .vkey();
    (key, vkey)
}

fn log_vkey(origin: &str, seed: u8) -> (SigningKey, String) {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let vkey = NoteVerifier::new(origin, KeyKind::Ed25519, key.verifying_key().to_bytes())
        .expect("verifier")
        .vkey();
    (key, vkey)
}

/// The specification's example policy, with real keys: two groups of
/// three witnesses, two of the first and one of the second needed.
fn example_policy() -> (String, SigningKey, Vec<(String, SigningKey)>) {
    let (log_key, log) = log_vkey("example.com/log", 1);
    let mut text = format!("# the specification's example\nlog {log} https://log.example.com/\n\n");
    let mut keys = Vec::new();
    for (n, name) in ["X1", "X2", "X3", "Y1", "Y2", "Y3"].iter().enumerate() {
        let (key, vkey) = witness_vkey(&format!("witness.example/{name}"), 10 + n as u8);
        text.push_str(&format!("witness {name}\t{vkey}\n"));
        if *name == "X3" {
            text.push_str("group X-witnesses 2 X1 X2 X3\n\n");
        }
        keys.push((format!("witness.example/{name}"), key));
    }
    text.push_str("group Y-witnesses any Y1 Y2 Y3\n  group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n");
    (text, log_key, keys)
}

#[test]
fn a_policy_reads_as_the_specification_writes_it_and_its_quorum_holds_only_when_met() {
    let (text, log_key, witnesses) = example_policy();
    let policy = Policy::parse(text.as_bytes()).expect("the example reads");
    assert_eq!(policy.logs().len(), 1);
    assert_eq!(
        policy.logs()[0].url.as_deref(),
        Some("https://log.example.com/")
    );
    assert_eq!(policy.witnesses().len(), 6);
    // X1, X2 and Y3: two of X and one of Y.
    assert!(policy.quorum_met(&[0, 1, 5]));
    assert!(!policy.quorum_met(&[0, 5]), "one of X is not enough");
    assert!(!policy.quorum_met(&[0, 1, 2]), "none of Y");
    // A checkpoint cosigned by X1, X3 and Y2 is witnessed; by X1 alone, not.
    let checkpoint = Checkpoint {
        origin: "example.com/log".to_owned(),
        size: 5,
        root: [7; 32],
        extensions: vec![],
    };
    let note = sign_checkpoint(&checkpoint, &log_key).expect("signed");
    let cosigned = |which: &[usize]| {
        let mut note = note.clone();
        for &i in which {
            let (name, key) = &witnesses[i];
            note.push(cosign(note.text(), name, key, 1_700_000_000).expect("cosigned"));
        }
        note.to_text()
    };
    let seen = policy
        .check(cosigned(&[0, 2, 4]).as_bytes())
        .expect("signed by the log");
    assert!(seen.quorum);
    assert_eq!(seen.cosigned, [0, 2, 4]);
    let seen = policy
        .check(cosigned(&[0]).as_bytes())
        .expect("signed by the log");
    assert!(!seen.quorum, "not yet witnessed");
    assert!(
        !policy
            .check(note.to_text().as_bytes())
            .expect("signed")
            .quorum
    );
    // Another log's checkpoint is not this policy's.
    let (other, _) = log_vkey("other.example/log", 2);
    let foreign = sign_checkpoint(
        &Checkpoint {
            origin: "other.example/log".to_owned(),
            ..checkpoint.clone()
        },
        &other,
    )
    .expect("signed");
    assert!(policy.check(foreign.to_text().as_bytes()).is_err());
    // quorum none: any checkpoint the log signed.
    let (_, log) = log_vkey("example.com/log", 1);
    let none = Policy::parse(format!("log {log}\nquorum none\n").as_bytes()).expect("policy");
    assert!(
        none.check(note.to_text().as_bytes())
            .expect("signed")
            .quorum
    );
}

#[test]
fn a_policy_that_breaks_a_rule_is_refused_naming_its_line() {
    let (_, log) = log_vkey("example.com/log", 1);
    let (_, w1) = witness_vkey("w.example/1", 20);
    let (_, w2) = witness_vkey("w.example/2", 21);
    let line_of = |text: String| match Policy::parse(text.as_bytes()) {
        Err(TlogError::Policy { line, .. }) => Some(line),
        Err(_) => Some(usize::MAX),
        Ok(_) => None,
    };
    let cases = [
        (format!("log {log}\n"), Some(0)),
        (format!("log {log}\nquorum none\nquorum none\n"), Some(3)),
        (format!("log {log}\nquorum W\n"), Some(2)),
        (
            format!("witness W {w1}\nwitness W {w2}\nquorum W\n"),
            Some(2),
        ),
        (
            format!("witness W {w1}\nwitness V {w1}\nquorum W\n"),
            Some(2),
        ),
        (format!("log {log}\nlog {log}\nquorum none\n"), Some(2)),
        (format!("witness none {w1}\nquorum none\n"), Some(1)),
        (format!("witness A {w1}\ngroup G 2 A\nquorum G\n"), Some(2)),
        (format!("witness A {w1}\ngroup G 0 A\nquorum G\n"), Some(2)),
        (format!("witness A {w1}\ngroup G 01 A\nquorum G\n"), Some(2)),
        (
            format!("witness A {w1}\ngroup G any A A\nquorum G\n"),
            Some(2),
        ),
        (format!("witness A {w1}\ngroup G any\nquorum G\n"), Some(2)),
        (
            format!("witness A {w1}\ngroup G any B\nquorum G\n"),
            Some(2),
        ),
        (
            format!("witness A {w1}\ngroup G any none\nquorum G\n"),
            Some(2),
        ),
        (format!("log {w1}\nquorum none\n"), Some(1)),
        (format!("witness A {log}\nquorum A\n"), Some(1)),
        (format!("witness A {w1}\nquorum A\nfrobnicate\n"), Some(3)),
        (format!("witness A {w1}\x0b\nquorum A\n"), Some(1)),
        (
            format!("witness A {w1} https://w.example/ extra\nquorum A\n"),
            Some(1),
        ),
        // Allowed: comments, blank lines, tabs, a URL, names of any octets.
        (
            format!("# c\n\n\twitness \u{212a} {w1}\thttps://w.example/\n  # c\nquorum \u{212a}\n"),
            None,
        ),
        (
            format!("witness K {w1}\nwitness \u{212a} {w2}\ngroup G all K \u{212a}\nquorum G"),
            None,
        ),
    ];
    for (text, line) in cases {
        assert_eq!(line_of(text.clone()), line, "{text:?}");
    }
    // The message names the line, in both languages.
    let error = Policy::parse(format!("log {log}\nquorum W\n").as_bytes()).expect_err("refused");
    assert!(error.message(Lang::Zh).contains("第 2 行"));
    assert!(error.message(Lang::En).contains("line 2"));
}
