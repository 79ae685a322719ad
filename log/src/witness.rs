//! The witness's side of C2SP tlog-witness: it keeps the last checkpoint
//! it cosigned per log, and cosigns a new one only if the log signed it and
//! it extends that one (its consistency proof holds). Checking the old
//! size and recording the new one happen under one lock, and the record is
//! on disk before the cosignature leaves, as the specification asks.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ed25519_dalek::SigningKey;
use ledger_core::tlog::{
    AddCheckpoint, Checkpoint, EMPTY_ROOT, Note, NoteVerifier, TlogError, base64_decode,
    base64_encode, cosign, verify_consistency,
};
use serde_json::{Map, Value, json};

use crate::files::{DirError, write_atomically};

/// Why a witness did not cosign, with the HTTP status the specification
/// gives each.
#[derive(Debug)]
pub enum WitnessError {
    /// The request is not an add-checkpoint body (400).
    Malformed(TlogError),
    /// No log of this origin is witnessed here (404).
    UnknownLog(String),
    /// The log's signature is missing or fails (403).
    NotSigned(TlogError),
    /// The old size is above the checkpoint's (400).
    OldAboveNew {
        /// The request's old size.
        old: u64,
        /// The checkpoint's size.
        new: u64,
    },
    /// The witness last cosigned another size (409).
    Conflict {
        /// The size it last cosigned.
        size: u64,
    },
    /// The proof does not show the checkpoint extends the last one (422).
    Inconsistent(TlogError),
    /// The witness's own copy of the log does not reach this root (422).
    ReplayDisagrees,
    /// The witness's state could not be read or written (500).
    State(DirError),
}

impl WitnessError {
    /// The HTTP status of this answer.
    pub fn status(&self) -> u16 {
        match self {
            WitnessError::Malformed(_) | WitnessError::OldAboveNew { .. } => 400,
            WitnessError::NotSigned(_) => 403,
            WitnessError::UnknownLog(_) => 404,
            WitnessError::Conflict { .. } => 409,
            WitnessError::Inconsistent(_) | WitnessError::ReplayDisagrees => 422,
            WitnessError::State(_) => 500,
        }
    }

    /// A sentence for the operator.
    pub fn message(&self, lang: ledger_core::Lang) -> String {
        let zh = lang == ledger_core::Lang::Zh;
        match self {
            WitnessError::Malformed(e)
            | WitnessError::NotSigned(e)
            | WitnessError::Inconsistent(e) => e.message(lang),
            WitnessError::UnknownLog(origin) if zh => format!("本见证人不见证日志 {origin}"),
            WitnessError::UnknownLog(origin) => format!("this witness does not witness {origin}"),
            WitnessError::OldAboveNew { old, new } if zh => {
                format!("旧大小 {old} 大于检查点大小 {new}")
            }
            WitnessError::OldAboveNew { old, new } => {
                format!("old size {old} is above the checkpoint's size {new}")
            }
            WitnessError::Conflict { size } if zh => format!("本见证人上次联署的大小是 {size}"),
            WitnessError::Conflict { size } => format!("this witness last cosigned size {size}"),
            WitnessError::ReplayDisagrees if zh => "本见证人重放的日志得不到这个根哈希".to_owned(),
            WitnessError::ReplayDisagrees => {
                "this witness's replay of the log does not reach that root".to_owned()
            }
            WitnessError::State(e) => e.to_string(),
        }
    }
}

/// A witness: its name and key, the logs it witnesses, and where it keeps
/// the last cosigned checkpoint of each.
#[derive(Debug)]
pub struct Witness {
    name: String,
    key: SigningKey,
    logs: Vec<NoteVerifier>,
    state: PathBuf,
    replay: Option<PathBuf>,
    lock: Mutex<()>,
}

