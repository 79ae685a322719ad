//! The page's replay of lines, in slices between paints, its signatures
//! handed to the workers and a worker's hash check awaited.

use ledger_core::verify::{Share, Verifier, first_error, split_lines};
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

/// A replay under way: lines go in as they come ([`Replay::push`]), and
/// [`Replay::finish`] gives the ledger, or the first error in seq order.
pub(super) struct Replay {
    pub(super) verifier: Verifier,
    pub(super) pending: PendingSignatures,
    pub(super) first: u64,
    pub(super) failed: Option<VerifyError>,
    pub(super) since: f64,
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
        let mut verifier = start.map_or_else(Verifier::new, Verifier::resume);
        verifier.expect_lines(lines);
        if let Some(share) = share {
            verifier = verifier.sharing(share);
        }
        Replay {
            first: verifier.count(),
            verifier,
            pending,
            failed: None,
            since: js_sys::Date::now(),
        }
    }

    /// Lines replayed so far.
    pub(super) fn done(&self) -> u64 {
        self.verifier.count() - self.first
    }

    /// Replays the next `lines` (format, hash, chain and rules; the
    /// signatures go to the workers), letting the page paint with
    /// `progress(done)` every [`SLICE_MS`]. After a bad line, nothing more.
    pub(super) async fn push(
        &mut self,
        lines: &mut dyn Iterator<Item = &[u8]>,
        progress: &dyn Fn(u64),
    ) {
        if self.failed.is_some() {
            return;
        }
        for line in lines {
            if let Err(error) = self.verifier.push_line(line) {
                self.failed = Some(error);
                return;
            }
            if let Some(batch) = self.verifier.take_batch(WORKER_BATCH) {
                self.pending.submit(batch);
            }
            if self.verifier.count().is_multiple_of(256)
                && js_sys::Date::now() - self.since > SLICE_MS
            {
                progress(self.done());
                breathe().await;
                self.since = js_sys::Date::now();
            }
        }
    }

    /// Ends the replay of `lines` (all of them, numbered from where it
    /// started; `incomplete`: the index of a last line without its
    /// newline): waits for the worker's `hashes`, then gives the ledger,
    /// or the first error in seq order (a bad signature or form before it
    /// counts).
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
        let bad_hash = match hashes {
            Some(hashes) => hashes.finish(lines, first).await.err(),
            None => None,
        };
        if let Some(batch) = self.verifier.take_batch(1) {
            self.pending.submit(batch);
        }
        let mut failed = self.failed;
        let replayed = match failed {
            Some(_) => None,
            None => match self.verifier.finish() {
                Ok((ledger, _)) => Some(ledger),
                Err(error) => {
                    failed = Some(error);
                    None
                }
            },
        };
        if replayed.is_some()
            && let Some(seq) = incomplete
        {
            failed = Some(VerifyError {
                seq: Seq(seq),
                kind: VerifyErrorKind::IncompleteLastLine,
            });
        }
        match replayed {
            Some(ledger) if failed.is_none() && bad_hash.is_none() => {
                mark("jifen:checked");
                progress(done);
                Ok((ledger, self.pending))
            }
            _ => {
                let bad_signature = self.pending.finish(&|_, _| {}).await.err();
                Err(
                    first_error(failed.into_iter().chain(bad_hash).chain(bad_signature)).unwrap_or(
                        VerifyError {
                            seq: Seq(first),
                            kind: VerifyErrorKind::Empty,
                        },
                    ),
                )
            }
        }
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
