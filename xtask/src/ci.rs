//! `cargo xtask ci`: every check and test, in the order a failure is
//! cheapest to see.

use std::process::Command;
use std::time::{Duration, Instant};

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

/// The time each stage took, printed at the end (or where it failed) so a
/// slow stage shows in the CI log: the run has a 45-minute budget.
struct Stages {
    done: Vec<(&'static str, Duration)>,
    started: Instant,
}

impl Stages {
    fn run<T>(&mut self, name: &'static str, stage: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let outcome = stage();
        self.done.push((name, start.elapsed()));
        if outcome.is_err() {
            self.print();
        }
        outcome
    }

    fn print(&self) {
        eprintln!("\nxtask ci: time per stage");
        for (name, took) in &self.done {
            eprintln!("  {:>6.0} s  {name}", took.as_secs_f64());
        }
        eprintln!("  {:>6.0} s  in all", self.started.elapsed().as_secs_f64());
    }
}

pub(crate) fn ci() -> Result {
    let mut stages = Stages {
        done: Vec::new(),
        started: Instant::now(),
    };
    stages.run("checks and unit tests", checks_and_tests)?;
    stages.run("npm package", || test_wasm_pkg(&wasm_pkg()?))?;
    stages.run("wasm browser tests", browser_tests)?;
    let dist = stages.run("web app build", web_dist)?;
    stages.run("web end-to-end tests", || end_to_end(&dist))?;
    stages.run("book", book)?;
    stages.run("fuzz", || fuzz(FUZZ_SECONDS_IN_CI))?;
    stages.print();
    Ok(())
}

fn checks_and_tests() -> Result {
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
    // Benchmarks run once each on a small ledger, so they cannot rot; in
    // the test profile, which reuses the test build instead of a release
    // build of its own. Their figures come from `cargo xtask bench`.
    run(cargo()
        .args(["test", "--package", "jifen", "--bench", "ledger"])
        .env("JIFEN_BENCH_ENTRIES", "3000"))
}
