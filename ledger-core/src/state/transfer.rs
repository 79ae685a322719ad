//! The rules of transfers (v2): the admin allows them, up to so many
//! points each, or stops them (`transfers`); a resident gives points to
//! another active resident (`transfer`), never more than the giver has,
//! offline or not, and not while the giver's redeeming is suspended (the
//! points would be redeemed by someone else).

use super::{Effect, State};
use crate::error::RuleError;
use crate::model::{Points, ResidentCode, local_day};

impl State {
    pub(super) fn check_transfer(
        &self,
        ts_ms: u64,
        from: &ResidentCode,
        to: &ResidentCode,
        points: Points,
    ) -> Result<Effect, RuleError> {
        let Some(max) = self.transfers else {
            return Err(RuleError::TransfersOff);
        };
        if points > max {
            return Err(RuleError::TransferTooLarge { max, asked: points });
        }
        if from == to {
            return Err(RuleError::TransferToSelf(from.to_string()));
        }
        let giver = self.resident_index_of(from)?;
        let receiver = self.resident_index_of(to)?;
        for (index, code) in [(giver, from), (receiver, to)] {
            if !self.residents.get(index as usize).is_some_and(|r| r.active) {
                return Err(RuleError::ResidentInactive(code.to_string()));
            }
        }
        let day = local_day(ts_ms, self.utc_offset_minutes);
        if let Some(until_day) = self.suspended_on(giver, day) {
            return Err(RuleError::RedeemSuspended { until_day });
        }
        let balance = self.balance_of(giver);
        if balance.minus(points).is_none() {
            return Err(RuleError::InsufficientPoints {
                balance,
                needed: points,
            });
        }
        Ok(Effect::Transfer {
            from: giver,
            to: receiver,
            points,
        })
    }

    /// The most one transfer may give, while the admin allows transfers.
    pub fn transfers(&self) -> Option<Points> {
        self.transfers
    }
}
