//! What following the log found, as the app says it.

use ledger_core::Lang;
use ledger_core::log::LogError;
use ledger_core::tlog::{FollowError, TlogError};

use crate::store::StoreError;

/// What following the log found, beside the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogNotice {
    /// New leaves were added.
    Updated {
        /// How many.
        new: u64,
    },
    /// The log could not be reached; the stored copy is shown.
    Unreachable(String),
    /// The log's checkpoint does not hold under the policy (not signed by
    /// the log, a witness's cosignature forged, …): refused.
    BadCheckpoint(TlogError),
    /// The log's history is not the stored copy's from this leaf on.
    Rewritten {
        /// The first leaf that differs.
        index: u64,
    },
    /// The log now has fewer leaves than the copy.
    Shrank {
        /// Leaves in the copy.
        had: u64,
        /// Leaves the checkpoint says.
        now: u64,
    },
    /// A new leaf does not hold (a rule or a signature): refused.
    Invalid(LogError),
    /// The new leaves held but the browser did not store them.
    NotStored(StoreError),
}

impl LogNotice {
    /// Whether it is an alarm (the log is not to be trusted) rather than a
    /// passing condition.
    pub fn alarm(&self) -> bool {
        matches!(
            self,
            LogNotice::BadCheckpoint(_)
                | LogNotice::Rewritten { .. }
                | LogNotice::Shrank { .. }
                | LogNotice::Invalid(_)
        )
    }

    /// The sentence in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let kept = lang.pick(
            "。已拒绝，本机保留原来的副本。",
            ". Refused; this device keeps its copy.",
        );
        match self {
            LogNotice::Updated { new } => match lang {
                Lang::Zh => format!("已从社区日志取得 {new} 条新记录，均已核对"),
                Lang::En => format!("{new} new entries from the community's log, all checked"),
            },
            LogNotice::Unreachable(reason) => match lang {
                Lang::Zh => format!("连不上社区日志，显示本机保存的副本：{reason}"),
                Lang::En => format!(
                    "the community's log cannot be reached; showing this device's copy: {reason}"
                ),
            },
            LogNotice::BadCheckpoint(error) => match lang {
                Lang::Zh => format!("社区日志的检查点不可信：{}{kept}", error.message(lang)),
                Lang::En => format!(
                    "the log's checkpoint does not hold: {}{kept}",
                    error.message(lang)
                ),
            },
            LogNotice::Rewritten { index } => match lang {
                Lang::Zh => {
                    format!("警告：社区日志改写了历史，从第 {index} 条起与本机保存的记录不同{kept}")
                }
                Lang::En => format!(
                    "Warning: the community's log rewrote its history: from leaf {index} on it differs from this device's copy{kept}"
                ),
            },
            LogNotice::Shrank { had, now } => match lang {
                Lang::Zh => {
                    format!("警告：社区日志只剩 {now} 条，本机已有 {had} 条：日志删改了历史{kept}")
                }
                Lang::En => format!(
                    "Warning: the community's log now has {now} leaves where this device has {had}: it removed history{kept}"
                ),
            },
            LogNotice::Invalid(error) => match lang {
                Lang::Zh => format!("社区日志的新记录不成立：{}{kept}", error.message(lang)),
                Lang::En => format!(
                    "a new leaf of the log does not hold: {}{kept}",
                    error.message(lang)
                ),
            },
            LogNotice::NotStored(error) => match lang {
                Lang::Zh => format!("新记录已核对，但浏览器没有保存：{}", error.message(lang)),
                Lang::En => format!(
                    "the new leaves were checked but the browser did not keep them: {}",
                    error.message(lang)
                ),
            },
        }
    }
}

impl From<FollowError> for LogNotice {
    fn from(error: FollowError) -> LogNotice {
        match error {
            FollowError::Shrank { had, now } => LogNotice::Shrank { had, now },
            FollowError::Rewritten { index } => LogNotice::Rewritten { index },
            FollowError::RootDiffers => LogNotice::BadCheckpoint(TlogError::ProofDoesNotHold),
            FollowError::Tile(error) => LogNotice::BadCheckpoint(error),
        }
    }
}
