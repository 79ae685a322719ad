//! The rules of deductions (v2): the admin defines penalties (`penalty`:
//! points taken, days of suspension), an officer records a deduction
//! (`deduct`) with its reason, and it counts only once a reviewer approves
//! it, as a claim does. An approved deduction takes its points (what the
//! balance lacks becomes debt, paid back by later earns) and suspends
//! redeeming from the local day of the approval for the penalty's days.

use super::{Effect, PenaltyRecord, State, under_limit};
use crate::error::RuleError;
use crate::limits;
use crate::model::{ActivityId, Points, ResidentCode, Text};

impl State {
    pub(super) fn check_penalty(
        &self,
        id: &ActivityId,
        name: &Text,
        points: Points,
        suspend_days: u32,
        active: bool,
    ) -> Result<Effect, RuleError> {
        if points.is_zero() && suspend_days == 0 {
            return Err(RuleError::EmptyPenalty(id.to_string()));
        }
        let record = PenaltyRecord {
            id: id.clone(),
            name: name.clone(),
            points,
            suspend_days,
            active,
        };
        Ok(match self.penalty_index.get(id) {
            Some(&index) => Effect::UpdatePenalty(index, record),
            None => {
                under_limit(self.penalties.len(), limits::MAX_ACTIVITIES, "penalties")?;
                Effect::NewPenalty(record)
            }
        })
    }

    pub(super) fn check_deduct(
        &self,
        resident: &ResidentCode,
        penalty: &ActivityId,
        points: Points,
    ) -> Result<Effect, RuleError> {
        let resident = self.resident_index_of(resident)?;
        let index = *self
            .penalty_index
            .get(penalty)
            .ok_or_else(|| RuleError::UnknownPenalty(penalty.to_string()))?;
        let Some(definition) = self.penalties.get(index as usize) else {
            return Err(RuleError::UnknownPenalty(penalty.to_string()));
        };
        if !definition.active {
            return Err(RuleError::PenaltyInactive(penalty.to_string()));
        }
        if points != definition.points {
            return Err(RuleError::DeductPoints {
                expected: definition.points,
                found: points,
            });
        }
        Ok(Effect::DeductClaim {
            resident,
            penalty: index,
            points,
            suspend_days: definition.suspend_days,
        })
    }

    /// The first local day on which `resident` may redeem again, if their
    /// redeeming is suspended on local day `day`.
    pub(crate) fn suspended_on(&self, resident: u32, day: i64) -> Option<i64> {
        self.residents
            .get(resident as usize)?
            .suspensions
            .iter()
            .map(|&(_, until)| until)
            .max()
            .filter(|&until| until > day)
    }
}
