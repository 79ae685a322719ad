//! Why a log refuses a submission, and where a replayed log goes wrong.

use crate::error::{LineError, RuleError, VerifyError};
use crate::lang::{Lang, english_display, say};
use crate::model::ActorId;
use crate::tlog::TlogError;

/// Why the log refuses a device's entry. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// Not a v2 entry in canonical form.
    Line(LineError),
    /// For another ledger.
    WrongLedger(String),
    /// A log's first leaf must be its genesis.
    FirstNotGenesis,
    /// No entry has named the log yet, and this one does not.
    LogNotNamed,
    /// The log's key is not a safe Ed25519 key, or a note could not be made.
    LogKey(TlogError),
    /// An entry names the log under another origin.
    OriginChanged(String),
    /// Only an admin names the log.
    NamedByNonAdmin(ActorId),
    /// The signing key is not the one the ledger names for the log.
    NotTheLogKey,
    /// The device's signature does not verify.
    BadSignature,
    /// The device used a counter again: two entries signed as one.
    Fork {
        /// The counter of this entry.
        dev_seq: u64,
        /// The device's last counter in the log.
        last_dev_seq: u64,
        /// That entry's leaf index.
        last_index: u64,
    },
    /// The entry follows the device's last but names another before it.
    ChainBroken {
        /// Its counter.
        dev_seq: u64,
    },
    /// The device's clock is ahead of the log's by more than five minutes.
    ClockAhead {
        /// The device's time.
        ts_ms: u64,
        /// The log's.
        log_ts_ms: u64,
    },
    /// A late entry (made offline), and the ledger has no offline policy.
    OfflineNotAllowed {
        /// How late it is, in minutes.
        minutes: u64,
    },
    /// The entry reached the log after the policy's upload deadline.
    TooLate {
        /// How late, in hours.
        hours: u64,
        /// The deadline, in hours.
        within: u32,
    },
    /// The device handed over more late entries in a row than the policy
    /// allows.
    QueueTooLong {
        /// The policy's most.
        max: u32,
    },
    /// A late redeem of more points than the policy allows for one.
    OfflineLimit {
        /// Its points.
        points: crate::model::Points,
        /// The policy's most.
        max: crate::model::Points,
    },
    /// Late redeems of one resident beyond the policy's daily most.
    OfflineDayLimit {
        /// Taken late already today.
        spent: crate::model::Points,
        /// This redeem's.
        points: crate::model::Points,
        /// The policy's most.
        max: crate::model::Points,
    },
    /// A rule refuses it.
    Rule(RuleError),
    /// The log holds as many entries as it may.
    Full,
}

impl From<LineError> for SubmitError {
    fn from(error: LineError) -> SubmitError {
        SubmitError::Line(error)
    }
}

impl From<RuleError> for SubmitError {
    fn from(error: RuleError) -> SubmitError {
        SubmitError::Rule(error)
    }
}

