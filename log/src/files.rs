//! A v2 log on disk, laid out as C2SP tlog-tiles so that a static web
//! server can publish the directory as it is: `checkpoint`, the hash tiles
//! under `tile/<L>/`, and the leaves in the entry bundles under
//! `tile/entries/` (the only copy of the entries). Writers hold an
//! exclusive lock on `log.lock`; readers need none, since every file is
//! replaced whole and the checkpoint last.
//!
//! The service answers an index once the leaf is durable, before the next
//! published checkpoint covers it; `sequenced` (a checkpoint the log
//! signed, never served) records how far the durable leaves go.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

use ledger_core::log::{LeafSignatures, Log, LogError, LogReplay};
use ledger_core::tlog::{
    Checkpoint, Note, TILE_WIDTH, TileRef, TlogError, entry_bundle, read_entry_bundle,
    tiles_between,
};

/// The published checkpoint's file.
pub const CHECKPOINT: &str = "checkpoint";
/// The durable size's file.
pub const SEQUENCED: &str = "sequenced";

/// What reading or writing a log directory can meet.
#[derive(Debug)]
pub enum DirError {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// Another process writes the log.
    Locked(PathBuf),
    /// A checkpoint or bundle does not hold.
    Tlog {
        /// The file.
        path: PathBuf,
        /// Why.
        error: TlogError,
    },
    /// The leaves do not replay.
    Log {
        /// The directory.
        path: PathBuf,
        /// Which leaf, and why.
        error: LogError,
    },
}

impl DirError {
    fn io(path: &Path, error: std::io::Error) -> DirError {
        DirError::Io {
            path: path.to_owned(),
            error,
        }
    }
}

impl std::fmt::Display for DirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DirError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            DirError::Locked(path) => {
                write!(f, "{}: another process writes this log", path.display())
            }
            DirError::Tlog { path, error } => {
                write!(
                    f,
                    "{}: {}",
                    path.display(),
                    error.message(ledger_core::Lang::En)
                )
            }
            DirError::Log { path, error } => {
                write!(
                    f,
                    "{}: {}",
                    path.display(),
                    error.message(ledger_core::Lang::En)
                )
            }
        }
    }
}

impl std::error::Error for DirError {}

/// The directory's writer lock, held until dropped.
#[derive(Debug)]
pub struct LogLock {
    _file: File,
}

/// Takes the writer lock of a log directory, or fails at once.
pub fn lock(dir: &Path) -> Result<LogLock, DirError> {
    let path = dir.join("log.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| DirError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(LogLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(DirError::Locked(dir.to_owned())),
        Err(std::fs::TryLockError::Error(error)) => Err(DirError::io(&path, error)),
    }
}

/// Makes a new directory entry durable (best effort: not every file system
/// lets a directory be opened).
pub fn sync_parent(path: &Path) {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Ok(directory) = File::open(parent) {
        let _ = directory.sync_all();
    }
}

/// Writes a whole file atomically: a temporary file beside it, synced, then
/// renamed over the target. With `private`, only the owner may read it.
pub fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = options
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    sync_parent(path);
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, DirError> {
    std::fs::read(path).map_err(|e| DirError::io(path, e))
}

fn write(dir: &Path, relative: &str, bytes: &[u8]) -> Result<(), DirError> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| DirError::io(parent, e))?;
    }
    write_atomically(&path, bytes, false).map_err(|e| DirError::io(&path, e))
}

/// The published checkpoint's bytes.
pub fn checkpoint_bytes(dir: &Path) -> Result<Vec<u8>, DirError> {
    read(&dir.join(CHECKPOINT))
}

/// The size a signed checkpoint file claims (its signature is checked once
/// the log is replayed and its key known), or `None` if there is no file.
fn claimed_size(path: &Path) -> Result<Option<u64>, DirError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(DirError::io(path, error)),
    };
    let tlog = |error| DirError::Tlog {
        path: path.to_owned(),
        error,
    };
    let note = Note::parse(&bytes).map_err(tlog)?;
    Ok(Some(Checkpoint::parse(note.text()).map_err(tlog)?.size))
}

