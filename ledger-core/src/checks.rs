//! Verification: replaying a ledger file line by line. Each line is parsed,
//! checked to be the canonical writing of its entry (by how it was read, or
//! by writing it again and comparing byte for byte), hashed, linked to the
//! one before, and checked against every rule; signatures are queued and
//! checked in batches, which the caller may run on other threads.
//!
//! The first bad entry is reported with its seq. When signatures run
//! behind, a rule failure at seq k is only final once every batch before k
//! has passed: the merge of those answers is [`crate::Replay`]'s.

use ed25519_dalek::VerifyingKey;

use crate::entry::chain::{chain_parts, hash_holds, stated_hash};
use crate::entry::{Body, Entry, hash_signed_line, parse_line_with_layout};
use crate::error::{RuleError, VerifyError, VerifyErrorKind};
use crate::ledger::Ledger;
use crate::limits;
use crate::model::{ActorId, EntryHash, Head, LedgerId, Seq};

/// Which checks [`check_link`] makes itself.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checks {
    /// All of them.
    All,
    /// All but the SHA-256.
    NoHash,
}

/// The checks that need no state but the previous link: the line parses,
/// belongs to `ledger` (if given), has the expected seq, is written
/// canonically, hashes to its `hash` (each as `checks` says), and names
/// `prev` (if given) as the previous hash. This order is the one [`crate::verify::first_error`] keeps when two
/// errors share a seq.
fn check_link(
    line: &[u8],
    seq: Seq,
    ledger: Option<&LedgerId>,
    prev: Option<EntryHash>,
    checks: Checks,
    scratch: &mut Vec<u8>,
) -> Result<(Option<LedgerId>, Entry), VerifyError> {
    let fail = |kind| VerifyError { seq, kind };
    let (ledger_id, entry, layout) =
        parse_line_with_layout(line, ledger).map_err(|e| fail(VerifyErrorKind::Malformed(e)))?;
    if let Some(expected) = ledger
        && *expected != *ledger_id
    {
        return Err(fail(VerifyErrorKind::WrongLedger {
            expected: expected.to_string(),
        }));
    }
    if entry.seq != seq {
        return Err(fail(VerifyErrorKind::SeqMismatch { found: entry.seq.0 }));
    }
    // A line read in the canonical layout is the canonical writing of its
    // entry; any other is written again and compared.
    let ranges = match layout {
        Some(layout) => Some((layout.hash, layout.sig)),
        None => {
            scratch.clear();
            let ranges = entry.write_canonical(&ledger_id, true, scratch);
            if scratch.as_slice() != line {
                return Err(fail(VerifyErrorKind::NotCanonical));
            }
            ranges
        }
    };
    if checks == Checks::All {
        let Some((hash_range, sig_range)) = ranges else {
            unreachable!("a signed write returns the member ranges")
        };
        let computed = hash_signed_line(line, &hash_range, &sig_range);
        if computed != entry.hash {
            return Err(fail(VerifyErrorKind::HashMismatch { computed }));
        }
    }
    if prev.is_some_and(|prev| entry.prev != prev) {
        return Err(fail(VerifyErrorKind::PrevMismatch));
    }
    // The id read, when none was expected (a known one is not copied).
    let read = match ledger_id {
        std::borrow::Cow::Owned(id) => Some(id),
        std::borrow::Cow::Borrowed(_) => None,
    };
    Ok((read, entry))
}

/// The checks of a line (without its newline) that need nothing but the
/// line and its place: it parses, has the seq `seq`, is written
/// canonically, and hashes to its `hash`. `scratch` is reused between
/// calls. Does not panic.
pub fn check_form(line: &[u8], seq: Seq, scratch: &mut Vec<u8>) -> Result<(), VerifyError> {
    check_link(line, seq, None, None, Checks::All, scratch).map(|_| ())
}

/// How a replay's checks are split between the thread that replays (a
/// [`Verifier::sharing`] the work) and another one (a worker, running
/// [`check_shared`] over the same lines): the other thread checks the
/// SHA-256 of every line but `here` lines in every sixteen (those whose seq
/// modulo 16 is below it), which the replaying thread checks itself, with
/// everything else; so that the two threads take about as long.
/// [`crate::verify::first_error`] of the two (and of the signature batches) is exactly the
/// error [`verify_jsonl`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    here: u8,
}

