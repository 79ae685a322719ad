//! Signatures made on purpose at the edges of [`crate::signature`]'s
//! reading, and ledger files that carry them, so that every front end (the
//! CLI, the npm package, the web app, outside verifiers) can be tested for
//! the same verdict on the same bytes; and the fuzzers' views of the wire
//! reader (the serde_json reference reader, whether the fast reader takes
//! a line, where it found `hash` and `sig`). Behind the `testing` feature:
//! no front end builds it.

#[cfg(feature = "json-error-details")]
pub use crate::entry::parse_line_with_serde_json;
pub use crate::entry::{read_as_canonical, read_fast};

/// A body read by the fast reader (as a v2 device entry's is) and by
/// serde_json: the fuzzers check the two agree.
pub fn body_fast_and_serde(
    json: &[u8],
) -> (
    Result<crate::Body, crate::LineError>,
    Result<crate::Body, crate::LineError>,
) {
    (
        crate::entry::parse_body(json),
        crate::entry::parse_body_with_serde_json(json),
    )
}
use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

use crate::demo::{DemoConfig, generate};
use crate::entry::{Body, Entry, PublicKey, compute_hash};
use crate::model::{ActorId, Role, Seq};
use crate::{Ledger, SigningKey};

/// How a signature is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Craft {
    /// As RFC 8032 signs: R = rB.
    Honest,
    /// R = rB + T, T the small-order point `EIGHT_TORSION[i]` (i in 1..8;
    /// 4 is the point of order 2), S = r + kA as usual. Valid under the
    /// cofactored equation only.
    TorsionInR(usize),
    /// R = T itself, small order (0 is the identity), S = k·a: valid
    /// under the cofactored equation; under the cofactorless one only for
    /// the identity.
    SmallOrderR(usize),
    /// An honest signature with S + ℓ in place of S.
    SPlusOrder,
    /// An honest signature with the top bit of S set.
    SHighBit,
    /// R the identity written as y = p + 1 (a non-canonical encoding),
    /// S = k·a over those bytes: valid if R's encoding were not checked.
    NonCanonicalR,
    /// R the identity with the sign bit of x set ("negative zero"),
    /// S = k·a over those bytes.
    NegativeZeroR,
    /// An honest signature with one bit of S flipped.
    FlippedS,
    /// An honest signature of another message.
    OtherMessage,
}

impl Craft {
    /// Every kind, with `TorsionInR` and `SmallOrderR` for each point.
    pub fn all() -> Vec<Craft> {
        let mut all = vec![Craft::Honest];
        all.extend((1..8).map(Craft::TorsionInR));
        all.extend((0..8).map(Craft::SmallOrderR));
        all.extend([
            Craft::SPlusOrder,
            Craft::SHighBit,
            Craft::NonCanonicalR,
            Craft::NegativeZeroR,
            Craft::FlippedS,
            Craft::OtherMessage,
        ]);
        all
    }

    /// Jifen's verdict, from the rules of [`crate::signature`] (not from
    /// running them): valid under the cofactored equation, with canonical
    /// S and a canonical encoding of R.
    pub fn jifen_accepts(self) -> bool {
        matches!(
            self,
            Craft::Honest | Craft::TorsionInR(_) | Craft::SmallOrderR(_)
        )
    }

    /// The verdict of RFC 8032's cofactorless equation with canonical S
    /// and R (OpenSSL, Python's `cryptography`, Go): R must be exactly
    /// [S]B − [k]A.
    pub fn cofactorless_accepts(self) -> bool {
        matches!(self, Craft::Honest | Craft::SmallOrderR(0))
    }
}

/// The secret scalar a and the nonce prefix of a 32-byte seed (RFC 8032
/// §5.1.5).
fn expand(seed: &[u8; 32]) -> (Scalar, [u8; 32]) {
    let digest: [u8; 64] = Sha512::digest(seed).into();
    let mut lower = [0u8; 32];
    lower.copy_from_slice(&digest[..32]);
    lower[0] &= 248;
    lower[31] &= 127;
    lower[31] |= 64;
    let mut prefix = [0u8; 32];
    prefix.copy_from_slice(&digest[32..]);
    (Scalar::from_bytes_mod_order(lower), prefix)
}

fn challenge(r_bytes: &[u8; 32], key: &[u8; 32], message: &[u8]) -> Scalar {
    let mut hasher = Sha512::new();
    hasher.update(r_bytes);
    hasher.update(key);
    hasher.update(message);
    Scalar::from_bytes_mod_order_wide(&hasher.finalize().into())
}

