//! Errors, one small enum per operation, each with a machine-readable
//! `kind()` and a message in Simplified Chinese or English from one table
//! (`message(lang)`). `Display` gives the English message.

use crate::lang::{Lang, english_display, say};
use crate::model::{ActorId, EntryHash, FieldProblem, Points, Seq};
use crate::signature::KeyProblem;

/// Why one line of a ledger file is not a well-formed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Longer than [`crate::limits::MAX_LINE_BYTES`].
    TooLong {
        /// Length of the line in bytes.
        bytes: usize,
    },
    /// Not JSON, not UTF-8, or an object with missing, unknown or duplicate
    /// members or values of the wrong type (serde_json's own words, with
    /// the `json-error-details` feature).
    Json(String),
    /// Not an entry in the canonical layout, and reading stopped at this
    /// byte (counted from 1): whitespace, an unknown or repeated member, a
    /// value of the wrong type, a number with a fraction. Without the
    /// `json-error-details` feature, in place of [`LineError::Json`].
    Layout {
        /// Where reading stopped, counted from 1.
        byte: usize,
    },
    /// A member whose value breaks the format.
    Field {
        /// The member, like `body.points`.
        field: &'static str,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// `v` is not 1.
    Version(u64),
    /// `body.type` names no kind of entry.
    UnknownType(String),
    /// A member this kind of entry needs is missing.
    MissingMember(&'static str),
    /// A member this kind of entry does not have.
    UnexpectedMember(&'static str),
}

impl LineError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LineError::TooLong { bytes } => say!(
                lang,
                "该行有 {} 字节，超过上限 {}",
                "the line is {} bytes, over the limit of {}",
                bytes,
                crate::limits::MAX_LINE_BYTES
            ),
            LineError::Json(reason) => say!(
                lang,
                "不是格式正确的条目：{}",
                "not a well-formed entry: {}",
                reason
            ),
            LineError::Layout { byte } => say!(
                lang,
                "不是规范写法的条目（读到第 {} 字节停下）",
                "not an entry in the canonical layout (reading stopped at byte {})",
                byte
            ),
            LineError::Field { field, problem } => {
                say!(
                    lang,
                    "字段 {} {}",
                    "member {} {}",
                    field,
                    problem.message(lang)
                )
            }
            LineError::UnknownType(kind) => {
                say!(lang, "未知的条目类型 {:?}", "unknown entry type {:?}", kind)
            }
            LineError::MissingMember(name) => say!(lang, "缺少字段 {}", "missing member {}", name),
            LineError::UnexpectedMember(name) => say!(
                lang,
                "此类条目不应有字段 body.{}",
                "this kind of entry has no member body.{}",
                name
            ),
            LineError::Version(version) => say!(
                lang,
                "格式版本 {} 不受支持（应为 1）",
                "format version {} is not supported (expected 1)",
                version
            ),
        }
    }
}

