//! `jifen log …`: the community's log (format v2) as a directory of files:
//! starting one or continuing a v1 ledger as one, a device signing entries
//! into a queue (offline too), accepting queues, verifying, receipts and
//! the witness request.

use std::io::Write;
use std::path::Path;

use ledger_core::keys::Keys;
use ledger_core::log::{DeviceDraft, DeviceEntry, Leaf, Log, LogKey, OfflinePolicy};
use ledger_core::tlog::{AddCheckpoint, NoteVerifier, TlogError, TlogProof, leaf_hash};
use ledger_core::{ActorId, Body, EntryHash, Lang, LedgerId, PublicKey, SigningKey, Text};
use serde_json::json;

use crate::args::LogCommand;
use crate::input::{now_ms, parse, random_bytes, read_keys, read_keys_or_empty};
use jifen::error::CliError;
use jifen::logdir;
use jifen::store::write_atomically;

/// The keys file's name for the log's own key.
const LOG_KEY: &str = "log";

pub(crate) fn run(command: LogCommand, lang: Lang) -> Result<(), CliError> {
    match command {
        LogCommand::Init {
            dir,
            keys,
            id,
            name,
            origin,
            admin,
            utc_offset_minutes,
            ts,
        } => {
            let start = Start {
                keys: &keys,
                origin: &origin,
                admin: &admin,
                ts: ts.unwrap_or_else(now_ms),
            };
            init(&dir, start, &id, &name, utc_offset_minutes)
        }
        LogCommand::Migrate {
            from,
            dir,
            keys,
            origin,
            admin,
            ts,
        } => {
            let start = Start {
                keys: &keys,
                origin: &origin,
                admin: &admin,
                ts: ts.unwrap_or_else(now_ms),
            };
            migrate(&from, &dir, start, lang)
        }
        LogCommand::Sign {
            queue,
            keys,
            actor,
            ledger,
            body,
            offline_max_points,
            offline_max_points_per_day,
            offline_max_queued,
            offline_upload_within_hours,
            state,
            log,
            ts,
        } => {
            let device = Signer {
                keys: &keys,
                actor: &actor,
                state: &state,
                log: log.as_deref(),
            };
            let policy = match (
                offline_max_points,
                offline_max_points_per_day,
                offline_max_queued,
                offline_upload_within_hours,
            ) {
                (Some(most), Some(per_day), Some(max_queued), Some(upload_within_hours)) => {
                    Some(OfflinePolicy {
                        max_points: crate::input::points("--offline-max-points", &most)?,
                        max_points_per_day: crate::input::points(
                            "--offline-max-points-per-day",
                            &per_day,
                        )?,
                        max_queued,
                        upload_within_hours,
                    })
                }
                _ => None,
            };
            let what = What {
                ledger: &ledger,
                body: body.as_deref(),
                policy,
            };
            sign(&queue, device, what, ts.unwrap_or_else(now_ms))
        }
        LogCommand::Submit {
            dir,
            queues,
            keys,
            ts,
            json,
        } => submit(&dir, &queues, &keys, ts.unwrap_or_else(now_ms), json, lang),
        LogCommand::Verify { dir, vkey, json } => verify(&dir, vkey.as_deref(), json, lang),
        LogCommand::Prove { dir, index } => prove(&dir, index),
        LogCommand::CheckReceipt {
            receipt,
            vkey,
            witness,
            quorum,
            policy,
        } => match policy {
            Some(policy) => check_receipt_with(&receipt, &policy, lang),
            None => check_receipt(
                &receipt,
                vkey.as_deref().unwrap_or_default(),
                &witness,
                quorum,
                lang,
            ),
        },
        LogCommand::WitnessRequest { dir, old } => witness_request(&dir, old),
        LogCommand::Send { queues, to, json } => send(&queues, &to, json, lang),
    }
}

/// What starting a log needs: the keys, the log's name, its first admin.
struct Start<'a> {
    keys: &'a Path,
    origin: &'a str,
    admin: &'a str,
    ts: u64,
}

