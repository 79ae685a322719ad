//! The log against the cases the trust chapter names: devices writing one
//! ledger, a retry, a fork, a broken chain, an entry moved to another
//! ledger, a forged signature, a replay that must reach the same state
//! and root, and a v1 ledger continued as a log.

use ed25519_dalek::SigningKey;

use super::*;
use crate::entry::{Body, PublicKey};
use crate::model::{ActorId, EntryHash, LedgerId, Points, Role, Text};
use crate::tlog::{Checkpoint, leaf_hash};

pub(super) const T0: u64 = 1_780_000_000_000;
const ORIGIN: &str = "jifen.example/xinhua-3";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub(super) fn id(text: &str) -> ActorId {
    text.parse().expect("id")
}

fn ledger_id() -> LedgerId {
    "xinhua-3".parse().expect("ledger id")
}

/// A device: its actor id, key and how far its own chain is.
pub(super) struct Device {
    actor: ActorId,
    key: SigningKey,
    pub(super) next: u64,
    pub(super) prev: EntryHash,
}

impl Device {
    pub(super) fn new(actor: &str, seed: u8) -> Device {
        Device {
            actor: id(actor),
            key: key(seed),
            next: 0,
            prev: EntryHash::ZERO,
        }
    }

    pub(super) fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_bytes())
    }

    pub(super) fn sign(&mut self, ts_ms: u64, body: Body, log: Option<LogKey>) -> DeviceEntry {
        let entry = DeviceEntry::sign(
            DeviceDraft {
                ledger: ledger_id(),
                actor: self.actor.clone(),
                dev_seq: self.next,
                dev_prev: self.prev,
                ts_ms,
                body,
                log,
                policy: None,
            },
            &self.key,
        );
        self.next += 1;
        self.prev = entry.hash;
        entry
    }
}

fn log_key() -> SigningKey {
    key(99)
}

fn named() -> LogKey {
    LogKey {
        origin: ORIGIN.to_owned(),
        key: PublicKey(log_key().verifying_key().to_bytes()),
    }
}

/// A log with an admin, two kiosks, a resident with 100 points and a
/// reward of 30.
pub(super) fn community() -> (Log, Device, Device, Device) {
    let mut admin = Device::new("admin-1", 1);
    let genesis = admin.sign(
        T0,
        Body::Genesis {
            name: Text::parse("新华社区", 120, false).expect("name"),
            utc_offset_minutes: 480,
            admin_id: id("admin-1"),
            admin_key: admin.public(),
        },
        Some(named()),
    );
    let (mut log, first) = Log::start(&genesis.to_bytes(), T0).expect("start");
    assert_eq!((first.index, first.new), (0, true));
    let kiosk_a = Device::new("kiosk-a", 2);
    let kiosk_b = Device::new("kiosk-b", 3);
    let mut t = T0;
    let mut admin_writes = |log: &mut Log, admin: &mut Device, body: Body| {
        t += 1000;
        let entry = admin.sign(t, body, None);
        log.submit(&entry.to_bytes(), t).expect("admin entry");
    };
    let mut officer = Device::new("officer-1", 4);
    for (device, role) in [
        (&kiosk_a, Role::Kiosk),
        (&kiosk_b, Role::Kiosk),
        (&officer, Role::Officer),
    ] {
        admin_writes(
            &mut log,
            &mut admin,
            Body::Actor {
                id: device.actor.clone(),
                role,
                pubkey: device.public(),
                active: true,
            },
        );
    }
    for body in [
        r#"{"active":true,"area":"1-2","code":"R001","household":"H1","type":"resident"}"#,
        r#"{"active":true,"daily_cap":"100","id":"patrol","name":"巡逻","points":"100","type":"activity"}"#,
        r#"{"active":true,"cost":"30","id":"rice","name":"大米","type":"reward"}"#,
        r#"{"delta":50,"note":"进货","reward":"rice","type":"stock"}"#,
    ] {
        admin_writes(
            &mut log,
            &mut admin,
            crate::entry::parse_body(body.as_bytes()).expect("body"),
        );
    }
    let earn = r#"{"activity":"patrol","note":"","points":"100","resident":"R001","type":"earn"}"#;
    let earn = officer.sign(
        t + 1000,
        crate::entry::parse_body(earn.as_bytes()).expect("body"),
        None,
    );
    log.submit(&earn.to_bytes(), t + 1000).expect("earn");
    (log, admin, kiosk_a, kiosk_b)
}