/// Reads every durable leaf from the entry bundles (as far as the larger of
/// the published checkpoint and the `sequenced` mark), replays them all
/// (every line, signature, device chain and rule), and checks both
/// checkpoints: signed by the key the ledger names, with the roots of the
/// replayed tree. Returns the log and its published checkpoint.
pub fn load(dir: &Path) -> Result<(Log, Checkpoint), DirError> {
    load_known(dir, None).map(|(log, checkpoint, _)| (log, checkpoint))
}

/// What a reader verified of a log before: its tree's size and root then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The tree's size.
    pub size: u64,
    /// Its root at that size.
    pub root: ledger_core::tlog::Hash,
}

/// [`load`], for a reader that verified this log before up to `known`:
/// every leaf is read, hashed and replayed by the rules as ever, but the
/// device signatures of leaves below `known.size` are not checked again
/// when the tree rebuilt from those very bytes has `known.root` at that
/// size (the same root means the same bytes, whose signatures held). If
/// the root differs, the whole log is verified again, signatures and all,
/// and the third value is false: the log's history is not the one this
/// reader verified.
pub fn load_known(
    dir: &Path,
    known: Option<Verified>,
) -> Result<(Log, Checkpoint, bool), DirError> {
    let path = dir.join(CHECKPOINT);
    let published = claimed_size(&path)?
        .ok_or_else(|| DirError::io(&path, std::io::Error::from(std::io::ErrorKind::NotFound)))?;
    let sequenced = claimed_size(&dir.join(SEQUENCED))?.unwrap_or(0);
    let size = published.max(sequenced);
    let tiles: Vec<TileRef> = tiles_between(0, size)
        .into_iter()
        .filter(|t| t.level == 0)
        .collect();
    let trusted = known.filter(|k| k.size <= size);
    let mut log = replay_on_every_core(dir, &tiles, trusted.map_or(0, |k| k.size))?;
    let held = match trusted {
        Some(k) => log.tree().root_at(k.size) == Some(k.root),
        None => known.is_none(),
    };
    if !held && trusted.is_some() {
        log = replay_on_every_core(dir, &tiles, 0)?;
    }
    let check = |name: &str| -> Result<Checkpoint, DirError> {
        let path = dir.join(name);
        let tlog = |error| DirError::Tlog {
            path: path.clone(),
            error,
        };
        log.check_checkpoint(&read(&path)?).map_err(tlog)
    };
    let checkpoint = check(CHECKPOINT)?;
    if sequenced > published {
        check(SEQUENCED)?;
    }
    if log.len() != size {
        return Err(DirError::Tlog {
            path,
            error: TlogError::ProofDoesNotHold,
        });
    }
    Ok((log, checkpoint, held))
}

/// The core's replay of the leaves in the entry bundles of `tiles`, read
/// one bundle at a time, its signature batches checked on every core
/// while this thread reads the leaves and runs the rules; batches wholly
/// below `verified_below` are left out (see [`load_known`]).
fn replay_on_every_core(
    dir: &Path,
    tiles: &[TileRef],
    verified_below: u64,
) -> Result<Log, DirError> {
    let mut replay = LogReplay::new();
    let bad = Mutex::new(None::<u64>);
    let (sender, receiver) = mpsc::channel::<LeafSignatures>();
    let receiver = Mutex::new(receiver);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(batch) = next else { return };
                    if let Some(index) = batch.first_bad()
                        && let Ok(mut bad) = bad.lock()
                    {
                        *bad = Some(bad.map_or(index, |b| b.min(index)));
                    }
                }
            });
        }
        let read = read_bundles(dir, tiles, |leaf| {
            let going = replay.push(leaf);
            while let Some(batch) = replay.take_batch() {
                if batch
                    .last_index()
                    .is_some_and(|last| last >= verified_below)
                {
                    let _ = sender.send(batch);
                }
            }
            going
        });
        drop(sender);
        read
    })?;
    let bad = bad.into_inner().unwrap_or(None);
    replay.finish(bad).map_err(|error| DirError::Log {
        path: dir.to_owned(),
        error,
    })
}

