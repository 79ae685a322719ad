//! One replay's verdict, however its work was scheduled. A front end feeds
//! a [`Replay`] the file's lines, takes signature batches from it to check
//! wherever it likes (other threads, Web Workers, or right here), and hands
//! back each batch's answer, the answer of a worker that checked the lines'
//! SHA-256 ([`crate::verify::check_shared`]), and whether the file ended in
//! an incomplete line. [`Replay::finish`] then gives the ledger, or the
//! first bad entry exactly as a line-by-line replay on one thread names it.
//!
//! It does no I/O and starts no thread: the CLI's threads, the web app's
//! workers and the npm package only schedule the work; the merge of what
//! each part found is here, once.

use crate::checks::{SIGNATURE_BATCH, Share, SignatureBatch, Verifier, check_shared, split_lines};
use crate::error::{VerifyError, VerifyErrorKind};
use crate::ledger::Ledger;
use crate::model::Seq;

/// A replay under way: see the module's documentation.
#[derive(Debug, Default)]
pub struct Replay {
    verifier: Verifier,
    /// The first line that did not replay; nothing after it is read.
    line_error: Option<VerifyError>,
    /// Bad signatures and a bad hash reported by the other parts.
    reported: Vec<VerifyError>,
    /// Batches taken and not yet answered.
    outstanding: usize,
    /// The index of a last line without its newline.
    incomplete: Option<u64>,
}

impl Replay {
    /// A replay expecting the genesis.
    pub fn new() -> Replay {
        Replay::default()
    }

    /// Continues a replay from a ledger verified before (a copy a device
    /// stored): the next line must be entry `ledger.len()`.
    pub fn resume(ledger: Ledger) -> Replay {
        Replay {
            verifier: Verifier::resume(ledger),
            ..Replay::default()
        }
    }

    /// Leaves the SHA-256 of the lines `share` names to another part of the
    /// work, which runs [`crate::verify::check_shared`] with the same
    /// `share` and reports with [`Replay::hashes_checked`].
    pub fn sharing(mut self, share: Share) -> Replay {
        self.verifier = self.verifier.sharing(share);
        self
    }

    /// Makes room for `lines` more entries at once (a hint).
    pub fn expect_lines(&mut self, lines: usize) {
        self.verifier.expect_lines(lines);
    }

    /// Lines replayed so far.
    pub fn count(&self) -> u64 {
        self.verifier.count()
    }

    /// The ledger replayed so far (None before the genesis).
    pub fn ledger(&self) -> Option<&Ledger> {
        self.verifier.ledger()
    }

    /// Whether an error is already known before the next line, so that
    /// reading more lines can only find later ones.
    pub fn stopped(&self) -> bool {
        let next = self.count();
        self.line_error.is_some() || self.reported.iter().any(|error| error.seq.0 < next)
    }

    /// Replays the next line (without its newline): format, canonical form,
    /// hash (unless shared), chain and rules; its signature is queued.
    /// Returns whether to go on: false once the replay has stopped.
    pub fn push_line(&mut self, line: &[u8]) -> bool {
        if self.stopped() {
            return false;
        }
        match self.verifier.push_line(line) {
            Ok(()) => !self.stopped(),
            Err(error) => {
                self.line_error = Some(error);
                false
            }
        }
    }

    /// A line refused before it was read (too long to hold): the replay
    /// stops there, with this error at its seq.
    pub fn refuse_line(&mut self, kind: VerifyErrorKind) {
        if self.line_error.is_none() {
            self.line_error = Some(VerifyError {
                seq: Seq(self.count()),
                kind,
            });
        }
    }

    /// The file ends in a line without its newline (a writer that died
    /// mid-line left it): reported after every complete line holds.
    pub fn incomplete_last_line(&mut self) {
        if self.line_error.is_none() {
            self.incomplete = Some(self.count());
        }
    }

    /// The signatures queued, once at least `min` are waiting: check them
    /// anywhere and report with [`Replay::signatures_checked`].
    pub fn take_batch(&mut self, min: usize) -> Option<SignatureBatch> {
        let batch = self.verifier.take_batch(min)?;
        self.outstanding += 1;
        Some(batch)
    }

    /// The answer of [`SignatureBatch::verify`] for a batch taken here.
    pub fn signatures_checked(&mut self, answer: Result<(), VerifyError>) {
        self.outstanding = self.outstanding.saturating_sub(1);
        self.reported.extend(answer.err());
    }

    /// The answer of the other part's [`crate::verify::check_shared`] (the
    /// lines it went through, or the first bad one).
    pub fn hashes_checked(&mut self, answer: Result<u64, VerifyError>) {
        self.reported.extend(answer.err());
    }

    /// Batches taken and not answered yet.
    pub fn outstanding(&self) -> usize {
        self.outstanding
    }

    /// Whether the verdict is already a refusal: a bad line, a bad
    /// signature or hash reported, or an incomplete last line. Answers
    /// still out can then only name an earlier bad entry, so a front end
    /// waits for them before [`Replay::finish`].
    pub fn refused(&self) -> bool {
        self.line_error.is_some() || !self.reported.is_empty() || self.incomplete.is_some()
    }

