//! Verification: replaying a ledger file line by line. Each line is parsed,
//! re-encoded canonically and compared byte for byte, hashed, linked to the
//! one before, and checked against every rule; signatures are queued and
//! checked in batches, which the caller may run on other threads.
//!
//! The first bad entry is reported with its seq. When signatures run
//! behind, a rule failure at seq k is only final once every batch before k
//! has passed: [`first_error`] picks the earlier of the two.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::entry::{Body, Entry, compute_hash, parse_line};
use crate::error::{RuleError, VerifyError, VerifyErrorKind};
use crate::ledger::Ledger;
use crate::limits;
use crate::model::{ActorId, EntryHash, Head, LedgerId, Seq};

/// The checks that need no state but the previous link: the line parses,
/// belongs to this ledger, has the expected seq, is written canonically,
/// hashes to its `hash`, and names the previous hash as `prev`.
fn check_link(
    line: &[u8],
    seq: Seq,
    ledger: Option<&LedgerId>,
    prev: EntryHash,
    scratch: &mut Vec<u8>,
) -> Result<(LedgerId, Entry), VerifyError> {
    let fail = |kind| VerifyError { seq, kind };
    let (ledger_id, entry) = parse_line(line).map_err(|e| fail(VerifyErrorKind::Malformed(e)))?;
    if let Some(expected) = ledger
        && *expected != ledger_id
    {
        return Err(fail(VerifyErrorKind::WrongLedger {
            expected: expected.to_string(),
        }));
    }
    if entry.seq != seq {
        return Err(fail(VerifyErrorKind::SeqMismatch { found: entry.seq.0 }));
    }
    scratch.clear();
    entry.write_canonical(&ledger_id, true, scratch);
    if scratch.as_slice() != line {
        return Err(fail(VerifyErrorKind::NotCanonical));
    }
    let computed = compute_hash(&entry, &ledger_id, scratch);
    if computed != entry.hash {
        return Err(fail(VerifyErrorKind::HashMismatch { computed }));
    }
    if entry.prev != prev {
        return Err(fail(VerifyErrorKind::PrevMismatch));
    }
    Ok((ledger_id, entry))
}

/// Signatures checked together; large enough to amortise the batch
/// equation, small enough to spread over threads.
pub const SIGNATURE_BATCH: usize = 1024;

/// A queue of signatures to check: `(seq, hash, signature, key)`.
#[derive(Debug, Default)]
pub struct SignatureBatch {
    seqs: Vec<Seq>,
    hashes: Vec<[u8; 32]>,
    signatures: Vec<Signature>,
    keys: Vec<VerifyingKey>,
    actors: Vec<ActorId>,
}

impl SignatureBatch {
    /// Number of signatures queued.
    pub fn len(&self) -> usize {
        self.seqs.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// Checks every signature. On failure, checks them one by one to name
    /// the first bad seq. Does not panic.
    pub fn verify(&self) -> Result<(), VerifyError> {
        if self.is_empty() {
            return Ok(());
        }
        let messages: Vec<&[u8]> = self.hashes.iter().map(|hash| hash.as_slice()).collect();
        if ed25519_dalek::verify_batch(&messages, &self.signatures, &self.keys).is_ok() {
            return Ok(());
        }
        for index in 0..self.len() {
            let ok = self.keys[index]
                .verify_strict(&self.hashes[index], &self.signatures[index])
                .is_ok();
            if !ok {
                return Err(VerifyError {
                    seq: self.seqs[index],
                    kind: VerifyErrorKind::BadSignature(self.actors[index].clone()),
                });
            }
        }
        // The batch equation failed but every signature passes on its own:
        // only a crafted signature does that. Refuse at the batch's start
        // rather than accept something two checks disagree on.
        Err(VerifyError {
            seq: self.seqs[0],
            kind: VerifyErrorKind::BadSignature(self.actors[0].clone()),
        })
    }
}

/// Of a rule or format error and signature errors from batches, the one at
/// the lowest seq: that is the first bad entry.
pub fn first_error(errors: impl IntoIterator<Item = VerifyError>) -> Option<VerifyError> {
    errors.into_iter().min_by_key(|error| error.seq)
}

/// Replays lines one at a time, building the [`Ledger`].
#[derive(Debug, Default)]
pub struct Verifier {
    ledger: Option<Ledger>,
    pending: SignatureBatch,
    next_seq: u64,
    scratch: Vec<u8>,
}

impl Verifier {
    /// A verifier expecting the genesis.
    pub fn new() -> Verifier {
        Verifier::default()
    }

    /// Lines accepted so far.
    pub fn count(&self) -> u64 {
        self.next_seq
    }

    /// The ledger built so far (None before the genesis).
    pub fn ledger(&self) -> Option<&Ledger> {
        self.ledger.as_ref()
    }

