//! The demo community as a v2 log: the same year of activity as
//! [`crate::demo`], each entry signed by the device that wrote it, with
//! the offline policy set at the start, `kiosk-1` offline for most of a
//! day in the middle of the year (its queue handed over when it is back),
//! and, at the end, both kiosks offline spending one resident's points at
//! once, so that the resident owes the rest. Dispute mediation needs
//! review here: a reviewer of the 红管家 group approves each claim half
//! an hour later, rejects about one in ten, and those of the last two days
//! still wait. Deductions too: now and then an officer deducts points
//! from a resident for mixed waste (reviewed like a claim: one in three is
//! rejected), and once, near the end, deducts for a false claim, which
//! also suspends the resident's redeeming for a month. Now and then a
//! redeem is collected by a family member, or by a neighbour registered as
//! the resident's helper (代领). Volunteer service is counted in hours:
//! an hour or two each time, at its points per hour. Rice is limited to
//! two bags a household a month (a redeem past it is refused and left out).
//! Transfers are allowed, up to 20 points each; now and then a resident
//! with points to spare gives five to the neighbour who has the fewest.

use std::collections::HashMap;

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use super::community::Log;
use super::wire::{DeviceDraft, DeviceEntry, LogKey, OfflinePolicy};
use crate::demo::{DemoConfig, generate_with_progress};
use crate::entry::{Body, Entry, PublicKey};
use crate::model::{ActorId, EntryHash, Points, RequestId, Role, Seq};

/// The kiosk that goes offline for most of a day.
pub const OFFLINE_KIOSK: &str = "kiosk-1";

/// The activity whose earns need review.
pub const REVIEWED_ACTIVITY: &str = "dispute_mediation";

/// The activity counted in hours, and its daily cap here (six hours).
pub const HOURLY_ACTIVITY: &str = "volunteer_service";
const HOURLY_CAP: u32 = 18;

/// The reward limited per household, and its monthly limit.
pub const HOUSEHOLD_LIMITED: (&str, u32) = ("rice", 2);

/// The reviewers, who take turns.
pub const REVIEWERS: [&str; 2] = ["reviewer-1", "reviewer-2"];

/// How long after a claim its review comes.
const REVIEW_AFTER_MS: u64 = 30 * 60_000;

/// The penalties the admin defines with the reviewers: id, name, points
/// and days of suspension.
pub const PENALTIES: [(&str, &str, u32, u32); 2] = [
    ("mixed_waste", "混投垃圾（劝导后仍未分类）", 5, 0),
    ("false_claim", "虚报活动骗取积分", 20, 30),
];

/// One mixed-waste deduction every this many entries of the year.
const DEDUCT_EVERY: u64 = 97;

/// A redeem at every this many entries is collected by someone else (代领).
const COLLECTED_EVERY: u64 = 10;

/// How often a resident gives points to a neighbour, in entries of the script.
const TRANSFER_EVERY: u64 = 151;

/// A generated v2 log and everything needed to write to it.
pub struct DemoLog {
    /// The log.
    pub log: Log,
    /// Every device's secret seed, and the log's (as `log`).
    pub keys: Vec<(ActorId, [u8; 32])>,
    /// Entries of the v1 year that could not stand in the new order (a
    /// reversal of an entry still in the offline queue): left out.
    pub left_out: u64,
}

/// Each device's own chain, as it signs.
struct Devices {
    keys: HashMap<ActorId, SigningKey>,
    next: HashMap<ActorId, (u64, EntryHash)>,
    ledger: crate::model::LedgerId,
}

impl Devices {
    fn sign(
        &mut self,
        actor: &ActorId,
        ts_ms: u64,
        body: Body,
        settings: Settings,
    ) -> Option<DeviceEntry> {
        let key = self.keys.get(actor)?;
        let (dev_seq, dev_prev) = self
            .next
            .get(actor)
            .copied()
            .unwrap_or((0, EntryHash::ZERO));
        let entry = DeviceEntry::sign(
            DeviceDraft {
                ledger: self.ledger.clone(),
                actor: actor.clone(),
                dev_seq,
                dev_prev,
                ts_ms,
                body,
                log: settings.0,
                policy: settings.1,
            },
            key,
        );
        self.next.insert(actor.clone(), (dev_seq + 1, entry.hash));
        Some(entry)
    }
}

