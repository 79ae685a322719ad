//! `jifen passbook`: a resident's passbook page (存折) for a period, of a
//! v1 file or a v2 log directory: the balance brought forward, every entry
//! with the balance after it, the balance carried forward and, with a log,
//! the root of its tree at the period's end, for residents who keep paper.

use std::path::Path;

use ledger_core::notice::standing;
use ledger_core::{Lang, Points, format_local_ts, tlog};
use serde_json::json;

use super::history::describe;
use jifen::error::CliError;
use jifen::{store, table};

/// A balance as the page writes it: below zero, what the resident owes.
fn balance_text(points: Points, lang: Lang) -> String {
    if points < Points::ZERO {
        format!("{points} ({})", lang.pick("欠分", "owed"))
    } else {
        points.to_string()
    }
}

pub(crate) fn passbook(
    file: &Path,
    resident: &str,
    period: &str,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let period = super::period_arg(period)?;
    let (ledger, log) = if file.is_dir() {
        let (log, checkpoint) = jifen::logdir::load_remembered(file, lang)?;
        let at = (
            log.tree().clone(),
            checkpoint.origin.clone(),
            checkpoint.size,
        );
        (log.into_ledger(), Some(at))
    } else {
        (store::load(file, !json)?, None)
    };
    let page = ledger
        .passbook(resident, period)
        .ok_or_else(|| CliError::UnknownResident(resident.to_owned()))?;
    let size = page.span.size;
    let root = log.as_ref().map(|(tree, origin, signed)| {
        let root = tree.root_at(size).unwrap_or_default();
        (origin.clone(), tlog::base64_encode(&root), *signed >= size)
    });
    let offset = ledger.utc_offset_minutes();
    let record = ledger.state().resident(resident);
    let household = record.map(|r| r.household.to_string()).unwrap_or_default();
    if json {
        let lines: Vec<_> = page
            .lines
            .iter()
            .filter_map(|line| {
                let entry = ledger.entry(line.seq)?;
                let (kind, item, points, note) = describe(&ledger, entry, resident, Lang::En);
                Some(json!({"seq": line.seq.0, "ts": line.ts_ms, "time": format_local_ts(line.ts_ms, offset), "kind": kind, "item": item, "points": points, "note": note, "balance": line.balance.to_wire()}))
            })
            .collect();
        let log = root.as_ref().map(
            |(origin, root, covered)| json!({"origin": origin, "root": root, "covered": covered}),
        );
        jifen::outln!(
            "{}",
            json!({"resident": resident, "household": household, "period": period.label(), "opening": page.opening.to_wire(), "closing": page.closing.to_wire(), "size": size, "lines": lines, "log": log})
        );
        return Ok(());
    }
    let mut out = match lang {
        Lang::Zh => format!(
            "{} 积分存折 · 居民 {resident}（户 {household}）\n上期结余 {}\n",
            period.label(),
            balance_text(page.opening, lang)
        ),
        Lang::En => format!(
            "{} passbook · resident {resident} (household {household})\nbrought forward {}\n",
            period.label(),
            balance_text(page.opening, lang)
        ),
    };
    let header = if lang == Lang::Zh {
        ["序号", "时间", "类型", "项目", "积分", "结余", "备注"]
    } else {
        ["seq", "time", "kind", "item", "points", "balance", "note"]
    };
    let rows: Vec<Vec<String>> = page
        .lines
        .iter()
        .filter_map(|line| {
            let entry = ledger.entry(line.seq)?;
            let (kind, item, points, note) = describe(&ledger, entry, resident, lang);
            Some(vec![
                line.seq.to_string(),
                format_local_ts(line.ts_ms, offset),
                kind,
                item,
                points,
                line.balance.to_string(),
                note,
            ])
        })
        .collect();
    out += &table::render(&header, &rows, &[0, 4, 5]);
    out += &format!(
        "{} {}\n",
        lang.pick("本期结余", "carried forward"),
        balance_text(page.closing, lang)
    );
    let log = root
        .as_ref()
        .map(|(origin, root, covered)| (origin.as_str(), root.as_str(), *covered));
    out += &standing(size, lang, log);
    out.push('\n');
    jifen::out!("{out}");
    Ok(())
}
