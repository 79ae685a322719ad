//! The rules of an `earn` entry: an active resident, an active activity, the
//! activity's points exactly (for one counted in hours, its points per hour
//! over the hours said), and no more than its daily cap per resident on the
//! local day.

use super::{Effect, State};
use crate::error::RuleError;
use crate::model::{ActivityId, Points, ResidentCode, local_day};

impl State {
    pub(super) fn check_earn(
        &self,
        ts_ms: u64,
        resident: &ResidentCode,
        activity: &ActivityId,
        points: Points,
        hours: Option<u32>,
        late: bool,
    ) -> Result<Effect, RuleError> {
        {
            let resident_index = self.resident_index_of(resident)?;
            if !self
                .residents
                .get(resident_index as usize)
                .is_some_and(|r| r.active)
            {
                return Err(RuleError::ResidentInactive(resident.to_string()));
            }
            let activity_index = *self
                .activity_index
                .get(activity)
                .ok_or_else(|| RuleError::UnknownActivity(activity.to_string()))?;
            let Some(definition) = self.activities.get(activity_index as usize) else {
                return Err(RuleError::UnknownActivity(activity.to_string()));
            };
            if !definition.active {
                return Err(RuleError::ActivityInactive(activity.to_string()));
            }
            // Counted in hours: the points per hour over the hours said;
            // otherwise the activity's points, and no hours.
            let expected = match (definition.per_hour, hours) {
                (true, Some(half_hours)) => definition.points.per_half_hours(half_hours),
                (true, None) => return Err(RuleError::HoursNeeded(activity.to_string())),
                (false, Some(_)) => return Err(RuleError::NotHourly(activity.to_string())),
                (false, None) => definition.points,
            };
            if points != expected {
                return Err(RuleError::EarnPoints {
                    expected,
                    found: points,
                });
            }
            let day = local_day(ts_ms, self.utc_offset_minutes);
            let earned_today = if day == self.today {
                self.earned_today
                    .get(&(resident_index, activity_index))
                    .copied()
                    .unwrap_or_default()
            } else {
                Points::ZERO
            };
            let mut counted = points;
            if earned_today.plus(points) > definition.daily_cap {
                if !late {
                    return Err(RuleError::DailyCap {
                        cap: definition.daily_cap,
                        earned_today,
                        points,
                    });
                }
                // Made offline: never lost, but only what the cap leaves counts.
                counted = definition.daily_cap.minus(earned_today).unwrap_or_default();
            }
            Ok(Effect::Earn {
                resident: resident_index,
                activity: activity_index,
                points: counted,
                day,
            })
        }
    }
}
