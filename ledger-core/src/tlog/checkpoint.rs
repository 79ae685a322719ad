//! C2SP tlog-checkpoint (origin, tree size, root hash, optional extension
//! lines, as a signed note) and the Ed25519 cosignature of
//! tlog-cosignature that witnesses add to one.

use ed25519_dalek::{Signer, SigningKey};

use super::note::{KeyKind, Note, NoteSignature, NoteVerifier, cosignature_message, key_id};
use super::{EMPTY_ROOT, Hash, TlogError, base64, parse_decimal};

/// A log's signed statement of its tree: origin, size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `jifen.example/xinhua-3`.
    pub origin: String,
    /// How many leaves the tree has.
    pub size: u64,
    /// Its RFC 6962 root.
    pub root: Hash,
    /// Extension lines (Jifen writes none).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text: one line each for origin, size and root, then any
    /// extension lines, each ending in a newline.
    pub fn text(&self) -> String {
        let mut text = format!("{}\n{}\n", self.origin, self.size);
        base64::encode_into(&self.root, &mut text);
        text.push('\n');
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Reads a checkpoint's note text. A tree of size 0 must have the
    /// empty tree's root.
    pub fn parse(text: &str) -> Result<Checkpoint, TlogError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(TlogError::Malformed("checkpoint"))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(TlogError::Malformed(
                "checkpoint has fewer than three lines",
            ));
        };
        if origin.is_empty() {
            return Err(TlogError::Malformed("checkpoint origin"));
        }
        let size = parse_decimal(size).ok_or(TlogError::Malformed("checkpoint size"))?;
        let root =
            base64::decode_array::<32>(root).ok_or(TlogError::Malformed("checkpoint root"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(TlogError::Malformed("empty checkpoint extension line"));
        }
        if size == 0 && root != EMPTY_ROOT {
            return Err(TlogError::Malformed("empty tree with another root"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Reads a signed checkpoint of the log `log` (whose key name is its
    /// origin) and checks the log's signature; other signatures (witnesses)
    /// are kept but not checked here.
    pub fn open(bytes: &[u8], log: &NoteVerifier) -> Result<(Checkpoint, Note), TlogError> {
        let note = Note::parse(bytes)?;
        note.verify(&[log])?;
        let checkpoint = Checkpoint::parse(note.text())?;
        if checkpoint.origin != log.name() {
            return Err(TlogError::WrongOrigin {
                expected: log.name().to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok((checkpoint, note))
    }
}

/// The checkpoint as a note signed by the log's key (named by its origin).
pub fn sign_checkpoint(checkpoint: &Checkpoint, key: &SigningKey) -> Result<Note, TlogError> {
    let text = checkpoint.text();
    let mut note = Note::new(&text)?;
    note.push(NoteSignature::ed25519(&text, &checkpoint.origin, key)?);
    Ok(note)
}

/// A witness's cosignature (type 0x04) of a checkpoint at `time` (POSIX
/// seconds, at most 2^63 − 1).
pub fn cosign(
    checkpoint_text: &str,
    name: &str,
    key: &SigningKey,
    time: u64,
) -> Result<NoteSignature, TlogError> {
    if time > i64::MAX as u64 {
        return Err(TlogError::Malformed("cosignature time"));
    }
    // The name's rules are the note's: checked by making the verifier.
    let public = key.verifying_key().to_bytes();
    NoteVerifier::new(name, KeyKind::Cosignature, public)?;
    let message = cosignature_message(checkpoint_text, time);
    let mut signature = time.to_be_bytes().to_vec();
    signature.extend_from_slice(&key.sign(message.as_bytes()).to_bytes());
    Ok(NoteSignature {
        name: name.to_owned(),
        id: key_id(name, KeyKind::Cosignature, &public),
        signature,
    })
}
