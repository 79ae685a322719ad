//! The `jifen` binary, run as an administrator or auditor would: real
//! files, real locks, real signatures, exit codes and messages checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let path = std::env::temp_dir().join(format!("jifen-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        Dir(path)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn jifen(dir: &Dir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jifen"))
        .args(args)
        .current_dir(&dir.0)
        .env("JIFEN_LANG", "en")
        // What a log reader verified is remembered here, not in ~/.cache.
        .env("JIFEN_CACHE_DIR", dir.path("cache"))
        .output()
        .expect("jifen runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

#[track_caller]
fn ok(dir: &Dir, args: &[&str]) -> String {
    let output = jifen(dir, args);
    assert_eq!(
        code(&output),
        0,
        "jifen {args:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// A community made through the CLI alone: init, actors, a resident, an
/// activity, a reward with stock.
fn community(dir: &Dir) {
    ok(
        dir,
        &[
            "init",
            "l.jsonl",
            "--keys",
            "k.json",
            "--id",
            "jx-2026",
            "--name",
            "金溪社区",
            "--ts",
            "1767225600000",
        ],
    );
    let officer = ok(dir, &["keygen", "--keys", "k.json", "--actor", "officer-1"]);
    let kiosk = ok(dir, &["keygen", "--keys", "k.json", "--actor", "kiosk-1"]);
    let officer_key = officer.split_whitespace().nth(1).expect("pubkey");
    let kiosk_key = kiosk.split_whitespace().nth(1).expect("pubkey");
    let admin = [
        "append",
        "l.jsonl",
        "--keys",
        "k.json",
        "--as",
        "admin-1",
        "--ts",
        "1767225660000",
    ];
    fn with<'a>(admin: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
        [admin, rest].concat()
    }
    ok(
        dir,
        &with(
            &admin,
            &[
                "actor",
                "--id",
                "officer-1",
                "--role",
                "officer",
                "--pubkey",
                officer_key,
            ],
        ),
    );
    ok(
        dir,
        &with(
            &admin,
            &[
                "actor", "--id", "kiosk-1", "--role", "kiosk", "--pubkey", kiosk_key,
            ],
        ),
    );
    ok(
        dir,
        &with(
            &admin,
            &[
                "resident",
                "--code",
                "JX-0001",
                "--household",
                "3-2-501",
                "--area",
                "A03",
            ],
        ),
    );
    ok(
        dir,
        &with(
            &admin,
            &[
                "resident",
                "--code",
                "JX-0002",
                "--household",
                "3-2-502",
                "--area",
                "A03",
            ],
        ),
    );
    ok(
        dir,
        &with(
            &admin,
            &[
                "activity",
                "--id",
                "safety_patrol",
                "--name",
                "平安巡查",
                "--points",
                "5",
                "--daily-cap",
                "10",
            ],
        ),
    );
    ok(
        dir,
        &with(
            &admin,
            &["reward", "--id", "soap", "--name", "香皂", "--cost", "8"],
        ),
    );
    ok(
        dir,
        &with(&admin, &["stock", "--reward", "soap", "--delta", "2"]),
    );
}

fn earn(dir: &Dir, residents: &[&str], ts: &str) -> Output {
    let mut args = vec![
        "append",
        "l.jsonl",
        "--keys",
        "k.json",
        "--as",
        "officer-1",
        "--ts",
        ts,
        "earn",
        "--activity",
        "safety_patrol",
    ];
    for resident in residents {
        args.extend(["--resident", resident]);
    }
    jifen(dir, &args)
}

fn redeem(dir: &Dir, resident: &str, request_id: &str) -> Output {
    jifen(
        dir,
        &[
            "append",
            "l.jsonl",
            "--keys",
            "k.json",
            "--as",
            "kiosk-1",
            "--ts",
            "1767232800000",
            "--json",
            "redeem",
            "--resident",
            resident,
            "--reward",
            "soap",
            "--request-id",
            request_id,
        ],
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("ledger file")
}

#[test]
fn an_officer_awards_a_kiosk_redeems_and_everyone_reads_the_same_numbers() {
    let dir = Dir::new("flow");
    community(&dir);
    let earned = earn(&dir, &["JX-0001", "JX-0002"], "1767229200000");
    assert_eq!(code(&earned), 0, "{}", stderr(&earned));
    assert_eq!(stdout(&earned).lines().count(), 2);
    assert_eq!(code(&earn(&dir, &["JX-0001"], "1767229260000")), 0);
    let redeemed = redeem(&dir, "JX-0001", "kiosk-1:1");
    assert_eq!(code(&redeemed), 0, "{}", stderr(&redeemed));
    assert!(stdout(&redeemed).contains("\"new\":true"));

    let verified = ok(&dir, &["verify", "l.jsonl"]);
    let last_line = read(&dir.path("l.jsonl"))
        .lines()
        .last()
        .expect("a line")
        .to_owned();
    let hash = last_line
        .split("\"hash\":\"")
        .nth(1)
        .expect("hash")
        .get(..64)
        .expect("64 hex")
        .to_owned();
    assert_eq!(verified, format!("ok: 12 entries, head 11 {hash}\n"));

    let balances: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["balance", "l.jsonl", "--json"])).expect("json");
    assert_eq!(balances[0]["balance"], "2");
    assert_eq!(balances[0]["earned_total"], "10");
    assert_eq!(balances[1]["balance"], "5");
    let history: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["history", "l.jsonl", "JX-0001", "--json"]))
            .expect("json");
    let kinds: Vec<&str> = history["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["redeem", "earn", "earn"]);
    let rewards: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["rewards", "l.jsonl", "--json"])).expect("json");
    assert_eq!(rewards[0]["stock"], 1);

    let table = ok(&dir, &["--lang", "zh", "balance", "l.jsonl", "JX-0001"]);
    assert!(
        table.contains("余额") && table.contains("JX-0001"),
        "{table}"
    );
}

