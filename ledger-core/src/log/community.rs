//! The community's log: it accepts device entries, gives each its index
//! and time as a leaf of the RFC 6962 tree, runs every rule in log order,
//! and signs checkpoints. The same [`Log::admit`] decides a submission and
//! a replayed leaf, so a verifier reaches the log's verdict on each.

use std::collections::HashMap;

use curve25519_dalek::edwards::EdwardsPoint;
use ed25519_dalek::SigningKey;

use super::error::{LogError, LogProblem, SubmitError};
use super::signatures::Pending;
use super::wire::{DeviceEntry, Leaf, LogKey, OfflinePolicy};
use crate::entry::{Body, Entry, PublicKey};
use crate::ledger::Ledger;
use crate::limits;
use crate::model::{ActorId, EntryHash, Points, ResidentCode, RewardId, Role, Seq, local_day};
use crate::tlog::{self, Checkpoint, KeyKind, Note, NoteVerifier, TlogProof, Tree};

/// How far ahead of the log's clock a device's may be.
pub const MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;

/// An entry that reaches the log within this of its device's time was
/// made online; later, it was made offline and the offline policy applies.
pub const ONLINE_WITHIN_MS: u64 = 10 * 60 * 1000;

/// Where a device's chain stands in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DeviceHead {
    dev_seq: u64,
    hash: EntryHash,
    index: u64,
    /// Late entries in a row, up to this one.
    late_run: u32,
}

/// What a late (offline) entry did that an online one could not: every
/// verifier computes the same, and the ledger shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A late redeem took more than the balance: the resident now owes
    /// this much in all, paid back by the next earns.
    Debt {
        /// The resident.
        resident: ResidentCode,
        /// What they owe now.
        owed: Points,
    },
    /// A late redeem took more than the stock the ledger had (the goods
    /// were handed over): stock stops at zero, short by this many.
    StockShort {
        /// The reward.
        reward: RewardId,
        /// Items beyond the stock.
        short: i64,
    },
    /// A late earn past its daily cap counted only what the cap left.
    Capped {
        /// Points counted (maybe zero).
        counted: Points,
        /// Points the entry asked.
        asked: Points,
    },
}

/// What a submission became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Its leaf index.
    pub index: u64,
    /// False when the same entry was already in the log (a retry).
    pub new: bool,
    /// The leaf's bytes.
    pub leaf: Vec<u8>,
}

/// A community's log in memory: its leaves' tree and the ledger they make.
#[derive(Debug, Clone)]
pub struct Log {
    ledger: Ledger,
    tree: Tree,
    named: Option<LogKey>,
    v1_leaves: u64,
    /// Per v2 leaf, what its v1 view does not hold: the device's counter
    /// and clock (the log's time is the entry's `ts_ms`).
    device_parts: Vec<(u64, u64)>,
    /// The leaves that name the log, and what they name.
    namings: Vec<(u64, LogKey)>,
    /// The offline policy in force, and the leaves that set one.
    policy: Option<OfflinePolicy>,
    policies: Vec<(u64, OfflinePolicy)>,
    /// Points late redeems took per (resident, local day of the log).
    late_spent: HashMap<(ResidentCode, i64), Points>,
    /// What late entries did beyond an online one's effect.
    outcomes: Vec<(u64, Outcome)>,
    devices: HashMap<ActorId, DeviceHead>,
    by_hash: HashMap<EntryHash, u64>,
    points: HashMap<[u8; 32], EdwardsPoint>,
    last_log_ts: u64,
    /// In a batched replay: the signatures not checked yet.
    deferred: Option<Vec<Pending>>,
}

/// Where a log stood ([`Log::mark`]).
#[derive(Debug, Clone)]
pub struct LogMark {
    ledger: crate::ledger::Checkpoint,
    len: u64,
    devices: HashMap<ActorId, DeviceHead>,
    late_spent: HashMap<(ResidentCode, i64), Points>,
    named: Option<LogKey>,
    policy: Option<OfflinePolicy>,
    last_log_ts: u64,
}

