//! Ledger files on disk: reading under a shared lock, verifying on every
//! core, and appending under an exclusive lock so that a second writer is
//! refused and a crash leaves at worst an incomplete last line, never a
//! changed entry.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ledger_core::verify::{SIGNATURE_BATCH, SignatureBatch};
use ledger_core::{Ledger, LineError, Replay, Seq, VerifyError, VerifyErrorKind, limits};

use crate::error::CliError;

/// Files with at least this many bytes get a progress bar (on a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// A progress bar on stderr, drawn only when stderr is a terminal and the
/// work is long enough to need one.
pub fn progress_bar(total: u64, show: bool, message: &'static str) -> ProgressBar {
    if !show || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(message);
    bar
}

/// Estimated entries in a file of this size, for the progress bar.
fn estimated_entries(file_bytes: u64) -> u64 {
    (file_bytes / 420).max(1)
}

/// One line as read from a file, its length bounded.
enum Line<'a> {
    /// A line (without its newline).
    Complete(&'a [u8]),
    /// Longer than the limit: its bytes were skipped, not kept.
    TooLong(usize),
    /// The file ended without a newline after some bytes.
    Incomplete,
}

/// Reads lines of at most [`limits::MAX_LINE_BYTES`] without ever holding
/// more: a hostile file with a 1 GB line costs no more memory than a good
/// one. Lines that lie whole in the read buffer are passed without a copy.
/// `visit` returns `false` to stop. Returns the bytes of complete lines
/// read, so that a cut can be made after the last one.
fn read_lines<R: BufRead>(
    mut reader: R,
    mut visit: impl FnMut(Line<'_>) -> bool,
) -> std::io::Result<u64> {
    let mut complete_bytes = 0u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut carry_length = 0usize;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            if carry_length > 0 {
                visit(Line::Incomplete);
            }
            return Ok(complete_bytes);
        }
        let mut used = 0;
        let mut go_on = true;
        while go_on {
            let rest = &buffer[used..];
            let Some(end) = memchr::memchr(b'\n', rest) else {
                carry_length = carry_length.saturating_add(rest.len());
                if carry_length <= limits::MAX_LINE_BYTES {
                    carry.extend_from_slice(rest);
                }
                used = buffer.len();
                break;
            };
            let length = carry_length.saturating_add(end);
            go_on = if length > limits::MAX_LINE_BYTES {
                visit(Line::TooLong(length))
            } else if carry_length > 0 {
                carry.extend_from_slice(&rest[..end]);
                visit(Line::Complete(&carry))
            } else {
                visit(Line::Complete(&rest[..end]))
            };
            complete_bytes += length as u64 + 1;
            carry.clear();
            carry_length = 0;
            used += end + 1;
        }
        reader.consume(used);
        if !go_on {
            return Ok(complete_bytes);
        }
    }
}

/// Why a file did not verify.
enum Failure {
    /// The first bad entry.
    Bad(VerifyError),
    /// Every complete line verified, but the file ends in an incomplete
    /// line (left by a writer that died mid-write): here is the ledger
    /// without it.
    Incomplete(Box<Ledger>),
}

use Failure::{Bad, Incomplete};

