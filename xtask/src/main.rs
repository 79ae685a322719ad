//! `cargo xtask`: the project's jobs in one Rust entry point, so there are
//! no shell scripts to keep in sync. Each job installs what it needs from
//! the package registries (rustup targets, Debian packages, crates.io
//! tools) and nothing from anywhere else.
//!
//! - `cargo xtask demo`  — the main job: generate a demo community, verify
//!   it, print balances, rewards and the head.
//! - `cargo xtask ci`    — every check and test: rustfmt, clippy, the
//!   wasm32 build of ledger-core, all tests.
//! - `cargo xtask fuzz [--seconds N]` — each libFuzzer target for N
//!   seconds (60 in `ci`; an hour or more for a real hunt), from the
//!   checked-in seeds in `fuzz/seeds/`, on the nightly toolchain.
//! - `cargo xtask bench` — the measured figures: a 1,000,000-entry demo,
//!   verification against an `openssl` SHA-256 anchor in the same run, peak
//!   memory, then the criterion benchmarks.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => seconds_arg(&args[1..], 60).and_then(fuzz),
        _ => Err(
            "usage: cargo xtask demo | ci | bench [--entries N] [--quick] | fuzz [--seconds N]"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(root());
    command
}

/// Runs a command, echoing it, and fails if it fails.
fn run(command: &mut Command) -> Result {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn jifen_release() -> Result<PathBuf> {
    run(cargo().args(["build", "--release", "--package", "jifen"]))?;
    Ok(root().join("target/release/jifen"))
}

fn demo() -> Result {
    let jifen = jifen_release()?;
    let dir = root().join("target/demo");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ledger = dir.join("demo.jsonl");
    let keys = dir.join("demo.keys.json");
    let jifen_in = |args: &[&str]| {
        let mut command = Command::new(&jifen);
        command.args(args).current_dir(&dir);
        command
    };
    run(&mut jifen_in(&[
        "demo",
        "--out",
        "demo.jsonl",
        "--keys",
        "demo.keys.json",
        "--residents",
        "300",
        "--entries",
        "20000",
        "--force",
    ]))?;
    run(&mut jifen_in(&["verify", "demo.jsonl"]))?;
    run(&mut jifen_in(&["rewards", "demo.jsonl"]))?;
    let output = jifen_in(&["balance", "demo.jsonl"])
        .output()
        .map_err(|e| e.to_string())?;
    let table = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = table.lines().collect();
    println!(
        "{}",
        lines
            .iter()
            .take(12)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!(
        "… {} residents in all (jifen balance {} shows every one)",
        lines.len().saturating_sub(2),
        ledger.display()
    );
    run(&mut jifen_in(&[
        "history",
        "demo.jsonl",
        "JX-0001",
        "--per-page",
        "8",
    ]))?;
    println!(
        "\nThe ledger is {} and its keys file {}.",
        ledger.display(),
        keys.display()
    );
    println!("Publish its head (above) on the notice board; anyone can check it with:");
    println!(
        "  target/release/jifen verify {} --head SEQ:HASH",
        ledger.display()
    );
    Ok(())
}

fn ci() -> Result {
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "build",
        "--package",
        "ledger-core",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    run(cargo().args([
        "clippy",
        "--package",
        "ledger-core",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace"]))?;
    // Benchmarks are compiled and run once each on a small ledger, so they
    // cannot rot; their figures come from `cargo xtask bench`.
    run(cargo()
        .args([
            "bench",
            "--package",
            "jifen",
            "--bench",
            "ledger",
            "--",
            "--test",
        ])
        .env("JIFEN_BENCH_ENTRIES", "3000"))?;
    fuzz(FUZZ_SECONDS_IN_CI)
}

/// Seconds each fuzz target runs in `ci`: short and bounded; a real hunt
/// is `cargo xtask fuzz --seconds 3600`.
const FUZZ_SECONDS_IN_CI: u64 = 60;

const CARGO_FUZZ_VERSION: &str = "0.13.2";

fn seconds_arg(args: &[String], default: u64) -> Result<u64> {
    match args.iter().position(|a| a == "--seconds") {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| "--seconds needs a whole number".to_owned()),
    }
}

fn fuzz(seconds: u64) -> Result {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output();
    if !nightly.is_ok_and(|o| o.status.success()) {
        return Err("cargo fuzz needs the nightly toolchain, which this machine's image provides (`rustup toolchain list`)".to_owned());
    }
    let installed = Command::new("cargo").args(["fuzz", "--version"]).output();
    if !installed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_FUZZ_VERSION)) {
        run(Command::new("cargo").args([
            "install",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
            "--locked",
        ]))?;
    }
    for target in ["ledger_file", "entry_line", "keys_file"] {
        // Work on a copy of the seeds, so a run never changes the tree.
        let corpus = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        let seeds = root().join("fuzz/seeds").join(target);
        for seed in std::fs::read_dir(&seeds).map_err(|e| format!("{}: {e}", seeds.display()))? {
            let seed = seed.map_err(|e| e.to_string())?.path();
            if let Some(name) = seed.file_name() {
                std::fs::copy(&seed, corpus.join(name)).map_err(|e| e.to_string())?;
            }
        }
        run(Command::new("rustup")
            .args([
                "run",
                "nightly",
                "cargo",
                "fuzz",
                "run",
                "--release",
                target,
            ])
            .arg(&corpus)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-rss_limit_mb=2048",
                "-timeout=10",
                "-max_len=65536",
            ])
            .current_dir(root()))?;
    }
    Ok(())
}

/// Wall time and peak resident memory of a child process.
fn measure(command: &mut Command) -> Result<(Duration, u64)> {
    let start = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    let exit = child.wait().map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if !exit.success() {
        return Err(format!("{} failed ({exit})", describe(command)));
    }
    Ok((elapsed, children_peak_rss_kib()))
}

/// Largest peak resident set of any waited-for child so far, in KiB
/// (`/proc` has no figure for a child that has exited; getrusage does).
#[allow(unsafe_code)]
fn children_peak_rss_kib() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the whole struct it is pointed at, and the
    // struct was zeroed first, so it is initialised either way.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    u64::try_from(usage.ru_maxrss).unwrap_or(0)
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

fn bench(args: &[String]) -> Result {
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
        let residents = (entries / 200).clamp(100, 20_000).to_string();
        let (elapsed, _) = measure(Command::new(&jifen).args([
            "demo",
            "--out",
            path(&ledger),
            "--keys",
            path(&keys),
            "--residents",
            &residents,
            "--entries",
            &entries.to_string(),
            "--seed",
            "1",
            "--force",
        ]))?;
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
    if quick {
        return Ok(());
    }
    run(cargo()
        .args(["bench", "--package", "jifen", "--bench", "ledger"])
        .env("JIFEN_BENCH_ENTRIES", entries.to_string()))
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}