/// A log without its ledger ([`Log::split`]): its tree, devices and
/// policy, kept beside the ledger until [`Log::join`].
#[derive(Debug, Clone)]
pub struct LogParts {
    log: Log,
    head: crate::model::Head,
}

impl LogParts {
    /// The tree of the leaves.
    pub fn tree(&self) -> &Tree {
        &self.log.tree
    }

    /// The log as the ledger names it, once it does.
    pub fn named(&self) -> Option<&LogKey> {
        self.log.named.as_ref()
    }

    /// The offline policy in force, if the ledger set one.
    pub fn policy(&self) -> Option<&OfflinePolicy> {
        self.log.policy.as_ref()
    }

    /// What late entries did beyond an online entry's effect.
    pub fn outcomes(&self) -> &[(u64, Outcome)] {
        &self.log.outcomes
    }

    /// The next counter and previous hash for a device's next entry.
    pub fn device_next(&self, actor: &ActorId) -> (u64, EntryHash) {
        self.log.device_next(actor)
    }
}

impl Log {
    /// A new log whose first leaf is `genesis`: a v2 entry with a genesis
    /// body, signed by its admin, naming the log.
    pub fn start(genesis: &[u8], log_ts: u64) -> Result<(Log, Submitted), SubmitError> {
        let entry = DeviceEntry::parse(genesis)?;
        let Body::Genesis { name, .. } = &entry.body else {
            return Err(SubmitError::FirstNotGenesis);
        };
        // An empty ledger "migrates" to an empty log.
        let mut log = Log::migrate(Ledger::empty(entry.ledger.clone(), name.clone()));
        let submitted = log.submit(genesis, log_ts)?;
        Ok((log, submitted))
    }

    /// A v1 ledger continued as a v2 log: its lines, byte for byte, are the
    /// first leaves (so the tree commits to the whole v1 history and every
    /// point stays where it was); the log is named by the next entry, which
    /// an admin signs.
    pub fn migrate(ledger: Ledger) -> Log {
        let mut tree = Tree::new();
        for seq in 0..ledger.len() {
            tree.push(ledger.line(Seq(seq)).unwrap_or_default().as_bytes());
        }
        Log {
            v1_leaves: ledger.len(),
            last_log_ts: ledger.last_ts_ms(),
            ledger,
            tree,
            named: None,
            device_parts: Vec::new(),
            namings: Vec::new(),
            policy: None,
            policies: Vec::new(),
            late_spent: HashMap::new(),
            outcomes: Vec::new(),
            devices: HashMap::new(),
            by_hash: HashMap::new(),
            points: HashMap::new(),
            deferred: None,
        }
    }

    /// A log for a batched replay ([`super::LogReplay`]): empty, or a
    /// migrated v1 ledger, its signatures checked later.
    pub(crate) fn deferring(v1: Result<Ledger, &[u8]>) -> Result<Log, LogError> {
        let mut log = match v1 {
            Ok(ledger) => Log::migrate(ledger),
            // A new log: its ledger is named by the genesis, its first leaf.
            Err(first) => {
                let fail = |problem| LogError { index: 0, problem };
                let leaf = Leaf::parse(first).map_err(|e| fail(LogProblem::Submit(e.into())))?;
                let Body::Genesis { name, .. } = &leaf.entry.body else {
                    return Err(fail(LogProblem::Submit(SubmitError::FirstNotGenesis)));
                };
                Log::migrate(Ledger::empty(leaf.entry.ledger.clone(), name.clone()))
            }
        };
        log.deferred = Some(Vec::new());
        Ok(log)
    }

