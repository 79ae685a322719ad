//! The rules of a `reverse` entry: an earlier earn, redeem or deduction,
//! not reversed before, whose undoing leaves no balance below zero and no
//! stock above the limit. A claim still pending is withdrawn; a rejected
//! one has nothing to undo; an approved deduction gives its points back
//! and lifts its suspension.

use super::{ClaimStatus, Effect, State, seq_index};
use crate::entry::{Body, Entry};
use crate::error::RuleError;
use crate::limits;
use crate::model::{Seq, local_day, local_month};

impl State {
    /// Whether entry `target` may be reversed by entry `seq`: it exists,
    /// is earlier, not yet reversed, and undoing it leaves no balance below
    /// zero and no stock above its limit. One arm per kind of entry that
    /// can be reversed; hence its length.
    pub(super) fn check_reverse(
        &self,
        seq: Seq,
        target: Seq,
        entries: &[Entry],
    ) -> Result<Effect, RuleError> {
        let target_entry = entries
            .get(usize::try_from(target.0).unwrap_or(usize::MAX))
            .filter(|_| target < seq)
            .ok_or(RuleError::ReverseMissing(target))?;
        let target_index = seq_index(target);
        if let Some(&by) = self.reversed_by.get(&target_index) {
            return Err(RuleError::AlreadyReversed {
                target,
                by: Seq(u64::from(by)),
            });
        }
        match &target_entry.body {
            Body::Earn {
                resident,
                activity,
                points,
                ..
            } => {
                // A late earn its cap cut short gives back what it counted.
                let points = self.capped.get(&target_index).unwrap_or(points);
                let resident_index = self.resident_index_of(resident)?;
                let day = local_day(target_entry.ts_ms, self.utc_offset_minutes);
                match self
                    .claims
                    .get(&target_index)
                    .map(|c| (c.status(), c.activity))
                {
                    // A claim not decided yet is withdrawn: it never counted.
                    Some((ClaimStatus::Pending, activity)) => {
                        return Ok(Effect::ReverseEarn {
                            target: target_index,
                            resident: resident_index,
                            activity,
                            points: *points,
                            day,
                            counted: false,
                        });
                    }
                    Some((ClaimStatus::Rejected(_), _)) => {
                        return Err(RuleError::ClaimRejected(target));
                    }
                    // Approved: its points go back as any earn's.
                    Some((ClaimStatus::Approved(_), _)) | None => {}
                }
                let balance = self.balance_of(resident_index);
                if balance.minus(*points).is_none() {
                    return Err(RuleError::ReverseOverdraft {
                        balance,
                        needed: *points,
                    });
                }
                let activity_index = *self
                    .activity_index
                    .get(activity)
                    .ok_or_else(|| RuleError::UnknownActivity(activity.to_string()))?;
                Ok(Effect::ReverseEarn {
                    target: target_index,
                    resident: resident_index,
                    activity: activity_index,
                    points: *points,
                    day,
                    counted: true,
                })
            }
            Body::Redeem {
                resident,
                reward,
                qty,
                points,
                ..
            } => {
                let resident_index = self.resident_index_of(resident)?;
                let reward_index = *self
                    .reward_index
                    .get(reward)
                    .ok_or_else(|| RuleError::UnknownReward(reward.to_string()))?;
                let stock = self
                    .rewards
                    .get(reward_index as usize)
                    .map_or(0, |r| r.stock);
                if stock.saturating_add(i64::from(*qty)) > limits::MAX_STOCK {
                    return Err(RuleError::StockLimit);
                }
                Ok(Effect::ReverseRedeem {
                    target: target_index,
                    resident: resident_index,
                    reward: reward_index,
                    qty: *qty,
                    points: *points,
                    month: local_month(local_day(target_entry.ts_ms, self.utc_offset_minutes)),
                })
            }
            Body::Deduct { resident, .. } => {
                let resident = self.resident_index_of(resident)?;
                let claim = self.claims.get(&target_index);
                let counted = match claim.map(|c| c.status()) {
                    Some(ClaimStatus::Approved(_)) => true,
                    Some(ClaimStatus::Rejected(_)) => {
                        return Err(RuleError::ClaimRejected(target));
                    }
                    _ => false,
                };
                Ok(Effect::ReverseDeduct {
                    target: target_index,
                    resident,
                    points: claim.map(|c| c.points).unwrap_or_default(),
                    counted,
                })
            }
            _ => Err(RuleError::ReverseKind(target)),
        }
    }
}
