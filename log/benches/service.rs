//! The log service's figures, on loopback: `jifen serve` as its own
//! process, devices as tasks here, each figure beside an anchor measured in
//! the same run (a 4 KB write and fsync on the same disk; pgbench on the
//! same PostgreSQL). Run by `cargo xtask log-bench`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jifen_log::client::Client;
use jifen_log::load::Device;
use jifen_log::pgtest::{Cluster, free_port};
use ledger_core::Role;
use ledger_core::keys::Keys;

struct Bench {
    jifen: PathBuf,
    dir: PathBuf,
    seconds: u64,
    runtime: tokio::runtime::Runtime,
}

/// A child process stopped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// CPU seconds a process has used (user + system), from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn du_mib(path: &Path) -> f64 {
    fn walk(path: &Path) -> u64 {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return 0;
        };
        if meta.is_dir() {
            std::fs::read_dir(path)
                .map(|d| d.flatten().map(|e| walk(&e.path())).sum())
                .unwrap_or(0)
        } else {
            // Blocks used, as `du` counts.
            std::os::unix::fs::MetadataExt::blocks(&meta) * 512
        }
    }
    walk(path) as f64 / (1024.0 * 1024.0)
}

/// The anchor of durable writes: a 4 KB write and fsync, P50 and P99.
fn fsync_anchor(dir: &Path) -> (Duration, Duration) {
    let path = dir.join("fsync-anchor");
    let mut file = std::fs::File::create(&path).expect("anchor file");
    let mut times = Vec::new();
    for _ in 0..300 {
        let start = Instant::now();
        file.write_all(&[7u8; 4096]).expect("write");
        file.sync_all().expect("fsync");
        times.push(start.elapsed());
    }
    let _ = std::fs::remove_file(&path);
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

impl Bench {
    fn serve(&self, storage: &[String], keys: &Path, extra: &[&str]) -> (Process, u16) {
        let port = free_port().expect("port");
        let mut child = Command::new(&self.jifen)
            .arg("serve")
            .args(storage)
            .arg("--keys")
            .arg(keys)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("jifen serve");
        let stdout = child.stdout.take().expect("stdout");
        let ready = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.starts_with("listening on"));
        let process = Process(child);
        assert!(ready, "jifen serve stopped");
        (process, port)
    }

    fn setup(
        &self,
        storage: &[String],
        keys: &Path,
        communities: u32,
        entries: u64,
    ) -> Vec<String> {
        let output = Command::new(&self.jifen)
            .arg("serve")
            .args(storage)
            .arg("--keys")
            .arg(keys)
            .args(["--demo-communities", &communities.to_string()])
            .args(["--demo-entries", &entries.to_string()])
            .args(["--demo-residents", "50", "--setup-only"])
            .output()
            .expect("setup");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
            .collect()
    }

    /// A witness process for these logs, and its `URL=VKEY`.
    fn witness(&self, vkeys: &[String]) -> (Process, String) {
        let keys = self.dir.join("witness.json");
        let _ = std::fs::remove_file(&keys);
        let made = Command::new(&self.jifen)
            .args(["keygen", "--actor", "witness", "--keys"])
            .arg(&keys)
            .output()
            .expect("keygen");
        assert!(made.status.success());
        let port = free_port().expect("port");
        let state = self.dir.join(format!("witness-state-{port}.json"));
        let mut command = Command::new(&self.jifen);
        command
            .arg("witness")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--state")
            .arg(state)
            .arg("--keys")
            .arg(&keys)
            .args(["--name", "bench.example/witness"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped());
        for vkey in vkeys {
            command.args(["--log", vkey]);
        }
        let mut child = command.spawn().expect("witness");
        let stdout = child.stdout.take().expect("stdout");
        let line = BufReader::new(stdout)
            .lines()
            .next()
            .expect("line")
            .expect("line");
        let vkey = line.split_whitespace().nth(1).expect("vkey").to_owned();
        (Process(child), format!("http://127.0.0.1:{port}={vkey}"))
    }

    /// `count` admin desks registered on a log, ready to write (with none,
    /// the log's own admin).
    fn desks(&self, http: &Client, keys: &Path, name: &str, count: usize) -> Vec<Device> {
        let file = std::fs::read(keys.join(format!("{name}.json"))).expect("keys");
        let admin_key = Keys::parse(&file)
            .expect("keys")
            .signing_key("admin-1")
            .expect("admin");
        let state = self
            .runtime
            .block_on(http.get(&format!("/logs/{name}/device/admin-1")))
            .expect("device")
            .json();
        let list = self
            .runtime
            .block_on(http.get("/logs"))
            .expect("logs")
            .json();
        let ledger: ledger_core::LedgerId = list
            .as_array()
            .and_then(|l| l.iter().find(|x| x["name"] == name))
            .and_then(|x| x["ledger"].as_str()?.parse().ok())
            .expect("ledger id");
        let prev: ledger_core::EntryHash = state["dev_prev"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .expect("prev");
        let seq = state["dev_seq"].as_u64().expect("seq");
        let mut admin = Device::new(
            ledger.clone(),
            "admin-1".parse().expect("id"),
            admin_key,
            (seq, prev),
        );
        if count == 0 {
            return vec![admin];
        }
        let now = jifen_log::community::now_ms();
        let (entries, desks) =
            jifen_log::load::register_devices(&mut admin, &ledger, "desk", Role::Admin, count, now);
        let reply = self
            .runtime
            .block_on(http.submit(name, &entries))
            .expect("answer");
        assert_eq!(reply.status, 200, "{:?}", reply.json());
        desks
    }

    /// Devices writing one entry per request as fast as answers come, for
    /// the bench's seconds: every answer's latency, and (with `receipts`)
    /// the time to a receipt under a witnessed checkpoint for every 20th.
    fn write(
        &self,
        http: &Client,
        logs: Vec<(String, Device)>,
        receipts: bool,
    ) -> (Vec<Duration>, Vec<Duration>, f64) {
        let latencies = Arc::new(Mutex::new(Vec::new()));
        let witnessed = Arc::new(Mutex::new(Vec::new()));
        let until = Instant::now() + Duration::from_secs(self.seconds);
        let start = Instant::now();
        let tasks: Vec<_> = logs
            .into_iter()
            .enumerate()
            .map(|(n, (name, mut device))| {
                let (http, latencies, witnessed) =
                    (http.clone(), latencies.clone(), witnessed.clone());
                self.runtime.spawn(async move {
                    let mut k = 0u64;
                    while Instant::now() < until {
                        k += 1;
                        let now = jifen_log::community::now_ms();
                        let (entries, _) = jifen_log::load::register_residents(
                            &mut device,
                            &format!("B{n}x{k}x"),
                            1,
                            now,
                        );
                        let sent = Instant::now();
                        let reply = http.submit(&name, &entries).await.expect("answer");
                        let took = sent.elapsed();
                        assert_eq!(reply.status, 200, "{:?}", reply.json());
                        latencies.lock().expect("lock").push(took);
                        if receipts && k.is_multiple_of(20) {
                            let index =
                                reply.json()["results"][0]["index"].as_u64().expect("index");
                            let (http, witnessed, name) =
                                (http.clone(), witnessed.clone(), name.clone());
                            tokio::spawn(async move {
                                let path = format!("/logs/{name}/receipt/{index}?wait_ms=3000");
                                while sent.elapsed() < Duration::from_secs(10) {
                                    let receipt = http.get(&path).await.expect("receipt");
                                    let text = String::from_utf8_lossy(&receipt.body);
                                    // The log's signature and the witness's.
                                    if receipt.status == 200
                                        && text.matches('\u{2014}').count() >= 2
                                    {
                                        witnessed.lock().expect("lock").push(sent.elapsed());
                                        break;
                                    }
                                    tokio::time::sleep(Duration::from_millis(20)).await;
                                }
                            });
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            self.runtime.block_on(task).expect("device");
        }
        let elapsed = start.elapsed().as_secs_f64();
        self.runtime
            .block_on(tokio::time::sleep(Duration::from_secs(3)));
        let mut latencies = latencies.lock().expect("lock").clone();
        let mut witnessed = witnessed.lock().expect("lock").clone();
        latencies.sort();
        witnessed.sort();
        let rate = latencies.len() as f64 / elapsed;
        (latencies, witnessed, rate)
    }
}

fn report(what: &str, latencies: &[Duration], rate: f64) {
    println!(
        "{what}: {} answered, {rate:.0} entries/s, durable index P50 {} / P99 {}",
        latencies.len(),
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.99))
    );
}

fn report_receipts(what: &str, witnessed: &[Duration]) {
    println!(
        "{what}: submission to a receipt under a witnessed checkpoint P50 {} / P99 {} ({} receipts)",
        ms(percentile(witnessed, 0.5)),
        ms(percentile(witnessed, 0.99)),
        witnessed.len()
    );
}

fn pgbench(cluster: &Cluster, seconds: u64) -> f64 {
    let url = cluster.url();
    let bin = Path::new("/usr/lib/postgresql/15/bin/pgbench");
    let init = Command::new(bin)
        .args(["-i", "-q", "-s", "1", &url])
        .output()
        .expect("pgbench -i");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let out = Command::new(bin)
        .args(["-N", "-c", "8", "-j", "2", "-T", &seconds.to_string(), &url])
        .output()
        .expect("pgbench");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(0.0)
}

fn main() {
    let quick = std::env::var_os("JIFEN_BENCH_QUICK").is_some();
    let jifen = std::env::var_os("JIFEN_BIN")
        .map_or_else(|| PathBuf::from("target/release/jifen"), PathBuf::from);
    let dir = std::env::temp_dir().join(format!("jifen-log-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let bench = Bench {
        jifen,
        dir: dir.clone(),
        seconds: if quick { 5 } else { 15 },
        runtime: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime"),
    };
    let _inside = bench.runtime.enter();
    let http =
        |port: u16| Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(30));
    let (fsync50, fsync99) = fsync_anchor(&dir);
    println!(
        "anchor: 4 KB write + fsync on this disk P50 {} / P99 {}",
        ms(fsync50),
        ms(fsync99)
    );

    // One community on files, 50 devices at once, a witness.
    let files = vec!["--dir".to_owned(), dir.join("logs").display().to_string()];
    let keys = dir.join("keys");
    let vkeys = bench.setup(&files, &keys, 1, 2_000);
    let (witness, target) = bench.witness(&vkeys);
    let (service, port) = bench.serve(&files, &keys, &["--witness", &target]);
    let client = http(port);
    let desks = bench.desks(&client, &keys, "community-1", 50);
    let writers = desks
        .into_iter()
        .map(|d| ("community-1".to_owned(), d))
        .collect();
    let (latencies, witnessed, rate) = bench.write(&client, writers, true);
    report("files, 50 devices", &latencies, rate);
    report_receipts("files", &witnessed);
    let list = bench
        .runtime
        .block_on(client.get("/logs"))
        .expect("logs")
        .json();
    let size = list[0]["size"].as_u64().unwrap_or(1) as f64;
    let disk = du_mib(&dir.join("logs/community-1"));
    println!(
        "files: {size} entries take {disk:.1} MiB on disk ({:.0} MiB per 1,000,000); service RSS {:.0} MiB",
        disk / size * 1e6,
        rss_mib(service.0.id())
    );
    drop(service);
    drop(witness);

    // PostgreSQL: the same on one community, then 300 communities in one
    // process, then those 300 idle.
    let cluster = Cluster::start().expect("PostgreSQL");
    let tps = pgbench(&cluster, if quick { 3 } else { 10 });
    println!("anchor: pgbench -N (8 clients) on the same cluster: {tps:.0} transactions/s");
    let pg = vec!["--db".to_owned(), cluster.url()];
    let pg_keys = dir.join("pg-keys");
    let communities = 300;
    let vkeys = bench.setup(&pg, &pg_keys, communities, 150);
    let (_witness, target) = bench.witness(&vkeys);
    let (service, port) = bench.serve(&pg, &pg_keys, &["--witness", &target]);
    let client = http(port);
    let desks = bench.desks(&client, &pg_keys, "community-1", 50);
    let writers = desks
        .into_iter()
        .map(|d| ("community-1".to_owned(), d))
        .collect();
    let (latencies, witnessed, rate) = bench.write(&client, writers, true);
    report("postgres, 50 devices", &latencies, rate);
    report_receipts("postgres", &witnessed);
    let writers: Vec<(String, Device)> = (1..=communities)
        .map(|n| {
            let name = format!("community-{n}");
            let admin = bench.desks(&client, &pg_keys, &name, 0).remove(0);
            (name, admin)
        })
        .collect();
    let (latencies, _, rate) = bench.write(&client, writers, false);
    report(
        &format!("postgres, {communities} communities, one device each"),
        &latencies,
        rate,
    );
    let pid = service.0.id();
    bench
        .runtime
        .block_on(tokio::time::sleep(Duration::from_secs(2)));
    let idle = if quick { 10.0 } else { 30.0 };
    let before = cpu_seconds(pid);
    bench
        .runtime
        .block_on(tokio::time::sleep(Duration::from_secs_f64(idle)));
    let used = cpu_seconds(pid) - before;
    println!(
        "postgres: {communities} idle logs use {:.2} % of a core; service RSS {:.0} MiB",
        used / idle * 100.0,
        rss_mib(pid)
    );
    drop(service);
    let out = Command::new("/usr/lib/postgresql/15/bin/psql")
        .args([
            &cluster.url(),
            "-tAc",
            "SELECT pg_total_relation_size('jifen_leaves'), (SELECT count(*) FROM jifen_leaves)",
        ])
        .output()
        .expect("psql");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().split('|');
    let bytes: f64 = parts.next().and_then(|b| b.parse().ok()).unwrap_or(0.0);
    let count: f64 = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1.0);
    println!(
        "postgres: {count:.0} leaves take {:.1} MiB with their index ({:.0} MiB per 1,000,000)",
        bytes / 1048576.0,
        bytes / count / 1048576.0 * 1e6
    );
    drop(cluster);
    if let (Some(log), Some(keys)) = (
        std::env::var_os("JIFEN_BIG_LOG"),
        std::env::var_os("JIFEN_BIG_KEYS"),
    ) {
        big_log(&bench, Path::new(&log), Path::new(&keys));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A year of a million entries served from files: how long the service
/// takes to replay it at start, and its memory once serving.
fn big_log(bench: &Bench, log: &Path, keys: &Path) {
    let root = bench.dir.join("big");
    let key_dir = bench.dir.join("big-keys");
    std::fs::create_dir_all(&root).expect("dir");
    std::fs::create_dir_all(&key_dir).expect("dir");
    std::os::unix::fs::symlink(log, root.join("year")).expect("link");
    std::fs::copy(keys, key_dir.join("year.json")).expect("keys");
    let storage = vec!["--dir".to_owned(), root.display().to_string()];
    let start = Instant::now();
    let (service, _) = bench.serve(&storage, &key_dir, &[]);
    let took = start.elapsed();
    println!(
        "files: a log of 1,000,000 entries replayed at start in {:.1} s; service RSS {:.0} MiB",
        took.as_secs_f64(),
        rss_mib(service.0.id())
    );
}