/// Verifies a ledger file as it is read, parsing and applying rules on this
/// thread while signature batches are checked on every core; the core's
/// [`Replay`] merges what each found, so the first bad entry is the one
/// the single-threaded `verify_jsonl` names. The outer error is a read
/// failure; the inner one says what is wrong.
fn verify_stream<R: BufRead>(
    reader: R,
    progress: &ProgressBar,
) -> std::io::Result<(Result<Ledger, Failure>, u64)> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    // Set by a worker that found a bad signature: reading on can only
    // find later errors.
    let found_bad = AtomicBool::new(false);
    let answers: Mutex<Vec<Result<(), VerifyError>>> = Mutex::new(Vec::new());
    let (sender, receiver) = mpsc::sync_channel::<SignatureBatch>(workers * 2);
    let receiver = Mutex::new(receiver);
    let mut replay = Replay::new();
    let read = std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| check_batches(&receiver, &answers, &found_bad));
        }
        let read = read_lines(reader, |line| {
            if found_bad.load(Ordering::Relaxed) {
                return false;
            }
            match line {
                Line::Complete(line) if !replay.push_line(line) => return false,
                Line::Complete(_) => {}
                Line::TooLong(bytes) => {
                    replay.refuse_line(VerifyErrorKind::Malformed(LineError::TooLong { bytes }));
                    return false;
                }
                Line::Incomplete => {
                    replay.incomplete_last_line();
                    return false;
                }
            }
            match replay.take_batch(SIGNATURE_BATCH) {
                Some(batch) => {
                    progress.set_position(replay.count());
                    send_or_check(&sender, batch, &answers)
                }
                None => true,
            }
        });
        if let Some(rest) = replay.take_batch(1) {
            send_or_check(&sender, rest, &answers);
        }
        drop(sender);
        read
    });
    let complete_bytes = read?;
    progress.set_position(replay.count());
    for answer in answers.into_inner().unwrap_or_default() {
        replay.signatures_checked(answer);
    }
    let result = match replay.finish_with_tail() {
        Ok((ledger, _, None)) => Ok(ledger),
        Ok((ledger, _, Some(_))) => Err(Incomplete(Box::new(ledger))),
        Err(error) => Err(Bad(error)),
    };
    Ok((result, complete_bytes))
}

/// A worker: checks the batches it receives until the sender is gone.
fn check_batches(
    receiver: &Mutex<mpsc::Receiver<SignatureBatch>>,
    answers: &Mutex<Vec<Result<(), VerifyError>>>,
    found_bad: &AtomicBool,
) {
    loop {
        let next = match receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(batch) = next else { return };
        let answer = batch.verify();
        found_bad.fetch_or(answer.is_err(), Ordering::Relaxed);
        if let Ok(mut answers) = answers.lock() {
            answers.push(answer);
        }
    }
}

/// Hands `batch` to a worker, or checks it here if none is left; every
/// batch is answered. Returns whether the workers are there.
fn send_or_check(
    sender: &mpsc::SyncSender<SignatureBatch>,
    batch: SignatureBatch,
    answers: &Mutex<Vec<Result<(), VerifyError>>>,
) -> bool {
    match sender.send(batch) {
        Ok(()) => true,
        Err(mpsc::SendError(batch)) => {
            if let Ok(mut answers) = answers.lock() {
                answers.push(batch.verify());
            }
            false
        }
    }
}

fn verify_file(
    file: &mut File,
    path: &Path,
    show_progress: bool,
) -> Result<(Result<Ledger, Failure>, u64), CliError> {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(
        estimated_entries(size),
        show_progress && size >= PROGRESS_MIN_BYTES,
        "verifying",
    );
    let reader = BufReader::with_capacity(1 << 20, &*file);
    let result = verify_stream(reader, &bar).map_err(|e| CliError::io(path, e))?;
    bar.finish_and_clear();
    Ok(result)
}

/// Reads and verifies a ledger, holding a shared lock so that a writer's
/// half-written line is never seen.
pub fn load(path: &Path, show_progress: bool) -> Result<Ledger, CliError> {
    let mut file = File::open(path).map_err(|e| CliError::io(path, e))?;
    file.lock_shared().map_err(|e| CliError::io(path, e))?;
    let (result, _) = verify_file(&mut file, path, show_progress)?;
    result.map_err(|failure| CliError::Verify {
        path: path.to_owned(),
        error: match failure {
            Bad(error) => error,
            Incomplete(ledger) => VerifyError {
                seq: Seq(ledger.len()),
                kind: VerifyErrorKind::IncompleteLastLine,
            },
        },
    })
}

