//! The state a ledger's entries add up to, and the rules. `check` decides
//! whether an entry may follow, without changing anything; `apply` then
//! records it. The same two steps run on append and on every replay, so a
//! rule cannot differ between writing and verifying.

mod activity;
mod actor;
mod deduct;
mod earn;
mod helper;
mod redeem;
mod resident;
mod reverse;
mod review;
mod reward;
mod stock;
mod transfer;

use ed25519_dalek::VerifyingKey;

use review::Claim;
pub use review::ClaimStatus;

use crate::codec::{Reader, Writer};
use crate::entry::{Body, Entry, PublicKey};
use crate::error::RuleError;
use crate::limits;
use crate::model::{
    ActivityId, ActorId, PlaceCode, Points, RequestId, ResidentCode, RewardId, Role, Seq, Text,
    local_day,
};

/// A registered actor.
#[derive(Debug, Clone)]
pub struct ActorRecord {
    /// Its id.
    pub id: ActorId,
    /// What it may do.
    pub role: Role,
    /// Its registered key.
    pub pubkey: PublicKey,
    /// Whether it may sign now.
    pub active: bool,
    pub(crate) verifying_key: VerifyingKey,
}

/// A registered resident and their running balance.
#[derive(Debug, Clone)]
pub struct ResidentRecord {
    /// Their code.
    pub code: ResidentCode,
    /// Their household.
    pub household: PlaceCode,
    /// Their service area.
    pub area: PlaceCode,
    /// Whether they may earn.
    pub active: bool,
    /// Current balance.
    pub balance: Points,
    /// Points owed: what late (offline) redeems took beyond the balance,
    /// paid back by the next earns before they count as balance. Zero in
    /// a v1 ledger, where no redeem can overdraw.
    pub debt: Points,
    /// Points earned in all, net of reversed earns.
    pub earned_total: Points,
    /// Seqs of the entries that touch them (earns, redeems, reversals), oldest first.
    pub(crate) history: Vec<u32>,
    /// Approved deductions that suspend redeeming: the deduction's seq and
    /// the first local day on which the resident may redeem again.
    pub(crate) suspensions: Vec<(u32, i64)>,
}

impl ResidentRecord {
    /// Points coming in pay back any debt first; the rest is balance.
    fn receive(&mut self, points: Points) {
        let repaid = if points < self.debt {
            points
        } else {
            self.debt
        };
        self.debt = self.debt.minus(repaid).unwrap_or_default();
        self.balance = self.balance.plus(points.minus(repaid).unwrap_or_default());
    }

    /// Points taken by a deduction: from the balance, and what it lacks
    /// becomes debt.
    fn lose(&mut self, points: Points) {
        match self.balance.minus(points) {
            Some(left) => self.balance = left,
            None => {
                let owed = points.minus(self.balance).unwrap_or_default();
                self.debt = self.debt.plus(owed);
                self.balance = Points::ZERO;
            }
        }
    }
}

/// A defined activity.
#[derive(Debug, Clone)]
pub struct ActivityRecord {
    /// Its id.
    pub id: ActivityId,
    /// Its name.
    pub name: Text,
    /// Points for one occurrence.
    pub points: Points,
    /// Most points per resident per local day.
    pub daily_cap: Points,
    /// Whether it can be recorded.
    pub active: bool,
    /// Whether its earns count only once a reviewer approves them.
    pub review: bool,
    /// Whether it is counted in hours (`points` per hour).
    pub per_hour: bool,
}

/// A defined penalty (v2).
#[derive(Debug, Clone)]
pub struct PenaltyRecord {
    /// Its id.
    pub id: ActivityId,
    /// Its name.
    pub name: Text,
    /// Points one deduction takes.
    pub points: Points,
    /// Local days of suspension of redeeming from the approval.
    pub suspend_days: u32,
    /// Whether it can be recorded.
    pub active: bool,
}

/// A defined reward and its stock.
#[derive(Debug, Clone)]
pub struct RewardRecord {
    /// Its id.
    pub id: RewardId,
    /// Its name.
    pub name: Text,
    /// Points per item.
    pub cost: Points,
    /// Whether it can be redeemed.
    pub active: bool,
    /// Items in stock.
    pub stock: i64,
    /// Items one household may redeem in a local month, if limited.
    pub household_monthly: Option<u32>,
}

/// Everything the entries so far add up to.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub(crate) utc_offset_minutes: i32,
    pub(crate) last_ts_ms: u64,
    pub(crate) actors: Vec<ActorRecord>,
    actor_index: Map<ActorId, u32>,
    key_owner: Map<[u8; 32], u32>,
    pub(crate) residents: Vec<ResidentRecord>,
    resident_index: Map<ResidentCode, u32>,
    pub(crate) activities: Vec<ActivityRecord>,
    activity_index: Map<ActivityId, u32>,
    pub(crate) rewards: Vec<RewardRecord>,
    reward_index: Map<RewardId, u32>,
    pub(crate) penalties: Vec<PenaltyRecord>,
    penalty_index: Map<ActivityId, u32>,
    /// Helpers the admin registered: (resident, helper) may collect.
    helpers: Map<(u32, u32), ()>,
    /// Items of each reward each household redeemed in the latest local
    /// month it redeemed any (month index, items): what a household limit
    /// counts. Ledger time never goes back, so only that month is kept.
    household_used: Map<(PlaceCode, u32), (i64, u32)>,
    /// The most one transfer may give, while the admin allows transfers.
    transfers: Option<Points>,
    pub(crate) request_ids: Map<RequestId, u32>,
    reversed_by: Map<u32, u32>,
    /// Late earns that their daily cap cut short: the points they counted
    /// (what a reversal takes back).
    pub(crate) capped: Map<u32, Points>,
    /// Earns of activities that needed review, and deductions, by seq.
    pub(crate) claims: Map<u32, Claim>,
    /// The local day of the latest entry, and what each (resident, activity)
    /// earned on it. `ts` never goes back, so no earlier day can gain points
    /// again and only this one day needs counting.
    today: i64,
    earned_today: Map<(u32, u32), Points>,
}

