//! Ed25519 as Jifen reads it: one verdict for every signature, whether it
//! is checked alone or in a batch of any size, with any neighbours.
//!
//! RFC 8032 leaves room for verifiers to disagree on crafted signatures
//! ("Taming the many EdDSAs", Chalkias, Garillot and Nikolaenko, 2020).
//! Jifen's reading, stated in the book's wire-format chapter:
//!
//! - a **key** is a canonical encoding of a point of the prime-order
//!   subgroup, not the identity; registration refuses any other, so every
//!   key a signature is checked against is one ([`check_key`]);
//! - **S** is canonical (below the group order ℓ);
//! - **R** is a canonical encoding of a curve point (y below p, and no
//!   "negative zero"); it may have a small-order component;
//! - the equation is the **cofactored** one, `[8]([S]B − R − [k]A) = 0`
//!   with `k = SHA-512(R ‖ A ‖ message) mod ℓ` over the bytes as written.
//!
//! The cofactored equation is what makes a batch agree with checking its
//! signatures one by one: multiplying by 8 removes every small-order part,
//! so a random linear combination of valid signatures always holds, and one
//! of an invalid signature holds only with probability 2⁻¹²⁸. The
//! cofactorless equation cannot be batched that way: a small-order part of
//! R cancels in the sum whenever its weight is even.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

/// Why a key cannot be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// The 32 bytes are not the canonical encoding of a point (y ≥ p, or
    /// the sign bit set where x is zero).
    NotCanonical,
    /// The bytes are not a point of the curve.
    NotAPoint,
    /// The point has a small order (the identity among them): anyone
    /// could sign for it.
    SmallOrder,
    /// The point has a small-order component beside its prime-order
    /// part, so verifiers that differ in how they treat the cofactor
    /// could disagree about its signatures.
    MixedOrder,
}

impl core::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            KeyProblem::NotCanonical => "not the canonical encoding of a point",
            KeyProblem::NotAPoint => "not a point of the curve",
            KeyProblem::SmallOrder => "a point of small order",
            KeyProblem::MixedOrder => "a point with a small-order component",
        })
    }
}

/// Checks that `bytes` may be registered as a key: a canonical encoding
/// of a point in the prime-order subgroup, not the identity. Once per
/// actor (it multiplies by ℓ). Does not panic.
pub fn check_key(bytes: &[u8; 32]) -> Result<EdwardsPoint, KeyProblem> {
    if !is_canonical_point_encoding(bytes) {
        return Err(KeyProblem::NotCanonical);
    }
    let point = CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or(KeyProblem::NotAPoint)?;
    if point.is_small_order() {
        return Err(KeyProblem::SmallOrder);
    }
    if !point.is_torsion_free() {
        return Err(KeyProblem::MixedOrder);
    }
    Ok(point)
}

/// Whether 32 bytes are the canonical encoding of a y coordinate and the
/// sign of x: y below p = 2²⁵⁵ − 19, and the sign bit clear where x is
/// zero (y = 1 and y = −1, the only points with x = 0). RFC 8032 §5.1.3
/// refuses y ≥ p; compressing a decoded point gives back exactly the
/// bytes this accepts. It does not say whether y is on the curve.
pub fn is_canonical_point_encoding(bytes: &[u8; 32]) -> bool {
    let sign_set = bytes[31] & 0x80 != 0;
    let top = bytes[31] & 0x7f;
    let middle_all_ones = bytes[1..31].iter().all(|&b| b == 0xff);
    // y ≥ p only when every bit but the lowest few is set: y ∈ [p, 2²⁵⁵).
    let at_least_p = top == 0x7f && middle_all_ones && bytes[0] >= 0xed;
    let is_one = bytes[0] == 1 && top == 0 && bytes[1..31].iter().all(|&b| b == 0);
    let is_minus_one = top == 0x7f && middle_all_ones && bytes[0] == 0xec;
    !at_least_p && !(sign_set && (is_one || is_minus_one))
}

/// The challenge `k = SHA-512(R ‖ A ‖ message) mod ℓ` (wide), and its 64
/// bytes before reduction.
fn challenge(r_bytes: &[u8], key_bytes: &[u8; 32], message: &[u8]) -> ([u8; 64], Scalar) {
    let mut hasher = Sha512::new();
    hasher.update(r_bytes);
    hasher.update(key_bytes);
    hasher.update(message);
    let wide: [u8; 64] = hasher.finalize().into();
    (wide, Scalar::from_bytes_mod_order_wide(&wide))
}

