//! A log's replay with its signatures checked in batches, sans I/O: leaves
//! go in, batches of signatures come out for the caller to check on any
//! thread (or here, inline), and one verdict comes out, the first leaf
//! that does not hold, whether a rule or a signature stopped it.

use super::community::Log;
use super::error::{LogError, LogProblem, SubmitError};
use super::signatures::{LOG_SIGNATURE_BATCH, LeafSignatures};

/// A replay in progress.
pub struct LogReplay {
    v1: Vec<u8>,
    log: Option<Log>,
    stopped: Option<LogError>,
    ready: Vec<LeafSignatures>,
}

impl Default for LogReplay {
    fn default() -> Self {
        LogReplay::new()
    }
}

impl LogReplay {
    /// An empty replay.
    pub fn new() -> LogReplay {
        LogReplay {
            v1: Vec::new(),
            log: None,
            stopped: None,
            ready: Vec::new(),
        }
    }

    /// Reads the next leaf (v1 lines first, for a migrated log); false once
    /// a leaf did not hold (later leaves are not read).
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        self.push_vouched(bytes, None)
    }

    /// [`LogReplay::push`], for a leaf a worker vouched for
    /// ([`super::vouch_bundle`]) with its canonical form and hashes taken
    /// from there; `None` reads it in full, as does the first leaf of a log.
    pub fn push_vouched(&mut self, bytes: &[u8], vouched: Option<&super::Vouched>) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        if self.log.is_none() && !bytes.starts_with(b"{\"entry\":") {
            self.v1.extend_from_slice(bytes);
            self.v1.push(b'\n');
            return true;
        }
        if let Err(error) = self.push_v2(bytes, vouched) {
            self.stopped = Some(error);
            return false;
        }
        true
    }

    fn push_v2(&mut self, bytes: &[u8], vouched: Option<&super::Vouched>) -> Result<(), LogError> {
        let log = match self.log.as_mut() {
            Some(log) => log,
            None => {
                let mut log = if self.v1.is_empty() {
                    Log::deferring(Err(bytes))?
                } else {
                    let ledger =
                        crate::replay::verify_jsonl(&self.v1).map_err(|error| LogError {
                            index: error.seq.0,
                            problem: LogProblem::V1(error),
                        })?;
                    self.v1 = Vec::new();
                    Log::deferring(Ok(ledger))?
                };
                log.replay_leaf(bytes, None)?;
                self.log = Some(log);
                return Ok(());
            }
        };
        log.replay_leaf(bytes, vouched)?;
        if log.pending_len() >= LOG_SIGNATURE_BATCH {
            self.ready.push(LeafSignatures(log.take_pending()));
        }
        Ok(())
    }

    /// The tree of the v2 leaves read so far (`None` before the first, or
    /// once one did not hold): what a follower checks new bundles against
    /// before it reads them.
    pub fn tree(&self) -> Option<&crate::tlog::Tree> {
        self.log
            .as_ref()
            .filter(|_| self.stopped.is_none())
            .map(Log::tree)
    }

    /// Leaves read so far, v2 ones (a migrated log's v1 lines are counted
    /// once the first v2 leaf comes).
    pub fn len(&self) -> u64 {
        self.log.as_ref().map_or(0, Log::len)
    }

    /// Whether no v2 leaf was read yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A full batch of signatures to check, once there is one.
    pub fn take_batch(&mut self) -> Option<LeafSignatures> {
        self.ready.pop()
    }

    /// The verdict: the log, or the first leaf that does not hold, given
    /// the first bad signature among the batches taken out (`bad`). The
    /// signatures still here are checked inline.
    pub fn finish(mut self, bad: Option<u64>) -> Result<Log, LogError> {
        let mut bad = bad;
        let mut rest: Vec<LeafSignatures> = core::mem::take(&mut self.ready);
        if let Some(log) = self.log.as_mut() {
            rest.push(LeafSignatures(log.take_pending()));
        }
        for batch in &rest {
            if let Some(index) = batch.first_bad() {
                bad = Some(bad.map_or(index, |b| b.min(index)));
            }
        }
        let signature_error = bad.map(|index| LogError {
            index,
            problem: LogProblem::Submit(SubmitError::BadSignature),
        });
        let first = match (self.stopped, signature_error) {
            (Some(a), Some(b)) => Some(if b.index <= a.index { b } else { a }),
            (a, b) => a.or(b),
        };
        if let Some(error) = first {
            return Err(error);
        }
        if !self.v1.is_empty() && self.log.is_none() {
            let ledger = crate::replay::verify_jsonl(&self.v1).map_err(|error| LogError {
                index: error.seq.0,
                problem: LogProblem::V1(error),
            })?;
            return Ok(Log::migrate(ledger));
        }
        let mut log = self.log.ok_or(LogError {
            index: 0,
            problem: LogProblem::Empty,
        })?;
        log.stop_deferring();
        Ok(log)
    }
}

impl Log {
    /// Replays a whole log from its leaves (v1 lines first, if it was
    /// migrated): every line, hash, signature, device chain and rule, as
    /// the log decided them, the signatures in batches here. The tree is
    /// rebuilt on the way.
    pub fn replay<'a>(leaves: impl IntoIterator<Item = &'a [u8]>) -> Result<Log, LogError> {
        let mut replay = LogReplay::new();
        for leaf in leaves {
            if !replay.push(leaf) {
                break;
            }
        }
        replay.finish(None)
    }
}
