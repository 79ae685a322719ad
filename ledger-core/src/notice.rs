//! The public notice (公示) of a period: every award and deduction, and
//! every reversal of one, that began or stopped counting in it, by
//! resident and household, the totals, the top contributors (红榜) and
//! the most deducted (黑榜), at the ledger's size at the period's end. It is computed from the entries and the rules alone,
//! so anyone with the log (or the file) recomputes the same notice; a log
//! adds the root of its tree at that size, which a later signed checkpoint
//! proves.
//!
//! An award counts in the period it began to count in: an ordinary earn
//! at its own time, a reviewed one when it was approved (a claim still
//! waiting, or rejected, is no award); a deduction when it was approved.
//! Membership is by the ledger's time
//! (in a log, the log's time, which never goes back), so a period is one
//! run of entries and its end is one size of the tree.

use std::collections::BTreeMap;

use crate::entry::Body;
use crate::ledger::Ledger;
use crate::model::{Points, Seq, local_day};
use crate::state::ClaimStatus;

/// How many residents the 红榜 and the 黑榜 name.
pub const TOP: usize = 10;

/// A calendar period in the ledger's local time: a month or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The year.
    pub year: i32,
    /// The first month (1–12).
    pub first_month: u32,
    /// Months in it: 1 or 3.
    pub months: u32,
}

impl Period {
    /// Reads `2026-11` (a month), `2026-Q4` (a quarter) or `2026` (a year).
    pub fn parse(text: &str) -> Option<Period> {
        let (year, rest) = text.split_once('-').unwrap_or((text, ""));
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = year.parse().ok()?;
        if text.len() == 4 {
            return Some(Period {
                year,
                first_month: 1,
                months: 12,
            });
        }
        let (first_month, months) = match rest.strip_prefix('Q') {
            Some(q) if q.len() == 1 => match q.parse::<u32>().ok()? {
                q @ 1..=4 => (3 * q - 2, 3),
                _ => return None,
            },
            Some(_) => return None,
            None if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) => {
                match rest.parse::<u32>().ok()? {
                    m @ 1..=12 => (m, 1),
                    _ => return None,
                }
            }
            None => return None,
        };
        Some(Period {
            year,
            first_month,
            months,
        })
    }

    /// The `count` months that end with this period's last month, oldest
    /// first: what a chart by month shows.
    pub fn months_to_end(&self, count: u32) -> Vec<Period> {
        let last = i64::from(self.year) * 12 + i64::from(self.first_month + self.months - 2);
        (0..i64::from(count))
            .rev()
            .map(|back| {
                let index = last - back;
                Period {
                    year: i32::try_from(index.div_euclid(12)).unwrap_or(self.year),
                    first_month: u32::try_from(index.rem_euclid(12) + 1).unwrap_or(1),
                    months: 1,
                }
            })
            .collect()
    }

    /// How it is written: `2026-11`, `2026-Q4` or `2026`.
    pub fn label(&self) -> String {
        if self.months == 12 {
            format!("{}", self.year)
        } else if self.months == 3 {
            format!("{}-Q{}", self.year, self.first_month.div_ceil(3))
        } else {
            format!("{}-{:02}", self.year, self.first_month)
        }
    }

    /// Its first local day and the first local day after it, as days since
    /// the epoch.
    pub fn days(&self) -> (i64, i64) {
        let start = days_from_civil(self.year, self.first_month);
        let end_month = self.first_month + self.months;
        let end = if end_month > 12 {
            days_from_civil(self.year + 1, end_month - 12)
        } else {
            days_from_civil(self.year, end_month)
        };
        (start, end)
    }
}

/// Days since 1970-01-01 of the first of `month` in `year` (Howard
/// Hinnant's civil-to-days algorithm).
fn days_from_civil(year: i32, month: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// What a notice row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Points awarded (an earn, or a claim approved by this entry).
    Award,
    /// An award or a deduction taken back by this entry.
    Reversal,
    /// Points deducted (a deduction approved by this entry).
    Deduction,
}

/// One row of the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    /// The entry that made it count (the earn, the approval, the reversal).
    pub seq: Seq,
    /// That entry's time.
    pub ts_ms: u64,
    /// Award or reversal.
    pub kind: NoticeKind,
    /// The resident.
    pub resident: String,
    /// Their household.
    pub household: String,
    /// The activity's name, or the penalty's.
    pub activity: String,
    /// Points, negative for a deduction or the reversal of an award.
    pub points: Points,
    /// A deduction's reason (empty otherwise).
    pub reason: String,
    /// The first local day a deduction's suspension lets the resident
    /// redeem again, if it suspends.
    pub suspended_until: Option<i64>,
}

/// A total, of a resident or a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Total {
    /// The resident's code or the household.
    pub who: String,
    /// Their points in the period.
    pub points: Points,
}

