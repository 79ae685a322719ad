//! `jifen demo`: a realistic community, generated and written with its keys.

use std::path::Path;

use ledger_core::{FieldProblem, Lang, limits};

use jifen::error::CliError;
use jifen::store;

pub(crate) fn demo(
    out: &Path,
    keys: &Path,
    residents: u32,
    entries: u64,
    seed: u64,
    force: bool,
    lang: Lang,
) -> Result<(), CliError> {
    for path in [out, keys] {
        if path.exists() && !force {
            return Err(CliError::Exists(path.to_owned()));
        }
    }
    if residents == 0 || residents as usize > limits::MAX_RESIDENTS {
        return Err(CliError::BadValue {
            option: "--residents",
            problem: FieldProblem::OutOfRange {
                min: 1,
                max: limits::MAX_RESIDENTS as i64,
            },
        });
    }
    if entries > limits::MAX_ENTRIES {
        return Err(CliError::BadValue {
            option: "--entries",
            problem: FieldProblem::OutOfRange {
                min: 0,
                max: limits::MAX_ENTRIES as i64,
            },
        });
    }
    let config = ledger_core::demo::DemoConfig {
        residents,
        entries,
        seed,
        ..Default::default()
    };
    let bar = store::progress_bar(entries, entries >= 50_000, "generating");
    let demo = ledger_core::demo::generate_with_progress(&config, |done| bar.set_position(done));
    bar.finish_and_clear();
    store::write_atomically(out, demo.ledger.to_jsonl().as_bytes(), false)?;
    store::write_atomically(
        keys,
        ledger_core::demo::keys_json(&demo.keys).as_bytes(),
        true,
    )?;
    println!(
        "{} {} {}, {} {}",
        lang.pick("已生成演示社区：", "generated a demo community:"),
        demo.ledger.len(),
        lang.pick("条", "entries"),
        demo.ledger.residents().len(),
        lang.pick("位居民", "residents")
    );
    println!("head {}", demo.ledger.head());
    Ok(())
}
