//! The RFC 6962 Merkle tree (RFC 9162 §2.1): leaf hash SHA-256(0x00‖leaf),
//! node hash SHA-256(0x01‖left‖right), the root of any size, inclusion and
//! consistency proofs, and their verification.
//!
//! [`Tree`] keeps the hash of every complete subtree (level `j` holds the
//! subtrees of 2^j leaves, in order), which is what C2SP tiles publish; any
//! other hash is folded from at most 64 of them. The verifiers are the
//! iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which need no
//! tree at all.

use sha2::{Digest, Sha256};

use super::TlogError;

/// A SHA-256 hash in the tree.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of nothing (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The most hashes a proof can have: one per level of a tree of 2^64 leaves
/// (63 for a consistency proof, as tlog-witness says, plus the old root).
pub const MAX_PROOF_HASHES: usize = 64;

/// The hash of a leaf: SHA-256(0x00 ‖ leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(leaf);
    hasher.finalize().into()
}

/// The hash of an inner node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut block = [0u8; 65];
    block[0] = 1;
    block[1..33].copy_from_slice(left);
    block[33..].copy_from_slice(right);
    Sha256::digest(block).into()
}

/// The largest power of two strictly below `n` (for `n` ≥ 2).
fn split(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// An append-only Merkle tree: the hash of every complete subtree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// The empty tree.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// How many leaves it has.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |level| level.len() as u64)
    }

    /// Whether it has no leaf.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a leaf; returns its index.
    pub fn push(&mut self, leaf: &[u8]) -> u64 {
        self.push_hash(leaf_hash(leaf))
    }

    /// Appends a leaf by its leaf hash; returns its index.
    pub fn push_hash(&mut self, hash: Hash) -> u64 {
        let index = self.len();
        let mut carry = hash;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(carry);
            if row.len() % 2 == 1 {
                break index;
            }
            carry = node_hash(&row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
        }
    }

    /// Drops every leaf from `len` on (the complete subtrees of the first
    /// `len` leaves are the same in any longer tree).
    pub fn truncate(&mut self, len: u64) {
        for (j, row) in self.levels.iter_mut().enumerate() {
            let keep = usize::try_from(len >> j).unwrap_or(usize::MAX);
            row.truncate(keep);
        }
        while self.levels.last().is_some_and(Vec::is_empty) {
            self.levels.pop();
        }
    }

    /// The hashes of the complete subtrees of 2^`level` leaves, in order
    /// (level 0: the leaf hashes).
    pub fn level(&self, level: usize) -> &[Hash] {
        self.levels.get(level).map_or(&[], Vec::as_slice)
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        self.root_at(self.len()).unwrap_or(EMPTY_ROOT)
    }

    /// The root of the tree of its first `size` leaves; `None` past its end.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        if size == 0 {
            return Some(EMPTY_ROOT);
        }
        (size <= self.len()).then(|| self.subtree(0, size))?
    }

    /// MTH(D[lo:hi]) for a range that starts on a multiple of a power of
    /// two at least its length, as every range a proof needs does: the
    /// complete subtrees of its binary decomposition, folded from the right.
    fn subtree(&self, lo: u64, hi: u64) -> Option<Hash> {
        let mut parts = [[0u8; 32]; 64];
        let mut count = 0;
        let mut at = lo;
        while at < hi {
            let level = 63 - (hi - at).leading_zeros();
            if !at.is_multiple_of(1u64 << level) {
                return None;
            }
            let row = self.levels.get(level as usize)?;
            parts[count] = *row.get(usize::try_from(at >> level).ok()?)?;
            count += 1;
            at += 1u64 << level;
        }
        let (last, rest) = parts[..count].split_last()?;
        Some(
            rest.iter()
                .rev()
                .fold(*last, |right, left| node_hash(left, &right)),
        )
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves
    /// (RFC 9162 §2.1.3.1): from the leaf's sibling up to the root's child.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        if index >= size || size > self.len() {
            return None;
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof)?;
        Some(proof)
    }

    fn path(&self, index: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) -> Option<()> {
        if hi - lo == 1 {
            return Some(());
        }
        let k = split(hi - lo);
        if index < lo + k {
            self.path(index, lo, lo + k, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.path(index, lo + k, hi, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Some(())
    }

    /// The consistency proof from the tree of `old` leaves to the tree of
    /// `new` (RFC 9162 §2.1.4.1); empty when `old` is 0 or equals `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Hash>> {
        if old > new || new > self.len() {
            return None;
        }
        let mut proof = Vec::new();
        if old > 0 && old < new {
            self.subproof(old, 0, new, true, &mut proof)?;
        }
        Some(proof)
    }

    fn subproof(&self, old: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Hash>) -> Option<()> {
        if old == hi {
            if !whole {
                out.push(self.subtree(lo, hi)?);
            }
            return Some(());
        }
        let k = split(hi - lo);
        if old <= lo + k {
            self.subproof(old, lo, lo + k, whole, out)?;
            out.push(self.subtree(lo + k, hi)?);
        } else {
            self.subproof(old, lo + k, hi, false, out)?;
            out.push(self.subtree(lo, lo + k)?);
        }
        Some(())
    }
}

/// Checks that `proof` shows the leaf with hash `leaf` at `index` in the
/// tree of `size` leaves whose root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), TlogError> {
    if index >= size {
        return Err(TlogError::IndexBeyondSize { index, size });
    }
    if proof.len() > MAX_PROOF_HASHES {
        return Err(TlogError::ProofDoesNotHold);
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut hash = *leaf;
    for sibling in proof {
        if snode == 0 {
            return Err(TlogError::ProofDoesNotHold);
        }
        if fnode & 1 == 1 || fnode == snode {
            hash = node_hash(sibling, &hash);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode == 0 && hash == *root {
        Ok(())
    } else {
        Err(TlogError::ProofDoesNotHold)
    }
}

/// Checks that `proof` shows the tree of `old` leaves with root `old_root`
/// to be a prefix of the tree of `new` leaves with root `new_root` (RFC 9162
/// §2.1.4.2). The empty tree is a prefix of any tree, with an empty proof;
/// two trees of one size are consistent when their roots are equal.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), TlogError> {
    if old > new {
        return Err(TlogError::OlderIsLarger { old, new });
    }
    if old == 0 || old == new {
        return (proof.is_empty() && (old == 0 || old_root == new_root))
            .then_some(())
            .ok_or(TlogError::ProofDoesNotHold);
    }
    if proof.is_empty() || proof.len() > MAX_PROOF_HASHES {
        return Err(TlogError::ProofDoesNotHold);
    }
    // When the old tree is complete, its root is where the path starts.
    let (first, rest) = if old.is_power_of_two() {
        (old_root, proof)
    } else {
        (&proof[0], &proof[1..])
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(TlogError::ProofDoesNotHold);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if fr == *old_root && sr == *new_root && snode == 0 {
        Ok(())
    } else {
        Err(TlogError::ProofDoesNotHold)
    }
}