fn redeem(request: &str) -> Body {
    crate::entry::parse_body(
        format!(
            r#"{{"points":"30","qty":1,"request_id":"{request}","resident":"R001","reward":"rice","type":"redeem"}}"#
        )
        .as_bytes(),
    )
    .expect("redeem")
}

pub(super) fn leaves(log: &Log) -> Vec<Vec<u8>> {
    (0..log.len()).map(|i| log.leaf(i).expect("leaf")).collect()
}

#[test]
fn two_kiosks_write_one_ledger_and_a_replay_agrees() {
    let (mut log, _, mut a, mut b) = community();
    let t = T0 + 60_000;
    let first = a.sign(t, redeem("a-1"), None);
    let second = b.sign(t + 1, redeem("b-1"), None);
    assert!(log.submit(&first.to_bytes(), t).expect("a").new);
    assert!(log.submit(&second.to_bytes(), t + 2).expect("b").new);
    assert_eq!(log.ledger().balance("R001"), Some(Points::whole(40)));
    // A retry of the same signed entry is answered, not appended.
    let again = log.submit(&first.to_bytes(), t + 3).expect("retry");
    assert!(!again.new);
    let all = leaves(&log);
    assert_eq!(
        leaf_hash(&all[again.index as usize]),
        log.tree().level(0)[again.index as usize]
    );
    let replayed = Log::replay(all.iter().map(Vec::as_slice)).expect("replay");
    assert_eq!(replayed.tree().root(), log.tree().root());
    assert_eq!(
        replayed.ledger().balance("R001"),
        log.ledger().balance("R001")
    );
    assert_eq!(replayed.named(), Some(&named()));
}

#[test]
fn online_an_overdraft_stays_impossible() {
    let (mut log, _, mut a, _) = community();
    for n in 0..3 {
        let entry = a.sign(T0 + 60_000 + n, redeem(&format!("a-{n}")), None);
        log.submit(&entry.to_bytes(), T0 + 60_000 + n)
            .expect("redeem");
    }
    let before = log.len();
    let entry = a.sign(T0 + 70_000, redeem("a-9"), None);
    let refused = log.submit(&entry.to_bytes(), T0 + 70_000);
    assert!(matches!(refused, Err(SubmitError::Rule(_))), "{refused:?}");
    assert_eq!(log.len(), before);
    assert_eq!(log.ledger().balance("R001"), Some(Points::whole(10)));
}

#[test]
fn a_forked_device_and_a_broken_chain_are_refused() {
    let (mut log, _, mut a, _) = community();
    let t = T0 + 60_000;
    let first = a.sign(t, redeem("a-1"), None);
    log.submit(&first.to_bytes(), t).expect("first");
    // The same counter again, for another entry: a fork.
    a.next = 0;
    a.prev = EntryHash::ZERO;
    let fork = a.sign(t + 1, redeem("a-2"), None);
    assert!(matches!(
        log.submit(&fork.to_bytes(), t + 1),
        Err(SubmitError::Fork {
            dev_seq: 0,
            last_dev_seq: 0,
            ..
        })
    ));
    // The next counter, naming another entry before it.
    a.next = 1;
    a.prev = EntryHash([7; 32]);
    let broken = a.sign(t + 2, redeem("a-3"), None);
    assert_eq!(
        log.submit(&broken.to_bytes(), t + 2),
        Err(SubmitError::ChainBroken { dev_seq: 1 })
    );
    // A gap (an entry the log refused, or one the device lost) is allowed.
    a.next = 5;
    let after_gap = a.sign(t + 3, redeem("a-4"), None);
    assert!(log.submit(&after_gap.to_bytes(), t + 3).is_ok());
}

#[test]
fn forged_moved_and_late_entries_are_refused() {
    let (mut log, _, mut a, _) = community();
    let t = T0 + 60_000;
    let mut forged = a.sign(t, redeem("a-1"), None);
    forged.sig[0] ^= 1;
    assert_eq!(
        log.submit(&forged.to_bytes(), t),
        Err(SubmitError::BadSignature)
    );
    let mut moved = a.sign(t, redeem("a-2"), None);
    moved.ledger = "elsewhere".parse().expect("id");
    let moved = DeviceEntry::sign(
        DeviceDraft {
            ledger: moved.ledger,
            actor: moved.actor,
            dev_seq: 9,
            dev_prev: EntryHash::ZERO,
            ts_ms: t,
            body: moved.body,
            log: None,
            policy: None,
        },
        &a.key,
    );
    assert_eq!(
        log.submit(&moved.to_bytes(), t),
        Err(SubmitError::WrongLedger("elsewhere".to_owned()))
    );
    // Late (made offline), and the ledger has set no offline policy.
    let late = a.sign(t, redeem("a-3"), None);
    assert!(matches!(
        log.submit(&late.to_bytes(), t + ONLINE_WITHIN_MS + 1),
        Err(SubmitError::OfflineNotAllowed { minutes: 10 })
    ));
    let ahead = a.sign(t + MAX_CLOCK_AHEAD_MS + 1, redeem("a-4"), None);
    assert!(matches!(
        log.submit(&ahead.to_bytes(), t),
        Err(SubmitError::ClockAhead { .. })
    ));
    let mut unknown = Device::new("kiosk-z", 9);
    let stranger = unknown.sign(t, redeem("z-1"), None);
    assert!(matches!(
        log.submit(&stranger.to_bytes(), t),
        Err(SubmitError::Rule(_))
    ));
    // Only an admin names the log.
    let renamed = a.sign(t, redeem("a-5"), Some(named()));
    assert!(matches!(
        log.submit(&renamed.to_bytes(), t),
        Err(SubmitError::NamedByNonAdmin(_))
    ));
}

