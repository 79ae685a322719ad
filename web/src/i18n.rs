//! Every string the app shows, in two tables (what every build says, and
//! what only the writing screens say): Simplified Chinese first, English
//! second. Screens ask for a string by key; core errors bring their own
//! messages in both languages.

use ledger_core::Lang;

/// The string `key` in the language `lang` holds, following it: one
/// closure type for every such text in the app, so the bundle carries one
/// copy of the code that renders and updates it rather than one per text.
pub fn tr(
    lang: leptos::prelude::RwSignal<Lang>,
    key: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    use leptos::prelude::Get;
    move || t(lang.get(), key)
}

/// The string for `key` in `lang`; an unknown key shows itself, so a
/// missing entry is visible rather than blank.
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    // A table searched in order rather than a `match`: the same strings, in
    // a fraction of the code.
    let found = TABLE.iter().find(|(k, _, _)| *k == key);
    #[cfg(feature = "writer")]
    let found = found.or_else(|| WRITING.iter().find(|(k, _, _)| *k == key));
    found.map_or(key, |&(_, zh, en)| lang.pick(zh, en))
}

/// Key, Simplified Chinese, English.
static TABLE: &[(&str, &str, &str)] = &[
    ("app.title", "积分账本", "Jifen points ledger"),
    ("app.lang_toggle", "English", "中文"),
    ("display.size", "字号", "Text"),
    ("display.size_1", "标准", "standard"),
    ("display.size_2", "大", "large"),
    ("display.size_3", "特大", "largest"),
    ("display.contrast", "高对比度", "High contrast"),
    ("resident.speak", "朗读余额", "Read the balance aloud"),
    ("tab.resident", "居民查询", "Resident"),
    ("tab.kiosk", "积分兑换", "Redeem"),
    ("tab.officer", "活动记录", "Record"),
    ("tab.review", "审核", "Review"),
    ("tab.audit", "核验", "Audit"),
    (
        "failed.offer",
        "浏览器中的账本无法读取或未通过校验，因此不显示可能错误的余额。请导入一份好的账本文件（例如最近的备份或公布的账本）。",
        "The ledger in this browser cannot be read or failed verification, so no balance that may be wrong is shown. Import a good ledger file (a recent backup, or the published ledger).",
    ),
    (
        "failed.refollow",
        "重新获取并校验公布的账本",
        "Fetch and verify the published ledger again",
    ),
    (
        "audit.verified",
        "已校验：每条记录的哈希链、签名和规则都通过",
        "Verified: every entry's hash chain, signature and rules pass",
    ),
    (
        "audit.head",
        "当前账本头（可抄写或打印公布）",
        "Current head (to copy or print for the notice board)",
    ),
    ("audit.filter_type", "类型", "Type"),
    ("audit.filter_resident", "居民编号", "Resident code"),
    ("audit.all", "全部", "All"),
    ("audit.more", "更多", "More"),
    (
        "audit.export",
        "导出账本文件（JSON Lines）",
        "Export the ledger file (JSON Lines)",
    ),
    (
        "audit.import",
        "导入账本文件（先校验，通过才替换）",
        "Import a ledger file (verified before it replaces anything)",
    ),
    (
        "audit.imported",
        "已导入并校验：",
        "Imported and verified: ",
    ),
    (
        "audit.refused",
        "导入的文件未通过校验，浏览器中的账本没有任何改变：",
        "The file failed verification; the ledger in this browser is unchanged: ",
    ),
    ("audit.entries_shown", "显示", "showing"),
    ("col.seq", "序号", "Seq"),
    ("col.time", "时间", "Time"),
    ("col.type", "类型", "Type"),
    ("col.actor", "记录人", "Actor"),
    ("col.body", "内容", "Content"),
    ("col.hash", "哈希", "Hash"),
    ("type.earn", "获得 earn", "earn"),
    ("type.redeem", "兑换 redeem", "redeem"),
    ("type.reverse", "冲正 reverse", "reverse"),
    ("type.stock", "库存 stock", "stock"),
    ("type.reward", "奖品 reward", "reward"),
    ("type.activity", "活动 activity", "activity"),
    ("type.resident", "居民 resident", "resident"),
    ("type.actor", "操作者 actor", "actor"),
    ("type.genesis", "创世 genesis", "genesis"),
    ("kiosk.qty", "数量", "Quantity"),
    ("receipt.title", "核对收据", "Check a receipt"),
    (
        "receipt.field",
        "收据二维码的内容（扫码或粘贴）",
        "The receipt's QR code (scan or paste)",
    ),
    ("receipt.check", "核对", "Check"),
    ("tab.admin", "管理", "Admin"),
    ("pin.lock", "锁定", "Lock"),
    (
        "checking.signatures",
        "正在后台校验签名；校验完成前不能写入。",
        "Checking signatures in the background; writing waits until they all hold.",
    ),
    (
        "follow.updated",
        "已从公布的账本取得并校验新记录：",
        "New entries fetched from the published ledger and verified: ",
    ),
    (
        "follow.unreachable",
        "无法读取公布的账本，显示本机保存的副本：",
        "The published ledger could not be fetched; showing the copy kept here: ",
    ),
    (
        "follow.rewritten",
        "警告：公布的账本改写了历史！从第 ",
        "WARNING: the published ledger rewrites history! It differs from entry ",
    ),
    (
        "follow.rewritten_kept",
        " 条起与本机保存的副本不同。已拒绝，本机副本保持不变。请报告社区办公室。",
        " on from the copy kept here. Refused; the copy here is unchanged. Tell the community office.",
    ),
    (
        "follow.behind",
        "公布的账本比本机副本旧，保留本机副本；公布的条数：",
        "The published ledger is older than the copy here, which is kept; entries published: ",
    ),
    (
        "follow.invalid",
        "警告：公布的账本新增记录未通过校验：",
        "WARNING: the published ledger's new entries fail verification: ",
    ),
    (
        "follow.not_stored",
        "新记录已校验，但浏览器没有保存：",
        "The new entries verified, but the browser did not store them: ",
    ),
    (
        "loading",
        "正在载入并校验账本…",
        "Loading and verifying the ledger…",
    ),
    (
        "summary.differed",
        "本机保存的余额摘要与账本记录不一致：已按账本记录重新计算，以记录为准。",
        "The balances this device kept do not match its ledger entries: they were recomputed from the entries, which are what counts.",
    ),
    ("resident.more", "显示更早的记录", "Show earlier entries"),
    (
        "resident.history_loading",
        "正在载入记录，稍后显示历史…",
        "Reading the entries; the history follows shortly…",
    ),
    (
        "empty",
        "这台设备上还没有账本。",
        "There is no ledger on this device yet.",
    ),
    ("demo.offer", "载入演示社区", "Load the demo community"),
    (
        "demo.try",
        "演示社区的居民编号，可以试试：",
        "Resident codes to try in the demo: ",
    ),
    (
        "demo.hint",
        "演示社区含 200 位居民、5,000 条记录。",
        "The demo community has 200 residents and 5,000 entries.",
    ),
    (
        "resident.code",
        "居民编号（可扫码）",
        "Resident code (type or scan)",
    ),
    ("resident.find", "查询", "Look up"),
    ("resident.unknown", "查无此居民：", "No resident with code "),
    ("resident.household", "本户", "Household"),
    ("resident.people", "人", "residents"),
    ("resident.household_total", "全户合计", "together"),
    ("resident.balance", "当前积分", "Balance"),
    ("resident.points", "分", "points"),
    ("resident.history", "积分明细", "History"),
    (
        "resident.affordable",
        "现在可以兑换",
        "Rewards you can redeem now",
    ),
    (
        "resident.none_affordable",
        "积分还不够兑换任何奖品。",
        "Not enough points for any reward yet.",
    ),
    ("resident.no_history", "还没有记录。", "No entries yet."),
    ("kind.earn", "获得", "Earned"),
    ("kind.redeem", "兑换", "Redeemed"),
    ("kind.reverse", "冲正", "Reversed"),
    ("kind.claim_pending", "待审核", "Awaiting review"),
    ("kind.claim_approved", "申请（已通过）", "Claim (approved)"),
    ("kind.claim_rejected", "申请（已驳回）", "Claim (rejected)"),
    ("kind.approve", "审核通过", "Approved"),
    ("kind.reject", "审核驳回", "Rejected"),
    ("kind.collected_by", "代领人", "collected by"),
    ("kind.hours", "小时", "h"),
    ("kind.transfer_out", "转赠给", "given to"),
    ("kind.transfer_in", "收到转赠", "received from"),
    (
        "resident.suspended",
        "因扣分被取消兑换资格，恢复兑换日期：",
        "Redeeming is suspended after a deduction, until ",
    ),
    (
        "kind.deduct_pending",
        "扣分（待审核）",
        "Deduction (awaiting review)",
    ),
    (
        "kind.deduct_approved",
        "扣分（已通过）",
        "Deduction (approved)",
    ),
    (
        "kind.deduct_rejected",
        "扣分（已驳回）",
        "Deduction (rejected)",
    ),
    ("by", "记录人", "by"),
    ("reversed_by", "已冲正，见第", "reversed by entry"),
    ("head", "账本头", "Ledger head"),
    ("entries", "条记录", "entries"),
    ("stock", "库存", "stock"),
];

