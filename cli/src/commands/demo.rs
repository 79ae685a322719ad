//! `jifen demo`: a realistic community, generated and written with its keys.

use std::path::Path;

use ledger_core::{FieldProblem, Lang, limits};

use jifen::error::CliError;
use jifen::store;

/// How big a demo, and its seed.
pub(crate) struct Size {
    pub(crate) residents: u32,
    pub(crate) entries: u64,
    pub(crate) seed: u64,
}

pub(crate) fn config(size: &Size) -> Result<ledger_core::demo::DemoConfig, CliError> {
    let Size {
        residents,
        entries,
        seed,
    } = *size;
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
    Ok(ledger_core::demo::DemoConfig {
        residents,
        entries,
        seed,
        ..Default::default()
    })
}

pub(crate) fn demo(
    out: &Path,
    keys: &Path,
    size: Size,
    force: bool,
    lang: Lang,
) -> Result<(), CliError> {
    for path in [out, keys] {
        if path.exists() && !force {
            return Err(CliError::Exists(path.to_owned()));
        }
    }
    let config = config(&size)?;
    let entries = config.entries;
    let bar = store::progress_bar(entries, entries >= 50_000, "generating");
    let demo = ledger_core::demo::generate_with_progress(&config, |done| bar.set_position(done));
    bar.finish_and_clear();
    store::write_atomically(out, demo.ledger.to_jsonl().as_bytes(), false)?;
    store::write_atomically(
        keys,
        ledger_core::demo::keys_json(&demo.keys).as_bytes(),
        true,
    )?;
    jifen::outln!(
        "{} {} {}, {} {}",
        lang.pick("已生成演示社区：", "generated a demo community:"),
        demo.ledger.len(),
        lang.pick("条", "entries"),
        demo.ledger.residents().len(),
        lang.pick("位居民", "residents")
    );
    jifen::outln!("head {}", demo.ledger.head());
    Ok(())
}

/// `jifen demo --log`: the same community as a v2 log directory, with its
/// keys (the log's too, as `log`); prints the log's verifier key.
pub(crate) fn demo_log(
    dir: &Path,
    origin: &str,
    keys: &Path,
    size: Size,
    force: bool,
    lang: Lang,
) -> Result<(), CliError> {
    if keys.exists() && !force {
        return Err(CliError::Exists(keys.to_owned()));
    }
    if dir.exists() {
        if !force {
            return Err(CliError::Exists(dir.to_owned()));
        }
        std::fs::remove_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
    }
    ledger_core::log::LogKey::check_origin(origin).map_err(|problem| CliError::BadValue {
        option: "--origin",
        problem,
    })?;
    let config = config(&size)?;
    let bar = store::progress_bar(config.entries, config.entries >= 50_000, "generating");
    let demo = ledger_core::log::demo::generate_log(&config, origin, |done| bar.set_position(done));
    bar.finish_and_clear();
    let Some(demo) = demo else {
        return Err(CliError::BadValue {
            option: "--entries",
            problem: FieldProblem::OutOfRange {
                min: 100,
                max: limits::MAX_ENTRIES as i64,
            },
        });
    };
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
    let log_key = demo
        .keys
        .iter()
        .find(|(id, _)| id.as_str() == "log")
        .map(|(_, seed)| ledger_core::SigningKey::from_bytes(seed))
        .ok_or_else(|| CliError::MissingKey {
            path: keys.to_owned(),
            actor: "log".to_owned(),
        })?;
    let note = demo
        .log
        .sign_checkpoint(&log_key)
        .map_err(CliError::Submit)?;
    jifen::logdir::write_growth(dir, &demo.log, 0, &note)?;
    store::write_atomically(
        keys,
        ledger_core::demo::keys_json(&demo.keys).as_bytes(),
        true,
    )?;
    let late = demo.log.outcomes().len();
    eprintln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "已生成演示日志：{} 个叶子，{} 条离线记录的结果（欠分、库存不足、超上限）已记入",
                demo.log.len(),
                late
            ),
            Lang::En => format!(
                "generated a demo log: {} leaves; {} outcomes of offline entries (debt, stock short, capped) recorded",
                demo.log.len(),
                late
            ),
        }
    );
    if let Some(verifier) = demo.log.verifier() {
        jifen::outln!("{}", verifier.vkey());
    }
    Ok(())
}