type Settings = (Option<LogKey>, Option<OfflinePolicy>);

/// The demo's log key, from its seed.
fn log_key(seed: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"jifen demo log key");
    hasher.update(seed.to_le_bytes());
    hasher.finalize().into()
}

/// The demo policy: a day to upload, up to 10,000 queued, 500 points a
/// redeem and 2,000 a resident a day.
pub fn demo_policy() -> OfflinePolicy {
    OfflinePolicy {
        max_points: Points::whole(500),
        max_points_per_day: Points::whole(2_000),
        max_queued: OfflinePolicy::MAX_QUEUED,
        upload_within_hours: 24,
    }
}

/// Generates the demo log for `origin`. Long because it is the year's
/// script in log order: genesis and policy, the year with its offline
/// day, the last queue handed over, and the two kiosks at the end.
pub fn generate_log(
    config: &DemoConfig,
    origin: &str,
    mut progress: impl FnMut(u64),
) -> Option<DemoLog> {
    let mut v1 = generate_with_progress(config, &mut progress);
    let entries: Vec<Entry> = v1.ledger.entries().to_vec();
    for reviewer in REVIEWERS {
        let seed = crate::demo::demo_secret(config.seed, reviewer);
        v1.keys.push((reviewer.parse::<ActorId>().ok()?, seed));
    }
    let log_seed = log_key(config.seed);
    let log_signing = SigningKey::from_bytes(&log_seed);
    let named = LogKey {
        origin: origin.to_owned(),
        key: PublicKey(log_signing.verifying_key().to_bytes()),
    };
    let mut devices = Devices {
        keys: v1
            .keys
            .iter()
            .map(|(id, s)| (id.clone(), SigningKey::from_bytes(s)))
            .collect(),
        next: HashMap::new(),
        ledger: v1.ledger.id().clone(),
    };
    let first = entries.first()?;
    let genesis = devices.sign(
        &first.actor,
        first.ts_ms,
        first.body.clone(),
        (Some(named), None),
    )?;
    let (mut log, _) = Log::start(&genesis.to_bytes(), first.ts_ms).ok()?;
    let admin = first.actor.clone();
    let admin_key = PublicKey(devices.keys.get(&admin)?.verifying_key().to_bytes());
    let restate = Body::Actor {
        id: admin.clone(),
        role: Role::Admin,
        pubkey: admin_key,
        active: true,
    };
    let policy = devices.sign(&admin, first.ts_ms, restate, (None, Some(demo_policy())))?;
    log.submit(&policy.to_bytes(), first.ts_ms).ok()?;
    let start = first.ts_ms;
    let end = entries.last().map_or(start, |e| e.ts_ms);
    let offline_from = start + (end - start) / 2;
    let offline_until = offline_from + 20 * 3_600_000;
    let offline = OFFLINE_KIOSK.parse::<ActorId>().ok()?;
    let mut leaf_of: HashMap<u64, u64> = HashMap::new();
    let mut queue: Vec<(u64, DeviceEntry)> = Vec::new();
    let mut left_out = 0;
    let mut review = Review::default();
    let headroom = Headroom::of(&entries);
    let mut transfers_on = false;
    for entry in entries.iter().skip(1) {
        review.due(&mut log, &mut devices, entry.ts_ms);
        if entry.ts_ms >= offline_until && !queue.is_empty() {
            // Back online: the queue is handed over, in the order signed.
            for (seq, late) in queue.drain(..) {
                match log.submit(&late.to_bytes(), entry.ts_ms) {
                    Ok(done) => _ = leaf_of.insert(seq, done.index),
                    Err(_) => left_out += 1,
                }
            }
        }
        let mut body = entry.body.clone();
        let claim =
            matches!(&body, Body::Earn { activity, .. } if activity.as_str() == REVIEWED_ACTIVITY);
        if let Body::Activity { id, review, .. } = &mut body
            && id.as_str() == REVIEWED_ACTIVITY
        {
            *review = true;
            register_reviewers(&mut log, &mut devices, &admin, entry.ts_ms)?;
        }
        by_the_hour(&mut body, entry.seq.0);
        if entry.seq.0 % DEDUCT_EVERY == 0 || entry.seq.0 + 40 == entries.len() as u64 {
            let suspend = entry.seq.0 % DEDUCT_EVERY != 0;
            let at = (entry.ts_ms, entry.seq.0);
            if let Some(leaf) = deduct(&mut log, &mut devices, at, suspend, &headroom) {
                review.claims.push((entry.ts_ms + REVIEW_AFTER_MS, leaf));
            }
        }
        if entry.seq.0 % TRANSFER_EVERY == 0 {
            let at = (entry.ts_ms, entry.seq.0);
            given(
                &mut log,
                &mut devices,
                (&admin, &mut transfers_on),
                at,
                &headroom,
            );
        }
        if entry.seq.0 % COLLECTED_EVERY == 0 {
            collected(&mut log, &mut devices, &admin, entry.ts_ms, &mut body);
        }
        if let Body::Reverse { entry: target, .. } = &mut body {
            match leaf_of.get(&target.0) {
                Some(&index) => *target = Seq(index),
                None => {
                    left_out += 1;
                    continue;
                }
            }
        }
        let signed = devices.sign(&entry.actor, entry.ts_ms, body, (None, None))?;
        if entry.actor == offline && (offline_from..offline_until).contains(&entry.ts_ms) {
            queue.push((entry.seq.0, signed));
            continue;
        }
        match log.submit(&signed.to_bytes(), entry.ts_ms) {
            Ok(done) => {
                leaf_of.insert(entry.seq.0, done.index);
                // The claims of the year's last two days still wait.
                if claim && entry.ts_ms + 2 * 86_400_000 < end {
                    review
                        .claims
                        .push((entry.ts_ms + REVIEW_AFTER_MS, done.index));
                }
            }
            Err(_) => left_out += 1,
        }
        if entry.seq.0 % 4096 == 0 {
            progress(entry.seq.0);
        }
    }
    both_kiosks_at_once(&mut log, &mut devices, end);
    let mut keys = v1.keys;
    keys.push(("log".parse::<ActorId>().ok()?, log_seed));
    Some(DemoLog {
        log,
        keys,
        left_out,
    })
}

