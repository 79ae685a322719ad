//! The manual: built, its links checked, and its worked examples and
//! outside checks run against the data they describe.

use std::path::Path;
use std::process::Command;

use crate::Result;
use crate::shell::{crafted_fixtures, root, run};
use crate::tools::{MDBOOK_VERSION, ensure_python_cryptography, ensure_tool};

/// Builds the manual, fails on a broken relative link or a missing
/// included file, runs the worked example's Python script against the
/// golden ledger, and the outside signature check against the crafted
/// fixtures.
pub(crate) fn book() -> Result {
    ensure_python_cryptography()?;
    run(Command::new("python3")
        .arg(root().join("tests/external/crafted.py"))
        .arg(crafted_fixtures()?))?;
    ensure_tool("mdbook", "mdbook", MDBOOK_VERSION, true)?;
    if !root()
        .join("book/src/screenshots/resident-phone.png")
        .exists()
    {
        return Err(
            "the manual shows the end-to-end tests' screenshots: run `cargo xtask web` first"
                .to_owned(),
        );
    }
    run(Command::new("mdbook")
        .arg("build")
        .current_dir(root().join("book")))?;
    check_book_links(&root().join("book/src"))?;
    check_log_in_python()?;
    let output = Command::new("python3")
        .arg(root().join("book/src/verify_example.py"))
        .arg(root().join("tests/data/golden.jsonl"))
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    let printed = String::from_utf8_lossy(&output.stdout);
    let head = std::fs::read_to_string(root().join("tests/data/golden-hashes.txt"))
        .map_err(|e| e.to_string())?;
    let last = head.lines().last().unwrap_or_default();
    let expected = format!("ok 10 entries, head {last}");
    if !output.status.success() || printed.trim() != expected {
        return Err(format!(
            "the manual's Python example printed {printed:?}, not {expected:?}"
        ));
    }
    // The chapter's sha256sum command, run as printed, gives seq 0's hash.
    let chapter = std::fs::read_to_string(root().join("book/src/wire-format.md"))
        .map_err(|e| e.to_string())?;
    let command = chapter
        .lines()
        .find(|line| line.starts_with("printf '%s' '") && line.ends_with("| sha256sum"))
        .ok_or("the wire-format chapter lost its sha256sum example")?;
    let output = Command::new("sh")
        .args(["-c", command])
        .output()
        .map_err(|e| format!("sh: {e}"))?;
    let first_hash = head
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or_default();
    if !String::from_utf8_lossy(&output.stdout).starts_with(first_hash)
        || !chapter.contains(&format!("{first_hash}  -"))
    {
        return Err(format!(
            "the manual's sha256sum example does not give {first_hash}"
        ));
    }
    println!(
        "book: built; links resolve; the worked example's sha256sum and script agree: {expected}"
    );
    Ok(())
}

/// Every relative Markdown link in the book names a file that exists.
fn check_book_links(source: &Path) -> Result {
    let mut broken = Vec::new();
    for entry in std::fs::read_dir(source).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        for (index, _) in text.match_indices("](") {
            let target: String = text[index + 2..]
                .chars()
                .take_while(|c| *c != ')' && *c != ' ')
                .collect();
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains("://") || file.starts_with("mailto:") {
                continue;
            }
            if !path.parent().unwrap_or(source).join(file).exists() {
                broken.push(format!("{}: {target}", path.display()));
            }
        }
        // Included files too: mdbook only logs a missing one and goes on.
        for (index, _) in text.match_indices("{{#include ") {
            let target: String = text[index + "{{#include ".len()..]
                .chars()
                .take_while(|c| *c != '}' && *c != ':' && *c != ' ')
                .collect();
            if !path.parent().unwrap_or(source).join(&target).exists() {
                broken.push(format!("{}: {{{{#include {target}}}}}", path.display()));
            }
        }
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(format!("broken links in the book:\n{}", broken.join("\n")))
    }
}

/// The v2 chapter's Python check, on the golden log (it must reach the
/// root `jifen` signed) and on a copy with one byte of a leaf changed (it
/// must refuse it).
fn check_log_in_python() -> Result {
    let script = root().join("book/src/verify_log.py");
    let golden = root().join("tests/data/golden-log");
    let output = Command::new("python3")
        .arg(&script)
        .arg(&golden)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    let printed = String::from_utf8_lossy(&output.stdout);
    let checkpoint =
        std::fs::read_to_string(golden.join("checkpoint")).map_err(|e| e.to_string())?;
    let root_line = checkpoint.lines().nth(2).unwrap_or_default();
    if !output.status.success() || !printed.contains(&format!("root {root_line},")) {
        return Err(format!(
            "verify_log.py on the golden log printed {printed:?}"
        ));
    }
    let copy = root().join("target/book-log-tampered");
    let _ = std::fs::remove_dir_all(&copy);
    run(Command::new("cp").arg("-r").arg(&golden).arg(&copy))?;
    let bundle = copy.join("tile/entries/000");
    let mut bytes = std::fs::read(&bundle).map_err(|e| e.to_string())?;
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&bundle, bytes).map_err(|e| e.to_string())?;
    let status = Command::new("python3")
        .arg(&script)
        .arg(&copy)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("python3: {e}"))?;
    if status.success() {
        return Err("verify_log.py accepted a log with a changed leaf".to_owned());
    }
    Ok(())
}
