//! Opening a followed log: the stored copy replayed, and what the log adds
//! to it, checked to extend it and to make the signed checkpoint's root;
//! and storing what following added.

use ledger_core::log::{LogParts, LogReplay, Vouched};
use ledger_core::tlog::{self, Checkpoint, Policy, TlogError, Witnessed, read_leaves};
use ledger_core::{Lang, Ledger};

use super::remote::{BULK, Fetched, fetch_checkpoint, fetch_leaves, fetch_new_leaves};
use super::{CHECKPOINT, FollowedLog, LogNotice, LogSource, POLICY, PendingLeaves, followed};
use crate::api::open::sleep;
use crate::api::{DATABASE, Device, LoadError};
use crate::store::{Store, StoreError};

/// A log opened: the ledger shown at once, its signatures still checked.
pub struct LogOpened {
    /// The ledger the leaves make.
    pub ledger: Ledger,
    /// The log around it.
    pub log: FollowedLog,
    /// This device's keys.
    pub device: Device,
    /// Signatures still to check.
    pub signatures: PendingLeaves,
    /// Leaves to store once they hold: the first one's index, and them.
    pub to_store: Option<(u64, Leaves)>,
    /// What following found.
    pub notice: Option<LogNotice>,
    /// Whether the stored snapshot shown first matches the replay.
    pub summary_matches: Option<bool>,
}

/// Leaves to store: as text, or (a first visit) the bundles they came in,
/// read into text only when stored, after the balances are drawn.
pub enum Leaves {
    /// Each leaf.
    Text(Vec<String>),
    /// Bundles as the log serves them (each leaf after its length).
    Bundles(Vec<Vec<u8>>),
}

impl Leaves {
    fn into_text(self) -> Vec<String> {
        match self {
            Leaves::Text(leaves) => leaves,
            Leaves::Bundles(bundles) => bundles
                .iter()
                .flat_map(|bundle| read_leaves(bundle, BULK).unwrap_or_default())
                .map(|leaf| String::from_utf8_lossy(leaf).into_owned())
                .collect(),
        }
    }
}

/// What is stored for a followed log.
struct Stored {
    leaves: Vec<String>,
    device: Device,
    policy: Option<Vec<u8>>,
    note: Option<Vec<u8>>,
}

async fn read_stored() -> Result<Stored, StoreError> {
    let store = Store::open(DATABASE).await?;
    let leaves = store.load().await;
    let keys = store.load_device().await.unwrap_or_default();
    let policy = store.load_text(POLICY).await.unwrap_or_default();
    let note = store.load_text(CHECKPOINT).await.unwrap_or_default();
    store.close();
    Ok(Stored {
        leaves: leaves?,
        device: Device::from_stored(keys),
        policy: policy.map(String::into_bytes),
        note: note.map(String::into_bytes),
    })
}

/// Why a log cannot be opened at all (nothing stored to fall back on).
fn failed(lang_free: String) -> LoadError {
    LoadError::Store(StoreError::Browser(lang_free))
}

