//! `jifen witness`: a C2SP tlog-witness `add-checkpoint`, as a command. The
//! witness keeps the last checkpoint it cosigned per log, and cosigns a new
//! one only if the log signed it and it extends that one (its consistency
//! proof holds); the state is written before the cosignature is printed.
//! A replaying witness (`--replay DIR`) also replays its own copy of the
//! log, every leaf and rule, and cosigns only the root it computed.

use std::path::Path;

use ledger_core::tlog::{
    AddCheckpoint, Checkpoint, EMPTY_ROOT, NoteVerifier, TlogError, base64_decode, base64_encode,
    cosign, verify_consistency,
};
use serde_json::{Map, Value, json};

use crate::args::WitnessArgs;
use crate::input::read_keys;
use jifen::error::CliError;
use jifen::logdir;
use jifen::store::write_atomically;

/// The keys file's name for the witness's key.
const WITNESS_KEY: &str = "witness";

pub(crate) fn witness(args: WitnessArgs) -> Result<(), CliError> {
    let tlog = |error| CliError::Tlog {
        path: args.request.clone(),
        error,
    };
    let key = read_keys(&args.keys)?
        .signing_key(WITNESS_KEY)
        .ok_or_else(|| CliError::MissingKey {
            path: args.keys.clone(),
            actor: WITNESS_KEY.to_owned(),
        })?;
    let logs: Vec<NoteVerifier> = args
        .logs
        .iter()
        .map(|vkey| NoteVerifier::from_vkey(vkey))
        .collect::<Result<_, _>>()
        .map_err(tlog)?;
    let bytes = std::fs::read(&args.request).map_err(|e| CliError::io(&args.request, e))?;
    let request = AddCheckpoint::parse(&bytes).map_err(tlog)?;
    let note = ledger_core::tlog::Note::parse(&request.checkpoint).map_err(tlog)?;
    let claimed = Checkpoint::parse(note.text()).map_err(tlog)?;
    let log = logs
        .iter()
        .find(|v| v.name() == claimed.origin)
        .ok_or_else(|| CliError::UnknownLog(claimed.origin.clone()))?;
    let (checkpoint, note) = Checkpoint::open(&request.checkpoint, log).map_err(tlog)?;
    if request.old > checkpoint.size {
        return Err(tlog(TlogError::OlderIsLarger {
            old: request.old,
            new: checkpoint.size,
        }));
    }
    let dir = args.state.parent().unwrap_or(Path::new("."));
    let _lock = logdir::lock(dir)?;
    let mut state = read_state(&args.state)?;
    let (size, root) = match state.get(&checkpoint.origin) {
        Some(seen) => parse_seen(&args.state, seen)?,
        None => (0, EMPTY_ROOT),
    };
    if size != request.old {
        return Err(CliError::WitnessConflict { size });
    }
    verify_consistency(
        size,
        checkpoint.size,
        &root,
        &checkpoint.root,
        &request.proof,
    )
    .map_err(tlog)?;
    if let Some(copy) = &args.replay {
        // Every rule of every leaf up to the checkpoint, replayed here.
        let (log, _) = logdir::load(copy)?;
        if log.tree().root_at(checkpoint.size) != Some(checkpoint.root) {
            return Err(CliError::Tlog {
                path: copy.clone(),
                error: TlogError::ProofDoesNotHold,
            });
        }
    }
    let time = args.time.unwrap_or_else(|| crate::input::now_ms() / 1000);
    let line = cosign(note.text(), &args.name, &key, time).map_err(tlog)?;
    state.insert(
        checkpoint.origin.clone(),
        json!({"size": checkpoint.size, "root": base64_encode(&checkpoint.root)}),
    );
    write_atomically(
        &args.state,
        Value::Object(state).to_string().as_bytes(),
        false,
    )?;
    print!("{}", line.line());
    Ok(())
}

fn read_state(path: &Path) -> Result<Map<String, Value>, CliError> {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(CliError::Tlog {
                path: path.to_owned(),
                error: TlogError::Malformed("witness state"),
            }),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
        Err(error) => Err(CliError::io(path, error)),
    }
}

fn parse_seen(path: &Path, seen: &Value) -> Result<(u64, [u8; 32]), CliError> {
    let root = seen["root"]
        .as_str()
        .and_then(base64_decode)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
    match (seen["size"].as_u64(), root) {
        (Some(size), Some(root)) => Ok((size, root)),
        _ => Err(CliError::Tlog {
            path: path.to_owned(),
            error: TlogError::Malformed("witness state"),
        }),
    }
}
