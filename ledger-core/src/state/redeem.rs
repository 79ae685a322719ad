//! The rules of a `redeem` entry: a new request id, a known resident, an
//! active reward, a quantity within the limit, exactly cost × qty points,
//! enough points and stock, no suspension of redeeming (a deduction's), and
//! no more than the reward's monthly limit for the resident's household.

use super::{Effect, State};
use crate::error::RuleError;
use crate::limits;
use crate::model::{
    PlaceCode, Points, RequestId, ResidentCode, RewardId, Seq, local_day, local_month,
};

impl State {
    // One argument per member of the body, and the entry's time.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_redeem(
        &self,
        ts_ms: u64,
        resident: &ResidentCode,
        reward: &RewardId,
        qty: u32,
        points: Points,
        request_id: &RequestId,
        late: bool,
    ) -> Result<Effect, RuleError> {
        {
            if let Some(&seq) = self.request_ids.get(request_id) {
                return Err(RuleError::DuplicateRequestId(Seq(u64::from(seq))));
            }
            let resident_index = self.resident_index_of(resident)?;
            let reward_index = *self
                .reward_index
                .get(reward)
                .ok_or_else(|| RuleError::UnknownReward(reward.to_string()))?;
            let Some(definition) = self.rewards.get(reward_index as usize) else {
                return Err(RuleError::UnknownReward(reward.to_string()));
            };
            if !definition.active {
                return Err(RuleError::RewardInactive(reward.to_string()));
            }
            if qty == 0 || qty > limits::MAX_QTY {
                return Err(RuleError::Quantity(qty));
            }
            let expected = definition.cost.times(qty);
            if points != expected {
                return Err(RuleError::RedeemPoints {
                    expected,
                    found: points,
                });
            }
            // A kiosk offline when the suspension began could not know it.
            let day = local_day(ts_ms, self.utc_offset_minutes);
            if let Some(until_day) = self.suspended_on(resident_index, day)
                && !late
            {
                return Err(RuleError::RedeemSuspended { until_day });
            }
            // A household's monthly limit (said before the points, which more
            // earning would not help); a kiosk offline could not see
            // what another kiosk handed out, so a late redeem counts.
            let month = local_month(day);
            if let Some(limit) = definition.household_monthly
                && !late
            {
                let used = self.household_used_in(resident_index, reward_index, month);
                if used.saturating_add(qty) > limit {
                    return Err(RuleError::HouseholdLimit {
                        reward: reward.to_string(),
                        limit,
                        used,
                    });
                }
            }
            let balance = self.balance_of(resident_index);
            if balance.minus(points).is_none() && !late {
                return Err(RuleError::InsufficientPoints {
                    balance,
                    needed: points,
                });
            }
            if definition.stock < i64::from(qty) && !late {
                return Err(RuleError::InsufficientStock {
                    stock: definition.stock,
                    qty,
                });
            }
            Ok(Effect::Redeem {
                resident: resident_index,
                reward: reward_index,
                qty,
                points,
                request_id: request_id.clone(),
                late,
                month,
            })
        }
    }
}

impl State {
    /// Items of reward `reward` the household of resident `resident`
    /// redeemed in local month `month`.
    pub(super) fn household_used_in(&self, resident: u32, reward: u32, month: i64) -> u32 {
        self.residents
            .get(resident as usize)
            .and_then(|r| self.household_used.get(&(r.household.clone(), reward)))
            .filter(|(in_month, _)| *in_month == month)
            .map_or(0, |(_, items)| *items)
    }

    /// Items of `reward` the household `household` redeemed in the local
    /// month of `ts_ms`, and the reward's monthly limit for a household:
    /// what a kiosk shows beside the reward.
    pub fn household_month(&self, household: &str, reward: &str, ts_ms: u64) -> (u32, Option<u32>) {
        let Some(&index) = self.reward_index.get(reward) else {
            return (0, None);
        };
        let month = local_month(local_day(ts_ms, self.utc_offset_minutes));
        let used = household
            .parse::<PlaceCode>()
            .ok()
            .and_then(|h| self.household_used.get(&(h, index)))
            .filter(|(in_month, _)| *in_month == month)
            .map_or(0, |(_, items)| *items);
        let limit = self
            .rewards
            .get(index as usize)
            .and_then(|r| r.household_monthly);
        (used, limit)
    }
}
