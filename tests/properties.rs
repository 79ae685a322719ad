//! Properties over random operation sequences, each invariant in one line:
//! balances equal the fold over a resident's entries and are never
//! negative; stock is never negative; replaying the export gives the same
//! state and head; any one changed byte of the export is caught at the seq
//! of the line it is in.

use std::collections::HashMap;

use ledger_core::demo::{Demo, DemoConfig, generate};
use ledger_core::keys::Keys;
use ledger_core::verify::verify_jsonl;
use ledger_core::{Body, Draft, Points, RewardId, Seq};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Earn {
        resident: usize,
        activity: usize,
        officer: usize,
    },
    Redeem {
        resident: usize,
        reward: usize,
        qty: u32,
        kiosk: usize,
        request: u8,
    },
    Reverse {
        back: u64,
    },
    Restock {
        reward: usize,
        delta: i64,
    },
    Wait {
        hours: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..6usize, 0..4usize, 0..2usize).prop_map(|(resident, activity, officer)| Op::Earn { resident, activity, officer }),
        3 => (0..6usize, 0..10usize, 1..4u32, 0..2usize, any::<u8>())
            .prop_map(|(resident, reward, qty, kiosk, request)| Op::Redeem { resident, reward, qty, kiosk, request }),
        1 => (0..20u64).prop_map(|back| Op::Reverse { back }),
        1 => (0..10usize, -250..250i64).prop_map(|(reward, delta)| Op::Restock { reward, delta }),
        1 => (1..30u64).prop_map(|hours| Op::Wait { hours }),
    ]
}

fn base() -> Demo {
    // The setup only: actors, activities, rewards with stock, six residents.
    generate(&DemoConfig {
        residents: 6,
        entries: 0,
        ..Default::default()
    })
}

fn run(ops: &[Op]) -> Demo {
    let mut demo = base();
    let keys = Keys::from_pairs(demo.keys.clone());
    let residents: Vec<String> = demo
        .ledger
        .residents()
        .iter()
        .map(|r| r.code.to_string())
        .collect();
    let activities: Vec<_> = demo
        .ledger
        .activities()
        .iter()
        .map(|a| (a.id.clone(), a.points))
        .collect();
    let rewards: Vec<(RewardId, Points)> = demo
        .ledger
        .rewards()
        .iter()
        .map(|r| (r.id.clone(), r.cost))
        .collect();
    let mut ts_ms = demo.ledger.last_ts_ms();
    for op in ops {
        ts_ms += 60_000;
        let (actor, body) = match op {
            Op::Earn {
                resident,
                activity,
                officer,
            } => (
                ["officer-1", "officer-2"][*officer],
                Body::Earn {
                    resident: residents[*resident].parse().expect("code"),
                    activity: activities[*activity].0.clone(),
                    points: activities[*activity].1,
                    note: ledger_core::Text::parse("", 1, true).expect("empty note"),
                    photo: None,
                    hours: None,
                },
            ),
            Op::Redeem {
                resident,
                reward,
                qty,
                kiosk,
                request,
            } => (
                ["kiosk-1", "kiosk-2"][*kiosk],
                Body::Redeem {
                    collector: None,
                    resident: residents[*resident].parse().expect("code"),
                    reward: rewards[*reward].0.clone(),
                    qty: *qty,
                    points: rewards[*reward].1.times(*qty),
                    request_id: format!("r{request}").parse().expect("request id"),
                },
            ),
            Op::Reverse { back } => (
                "officer-1",
                Body::Reverse {
                    entry: Seq(demo.ledger.len().saturating_sub(1 + back)),
                    reason: ledger_core::Text::parse("fix", 10, false).expect("reason"),
                },
            ),
            Op::Restock { reward, delta } => (
                "admin-1",
                Body::Stock {
                    reward: rewards[*reward].0.clone(),
                    delta: *delta,
                    note: ledger_core::Text::parse("", 1, true).expect("note"),
                },
            ),
            Op::Wait { hours } => {
                ts_ms += hours * 3_600_000;
                continue;
            }
        };
        let key = keys.signing_key(actor).expect("demo key");
        let before = demo.ledger.len();
        let result = demo.ledger.append(
            Draft {
                ts_ms,
                actor: actor.parse().expect("actor"),
                body,
            },
            &key,
        );
        // A refusal changes nothing; an acceptance adds at most one entry.
        match result {
            Ok(ledger_core::Appended::New(seq)) => assert_eq!(seq.0, before),
            Ok(ledger_core::Appended::Existing(_)) | Err(_) => {
                assert_eq!(demo.ledger.len(), before)
            }
        }
    }
    demo
}