/// What `check` found, with every lookup resolved, for `apply` to record.
#[derive(Debug)]
pub(crate) enum Effect {
    Genesis {
        utc_offset_minutes: i32,
        admin: ActorRecord,
    },
    NewActor(ActorRecord),
    SetActorActive(u32, bool),
    NewResident(ResidentRecord),
    UpdateResident(u32, PlaceCode, PlaceCode, bool),
    NewActivity(ActivityRecord),
    UpdateActivity(u32, ActivityRecord),
    NewReward(RewardRecord),
    UpdateReward(u32, Text, Points, bool, Option<u32>),
    SetStock(u32, i64),
    NewPenalty(PenaltyRecord),
    /// A helper registered for a resident (`true`) or withdrawn.
    SetHelper(u32, u32, bool),
    UpdatePenalty(u32, PenaltyRecord),
    /// A deduction, pending until a reviewer decides it.
    DeductClaim {
        resident: u32,
        penalty: u32,
        points: Points,
        suspend_days: u32,
    },
    Earn {
        resident: u32,
        activity: u32,
        points: Points,
        day: i64,
    },
    /// An earn that needs review: its room under the cap, and no points yet.
    Claim {
        resident: u32,
        activity: u32,
        points: Points,
    },
    /// A claim approved (its points count, or a deduction's are taken)
    /// or rejected.
    Decide {
        claim: u32,
        resident: u32,
        points: Points,
        approve: bool,
        /// A deduction's days of suspension.
        deduct: Option<u32>,
    },
    Redeem {
        resident: u32,
        reward: u32,
        qty: u32,
        points: Points,
        request_id: RequestId,
        /// Made offline and late: may overdraw (the rest becomes debt) and
        /// take more than the stock (which stops at zero).
        late: bool,
        /// The local month it counts in, for the household's limit.
        month: i64,
    },
    /// An earn reversed, or a claim still pending withdrawn (`counted`
    /// false: its room under the cap comes back, and no points).
    ReverseEarn {
        target: u32,
        resident: u32,
        activity: u32,
        points: Points,
        day: i64,
        counted: bool,
    },
    /// Transfers allowed up to so many points each, or stopped.
    SetTransfers(Option<Points>),
    /// Points given by one resident to another.
    Transfer {
        from: u32,
        to: u32,
        points: Points,
    },
    ReverseRedeem {
        target: u32,
        resident: u32,
        reward: u32,
        qty: u32,
        points: Points,
        /// The local month the redeem counted in.
        month: i64,
    },
    /// A deduction reversed: withdrawn while pending (`counted` false), or
    /// its points given back and its suspension lifted.
    ReverseDeduct {
        target: u32,
        resident: u32,
        points: Points,
        counted: bool,
    },
}

fn seq_index(seq: Seq) -> u32 {
    u32::try_from(seq.0).unwrap_or(u32::MAX)
}

fn allowed_roles(body: &Body) -> &'static [Role] {
    match body {
        Body::Genesis { .. } => &[Role::Admin],
        Body::Actor { .. }
        | Body::Resident { .. }
        | Body::Activity { .. }
        | Body::Reward { .. }
        | Body::Stock { .. }
        | Body::Penalty { .. }
        | Body::Helper { .. }
        | Body::Transfers { .. } => &[Role::Admin],
        Body::Transfer { .. } => &[Role::Kiosk, Role::Officer],
        Body::Earn { .. } | Body::Deduct { .. } => &[Role::Officer],
        Body::Redeem { .. } => &[Role::Kiosk, Role::Officer],
        Body::Reverse { .. } => &[Role::Officer, Role::Admin],
        Body::Approve { .. } | Body::Reject { .. } => &[Role::Reviewer],
    }
}

/// A key registration accepts: canonical, in the prime-order subgroup, not
/// the identity (see [`crate::signature`]). Checked once per actor.
fn new_key(pubkey: &PublicKey) -> Result<VerifyingKey, RuleError> {
    crate::signature::check_key(&pubkey.0).map_err(RuleError::WeakKey)?;
    VerifyingKey::from_bytes(&pubkey.0)
        .map_err(|_| RuleError::WeakKey(crate::signature::KeyProblem::NotAPoint))
}

fn under_limit(count: usize, max: usize, what: &'static str) -> Result<(), RuleError> {
    if count >= max {
        Err(RuleError::Limit { what, max })
    } else {
        Ok(())
    }
}

impl State {
    /// The actor's record, if registered.
    pub fn actor(&self, id: &str) -> Option<&ActorRecord> {
        let index = self.actor_index.get(id)?;
        self.actors.get(*index as usize)
    }

    /// The resident's record, if registered. O(1).
    pub fn resident(&self, code: &str) -> Option<&ResidentRecord> {
        let index = self.resident_index.get(code)?;
        self.residents.get(*index as usize)
    }

    /// The activity, if defined.
    pub fn activity(&self, id: &str) -> Option<&ActivityRecord> {
        let index = self.activity_index.get(id)?;
        self.activities.get(*index as usize)
    }

    /// The reward, if defined.
    pub fn reward(&self, id: &str) -> Option<&RewardRecord> {
        let index = self.reward_index.get(id)?;
        self.rewards.get(*index as usize)
    }

