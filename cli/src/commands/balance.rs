//! `jifen balance`: every resident's balance (and what they owe, after
//! offline redeems in a v2 log, and what their household has together), or
//! one; of a v1 file or a v2 log directory.

use std::path::Path;

use ledger_core::Lang;
use serde_json::json;

use jifen::error::CliError;
use jifen::{store, table};

pub(crate) fn balance(
    file: &Path,
    resident: Option<&str>,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    // A v2 log directory, replayed whole, or a v1 ledger file.
    let ledger = if file.is_dir() {
        jifen::logdir::load(file)?.0.into_ledger()
    } else {
        store::load(file, !json)?
    };
    let records: Vec<_> = match resident {
        Some(code) => vec![
            ledger
                .state()
                .resident(code)
                .ok_or_else(|| CliError::UnknownResident(code.to_owned()))?,
        ],
        None => ledger.residents().iter().collect(),
    };
    // Each household's total once, not once per resident.
    let mut households = std::collections::HashMap::new();
    for r in &records {
        households
            .entry(r.household.as_str())
            .or_insert_with(|| ledger.state().household_total(r.household.as_str()).0);
    }
    let household_total = |r: &ledger_core::ResidentRecord| {
        households
            .get(r.household.as_str())
            .map(|p| p.to_wire())
            .unwrap_or_default()
    };
    if json {
        let rows: Vec<_> = records
            .iter()
            .map(|r| json!({"resident": r.code.as_str(), "household": r.household.as_str(), "area": r.area.as_str(), "active": r.active, "balance": r.balance.to_wire(), "debt": r.debt.to_wire(), "earned_total": r.earned_total.to_wire(), "household_total": household_total(r)}))
            .collect();
        jifen::outln!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    let header = if lang == Lang::Zh {
        [
            "居民",
            "户",
            "网格",
            "余额",
            "欠分",
            "累计获得",
            "全户合计",
            "状态",
        ]
    } else {
        [
            "resident",
            "household",
            "area",
            "balance",
            "owed",
            "earned",
            "household total",
            "status",
        ]
    };
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.code.to_string(),
                r.household.to_string(),
                r.area.to_string(),
                r.balance.to_wire(),
                r.debt.to_wire(),
                r.earned_total.to_wire(),
                household_total(r),
                if r.active {
                    lang.pick("在册", "active")
                } else {
                    lang.pick("停用", "inactive")
                }
                .to_owned(),
            ]
        })
        .collect();
    jifen::out!("{}", table::render(&header, &rows, &[3, 4, 5, 6]));
    Ok(())
}