    /// The verdict, once the hashes are in (when sharing) and, if the
    /// replay is [`refused`](Replay::refused), every batch taken has been
    /// answered: the ledger and the signatures still queued, or the first
    /// bad entry. On an error, the signatures still queued are checked
    /// here, since one of them may be earlier. A ledger given back counts
    /// as verified once the answers of the batches still out (if any: the
    /// web app shows balances before them) all hold too.
    pub fn finish(self) -> Result<(Ledger, SignatureBatch), VerifyError> {
        match self.finish_with_tail()? {
            (ledger, rest, None) => Ok((ledger, rest)),
            (_, _, Some(index)) => Err(VerifyError {
                seq: Seq(index),
                kind: VerifyErrorKind::IncompleteLastLine,
            }),
        }
    }

    /// [`Replay::finish`], but a file whose complete lines all hold and
    /// which ends in an incomplete line gives the ledger of the complete
    /// ones and that line's index, for a writer to cut it off.
    pub fn finish_with_tail(
        mut self,
    ) -> Result<(Ledger, SignatureBatch, Option<u64>), VerifyError> {
        if self.refused() {
            let rest = self.verifier.take_batch(1);
            self.reported
                .extend(rest.and_then(|batch| batch.verify().err()));
        }
        let mut errors = self.reported;
        let replayed = match self.line_error {
            Some(error) => {
                errors.push(error);
                None
            }
            None => match self.verifier.finish() {
                Ok(done) => Some(done),
                // A file of one half-written line is that, not empty.
                Err(_) if self.incomplete.is_some() => {
                    errors.push(VerifyError {
                        seq: Seq(0),
                        kind: VerifyErrorKind::IncompleteLastLine,
                    });
                    None
                }
                Err(error) => {
                    errors.push(error);
                    None
                }
            },
        };
        match (replayed, first_error(errors)) {
            (_, Some(error)) => Err(error),
            (Some((ledger, rest)), None) => Ok((ledger, rest, self.incomplete)),
            (None, None) => unreachable!("a replay without a ledger has an error"),
        }
    }
}

/// Of a rule or format error and signature errors from batches, the one at
/// the lowest seq: that is the first bad entry. Of two at the same seq, the
/// one a line-by-line replay meets first (the line's format before its
/// link, its link before the rules).
pub fn first_error(errors: impl IntoIterator<Item = VerifyError>) -> Option<VerifyError> {
    errors
        .into_iter()
        .min_by_key(|error| (error.seq, check_order(&error.kind)))
}

/// Where in [`Verifier::push_line`]'s checks of one line an error arises.
fn check_order(kind: &VerifyErrorKind) -> u8 {
    match kind {
        VerifyErrorKind::TooManyEntries => 0,
        VerifyErrorKind::Malformed(_) => 1,
        VerifyErrorKind::WrongLedger { .. } => 2,
        VerifyErrorKind::SeqMismatch { .. } => 3,
        VerifyErrorKind::NotCanonical => 4,
        VerifyErrorKind::HashMismatch { .. } => 5,
        VerifyErrorKind::PrevMismatch => 6,
        VerifyErrorKind::Rule(_) | VerifyErrorKind::BadSignature(_) => 7,
        VerifyErrorKind::Empty | VerifyErrorKind::IncompleteLastLine => 8,
    }
}

/// Verifies a file as the web app does a first open, on this thread: the
/// other thread's half ([`check_shared`]) and the replaying thread's half
/// (a [`Replay`] sharing the work as `share` says, signatures in batches),
/// merged by the same [`Replay`] the front ends use. It finds what
/// [`verify_jsonl`] finds: tests and the fuzzer compare them.
pub fn verify_in_two_parts(bytes: &[u8], share: Share) -> Result<Ledger, VerifyError> {
    let mut replay = Replay::new().sharing(share);
    replay.hashes_checked(check_shared(bytes, 0, share));
    replay_here(replay, bytes, |_| {})
}

/// Replays `bytes` with `replay` on this thread, signatures checked in
/// batches of [`SIGNATURE_BATCH`] as they fill, then the rest.
fn replay_here(
    mut replay: Replay,
    bytes: &[u8],
    mut progress: impl FnMut(u64),
) -> Result<Ledger, VerifyError> {
    let (lines, incomplete) = split_lines(bytes);
    for line in lines {
        if !replay.push_line(line) {
            break;
        }
        if let Some(batch) = replay.take_batch(SIGNATURE_BATCH) {
            replay.signatures_checked(batch.verify());
            progress(replay.count());
        }
    }
    if incomplete.is_some() {
        replay.incomplete_last_line();
    }
    let count = replay.count();
    let (ledger, rest) = replay.finish()?;
    rest.verify()?;
    progress(count);
    Ok(ledger)
}

/// Verifies a whole ledger file on this thread: every line, every rule,
/// every signature. Returns the ledger, or the first bad entry.
/// Does not panic, whatever the bytes.
pub fn verify_jsonl(bytes: &[u8]) -> Result<Ledger, VerifyError> {
    verify_jsonl_with_progress(bytes, |_| {})
}

/// [`verify_jsonl`], calling `progress(entries_done)` every few thousand
/// entries so that a screen can show how far it got.
pub fn verify_jsonl_with_progress(
    bytes: &[u8],
    progress: impl FnMut(u64),
) -> Result<Ledger, VerifyError> {
    replay_here(Replay::new(), bytes, progress)
}