#[test]
fn a_changed_leaf_fails_the_replay_at_its_index() {
    let (mut log, _, mut a, _) = community();
    let entry = a.sign(T0 + 60_000, redeem("a-1"), None);
    log.submit(&entry.to_bytes(), T0 + 60_000).expect("redeem");
    let mut all = leaves(&log);
    let last = all.len() - 1;
    let text = String::from_utf8(all[last].clone()).expect("utf8");
    all[last] = text
        .replace("\"points\":\"30\"", "\"points\":\"3\"")
        .into_bytes();
    let error = Log::replay(all.iter().map(Vec::as_slice)).expect_err("changed");
    assert_eq!(error.index, last as u64);
    // Leaves swapped: each says where it belongs.
    let mut swapped = leaves(&log);
    swapped.swap(3, 4);
    let error = Log::replay(swapped.iter().map(Vec::as_slice)).expect_err("swapped");
    assert_eq!(
        (error.index, error.problem),
        (3, LogProblem::IndexOutOfPlace(4))
    );
}

#[test]
fn checkpoints_are_signed_by_the_named_key_and_receipts_verify() {
    let (log, _, _, _) = community();
    assert_eq!(
        log.sign_checkpoint(&key(5)).map(|_| ()),
        Err(SubmitError::NotTheLogKey)
    );
    let note = log.sign_checkpoint(&log_key()).expect("sign").to_text();
    let checkpoint = log.check_checkpoint(note.as_bytes()).expect("check");
    assert_eq!(
        (checkpoint.origin.as_str(), checkpoint.size),
        (ORIGIN, log.len())
    );
    let receipt = log.receipt(4, note.as_bytes()).expect("receipt");
    let leaf = leaf_hash(&log.leaf(4).expect("leaf"));
    let verifier = log.verifier().expect("verifier");
    assert_eq!(
        receipt.verify(&leaf, &verifier, &[], 0).map(|c| c.size),
        Ok(log.len())
    );
    assert_eq!(named().vkey().as_deref(), Some(verifier.vkey().as_str()));
    let other = Checkpoint {
        root: [1; 32],
        ..checkpoint
    };
    let forged = crate::tlog::sign_checkpoint(&other, &log_key()).expect("sign");
    assert!(log.check_checkpoint(forged.to_text().as_bytes()).is_err());
}