/// Feeds each leaf of the bundles to `leaf`, while it says to go on.
fn read_bundles(
    dir: &Path,
    tiles: &[TileRef],
    mut leaf: impl FnMut(&[u8]) -> bool,
) -> Result<(), DirError> {
    for tile in tiles {
        let mut path = dir.join(tile.entries_path());
        let bytes = match std::fs::read(&path) {
            // A partial bundle goes once the full one is written; the
            // full one starts with the same leaves.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && tile.width < 256 => {
                let full = TileRef {
                    width: TILE_WIDTH as u16,
                    ..*tile
                };
                path = dir.join(full.entries_path());
                read(&path)?
            }
            read => read.map_err(|e| DirError::io(&path, e))?,
        };
        let mut leaves = read_entry_bundle(&bytes).map_err(|error| DirError::Tlog {
            path: path.clone(),
            error,
        })?;
        if leaves.len() == TILE_WIDTH as usize {
            leaves.truncate(usize::from(tile.width));
        }
        if leaves.len() != usize::from(tile.width) {
            return Err(DirError::Tlog {
                path,
                error: TlogError::Malformed("entry bundle of the wrong width"),
            });
        }
        for bytes in leaves {
            if !leaf(bytes) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The files a log that grew from `old` leaves adds, by path under the
/// directory: new and wider hash tiles and entry bundles.
pub fn growth(log: &Log, old: u64) -> Vec<(String, Vec<u8>)> {
    growth_to(log, old, log.len())
}

/// The files a tree that grew from `old` to `new` leaves adds (`new` at
/// most the log's size).
pub fn growth_to(log: &Log, old: u64, new: u64) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for tile in tiles_between(old, new.min(log.len())) {
        files.push((tile.path(), log.tree().tile(&tile).unwrap_or_default()));
        if tile.level == 0 {
            files.push((tile.entries_path(), bundle(log, &tile)));
        }
    }
    files
}

/// Writes `files` (from [`growth`]), then removes the partial tiles a
/// full one replaced: they were served for the checkpoints that needed
/// them until the full tile was there.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), DirError> {
    for (path, bytes) in files {
        write(dir, path, bytes)?;
    }
    for (path, bytes) in files {
        let full = if path.starts_with("tile/entries/") {
            read_entry_bundle(bytes).is_ok_and(|l| l.len() as u64 == ledger_core::tlog::TILE_WIDTH)
        } else {
            bytes.len() as u64 == 32 * ledger_core::tlog::TILE_WIDTH
        };
        if full {
            let _ = std::fs::remove_dir_all(dir.join(format!("{path}.p")));
        }
    }
    Ok(())
}

/// Writes a signed note as `name` (`checkpoint` or `sequenced`).
pub fn write_note(dir: &Path, name: &str, note: &[u8]) -> Result<(), DirError> {
    write(dir, name, note)
}

/// Writes what a log that grew from `old` leaves adds: new and wider hash
/// tiles, entry bundles, then the signed checkpoint (last, so a reader
/// never meets a checkpoint whose tiles are missing), and the vkey.
pub fn write_growth(dir: &Path, log: &Log, old: u64, note: &Note) -> Result<(), DirError> {
    write_files(dir, &growth(log, old))?;
    if let Some(vkey) = log.verifier().map(|v| v.vkey()) {
        write(dir, "vkey", format!("{vkey}\n").as_bytes())?;
    }
    write(dir, CHECKPOINT, note.to_text().as_bytes())
}

fn bundle(log: &Log, tile: &TileRef) -> Vec<u8> {
    let leaves: Vec<Vec<u8>> = tile.leaves().filter_map(|i| log.leaf(i)).collect();
    entry_bundle(leaves.iter().map(Vec::as_slice)).unwrap_or_default()
}