/// Volunteer service counted in hours: the activity says so, and each
/// earn is an hour or, one time in three, two (never fewer points than the
/// script's one, so every later redeem of the script still fits); and rice
/// limited per household.
fn by_the_hour(body: &mut Body, seq: u64) {
    match body {
        Body::Activity {
            id,
            per_hour,
            daily_cap,
            ..
        } if id.as_str() == HOURLY_ACTIVITY => {
            *per_hour = true;
            *daily_cap = Points::whole(HOURLY_CAP);
        }
        Body::Earn {
            activity,
            points,
            hours,
            ..
        } if activity.as_str() == HOURLY_ACTIVITY => {
            let half_hours = if seq.is_multiple_of(3) { 4 } else { 2 };
            *points = points.per_half_hours(half_hours);
            *hours = Some(half_hours);
        }
        Body::Reward {
            id,
            household_monthly,
            ..
        } if id.as_str() == HOUSEHOLD_LIMITED.0 => *household_monthly = Some(HOUSEHOLD_LIMITED.1),
        _ => {}
    }
}

/// The reviewers registered by the admin, and the penalties defined, when
/// the activity that needs review is defined.
fn register_reviewers(
    log: &mut Log,
    devices: &mut Devices,
    admin: &ActorId,
    ts_ms: u64,
) -> Option<()> {
    for reviewer in REVIEWERS {
        if log.ledger().state().actor(reviewer).is_some() {
            continue;
        }
        let id = reviewer.parse::<ActorId>().ok()?;
        let key = devices.keys.get(&id)?;
        let body = Body::Actor {
            id: id.clone(),
            role: Role::Reviewer,
            pubkey: PublicKey(key.verifying_key().to_bytes()),
            active: true,
        };
        let signed = devices.sign(admin, ts_ms, body, (None, None))?;
        log.submit(&signed.to_bytes(), ts_ms).ok()?;
    }
    for (id, name, points, suspend_days) in PENALTIES {
        let body = Body::Penalty {
            id: id.parse().ok()?,
            name: text(name),
            points: Points::whole(points),
            suspend_days,
            active: true,
        };
        let signed = devices.sign(admin, ts_ms, body, (None, None))?;
        log.submit(&signed.to_bytes(), ts_ms).ok()?;
    }
    Some(())
}

