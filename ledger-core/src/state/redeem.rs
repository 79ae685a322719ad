//! The rules of a `redeem` entry: a new request id, a known resident, an
//! active reward, a quantity within the limit, exactly cost × qty points,
//! enough points and stock, and no suspension of redeeming (a deduction's).

use super::{Effect, State};
use crate::error::RuleError;
use crate::limits;
use crate::model::{Points, RequestId, ResidentCode, RewardId, Seq, local_day};

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
            })
        }
    }
}