    /// Replays one leaf (see [`Log::replay`]); with `vouched`, one whose
    /// form and hashes a worker checked already ([`super::Vouched`]), every
    /// other check made here.
    pub(crate) fn replay_leaf(
        &mut self,
        bytes: &[u8],
        vouched: Option<&super::Vouched>,
    ) -> Result<(), LogError> {
        let at = self.len();
        let fail = |problem| LogError { index: at, problem };
        let leaf = match vouched {
            Some(vouched) => Leaf::read_vouched(bytes, vouched.entry),
            None => Leaf::parse(bytes),
        };
        let leaf = leaf.map_err(|e| fail(LogProblem::Submit(e.into())))?;
        if leaf.index != at {
            return Err(fail(LogProblem::IndexOutOfPlace(leaf.index)));
        }
        if leaf.log_ts_ms < self.last_log_ts {
            return Err(fail(LogProblem::TimeWentBack));
        }
        self.admit(leaf).map_err(|e| fail(LogProblem::Submit(e)))?;
        match vouched {
            Some(vouched) => self.tree.push_hash(vouched.leaf),
            None => self.tree.push(bytes),
        };
        Ok(())
    }

    /// Takes a leaf another sequencer of this log wrote (a second service
    /// process on one database): every check a replay makes, at once.
    pub fn follow(&mut self, bytes: &[u8]) -> Result<(), LogError> {
        self.replay_leaf(bytes, None)
    }

    pub(crate) fn pending_len(&self) -> usize {
        self.deferred.as_ref().map_or(0, Vec::len)
    }

    pub(crate) fn take_pending(&mut self) -> Vec<Pending> {
        self.deferred
            .as_mut()
            .map(core::mem::take)
            .unwrap_or_default()
    }

    pub(crate) fn stop_deferring(&mut self) {
        self.deferred = None;
    }

    /// Accepts a device's submission at the log's time `log_ts` (never
    /// before the last leaf's). The same entry again is answered with its
    /// leaf, not appended twice. On error nothing changes.
    pub fn submit(&mut self, bytes: &[u8], log_ts: u64) -> Result<Submitted, SubmitError> {
        let entry = DeviceEntry::parse(bytes)?;
        if let Some(&index) = self.by_hash.get(&entry.hash) {
            return Ok(Submitted {
                index,
                new: false,
                leaf: self.leaf(index).unwrap_or_default(),
            });
        }
        let leaf = Leaf {
            index: self.len(),
            log_ts_ms: log_ts.max(self.last_log_ts),
            entry,
        };
        let bytes = leaf.to_bytes();
        self.admit(leaf)?;
        self.tree.push(&bytes);
        Ok(Submitted {
            index: self.len() - 1,
            new: true,
            leaf: bytes,
        })
    }

