//! Following the log while the page is open: a poll's new checkpoint and
//! leaves, applied beneath this device's own queued entries.

use ledger_core::Ledger;
use ledger_core::tlog::{self, Policy, Witnessed};

use super::remote::{Fetched, fetch_checkpoint, fetch_new_leaves};
use super::writes::{self, Queued};
use super::{FollowedLog, LogNotice, ToStore};

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
    mut log: FollowedLog,
    note: Vec<u8>,
    witnessed: Witnessed,
    leaves: Vec<String>,
    now_ms: u64,
) -> (Ledger, FollowedLog, Result<ToStore, LogNotice>) {
    let mut whole = match ledger_core::log::Log::join(ledger, log.parts) {
        Ok(whole) => whole,
        Err(back) => {
            let (ledger, parts) = *back;
            log.parts = parts;
            let notice = LogNotice::Unreachable("the copy changed meanwhile".to_owned());
            return (ledger, log, Err(notice));
        }
    };
    // Back to the log's own leaves: this device's entries go on top again.
    if let Some(mark) = log.outbox.mark.take() {
        let _ = whole.rollback(mark);
    }
    let first = whole.len();
    let queue = core::mem::take(&mut log.outbox.queue);
    let failed = leaves
        .iter()
        .find_map(|leaf| whole.follow(leaf.as_bytes()).err());
    writes::reapply(&mut whole, &mut log.outbox, queue, now_ms);
    let (ledger, parts) = whole.split();
    log.parts = parts;
    match failed {
        // The leaves before the bad one stay; the checkpoint is the old one.
        Some(error) => (ledger, log, Err(LogNotice::Invalid(error))),
        None => {
            log.accept(note, witnessed);
            (ledger, log, Ok((first, leaves)))
        }
    }
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
