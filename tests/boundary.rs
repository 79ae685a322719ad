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

/// ARCHITECTURE.md's API boundary of ledger-core lists exactly what the
/// crate root exports, so the code map cannot drift from the code.
#[test]
fn the_architecture_lists_exactly_the_core_exports() {
    let lib =
        std::fs::read_to_string(crate::root().join("ledger-core/src/lib.rs")).expect("lib.rs");
    let mut exported = std::collections::BTreeSet::new();
    let mut in_use = false;
    let mut in_inline_module = false;
    for line in lib.lines() {
        // A module written out in lib.rs is one export; its insides are its own.
        if in_inline_module {
            in_inline_module = line != "}";
            continue;
        }
        let line = line.trim();
        if let Some(module) = line.strip_prefix("pub mod ") {
            in_inline_module = module.ends_with('{');
            exported.insert(module.trim_end_matches([';', '{', ' ']).to_owned());
            continue;
        }
        if line.starts_with("pub use ") {
            in_use = true;
        }
        if in_use {
            // The last path segment, or each name between braces.
            let names = line.rsplit("::").next().unwrap_or_default();
            for name in names.split([',', '{', '}', ';', ' ']) {
                if !name.is_empty() && name != "pub" && name != "use" {
                    exported.insert(name.to_owned());
                }
            }
            in_use = !line.ends_with(';');
        }
    }
    let architecture =
        std::fs::read_to_string(crate::root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = architecture
        .find("**API boundary** (the crate root's exports")
        .expect("the core's API boundary paragraph");
    let paragraph = &architecture[start..];
    let paragraph = &paragraph[..paragraph.find("\n\n").unwrap_or(paragraph.len())];
    let listed: std::collections::BTreeSet<String> = paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| !name.contains(['.', '/', '(']))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        listed, exported,
        "ARCHITECTURE.md against ledger-core/src/lib.rs"
    );
}
