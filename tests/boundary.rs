//! The architecture invariant of ledger-core, checked: it depends on no
//! browser, async, OS-randomness or UI crate, and its code touches no file,
//! clock, thread or network.

use std::process::Command;

#[test]
fn ledger_core_depends_on_nothing_impure() {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--package",
            "ledger-core",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(crate::root())
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    let forbidden = [
        "wasm-bindgen",
        "js-sys",
        "web-sys",
        "leptos",
        "tokio",
        "getrandom",
        "rand ",
        "indexed-db",
        "clap",
    ];
    for name in forbidden {
        assert!(
            !tree.lines().any(|line| line.starts_with(name.trim_end())
                && line[name.trim_end().len()..].starts_with(' ')),
            "ledger-core must not depend on {name}:\n{tree}"
        );
    }
    assert!(
        tree.contains("sha2 v0.11.1"),
        "sha2 0.11.1 is the hash the format pins:\n{tree}"
    );
}

#[test]
fn ledger_core_source_has_no_io_clock_or_threads() {
    let source_dir = crate::root().join("ledger-core/src");
    let forbidden = [
        "std::fs",
        "std::net",
        "std::thread",
        "SystemTime",
        "Instant::now",
        "std::env",
        "std::process",
    ];
    // Every source file, in submodule folders too.
    let mut folders = vec![source_dir];
    let mut files = 0;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a source folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            for word in forbidden {
                assert!(!text.contains(word), "{} uses {word}", path.display());
            }
            files += 1;
        }
    }
    assert!(files > 10, "found only {files} source files");
}

/// The crafted signatures of ledger-core's `testing` feature are for tests
/// only: no front end's build turns the feature on.
#[test]
fn no_front_end_builds_the_crafting_code() {
    for package in ["jifen", "jifen-wasm", "jifen-web"] {
        let output = Command::new(env!("CARGO"))
            .args(["tree", "--package", package, "--edges", "normal"])
            .args(["--prefix", "none", "--format", "{p} [{f}]"])
            .current_dir(crate::root())
            .output()
            .expect("cargo tree runs");
        let tree = String::from_utf8_lossy(&output.stdout);
        let core = tree
            .lines()
            .find(|line| line.starts_with("ledger-core "))
            .unwrap_or_else(|| panic!("{package} uses ledger-core:\n{tree}"));
        assert!(!core.contains("testing"), "{package}: {core}");
    }
}
