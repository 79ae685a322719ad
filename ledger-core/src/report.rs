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

/// How many months the table by month shows, ending with the period's
/// last month.
pub const MONTHS_SHOWN: u32 = 12;

/// The reports of one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// Points awarded in each community, net of reversals: one line for a
    /// ledger, one per log for a district ([`Report::merge`]).
    pub by_community: Vec<ReportLine>,
    /// Points awarded in each of the [`MONTHS_SHOWN`] months that end with
    /// the period's last month, net of reversals, oldest first (`2026-11`).
    pub by_month: Vec<ReportLine>,
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
        let awarded = by_activity
            .values()
            .fold((0, Points::ZERO), |(c, p), (count, points)| {
                (c + count, p.plus(*points))
            });
        Report {
            period,
            by_community: vec![ReportLine {
                what: self.name().to_string(),
                count: awarded.0,
                points: awarded.1,
                stock: None,
            }],
            by_month: self.by_month(period),
            by_activity: lines(by_activity),
            by_area: lines(by_area),
            deductions: lines(deductions),
            rewards,
            inactive: self.inactive(end, months, size),
        }
    }

    /// Points awarded (net of reversals, deductions apart) in each of the
    /// months that end with `period`'s last month.
    fn by_month(&self, period: Period) -> Vec<ReportLine> {
        period
            .months_to_end(MONTHS_SHOWN)
            .into_iter()
            .map(|month| {
                let mut line = ReportLine {
                    what: month.label(),
                    count: 0,
                    points: Points::ZERO,
                    stock: None,
                };
                self.notice_rows(month, |row| {
                    let award = match row.kind {
                        NoticeKind::Award => 1,
                        NoticeKind::Deduction => return,
                        NoticeKind::Reversal => match self.reversal_target(row.seq) {
                            Some(Body::Deduct { .. }) => return,
                            _ => -1,
                        },
                    };
                    line.count += award;
                    line.points = line.points.plus(row.points);
                });
                line
            })
            .collect()
    }

    /// The body a reversal at `seq` undoes.
    fn reversal_target(&self, seq: crate::model::Seq) -> Option<&Body> {
        match self.entry(seq).map(|e| &e.body) {
            Some(Body::Reverse { entry, .. }) => self.entry(*entry).map(|e| &e.body),
            _ => None,
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

impl Report {
    /// The district's report from its communities' (same period): each
    /// community a line of [`Report::by_community`], every other table
    /// summed line by line (an inactive resident named with their
    /// community, as codes may repeat between communities).
    pub fn merge(period: Period, reports: Vec<Report>) -> Report {
        let mut district = Report {
            period,
            by_community: Vec::new(),
            by_month: Vec::new(),
            by_activity: Vec::new(),
            by_area: Vec::new(),
            deductions: Vec::new(),
            rewards: Vec::new(),
            inactive: Vec::new(),
        };
        let add = |into: &mut Vec<ReportLine>, lines: Vec<ReportLine>| {
            for line in lines {
                match into.iter_mut().find(|l| l.what == line.what) {
                    Some(sum) => {
                        sum.count += line.count;
                        sum.points = sum.points.plus(line.points);
                        sum.stock = match (sum.stock, line.stock) {
                            (Some(a), Some(b)) => Some(a + b),
                            (a, b) => a.or(b),
                        };
                    }
                    None => into.push(line),
                }
            }
        };
        for report in reports {
            let community = report
                .by_community
                .first()
                .map(|l| l.what.clone())
                .unwrap_or_default();
            district.by_community.extend(report.by_community);
            add(&mut district.by_month, report.by_month);
            add(&mut district.by_activity, report.by_activity);
            add(&mut district.by_area, report.by_area);
            add(&mut district.deductions, report.deductions);
            add(&mut district.rewards, report.rewards);
            district
                .inactive
                .extend(report.inactive.into_iter().map(|line| ReportLine {
                    what: format!("{community} · {}", line.what),
                    ..line
                }));
        }
        for table in [
            &mut district.by_activity,
            &mut district.by_area,
            &mut district.deductions,
            &mut district.rewards,
        ] {
            table.sort_by(|a, b| a.what.cmp(&b.what));
        }
        district
    }
}

/// What starts a CSV file so that Excel and WPS read UTF-8, not GBK.
pub const CSV_BOM: &str = "\u{feff}";

/// One CSV row (RFC 4180 quoting where a cell needs it), with CRLF.
pub fn csv_row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let cell = cell.as_ref();
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
    out
}

/// One of the report's tables, as the CLI's `--csv` and the web app's
/// buttons name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Points by community (a district's report).
    Community,
    /// Points by month.
    Month,
    /// Points by activity.
    Activity,
    /// Points by service area.
    Area,
    /// Points deducted by penalty.
    Deductions,
    /// Rewards handed out and stock left.
    Rewards,
    /// Residents without activity.
    Inactive,
}

