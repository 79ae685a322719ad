//! `jifen witness`: C2SP tlog-witness `add-checkpoint`, for one request
//! file or served over HTTP (`--listen`). The witness keeps the last
//! checkpoint it cosigned per log, and cosigns a new one only if the log
//! signed it and it extends that one (see `jifen_log::witness`).

use std::path::Path;

use ledger_core::tlog::{NoteVerifier, TlogError};

use crate::args::WitnessArgs;
use crate::input::read_keys;
use jifen::error::CliError;
use jifen_log::witness::{Witness, WitnessError};

/// The keys file's name for the witness's key.
const WITNESS_KEY: &str = "witness";

pub(crate) fn witness(args: WitnessArgs) -> Result<(), CliError> {
    let request_path = args.request.clone().unwrap_or_default();
    let tlog = |error| CliError::Tlog {
        path: request_path.clone(),
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
    let witness = Witness::new(
        &args.name,
        key,
        logs,
        args.state.clone(),
        args.replay.clone(),
    )
    .map_err(|problem| CliError::Tlog {
        path: args.keys.clone(),
        error: problem,
    })?;
    if let Some(address) = args.listen {
        return serve(witness, address);
    }
    let bytes = std::fs::read(&request_path).map_err(|e| CliError::io(&request_path, e))?;
    let time = args.time.unwrap_or_else(|| crate::input::now_ms() / 1000);
    let line = witness
        .add_checkpoint(&bytes, time)
        .map_err(|error| cli_error(error, &request_path, args.replay.as_deref()))?;
    jifen::out!("{line}");
    Ok(())
}

fn cli_error(error: WitnessError, request: &Path, replay: Option<&Path>) -> CliError {
    let tlog = |error| CliError::Tlog {
        path: request.to_owned(),
        error,
    };
    match error {
        WitnessError::Malformed(e) | WitnessError::NotSigned(e) | WitnessError::Inconsistent(e) => {
            tlog(e)
        }
        WitnessError::UnknownLog(origin) => CliError::UnknownLog(origin),
        WitnessError::OldAboveNew { old, new } => tlog(TlogError::OlderIsLarger { old, new }),
        WitnessError::Conflict { size } => CliError::WitnessConflict { size },
        WitnessError::ReplayDisagrees => CliError::Tlog {
            path: replay.unwrap_or(request).to_owned(),
            error: TlogError::ProofDoesNotHold,
        },
        WitnessError::State(error) => error.into(),
    }
}

/// Serves the witness until interrupted.
fn serve(witness: Witness, address: std::net::SocketAddr) -> Result<(), CliError> {
    crate::commands::serve::tracing_to_stderr();
    let runtime = crate::commands::serve::runtime()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| CliError::io(Path::new(&address.to_string()), e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::io(Path::new(&address.to_string()), e))?;
        jifen::outln!("witness {} at http://{bound}/", witness.vkey());
        let app = jifen_log::http::witness_router(std::sync::Arc::new(witness));
        let limited = jifen_log::http::Limited::new(listener, 256);
        axum_serve(limited, app).await
    })
}

async fn axum_serve(
    listener: jifen_log::http::Limited,
    app: jifen_log::http::Router,
) -> Result<(), CliError> {
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    jifen_log::http::serve(listener, app, stop)
        .await
        .map_err(|e| CliError::io(Path::new("listener"), e))
}