impl Share {
    /// The replaying thread checks the SHA-256 of `here` lines in every
    /// sixteen itself (at most 16); the other thread, of the others.
    pub fn new(here: u8) -> Share {
        Share { here: here.min(16) }
    }

    fn hashed_here(self, seq: u64) -> bool {
        seq % 16 < u64::from(self.here)
    }
}

/// The other thread's part of a [`Share`]d replay: that every complete
/// line of `bytes` (numbered from `first_seq`; an incomplete last line is
/// left to the [`Verifier`]) that `share` does not leave to the replaying
/// thread hashes, without its `hash` and `sig`, to the `hash` it states. It
/// reads no more of a line than the hash needs, so it runs near the speed
/// of SHA-256 itself. Returns the number of lines gone through, or the
/// first bad one, named as [`check_form`] names it. Does not panic.
pub fn check_shared(bytes: &[u8], first_seq: u64, share: Share) -> Result<u64, VerifyError> {
    let mut seq = first_seq;
    let mut scratch = Vec::new();
    for line in split_lines(bytes).0 {
        if !share.hashed_here(seq) && !hash_holds(line) {
            // Let the full checks say what is wrong.
            check_form(line, Seq(seq), &mut scratch)?;
            // Every line they accept has the layout read above and the
            // same hash, so this is not reached; refusing is the safe
            // answer if it ever is.
            return Err(VerifyError {
                seq: Seq(seq),
                kind: VerifyErrorKind::NotCanonical,
            });
        }
        seq += 1;
    }
    Ok(seq - first_seq)
}

/// [`check_shared`] over a file that comes in parts (as downloaded): each
/// part goes into one buffer, reused from part to part, behind what is
/// left of a line the part before cut; the complete lines there are
/// checked at once. So the other thread never holds more than a part and
/// a line, where a copy of the whole file would stay in its memory for
/// good (WebAssembly memory does not shrink). Whatever the cuts, it finds
/// what `check_shared` over the whole file finds.
#[derive(Debug)]
pub struct SharedParts {
    /// Its first `used` bytes are the part of a line left over and the
    /// new part; past them, room kept from earlier parts (never written
    /// with zeros again: that took as long as the copies).
    buffer: Vec<u8>,
    used: usize,
    seq: u64,
    share: Share,
}

impl SharedParts {
    /// Lines numbered from `first_seq`, shared as `share` says.
    pub fn new(first_seq: u64, share: Share) -> SharedParts {
        SharedParts {
            buffer: Vec::new(),
            used: 0,
            seq: first_seq,
            share,
        }
    }

    /// The next part, written by `fill` into the `length` bytes given
    /// (a copy from wherever the part is), then its complete lines checked.
    pub fn push_with(
        &mut self,
        length: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(), VerifyError> {
        let kept = self.used;
        self.used += length;
        if self.buffer.len() < self.used {
            self.buffer.resize(self.used, 0);
        }
        let new = &mut self.buffer[kept..self.used];
        fill(new);
        // Lines end in the new bytes or not at all: the kept ones hold
        // no newline.
        let Some(last) = memchr::memrchr(b'\n', new) else {
            return Ok(());
        };
        let end = kept + last + 1;
        self.seq += check_shared(&self.buffer[..end], self.seq, self.share)?;
        self.buffer.copy_within(end..self.used, 0);
        self.used -= end;
        Ok(())
    }

    /// [`push_with`](Self::push_with) for a part in memory.
    pub fn push(&mut self, part: &[u8]) -> Result<(), VerifyError> {
        self.push_with(part.len(), |room| room.copy_from_slice(part))
    }

    /// The seq of the next line to check: after the last complete line so
    /// far (an incomplete last line is left to the [`Verifier`], as
    /// `check_shared` leaves it).
    pub fn next_seq(&self) -> u64 {
        self.seq
    }
}

/// What a worker found, as the bytes it sends back (the web app's Web
/// Workers answer so): a signature batch's answer is empty when every
/// signature holds, else the first bad one's seq (8 bytes, little-endian)
/// followed by its signer's id; a hash check's answer is empty, or the
/// first bad line's seq. Typed both ways here, so that no front end parses
/// an answer of its own.
pub mod answer {
    use crate::error::{VerifyError, VerifyErrorKind};
    use crate::model::Seq;