    /// Every check of a leaf, then its effect: the one decision of both the
    /// log and every replay. Long because it reads as the list of checks
    /// the wire-format chapter gives, in that order.
    fn admit(&mut self, leaf: Leaf) -> Result<(), SubmitError> {
        let Leaf {
            index,
            log_ts_ms: log_ts,
            entry,
        } = leaf;
        if index >= limits::MAX_ENTRIES {
            return Err(SubmitError::Full);
        }
        if index > 0 && &entry.ledger != self.ledger.id() {
            return Err(SubmitError::WrongLedger(entry.ledger.to_string()));
        }
        if entry.ts_ms > log_ts.saturating_add(MAX_CLOCK_AHEAD_MS) {
            return Err(SubmitError::ClockAhead {
                ts_ms: entry.ts_ms,
                log_ts_ms: log_ts,
            });
        }
        self.check_device_chain(&entry)?;
        self.check_settings(&entry)?;
        let late = log_ts > entry.ts_ms.saturating_add(ONLINE_WITHIN_MS);
        let late_run = if late {
            self.check_late(&entry, log_ts)?
        } else {
            0
        };
        let key = match (&entry.body, index) {
            (Body::Genesis { admin_key, .. }, 0) => *admin_key,
            _ => self
                .ledger
                .state
                .actor(entry.actor.as_str())
                .map(|a| a.pubkey)
                .ok_or_else(|| crate::error::RuleError::UnknownActor(entry.actor.clone()))?,
        };
        match self.point_of(&key) {
            Some(point) if self.deferred.is_some() => {
                if let Some(pending) = self.deferred.as_mut() {
                    pending.push(Pending {
                        index,
                        key: key.0,
                        point,
                        hash: entry.hash.0,
                        sig: entry.sig,
                    });
                }
            }
            Some(point) if crate::signature::verify(&point, &key.0, &entry.hash.0, &entry.sig) => {}
            _ => return Err(SubmitError::BadSignature),
        }
        if let Body::Redeem { request_id, .. } = &entry.body
            && let Some(&seq) = self.ledger.state.request_ids.get(request_id)
        {
            return Err(crate::error::RuleError::RequestIdConflict(Seq(u64::from(seq))).into());
        }
        let DeviceEntry {
            actor,
            dev_seq,
            dev_prev,
            ts_ms,
            body,
            log,
            policy,
            hash,
            sig,
            ..
        } = entry;
        let as_v1 = Entry {
            seq: Seq(index),
            ts_ms: log_ts,
            prev: dev_prev,
            actor,
            body,
            hash,
            sig,
        };
        let effect = self
            .ledger
            .state
            .check_as(&as_v1, &self.ledger.entries, late)?;
        let outcomes = self.outcomes_of(&as_v1.body, &effect);
        if let (
            true,
            Body::Redeem {
                resident, points, ..
            },
        ) = (late, &as_v1.body)
        {
            let day = local_day(log_ts, self.ledger.utc_offset_minutes());
            let spent = self.late_spent.entry((resident.clone(), day)).or_default();
            *spent = spent.plus(*points);
        }
        let head = DeviceHead {
            dev_seq,
            hash,
            index,
            late_run,
        };
        match self.devices.get_mut(&as_v1.actor) {
            Some(slot) => *slot = head,
            None => _ = self.devices.insert(as_v1.actor.clone(), head),
        }
        self.ledger.push_verified(as_v1, effect);
        self.outcomes
            .extend(outcomes.into_iter().map(|outcome| (index, outcome)));
        if let Some(named) = log {
            self.named = Some(named.clone());
            self.namings.push((index, named));
        }
        if let Some(policy) = policy {
            self.policy = Some(policy);
            self.policies.push((index, policy));
        }
        self.device_parts.push((dev_seq, ts_ms));
        self.by_hash.insert(hash, index);
        self.last_log_ts = log_ts;
        Ok(())
    }

    /// A device's entries in the log count up; one that follows its last
    /// directly names that one's hash. A counter used again is a fork (the
    /// device signed two entries as one); a gap is allowed (an entry the
    /// log refused, or one the device lost) and shows.
    fn check_device_chain(&self, entry: &DeviceEntry) -> Result<(), SubmitError> {
        let Some(head) = self.devices.get(&entry.actor) else {
            return Ok(());
        };
        if entry.dev_seq <= head.dev_seq {
            return Err(SubmitError::Fork {
                dev_seq: entry.dev_seq,
                last_dev_seq: head.dev_seq,
                last_index: head.index,
            });
        }
        if entry.dev_seq == head.dev_seq + 1 && entry.dev_prev != head.hash {
            return Err(SubmitError::ChainBroken {
                dev_seq: entry.dev_seq,
            });
        }
        Ok(())
    }

