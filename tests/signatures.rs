//! One verdict on every signature, on every path: the crafted fixtures of
//! `ledger_core::testing` replayed in one thread, in two parts as the web
//! app does, and with signature batches of every size; and the crafted
//! signatures compared with verifiers someone else wrote (ed25519-zebra's
//! ZIP 215 reading, ed25519-dalek's RFC 8032 one).

use ed25519_dalek::Verifier as _;
use ledger_core::testing::{Craft, Expected, Fixture, fixtures, public_key, sign};
use ledger_core::verify::{SIGNATURE_BATCH, Verifier, split_lines, verify_jsonl};

/// A replay whose signatures are checked in batches of `size`, as a front
/// end with that batch size runs it (on one thread).
fn replay_in_batches(bytes: &[u8], size: usize) -> Result<u64, ledger_core::VerifyError> {
    let (lines, incomplete) = split_lines(bytes);
    assert_eq!(incomplete, None);
    let mut verifier = Verifier::new();
    let mut errors = Vec::new();
    for line in lines {
        if let Err(error) = verifier.push_line(line) {
            errors.push(error);
            break;
        }
        if let Some(batch) = verifier.take_batch(size) {
            errors.extend(batch.verify().err());
        }
    }
    if let Some(batch) = verifier.take_batch(1) {
        errors.extend(batch.verify().err());
    }
    match ledger_core::verify::first_error(errors) {
        Some(error) => Err(error),
        None => Ok(verifier.count()),
    }
}

fn verdict(result: Result<u64, ledger_core::VerifyError>) -> Expected {
    match result {
        Ok(entries) => Expected::Accepted { entries },
        Err(error) => Expected::Refused {
            seq: error.seq.0,
            kind: error.kind_name(),
        },
    }
}

fn check(fixture: &Fixture, path: &str, result: Result<u64, ledger_core::VerifyError>) {
    assert_eq!(
        verdict(result),
        fixture.expected,
        "{} ({}), {path}",
        fixture.name,
        fixture.about
    );
}

#[test]
fn every_crafted_fixture_gets_its_verdict_whatever_the_batch_size() {
    for fixture in fixtures() {
        let file = &fixture.file;
        check(
            &fixture,
            "verify_jsonl",
            verify_jsonl(file).map(|l| l.len()),
        );
        for here in [0, 5, 16] {
            let result = crate::verify_in_two_parts(file, here).map(|l| l.len());
            check(&fixture, &format!("two parts, {here} in 16 here"), result);
        }
        for size in [1, 2, 511, SIGNATURE_BATCH, 513, 1000, 2048, 4096] {
            let result = replay_in_batches(file, size);
            check(&fixture, &format!("batches of {size}"), result);
        }
    }
}

/// ed25519-zebra (ZIP 215: cofactored, any encoding of R and A) agrees
/// with Jifen on every crafted signature but those whose R is not
/// canonically encoded, which ZIP 215 accepts and Jifen refuses;
/// ed25519-dalek's `verify` (RFC 8032, cofactorless, as OpenSSL) accepts
/// exactly the ones documented, all of which Jifen accepts too.
#[test]
fn crafted_signatures_against_verifiers_written_elsewhere() {
    for seed in [[1u8; 32], [2; 32], [200; 32]] {
        let key = public_key(&seed);
        let zebra = ed25519_zebra::VerificationKey::try_from(key).unwrap_or_else(|e| panic!("{e}"));
        let dalek = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap_or_else(|e| panic!("{e}"));
        for (index, craft) in Craft::all().into_iter().enumerate() {
            let message = [index as u8; 32];
            let signature = sign(&seed, &message, craft);
            let zip215 = zebra
                .verify(&ed25519_zebra::Signature::from_bytes(&signature), &message)
                .is_ok();
            let zip215_only = matches!(craft, Craft::NonCanonicalR | Craft::NegativeZeroR);
            assert_eq!(zip215, craft.jifen_accepts() || zip215_only, "{craft:?}");
            let rfc8032 = dalek
                .verify(&message, &ed25519_dalek::Signature::from_bytes(&signature))
                .is_ok();
            assert_eq!(rfc8032, craft.cofactorless_accepts(), "{craft:?}");
            assert!(!rfc8032 || craft.jifen_accepts(), "{craft:?}");
        }
    }
}

/// Every signature Jifen's writers make holds under the strictest
/// reading too: ed25519-dalek's `verify_strict` (cofactorless, no
/// small-order R or A) accepts every signature of the demo ledger.
#[test]
fn every_signature_jifen_writes_passes_the_strictest_check() {
    let demo = ledger_core::demo::generate(&ledger_core::demo::DemoConfig {
        residents: 20,
        entries: 400,
        ..Default::default()
    });
    let keys: std::collections::HashMap<String, ed25519_dalek::VerifyingKey> = demo
        .keys
        .iter()
        .map(|(id, seed)| {
            let key = ed25519_dalek::SigningKey::from_bytes(seed).verifying_key();
            (id.to_string(), key)
        })
        .collect();
    for entry in demo.ledger.entries() {
        let key = &keys[entry.actor.as_str()];
        let signature = ed25519_dalek::Signature::from_bytes(&entry.sig);
        assert!(
            key.verify_strict(&entry.hash.0, &signature).is_ok(),
            "seq {}",
            entry.seq.0
        );
    }
}

/// Registering any key of the speccheck vectors, a mixed-order key or a
/// small-order one is refused as `weak_key`, and nothing is appended; an
/// honest key is accepted.
#[test]
fn registration_refuses_the_keys_verifiers_could_disagree_on() {
    use ledger_core::{Body, Draft, PublicKey, Role};
    let demo = ledger_core::demo::generate(&ledger_core::demo::DemoConfig {
        residents: 2,
        entries: 0,
        ..Default::default()
    });
    let (_, admin_seed) = demo
        .keys
        .iter()
        .find(|(id, _)| id.as_str() == "admin-1")
        .unwrap_or_else(|| panic!("admin-1"));
    let admin = ledger_core::SigningKey::from_bytes(admin_seed);
    let mut ledger = demo.ledger;
    let ts_ms = ledger.entries().last().map_or(0, |e| e.ts_ms);
    let register = |ledger: &mut ledger_core::Ledger, id: &str, key: [u8; 32]| {
        let draft = Draft {
            ts_ms,
            actor: "admin-1".parse().unwrap_or_else(|_| panic!("id")),
            body: Body::Actor {
                id: id.parse().unwrap_or_else(|_| panic!("id")),
                role: Role::Officer,
                pubkey: PublicKey(key),
                active: true,
            },
        };
        ledger.append(draft, &admin).map_err(|e| e.kind())
    };
    let hex = |text: &str| ledger_core::hex::decode::<32>(text).unwrap_or_else(|| panic!("hex"));
    let refused = [
        // speccheck: small order, mixed order (two), not canonical.
        hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
        hex("f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43"),
        hex("cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d"),
        hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        ledger_core::testing::mixed_order_key(&[5; 32], 2),
    ];
    for key in refused {
        let before = ledger.len();
        assert_eq!(
            register(&mut ledger, "officer-new", key),
            Err("weak_key"),
            "{key:02x?}"
        );
        assert_eq!(ledger.len(), before);
    }
    // The prime-order key of speccheck vectors 6 and 7 is a fine key.
    let fine = hex("442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623");
    assert!(register(&mut ledger, "officer-new", fine).is_ok());
}
