//! The signatures a log's replay checks later, in batches, anywhere.

use curve25519_dalek::edwards::EdwardsPoint;

use crate::signature::{self, Batch};

/// Signatures per batch (as v1's [`crate::verify::SIGNATURE_BATCH`]).
pub const LOG_SIGNATURE_BATCH: usize = 512;

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

    /// How many signatures.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