    /// The bytes of [`super::SignatureBatch::verify`]'s answer.
    pub fn signatures_to_bytes(answer: &Result<(), VerifyError>) -> Vec<u8> {
        match answer {
            Ok(()) => Vec::new(),
            Err(error) => {
                let mut bytes = error.seq.0.to_le_bytes().to_vec();
                if let VerifyErrorKind::BadSignature(actor) = &error.kind {
                    bytes.extend_from_slice(actor.as_str().as_bytes());
                }
                bytes
            }
        }
    }

    /// Reads [`signatures_to_bytes`]; `None` for bytes that are not such an
    /// answer. Does not panic.
    pub fn signatures_from_bytes(bytes: &[u8]) -> Option<Result<(), VerifyError>> {
        if bytes.is_empty() {
            return Some(Ok(()));
        }
        let (seq, actor) = bytes.split_first_chunk::<8>()?;
        let actor = core::str::from_utf8(actor).ok()?.parse().ok()?;
        Some(Err(VerifyError {
            seq: Seq(u64::from_le_bytes(*seq)),
            kind: VerifyErrorKind::BadSignature(actor),
        }))
    }

    /// The bytes of a hash check's answer: the first bad line's seq, if any.
    pub fn hashes_to_bytes(first_bad: Option<u64>) -> Vec<u8> {
        first_bad.map_or_else(Vec::new, |seq| seq.to_le_bytes().to_vec())
    }

    /// Reads [`hashes_to_bytes`]: `Some(None)` when every line held,
    /// `None` for bytes that are not such an answer.
    pub fn hashes_from_bytes(bytes: &[u8]) -> Option<Option<u64>> {
        match bytes.len() {
            0 => Some(None),
            8 => Some(Some(u64::from_le_bytes(bytes.try_into().ok()?))),
            _ => None,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn answers_read_back_and_nothing_else_reads() {
            let bad = Err(VerifyError {
                seq: Seq(513),
                kind: VerifyErrorKind::BadSignature("kiosk-1".parse().unwrap_or_else(|_| panic!())),
            });
            for answer in [Ok(()), bad] {
                assert_eq!(
                    signatures_from_bytes(&signatures_to_bytes(&answer)),
                    Some(answer)
                );
            }
            assert_eq!(signatures_from_bytes(&[1, 2, 3]), None);
            assert_eq!(signatures_from_bytes(&[0; 8]), None);
            assert_eq!(signatures_from_bytes(&[0, 0, 0, 0, 0, 0, 0, 0, 0xff]), None);
            for first_bad in [None, Some(0), Some(99_999)] {
                assert_eq!(
                    hashes_from_bytes(&hashes_to_bytes(first_bad)),
                    Some(first_bad)
                );
            }
            assert_eq!(hashes_from_bytes(&[7; 5]), None);
        }
    }
}

/// Signatures checked together; large enough to amortise the batch
/// equation, small enough to spread over threads.
pub const SIGNATURE_BATCH: usize = 512;

/// A queue of signatures to check together, by the equation of
/// [`crate::signature::Batch`] (cofactored, so that the verdict is the one
/// each signature gets alone, whatever the batch's size and neighbours).
#[derive(Debug, Default)]
pub struct SignatureBatch {
    seqs: Vec<Seq>,
    hashes: Vec<[u8; 32]>,
    signatures: Vec<[u8; 64]>,
    key_of: Vec<u32>,
    keys: Vec<(ActorId, VerifyingKey)>,
    /// While queueing: by the signer's index among the ledger's actors, 1
    /// + the index of its key in `keys` (0: none yet).
    key_of_actor: Vec<u32>,
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