/// The public notice of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The community's name.
    pub community: String,
    /// The period.
    pub period: Period,
    /// The ledger's offset from UTC, for the rows' local times.
    pub utc_offset_minutes: i32,
    /// Every row, in ledger order.
    pub rows: Vec<NoticeRow>,
    /// Each resident's total, by code.
    pub residents: Vec<Total>,
    /// Each household's total, by household.
    pub households: Vec<Total>,
    /// The 红榜: the residents with the most points, most first (ties by
    /// code), at most [`TOP`], none without points.
    pub top: Vec<Total>,
    /// The 黑榜: the residents with the most points deducted in the period
    /// (net of reversed deductions), most first, at most [`TOP`].
    pub black: Vec<Total>,
    /// Entries up to the period's end: the size its checkpoint must have.
    pub size: u64,
    /// Whether the ledger reaches past the period's end (otherwise the
    /// period is not over in it yet, and the notice may still grow).
    pub closed: bool,
}

/// Where a period stands in a ledger: its entries, and whether it is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The seq of its first entry.
    pub first: u64,
    /// Entries up to its end: the size its checkpoint must have.
    pub size: u64,
    /// Whether the ledger reaches past its end.
    pub closed: bool,
}

impl Ledger {
    /// Where `period` stands in the ledger. Ledger time never goes back,
    /// so a period is one run of entries.
    pub fn span(&self, period: Period) -> Span {
        let offset = self.state().utc_offset_minutes();
        let (start, end) = period.days();
        let entries = self.entries();
        let first = entries.partition_point(|e| local_day(e.ts_ms, offset) < start);
        let size = entries.partition_point(|e| local_day(e.ts_ms, offset) < end);
        let closed = entries
            .get(size)
            .is_some_and(|e| local_day(e.ts_ms, offset) >= end);
        Span {
            first: first as u64,
            size: size as u64,
            closed,
        }
    }

    /// The public notice of `period`, from the entries and the rules.
    pub fn notice(&self, period: Period) -> Notice {
        let mut rows = Vec::new();
        let span = self.notice_rows(period, |row| rows.push(row));
        self.notice_of(period, span, rows)
    }

    /// Each row of the notice of `period` in turn, in ledger order, handed
    /// to `each` as it is found: a year of a street is written out (as
    /// CSV) without being held.
    pub fn notice_rows(&self, period: Period, mut each: impl FnMut(NoticeRow)) -> Span {
        let state = self.state();
        let offset = state.utc_offset_minutes();
        let span = self.span(period);
        let range = usize::try_from(span.first).unwrap_or(usize::MAX)
            ..usize::try_from(span.size).unwrap_or(usize::MAX);
        for entry in self.entries().get(range).unwrap_or_default() {
            let counts = match &entry.body {
                Body::Earn { .. } if state.claim(entry.seq).is_none() => {
                    Some((NoticeKind::Award, entry.seq))
                }
                Body::Approve { claim, .. } => match self.entry(*claim).map(|e| &e.body) {
                    Some(Body::Deduct { .. }) => Some((NoticeKind::Deduction, *claim)),
                    _ => Some((NoticeKind::Award, *claim)),
                },
                Body::Reverse { entry: target, .. } if self.counted(*target) => {
                    Some((NoticeKind::Reversal, *target))
                }
                _ => None,
            };
            let Some((kind, source)) = counts else {
                continue;
            };
            let at = u32::try_from(source.0).unwrap_or(u32::MAX);
            let (resident, name, points, reason, suspended_until) =
                match self.entry(source).map(|e| &e.body) {
                    Some(Body::Earn {
                        resident,
                        activity,
                        points,
                        ..
                    }) => {
                        // A late earn its daily cap cut short counts what the cap left.
                        let points = state.capped.get(&at).copied().unwrap_or(*points);
                        let name = state
                            .activity(activity.as_str())
                            .map_or(activity.to_string(), |a| a.name.to_string());
                        let signed = match kind {
                            NoticeKind::Reversal => points.negated(),
                            _ => points,
                        };
                        (resident, name, signed, String::new(), None)
                    }
                    Some(Body::Deduct {
                        resident,
                        penalty,
                        points,
                        reason,
                    }) => {
                        let definition = state.penalty(penalty.as_str());
                        let name = definition.map_or(penalty.to_string(), |p| p.name.to_string());
                        let (signed, until) = match kind {
                            NoticeKind::Reversal => (*points, None),
                            _ => {
                                let days = state.claims.get(&at).and_then(|c| c.deduct);
                                let until = days
                                    .filter(|&d| d > 0)
                                    .map(|d| local_day(entry.ts_ms, offset) + i64::from(d));
                                (points.negated(), until)
                            }
                        };
                        (resident, name, signed, reason.to_string(), until)
                    }
                    _ => continue,
                };
            each(NoticeRow {
                seq: entry.seq,
                ts_ms: entry.ts_ms,
                kind,
                resident: resident.to_string(),
                household: state
                    .resident(resident.as_str())
                    .map(|r| r.household.to_string())
                    .unwrap_or_default(),
                activity: name,
                points,
                reason,
                suspended_until,
            });
        }
        span
    }

