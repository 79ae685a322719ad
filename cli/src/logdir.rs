//! A v2 log on disk, laid out as C2SP tlog-tiles so that a static web
//! server can publish the directory as it is: `checkpoint`, the hash tiles
//! under `tile/<L>/`, and the leaves in the entry bundles under
//! `tile/entries/` (the only copy of the entries). Writers hold an
//! exclusive lock on `log.lock`; readers need none, since every file is
//! replaced whole and the checkpoint last.

use std::fs::{File, OpenOptions};
use std::path::Path;

use std::sync::{Mutex, mpsc};

use ledger_core::log::{LeafSignatures, Log, LogReplay};
use ledger_core::tlog::{
    Checkpoint, Note, TileRef, entry_bundle, read_entry_bundle, tiles_between,
};

use crate::error::CliError;
use crate::store::write_atomically;

/// The directory's writer lock, held until dropped.
pub struct LogLock {
    _file: File,
}

/// Takes the writer lock of a log directory, or fails at once.
pub fn lock(dir: &Path) -> Result<LogLock, CliError> {
    let path = dir.join("log.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| CliError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(LogLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(CliError::Locked(dir.to_owned())),
        Err(std::fs::TryLockError::Error(error)) => Err(CliError::io(&path, error)),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::io(path, e))
}

fn write(dir: &Path, relative: &str, bytes: &[u8]) -> Result<(), CliError> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| CliError::io(parent, e))?;
    }
    write_atomically(&path, bytes, false)
}

/// The signed checkpoint's bytes.
pub fn checkpoint_bytes(dir: &Path) -> Result<Vec<u8>, CliError> {
    read(&dir.join("checkpoint"))
}

/// Reads every leaf the checkpoint counts from the entry bundles, then
/// replays them all (every line, signature, device chain and rule) and
/// checks the checkpoint: signed by the key the ledger names, with the
/// root of the replayed tree.
pub fn load(dir: &Path) -> Result<(Log, Checkpoint), CliError> {
    let path = dir.join("checkpoint");
    let bytes = checkpoint_bytes(dir)?;
    let tlog = |error| CliError::Tlog {
        path: path.clone(),
        error,
    };
    // The size says which bundles to read; the signature is checked once
    // the log is replayed and its key known.
    let note = Note::parse(&bytes).map_err(tlog)?;
    let claimed = Checkpoint::parse(note.text()).map_err(tlog)?;
    let tiles: Vec<TileRef> = tiles_between(0, claimed.size)
        .into_iter()
        .filter(|t| t.level == 0)
        .collect();
    let log = replay_on_every_core(dir, &tiles)?;
    let checkpoint = log.check_checkpoint(&bytes).map_err(tlog)?;
    if checkpoint.size != log.len() {
        return Err(tlog(ledger_core::tlog::TlogError::ProofDoesNotHold));
    }
    Ok((log, checkpoint))
}

/// The core's replay of the leaves in the entry bundles of `tiles`, read
/// one bundle at a time, its signature batches checked on every core
/// while this thread reads the leaves and runs the rules.
fn replay_on_every_core(dir: &Path, tiles: &[TileRef]) -> Result<Log, CliError> {
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
                let _ = sender.send(batch);
            }
            going
        });
        drop(sender);
        read
    })?;
    let bad = bad.into_inner().unwrap_or(None);
    replay.finish(bad).map_err(|error| CliError::Log {
        path: dir.to_owned(),
        error,
    })
}

/// Feeds each leaf of the bundles to `leaf`, while it says to go on.
fn read_bundles(
    dir: &Path,
    tiles: &[TileRef],
    mut leaf: impl FnMut(&[u8]) -> bool,
) -> Result<(), CliError> {
    for tile in tiles {
        let path = dir.join(tile.entries_path());
        let bytes = read(&path)?;
        let leaves = read_entry_bundle(&bytes).map_err(|error| CliError::Tlog {
            path: path.clone(),
            error,
        })?;
        if leaves.len() != usize::from(tile.width) {
            return Err(CliError::Tlog {
                path,
                error: ledger_core::tlog::TlogError::Malformed("entry bundle of the wrong width"),
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

/// Writes what a log that grew from `old` leaves adds: new and wider hash
/// tiles, entry bundles, then the signed checkpoint (last, so a reader
/// never meets a checkpoint whose tiles are missing), and the vkey.
pub fn write_growth(dir: &Path, log: &Log, old: u64, note: &Note) -> Result<(), CliError> {
    for tile in tiles_between(old, log.len()) {
        let bytes = log.tree().tile(&tile).unwrap_or_default();
        write(dir, &tile.path(), &bytes)?;
        if tile.level == 0 {
            write(dir, &tile.entries_path(), &bundle(log, &tile))?;
        }
        // Partial tiles are served for the checkpoints that needed them
        // until the full tile is there; then they may go.
        if u64::from(tile.width) == ledger_core::tlog::TILE_WIDTH {
            let _ = std::fs::remove_dir_all(dir.join(format!("{}.p", tile.path())));
            if tile.level == 0 {
                let _ = std::fs::remove_dir_all(dir.join(format!("{}.p", tile.entries_path())));
            }
        }
    }
    if let Some(vkey) = log.verifier().map(|v| v.vkey()) {
        write(dir, "vkey", format!("{vkey}\n").as_bytes())?;
    }
    write(dir, "checkpoint", note.to_text().as_bytes())
}

fn bundle(log: &Log, tile: &TileRef) -> Vec<u8> {
    let leaves: Vec<Vec<u8>> = tile.leaves().filter_map(|i| log.leaf(i)).collect();
    entry_bundle(leaves.iter().map(Vec::as_slice)).unwrap_or_default()
}