impl Witness {
    /// A witness of `logs` named `name`, keeping its state in `state`; with
    /// `replay`, it also replays its own copy of the log (a directory) and
    /// cosigns only the root it computed.
    pub fn new(
        name: &str,
        key: SigningKey,
        logs: Vec<NoteVerifier>,
        state: PathBuf,
        replay: Option<PathBuf>,
    ) -> Result<Witness, TlogError> {
        NoteVerifier::new(
            name,
            ledger_core::tlog::KeyKind::Cosignature,
            key.verifying_key().to_bytes(),
        )?;
        Ok(Witness {
            name: name.to_owned(),
            key,
            logs,
            state,
            replay,
            lock: Mutex::new(()),
        })
    }

    /// The witness's verifier key (`vkey`), as logs and clients name it.
    pub fn vkey(&self) -> String {
        NoteVerifier::new(
            &self.name,
            ledger_core::tlog::KeyKind::Cosignature,
            self.key.verifying_key().to_bytes(),
        )
        .map(|v| v.vkey())
        .unwrap_or_default()
    }

    /// Answers one `add-checkpoint` body at `time` (POSIX seconds): the
    /// cosignature line, or why not.
    pub fn add_checkpoint(&self, body: &[u8], time: u64) -> Result<String, WitnessError> {
        let request = AddCheckpoint::parse(body).map_err(WitnessError::Malformed)?;
        let note = Note::parse(&request.checkpoint).map_err(WitnessError::Malformed)?;
        let claimed = Checkpoint::parse(note.text()).map_err(WitnessError::Malformed)?;
        let log = self
            .logs
            .iter()
            .find(|v| v.name() == claimed.origin)
            .ok_or_else(|| WitnessError::UnknownLog(claimed.origin.clone()))?;
        let (checkpoint, note) =
            Checkpoint::open(&request.checkpoint, log).map_err(WitnessError::NotSigned)?;
        if request.old > checkpoint.size {
            return Err(WitnessError::OldAboveNew {
                old: request.old,
                new: checkpoint.size,
            });
        }
        let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        // A second process on the same state waits for the first.
        let dir = self.state.parent().unwrap_or(Path::new("."));
        let _file_lock = crate::files::lock(dir).map_err(WitnessError::State)?;
        let mut state = read_state(&self.state)?;
        let (size, root) = match state.get(&checkpoint.origin) {
            Some(seen) => parse_seen(&self.state, seen)?,
            None => (0, EMPTY_ROOT),
        };
        if size != request.old {
            return Err(WitnessError::Conflict { size });
        }
        verify_consistency(
            size,
            checkpoint.size,
            &root,
            &checkpoint.root,
            &request.proof,
        )
        .map_err(WitnessError::Inconsistent)?;
        if let Some(copy) = &self.replay {
            let (log, _) = crate::files::load(copy).map_err(WitnessError::State)?;
            if log.tree().root_at(checkpoint.size) != Some(checkpoint.root) {
                return Err(WitnessError::ReplayDisagrees);
            }
        }
        let line = cosign(note.text(), &self.name, &self.key, time.max(1))
            .map_err(WitnessError::Malformed)?;
        state.insert(
            checkpoint.origin.clone(),
            json!({"size": checkpoint.size, "root": base64_encode(&checkpoint.root)}),
        );
        write_atomically(
            &self.state,
            Value::Object(state).to_string().as_bytes(),
            false,
        )
        .map_err(|error| {
            WitnessError::State(DirError::Io {
                path: self.state.clone(),
                error,
            })
        })?;
        Ok(line.line())
    }
}

fn malformed_state(path: &Path) -> WitnessError {
    WitnessError::State(DirError::Tlog {
        path: path.to_owned(),
        error: TlogError::Malformed("witness state"),
    })
}

fn read_state(path: &Path) -> Result<Map<String, Value>, WitnessError> {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(malformed_state(path)),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(error) => Err(WitnessError::State(DirError::Io {
            path: path.to_owned(),
            error,
        })),
    }
}

fn parse_seen(path: &Path, seen: &Value) -> Result<(u64, [u8; 32]), WitnessError> {
    let root = seen["root"]
        .as_str()
        .and_then(base64_decode)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
    match (seen["size"].as_u64(), root) {
        (Some(size), Some(root)) => Ok((size, root)),
        _ => Err(malformed_state(path)),
    }
}