    /// The notice of `period` from its rows: the totals and the two lists.
    fn notice_of(&self, period: Period, span: Span, rows: Vec<NoticeRow>) -> Notice {
        let sum = |key: &dyn Fn(&NoticeRow) -> &str| {
            let mut totals: BTreeMap<&str, Points> = BTreeMap::new();
            for row in &rows {
                let total = totals.entry(key(row)).or_default();
                *total = total.plus(row.points);
            }
            totals
                .into_iter()
                .map(|(who, points)| Total {
                    who: who.to_owned(),
                    points,
                })
                .collect::<Vec<_>>()
        };
        let residents = sum(&|row| &row.resident);
        let households = sum(&|row| &row.household);
        let mut top: Vec<Total> = residents
            .iter()
            .filter(|t| t.points > Points::ZERO)
            .cloned()
            .collect();
        top.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.who.cmp(&b.who)));
        top.truncate(TOP);
        let mut deducted: BTreeMap<&str, Points> = BTreeMap::new();
        for row in &rows {
            let deduction = match (row.kind, self.entry(row.seq).map(|e| &e.body)) {
                (NoticeKind::Deduction, _) => row.points.negated(),
                (NoticeKind::Reversal, Some(Body::Reverse { entry, .. }))
                    if matches!(
                        self.entry(*entry).map(|e| &e.body),
                        Some(Body::Deduct { .. })
                    ) =>
                {
                    row.points.negated()
                }
                _ => continue,
            };
            let total = deducted.entry(&row.resident).or_default();
            *total = total.plus(deduction);
        }
        let mut black: Vec<Total> = deducted
            .into_iter()
            .filter(|(_, points)| *points > Points::ZERO)
            .map(|(who, points)| Total {
                who: who.to_owned(),
                points,
            })
            .collect();
        black.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.who.cmp(&b.who)));
        black.truncate(TOP);
        Notice {
            community: self.name().to_string(),
            period,
            utc_offset_minutes: self.state().utc_offset_minutes(),
            rows,
            residents,
            households,
            top,
            black,
            size: span.size,
            closed: span.closed,
        }
    }

    /// Whether the earn or deduction at `seq` counts now or counted before
    /// a reversal: an ordinary earn, or an approved claim or deduction.
    fn counted(&self, seq: Seq) -> bool {
        matches!(
            self.entry(seq).map(|e| &e.body),
            Some(Body::Earn { .. } | Body::Deduct { .. })
        ) && !matches!(
            self.state().claim(seq),
            Some(ClaimStatus::Pending | ClaimStatus::Rejected(_))
        )
    }
}

impl NoticeKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Award => "award",
            NoticeKind::Reversal => "reversal",
            NoticeKind::Deduction => "deduction",
        }
    }
}

impl Notice {
    /// Where the notice stands, said in `lang`: with a log, its origin, the
    /// root of its tree at the notice's size (base64) and whether the
    /// log's signed checkpoint covers that size; else the size alone.
    pub fn standing(&self, lang: crate::Lang, log: Option<(&str, &str, bool)>) -> String {
        standing(self.size, lang, log)
    }

    /// The notice as JSON: what `jifen notice --json` prints and the npm
    /// package returns, so that the two compare as they are.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let totals = |totals: &[Total]| {
            totals
                .iter()
                .map(|t| json!({"who": t.who, "points": t.points.to_wire()}))
                .collect::<Vec<_>>()
        };
        json!({
            "community": self.community,
            "period": self.period.label(),
            "closed": self.closed,
            "size": self.size,
            "rows": self.rows.iter().map(|r| {
                let mut row = json!({
                    "seq": r.seq.0,
                    "ts": r.ts_ms,
                    "kind": r.kind.as_str(),
                    "resident": r.resident,
                    "household": r.household,
                    "activity": r.activity,
                    "points": r.points.to_wire(),
                });
                if r.kind == NoticeKind::Deduction {
                    row["reason"] = json!(r.reason);
                    if let Some(day) = r.suspended_until {
                        row["suspended_until"] = json!(crate::model::format_local_day(day));
                    }
                }
                row
            }).collect::<Vec<_>>(),
            "residents": totals(&self.residents),
            "households": totals(&self.households),
            "top": totals(&self.top),
            "black": totals(&self.black),
        })
    }
}

/// Where a page of `size` entries stands, said in `lang`: with a log, its
/// origin, the root of its tree at that size (base64) and whether the log's
/// signed checkpoint covers it; else the size alone.
pub fn standing(size: u64, lang: crate::Lang, log: Option<(&str, &str, bool)>) -> String {
    use crate::Lang;
    match (log, lang) {
        (Some((origin, root, covered)), Lang::Zh) => format!(
            "日志 {origin} · 截至第 {size} 条 · 根 {root}（{}）",
            if covered {
                "已有签名检查点覆盖"
            } else {
                "尚无签名检查点覆盖"
            }
        ),
        (Some((origin, root, covered)), Lang::En) => format!(
            "log {origin} · size {size} · root {root} ({})",
            if covered {
                "covered by the log's signed checkpoint"
            } else {
                "not yet covered by a signed checkpoint"
            }
        ),
        (None, Lang::Zh) => format!("截至第 {size} 条"),
        (None, Lang::En) => format!("entries up to the end: {size}"),
    }
}
