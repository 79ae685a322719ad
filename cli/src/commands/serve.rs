//! `jifen serve`: the community log service (`jifen_log`) over logs in
//! directories or PostgreSQL, with demo communities on request.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use ledger_core::Lang;
use ledger_core::keys::Keys;
use ledger_core::tlog::NoteVerifier;

use crate::args::ServeArgs;
use crate::commands::demo::{Size, config};
use jifen::error::CliError;
use jifen_log::{Config, Pace, Store, WitnessTarget};

/// The keys file's name for a log's key.
const LOG_KEY: &str = "log";

/// Logs to standard error, at `info` unless `RUST_LOG` says otherwise.
pub(crate) fn tracing_to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The runtime of a served command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io(Path::new("runtime"), e))
}

fn store_error(error: jifen_log::StoreError) -> CliError {
    match error {
        jifen_log::StoreError::Dir(error) => error.into(),
        other => CliError::Service(other.to_string()),
    }
}

pub(crate) fn serve(args: ServeArgs, lang: Lang) -> Result<(), CliError> {
    tracing_to_stderr();
    let witnesses = args
        .witness
        .iter()
        .map(|spec| {
            let (url, vkey) = spec.split_once('=').ok_or_else(|| {
                CliError::Service(format!("--witness {spec}: write it as URL=VKEY"))
            })?;
            let verifier = NoteVerifier::from_vkey(vkey).map_err(|error| CliError::Tlog {
                path: "--witness".into(),
                error,
            })?;
            Ok(WitnessTarget {
                url: url.to_owned(),
                verifier,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    std::fs::create_dir_all(&args.keys).map_err(|e| CliError::io(&args.keys, e))?;
    runtime()?.block_on(async move {
        let store = match (&args.dir, &args.db) {
            (Some(dir), _) => jifen_log::store::files_root(dir).map_err(store_error)?,
            (None, Some(url)) => Store::Postgres(
                jifen_log::pg::Pg::connect(url, args.db_connections)
                    .await
                    .map_err(store_error)?,
            ),
            (None, None) => unreachable!("clap requires --dir or --db"),
        };
        let stored = store.names().await.map_err(store_error)?;
        for n in 1..=args.demo_communities {
            let name = format!("community-{n}");
            if !stored.contains(&name) {
                make_demo(&store, &args, &name, n).await?;
            }
        }
        if args.setup_only {
            for name in store.names().await.map_err(store_error)? {
                let (_, loaded) = store.open(&name).await.map_err(store_error)?;
                if let Some(vkey) = loaded.log.verifier().map(|v| v.vkey()) {
                    jifen::outln!("vkey {name} {vkey}");
                }
            }
            return Ok(());
        }
        let mut keys = HashMap::new();
        for name in store.names().await.map_err(store_error)? {
            let path = args.keys.join(format!("{name}.json"));
            if let Ok(bytes) = std::fs::read(&path) {
                let file = Keys::parse(&bytes).map_err(|error| CliError::Keys {
                    path: path.clone(),
                    error,
                })?;
                if let Some(key) = file.signing_key(LOG_KEY) {
                    keys.insert(name, key);
                }
            }
        }
        let policy = match &args.policy {
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
                Some(
                    ledger_core::tlog::Policy::parse(&bytes).map_err(|error| CliError::Tlog {
                        path: path.clone(),
                        error,
                    })?,
                )
            }
            None => None,
        };
        let config = Config {
            listen: args.listen,
            store,
            keys,
            witnesses,
            policy,
            pace: Pace {
                interval: Duration::from_millis(args.interval_ms.max(10)),
                idle: Duration::from_secs(args.idle_s.max(1)),
                ..Pace::default()
            },
            web: args.web.clone(),
            max_connections: args.max_connections,
            export: args.export.clone(),
        };
        let running = jifen_log::start(config).await.map_err(store_error)?;
        let address = running.address;
        let mut names: Vec<&String> = running.logs.communities.keys().collect();
        names.sort();
        let shown = names.len().min(5);
        jifen::outln!(
            "{}",
            lang.pick(
                "积分社区日志服务已启动",
                "Jifen community log service running"
            )
        );
        if args.web.is_some() {
            jifen::outln!("  web app  http://{address}/   (English: http://{address}/?lang=en)");
        }
        for name in &names[..shown] {
            jifen::outln!("  {name:<14} http://{address}/logs/{name}/checkpoint");
        }
        if names.len() > shown {
            jifen::outln!("  … {} logs in all: http://{address}/logs", names.len());
        }
        // A line a test or a script can wait for.
        jifen::outln!("listening on http://{address}/");
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        running
            .serve_until(stop)
            .await
            .map_err(|e| CliError::io(Path::new("listener"), e))
    })
}

/// A demo community stored under `name`, its keys in the keys directory.
async fn make_demo(store: &Store, args: &ServeArgs, name: &str, n: u32) -> Result<(), CliError> {
    let size = Size {
        residents: args.demo_residents,
        entries: args.demo_entries.max(100),
        seed: u64::from(n),
    };
    let config = config(&size)?;
    let origin = format!("jifen.example/{name}");
    let demo = tokio::task::spawn_blocking(move || {
        ledger_core::log::demo::generate_log(&config, &origin, |_| {})
    })
    .await
    .ok()
    .flatten()
    .ok_or(CliError::BadValue {
        option: "--demo-entries",
        problem: ledger_core::FieldProblem::OutOfRange {
            min: 100,
            max: ledger_core::limits::MAX_ENTRIES as i64,
        },
    })?;
    let key = demo
        .keys
        .iter()
        .find(|(id, _)| id.as_str() == LOG_KEY)
        .map(|(_, seed)| ledger_core::SigningKey::from_bytes(seed))
        .ok_or_else(|| CliError::MissingKey {
            path: args.keys.clone(),
            actor: LOG_KEY.to_owned(),
        })?;
    let note = demo.log.sign_checkpoint(&key).map_err(CliError::Submit)?;
    let path = args.keys.join(format!("{name}.json"));
    jifen::store::write_atomically(
        &path,
        ledger_core::demo::keys_json(&demo.keys).as_bytes(),
        true,
    )?;
    match store
        .create(name, &demo.log, note.to_text().as_bytes())
        .await
    {
        // Another process on the same database made it first: the same
        // demo, from the same seed.
        Ok(()) | Err(jifen_log::StoreError::Exists(_)) => Ok(()),
        Err(error) => Err(store_error(error)),
    }
}