    /// The penalty, if defined.
    pub fn penalty(&self, id: &str) -> Option<&PenaltyRecord> {
        let index = self.penalty_index.get(id)?;
        self.penalties.get(*index as usize)
    }

    /// The first local day on which the resident may redeem again, if an
    /// approved deduction suspends their redeeming on local day `day`.
    pub fn suspended_until(&self, code: &str, day: i64) -> Option<i64> {
        let index = self.resident_index.get(code)?;
        self.suspended_on(*index, day)
    }

    /// What `resident` has earned from `activity` on the local day of
    /// `ts_ms`, counting only entries up to now.
    pub fn earned_on_day(&self, resident: &str, activity: &str, ts_ms: u64) -> Points {
        let day = local_day(ts_ms, self.utc_offset_minutes);
        if day != self.today {
            return Points::ZERO;
        }
        match (
            self.resident_index.get(resident),
            self.activity_index.get(activity),
        ) {
            (Some(&r), Some(&a)) => self.earned_today.get(&(r, a)).copied().unwrap_or_default(),
            _ => Points::ZERO,
        }
    }

    /// The signer's index among the actors, if it may sign this entry.
    fn signer(&self, entry: &Entry) -> Result<u32, RuleError> {
        self.signer_of(&entry.actor, &entry.body)
    }

    /// Whether `actor` may sign `body` now: registered, active, and of a
    /// role that may write this kind of entry. Its index among the actors.
    fn signer_of(&self, actor: &ActorId, body: &Body) -> Result<u32, RuleError> {
        let unknown = || RuleError::UnknownActor(actor.clone());
        let index = *self.actor_index.get(actor.as_str()).ok_or_else(unknown)?;
        let record = self.actors.get(index as usize).ok_or_else(unknown)?;
        if !record.active {
            return Err(RuleError::ActorInactive(actor.clone()));
        }
        if !allowed_roles(body).contains(&record.role) {
            return Err(RuleError::RoleNotAllowed {
                actor: actor.clone(),
                role: record.role.as_str(),
                entry_type: body.type_name(),
            });
        }
        Ok(index)
    }

    /// Whether `actor` may sign an entry like `body` now (registered,
    /// active, of a role that may write it); the rules of the body itself
    /// are not asked. A device picks the key it signs with by this.
    pub fn may_sign(&self, actor: &ActorId, body: &Body) -> Result<(), RuleError> {
        self.signer_of(actor, body).map(|_| ())
    }

    /// Whether a redeem already carries `request_id`.
    pub(crate) fn request_id_used(&self, request_id: &RequestId) -> bool {
        self.request_ids.contains_key(request_id)
    }

    fn resident_index_of(&self, code: &ResidentCode) -> Result<u32, RuleError> {
        self.resident_index
            .get(code)
            .copied()
            .ok_or_else(|| RuleError::UnknownResident(code.to_string()))
    }

    fn balance_of(&self, resident: u32) -> Points {
        self.residents
            .get(resident as usize)
            .map(|record| record.balance)
            .unwrap_or_default()
    }

    /// Decides whether `entry` may follow `entries` (the ledger so far),
    /// changing nothing.
    pub(crate) fn check(&self, entry: &Entry, entries: &[Entry]) -> Result<Effect, RuleError> {
        self.check_signed(entry, entries).map(|(effect, _)| effect)
    }

    /// [`State::check`], and the signer's index among the actors (the
    /// genesis's admin becomes actor 0), so that a replay need not look the
    /// signer up again for its key.
    pub(crate) fn check_signed(
        &self,
        entry: &Entry,
        entries: &[Entry],
    ) -> Result<(Effect, u32), RuleError> {
        self.check_signed_as(entry, entries, false)
    }

    /// [`State::check`] of an entry that reached the log `late` (made
    /// offline): see [`State::check_body_as`].
    pub(crate) fn check_as(
        &self,
        entry: &Entry,
        entries: &[Entry],
        late: bool,
    ) -> Result<Effect, RuleError> {
        self.check_signed_as(entry, entries, late)
            .map(|(effect, _)| effect)
    }

    fn check_signed_as(
        &self,
        entry: &Entry,
        entries: &[Entry],
        late: bool,
    ) -> Result<(Effect, u32), RuleError> {
        if entry.seq.0 == 0 {
            let Body::Genesis {
                utc_offset_minutes,
                admin_id,
                admin_key,
                ..
            } = &entry.body
            else {
                return Err(RuleError::FirstNotGenesis);
            };
            if &entry.actor != admin_id {
                return Err(RuleError::GenesisSigner);
            }
            let genesis = Effect::Genesis {
                utc_offset_minutes: *utc_offset_minutes,
                admin: ActorRecord {
                    id: admin_id.clone(),
                    role: Role::Admin,
                    pubkey: *admin_key,
                    active: true,
                    verifying_key: new_key(admin_key)?,
                },
            };
            return Ok((genesis, 0));
        }
        if matches!(entry.body, Body::Genesis { .. }) {
            return Err(RuleError::GenesisNotFirst);
        }
        if entry.ts_ms < self.last_ts_ms {
            return Err(RuleError::TimeWentBack {
                last_ts_ms: self.last_ts_ms,
                ts_ms: entry.ts_ms,
            });
        }
        let signer = self.signer(entry)?;
        self.check_body_as(entry, entries, late)
            .map(|effect| (effect, signer))
    }

    /// The rules of each kind of entry (after the signer's), each in its
    /// own file.
    pub(crate) fn check_body(&self, entry: &Entry, entries: &[Entry]) -> Result<Effect, RuleError> {
        self.check_body_as(entry, entries, false)
    }

