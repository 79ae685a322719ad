//! `cargo xtask serve`: the main job. Builds the web app and the `jifen`
//! command, starts a witness and the community log service with demo
//! communities on files (or on PostgreSQL with `--db`), all on 127.0.0.1,
//! and prints where everything is.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::Result;
use crate::shell::{cargo, root, run};
use crate::web::web_dist;

/// Options: `--port N` (8080), `--db postgres://…` (files otherwise),
/// `--communities N` (1), `--publish FILE` (a v1 ledger beside the app as
/// `ledger.jsonl`, which the app then follows read-only).
pub(crate) fn serve(args: &[String]) -> Result {
    let mut port = 8080u16;
    let mut db = None;
    let mut communities = 1u32;
    let mut publish = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |what: &str| rest.next().cloned().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--port" => {
                port = value("a number")?
                    .parse()
                    .map_err(|_| "--port needs a number")?
            }
            "--db" => db = Some(value("a postgres:// URL")?),
            "--communities" => {
                communities = value("a number")?
                    .parse()
                    .map_err(|_| "--communities needs a number")?
            }
            "--publish" => publish = Some(value("a file")?),
            other => return Err(format!("serve: unknown argument {other}")),
        }
    }
    let dist = web_dist()?;
    if let Some(file) = publish {
        std::fs::copy(&file, dist.join("ledger.jsonl")).map_err(|e| format!("{file}: {e}"))?;
    }
    run(cargo().args(["build", "--release", "--package", "jifen"]))?;
    let jifen = root().join("target/release/jifen");
    let state = root().join("target/serve");
    std::fs::create_dir_all(&state).map_err(|e| e.to_string())?;
    let storage: Vec<String> = match &db {
        Some(url) => vec!["--db".into(), url.clone()],
        None => vec!["--dir".into(), state.join("logs").display().to_string()],
    };
    let keys = state.join("keys");
    // The demo communities first, to learn their logs' keys.
    let setup = Command::new(&jifen)
        .arg("serve")
        .args(&storage)
        .arg("--keys")
        .arg(&keys)
        .args([
            "--demo-communities",
            &communities.to_string(),
            "--setup-only",
        ])
        .output()
        .map_err(|e| format!("jifen serve: {e}"))?;
    if !setup.status.success() {
        return Err(format!(
            "jifen serve --setup-only: {}",
            String::from_utf8_lossy(&setup.stderr)
        ));
    }
    let vkeys: Vec<String> = String::from_utf8_lossy(&setup.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
        .collect();
    let witness_keys = state.join("witness.json");
    if !witness_keys.exists() {
        run(Command::new(&jifen)
            .args(["keygen", "--actor", "witness", "--keys"])
            .arg(&witness_keys))?;
    }
    let witness_port = port.wrapping_add(1);
    let mut witness = Command::new(&jifen);
    witness
        .arg("witness")
        .args(["--listen", &format!("127.0.0.1:{witness_port}")])
        .arg("--state")
        .arg(state.join("witness-state.json"))
        .arg("--keys")
        .arg(&witness_keys)
        .args(["--name", "jifen.example/witness-1"]);
    for vkey in &vkeys {
        witness.args(["--log", vkey]);
    }
    let (mut witness, line) = spawn_until(witness, "witness ")?;
    let witness_vkey = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let service = {
        let mut command = Command::new(&jifen);
        command
            .arg("serve")
            .args(&storage)
            .arg("--keys")
            .arg(&keys)
            .arg("--web")
            .arg(&dist)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args([
                "--witness",
                &format!("http://127.0.0.1:{witness_port}={witness_vkey}"),
            ]);
        command
    };
    let (mut service, _) = spawn_until(service, "listening on")?;
    println!("  witness        http://127.0.0.1:{witness_port}/  ({witness_vkey})");
    for (screen, name) in [
        ("resident", "居民 resident"),
        ("kiosk", "自助机 kiosk"),
        ("officer", "工作人员 officer"),
        ("admin", "管理员 admin"),
        ("audit", "审计 audit"),
    ] {
        println!("  {name:<16} http://127.0.0.1:{port}/?screen={screen}");
    }
    println!("Ctrl-C stops the service and the witness.");
    let ended = service.wait();
    let _ = witness.kill();
    let _ = witness.wait();
    ended.map(|_| ()).map_err(|e| e.to_string())
}

/// Starts `command`, echoing its output until a line starts with `ready`
/// (returned), then leaves its output to the terminal.
fn spawn_until(mut command: Command, ready: &str) -> Result<(Child, String)> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{command:?}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no output")?;
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) => {
                println!("{line}");
                if line.starts_with(ready) {
                    std::thread::spawn(move || {
                        for line in lines.map_while(std::result::Result::ok) {
                            println!("{line}");
                        }
                    });
                    return Ok((child, line));
                }
            }
            _ => {
                let _ = child.wait();
                return Err(format!("{command:?} stopped before it was ready"));
            }
        }
    }
}