/// Why an entry breaks a rule of the ledger. The same rules run on append
/// and on every replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// The first entry must be the genesis.
    FirstNotGenesis,
    /// A genesis entry after the first.
    GenesisNotFirst,
    /// The genesis must be signed by the admin it names.
    GenesisSigner,
    /// The actor is not registered.
    UnknownActor(ActorId),
    /// The actor was retired.
    ActorInactive(ActorId),
    /// The actor's role may not write this kind of entry.
    RoleNotAllowed {
        /// Who signed.
        actor: ActorId,
        /// Their role.
        role: &'static str,
        /// The entry's `body.type`.
        entry_type: &'static str,
    },
    /// A public key registration refuses: not canonical, of small order
    /// (anyone could sign for it), or with a small-order component
    /// (verifiers could disagree about its signatures).
    WeakKey(KeyProblem),
    /// The key is already registered to another actor.
    KeyInUse(ActorId),
    /// An actor's role or key cannot change; register a new actor instead.
    ActorChanged(ActorId),
    /// Retiring this admin would leave no active admin.
    LastAdmin,
    /// The resident code is not registered.
    UnknownResident(String),
    /// The resident was deactivated.
    ResidentInactive(String),
    /// The activity is not defined.
    UnknownActivity(String),
    /// The activity was retired.
    ActivityInactive(String),
    /// An earn's points must equal the activity's points.
    EarnPoints {
        /// The activity's points.
        expected: Points,
        /// The entry's points.
        found: Points,
    },
    /// The earn would pass the activity's daily cap for this resident.
    DailyCap {
        /// The cap.
        cap: Points,
        /// Earned today already.
        earned_today: Points,
        /// This entry's points.
        points: Points,
    },
    /// The reward is not defined.
    UnknownReward(String),
    /// The reward was withdrawn from the shop.
    RewardInactive(String),
    /// A redeem's points must equal cost × qty.
    RedeemPoints {
        /// cost × qty.
        expected: Points,
        /// The entry's points.
        found: Points,
    },
    /// A quantity of zero or over the limit.
    Quantity(u32),
    /// The resident has too few points.
    InsufficientPoints {
        /// Current balance.
        balance: Points,
        /// Points needed.
        needed: Points,
    },
    /// The reward has too little stock.
    InsufficientStock {
        /// Current stock.
        stock: i64,
        /// Items asked for.
        qty: u32,
    },
    /// A stock change would pass the stock limit.
    StockLimit,
    /// The `request_id` is already used by the entry at this seq.
    DuplicateRequestId(Seq),
    /// The `request_id` was used at this seq for a different redeem.
    RequestIdConflict(Seq),
    /// A reversal of an entry that does not exist yet.
    ReverseMissing(Seq),
    /// Only earns, redeems and deductions can be reversed.
    ReverseKind(Seq),
    /// The entry was already reversed by the entry at `by`.
    AlreadyReversed {
        /// The target.
        target: Seq,
        /// The earlier reversal.
        by: Seq,
    },
    /// Reversing this earn would make the balance negative.
    ReverseOverdraft {
        /// Current balance.
        balance: Points,
        /// Points the reversal takes away.
        needed: Points,
    },
    /// `ts` went back in time.
    TimeWentBack {
        /// The previous entry's `ts`.
        last_ts_ms: u64,
        /// This entry's `ts`.
        ts_ms: u64,
    },
    /// A count limit (actors, residents, activities, rewards) is reached.
    Limit {
        /// What ran out.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A points amount that must be positive is zero.
    ZeroPoints(&'static str),
    /// An approval or rejection of an entry that is not a claim (an earn
    /// of an activity that needs review).
    NotAClaim(Seq),
    /// The claim was already approved or rejected by the entry at `by`.
    ClaimDecided {
        /// The claim.
        claim: Seq,
        /// The earlier decision.
        by: Seq,
    },
    /// A reversal of a rejected claim, which never counted.
    ClaimRejected(Seq),
    /// A redeem past the reward's monthly limit for the resident's
    /// household.
    HouseholdLimit {
        /// The reward.
        reward: String,
        /// Items a household may have in a month.
        limit: u32,
        /// Items the household already had this month.
        used: u32,
    },
    /// A transfer while the admin allows none.
    TransfersOff,
    /// A transfer of more than the admin allows at once.
    TransferTooLarge {
        /// The most one transfer may give.
        max: Points,
        /// What it gives.
        asked: Points,
    },
    /// A transfer from a resident to the same resident.
    TransferToSelf(String),
    /// An earn of an activity counted in hours that says no hours.
    HoursNeeded(String),
    /// An earn that says hours, of an activity not counted in hours.
    NotHourly(String),
    /// A penalty that takes no points and suspends nothing.
    EmptyPenalty(String),
    /// A deduction of a penalty not defined.
    UnknownPenalty(String),
    /// A deduction of a penalty no longer in use.
    PenaltyInactive(String),
    /// A deduction's points differ from its penalty's.
    DeductPoints {
        /// The penalty's points.
        expected: Points,
        /// The entry's.
        found: Points,
    },
    /// A redeem collected by someone who may not collect for the resident
    /// (not of their household, nor a helper registered for them), or a
    /// helper registered for themselves.
    CollectorNotAllowed {
        /// Who collected.
        collector: String,
        /// For whom.
        resident: String,
    },
    /// A redeem while an approved deduction suspends the resident's
    /// redeeming.
    RedeemSuspended {
        /// The first local day (days since 1970-01-01) on which they may
        /// redeem again.
        until_day: i64,
    },
}

impl RuleError {
    /// A stable, machine-readable name of the rule.
    pub fn kind(&self) -> &'static str {
        match self {
            RuleError::FirstNotGenesis => "first_not_genesis",
            RuleError::GenesisNotFirst => "genesis_not_first",
            RuleError::GenesisSigner => "genesis_signer",
            RuleError::UnknownActor(_) => "unknown_actor",
            RuleError::ActorInactive(_) => "actor_inactive",
            RuleError::RoleNotAllowed { .. } => "role_not_allowed",
            RuleError::WeakKey(_) => "weak_key",
            RuleError::KeyInUse(_) => "key_in_use",
            RuleError::ActorChanged(_) => "actor_changed",
            RuleError::LastAdmin => "last_admin",
            RuleError::UnknownResident(_) => "unknown_resident",
            RuleError::ResidentInactive(_) => "resident_inactive",
            RuleError::UnknownActivity(_) => "unknown_activity",
            RuleError::ActivityInactive(_) => "activity_inactive",
            RuleError::EarnPoints { .. } => "earn_points",
            RuleError::DailyCap { .. } => "daily_cap",
            RuleError::UnknownReward(_) => "unknown_reward",
            RuleError::RewardInactive(_) => "reward_inactive",
            RuleError::RedeemPoints { .. } => "redeem_points",
            RuleError::Quantity(_) => "quantity",
            RuleError::InsufficientPoints { .. } => "insufficient_points",
            RuleError::InsufficientStock { .. } => "insufficient_stock",
            RuleError::StockLimit => "stock_limit",
            RuleError::DuplicateRequestId(_) => "duplicate_request_id",
            RuleError::RequestIdConflict(_) => "request_id_conflict",
            RuleError::ReverseMissing(_) => "reverse_missing",
            RuleError::ReverseKind(_) => "reverse_kind",
            RuleError::AlreadyReversed { .. } => "already_reversed",
            RuleError::ReverseOverdraft { .. } => "reverse_overdraft",
            RuleError::TimeWentBack { .. } => "time_went_back",
            RuleError::Limit { .. } => "limit",
            RuleError::ZeroPoints(_) => "zero_points",
            RuleError::NotAClaim(_) => "not_a_claim",
            RuleError::ClaimDecided { .. } => "claim_decided",
            RuleError::ClaimRejected(_) => "claim_rejected",
            RuleError::HouseholdLimit { .. } => "household_limit",
            RuleError::TransfersOff => "transfers_off",
            RuleError::TransferTooLarge { .. } => "transfer_too_large",
            RuleError::TransferToSelf(_) => "transfer_to_self",
            RuleError::HoursNeeded(_) => "hours_needed",
            RuleError::NotHourly(_) => "not_hourly",
            RuleError::EmptyPenalty(_) => "empty_penalty",
            RuleError::UnknownPenalty(_) => "unknown_penalty",
            RuleError::PenaltyInactive(_) => "penalty_inactive",
            RuleError::DeductPoints { .. } => "deduct_points",
            RuleError::RedeemSuspended { .. } => "redeem_suspended",
            RuleError::CollectorNotAllowed { .. } => "collector_not_allowed",
        }
    }

    /// The message in `lang`: the table of every rule's two spellings,
    /// side by side, one arm each; long because it is that table.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            RuleError::FirstNotGenesis => say!(
                lang,
                "第一条必须是创世条目（genesis）",
                "the first entry must be the genesis"
            ),
            RuleError::GenesisNotFirst => say!(
                lang,
                "创世条目只能是第一条",
                "a genesis entry may only come first"
            ),
            RuleError::GenesisSigner => say!(
                lang,
                "创世条目必须由其指定的管理员签名",
                "the genesis must be signed by the admin it names"
            ),
            RuleError::UnknownActor(actor) => {
                say!(lang, "未登记的操作者 {}", "unknown actor {}", actor)
            }
            RuleError::ActorInactive(actor) => {
                say!(lang, "操作者 {} 已停用", "actor {} is retired", actor)
            }
            RuleError::RoleNotAllowed {
                actor,
                role,
                entry_type,
            } => say!(
                lang,
                "操作者 {}（{}）无权写入 {} 条目",
                "actor {} ({}) may not write entries of type {}",
                actor,
                role,
                entry_type
            ),
            RuleError::WeakKey(problem) => match problem {
                KeyProblem::SmallOrder | KeyProblem::NotAPoint => say!(
                    lang,
                    "弱公钥（小阶点），任何人都能伪造其签名，拒绝登记",
                    "weak (small-order) public key: anyone could forge its signatures"
                ),
                KeyProblem::MixedOrder => say!(
                    lang,
                    "公钥含小阶分量（不在素数阶子群中），不同的验证程序可能对其签名得出不同结论，拒绝登记",
                    "public key with a small-order component (not in the prime-order subgroup): verifiers could disagree about its signatures"
                ),
                KeyProblem::NotCanonical => say!(
                    lang,
                    "公钥不是曲线点的规范编码，拒绝登记",
                    "public key is not the canonical encoding of a curve point"
                ),
            },
            RuleError::KeyInUse(actor) => say!(
                lang,
                "该公钥已属于操作者 {}",
                "this key already belongs to actor {}",
                actor
            ),
            RuleError::ActorChanged(actor) => say!(
                lang,
                "操作者 {} 的角色和公钥不能更改；请登记新的操作者并停用旧的",
                "actor {}'s role and key cannot change; register a new actor and retire the old one",
                actor
            ),
            RuleError::LastAdmin => say!(
                lang,
                "不能停用最后一位在职管理员",
                "cannot retire the last active admin"
            ),
            RuleError::UnknownResident(code) => {
                say!(lang, "查无此居民：{}", "no resident with code {}", code)
            }
            RuleError::ResidentInactive(code) => {
                say!(lang, "居民 {} 已停用", "resident {} is deactivated", code)
            }
            RuleError::UnknownActivity(id) => {
                say!(lang, "未定义的活动：{}", "unknown activity {}", id)
            }
            RuleError::ActivityInactive(id) => {
                say!(lang, "活动 {} 已停用", "activity {} is retired", id)
            }
            RuleError::EarnPoints { expected, found } => say!(
                lang,
                "该活动每次 {} 分，条目写的是 {} 分",
                "the activity gives {} points, the entry says {}",
                expected,
                found
            ),
            RuleError::DailyCap {
                cap,
                earned_today,
                points,
            } => say!(
                lang,
                "超过每日上限：今日已得 {} 分，再加 {} 分超过上限 {} 分",
                "daily cap exceeded: {} earned today, {} more would pass the cap of {}",
                earned_today,
                points,
                cap
            ),
            RuleError::UnknownReward(id) => say!(lang, "没有这个奖品：{}", "no reward {}", id),
            RuleError::RewardInactive(id) => {
                say!(lang, "奖品 {} 已下架", "reward {} is withdrawn", id)
            }
            RuleError::RedeemPoints { expected, found } => say!(
                lang,
                "兑换积分应为 单价×数量 = {}，条目写的是 {}",
                "redeem points must be cost × qty = {}, the entry says {}",
                expected,
                found
            ),
            RuleError::Quantity(qty) => say!(
                lang,
                "数量 {} 无效（应为 1 到 {}）",
                "quantity {} is not allowed (1 to {})",
                qty,
                crate::limits::MAX_QTY
            ),
            RuleError::InsufficientPoints { balance, needed } => say!(
                lang,
                "积分不足：余额 {} 分，需要 {} 分",
                "not enough points: balance {}, needed {}",
                balance,
                needed
            ),
            RuleError::InsufficientStock { stock, qty } => say!(
                lang,
                "库存不足：剩 {} 件，要兑换 {} 件",
                "not enough stock: {} left, {} asked",
                stock,
                qty
            ),
            RuleError::StockLimit => say!(
                lang,
                "库存须在 0 到 {} 之间",
                "stock must stay between 0 and {}",
                crate::limits::MAX_STOCK
            ),
            RuleError::DuplicateRequestId(seq) => say!(
                lang,
                "request_id 已在第 {} 条使用过",
                "request_id already used at seq {}",
                seq
            ),
            RuleError::RequestIdConflict(seq) => say!(
                lang,
                "request_id 已在第 {} 条用于另一次兑换",
                "request_id was used at seq {} for a different redeem",
                seq
            ),
            RuleError::ReverseMissing(seq) => {
                say!(
                    lang,
                    "要冲正的第 {} 条不存在",
                    "entry {} to reverse does not exist",
                    seq
                )
            }
            RuleError::ReverseKind(seq) => say!(
                lang,
                "第 {} 条不是获得、兑换或扣分，不能冲正",
                "entry {} is not an earn, redeem or deduction and cannot be reversed",
                seq
            ),
            RuleError::AlreadyReversed { target, by } => say!(
                lang,
                "第 {} 条已被第 {} 条冲正",
                "entry {} was already reversed by entry {}",
                target,
                by
            ),
            RuleError::NotAClaim(seq) => say!(
                lang,
                "第 {} 条不是需要审核的申请或扣分",
                "entry {} is not an award or deduction that needs review",
                seq
            ),
            RuleError::HouseholdLimit {
                reward,
                limit,
                used,
            } => say!(
                lang,
                "{} 每户每月限兑 {} 件，本户本月已兑 {} 件",
                "{} is limited to {} a household a month; this household has had {} this month",
                reward,
                limit,
                used
            ),
            RuleError::TransfersOff => say!(
                lang,
                "本社区未开放积分转赠",
                "this community does not allow transfers of points"
            ),
            RuleError::TransferTooLarge { max, asked } => say!(
                lang,
                "每次转赠最多 {} 分，本次 {} 分",
                "a transfer may give at most {} points; this one gives {}",
                max,
                asked
            ),
            RuleError::TransferToSelf(code) => say!(
                lang,
                "不能转赠给自己（{}）",
                "{} cannot give points to themselves",
                code
            ),
            RuleError::HoursNeeded(id) => say!(
                lang,
                "活动 {} 按小时计分：请填写时长",
                "activity {} is counted in hours: say how many",
                id
            ),
            RuleError::NotHourly(id) => say!(
                lang,
                "活动 {} 不按小时计分，不能填写时长",
                "activity {} is not counted in hours",
                id
            ),
            RuleError::EmptyPenalty(id) => say!(
                lang,
                "扣分规则 {} 既不扣分也不取消兑换资格",
                "penalty {} takes no points and suspends nothing",
                id
            ),
            RuleError::UnknownPenalty(id) => {
                say!(lang, "没有扣分规则 {}", "no penalty {}", id)
            }
            RuleError::PenaltyInactive(id) => {
                say!(
                    lang,
                    "扣分规则 {} 已停用",
                    "penalty {} is no longer in use",
                    id
                )
            }
            RuleError::DeductPoints { expected, found } => say!(
                lang,
                "扣分应为规则的 {} 分，条目写的是 {}",
                "a deduction must take the penalty's {} points, the entry says {}",
                expected,
                found
            ),
            RuleError::CollectorNotAllowed {
                collector,
                resident,
            } => say!(
                lang,
                "{} 不能替 {} 代领：须为同户家人或管理员登记的帮办人",
                "{} may not collect for {}: only someone of the same household or a helper the admin registered",
                collector,
                resident
            ),
            RuleError::RedeemSuspended { until_day } => say!(
                lang,
                "该居民已被取消兑换资格，{} 起恢复",
                "this resident may not redeem until {}",
                crate::model::format_local_day(*until_day)
            ),
            RuleError::ClaimDecided { claim, by } => say!(
                lang,
                "第 {} 条申请已由第 {} 条审核过",
                "claim {} was already reviewed by entry {}",
                claim,
                by
            ),
            RuleError::ClaimRejected(seq) => say!(
                lang,
                "第 {} 条申请已被驳回，没有计分，无需冲正",
                "claim {} was rejected and never counted: there is nothing to reverse",
                seq
            ),
            RuleError::ReverseOverdraft { balance, needed } => say!(
                lang,
                "冲正会使余额为负：余额 {} 分，需扣 {} 分",
                "the reversal would make the balance negative: balance {}, takes {}",
                balance,
                needed
            ),
            RuleError::TimeWentBack { last_ts_ms, ts_ms } => say!(
                lang,
                "时间倒退：上一条 ts={}，本条 ts={}（请检查设备时钟）",
                "time went back: previous ts={}, this ts={} (check the device clock)",
                last_ts_ms,
                ts_ms
            ),
            RuleError::Limit { what, max } => say!(
                lang,
                "{}数量已达上限 {}",
                "too many {}: the limit is {}",
                what,
                max
            ),
            RuleError::ZeroPoints(field) => {
                say!(lang, "{} 须大于 0", "{} must be more than 0", field)
            }
        }
    }
}

