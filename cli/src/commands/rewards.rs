//! `jifen rewards`: the reward shop's items, their cost and stock.

use std::path::Path;

use ledger_core::Lang;
use serde_json::json;

use jifen::error::CliError;
use jifen::{store, table};

pub(crate) fn rewards(file: &Path, json: bool, lang: Lang) -> Result<(), CliError> {
    let ledger = store::load(file, !json)?;
    if json {
        let rows: Vec<_> = ledger
            .rewards()
            .iter()
            .map(|r| json!({"id": r.id.as_str(), "name": r.name.as_str(), "cost": r.cost.to_wire(), "stock": r.stock, "active": r.active}))
            .collect();
        jifen::outln!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    let header = if lang == Lang::Zh {
        ["编号", "名称", "积分", "库存", "状态"]
    } else {
        ["id", "name", "cost", "stock", "status"]
    };
    let rows: Vec<Vec<String>> = ledger
        .rewards()
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.to_string(),
                r.cost.to_wire(),
                r.stock.to_string(),
                if r.active {
                    lang.pick("可兑换", "available")
                } else {
                    lang.pick("已下架", "withdrawn")
                }
                .to_owned(),
            ]
        })
        .collect();
    jifen::out!("{}", table::render(&header, &rows, &[2, 3]));
    Ok(())
}
