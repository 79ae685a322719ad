//! Following a log from its tiles, as a phone does: it keeps the leaves it
//! has (their hashes in a [`Tree`]) and the last checkpoint it accepted;
//! at each visit it fetches the new checkpoint, then only the entry
//! bundles that hold new leaves. The bundles' leaves before the copy's end
//! must be the copy's own, and the grown tree must have the checkpoint's
//! root; otherwise the log rewrote its history, and a search over the hash
//! tiles names the first leaf where the two differ. Sans-IO: the caller
//! fetches what these functions name.

use super::merkle::{Hash, Tree, leaf_hash};
use super::tiles::{TILE_WIDTH, TileRef, read_entry_bundle, read_hash_tile, tiles_between};
use super::{Checkpoint, TlogError};

/// Why a new checkpoint cannot follow the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowError {
    /// The checkpoint has fewer leaves than the copy.
    Shrank {
        /// Leaves in the copy.
        had: u64,
        /// Leaves in the checkpoint.
        now: u64,
    },
    /// A leaf the copy holds is not the log's leaf there any more: the
    /// history was rewritten (earlier leaves may differ too; the search
    /// over the hash tiles, [`Divergence`], names the first).
    Rewritten {
        /// The first leaf of the bundles fetched that differs.
        index: u64,
    },
    /// The leaves do not hash to the checkpoint's root, though each one the
    /// copy holds matched: search the hash tiles ([`Divergence`]) to name
    /// where the log's history and the copy part.
    RootDiffers,
    /// A bundle or tile is not what its path promises.
    Tile(TlogError),
}

/// The entry bundles that hold the leaves a copy of `have` leaves lacks
/// for a checkpoint of `size` (the first may start before `have`: its
/// earlier leaves are checked against the copy).
pub fn bundles_to(have: u64, size: u64) -> Vec<TileRef> {
    tiles_between(have, size)
        .into_iter()
        .filter(|t| t.level == 0)
        .collect()
}

/// Checks fetched entry bundles (those [`bundles_to`] named, in order)
/// against the copy and the checkpoint; returns the new leaves, in order,
/// for the caller to replay. The copy is not changed.
pub fn grow<'a>(
    tree: &Tree,
    checkpoint: &Checkpoint,
    bundles: &'a [(TileRef, Vec<u8>)],
) -> Result<Vec<&'a [u8]>, FollowError> {
    let have = tree.len();
    if checkpoint.size < have {
        return Err(FollowError::Shrank {
            had: have,
            now: checkpoint.size,
        });
    }
    let mut grown = tree.clone();
    let mut new = Vec::new();
    let known = tree.level(0);
    for (tile, bytes) in bundles {
        let leaves = read_entry_bundle(bytes).map_err(FollowError::Tile)?;
        if leaves.len() != usize::from(tile.width) || tile.level != 0 {
            return Err(FollowError::Tile(TlogError::Malformed(
                "entry bundle of the wrong width",
            )));
        }
        for (k, leaf) in leaves.into_iter().enumerate() {
            let index = tile.index * TILE_WIDTH + k as u64;
            if index < have {
                if usize::try_from(index)
                    .ok()
                    .and_then(|i| known.get(i))
                    .is_some_and(|h| *h != leaf_hash(leaf))
                {
                    return Err(FollowError::Rewritten { index });
                }
                continue;
            }
            if index != grown.len() {
                return Err(FollowError::Tile(TlogError::Malformed(
                    "entry bundles out of order",
                )));
            }
            grown.push(leaf);
            new.push(leaf);
        }
    }
    match grown.root_at(checkpoint.size) {
        Some(root) if root == checkpoint.root && grown.len() == checkpoint.size => Ok(new),
        Some(_) => Err(FollowError::RootDiffers),
        None => Err(FollowError::Tile(TlogError::Malformed(
            "fewer leaves than the checkpoint",
        ))),
    }
}

/// The search for where a log of `size` leaves and a copy of its first
/// leaves part, top down through the hash tiles: each step names one tile
/// to fetch, and its answer either names the next or ends the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    have: u64,
    size: u64,
    /// The tile to fetch next.
    next: TileRef,
}

/// How a step of the search ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Fetch this tile next.
    Fetch(Divergence),
    /// The first leaf where the log and the copy differ.
    Leaf(u64),
    /// Every leaf the copy holds is the log's: it is the log's new part
    /// that does not match its checkpoint.
    Same,
}

/// A tile's width in a tree of `size` leaves.
fn width(level: u8, index: u64, size: u64) -> u16 {
    let hashes = size >> (8 * u32::from(level));
    hashes.saturating_sub(index * TILE_WIDTH).min(TILE_WIDTH) as u16
}

impl Divergence {
    /// Starts the search of a copy of `have` leaves against a log of
    /// `size`; `None` if the copy is empty (nothing to differ).
    pub fn start(have: u64, size: u64) -> Option<Divergence> {
        if have == 0 || size < have {
            return None;
        }
        // The highest level with a full subtree in the copy.
        let mut level = 0u8;
        while level < 7 && have >> (8 * (u32::from(level) + 1)) > 0 {
            level += 1;
        }
        Some(Divergence {
            have,
            size,
            next: TileRef {
                level,
                index: 0,
                width: width(level, 0, size),
            },
        })
    }

    /// The tile to fetch (a hash tile of the log).
    pub fn tile(&self) -> TileRef {
        self.next
    }

    /// Compares the fetched tile with the copy's subtrees and says where
    /// to look next.
    pub fn answer(&self, tree: &Tree, bytes: &[u8]) -> Result<Found, FollowError> {
        let tile = self.next;
        let hashes: Vec<Hash> = read_hash_tile(bytes, tile.width).map_err(FollowError::Tile)?;
        let shift = 8 * u32::from(tile.level);
        let span = 1u64 << shift;
        let row = tree.level(shift as usize);
        let first = tile.index * TILE_WIDTH;
        let mut k = 0u64;
        // The first full subtree of the copy that differs from the log's.
        while k < hashes.len() as u64 && (first + k + 1) * span <= self.have {
            let mine = usize::try_from(first + k).ok().and_then(|i| row.get(i));
            if mine != Some(&hashes[k as usize]) {
                return Ok(self.down(first + k));
            }
            k += 1;
        }
        // All full ones agree: the copy's last, partial subtree is next.
        if (first + k) * span < self.have && tile.level > 0 {
            return Ok(self.down(first + k));
        }
        Ok(Found::Same)
    }

    /// The search within subtree `at` of this tile's level.
    fn down(&self, at: u64) -> Found {
        let level = self.next.level;
        if level == 0 {
            return Found::Leaf(at);
        }
        let next = level - 1;
        Found::Fetch(Divergence {
            next: TileRef {
                level: next,
                index: at,
                width: width(next, at, self.size),
            },
            ..*self
        })
    }
}