    /// The batch as bytes, to hand to another thread or a Web Worker that
    /// runs [`SignatureBatch::verify`] on [`SignatureBatch::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.keys.len() * 64 + self.len() * 108);
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for (actor, key) in &self.keys {
            out.push(actor.as_str().len() as u8);
            out.extend_from_slice(actor.as_str().as_bytes());
            out.extend_from_slice(key.as_bytes());
        }
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for index in 0..self.len() {
            out.extend_from_slice(&self.seqs[index].0.to_le_bytes());
            out.extend_from_slice(&self.hashes[index]);
            out.extend_from_slice(&self.signatures[index]);
            out.extend_from_slice(&self.key_of[index].to_le_bytes());
        }
        out
    }

    /// Reads a batch written by [`SignatureBatch::to_bytes`]; `None` for
    /// anything else (never panics, allocates at most what `bytes` holds).
    pub fn from_bytes(bytes: &[u8]) -> Option<SignatureBatch> {
        fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            let (head, tail) = bytes.split_at_checked(n)?;
            *bytes = tail;
            Some(head)
        }
        fn array<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
            take(bytes, N)?.try_into().ok()
        }
        let mut rest = bytes;
        let key_count = u32::from_le_bytes(array(&mut rest)?) as usize;
        let mut batch = SignatureBatch::default();
        for _ in 0..key_count {
            let length = usize::from(take(&mut rest, 1)?[0]);
            let actor: ActorId = core::str::from_utf8(take(&mut rest, length)?)
                .ok()?
                .parse()
                .ok()?;
            // Only keys registration accepts travel in a batch.
            let bytes = array(&mut rest)?;
            crate::signature::check_key(&bytes).ok()?;
            let key = VerifyingKey::from_bytes(&bytes).ok()?;
            batch.keys.push((actor, key));
        }
        let count = u32::from_le_bytes(array(&mut rest)?) as usize;
        if rest.len() != count.checked_mul(108)? {
            return None;
        }
        for _ in 0..count {
            batch.seqs.push(Seq(u64::from_le_bytes(array(&mut rest)?)));
            batch.hashes.push(array(&mut rest)?);
            batch.signatures.push(array(&mut rest)?);
            let key = u32::from_le_bytes(array(&mut rest)?);
            if key as usize >= batch.keys.len() {
                return None;
            }
            batch.key_of.push(key);
        }
        Some(batch)
    }

    /// Queues a signature by `signer` (its id, and its index among the
    /// ledger's actors).
    /// An empty batch with room for `signatures`.
    fn with_room(signatures: usize) -> SignatureBatch {
        SignatureBatch {
            seqs: Vec::with_capacity(signatures),
            hashes: Vec::with_capacity(signatures),
            signatures: Vec::with_capacity(signatures),
            key_of: Vec::with_capacity(signatures),
            ..SignatureBatch::default()
        }
    }

    fn push(
        &mut self,
        seq: Seq,
        hash: [u8; 32],
        signature: [u8; 64],
        (actor, signer): (&ActorId, u32),
        key: VerifyingKey,
    ) {
        let signer = signer as usize;
        let index = match self.key_of_actor.get(signer) {
            Some(&slot) if slot > 0 => slot as usize - 1,
            _ => {
                self.keys.push((actor.clone(), key));
                if self.key_of_actor.len() <= signer {
                    self.key_of_actor.resize(signer + 1, 0);
                }
                self.key_of_actor[signer] = self.keys.len() as u32;
                self.keys.len() - 1
            }
        };
        self.seqs.push(seq);
        self.hashes.push(hash);
        self.signatures.push(signature);
        self.key_of.push(u32::try_from(index).unwrap_or(u32::MAX));
    }

    /// Whether the batch equation holds over every signature queued.
    fn batch_holds(&self) -> bool {
        let mut batch = crate::signature::Batch::new();
        for (_, key) in &self.keys {
            batch.add_key(key.to_bytes(), key.to_edwards());
        }
        for index in 0..self.len() {
            batch.push(
                self.key_of[index],
                &self.hashes[index],
                &self.signatures[index],
            );
        }
        batch.holds()
    }

    /// Checks every signature, by the reading of [`crate::signature`]. On
    /// failure, checks them one by one to name the first bad seq: a batch
    /// fails only when one of its signatures does, so the verdict does not
    /// depend on how signatures are grouped. Does not panic.
    pub fn verify(&self) -> Result<(), VerifyError> {
        if self.is_empty() || self.batch_holds() {
            return Ok(());
        }
        for index in 0..self.len() {
            let (actor, key) = &self.keys[self.key_of[index] as usize];
            let holds = crate::signature::verify(
                &key.to_edwards(),
                key.as_bytes(),
                &self.hashes[index],
                &self.signatures[index],
            );
            if !holds {
                return Err(VerifyError {
                    seq: self.seqs[index],
                    kind: VerifyErrorKind::BadSignature(actor.clone()),
                });
            }
        }
        // Not reached: when every signature holds alone, each term of the
        // batch equation is zero once multiplied by the cofactor, and so
        // is their sum. Refusing at the batch's start is the safe answer
        // if it ever were.
        // (Every key index is in range: `push` and `from_bytes` see to it.)
        Err(VerifyError {
            seq: self.seqs[0],
            kind: VerifyErrorKind::BadSignature(self.keys[self.key_of[0] as usize].0.clone()),
        })
    }
}

