//! `jifen`: the command for administrators and auditors of a Jifen points
//! ledger. It parses arguments, calls `ledger-core`, and prints; every rule
//! lives in the core. Exit codes are decided in `error.rs`.

mod args;
mod commands;
mod input;

use std::process::ExitCode;

use clap::Parser;
use ledger_core::Lang;

use args::Cli;

fn language(flag: Option<&str>) -> Lang {
    flag.map(str::to_owned)
        .into_iter()
        .chain(
            ["JIFEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|v| std::env::var(v).ok()),
        )
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let lang = language(cli.lang.as_deref());
    match commands::run(cli.command, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let prefix = lang.pick("错误", "error");
            eprintln!("{prefix}: {}", error.message(lang));
            ExitCode::from(error.exit_code())
        }
    }
}