#[test]
fn a_v1_ledger_continues_as_a_log_with_every_point() {
    let demo = crate::demo::generate(&crate::demo::DemoConfig {
        residents: 20,
        entries: 300,
        seed: 7,
        start_ts_ms: T0,
    });
    let balances: Vec<_> = demo.ledger.residents().iter().map(|r| r.balance).collect();
    let v1_len = demo.ledger.len();
    let admin_secret = demo
        .keys
        .iter()
        .find(|(id, _)| id.as_str() == "admin-1")
        .map(|(_, s)| *s)
        .expect("admin key");
    let ledger_id = demo.ledger.id().clone();
    let last_ts = demo.ledger.last_ts_ms();
    let mut log = Log::migrate(demo.ledger);
    assert_eq!(log.len(), v1_len);
    let admin_key = SigningKey::from_bytes(&admin_secret);
    let kiosk = key(40);
    let naming = DeviceEntry::sign(
        DeviceDraft {
            ledger: ledger_id.clone(),
            actor: id("admin-1"),
            dev_seq: 0,
            dev_prev: EntryHash::ZERO,
            ts_ms: last_ts + 1000,
            body: Body::Actor {
                id: id("kiosk-v2"),
                role: Role::Kiosk,
                pubkey: PublicKey(kiosk.verifying_key().to_bytes()),
                active: true,
            },
            log: Some(named()),
            policy: None,
        },
        &admin_key,
    );
    // Before the log is named, no v2 entry is taken.
    let unnamed = DeviceEntry::sign(
        DeviceDraft {
            log: None,
            ..DeviceDraft {
                ledger: ledger_id.clone(),
                actor: id("admin-1"),
                dev_seq: 0,
                dev_prev: EntryHash::ZERO,
                ts_ms: last_ts + 1000,
                body: naming.body.clone(),
                log: None,
                policy: None,
            }
        },
        &admin_key,
    );
    assert_eq!(
        log.submit(&unnamed.to_bytes(), last_ts + 1000),
        Err(SubmitError::LogNotNamed)
    );
    log.submit(&naming.to_bytes(), last_ts + 1000)
        .expect("naming");
    let kept: Vec<_> = log.ledger().residents().iter().map(|r| r.balance).collect();
    assert_eq!(kept, balances);
    let all = leaves(&log);
    assert!(
        all[0].starts_with(b"{\"actor\":"),
        "the v1 lines are the first leaves"
    );
    let replayed = Log::replay(all.iter().map(Vec::as_slice)).expect("replay");
    assert_eq!(replayed.tree().root(), log.tree().root());
    assert_eq!(replayed.v1_leaves(), v1_len);
}

fn policy() -> OfflinePolicy {
    OfflinePolicy {
        max_points: Points::whole(100),
        max_points_per_day: Points::whole(150),
        max_queued: 3,
        upload_within_hours: 24,
    }
}

/// The admin states itself again (a body that changes nothing) and sets
/// the offline policy.
fn set_policy(log: &mut Log, admin: &mut Device, at: u64, policy: OfflinePolicy) {
    let body = Body::Actor {
        id: admin.actor.clone(),
        role: Role::Admin,
        pubkey: admin.public(),
        active: true,
    };
    let entry = DeviceEntry::sign(
        DeviceDraft {
            ledger: ledger_id(),
            actor: admin.actor.clone(),
            dev_seq: admin.next,
            dev_prev: admin.prev,
            ts_ms: at,
            body,
            log: None,
            policy: Some(policy),
        },
        &admin.key,
    );
    admin.next += 1;
    admin.prev = entry.hash;
    log.submit(&entry.to_bytes(), at).expect("policy");
}

fn redeem_of(qty: u32, request: &str) -> Body {
    crate::entry::parse_body(
        format!(
            r#"{{"points":"{}","qty":{qty},"request_id":"{request}","resident":"R001","reward":"rice","type":"redeem"}}"#,
            30 * qty
        )
        .as_bytes(),
    )
    .expect("redeem")
}

#[test]
fn two_offline_kiosks_spending_one_residents_points_both_stand() {
    let (mut log, mut admin, mut a, mut b) = community();
    let t = T0 + 60_000;
    set_policy(&mut log, &mut admin, t, policy());
    // Both kiosks offline at the same hour; each hands out 3 bags (90
    // points) of the resident's 100.
    let from_a = a.sign(t + 1_000, redeem_of(3, "a-1"), None);
    let from_b = b.sign(t + 2_000, redeem_of(2, "b-1"), None);
    let back = t + 3 * 3_600_000;
    assert!(log.submit(&from_a.to_bytes(), back).expect("a").new);
    assert!(log.submit(&from_b.to_bytes(), back + 1).expect("b").new);
    let record = log.ledger().state().resident("R001").expect("R001");
    assert_eq!(
        (record.balance, record.debt),
        (Points::ZERO, Points::whole(50))
    );
    let outcome = log.outcomes().last().expect("debt shown").1.clone();
    assert_eq!(
        outcome,
        Outcome::Debt {
            resident: "R001".parse().expect("code"),
            owed: Points::whole(50)
        }
    );
    // The next earn pays the debt back first.
    let replayed = Log::replay(leaves(&log).iter().map(Vec::as_slice)).expect("replay");
    let again = replayed.ledger().state().resident("R001").expect("R001");
    assert_eq!(
        (again.balance, again.debt),
        (Points::ZERO, Points::whole(50))
    );
    assert_eq!(replayed.outcomes(), log.outcomes());
    // Online, an overdraft stays impossible.
    let online = a.sign(back + 10, redeem("a-2"), None);
    assert!(matches!(
        log.submit(&online.to_bytes(), back + 10),
        Err(SubmitError::Rule(
            crate::error::RuleError::InsufficientPoints { .. }
        ))
    ));
    // The next day's patrol pays the debt back first.
    let mut officer = Device::new("officer-1", 4);
    (officer.next, officer.prev) = log.device_next(&officer.actor);
    let earn = r#"{"activity":"patrol","note":"","points":"100","resident":"R001","type":"earn"}"#;
    let next_day = back + 24 * 3_600_000;
    let body = crate::entry::parse_body(earn.as_bytes()).expect("earn");
    let earn = officer.sign(next_day, body, None);
    log.submit(&earn.to_bytes(), next_day).expect("earn");
    let record = log.ledger().state().resident("R001").expect("R001");
    assert_eq!(
        (record.balance, record.debt),
        (Points::whole(50), Points::ZERO)
    );
}