    /// [`State::check_body`] for an entry made offline that reached the log
    /// late (`late`): a redeem may then overdraw and exceed the stock, and
    /// an earn past its daily cap counts what fits under it (maybe nothing).
    pub(crate) fn check_body_as(
        &self,
        entry: &Entry,
        entries: &[Entry],
        late: bool,
    ) -> Result<Effect, RuleError> {
        match &entry.body {
            Body::Genesis { .. } => Err(RuleError::GenesisNotFirst),
            Body::Actor {
                id,
                role,
                pubkey,
                active,
            } => self.check_actor(id, *role, pubkey, *active),
            Body::Resident {
                code,
                household,
                area,
                active,
            } => self.check_resident(code, household, area, *active),
            Body::Activity {
                id,
                name,
                points,
                daily_cap,
                active,
                review,
                per_hour,
            } => self.check_activity(id, name, *points, *daily_cap, *active, [*review, *per_hour]),
            Body::Reward {
                id,
                name,
                cost,
                active,
                household_monthly,
            } => self.check_reward(id, name, *cost, *active, *household_monthly),
            Body::Stock { reward, delta, .. } => self.check_stock(reward, *delta),
            Body::Earn {
                resident,
                activity,
                points,
                hours,
                ..
            } => {
                let earn =
                    self.check_earn(entry.ts_ms, resident, activity, *points, *hours, late)?;
                Ok(self.claim_if_reviewed(earn))
            }
            Body::Redeem {
                resident,
                reward,
                qty,
                points,
                request_id,
                collector,
            } => {
                if let Some(collector) = collector {
                    self.check_collector(resident, collector)?;
                }
                self.check_redeem(
                    entry.ts_ms,
                    resident,
                    reward,
                    *qty,
                    *points,
                    request_id,
                    late,
                )
            }
            Body::Helper {
                resident,
                helper,
                active,
            } => self.check_helper(resident, helper, *active),
            Body::Reverse { entry: target, .. } => self.check_reverse(entry.seq, *target, entries),
            Body::Approve { claim, .. } => self.check_decision(*claim, true),
            Body::Reject { claim, .. } => self.check_decision(*claim, false),
            Body::Penalty {
                id,
                name,
                points,
                suspend_days,
                active,
            } => self.check_penalty(id, name, *points, *suspend_days, *active),
            Body::Deduct {
                resident,
                penalty,
                points,
                ..
            } => self.check_deduct(resident, penalty, *points),
            Body::Transfers { active, points } => {
                Ok(Effect::SetTransfers(active.then_some(*points)))
            }
            Body::Transfer {
                resident,
                to,
                points,
                ..
            } => self.check_transfer(entry.ts_ms, resident, to, *points),
        }
    }

    /// An earn of an activity that needs review is a claim instead.
    fn claim_if_reviewed(&self, earn: Effect) -> Effect {
        match earn {
            Effect::Earn {
                resident,
                activity,
                points,
                ..
            } if self
                .activities
                .get(activity as usize)
                .is_some_and(|a| a.review) =>
            {
                Effect::Claim {
                    resident,
                    activity,
                    points,
                }
            }
            other => other,
        }
    }

