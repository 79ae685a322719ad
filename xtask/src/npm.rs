//! The npm package: built with the wasm-bindgen CLI, tested in Node.js,
//! packed and installed the way a user would.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::shell::{cargo, crafted_fixtures, root, run};
use crate::tools::ensure_wasm_bindgen;

/// Builds the npm package into `target/npm/jifen-ledger`: one ES module
/// (`web/`, for browsers and bundlers) and a Node.js entry (`node/`) that
/// loads the same wasm synchronously.
pub(crate) fn wasm_pkg() -> Result<PathBuf> {
    ensure_wasm_bindgen()?;
    run(cargo().args([
        "build",
        "--package",
        "jifen-wasm",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;
    let out = root().join("target/npm/jifen-ledger");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("node")).map_err(|e| e.to_string())?;
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--out-name",
            "jifen",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(out.join("web"))
        .arg(root().join("target/wasm32-unknown-unknown/release/jifen_wasm.wasm")))?;
    for (from, to) in [
        ("wasm-pkg/npm/package.json", "package.json"),
        ("wasm-pkg/npm/index.mjs", "node/index.mjs"),
        ("wasm-pkg/README.md", "README.md"),
    ] {
        std::fs::copy(root().join(from), out.join(to)).map_err(|e| format!("{from}: {e}"))?;
    }
    // The generated web/package.json would shadow ours inside web/.
    let _ = std::fs::remove_file(out.join("web/package.json"));
    let _ = std::fs::remove_file(out.join("web/.gitignore"));
    Ok(out)
}

/// Node's test runner against the built package, then `npm pack` and a
/// script outside the repository that installs the tarball and uses it.
pub(crate) fn test_wasm_pkg(package: &Path) -> Result {
    run(Command::new("node")
        .args(["--test", "wasm-pkg/test/"])
        .env("JIFEN_PKG", package)
        .env("JIFEN_CRAFTED", crafted_fixtures()?)
        .current_dir(root()))?;
    let packed = root().join("target/npm");
    run(Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&packed)
        .current_dir(package))?;
    let tarball = packed.join("jifen-ledger-0.1.0.tgz");
    let consumer = std::env::temp_dir().join(format!("jifen-npm-consumer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&consumer);
    std::fs::create_dir_all(&consumer).map_err(|e| e.to_string())?;
    std::fs::write(
        consumer.join("package.json"),
        "{\"name\":\"consumer\",\"private\":true,\"type\":\"module\"}\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        consumer.join("use.mjs"),
        "import { demo, verify, Ledger } from \"jifen-ledger\";\n\
         const community = demo(30, 2000, 11);\n\
         const result = verify(community.ledger);\n\
         const ledger = Ledger.open(community.ledger);\n\
         if (result.count !== 2000 || ledger.residents().length !== 30) process.exit(1);\n\
         console.log(`installed package: verified ${result.count} entries, head ${result.head.seq}:${result.head.hash.slice(0, 12)}`);\n",
    )
    .map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args([
            "install",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--silent",
        ])
        .arg(&tarball)
        .current_dir(&consumer))?;
    run(Command::new("node").arg("use.mjs").current_dir(&consumer))?;
    // The manual's JavaScript example, run as a user would, from outside.
    std::fs::copy(
        root().join("wasm-pkg/examples/read_ledger.mjs"),
        consumer.join("read_ledger.mjs"),
    )
    .map_err(|e| e.to_string())?;
    let output = Command::new("node")
        .arg("read_ledger.mjs")
        .arg(root().join("tests/data/golden.jsonl"))
        .arg("JX-0001")
        .current_dir(&consumer)
        .output()
        .map_err(|e| e.to_string())?;
    let printed = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !printed.contains("seq 8 redeem by kiosk-1 (reversed by 9)") {
        return Err(format!(
            "wasm-pkg/examples/read_ledger.mjs printed {printed:?} {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    print!("{printed}");
    let _ = std::fs::remove_dir_all(&consumer);
    Ok(())
}