/// The admin's key and the log's, each made if the keys file lacks it.
fn admin_and_log_keys(
    start: &Start<'_>,
    admin: &ActorId,
) -> Result<(SigningKey, SigningKey), CliError> {
    let mut keys = read_keys_or_empty(start.keys)?;
    let mut made = false;
    for actor in [admin.as_str(), LOG_KEY] {
        if keys.signing_key(actor).is_none() {
            keys.insert(parse("--admin", actor)?, random_bytes::<32>()?);
            made = true;
        }
    }
    if made {
        write_atomically(start.keys, keys.to_json().as_bytes(), true)?;
    }
    let key = |actor: &str| {
        keys.signing_key(actor).ok_or_else(|| CliError::MissingKey {
            path: start.keys.to_owned(),
            actor: actor.to_owned(),
        })
    };
    Ok((key(admin.as_str())?, key(LOG_KEY)?))
}

fn named(origin: &str, log_key: &SigningKey) -> Result<LogKey, CliError> {
    LogKey::check_origin(origin).map_err(|problem| CliError::BadValue {
        option: "--origin",
        problem,
    })?;
    Ok(LogKey {
        origin: origin.to_owned(),
        key: PublicKey(log_key.verifying_key().to_bytes()),
    })
}

fn new_dir(dir: &Path) -> Result<(), CliError> {
    let empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if !empty {
        return Err(CliError::Exists(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))
}

/// Signs the checkpoint and writes what the log added since `old` leaves.
fn publish(dir: &Path, log: &Log, old: u64, log_key: &SigningKey) -> Result<(), CliError> {
    let note = log.sign_checkpoint(log_key).map_err(CliError::Submit)?;
    logdir::write_growth(dir, log, old, &note)
}

fn init(dir: &Path, start: Start<'_>, id: &str, name: &str, offset: i32) -> Result<(), CliError> {
    let ledger: LedgerId = parse("--id", id)?;
    let admin: ActorId = parse("--admin", start.admin)?;
    let name =
        Text::parse(name, ledger_core::limits::MAX_NAME_BYTES, false).map_err(|problem| {
            CliError::BadValue {
                option: "--name",
                problem,
            }
        })?;
    let (admin_key, log_key) = admin_and_log_keys(&start, &admin)?;
    let genesis = DeviceEntry::sign(
        DeviceDraft {
            ledger,
            actor: admin.clone(),
            dev_seq: 0,
            dev_prev: EntryHash::ZERO,
            ts_ms: start.ts,
            body: Body::Genesis {
                name,
                utc_offset_minutes: offset,
                admin_id: admin,
                admin_key: PublicKey(admin_key.verifying_key().to_bytes()),
            },
            log: Some(named(start.origin, &log_key)?),
            policy: None,
        },
        &admin_key,
    );
    new_dir(dir)?;
    let _lock = logdir::lock(dir)?;
    let (log, _) = Log::start(&genesis.to_bytes(), start.ts).map_err(CliError::Submit)?;
    publish(dir, &log, 0, &log_key)?;
    print_vkey(&log);
    Ok(())
}

fn print_vkey(log: &Log) {
    if let Some(verifier) = log.verifier() {
        jifen::outln!("{}", verifier.vkey());
    }
}

fn migrate(from: &Path, dir: &Path, start: Start<'_>, lang: Lang) -> Result<(), CliError> {
    let ledger = jifen::store::load(from, true)?;
    let admin: ActorId = parse("--admin", start.admin)?;
    let (admin_key, log_key) = admin_and_log_keys(&start, &admin)?;
    let registered = ledger.state().actor(admin.as_str()).map(|a| a.pubkey);
    let body = Body::Actor {
        id: admin.clone(),
        role: ledger_core::Role::Admin,
        pubkey: PublicKey(admin_key.verifying_key().to_bytes()),
        active: true,
    };
    if registered != Some(PublicKey(admin_key.verifying_key().to_bytes())) {
        return Err(CliError::MissingKey {
            path: start.keys.to_owned(),
            actor: admin.to_string(),
        });
    }
    let first = DeviceEntry::sign(
        DeviceDraft {
            ledger: ledger.id().clone(),
            actor: admin,
            dev_seq: 0,
            dev_prev: EntryHash::ZERO,
            ts_ms: start.ts.max(ledger.last_ts_ms()),
            body,
            log: Some(named(start.origin, &log_key)?),
            policy: None,
        },
        &admin_key,
    );
    new_dir(dir)?;
    let _lock = logdir::lock(dir)?;
    let mut log = Log::migrate(ledger);
    let v1 = log.len();
    log.submit(&first.to_bytes(), start.ts)
        .map_err(CliError::Submit)?;
    publish(dir, &log, 0, &log_key)?;
    eprintln!(
        "{}",
        match lang {
            Lang::Zh => format!("已迁移：{v1} 条 v1 记录成为日志的前 {v1} 个叶子，余额不变"),
            Lang::En => format!(
                "migrated: the {v1} v1 entries are the log's first {v1} leaves, every balance kept"
            ),
        }
    );
    print_vkey(&log);
    Ok(())
}

/// A device that signs: its key, its counter file, and optionally the
/// log it last saw (for its first counter).
struct Signer<'a> {
    keys: &'a Path,
    actor: &'a str,
    state: &'a Path,
    log: Option<&'a Path>,
}