#[test]
fn an_overdraft_or_unknown_resident_is_refused_and_nothing_is_written() {
    let dir = Dir::new("overdraft");
    community(&dir);
    let before = read(&dir.path("l.jsonl"));
    let refused = redeem(&dir, "JX-0001", "kiosk-1:1");
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("not enough points: balance 0, needed 8"),
        "{}",
        stderr(&refused)
    );
    let chinese = jifen(
        &dir,
        &[
            "--lang",
            "zh",
            "append",
            "l.jsonl",
            "--keys",
            "k.json",
            "--as",
            "kiosk-1",
            "redeem",
            "--resident",
            "JX-0001",
            "--reward",
            "soap",
        ],
    );
    assert!(
        stderr(&chinese).contains("积分不足"),
        "{}",
        stderr(&chinese)
    );
    let unknown = earn(&dir, &["JX-0001", "JX-9999"], "1767229200000");
    assert_eq!(code(&unknown), 1);
    assert!(stderr(&unknown).contains("no resident with code JX-9999"));
    // All or nothing: JX-0001's earn in the same command was not written.
    assert_eq!(read(&dir.path("l.jsonl")), before);
}

#[test]
fn a_retried_redeem_is_written_once() {
    let dir = Dir::new("retry");
    community(&dir);
    assert_eq!(code(&earn(&dir, &["JX-0001"], "1767229200000")), 0);
    assert_eq!(code(&earn(&dir, &["JX-0001"], "1767229260000")), 0);
    let first = redeem(&dir, "JX-0001", "kiosk-1:7");
    let second = redeem(&dir, "JX-0001", "kiosk-1:7");
    assert_eq!(code(&second), 0);
    assert!(stdout(&second).contains("\"new\":false"));
    let seq = |o: &Output| {
        serde_json::from_str::<serde_json::Value>(&stdout(o)).expect("json")["seq"].clone()
    };
    assert_eq!(seq(&first), seq(&second));
    assert_eq!(read(&dir.path("l.jsonl")).matches("kiosk-1:7").count(), 1);
    // The resident brings the soap back: the officer reverses the redeem once.
    let redeem_seq = seq(&first).to_string();
    let reverse = [
        "append",
        "l.jsonl",
        "--keys",
        "k.json",
        "--as",
        "officer-1",
        "--ts",
        "1767232900000",
        "reverse",
        "--entry",
        &redeem_seq,
        "--reason",
        "居民退回",
    ];
    ok(&dir, &reverse);
    assert_eq!(code(&jifen(&dir, &reverse)), 1);
    let history = ok(&dir, &["history", "l.jsonl", "JX-0001"]);
    assert!(
        history.contains(&format!(
            "reversed by #{}",
            seq(&first).as_u64().unwrap_or(0) + 1
        )),
        "{history}"
    );
    let balances: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["balance", "l.jsonl", "JX-0001", "--json"]))
            .expect("json");
    assert_eq!(balances[0]["balance"], "10");
}