impl SubmitError {
    /// The message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SubmitError::Line(error) => error.message(lang),
            SubmitError::WrongLedger(id) => say!(
                lang,
                "这条记录属于另一本账（{}）",
                "this entry is for another ledger ({})",
                id
            ),
            SubmitError::FirstNotGenesis => say!(
                lang,
                "日志的第一条必须是创世记录",
                "a log's first entry must be its genesis"
            ),
            SubmitError::LogNotNamed => say!(
                lang,
                "账本还没有指定日志及其密钥",
                "the ledger has not named its log and the log's key yet"
            ),
            SubmitError::LogKey(error) => {
                say!(lang, "日志密钥：{}", "log key: {}", error.message(lang))
            }
            SubmitError::OriginChanged(origin) => say!(
                lang,
                "日志名称不能改为 {}",
                "the log cannot be renamed to {}",
                origin
            ),
            SubmitError::NamedByNonAdmin(actor) => say!(
                lang,
                "只有管理员能指定日志或离线规则，{} 不是管理员",
                "only an admin names the log or sets the offline policy; {} is not one",
                actor
            ),
            SubmitError::NotTheLogKey => say!(
                lang,
                "这不是账本指定的日志密钥",
                "this is not the log key the ledger names"
            ),
            SubmitError::BadSignature => say!(
                lang,
                "设备签名验证失败",
                "the device's signature does not verify"
            ),
            SubmitError::Fork {
                dev_seq,
                last_dev_seq,
                last_index,
            } => say!(
                lang,
                "设备计数 {} 已用过（日志中该设备最后是 {}，位于 #{}）：同一设备签了两条不同的记录",
                "device counter {} was used before (its last in the log is {}, at #{}): the device signed two different entries as one",
                dev_seq,
                last_dev_seq,
                last_index
            ),
            SubmitError::ChainBroken { dev_seq } => say!(
                lang,
                "设备计数 {} 紧接上一条，但指向的上一条哈希不对",
                "device counter {} follows the last one but names another entry before it",
                dev_seq
            ),
            SubmitError::ClockAhead { ts_ms, log_ts_ms } => say!(
                lang,
                "设备时钟比日志快了 {} 秒以上",
                "the device's clock is {} s or more ahead of the log's",
                ts_ms.saturating_sub(*log_ts_ms) / 1000
            ),
            SubmitError::OfflineNotAllowed { minutes } => say!(
                lang,
                "这条记录晚了 {} 分钟才送到日志（离线做的），而账本没有设定离线规则",
                "this entry reached the log {} minutes after it was made (offline), and the ledger has no offline policy",
                minutes
            ),
            SubmitError::TooLate { hours, within } => say!(
                lang,
                "这条记录做出后 {} 小时才送到日志，超过了离线规则的 {} 小时",
                "this entry reached the log {} hours after it was made, past the offline policy's {} hours",
                hours,
                within
            ),
            SubmitError::QueueTooLong { max } => say!(
                lang,
                "这台设备连续离线记录超过了离线规则允许的 {} 条",
                "this device handed over more than the {} offline entries in a row the policy allows",
                max
            ),
            SubmitError::OfflineLimit { points, max } => say!(
                lang,
                "离线兑换 {} 分，超过离线规则每笔 {} 分的上限",
                "an offline redeem of {} points, over the policy's {} per redeem",
                points,
                max
            ),
            SubmitError::OfflineDayLimit { spent, points, max } => say!(
                lang,
                "该居民今天已离线兑换 {} 分，再兑换 {} 分会超过离线规则每天 {} 分的上限",
                "the resident already redeemed {} points offline today; {} more would pass the policy's {} a day",
                spent,
                points,
                max
            ),
            SubmitError::Rule(error) => error.message(lang),
            SubmitError::Full => say!(lang, "日志已满", "the log is full"),
        }
    }

    /// A stable name for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            SubmitError::Line(_) => "line",
            SubmitError::WrongLedger(_) => "wrong_ledger",
            SubmitError::FirstNotGenesis => "first_not_genesis",
            SubmitError::LogNotNamed => "log_not_named",
            SubmitError::LogKey(_) => "log_key",
            SubmitError::OriginChanged(_) => "origin_changed",
            SubmitError::NamedByNonAdmin(_) => "named_by_non_admin",
            SubmitError::NotTheLogKey => "not_the_log_key",
            SubmitError::BadSignature => "bad_signature",
            SubmitError::Fork { .. } => "fork",
            SubmitError::ChainBroken { .. } => "chain_broken",
            SubmitError::ClockAhead { .. } => "clock_ahead",
            SubmitError::OfflineNotAllowed { .. } => "offline_not_allowed",
            SubmitError::TooLate { .. } => "too_late",
            SubmitError::QueueTooLong { .. } => "queue_too_long",
            SubmitError::OfflineLimit { .. } => "offline_limit",
            SubmitError::OfflineDayLimit { .. } => "offline_day_limit",
            SubmitError::Rule(error) => error.kind(),
            SubmitError::Full => "full",
        }
    }
}

/// What is wrong at one leaf of a replayed log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogProblem {
    /// The leaf is refused as a submission would be.
    Submit(SubmitError),
    /// The v1 history a migrated log starts with does not verify.
    V1(VerifyError),
    /// The leaf says it is at another index.
    IndexOutOfPlace(u64),
    /// The log's time goes back.
    TimeWentBack,
    /// No leaf at all.
    Empty,
}

/// The first leaf of a log that does not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogError {
    /// The leaf's index.
    pub index: u64,
    /// What is wrong.
    pub problem: LogProblem,
}

impl LogError {
    /// The message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let what = match &self.problem {
            LogProblem::Submit(error) => error.message(lang),
            LogProblem::V1(error) => error.message(lang),
            LogProblem::IndexOutOfPlace(index) => say!(
                lang,
                "叶子自称位于 #{}",
                "the leaf says it is at #{}",
                index
            ),
            LogProblem::TimeWentBack => say!(lang, "日志时间倒退", "the log's time goes back"),
            LogProblem::Empty => say!(lang, "日志是空的", "the log is empty"),
        };
        say!(
            lang,
            "日志第 #{} 项：{}",
            "log leaf #{}: {}",
            self.index,
            what
        )
    }

    /// A stable name for programs.
    pub fn kind(&self) -> &'static str {
        match &self.problem {
            LogProblem::Submit(error) => error.kind(),
            LogProblem::V1(error) => error.kind_name(),
            LogProblem::IndexOutOfPlace(_) => "index_out_of_place",
            LogProblem::TimeWentBack => "time_went_back",
            LogProblem::Empty => "empty",
        }
    }
}

english_display!(SubmitError, LogError);
