//! `jifen serve` as a process, killed with SIGKILL at random moments while
//! devices write: after every restart each answered entry is there,
//! unchanged, at its index; no checkpoint ever disagrees with the log; a
//! device's retry of an unanswered entry never makes a second one.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jifen_log::client::Client;
use jifen_log::load::Device;
use ledger_core::Role;
use ledger_core::keys::Keys;
use ledger_core::tlog::Checkpoint;

use super::Dir;

/// Kills, by default the 200 the fault list asks for.
fn kills() -> u32 {
    std::env::var("JIFEN_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(200)
}

fn start(dir: &Dir, port: u16) -> Child {
    start_on(dir, port, &["--dir", "logs"])
}

fn start_on(dir: &Dir, port: u16, storage: &[&str]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jifen"))
        .arg("serve")
        .args(storage)
        .args(["--keys", "keys", "--demo-communities", "1"])
        .args([
            "--demo-entries",
            "300",
            "--demo-residents",
            "20",
            "--interval-ms",
            "20",
        ])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .current_dir(&dir.0)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("jifen serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("listening on") => break,
            Some(Ok(_)) => continue,
            _ => panic!("jifen serve stopped before listening"),
        }
    }
    child
}

/// A tiny deterministic generator for the kill moments.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn killed_at_random_moments_the_service_loses_nothing_it_answered() {
    let dir = Dir::new("sigkill");
    let port = jifen_log::pgtest::free_port().expect("port");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let http = runtime.block_on(async {
        Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5))
    });
    let mut child = start(&dir, port);
    // Eight admin devices, registered once, then writing residents.
    let keys = Keys::parse(&std::fs::read(dir.path("keys/community-1.json")).expect("keys"))
        .expect("keys file");
    let (log, _) = jifen_log::files::load(&dir.path("logs/community-1")).expect("demo log");
    let mut admin = Device::of(
        &log,
        "admin-1",
        keys.signing_key("admin-1").expect("admin key"),
    )
    .expect("admin");
    let now = jifen_log::community::now_ms;
    let (setup, devices) = jifen_log::load::register_devices(
        &mut admin,
        log.ledger().id(),
        "desk",
        Role::Admin,
        8,
        now(),
    );
    runtime.block_on(async {
        let reply = http.submit("community-1", &setup).await.expect("answer");
        assert_eq!(reply.status, 200, "{:?}", reply.json());
    });
    let acknowledged: Arc<Mutex<HashMap<u64, Vec<u8>>>> = Arc::default();
    let notes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    // Each device's entry not answered yet, sent again after a restart.
    let pending: Arc<Mutex<Vec<Option<Vec<u8>>>>> = Arc::new(Mutex::new(vec![None; devices.len()]));
    let devices: Arc<Mutex<Vec<Device>>> = Arc::new(Mutex::new(devices));
    let mut rng = Lcg(20261202);
    let mut made = 0u64;
    for kill in 0..kills() {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let tasks: Vec<_> = (0..8)
            .map(|d| {
                let (http, stop) = (http.clone(), stop.clone());
                let (acknowledged, notes, pending, devices) = (
                    acknowledged.clone(),
                    notes.clone(),
                    pending.clone(),
                    devices.clone(),
                );
                let tag = format!("K{kill:03}d{d}x");
                runtime.spawn(async move {
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let entry = {
                            let mut pending = pending.lock().expect("lock");
                            match &pending[d] {
                                Some(entry) => entry.clone(),
                                None => {
                                    n += 1;
                                    let mut devices = devices.lock().expect("lock");
                                    let (mut entries, _) = jifen_log::load::register_residents(
                                        &mut devices[d],
                                        &format!("{tag}{n}"),
                                        1,
                                        jifen_log::community::now_ms(),
                                    );
                                    let entry = entries.remove(0);
                                    pending[d] = Some(entry.clone());
                                    entry
                                }
                            }
                        };
                        let Ok(reply) = http
                            .submit("community-1", std::slice::from_ref(&entry))
                            .await
                        else {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            continue;
                        };
                        assert!(
                            reply.status == 200 || reply.status == 503,
                            "{:?}",
                            reply.json()
                        );
                        if reply.status == 200 {
                            let index =
                                reply.json()["results"][0]["index"].as_u64().expect("index");
                            let mut acknowledged = acknowledged.lock().expect("lock");
                            if let Some(earlier) = acknowledged.insert(index, entry.clone()) {
                                assert_eq!(
                                    earlier, entry,
                                    "two entries answered with index {index}"
                                );
                            }
                            pending.lock().expect("lock")[d] = None;
                        }
                        if n % 4 == 0
                            && let Ok(note) = http.get("/logs/community-1/checkpoint").await
                            && note.status == 200
                        {
                            notes.lock().expect("lock").push(note.body);
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.below(150)));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for task in tasks {
            runtime.block_on(task).expect("device task");
        }
        child = start(&dir, port);
        // A sample of what was answered, sent again: the same index, not
        // a new entry.
        let sample: Vec<(u64, Vec<u8>)> = {
            let acknowledged = acknowledged.lock().expect("lock");
            acknowledged
                .iter()
                .skip(rng.below(acknowledged.len().max(1) as u64) as usize)
                .take(20)
                .map(|(i, e)| (*i, e.clone()))
                .collect()
        };
        if !sample.is_empty() {
            let entries: Vec<Vec<u8>> = sample.iter().map(|(_, e)| e.clone()).collect();
            let reply = runtime
                .block_on(http.submit("community-1", &entries))
                .expect("answer");
            assert_eq!(reply.status, 200, "after kill {kill}: {:?}", reply.json());
            for ((index, _), result) in sample
                .iter()
                .zip(reply.json()["results"].as_array().expect("results"))
            {
                assert_eq!(result["index"].as_u64(), Some(*index), "after kill {kill}");
                assert_eq!(result["new"], false, "after kill {kill}");
            }
        }
        made = acknowledged.lock().expect("lock").len() as u64;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    // The whole log, replayed from disk: every answered entry at its
    // index, every checkpoint seen a checkpoint of this log.
    let (log, _) = jifen_log::files::load(&dir.path("logs/community-1")).expect("log replays");
    for (index, entry) in acknowledged.lock().expect("lock").iter() {
        let leaf = ledger_core::log::Leaf::parse(&log.leaf(*index).expect("leaf")).expect("leaf");
        assert_eq!(leaf.entry.to_bytes(), *entry, "leaf {index}");
    }
    let verifier = log.verifier().expect("key");
    let notes = notes.lock().expect("lock");
    for note in notes.iter() {
        let (checkpoint, _) = Checkpoint::open(note, &verifier).expect("signed");
        assert_eq!(
            log.tree().root_at(checkpoint.size),
            Some(checkpoint.root),
            "fork at {}",
            checkpoint.size
        );
    }
    assert!(
        made > u64::from(kills()),
        "the devices wrote: {made} answered"
    );
    eprintln!(
        "{} kills, {made} entries answered, {} checkpoints checked, log of {}",
        kills(),
        notes.len(),
        log.len()
    );
}

/// Two `jifen serve` processes on one PostgreSQL database, devices
/// writing through both at once: one log, every answered entry at its
/// index, every checkpoint either published one of that log.
#[test]
fn two_service_processes_on_one_database_make_one_log() {
    if !jifen_log::pgtest::Cluster::installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL 15 must be installed in CI"
        );
        return;
    }
    let cluster = jifen_log::pgtest::Cluster::start().expect("a private PostgreSQL cluster");
    let url = cluster.url();
    let dir = Dir::new("two-processes");
    let ports = [
        jifen_log::pgtest::free_port().expect("port"),
        jifen_log::pgtest::free_port().expect("port"),
    ];
    let mut first = start_on(&dir, ports[0], &["--db", &url]);
    let mut second = start_on(&dir, ports[1], &["--db", &url]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let _inside = runtime.enter();
    let clients =
        ports.map(|port| Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(10)));
    let keys = Keys::parse(&std::fs::read(dir.path("keys/community-1.json")).expect("keys"))
        .expect("keys file");
    let store = runtime
        .block_on(jifen_log::pg::Pg::connect(&url, 4))
        .map(jifen_log::Store::Postgres)
        .expect("database");
    let (_, loaded) = runtime.block_on(store.open("community-1")).expect("log");
    let mut admin = Device::of(
        &loaded.log,
        "admin-1",
        keys.signing_key("admin-1").expect("admin key"),
    )
    .expect("admin");
    let now = jifen_log::community::now_ms;
    let (setup, devices) = jifen_log::load::register_devices(
        &mut admin,
        loaded.log.ledger().id(),
        "desk",
        Role::Admin,
        6,
        now(),
    );
    let reply = runtime
        .block_on(clients[0].submit("community-1", &setup))
        .expect("answer");
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let acknowledged: Arc<Mutex<HashMap<u64, Vec<u8>>>> = Arc::default();
    let notes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let tasks: Vec<_> = devices
        .into_iter()
        .enumerate()
        .map(|(d, mut device)| {
            let (clients, acknowledged, notes) =
                (clients.clone(), acknowledged.clone(), notes.clone());
            runtime.spawn(async move {
                for k in 0..30 {
                    let (entries, _) = jifen_log::load::register_residents(
                        &mut device,
                        &format!("T{d}x{k}x"),
                        1,
                        jifen_log::community::now_ms(),
                    );
                    // Through either process; a storage refusal is retried.
                    for attempt in 0..20 {
                        let http = &clients[(d + k + attempt) % 2];
                        let reply = http.submit("community-1", &entries).await.expect("answer");
                        if reply.status == 200 {
                            let index =
                                reply.json()["results"][0]["index"].as_u64().expect("index");
                            let earlier = acknowledged
                                .lock()
                                .expect("lock")
                                .insert(index, entries[0].clone());
                            assert!(earlier.is_none(), "two entries answered with index {index}");
                            break;
                        }
                        assert_eq!(reply.status, 503, "{:?}", reply.json());
                    }
                    if k % 3 == 0 {
                        let note = clients[k % 2]
                            .get("/logs/community-1/checkpoint")
                            .await
                            .expect("answer");
                        notes.lock().expect("lock").push(note.body);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        runtime.block_on(task).expect("device");
    }
    for child in [&mut first, &mut second] {
        child.kill().expect("stopped");
        let _ = child.wait();
    }
    let (_, loaded) = runtime
        .block_on(store.open("community-1"))
        .expect("one log, replayed");
    let log = loaded.log;
    let acknowledged = acknowledged.lock().expect("lock");
    assert_eq!(acknowledged.len(), 6 * 30);
    for (index, entry) in acknowledged.iter() {
        let leaf = ledger_core::log::Leaf::parse(&log.leaf(*index).expect("leaf")).expect("leaf");
        assert_eq!(leaf.entry.to_bytes(), *entry, "leaf {index}");
    }
    let verifier = log.verifier().expect("key");
    for note in notes.lock().expect("lock").iter() {
        let (checkpoint, _) = Checkpoint::open(note, &verifier).expect("signed");
        assert_eq!(
            log.tree().root_at(checkpoint.size),
            Some(checkpoint.root),
            "a fork at {}",
            checkpoint.size
        );
    }
}

/// A device run from the command line: `jifen log sign --log URL` learns
/// where its chain stands from the service, `jifen log send` gives the
/// queue to it; sent again, the entries keep their indexes.
#[test]
fn a_command_line_device_signs_and_sends_its_queue_to_the_service() {
    let dir = Dir::new("send");
    let port = jifen_log::pgtest::free_port().expect("port");
    let mut child = start(&dir, port);
    let url = format!("http://127.0.0.1:{port}/logs/community-1");
    let sign = |queue: &str, code: &str| {
        let body = format!(
            r#"{{"active":true,"area":"A01","code":"{code}","household":"1-1-101","type":"resident"}}"#
        );
        super::ok(
            &dir,
            &[
                "log",
                "sign",
                queue,
                "--keys",
                "keys/community-1.json",
                "--as",
                "admin-1",
                "--ledger",
                "demo-community",
                "--body",
                &body,
                "--state",
                "admin.state",
                "--log",
                &url,
            ],
        )
    };
    sign("desk.queue", "CLI001");
    sign("desk.queue", "CLI002");
    let sent = super::ok(&dir, &["log", "send", "desk.queue", "--to", &url]);
    assert_eq!(sent.matches("accepted #").count(), 2, "{sent}");
    let again = super::ok(&dir, &["log", "send", "desk.queue", "--to", &url]);
    assert_eq!(
        again.matches("already in the log at #").count(),
        2,
        "{again}"
    );
    // A line that is no entry is refused, with the reason and exit code 1.
    std::fs::write(dir.path("bad.queue"), b"{\"not\":\"an entry\"}\n").expect("queue");
    let refused = super::jifen(&dir, &["log", "send", "bad.queue", "--to", &url]);
    assert_eq!(super::code(&refused), 1, "{}", super::stderr(&refused));
    assert!(
        super::stderr(&refused).contains("refused"),
        "{}",
        super::stderr(&refused)
    );
    child.kill().expect("stopped");
    let _ = child.wait();
}

/// A receipt the service handed out, checked with `jifen log
/// check-receipt --policy`: it holds when the policy needs no witness,
/// and is refused as not witnessed when the quorum needs one that never
/// cosigned.
#[test]
fn a_receipt_from_the_service_is_checked_against_a_witness_policy() {
    let dir = Dir::new("receipt-policy");
    let port = jifen_log::pgtest::free_port().expect("port");
    let mut child = start(&dir, port);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _inside = runtime.enter();
    let http = Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(10));
    let receipt = runtime
        .block_on(http.get("/logs/community-1/receipt/7"))
        .expect("receipt");
    assert_eq!(receipt.status, 200);
    std::fs::write(dir.path("r.tlog-proof"), &receipt.body).expect("file");
    let vkey = std::fs::read_to_string(dir.path("logs/community-1/vkey")).expect("vkey");
    let witness = ledger_core::tlog::NoteVerifier::new(
        "witness.example/w1",
        ledger_core::tlog::KeyKind::Cosignature,
        jifen_log::load::key_for(8, "w").verifying_key().to_bytes(),
    )
    .expect("verifier")
    .vkey();
    std::fs::write(
        dir.path("none.policy"),
        format!("log {}quorum none\n", vkey),
    )
    .expect("file");
    std::fs::write(
        dir.path("w1.policy"),
        format!("log {}witness W1 {witness}\nquorum W1\n", vkey),
    )
    .expect("file");
    let held = super::ok(
        &dir,
        &[
            "log",
            "check-receipt",
            "r.tlog-proof",
            "--policy",
            "none.policy",
        ],
    );
    assert!(held.contains("receipt holds: entry 7"), "{held}");
    let refused = super::jifen(
        &dir,
        &[
            "log",
            "check-receipt",
            "r.tlog-proof",
            "--policy",
            "w1.policy",
        ],
    );
    assert_eq!(super::code(&refused), 1, "{}", super::stderr(&refused));
    assert!(
        super::stderr(&refused).contains("witness"),
        "{}",
        super::stderr(&refused)
    );
    child.kill().expect("stopped");
    let _ = child.wait();
}
