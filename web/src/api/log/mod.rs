//! Following a community's log (`?log=logs/<name>/`), as a phone does:
//! the signed checkpoint is checked against the witness policy the
//! notice board's QR code carries (`&policy=`, kept once read); a first
//! visit takes the leaves in bulk and checks that they make the
//! checkpoint's root, and every later visit fetches only the entry
//! bundles with new leaves, which must extend the stored copy exactly.
//! A log that rewrote its history is refused loudly, naming the first
//! leaf that differs (found through the hash tiles), and the copy is kept.
//! Every leaf is replayed with every rule; the signatures are checked in
//! the app's Web Workers while the balances are already shown.

mod receipt;
mod remote;
mod signatures;
mod writes;

use ledger_core::log::{LogError, LogParts, LogReplay};
use ledger_core::tlog::{self, Checkpoint, FollowError, Policy, TlogError, Witnessed};
use ledger_core::{Lang, Ledger};

use super::open::sleep;
use super::{DATABASE, Device, LoadError};
use crate::store::{Store, StoreError};
pub use receipt::{CheckedReceipt, check_receipt};
pub use remote::page_param;
use remote::{Fetched, fetch_checkpoint, fetch_leaves, fetch_new_leaves};
pub use signatures::{PendingLeaves, check_leaf_signatures};
pub use writes::{
    Answer, LogReceipt, Outbox, Queued, Written, offline_refusal, send, stored_queue, unqueue,
    write_many_to_log, write_to_log,
};

/// Leaves to store: the first one's index, and each.
pub type ToStore = (u64, Vec<String>);

/// The device store's records for a followed log.
const POLICY: &str = "log.policy";
const CHECKPOINT: &str = "log.checkpoint";

/// Where the log is, and the policy to trust it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    /// The log's address, ending in `/` (its `checkpoint`, `tile/…` and
    /// `entries` are beside it).
    pub base: String,
    /// The C2SP tlog-policy from the page's address (the notice board's
    /// QR code), if it carries one.
    pub policy: Option<Vec<u8>>,
}

impl LogSource {
    /// From the page's address: `?log=URL` and, optionally,
    /// `&policy=` (the policy file in base64).
    pub fn from_page() -> Option<LogSource> {
        let mut base = page_param("log")?;
        if !base.ends_with('/') {
            base.push('/');
        }
        let policy = page_param("policy").and_then(|text| tlog::base64_decode(&text));
        Some(LogSource { base, policy })
    }
}

/// How far the witnesses vouch for the checkpoint shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witnessing {
    /// The checkpoint's size.
    pub size: u64,
    /// Witnesses whose cosignature holds.
    pub cosigned: usize,
    /// Witnesses the policy names.
    pub witnesses: usize,
    /// Whether they make the policy's quorum.
    pub quorum: bool,
}

/// The log a device follows: what is kept beside the ledger.
pub struct FollowedLog {
    /// The log without its ledger (tree, devices, offline policy).
    pub parts: LogParts,
    /// The policy it is trusted by.
    pub policy: Policy,
    /// The last checkpoint accepted (the signed note).
    pub note: Vec<u8>,
    /// What it says.
    pub checkpoint: Checkpoint,
    /// How far it is witnessed.
    pub witnessing: Witnessing,
    /// Where it is.
    pub base: String,
    /// This device's entries on their way to it.
    pub outbox: Outbox,
}

/// What following the log found, beside the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogNotice {
    /// New leaves were added.
    Updated {
        /// How many.
        new: u64,
    },
    /// The log could not be reached; the stored copy is shown.
    Unreachable(String),
    /// The log's checkpoint does not hold under the policy (not signed by
    /// the log, a witness's cosignature forged, …): refused.
    BadCheckpoint(TlogError),
    /// The log's history is not the stored copy's from this leaf on.
    Rewritten {
        /// The first leaf that differs.
        index: u64,
    },
    /// The log now has fewer leaves than the copy.
    Shrank {
        /// Leaves in the copy.
        had: u64,
        /// Leaves the checkpoint says.
        now: u64,
    },
    /// A new leaf does not hold (a rule or a signature): refused.
    Invalid(LogError),
    /// The new leaves held but the browser did not store them.
    NotStored(StoreError),
}

