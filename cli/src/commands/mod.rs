//! One module per command; `run` sends each parsed command to its own.

mod append;
mod balance;
mod demo;
mod history;
mod init;
mod keygen;
mod log;
mod notice;
mod passbook;
mod repair;
mod report;
mod rewards;
pub(crate) mod serve;
mod verify;
mod witness;

use ledger_core::Lang;

use crate::args::Command;
use jifen::error::CliError;

pub(crate) fn run(command: Command, lang: Lang) -> Result<(), CliError> {
    match command {
        Command::Keygen { keys, actor } => keygen::keygen(&keys, &actor),
        Command::Init(args) => init::init(args, lang),
        Command::Append(args) => append::append(args, lang),
        Command::Verify {
            file,
            chain_only: true,
            json,
            ..
        } => verify::chain_only(&file, json),
        Command::Verify {
            file,
            head,
            extends,
            json,
            ..
        } => verify::verify(&file, head.as_deref(), extends.as_deref(), json, lang),
        Command::Balance {
            file,
            resident,
            json,
        } => balance::balance(&file, resident.as_deref(), json, lang),
        Command::History {
            file,
            resident,
            page,
            per_page,
            json,
        } => history::history(&file, &resident, page, per_page, json, lang),
        Command::Rewards { file, json } => rewards::rewards(&file, json, lang),
        Command::Notice {
            file,
            period,
            json,
            csv,
        } => notice::notice(&file, &period, json, csv, lang),
        Command::Passbook {
            file,
            resident,
            period,
            json,
        } => passbook::passbook(&file, &resident, &period, json, lang),
        Command::Report {
            files,
            period,
            inactive_months,
            csv,
        } => report::report(&files, &period, inactive_months, csv.as_deref(), lang),
        Command::Demo {
            out,
            log,
            origin,
            keys,
            residents,
            entries,
            seed,
            force,
        } => {
            let size = demo::Size {
                residents,
                entries,
                seed,
            };
            match (out, log) {
                (_, Some(dir)) => demo::demo_log(&dir, &origin, &keys, size, force, lang),
                (Some(out), None) => demo::demo(&out, &keys, size, force, lang),
                (None, None) => unreachable!("clap requires --out or --log"),
            }
        }
        Command::Repair { file } => repair::repair(&file, lang),
        Command::Log(command) => log::run(command, lang),
        Command::Witness(args) => witness::witness(args),
        Command::Serve(args) => serve::serve(args, lang),
    }
}

/// `--period` read as a month, a quarter or a year, or why not.
fn period_arg(text: &str) -> Result<ledger_core::notice::Period, CliError> {
    ledger_core::notice::Period::parse(text.trim()).ok_or(CliError::BadValue {
        option: "--period",
        problem: ledger_core::FieldProblem::NotAPeriod,
    })
}