fn with(r_bytes: [u8; 32], s: Scalar) -> [u8; 64] {
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r_bytes);
    signature[32..].copy_from_slice(s.as_bytes());
    signature
}

/// Adds ℓ to the 256-bit little-endian number `s` (below ℓ, so no carry out).
fn plus_order(s: &[u8; 32]) -> [u8; 32] {
    // ℓ = 2²⁵² + 27742317777372353535851937790883648493, little-endian.
    let order: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for index in 0..32 {
        let sum = u16::from(s[index]) + u16::from(order[index]) + carry;
        out[index] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// A signature of `message` by the key of `seed`, made as `craft` says.
pub fn sign(seed: &[u8; 32], message: &[u8], craft: Craft) -> [u8; 64] {
    let (a, prefix) = expand(seed);
    let key = (ED25519_BASEPOINT_POINT * a).compress().to_bytes();
    let mut nonce = Sha512::new();
    nonce.update(prefix);
    nonce.update(message);
    let r = Scalar::from_bytes_mod_order_wide(&nonce.finalize().into());
    let honest = |message: &[u8]| {
        let r_bytes = (ED25519_BASEPOINT_POINT * r).compress().to_bytes();
        with(r_bytes, r + challenge(&r_bytes, &key, message) * a)
    };
    // A signature whose R is given by its bytes and has no prime-order part.
    let small = |r_bytes: [u8; 32]| with(r_bytes, challenge(&r_bytes, &key, message) * a);
    match craft {
        Craft::Honest => honest(message),
        Craft::TorsionInR(index) => {
            let point: EdwardsPoint = ED25519_BASEPOINT_POINT * r + EIGHT_TORSION[index % 8];
            let r_bytes = point.compress().to_bytes();
            with(r_bytes, r + challenge(&r_bytes, &key, message) * a)
        }
        Craft::SmallOrderR(index) => small(EIGHT_TORSION[index % 8].compress().to_bytes()),
        Craft::SPlusOrder => {
            let mut signature = honest(message);
            let mut s = [0u8; 32];
            s.copy_from_slice(&signature[32..]);
            signature[32..].copy_from_slice(&plus_order(&s));
            signature
        }
        Craft::SHighBit => {
            let mut signature = honest(message);
            signature[63] |= 0x80;
            signature
        }
        Craft::NonCanonicalR => {
            // p + 1 = 2²⁵⁵ − 18.
            let mut r_bytes = [0xff; 32];
            r_bytes[0] = 0xee;
            r_bytes[31] = 0x7f;
            small(r_bytes)
        }
        Craft::NegativeZeroR => {
            let mut r_bytes = [0u8; 32];
            r_bytes[0] = 1;
            r_bytes[31] = 0x80;
            small(r_bytes)
        }
        Craft::FlippedS => {
            let mut signature = honest(message);
            signature[40] ^= 0x04;
            signature
        }
        Craft::OtherMessage => {
            let mut other = message.to_vec();
            other.push(0);
            honest(&other)
        }
    }
}

/// The public key of `seed`, plus the small-order point `EIGHT_TORSION[i]`
/// (i in 1..8): a mixed-order key, which registration refuses.
pub fn mixed_order_key(seed: &[u8; 32], index: usize) -> [u8; 32] {
    let (a, _) = expand(seed);
    (ED25519_BASEPOINT_POINT * a + EIGHT_TORSION[index % 8])
        .compress()
        .to_bytes()
}

/// The public key of a 32-byte seed.
pub fn public_key(seed: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

/// Whether 32 bytes decompress to a point, whatever else holds.
pub fn is_point(bytes: &[u8; 32]) -> bool {
    CompressedEdwardsY(*bytes).decompress().is_some()
}

/// What every verifier must say of a [`Fixture`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Every entry verifies.
    Accepted {
        /// Entries in the file.
        entries: u64,
    },
    /// The first bad entry, and the kind of error (`bad_signature`, or a
    /// rule's kind).
    Refused {
        /// Its seq.
        seq: u64,
        /// The error's kind, as [`crate::VerifyError::kind_name`] names it.
        kind: &'static str,
    },
}

/// A ledger file with crafted signatures, and its verdict.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// A short name, usable as a file name.
    pub name: &'static str,
    /// What it shows.
    pub about: &'static str,
    /// The file (JSON Lines).
    pub file: Vec<u8>,
    /// The verdict.
    pub expected: Expected,
}

/// Entries in each fixture: more than 2,048 + 513, so that the batch sizes
/// of every front end (512 in the CLI and the npm package, 2,048 in the
/// web app's workers) cut it in different places.
pub const FIXTURE_ENTRIES: u64 = 2_600;

/// Seqs around the batch boundaries of every front end, where a crafted
/// signature is placed.
pub const BOUNDARY_SEQS: [u64; 9] = [1, 511, 512, 513, 1023, 1024, 2047, 2048, 2049];

/// The demo community every fixture starts from, and its actors' seeds.
fn base() -> (Ledger, Vec<(ActorId, [u8; 32])>) {
    let demo = generate(&DemoConfig {
        residents: 60,
        entries: FIXTURE_ENTRIES,
        seed: 17,
        ..DemoConfig::default()
    });
    (demo.ledger, demo.keys)
}

/// The entries' lines, each signature re-made by its signer as `craft`
/// says for the seqs it names (the hash is unchanged: it does not cover
/// the signature).
fn resigned(
    ledger: &Ledger,
    seeds: &[(ActorId, [u8; 32])],
    craft: impl Fn(u64) -> Option<Craft>,
) -> Vec<String> {
    ledger
        .entries()
        .iter()
        .map(|entry| {
            let mut entry = entry.clone();
            if let Some(how) = craft(entry.seq.0)
                && let Some((_, seed)) = seeds.iter().find(|(id, _)| *id == entry.actor)
            {
                entry.sig = sign(seed, &entry.hash.0, how);
            }
            entry.to_line(ledger.id())
        })
        .collect()
}

fn file_of(lines: &[String]) -> Vec<u8> {
    let mut file = lines.join("\n");
    file.push('\n');
    file.into_bytes()
}

/// A line registering `pubkey` for a new officer, signed by `admin-1`,
/// after the last entry of `ledger` (whose rules would refuse it: the line
/// is made by hand).
fn registration_line(ledger: &Ledger, seeds: &[(ActorId, [u8; 32])], pubkey: [u8; 32]) -> String {
    let last = ledger.entries().last();
    let admin = seeds.iter().find(|(id, _)| id.as_str() == "admin-1");
    let (Some(last), Some((admin_id, admin_seed))) = (last, admin) else {
        unreachable!("the demo has entries and an admin-1");
    };
    let Ok(id) = "officer-crafted".parse::<ActorId>() else {
        unreachable!("a valid id");
    };
    let mut entry = Entry {
        seq: Seq(last.seq.0 + 1),
        ts_ms: last.ts_ms,
        prev: last.hash,
        actor: admin_id.clone(),
        body: Body::Actor {
            id,
            role: Role::Officer,
            pubkey: PublicKey(pubkey),
            active: true,
        },
        hash: crate::model::EntryHash::ZERO,
        sig: [0; 64],
    };
    entry.hash = compute_hash(&entry, ledger.id(), &mut Vec::new());
    entry.sig = sign(admin_seed, &entry.hash.0, Craft::Honest);
    entry.to_line(ledger.id())
}

/// The ledger files every front end is tested on, each with its verdict.
/// Crafted signatures sit at [`BOUNDARY_SEQS`], the first and the last
/// entry, mixed with honest ones. A list of cases, one after the other.
pub fn fixtures() -> Vec<Fixture> {
    let (ledger, seeds) = base();
    let last = ledger.len() - 1;
    let mut fixtures = Vec::new();
    // Every kind of signature the cofactored reading accepts, at every
    // boundary: the whole file verifies.
    let accepted_kinds: Vec<Craft> = Craft::all()
        .into_iter()
        .filter(|c| c.jifen_accepts() && *c != Craft::Honest)
        .collect();
    let at_boundary = |seq: u64| {
        let spot = BOUNDARY_SEQS.iter().position(|&s| s == seq);
        match (spot, seq) {
            (Some(index), _) => Some(accepted_kinds[index % accepted_kinds.len()]),
            (None, 0) => Some(Craft::TorsionInR(4)),
            (None, s) if s == last => Some(Craft::SmallOrderR(0)),
            (None, s) if s % 97 == 0 => Some(Craft::TorsionInR((s % 7 + 1) as usize)),
            _ => None,
        }
    };
    fixtures.push(Fixture {
        name: "torsion-accepted",
        about: "signatures with a small-order part in R (valid under the cofactored equation only) at the first and last entry, every batch boundary and every 97th entry",
        file: file_of(&resigned(&ledger, &seeds, at_boundary)),
        expected: Expected::Accepted {
            entries: ledger.len(),
        },
    });
    // Each kind the reading refuses, placed after accepted torsion
    // signatures at a boundary: refused there, not before.
    let refused: [(&'static str, &'static str, Craft, u64); 6] = [
        (
            "s-plus-order",
            "S + ℓ (not canonical) at seq 2048",
            Craft::SPlusOrder,
            2048,
        ),
        (
            "s-high-bit",
            "S with its top bit set at seq 512",
            Craft::SHighBit,
            512,
        ),
        (
            "r-not-canonical",
            "R written as y = p + 1 at seq 513",
            Craft::NonCanonicalR,
            513,
        ),
        (
            "r-negative-zero",
            "R the identity with the sign bit set at seq 2047",
            Craft::NegativeZeroR,
            2047,
        ),
        (
            "s-flipped",
            "one bit of S flipped at the last entry",
            Craft::FlippedS,
            last,
        ),
        (
            "other-message",
            "an honest signature of another message at seq 1",
            Craft::OtherMessage,
            1,
        ),
    ];
    for (name, about, craft, seq) in refused {
        let spot = seq;
        let lines = resigned(&ledger, &seeds, |s| {
            if s == spot {
                Some(craft)
            } else if s < spot && s % 101 == 0 {
                Some(Craft::TorsionInR(4))
            } else {
                None
            }
        });
        fixtures.push(Fixture {
            name,
            about,
            file: file_of(&lines),
            expected: Expected::Refused {
                seq,
                kind: "bad_signature",
            },
        });
    }
    // Keys registration refuses, written after the last entry.
    let honest = resigned(&ledger, &seeds, |_| None);
    let keys: [(&'static str, &'static str, [u8; 32]); 3] = [
        (
            "key-mixed-order",
            "a key with a point of order 2 added, registered after the last entry",
            mixed_order_key(&[42; 32], 4),
        ),
        (
            "key-small-order",
            "the point of order 8 as a key",
            EIGHT_TORSION[1].compress().to_bytes(),
        ),
        (
            "key-identity",
            "the identity as a key",
            EIGHT_TORSION[0].compress().to_bytes(),
        ),
    ];
    for (name, about, pubkey) in keys {
        let mut lines = honest.clone();
        lines.push(registration_line(&ledger, &seeds, pubkey));
        fixtures.push(Fixture {
            name,
            about,
            file: file_of(&lines),
            expected: Expected::Refused {
                seq: last + 1,
                kind: "weak_key",
            },
        });
    }
    fixtures
}

/// The fixtures' verdicts as JSON, for front ends in other languages:
/// `[{"name", "about", "ok", "entries"} | {"name", "about", "ok": false,
/// "seq", "kind"}]`.
pub fn manifest(fixtures: &[Fixture]) -> String {
    let rows: Vec<serde_json::Value> = fixtures
        .iter()
        .map(|fixture| match fixture.expected {
            Expected::Accepted { entries } => serde_json::json!({
                "name": fixture.name, "about": fixture.about, "ok": true, "entries": entries,
            }),
            Expected::Refused { seq, kind } => serde_json::json!({
                "name": fixture.name, "about": fixture.about, "ok": false, "seq": seq, "kind": kind,
            }),
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// A batch of signatures as `SignatureBatch::to_bytes` writes it (what a
/// web worker receives): `keys` as actors `actor-0`, `actor-1`, …, and
/// each signature as (its key's index, the 32-byte message, the
/// signature), numbered from seq 0.
pub fn batch_bytes(keys: &[[u8; 32]], signatures: &[(u32, [u8; 32], [u8; 64])]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for (index, key) in keys.iter().enumerate() {
        let actor = format!("actor-{index}");
        bytes.push(actor.len() as u8);
        bytes.extend_from_slice(actor.as_bytes());
        bytes.extend_from_slice(key);
    }
    bytes.extend_from_slice(&(signatures.len() as u32).to_le_bytes());
    for (seq, (key, message, signature)) in signatures.iter().enumerate() {
        bytes.extend_from_slice(&(seq as u64).to_le_bytes());
        bytes.extend_from_slice(message);
        bytes.extend_from_slice(signature);
        bytes.extend_from_slice(&key.to_le_bytes());
    }
    bytes
}
