//! What storage can refuse or fail with, for both kinds of storage.

use crate::files::DirError;

/// What storage can refuse or fail with.
#[derive(Debug)]
pub enum StoreError {
    /// Another process appended to this log first; read it again.
    Conflict,
    /// The storage cannot be reached or refused the write; nothing was
    /// acknowledged.
    Unavailable(String),
    /// A log directory's file failed.
    Dir(DirError),
    /// No log of this name.
    NoSuchLog(String),
    /// A log of this name exists already.
    Exists(String),
    /// What is stored does not replay.
    Corrupt(String),
    /// A setting is wrong.
    Config(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict => f.write_str("another process appended to this log"),
            StoreError::Unavailable(why) => write!(f, "storage unavailable: {why}"),
            StoreError::Dir(error) => error.fmt(f),
            StoreError::NoSuchLog(name) => write!(f, "no log named {name}"),
            StoreError::Exists(name) => write!(f, "a log named {name} exists already"),
            StoreError::Corrupt(why) => write!(f, "stored log does not replay: {why}"),
            StoreError::Config(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<DirError> for StoreError {
    fn from(error: DirError) -> StoreError {
        StoreError::Dir(error)
    }
}
