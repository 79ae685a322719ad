//! Where a community's log lives: a directory of files (the default, no
//! set-up) or a PostgreSQL database (a street's or a district's logs).
//! Both keep the same two facts: the durable leaves, and the last
//! published checkpoint.

use std::path::{Path, PathBuf};

use ledger_core::log::Log;

pub use crate::error::StoreError;
use crate::files::{self, DirError, LogLock};
use crate::pg::Pg;

/// The storage of many logs.
#[derive(Debug, Clone)]
pub enum Store {
    /// One directory per log under this root.
    Files(PathBuf),
    /// One database.
    Postgres(Pg),
}

/// One open log's storage: for a directory, its writer lock.
#[derive(Debug)]
pub struct Opened {
    /// The log's name.
    pub name: String,
    lock: Option<LogLock>,
}

/// What an append writes: the new leaves, and (for a directory) the
/// tiles and bundles they make, then the `sequenced` mark.
#[derive(Debug)]
pub struct Append {
    old: u64,
    leaves: Vec<Vec<u8>>,
    files: Vec<(String, Vec<u8>)>,
    sequenced: Vec<u8>,
}

/// A log read back from storage, replayed.
#[derive(Debug)]
pub struct Loaded {
    /// The log.
    pub log: Log,
    /// The last published checkpoint, if any.
    pub published: Option<Vec<u8>>,
}

/// A directory log's name must be a plain path segment.
fn check_name(name: &str) -> Result<(), StoreError> {
    let fine = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !name.starts_with('-');
    fine.then_some(()).ok_or_else(|| {
        StoreError::Config(format!(
            "{name:?}: a log's name is 1 to 64 of a-z, 0-9, - and _"
        ))
    })
}