/// Why appending a new entry failed. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendError {
    /// The entry breaks a rule.
    Rule(RuleError),
    /// The signing key is not the key registered for the actor.
    WrongKey(ActorId),
    /// The ledger holds [`crate::limits::MAX_ENTRIES`] entries.
    Full,
    /// The entry passes the rules but its line would break the wire
    /// format's limits, so no reader could accept it.
    Unreadable(LineError),
}

impl AppendError {
    /// A stable, machine-readable name.
    pub fn kind(&self) -> &'static str {
        match self {
            AppendError::Rule(rule) => rule.kind(),
            AppendError::WrongKey(_) => "wrong_key",
            AppendError::Full => "ledger_full",
            AppendError::Unreadable(_) => "unreadable",
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppendError::Rule(rule) => rule.message(lang),
            AppendError::WrongKey(actor) => say!(
                lang,
                "签名密钥与账本登记的 {} 公钥不符",
                "the signing key is not the key registered for {}",
                actor
            ),
            AppendError::Full => say!(
                lang,
                "账本条目数已达上限 {}",
                "the ledger is full ({} entries)",
                crate::limits::MAX_ENTRIES
            ),
            AppendError::Unreadable(problem) => say!(
                lang,
                "该条目超出账本格式的限制，无法写入：{}",
                "the entry breaks a limit of the ledger format and cannot be written: {}",
                problem.message(lang)
            ),
        }
    }
}

