//! A v2 log directory, as the service writes it: the code lives in
//! `jifen_log::files`; here its errors become the CLI's.

pub use jifen_log::files::{LogLock, checkpoint_bytes, write_files, write_note};

use std::path::Path;

use ledger_core::log::Log;
use ledger_core::tlog::{Checkpoint, Note};

use crate::error::CliError;

/// Takes the writer lock of a log directory, or fails at once.
pub fn lock(dir: &Path) -> Result<LogLock, CliError> {
    Ok(jifen_log::files::lock(dir)?)
}

/// Reads and replays every durable leaf and checks the checkpoints (see
/// `jifen_log::files::load`).
pub fn load(dir: &Path) -> Result<(Log, Checkpoint), CliError> {
    Ok(jifen_log::files::load(dir)?)
}

/// Writes a log's growth from `old` leaves, then its signed checkpoint.
pub fn write_growth(dir: &Path, log: &Log, old: u64, note: &Note) -> Result<(), CliError> {
    Ok(jifen_log::files::write_growth(dir, log, old, note)?)
}

/// [`load`] for a reader of the log (notice, report) on a machine that
/// may have verified it before: what it verified is kept in the user's
/// cache (`$JIFEN_CACHE_DIR`, else `$XDG_CACHE_HOME/jifen`, else
/// `~/.cache/jifen`; `JIFEN_CACHE_DIR=` empty keeps nothing), as Go's
/// checksum-database client keeps the tree it verified, and leaves whose
/// tree root is unchanged are not signature-checked again (see
/// `jifen_log::files::load_known`). Every rule still runs. A log whose
/// history differs from the one verified before is verified whole, and
/// said so on stderr.
pub fn load_remembered(dir: &Path, lang: ledger_core::Lang) -> Result<(Log, Checkpoint), CliError> {
    let cache = remembered_file();
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let key = key.to_string_lossy().replace(['\n', '\t'], " ");
    let lines: Vec<String> = cache
        .as_ref()
        .and_then(|file| std::fs::read_to_string(file).ok())
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    // Each line: size, base64 root, origin, then the directory (last, as
    // it may hold spaces), tab-separated.
    let known = lines.iter().find_map(|line| {
        let mut parts = line.splitn(4, '\t');
        let (size, root, _origin, path) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if path != key {
            return None;
        }
        let root: [u8; 32] = ledger_core::tlog::base64_decode(root)?.try_into().ok()?;
        Some(jifen_log::files::Verified {
            size: size.parse().ok()?,
            root,
        })
    });
    let (log, checkpoint, held) = jifen_log::files::load_known(dir, known)?;
    if !held && let Some(known) = known {
        eprintln!(
            "{}",
            match lang {
                ledger_core::Lang::Zh => format!(
                    "注意：{} 的前 {} 条与本机上次核验时不同（日志改写了历史，或换了一个日志）；已重新全部核验",
                    dir.display(),
                    known.size
                ),
                ledger_core::Lang::En => format!(
                    "note: the first {} leaves of {} differ from what this machine verified before (the log rewrote its history, or is another log); verified it all again",
                    known.size,
                    dir.display()
                ),
            }
        );
    }
    if let Some(file) = cache {
        let root = ledger_core::tlog::base64_encode(&log.tree().root());
        let mine = format!("{}\t{root}\t{}\t{key}", log.len(), checkpoint.origin);
        // Logs read side by side (a district's) each add their line: read
        // again under the lock, so none is lost.
        static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _writing = WRITING.lock();
        let lines = std::fs::read_to_string(&file).unwrap_or_default();
        let mut kept: Vec<String> = lines
            .lines()
            .filter(|line| line.rsplit('\t').next() != Some(key.as_str()))
            .map(str::to_owned)
            .collect();
        kept.push(mine);
        // Only a cache: a failure to write it changes nothing else.
        let _ = remember(&file, &(kept.join("\n") + "\n"));
    }
    Ok((log, checkpoint))
}

/// Where [`load_remembered`] keeps what it verified, if anywhere.
fn remembered_file() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("JIFEN_CACHE_DIR") {
        Some(dir) if dir.is_empty() => return None,
        Some(dir) => std::path::PathBuf::from(dir),
        None => match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            Some(dir) => std::path::PathBuf::from(dir).join("jifen"),
            None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".cache/jifen"),
        },
    };
    Some(dir.join("verified-logs"))
}

/// Replaces the cache file whole (a new file renamed over the old).
fn remember(file: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let next = file.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&next, text)?;
    std::fs::rename(&next, file)
}