/// Balances recomputed from scratch: earns minus redeems, each reversal
/// undoing its target.
fn fold_balances(demo: &Demo) -> HashMap<String, Points> {
    let mut balances: HashMap<String, Points> = HashMap::new();
    let entries = demo.ledger.entries();
    for entry in entries {
        let (resident, points, sign) = match &entry.body {
            Body::Earn {
                resident, points, ..
            } => (resident, *points, 1),
            Body::Redeem {
                resident, points, ..
            } => (resident, *points, -1),
            Body::Reverse { entry: target, .. } => match &entries[target.0 as usize].body {
                Body::Earn {
                    resident, points, ..
                } => (resident, *points, -1),
                Body::Redeem {
                    resident, points, ..
                } => (resident, *points, 1),
                _ => unreachable!("only earns and redeems are reversed"),
            },
            _ => continue,
        };
        let balance = balances.entry(resident.to_string()).or_default();
        *balance = if sign > 0 {
            balance.plus(points)
        } else {
            balance.minus(points).expect("never negative")
        };
    }
    balances
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn state_is_the_fold_of_the_entries_and_survives_a_replay(ops in prop::collection::vec(op(), 1..120)) {
        let demo = run(&ops);
        let folded = fold_balances(&demo);
        for resident in demo.ledger.residents() {
            prop_assert_eq!(resident.balance, folded.get(resident.code.as_str()).copied().unwrap_or_default());
        }
        prop_assert!(demo.ledger.rewards().iter().all(|r| r.stock >= 0));
        let replayed = verify_jsonl(demo.ledger.to_jsonl().as_bytes()).expect("the export verifies");
        let in_two_parts = crate::verify_in_two_parts(demo.ledger.to_jsonl().as_bytes(), 3).expect("verifies in two parts");
        prop_assert_eq!(in_two_parts.snapshot(), replayed.snapshot());
        prop_assert_eq!(replayed.head(), demo.ledger.head());
        for (left, right) in replayed.residents().iter().zip(demo.ledger.residents()) {
            prop_assert_eq!(left.balance, right.balance);
        }
        for (left, right) in replayed.rewards().iter().zip(demo.ledger.rewards()) {
            prop_assert_eq!(left.stock, right.stock);
        }
    }

    #[test]
    fn any_changed_byte_is_caught_at_its_line(ops in prop::collection::vec(op(), 1..40), position in any::<prop::sample::Index>(), replacement in any::<u8>(), here in 0u8..=16) {
        let demo = run(&ops);
        let mut bytes = demo.ledger.to_jsonl().into_bytes();
        let index = position.index(bytes.len());
        prop_assume!(bytes[index] != replacement);
        // A newline ends the line it follows, so it belongs to that line.
        let line_of_byte = bytes[..index].iter().filter(|&&b| b == b'\n').count() as u64;
        bytes[index] = replacement;
        let error = verify_jsonl(&bytes).expect_err("a changed byte must be caught");
        prop_assert_eq!(error.seq, Seq(line_of_byte), "{}", error);
        // Split between two threads as the web app does: the same error.
        prop_assert_eq!(crate::verify_in_two_parts(&bytes, here).err(), Some(error));
    }
}
