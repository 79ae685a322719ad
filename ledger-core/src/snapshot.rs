//! A snapshot: what a verified ledger's entries add up to (its [`State`]:
//! balances, stock, actors and their keys, request ids, today's earnings),
//! with the ledger's id, name and head, as bytes.
//!
//! A device that verified a ledger keeps a snapshot beside the entries so
//! that the next time it opens, balances can be shown at once, before every
//! entry has been read and replayed. A snapshot proves nothing by itself:
//! whoever can change the stored entries can change it too. So a device
//! replays the entries afterwards anyway and checks with
//! [`Snapshot::matches`] that they add up to exactly this snapshot.
//!
//! The bytes end in a SHA-256 digest of everything before it, so a
//! damaged record is refused rather than misread; [`Snapshot::from_bytes`]
//! never panics, whatever the bytes.

use core::str::FromStr;

use sha2::{Digest, Sha256};

use crate::ledger::Ledger;
use crate::limits;
use crate::model::{EntryHash, Head, LedgerId, Points, Seq, Text};
use crate::state::State;

/// The first bytes of every snapshot (format version 1).
const MAGIC: &[u8; 8] = b"JFSNAP01";

/// A verified ledger's state at its head, read back from bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    id: LedgerId,
    name: Text,
    head: Head,
    state: State,
}

impl Ledger {
    /// This ledger's snapshot as bytes (see [`Snapshot`]). The same ledger
    /// always gives the same bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        encode(self.id(), self.name(), self.head(), self.state())
    }
}

fn encode(id: &LedgerId, name: &Text, head: Head, state: &State) -> Vec<u8> {
    let mut out = Writer(Vec::with_capacity(64 * 1024));
    out.0.extend_from_slice(MAGIC);
    out.str(id.as_str());
    out.str(name.as_str());
    out.u64(head.seq.0);
    out.0.extend_from_slice(&head.hash.0);
    state.encode(&mut out);
    let digest = Sha256::digest(&out.0);
    out.0.extend_from_slice(&digest);
    out.0
}

impl Snapshot {
    /// Reads a snapshot made by [`Ledger::snapshot`]; `None` for bytes that
    /// are not one (damaged, cut short, another format). Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Option<Snapshot> {
        let (body, digest) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        if Sha256::digest(body).as_slice() != digest {
            return None;
        }
        let mut input = Reader(body);
        if input.take(MAGIC.len())? != MAGIC {
            return None;
        }
        let id = input.id()?;
        let name = input.text()?;
        let seq = input.u64().filter(|&seq| seq < limits::MAX_ENTRIES)?;
        let hash = EntryHash(input.array()?);
        let state = State::decode(&mut input, seq)?;
        input.0.is_empty().then_some(Snapshot {
            id,
            name,
            head: Head {
                seq: Seq(seq),
                hash,
            },
            state,
        })
    }

    /// The bytes again: those it was read from, for a snapshot this
    /// version wrote (one kept by a version that wrote points with
    /// trailing zeros, `2.50`, comes back with them dropped).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.id, &self.name, self.head, &self.state)
    }

    /// Whether `ledger` (replayed and verified from the entries) adds up to
    /// exactly this snapshot: same id, name, head and state.
    pub fn matches(&self, ledger: &Ledger) -> bool {
        ledger.snapshot() == self.to_bytes()
    }

    /// The ledger's id.
    pub fn id(&self) -> &LedgerId {
        &self.id
    }

    /// The community's name.
    pub fn name(&self) -> &Text {
        &self.name
    }

    /// The head the state was taken at.
    pub fn head(&self) -> Head {
        self.head
    }

    /// Entries up to the head.
    pub fn len(&self) -> u64 {
        self.head.seq.0 + 1
    }

    /// Never true: a snapshot has at least the genesis.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The state at the head.
    pub fn state(&self) -> &State {
        &self.state
    }
}

/// Appends fixed-width little-endian numbers and length-prefixed text.
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    pub(crate) fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    pub(crate) fn i64(&mut self, value: i64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    /// A count of what follows.
    pub(crate) fn len(&mut self, count: usize) {
        self.u32(u32::try_from(count).unwrap_or(u32::MAX));
    }

    pub(crate) fn str(&mut self, text: &str) {
        self.len(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    pub(crate) fn points(&mut self, points: Points) {
        let (mantissa, scale) = points.to_parts();
        self.0.extend_from_slice(&mantissa.to_le_bytes());
        self.u8(u8::try_from(scale).unwrap_or(u8::MAX));
    }
}

/// Reads what a [`Writer`] wrote; every read is checked.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.array()?))
    }

    pub(crate) fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// A count of items that take at least `min_size` bytes each: never
    /// more than the bytes left could hold, so no read allocates more than
    /// the input's size.
    pub(crate) fn count(&mut self, min_size: usize) -> Option<usize> {
        let count = usize::try_from(self.u32()?).ok()?;
        (count.checked_mul(min_size.max(1))? <= self.0.len()).then_some(count)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let len = self.count(1)?;
        core::str::from_utf8(self.take(len)?).ok()
    }

    /// An identifier of any of the ledger's id types, checked as on the wire.
    pub(crate) fn id<T: FromStr>(&mut self) -> Option<T> {
        self.str()?.parse().ok()
    }

    pub(crate) fn text(&mut self) -> Option<Text> {
        Text::parse(self.str()?, limits::MAX_TEXT_BYTES, true).ok()
    }

    pub(crate) fn points(&mut self) -> Option<Points> {
        let mantissa = i128::from_le_bytes(self.array()?);
        Points::from_parts(mantissa, u32::from(self.u8()?))
    }
}
