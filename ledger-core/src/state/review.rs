//! The rules of review (v2): an earn of an activity that needs review is a
//! claim, which counts nothing until a reviewer approves it (`approve`),
//! and nothing ever if one rejects it (`reject`, with the reason kept).
//! Only officers record earns and only reviewers decide them, so the two
//! signers always differ. A claim takes its room under the daily cap when
//! it is recorded; a reversal withdraws a pending claim, or takes back an
//! approved one's points like any earn's. A deduction (`deduct`) is a
//! claim too: see [`super::deduct`].

use super::{Effect, State, seq_index};
use crate::error::RuleError;
use crate::model::{Points, Seq};

/// What became of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    /// Waiting for a reviewer.
    Pending,
    /// Approved by the entry with this seq: its points count.
    Approved(Seq),
    /// Rejected by the entry with this seq: it counts nothing.
    Rejected(Seq),
}

/// An earn that needs review, or a deduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Claim {
    pub(crate) resident: u32,
    /// The activity's index, or the penalty's for a deduction.
    pub(crate) activity: u32,
    /// The points it counts once approved (a late claim's, cut by its cap),
    /// or takes, for a deduction.
    pub(crate) points: Points,
    /// For a deduction, the days of suspension its approval starts.
    pub(crate) deduct: Option<u32>,
    /// The approval or rejection: its seq, and whether it approved.
    pub(crate) decided: Option<(u32, bool)>,
}

impl Claim {
    pub(crate) fn status(&self) -> ClaimStatus {
        match self.decided {
            None => ClaimStatus::Pending,
            Some((by, true)) => ClaimStatus::Approved(Seq(u64::from(by))),
            Some((by, false)) => ClaimStatus::Rejected(Seq(u64::from(by))),
        }
    }
}

impl State {
    /// Whether the claim at `claim` may be approved (`approve`) or
    /// rejected: it is a claim, not withdrawn and not decided.
    pub(super) fn check_decision(&self, claim: Seq, approve: bool) -> Result<Effect, RuleError> {
        let index = seq_index(claim);
        let record = self.claims.get(&index).ok_or(RuleError::NotAClaim(claim))?;
        if let Some(&by) = self.reversed_by.get(&index) {
            return Err(RuleError::AlreadyReversed {
                target: claim,
                by: Seq(u64::from(by)),
            });
        }
        if let Some((by, _)) = record.decided {
            return Err(RuleError::ClaimDecided {
                claim,
                by: Seq(u64::from(by)),
            });
        }
        Ok(Effect::Decide {
            claim: index,
            resident: record.resident,
            points: record.points,
            approve,
            deduct: record.deduct,
        })
    }

    /// What became of the earn or deduction at `seq`, if it is a claim (an
    /// earn of an activity that needed review when it was recorded, or any
    /// deduction).
    pub fn claim(&self, seq: Seq) -> Option<ClaimStatus> {
        self.claims.get(&seq_index(seq)).map(Claim::status)
    }

    /// The claims no reviewer has decided and no reversal withdrew, oldest
    /// first: what a reviewer's screen lists.
    pub fn pending_claims(&self) -> Vec<Seq> {
        let mut pending: Vec<Seq> = self
            .claims
            .iter()
            .filter(|(seq, claim)| claim.decided.is_none() && !self.reversed_by.contains_key(seq))
            .map(|(&seq, _)| Seq(u64::from(seq)))
            .collect();
        pending.sort_unstable();
        pending
    }
}