    /// Checks the next line (without its newline) for format, canonical
    /// form, hash, chain and rules, and queues its signature. On error
    /// nothing is recorded. Does not panic, whatever the bytes.
    pub fn push_line(&mut self, line: &[u8]) -> Result<(), VerifyError> {
        let seq = Seq(self.next_seq);
        let fail = |kind| VerifyError { seq, kind };
        if self.next_seq >= limits::MAX_ENTRIES {
            return Err(fail(VerifyErrorKind::TooManyEntries));
        }
        let expected_prev = self.ledger.as_ref().map_or(EntryHash::ZERO, |l| l.head().hash);
        let (ledger_id, entry) = check_link(
            line,
            seq,
            self.ledger.as_ref().map(Ledger::id),
            expected_prev,
            &mut self.scratch,
        )?;
        let ledger = match (&mut self.ledger, &entry.body) {
            (Some(ledger), _) => ledger,
            (None, Body::Genesis { name, .. }) => {
                self.ledger.insert(Ledger::empty(ledger_id, name.clone()))
            }
            (None, _) => return Err(fail(VerifyErrorKind::Rule(RuleError::FirstNotGenesis))),
        };
        let effect = ledger
            .state
            .check(&entry, &ledger.entries)
            .map_err(|e| fail(VerifyErrorKind::Rule(e)))?;
        let key = match &effect {
            crate::state::Effect::Genesis { admin, .. } => admin.verifying_key,
            _ => match ledger.state.verifying_key(entry.actor.as_str()) {
                Some(key) => *key,
                None => return Err(fail(VerifyErrorKind::BadSignature(entry.actor.clone()))),
            },
        };
        self.pending.seqs.push(seq);
        self.pending.hashes.push(entry.hash.0);
        self.pending.signatures.push(Signature::from_bytes(&entry.sig));
        self.pending.keys.push(key);
        self.pending.actors.push(entry.actor.clone());
        ledger.push_verified(entry, effect);
        self.next_seq += 1;
        Ok(())
    }

    /// Takes the queued signatures once at least `min` are waiting.
    pub fn take_batch(&mut self, min: usize) -> Option<SignatureBatch> {
        (self.pending.len() >= min.max(1)).then(|| core::mem::take(&mut self.pending))
    }

    /// Ends the replay: the ledger and the signatures still queued.
    pub fn finish(self) -> Result<(Ledger, SignatureBatch), VerifyError> {
        match self.ledger {
            Some(ledger) => Ok((ledger, self.pending)),
            None => Err(VerifyError {
                seq: Seq(0),
                kind: VerifyErrorKind::Empty,
            }),
        }
    }
}

/// Splits a ledger file into lines without their newlines. The last line
/// must end in a newline; a file cut mid-line gives the index of the
/// incomplete line as an error.
pub fn split_lines(bytes: &[u8]) -> (impl Iterator<Item = &[u8]>, Option<u64>) {
    let (complete, tail) = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last_newline) => bytes.split_at(last_newline + 1),
        None => (&bytes[..0], bytes),
    };
    let complete_lines = complete.iter().filter(|&&b| b == b'\n').count() as u64;
    let incomplete = (!tail.is_empty()).then_some(complete_lines);
    let lines = complete
        .split(|&b| b == b'\n')
        .take(usize::try_from(complete_lines).unwrap_or(usize::MAX));
    (lines, incomplete)
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
    mut progress: impl FnMut(u64),
) -> Result<Ledger, VerifyError> {
    let (lines, incomplete) = split_lines(bytes);
    let mut verifier = Verifier::new();
    for line in lines {
        if let Err(error) = verifier.push_line(line) {
            let pending = verifier.take_batch(1);
            let signature_error = pending.and_then(|batch| batch.verify().err());
            return Err(first_error([error].into_iter().chain(signature_error)).unwrap_or_else(
                || unreachable!("first_error of a non-empty list"),
            ));
        }
        if let Some(batch) = verifier.take_batch(SIGNATURE_BATCH) {
            batch.verify()?;
            progress(verifier.count());
        }
    }
    let count = verifier.count();
    let (ledger, rest) = verifier.finish()?;
    rest.verify()?;
    progress(count);
    if let Some(index) = incomplete {
        return Err(VerifyError {
            seq: Seq(index),
            kind: VerifyErrorKind::IncompleteLastLine,
        });
    }
    Ok(ledger)
}

/// Verifies only the hash chain: format, canonical form, hash and links,
/// without signatures or rules. This is the cheapest check that a copy is
/// the same history as a published head. Returns the entry count and the
/// head. Does not panic.
pub fn verify_chain_only(bytes: &[u8]) -> Result<Head, VerifyError> {
    let (lines, incomplete) = split_lines(bytes);
    let mut scratch = Vec::with_capacity(2048);
    let mut ledger_id: Option<LedgerId> = None;
    let mut head = Head {
        seq: Seq(0),
        hash: EntryHash::ZERO,
    };
    let mut count = 0u64;
    for line in lines {
        let (id, entry) = check_link(line, Seq(count), ledger_id.as_ref(), head.hash, &mut scratch)?;
        head = Head {
            seq: entry.seq,
            hash: entry.hash,
        };
        ledger_id.get_or_insert(id);
        count += 1;
    }
    if let Some(index) = incomplete {
        return Err(VerifyError {
            seq: Seq(index),
            kind: VerifyErrorKind::IncompleteLastLine,
        });
    }
    if count == 0 {
        return Err(VerifyError {
            seq: Seq(0),
            kind: VerifyErrorKind::Empty,
        });
    }
    Ok(head)
}
