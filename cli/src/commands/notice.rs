//! `jifen notice`: the public notice (公示) of a month or a quarter, of a
//! v1 file or a v2 log directory: every award, deduction and reversal
//! that began or stopped counting in it, each resident's and household's
//! total, the 红榜 and the 黑榜, and the ledger's size at the period's end (with a log, the root
//! of its tree there). The same notice comes from anyone's replay.

use std::path::Path;

use ledger_core::notice::{Notice, NoticeKind, Period};
use ledger_core::{Lang, Points, format_local_ts, tlog};
use serde_json::json;

use jifen::error::CliError;
use jifen::{store, table};

/// Where the notice stands in a log: its origin and the tree's root at the
/// notice's size, and the size of the log's signed checkpoint.
struct AtSize {
    origin: String,
    root: String,
    signed: u64,
}

pub(crate) fn notice(
    file: &Path,
    period: &str,
    json: bool,
    csv: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let period = super::period_arg(period)?;
    if csv {
        let ledger = if file.is_dir() {
            jifen::logdir::load_remembered(file, lang)?.0.into_ledger()
        } else {
            store::load(file, false)?
        };
        return as_csv(&ledger, period, lang);
    }
    let (notice, at) = if file.is_dir() {
        let (log, checkpoint) = jifen::logdir::load_remembered(file, lang)?;
        let notice = log.ledger().notice(period);
        let root = log.tree().root_at(notice.size).unwrap_or_default();
        let at = AtSize {
            origin: checkpoint.origin.clone(),
            root: tlog::base64_encode(&root),
            signed: checkpoint.size,
        };
        (notice, Some(at))
    } else {
        (store::load(file, !json)?.notice(period), None)
    };
    let text = if json {
        format!("{}\n", as_json(&notice, at.as_ref()))
    } else {
        as_text(&notice, at.as_ref(), lang)
    };
    // A notice runs to thousands of rows: a reader that stops early (`|
    // head`) ends the output quietly.
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::io(Path::new("-"), error))
        }
        _ => Ok(()),
    }
}

/// Every row of the notice as CSV, each written as it is found (a year of
/// a street is hundreds of thousands of rows): through a buffer, never
/// held whole.
fn as_csv(ledger: &ledger_core::Ledger, period: Period, lang: Lang) -> Result<(), CliError> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let header = match lang {
        Lang::Zh => ["条目", "时间", "类别", "居民", "户", "活动", "积分", "说明"],
        Lang::En => [
            "entry",
            "time",
            "kind",
            "resident",
            "household",
            "activity",
            "points",
            "note",
        ],
    };
    let offset = ledger.utc_offset_minutes();
    let mut written = out
        .write_all(ledger_core::report::CSV_BOM.as_bytes())
        .and_then(|()| out.write_all(ledger_core::report::csv_row(&header).as_bytes()));
    ledger.notice_rows(period, |row| {
        if written.is_err() {
            return;
        }
        let cells = [
            row.seq.to_string(),
            format_local_ts(row.ts_ms, offset),
            kind_name(row.kind, lang).to_owned(),
            row.resident.clone(),
            row.household.clone(),
            row.activity.clone(),
            row.points.to_wire(),
            deduction_note(&row, lang),
        ];
        written = out.write_all(ledger_core::report::csv_row(&cells).as_bytes());
    });
    match written.and_then(|()| out.flush()) {
        // A reader that stops early (`| head`) ends the output quietly.
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::io(Path::new("-"), error))
        }
        _ => Ok(()),
    }
}

fn kind_name(kind: NoticeKind, lang: Lang) -> &'static str {
    match kind {
        NoticeKind::Award => lang.pick("获得", "award"),
        NoticeKind::Reversal => lang.pick("冲正", "reversal"),
        NoticeKind::Deduction => lang.pick("扣分", "deduction"),
    }
}

fn as_json(notice: &Notice, at: Option<&AtSize>) -> serde_json::Value {
    let mut value = notice.to_json();
    if let Some(at) = at {
        value["log"] = json!({"origin": at.origin, "root": at.root, "signed_size": at.signed});
    }
    value
}

