//! The rules of a `resident` entry: a new code registers a resident (up to
//! the limit); a known one updates its household, area or status.

use super::{Effect, ResidentRecord, State, under_limit};
use crate::error::RuleError;
use crate::limits;
use crate::model::{PlaceCode, Points, ResidentCode};

impl State {
    pub(super) fn check_resident(
        &self,
        code: &ResidentCode,
        household: &PlaceCode,
        area: &PlaceCode,
        active: bool,
    ) -> Result<Effect, RuleError> {
        Ok(match self.resident_index.get(code) {
            Some(&index) => Effect::UpdateResident(index, household.clone(), area.clone(), active),
            None => {
                under_limit(self.residents.len(), limits::MAX_RESIDENTS, "residents")?;
                Effect::NewResident(ResidentRecord {
                    code: code.clone(),
                    household: household.clone(),
                    area: area.clone(),
                    active,
                    balance: Points::ZERO,
                    debt: Points::ZERO,
                    earned_total: Points::ZERO,
                    history: Vec::new(),
                    suspensions: Vec::new(),
                })
            }
        })
    }
}
