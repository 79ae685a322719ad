//! The rules of collecting for someone else (代领, v2): the admin registers
//! a helper for a resident (`helper`), and a redeem may name who collected
//! it (`collector`) when that is a resident of the same household, or a
//! helper registered for the resident, active either way.

use super::{Effect, State};
use crate::error::RuleError;
use crate::model::ResidentCode;

impl State {
    pub(super) fn check_helper(
        &self,
        resident: &ResidentCode,
        helper: &ResidentCode,
        active: bool,
    ) -> Result<Effect, RuleError> {
        let resident_index = self.resident_index_of(resident)?;
        let helper_index = self.resident_index_of(helper)?;
        if resident_index == helper_index {
            return Err(RuleError::CollectorNotAllowed {
                collector: helper.to_string(),
                resident: resident.to_string(),
            });
        }
        Ok(Effect::SetHelper(resident_index, helper_index, active))
    }

    /// Whether `collector` may collect a reward for `resident`.
    pub(super) fn check_collector(
        &self,
        resident: &ResidentCode,
        collector: &ResidentCode,
    ) -> Result<(), RuleError> {
        let resident_index = self.resident_index_of(resident)?;
        let collector_index = self.resident_index_of(collector)?;
        let records = (
            self.residents.get(resident_index as usize),
            self.residents.get(collector_index as usize),
        );
        let (Some(record), Some(other)) = records else {
            return Err(RuleError::UnknownResident(collector.to_string()));
        };
        let family = other.household == record.household;
        let helper = self
            .helpers
            .contains_key(&(resident_index, collector_index));
        if resident_index == collector_index || !other.active || !(family || helper) {
            return Err(RuleError::CollectorNotAllowed {
                collector: collector.to_string(),
                resident: resident.to_string(),
            });
        }
        Ok(())
    }

    /// The helpers registered for `resident`, by code.
    pub fn helpers_of(&self, resident: &str) -> Vec<&ResidentCode> {
        let Some(&index) = self.resident_index.get(resident) else {
            return Vec::new();
        };
        let mut helpers: Vec<&ResidentCode> = self
            .helpers
            .keys()
            .filter(|(r, _)| *r == index)
            .filter_map(|&(_, h)| self.residents.get(h as usize).map(|r| &r.code))
            .collect();
        helpers.sort();
        helpers
    }
}
