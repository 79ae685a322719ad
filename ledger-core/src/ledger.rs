//! A ledger held in memory: its entries and the state they add up to.
//! Appending validates, hashes and signs; reading a balance is O(1) and a
//! page of one resident's history is O(page).

use ed25519_dalek::{Signer, SigningKey};

use crate::entry::{Body, Entry, compute_hash};
use crate::error::{AppendError, HeadError};
use crate::limits;
use crate::model::{ActorId, EntryHash, Head, LedgerId, Points, Seq, Text};
use crate::state::{ActivityRecord, ActorRecord, ResidentRecord, RewardRecord, State};

/// An entry not yet placed in the chain: who writes what, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Milliseconds since the Unix epoch, UTC (the caller's clock: the core
    /// has none).
    pub ts_ms: u64,
    /// Who signs.
    pub actor: ActorId,
    /// What it says.
    pub body: Body,
}

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// A new entry at this seq.
    New(Seq),
    /// A redeem with this `request_id` and the same content was already at
    /// this seq; nothing was written (a kiosk's retry).
    Existing(Seq),
}

impl Appended {
    /// The seq of the entry, new or existing.
    pub fn seq(self) -> Seq {
        match self {
            Appended::New(seq) | Appended::Existing(seq) => seq,
        }
    }
}

/// Where a ledger stood (see [`Ledger::checkpoint`]).
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// Entries then, and the last one's hash (zero for none).
    len: usize,
    hash: EntryHash,
    state: State,
}

/// A verified ledger in memory.
#[derive(Debug, Clone)]
pub struct Ledger {
    id: LedgerId,
    name: Text,
    pub(crate) entries: Vec<Entry>,
    pub(crate) state: State,
    scratch: Vec<u8>,
}

impl Ledger {
    /// Starts a ledger: the genesis entry, signed by its first admin.
    pub fn create(
        id: LedgerId,
        name: Text,
        utc_offset_minutes: i32,
        ts_ms: u64,
        admin: ActorId,
        admin_key: &SigningKey,
    ) -> Result<Ledger, AppendError> {
        let mut ledger = Ledger::empty(id, name.clone());
        ledger.append(
            Draft {
                ts_ms,
                actor: admin.clone(),
                body: Body::Genesis {
                    name,
                    utc_offset_minutes,
                    admin_id: admin,
                    admin_key: crate::entry::PublicKey(admin_key.verifying_key().to_bytes()),
                },
            },
            admin_key,
        )?;
        Ok(ledger)
    }

    pub(crate) fn empty(id: LedgerId, name: Text) -> Ledger {
        Ledger {
            id,
            name,
            entries: Vec::new(),
            state: State::default(),
            scratch: Vec::with_capacity(1024),
        }
    }

