//! Faults: `jifen append` killed at random moments, two writers at once,
//! and a kiosk's redeem retried by several processes at once. After each,
//! the file verifies and holds every entry whose append reported success.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Dir, code, jifen, ok, read, stderr, stdout};

/// A deterministic pseudo-random sequence (SplitMix64), so a failing run can
/// be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn spawn(dir: &Dir, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_jifen"))
        .args(args)
        .current_dir(&dir.0)
        .env("JIFEN_LANG", "en")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jifen starts")
}

fn demo(dir: &Dir) {
    ok(
        dir,
        &[
            "demo",
            "--out",
            "l.jsonl",
            "--keys",
            "k.json",
            "--residents",
            "300",
            "--entries",
            "4000",
            "--seed",
            "3",
        ],
    );
}

/// `appended seq N hash H` lines of an append's output.
fn reported(output: &str) -> Vec<(u64, String)> {
    output
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["appended", "seq", seq, "hash", hash] => {
                    Some((seq.parse().ok()?, (*hash).to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

fn earn_args(resident: &str, ts: &str) -> Vec<String> {
    [
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
        "garbage_sorting",
        "--resident",
        resident,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[test]
fn appends_killed_at_random_moments_leave_a_verifiable_file_with_every_reported_entry() {
    let dir = Dir::new("kill");
    demo(&dir);
    // 2026-06-01: after the demo's year, so every earn is in the future of
    // the ledger; one resident per append keeps each under the daily cap.
    let base_ts: u64 = 1_780_243_200_000;
    let started = Instant::now();
    let args = earn_args("JX-0001", &base_ts.to_string());
    let first = jifen(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let one_append = started.elapsed();
    let mut confirmed = reported(&stdout(&first));
    let mut rng = Rng(20_261_129);
    let mut killed = 0;
    for round in 1..=200u64 {
        let resident = format!("JX-{:04}", 1 + round % 300);
        let args = earn_args(&resident, &(base_ts + round).to_string());
        let mut child = spawn(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        // Anywhere from at once to a little after a whole append takes.
        let delay =
            Duration::from_micros(rng.next() % (one_append.as_micros() as u64 * 12 / 10 + 1));
        std::thread::sleep(delay);
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("kill");
            killed += 1;
        }
        let output = child.wait_with_output().expect("output");
        confirmed.extend(reported(&String::from_utf8_lossy(&output.stdout)));
        let verified = jifen(&dir, &["verify", "l.jsonl"]);
        assert_eq!(code(&verified), 0, "round {round}: {}", stderr(&verified));
    }
    let text = read(&dir.path("l.jsonl"));
    let lines: Vec<&str> = text.lines().collect();
    for (seq, hash) in &confirmed {
        let line = lines
            .get(*seq as usize)
            .unwrap_or_else(|| panic!("reported seq {seq} is missing"));
        assert!(
            line.contains(&format!("\"hash\":\"{hash}\"")),
            "reported entry {seq} changed"
        );
    }
    println!(
        "kill test: 200 appends, {killed} killed mid-run, {} reported written and all present",
        confirmed.len()
    );
    assert!(
        killed > 20,
        "the kills should land inside appends, only {killed} did"
    );
}

#[test]
fn two_writers_at_once_one_wins_the_other_is_told_and_the_file_is_intact() {
    let dir = Dir::new("two-writers");
    demo(&dir);
    let before = read(&dir.path("l.jsonl")).lines().count();
    let base_ts: u64 = 1_780_243_200_000;
    let (mut written, mut locked) = (0usize, 0usize);
    for round in 0..15u64 {
        let children: Vec<Child> = (0..2u64)
            .map(|writer| {
                let resident = format!("JX-{:04}", 1 + round * 2 + writer);
                let args = earn_args(&resident, &(base_ts + round).to_string());
                spawn(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>())
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().expect("output");
            match output.status.code() {
                Some(0) => written += 1,
                Some(3) => {
                    locked += 1;
                    assert!(
                        String::from_utf8_lossy(&output.stderr)
                            .contains("locked by another jifen process")
                    );
                }
                other => panic!(
                    "unexpected exit {other:?}: {}",
                    String::from_utf8_lossy(&output.stderr)
                ),
            }
        }
    }
    assert_eq!(code(&jifen(&dir, &["verify", "l.jsonl"])), 0);
    assert_eq!(read(&dir.path("l.jsonl")).lines().count(), before + written);
    println!("two writers: {written} appends written, {locked} refused with the lock message");
    assert!(written >= 15, "at least one writer wins each round");
}

#[test]
fn the_same_redeem_retried_by_several_processes_at_once_is_written_once() {
    let dir = Dir::new("retries");
    demo(&dir);
    let balances: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["balance", "l.jsonl", "--json"])).expect("json");
    let rich = balances
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| {
            r["balance"]
                .as_str()
                .and_then(|b| b.parse::<f64>().ok())
                .unwrap_or(0.0)
                >= 5.0
        })
        .expect("a resident with 5 points");
    let resident = rich["resident"].as_str().expect("code").to_owned();
    let args = [
        "append",
        "l.jsonl",
        "--keys",
        "k.json",
        "--as",
        "kiosk-1",
        "--json",
        "redeem",
        "--resident",
        &resident,
        "--reward",
        "bin-bags",
        "--request-id",
        "kiosk-1:retry-42",
    ];
    let mut seqs = Vec::new();
    let children: Vec<Child> = (0..6).map(|_| spawn(&dir, &args)).collect();
    let mut pending = children;
    let mut rounds = 0;
    while !pending.is_empty() {
        rounds += 1;
        assert!(rounds < 200, "retries never settled");
        let mut again = Vec::new();
        for child in pending {
            let output = child.wait_with_output().expect("output");
            match output.status.code() {
                Some(0) => {
                    let json: serde_json::Value =
                        serde_json::from_slice(&output.stdout).expect("json");
                    seqs.push(json["seq"].as_u64().expect("seq"));
                }
                // The kiosk's retry loop: the file was busy, try again.
                Some(3) => again.push(spawn(&dir, &args)),
                other => panic!(
                    "unexpected exit {other:?}: {}",
                    String::from_utf8_lossy(&output.stderr)
                ),
            }
        }
        pending = again;
    }
    assert_eq!(seqs.len(), 6);
    assert!(seqs.iter().all(|&seq| seq == seqs[0]), "{seqs:?}");
    assert_eq!(
        read(&dir.path("l.jsonl"))
            .matches("kiosk-1:retry-42")
            .count(),
        1
    );
    assert_eq!(code(&jifen(&dir, &["verify", "l.jsonl"])), 0);
}

#[test]
fn a_one_hundred_megabyte_line_is_refused_without_reading_it_into_memory() {
    let dir = Dir::new("huge-line");
    demo(&dir);
    let mut text = read(&dir.path("l.jsonl")).into_bytes();
    let line_start = text.len();
    text.resize(line_start + 100 * 1024 * 1024, b'7');
    text.push(b'\n');
    std::fs::write(dir.path("big.jsonl"), &text).expect("write");
    drop(text);
    let output = jifen(&dir, &["verify", "big.jsonl"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("seq 4000: the line is 104857600 bytes, over the limit of 8192"),
        "{}",
        stderr(&output)
    );
    let output = jifen(&dir, &["verify", "--chain-only", "big.jsonl"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
}
