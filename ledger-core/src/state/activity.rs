//! The rules of an `activity` entry: a new id defines an activity (up to the
//! limit); a known one redefines it.

use super::{ActivityRecord, Effect, State, under_limit};
use crate::error::RuleError;
use crate::limits;
use crate::model::{ActivityId, Points, Text};

impl State {
    pub(super) fn check_activity(
        &self,
        id: &ActivityId,
        name: &Text,
        points: Points,
        daily_cap: Points,
        active: bool,
        [review, per_hour]: [bool; 2],
    ) -> Result<Effect, RuleError> {
        {
            let record = ActivityRecord {
                id: id.clone(),
                name: name.clone(),
                points,
                daily_cap,
                active,
                review,
                per_hour,
            };
            Ok(match self.activity_index.get(id) {
                Some(&index) => Effect::UpdateActivity(index, record),
                None => {
                    under_limit(self.activities.len(), limits::MAX_ACTIVITIES, "activities")?;
                    Effect::NewActivity(record)
                }
            })
        }
    }
}
