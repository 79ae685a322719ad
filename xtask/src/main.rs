//! `cargo xtask`: the project's jobs in one Rust entry point, so there are
//! no shell scripts to keep in sync. Each job installs what it needs from
//! the package registries (rustup targets, Debian packages, crates.io
//! tools) and nothing from anywhere else.
//!
//! - `cargo xtask serve` — the main job: the community log service with a
//!   demo community, a witness and the web app, on 127.0.0.1, printing
//!   where each screen is (`--db postgres://…`, `--communities N`).
//! - `cargo xtask log-bench [--quick]` — the log service's figures.
//! - `cargo xtask street-bench` — the street office's figures: reports
//!   and notices of seven communities' logs, about 500,000 leaves.
//! - `cargo xtask demo`  — the terminal demo: generate a demo community, verify
//!   it, print balances, rewards and the head.
//! - `cargo xtask ci`    — every check and test: rustfmt, clippy, the
//!   wasm32 build of ledger-core, all tests.
//! - `cargo xtask fuzz [--seconds N]` — each libFuzzer target for N
//!   seconds (60 in `ci`; an hour or more for a real hunt), from the
//!   checked-in seeds in `fuzz/seeds/`, on the nightly toolchain.
//! - `cargo xtask bench` — the measured figures: a 1,000,000-entry demo,
//!   verification against an `openssl` SHA-256 anchor in the same run, peak
//!   memory, then the criterion benchmarks.

mod bench;
mod book;
mod ci;
mod demo;
mod fuzz;
mod npm;
mod serve;
mod shell;
mod tools;
mod web;

use std::process::ExitCode;

use bench::bench;
use book::book;
use ci::ci;
use demo::demo;
use fuzz::seconds_arg;
use npm::{test_wasm_pkg, wasm_pkg};
use serve::serve;
use web::{end_to_end, web_bench, web_dist};

/// Every job fails with a message for the terminal.
pub(crate) type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        Some("wasm-pkg") => wasm_pkg().and_then(|dir| test_wasm_pkg(&dir)),
        Some("book") => book(),
        Some("web") => web_dist().and_then(|dist| end_to_end(&dist)),
        Some("web-dist") => web_dist().map(|dist| println!("{}", dist.display())),
        Some("serve") => serve(&args[1..]),
        Some("web-bench") => web_bench(&args[1..]),
        Some("log-bench") => bench::log_bench(&args[1..]),
        Some("street-bench") => bench::street_bench(),
        Some("fuzz") => seconds_arg(&args[1..], 60).and_then(fuzz::fuzz),
        _ => Err(
            "usage: cargo xtask serve [--port N] [--db URL] [--communities N] [--publish LEDGER.jsonl] | demo | ci | bench [--entries N] [--quick] | log-bench [--quick] | street-bench | fuzz [--seconds N] | wasm-pkg | web | web-dist | web-bench [--entries N] | book"
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
