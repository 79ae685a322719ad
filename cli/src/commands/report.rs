//! `jifen report`: the street office's tables for a month or a quarter,
//! of a v1 file or a v2 log directory: points by activity and by area,
//! deductions by penalty, rewards handed out with the stock left, and the residents without
//! activity for months; as text, or one table as CSV that Excel and WPS
//! open correctly (UTF-8 with a byte-order mark, headers in the chosen
//! language).

use std::io::Write;
use std::path::Path;

use ledger_core::notice::Period;
use ledger_core::report::{Report, ReportLine};
use ledger_core::{FieldProblem, Lang};

use jifen::error::CliError;
use jifen::{store, table};

pub(crate) fn report(
    file: &Path,
    period: &str,
    months: u32,
    csv: Option<&str>,
    lang: Lang,
) -> Result<(), CliError> {
    let period = Period::parse(period.trim()).ok_or(CliError::BadValue {
        option: "--period",
        problem: FieldProblem::NotAPeriod,
    })?;
    let ledger = if file.is_dir() {
        jifen::logdir::load(file)?.0.into_ledger()
    } else {
        store::load(file, csv.is_none())?
    };
    let report = ledger.report(period, months);
    let text = match csv {
        Some(name) => as_csv(&report, name, lang),
        None => as_text(&report, months, lang),
    };
    // A reader that stops early (`| head`) ends the output quietly.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::io(Path::new("-"), error))
        }
        _ => Ok(()),
    }
}

/// A table's header and its lines.
fn table_of<'a>(
    report: &'a Report,
    name: &str,
    lang: Lang,
) -> (Vec<&'static str>, &'a [ReportLine]) {
    let pick = |zh, en| lang.pick(zh, en);
    match name {
        "area" => (
            vec![
                pick("网格", "area"),
                pick("次数", "awards"),
                pick("积分", "points"),
            ],
            &report.by_area,
        ),
        "deductions" => (
            vec![
                pick("扣分规则", "penalty"),
                pick("次数", "deductions"),
                pick("扣分", "points"),
            ],
            &report.deductions,
        ),
        "rewards" => (
            vec![
                pick("奖品", "reward"),
                pick("发放数量", "handed out"),
                pick("消耗积分", "points"),
                pick("库存", "stock left"),
            ],
            &report.rewards,
        ),
        "inactive" => (
            vec![pick("居民", "resident"), pick("余额", "balance")],
            &report.inactive,
        ),
        _ => (
            vec![
                pick("活动", "activity"),
                pick("次数", "awards"),
                pick("积分", "points"),
            ],
            &report.by_activity,
        ),
    }
}

fn cells(name: &str, line: &ReportLine) -> Vec<String> {
    match name {
        "inactive" => vec![line.what.clone(), line.points.to_wire()],
        "rewards" => vec![
            line.what.clone(),
            line.count.to_string(),
            line.points.to_wire(),
            line.stock.map(|s| s.to_string()).unwrap_or_default(),
        ],
        _ => vec![
            line.what.clone(),
            line.count.to_string(),
            line.points.to_wire(),
        ],
    }
}

/// RFC 4180 quoting where a cell needs it.
fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

fn as_csv(report: &Report, name: &str, lang: Lang) -> String {
    let (header, lines) = table_of(report, name, lang);
    // The byte-order mark makes Excel and WPS read UTF-8, not GBK.
    let mut out = String::from("\u{feff}");
    let row = |cells: &[String]| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out += &row(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    for line in lines {
        out += &row(&cells(name, line));
    }
    out
}

fn as_text(report: &Report, months: u32, lang: Lang) -> String {
    let mut out = match lang {
        Lang::Zh => format!("{} 统计报表\n", report.period.label()),
        Lang::En => format!("Reports of {}\n", report.period.label()),
    };
    for (name, title) in [
        ("activity", lang.pick("按活动", "By activity")),
        ("area", lang.pick("按网格", "By area")),
        ("deductions", lang.pick("扣分", "Deductions")),
        (
            "rewards",
            lang.pick("奖品发放与库存", "Rewards handed out, stock left"),
        ),
    ] {
        let (header, lines) = table_of(report, name, lang);
        let rows: Vec<Vec<String>> = lines.iter().map(|l| cells(name, l)).collect();
        out += &format!("\n{title}\n");
        out += &table::render(&header, &rows, &[1, 2, 3]);
    }
    out += &match lang {
        Lang::Zh => format!(
            "\n{months} 个月无活动的在册居民：{} 位\n",
            report.inactive.len()
        ),
        Lang::En => format!(
            "\nActive residents without activity for {months} months: {}\n",
            report.inactive.len()
        ),
    };
    let (header, lines) = table_of(report, "inactive", lang);
    let rows: Vec<Vec<String>> = lines.iter().map(|l| cells("inactive", l)).collect();
    out += &table::render(&header, &rows, &[1]);
    out
}