    /// Records an entry that `check` accepted: one short arm per effect,
    /// so every change of state is in one place.
    pub(crate) fn apply(&mut self, entry: &Entry, effect: Effect) {
        let seq = seq_index(entry.seq);
        self.last_ts_ms = entry.ts_ms;
        let day = local_day(entry.ts_ms, self.utc_offset_minutes);
        if day != self.today {
            self.today = day;
            self.earned_today.clear();
        }
        match effect {
            Effect::Genesis {
                utc_offset_minutes,
                admin,
            } => {
                self.utc_offset_minutes = utc_offset_minutes;
                self.today = local_day(entry.ts_ms, utc_offset_minutes);
                self.add_actor(admin);
            }
            Effect::NewActor(record) => self.add_actor(record),
            Effect::SetActorActive(index, active) => {
                if let Some(record) = self.actors.get_mut(index as usize) {
                    record.active = active;
                }
            }
            Effect::NewResident(record) => self.add_resident(record),
            Effect::UpdateResident(index, household, area, active) => {
                if let Some(record) = self.residents.get_mut(index as usize) {
                    record.household = household;
                    record.area = area;
                    record.active = active;
                }
            }
            Effect::NewActivity(record) => self.add_activity(record),
            Effect::UpdateActivity(index, record) => {
                if let Some(slot) = self.activities.get_mut(index as usize) {
                    *slot = record;
                }
            }
            Effect::NewReward(record) => self.add_reward(record),
            Effect::UpdateReward(index, name, cost, active, household_monthly) => {
                if let Some(record) = self.rewards.get_mut(index as usize) {
                    record.name = name;
                    record.cost = cost;
                    record.active = active;
                    record.household_monthly = household_monthly;
                }
            }
            Effect::SetStock(index, stock) => {
                if let Some(record) = self.rewards.get_mut(index as usize) {
                    record.stock = stock;
                }
            }
            Effect::Earn {
                resident,
                activity,
                points,
                day,
            } => {
                debug_assert_eq!(day, self.today);
                self.count_today(entry, seq, (resident, activity), points);
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    record.receive(points);
                    record.earned_total = record.earned_total.plus(points);
                    record.history.push(seq);
                }
            }
            Effect::Claim {
                resident,
                activity,
                points,
            } => {
                self.count_today(entry, seq, (resident, activity), points);
                self.claims.insert(
                    seq,
                    Claim {
                        resident,
                        activity,
                        points,
                        deduct: None,
                        decided: None,
                    },
                );
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    record.history.push(seq);
                }
            }
            Effect::SetHelper(resident, helper, active) => {
                if active {
                    self.helpers.insert((resident, helper), ());
                } else {
                    self.helpers.remove(&(resident, helper));
                }
            }
            Effect::NewPenalty(record) => {
                let index = self.penalties.len() as u32;
                self.penalty_index.insert(record.id.clone(), index);
                self.penalties.push(record);
            }
            Effect::UpdatePenalty(index, record) => {
                if let Some(slot) = self.penalties.get_mut(index as usize) {
                    *slot = record;
                }
            }
            Effect::DeductClaim {
                resident,
                penalty,
                points,
                suspend_days,
            } => {
                let claim = Claim {
                    resident,
                    activity: penalty,
                    points,
                    deduct: Some(suspend_days),
                    decided: None,
                };
                self.claims.insert(seq, claim);
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    record.history.push(seq);
                }
            }
            Effect::Decide {
                claim,
                resident,
                points,
                approve,
                deduct,
            } => {
                if let Some(record) = self.claims.get_mut(&claim) {
                    record.decided = Some((seq, approve));
                }
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    match deduct {
                        None if approve => {
                            record.receive(points);
                            record.earned_total = record.earned_total.plus(points);
                        }
                        Some(days) if approve => {
                            record.lose(points);
                            if days > 0 {
                                record.suspensions.push((claim, day + i64::from(days)));
                            }
                        }
                        _ => {}
                    }
                    record.history.push(seq);
                }
            }
            Effect::Redeem {
                resident,
                reward,
                qty,
                points,
                request_id,
                late,
                month,
            } => {
                self.request_ids.insert(request_id, seq);
                if let Some(household) = self
                    .residents
                    .get(resident as usize)
                    .map(|r| r.household.clone())
                {
                    let used = self
                        .household_used
                        .entry((household, reward))
                        .or_insert((month, 0));
                    if used.0 != month {
                        *used = (month, 0);
                    }
                    used.1 = used.1.saturating_add(qty);
                }
                if let Some(record) = self.rewards.get_mut(reward as usize) {
                    record.stock = (record.stock - i64::from(qty)).max(0);
                    assert!(late || record.stock >= 0, "check let stock go negative");
                }
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    match record.balance.minus(points) {
                        Some(left) => record.balance = left,
                        None if late => {
                            let owed = points.minus(record.balance).unwrap_or_default();
                            record.debt = record.debt.plus(owed);
                            record.balance = Points::ZERO;
                        }
                        None => unreachable!("check let a balance go negative at seq {seq}"),
                    }
                    record.history.push(seq);
                }
            }
            Effect::ReverseEarn {
                target,
                resident,
                activity,
                points,
                day,
                counted,
            } => {
                self.reversed_by.insert(target, seq);
                if day == self.today
                    && let Some(tally) = self.earned_today.get_mut(&(resident, activity))
                {
                    *tally = tally.minus(points).unwrap_or_default();
                }
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    if counted {
                        record.balance = record.balance.minus(points).unwrap_or_else(|| {
                            unreachable!("check let a reversal overdraw at seq {seq}")
                        });
                        record.earned_total = record.earned_total.minus(points).unwrap_or_default();
                    }
                    record.history.push(seq);
                }
            }
            Effect::SetTransfers(transfers) => self.transfers = transfers,
            Effect::Transfer { from, to, points } => {
                if let Some(giver) = self.residents.get_mut(from as usize) {
                    giver.balance = giver.balance.minus(points).unwrap_or_default();
                    giver.history.push(seq);
                }
                if let Some(receiver) = self.residents.get_mut(to as usize) {
                    receiver.receive(points);
                    receiver.history.push(seq);
                }
            }
            Effect::ReverseRedeem {
                target,
                resident,
                reward,
                qty,
                points,
                month,
            } => {
                self.reversed_by.insert(target, seq);
                if let Some(record) = self.rewards.get_mut(reward as usize) {
                    record.stock += i64::from(qty);
                }
                // Room under the household's limit comes back in its month.
                if let Some(household) = self
                    .residents
                    .get(resident as usize)
                    .map(|r| r.household.clone())
                    && let Some(used) = self.household_used.get_mut(&(household, reward))
                    && used.0 == month
                {
                    used.1 = used.1.saturating_sub(qty);
                }
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    record.receive(points);
                    record.history.push(seq);
                }
            }
            Effect::ReverseDeduct {
                target,
                resident,
                points,
                counted,
            } => {
                self.reversed_by.insert(target, seq);
                if let Some(record) = self.residents.get_mut(resident as usize) {
                    if counted {
                        record.receive(points);
                        record.suspensions.retain(|&(by, _)| by != target);
                    }
                    record.history.push(seq);
                }
            }
        }
    }

    /// An earn's (or a claim's) points under its activity's daily cap
    /// today, and, when its cap cut a late one short, what it counted.
    fn count_today(&mut self, entry: &Entry, seq: u32, key: (u32, u32), points: Points) {
        if matches!(&entry.body, Body::Earn { points: asked, .. } if *asked != points) {
            self.capped.insert(seq, points);
        }
        let tally = self.earned_today.entry(key).or_default();
        *tally = tally.plus(points);
    }

    fn add_actor(&mut self, record: ActorRecord) {
        let index = self.actors.len() as u32;
        self.actor_index.insert(record.id.clone(), index);
        self.key_owner.insert(record.pubkey.0, index);
        self.actors.push(record);
    }

    fn add_resident(&mut self, record: ResidentRecord) {
        let index = self.residents.len() as u32;
        self.resident_index.insert(record.code.clone(), index);
        self.residents.push(record);
    }

    fn add_activity(&mut self, record: ActivityRecord) {
        let index = self.activities.len() as u32;
        self.activity_index.insert(record.id.clone(), index);
        self.activities.push(record);
    }

    fn add_reward(&mut self, record: RewardRecord) {
        let index = self.rewards.len() as u32;
        self.reward_index.insert(record.id.clone(), index);
        self.rewards.push(record);
    }

    /// The seq of the entry that reversed `target`, if any.
    pub fn reversed_by(&self, target: Seq) -> Option<Seq> {
        self.reversed_by
            .get(&seq_index(target))
            .map(|&by| Seq(u64::from(by)))
    }

    /// All actors, in order of registration.
    pub fn actors(&self) -> &[ActorRecord] {
        &self.actors
    }

    /// All residents, in order of registration.
    pub fn residents(&self) -> &[ResidentRecord] {
        &self.residents
    }

    /// A household's total, less its debts (below zero: what it owes),
    /// and how many active residents it has: what every screen shows
    /// beside a resident's own balance.
    pub fn household_total(&self, household: &str) -> (Points, usize) {
        self.residents
            .iter()
            .filter(|r| r.active && r.household.as_str() == household)
            .fold((Points::ZERO, 0), |(total, members), r| {
                (total.plus(r.balance).plus(r.debt.negated()), members + 1)
            })
    }

    /// All activities, in order of definition.
    pub fn activities(&self) -> &[ActivityRecord] {
        &self.activities
    }

    /// All rewards with their stock, in order of definition.
    pub fn rewards(&self) -> &[RewardRecord] {
        &self.rewards
    }

    /// All penalties, in order of definition.
    pub fn penalties(&self) -> &[PenaltyRecord] {
        &self.penalties
    }

    /// The ledger's UTC offset, for local dates and the daily cap.
    pub fn utc_offset_minutes(&self) -> i32 {
        self.utc_offset_minutes
    }

    /// Writes the state for a snapshot. Maps go in key order, so the same
    /// state always gives the same bytes. Each record in turn, in the order
    /// `decode` reads them: the two are read side by side.
    pub(crate) fn encode(&self, out: &mut Writer) {
        out.i64(i64::from(self.utc_offset_minutes));
        out.u64(self.last_ts_ms);
        out.i64(self.today);
        out.len(self.actors.len());
        for actor in &self.actors {
            out.str(actor.id.as_str());
            out.str(actor.role.as_str());
            out.0.extend_from_slice(&actor.pubkey.0);
            out.u8(u8::from(actor.active));
        }
        out.len(self.residents.len());
        for resident in &self.residents {
            out.str(resident.code.as_str());
            out.str(resident.household.as_str());
            out.str(resident.area.as_str());
            out.u8(u8::from(resident.active));
            out.points(resident.balance);
            out.points(resident.debt);
            out.points(resident.earned_total);
            out.len(resident.history.len());
            for &seq in &resident.history {
                out.u32(seq);
            }
            out.len(resident.suspensions.len());
            for &(seq, until) in &resident.suspensions {
                out.u32(seq);
                out.i64(until);
            }
        }
        out.len(self.activities.len());
        for activity in &self.activities {
            out.str(activity.id.as_str());
            out.str(activity.name.as_str());
            out.points(activity.points);
            out.points(activity.daily_cap);
            out.u8(u8::from(activity.active));
            out.u8(u8::from(activity.review));
            out.u8(u8::from(activity.per_hour));
        }
        out.len(self.rewards.len());
        for reward in &self.rewards {
            out.str(reward.id.as_str());
            out.str(reward.name.as_str());
            out.points(reward.cost);
            out.u8(u8::from(reward.active));
            out.i64(reward.stock);
            out.u32(reward.household_monthly.unwrap_or(0));
        }
        out.len(self.penalties.len());
        for penalty in &self.penalties {
            out.str(penalty.id.as_str());
            out.str(penalty.name.as_str());
            out.points(penalty.points);
            out.u32(penalty.suspend_days);
            out.u8(u8::from(penalty.active));
        }
        let mut helpers: Vec<(u64, u64)> = self
            .helpers
            .keys()
            .map(|&(r, h)| ((u64::from(r) << 32) | u64::from(h), 0))
            .collect();
        helpers.sort_unstable();
        out.len(helpers.len());
        for (pair, _) in helpers {
            out.u32((pair >> 32) as u32);
            out.u32(pair as u32);
        }
        out.u8(u8::from(self.transfers.is_some()));
        out.points(self.transfers.unwrap_or_default());
        let mut used: Vec<_> = self.household_used.iter().collect();
        used.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out.len(used.len());
        for ((household, reward), (month, items)) in used {
            out.str(household.as_str());
            out.u32(*reward);
            out.i64(*month);
            out.u32(*items);
        }
        // Each map in key order, every one sorted as `(u64, u64)` pairs:
        // one sort in the code, however many maps.
        let ids: Vec<(&RequestId, u32)> = self
            .request_ids
            .iter()
            .map(|(id, &seq)| (id, seq))
            .collect();
        let mut order: Vec<(u64, u64)> = ids
            .iter()
            .enumerate()
            .map(|(i, &(_, seq))| (u64::from(seq), i as u64))
            .collect();
        order.sort_unstable();
        out.len(ids.len());
        for &(_, index) in &order {
            if let Some((id, seq)) = ids.get(index as usize) {
                out.str(id.as_str());
                out.u32(*seq);
            }
        }
        let mut reversed: Vec<(u64, u64)> = self
            .reversed_by
            .iter()
            .map(|(&target, &by)| (u64::from(target), u64::from(by)))
            .collect();
        reversed.sort_unstable();
        out.len(reversed.len());
        for (target, by) in reversed {
            out.u32(target as u32);
            out.u32(by as u32);
        }
        let mut capped: Vec<(u64, u64)> = self.capped.keys().map(|&s| (u64::from(s), 0)).collect();
        capped.sort_unstable();
        out.len(capped.len());
        for (seq, _) in capped {
            let seq = seq as u32;
            out.u32(seq);
            out.points(self.capped.get(&seq).copied().unwrap_or_default());
        }
        let mut claims: Vec<(u64, u64)> = self.claims.keys().map(|&s| (u64::from(s), 0)).collect();
        claims.sort_unstable();
        out.len(claims.len());
        for (seq, _) in claims {
            let seq = seq as u32;
            let Some(claim) = self.claims.get(&seq) else {
                continue;
            };
            out.u32(seq);
            out.u32(claim.resident);
            out.u32(claim.activity);
            out.points(claim.points);
            // 0 for an earn's claim, else a deduction's days of suspension + 1.
            out.u32(claim.deduct.map_or(0, |days| days + 1));
            let (by, approved) = claim.decided.unwrap_or((0, false));
            out.u8(match claim.decided {
                None => 0,
                Some(_) if approved => 1,
                Some(_) => 2,
            });
            out.u32(by);
        }
        let mut earned: Vec<(u64, u64)> = self
            .earned_today
            .keys()
            .map(|&(resident, activity)| ((u64::from(resident) << 32) | u64::from(activity), 0))
            .collect();
        earned.sort_unstable();
        out.len(earned.len());
        for (key, _) in earned {
            let key = ((key >> 32) as u32, key as u32);
            out.u32(key.0);
            out.u32(key.1);
            out.points(self.earned_today.get(&key).copied().unwrap_or_default());
        }
    }

    /// Reads what [`State::encode`] wrote for a ledger whose head is
    /// `head_seq`, rebuilding the indexes. `None` for anything that could
    /// not have come from a verified ledger: a bad id, a key that is not a
    /// curve point, a negative balance or stock, an index or seq out of
    /// range. Never panics. Each record in turn, as `encode` writes them,
    /// each read checked where it is read.
    pub(crate) fn decode(input: &mut Reader<'_>, head_seq: u64) -> Option<State> {
        let in_ledger = |seq: u32| u64::from(seq) <= head_seq;
        let mut state = State {
            utc_offset_minutes: i32::try_from(input.i64()?).ok()?,
            last_ts_ms: input.u64()?,
            today: input.i64()?,
            ..State::default()
        };
        if !limits::UTC_OFFSET_MINUTES_RANGE.contains(&state.utc_offset_minutes) {
            return None;
        }
        for _ in 0..input.count(38)? {
            let id: ActorId = input.id()?;
            let role = input.id()?;
            let pubkey = PublicKey(input.array()?);
            let active = input.bool()?;
            let verifying_key = new_key(&pubkey).ok()?;
            if state.actor_index.contains_key(&id) || state.key_owner.contains_key(&pubkey.0) {
                return None;
            }
            state.add_actor(ActorRecord {
                id,
                role,
                pubkey,
                active,
                verifying_key,
            });
        }
        for _ in 0..input.count(47)? {
            let record = ResidentRecord {
                code: input.id()?,
                household: input.id()?,
                area: input.id()?,
                active: input.bool()?,
                balance: input.points()?,
                debt: input.points()?,
                earned_total: input.points()?,
                history: (0..input.count(4)?)
                    .map(|_| input.u32().filter(|&seq| in_ledger(seq)))
                    .collect::<Option<_>>()?,
                suspensions: (0..input.count(12)?)
                    .map(|_| Some((input.u32().filter(|&seq| in_ledger(seq))?, input.i64()?)))
                    .collect::<Option<_>>()?,
            };
            let negative = record.balance < Points::ZERO || record.debt < Points::ZERO;
            if negative || state.resident_index.contains_key(&record.code) {
                return None;
            }
            state.add_resident(record);
        }
        for _ in 0..input.count(44)? {
            let record = ActivityRecord {
                id: input.id()?,
                name: input.text()?,
                points: input.points()?,
                daily_cap: input.points()?,
                active: input.bool()?,
                review: input.bool()?,
                per_hour: input.bool()?,
            };
            if state.activity_index.contains_key(&record.id) {
                return None;
            }
            state.add_activity(record);
        }
        for _ in 0..input.count(38)? {
            let record = RewardRecord {
                id: input.id()?,
                name: input.text()?,
                cost: input.points()?,
                active: input.bool()?,
                stock: input.i64()?,
                household_monthly: Some(input.u32()?).filter(|&n| n > 0),
            };
            if !(0..=limits::MAX_STOCK).contains(&record.stock)
                || state.reward_index.contains_key(&record.id)
            {
                return None;
            }
            state.add_reward(record);
        }
        for _ in 0..input.count(31)? {
            let record = PenaltyRecord {
                id: input.id()?,
                name: input.text()?,
                points: input.points().filter(|&p| p >= Points::ZERO)?,
                suspend_days: input.u32().filter(|&d| d <= limits::MAX_SUSPEND_DAYS)?,
                active: input.bool()?,
            };
            if state.penalty_index.contains_key(&record.id) {
                return None;
            }
            let index = state.penalties.len() as u32;
            state.penalty_index.insert(record.id.clone(), index);
            state.penalties.push(record);
        }
        let mut previous = None;
        for _ in 0..input.count(8)? {
            let pair = (input.u32()?, input.u32()?);
            let known = |r: u32| (r as usize) < state.residents.len();
            if !known(pair.0) || !known(pair.1) || previous.is_some_and(|p| p >= pair) {
                return None;
            }
            state.helpers.insert(pair, ());
            previous = Some(pair);
        }
        let transfers_on = input.bool()?;
        let max = input.points()?;
        state.transfers = transfers_on.then_some(max);
        let mut previous: Option<(PlaceCode, u32)> = None;
        for _ in 0..input.count(17)? {
            let key: (PlaceCode, u32) = (input.id()?, input.u32()?);
            let used = (input.i64()?, input.u32()?);
            if key.1 as usize >= state.rewards.len() || previous.as_ref().is_some_and(|p| *p >= key)
            {
                return None;
            }
            previous = Some(key.clone());
            state.household_used.insert(key, used);
        }
        // Maps come in strictly increasing key order (as `encode` writes
        // them): one way to write each state, so no duplicates either.
        let mut previous = None;
        for _ in 0..input.count(8)? {
            let id: RequestId = input.id()?;
            let seq = input.u32().filter(|&seq| in_ledger(seq))?;
            // In seq order; one redeem per seq, so one id each.
            if previous.is_some_and(|p| p >= seq) || state.request_ids.contains_key(&id) {
                return None;
            }
            state.request_ids.insert(id, seq);
            previous = Some(seq);
        }
        let mut previous = None;
        for _ in 0..input.count(8)? {
            let target = input.u32().filter(|&seq| in_ledger(seq))?;
            let by = input.u32().filter(|&seq| in_ledger(seq) && seq > target)?;
            if previous.is_some_and(|p| p >= target) {
                return None;
            }
            state.reversed_by.insert(target, by);
            previous = Some(target);
        }
        let mut previous = None;
        for _ in 0..input.count(8)? {
            let seq = input.u32().filter(|&seq| in_ledger(seq))?;
            let points = input.points().filter(|&p| p >= Points::ZERO)?;
            if previous.is_some_and(|p| p >= seq) {
                return None;
            }
            state.capped.insert(seq, points);
            previous = Some(seq);
        }
        let mut previous = None;
        for _ in 0..input.count(38)? {
            let seq = input.u32().filter(|&seq| in_ledger(seq))?;
            let resident = input
                .u32()
                .filter(|&r| (r as usize) < state.residents.len())?;
            let activity = input.u32()?;
            let points = input.points().filter(|&p| p >= Points::ZERO)?;
            let deduct = match input.u32()? {
                0 => None,
                days => Some(Some(days - 1).filter(|&d| d <= limits::MAX_SUSPEND_DAYS)?),
            };
            let definitions = match deduct {
                None => state.activities.len(),
                Some(_) => state.penalties.len(),
            };
            if activity as usize >= definitions {
                return None;
            }
            let decided = match (input.u8()?, input.u32()?) {
                (0, 0) => None,
                (1, by) if in_ledger(by) && by > seq => Some((by, true)),
                (2, by) if in_ledger(by) && by > seq => Some((by, false)),
                _ => return None,
            };
            if previous.is_some_and(|p| p >= seq) {
                return None;
            }
            let claim = Claim {
                resident,
                activity,
                points,
                deduct,
                decided,
            };
            state.claims.insert(seq, claim);
            previous = Some(seq);
        }
        let mut previous = None;
        for _ in 0..input.count(25)? {
            let key = (input.u32()?, input.u32()?);
            let points = input.points()?;
            if key.0 as usize >= state.residents.len()
                || key.1 as usize >= state.activities.len()
                || previous.is_some_and(|p| p >= key)
            {
                return None;
            }
            state.earned_today.insert(key, points);
            previous = Some(key);
        }
        Some(state)
    }
}