    /// The first v2 entry names the log; later, an admin may name a new
    /// key under the same origin, or set the offline policy. Nobody else
    /// sets either.
    fn check_settings(&self, entry: &DeviceEntry) -> Result<(), SubmitError> {
        if entry.log.is_none() && self.named.is_none() {
            return Err(SubmitError::LogNotNamed);
        }
        if entry.log.is_none() && entry.policy.is_none() {
            return Ok(());
        }
        if let Some(named) = &entry.log {
            crate::signature::check_key(&named.key.0)
                .map_err(|problem| SubmitError::LogKey(crate::tlog::TlogError::WeakKey(problem)))?;
            if let Some(current) = &self.named
                && current.origin != named.origin
            {
                return Err(SubmitError::OriginChanged(named.origin.clone()));
            }
        }
        let is_admin = match &entry.body {
            Body::Genesis { admin_id, .. } => admin_id == &entry.actor && self.is_empty(),
            _ => self
                .ledger
                .state
                .actor(entry.actor.as_str())
                .is_some_and(|a| a.role == Role::Admin),
        };
        if !is_admin {
            return Err(SubmitError::NamedByNonAdmin(entry.actor.clone()));
        }
        Ok(())
    }

    /// The offline policy's bounds on a late entry: there is a policy, the
    /// entry is within its upload deadline, the device's queue within its
    /// length, and a redeem within its amounts. Returns the device's run
    /// of late entries with this one.
    fn check_late(&self, entry: &DeviceEntry, log_ts: u64) -> Result<u32, SubmitError> {
        let late_by = log_ts.saturating_sub(entry.ts_ms);
        let policy = self.policy.ok_or(SubmitError::OfflineNotAllowed {
            minutes: late_by / 60_000,
        })?;
        if late_by > u64::from(policy.upload_within_hours) * 3_600_000 {
            return Err(SubmitError::TooLate {
                hours: late_by / 3_600_000,
                within: policy.upload_within_hours,
            });
        }
        let run = self.devices.get(&entry.actor).map_or(0, |h| h.late_run) + 1;
        if run > policy.max_queued {
            return Err(SubmitError::QueueTooLong {
                max: policy.max_queued,
            });
        }
        if let Body::Redeem {
            resident, points, ..
        } = &entry.body
        {
            if *points > policy.max_points {
                return Err(SubmitError::OfflineLimit {
                    points: *points,
                    max: policy.max_points,
                });
            }
            let day = local_day(log_ts, self.ledger.utc_offset_minutes());
            let spent = self
                .late_spent
                .get(&(resident.clone(), day))
                .copied()
                .unwrap_or_default();
            if spent.plus(*points) > policy.max_points_per_day {
                return Err(SubmitError::OfflineDayLimit {
                    spent,
                    points: *points,
                    max: policy.max_points_per_day,
                });
            }
        }
        Ok(run)
    }

    /// What a late entry's effect does beyond an online one's.
    fn outcomes_of(&self, body: &Body, effect: &crate::state::Effect) -> Vec<Outcome> {
        let state = &self.ledger.state;
        let mut found = Vec::new();
        match (body, effect) {
            (
                Body::Redeem {
                    resident, reward, ..
                },
                crate::state::Effect::Redeem {
                    points,
                    qty,
                    late: true,
                    ..
                },
            ) => {
                if let Some(record) = state.resident(resident.as_str())
                    && let Some(short) = points.minus(record.balance).filter(|p| !p.is_zero())
                {
                    found.push(Outcome::Debt {
                        resident: resident.clone(),
                        owed: record.debt.plus(short),
                    });
                }
                if let Some(record) = state.reward(reward.as_str()) {
                    let short = i64::from(*qty) - record.stock;
                    if short > 0 {
                        found.push(Outcome::StockShort {
                            reward: reward.clone(),
                            short,
                        });
                    }
                }
            }
            (Body::Earn { points: asked, .. }, crate::state::Effect::Earn { points, .. })
                if points != asked =>
            {
                found.push(Outcome::Capped {
                    counted: *points,
                    asked: *asked,
                });
            }
            _ => {}
        }
        found
    }

    /// What late entries did beyond an online entry's effect (debt, stock
    /// short, an earn capped), by leaf index.
    pub fn outcomes(&self) -> &[(u64, Outcome)] {
        &self.outcomes
    }