/// For each resident, the year's entries that move their points (in
/// hundredths, reviewed earns counted as nothing), and from each one on,
/// the lowest their balance goes relative to just before it: how much a
/// deduction may take without making a later redeem of the script fail.
struct Headroom {
    lowest: HashMap<crate::model::ResidentCode, Vec<(u64, i64, bool)>>,
}

impl Headroom {
    fn of(entries: &[Entry]) -> Headroom {
        let mut moves: HashMap<crate::model::ResidentCode, Vec<(u64, i64, bool)>> = HashMap::new();
        let change = |body: &Body| -> Option<(crate::model::ResidentCode, i64, bool)> {
            match body {
                Body::Earn {
                    resident,
                    activity,
                    points,
                    ..
                } => {
                    let counted = activity.as_str() != REVIEWED_ACTIVITY;
                    Some((
                        resident.clone(),
                        if counted { points.hundredths() } else { 0 },
                        false,
                    ))
                }
                Body::Redeem {
                    resident, points, ..
                } => Some((resident.clone(), -points.hundredths(), true)),
                _ => None,
            }
        };
        for entry in entries {
            let moved = match &entry.body {
                Body::Reverse { entry: target, .. } => entries
                    .get(target.0 as usize)
                    .and_then(|t| change(&t.body))
                    .map(|(who, delta, redeem)| (who, if redeem { 0 } else { -delta }, false)),
                body => change(body),
            };
            if let Some((who, delta, redeem)) = moved {
                moves
                    .entry(who)
                    .or_default()
                    .push((entry.seq.0, delta, redeem));
            }
        }
        for list in moves.values_mut() {
            let mut after = 0i64;
            let mut redeems_after = false;
            for (_, delta, redeem) in list.iter_mut().rev() {
                after = (*delta + after).min(0);
                redeems_after |= *redeem;
                (*delta, *redeem) = (after, redeems_after);
            }
        }
        Headroom { lowest: moves }
    }

    /// How far (hundredths, zero or negative) the resident's balance falls
    /// below today's in the rest of the script from `seq` on, and whether
    /// they redeem again.
    fn after(&self, code: &crate::model::ResidentCode, seq: u64) -> (i64, bool) {
        let Some(list) = self.lowest.get(code) else {
            return (0, false);
        };
        let next = list.partition_point(|&(at, _, _)| at < seq);
        list.get(next)
            .map_or((0, false), |&(_, low, redeems)| (low, redeems))
    }
}

/// An officer's deduction (once the penalties are defined) from the
/// resident with the most points of those whose later redeems it cannot
/// make fail: for mixed waste, or for a false claim (`suspend`) from one
/// who redeems nothing in the rest of the year. The deduction's leaf.
fn deduct(
    log: &mut Log,
    devices: &mut Devices,
    (ts_ms, seq): (u64, u64),
    suspend: bool,
    headroom: &Headroom,
) -> Option<u64> {
    let (penalty, _, points, _) = PENALTIES[usize::from(suspend)];
    let state = log.ledger().state();
    state.penalty(penalty)?;
    let taken = Points::whole(points).hundredths();
    let resident = state
        .residents
        .iter()
        .filter(|r| r.active && r.debt == Points::ZERO)
        .filter(|r| {
            let (low, redeems) = headroom.after(&r.code, seq);
            // A margin of a whole deduction: claims and rejections move too.
            r.balance.hundredths() + low >= 2 * taken && !(suspend && redeems)
        })
        .max_by_key(|r| r.balance)?;
    let reason = if suspend {
        "同一次巡逻重复登记两次，经核实为虚报"
    } else {
        "网格员连续三次劝导后仍混投厨余垃圾"
    };
    let body = Body::Deduct {
        resident: resident.code.clone(),
        penalty: penalty.parse().ok()?,
        points: Points::whole(points),
        reason: text(reason),
    };
    let officer = "officer-1".parse::<ActorId>().ok()?;
    let at = ts_ms.max(log.ledger().last_ts_ms());
    let signed = devices.sign(&officer, at, body, (None, None))?;
    log.submit(&signed.to_bytes(), at)
        .ok()
        .map(|done| done.index)
}

