//! The community's log, in the forms others already read: the RFC 6962
//! Merkle tree, and the C2SP texts (signed-note, tlog-checkpoint,
//! tlog-cosignature, tlog-proof, tlog-tiles). Nothing here knows about
//! points: a C2SP client can check a Jifen log with what it has.
//!
//! Pure, like the rest of the crate: times and keys come in as arguments.

mod base64;
mod checkpoint;
mod follow;
mod merkle;
mod note;
mod policy;
mod proof;
mod tiles;

pub use base64::{decode as base64_decode, encode as base64_encode};
pub use checkpoint::{Checkpoint, cosign, sign_checkpoint};
pub use follow::{Divergence, FollowError, Found, bundles_to, grow};
pub use merkle::{
    EMPTY_ROOT, Hash, MAX_PROOF_HASHES, Tree, leaf_hash, node_hash, verify_consistency,
    verify_inclusion,
};
pub use note::{
    KeyKind, MAX_NOTE_BYTES, MAX_SIGNATURES, Note, NoteSignature, NoteVerifier,
    cosignature_message, key_id,
};
pub use policy::{MAX_POLICY_ITEMS, Party, Policy, Witnessed};
pub use proof::{AddCheckpoint, TlogProof};
pub use tiles::{
    TILE_WIDTH, TileRef, entry_bundle, read_entry_bundle, read_hash_tile, read_leaves,
    tiles_between,
};

use crate::lang::{Lang, english_display, say};
use crate::signature::KeyProblem;

/// What is wrong with a note, checkpoint, proof or tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlogError {
    /// Longer than [`MAX_NOTE_BYTES`], or more than [`MAX_SIGNATURES`].
    TooLarge,
    /// Not UTF-8, or a control character other than a newline.
    NotText,
    /// Not in the form its specification gives; says which part.
    Malformed(&'static str),
    /// A key name that is empty or has a space or a plus.
    BadKeyName,
    /// A key that is not a safe Ed25519 key.
    WeakKey(KeyProblem),
    /// A signature type Jifen does not use.
    UnknownKeyKind(u8),
    /// A signature by a trusted key that does not verify: the whole note
    /// is refused.
    SignatureFails(String),
    /// No signature by a trusted key.
    NotSigned,
    /// A checkpoint of another log.
    WrongOrigin {
        /// The log's origin.
        expected: String,
        /// The checkpoint's.
        found: String,
    },
    /// A leaf index not in the tree.
    IndexBeyondSize {
        /// The index.
        index: u64,
        /// The tree's size.
        size: u64,
    },
    /// A consistency proof asked from a larger tree to a smaller one.
    OlderIsLarger {
        /// The first size.
        old: u64,
        /// The second.
        new: u64,
    },
    /// The hashes of a proof do not lead to the root.
    ProofDoesNotHold,
    /// A tlog-policy file breaks a rule of its specification.
    Policy {
        /// The line (1 for the first; 0 for the file as a whole).
        line: usize,
        /// Which rule.
        problem: &'static str,
    },
    /// Fewer witnesses cosigned than the policy needs.
    TooFewWitnesses {
        /// How many the policy needs.
        needed: usize,
        /// How many verified.
        found: usize,
    },
}

impl TlogError {
    /// The message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            TlogError::TooLarge => say!(
                lang,
                "签名文本过大或签名过多",
                "note too large or too many signatures"
            ),
            TlogError::NotText => say!(
                lang,
                "签名文本不是 UTF-8，或含有换行以外的控制字符",
                "note is not UTF-8 text, or has a control character other than a newline"
            ),
            TlogError::Malformed(what) => say!(lang, "格式不对：{}", "malformed: {}", what),
            TlogError::Policy { line, problem } => say!(
                lang,
                "见证策略文件第 {} 行不对：{}",
                "the witness policy, line {}: {}",
                line,
                problem
            ),
            TlogError::BadKeyName => say!(
                lang,
                "密钥名称为空或含有空格、加号",
                "key name is empty or has a space or a plus"
            ),
            TlogError::WeakKey(problem) => say!(
                lang,
                "不安全的 Ed25519 公钥（{}）",
                "unsafe Ed25519 key ({})",
                problem
            ),
            TlogError::UnknownKeyKind(kind) => say!(
                lang,
                "不支持的签名类型 0x{:02x}",
                "unsupported signature type 0x{:02x}",
                kind
            ),
            TlogError::SignatureFails(name) => say!(
                lang,
                "{} 的签名验证失败，整份文本不予接受",
                "the signature by {} does not verify; the whole note is refused",
                name
            ),
            TlogError::NotSigned => say!(
                lang,
                "没有受信任密钥的签名",
                "no signature by a trusted key"
            ),
            TlogError::WrongOrigin { expected, found } => say!(
                lang,
                "这是另一个日志（{}）的检查点，应为 {}",
                "checkpoint of another log ({}), expected {}",
                found,
                expected
            ),
            TlogError::IndexBeyondSize { index, size } => say!(
                lang,
                "序号 {} 不在大小为 {} 的树中",
                "index {} is not in a tree of size {}",
                index,
                size
            ),
            TlogError::OlderIsLarger { old, new } => say!(
                lang,
                "旧树（{}）比新树（{}）大",
                "old tree ({}) is larger than new tree ({})",
                old,
                new
            ),
            TlogError::ProofDoesNotHold => say!(
                lang,
                "证明不成立：哈希算不出签名的根",
                "proof does not hold: its hashes do not lead to the signed root"
            ),
            TlogError::TooFewWitnesses { needed, found } => say!(
                lang,
                "见证人联署不足：需要 {}，有效 {}",
                "too few witness cosignatures: {} needed, {} valid",
                needed,
                found
            ),
        }
    }

    /// A stable name for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            TlogError::TooLarge => "too_large",
            TlogError::NotText => "not_text",
            TlogError::Malformed(_) => "malformed",
            TlogError::BadKeyName => "bad_key_name",
            TlogError::WeakKey(_) => "weak_key",
            TlogError::UnknownKeyKind(_) => "unknown_key_kind",
            TlogError::SignatureFails(_) => "signature_fails",
            TlogError::NotSigned => "not_signed",
            TlogError::WrongOrigin { .. } => "wrong_origin",
            TlogError::IndexBeyondSize { .. } => "index_beyond_size",
            TlogError::OlderIsLarger { .. } => "older_is_larger",
            TlogError::ProofDoesNotHold => "proof_does_not_hold",
            TlogError::TooFewWitnesses { .. } => "too_few_witnesses",
            TlogError::Policy { .. } => "policy",
        }
    }
}

english_display!(TlogError);

/// A decimal with no leading zero ("0" alone for zero), as C2SP spells
/// sizes, indexes and times.
pub(crate) fn parse_decimal(text: &str) -> Option<u64> {
    let digits = text.as_bytes();
    if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests;
