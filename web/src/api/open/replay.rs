//! The page's replay of lines, in slices between paints, its signatures
//! handed to the workers and a worker's hash check awaited.

use ledger_core::verify::{Share, split_lines};
use ledger_core::{Ledger, Seq, VerifyError, VerifyErrorKind};

use core::future::Future;
use core::pin::Pin;

use super::timers::{SLICE_MS, breathe, mark};
use super::workers::{HashCheck, PendingSignatures, WORKER_BATCH};

/// A boxed future: one copy of its code in the bundle, however many
/// callers await it.
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Replays `lines` (onto `start` if given): format, hash, chain and rules
/// here, in slices with `progress(done, total)`; the signatures go to the
/// workers. With `hashes`, a worker checks the lines' SHA-256 meanwhile,
/// and the page waits for it. On a bad line, the first
/// error in seq order (a bad signature or form before it counts).
///
/// Boxed: one copy of this loop in the bundle, however many callers it
/// has.
pub(super) fn replay<'f>(
    start: Option<Ledger>,
    lines: &'f [&'f [u8]],
    total: u64,
    incomplete: Option<u64>,
    hashes: Option<HashCheck>,
    signatures: PendingSignatures,
    progress: &'f dyn Fn(u64, u64),
) -> Boxed<'f, Result<(Ledger, PendingSignatures), VerifyError>> {
    Box::pin(replay_inner(
        start, lines, total, incomplete, hashes, signatures, progress,
    ))
}

pub(super) async fn replay_inner(
    start: Option<Ledger>,
    lines: &[&[u8]],
    total: u64,
    incomplete: Option<u64>,
    hashes: Option<HashCheck>,
    pending: PendingSignatures,
    progress: &dyn Fn(u64, u64),
) -> Result<(Ledger, PendingSignatures), VerifyError> {
    let share = hashes.as_ref().map(|hashes| hashes.share);
    let mut run = Replay::new(start, lines.len(), share, pending);
    let report = |done| progress(done, total);
    run.push(&mut lines.iter().copied(), &report).await;
    run.finish(lines, incomplete, hashes, &report).await
}

/// A replay under way on the page: lines go in as they come
/// ([`Replay::push`]), in slices between paints, their signatures out to
/// the workers; [`Replay::finish`] gives the ledger, or the first error in
/// seq order. The merge of what the page, the hash worker and the
/// signature workers found is the core's ([`ledger_core::Replay`]).
pub(super) struct Replay {
    core: ledger_core::Replay,
    pending: PendingSignatures,
    first: u64,
    since: f64,
}

impl Replay {
    /// Onto `start` if given, with room for `lines` (a hint); the SHA-256
    /// of the lines `share` leaves to a worker are not checked here.
    pub(super) fn new(
        start: Option<Ledger>,
        lines: usize,
        share: Option<Share>,
        pending: PendingSignatures,
    ) -> Replay {
        let mut core = start.map_or_else(ledger_core::Replay::new, ledger_core::Replay::resume);
        core.expect_lines(lines);
        if let Some(share) = share {
            core = core.sharing(share);
        }
        Replay {
            first: core.count(),
            core,
            pending,
            since: js_sys::Date::now(),
        }
    }

    /// Makes room for `lines` more entries at once (a hint).
    pub(super) fn expect_lines(&mut self, lines: usize) {
        self.core.expect_lines(lines);
    }

    /// Lines replayed so far.
    pub(super) fn done(&self) -> u64 {
        self.core.count() - self.first
    }

    /// Replays the next `lines` (format, hash, chain and rules; the
    /// signatures go to the workers), letting the page paint with
    /// `progress(done)` every [`SLICE_MS`]. After a bad line, nothing more.
    pub(super) async fn push(
        &mut self,
        lines: &mut dyn Iterator<Item = &[u8]>,
        progress: &dyn Fn(u64),
    ) {
        for line in lines {
            if !self.core.push_line(line) {
                return;
            }
            if let Some(batch) = self.core.take_batch(WORKER_BATCH) {
                self.pending.submit(batch);
            }
            if self.core.count().is_multiple_of(256) && js_sys::Date::now() - self.since > SLICE_MS
            {
                progress(self.done());
                breathe().await;
                self.since = js_sys::Date::now();
            }
        }
    }

    /// Ends the replay of `lines` (all of them, numbered from where it
    /// started; `incomplete`: the index of a last line without its
    /// newline): waits for the worker's `hashes`, then gives the ledger
    /// (its signatures still out), or the first error in seq order (for
    /// which every signature answer is awaited: one may be earlier).
    pub(super) async fn finish(
        mut self,
        lines: &[&[u8]],
        incomplete: Option<u64>,
        hashes: Option<HashCheck>,
        progress: &dyn Fn(u64),
    ) -> Result<(Ledger, PendingSignatures), VerifyError> {
        let first = self.first;
        let done = self.done();
        mark("jifen:replayed");
        if let Some(hashes) = hashes {
            let answer = hashes.finish(lines, first).await;
            self.core.hashes_checked(answer.map(|()| done));
        }
        if let Some(batch) = self.core.take_batch(1) {
            self.pending.submit(batch);
        }
        if incomplete.is_some() {
            self.core.incomplete_last_line();
        }
        if self.core.refused() {
            let answer = self.pending.finish(&|_, _| {}).await;
            self.core.signatures_checked(answer);
            // A refused replay's verdict is an error, the earliest of all.
            return Err(match self.core.finish() {
                Err(error) => error,
                Ok(_) => VerifyError {
                    seq: Seq(first),
                    kind: VerifyErrorKind::Empty,
                },
            });
        }
        let (ledger, _) = self.core.finish()?;
        mark("jifen:checked");
        progress(done);
        Ok((ledger, self.pending))
    }
}

/// Replays a whole ledger file (an import), its hashes checked in a worker.
pub(crate) async fn replay_file(
    bytes: &[u8],
    progress: &dyn Fn(u64, u64),
) -> Result<(Ledger, PendingSignatures), VerifyError> {
    let hashes = HashCheck::start_one(bytes);
    let (lines, incomplete) = split_lines(bytes);
    let lines: Vec<&[u8]> = lines.collect();
    let total = lines.len() as u64;
    let signatures = PendingSignatures::default();
    replay(
        None,
        &lines,
        total,
        incomplete,
        Some(hashes),
        signatures,
        progress,
    )
    .await
}

/// The lines of a verified file as text, for IndexedDB. A verified line is
/// UTF-8 (the JSON parser checked it).
pub(crate) fn owned_lines(bytes: &[u8]) -> Vec<String> {
    split_lines(bytes)
        .0
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect()
}
