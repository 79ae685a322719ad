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
