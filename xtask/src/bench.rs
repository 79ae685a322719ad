//! `cargo xtask bench`: the measured figures, each beside an anchor
//! measured in the same run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::Result;
use crate::npm::wasm_pkg;
use crate::shell::{cargo, describe, gzip_size, jifen_release, path, root, run};

/// Wall time and peak resident memory of one child process: `wait4`
/// gives that child's own usage (getrusage(RUSAGE_CHILDREN) would mix in
/// every earlier child, such as cargo's build).
#[allow(unsafe_code)]
fn measure(command: &mut Command) -> Result<(Duration, u64)> {
    let start = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the exit status and a whole rusage for this pid,
    // which std has not waited for (the Child is dropped unwaited below).
    let (waited, usage) = unsafe {
        let waited = libc::wait4(pid, &mut status, 0, usage.as_mut_ptr());
        (waited, usage.assume_init())
    };
    drop(child);
    let elapsed = start.elapsed();
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{} failed (status {status})", describe(command)));
    }
    Ok((elapsed, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

fn best_of(
    times: usize,
    mut step: impl FnMut() -> Result<(Duration, u64)>,
) -> Result<(Duration, u64)> {
    let mut best = (Duration::MAX, 0);
    for _ in 0..times {
        let (elapsed, memory) = step()?;
        best = (best.0.min(elapsed), best.1.max(memory));
    }
    Ok(best)
}

/// The figures, each printed beside its anchor as it is measured: a
/// script, read top to bottom.
pub(crate) fn bench(args: &[String]) -> Result {
    let entries: u64 = args
        .iter()
        .position(|a| a == "--entries")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(1_000_000), |v| {
            v.parse()
                .map_err(|_| format!("--entries {v}: not a number"))
        })?;
    let quick = args.iter().any(|a| a == "--quick");
    let jifen = jifen_release()?;
    let dir = root().join("target/bench-data");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ledger = dir.join(format!("demo-{entries}.jsonl"));
    let keys = dir.join(format!("demo-{entries}.keys.json"));
    if !ledger.exists() || !keys.exists() {
        let elapsed = generate_demo(&jifen, entries, ["--out", path(&ledger)], &keys)?;
        println!("generated the demo in {:.1} s", elapsed.as_secs_f64());
    }
    let size = std::fs::metadata(&ledger).map_err(|e| e.to_string())?.len();
    let mib = size as f64 / (1024.0 * 1024.0);
    let (openssl, _) = best_of(5, || {
        measure(
            Command::new("openssl")
                .args(["dgst", "-sha256", path(&ledger)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let (chain, _) = best_of(5, || {
        measure(
            Command::new(&jifen)
                .args(["verify", "--chain-only", path(&ledger)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let (full, peak_kib) = best_of(3, || {
        measure(
            Command::new(&jifen)
                .args(["verify", path(&ledger)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let per_second = |elapsed: Duration| entries as f64 / elapsed.as_secs_f64();
    println!();
    println!(
        "ledger: {entries} entries, {mib:.0} MiB, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "openssl dgst -sha256 of the file (anchor)   {:>8.3} s  ({:.0} MiB/s)",
        openssl.as_secs_f64(),
        mib / openssl.as_secs_f64()
    );
    println!(
        "jifen verify --chain-only                   {:>8.3} s  ({:.0} entries/s, {:.2}x the anchor)",
        chain.as_secs_f64(),
        per_second(chain),
        chain.as_secs_f64() / openssl.as_secs_f64()
    );
    println!(
        "jifen verify (full)                         {:>8.3} s  ({:.0} entries/s)",
        full.as_secs_f64(),
        per_second(full)
    );
    println!(
        "peak memory of jifen verify (whole ledger)  {:>8.0} MiB",
        peak_kib as f64 / 1024.0
    );
    bench_tree(&ledger, &openssl)?;
    bench_log(&jifen, &dir, entries, &openssl)?;
    bench_wasm(&jifen)?;
    if quick {
        return Ok(());
    }
    run(cargo()
        .args(["bench", "--package", "jifen", "--bench", "ledger"])
        .env("JIFEN_BENCH_ENTRIES", entries.to_string()))
}

/// Format v2: the same year as a log directory (devices signing their
/// own entries, an offline day, C2SP tiles), verified whole: every leaf's
/// rules and signature, and the root against the signed checkpoint.
fn bench_log(jifen: &Path, dir: &Path, entries: u64, openssl: &Duration) -> Result {
    let log = dir.join(format!("demo-log-{entries}"));
    let keys = dir.join(format!("demo-log-{entries}.keys.json"));
    if !log.join("checkpoint").exists() {
        let elapsed = generate_demo(jifen, entries, ["--log", path(&log)], &keys)?;
        println!(
            "generated the v2 demo log in {:.1} s",
            elapsed.as_secs_f64()
        );
    }
    let (full, peak_kib) = best_of(3, || {
        measure(
            Command::new(jifen)
                .args(["log", "verify", path(&log)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let tiles: u64 = walk_bytes(&log.join("tile"), "entries");
    let bundles: u64 = walk_bytes(&log.join("tile/entries"), "");
    println!(
        "jifen log verify (v2, full)                 {:>8.3} s  ({:.0} entries/s; openssl of the v1 file: {:.3} s)",
        full.as_secs_f64(),
        entries as f64 / full.as_secs_f64(),
        openssl.as_secs_f64()
    );
    println!(
        "v2 log on disk: hash tiles {:.1} MB, entry bundles {:.1} MB (the only copy), peak memory {:.0} MiB",
        tiles as f64 / 1e6,
        bundles as f64 / 1e6,
        peak_kib as f64 / 1024.0
    );
    Ok(())
}

/// `jifen demo` of `entries` (a v1 file or a v2 log, as `target` says),
/// the same community every time; how long it took.
fn generate_demo(jifen: &Path, entries: u64, target: [&str; 2], keys: &Path) -> Result<Duration> {
    let residents = (entries / 200).clamp(100, 20_000).to_string();
    let entries = entries.to_string();
    let mut command = Command::new(jifen);
    command
        .arg("demo")
        .args(target)
        .args(["--keys", path(keys)]);
    command.args([
        "--residents",
        &residents,
        "--entries",
        &entries,
        "--seed",
        "1",
        "--force",
    ]);
    let (elapsed, _) = measure(command.stdout(std::process::Stdio::null()))?;
    Ok(elapsed)
}

/// Bytes of the files under `dir`, leaving out the subfolder `skip`.
fn walk_bytes(dir: &Path, skip: &str) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                if !skip.is_empty() && path.file_name().is_some_and(|n| n == skip) {
                    0
                } else {
                    walk_bytes(&path, skip)
                }
            } else {
                entry.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// The log's tree over the same file's lines (each line a leaf), beside
/// `sha256sum` of the file: its root, proofs, and the size of its tiles.
fn bench_tree(ledger: &Path, openssl: &Duration) -> Result {
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "ledger-core",
        "--example",
        "tree_figures",
    ]))?;
    let example = root().join("target/release/examples/tree_figures");
    let (sha256sum, _) = best_of(5, || {
        measure(
            Command::new("sha256sum")
                .arg(path(ledger))
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let output = Command::new(&example)
        .arg(path(ledger))
        .output()
        .map_err(|e| format!("{}: {e}", example.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed", example.display()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let figure = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or("?")
            .to_owned()
    };
    let root_seconds: f64 = figure("root_seconds").parse().unwrap_or(f64::NAN);
    let tiles: f64 = figure("tile_bytes").parse().unwrap_or(f64::NAN);
    println!(
        "sha256sum of the file (anchor)              {:>8.3} s  (openssl above: {:.3} s)",
        sha256sum.as_secs_f64(),
        openssl.as_secs_f64()
    );
    println!(
        "log tree root, every line a leaf            {:>8.3} s  ({:.2}x the sha256sum anchor)",
        root_seconds,
        root_seconds / sha256sum.as_secs_f64()
    );
    println!(
        "inclusion proof: made {} µs, checked {} µs; consistency proof made and checked {} µs",
        figure("inclusion_make_us"),
        figure("inclusion_check_us"),
        figure("consistency_make_and_check_us")
    );
    println!(
        "hash tiles of the tree                      {:>8.1} MB ({} leaves; all proofs held: {})",
        tiles / 1e6,
        figure("leaves"),
        figure("all_held")
    );
    Ok(())
}

/// The npm package's size and its verify speed in Node.js, next to the
/// native CLI on the same 100,000-entry file.
fn bench_wasm(jifen: &Path) -> Result {
    let package = wasm_pkg()?;
    let file = root().join("target/bench-data/demo-100000.jsonl");
    if !file.exists() {
        measure(Command::new(jifen).args([
            "demo",
            "--out",
            path(&file),
            "--keys",
            path(&file.with_extension("keys.json")),
            "--residents",
            "500",
            "--entries",
            "100000",
            "--force",
        ]))?;
    }
    let wasm = std::fs::read(package.join("web/jifen_bg.wasm")).map_err(|e| e.to_string())?;
    let gzip = gzip_size;
    let js = std::fs::read(package.join("web/jifen.js")).map_err(|e| e.to_string())?;
    println!();
    println!(
        "npm package: wasm {} KiB ({} KiB gzip -9), JS glue {} KiB ({} KiB gzip -9)",
        wasm.len() / 1024,
        gzip(&wasm)? / 1024,
        js.len() / 1024,
        gzip(&js)? / 1024
    );
    run(Command::new("node")
        .arg(root().join("wasm-pkg/bench/verify.mjs"))
        .arg(&package)
        .arg(&file))?;
    let (full, _) = best_of(3, || {
        measure(
            Command::new(jifen)
                .args(["verify", path(&file)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let (chain, _) = best_of(3, || {
        measure(
            Command::new(jifen)
                .args(["verify", "--chain-only", path(&file)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    println!(
        "native jifen verify, same file: full {:.3} s ({:.0} entries/s), chain only {:.3} s",
        full.as_secs_f64(),
        100_000.0 / full.as_secs_f64(),
        chain.as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask log-bench`: the log service's figures on loopback (files
/// and PostgreSQL, 50 devices, 300 communities, idle logs, receipts under
/// witnessed checkpoints), each beside an anchor measured in the same run;
/// `--quick` for shorter runs.
pub(crate) fn log_bench(args: &[String]) -> Result {
    crate::tools::ensure_postgres()?;
    let jifen = jifen_release()?;
    let mut command = cargo();
    command
        .args(["bench", "--package", "jifen-log", "--bench", "service"])
        .env("JIFEN_BIN", &jifen);
    if args.iter().any(|a| a == "--quick") {
        command.env("JIFEN_BENCH_QUICK", "1");
    } else {
        // The service's memory with a year of a million entries loaded.
        let dir = root().join("target/bench-data");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let entries = 1_000_000;
        let log = dir.join(format!("demo-log-{entries}"));
        let keys = dir.join(format!("demo-log-{entries}.keys.json"));
        if !log.join("checkpoint").exists() {
            generate_demo(&jifen, entries, ["--log", path(&log)], &keys)?;
        }
        command
            .env("JIFEN_BIG_LOG", &log)
            .env("JIFEN_BIG_KEYS", &keys);
    }
    run(&mut command)
}

/// `cargo xtask street-bench`: the street office's figures on a street of
/// seven communities' logs, about 500,000 leaves (generated once into
/// `target/bench-data/street`): its report for a year, read the first
/// time (every signature) and again (what the CLI verified before is not
/// signature-checked again); a month's notice; and each community's year
/// of notice rows as CSV, streamed. The anchor: `jifen log verify` of the
/// seven logs, one after the other, in the same run.
pub(crate) fn street_bench() -> Result {
    let jifen = jifen_release()?;
    let dir = root().join("target/bench-data/street");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let logs: Vec<std::path::PathBuf> = (1..=7)
        .map(|n| dir.join(format!("logs/community-{n}")))
        .collect();
    if !logs.iter().all(|log| log.join("checkpoint").exists()) {
        let _ = std::fs::remove_dir_all(dir.join("logs"));
        let _ = std::fs::remove_dir_all(dir.join("keys"));
        let start = Instant::now();
        run(Command::new(&jifen)
            .args([
                "serve",
                "--dir",
                "logs",
                "--keys",
                "keys",
                "--demo-communities",
                "7",
            ])
            .args(["--demo-entries", "71500", "--setup-only"])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null()))?;
        println!(
            "generated the street in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    let leaves: u64 = logs
        .iter()
        .map(|log| {
            std::fs::read_to_string(log.join("checkpoint"))
                .ok()
                .and_then(|c| c.lines().nth(1).and_then(|s| s.parse().ok()))
                .unwrap_or(0)
        })
        .sum();
    let cache = dir.join("cache");
    let quiet = |command: &mut Command| -> Result<(Duration, u64)> {
        measure(
            command
                .env("JIFEN_CACHE_DIR", &cache)
                .stdout(std::process::Stdio::null()),
        )
    };
    let (anchor, _) = best_of(3, || {
        let mut total = Duration::ZERO;
        for log in &logs {
            total += quiet(Command::new(&jifen).args(["log", "verify", path(log)]))?.0;
        }
        Ok((total, 0))
    })?;
    let report = |cold: bool| -> Result<(Duration, u64)> {
        if cold {
            let _ = std::fs::remove_dir_all(&cache);
        }
        quiet(
            Command::new(&jifen)
                .arg("report")
                .args(logs.iter().map(|l| path(l)))
                .args(["--period", "2025"]),
        )
    };
    let (cold, _) = best_of(3, || report(true))?;
    let (warm, memory) = best_of(3, || report(false))?;
    let (notice, _) = best_of(3, || {
        quiet(Command::new(&jifen).args(["notice", path(&logs[0]), "--period", "2025-11"]))
    })?;
    let mut rows = 0u64;
    let mut csv_time = Duration::ZERO;
    let mut csv_memory = 0;
    for log in &logs {
        let out = dir.join("notice.csv");
        let file = std::fs::File::create(&out).map_err(|e| e.to_string())?;
        let (elapsed, peak) = measure(
            Command::new(&jifen)
                .args(["notice", path(log), "--period", "2025", "--csv"])
                .env("JIFEN_CACHE_DIR", &cache)
                .stdout(file),
        )?;
        csv_time += elapsed;
        csv_memory = csv_memory.max(peak);
        let text = std::fs::read(&out).map_err(|e| e.to_string())?;
        rows += text.iter().filter(|&&b| b == b'\n').count() as u64 - 1;
    }
    println!();
    println!("street: 7 communities' logs, {leaves} leaves");
    println!(
        "jifen log verify of the 7 logs, one after the other (anchor)  {:>6.2} s",
        anchor.as_secs_f64()
    );
    println!(
        "jifen report of the street, a year: first read / again        {:>6.2} s / {:.2} s  (peak {:.0} MiB)",
        cold.as_secs_f64(),
        warm.as_secs_f64(),
        memory as f64 / 1024.0
    );
    println!(
        "jifen notice of one community, a month                        {:>6.2} s",
        notice.as_secs_f64()
    );
    println!(
        "jifen notice --csv, a year of each community: {rows} rows in all {:>6.2} s  (peak {:.0} MiB of one)",
        csv_time.as_secs_f64(),
        csv_memory as f64 / 1024.0
    );
    Ok(())
}
