//! The rules of a `stock` entry: a known reward's stock moves by `delta`,
//! never below zero nor above the limit.

use super::{Effect, State};
use crate::error::RuleError;
use crate::limits;
use crate::model::RewardId;

impl State {
    pub(super) fn check_stock(&self, reward: &RewardId, delta: i64) -> Result<Effect, RuleError> {
        {
            let index = *self
                .reward_index
                .get(reward)
                .ok_or_else(|| RuleError::UnknownReward(reward.to_string()))?;
            let stock = self.rewards.get(index as usize).map_or(0, |r| r.stock);
            let new_stock = stock.saturating_add(delta);
            if !(0..=limits::MAX_STOCK).contains(&new_stock) {
                return Err(RuleError::StockLimit);
            }
            Ok(Effect::SetStock(index, new_stock))
        }
    }
}
