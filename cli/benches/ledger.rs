//! Benchmarks on a `jifen demo` ledger (1,000,000 entries by default;
//! `JIFEN_BENCH_ENTRIES` changes it): append (validate + hash + sign), full
//! verify (parse + hash + signatures on every core + rules), hash-chain-only
//! verify, balance lookup and one history page. The demo file is generated
//! once and kept under `target/bench-data/`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ledger_core::demo::{DemoConfig, generate_with_progress};
use ledger_core::keys::Keys;
use ledger_core::{Body, Draft, Points, Text};

fn entries() -> u64 {
    std::env::var("JIFEN_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The demo ledger file and its keys, generated on first use.
fn demo_files() -> (PathBuf, PathBuf) {
    let entries = entries();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    let ledger = dir.join(format!("demo-{entries}.jsonl"));
    let keys = dir.join(format!("demo-{entries}.keys.json"));
    if !ledger.exists() || !keys.exists() {
        std::fs::create_dir_all(&dir).expect("bench-data dir");
        eprintln!("generating a {entries}-entry demo ledger (once) …");
        let config = DemoConfig {
            residents: (entries / 200).clamp(100, 20_000) as u32,
            entries,
            seed: 1,
            ..Default::default()
        };
        let demo = generate_with_progress(&config, |_| {});
        std::fs::write(&keys, ledger_core::demo::keys_json(&demo.keys)).expect("keys");
        std::fs::write(&ledger, demo.ledger.to_jsonl()).expect("ledger");
    }
    (ledger, keys)
}

fn benches(c: &mut Criterion) {
    let (path, keys_path) = demo_files();
    let bytes = std::fs::read(&path).expect("demo ledger");
    let count = entries();
    let mut group = c.benchmark_group("verify");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(count));
    group.bench_function("full (parse, hash, signatures on every core, rules)", |b| {
        b.iter(|| black_box(jifen::store::load(&path, false).expect("verifies").len()))
    });
    group.bench_function("hash chain only", |b| {
        b.iter(|| black_box(ledger_core::verify::verify_chain_only(&bytes).expect("verifies")))
    });
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("sha256 of the same bytes (anchor)", |b| {
        use sha2::Digest;
        b.iter(|| black_box(sha2::Sha256::digest(&bytes)))
    });
    group.finish();
    drop(bytes);

    let mut ledger = jifen::store::load(&path, false).expect("verifies");
    let keys = Keys::parse(&std::fs::read(&keys_path).expect("keys")).expect("keys file");
    let officer = keys.signing_key("officer-1").expect("officer-1 key");
    let residents: Vec<_> = ledger.residents().iter().map(|r| r.code.clone()).collect();
    let activity = ledger.activities()[1].clone();
    let mut group = c.benchmark_group("ledger");
    group.bench_function("append earn (validate, hash, sign)", |b| {
        let mut turn = 0usize;
        let mut ts_ms = ledger.last_ts_ms();
        b.iter(|| {
            // Each resident once per day keeps every earn under the cap.
            if turn.is_multiple_of(residents.len()) {
                ts_ms += 86_400_000;
            }
            let draft = Draft {
                ts_ms,
                actor: "officer-1".parse().expect("actor"),
                body: Body::Earn {
                    resident: residents[turn % residents.len()].clone(),
                    activity: activity.id.clone(),
                    points: activity.points,
                    note: Text::parse("", 0, true).expect("note"),
                    photo: None,
                    hours: None,
                },
            };
            turn += 1;
            black_box(ledger.append(draft, &officer).expect("appended"))
        })
    });
    let codes: Vec<String> = residents.iter().map(|r| r.to_string()).collect();
    group.bench_function("balance lookup", |b| {
        let mut turn = 0usize;
        b.iter(|| {
            turn = (turn + 7919) % codes.len();
            black_box(
                ledger
                    .balance(black_box(&codes[turn]))
                    .unwrap_or(Points::ZERO),
            )
        })
    });
    group.bench_function("history page (20 newest of one resident)", |b| {
        let mut turn = 0usize;
        b.iter(|| {
            turn = (turn + 7919) % codes.len();
            black_box(ledger.history_page(&codes[turn], 0, 20).len())
        })
    });
    group.finish();
}

criterion_group!(ledger_benches, benches);
criterion_main!(ledger_benches);