/// Replays lines one at a time, building the [`Ledger`].
#[derive(Debug, Default)]
pub struct Verifier {
    ledger: Option<Ledger>,
    pending: SignatureBatch,
    next_seq: u64,
    scratch: Vec<u8>,
    shared: Option<Share>,
    expected_lines: usize,
}

impl Verifier {
    /// A verifier expecting the genesis.
    pub fn new() -> Verifier {
        Verifier::default()
    }

    /// Continues a replay from a ledger verified before (a copy a device
    /// stored): the next line must be entry `ledger.len()`, linked to its
    /// head. Used to check only what a newer copy of a file adds.
    pub fn resume(ledger: Ledger) -> Verifier {
        Verifier {
            next_seq: ledger.len(),
            ledger: Some(ledger),
            ..Verifier::default()
        }
    }

    /// Leaves part of the checks to [`check_shared`] with the same
    /// `share`, run over the same lines elsewhere (a worker thread): this
    /// verifier checks everything else, linking each line to the `hash`
    /// the line before states. Nothing it builds may be trusted until
    /// `check_shared` has passed as well; the error to report is
    /// [`crate::verify::first_error`] of both.
    pub fn sharing(mut self, share: Share) -> Verifier {
        self.shared = Some(share);
        self
    }

    /// Makes room for `lines` more entries at once, rather than growing
    /// (and copying) the ledger's list of entries step by step as they
    /// come. A hint: more or fewer lines are fine.
    pub fn expect_lines(&mut self, lines: usize) {
        // Bounded: a hint must not take much memory before a single line
        // was checked.
        let lines = lines.min(1 << 20);
        match &mut self.ledger {
            Some(ledger) => ledger.entries.reserve(lines),
            None => self.expected_lines = lines,
        }
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
        let expected_prev = self
            .ledger
            .as_ref()
            .map_or(EntryHash::ZERO, |l| l.head().hash);
        let (ledger_id, entry) = check_link(
            line,
            seq,
            self.ledger.as_ref().map(Ledger::id),
            Some(expected_prev),
            match self.shared {
                None => Checks::All,
                Some(share) if share.hashed_here(seq.0) => Checks::All,
                Some(_) => Checks::NoHash,
            },
            &mut self.scratch,
        )?;
        let ledger = match (&mut self.ledger, &entry.body) {
            (Some(ledger), _) => ledger,
            (None, Body::Genesis { name, .. }) => {
                // No ledger yet, so none was expected and the id read came back.
                let Some(ledger_id) = ledger_id else {
                    return Err(fail(VerifyErrorKind::Rule(RuleError::FirstNotGenesis)));
                };
                let ledger = self.ledger.insert(Ledger::empty(ledger_id, name.clone()));
                ledger.entries.reserve(self.expected_lines);
                ledger
            }
            (None, _) => return Err(fail(VerifyErrorKind::Rule(RuleError::FirstNotGenesis))),
        };
        let (effect, signer) = ledger
            .state
            .check_signed(&entry, &ledger.entries)
            .map_err(|e| fail(VerifyErrorKind::Rule(e)))?;
        let key = match &effect {
            crate::state::Effect::Genesis { admin, .. } => admin.verifying_key,
            _ => match ledger.state.actors.get(signer as usize) {
                Some(record) => record.verifying_key,
                None => return Err(fail(VerifyErrorKind::BadSignature(entry.actor.clone()))),
            },
        };
        self.pending
            .push(seq, entry.hash.0, entry.sig, (&entry.actor, signer), key);
        ledger.push_verified(entry, effect);
        self.next_seq += 1;
        Ok(())
    }

