//! The keys file, for tests and demos only: a JSON object mapping actor ids
//! to the hex of their 32-byte Ed25519 secret seeds. Real devices keep
//! their key to themselves.

use core::fmt;

use ed25519_dalek::SigningKey;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use crate::hex;
use crate::lang::Lang;
use crate::model::ActorId;
use crate::model::FieldProblem;

/// Most actors in one keys file.
pub const MAX_KEYS: usize = crate::limits::MAX_ACTORS;

/// Longest keys file, in bytes.
pub const MAX_KEYS_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Why a keys file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysError {
    /// Larger than [`MAX_KEYS_FILE_BYTES`].
    TooLarge,
    /// Not a JSON object of strings, or an actor named twice.
    Json(String),
    /// An actor id or a secret that breaks the format.
    Field {
        /// The actor id as written.
        actor: String,
        /// What is wrong.
        problem: FieldProblem,
    },
}

impl KeysError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (KeysError::TooLarge, Lang::Zh) => {
                format!("密钥文件超过 {MAX_KEYS_FILE_BYTES} 字节")
            }
            (KeysError::TooLarge, Lang::En) => {
                format!("the keys file is over {MAX_KEYS_FILE_BYTES} bytes")
            }
            (KeysError::Json(reason), Lang::Zh) => {
                format!("密钥文件不是「操作者 → 私钥十六进制」的 JSON 对象：{reason}")
            }
            (KeysError::Json(reason), Lang::En) => {
                format!("the keys file is not a JSON object of actor → secret hex: {reason}")
            }
            (KeysError::Field { actor, problem }, Lang::Zh) => {
                format!("密钥文件中 {actor:?}：{}", problem.message(lang))
            }
            (KeysError::Field { actor, problem }, Lang::En) => {
                format!("keys file entry {actor:?}: {}", problem.message(lang))
            }
        }
    }
}

impl fmt::Display for KeysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for KeysError {}

/// Parsed keys, in file order.
#[derive(Debug, Clone, Default)]
pub struct Keys(Vec<(ActorId, [u8; 32])>);

struct RawKeys(Vec<(String, String)>);

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawKeys, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = RawKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of actor id to secret hex")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawKeys, A::Error> {
                let mut pairs: Vec<(String, String)> = Vec::new();
                while let Some((actor, secret)) = map.next_entry::<String, String>()? {
                    if pairs.iter().any(|(seen, _)| *seen == actor) {
                        return Err(serde::de::Error::custom(format!(
                            "actor {actor:?} appears twice"
                        )));
                    }
                    if pairs.len() >= MAX_KEYS {
                        return Err(serde::de::Error::custom("too many keys"));
                    }
                    pairs.push((actor, secret));
                }
                Ok(RawKeys(pairs))
            }
        }
        deserializer.deserialize_map(MapVisitor)
    }
}

impl Keys {
    /// Parses a keys file. Does not panic, whatever the bytes.
    pub fn parse(bytes: &[u8]) -> Result<Keys, KeysError> {
        if bytes.len() > MAX_KEYS_FILE_BYTES {
            return Err(KeysError::TooLarge);
        }
        let raw: RawKeys =
            serde_json::from_slice(bytes).map_err(|error| KeysError::Json(error.to_string()))?;
        let mut keys = Vec::with_capacity(raw.0.len());
        for (actor, secret) in raw.0 {
            let field = |problem| KeysError::Field {
                actor: actor.clone(),
                problem,
            };
            let id: ActorId = actor.parse().map_err(field)?;
            let seed = hex::decode::<32>(&secret)
                .ok_or_else(|| field(FieldProblem::NotLowercaseHex { bytes: 32 }))?;
            keys.push((id, seed));
        }
        Ok(Keys(keys))
    }

    /// Keys from pairs, e.g. a demo's.
    pub fn from_pairs(pairs: Vec<(ActorId, [u8; 32])>) -> Keys {
        Keys(pairs)
    }

    /// The signing key of `actor`, if present.
    pub fn signing_key(&self, actor: &str) -> Option<SigningKey> {
        self.0
            .iter()
            .find(|(id, _)| id.as_str() == actor)
            .map(|(_, seed)| SigningKey::from_bytes(seed))
    }

    /// Adds or replaces a key.
    pub fn insert(&mut self, actor: ActorId, seed: [u8; 32]) {
        match self.0.iter_mut().find(|(id, _)| *id == actor) {
            Some(slot) => slot.1 = seed,
            None => self.0.push((actor, seed)),
        }
    }

    /// The file's text: a pretty-printed JSON object.
    pub fn to_json(&self) -> String {
        crate::demo::keys_json(&self.0)
    }

    /// The actors present.
    pub fn actors(&self) -> impl Iterator<Item = &ActorId> {
        self.0.iter().map(|(id, _)| id)
    }
}
