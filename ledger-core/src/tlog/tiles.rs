//! C2SP tlog-tiles: the tree published as static files. A tile at level
//! `L` holds up to 256 consecutive hashes of tree level 8·L (level 0: the
//! leaf hashes); an entry bundle holds the leaves of one level-0 tile, each
//! prefixed by its length as a big-endian u16. Paths are
//! `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, `N` in groups of
//! three digits, all but the last prefixed `x`.

use super::TlogError;
use super::merkle::{Hash, Tree};

/// Hashes in a full tile; leaves in a full entry bundle.
pub const TILE_WIDTH: u64 = 256;

/// One tile of a tree of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileRef {
    /// The tile level (tree level 8 × this).
    pub level: u8,
    /// The tile's index within its level.
    pub index: u64,
    /// How many hashes it holds, 1 to 256 (under 256: a partial tile).
    pub width: u16,
}

/// `N` as tlog-tiles spells it: `x001/x234/067` for 1,234,067.
fn index_path(mut index: u64) -> String {
    let mut path = format!("{:03}", index % 1000);
    while index >= 1000 {
        index /= 1000;
        path = format!("x{:03}/{path}", index % 1000);
    }
    path
}

impl TileRef {
    fn suffix(&self) -> String {
        if u64::from(self.width) < TILE_WIDTH {
            format!(".p/{}", self.width)
        } else {
            String::new()
        }
    }

    /// The hash tile's path, e.g. `tile/0/x001/234.p/17`.
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            index_path(self.index),
            self.suffix()
        )
    }

    /// The path of the entry bundle beside a level-0 tile.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}{}", index_path(self.index), self.suffix())
    }

    /// Reads a path as [`TileRef::path`] or [`TileRef::entries_path`]
    /// write it, exactly (no leading zeros, no other spelling); the flag
    /// says whether it names the entry bundle.
    pub fn parse_path(path: &str) -> Option<(TileRef, bool)> {
        let rest = path.strip_prefix("tile/")?;
        let (level, rest, entries) = match rest.strip_prefix("entries/") {
            Some(rest) => (0u8, rest, true),
            None => {
                let (level, rest) = rest.split_once('/')?;
                (decimal(level).filter(|&l| l <= 63)? as u8, rest, false)
            }
        };
        let (index, width) = match rest.split_once(".p/") {
            Some((index, width)) => (index, decimal(width).filter(|w| (1..256).contains(w))?),
            None => (rest, TILE_WIDTH),
        };
        let mut parts = index.split('/').peekable();
        let mut n: u64 = 0;
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            let digits = if last { part } else { part.strip_prefix('x')? };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n = n.checked_mul(1000)?.checked_add(digits.parse().ok()?)?;
        }
        let tile = TileRef {
            level,
            index: n,
            width: width as u16,
        };
        (if entries {
            tile.entries_path()
        } else {
            tile.path()
        } == path)
            .then_some((tile, entries))
    }

    /// The leaves a level-0 tile (or its entry bundle) covers.
    pub fn leaves(&self) -> core::ops::Range<u64> {
        let start = self.index.saturating_mul(TILE_WIDTH);
        start..start.saturating_add(u64::from(self.width))
    }
}

/// A decimal without leading zeros.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 19 || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The tiles a tree that grows from `old` to `new` leaves writes: every
/// tile that is new or wider, at every level, in level order. From 0, all
/// the tiles of the tree.
pub fn tiles_between(old: u64, new: u64) -> Vec<TileRef> {
    let mut tiles = Vec::new();
    for level in 0u8..8 {
        let shift = 8 * u32::from(level);
        let (was, now) = (old >> shift, new >> shift);
        if now == 0 {
            break;
        }
        if now == was {
            continue;
        }
        for index in was / TILE_WIDTH..now / TILE_WIDTH {
            tiles.push(TileRef {
                level,
                index,
                width: TILE_WIDTH as u16,
            });
        }
        let width = now % TILE_WIDTH;
        if width > 0 {
            tiles.push(TileRef {
                level,
                index: now / TILE_WIDTH,
                width: width as u16,
            });
        }
    }
    tiles
}

impl Tree {
    /// A hash tile's bytes: `width` hashes of 32 bytes; `None` if the tree
    /// does not have them yet.
    pub fn tile(&self, tile: &TileRef) -> Option<Vec<u8>> {
        let row = self.level(8 * usize::from(tile.level));
        let start = usize::try_from(tile.index.checked_mul(TILE_WIDTH)?).ok()?;
        let hashes = row.get(start..start.checked_add(usize::from(tile.width))?)?;
        Some(hashes.concat())
    }
}

/// The hashes of a tile of `width` (its length must be exactly that).
pub fn read_hash_tile(bytes: &[u8], width: u16) -> Result<Vec<Hash>, TlogError> {
    if bytes.len() != usize::from(width) * 32 || width == 0 || u64::from(width) > TILE_WIDTH {
        return Err(TlogError::Malformed("hash tile"));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|chunk| {
            let mut hash = [0u8; 32];
            hash.copy_from_slice(chunk);
            hash
        })
        .collect())
}

/// An entry bundle of `leaves`; `None` if one is longer than 65,535 bytes
/// or there are more than 256.
pub fn entry_bundle<'a>(leaves: impl IntoIterator<Item = &'a [u8]>) -> Option<Vec<u8>> {
    let mut bundle = Vec::new();
    for (count, leaf) in leaves.into_iter().enumerate() {
        if count as u64 >= TILE_WIDTH {
            return None;
        }
        bundle.extend_from_slice(&u16::try_from(leaf.len()).ok()?.to_be_bytes());
        bundle.extend_from_slice(leaf);
    }
    Some(bundle)
}

/// The leaves of an entry bundle.
pub fn read_entry_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TlogError> {
    read_leaves(bytes, TILE_WIDTH)
}

/// Up to `most` leaves laid out as in an entry bundle (each after its
/// length as a big-endian u16): a bundle, or a service's answer with many
/// leaves at once for a first visit.
pub fn read_leaves(bytes: &[u8], most: u64) -> Result<Vec<&[u8]>, TlogError> {
    let mut leaves = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (length, tail) = rest
            .split_first_chunk::<2>()
            .ok_or(TlogError::Malformed("entry bundle"))?;
        let length = usize::from(u16::from_be_bytes(*length));
        let (leaf, tail) = tail
            .split_at_checked(length)
            .ok_or(TlogError::Malformed("entry bundle"))?;
        if leaves.len() as u64 == most {
            return Err(TlogError::Malformed("more leaves than asked"));
        }
        leaves.push(leaf);
        rest = tail;
    }
    Ok(leaves)
}