impl Table {
    /// Every table, in the order a report shows them.
    pub const ALL: [Table; 7] = [
        Table::Community,
        Table::Month,
        Table::Activity,
        Table::Area,
        Table::Deductions,
        Table::Rewards,
        Table::Inactive,
    ];

    /// Its name (`community`, `month`, …, `inactive`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Community => "community",
            Table::Month => "month",
            Table::Activity => "activity",
            Table::Area => "area",
            Table::Deductions => "deductions",
            Table::Rewards => "rewards",
            Table::Inactive => "inactive",
        }
    }

    /// The table of that name.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Its title, in `lang`.
    pub fn title(self, lang: crate::Lang) -> &'static str {
        match self {
            Table::Community => lang.pick("按社区", "By community"),
            Table::Month => lang.pick("按月份", "By month"),
            Table::Activity => lang.pick("按活动", "By activity"),
            Table::Area => lang.pick("按网格", "By area"),
            Table::Deductions => lang.pick("扣分", "Deductions"),
            Table::Rewards => lang.pick("奖品发放与库存", "Rewards handed out, stock left"),
            Table::Inactive => lang.pick("无活动的在册居民", "Active residents without activity"),
        }
    }
}

impl Report {
    /// The lines of `table`.
    pub fn lines(&self, table: Table) -> &[ReportLine] {
        match table {
            Table::Community => &self.by_community,
            Table::Month => &self.by_month,
            Table::Activity => &self.by_activity,
            Table::Area => &self.by_area,
            Table::Deductions => &self.deductions,
            Table::Rewards => &self.rewards,
            Table::Inactive => &self.inactive,
        }
    }

    /// `table`'s header in `lang` and its rows as text, as the CLI, the
    /// CSV and the web app show them.
    pub fn table(&self, table: Table, lang: crate::Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let pick = |zh, en| lang.pick(zh, en);
        let header = match table {
            Table::Community => vec![
                pick("社区", "community"),
                pick("次数", "awards"),
                pick("积分", "points"),
            ],
            Table::Month => vec![
                pick("月份", "month"),
                pick("次数", "awards"),
                pick("积分", "points"),
            ],
            Table::Activity => vec![
                pick("活动", "activity"),
                pick("次数", "awards"),
                pick("积分", "points"),
            ],
            Table::Area => vec![
                pick("网格", "area"),
                pick("次数", "awards"),
                pick("积分", "points"),
            ],
            Table::Deductions => vec![
                pick("扣分规则", "penalty"),
                pick("次数", "deductions"),
                pick("扣分", "points"),
            ],
            Table::Rewards => vec![
                pick("奖品", "reward"),
                pick("发放数量", "handed out"),
                pick("消耗积分", "points"),
                pick("库存", "stock left"),
            ],
            Table::Inactive => vec![pick("居民", "resident"), pick("余额", "balance")],
        };
        let rows = self
            .lines(table)
            .iter()
            .map(|line| match table {
                Table::Inactive => vec![line.what.clone(), line.points.to_wire()],
                Table::Rewards => vec![
                    line.what.clone(),
                    line.count.to_string(),
                    line.points.to_wire(),
                    line.stock.map(|s| s.to_string()).unwrap_or_default(),
                ],
                _ => vec![
                    line.what.clone(),
                    line.count.to_string(),
                    line.points.to_wire(),
                ],
            })
            .collect();
        (header, rows)
    }

    /// `table` as CSV for Excel and WPS: a byte-order mark, the header in
    /// `lang`, CRLF line ends.
    pub fn csv(&self, table: Table, lang: crate::Lang) -> String {
        let (header, rows) = self.table(table, lang);
        let mut out = String::from(CSV_BOM);
        out += &csv_row(&header);
        for row in rows {
            out += &csv_row(&row);
        }
        out
    }
}
