//! What an entry means in one resident's history: its kind, the item (an
//! activity's or a reward's name), and the points it moved, as the
//! resident's screen, the kiosk and `jifen history` all show it.

use crate::entry::{Body, Entry};
use crate::ledger::Ledger;
use crate::model::{Points, Seq};
use crate::state::ClaimStatus;

/// The kind of a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Points earned for an activity.
    Earn,
    /// Points spent on a reward.
    Redeem,
    /// The reversal of the entry with this seq.
    Reverse(Seq),
    /// An earn that needs review, and what became of it so far (its
    /// points count only once approved).
    Claim(ClaimStatus),
    /// The approval of the claim with this seq: its points.
    Approve(Seq),
    /// The rejection of the claim with this seq (the reason in the note).
    Reject(Seq),
    /// A deduction (扣分), and what became of it so far (its points are
    /// taken only once approved; the reason in the note).
    Deduct(ClaimStatus),
    /// Points given to another resident (the item names them).
    TransferOut,
    /// Points received from another resident (the item names them).
    TransferIn,
    /// Any other entry (not in a resident's history).
    Other(&'static str),
}

/// Points a row moved, for the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Points the resident gained.
    Gain(Points),
    /// Points the resident spent or lost.
    Loss(Points),
    /// None.
    None,
}

/// One row of a resident's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// What kind of entry.
    pub kind: RowKind,
    /// The activity's or reward's name (`香皂 ×2` for two), or empty.
    pub item: String,
    /// The points moved.
    pub change: Change,
    /// The entry's note or reversal reason, or empty.
    pub note: String,
    /// Who collected a redeem for the resident (代领), if someone did.
    pub collector: Option<String>,
    /// The half-hours of an earn counted in hours.
    pub hours: Option<u32>,
}

impl Ledger {
    /// `entry` as a row of `resident`'s history: a transfer is points given
    /// for its giver and received for its receiver. Does not panic.
    pub fn history_row_for(&self, entry: &Entry, resident: &str) -> HistoryRow {
        match &entry.body {
            Body::Transfer {
                resident: from,
                points,
                note,
                ..
            } if from.as_str() != resident => HistoryRow {
                kind: RowKind::TransferIn,
                item: from.to_string(),
                change: Change::Gain(*points),
                note: note.to_string(),
                collector: None,
                hours: None,
            },
            _ => self.history_row(entry),
        }
    }

