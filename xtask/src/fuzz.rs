//! `cargo xtask fuzz`: every libFuzzer target, from the checked-in seeds,
//! on the nightly toolchain.

use std::process::Command;

use crate::Result;
use crate::shell::{root, run};

/// Seconds each fuzz target runs in `ci`: short and bounded; a real hunt
/// is `cargo xtask fuzz --seconds 3600`.
pub(crate) const FUZZ_SECONDS_IN_CI: u64 = 20;

const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub(crate) fn seconds_arg(args: &[String], default: u64) -> Result<u64> {
    match args.iter().position(|a| a == "--seconds") {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| "--seconds needs a whole number".to_owned()),
    }
}

pub(crate) fn fuzz(seconds: u64) -> Result {
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
    for target in [
        "ledger_file",
        "entry_line",
        "keys_file",
        "snapshot",
        "signature_batch",
        "tlog_texts",
        "log_leaf",
        "service_request",
    ] {
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