/// What a device signs: for which ledger, the body, an admin's policy.
struct What<'a> {
    ledger: &'a str,
    body: Option<&'a str>,
    policy: Option<OfflinePolicy>,
}

fn sign(queue: &Path, device: Signer<'_>, what: What<'_>, ts: u64) -> Result<(), CliError> {
    let actor: ActorId = parse("--as", device.actor)?;
    let ledger: LedgerId = parse("--ledger", what.ledger)?;
    let keys: Keys = read_keys(device.keys)?;
    let key = keys
        .signing_key(actor.as_str())
        .ok_or_else(|| CliError::MissingKey {
            path: device.keys.to_owned(),
            actor: actor.to_string(),
        })?;
    let body = match what.body {
        Some(body) => ledger_core::parse_body(body.as_bytes()).map_err(|error| CliError::Tlog {
            path: "--body".into(),
            error: TlogError::Malformed(match error {
                ledger_core::LineError::UnknownType(_) => "unknown body type",
                _ => "body",
            }),
        })?,
        // An admin setting only the policy states itself again.
        None => Body::Actor {
            id: actor.clone(),
            role: ledger_core::Role::Admin,
            pubkey: PublicKey(key.verifying_key().to_bytes()),
            active: true,
        },
    };
    let (dev_seq, dev_prev) = match std::fs::read(device.state) {
        Ok(bytes) => read_state(device.state, &bytes)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => match device.log {
            Some(url) if url.to_string_lossy().starts_with("http://") => {
                device_on_service(&url.to_string_lossy(), &actor)?
            }
            Some(dir) => logdir::load(dir)?.0.device_next(&actor),
            None => (0, EntryHash::ZERO),
        },
        Err(error) => return Err(CliError::io(device.state, error)),
    };
    let entry = DeviceEntry::sign(
        DeviceDraft {
            ledger,
            actor,
            dev_seq,
            dev_prev,
            ts_ms: ts,
            body,
            log: None,
            policy: what.policy,
        },
        &key,
    );
    let mut line = entry.to_bytes();
    line.push(b'\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(queue)
        .and_then(|mut file| file.write_all(&line).and_then(|()| file.sync_all()))
        .map_err(|e| CliError::io(queue, e))?;
    let state = json!({"next": dev_seq + 1, "last_hash": entry.hash.to_hex()});
    write_atomically(device.state, state.to_string().as_bytes(), false)?;
    jifen::outln!("{} {dev_seq} {}", entry.actor, entry.hash.to_hex());
    Ok(())
}

/// Where a device's chain stands on a log service.
fn device_on_service(url: &str, actor: &ActorId) -> Result<(u64, EntryHash), CliError> {
    let path = format!("{}/device/{actor}", url.trim_end_matches('/'));
    let reply = on_service(url, |client, prefix| async move {
        client.get(&format!("{prefix}/device/{actor}")).await
    })?;
    let bad = || CliError::Service(format!("{path}: not a device's state"));
    let value = reply.json();
    let seq = value["dev_seq"].as_u64().ok_or_else(bad)?;
    let prev = value["dev_prev"]
        .as_str()
        .and_then(ledger_core::hex::decode::<32>)
        .ok_or_else(bad)?;
    Ok((seq, EntryHash(prev)))
}

/// One request to a log service at `url` (`http://host:port/logs/<name>`):
/// `ask(client, "/logs/<name>")`.
fn on_service<F, Fut>(url: &str, ask: F) -> Result<jifen_log::client::Reply, CliError>
where
    F: FnOnce(jifen_log::client::Client, String) -> Fut,
    Fut: std::future::Future<Output = Result<jifen_log::client::Reply, String>>,
{
    let bad = || {
        CliError::Service(format!(
            "{url}: write the log's address as http://host:port/logs/<name>"
        ))
    };
    let rest = url.strip_prefix("http://").ok_or_else(bad)?;
    let (host, prefix) = rest.split_once('/').ok_or_else(bad)?;
    let runtime = crate::commands::serve::runtime()?;
    runtime.block_on(async {
        let client = jifen_log::client::Client::new(
            &format!("http://{host}"),
            std::time::Duration::from_secs(30),
        );
        ask(client, format!("/{}", prefix.trim_end_matches('/')))
            .await
            .map_err(|why| CliError::Service(format!("{url}: {why}")))
    })
}

/// `jifen log send`: each queue's entries to the service, 1,000 a request;
/// each printed with its index or why it was refused. Sending a queue
/// again is safe: entries already in the log keep their index.
fn send(queues: &[std::path::PathBuf], url: &str, json: bool, lang: Lang) -> Result<(), CliError> {
    let (mut total, mut refused) = (0, 0);
    for queue in queues {
        let bytes = std::fs::read(queue).map_err(|e| CliError::io(queue, e))?;
        let lines: Vec<(usize, Vec<u8>)> = bytes
            .split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(n, l)| (n + 1, l.to_vec()))
            .collect();
        for chunk in lines.chunks(jifen_log::http::MAX_ENTRIES_PER_REQUEST) {
            let entries: Vec<Vec<u8>> = chunk.iter().map(|(_, l)| l.clone()).collect();
            let tag = lang.pick("zh", "en");
            let reply = on_service(url, |client, prefix| async move {
                client
                    .post(&format!("{prefix}/add?lang={tag}"), entries.join(&b'\n'))
                    .await
            })?;
            let results = reply.json()["results"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if results.len() != chunk.len() {
                let message = reply.json()["message"].as_str().unwrap_or("").to_owned();
                return Err(CliError::Service(format!(
                    "{url}: {} {message}",
                    reply.status
                )));
            }
            for ((number, _), result) in chunk.iter().zip(results) {
                total += 1;
                let at = format!("{}:{number}", queue.display());
                if json {
                    jifen::outln!("{}", json!({"at": at, "result": result}));
                    refused += usize::from(result["index"].is_null());
                    continue;
                }
                match (result["index"].as_u64(), result["new"].as_bool()) {
                    (Some(index), Some(true)) => {
                        jifen::outln!("{at} {} #{index}", lang.pick("已接受", "accepted"))
                    }
                    (Some(index), _) => jifen::outln!(
                        "{at} {} #{index}",
                        lang.pick("已在日志中", "already in the log at")
                    ),
                    _ => {
                        refused += 1;
                        eprintln!(
                            "{at} {}{}",
                            lang.pick("被拒绝：", "refused: "),
                            result["message"].as_str().unwrap_or("")
                        );
                    }
                }
            }
        }
    }
    if refused > 0 {
        return Err(CliError::SomeRefused { refused, total });
    }
    Ok(())
}

fn read_state(path: &Path, bytes: &[u8]) -> Result<(u64, EntryHash), CliError> {
    let bad = || CliError::Tlog {
        path: path.to_owned(),
        error: TlogError::Malformed("device counter file"),
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| bad())?;
    let next = value["next"].as_u64().ok_or_else(bad)?;
    let hash = value["last_hash"]
        .as_str()
        .and_then(ledger_core::hex::decode::<32>)
        .ok_or_else(bad)?;
    Ok((next, EntryHash(hash)))
}

fn submit(
    dir: &Path,
    queues: &[std::path::PathBuf],
    keys: &Path,
    ts: u64,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let log_key = read_keys(keys)?
        .signing_key(LOG_KEY)
        .ok_or_else(|| CliError::MissingKey {
            path: keys.to_owned(),
            actor: LOG_KEY.to_owned(),
        })?;
    let _lock = logdir::lock(dir)?;
    let (mut log, _) = logdir::load(dir)?;
    let old = log.len();
    let (mut total, mut refused) = (0, 0);
    for queue in queues {
        let bytes = std::fs::read(queue).map_err(|e| CliError::io(queue, e))?;
        for (number, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            total += 1;
            let at = format!("{}:{}", queue.display(), number + 1);
            match log.submit(line, ts) {
                Ok(done) if json => jifen::outln!(
                    "{}",
                    json!({"at": at, "index": done.index, "new": done.new})
                ),
                Ok(done) if done.new => {
                    jifen::outln!("{at} {} #{}", lang.pick("已接受", "accepted"), done.index)
                }
                Ok(done) => jifen::outln!(
                    "{at} {} #{}",
                    lang.pick("已在日志中", "already in the log at"),
                    done.index
                ),
                Err(error) => {
                    refused += 1;
                    if json {
                        jifen::outln!(
                            "{}",
                            json!({"at": at, "refused": error.kind(), "message": error.message(lang)})
                        );
                    } else {
                        eprintln!(
                            "{at} {}{}",
                            lang.pick("被拒绝：", "refused: "),
                            error.message(lang)
                        );
                    }
                }
            }
        }
    }
    if log.len() > old {
        publish(dir, &log, old, &log_key)?;
    }
    if refused > 0 {
        return Err(CliError::SomeRefused { refused, total });
    }
    Ok(())
}

fn verify(dir: &Path, vkey: Option<&str>, json: bool, lang: Lang) -> Result<(), CliError> {
    let (log, checkpoint) = logdir::load(dir)?;
    let checkpoint_path = dir.join("checkpoint");
    if let Some(vkey) = vkey {
        let given = NoteVerifier::from_vkey(vkey).map_err(|error| CliError::Tlog {
            path: "--vkey".into(),
            error,
        })?;
        let bytes = logdir::checkpoint_bytes(dir)?;
        ledger_core::tlog::Checkpoint::open(&bytes, &given).map_err(|error| CliError::Tlog {
            path: checkpoint_path.clone(),
            error,
        })?;
        if log.verifier().as_ref() != Some(&given) {
            return Err(CliError::Tlog {
                path: checkpoint_path,
                error: TlogError::NotSigned,
            });
        }
    }
    let root = ledger_core::tlog::base64_encode(&checkpoint.root);
    if json {
        jifen::outln!(
            "{}",
            json!({"ok": true, "origin": checkpoint.origin, "size": checkpoint.size, "root": root, "v1_leaves": log.v1_leaves(), "residents": log.ledger().residents().len()})
        );
    } else {
        match lang {
            Lang::Zh => jifen::outln!(
                "日志完好：{} 共 {} 个叶子（其中 v1 {}），每条规则、签名和设备链都成立，根 {root} 与签名的检查点一致",
                checkpoint.origin,
                checkpoint.size,
                log.v1_leaves()
            ),
            Lang::En => jifen::outln!(
                "log ok: {} has {} leaves ({} of them v1); every rule, signature and device chain holds, and the root {root} is the signed checkpoint's",
                checkpoint.origin,
                checkpoint.size,
                log.v1_leaves()
            ),
        }
    }
    Ok(())
}

fn prove(dir: &Path, index: u64) -> Result<(), CliError> {
    let (log, _) = logdir::load(dir)?;
    let note = logdir::checkpoint_bytes(dir)?;
    let tlog = |error| CliError::Tlog {
        path: dir.to_owned(),
        error,
    };
    let mut receipt = log.receipt(index, &note).map_err(tlog)?;
    receipt.extra = log.leaf(index);
    std::io::stdout()
        .write_all(&receipt.to_text())
        .map_err(|e| CliError::io(Path::new("stdout"), e))
}

/// A receipt checked against a C2SP tlog-policy: a log it trusts signed
/// the checkpoint, the entry is in it, and whether its witnesses make the
/// quorum (without it the receipt is refused: not yet witnessed).
fn check_receipt_with(path: &Path, policy_path: &Path, lang: Lang) -> Result<(), CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    let policy_bytes = std::fs::read(policy_path).map_err(|e| CliError::io(policy_path, e))?;
    let policy =
        ledger_core::tlog::Policy::parse(&policy_bytes).map_err(|error| CliError::Tlog {
            path: policy_path.to_owned(),
            error,
        })?;
    let tlog = |error| CliError::Tlog {
        path: path.to_owned(),
        error,
    };
    let receipt = TlogProof::parse(&bytes).map_err(tlog)?;
    let leaf = receipt
        .extra
        .as_deref()
        .ok_or(TlogError::Malformed("a receipt without its leaf"))
        .map_err(tlog)?;
    let seen = receipt
        .verify_with(&leaf_hash(leaf), &policy)
        .map_err(tlog)?;
    if !seen.quorum {
        return Err(tlog(TlogError::TooFewWitnesses {
            needed: 1,
            found: seen.cosigned.len(),
        }));
    }
    let checkpoint = seen.checkpoint;
    match lang {
        Lang::Zh => jifen::outln!(
            "收据有效：第 {} 条在 {} 大小为 {} 的日志中，见证人达到法定数",
            receipt.index,
            checkpoint.origin,
            checkpoint.size
        ),
        Lang::En => jifen::outln!(
            "receipt holds: entry {} is in {} of size {}, witnessed to the policy's quorum",
            receipt.index,
            checkpoint.origin,
            checkpoint.size
        ),
    }
    Ok(())
}

