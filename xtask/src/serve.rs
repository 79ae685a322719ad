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
    // `vkey <name> <vkey>` per community.
    let logs: Vec<(String, String)> = String::from_utf8_lossy(&setup.stdout)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip(1);
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect();
    let vkeys: Vec<String> = logs.iter().map(|(_, vkey)| vkey.clone()).collect();
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
    // The witness policy the notice board's QR code carries: the logs,
    // the witness and its address, one cosignature needed.
    let mut policy = String::new();
    for vkey in &vkeys {
        policy.push_str(&format!("log {vkey}\n"));
    }
    policy.push_str(&format!(
        "witness w1 {witness_vkey} http://127.0.0.1:{witness_port}\nquorum w1\n"
    ));
    let policy_file = state.join("policy.txt");
    std::fs::write(&policy_file, &policy).map_err(|e| e.to_string())?;
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
            .arg("--policy")
            .arg(&policy_file);
        command
    };
    let (mut service, _) = spawn_until(service, "listening on")?;
    println!("  witness        http://127.0.0.1:{witness_port}/  ({witness_vkey})");
    println!("One-device demo (a ledger kept in the browser):");
    for (screen, name) in [
        ("resident", "居民 resident"),
        ("kiosk", "自助机 kiosk"),
        ("officer", "工作人员 officer"),
        ("admin", "管理员 admin"),
        ("audit", "审计 audit"),
    ] {
        println!("  {name:<16} http://127.0.0.1:{port}/?screen={screen}");
    }
    let query = percent_encode(&base64(policy.as_bytes()));
    if let Some((name, _)) = logs.first() {
        let phone = format!("http://127.0.0.1:{port}/?log=logs/{name}/&policy={query}");
        println!("Devices of {name}'s log (open each in its own browser window):");
        println!("  {:<16} {phone}", "手机 phone");
        // A demo kiosk's key rides in the fragment, which the browser keeps
        // and never sends; a real kiosk's key is made on the device.
        let keys = std::fs::read_to_string(keys.join(format!("{name}.json"))).unwrap_or_default();
        for (actor, screen, label) in [
            ("kiosk-1", "kiosk", "自助机 kiosk 1"),
            ("kiosk-2", "kiosk", "自助机 kiosk 2"),
            ("officer-1", "officer", "工作人员 officer"),
            ("reviewer-1", "review", "审核员 reviewer"),
        ] {
            if let Some(secret) = key_of(&keys, actor) {
                println!("  {label:<16} {phone}&screen={screen}#device={actor}:{secret}");
            }
        }
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

/// Standard base64 with padding (the policy in the phone's address).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `+`, `/` and `=` escaped for an address's query.
pub(crate) fn percent_encode(text: &str) -> String {
    text.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// The secret hex of `actor` in a keys file (`{"actor": "hex", …}`).
fn key_of(keys: &str, actor: &str) -> Option<String> {
    let at = keys.find(&format!("\"{actor}\""))? + actor.len() + 2;
    let rest = keys[at..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let secret: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    (secret.len() == 64).then_some(secret)
}