impl LogNotice {
    /// Whether it is an alarm (the log is not to be trusted) rather than a
    /// passing condition.
    pub fn alarm(&self) -> bool {
        matches!(
            self,
            LogNotice::BadCheckpoint(_)
                | LogNotice::Rewritten { .. }
                | LogNotice::Shrank { .. }
                | LogNotice::Invalid(_)
        )
    }

    /// The sentence in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let kept = lang.pick(
            "。已拒绝，本机保留原来的副本。",
            ". Refused; this device keeps its copy.",
        );
        match self {
            LogNotice::Updated { new } => match lang {
                Lang::Zh => format!("已从社区日志取得 {new} 条新记录，均已核对"),
                Lang::En => format!("{new} new entries from the community's log, all checked"),
            },
            LogNotice::Unreachable(reason) => match lang {
                Lang::Zh => format!("连不上社区日志，显示本机保存的副本：{reason}"),
                Lang::En => format!(
                    "the community's log cannot be reached; showing this device's copy: {reason}"
                ),
            },
            LogNotice::BadCheckpoint(error) => match lang {
                Lang::Zh => format!("社区日志的检查点不可信：{}{kept}", error.message(lang)),
                Lang::En => format!(
                    "the log's checkpoint does not hold: {}{kept}",
                    error.message(lang)
                ),
            },
            LogNotice::Rewritten { index } => match lang {
                Lang::Zh => {
                    format!("警告：社区日志改写了历史，从第 {index} 条起与本机保存的记录不同{kept}")
                }
                Lang::En => format!(
                    "Warning: the community's log rewrote its history: from leaf {index} on it differs from this device's copy{kept}"
                ),
            },
            LogNotice::Shrank { had, now } => match lang {
                Lang::Zh => {
                    format!("警告：社区日志只剩 {now} 条，本机已有 {had} 条：日志删改了历史{kept}")
                }
                Lang::En => format!(
                    "Warning: the community's log now has {now} leaves where this device has {had}: it removed history{kept}"
                ),
            },
            LogNotice::Invalid(error) => match lang {
                Lang::Zh => format!("社区日志的新记录不成立：{}{kept}", error.message(lang)),
                Lang::En => format!(
                    "a new leaf of the log does not hold: {}{kept}",
                    error.message(lang)
                ),
            },
            LogNotice::NotStored(error) => match lang {
                Lang::Zh => format!("新记录已核对，但浏览器没有保存：{}", error.message(lang)),
                Lang::En => format!(
                    "the new leaves were checked but the browser did not keep them: {}",
                    error.message(lang)
                ),
            },
        }
    }
}

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
    /// Leaves to store once they hold: the first one's index, and each.
    pub to_store: Option<(u64, Vec<String>)>,
    /// What following found.
    pub notice: Option<LogNotice>,
    /// Whether the stored snapshot shown first matches the replay.
    pub summary_matches: Option<bool>,
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
        let mut push = |leaves: &[&[u8]]| {
            for leaf in leaves {
                if !replay.push(leaf) {
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
            to_store: Some((0, leaves)),
            notice: Some(LogNotice::Updated { new: size }),
            summary_matches: None,
        }));
    }
    // A reopen: the stored leaves, then what the log adds to them.
    if let Err(error) = replay_into(&mut replay, &mut pending, &stored.leaves, progress).await {
        return Err(LoadError::Store(StoreError::Browser(
            error.message(Lang::En),
        )));
    }
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
        to_store: (added > 0).then_some((first, new)),
        notice,
        summary_matches,
    }))
}

fn followed(
    parts: LogParts,
    policy: Policy,
    note: Vec<u8>,
    witnessed: Witnessed,
    base: &str,
) -> FollowedLog {
    FollowedLog {
        witnessing: Witnessing {
            size: witnessed.checkpoint.size,
            cosigned: witnessed.cosigned.len(),
            witnesses: policy.witnesses().len(),
            quorum: witnessed.quorum,
        },
        checkpoint: witnessed.checkpoint,
        note,
        policy,
        parts,
        base: base.to_owned(),
        outbox: Outbox::default(),
    }
}

