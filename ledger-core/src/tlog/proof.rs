//! The texts that carry proofs: C2SP tlog-proof (a receipt for one entry:
//! its index, the inclusion proof and the checkpoint it leads to) and the
//! body of a tlog-witness `add-checkpoint` request (the old size, the
//! consistency proof and the new checkpoint).

use super::checkpoint::Checkpoint;
use super::merkle::{Hash, MAX_PROOF_HASHES, verify_inclusion};
use super::note::{MAX_NOTE_BYTES, NoteVerifier};
use super::{TlogError, base64, parse_decimal};

const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Splits `bytes` at the first empty line: the lines before it, and the
/// bytes after it (a checkpoint, verbatim).
fn head_and_note(bytes: &[u8]) -> Result<(Vec<&str>, &[u8]), TlogError> {
    if bytes.len() > MAX_NOTE_BYTES * 2 {
        return Err(TlogError::TooLarge);
    }
    let at = bytes
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .ok_or(TlogError::Malformed("no empty line before the checkpoint"))?;
    let head = core::str::from_utf8(&bytes[..at]).map_err(|_| TlogError::NotText)?;
    Ok((head.split('\n').collect(), &bytes[at + 2..]))
}

/// `head`, one base64 hash a line, an empty line, then the note: the tail
/// both texts share.
fn hashes_and_note(mut head: String, hashes: &[Hash], note: &[u8]) -> Vec<u8> {
    for hash in hashes {
        base64::encode_into(hash, &mut head);
        head.push('\n');
    }
    head.push('\n');
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(note);
    bytes
}

fn hash_lines(lines: &[&str]) -> Result<Vec<Hash>, TlogError> {
    if lines.len() > MAX_PROOF_HASHES {
        return Err(TlogError::TooLarge);
    }
    lines
        .iter()
        .map(|line| base64::decode_array::<32>(line).ok_or(TlogError::Malformed("proof hash")))
        .collect()
}

/// A receipt for one entry, in the C2SP tlog-proof form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque extra data (not authenticated).
    pub extra: Option<Vec<u8>>,
    /// The entry's index in the log.
    pub index: u64,
    /// The inclusion proof, from the leaf's sibling up.
    pub proof: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: Vec<u8>,
}

impl TlogProof {
    /// The text, as a `.tlog-proof` file holds it.
    pub fn to_text(&self) -> Vec<u8> {
        let mut text = format!("{PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            text.push_str("extra ");
            base64::encode_into(extra, &mut text);
            text.push('\n');
        }
        text.push_str(&format!("index {}\n", self.index));
        hashes_and_note(text, &self.proof, &self.checkpoint)
    }

    /// Reads a tlog-proof text.
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, TlogError> {
        let (lines, checkpoint) = head_and_note(bytes)?;
        let mut lines = lines.into_iter();
        if lines.next() != Some(PROOF_HEADER) {
            return Err(TlogError::Malformed("tlog-proof header"));
        }
        let mut line = lines
            .next()
            .ok_or(TlogError::Malformed("tlog-proof index"))?;
        let mut extra = None;
        if let Some(coded) = line.strip_prefix("extra ") {
            extra = Some(base64::decode(coded).ok_or(TlogError::Malformed("tlog-proof extra"))?);
            line = lines
                .next()
                .ok_or(TlogError::Malformed("tlog-proof index"))?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(TlogError::Malformed("tlog-proof index"))?;
        let rest: Vec<&str> = lines.collect();
        Ok(TlogProof {
            extra,
            index,
            proof: hash_lines(&rest)?,
            checkpoint: checkpoint.to_vec(),
        })
    }

    /// Checks the receipt for the leaf whose hash is `leaf`: the checkpoint
    /// is signed by `log`, at least `quorum` of `witnesses` cosigned it,
    /// and the proof leads from the leaf to its root. Returns the
    /// checkpoint.
    pub fn verify(
        &self,
        leaf: &Hash,
        log: &NoteVerifier,
        witnesses: &[&NoteVerifier],
        quorum: usize,
    ) -> Result<Checkpoint, TlogError> {
        let (checkpoint, note) = Checkpoint::open(&self.checkpoint, log)?;
        if quorum > 0 {
            let found = match note.verify(witnesses) {
                Ok(found) => found.len(),
                Err(TlogError::NotSigned) => 0,
                Err(error) => return Err(error),
            };
            if found < quorum {
                return Err(TlogError::TooFewWitnesses {
                    needed: quorum,
                    found,
                });
            }
        }
        verify_inclusion(
            self.index,
            checkpoint.size,
            leaf,
            &self.proof,
            &checkpoint.root,
        )?;
        Ok(checkpoint)
    }

    /// Checks the receipt against a C2SP tlog-policy: the checkpoint is
    /// signed by one of its logs, and the proof leads from the leaf to its
    /// root. Whether the witnesses make the policy's quorum is in the
    /// answer (a receipt not yet witnessed still proves what the log said).
    pub fn verify_with(
        &self,
        leaf: &Hash,
        policy: &super::Policy,
    ) -> Result<super::Witnessed, TlogError> {
        let seen = policy.check(&self.checkpoint)?;
        verify_inclusion(
            self.index,
            seen.checkpoint.size,
            leaf,
            &self.proof,
            &seen.checkpoint.root,
        )?;
        Ok(seen)
    }
}

/// The body of a tlog-witness `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the witness last cosigned.
    pub old: u64,
    /// The consistency proof from that size to the new checkpoint's.
    pub proof: Vec<Hash>,
    /// The new signed checkpoint, verbatim.
    pub checkpoint: Vec<u8>,
}

impl AddCheckpoint {
    /// The request body.
    pub fn to_text(&self) -> Vec<u8> {
        hashes_and_note(format!("old {}\n", self.old), &self.proof, &self.checkpoint)
    }

    /// Reads a request body (at most 63 proof lines).
    pub fn parse(bytes: &[u8]) -> Result<AddCheckpoint, TlogError> {
        let (lines, checkpoint) = head_and_note(bytes)?;
        let (first, rest) = lines
            .split_first()
            .ok_or(TlogError::Malformed("old size line"))?;
        let old = first
            .strip_prefix("old ")
            .and_then(parse_decimal)
            .ok_or(TlogError::Malformed("old size line"))?;
        if rest.len() > 63 {
            return Err(TlogError::TooLarge);
        }
        Ok(AddCheckpoint {
            old,
            proof: hash_lines(rest)?,
            checkpoint: checkpoint.to_vec(),
        })
    }
}
