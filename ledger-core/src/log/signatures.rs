//! The signatures a log's replay checks later, in batches, anywhere.

use curve25519_dalek::edwards::EdwardsPoint;

use crate::signature::{self, Batch};

/// Signatures per batch (as v1's [`crate::verify::SIGNATURE_BATCH`]).
pub const LOG_SIGNATURE_BATCH: usize = 512;

/// Bytes per signature in [`LeafSignatures::to_bytes`].
const PENDING_BYTES: usize = 8 + 32 + 32 + 64;

/// One signature a replay still has to check.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) index: u64,
    pub(crate) key: [u8; 32],
    pub(crate) point: EdwardsPoint,
    pub(crate) hash: [u8; 32],
    pub(crate) sig: [u8; 64],
}

/// A batch of leaves' signatures, to check anywhere.
#[derive(Debug, Clone, Default)]
pub struct LeafSignatures(pub(crate) Vec<Pending>);

impl LeafSignatures {
    /// The index of the last leaf in the batch (`None` for an empty one).
    pub fn last_index(&self) -> Option<u64> {
        self.0.iter().map(|p| p.index).max()
    }

    /// The index of the first leaf whose signature does not hold, if any:
    /// the batch at once (each key's terms summed), then, if it fails, one
    /// by one with the same equation.
    pub fn first_bad(&self) -> Option<u64> {
        let mut batch = Batch::new();
        let mut keys: Vec<[u8; 32]> = Vec::new();
        for pending in &self.0 {
            let key = match keys.iter().position(|k| *k == pending.key) {
                Some(at) => at as u32,
                None => {
                    keys.push(pending.key);
                    batch.add_key(pending.key, pending.point)
                }
            };
            batch.push(key, &pending.hash, &pending.sig);
        }
        if batch.holds() {
            return None;
        }
        self.0
            .iter()
            .find(|p| !signature::verify(&p.point, &p.key, &p.hash, &p.sig))
            .map(|p| p.index)
    }

    /// The batch as bytes, to hand to a worker: per signature its leaf
    /// index (8 bytes, big-endian), key, signed hash and signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() * PENDING_BYTES);
        for p in &self.0 {
            out.extend_from_slice(&p.index.to_be_bytes());
            out.extend_from_slice(&p.key);
            out.extend_from_slice(&p.hash);
            out.extend_from_slice(&p.sig);
        }
        out
    }

    /// Reads [`LeafSignatures::to_bytes`]'s bytes: `None` when they are not
    /// a batch or a key is not one a log accepts.
    pub fn from_bytes(bytes: &[u8]) -> Option<LeafSignatures> {
        if !bytes.len().is_multiple_of(PENDING_BYTES) {
            return None;
        }
        let mut points: Vec<([u8; 32], EdwardsPoint)> = Vec::new();
        let mut out = Vec::with_capacity(bytes.len() / PENDING_BYTES);
        for chunk in bytes.chunks_exact(PENDING_BYTES) {
            let index = u64::from_be_bytes(chunk[..8].try_into().ok()?);
            let key: [u8; 32] = chunk[8..40].try_into().ok()?;
            let point = match points.iter().find(|(k, _)| *k == key) {
                Some((_, point)) => *point,
                None => {
                    let point = signature::check_key(&key).ok()?;
                    points.push((key, point));
                    point
                }
            };
            out.push(Pending {
                index,
                key,
                point,
                hash: chunk[40..72].try_into().ok()?,
                sig: chunk[72..].try_into().ok()?,
            });
        }
        Some(LeafSignatures(out))
    }

    /// [`LeafSignatures::first_bad`]'s answer as bytes: empty when every
    /// signature holds, else the bad leaf's index.
    pub fn answer_to_bytes(bad: Option<u64>) -> Vec<u8> {
        bad.map(|index| index.to_be_bytes().to_vec())
            .unwrap_or_default()
    }

    /// Reads [`LeafSignatures::answer_to_bytes`]'s bytes (`None`: not an
    /// answer).
    pub fn answer_from_bytes(bytes: &[u8]) -> Option<Option<u64>> {
        match bytes.len() {
            0 => Some(None),
            8 => Some(Some(u64::from_be_bytes(bytes.try_into().ok()?))),
            _ => None,
        }
    }

    /// How many signatures.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