/// Five points given by the resident with the most to spare (their later
/// redeems of the script still fit) to the active neighbour with the
/// fewest, at `kiosk-2`; the admin allows transfers first (once).
fn given(
    log: &mut Log,
    devices: &mut Devices,
    (admin, allowed): (&ActorId, &mut bool),
    (ts_ms, seq): (u64, u64),
    headroom: &Headroom,
) -> Option<u64> {
    let at = ts_ms.max(log.ledger().last_ts_ms());
    if !*allowed {
        let allow = Body::Transfers {
            active: true,
            points: Points::whole(20),
        };
        let signed = devices.sign(admin, at, allow, (None, None))?;
        log.submit(&signed.to_bytes(), at).ok()?;
        *allowed = true;
    }
    let points = Points::whole(5);
    let state = log.ledger().state();
    let active = || state.residents.iter().filter(|r| r.active);
    let giver = active()
        .filter(|r| {
            let (low, _) = headroom.after(&r.code, seq);
            r.debt == Points::ZERO && r.balance.hundredths() + low >= 3 * points.hundredths()
        })
        .max_by_key(|r| r.balance)?;
    let receiver = active()
        .filter(|r| r.code != giver.code)
        .min_by_key(|r| r.balance)?;
    let body = Body::Transfer {
        resident: giver.code.clone(),
        to: receiver.code.clone(),
        points,
        note: text("送给邻居买米"),
    };
    let kiosk = "kiosk-2".parse::<ActorId>().ok()?;
    let signed = devices.sign(&kiosk, at, body, (None, None))?;
    log.submit(&signed.to_bytes(), at)
        .ok()
        .map(|done| done.index)
}

/// A redeem collected by someone else: a resident of the same household
/// if there is one, else a neighbour the admin registers as the
/// resident's helper first (once). Other bodies stay as they are.
fn collected(log: &mut Log, devices: &mut Devices, admin: &ActorId, ts_ms: u64, body: &mut Body) {
    let Body::Redeem {
        resident,
        collector,
        ..
    } = body
    else {
        return;
    };
    let state = log.ledger().state();
    let Some(record) = state.resident(resident.as_str()) else {
        return;
    };
    let others = || {
        state
            .residents
            .iter()
            .filter(|r| r.active && r.code != record.code)
    };
    let family = others().find(|r| r.household == record.household);
    let who = match family {
        Some(member) => member.code.clone(),
        None => {
            let Some(neighbour) = others().find(|r| r.area == record.area) else {
                return;
            };
            let neighbour = neighbour.code.clone();
            if !state.helpers_of(resident.as_str()).contains(&&neighbour) {
                let registration = Body::Helper {
                    resident: resident.clone(),
                    helper: neighbour.clone(),
                    active: true,
                };
                let at = ts_ms.max(log.ledger().last_ts_ms());
                let Some(signed) = devices.sign(admin, at, registration, (None, None)) else {
                    return;
                };
                if log.submit(&signed.to_bytes(), at).is_err() {
                    return;
                }
            }
            neighbour
        }
    };
    *collector = Some(who);
}

/// Claims (and deductions) waiting for their review: when it comes, and
/// the claim's leaf.
#[derive(Default)]
struct Review {
    claims: Vec<(u64, u64)>,
    done: u64,
    reject_next: bool,
    deductions: u64,
}