    /// Takes the queued signatures once at least `min` are waiting.
    pub fn take_batch(&mut self, min: usize) -> Option<SignatureBatch> {
        let taken = self.pending.len();
        // The next batch gets room for as many at once: growing its lists
        // a doubling at a time moved each signature about twice.
        (taken >= min.max(1))
            .then(|| core::mem::replace(&mut self.pending, SignatureBatch::with_room(taken)))
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
    let (complete, tail) = match memchr::memrchr(b'\n', bytes) {
        Some(last_newline) => bytes.split_at(last_newline + 1),
        None => (&bytes[..0], bytes),
    };
    let complete_lines = memchr::memchr_iter(b'\n', complete).count() as u64;
    let incomplete = (!tail.is_empty()).then_some(complete_lines);
    let mut start = 0;
    let lines = memchr::memchr_iter(b'\n', complete).map(move |end| {
        let line = complete.get(start..end).unwrap_or_default();
        start = end + 1;
        line
    });
    (lines, incomplete)
}

/// Where a file's lines end, found part by part while the file arrives,
/// so that the lines are at hand as soon as it has (instead of searching
/// the whole file then): [`LineEnds::lines`] gives what [`split_lines`]
/// gives.
#[derive(Debug, Default)]
pub struct LineEnds {
    ends: Vec<usize>,
    searched: usize,
}

impl LineEnds {
    /// Finds the newlines of `bytes` (the file so far: what was searched
    /// before, and more) past the bytes already searched.
    pub fn search(&mut self, bytes: &[u8]) {
        let from = self.searched.min(bytes.len());
        let new = bytes.get(from..).unwrap_or_default();
        self.ends
            .extend(memchr::memchr_iter(b'\n', new).map(|at| from + at));
        self.searched = bytes.len();
    }

    /// Complete lines found so far.
    pub fn count(&self) -> usize {
        self.ends.len()
    }

    /// The complete lines `from..to` of `bytes` (the file searched, or
    /// more of it), without their newlines: what [`lines`](Self::lines)
    /// gives at those places, without listing every line before them. A
    /// range past what was found gives the lines that were.
    pub fn range<'s, 'b>(
        &'s self,
        bytes: &'b [u8],
        from: usize,
        to: usize,
    ) -> impl Iterator<Item = &'b [u8]> + use<'s, 'b> {
        let to = to.min(self.ends.len());
        let from = from.min(to);
        let mut start = match from {
            0 => 0,
            _ => self.ends[from - 1] + 1,
        };
        self.ends[from..to].iter().map(move |&end| {
            let line = bytes.get(start..end).unwrap_or_default();
            start = end + 1;
            line
        })
    }

    /// The lines of `bytes`, the file searched, without their newlines,
    /// and the index of an incomplete last line (one without a newline),
    /// as [`split_lines`] gives them.
    pub fn lines<'a>(&self, bytes: &'a [u8]) -> (Vec<&'a [u8]>, Option<u64>) {
        let mut start = 0;
        let lines: Vec<&[u8]> = self
            .ends
            .iter()
            .map(|&end| {
                let line = bytes.get(start..end).unwrap_or_default();
                start = end + 1;
                line
            })
            .collect();
        let incomplete = (start < bytes.len()).then_some(lines.len() as u64);
        (lines, incomplete)
    }
}

