//! Every string the app shows, in one table: Simplified Chinese first,
//! English second. Screens ask for a string by key; core errors bring their
//! own messages in both languages.

use ledger_core::Lang;

/// The string for `key` in `lang`; an unknown key shows itself, so a
/// missing entry is visible rather than blank.
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let (zh, en) = match key {
        "app.title" => ("积分账本", "Jifen points ledger"),
        "app.lang_toggle" => ("English", "中文"),
        "tab.resident" => ("居民查询", "Resident"),
        "tab.kiosk" => ("积分兑换", "Redeem"),
        "tab.officer" => ("活动记录", "Record"),
        "tab.audit" => ("核验", "Audit"),
        "failed.offer" => (
            "浏览器中的账本未通过校验，不会显示可能错误的余额。可以导入一份好的账本文件，或重新载入演示社区。",
            "The ledger in this browser failed verification, so no balance that may be wrong is shown. Import a good ledger file, or load the demo again.",
        ),
        "audit.verified" => (
            "已校验：每条记录的哈希链、签名和规则都通过",
            "Verified: every entry's hash chain, signature and rules pass",
        ),
        "audit.head" => (
            "当前账本头（可抄写或打印公布）",
            "Current head (to copy or print for the notice board)",
        ),
        "audit.filter_type" => ("类型", "Type"),
        "audit.filter_resident" => ("居民编号", "Resident code"),
        "audit.all" => ("全部", "All"),
        "audit.more" => ("更多", "More"),
        "audit.export" => (
            "导出账本文件（JSON Lines）",
            "Export the ledger file (JSON Lines)",
        ),
        "audit.import" => (
            "导入账本文件（先校验，通过才替换）",
            "Import a ledger file (verified before it replaces anything)",
        ),
        "audit.imported" => ("已导入并校验：", "Imported and verified: "),
        "audit.refused" => (
            "导入的文件未通过校验，浏览器中的账本没有任何改变：",
            "The file failed verification; the ledger in this browser is unchanged: ",
        ),
        "audit.entries_shown" => ("显示", "showing"),
        "officer.residents" => (
            "居民编号（每行一个，可连续扫码）",
            "Resident codes (one a line; scan one after another)",
        ),
        "officer.activity" => ("活动", "Activity"),
        "officer.per_time" => ("每次", "each"),
        "officer.cap" => ("每日上限", "daily cap"),
        "officer.note" => ("备注（可不填）", "Note (optional)"),
        "officer.record" => ("记录积分", "Record points"),
        "officer.recorded" => ("已记录，记录号", "recorded, entry"),
        "officer.refused" => ("未记录：", "not recorded: "),
        "officer.reverse_title" => ("冲正一条记录", "Reverse an entry"),
        "officer.reverse_seq" => ("记录号", "Entry number"),
        "officer.reverse_reason" => ("冲正原因", "Reason"),
        "officer.reverse" => ("冲正", "Reverse"),
        "officer.reversed" => ("已冲正，新的记录号", "Reversed; the reversal is entry"),
        "kiosk.redeem" => ("兑换", "Redeem"),
        "kiosk.cannot_afford" => ("积分不足", "Not enough points"),
        "kiosk.out_of_stock" => ("已无库存", "Out of stock"),
        "kiosk.confirm_title" => ("确认兑换", "Confirm the redeem"),
        "kiosk.qty" => ("数量", "Quantity"),
        "kiosk.total" => ("共需积分", "Points needed"),
        "kiosk.confirm" => ("确认兑换", "Confirm"),
        "kiosk.cancel" => ("取消", "Cancel"),
        "kiosk.fewer" => ("减少一件", "One fewer"),
        "kiosk.more" => ("增加一件", "One more"),
        "kiosk.receipt" => ("兑换成功", "Redeemed"),
        "kiosk.receipt_again" => (
            "这笔兑换已记录过，没有重复扣分",
            "Already recorded; not redeemed twice",
        ),
        "kiosk.entry" => ("记录号", "Entry"),
        "kiosk.new_balance" => ("剩余积分", "New balance"),
        "kiosk.hash" => ("哈希", "Hash"),
        "kiosk.working" => ("正在写入…", "Writing…"),
        "loading" => ("正在载入并校验账本…", "Loading and verifying the ledger…"),
        "empty" => (
            "这台设备上还没有账本。",
            "There is no ledger on this device yet.",
        ),
        "demo.offer" => ("载入演示社区", "Load the demo community"),
        "demo.hint" => (
            "演示社区含 200 位居民、5,000 条记录，可随时在“管理”里清除。",
            "The demo community has 200 residents and 5,000 entries.",
        ),
        "resident.code" => ("居民编号（可扫码）", "Resident code (type or scan)"),
        "resident.find" => ("查询", "Look up"),
        "resident.unknown" => ("查无此居民：", "No resident with code "),
        "resident.balance" => ("当前积分", "Balance"),
        "resident.points" => ("分", "points"),
        "resident.history" => ("积分明细", "History"),
        "resident.affordable" => ("现在可以兑换", "Rewards you can redeem now"),
        "resident.none_affordable" => (
            "积分还不够兑换任何奖品。",
            "Not enough points for any reward yet.",
        ),
        "resident.no_history" => ("还没有记录。", "No entries yet."),
        "kind.earn" => ("获得", "Earned"),
        "kind.redeem" => ("兑换", "Redeemed"),
        "kind.reverse" => ("冲正", "Reversed"),
        "by" => ("记录人", "by"),
        "reversed_by" => ("已冲正，见第", "reversed by entry"),
        "head" => ("账本头", "Ledger head"),
        "entries" => ("条记录", "entries"),
        "stock" => ("库存", "stock"),
        _ => (key, key),
    };
    lang.pick(zh, en)
}
