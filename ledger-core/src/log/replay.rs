//! A log's replay with its signatures checked in batches, sans I/O: leaves
//! go in, batches of signatures come out for the caller to check on any
//! thread (or here, inline), and one verdict comes out, the first leaf
//! that does not hold, whether a rule or a signature stopped it.

use curve25519_dalek::edwards::EdwardsPoint;

use super::community::Log;
use super::error::{LogError, LogProblem, SubmitError};
use crate::signature::{self, Batch};

/// Signatures per batch (as v1's [`crate::verify::SIGNATURE_BATCH`]).
pub const LOG_SIGNATURE_BATCH: usize = 512;

/// One signature a replay still has to check.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) index: u64,
    pub(crate) key: [u8; 32],
    pub(crate) point: EdwardsPoint,
    pub(crate) hash: [u8; 32],
    pub(crate) sig: [u8; 64],
}

/// A batch of leaves' signatures, to check anywhere.
#[derive(Debug, Clone, Default)]
pub struct LeafSignatures(pub(crate) Vec<Pending>);

impl LeafSignatures {
    /// The index of the first leaf whose signature does not hold, if any:
    /// the batch at once (each key's terms summed), then, if it fails, one
    /// by one with the same equation.
    pub fn first_bad(&self) -> Option<u64> {
        let mut batch = Batch::new();
        let mut keys: Vec<[u8; 32]> = Vec::new();
        for pending in &self.0 {
            let key = match keys.iter().position(|k| *k == pending.key) {
                Some(at) => at as u32,
                None => {
                    keys.push(pending.key);
                    batch.add_key(pending.key, pending.point)
                }
            };
            batch.push(key, &pending.hash, &pending.sig);
        }
        if batch.holds() {
            return None;
        }
        self.0
            .iter()
            .find(|p| !signature::verify(&p.point, &p.key, &p.hash, &p.sig))
            .map(|p| p.index)
    }

    /// How many signatures.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

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
        if self.stopped.is_some() {
            return false;
        }
        if self.log.is_none() && !bytes.starts_with(b"{\"entry\":") {
            self.v1.extend_from_slice(bytes);
            self.v1.push(b'\n');
            return true;
        }
        if let Err(error) = self.push_v2(bytes) {
            self.stopped = Some(error);
            return false;
        }
        true
    }

    fn push_v2(&mut self, bytes: &[u8]) -> Result<(), LogError> {
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
                log.replay_leaf(bytes)?;
                self.log = Some(log);
                return Ok(());
            }
        };
        log.replay_leaf(bytes)?;
        if log.pending_len() >= LOG_SIGNATURE_BATCH {
            self.ready.push(LeafSignatures(log.take_pending()));
        }
        Ok(())
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