#[test]
fn the_offline_policy_bounds_what_a_late_entry_may_do() {
    let (mut log, mut admin, mut a, _) = community();
    let t = T0 + 60_000;
    set_policy(&mut log, &mut admin, t, policy());
    let hour = 3_600_000;
    let too_big = a.sign(t, redeem_of(4, "a-1"), None);
    assert!(matches!(
        log.submit(&too_big.to_bytes(), t + hour),
        Err(SubmitError::OfflineLimit { .. })
    ));
    a.next -= 1;
    let too_late = a.sign(t, redeem("a-2"), None);
    assert_eq!(
        log.submit(&too_late.to_bytes(), t + 25 * hour),
        Err(SubmitError::TooLate {
            hours: 25,
            within: 24
        })
    );
    a.next -= 1;
    for n in 0..3 {
        let entry = a.sign(t + n, redeem(&format!("q-{n}")), None);
        log.submit(&entry.to_bytes(), t + hour).expect("queued");
    }
    let fourth = a.sign(t + 4, redeem("q-4"), None);
    assert_eq!(
        log.submit(&fourth.to_bytes(), t + hour),
        Err(SubmitError::QueueTooLong { max: 3 })
    );
    // 90 points late today already: 90 more passes the 150 a day.
    let mut b = Device::new("kiosk-b", 3);
    let day = b.sign(t + 5, redeem_of(3, "b-1"), None);
    assert!(matches!(
        log.submit(&day.to_bytes(), t + hour),
        Err(SubmitError::OfflineDayLimit { .. })
    ));
}

#[test]
fn a_late_earn_past_its_cap_counts_what_the_cap_leaves() {
    let (mut log, mut admin, _, _) = community();
    let t = T0 + 60_000;
    set_policy(&mut log, &mut admin, t, policy());
    // The officer's device, signing the same day's patrol again offline:
    // the cap (100) was reached by the earn of the community's setup.
    let mut officer = Device::new("officer-1", 4);
    (officer.next, officer.prev) = log.device_next(&officer.actor);
    let earn = r#"{"activity":"patrol","note":"","points":"100","resident":"R001","type":"earn"}"#;
    let body = crate::entry::parse_body(earn.as_bytes()).expect("earn");
    let late = officer.sign(t + 1, body, None);
    let done = log
        .submit(&late.to_bytes(), t + 3_600_000)
        .expect("never lost");
    assert!(done.new);
    assert_eq!(
        log.outcomes().last().map(|(i, o)| (*i, o.clone())),
        Some((
            done.index,
            Outcome::Capped {
                counted: Points::ZERO,
                asked: Points::whole(100)
            }
        ))
    );
    assert_eq!(log.ledger().balance("R001"), Some(Points::whole(100)));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Two offline kiosks' queues merged in any order give the same
    /// balance and debt, and every replay reaches the log's state.
    #[test]
    fn offline_queues_merged_in_any_order_agree(order in proptest::collection::vec(proptest::bool::ANY, 6)) {
        let mut results = Vec::new();
        for order in [vec![true, true, true, false, false, false], order.clone()] {
            let (mut log, mut admin, mut a, mut b) = community();
            let t = T0 + 60_000;
            set_policy(&mut log, &mut admin, t, OfflinePolicy { max_queued: 10, max_points_per_day: Points::whole(1000), ..policy() });
            let queue_a: Vec<_> = (0..3).map(|n| a.sign(t + n, redeem(&format!("a-{n}")), None)).collect();
            let queue_b: Vec<_> = (0..3).map(|n| b.sign(t + n, redeem(&format!("b-{n}")), None)).collect();
            let (mut ia, mut ib) = (queue_a.iter(), queue_b.iter());
            let mut at = t + 3_600_000;
            for take_a in order.iter().copied().chain(core::iter::repeat_n(true, 6)).chain(core::iter::repeat_n(false, 6)) {
                let next = if take_a { ia.next() } else { ib.next() };
                if let Some(entry) = next {
                    at += 1;
                    log.submit(&entry.to_bytes(), at).expect("within the policy");
                }
            }
            let record = log.ledger().state().resident("R001").expect("R001").clone();
            let replayed = Log::replay(leaves(&log).iter().map(Vec::as_slice)).expect("replay");
            let again = replayed.ledger().state().resident("R001").expect("R001").clone();
            proptest::prop_assert_eq!((again.balance, again.debt), (record.balance, record.debt));
            proptest::prop_assert_eq!(replayed.tree().root(), log.tree().root());
            results.push((record.balance, record.debt));
        }
        proptest::prop_assert_eq!(results[0], results[1]);
        proptest::prop_assert_eq!(results[0], (Points::ZERO, Points::whole(80)));
    }
}