#[test]
fn verify_names_the_first_bad_seq_with_the_right_exit_code() {
    let dir = Dir::new("verify");
    community(&dir);
    let good = read(&dir.path("l.jsonl"));
    // A changed number: integrity fails, exit 1, at that entry's seq.
    let tampered = good.replacen("\"delta\":2", "\"delta\":9", 1);
    std::fs::write(dir.path("t.jsonl"), &tampered).expect("write");
    let output = jifen(&dir, &["verify", "t.jsonl"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("seq 7: hash mismatch"),
        "{}",
        stderr(&output)
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&jifen(&dir, &["verify", "t.jsonl", "--json"])))
            .expect("json");
    assert_eq!(
        (
            json["ok"].as_bool(),
            json["seq"].as_u64(),
            json["kind"].as_str()
        ),
        (Some(false), Some(7), Some("hash_mismatch"))
    );
    // Garbage: malformed input, exit 2, naming the line's seq.
    std::fs::write(
        dir.path("g.jsonl"),
        format!("{}\u{0}\u{ff}not json\n", good.lines().next().unwrap_or("")),
    )
    .expect("write");
    let output = jifen(&dir, &["verify", "g.jsonl"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("seq 0"), "{}", stderr(&output));
    std::fs::write(dir.path("g2.jsonl"), format!("{good}{{\"v\":1}}\n")).expect("write");
    let output = jifen(&dir, &["verify", "g2.jsonl"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("seq 8: not a well-formed entry"),
        "{}",
        stderr(&output)
    );
    // Missing file and bad usage: exit 2.
    assert_eq!(code(&jifen(&dir, &["verify", "missing.jsonl"])), 2);
    assert_eq!(code(&jifen(&dir, &["verify"])), 2);
    assert_eq!(
        code(&jifen(&dir, &["verify", "l.jsonl", "--head", "nonsense"])),
        2
    );
    // A cut-off last line is reported, not accepted.
    std::fs::write(dir.path("c.jsonl"), &good[..good.len() - 30]).expect("write");
    let output = jifen(&dir, &["verify", "c.jsonl"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("seq 7: the last line is incomplete"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn published_heads_and_older_copies_catch_rewritten_history() {
    let dir = Dir::new("heads");
    community(&dir);
    std::fs::copy(dir.path("l.jsonl"), dir.path("old.jsonl")).expect("copy");
    let head_line = ok(&dir, &["verify", "old.jsonl"]);
    let words: Vec<&str> = head_line.split_whitespace().collect();
    let head = format!("{}:{}", words[4], words[5]);
    assert_eq!(code(&earn(&dir, &["JX-0001"], "1767229200000")), 0);
    ok(&dir, &["verify", "l.jsonl", "--head", &head]);
    ok(&dir, &["verify", "l.jsonl", "--extends", "old.jsonl"]);
    // Someone rebuilds the ledger from scratch with the same admin key and
    // a different history: it verifies on its own, but not against the head.
    ok(
        &dir,
        &[
            "init",
            "r.jsonl",
            "--keys",
            "k.json",
            "--id",
            "jx-2026",
            "--name",
            "金溪社区",
            "--ts",
            "1767225600001",
        ],
    );
    ok(&dir, &["verify", "r.jsonl"]);
    let output = jifen(&dir, &["verify", "r.jsonl", "--head", &head]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("history was cut"),
        "{}",
        stderr(&output)
    );
    let output = jifen(
        &dir,
        &[
            "verify",
            "r.jsonl",
            "--head",
            &format!("0:{}", "0".repeat(64)),
        ],
    );
    assert!(
        stderr(&output).contains("history was rewritten"),
        "{}",
        stderr(&output)
    );
    let output = jifen(&dir, &["verify", "old.jsonl", "--extends", "l.jsonl"]);
    assert_eq!(code(&output), 1);
}

#[test]
fn a_second_writer_is_refused_while_the_lock_is_held() {
    let dir = Dir::new("lock");
    community(&dir);
    let before = read(&dir.path("l.jsonl"));
    let holder = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path("l.jsonl"))
        .expect("open");
    holder.try_lock().expect("the test takes the lock");
    let output = earn(&dir, &["JX-0001"], "1767229200000");
    assert_eq!(code(&output), 3);
    assert!(
        stderr(&output).contains("locked by another jifen process"),
        "{}",
        stderr(&output)
    );
    drop(holder);
    assert_eq!(read(&dir.path("l.jsonl")), before);
    assert_eq!(code(&earn(&dir, &["JX-0001"], "1767229200000")), 0);
}

#[test]
fn an_interrupted_append_is_cut_off_by_the_next_writer() {
    let dir = Dir::new("torn");
    community(&dir);
    let good = read(&dir.path("l.jsonl"));
    std::fs::write(
        dir.path("l.jsonl"),
        format!("{good}{{\"actor\":\"officer-1\",\"bo"),
    )
    .expect("write");
    let output = earn(&dir, &["JX-0001"], "1767229200000");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stderr(&output).contains("cut off an incomplete last line"));
    assert!(read(&dir.path("l.jsonl")).starts_with(&good));
    ok(&dir, &["verify", "l.jsonl"]);
}

/// A reader that stops early (`| head`) ends every command quietly, with
/// success, never with a panic on the closed pipe.
#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    let dir = Dir::new("pipe");
    ok(
        &dir,
        &[
            "demo",
            "--out",
            "d.jsonl",
            "--keys",
            "d.json",
            "--entries",
            "300",
        ],
    );
    for args in [
        &["balance", "d.jsonl"][..],
        &["history", "d.jsonl", "JX-0001"],
        &["rewards", "d.jsonl"],
        &["verify", "d.jsonl"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jifen"))
            .args(args)
            .current_dir(&dir.0)
            .env("JIFEN_LANG", "en")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("jifen runs");
        // The reader goes away before a byte is read.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("jifen ends");
        assert_eq!(code(&output), 0, "jifen {args:?}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    }
}

#[test]
fn demo_is_deterministic_and_valid() {
    let dir = Dir::new("demo");
    ok(
        &dir,
        &[
            "demo",
            "--out",
            "a.jsonl",
            "--keys",
            "a.json",
            "--residents",
            "50",
            "--entries",
            "1500",
            "--seed",
            "9",
        ],
    );
    ok(
        &dir,
        &[
            "demo",
            "--out",
            "b.jsonl",
            "--keys",
            "b.json",
            "--residents",
            "50",
            "--entries",
            "1500",
            "--seed",
            "9",
        ],
    );
    assert_eq!(read(&dir.path("a.jsonl")), read(&dir.path("b.jsonl")));
    assert!(ok(&dir, &["verify", "a.jsonl"]).starts_with("ok: 1500 entries"));
    let refused = jifen(&dir, &["demo", "--out", "a.jsonl", "--keys", "c.json"]);
    assert_eq!(code(&refused), 2);
    let text = read(&dir.path("a.jsonl"));
    for kind in [
        "\"type\":\"earn\"",
        "\"type\":\"redeem\"",
        "\"type\":\"reverse\"",
        "\"type\":\"stock\"",
    ] {
        assert!(text.contains(kind), "the demo has no {kind}");
    }
    // The demo's keys file works for appending.
    let output = jifen(
        &dir,
        &[
            "append",
            "a.jsonl",
            "--keys",
            "a.json",
            "--as",
            "admin-1",
            "resident",
            "--code",
            "JX-9000",
            "--household",
            "1-1-101",
            "--area",
            "A01",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

mod faults;
mod log;
mod serve;

/// The crafted-signature fixtures (`ledger_core::testing`): `jifen verify`,
/// with its signature threads and batches of 512, gives each the verdict
/// every other verifier gives, and a refusal exits 1 naming the seq.
#[test]
fn verify_gives_crafted_signatures_the_one_documented_verdict() {
    use ledger_core::testing::{Expected, fixtures};
    let dir = Dir::new("crafted");
    for fixture in fixtures() {
        let name = format!("{}.jsonl", fixture.name);
        std::fs::write(dir.path(&name), &fixture.file).expect("write");
        let output = jifen(&dir, &["verify", &name, "--json"]);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
        match fixture.expected {
            Expected::Accepted { entries } => {
                assert_eq!(code(&output), 0, "{}: {}", fixture.name, stderr(&output));
                assert_eq!(json["count"].as_u64(), Some(entries), "{}", fixture.name);
            }
            Expected::Refused { seq, kind } => {
                assert_eq!(code(&output), 1, "{}", fixture.name);
                assert_eq!(
                    (json["seq"].as_u64(), json["kind"].as_str()),
                    (Some(seq), Some(kind)),
                    "{}",
                    fixture.name
                );
                let text = jifen(&dir, &["verify", &name]);
                assert!(
                    stderr(&text).contains(&format!(" at seq {seq}: ")),
                    "{}: {}",
                    fixture.name,
                    stderr(&text)
                );
            }
        }
    }
}