/// The stored leaves, into the replay.
async fn replay_into(
    replay: &mut LogReplay,
    pending: &mut PendingLeaves,
    leaves: &[String],
    progress: &dyn Fn(u64, u64),
) -> Result<(), LogError> {
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
    Ok(())
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
    let _ = replay_into(&mut replay, &mut pending, &stored.leaves, progress).await;
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
    to_store: Option<(u64, Vec<String>)>,
    policy: String,
    note: String,
) -> Result<(), StoreError> {
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

impl FollowedLog {
    /// The policy and note as text, to store.
    pub fn texts(&self) -> (String, String) {
        (
            String::from_utf8_lossy(self.policy.text()).into_owned(),
            String::from_utf8_lossy(&self.note).into_owned(),
        )
    }
}

/// What a later check of the log found (a poll).
pub enum Polled {
    /// Nothing new (or the log unreachable for now).
    Same,
    /// A newer checkpoint, and the leaves it adds (maybe none, when only
    /// its cosignatures are new), checked to extend the copy.
    New {
        /// The signed note.
        note: Vec<u8>,
        /// It, checked against the policy.
        witnessed: Witnessed,
        /// The new leaves.
        leaves: Vec<String>,
    },
    /// The log refused: why.
    Refused(LogNotice),
}

/// Checks the log again: its checkpoint and the new leaves, against a
/// copy of the followed log's tree (the screens keep the ledger meanwhile).
pub async fn poll(base: &str, policy: &Policy, last: &[u8], tree: &tlog::Tree) -> Polled {
    let (note, witnessed) = match fetch_checkpoint(base, policy).await {
        Ok(found) => found,
        Err(LogNotice::Unreachable(_)) => return Polled::Same,
        Err(notice) => return Polled::Refused(notice),
    };
    if note == last {
        return Polled::Same;
    }
    match fetch_new_leaves(base, tree, &witnessed.checkpoint).await {
        Fetched::Leaves(leaves) => Polled::New {
            note,
            witnessed,
            leaves,
        },
        Fetched::Refused(notice) => Polled::Refused(notice),
    }
}

/// Applies what a poll brought, each leaf with every rule and its
/// signature at once (a poll brings a few): the ledger and log back, and
/// the leaves to store from their first index, or why they were refused
/// (leaves before a bad one stay applied in memory; nothing is stored).
pub fn apply(
    ledger: Ledger,
    log: FollowedLog,
    note: Vec<u8>,
    witnessed: Witnessed,
    leaves: Vec<String>,
    now_ms: u64,
) -> (Ledger, FollowedLog, Result<ToStore, LogNotice>) {
    let FollowedLog {
        parts,
        policy,
        base,
        note: old_note,
        checkpoint: old_checkpoint,
        witnessing: old_witnessing,
        mut outbox,
    } = log;
    let mut whole = match ledger_core::log::Log::join(ledger, parts) {
        Ok(whole) => whole,
        Err(back) => {
            let (ledger, parts) = *back;
            let log = FollowedLog {
                parts,
                policy,
                note: old_note,
                checkpoint: old_checkpoint,
                witnessing: old_witnessing,
                base,
                outbox,
            };
            let notice = LogNotice::Unreachable("the copy changed meanwhile".to_owned());
            return (ledger, log, Err(notice));
        }
    };
    // Back to the log's own leaves: this device's entries go on top again.
    if let Some(mark) = outbox.mark.take() {
        let _ = whole.rollback(mark);
    }
    let first = whole.len();
    let queue = core::mem::take(&mut outbox.queue);
    for leaf in &leaves {
        if let Err(error) = whole.follow(leaf.as_bytes()) {
            writes::reapply(&mut whole, &mut outbox, queue, now_ms);
            let (ledger, parts) = whole.split();
            let log = FollowedLog {
                parts,
                policy,
                note: old_note,
                checkpoint: old_checkpoint,
                witnessing: old_witnessing,
                base,
                outbox,
            };
            return (ledger, log, Err(LogNotice::Invalid(error)));
        }
    }
    writes::reapply(&mut whole, &mut outbox, queue, now_ms);
    let (ledger, parts) = whole.split();
    let mut log = followed(parts, policy, note, witnessed, &base);
    log.outbox = outbox;
    (ledger, log, Ok((first, leaves)))
}

/// Keys handed to this device in its address's fragment
/// (`#device=<actor>:<secret hex>,…`, as `cargo xtask serve` prints for a
/// demo kiosk; the fragment never reaches a server): kept in IndexedDB
/// beside any it holds, and taken off the address.
pub async fn keys_from_address() {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok();
    let hash = location
        .as_ref()
        .and_then(|l| js_sys::Reflect::get(l, &"hash".into()).ok())
        .and_then(|h| h.as_string())
        .unwrap_or_default();
    let Some(list) = hash.strip_prefix("#device=") else {
        return;
    };
    let given: Vec<(String, String)> = list
        .split(',')
        .filter_map(|pair| {
            let (actor, secret) = pair.split_once(':')?;
            ledger_core::hex::decode::<32>(secret)?;
            Some((actor.to_owned(), secret.to_owned()))
        })
        .collect();
    if let Ok(store) = Store::open(DATABASE).await {
        let mut keys = store.load_device().await.unwrap_or_default();
        for (actor, secret) in given {
            keys.retain(|(a, _)| *a != actor);
            keys.push((actor, secret));
        }
        let _ = store.save_device(keys).await;
        store.close();
    }
    // From now on this device loads the whole app (index.html reads it).
    if let Ok(storage) = js_sys::Reflect::get(&js_sys::global(), &"localStorage".into())
        && let Ok(set) = js_sys::Reflect::get(&storage, &"setItem".into())
        && let Ok(set) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(set)
    {
        let _ = set.call2(&storage, &"jifen.writer".into(), &"1".into());
    }
    // Off the address, so that a bookmark or a screenshot does not carry it.
    let history = js_sys::Reflect::get(&js_sys::global(), &"history".into()).ok();
    let path = location
        .as_ref()
        .and_then(|l| {
            let path = js_sys::Reflect::get(l, &"pathname".into())
                .ok()?
                .as_string()?;
            let search = js_sys::Reflect::get(l, &"search".into())
                .ok()?
                .as_string()?;
            Some(path + &search)
        })
        .unwrap_or_default();
    if let Some(history) = history
        && let Ok(replace) = js_sys::Reflect::get(&history, &"replaceState".into())
        && let Ok(replace) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(replace)
    {
        let _ = replace.call3(
            &history,
            &wasm_bindgen::JsValue::NULL,
            &"".into(),
            &path.into(),
        );
    }
}

/// Leaf `index`'s receipt from the log (C2SP tlog-proof text, the leaf as
/// its extra data), once a checkpoint covers it.
pub async fn receipt_text(base: &str, index: u64) -> Option<String> {
    let bytes = crate::api::open::fetch_bytes(&format!("{base}receipt/{index}?wait_ms=5000"))
        .await
        .ok()??;
    String::from_utf8(bytes).ok()
}

/// Puts this device's stored queue (entries the log has not answered yet,
/// kept across a closed tab) back on top of the copy.
pub fn requeue(
    ledger: Ledger,
    mut log: FollowedLog,
    queue: Vec<Queued>,
    now_ms: u64,
) -> (Ledger, FollowedLog) {
    if queue.is_empty() {
        return (ledger, log);
    }
    match ledger_core::log::Log::join(ledger, log.parts) {
        Ok(mut whole) => {
            writes::reapply(&mut whole, &mut log.outbox, queue, now_ms);
            let (ledger, parts) = whole.split();
            log.parts = parts;
            (ledger, log)
        }
        Err(back) => {
            let (ledger, parts) = *back;
            log.parts = parts;
            (ledger, log)
        }
    }
}

/// The copy again without the entries the log refused for good: `keep`
/// says which queued entries stay.
pub fn drop_refused(
    ledger: Ledger,
    mut log: FollowedLog,
    keep: &dyn Fn(&Queued) -> bool,
    now_ms: u64,
) -> (Ledger, FollowedLog) {
    let queue: Vec<Queued> = core::mem::take(&mut log.outbox.queue)
        .into_iter()
        .filter(|q| keep(q))
        .collect();
    match ledger_core::log::Log::join(ledger, log.parts) {
        Ok(whole) => {
            let (ledger, parts) = writes::rebuild(whole, &mut log.outbox, queue, now_ms);
            log.parts = parts;
            (ledger, log)
        }
        Err(back) => {
            let (ledger, parts) = *back;
            log.parts = parts;
            log.outbox.queue = queue;
            (ledger, log)
        }
    }
}

impl From<FollowError> for LogNotice {
    fn from(error: FollowError) -> LogNotice {
        match error {
            FollowError::Shrank { had, now } => LogNotice::Shrank { had, now },
            FollowError::Rewritten { index } => LogNotice::Rewritten { index },
            FollowError::RootDiffers => LogNotice::BadCheckpoint(TlogError::ProofDoesNotHold),
            FollowError::Tile(error) => LogNotice::BadCheckpoint(error),
        }
    }
}