/// Opens the followed log: the stored copy replayed, and what the log
/// adds after checking that it extends the copy and makes the signed,
/// witnessed checkpoint's root. `Ok(None)`: nothing stored and no log to
/// reach. Long because it is one sequence: policy, checkpoint, leaves,
/// and the replay they all feed, each step with the stored copy to fall
/// back on.
pub async fn open_log(
    source: &LogSource,
    shown: Option<&ledger_core::Snapshot>,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<LogOpened>, LoadError> {
    let stored = read_stored().await.map_err(LoadError::Store)?;
    let policy_text = source.policy.clone().or(stored.policy.clone());
    let policy = match policy_text.as_deref().map(Policy::parse) {
        Some(Ok(policy)) => policy,
        Some(Err(error)) => return Err(failed(error.message(Lang::En))),
        None => {
            return Err(failed(
                "no witness policy: open the address on the notice board (its QR code) / 没有见证策略：请扫描公告栏上的二维码".to_owned(),
            ));
        }
    };
    let have = stored.leaves.len() as u64;
    let fetched = fetch_checkpoint(&source.base, &policy).await;
    let (note, witnessed) = match fetched {
        Ok(found) => found,
        Err(notice) => {
            if have == 0 {
                return Err(failed(notice.message(Lang::En)));
            }
            // The copy, with the checkpoint it was stored under.
            let kept = stored.note.as_deref().and_then(|n| policy.check(n).ok());
            return keep_copy(stored, policy, kept, Some(notice), shown, progress).await;
        }
    };
    let size = witnessed.checkpoint.size;
    let mut replay = LogReplay::new();
    let mut pending = PendingLeaves::default();
    if have == 0 {
        // A first visit: every leaf, in bulk.
        let mut done = 0u64;
        let mut push = |leaves: &[&[u8]], vouched: &[Vouched]| {
            for (i, leaf) in leaves.iter().enumerate() {
                // Past what the worker vouched for (or without one): read
                // in full, which names the fault.
                if !replay.push_vouched(leaf, vouched.get(i)) {
                    return false;
                }
                while let Some(batch) = replay.take_batch() {
                    pending.hold(batch);
                }
            }
            done += leaves.len() as u64;
            progress(done, size);
            true
        };
        let leaves = fetch_leaves(&source.base, 0, size, &mut push).await;
        let leaves = match leaves {
            Ok(leaves) => leaves,
            Err(reason) => return Err(failed(reason)),
        };
        let log = match replay.finish(None) {
            Ok(log) => log,
            Err(error) => return Err(failed(error.message(Lang::En))),
        };
        if log.len() != size || log.tree().root_at(size) != Some(witnessed.checkpoint.root) {
            return Err(failed(
                LogNotice::BadCheckpoint(TlogError::ProofDoesNotHold).message(Lang::En),
            ));
        }
        let (ledger, parts) = log.split();
        return Ok(Some(LogOpened {
            ledger,
            log: followed(parts, policy, note, witnessed, &source.base),
            device: stored.device,
            signatures: pending,
            to_store: Some((0, Leaves::Bundles(leaves))),
            notice: Some(LogNotice::Updated { new: size }),
            summary_matches: None,
        }));
    }
    // A reopen: the stored leaves, then what the log adds to them.
    // A stored leaf that does not hold stops the replay; `finish` names it.
    replay_into(&mut replay, &mut pending, &stored.leaves, progress).await;
    let tree = match replay.tree() {
        Some(tree) => tree.clone(),
        None => rebuilt_tree(&stored.leaves),
    };
    let new = fetch_new_leaves(&source.base, &tree, &witnessed.checkpoint).await;
    let (new, notice) = match new {
        Fetched::Leaves(new) => (new, None),
        Fetched::Refused(notice) => (Vec::new(), Some(notice)),
    };
    let first = have;
    let mut added = 0;
    for leaf in &new {
        if !replay.push(leaf.as_bytes()) {
            break;
        }
        added += 1;
        while let Some(batch) = replay.take_batch() {
            pending.hold(batch);
        }
    }
    let log = match replay.finish(None) {
        Ok(log) => log,
        // The new leaves were not read far: the copy alone is the answer.
        Err(error) if error.index >= first => {
            let kept = stored.note.as_deref().and_then(|n| policy.check(n).ok());
            let notice = Some(LogNotice::Invalid(error));
            return keep_copy(stored, policy, kept, notice, shown, progress).await;
        }
        Err(error) => {
            return Err(LoadError::Store(StoreError::Browser(
                error.message(Lang::En),
            )));
        }
    };
    if notice.is_some() {
        let kept = stored.note.as_deref().and_then(|n| policy.check(n).ok());
        let (ledger, parts) = log.split();
        return Ok(Some(opened_copy(
            ledger,
            parts,
            stored,
            policy,
            kept,
            notice,
            pending,
            shown,
            &source.base,
        )));
    }
    let summary_matches = shown.map(|s| added == 0 && s.matches(log.ledger()));
    let (ledger, parts) = log.split();
    let notice = (added > 0).then_some(LogNotice::Updated { new: added });
    Ok(Some(LogOpened {
        ledger,
        log: followed(parts, policy, note, witnessed, &source.base),
        device: stored.device,
        signatures: pending,
        to_store: (added > 0).then_some((first, Leaves::Text(new))),
        notice,
        summary_matches,
    }))
}

/// The stored leaves, into the replay.
async fn replay_into(
    replay: &mut LogReplay,
    pending: &mut PendingLeaves,
    leaves: &[String],
    progress: &dyn Fn(u64, u64),
) {
    let total = leaves.len() as u64;
    let mut since = js_sys::Date::now();
    for (i, leaf) in leaves.iter().enumerate() {
        if !replay.push(leaf.as_bytes()) {
            break;
        }
        while let Some(batch) = replay.take_batch() {
            pending.hold(batch);
        }
        if js_sys::Date::now() - since > 40.0 {
            progress(i as u64, total);
            sleep(0.0).await;
            since = js_sys::Date::now();
        }
    }
    progress(total, total);
}

/// A copy of only v1 lines (a migrated ledger not followed further yet):
/// its tree, built here.
fn rebuilt_tree(leaves: &[String]) -> tlog::Tree {
    let mut tree = tlog::Tree::new();
    for leaf in leaves {
        tree.push(leaf.as_bytes());
    }
    tree
}

/// The stored copy alone, replayed, with what following found.
async fn keep_copy(
    stored: Stored,
    policy: Policy,
    kept: Option<Witnessed>,
    notice: Option<LogNotice>,
    shown: Option<&ledger_core::Snapshot>,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<LogOpened>, LoadError> {
    let mut replay = LogReplay::new();
    let mut pending = PendingLeaves::default();
    replay_into(&mut replay, &mut pending, &stored.leaves, progress).await;
    let log = replay
        .finish(None)
        .map_err(|error| LoadError::Store(StoreError::Browser(error.message(Lang::En))))?;
    let (ledger, parts) = log.split();
    let base = LogSource::from_page().map(|s| s.base).unwrap_or_default();
    Ok(Some(opened_copy(
        ledger, parts, stored, policy, kept, notice, pending, shown, &base,
    )))
}

#[allow(clippy::too_many_arguments)]
fn opened_copy(
    ledger: Ledger,
    parts: LogParts,
    stored: Stored,
    policy: Policy,
    kept: Option<Witnessed>,
    notice: Option<LogNotice>,
    pending: PendingLeaves,
    shown: Option<&ledger_core::Snapshot>,
    base: &str,
) -> LogOpened {
    let kept = kept.unwrap_or_else(|| Witnessed {
        checkpoint: Checkpoint {
            origin: parts.named().map(|n| n.origin.clone()).unwrap_or_default(),
            size: parts.tree().len(),
            root: parts.tree().root(),
            extensions: Vec::new(),
        },
        cosigned: Vec::new(),
        quorum: false,
    });
    LogOpened {
        summary_matches: shown.map(|s| s.matches(&ledger)),
        ledger,
        log: followed(parts, policy, stored.note.unwrap_or_default(), kept, base),
        device: stored.device,
        signatures: pending,
        to_store: None,
        notice,
    }
}

/// Stores what following added (once its signatures hold), with the
/// policy and checkpoint it was accepted under.
pub async fn store_log(
    to_store: Option<(u64, Leaves)>,
    policy: String,
    note: String,
) -> Result<(), StoreError> {
    let to_store = to_store.map(|(first, leaves)| (first, leaves.into_text()));
    let store = Store::open(DATABASE).await?;
    let result = async {
        if let Some((first, leaves)) = to_store.filter(|(_, l)| !l.is_empty()) {
            if first == 0 {
                store.replace_all(leaves).await?;
            } else {
                store.append(first, leaves).await?;
            }
        }
        store.save_text(POLICY, &policy).await?;
        store.save_text(CHECKPOINT, &note).await
    }
    .await;
    store.close();
    result
}
