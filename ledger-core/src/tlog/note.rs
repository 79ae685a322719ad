//! C2SP signed-note: a text ending in a newline, a blank line, and one or
//! more lines `— <key name> base64(key ID ‖ signature)`; verifier keys
//! (`<name>+<hex key ID>+base64(type ‖ key)`). Jifen uses two signature
//! types: Ed25519 (0x01), which the log signs its checkpoints with, and
//! the timestamped Ed25519 cosignature (0x04) of tlog-cosignature, which
//! witnesses sign with.

use curve25519_dalek::edwards::EdwardsPoint;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

use super::{TlogError, base64};
use crate::signature;

/// The longest note read: far more than 16 signatures, as the
/// specification asks to accept, even of post-quantum size.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

/// The most signature lines read on one note.
pub const MAX_SIGNATURES: usize = 100;

/// The two signature types Jifen reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// A plain Ed25519 signature of the note text (type 0x01): the log's.
    Ed25519,
    /// A timestamped Ed25519 cosignature of a checkpoint (type 0x04): a
    /// witness's.
    Cosignature,
}

impl KeyKind {
    /// The signature type byte of signed-note.
    pub fn byte(self) -> u8 {
        match self {
            KeyKind::Ed25519 => 0x01,
            KeyKind::Cosignature => 0x04,
        }
    }

    fn from_byte(byte: u8) -> Result<KeyKind, TlogError> {
        match byte {
            0x01 => Ok(KeyKind::Ed25519),
            0x04 => Ok(KeyKind::Cosignature),
            other => Err(TlogError::UnknownKeyKind(other)),
        }
    }
}

/// What an Ed25519 cosigner signs (tlog-cosignature): `cosignature/v1`,
/// `time <t>`, then the checkpoint's note text.
pub fn cosignature_message(checkpoint_text: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{checkpoint_text}")
}

/// SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], big-endian: the key ID.
pub fn key_id(name: &str, kind: KeyKind, key: &[u8; 32]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', kind.byte()]);
    hasher.update(key);
    let hash: [u8; 32] = hasher.finalize().into();
    u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]])
}

/// Non-empty, without Unicode spaces or a plus.
fn check_name(name: &str) -> Result<(), TlogError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(TlogError::BadKeyName);
    }
    Ok(())
}

/// A trusted key: its name, type and Ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    kind: KeyKind,
    key: [u8; 32],
    id: u32,
    point: EdwardsPoint,
}

impl NoteVerifier {
    /// The verifier of `name`'s key of type `kind`; a key that is not a
    /// safe Ed25519 key (small or mixed order, not canonical) is refused.
    pub fn new(name: &str, kind: KeyKind, key: [u8; 32]) -> Result<NoteVerifier, TlogError> {
        check_name(name)?;
        let point = signature::check_key(&key).map_err(TlogError::WeakKey)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            kind,
            id: key_id(name, kind, &key),
            key,
            point,
        })
    }

    /// Reads a verifier key, `<name>+<hex key ID>+base64(type ‖ key)`.
    pub fn from_vkey(vkey: &str) -> Result<NoteVerifier, TlogError> {
        // The name has no plus and the ID is hex; base64 may have pluses.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(coded)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(TlogError::Malformed("vkey"));
        };
        let id = crate::hex::decode::<4>(id).ok_or(TlogError::Malformed("vkey key ID"))?;
        let bytes = base64::decode(coded).ok_or(TlogError::Malformed("vkey key"))?;
        let (&kind, key) = bytes
            .split_first()
            .ok_or(TlogError::Malformed("vkey key"))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| TlogError::Malformed("vkey key"))?;
        let verifier = NoteVerifier::new(name, KeyKind::from_byte(kind)?, key)?;
        if verifier.id != u32::from_be_bytes(id) {
            return Err(TlogError::Malformed("vkey key ID"));
        }
        Ok(verifier)
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        let mut material = vec![self.kind.byte()];
        material.extend_from_slice(&self.key);
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.id,
            base64::encode(&material)
        )
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The signature type.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The Ed25519 key.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// Whether this key made `signature` (the bytes after the key ID) on
    /// a note with this `text`; for a cosignature, also its timestamp.
    fn verifies(&self, text: &str, signature: &[u8]) -> Result<Option<u64>, ()> {
        match self.kind {
            KeyKind::Ed25519 => {
                let sig: &[u8; 64] = signature.try_into().map_err(|_| ())?;
                signature::verify(&self.point, &self.key, text.as_bytes(), sig)
                    .then_some(None)
                    .ok_or(())
            }
            KeyKind::Cosignature => {
                let (time, sig) = signature.split_at_checked(8).ok_or(())?;
                let time = u64::from_be_bytes(time.try_into().map_err(|_| ())?);
                let sig: &[u8; 64] = sig.try_into().map_err(|_| ())?;
                if time > i64::MAX as u64 {
                    return Err(());
                }
                let message = cosignature_message(text, time);
                signature::verify(&self.point, &self.key, message.as_bytes(), sig)
                    .then_some(Some(time))
                    .ok_or(())
            }
        }
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key's name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// The signature, after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// A plain Ed25519 signature (type 0x01) of `text` by `key`, named `name`.
    pub fn ed25519(text: &str, name: &str, key: &SigningKey) -> Result<NoteSignature, TlogError> {
        check_name(name)?;
        let public = key.verifying_key().to_bytes();
        Ok(NoteSignature {
            name: name.to_owned(),
            id: key_id(name, KeyKind::Ed25519, &public),
            signature: key.sign(text.as_bytes()).to_bytes().to_vec(),
        })
    }

    /// The line, `— <name> <base64>`, with its newline.
    pub fn line(&self) -> String {
        let mut bytes = self.id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("\u{2014} {} {}\n", self.name, base64::encode(&bytes))
    }

    fn parse(line: &str) -> Result<NoteSignature, TlogError> {
        let rest = line
            .strip_prefix("\u{2014} ")
            .ok_or(TlogError::Malformed("signature line"))?;
        let (name, coded) = rest
            .split_once(' ')
            .ok_or(TlogError::Malformed("signature line"))?;
        check_name(name)?;
        let bytes = base64::decode(coded).ok_or(TlogError::Malformed("signature"))?;
        if bytes.len() < 5 {
            return Err(TlogError::Malformed("signature"));
        }
        let (id, signature) = bytes.split_at(4);
        Ok(NoteSignature {
            name: name.to_owned(),
            id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
            signature: signature.to_vec(),
        })
    }
}