#[test]
fn the_demo_log_verifies_with_its_offline_day_and_the_two_kiosks() {
    let config = crate::demo::DemoConfig {
        residents: 60,
        entries: 6_000,
        seed: 5,
        start_ts_ms: T0,
    };
    let demo = demo::generate_log(&config, ORIGIN, |_| {}).expect("demo log");
    let log = &demo.log;
    assert!(demo.left_out < 10, "{} left out", demo.left_out);
    assert!(log.len() > 5_900);
    assert!(log.policy().is_some());
    let debts = log
        .outcomes()
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Debt { .. }))
        .count();
    assert!(debts >= 1, "the two kiosks at once leave a debt");
    let replayed = Log::replay(leaves(log).iter().map(Vec::as_slice)).expect("replay");
    assert_eq!(replayed.tree().root(), log.tree().root());
    assert_eq!(replayed.outcomes(), log.outcomes());
    let late = (0..log.len())
        .filter_map(|i| Leaf::parse(&log.leaf(i)?).ok())
        .filter(|leaf| leaf.log_ts_ms > leaf.entry.ts_ms + ONLINE_WITHIN_MS)
        .count();
    assert!(late >= 3, "{late} late entries");
}

#[test]
fn a_batched_replay_names_the_first_bad_leaf_signature_or_rule() {
    let (log, _, _, _) = community();
    let mut all = leaves(&log);
    // A forged signature at leaf 3, found only when its batch is checked,
    // and a leaf out of place at 6, found at once: leaf 3 is named.
    let text = String::from_utf8(all[3].clone()).expect("utf8");
    let at = text.find("\"sig\":\"").expect("sig") + 7;
    let mut forged = text.into_bytes();
    forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
    all[3] = forged;
    all.swap(6, 7);
    let error = Log::replay(all.iter().map(Vec::as_slice)).expect_err("forged");
    assert_eq!(
        (error.index, error.problem),
        (3, LogProblem::Submit(SubmitError::BadSignature))
    );
    // Batches taken out and checked elsewhere reach the same verdict.
    let mut replay = LogReplay::new();
    for leaf in &all {
        replay.push(leaf);
    }
    let outside = replay.take_batch().and_then(|b| b.first_bad());
    assert_eq!(
        replay.finish(outside).map(|l| l.len()).map_err(|e| e.index),
        Err(3)
    );
}