    /// The offline policy in force, if the ledger set one.
    pub fn policy(&self) -> Option<&OfflinePolicy> {
        self.policy.as_ref()
    }

    /// The key's point, checked once per key.
    fn point_of(&mut self, key: &PublicKey) -> Option<EdwardsPoint> {
        if let Some(point) = self.points.get(&key.0) {
            return Some(*point);
        }
        let point = crate::signature::check_key(&key.0).ok()?;
        self.points.insert(key.0, point);
        Some(point)
    }

    /// How many leaves.
    pub fn len(&self) -> u64 {
        self.tree.len()
    }

    /// Whether it has none (never, once started).
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The ledger the leaves make (balances, history, quotes), its seq
    /// being the leaf index.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger, without the log around it.
    pub fn into_ledger(self) -> Ledger {
        self.ledger
    }

    /// Where the log stands now, to come back to with [`Log::rollback`]: a
    /// device applies its own entries ahead of the log's answer, and takes
    /// them back when the log's leaves come. It copies the state, not the
    /// leaves.
    pub fn mark(&self) -> LogMark {
        LogMark {
            ledger: self.ledger.checkpoint(),
            len: self.len(),
            devices: self.devices.clone(),
            late_spent: self.late_spent.clone(),
            named: self.named.clone(),
            policy: self.policy,
            last_log_ts: self.last_log_ts,
        }
    }

    /// Undoes every leaf added since `mark`; false (nothing changed) when
    /// the mark is not of this log's past.
    #[must_use = "false means nothing was undone"]
    pub fn rollback(&mut self, mark: LogMark) -> bool {
        let len = mark.len;
        let Ok(from) = usize::try_from(len) else {
            return false;
        };
        if len > self.len() || len < self.v1_leaves {
            return false;
        }
        let dropped: Vec<EntryHash> = self.ledger.entries()
            [from.min(self.ledger.entries().len())..]
            .iter()
            .map(|entry| entry.hash)
            .collect();
        if !self.ledger.rollback(mark.ledger) {
            return false;
        }
        for hash in dropped {
            self.by_hash.remove(&hash);
        }
        self.tree.truncate(len);
        self.device_parts
            .truncate(usize::try_from(len - self.v1_leaves).unwrap_or(usize::MAX));
        self.namings.retain(|(i, _)| *i < len);
        self.policies.retain(|(i, _)| *i < len);
        self.outcomes.retain(|(i, _)| *i < len);
        self.devices = mark.devices;
        self.late_spent = mark.late_spent;
        self.named = mark.named;
        self.policy = mark.policy;
        self.last_log_ts = mark.last_log_ts;
        true
    }

    /// Splits the log into its ledger and the rest, so that an app can
    /// keep the ledger where its screens read it; [`Log::join`] puts them
    /// back together.
    pub fn split(mut self) -> (Ledger, LogParts) {
        let empty = Ledger::empty(self.ledger.id().clone(), self.ledger.name().clone());
        let ledger = core::mem::replace(&mut self.ledger, empty);
        let head = ledger.head();
        (ledger, LogParts { log: self, head })
    }

    /// The log again from [`Log::split`]'s parts; they are given back when
    /// the ledger is not the one split off (it changed since).
    pub fn join(ledger: Ledger, parts: LogParts) -> Result<Log, Box<(Ledger, LogParts)>> {
        if ledger.head() != parts.head || ledger.len() != parts.log.len() {
            return Err(Box::new((ledger, parts)));
        }
        let mut log = parts.log;
        log.ledger = ledger;
        Ok(log)
    }

    /// The tree of the leaves.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The log as the ledger names it, once it does.
    pub fn named(&self) -> Option<&LogKey> {
        self.named.as_ref()
    }

    /// How many leaves are v1 lines (a migrated ledger's history).
    pub fn v1_leaves(&self) -> u64 {
        self.v1_leaves
    }

