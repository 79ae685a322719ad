//! The known-answer ledger: `tests/data/golden.jsonl`, ten entries, one of
//! every body type, with its hashes in `golden-hashes.txt`. The format is a
//! public contract, so three things are checked: today's code writes the
//! same bytes from the same inputs; each hash recomputed by an independent
//! JCS encoder and SHA-256 matches the file and the list; and the ledger
//! verifies. `UPDATE_GOLDEN=1` rewrites the files (only for a deliberate
//! format change, which then needs a new `v`).

use ledger_core::{Body, Draft, Ledger, Points, PublicKey, Role, Seq, SigningKey, Text};
use sha2::{Digest, Sha256};

const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const MINUTE: u64 = 60_000;

fn secret(actor: &str) -> [u8; 32] {
    Sha256::digest(format!("jifen golden {actor}").as_bytes()).into()
}

fn key(actor: &str) -> SigningKey {
    SigningKey::from_bytes(&secret(actor))
}

fn text(value: &str) -> Text {
    Text::parse(value, 300, true).expect("golden text")
}

fn id<T: std::str::FromStr>(value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| panic!("golden id {value}"))
}

fn build() -> Ledger {
    let mut ledger = Ledger::create(
        id("golden"),
        text("金溪社区 Golden"),
        480,
        T0,
        id("admin-1"),
        &key("admin-1"),
    )
    .expect("genesis");
    let pubkey = |actor: &str| PublicKey(key(actor).verifying_key().to_bytes());
    let steps: Vec<(&str, Body)> = vec![
        (
            "admin-1",
            Body::Actor {
                id: id("officer-1"),
                role: Role::Officer,
                pubkey: pubkey("officer-1"),
                active: true,
            },
        ),
        (
            "admin-1",
            Body::Actor {
                id: id("kiosk-1"),
                role: Role::Kiosk,
                pubkey: pubkey("kiosk-1"),
                active: true,
            },
        ),
        (
            "admin-1",
            Body::Resident {
                code: id("JX-0001"),
                household: id("3-2-501"),
                area: id("A03"),
                active: true,
            },
        ),
        (
            "admin-1",
            Body::Activity {
                id: id("safety_patrol"),
                name: text("平安巡查"),
                points: Points::whole(5),
                daily_cap: Points::whole(10),
                active: true,
                review: false,
                per_hour: false,
            },
        ),
        (
            "admin-1",
            Body::Reward {
                id: id("soap"),
                name: text("香皂 \"lux\""),
                cost: Points::parse_wire("2.5").expect("2.5"),
                active: true,
                household_monthly: None,
            },
        ),
        (
            "admin-1",
            Body::Stock {
                reward: id("soap"),
                delta: 20,
                note: text("首批"),
            },
        ),
        (
            "officer-1",
            Body::Earn {
                resident: id("JX-0001"),
                activity: id("safety_patrol"),
                points: Points::whole(5),
                note: text("夜间巡查"),
                photo: None,
                hours: None,
            },
        ),
        (
            "kiosk-1",
            Body::Redeem {
                collector: None,
                resident: id("JX-0001"),
                reward: id("soap"),
                qty: 2,
                points: Points::whole(5),
                request_id: id("kiosk-1:0001"),
            },
        ),
        (
            "officer-1",
            Body::Reverse {
                entry: Seq(8),
                reason: text("居民退回"),
            },
        ),
    ];
    for (minute, (actor, body)) in (1u64..).zip(steps) {
        ledger
            .append(
                Draft {
                    ts_ms: T0 + minute * MINUTE,
                    actor: id(actor),
                    body,
                },
                &key(actor),
            )
            .expect("golden entry");
    }
    ledger
}

#[test]
fn golden_ledger_is_reproduced_byte_for_byte_and_its_hashes_recompute() {
    let data = crate::root().join("tests/data");
    let ledger = build();
    let written = ledger.to_jsonl();
    let hashes: String = ledger
        .entries()
        .iter()
        .map(|e| format!("{} {}\n", e.seq, e.hash))
        .collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(data.join("golden.jsonl"), &written).expect("write golden");
        std::fs::write(data.join("golden-hashes.txt"), &hashes).expect("write hashes");
        let keys: Vec<_> = ["admin-1", "officer-1", "kiosk-1"]
            .iter()
            .map(|a| (id(a), secret(a)))
            .collect();
        std::fs::write(
            data.join("golden-keys.json"),
            ledger_core::demo::keys_json(&keys),
        )
        .expect("write keys");
    }
    let golden =
        std::fs::read_to_string(data.join("golden.jsonl")).expect("tests/data/golden.jsonl");
    let expected_hashes =
        std::fs::read_to_string(data.join("golden-hashes.txt")).expect("golden-hashes.txt");
    assert_eq!(
        written, golden,
        "the writer no longer produces the golden bytes"
    );
    assert_eq!(hashes, expected_hashes);
    for (line, expected) in golden.lines().zip(expected_hashes.lines()) {
        let recomputed = crate::recompute_hash(line);
        assert_eq!(Some(recomputed.as_str()), expected.split(' ').nth(1));
        assert!(line.contains(&format!("\"hash\":\"{recomputed}\"")));
    }
    let verified = ledger_core::verify::verify_jsonl(golden.as_bytes()).expect("golden verifies");
    assert_eq!(verified.len(), 10);
    assert_eq!(verified.balance("JX-0001"), Some(Points::whole(5)));
    assert_eq!(verified.rewards()[0].stock, 20);
}

#[test]
fn every_demo_line_is_canonical_by_an_independent_encoder() {
    let demo = ledger_core::demo::generate(&ledger_core::demo::DemoConfig {
        residents: 40,
        entries: 600,
        ..Default::default()
    });
    for line in demo.ledger.to_jsonl().lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("json");
        assert_eq!(crate::jcs(&value), line, "not canonical");
        let hash = value["hash"].as_str().expect("hash");
        assert_eq!(crate::recompute_hash(line), hash);
    }
}
