//! The tampering matrix of format v2: from a demo log, what a cheating
//! log, device or disk could do, each refused at the right leaf with the
//! right reason, or caught by the checkpoint, a proof or the witnesses.
//! Forged entries are built here with an independent encoder, SHA-256 and
//! Ed25519 signer, not with ledger-core's writer.

use std::collections::BTreeMap;

use ed25519_dalek::{Signer, SigningKey};
use ledger_core::log::{Log, LogError, demo::generate_log};
use ledger_core::tlog::{
    Checkpoint, KeyKind, NoteVerifier, TlogError, cosign, leaf_hash, sign_checkpoint,
    verify_consistency,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

struct Forger {
    leaves: Vec<Vec<u8>>,
    keys: BTreeMap<String, SigningKey>,
    log: Log,
}

impl Forger {
    fn new() -> Forger {
        let config = ledger_core::demo::DemoConfig {
            residents: 40,
            entries: 2_500,
            seed: 11,
            ..Default::default()
        };
        let demo = generate_log(&config, "jifen.example/tamper", |_| {}).expect("demo log");
        Forger {
            leaves: (0..demo.log.len())
                .filter_map(|i| demo.log.leaf(i))
                .collect(),
            keys: demo
                .keys
                .iter()
                .map(|(id, seed)| (id.to_string(), SigningKey::from_bytes(seed)))
                .collect(),
            log: demo.log,
        }
    }

    fn value(&self, index: usize) -> Value {
        serde_json::from_slice(&self.leaves[index]).expect("leaf")
    }

    /// The first leaf at or after `from` whose body is of `kind`.
    fn find(&self, from: usize, kind: &str) -> usize {
        (from..self.leaves.len())
            .find(|&i| self.value(i)["entry"]["body"]["type"] == kind)
            .expect("the demo has it")
    }

    /// Re-hashes and re-signs a leaf's entry with its device's key, as a
    /// device (or a thief of its key) would.
    fn seal(&self, leaf: &mut Value) -> Vec<u8> {
        let entry = leaf["entry"].as_object_mut().expect("entry");
        entry.remove("sig");
        let actor = entry["actor"].as_str().expect("actor").to_owned();
        let hash = Sha256::digest(crate::jcs(&leaf["entry"]).as_bytes());
        let sig = self.keys[&actor].sign(&hash);
        leaf["entry"]["sig"] = json!(hex(&sig.to_bytes()));
        crate::jcs(leaf).into_bytes()
    }

    fn replay(&self, leaves: &[Vec<u8>]) -> Result<Log, LogError> {
        Log::replay(leaves.iter().map(Vec::as_slice))
    }

    /// The leaves with a new one at the end, sealed by `actor`'s device
    /// past a gap in its counter (allowed), made and logged at the last
    /// leaf's log time (so not late, as an offline device's entry is).
    fn append(&self, actor: &str, body: Value) -> Vec<Vec<u8>> {
        let mut leaves = self.leaves.clone();
        let end = self.value(self.leaves.len() - 1);
        let dev_seq = (0..leaves.len())
            .filter(|&i| self.value(i)["entry"]["actor"] == actor)
            .map(|i| self.value(i)["entry"]["dev_seq"].as_u64().expect("dev_seq"))
            .max()
            .map_or(0, |s| s + 2);
        let mut leaf = json!({
            "entry": {
                "actor": actor,
                "body": body,
                "dev_prev": "00".repeat(32),
                "dev_seq": dev_seq,
                "ledger": end["entry"]["ledger"],
                "ts": end["log_ts"],
                "v": 2,
            },
            "index": leaves.len(),
            "log_ts": end["log_ts"],
        });
        leaves.push(self.seal(&mut leaf));
        leaves
    }

    #[track_caller]
    fn refused(&self, leaves: &[Vec<u8>], index: usize, kind: &str) {
        let error = self.replay(leaves).expect_err("refused");
        assert_eq!(
            (error.index, error.kind()),
            (index as u64, kind),
            "{}",
            error
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_kind_of_v2_tampering_is_caught() {
    let forger = Forger::new();
    let honest = forger.replay(&forger.leaves).expect("the demo log replays");
    let redeem = forger.find(100, "redeem");

    // One digit of a leaf changed: its device's signature no longer holds.
    let mut leaves = forger.leaves.clone();
    let mut leaf = forger.value(redeem);
    leaf["entry"]["body"]["qty"] = json!(leaf["entry"]["body"]["qty"].as_u64().unwrap_or(1) + 1);
    leaves[redeem] = crate::jcs(&leaf).into_bytes();
    forger.refused(&leaves, redeem, "bad_signature");

    // A forked device: a second entry signed with a counter it used.
    let mut leaves = forger.leaves.clone();
    let mut fork = forger.value(redeem);
    fork["entry"]["body"]["request_id"] = json!("fork-1");
    fork["index"] = json!(redeem + 1);
    let next: Value = forger.value(redeem + 1);
    fork["log_ts"] = next["log_ts"].clone();
    leaves.insert(redeem + 1, forger.seal(&mut fork));
    forger.refused(&leaves, redeem + 1, "fork");

    // A submission replayed: the same signed entry again as a new leaf.
    let mut leaves = forger.leaves.clone();
    let mut again = forger.value(redeem);
    again["index"] = json!(redeem + 1);
    again["log_ts"] = next["log_ts"].clone();
    leaves.insert(redeem + 1, crate::jcs(&again).into_bytes());
    forger.refused(&leaves, redeem + 1, "fork");

    // An entry moved from another ledger, signed by the same device.
    let mut leaves = forger.leaves.clone();
    let mut moved = forger.value(redeem);
    moved["entry"]["ledger"] = json!("another-community");
    leaves[redeem] = forger.seal(&mut moved);
    forger.refused(&leaves, redeem, "wrong_ledger");

    // An offline entry past the policy's deadline: the log's time moved.
    let mut leaves = forger.leaves.clone();
    let last = leaves.len() - 1;
    let mut late = forger.value(last);
    let ts = late["entry"]["ts"].as_u64().expect("ts");
    late["log_ts"] = json!(ts + 25 * 3_600_000);
    leaves[last] = crate::jcs(&late).into_bytes();
    forger.refused(&leaves, last, "too_late");

    // Two leaves swapped: each says where it belongs.
    let mut leaves = forger.leaves.clone();
    leaves.swap(redeem, redeem + 1);
    forger.refused(&leaves, redeem, "index_out_of_place");

    // A leaf re-signed by its own device: the device's next entry no
    // longer names it, and its chain breaks there.
    let mut leaves = forger.leaves.clone();
    let earn = forger.find(100, "earn");
    let mut changed = forger.value(earn);
    changed["entry"]["body"]["note"] = json!("rewritten");
    leaves[earn] = forger.seal(&mut changed);
    let actor = changed["entry"]["actor"].clone();
    let following = (earn + 1..leaves.len())
        .find(|&i| forger.value(i)["entry"]["actor"] == actor)
        .expect("the device writes again");
    forger.refused(&leaves, following, "chain_broken");

    // The last leaf changed and re-signed (no entry after it to break):
    // the log replays, but no longer to the root the log signed; and the
    // two checkpoints of one size with two roots are inconsistent.
    let log_key = SigningKey::from_bytes(&forger.keys["log"].to_bytes());
    let note = honest.sign_checkpoint(&log_key).expect("sign").to_text();
    let mut leaves = forger.leaves.clone();
    let last = leaves.len() - 1;
    let mut changed = forger.value(last);
    changed["entry"]["body"]["request_id"] = json!("rewritten");
    leaves[last] = forger.seal(&mut changed);
    let rewritten = forger.replay(&leaves).expect("valid on its own");
    assert_eq!(
        rewritten.check_checkpoint(note.as_bytes()).map(|c| c.size),
        Err(TlogError::ProofDoesNotHold)
    );
    let old = Checkpoint::open(note.as_bytes(), &honest.verifier().expect("vkey"))
        .expect("honest")
        .0;
    let size = rewritten.len();
    assert_eq!(size, old.size);
    assert!(verify_consistency(size, size, &old.root, &rewritten.tree().root(), &[]).is_err());

    // A proof for another index, and a cosignature by a witness nobody trusts.
    let receipt = honest
        .receipt(earn as u64, note.as_bytes())
        .expect("receipt");
    let log = honest.verifier().expect("vkey");
    let leaf = leaf_hash(&forger.leaves[earn]);
    let mut wrong = receipt.clone();
    wrong.index += 1;
    assert_eq!(
        wrong.verify(&leaf, &log, &[], 0).map(|c| c.size),
        Err(TlogError::ProofDoesNotHold)
    );
    let trusted_key = SigningKey::from_bytes(&[7; 32]);
    let stranger = SigningKey::from_bytes(&[8; 32]);
    let mut cosigned = sign_checkpoint(&old, &log_key).expect("sign");
    cosigned.push(cosign(cosigned.text(), "witness.example/w9", &stranger, 1).expect("cosign"));
    let mut by_stranger = receipt.clone();
    by_stranger.checkpoint = cosigned.to_text().into_bytes();
    let trusted = NoteVerifier::new(
        "witness.example/w1",
        KeyKind::Cosignature,
        trusted_key.verifying_key().to_bytes(),
    )
    .expect("witness");
    assert_eq!(
        by_stranger
            .verify(&leaf, &log, &[&trusted], 1)
            .map(|c| c.size),
        Err(TlogError::TooFewWitnesses {
            needed: 1,
            found: 0
        })
    );
    assert_eq!(forger.log.tree().root(), honest.tree().root());
}

/// Review in a forged log: an approval a reviewer did not make, one of an
/// ordinary earn, one signed by an officer, a second one: each refused at
/// its leaf, with the rule it breaks.
#[test]
fn every_kind_of_review_tampering_is_caught() {
    let forger = Forger::new();
    let last = forger.leaves.len() - 1;
    let kind_of = |i: usize| forger.value(i)["entry"]["body"]["type"].clone();
    let append = |actor: &str, body: Value| forger.append(actor, body);
    let approval = (0..forger.leaves.len())
        .rev()
        .find(|&i| kind_of(i) == "approve")
        .expect("the demo approves claims");
    let claim = forger.value(approval)["entry"]["body"]["entry"]
        .as_u64()
        .expect("claim");
    let earn = (0..forger.leaves.len())
        .find(|&i| {
            kind_of(i) == "earn"
                && forger.value(i)["entry"]["body"]["activity"] != "dispute_mediation"
        })
        .expect("an ordinary earn");
    let approve = |entry: u64| json!({"entry": entry, "note": "", "type": "approve"});

    // A second approval of a decided claim.
    forger.refused(
        &append("reviewer-1", approve(claim)),
        last + 1,
        "claim_decided",
    );
    // An approval of an earn that needs no review.
    forger.refused(
        &append("reviewer-2", approve(earn as u64)),
        last + 1,
        "not_a_claim",
    );
    // An approval signed by an officer, who records claims but never decides them.
    forger.refused(
        &append("officer-1", approve(claim)),
        last + 1,
        "role_not_allowed",
    );
    // A pending claim approved by a kiosk.
    let pending = (0..forger.leaves.len())
        .rev()
        .find(|&i| {
            forger.value(i)["entry"]["body"]["activity"] == "dispute_mediation"
                && !(0..forger.leaves.len()).any(|j| {
                    matches!(kind_of(j).as_str(), Some("approve" | "reject"))
                        && forger.value(j)["entry"]["body"]["entry"] == json!(i)
                })
        })
        .expect("a claim still waits");
    forger.refused(
        &append("kiosk-2", approve(pending as u64)),
        last + 1,
        "role_not_allowed",
    );
    // The same approval by a reviewer stands, and the balance moves only then.
    let approved = forger
        .replay(&append("reviewer-1", approve(pending as u64)))
        .expect("a reviewer's approval stands");
    let resident = forger.value(pending)["entry"]["body"]["resident"]
        .as_str()
        .expect("resident")
        .to_owned();
    let honest = forger.replay(&forger.leaves).expect("honest");
    let points = ledger_core::Points::whole(10);
    assert_eq!(
        approved.ledger().balance(&resident),
        honest.ledger().balance(&resident).map(|b| b.plus(points))
    );
}

/// Deductions forged or misused: points other than the penalty's, by a
/// kiosk, a penalty defined by an officer, a second decision, a reversal
/// of a rejected one, and a redeem while the resident's redeeming is
/// suspended.
#[test]
fn every_kind_of_deduction_tampering_is_caught() {
    let forger = Forger::new();
    let last = forger.leaves.len() - 1;
    let body = |i: usize| forger.value(i)["entry"]["body"].clone();
    let decision_of = |claim: usize| {
        (claim..forger.leaves.len()).find(|&j| {
            matches!(body(j)["type"].as_str(), Some("approve" | "reject"))
                && body(j)["entry"] == json!(claim)
        })
    };
    let deductions: Vec<usize> = (0..forger.leaves.len())
        .filter(|&i| body(i)["type"] == "deduct")
        .collect();
    let mixed = deductions
        .iter()
        .copied()
        .find(|&i| body(i)["penalty"] == "mixed_waste")
        .expect("the demo deducts for mixed waste");
    let mut forged = body(mixed);
    forged["points"] = json!("1");
    forger.refused(
        &forger.append("officer-1", forged),
        last + 1,
        "deduct_points",
    );
    forger.refused(
        &forger.append("kiosk-1", body(mixed)),
        last + 1,
        "role_not_allowed",
    );
    let penalty = json!({"active": true, "id": "noise", "name": "噪音扰民", "points": "5",
        "suspend_days": 0, "type": "penalty"});
    forger.refused(
        &forger.append("officer-2", penalty),
        last + 1,
        "role_not_allowed",
    );
    let approved = deductions
        .iter()
        .copied()
        .find(|&i| decision_of(i).is_some_and(|j| body(j)["type"] == "approve"))
        .expect("an approved deduction");
    forger.refused(
        &forger.append(
            "reviewer-2",
            json!({"entry": approved, "note": "", "type": "approve"}),
        ),
        last + 1,
        "claim_decided",
    );
    let rejected = deductions
        .iter()
        .copied()
        .find(|&i| decision_of(i).is_some_and(|j| body(j)["type"] == "reject"))
        .expect("a rejected deduction");
    forger.refused(
        &forger.append(
            "officer-1",
            json!({"entry": rejected, "reason": "撤销", "type": "reverse"}),
        ),
        last + 1,
        "claim_rejected",
    );
    // The false claim near the end suspends its resident's redeeming for
    // a month: a kiosk's redeem for them now is refused, though they
    // have the points.
    let suspended = deductions
        .iter()
        .copied()
        .find(|&i| body(i)["penalty"] == "false_claim")
        .expect("the demo deducts for a false claim");
    let resident = body(suspended)["resident"].clone();
    let redeem = json!({"points": "5", "qty": 1, "request_id": "forged-1",
        "resident": resident, "reward": "bin-bags", "type": "redeem"});
    let honest = forger.replay(&forger.leaves).expect("honest");
    let balance = honest
        .ledger()
        .balance(resident.as_str().expect("code"))
        .expect("resident");
    assert!(balance >= ledger_core::Points::whole(5), "{balance}");
    forger.refused(
        &forger.append("kiosk-2", redeem),
        last + 1,
        "redeem_suspended",
    );
}

/// A redeem collected by someone who may not collect for the resident
/// (neither of the household nor a registered helper), sealed by a real
/// kiosk: refused where it stands. The demo's own collected redeems stand.
#[test]
fn a_redeem_collected_by_a_stranger_is_caught() {
    let forger = Forger::new();
    let last = forger.leaves.len() - 1;
    let honest = forger.replay(&forger.leaves).expect("honest");
    let state = honest.ledger().state();
    let collected = (0..forger.leaves.len())
        .filter(|&i| forger.value(i)["entry"]["body"]["collector"].is_string())
        .count();
    assert!(collected > 0, "the demo has collected redeems");
    let rich = state
        .residents()
        .iter()
        .max_by_key(|r| r.balance)
        .expect("a resident");
    let stranger = state
        .residents()
        .iter()
        .find(|r| {
            r.active
                && r.household != rich.household
                && !state.helpers_of(rich.code.as_str()).contains(&&r.code)
        })
        .expect("someone of another household");
    let redeem = json!({"collector": stranger.code.as_str(), "points": "5", "qty": 1,
        "request_id": "forged-collect", "resident": rich.code.as_str(), "reward": "bin-bags",
        "type": "redeem"});
    forger.refused(
        &forger.append("kiosk-2", redeem.clone()),
        last + 1,
        "collector_not_allowed",
    );
    // The same redeem without a collector stands.
    let mut plain = redeem;
    plain.as_object_mut().expect("body").remove("collector");
    forger
        .replay(&forger.append("kiosk-2", plain))
        .expect("collected by the resident");
}

/// Hours forged: an hourly earn re-signed with more hours than its points
/// pay for, or with its hours left out, and an ordinary earn given hours.
#[test]
fn every_kind_of_hours_tampering_is_caught() {
    let forger = Forger::new();
    let last = forger.leaves.len() - 1;
    let hourly = (0..forger.leaves.len())
        .find(|&i| forger.value(i)["entry"]["body"]["hours"].is_string())
        .expect("the demo counts volunteer service in hours");
    let body = forger.value(hourly)["entry"]["body"].clone();
    assert_eq!(body["activity"], "volunteer_service");

    // Twice the hours for the same points: the points no longer match.
    let mut leaves = forger.leaves.clone();
    let mut more = forger.value(hourly);
    more["entry"]["body"]["hours"] = json!("12");
    leaves[hourly] = forger.seal(&mut more);
    forger.refused(&leaves, hourly, "earn_points");

    // The hours left out of an hourly earn.
    let mut leaves = forger.leaves.clone();
    let mut none = forger.value(hourly);
    none["entry"]["body"]
        .as_object_mut()
        .expect("body")
        .remove("hours");
    leaves[hourly] = forger.seal(&mut none);
    forger.refused(&leaves, hourly, "hours_needed");

    // Hours on an activity counted each time.
    let mut sorting = body.clone();
    sorting["activity"] = json!("garbage_sorting");
    sorting["points"] = json!("1");
    sorting["hours"] = json!("1");
    forger.refused(&forger.append("officer-1", sorting), last + 1, "not_hourly");

    // The honest hourly earn, appended again for one hour, stands.
    let mut again = body;
    again["hours"] = json!("1");
    again["points"] = json!("3");
    forger
        .replay(&forger.append("officer-1", again))
        .expect("an hour of volunteer service");
}

/// A household's monthly limit: a real kiosk's redeem past it is refused
/// where it stands, and a forged reward definition without the limit, by
/// a kiosk, is refused too.
#[test]
fn a_redeem_past_a_households_limit_is_caught() {
    let forger = Forger::new();
    let last = forger.leaves.len() - 1;
    let honest = forger.replay(&forger.leaves).expect("honest");
    let state = honest.ledger().state();
    let rice = state.reward("rice").expect("rice");
    assert_eq!(rice.household_monthly, Some(2), "the demo limits rice");
    // The richest resident asks for three bags at once: past two a month.
    let rich = state
        .residents()
        .iter()
        .filter(|r| r.active)
        .max_by_key(|r| r.balance)
        .expect("a resident");
    let now = forger.value(last)["log_ts"].as_u64().expect("log_ts");
    let (used, _) = state.household_month(rich.household.as_str(), "rice", now);
    let over = 3 - used;
    let cost = rice.cost.times(over);
    let redeem = json!({"points": cost.to_wire(), "qty": over, "request_id": "forged-rice",
        "resident": rich.code.as_str(), "reward": "rice", "type": "redeem"});
    forger.refused(
        &forger.append("kiosk-2", redeem),
        last + 1,
        "household_limit",
    );
    // Only an admin defines rewards, and so their limits.
    let unlimited = json!({"active": true, "cost": rice.cost.to_wire(), "id": "rice",
        "name": rice.name.as_str(), "type": "reward"});
    forger.refused(
        &forger.append("kiosk-2", unlimited),
        last + 1,
        "role_not_allowed",
    );
}

/// Transfers forged: more than the giver has (re-signed by the kiosk that
/// wrote it), more than the admin allows at once, allowed by an officer,
/// and a reversal of one.
#[test]
fn every_kind_of_transfer_tampering_is_caught() {
    let forger = Forger::new();
    let last = forger.leaves.len() - 1;
    let given = (0..forger.leaves.len())
        .find(|&i| forger.value(i)["entry"]["body"]["type"] == "transfer")
        .expect("the demo has transfers");
    let body = forger.value(given)["entry"]["body"].clone();

    // The same transfer, re-signed to give far more than the giver had.
    let mut leaves = forger.leaves.clone();
    let mut more = forger.value(given);
    more["entry"]["body"]["points"] = json!("19.99");
    more["entry"]["body"]["resident"] = body["to"].clone();
    more["entry"]["body"]["to"] = body["resident"].clone();
    leaves[given] = forger.seal(&mut more);
    forger.refused(&leaves, given, "insufficient_points");

    // More than the admin allows at once.
    let mut large = body.clone();
    large["points"] = json!("25");
    forger.refused(
        &forger.append("kiosk-2", large),
        last + 1,
        "transfer_too_large",
    );
    // Only the admin allows transfers, and a transfer is not reversed.
    let allow = json!({"active": true, "points": "500", "type": "transfers"});
    forger.refused(
        &forger.append("officer-1", allow),
        last + 1,
        "role_not_allowed",
    );
    let undo = json!({"entry": given, "reason": "反悔", "type": "reverse"});
    forger.refused(&forger.append("officer-1", undo), last + 1, "reverse_kind");
}