/// The notice as a page of text: its head, the 红榜, the totals by
/// household, and every row. Long because it is the page, top to bottom.
fn as_text(notice: &Notice, at: Option<&AtSize>, lang: Lang) -> String {
    let mut out = String::new();
    let label = notice.period.label();
    out += &match lang {
        Lang::Zh => format!("{} {} 积分公示\n", notice.community, label),
        Lang::En => format!("{}: public notice of points, {}\n", notice.community, label),
    };
    if !notice.closed {
        out += lang.pick(
            "（本期尚未结束，公示可能还会增加）\n",
            "(the period is not over yet: the notice may still grow)\n",
        );
    }
    let log = at.map(|at| {
        (
            at.origin.as_str(),
            at.root.as_str(),
            at.signed >= notice.size,
        )
    });
    out += &notice.standing(lang, log);
    out.push('\n');
    let sum: Points = notice
        .rows
        .iter()
        .fold(Points::ZERO, |s, r| s.plus(r.points));
    out += &format!(
        "{} {} · {} {} · {} {}\n\n",
        lang.pick("记录", "rows"),
        notice.rows.len(),
        lang.pick("居民", "residents"),
        notice.residents.len(),
        lang.pick("合计", "total"),
        sum.to_wire()
    );
    out += lang.pick("红榜\n", "Top contributors (红榜)\n");
    let top: Vec<Vec<String>> = notice
        .top
        .iter()
        .enumerate()
        .map(|(i, t)| vec![(i + 1).to_string(), t.who.clone(), t.points.to_wire()])
        .collect();
    out += &table::render(
        &[
            lang.pick("名次", "#"),
            lang.pick("居民", "resident"),
            lang.pick("积分", "points"),
        ],
        &top,
        &[0, 2],
    );
    if !notice.black.is_empty() {
        out += lang.pick("\n黑榜（本期扣分）\n", "\nMost deducted (黑榜)\n");
        let black: Vec<Vec<String>> = notice
            .black
            .iter()
            .enumerate()
            .map(|(i, t)| vec![(i + 1).to_string(), t.who.clone(), t.points.to_wire()])
            .collect();
        out += &table::render(
            &[
                lang.pick("名次", "#"),
                lang.pick("居民", "resident"),
                lang.pick("扣分", "deducted"),
            ],
            &black,
            &[0, 2],
        );
    }
    out += lang.pick("\n按户合计\n", "\nBy household\n");
    let households: Vec<Vec<String>> = notice
        .households
        .iter()
        .map(|t| vec![t.who.clone(), t.points.to_wire()])
        .collect();
    out += &table::render(
        &[lang.pick("户", "household"), lang.pick("积分", "points")],
        &households,
        &[1],
    );
    out += lang.pick("\n明细\n", "\nEvery award, deduction and reversal\n");
    let offset = notice.utc_offset_minutes;
    let rows: Vec<Vec<String>> = notice
        .rows
        .iter()
        .map(|r| {
            vec![
                r.seq.to_string(),
                format_local_ts(r.ts_ms, offset),
                kind_name(r.kind, lang).to_owned(),
                r.resident.clone(),
                r.household.clone(),
                r.activity.clone(),
                r.points.to_wire(),
                deduction_note(r, lang),
            ]
        })
        .collect();
    let header = match lang {
        Lang::Zh => ["条目", "时间", "类别", "居民", "户", "活动", "积分", "说明"],
        Lang::En => [
            "entry",
            "time",
            "kind",
            "resident",
            "household",
            "activity",
            "points",
            "note",
        ],
    };
    out += &table::render(&header, &rows, &[0, 6]);
    out
}

/// A deduction's reason, and the day its suspension of redeeming ends.
fn deduction_note(row: &ledger_core::notice::NoticeRow, lang: Lang) -> String {
    match row.suspended_until {
        Some(day) => {
            let date = ledger_core::format_local_day(day);
            match lang {
                Lang::Zh => format!("{}；取消兑换资格，{date} 起恢复", row.reason),
                Lang::En => format!("{}; may not redeem until {date}", row.reason),
            }
        }
        None => row.reason.clone(),
    }
}