/// A map of the state, keyed by the ids, codes and numbers a ledger file
/// brings.
type Map<K, V> = std::collections::HashMap<K, V, MapHasher>;

/// How the state's maps hash their keys. Natively, std's SipHash with keys
/// random per process, so a hostile file cannot be made of keys that
/// collide. In WebAssembly std has no randomness and its keys are the same
/// in every browser (checked in headless Chromium): a hostile file could be
/// made of resident codes that all collide, and stall a replay. The maps
/// use foldhash there instead, seeded from the browser's randomness by
/// [`seed_maps`] (a replay in WebAssembly takes as long either way).
#[cfg(not(target_family = "wasm"))]
type MapHasher = std::hash::RandomState;

#[cfg(target_family = "wasm")]
use wasm_maps::MapHasher;

/// Seeds the hashing of the state's maps built from now on in
/// WebAssembly, with randomness the caller has (the browser's
/// `crypto.getRandomValues`): call it once, before any ledger is read. The
/// first call wins. Natively it does nothing: std's own random keys are
/// used there.
pub fn seed_maps(seed: u64) {
    #[cfg(target_family = "wasm")]
    wasm_maps::seed(seed);
    #[cfg(not(target_family = "wasm"))]
    let _ = seed;
}

#[cfg(target_family = "wasm")]
mod wasm_maps {
    use core::hash::BuildHasher;
    use core::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    use foldhash::SharedSeed;
    use foldhash::fast::{FoldHasher, SeedableRandomState};

    static SEED: OnceLock<SharedSeed> = OnceLock::new();

    pub(super) fn seed(seed: u64) {
        let _ = SEED.set(SharedSeed::from_u64(seed));
    }

    /// foldhash with the seed [`super::seed_maps`] was given (or a fixed
    /// one, without it), and a different seed for each map.
    #[derive(Clone, Debug)]
    pub struct MapHasher(SeedableRandomState);

    impl Default for MapHasher {
        fn default() -> Self {
            static MAPS: AtomicU64 = AtomicU64::new(0);
            let shared = SEED.get_or_init(|| SharedSeed::from_u64(0));
            let per_map = MAPS.fetch_add(1, Ordering::Relaxed);
            MapHasher(SeedableRandomState::with_seed(per_map, shared))
        }
    }

    impl BuildHasher for MapHasher {
        type Hasher = FoldHasher<'static>;

        fn build_hasher(&self) -> Self::Hasher {
            self.0.build_hasher()
        }
    }
}