    /// Where this ledger stands now, to come back to with
    /// [`Ledger::rollback`]: for a caller that appends, then must undo the
    /// appends if keeping them fails (the web app, when the browser's
    /// storage refuses them). It copies the state (balances, stock, actors,
    /// request ids, …), not the entries, so it costs far less than cloning
    /// the ledger.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            len: self.entries.len(),
            hash: self.head_hash(),
            state: self.state.clone(),
        }
    }

    /// Undoes every append made since `checkpoint` was taken: the entries
    /// after it are dropped and the state is the checkpoint's again. Returns
    /// false and changes nothing if `checkpoint` is not one of this
    /// ledger's own past (another ledger's, or entries before it were
    /// undone already).
    #[must_use = "false means nothing was undone"]
    pub fn rollback(&mut self, checkpoint: Checkpoint) -> bool {
        let at_checkpoint = checkpoint
            .len
            .checked_sub(1)
            .map_or(Some(EntryHash::ZERO), |last| {
                self.entries.get(last).map(|entry| entry.hash)
            });
        if at_checkpoint != Some(checkpoint.hash) {
            return false;
        }
        self.entries.truncate(checkpoint.len);
        self.state = checkpoint.state;
        true
    }

    /// Validates `draft` against every rule, then hashes, signs with `key`
    /// and appends it. On error nothing changes. A redeem whose
    /// `request_id` is already present returns the existing entry when its
    /// content is the same, and is refused when it differs.
    pub fn append(&mut self, draft: Draft, key: &SigningKey) -> Result<Appended, AppendError> {
        if self.entries.len() as u64 >= limits::MAX_ENTRIES {
            return Err(AppendError::Full);
        }
        if let Body::Redeem { request_id, .. } = &draft.body
            && let Some(&seq) = self.state.request_ids.get(request_id)
        {
            let same = self.entries.get(seq as usize).is_some_and(|existing| {
                existing.body == draft.body && existing.actor == draft.actor
            });
            // A retry must come from the same actor's key, like a new entry.
            let registered = self.state.actor(draft.actor.as_str()).map(|a| a.pubkey.0);
            if same && registered != Some(key.verifying_key().to_bytes()) {
                return Err(AppendError::WrongKey(draft.actor));
            }
            return if same {
                Ok(Appended::Existing(Seq(u64::from(seq))))
            } else {
                Err(crate::error::RuleError::RequestIdConflict(Seq(u64::from(seq))).into())
            };
        }
        let mut entry = Entry {
            seq: Seq(self.entries.len() as u64),
            ts_ms: draft.ts_ms,
            prev: self.head_hash(),
            actor: draft.actor,
            body: draft.body,
            hash: EntryHash::ZERO,
            sig: [0; 64],
        };
        let effect = self.state.check(&entry, &self.entries)?;
        let registered = match &effect {
            crate::state::Effect::Genesis { admin, .. } => Some(admin.pubkey.0),
            _ => self.state.actor(entry.actor.as_str()).map(|a| a.pubkey.0),
        };
        if registered != Some(key.verifying_key().to_bytes()) {
            return Err(AppendError::WrongKey(entry.actor));
        }
        entry.hash = compute_hash(&entry, &self.id, &mut self.scratch);
        entry.sig = key.sign(&entry.hash.0).to_bytes();
        // Whatever is written must read back as the same entry: a body that
        // passes the rules but breaks a wire limit (a redeem whose total is
        // over the per-entry points limit, a name too long for the format)
        // is refused here instead of leaving a file no reader accepts.
        self.scratch.clear();
        entry.write_canonical(&self.id, true, &mut self.scratch);
        match crate::entry::parse_line(&self.scratch) {
            Ok((id, parsed)) if id == self.id && parsed == entry => {}
            Ok(_) => unreachable!("a canonical line parses back to a different entry"),
            Err(problem) => return Err(AppendError::Unreadable(problem)),
        }
        self.state.apply(&entry, effect);
        self.entries.push(entry);
        debug_assert!(
            self.state
                .residents
                .iter()
                .all(|r| r.balance >= Points::ZERO)
        );
        Ok(Appended::New(Seq(self.entries.len() as u64 - 1)))
    }

    /// Records an entry already checked by the verifier.
    pub(crate) fn push_verified(&mut self, entry: Entry, effect: crate::state::Effect) {
        self.state.apply(&entry, effect);
        self.entries.push(entry);
    }

    /// The ledger's id.
    pub fn id(&self) -> &LedgerId {
        &self.id
    }

    /// The community's name from the genesis.
    pub fn name(&self) -> &Text {
        &self.name
    }

    /// Offset of the local day from UTC, in minutes.
    pub fn utc_offset_minutes(&self) -> i32 {
        self.state.utc_offset_minutes
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Whether there are no entries (only while a verifier is building one).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All entries, in seq order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `seq`.
    pub fn entry(&self, seq: Seq) -> Option<&Entry> {
        self.entries.get(usize::try_from(seq.0).ok()?)
    }

    pub(crate) fn head_hash(&self) -> EntryHash {
        self.entries
            .last()
            .map_or(EntryHash::ZERO, |entry| entry.hash)
    }

    /// The head: the last entry's seq and hash.
    pub fn head(&self) -> Head {
        Head {
            seq: Seq(self.len().saturating_sub(1)),
            hash: self.head_hash(),
        }
    }

    /// The `ts` of the last entry; the next may not be earlier.
    pub fn last_ts_ms(&self) -> u64 {
        self.state.last_ts_ms
    }

    /// The state: actors, residents, activities, rewards.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// A resident's balance, or `None` for an unknown code. O(1).
    pub fn balance(&self, resident: &str) -> Option<Points> {
        self.state.resident(resident).map(|record| record.balance)
    }

    /// All residents, in order of registration.
    pub fn residents(&self) -> &[ResidentRecord] {
        &self.state.residents
    }

    /// All actors, in order of registration.
    pub fn actors(&self) -> &[ActorRecord] {
        &self.state.actors
    }

    /// All activities, in order of definition.
    pub fn activities(&self) -> &[ActivityRecord] {
        &self.state.activities
    }

    /// All rewards with their stock, in order of definition.
    pub fn rewards(&self) -> &[RewardRecord] {
        &self.state.rewards
    }

    /// How many entries touch a resident (earns, redeems, reversals).
    pub fn history_len(&self, resident: &str) -> usize {
        self.state.resident(resident).map_or(0, |r| r.history.len())
    }

    /// One page of a resident's history, newest first: skips `offset`
    /// entries and returns at most `limit`. Costs O(limit).
    pub fn history_page(&self, resident: &str, offset: usize, limit: usize) -> Vec<&Entry> {
        let Some(record) = self.state.resident(resident) else {
            return Vec::new();
        };
        record
            .history
            .iter()
            .rev()
            .skip(offset)
            .take(limit)
            .filter_map(|&seq| self.entries.get(seq as usize))
            .collect()
    }

    /// The entry that reversed `target`, if any.
    pub fn reversed_by(&self, target: Seq) -> Option<Seq> {
        self.state.reversed_by(target)
    }

    /// The ledger as its JSON Lines file: one canonical entry per line,
    /// each ending in a newline.
    pub fn to_jsonl(&self) -> String {
        let mut out = Vec::with_capacity(self.entries.len() * 400);
        for entry in &self.entries {
            entry.write_canonical(&self.id, true, &mut out);
            out.push(b'\n');
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// The line of one entry, without its newline.
    pub fn line(&self, seq: Seq) -> Option<String> {
        self.entry(seq).map(|entry| entry.to_line(&self.id))
    }

    /// Checks a published head against this ledger: the entry at the head's
    /// seq must have exactly that hash. Does not panic.
    pub fn check_head(&self, head: &Head) -> Result<(), HeadError> {
        let Some(entry) = self.entry(head.seq) else {
            return Err(HeadError::TooShort {
                head: head.seq,
                entries: self.len(),
            });
        };
        if entry.hash != head.hash {
            return Err(HeadError::HashDiffers {
                seq: head.seq,
                expected: head.hash,
                found: entry.hash,
            });
        }
        Ok(())
    }

    /// Checks that this ledger extends `older`: same id, and the entry at
    /// the older head is the same. As both are verified hash chains, that
    /// one hash commits to the whole older history. Does not panic.
    pub fn check_extends(&self, older: &Ledger) -> Result<(), HeadError> {
        if self.id != older.id {
            return Err(HeadError::OtherLedger {
                expected: older.id.to_string(),
                found: self.id.to_string(),
            });
        }
        self.check_head(&older.head())
    }
}