impl From<RuleError> for AppendError {
    fn from(rule: RuleError) -> AppendError {
        AppendError::Rule(rule)
    }
}

/// What is wrong at the first bad entry of a ledger file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyErrorKind {
    /// The line is not a well-formed entry.
    Malformed(LineError),
    /// A well-formed entry not written in its one canonical spelling
    /// (RFC 8785 member order, no spaces, lowercase hex, canonical numbers).
    NotCanonical,
    /// The file has no entries.
    Empty,
    /// The last line has no newline: a write was cut short.
    IncompleteLastLine,
    /// More than [`crate::limits::MAX_ENTRIES`] entries.
    TooManyEntries,
    /// `ledger` differs from the genesis.
    WrongLedger {
        /// The genesis's ledger id.
        expected: String,
    },
    /// `seq` is not the next number.
    SeqMismatch {
        /// The seq the line should have.
        found: u64,
    },
    /// `prev` is not the previous entry's hash.
    PrevMismatch,
    /// `hash` is not the SHA-256 of the canonical entry.
    HashMismatch {
        /// What the hash should be.
        computed: EntryHash,
    },
    /// `sig` is not the actor's signature of `hash`.
    BadSignature(ActorId),
    /// The entry breaks a rule.
    Rule(RuleError),
}

/// The first bad entry of a ledger file: its `seq` (the line number minus
/// one, for a line too broken to carry a seq) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// The seq of the bad entry.
    pub seq: Seq,
    /// What is wrong.
    pub kind: VerifyErrorKind,
}

