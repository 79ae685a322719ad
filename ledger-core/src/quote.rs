//! Asking the rules before writing: what a redeem would cost and whether
//! it may be written now, and why not, without appending anything. The
//! kiosk's buttons, a resident's list of affordable rewards, the web app
//! and the `jifen` command all ask here, so that no screen works a rule
//! out for itself.

use crate::entry::{Body, Entry};
use crate::error::RuleError;
use crate::ledger::{Draft, Ledger};
use crate::model::{
    ActivityId, ActorId, EntryHash, Points, RequestId, ResidentCode, RewardId, Seq, Text,
};
use crate::state::State;

/// What the rules say of a redeem before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemQuote {
    /// The reward's cost × the quantity, if the reward is defined.
    pub points: Option<Points>,
    /// Whether the redeem may be written now, or the first rule it breaks
    /// (unknown resident or reward, a retired reward, too few points, too
    /// little stock, a signer that may not redeem, …).
    pub verdict: Result<(), RuleError>,
}

impl State {
    /// The body of a redeem of `qty` × `reward` for `resident`, its points
    /// being the reward's cost × `qty` as the rules require. Refused only
    /// for a reward the ledger does not define; [`Ledger::dry_run`] or
    /// [`Ledger::append`] then check the rest.
    pub fn redeem_body(
        &self,
        resident: ResidentCode,
        reward: RewardId,
        qty: u32,
        request_id: RequestId,
    ) -> Result<Body, RuleError> {
        let cost = self
            .reward(reward.as_str())
            .map(|r| r.cost)
            .ok_or_else(|| RuleError::UnknownReward(reward.to_string()))?;
        Ok(Body::Redeem {
            collector: None,
            resident,
            reward,
            qty,
            points: cost.times(qty),
            request_id,
        })
    }

    /// The body of an earn of `activity` by `resident`, its points being the
    /// activity's as the rules require. Refused only for an activity the
    /// ledger does not define; appending checks the rest (the resident,
    /// the daily cap, the signer).
    pub fn earn_body(
        &self,
        resident: ResidentCode,
        activity: ActivityId,
        note: Text,
    ) -> Result<Body, RuleError> {
        self.earn_body_for(resident, activity, note, None)
    }

    /// [`State::earn_body`] with the half-hours of an activity counted in
    /// hours (its points per hour over them); appending checks that the
    /// activity is, or is not, counted so.
    pub fn earn_body_for(
        &self,
        resident: ResidentCode,
        activity: ActivityId,
        note: Text,
        hours: Option<u32>,
    ) -> Result<Body, RuleError> {
        let points = self
            .activity(activity.as_str())
            .map(|a| match hours {
                Some(half_hours) if a.per_hour => a.points.per_half_hours(half_hours),
                _ => a.points,
            })
            .ok_or_else(|| RuleError::UnknownActivity(activity.to_string()))?;
        Ok(Body::Earn {
            resident,
            activity,
            points,
            note,
            photo: None,
            hours,
        })
    }

    /// What a redeem of `qty` × `reward` for `resident` would cost, and
    /// whether it may be written now: signed by `signer` if one is named
    /// (its role and status are then asked too), at the ledger's last time,
    /// with a request id no redeem has used. A state alone answers (a
    /// snapshot shown before the entries are read can), since a redeem's
    /// rules ask nothing of earlier entries but what the state keeps.
    pub fn quote_redeem(
        &self,
        signer: Option<&ActorId>,
        resident: &ResidentCode,
        reward: &RewardId,
        qty: u32,
    ) -> RedeemQuote {
        let body = self.redeem_body(
            resident.clone(),
            reward.clone(),
            qty,
            self.unused_request_id(),
        );
        let body = match body {
            Ok(body) => body,
            Err(error) => {
                return RedeemQuote {
                    points: None,
                    verdict: Err(error),
                };
            }
        };
        let points = match &body {
            Body::Redeem { points, .. } => Some(*points),
            _ => None,
        };
        let entry = Entry {
            // Any seq but the genesis's: a redeem's rules do not read it.
            seq: Seq(1),
            ts_ms: self.last_ts_ms,
            prev: EntryHash::ZERO,
            actor: signer.cloned().unwrap_or_else(placeholder_actor),
            body,
            hash: EntryHash::ZERO,
            sig: [0; 64],
        };
        let verdict = match signer {
            Some(_) => self.check(&entry, &[]).map(|_| ()),
            // Only the body's rules: who signs is not known yet.
            None => self.check_body(&entry, &[]).map(|_| ()),
        };
        RedeemQuote { points, verdict }
    }

    /// A request id no redeem of the ledger carries.
    fn unused_request_id(&self) -> RequestId {
        (0u64..)
            .filter_map(|k| format!("quote-{k}").parse::<RequestId>().ok())
            .find(|id| !self.request_id_used(id))
            .unwrap_or_else(|| unreachable!("finitely many request ids are in use"))
    }
}

impl Ledger {
    /// Every rule `draft` would meet as the next entry, appending nothing:
    /// what [`Ledger::append`] would refuse, but for the signing key.
    pub fn dry_run(&self, draft: &Draft) -> Result<(), RuleError> {
        let entry = Entry {
            seq: Seq(self.len()),
            ts_ms: draft.ts_ms,
            prev: self.head_hash(),
            actor: draft.actor.clone(),
            body: draft.body.clone(),
            hash: EntryHash::ZERO,
            sig: [0; 64],
        };
        self.state().check(&entry, self.entries()).map(|_| ())
    }
}

fn placeholder_actor() -> ActorId {
    "quote"
        .parse()
        .unwrap_or_else(|_| unreachable!("a valid id"))
}
