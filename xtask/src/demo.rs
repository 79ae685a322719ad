//! `cargo xtask demo`: a demo community in the terminal: generated,
//! verified, balances, rewards and the head.

use std::process::Command;

use crate::Result;
use crate::shell::{jifen_release, root, run};

pub(crate) fn demo() -> Result {
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