/// A signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// A note of `text` (which must end in a newline) with no signature yet.
    pub fn new(text: &str) -> Result<Note, TlogError> {
        check_text(text.as_bytes())?;
        if text.is_empty() || !text.ends_with('\n') {
            return Err(TlogError::Malformed("note text"));
        }
        Ok(Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Reads a note: the text, separated by the last blank line from one or
    /// more signature lines.
    pub fn parse(bytes: &[u8]) -> Result<Note, TlogError> {
        check_text(bytes)?;
        let all = core::str::from_utf8(bytes).map_err(|_| TlogError::NotText)?;
        let split = all
            .rfind("\n\n")
            .ok_or(TlogError::Malformed("no blank line"))?;
        let (text, block) = (&all[..split + 1], &all[split + 2..]);
        if !block.ends_with('\n') || block.is_empty() {
            return Err(TlogError::Malformed("signature lines"));
        }
        let mut note = Note::new(text)?;
        for line in block[..block.len() - 1].split('\n') {
            if note.signatures.len() == MAX_SIGNATURES {
                return Err(TlogError::TooLarge);
            }
            note.signatures.push(NoteSignature::parse(line)?);
        }
        Ok(note)
    }

    /// The signed text, with its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line.
    pub fn push(&mut self, signature: NoteSignature) {
        self.signatures.push(signature);
    }

    /// The note as it is written: text, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for signature in &self.signatures {
            out.push_str(&signature.line());
        }
        out
    }

    /// Which of `trusted` signed it, by index, with a cosignature's time.
    /// Signatures by other keys are ignored (a key is known by name and ID
    /// both); one by a trusted key that fails refuses the whole note; and
    /// a note that no trusted key signed is refused.
    pub fn verify(
        &self,
        trusted: &[&NoteVerifier],
    ) -> Result<Vec<(usize, Option<u64>)>, TlogError> {
        let mut found: Vec<(usize, Option<u64>)> = Vec::new();
        for signature in &self.signatures {
            let known = trusted
                .iter()
                .position(|v| v.name == signature.name && v.id == signature.id);
            let Some(index) = known else { continue };
            let time = trusted[index]
                .verifies(&self.text, &signature.signature)
                .map_err(|()| TlogError::SignatureFails(signature.name.clone()))?;
            if !found.iter().any(|(i, _)| *i == index) {
                found.push((index, time));
            }
        }
        if found.is_empty() {
            return Err(TlogError::NotSigned);
        }
        Ok(found)
    }
}

/// Valid UTF-8, no control character but the newline, not too long.
fn check_text(bytes: &[u8]) -> Result<(), TlogError> {
    if bytes.len() > MAX_NOTE_BYTES {
        return Err(TlogError::TooLarge);
    }
    let text = core::str::from_utf8(bytes).map_err(|_| TlogError::NotText)?;
    if text.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(TlogError::NotText);
    }
    Ok(())
}
