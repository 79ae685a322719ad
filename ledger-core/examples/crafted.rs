//! Writes the crafted-signature fixtures of `ledger_core::testing` into a
//! folder, with `expected.json` (each file's verdict), for the tests of
//! front ends in other languages (the npm package, the web app, Python):
//! `cargo run -p ledger-core --features testing --example crafted -- DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: crafted DIR");
        return ExitCode::from(2);
    };
    let fixtures = ledger_core::testing::fixtures();
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        for fixture in &fixtures {
            std::fs::write(dir.join(format!("{}.jsonl", fixture.name)), &fixture.file)?;
        }
        std::fs::write(
            dir.join("expected.json"),
            ledger_core::testing::manifest(&fixtures),
        )
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}: {error}", dir.display());
            ExitCode::FAILURE
        }
    }
}