#[test]
fn every_demo_body_reads_fast_as_serde_json_reads_it() {
    let demo = crate::demo::generate(&crate::demo::DemoConfig {
        residents: 30,
        entries: 2_000,
        seed: 9,
        start_ts_ms: T0,
    });
    for entry in demo.ledger.entries() {
        let mut json = Vec::new();
        entry.body.write_canonical(&mut json);
        let (fast, serde) = crate::testing::body_fast_and_serde(&json);
        assert_eq!(fast.as_ref(), Ok(&entry.body));
        assert_eq!(serde.as_ref(), Ok(&entry.body));
    }
    // Out of order or with an unknown member: refused the same way.
    for odd in [
        r#"{"type":"earn","activity":"a","note":"","points":"1","resident":"R1"}"#,
        r#"{"activity":"a","note":"","points":"1","resident":"R1","type":"earn","x":1}"#,
    ] {
        let (fast, serde) = crate::testing::body_fast_and_serde(odd.as_bytes());
        assert_eq!(fast.is_ok(), serde.is_ok(), "{odd}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Whatever devices submit, in whatever order, late or not: any two
    /// checkpoints the log signs are consistent; every leaf's receipt holds
    /// under every later checkpoint; and the replay reaches the log's state.
    #[test]
    fn the_logs_checkpoints_and_receipts_always_hold(
        steps in proptest::collection::vec((0u8..4, proptest::bool::ANY), 1..30)
    ) {
        let (mut log, mut admin, mut a, mut b) = community();
        let mut t = T0 + 60_000;
        set_policy(&mut log, &mut admin, t, OfflinePolicy { max_queued: 100, ..policy() });
        let mut notes = vec![log.sign_checkpoint(&log_key()).expect("sign").to_text()];
        for (n, (what, late)) in steps.into_iter().enumerate() {
            t += 60_000;
            let device = if what % 2 == 0 { &mut a } else { &mut b };
            let body = redeem(&format!("p-{n}"));
            let made = if late { t - 3_600_000 } else { t };
            let entry = device.sign(made.max(T0), body, None);
            // Refusals (too few points online, a late one out of order)
            // change nothing; acceptances grow the tree.
            let _ = log.submit(&entry.to_bytes(), t);
            if what >= 2 {
                notes.push(log.sign_checkpoint(&log_key()).expect("sign").to_text());
            }
        }
        notes.push(log.sign_checkpoint(&log_key()).expect("sign").to_text());
        let verifier = log.verifier().expect("verifier");
        let opened: Vec<Checkpoint> = notes
            .iter()
            .map(|n| Checkpoint::open(n.as_bytes(), &verifier).expect("open").0)
            .collect();
        for (i, older) in opened.iter().enumerate() {
            for newer in &opened[i..] {
                let proof = log.tree().consistency_proof(older.size, newer.size).expect("proof");
                proptest::prop_assert!(crate::tlog::verify_consistency(
                    older.size, newer.size, &older.root, &newer.root, &proof
                ).is_ok());
            }
            for index in 0..older.size {
                for (note, newer) in notes[i..].iter().zip(&opened[i..]) {
                    let receipt = log.receipt(index, note.as_bytes()).expect("receipt");
                    let leaf = leaf_hash(&log.leaf(index).expect("leaf"));
                    proptest::prop_assert_eq!(
                        receipt.verify(&leaf, &verifier, &[], 0).map(|c| c.size),
                        Ok(newer.size)
                    );
                }
            }
        }
        let replayed = Log::replay(leaves(&log).iter().map(Vec::as_slice)).expect("replay");
        proptest::prop_assert_eq!(replayed.tree().root(), log.tree().root());
        let mine = log.ledger().state().resident("R001").map(|r| (r.balance, r.debt));
        let theirs = replayed.ledger().state().resident("R001").map(|r| (r.balance, r.debt));
        proptest::prop_assert_eq!(mine, theirs);
    }
}

#[test]
fn signature_batches_cross_to_a_worker_as_bytes_and_a_log_splits_and_joins() {
    let config = crate::demo::DemoConfig {
        residents: 20,
        entries: 1_500,
        seed: 8,
        start_ts_ms: T0,
    };
    let log = demo::generate_log(&config, ORIGIN, |_| {})
        .expect("demo log")
        .log;
    let mut all = leaves(&log);
    let mut replay = LogReplay::new();
    for leaf in &all {
        replay.push(leaf);
    }
    let batch = replay.take_batch().expect("a full batch");
    let bytes = batch.to_bytes();
    let again = LeafSignatures::from_bytes(&bytes).expect("reads back");
    assert_eq!((again.len(), again.first_bad()), (batch.len(), None));
    assert_eq!(
        LeafSignatures::from_bytes(&bytes[1..]).map(|b| b.len()),
        None
    );
    // A signature changed in the bytes is found, by its leaf index.
    let mut forged = bytes.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let bad = LeafSignatures::from_bytes(&forged).and_then(|b| b.first_bad());
    assert!(bad.is_some());
    let answer = LeafSignatures::answer_to_bytes(bad);
    assert_eq!(LeafSignatures::answer_from_bytes(&answer), Some(bad));
    assert_eq!(LeafSignatures::answer_from_bytes(&[1, 2]), None);
    let replayed = replay.finish(None).expect("replays");
    // Split off its ledger, the log joins only the same ledger again.
    let root = replayed.tree().root();
    let (ledger, parts) = replayed.split();
    assert_eq!(parts.tree().root(), root);
    let mut log = Log::join(ledger, parts).expect("joins");
    let next = all.pop().expect("a leaf");
    let (ledger, parts) = log.clone().split();
    let other = Log::replay(all.iter().map(Vec::as_slice)).expect("replay");
    assert!(Log::join(other.into_ledger(), parts).is_err());
    assert!(Log::join(ledger, log.clone().split().1).is_ok());
    assert!(log.follow(&next).is_err(), "already there");
}

#[test]
fn a_log_rolled_back_to_a_mark_takes_the_same_leaves_again_as_if_never_added() {
    let config = crate::demo::DemoConfig {
        residents: 40,
        entries: 3_000,
        seed: 6,
        start_ts_ms: T0,
    };
    let full = demo::generate_log(&config, ORIGIN, |_| {})
        .expect("demo log")
        .log;
    let all = leaves(&full);
    for cut in [all.len() / 3, all.len() - 40, all.len() - 1] {
        let mut log = Log::replay(all[..cut].iter().map(Vec::as_slice)).expect("replay");
        let root = log.tree().root();
        let mark = log.mark();
        for leaf in &all[cut..] {
            log.follow(leaf).expect("the log's own leaf");
        }
        assert_eq!(log.tree().root(), full.tree().root());
        assert!(log.rollback(mark.clone()));
        assert_eq!((log.len(), log.tree().root()), (cut as u64, root));
        assert!(!log.rollback(log.mark()) || log.len() == cut as u64);
        for leaf in &all[cut..] {
            log.follow(leaf).expect("taken again after the rollback");
        }
        assert_eq!(log.tree(), full.tree());
        assert_eq!(log.outcomes(), full.outcomes());
        assert_eq!(log.ledger().head(), full.ledger().head());
        assert_eq!(log.ledger().snapshot(), full.ledger().snapshot());
    }
    // A mark from a longer past is refused and changes nothing.
    let mut short = Log::replay(all[..10].iter().map(Vec::as_slice)).expect("replay");
    assert!(!short.rollback(full.mark()));
    assert_eq!(short.len(), 10);
}

/// Leaves as the log serves them in bulk: each after its length.
fn bundle_of(leaves: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for leaf in leaves {
        out.extend_from_slice(&u16::try_from(leaf.len()).expect("short").to_be_bytes());
        out.extend_from_slice(leaf);
    }
    out
}

/// The replay through a worker's hashes: the vouched leaves with them,
/// from the first the worker refused on in full.
fn replay_shared(all: &[Vec<u8>], answer: &[u8]) -> Result<Log, LogError> {
    let vouched = vouched_from_bytes(answer);
    let mut replay = LogReplay::new();
    for (i, leaf) in all.iter().enumerate() {
        if !replay.push_vouched(leaf, vouched.get(i)) {
            break;
        }
    }
    replay.finish(None)
}

#[test]
fn a_replay_shared_with_a_worker_reaches_the_replays_verdict() {
    let (log, _, _, _) = community();
    let mut all = leaves(&log);
    let whole = Log::replay(all.iter().map(Vec::as_slice)).expect("replays");
    let answer = vouch_bundle(&bundle_of(&all), 1 << 14);
    assert_eq!(vouched_from_bytes(&answer).len(), all.len());
    let shared = replay_shared(&all, &answer).expect("replays shared");
    assert_eq!(shared.tree().root(), whole.tree().root());
    assert_eq!(shared.ledger().entries(), whole.ledger().entries());
    // Not a bundle, or more leaves than asked: nothing vouched.
    assert!(vouch_bundle(&[0, 9, b'{'], 8).is_empty());
    assert!(vouch_bundle(&bundle_of(&all), 2).is_empty());

    // A leaf out of its canonical form: the worker stops before it, and
    // the replay names the fault a replay alone names.
    let text = String::from_utf8(all[4].clone()).expect("utf8");
    all[4] = text
        .replacen("\"dev_seq\":", "\"dev_seq\":0", 1)
        .into_bytes();
    let answer = vouch_bundle(&bundle_of(&all), 1 << 14);
    assert_eq!(vouched_from_bytes(&answer).len(), 4);
    let alone = Log::replay(all.iter().map(Vec::as_slice)).expect_err("not canonical");
    let shared = replay_shared(&all, &answer).expect_err("not canonical");
    assert_eq!((shared.index, &shared.problem), (4, &alone.problem));

    // Hashes that are not the leaves' do not pass either: a wrong entry
    // hash fails its signature, a wrong leaf hash the tree's root.
    let all = leaves(&log);
    let mut answer = vouch_bundle(&bundle_of(&all), 1 << 14);
    answer[64 * 3] ^= 1;
    let error = replay_shared(&all, &answer).expect_err("wrong entry hash");
    assert_eq!(
        (error.index, error.problem),
        (3, LogProblem::Submit(SubmitError::BadSignature))
    );
    let mut answer = vouch_bundle(&bundle_of(&all), 1 << 14);
    answer[64 * 3 + 32] ^= 1;
    let shared = replay_shared(&all, &answer).expect("rules hold");
    assert_ne!(shared.tree().root(), whole.tree().root());
}