impl VerifyError {
    /// A stable, machine-readable name.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            VerifyErrorKind::Malformed(_) => "malformed",
            VerifyErrorKind::NotCanonical => "not_canonical",
            VerifyErrorKind::Empty => "empty",
            VerifyErrorKind::IncompleteLastLine => "incomplete_last_line",
            VerifyErrorKind::TooManyEntries => "too_many_entries",
            VerifyErrorKind::WrongLedger { .. } => "wrong_ledger",
            VerifyErrorKind::SeqMismatch { .. } => "seq_mismatch",
            VerifyErrorKind::PrevMismatch => "prev_mismatch",
            VerifyErrorKind::HashMismatch { .. } => "hash_mismatch",
            VerifyErrorKind::BadSignature(_) => "bad_signature",
            VerifyErrorKind::Rule(rule) => rule.kind(),
        }
    }

    /// Whether the input is not a ledger file at all (bad JSON, a bad
    /// member), as opposed to a well-formed file that fails integrity or a
    /// rule. The CLI exits 2 for the first, 1 for the second.
    pub fn is_malformed(&self) -> bool {
        matches!(
            self.kind,
            VerifyErrorKind::Malformed(_) | VerifyErrorKind::Empty
        )
    }

    /// The message in `lang`, starting with the seq.
    pub fn message(&self, lang: Lang) -> String {
        let reason = match &self.kind {
            VerifyErrorKind::Malformed(line) => line.message(lang),
            VerifyErrorKind::NotCanonical => say!(
                lang,
                "条目不是规范写法（RFC 8785：成员顺序、无空格、小写十六进制）",
                "the entry is not in canonical form (RFC 8785 member order, no spaces, lowercase hex)"
            ),
            VerifyErrorKind::Empty => say!(lang, "文件中没有条目", "the file has no entries"),
            VerifyErrorKind::IncompleteLastLine => say!(
                lang,
                "最后一行不完整（没有换行符），可能是写入被中断",
                "the last line is incomplete (no newline): a write was cut short"
            ),
            VerifyErrorKind::TooManyEntries => say!(
                lang,
                "条目数超过上限 {}",
                "more than {} entries",
                crate::limits::MAX_ENTRIES
            ),
            VerifyErrorKind::WrongLedger { expected } => say!(
                lang,
                "ledger 与创世条目的 {} 不符",
                "ledger differs from the genesis's {}",
                expected
            ),
            VerifyErrorKind::SeqMismatch { found } => say!(
                lang,
                "序号不连续：此处写的是 seq {}",
                "seq out of order: the line says seq {}",
                found
            ),
            VerifyErrorKind::PrevMismatch => say!(
                lang,
                "prev 不是上一条的哈希：链条断了",
                "prev is not the previous entry's hash: the chain is broken"
            ),
            VerifyErrorKind::HashMismatch { computed } => say!(
                lang,
                "哈希不符，内容被改动过（应为 {}）",
                "hash mismatch: the content was changed (it hashes to {})",
                computed.short()
            ),
            VerifyErrorKind::BadSignature(actor) => say!(
                lang,
                "签名无效：不是 {} 的签名",
                "bad signature: not signed by {}",
                actor
            ),
            VerifyErrorKind::Rule(rule) => rule.message(lang),
        };
        say!(lang, "seq {}：{}", "seq {}: {}", self.seq, reason)
    }
}

