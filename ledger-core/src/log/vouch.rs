//! A replay shared with a worker: the worker reads each leaf of a bundle
//! as a replay does (its layout, its canonical form) and hashes it twice,
//! the entry as its device signed it and the leaf as the tree holds it;
//! the replay then reads the leaves it vouched for with those hashes, and
//! checks every rule, chain and signature itself. The two SHA-256s and the
//! canonical check are most of a leaf's reading, so the page and the worker
//! share a first download about evenly.

use super::wire::Leaf;
use crate::model::EntryHash;
use crate::tlog::{Hash, leaf_hash, read_leaves};

/// Bytes per leaf in [`vouch_bundle`]'s answer.
const VOUCHED_BYTES: usize = 64;

/// What a worker found of one leaf: its entry's hash and its leaf hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vouched {
    /// The SHA-256 of the entry without its signature: what the device
    /// signed.
    pub entry: EntryHash,
    /// The leaf's RFC 6962 hash in the tree.
    pub leaf: Hash,
}

impl Vouched {
    /// The hashes of one leaf that [`Leaf::parse`] reads, `None` for one it
    /// refuses (the replay reads that one itself, and names its fault).
    pub fn leaf(bytes: &[u8]) -> Option<Vouched> {
        let leaf = Leaf::parse(bytes).ok()?;
        Some(Vouched {
            entry: leaf.entry.hash,
            leaf: leaf_hash(bytes),
        })
    }
}

/// A worker's job: the leaves of an entry bundle (as the log serves them,
/// at most `most`) read and hashed, up to the first one that does not
/// hold. The answer as bytes, per leaf its entry hash then its leaf hash;
/// empty for bytes that are not a bundle.
pub fn vouch_bundle(bundle: &[u8], most: u64) -> Vec<u8> {
    let Ok(leaves) = read_leaves(bundle, most) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(leaves.len() * VOUCHED_BYTES);
    for leaf in leaves {
        let Some(vouched) = Vouched::leaf(leaf) else {
            break;
        };
        out.extend_from_slice(&vouched.entry.0);
        out.extend_from_slice(&vouched.leaf);
    }
    out
}

/// [`vouch_bundle`]'s answer read back: the hashes of the bundle's first
/// leaves, in order (as many as held; a trailing part is ignored).
pub fn vouched_from_bytes(answer: &[u8]) -> Vec<Vouched> {
    answer
        .chunks_exact(VOUCHED_BYTES)
        .map(|chunk| {
            let (entry, leaf) = chunk.split_at(32);
            let mut vouched = Vouched {
                entry: EntryHash::ZERO,
                leaf: [0; 32],
            };
            vouched.entry.0.copy_from_slice(entry);
            vouched.leaf.copy_from_slice(leaf);
            vouched
        })
        .collect()
}