/// R and S of a signature, if S is canonical and R a canonical encoding
/// of a curve point.
fn split(signature: &[u8; 64]) -> Option<(EdwardsPoint, Scalar)> {
    let (r_half, s_half) = signature.split_at(32);
    let r_bytes: [u8; 32] = r_half.try_into().ok()?;
    let s_bytes: [u8; 32] = s_half.try_into().ok()?;
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    if !is_canonical_point_encoding(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    Some((r, s))
}

/// Whether `signature` is a valid signature of `message` by the key
/// `key_bytes` (whose point, checked by [`check_key`], is `key`), by the
/// reading above. Exactly the verdict a [`Batch`] containing it reaches.
/// Does not panic.
pub fn verify(
    key: &EdwardsPoint,
    key_bytes: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
) -> bool {
    let Some((r, s)) = split(signature) else {
        return false;
    };
    let (_, k) = challenge(&signature[..32], key_bytes, message);
    let minus_key = -key;
    // [S]B − [k]A − R, times the cofactor.
    let residue = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &minus_key, &s) - r;
    residue.mul_by_cofactor().is_identity()
}

/// Signatures checked together in one multiscalar multiplication:
/// `[8](Σ zᵢ(Rᵢ + kᵢAᵢ − SᵢB)) = 0` with 128-bit weights zᵢ derived from
/// the whole batch. The terms of each key are summed first (a ledger has a
/// handful of signers), so the multiplication has about n + keys points
/// instead of 2n. It holds whenever every signature is valid alone, and
/// fails, but for a chance of 2⁻¹²⁸, when one is not.
#[derive(Debug, Default)]
pub struct Batch {
    keys: Vec<([u8; 32], EdwardsPoint)>,
    key_of: Vec<u32>,
    r_points: Vec<EdwardsPoint>,
    s_values: Vec<Scalar>,
    challenges: Vec<Scalar>,
    transcript: Sha512,
    /// A signature whose R or S could not be read: the batch fails.
    unreadable: bool,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        let mut transcript = Sha512::new();
        transcript.update(b"jifen signature batch v2 (cofactored)");
        Batch {
            transcript,
            ..Batch::default()
        }
    }

    /// Adds a key that signatures can name by its index (in the order
    /// added). `point` must have passed [`check_key`] for `bytes`.
    pub fn add_key(&mut self, bytes: [u8; 32], point: EdwardsPoint) -> u32 {
        self.keys.push((bytes, point));
        u32::try_from(self.keys.len() - 1).unwrap_or(u32::MAX)
    }

    /// Adds a signature of `message` by the key of index `key`.
    pub fn push(&mut self, key: u32, message: &[u8], signature: &[u8; 64]) {
        let Some((key_bytes, _)) = self.keys.get(key as usize) else {
            self.unreadable = true;
            return;
        };
        let Some((r, s)) = split(signature) else {
            self.unreadable = true;
            return;
        };
        let (wide, k) = challenge(&signature[..32], key_bytes, message);
        // The weights depend on every R, A and message (through k) and S.
        self.transcript.update(wide);
        self.transcript.update(&signature[32..]);
        self.key_of.push(key);
        self.r_points.push(r);
        self.s_values.push(s);
        self.challenges.push(k);
    }

    /// Whether every signature pushed is valid. Does not panic.
    pub fn holds(self) -> bool {
        if self.unreadable {
            return false;
        }
        let count = self.r_points.len();
        let seed: [u8; 64] = self.transcript.finalize().into();
        let mut weights = Vec::with_capacity(count);
        for block in 0..count.div_ceil(4) as u64 {
            let mut hasher = Sha512::new();
            hasher.update(seed);
            hasher.update(block.to_le_bytes());
            let bytes: [u8; 64] = hasher.finalize().into();
            for chunk in bytes.chunks_exact(16) {
                let mut weight = [0u8; 16];
                weight.copy_from_slice(chunk);
                weights.push(Scalar::from(u128::from_le_bytes(weight)));
            }
        }
        weights.truncate(count);
        let mut basepoint_coefficient = Scalar::ZERO;
        let mut key_coefficients = vec![Scalar::ZERO; self.keys.len()];
        for (index, weight) in weights.iter().enumerate() {
            basepoint_coefficient += weight * self.s_values[index];
            // Every key index was checked when pushed.
            if let Some(coefficient) = key_coefficients.get_mut(self.key_of[index] as usize) {
                *coefficient += weight * self.challenges[index];
            }
        }
        let scalars = core::iter::once(-basepoint_coefficient)
            .chain(weights.iter().copied())
            .chain(key_coefficients);
        let points = core::iter::once(ED25519_BASEPOINT_POINT)
            .chain(self.r_points)
            .chain(self.keys.iter().map(|(_, point)| *point));
        EdwardsPoint::vartime_multiscalar_mul(scalars, points)
            .mul_by_cofactor()
            .is_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyProblem, check_key, is_canonical_point_encoding, verify};
    use crate::testing::{Craft, batch_bytes, mixed_order_key, public_key, sign};
    use crate::verify::SignatureBatch;
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use ed25519_dalek::Verifier;

    fn hex<const N: usize>(text: &str) -> [u8; N] {
        crate::hex::decode::<N>(text).unwrap_or_else(|| panic!("hex {text}"))
    }

    /// The twelve vectors of "Taming the many EdDSAs" (the
    /// ed25519-speccheck repository's cases.json: message, key, signature),
    /// and why Jifen refuses each: every key but two is outside the
    /// prime-order subgroup or not canonical, and those two carry an S
    /// that is not canonical. (The paper's table: only Zebra accepts 4 and
    /// 5; most libraries accept 0 to 3 and 11.)
    const SPECCHECK: [(&str, &str, &str, Result<(), KeyProblem>); 12] = [
        (
            "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
            Err(KeyProblem::SmallOrder),
        ),
        (
            "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            Err(KeyProblem::SmallOrder),
        ),
        (
            "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
            Err(KeyProblem::MixedOrder),
        ),
        (
            "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
            Err(KeyProblem::MixedOrder),
        ),
        (
            "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
            Err(KeyProblem::MixedOrder),
        ),
        (
            "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
            "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
            "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
            Err(KeyProblem::MixedOrder),
        ),
        (
            "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
            "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
            "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
            Ok(()),
        ),
        (
            "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
            "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
            "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
            Ok(()),
        ),
        (
            "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
            Err(KeyProblem::MixedOrder),
        ),
        (
            "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
            "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
            Err(KeyProblem::MixedOrder),
        ),
        (
            "e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            Err(KeyProblem::NotCanonical),
        ),
        (
            "39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
            Err(KeyProblem::NotCanonical),
        ),
    ];

    #[test]
    fn every_speccheck_vector_is_refused_for_the_documented_reason() {
        for (index, (message, key, signature, key_verdict)) in SPECCHECK.iter().enumerate() {
            let key = hex::<32>(key);
            let checked = check_key(&key);
            assert_eq!(checked.map(|_| ()), *key_verdict, "vector {index}: key");
            if let Ok(point) = checked {
                let message = hex::<32>(message);
                assert!(
                    !verify(&point, &key, &message, &hex::<64>(signature)),
                    "vector {index}: signature"
                );
            }
        }
    }

    /// A key and its registration verdict for each kind of point.
    #[test]
    fn registration_refuses_every_key_outside_the_prime_order_subgroup() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        let seed = [7u8; 32];
        assert!(check_key(&public_key(&seed)).is_ok());
        for index in 1..8 {
            assert_eq!(
                check_key(&mixed_order_key(&seed, index)).map(|_| ()),
                Err(KeyProblem::MixedOrder),
                "{index}"
            );
        }
        for point in EIGHT_TORSION {
            assert_eq!(
                check_key(&point.compress().to_bytes()).map(|_| ()),
                Err(KeyProblem::SmallOrder)
            );
        }
        // The identity written as y = p + 1, and with its sign bit set.
        let mut beyond = [0xff; 32];
        beyond[0] = 0xee;
        beyond[31] = 0x7f;
        assert_eq!(
            check_key(&beyond).map(|_| ()),
            Err(KeyProblem::NotCanonical)
        );
        let mut negative_zero = [0u8; 32];
        negative_zero[0] = 1;
        negative_zero[31] = 0x80;
        assert_eq!(
            check_key(&negative_zero).map(|_| ()),
            Err(KeyProblem::NotCanonical)
        );
        // A y that is not on the curve.
        let mut off = [0u8; 32];
        off[0] = 2;
        assert_eq!(check_key(&off).map(|_| ()), Err(KeyProblem::NotAPoint));
    }

    /// The encoding check agrees with compressing the decoded point, on
    /// every y near 0 and near p, with both signs (where the non-canonical
    /// encodings are), and on others.
    #[test]
    fn canonical_encodings_are_those_compression_gives_back() {
        let mut candidates = Vec::new();
        for low in 0u8..=40 {
            let mut small = [0u8; 32];
            small[0] = low;
            candidates.push(small);
            let mut high = [0xff; 32];
            high[0] = 0xff - low;
            high[31] = 0x7f;
            candidates.push(high);
        }
        for k in 0u8..200 {
            let point = curve25519_dalek::constants::ED25519_BASEPOINT_POINT
                * curve25519_dalek::scalar::Scalar::from(u64::from(k) + 1);
            candidates.push(point.compress().to_bytes());
        }
        let mut checked = 0;
        for mut bytes in candidates {
            for sign in [0, 0x80] {
                bytes[31] = (bytes[31] & 0x7f) | sign;
                if let Some(point) = CompressedEdwardsY(bytes).decompress() {
                    checked += 1;
                    let round_trip = point.compress().to_bytes() == bytes;
                    assert_eq!(
                        is_canonical_point_encoding(&bytes),
                        round_trip,
                        "{bytes:02x?}"
                    );
                }
            }
        }
        assert!(checked > 400, "{checked}");
    }

    /// Two signers' keys: the crafted signatures are by the first.
    fn seeds() -> [[u8; 32]; 2] {
        [[11; 32], [12; 32]]
    }

    fn message(index: usize) -> [u8; 32] {
        let mut message = [0u8; 32];
        message[..8].copy_from_slice(&(index as u64).to_le_bytes());
        message
    }

    /// A batch as the web app's workers receive it: signature `index` is
    /// `item(index)`, a key's index in `keys`, a message and the signature.
    fn batch_of(
        keys: &[[u8; 32]],
        size: usize,
        item: impl Fn(usize) -> (u32, [u8; 32], [u8; 64]),
    ) -> SignatureBatch {
        let signatures: Vec<_> = (0..size).map(item).collect();
        SignatureBatch::from_bytes(&batch_bytes(keys, &signatures))
            .unwrap_or_else(|| panic!("a batch"))
    }

    /// Honest signatures alternating between two signers, with `crafted`
    /// ones (by the first) at their places.
    fn batch(size: usize, crafted: &[(usize, Craft)], honest: &[[u8; 64]]) -> SignatureBatch {
        let keys = seeds().map(|seed| public_key(&seed));
        batch_of(&keys, size, |index| {
            match crafted.iter().find(|(at, _)| *at == index) {
                Some((_, craft)) => (
                    0,
                    message(index),
                    sign(&seeds()[0], &message(index), *craft),
                ),
                None => ((index % 2) as u32, message(index), honest[index]),
            }
        })
    }

    /// The two speccheck vectors whose key registration accepts (S out of
    /// bounds), among honest signatures in batches of every size: refused,
    /// and named.
    #[test]
    fn speccheck_vectors_in_batches_are_named() {
        let honest = honest_signatures(2048);
        for (message_hex, key_hex, signature_hex, _) in &SPECCHECK[6..8] {
            let mut keys = seeds().map(|seed| public_key(&seed)).to_vec();
            keys.push(hex::<32>(key_hex));
            for size in [1, 2, 511, 512, 513, 2048] {
                for at in [0, size / 2, size - 1] {
                    let verdict = batch_of(&keys, size, |index| match index == at {
                        true => (2, hex::<32>(message_hex), hex::<64>(signature_hex)),
                        false => ((index % 2) as u32, message(index), honest[index]),
                    })
                    .verify();
                    assert_eq!(verdict.map_err(|e| e.seq.0), Err(at as u64), "{size} {at}");
                }
            }
        }
        // A batch naming a key registration refuses is not a batch; the
        // same with an honest third key is.
        let with_third_key = |third: [u8; 32]| {
            let mut keys = seeds().map(|seed| public_key(&seed)).to_vec();
            keys.push(third);
            SignatureBatch::from_bytes(&batch_bytes(&keys, &[(0, message(0), honest[0])]))
        };
        assert!(with_third_key(hex::<32>(SPECCHECK[3].1)).is_none());
        assert!(with_third_key(public_key(&[99; 32])).is_some());
    }

    fn honest_signatures(count: usize) -> Vec<[u8; 64]> {
        (0..count)
            .map(|index| sign(&seeds()[index % 2], &message(index), Craft::Honest))
            .collect()
    }

    /// The verdict on one crafted signature alone is the documented one,
    /// and is the verdict of RFC 8032's cofactorless check (ed25519-dalek's
    /// `verify`, as OpenSSL) exactly where the documentation says so.
    #[test]
    fn each_crafted_signature_gets_the_documented_verdict_alone() {
        let seed = seeds()[0];
        let key_bytes = public_key(&seed);
        let Ok(key) = check_key(&key_bytes) else {
            panic!("an honest key");
        };
        let dalek =
            ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).unwrap_or_else(|e| panic!("{e}"));
        for craft in Craft::all() {
            let signature = sign(&seed, &message(3), craft);
            assert_eq!(
                verify(&key, &key_bytes, &message(3), &signature),
                craft.jifen_accepts(),
                "{craft:?}"
            );
            let cofactorless = dalek
                .verify(
                    &message(3),
                    &ed25519_dalek::Signature::from_bytes(&signature),
                )
                .is_ok();
            assert_eq!(cofactorless, craft.cofactorless_accepts(), "{craft:?}");
        }
    }

    /// Every crafted signature, first, in the middle or last in batches of
    /// every front end's size and around them, among honest ones: the
    /// batch's verdict is the signature's own, and a refusal names it.
    #[test]
    fn a_batch_of_any_size_gives_each_crafted_signature_its_own_verdict() {
        let sizes = [1, 2, 511, 512, 513, 2048];
        let honest = honest_signatures(2048);
        for craft in Craft::all() {
            for size in sizes {
                for at in [0, size / 2, size - 1] {
                    let verdict = batch(size, &[(at, craft)], &honest).verify();
                    match craft.jifen_accepts() {
                        true => assert_eq!(verdict, Ok(()), "{craft:?} at {at} of {size}"),
                        false => assert_eq!(
                            verdict.map_err(|e| e.seq.0),
                            Err(at as u64),
                            "{craft:?} at {at} of {size}"
                        ),
                    }
                }
            }
        }
    }

    /// Several crafted signatures in one batch: all the accepted kinds
    /// together hold; with one refused kind among them, it is named.
    #[test]
    fn a_batch_of_many_crafted_signatures_names_the_first_refused_one() {
        let honest = honest_signatures(513);
        let accepted: Vec<(usize, Craft)> = Craft::all()
            .into_iter()
            .filter(|c| c.jifen_accepts())
            .enumerate()
            .map(|(index, craft)| (index * 20, craft))
            .collect();
        assert_eq!(batch(513, &accepted, &honest).verify(), Ok(()));
        for refused in Craft::all().into_iter().filter(|c| !c.jifen_accepts()) {
            let mut crafted = accepted.clone();
            crafted.push((333, refused));
            crafted.push((400, Craft::FlippedS));
            let verdict = batch(513, &crafted, &honest).verify();
            assert_eq!(verdict.map_err(|e| e.seq.0), Err(333), "{refused:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// A batch holds exactly when each of its signatures holds alone.
        #[test]
        fn a_batch_holds_exactly_when_each_signature_does(
            crafts in proptest::collection::vec((0usize..40, 0usize..22), 0..6),
            size in 1usize..40,
        ) {
            let honest = honest_signatures(40);
            let all = Craft::all();
            let crafted: Vec<(usize, Craft)> = crafts
                .iter()
                .map(|&(at, kind)| (at % size, all[kind % all.len()]))
                .collect();
            let batch = batch(size, &crafted, &honest);
            let first_refused = (0..size).find(|index| {
                crafted
                    .iter()
                    .find(|(at, _)| at == index)
                    .is_some_and(|(_, craft)| !craft.jifen_accepts())
            });
            proptest::prop_assert_eq!(
                batch.verify().map_err(|e| e.seq.0),
                first_refused.map_or(Ok(()), |index| Err(index as u64))
            );
        }
    }
}