fn check_receipt(
    path: &Path,
    vkey: &str,
    witnesses: &[String],
    quorum: usize,
    lang: Lang,
) -> Result<(), CliError> {
    let tlog = |error| CliError::Tlog {
        path: path.to_owned(),
        error,
    };
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    let receipt = TlogProof::parse(&bytes).map_err(tlog)?;
    let log = NoteVerifier::from_vkey(vkey).map_err(tlog)?;
    let witnesses: Vec<NoteVerifier> = witnesses
        .iter()
        .map(|w| NoteVerifier::from_vkey(w))
        .collect::<Result<_, _>>()
        .map_err(tlog)?;
    let leaf = receipt
        .extra
        .as_deref()
        .ok_or(TlogError::Malformed("a receipt without its leaf"))
        .map_err(tlog)?;
    let trusted: Vec<&NoteVerifier> = witnesses.iter().collect();
    let checkpoint = receipt
        .verify(&leaf_hash(leaf), &log, &trusted, quorum)
        .map_err(tlog)?;
    let what = match Leaf::parse(leaf) {
        Ok(leaf) => format!(
            "{} {} #{}",
            leaf.entry.actor,
            leaf.entry.body.type_name(),
            leaf.index
        ),
        Err(_) => format!("v1 #{}", receipt.index),
    };
    match lang {
        Lang::Zh => jifen::outln!(
            "收据有效：{what} 在 {} 大小为 {} 的日志中",
            checkpoint.origin,
            checkpoint.size
        ),
        Lang::En => jifen::outln!(
            "receipt holds: {what} is in {} of size {}",
            checkpoint.origin,
            checkpoint.size
        ),
    }
    Ok(())
}

fn witness_request(dir: &Path, old: u64) -> Result<(), CliError> {
    let (log, _) = logdir::load(dir)?;
    let proof = log
        .tree()
        .consistency_proof(old, log.len())
        .ok_or(CliError::Tlog {
            path: dir.to_owned(),
            error: TlogError::OlderIsLarger {
                old,
                new: log.len(),
            },
        })?;
    let request = AddCheckpoint {
        old,
        proof,
        checkpoint: logdir::checkpoint_bytes(dir)?,
    };
    std::io::stdout()
        .write_all(&request.to_text())
        .map_err(|e| CliError::io(Path::new("stdout"), e))
}