/// Why a ledger does not match a published head or an older copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadError {
    /// The ledger ends before the head's seq.
    TooShort {
        /// The head's seq.
        head: Seq,
        /// Entries in the ledger.
        entries: u64,
    },
    /// The entry at the head's seq has another hash: history differs.
    HashDiffers {
        /// The head's seq.
        seq: Seq,
        /// The hash the head names.
        expected: EntryHash,
        /// The hash in the ledger.
        found: EntryHash,
    },
    /// The two ledgers have different ids.
    OtherLedger {
        /// The older ledger's id.
        expected: String,
        /// This ledger's id.
        found: String,
    },
}

impl HeadError {
    /// A stable, machine-readable name.
    pub fn kind(&self) -> &'static str {
        match self {
            HeadError::TooShort { .. } => "head_beyond_end",
            HeadError::HashDiffers { .. } => "history_rewritten",
            HeadError::OtherLedger { .. } => "other_ledger",
        }
    }

    /// The seq a reader should look at.
    pub fn seq(&self) -> Option<Seq> {
        match self {
            HeadError::TooShort { head, .. } => Some(*head),
            HeadError::HashDiffers { seq, .. } => Some(*seq),
            HeadError::OtherLedger { .. } => None,
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            HeadError::TooShort { head, entries } => say!(
                lang,
                "账本只有 {} 条，没有公布的第 {} 条：历史被截短了",
                "the ledger has only {} entries, not the published seq {}: history was cut",
                entries,
                head
            ),
            HeadError::HashDiffers {
                seq,
                expected,
                found,
            } => say!(
                lang,
                "seq {}：哈希是 {}，而公布的是 {}：历史被改写了",
                "seq {}: the hash is {}, the published one is {}: history was rewritten",
                seq,
                found.short(),
                expected.short()
            ),
            HeadError::OtherLedger { expected, found } => say!(
                lang,
                "这是另一个账本（{}，而不是 {}）",
                "this is another ledger ({}, not {})",
                found,
                expected
            ),
        }
    }
}

english_display!(
    FieldProblem,
    LineError,
    RuleError,
    AppendError,
    VerifyError,
    HeadError
);
