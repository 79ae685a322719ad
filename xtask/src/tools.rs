//! Tools the jobs install for themselves, each pinned: rustup targets,
//! Debian packages, crates.io binaries, a Python package.

use std::path::Path;
use std::process::Command;

use crate::Result;
use crate::shell::{root, run};

/// The wasm32 target, from rustup (idempotent).
pub(crate) fn ensure_wasm_target() -> Result {
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Debian's chromium and chromium-driver, a Chinese font so that
/// screenshots show the UI as people see it, and poppler's pdftoppm, which
/// renders the printed pages' PDFs to images; installed only if missing.
pub(crate) fn ensure_browser() -> Result {
    let font = Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    let present = [
        "/usr/bin/chromium",
        "/usr/bin/chromedriver",
        "/usr/bin/pdftoppm",
    ]
    .iter()
    .all(|p| Path::new(p).exists());
    if !present || !font.exists() {
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get").args([
            "install",
            "-y",
            "chromium",
            "chromium-driver",
            "fonts-wqy-microhei",
            "poppler-utils",
        ]))?;
    }
    Ok(())
}

/// Debian's PostgreSQL 15, for the tests that start a private cluster
/// (and the bench); installed only if missing, never started here.
pub(crate) fn ensure_postgres() -> Result {
    if !Path::new("/usr/lib/postgresql/15/bin/initdb").exists() {
        run(Command::new("apt-get").arg("update"))?;
        run(Command::new("apt-get").args(["install", "-y", "postgresql-15"]))?;
    }
    Ok(())
}

/// binaryen's `wasm-opt` from npm, pinned (Debian's binaryen 108 makes
/// wasm that fails at run time); its path.
pub(crate) fn ensure_wasm_opt() -> Result<std::path::PathBuf> {
    let prefix = crate::shell::root().join("target/tools/binaryen");
    let binary = prefix.join("node_modules/.bin/wasm-opt");
    let pinned = prefix.join("node_modules/binaryen/package.json");
    let version = std::fs::read_to_string(&pinned).unwrap_or_default();
    if !binary.exists() || !version.contains(&format!("\"version\": \"{BINARYEN_VERSION}\"")) {
        std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}")))?;
    }
    Ok(binary)
}

/// The npm `binaryen` release whose `wasm-opt` the web bundle goes through.
const BINARYEN_VERSION: &str = "132.0.0";

/// The wasm32 target and the wasm-bindgen CLI at exactly Cargo.lock's
/// `wasm-bindgen` version (the glue is refused otherwise). Not --locked:
/// the CLI's own lockfile asks for a webpki-roots release the registry here
/// does not serve; the CLI version itself is exact.
pub(crate) fn ensure_wasm_bindgen() -> Result {
    ensure_wasm_target()?;
    let version = locked_version("wasm-bindgen")?;
    ensure_tool("wasm-bindgen", "wasm-bindgen-cli", &version, false)
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must be exactly it.
fn locked_version(name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let marker = format!("name = \"{name}\"\nversion = \"");
    let start = lock
        .find(&marker)
        .ok_or_else(|| format!("{name} is not in Cargo.lock"))?
        + marker.len();
    Ok(lock[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// Installs a crates.io tool at an exact version unless it is already on
/// PATH at that version.
pub(crate) fn ensure_tool(binary: &str, krate: &str, version: &str, locked: bool) -> Result {
    let present = Command::new(binary).arg("--version").output();
    if present.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(version)) {
        return Ok(());
    }
    let mut install = Command::new("cargo");
    install.args(["install", krate, "--version", version]);
    if locked {
        install.arg("--locked");
    }
    run(&mut install)
}

pub(crate) const MDBOOK_VERSION: &str = "0.5.4";

/// PyCA cryptography (OpenSSL's Ed25519) for the manual's outside check.
const PYTHON_CRYPTOGRAPHY_VERSION: &str = "48.0.0";

/// PyCA `cryptography` for the manual's outside signature check, from
/// PyPI at a pinned version if Python does not have it.
pub(crate) fn ensure_python_cryptography() -> Result {
    let present = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        run(Command::new("python3").args([
            "-m",
            "pip",
            "install",
            "--quiet",
            &format!("cryptography=={PYTHON_CRYPTOGRAPHY_VERSION}"),
        ]))?;
    }
    Ok(())
}