impl Store {
    /// The names of the logs stored.
    pub async fn names(&self) -> Result<Vec<String>, StoreError> {
        match self {
            Store::Files(root) => {
                let mut names = Vec::new();
                let entries = std::fs::read_dir(root).map_err(|error| DirError::Io {
                    path: root.clone(),
                    error,
                })?;
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if entry.path().join(files::CHECKPOINT).exists() && check_name(&name).is_ok() {
                        names.push(name);
                    }
                }
                names.sort();
                Ok(names)
            }
            Store::Postgres(pg) => pg.names().await,
        }
    }

    /// Stores a new log (a demo, or one just started) with its first
    /// published checkpoint.
    pub async fn create(&self, name: &str, log: &Log, note: &[u8]) -> Result<(), StoreError> {
        check_name(name)?;
        match self {
            Store::Files(root) => {
                let dir = root.join(name);
                if dir.join(files::CHECKPOINT).exists() {
                    return Err(StoreError::Exists(name.to_owned()));
                }
                std::fs::create_dir_all(&dir).map_err(|error| DirError::Io {
                    path: dir.clone(),
                    error,
                })?;
                let _lock = files::lock(&dir)?;
                files::write_files(&dir, &files::growth(log, 0))?;
                if let Some(vkey) = log.verifier().map(|v| v.vkey()) {
                    files::write_note(&dir, "vkey", format!("{vkey}\n").as_bytes())?;
                }
                files::write_note(&dir, files::CHECKPOINT, note)?;
                Ok(())
            }
            Store::Postgres(pg) => {
                let leaves: Vec<Vec<u8>> = (0..log.len()).filter_map(|i| log.leaf(i)).collect();
                pg.create(name, &leaves, note).await
            }
        }
    }

    /// Opens a log to write it (a directory's lock is held until the
    /// [`Opened`] is dropped) and reads it back.
    pub async fn open(&self, name: &str) -> Result<(Opened, Loaded), StoreError> {
        check_name(name)?;
        let lock = match self {
            Store::Files(root) => Some(files::lock(&root.join(name))?),
            Store::Postgres(_) => None,
        };
        let opened = Opened {
            name: name.to_owned(),
            lock,
        };
        let loaded = self.load(&opened).await?;
        Ok((opened, loaded))
    }

    /// Reads a log back and replays it: every leaf, signature and rule.
    pub async fn load(&self, opened: &Opened) -> Result<Loaded, StoreError> {
        match self {
            Store::Files(root) => {
                let dir = root.join(&opened.name);
                let (log, _) = tokio::task::spawn_blocking(move || files::load(&dir))
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))??;
                let published = Some(files::checkpoint_bytes(&root.join(&opened.name))?);
                Ok(Loaded { log, published })
            }
            Store::Postgres(pg) => {
                let (leaves, published) = pg.load(&opened.name).await?;
                let name = opened.name.clone();
                let log = tokio::task::spawn_blocking(move || {
                    Log::replay(leaves.iter().map(Vec::as_slice))
                })
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
                .map_err(|e| {
                    StoreError::Corrupt(format!("{name}: {}", e.message(ledger_core::Lang::En)))
                })?;
                if let Some(note) = &published {
                    log.check_checkpoint(note).map_err(|e| {
                        StoreError::Corrupt(format!(
                            "{}: checkpoint: {}",
                            opened.name,
                            e.message(ledger_core::Lang::En)
                        ))
                    })?;
                }
                Ok(Loaded { log, published })
            }
        }
    }

    /// For storage other processes may write (a database): the durable
    /// size and the leaves from `from` up to it. `None` for a directory,
    /// whose lock makes this process its only writer.
    pub async fn since(
        &self,
        opened: &Opened,
        from: u64,
    ) -> Result<Option<(u64, Vec<Vec<u8>>)>, StoreError> {
        match self {
            Store::Files(_) => Ok(None),
            Store::Postgres(pg) => pg.since(&opened.name, from).await.map(Some),
        }
    }

    /// What appending the leaves `old..` of `log` writes here; `sequenced`
    /// is a checkpoint of the whole log the log's key signed.
    pub fn prepare(&self, log: &Log, old: u64, sequenced: Vec<u8>) -> Append {
        let leaves = (old..log.len()).filter_map(|i| log.leaf(i)).collect();
        let files = match self {
            Store::Files(_) => files::growth(log, old),
            Store::Postgres(_) => Vec::new(),
        };
        Append {
            old,
            leaves,
            files,
            sequenced,
        }
    }

    /// Makes the leaves durable, refusing if another writer moved the log.
    pub async fn append(&self, opened: &Opened, append: Append) -> Result<(), StoreError> {
        match self {
            Store::Files(root) => {
                let dir = root.join(&opened.name);
                debug_assert!(opened.lock.is_some());
                tokio::task::spawn_blocking(move || {
                    files::write_files(&dir, &append.files)?;
                    files::write_note(&dir, files::SEQUENCED, &append.sequenced)
                })
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))??;
                Ok(())
            }
            Store::Postgres(pg) => pg.append(&opened.name, append.old, &append.leaves).await,
        }
    }

    /// Publishes a checkpoint (with its cosignatures) of `size` leaves.
    pub async fn publish(
        &self,
        opened: &Opened,
        size: u64,
        note: Vec<u8>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Files(root) => {
                let dir = root.join(&opened.name);
                tokio::task::spawn_blocking(move || {
                    files::write_note(&dir, files::CHECKPOINT, &note)
                })
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))??;
                Ok(())
            }
            Store::Postgres(pg) => pg.publish(&opened.name, size, &note).await.map(|_| ()),
        }
    }

    /// The directory a log is published in, when it is stored as files.
    pub fn dir(&self, name: &str) -> Option<PathBuf> {
        match self {
            Store::Files(root) => Some(root.join(name)),
            Store::Postgres(_) => None,
        }
    }
}

/// A root directory for file logs, made if missing.
pub fn files_root(path: &Path) -> Result<Store, StoreError> {
    std::fs::create_dir_all(path).map_err(|error| DirError::Io {
        path: path.to_owned(),
        error,
    })?;
    Ok(Store::Files(path.to_owned()))
}
