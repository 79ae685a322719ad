//! The rules of a `reward` entry: a new id defines a reward of the shop (up
//! to the limit), with no stock; a known one renames, reprices or retires it.

use super::{Effect, RewardRecord, State, under_limit};
use crate::error::RuleError;
use crate::limits;
use crate::model::{Points, RewardId, Text};

impl State {
    pub(super) fn check_reward(
        &self,
        id: &RewardId,
        name: &Text,
        cost: Points,
        active: bool,
        household_monthly: Option<u32>,
    ) -> Result<Effect, RuleError> {
        Ok(match self.reward_index.get(id) {
            Some(&index) => {
                Effect::UpdateReward(index, name.clone(), cost, active, household_monthly)
            }
            None => {
                under_limit(self.rewards.len(), limits::MAX_REWARDS, "rewards")?;
                Effect::NewReward(RewardRecord {
                    id: id.clone(),
                    name: name.clone(),
                    cost,
                    active,
                    stock: 0,
                    household_monthly,
                })
            }
        })
    }
}
