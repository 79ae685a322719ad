//! `jifen history`: a resident's entries, newest first, a page at a time.

use std::path::Path;

use ledger_core::{Change, ClaimStatus, Entry, Lang, Ledger, RowKind, format_local_ts};
use serde_json::json;

use jifen::error::CliError;
use jifen::{store, table};

/// An entry as a row of a resident's history, in `lang`: kind, item,
/// signed points and note (the core says what it means).
pub(super) fn describe(
    ledger: &Ledger,
    entry: &Entry,
    resident: &str,
    lang: Lang,
) -> (String, String, String, String) {
    let row = ledger.history_row_for(entry, resident);
    let kind = match row.kind {
        RowKind::Earn => lang.pick("获得", "earn").to_owned(),
        RowKind::Redeem => lang.pick("兑换", "redeem").to_owned(),
        RowKind::Reverse(target) => format!("{} #{target}", lang.pick("冲正", "reverse")),
        RowKind::Claim(ClaimStatus::Pending) => {
            lang.pick("待审核", "claim, awaiting review").to_owned()
        }
        RowKind::Claim(ClaimStatus::Approved(by)) => {
            format!("{} #{by}", lang.pick("申请，已通过", "claim, approved by"))
        }
        RowKind::Claim(ClaimStatus::Rejected(by)) => {
            format!("{} #{by}", lang.pick("申请，已驳回", "claim, rejected by"))
        }
        RowKind::Approve(claim) => format!("{} #{claim}", lang.pick("审核通过", "approve")),
        RowKind::Reject(claim) => format!("{} #{claim}", lang.pick("审核驳回", "reject")),
        RowKind::Deduct(ClaimStatus::Pending) => lang
            .pick("扣分，待审核", "deduction, awaiting review")
            .to_owned(),
        RowKind::Deduct(ClaimStatus::Approved(by)) => {
            format!(
                "{} #{by}",
                lang.pick("扣分，已通过", "deduction, approved by")
            )
        }
        RowKind::Deduct(ClaimStatus::Rejected(by)) => {
            format!(
                "{} #{by}",
                lang.pick("扣分，已驳回", "deduction, rejected by")
            )
        }
        RowKind::TransferOut => lang.pick("转赠给", "given to").to_owned(),
        RowKind::TransferIn => lang.pick("收到转赠", "received from").to_owned(),
        RowKind::Other(type_name) => type_name.to_owned(),
    };
    let points = match row.change {
        Change::Gain(points) => format!("+{points}"),
        Change::Loss(points) => format!("-{points}"),
        Change::None => String::new(),
    };
    let note = match row.collector {
        Some(collector) => format!("{} {collector}", lang.pick("代领人", "collected by")),
        None => row.note,
    };
    let item = match row.hours {
        Some(half_hours) => format!(
            "{} {} {}",
            row.item,
            ledger_core::hours_to_wire(half_hours),
            lang.pick("小时", "h")
        ),
        None => row.item,
    };
    (kind, item, points, note)
}

/// Prints one page of a resident's history, as JSON or as a table. Long
/// because the two forms are written side by side, from the same rows.
pub(crate) fn history(
    file: &Path,
    resident: &str,
    page: usize,
    per_page: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let ledger = store::load(file, !json)?;
    let record = ledger
        .state()
        .resident(resident)
        .ok_or_else(|| CliError::UnknownResident(resident.to_owned()))?;
    let per_page = per_page.clamp(1, 1_000);
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let entries = ledger.history_page(resident, offset, per_page);
    let total = ledger.history_len(resident);
    let offset_minutes = ledger.utc_offset_minutes();
    if json {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| {
                let (kind, item, signed_points, note) = describe(&ledger, e, resident, Lang::En);
                json!({"seq": e.seq.0, "ts": e.ts_ms, "time": format_local_ts(e.ts_ms, offset_minutes), "type": e.body.type_name(), "kind": kind, "item": item, "points": signed_points, "actor": e.actor.as_str(), "note": note, "reversed_by": ledger.reversed_by(e.seq).map(|s| s.0)})
            })
            .collect();
        jifen::outln!(
            "{}",
            json!({"resident": resident, "balance": record.balance.to_wire(), "total": total, "page": page, "per_page": per_page, "entries": rows})
        );
        return Ok(());
    }
    jifen::outln!(
        "{} {}  {} {}",
        lang.pick("居民", "resident"),
        resident,
        lang.pick("余额", "balance"),
        record.balance
    );
    let header = if lang == Lang::Zh {
        ["序号", "时间", "类型", "项目", "积分", "记录人", "备注"]
    } else {
        ["seq", "time", "kind", "item", "points", "by", "note"]
    };
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let (kind, item, signed_points, mut note) = describe(&ledger, e, resident, lang);
            if let Some(by) = ledger.reversed_by(e.seq) {
                let mark = format!("{}{by}", lang.pick("已被冲正 #", "reversed by #"));
                note = if note.is_empty() {
                    mark
                } else {
                    format!("{note}; {mark}")
                };
            }
            vec![
                e.seq.to_string(),
                format_local_ts(e.ts_ms, offset_minutes),
                kind,
                item,
                signed_points,
                e.actor.to_string(),
                note,
            ]
        })
        .collect();
    jifen::out!("{}", table::render(&header, &rows, &[0, 4]));
    let pages = total.div_ceil(per_page).max(1);
    match lang {
        Lang::Zh => jifen::outln!("第 {page}/{pages} 页，共 {total} 条"),
        Lang::En => jifen::outln!("page {page} of {pages}, {total} entries"),
    }
    Ok(())
}