    /// The next counter and previous hash for a device's next entry.
    pub fn device_next(&self, actor: &ActorId) -> (u64, EntryHash) {
        self.devices
            .get(actor)
            .map_or((0, EntryHash::ZERO), |h| (h.dev_seq + 1, h.hash))
    }

    /// Leaf `index`'s bytes, written again from what was accepted.
    pub fn leaf(&self, index: u64) -> Option<Vec<u8>> {
        if index < self.v1_leaves {
            return self.ledger.line(Seq(index)).map(String::into_bytes);
        }
        let entry = self.ledger.entry(Seq(index))?;
        let at = usize::try_from(index - self.v1_leaves).ok()?;
        let &(dev_seq, ts_ms) = self.device_parts.get(at)?;
        let log = self
            .namings
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, named)| named.clone());
        let policy = self
            .policies
            .iter()
            .find(|(i, _)| *i == index)
            .map(|&(_, policy)| policy);
        let leaf = Leaf {
            index,
            log_ts_ms: entry.ts_ms,
            entry: DeviceEntry {
                ledger: self.ledger.id().clone(),
                actor: entry.actor.clone(),
                dev_seq,
                dev_prev: entry.prev,
                ts_ms,
                body: entry.body.clone(),
                log,
                policy,
                hash: entry.hash,
                sig: entry.sig,
            },
        };
        Some(leaf.to_bytes())
    }

    /// The checkpoint of the whole tree (unsigned).
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        let named = self.named.as_ref()?;
        Some(Checkpoint {
            origin: named.origin.clone(),
            size: self.len(),
            root: self.tree.root(),
            extensions: Vec::new(),
        })
    }

    /// The checkpoint signed with the log's key, which must be the key the
    /// ledger names.
    pub fn sign_checkpoint(&self, key: &SigningKey) -> Result<Note, SubmitError> {
        let named = self.named.as_ref().ok_or(SubmitError::LogNotNamed)?;
        if key.verifying_key().to_bytes() != named.key.0 {
            return Err(SubmitError::NotTheLogKey);
        }
        let checkpoint = self.checkpoint().ok_or(SubmitError::LogNotNamed)?;
        tlog::sign_checkpoint(&checkpoint, key).map_err(SubmitError::LogKey)
    }

    /// The verifier of the log's checkpoints.
    pub fn verifier(&self) -> Option<NoteVerifier> {
        let named = self.named.as_ref()?;
        NoteVerifier::new(&named.origin, KeyKind::Ed25519, named.key.0).ok()
    }

    /// Checks a signed checkpoint against this log: signed by its key, of
    /// a size it has, with the root its tree has at that size.
    pub fn check_checkpoint(&self, note: &[u8]) -> Result<Checkpoint, tlog::TlogError> {
        let verifier = self.verifier().ok_or(tlog::TlogError::NotSigned)?;
        let (checkpoint, _) = Checkpoint::open(note, &verifier)?;
        match self.tree.root_at(checkpoint.size) {
            Some(root) if root == checkpoint.root => Ok(checkpoint),
            Some(_) => Err(tlog::TlogError::ProofDoesNotHold),
            None => Err(tlog::TlogError::IndexBeyondSize {
                index: checkpoint.size,
                size: self.len(),
            }),
        }
    }

    /// A receipt for leaf `index` under a signed checkpoint of this log.
    pub fn receipt(&self, index: u64, note: &[u8]) -> Result<TlogProof, tlog::TlogError> {
        let checkpoint = self.check_checkpoint(note)?;
        let proof = self.tree.inclusion_proof(index, checkpoint.size).ok_or(
            tlog::TlogError::IndexBeyondSize {
                index,
                size: checkpoint.size,
            },
        )?;
        Ok(TlogProof {
            extra: None,
            index,
            proof,
            checkpoint: note.to_vec(),
        })
    }
}
