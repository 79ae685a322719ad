//! Reports for the street office, for a period (a month or a quarter, as
//! [`crate::notice::Period`] reads it): points awarded by activity and by
//! area, points deducted by penalty, rewards handed out with the stock left, and the residents with
//! no activity in the months before the period's end. Computed from the
//! entries and the rules alone, as the notice is, so every replay gives
//! the same figures.

use std::collections::BTreeMap;

use crate::entry::Body;
use crate::ledger::Ledger;
use crate::model::{Points, local_day};
use crate::notice::{NoticeKind, Period};

/// One line of a table: what it is about, how many entries, and points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// The activity's, area's or reward's name (or the resident's code).
    pub what: String,
    /// Entries (awards less reversals; items handed out).
    pub count: i64,
    /// Points (awarded, or paid for the rewards).
    pub points: Points,
    /// Items in stock now (rewards only).
    pub stock: Option<i64>,
}

/// The reports of one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// Points awarded by activity, net of reversals.
    pub by_activity: Vec<ReportLine>,
    /// Points awarded by service area, net of reversals.
    pub by_area: Vec<ReportLine>,
    /// Points deducted by penalty, net of reversals (positive: taken).
    pub deductions: Vec<ReportLine>,
    /// Rewards handed out (redeems less reversed ones), with the stock left.
    pub rewards: Vec<ReportLine>,
    /// Active residents with no award and no redeem in the `months`
    /// before the period's end (their code, and their balance).
    pub inactive: Vec<ReportLine>,
}

impl Ledger {
    /// The reports of `period`; `months`: how long without activity makes a
    /// resident inactive, counted back from the period's end.
    pub fn report(&self, period: Period, months: u32) -> Report {
        let state = self.state();
        let notice = self.notice(period);
        let mut by_activity: BTreeMap<String, (i64, Points)> = BTreeMap::new();
        let mut by_area: BTreeMap<String, (i64, Points)> = BTreeMap::new();
        let mut deductions: BTreeMap<String, (i64, Points)> = BTreeMap::new();
        for row in &notice.rows {
            let of_deduction = match (row.kind, self.entry(row.seq).map(|e| &e.body)) {
                (NoticeKind::Deduction, _) => true,
                (NoticeKind::Reversal, Some(Body::Reverse { entry, .. })) => {
                    matches!(
                        self.entry(*entry).map(|e| &e.body),
                        Some(Body::Deduct { .. })
                    )
                }
                _ => false,
            };
            if of_deduction {
                let sign = if row.kind == NoticeKind::Deduction {
                    1
                } else {
                    -1
                };
                let line = deductions
                    .entry(row.activity.clone())
                    .or_insert((0, Points::ZERO));
                *line = (line.0 + sign, line.1.plus(row.points.negated()));
                continue;
            }
            let sign = match row.kind {
                NoticeKind::Reversal => -1,
                _ => 1,
            };
            let area = state
                .resident(&row.resident)
                .map(|r| r.area.to_string())
                .unwrap_or_default();
            for (map, key) in [
                (&mut by_activity, row.activity.clone()),
                (&mut by_area, area),
            ] {
                let line = map.entry(key).or_insert((0, Points::ZERO));
                *line = (line.0 + sign, line.1.plus(row.points));
            }
        }
        let offset = state.utc_offset_minutes();
        let (start, end) = period.days();
        let entries = self.entries();
        let first = entries.partition_point(|e| local_day(e.ts_ms, offset) < start);
        let size = usize::try_from(notice.size).unwrap_or(entries.len());
        let mut rewards: BTreeMap<String, (i64, Points)> = BTreeMap::new();
        for entry in entries.get(first..size).unwrap_or_default() {
            let (reward, qty, points, sign) = match &entry.body {
                Body::Redeem {
                    reward,
                    qty,
                    points,
                    ..
                } => (reward, *qty, *points, 1),
                Body::Reverse { entry: target, .. } => match self.entry(*target).map(|e| &e.body) {
                    Some(Body::Redeem {
                        reward,
                        qty,
                        points,
                        ..
                    }) => (reward, *qty, *points, -1),
                    _ => continue,
                },
                _ => continue,
            };
            let line = rewards
                .entry(reward.to_string())
                .or_insert((0, Points::ZERO));
            let points = if sign < 0 { points.negated() } else { points };
            *line = (line.0 + sign * i64::from(qty), line.1.plus(points));
        }
        let lines = |map: BTreeMap<String, (i64, Points)>| {
            map.into_iter()
                .map(|(what, (count, points))| ReportLine {
                    what,
                    count,
                    points,
                    stock: None,
                })
                .collect::<Vec<_>>()
        };
        // Keyed by id (two rewards may share a name), shown by name.
        let mut rewards = lines(rewards);
        for line in &mut rewards {
            if let Some(reward) = state.reward(&line.what) {
                line.stock = Some(reward.stock);
                line.what = reward.name.to_string();
            }
        }
        Report {
            period,
            by_activity: lines(by_activity),
            by_area: lines(by_area),
            deductions: lines(deductions),
            rewards,
            inactive: self.inactive(end, months, size),
        }
    }

    /// Active residents whose history has no entry in the `months` (30
    /// days each) before local day `end`, among the first `size` entries.
    fn inactive(&self, end: i64, months: u32, size: usize) -> Vec<ReportLine> {
        let state = self.state();
        let offset = state.utc_offset_minutes();
        let since = end - 30 * i64::from(months);
        state
            .residents()
            .iter()
            .filter(|r| r.active)
            .filter(|r| {
                !self
                    .history_page(r.code.as_str(), 0, usize::MAX)
                    .iter()
                    .any(|e| {
                        let day = local_day(e.ts_ms, offset);
                        (e.seq.0 as usize) < size && day >= since && day < end
                    })
            })
            .map(|r| ReportLine {
                what: r.code.to_string(),
                count: 0,
                points: r.balance,
                stock: None,
            })
            .collect()
    }
}
