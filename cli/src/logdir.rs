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