/// Checks only the hash chain of a file (see
/// `ledger_core::verify::verify_chain_only`): the head, or the first bad entry.
pub fn chain_only(path: &Path) -> Result<ledger_core::Head, CliError> {
    let file = File::open(path).map_err(|e| CliError::io(path, e))?;
    file.lock_shared().map_err(|e| CliError::io(path, e))?;
    let mut verifier = ledger_core::verify::ChainVerifier::new();
    let mut failure = None;
    read_lines(BufReader::with_capacity(1 << 20, &file), |line| {
        let seq = Seq(verifier.count());
        let result = match line {
            Line::Complete(line) => verifier.push_line(line),
            Line::TooLong(bytes) => Err(VerifyError {
                seq,
                kind: VerifyErrorKind::Malformed(ledger_core::LineError::TooLong { bytes }),
            }),
            Line::Incomplete => Err(VerifyError {
                seq,
                kind: VerifyErrorKind::IncompleteLastLine,
            }),
        };
        failure = result.err();
        failure.is_none()
    })
    .map_err(|e| CliError::io(path, e))?;
    failure
        .map_or_else(|| verifier.finish(), Err)
        .map_err(|error| CliError::Verify {
            path: path.to_owned(),
            error,
        })
}

/// A ledger file opened for appending, with the exclusive lock held until
/// it is dropped.
pub struct Writer {
    file: File,
    path: PathBuf,
}

impl Writer {
    /// Opens `path` and takes the exclusive lock, or fails at once with
    /// [`CliError::Locked`] if another writer has it.
    pub fn open(path: &Path) -> Result<Writer, CliError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| CliError::io(path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(CliError::Locked(path.to_owned())),
            Err(TryLockError::Error(e)) => return Err(CliError::io(path, e)),
        }
        Ok(Writer {
            file,
            path: path.to_owned(),
        })
    }

    /// Creates a new ledger file holding `first_line`, refusing to replace
    /// an existing file.
    pub fn create(path: &Path, first_line: &str) -> Result<Writer, CliError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => CliError::Exists(path.to_owned()),
                _ => CliError::io(path, e),
            })?;
        file.try_lock()
            .map_err(|_| CliError::Locked(path.to_owned()))?;
        let mut writer = Writer {
            file,
            path: path.to_owned(),
        };
        writer.append_line(first_line)?;
        jifen_log::files::sync_parent(path);
        Ok(writer)
    }

    /// Reads and verifies the file under the lock. An incomplete last line
    /// can only be left by a writer that died mid-write (its append never
    /// reported success), so it is cut off here, with a warning, before
    /// anything new is written. Returns the ledger and whether a cut was made.
    pub fn load(&mut self, show_progress: bool) -> Result<(Ledger, bool), CliError> {
        let (result, complete_bytes) = verify_file(&mut self.file, &self.path, show_progress)?;
        match result {
            Ok(ledger) => Ok((ledger, false)),
            Err(Incomplete(ledger)) => {
                self.file
                    .set_len(complete_bytes)
                    .and_then(|()| self.file.sync_all())
                    .map_err(|e| CliError::io(&self.path, e))?;
                Ok((*ledger, true))
            }
            Err(Bad(error)) => Err(CliError::Verify {
                path: self.path.clone(),
                error,
            }),
        }
    }

    /// Appends one line and its newline in a single write, then waits for
    /// the disk. Only after this returns is the entry reported as written.
    pub fn append_line(&mut self, line: &str) -> Result<(), CliError> {
        let mut record = Vec::with_capacity(line.len() + 1);
        record.extend_from_slice(line.as_bytes());
        record.push(b'\n');
        self.file
            .write_all(&record)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| CliError::io(&self.path, e))
    }
}

/// Writes a whole file atomically: a temporary file beside it, synced, then
/// renamed over the target. With `private`, only the owner may read it.
pub fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> Result<(), CliError> {
    jifen_log::files::write_atomically(path, bytes, private).map_err(|e| CliError::io(path, e))
}
