//! `jifen report`: the street office's tables for a month, a quarter or
//! a year, of a v1 file or a v2 log directory, or of a street's or a
//! district's communities summed: points by community, by month, by
//! activity and by area, deductions by penalty, rewards handed out with
//! the stock left, and the residents without activity for months; as
//! text, or one table as CSV that Excel and WPS open correctly (UTF-8 with
//! a byte-order mark, headers in the chosen language).

use std::io::Write;
use std::path::{Path, PathBuf};

use ledger_core::report::{Report, Table};
use ledger_core::{Lang, Ledger};

use jifen::error::CliError;
use jifen::{store, table};

pub(crate) fn report(
    files: &[PathBuf],
    period: &str,
    months: u32,
    csv: Option<&str>,
    lang: Lang,
) -> Result<(), CliError> {
    let period = super::period_arg(period)?;
    // One community with its progress bar; several read side by side.
    let reports = match files {
        [file] => vec![load(file, csv.is_none(), lang)?.report(period, months)],
        _ => in_parallel(files, |file| {
            load(file, false, lang).map(|ledger| ledger.report(period, months))
        })?,
    };
    let report = match reports.len() {
        1 => reports.into_iter().next().unwrap_or_else(|| unreachable!()),
        _ => Report::merge(period, named_apart(files, reports)),
    };
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

/// Communities of the same name (the demo's) told apart by their file or
/// directory name.
fn named_apart(files: &[PathBuf], mut reports: Vec<Report>) -> Vec<Report> {
    let name = |r: &Report| r.by_community.first().map(|l| l.what.clone());
    let names: Vec<Option<String>> = reports.iter().map(name).collect();
    for (report, file) in reports.iter_mut().zip(files) {
        let repeated = names.iter().filter(|n| **n == name(report)).count() > 1;
        if let (true, Some(line)) = (repeated, report.by_community.first_mut()) {
            let base = file.file_name().map(|f| f.to_string_lossy().into_owned());
            line.what = format!("{} ({})", line.what, base.unwrap_or_default());
        }
    }
    reports
}

/// A ledger file, or a log directory's ledger (verified either way; a log
/// as far as this machine did not verify it before).
fn load(file: &Path, progress: bool, lang: Lang) -> Result<Ledger, CliError> {
    if file.is_dir() {
        Ok(jifen::logdir::load_remembered(file, lang)?.0.into_ledger())
    } else {
        store::load(file, progress)
    }
}

/// `work` on each file, as many at once as the machine has cores; the
/// results in the files' order, or the first file's error.
fn in_parallel<T: Send>(
    files: &[PathBuf],
    work: impl Fn(&Path) -> Result<T, CliError> + Sync,
) -> Result<Vec<T>, CliError> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T, CliError>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(index) else {
                        break;
                    };
                    let result = work(file);
                    if let Ok(mut slots) = results.lock() {
                        slots[index] = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|slot| slot.unwrap_or_else(|| unreachable!("every file was read")))
        .collect()
}

fn as_csv(report: &Report, name: &str, lang: Lang) -> String {
    report.csv(Table::from_name(name).unwrap_or(Table::Activity), lang)
}

fn as_text(report: &Report, months: u32, lang: Lang) -> String {
    let mut out = match lang {
        Lang::Zh => format!("{} 统计报表\n", report.period.label()),
        Lang::En => format!("Reports of {}\n", report.period.label()),
    };
    let district = report.by_community.len() > 1;
    for table in Table::ALL {
        if (table == Table::Community && !district) || table == Table::Inactive {
            continue;
        }
        let (header, rows) = report.table(table, lang);
        out += &format!("\n{}\n", table.title(lang));
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
    let (header, rows) = report.table(Table::Inactive, lang);
    out += &table::render(&header, &rows, &[1]);
    out
}