impl Review {
    /// The reviews due by `now`, in the order the claims came: each
    /// approved, or, about one in ten, rejected. Claims whose review is not due
    /// when the year ends still wait.
    fn due(&mut self, log: &mut Log, devices: &mut Devices, now: u64) {
        let due = self.claims.iter().take_while(|(at, _)| *at <= now).count();
        for (at, claim) in self.claims.drain(..due).collect::<Vec<_>>() {
            let reviewer = REVIEWERS[(self.done % 2) as usize];
            let deduction = match log.ledger().entry(Seq(claim)).map(|e| &e.body) {
                Some(Body::Deduct { penalty, .. }) => Some(penalty.as_str() == PENALTIES[1].0),
                _ => None,
            };
            // A rejection only where the points are not missed later: the
            // year's script was written with every claim counted.
            let well_off = log
                .ledger()
                .entry(Seq(claim))
                .and_then(|e| match &e.body {
                    Body::Earn { resident, .. } => log.ledger().balance(resident.as_str()),
                    _ => None,
                })
                .is_some_and(|balance| balance >= Points::whole(40));
            // Deductions are not counted in the claims' turns.
            self.done += u64::from(deduction.is_none());
            self.reject_next |= deduction.is_none() && self.done.is_multiple_of(10);
            let body = if let Some(suspends) = deduction {
                self.deductions += 1;
                if !suspends && self.deductions % 3 == 2 {
                    Body::Reject {
                        claim: Seq(claim),
                        reason: text("复核：当日为误投，已现场纠正"),
                    }
                } else {
                    Body::Approve {
                        claim: Seq(claim),
                        note: text("红管家小组复核属实"),
                    }
                }
            } else if self.reject_next && well_off {
                self.reject_next = false;
                Body::Reject {
                    claim: Seq(claim),
                    reason: text("调解未成，双方均不认可"),
                }
            } else {
                Body::Approve {
                    claim: Seq(claim),
                    note: text("红管家小组回访核实"),
                }
            };
            let Some(actor) = reviewer.parse::<ActorId>().ok() else {
                continue;
            };
            let at = at.max(log.ledger().last_ts_ms());
            if let Some(signed) = devices.sign(&actor, at, body, (None, None)) {
                // A claim withdrawn meanwhile is not reviewed: refused.
                let _ = log.submit(&signed.to_bytes(), at);
            }
        }
    }
}

fn text(value: &str) -> crate::model::Text {
    crate::model::Text::parse(value, crate::limits::MAX_TEXT_BYTES, true)
        .unwrap_or_else(|_| unreachable!("a demo text fits"))
}

/// Both kiosks, offline, each hand a resident with a few points enough
/// rice for all of them: both redeems stand, and the resident owes the rest.
fn both_kiosks_at_once(log: &mut Log, devices: &mut Devices, end: u64) -> Option<()> {
    let state = log.ledger().state();
    let reward = state
        .rewards
        .iter()
        .filter(|r| r.active)
        .min_by_key(|r| r.cost)?;
    let (reward_id, cost) = (reward.id.clone(), reward.cost);
    let resident = state
        .residents
        .iter()
        .find(|r| r.balance >= cost && r.balance <= cost.times(4))?;
    let (code, balance) = (resident.code.clone(), resident.balance);
    let qty = (1..=4).rev().find(|&q| cost.times(q) <= balance)?;
    let kiosks = ["kiosk-1", "kiosk-2"].map(|k| k.parse::<ActorId>().ok());
    for (n, kiosk) in kiosks.iter().enumerate() {
        let kiosk = kiosk.as_ref()?;
        let body = Body::Redeem {
            collector: None,
            resident: code.clone(),
            reward: reward_id.clone(),
            qty,
            points: cost.times(qty),
            request_id: format!("demo-at-once-{n}").parse::<RequestId>().ok()?,
        };
        let signed = devices.sign(kiosk, end + 60_000 + n as u64, body, (None, None))?;
        log.submit(&signed.to_bytes(), end + 2 * 3_600_000 + n as u64)
            .ok()?;
    }
    Some(())
}