/// What only the writing screens say (kiosk, officer, reviewer, admin,
/// PIN): left out of the phone's build, which has none of them.
#[cfg(feature = "writer")]
static WRITING: &[(&str, &str, &str)] = &[
    ("notice.title", "积分公示", "Public notice of points"),
    (
        "notice.period",
        "公示期间（如 2026-11、2026-Q4 或 2026）",
        "Period (2026-11, 2026-Q4 or 2026)",
    ),
    ("notice.print", "打印公示（A4）", "Print the notice (A4)"),
    ("passbook.title", "积分存折", "Passbook page"),
    ("passbook.resident", "居民编号", "Resident code"),
    (
        "passbook.period",
        "存折期间（如 2026-11 或 2026）",
        "Period of the page (2026-11 or 2026)",
    ),
    ("passbook.show", "显示存折页", "Show the page"),
    ("passbook.print", "打印存折页（A5）", "Print the page (A5)"),
    ("passbook.opening", "上期结余", "Brought forward"),
    ("passbook.closing", "本期结余", "Carried forward"),
    ("passbook.owed", "欠分", "owed"),
    ("passbook.item", "项目", "Item"),
    ("passbook.balance", "结余", "Balance"),
    (
        "passbook.empty",
        "本期没有记录",
        "No entries in this period",
    ),
    (
        "passbook.qr",
        "本页最后一条记录的收据二维码",
        "QR code of the receipt of the page's last entry",
    ),
    (
        "passbook.qr_hint",
        "用手机扫码，可核对此页最后一条记录确在社区日志中、未被改动",
        "Scan with a phone to check that the page's last entry is in the community's log, unchanged",
    ),
    (
        "notice.bad_period",
        "期间须为月份（2026-11）、季度（2026-Q4）或年份（2026）",
        "The period must be a month (2026-11), a quarter (2026-Q4) or a year (2026)",
    ),
    (
        "notice.open",
        "本期尚未结束，公示可能还会增加。",
        "The period is not over yet: the notice may still grow.",
    ),
    ("reports.title", "统计报表", "Reports for the street office"),
    (
        "reports.period",
        "报表期间（如 2026-11、2026-Q4 或 2026）",
        "Period (2026-11, 2026-Q4 or 2026)",
    ),
    (
        "reports.chart_month",
        "近 12 个月获得的积分",
        "Points awarded, the last 12 months",
    ),
    ("reports.month_unit", "月", ""),
    (
        "reports.chart_area",
        "本期各网格获得的积分",
        "Points awarded in the period, by area",
    ),
    ("reports.inactive_all", "共", "in all:"),
    (
        "reports.inactive_csv",
        "完整名单见 CSV",
        "the CSV has every one",
    ),
    ("reports.inactive_for", "连续", "for"),
    ("reports.months", "个月无活动", "months"),
    ("reports.csv", "下载 CSV", "Save as CSV"),
    ("notice.top", "红榜", "Top contributors (红榜)"),
    ("notice.households", "按户合计", "By household"),
    ("notice.rows", "明细", "Every award, deduction and reversal"),
    ("notice.award", "获得", "award"),
    ("notice.reversal", "冲正", "reversal"),
    ("notice.deduction", "扣分", "deduction"),
    ("notice.black", "黑榜（本期扣分）", "Most deducted (黑榜)"),
    ("notice.deducted", "扣分", "deducted"),
    ("notice.note", "说明", "note"),
    (
        "notice.suspended_until",
        "；取消兑换资格，恢复日期 ",
        "; may not redeem until ",
    ),
    ("notice.rank", "名次", "#"),
    ("notice.resident", "居民", "resident"),
    ("notice.household", "户", "household"),
    ("notice.points", "积分", "points"),
    ("notice.entry", "条目", "entry"),
    ("notice.time", "时间", "time"),
    ("notice.kind", "类别", "kind"),
    ("notice.activity", "活动", "activity"),
    (
        "notice.recompute",
        "任何人都可以用社区日志重算本公示：jifen notice 日志目录 --period 期间。",
        "Anyone can recompute this notice from the community's log: jifen notice LOGDIR --period PERIOD.",
    ),
    (
        "review.title",
        "待审核的积分申请与扣分",
        "Awards and deductions waiting for review",
    ),
    ("review.deduction", "扣分", "Deduction"),
    ("admin.penalties", "扣分规则（黑榜）", "Penalties (黑榜)"),
    ("admin.penalty_points", "每次扣分", "Points taken"),
    (
        "admin.suspend_days",
        "取消兑换资格天数（0 为不取消）",
        "Days without redeeming (0: none)",
    ),
    (
        "officer.deduct_title",
        "扣分（须审核）",
        "Deduct points (reviewed)",
    ),
    ("officer.deduct_resident", "居民编号", "Resident code"),
    ("officer.penalty", "扣分规则", "Penalty"),
    ("officer.suspends", "取消兑换资格", "no redeeming for"),
    ("officer.days", "天", "days"),
    (
        "officer.deduct_reason",
        "扣分原因（公示时显示）",
        "Reason (shown on the public notice)",
    ),
    ("officer.deduct", "提交扣分", "Record the deduction"),
    ("officer.deducted", "扣分", "Deduction for"),
    (
        "officer.awaits_review",
        "待审核后生效",
        "counts once a reviewer approves it",
    ),
    (
        "review.none",
        "没有待审核的申请。",
        "No award is waiting for review.",
    ),
    (
        "review.log_only",
        "审核只在社区日志上进行。",
        "Reviews happen on a community log only.",
    ),
    ("review.recorded_by", "记录人", "recorded by"),
    ("review.photo", "照片 SHA-256", "photo SHA-256"),
    (
        "review.reason",
        "意见（驳回时必填）",
        "Comment (needed to reject)",
    ),
    ("review.approve", "通过", "Approve"),
    ("review.reject", "驳回", "Reject"),
    ("review.approved", "已通过", "approved"),
    ("review.rejected", "已驳回", "rejected"),
    (
        "officer.needs_review",
        "需审核，通过后计分",
        "needs review: counts once approved",
    ),
    (
        "admin.per_hour",
        "按小时计分（积分为每小时）",
        "Counted in hours (points per hour)",
    ),
    (
        "admin.review",
        "需审核（通过后才计分）",
        "Needs review (counts once approved)",
    ),
    (
        "admin.new_reviewer_key",
        "为审核员生成密钥",
        "Key for a reviewer",
    ),
    (
        "officer.residents",
        "居民编号（每行一个，可连续扫码）",
        "Resident codes (one a line; scan one after another)",
    ),
    ("officer.activity", "活动", "Activity"),
    ("officer.per_time", "每次", "each"),
    ("officer.per_hour", "按小时计", "per hour"),
    (
        "officer.hours",
        "时长（小时，可填半小时，如 1.5）",
        "Hours (half-hour steps, e.g. 1.5)",
    ),
    ("officer.cap", "每日上限", "daily cap"),
    ("officer.note", "备注（可不填）", "Note (optional)"),
    ("officer.record", "记录积分", "Record points"),
    ("officer.recorded", "已记录，记录号", "recorded, entry"),
    ("officer.refused", "未记录：", "not recorded: "),
    ("officer.reverse_title", "冲正一条记录", "Reverse an entry"),
    ("officer.reverse_seq", "记录号", "Entry number"),
    ("officer.reverse_reason", "冲正原因", "Reason"),
    ("officer.reverse", "冲正", "Reverse"),
    (
        "officer.reversed",
        "已冲正，新的记录号",
        "Reversed; the reversal is entry",
    ),
    ("kiosk.redeem", "兑换", "Redeem"),
    ("kiosk.cannot_afford", "积分不足", "Not enough points"),
    ("kiosk.out_of_stock", "已无库存", "Out of stock"),
    ("kiosk.suspended", "暂停兑换", "Suspended"),
    (
        "kiosk.collector",
        "代领人编号（本人领取不填）",
        "Collected by (code; empty if the resident)",
    ),
    ("kiosk.collector_done", "代领人：", "Collected by: "),
    ("kiosk.transfer", "转赠积分", "Give points"),
    (
        "kiosk.transfer_max",
        "本人在场确认后转赠，每次最多 ",
        "With the giver present; at most ",
    ),
    (
        "kiosk.transfer_to",
        "转赠给（居民编号）",
        "To (resident code)",
    ),
    ("kiosk.transfer_points", "转赠积分数", "Points to give"),
    ("kiosk.transfer_confirm", "确认转赠", "Give"),
    ("kiosk.transferred", "已转赠给", "Gave"),
    (
        "kiosk.household_full",
        "本户本月已兑满",
        "this household's limit this month is reached",
    ),
    (
        "kiosk.household_month",
        "本户本月已兑",
        "this household this month:",
    ),
    ("kiosk.confirm_title", "确认兑换", "Confirm the redeem"),
    ("kiosk.total", "共需积分", "Points needed"),
    ("kiosk.confirm", "确认兑换", "Confirm"),
    ("kiosk.cancel", "取消", "Cancel"),
    ("kiosk.fewer", "减少一件", "One fewer"),
    ("kiosk.more", "增加一件", "One more"),
    ("kiosk.receipt", "兑换成功", "Redeemed"),
    ("kiosk.signed_by", "由本机签名：", "Signed by this device:"),
    (
        "kiosk.in_log",
        "已记入社区日志，第 ",
        "In the community's log, #",
    ),
    ("kiosk.in_log_end", " 条", ""),
    (
        "kiosk.queued_offline",
        "离线：已在本机排队，联网后自动送往社区日志",
        "Offline: queued on this device, sent to the community's log when the network is back",
    ),
    (
        "kiosk.sending",
        "正在送往社区日志…",
        "Sending to the community's log…",
    ),
    (
        "kiosk.receipt_qr",
        "收据二维码（日志证明）",
        "Receipt QR code (the log's proof)",
    ),
    ("kiosk.print", "打印收据", "Print receipt"),
    (
        "officer.queued_for_log",
        "已签名，送往社区日志",
        "signed, on its way to the community's log",
    ),
    (
        "kiosk.receipt_again",
        "这笔兑换已记录过，没有重复扣分",
        "Already recorded; not redeemed twice",
    ),
    ("kiosk.entry", "记录号", "Entry"),
    ("kiosk.new_balance", "剩余积分", "New balance"),
    ("kiosk.hash", "哈希", "Hash"),
    ("kiosk.working", "正在写入…", "Writing…"),
    ("role.admin", "管理员", "admin"),
    ("role.officer", "工作人员", "officer"),
    ("role.kiosk", "兑换终端", "kiosk"),
    ("role.reviewer", "审核员", "reviewer"),
    (
        "admin.written",
        "已写入账本，记录号",
        "Written to the ledger: entry",
    ),
    (
        "admin.notice_address",
        "公告栏二维码：社区日志的地址、密钥和见证人",
        "Notice-board QR code: the log's address, key and witnesses",
    ),
    (
        "admin.head",
        "账本头：抄写、打印或扫码核对",
        "Ledger head: copy it, print it, or scan it to check",
    ),
    ("admin.qr", "账本头二维码", "QR code of the ledger head"),
    ("admin.print", "打印公告", "Print for the notice board"),
    ("admin.device", "本机密钥", "This device's keys"),
    ("setup.title", "登记本机", "Register this device"),
    (
        "setup.explain",
        "本机还没有社区日志认可的密钥，所以还不能记分或兑换。本机生成自己的密钥（只保存在本机），再由管理员登记。",
        "This device holds no key the community's log knows, so it cannot record or redeem yet. It makes its own key (kept only on this device), which the admin then registers.",
    ),
    ("setup.make_key", "为本机生成密钥", "Make this device's key"),
    (
        "setup.give_admin",
        "请管理员在“管理”页扫描此二维码（或抄写下面的文字）来登记本机：",
        "Ask the admin to scan this QR code on the Admin screen (or copy the text below) to register this device:",
    ),
    ("setup.text", "本机的登记信息", "This device's registration"),
    (
        "setup.qr",
        "本机登记二维码",
        "This device's registration QR code",
    ),
    (
        "setup.waiting",
        "登记记入日志后，本页会自动打开。",
        "Once the registration is in the log, this screen opens by itself.",
    ),
    ("admin.retired", "已停用", "retired"),
    ("admin.unregistered", "尚未登记", "not registered yet"),
    (
        "admin.new_kiosk_key",
        "为兑换终端生成新密钥",
        "Make a new kiosk key",
    ),
    (
        "admin.new_officer_key",
        "为工作人员生成新密钥",
        "Make a new officer key",
    ),
    (
        "admin.key_made",
        "新密钥已保存在本机。把下面的编号和公钥交给管理员登记：",
        "New key kept on this device. Give this id and public key to the admin to register: ",
    ),
    ("admin.use_key", "填入下方登记表", "Fill in the form below"),
    ("admin.actors", "操作者与密钥", "Actors and their keys"),
    ("admin.retire", "停用", "Retire"),
    ("admin.reactivate", "重新启用", "Re-activate"),
    ("admin.actor_id", "操作者编号", "Actor id"),
    ("admin.role", "角色", "Role"),
    (
        "admin.pubkey",
        "公钥（64 位十六进制）",
        "Public key (64 hex digits)",
    ),
    ("admin.register", "登记", "Register"),
    ("admin.residents", "居民", "Residents"),
    ("admin.resident_code", "居民编号", "Resident code"),
    ("admin.household", "户号", "Household"),
    (
        "admin.household_monthly",
        "每户每月限兑件数（可不填）",
        "Items a household may have a month (optional)",
    ),
    (
        "admin.household_monthly_short",
        "每户每月限",
        "a household a month:",
    ),
    ("admin.card", "居民积分卡", "Resident's card"),
    ("admin.card_title", "居民积分卡", "Points card"),
    (
        "admin.card_hint",
        "兑换时出示此卡扫码，或报居民编号",
        "Show this card at the kiosk to scan, or say the code",
    ),
    (
        "admin.card_qr",
        "居民编号二维码",
        "QR code of the resident code",
    ),
    ("admin.print_card", "打印居民卡", "Print the card"),
    ("admin.area", "楼栋", "Building"),
    ("admin.active", "有效", "Active"),
    ("admin.save", "保存", "Save"),
    ("admin.activities", "活动", "Activities"),
    ("admin.id", "编号", "Id"),
    ("admin.name", "名称", "Name"),
    ("admin.points", "每次积分", "Points each time"),
    ("admin.daily_cap", "每日上限", "Daily cap"),
    ("admin.rewards", "奖品与库存", "Rewards and stock"),
    ("admin.cost", "所需积分", "Points each"),
    ("admin.stock", "库存变动", "Stock change"),
    ("admin.reward", "奖品编号", "Reward id"),
    (
        "admin.delta",
        "数量（入库为正，出库为负）",
        "Items (in: positive, out: negative)",
    ),
    ("admin.note", "备注", "Note"),
    ("admin.save_stock", "记录库存", "Record stock"),
    ("pin.title", "请输入本机 PIN", "Enter this device's PIN"),
    (
        "pin.choose_title",
        "为本机设置 PIN",
        "Choose a PIN for this device",
    ),
    ("pin.enter", "PIN", "PIN"),
    (
        "pin.choose",
        "新 PIN（4–12 位数字）",
        "New PIN (4–12 digits)",
    ),
    ("pin.again", "再输入一次", "Again"),
    ("pin.unlock", "解锁", "Unlock"),
    (
        "pin.invalid",
        "PIN 须为 4–12 位数字",
        "A PIN is 4 to 12 digits",
    ),
    (
        "pin.mismatch",
        "两次输入的 PIN 不一致",
        "The two PINs differ",
    ),
    ("pin.wrong", "PIN 不正确", "Wrong PIN"),
    (
        "pin.wait",
        "PIN 错误次数过多，请 30 秒后再试",
        "Too many wrong PINs; try again in 30 seconds",
    ),
];

#[cfg(all(test, feature = "writer"))]
mod tests {
    /// Every key the screens ask for (a string literal shaped `area.name`
    /// in the sources) is in a table: a missing one would show as the key.
    #[test]
    fn every_key_the_screens_use_is_in_a_table() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        // Literals of that shape that are names of stored things, not keys.
        // (`jifen.…` names what the browser keeps for the app.)
        let not_keys = ["log.policy", "log.checkpoint", "ledger.jsonl"];
        let known = |key: &str| {
            key.starts_with("jifen.")
                || not_keys.contains(&key)
                || super::TABLE
                    .iter()
                    .chain(super::WRITING)
                    .any(|(k, _, _)| *k == key)
        };
        let mut missing = Vec::new();
        for file in files.iter().filter(|f| !f.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(file).expect("source");
            for literal in text.split('"').skip(1).step_by(2) {
                let shaped = literal.split_once('.').is_some_and(|(area, name)| {
                    !area.is_empty()
                        && !name.is_empty()
                        && area.bytes().all(|b| b.is_ascii_lowercase())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                });
                if shaped && !known(literal) {
                    missing.push(format!("{}: {literal}", file.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys in no table: {missing:#?}");
    }
}
