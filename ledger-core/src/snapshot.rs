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

use sha2::{Digest, Sha256};

use crate::codec::{Reader, Writer};
use crate::ledger::Ledger;
use crate::limits;
use crate::model::{EntryHash, Head, LedgerId, Seq, Text};
use crate::state::State;

/// The first bytes of every snapshot; the version changes whenever the
/// state it holds does (8 added transfers), so an older
/// snapshot is rebuilt from the ledger instead of misread.
const MAGIC: &[u8; 8] = b"JFSNAP08";

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