/// Checks only the hash chain, one line at a time: that each line has the
/// canonical top-level layout, hashes (without `hash` and `sig`) to its
/// `hash`, has the next `seq`, the same `ledger`, and names the previous
/// hash as `prev`. It reads no more than that, so it runs near the speed of
/// SHA-256 itself; it does not check signatures, rules, or the canonical
/// form inside `body` — [`Verifier`] does. At a line that does not fit,
/// the full parser names the problem. Does not panic.
#[derive(Debug)]
pub struct ChainVerifier {
    ledger_id: Vec<u8>,
    head: Head,
    count: u64,
    scratch: Vec<u8>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            ledger_id: Vec::new(),
            head: Head {
                seq: Seq(0),
                hash: EntryHash::ZERO,
            },
            count: 0,
            scratch: Vec::new(),
        }
    }
}

impl ChainVerifier {
    /// A chain check expecting the genesis.
    pub fn new() -> ChainVerifier {
        ChainVerifier::default()
    }

    /// Lines accepted so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Checks the next line (without its newline).
    pub fn push_line(&mut self, line: &[u8]) -> Result<(), VerifyError> {
        let count = self.count;
        let fast = chain_parts(line).and_then(|parts| {
            let prev = crate::hex::decode::<32>(core::str::from_utf8(parts.prev).ok()?)?;
            let linked = parts.seq == count
                && prev == self.head.hash.0
                && (count == 0 || self.ledger_id == parts.ledger);
            let hash = stated_hash(line, &parts).filter(|_| linked)?;
            Some((parts.ledger, hash))
        });
        let Some((ledger, hash)) = fast else {
            // Something is off: let the full parser say what.
            let expected_ledger = core::str::from_utf8(&self.ledger_id)
                .ok()
                .and_then(|id| id.parse::<LedgerId>().ok());
            check_link(
                line,
                Seq(count),
                expected_ledger.as_ref(),
                Some(self.head.hash),
                Checks::All,
                &mut self.scratch,
            )?;
            // Every line the full parser accepts has the layout the fast
            // reader expects, so this is not reached; refusing is the safe
            // answer if it ever is.
            return Err(VerifyError {
                seq: Seq(count),
                kind: VerifyErrorKind::NotCanonical,
            });
        };
        if count == 0 {
            self.ledger_id = ledger.to_vec();
        }
        self.head = Head {
            seq: Seq(count),
            hash: EntryHash(hash),
        };
        self.count += 1;
        Ok(())
    }

    /// The head, once at least one line was accepted.
    pub fn finish(self) -> Result<Head, VerifyError> {
        if self.count == 0 {
            return Err(VerifyError {
                seq: Seq(0),
                kind: VerifyErrorKind::Empty,
            });
        }
        Ok(self.head)
    }
}

