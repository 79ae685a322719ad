//! Running the project's tools: the workspace root, cargo, a command that
//! must succeed (echoed first), release builds the jobs share, and the
//! crafted-signature fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(root());
    command
}

/// Runs a command, echoing it, and fails if it fails.
pub(crate) fn run(command: &mut Command) -> Result {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

pub(crate) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// Bytes of `gzip -9` output for `bytes`.
pub(crate) fn gzip_size(bytes: &[u8]) -> Result<usize> {
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    // Feed gzip from another thread: writing everything before reading
    // would block once its output fills the pipe.
    let input = bytes.to_vec();
    let writer = child
        .stdin
        .take()
        .map(|mut stdin| std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input)));
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if let Some(writer) = writer {
        writer
            .join()
            .map_err(|_| "gzip writer panicked".to_owned())?
            .map_err(|e| e.to_string())?;
    }
    Ok(output.stdout.len())
}

/// Writes `file.gz` beside `file` (`gzip -9`, no name or time in it, so a
/// rebuild of the same file gives the same bytes); its length.
pub(crate) fn gzip_beside(file: &Path) -> Result<u64> {
    run(Command::new("gzip")
        .args(["-9", "-n", "-k", "-f"])
        .arg(file))?;
    let mut gz = file.as_os_str().to_owned();
    gz.push(".gz");
    std::fs::metadata(&gz)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", Path::new(&gz).display()))
}

pub(crate) fn jifen_release() -> Result<PathBuf> {
    run(cargo().args(["build", "--release", "--package", "jifen"]))?;
    Ok(root().join("target/release/jifen"))
}

/// The crafted-signature fixtures of `ledger_core::testing` (ledger files
/// and `expected.json`, each file's verdict), written into
/// `target/crafted` for the tests of the npm package, the web app and the
/// manual's outside check.
pub(crate) fn crafted_fixtures() -> Result<PathBuf> {
    let dir = root().join("target/crafted");
    run(cargo()
        .args(["run", "--quiet", "--package", "ledger-core"])
        .args(["--features", "testing", "--example", "crafted", "--"])
        .arg(&dir))?;
    Ok(dir)
}