    /// `entry` as a row of a resident's history (a transfer as its giver
    /// sees it). Does not panic.
    pub fn history_row(&self, entry: &Entry) -> HistoryRow {
        let activity = |id: &str| {
            self.state()
                .activity(id)
                .map_or(id.to_owned(), |a| a.name.to_string())
        };
        let penalty = |id: &str| {
            self.state()
                .penalty(id)
                .map_or(id.to_owned(), |p| p.name.to_string())
        };
        let reward = |id: &str| {
            self.state()
                .reward(id)
                .map_or(id.to_owned(), |r| r.name.to_string())
        };
        // A late earn its daily cap cut short counted what the cap left.
        let counted = |seq: Seq, points: Points| {
            let at = u32::try_from(seq.0).unwrap_or(u32::MAX);
            self.state().capped.get(&at).copied().unwrap_or(points)
        };
        let row = |kind, item, change, note: &str| HistoryRow {
            kind,
            item,
            change,
            note: note.to_owned(),
            collector: None,
            hours: None,
        };
        match &entry.body {
            Body::Earn {
                activity: id,
                points,
                note,
                hours,
                ..
            } => HistoryRow {
                hours: *hours,
                ..match self.state().claim(entry.seq) {
                    Some(status) => row(
                        RowKind::Claim(status),
                        activity(id.as_str()),
                        Change::None,
                        note.as_str(),
                    ),
                    None => row(
                        RowKind::Earn,
                        activity(id.as_str()),
                        Change::Gain(counted(entry.seq, *points)),
                        note.as_str(),
                    ),
                }
            },
            Body::Deduct {
                penalty: id,
                reason,
                ..
            } => row(
                RowKind::Deduct(
                    self.state()
                        .claim(entry.seq)
                        .unwrap_or(ClaimStatus::Pending),
                ),
                penalty(id.as_str()),
                Change::None,
                reason.as_str(),
            ),
            Body::Approve { claim, note } => {
                let (item, change) = match self.entry(*claim).map(|e| &e.body) {
                    Some(Body::Earn {
                        activity: id,
                        points,
                        ..
                    }) => (
                        activity(id.as_str()),
                        Change::Gain(counted(*claim, *points)),
                    ),
                    Some(Body::Deduct {
                        penalty: id,
                        points,
                        ..
                    }) => (penalty(id.as_str()), Change::Loss(*points)),
                    _ => (String::new(), Change::None),
                };
                row(RowKind::Approve(*claim), item, change, note.as_str())
            }
            Body::Reject { claim, reason } => {
                let item = match self.entry(*claim).map(|e| &e.body) {
                    Some(Body::Earn { activity: id, .. }) => activity(id.as_str()),
                    Some(Body::Deduct { penalty: id, .. }) => penalty(id.as_str()),
                    _ => String::new(),
                };
                row(RowKind::Reject(*claim), item, Change::None, reason.as_str())
            }
            Body::Redeem {
                reward: id,
                qty,
                points,
                collector,
                ..
            } => HistoryRow {
                collector: collector.as_ref().map(ToString::to_string),
                ..row(
                    RowKind::Redeem,
                    format!("{} ×{qty}", reward(id.as_str())),
                    Change::Loss(*points),
                    "",
                )
            },
            Body::Reverse {
                entry: target,
                reason,
            } => {
                let claim = self.state().claim(*target);
                let (item, change) = match self.entry(*target).map(|e| &e.body) {
                    // A claim withdrawn before approval never counted.
                    Some(Body::Earn { activity: id, .. })
                        if claim.is_some_and(|c| !matches!(c, ClaimStatus::Approved(_))) =>
                    {
                        (activity(id.as_str()), Change::None)
                    }
                    Some(Body::Earn {
                        activity: id,
                        points,
                        ..
                    }) => (
                        activity(id.as_str()),
                        Change::Loss(counted(*target, *points)),
                    ),
                    Some(Body::Redeem {
                        reward: id, points, ..
                    }) => (reward(id.as_str()), Change::Gain(*points)),
                    Some(Body::Deduct {
                        penalty: id,
                        points,
                        ..
                    }) => match claim {
                        Some(ClaimStatus::Approved(_)) => {
                            (penalty(id.as_str()), Change::Gain(*points))
                        }
                        _ => (penalty(id.as_str()), Change::None),
                    },
                    _ => (String::new(), Change::None),
                };
                row(RowKind::Reverse(*target), item, change, reason.as_str())
            }
            Body::Transfer {
                to, points, note, ..
            } => row(
                RowKind::TransferOut,
                to.to_string(),
                Change::Loss(*points),
                note.as_str(),
            ),
            other => row(
                RowKind::Other(other.type_name()),
                String::new(),
                Change::None,
                "",
            ),
        }
    }
}

/// One line of a passbook page: an entry of the resident's, what it means,
/// and the balance after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassbookLine {
    /// The entry's seq (its leaf index on a log).
    pub seq: Seq,
    /// When the ledger took it (ms since the epoch).
    pub ts_ms: u64,
    /// What it means for the resident.
    pub row: HistoryRow,
    /// The resident's balance after it, less any debt (below zero: what
    /// the resident owes).
    pub balance: Points,
}

/// A resident's passbook page (存折) for a period: the balance brought
/// forward, every entry of the period with the balance after it, and the
/// balance carried forward, as paper keeps it for residents without a
/// phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passbook {
    /// The balance before the period's first entry.
    pub opening: Points,
    /// The resident's entries of the period, oldest first.
    pub lines: Vec<PassbookLine>,
    /// The balance after the period's last entry.
    pub closing: Points,
    /// Where the period stands in the ledger (its size is what the
    /// page's checkpoint must cover).
    pub span: crate::notice::Span,
}

impl Ledger {
    /// `resident`'s passbook page for `period`, or `None` for a code that
    /// is not registered. The balances add up each entry's change, so the
    /// last period's closing balance is the resident's balance less debt.
    pub fn passbook(&self, resident: &str, period: crate::notice::Period) -> Option<Passbook> {
        let record = self.state().resident(resident)?;
        let span = self.span(period);
        let mut balance = Points::ZERO;
        let mut opening = Points::ZERO;
        let mut lines = Vec::new();
        for &seq in &record.history {
            let Some(entry) = self.entries().get(seq as usize) else {
                continue;
            };
            if entry.seq.0 >= span.size {
                break;
            }
            let row = self.history_row_for(entry, resident);
            balance = match row.change {
                Change::Gain(points) => balance.plus(points),
                Change::Loss(points) => balance.plus(points.negated()),
                Change::None => balance,
            };
            if entry.seq.0 < span.first {
                opening = balance;
            } else {
                lines.push(PassbookLine {
                    seq: entry.seq,
                    ts_ms: entry.ts_ms,
                    row,
                    balance,
                });
            }
        }
        Some(Passbook {
            opening,
            lines,
            closing: balance,
            span,
        })
    }
}
