//! `cargo xtask ci`: every check and test, in the order a failure is
//! cheapest to see.

use std::process::Command;

use crate::Result;
use crate::book::book;
use crate::fuzz::{FUZZ_SECONDS_IN_CI, fuzz};
use crate::npm::{test_wasm_pkg, wasm_pkg};
use crate::shell::{cargo, run};
use crate::web::{browser_tests, end_to_end, web_dist};

/// `cargo clippy` with `args`, every warning an error.
fn clippy(args: &[&str]) -> Result {
    run(cargo()
        .arg("clippy")
        .args(args)
        .args(["--", "-D", "warnings"]))
}

pub(crate) fn ci() -> Result {
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    clippy(&["--workspace", "--all-targets"])?;
    run(cargo().args([
        "build",
        "--package",
        "ledger-core",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    clippy(&[
        "--package",
        "ledger-core",
        "--package",
        "jifen-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ])?;
    clippy(&[
        "--package",
        "jifen-web",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
    ])?;
    // The phone's build of the app: without the writing screens.
    clippy(&[
        "--package",
        "jifen-web",
        "--no-default-features",
        "--target",
        "wasm32-unknown-unknown",
    ])?;
    // The service's tests start private PostgreSQL clusters.
    crate::tools::ensure_postgres()?;
    run(cargo().args(["test", "--workspace"]))?;
    // ledger-core as the web app builds it: without serde_json's detailed
    // errors (and without the curve tables), lines are read by the fast
    // reader alone.
    clippy(&[
        "--package",
        "ledger-core",
        "--no-default-features",
        "--all-targets",
    ])?;
    run(cargo().args([
        "test",
        "--package",
        "ledger-core",
        "--no-default-features",
        "--lib",
    ]))?;
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
    let package = wasm_pkg()?;
    test_wasm_pkg(&package)?;
    browser_tests()?;
    let dist = web_dist()?;
    end_to_end(&dist)?;
    book()?;
    fuzz(FUZZ_SECONDS_IN_CI)
}