/// [`ChainVerifier`] over a whole file: the head, or the first bad entry.
pub fn verify_chain_only(bytes: &[u8]) -> Result<Head, VerifyError> {
    let (lines, incomplete) = split_lines(bytes);
    let mut verifier = ChainVerifier::new();
    for line in lines {
        verifier.push_line(line)?;
    }
    if let Some(index) = incomplete {
        return Err(VerifyError {
            seq: Seq(index),
            kind: VerifyErrorKind::IncompleteLastLine,
        });
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::{Share, SharedParts, check_shared};
    use crate::demo::{DemoConfig, generate};

    /// A small demo file, and the same with one line's hash changed, one
    /// line's note changed (its hash then no longer holds), a line not in
    /// the canonical layout, and the last line cut short.
    /// Each with the seq of its first bad line.
    fn files() -> Vec<(Vec<u8>, Option<u64>)> {
        let demo = generate(&DemoConfig {
            residents: 4,
            entries: 40,
            ..DemoConfig::default()
        });
        let file = demo.ledger.to_jsonl();
        let lines: Vec<&str> = file.lines().collect();
        let with_line = |at: usize, line: String| {
            let mut changed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            changed[at] = line;
            (changed.join("\n") + "\n").into_bytes()
        };
        let hash_at = lines[17].find("\"hash\":\"").unwrap_or(0) + 8;
        let mut other_hash = lines[17].to_owned();
        other_hash.replace_range(hash_at..hash_at + 1, "f");
        let earn = lines
            .iter()
            .position(|l| l.contains("\"note\":\"\""))
            .unwrap_or(1);
        let noted = lines[earn].replacen("\"note\":\"\"", "\"note\":\"x\"", 1);
        vec![
            (file.clone().into_bytes(), None),
            (with_line(17, other_hash), Some(17)),
            (with_line(earn, noted), Some(earn as u64)),
            (
                with_line(9, lines[9].replacen("{\"actor\"", "{ \"actor\"", 1)),
                Some(9),
            ),
            (file.as_bytes()[..file.len() - 30].to_vec(), None),
        ]
    }

    fn in_parts(file: &[u8], cuts: &[usize], share: Share) -> Result<u64, crate::VerifyError> {
        let mut check = SharedParts::new(0, share);
        let mut from = 0;
        for &cut in cuts.iter().chain([&file.len()]) {
            let cut = cut.clamp(from, file.len());
            check.push(&file[from..cut])?;
            from = cut;
        }
        Ok(check.next_seq())
    }

    /// Cut anywhere, a file's parts are checked as the whole file is.
    #[test]
    fn a_file_in_parts_is_checked_as_a_whole() {
        for (index, (file, expected)) in files().iter().enumerate() {
            for here in [0, 3] {
                let share = Share::new(here);
                let whole = check_shared(file, 0, share);
                // The changed lines are found, at their seq, unless the
                // share leaves their hash to the replaying thread.
                assert_eq!(
                    whole.as_ref().err().map(|e| e.seq.0),
                    expected.filter(|seq| seq % 16 >= u64::from(here)),
                    "file {index}, {here} in 16 here"
                );
                for size in [1, 2, 7, 64, 449, 450, 451, 1000, 4096, file.len()] {
                    let cuts: Vec<usize> = (1..)
                        .map(|k| k * size)
                        .take_while(|&c| c < file.len())
                        .collect();
                    assert_eq!(in_parts(file, &cuts, share), whole, "parts of {size}");
                }
            }
        }
    }

    /// Searched part by part, a file has the lines `split_lines` finds.
    #[test]
    fn line_ends_found_in_parts_are_those_of_the_whole() {
        for (file, _) in files() {
            let whole: Vec<&[u8]> = super::split_lines(&file).0.collect();
            let incomplete = super::split_lines(&file).1;
            for size in [1, 3, 450, 4096, file.len()] {
                let mut ends = super::LineEnds::default();
                for end in (size..file.len()).step_by(size).chain([file.len()]) {
                    ends.search(&file[..end]);
                }
                assert_eq!(
                    ends.lines(&file),
                    (whole.clone(), incomplete),
                    "parts of {size}"
                );
            }
        }
        // Lines taken a few at a time as they are found, as a replay
        // that follows a download takes them, are the same lines.
        for (file, _) in files() {
            let whole: Vec<&[u8]> = super::split_lines(&file).0.collect();
            let mut ends = super::LineEnds::default();
            let mut taken = Vec::new();
            for end in (1000..file.len()).step_by(1000).chain([file.len()]) {
                ends.search(&file[..end]);
                let from = taken.len();
                taken.extend(ends.range(&file, from, from + 3));
                taken.extend(ends.range(&file, from + 3, usize::MAX));
                assert_eq!(ends.count(), taken.len());
            }
            assert_eq!(taken, whole);
            assert_eq!(ends.range(&file, 5, 2).count(), 0);
        }
        let mut ends = super::LineEnds::default();
        ends.search(b"");
        assert_eq!(ends.lines(b""), (Vec::<&[u8]>::new(), None));
        ends.search(b"\n\nab");
        assert_eq!(ends.lines(b"\n\nab"), (vec![&b""[..], &b""[..]], Some(2)));
    }

    proptest::proptest! {
        #[test]
        fn cut_at_random_a_file_is_checked_as_a_whole(
            which in 0usize..5,
            mut cuts in proptest::collection::vec(0usize..20_000, 0..12),
        ) {
            let file = &files()[which].0;
            cuts.sort_unstable();
            let whole = check_shared(file, 0, Share::new(0));
            proptest::prop_assert_eq!(in_parts(file, &cuts, Share::new(0)), whole);
        }
    }
}
