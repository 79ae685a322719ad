//! `cargo xtask`: the project's jobs in one Rust entry point, so there are
//! no shell scripts to keep in sync. Each job installs what it needs from
//! the package registries (rustup targets, Debian packages, crates.io
//! tools) and nothing from anywhere else.
//!
//! - `cargo xtask serve` — the main job: build the web app's release
//!   bundle and serve it on 127.0.0.1, printing the URL.
//! - `cargo xtask demo`  — the terminal demo: generate a demo community, verify
//!   it, print balances, rewards and the head.
//! - `cargo xtask ci`    — every check and test: rustfmt, clippy, the
//!   wasm32 build of ledger-core, all tests.
//! - `cargo xtask fuzz [--seconds N]` — each libFuzzer target for N
//!   seconds (60 in `ci`; an hour or more for a real hunt), from the
//!   checked-in seeds in `fuzz/seeds/`, on the nightly toolchain.
//! - `cargo xtask bench` — the measured figures: a 1,000,000-entry demo,
//!   verification against an `openssl` SHA-256 anchor in the same run, peak
//!   memory, then the criterion benchmarks.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        Some("wasm-pkg") => wasm_pkg().and_then(|dir| test_wasm_pkg(&dir)),
        Some("book") => book(),
        Some("web") => web_dist().and_then(|dist| end_to_end(&dist)),
        Some("serve") => serve(&args[1..]),
        Some("web-bench") => web_bench(&args[1..]),
        Some("fuzz") => seconds_arg(&args[1..], 60).and_then(fuzz),
        _ => Err(
            "usage: cargo xtask serve [--port N] [--publish LEDGER.jsonl] | demo | ci | bench [--entries N] [--quick] | fuzz [--seconds N] | wasm-pkg | web | web-bench [--entries N] | book"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(root());
    command
}

/// Runs a command, echoing it, and fails if it fails.
fn run(command: &mut Command) -> Result {
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

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn jifen_release() -> Result<PathBuf> {
    run(cargo().args(["build", "--release", "--package", "jifen"]))?;
    Ok(root().join("target/release/jifen"))
}

fn demo() -> Result {
    let jifen = jifen_release()?;
    let dir = root().join("target/demo");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ledger = dir.join("demo.jsonl");
    let keys = dir.join("demo.keys.json");
    let jifen_in = |args: &[&str]| {
        let mut command = Command::new(&jifen);
        command.args(args).current_dir(&dir);
        command
    };
    run(&mut jifen_in(&[
        "demo",
        "--out",
        "demo.jsonl",
        "--keys",
        "demo.keys.json",
        "--residents",
        "300",
        "--entries",
        "20000",
        "--force",
    ]))?;
    run(&mut jifen_in(&["verify", "demo.jsonl"]))?;
    run(&mut jifen_in(&["rewards", "demo.jsonl"]))?;
    let output = jifen_in(&["balance", "demo.jsonl"])
        .output()
        .map_err(|e| e.to_string())?;
    let table = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = table.lines().collect();
    println!(
        "{}",
        lines
            .iter()
            .take(12)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!(
        "… {} residents in all (jifen balance {} shows every one)",
        lines.len().saturating_sub(2),
        ledger.display()
    );
    run(&mut jifen_in(&[
        "history",
        "demo.jsonl",
        "JX-0001",
        "--per-page",
        "8",
    ]))?;
    println!(
        "\nThe ledger is {} and its keys file {}.",
        ledger.display(),
        keys.display()
    );
    println!("Publish its head (above) on the notice board; anyone can check it with:");
    println!(
        "  target/release/jifen verify {} --head SEQ:HASH",
        ledger.display()
    );
    Ok(())
}

/// `cargo clippy` with `args`, every warning an error.
fn clippy(args: &[&str]) -> Result {
    run(cargo()
        .arg("clippy")
        .args(args)
        .args(["--", "-D", "warnings"]))
}

fn ci() -> Result {
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    run(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    clippy(&["--workspace", "--all-targets"])?;
    run(cargo().args([
        "build",
        "--package",
        "ledger-core",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    clippy(&[
        "--package",
        "ledger-core",
        "--package",
        "jifen-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ])?;
    clippy(&[
        "--package",
        "jifen-web",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
    ])?;
    run(cargo().args(["test", "--workspace"]))?;
    // ledger-core as the web app builds it: without serde_json's detailed
    // errors (and without the curve tables), lines are read by the fast
    // reader alone.
    clippy(&[
        "--package",
        "ledger-core",
        "--no-default-features",
        "--all-targets",
    ])?;
    run(cargo().args([
        "test",
        "--package",
        "ledger-core",
        "--no-default-features",
        "--lib",
    ]))?;
    // Benchmarks are compiled and run once each on a small ledger, so they
    // cannot rot; their figures come from `cargo xtask bench`.
    run(cargo()
        .args([
            "bench",
            "--package",
            "jifen",
            "--bench",
            "ledger",
            "--",
            "--test",
        ])
        .env("JIFEN_BENCH_ENTRIES", "3000"))?;
    let package = wasm_pkg()?;
    test_wasm_pkg(&package)?;
    browser_tests()?;
    let dist = web_dist()?;
    end_to_end(&dist)?;
    book()?;
    fuzz(FUZZ_SECONDS_IN_CI)
}

/// The wasm32 target, from rustup (idempotent).
fn ensure_wasm_target() -> Result {
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Debian's chromium and chromium-driver, and a Chinese font so that
/// screenshots show the UI as people see it; installed only if missing.
fn ensure_browser() -> Result {
    let font = Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    let present = ["/usr/bin/chromium", "/usr/bin/chromedriver"]
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
        ]))?;
    }
    Ok(())
}

/// The web crate's tests in a real headless Chromium, through
/// wasm-bindgen-test-runner (installed with the wasm-bindgen CLI) and
/// Debian's chromium and chromium-driver (installed here if missing).
fn browser_tests() -> Result {
    let chromedriver = Path::new("/usr/bin/chromedriver");
    ensure_browser()?;
    ensure_wasm_target()?;
    // No --quiet: cargo would pass it on to the test runner, which refuses it.
    run(cargo()
        .args([
            "test",
            "--package",
            "jifen-web",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("CHROMEDRIVER", chromedriver))
}

/// Builds the web app's release bundle into `target/web-dist`: the wasm
/// and its JS glue from the wasm-bindgen CLI (the glue minified),
/// `index.html`, `style.css`, `worker.js`.
fn web_dist() -> Result<PathBuf> {
    ensure_wasm_bindgen()?;
    run(cargo().args([
        "build",
        "--package",
        "jifen-web",
        "--bin",
        "jifen-web",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "web",
    ]))?;
    let out = root().join("target/web-dist");
    let _ = std::fs::remove_dir_all(&out);
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--out-name",
            "jifen_web",
            "--remove-name-section",
            "--remove-producers-section",
            "--no-typescript",
            "--out-dir",
        ])
        .arg(&out)
        .arg(root().join("target/wasm32-unknown-unknown/web/jifen-web.wasm")))?;
    for file in ["index.html", "style.css", "worker.js"] {
        std::fs::copy(root().join("web").join(file), out.join(file))
            .map_err(|e| format!("web/{file}: {e}"))?;
    }
    preload_modules(&out)?;
    minify_glue(&out.join("jifen_web.js"))?;
    let mut total_gzip = 0;
    for file in ["jifen_web_bg.wasm", "jifen_web.js"] {
        let bytes = std::fs::read(out.join(file)).map_err(|e| e.to_string())?;
        let compressed = gzip_size(&bytes)?;
        total_gzip += compressed;
        println!(
            "web bundle: {file} {} KiB, {} KiB gzip -9",
            bytes.len() / 1024,
            compressed / 1024
        );
    }
    println!(
        "web bundle: wasm + JS {} KiB ({total_gzip} bytes) gzip -9 (target: under 300 KB)",
        total_gzip / 1024
    );
    Ok(out)
}

/// Names the app's JavaScript modules in `dist/index.html` as
/// `modulepreload` links: the glue and the snippets it imports (`js/pool.js`,
/// under a folder wasm-bindgen names by a hash). Without them the browser
/// learnt of a snippet only once the glue had arrived, and fetched it then:
/// about 75 ms later, on the way to every open.
fn preload_modules(dist: &Path) -> Result {
    let mut modules = vec!["jifen_web.js".to_owned()];
    let mut folders = vec![dist.join("snippets")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "js")
                && let Ok(relative) = path.strip_prefix(dist)
            {
                modules.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    modules[1..].sort();
    let links: String = modules
        .iter()
        .map(|module| format!("    <link rel=\"modulepreload\" href=\"{module}\">\n"))
        .collect();
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| e.to_string())?;
    let anchor = "    <link rel=\"stylesheet\"";
    if !html.contains(anchor) {
        return Err("web/index.html: no stylesheet link to put the preloads before".to_owned());
    }
    std::fs::write(
        &index,
        html.replacen(anchor, &format!("{links}{anchor}"), 1),
    )
    .map_err(|e| e.to_string())
}

/// Minifies the wasm-bindgen JS glue in place with terser (npm, pinned in
/// `web/tools`), as a release bundle is shipped: its exports keep their
/// names, and the end-to-end tests run against the minified glue.
fn minify_glue(glue: &Path) -> Result {
    let tools = root().join("web/tools");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&tools))?;
    run(Command::new("node")
        .arg(tools.join("node_modules/terser/bin/terser"))
        .arg(glue)
        .args(["--module", "--compress", "--mangle", "--output"])
        .arg(glue))
}

/// The web app's figures, in headless Chromium: a `jifen demo` ledger of
/// `--entries N` (100,000 by default) published beside the release bundle;
/// first open (balances shown, every signature checked), reopen from
/// IndexedDB, a kiosk redeem from tap to receipt, and the bundle's size.
fn web_bench(args: &[String]) -> Result {
    let entries = match args.iter().position(|a| a == "--entries") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or("--entries needs a number")?,
        None => 100_000,
    };
    let dist = web_dist()?;
    let jifen = jifen_release()?;
    ensure_browser()?;
    let dir = root().join("target/web-bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    run(Command::new(&jifen)
        .args([
            "demo",
            "--out",
            "ledger.jsonl",
            "--keys",
            "keys.json",
            "--force",
        ])
        .args(["--residents", "2000", "--entries", &entries.to_string()])
        .current_dir(&dir))?;
    let e2e = root().join("web/e2e");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&e2e))?;
    run(Command::new("node")
        .arg("bench.mjs")
        .env("JIFEN_DIST", &dist)
        .env("JIFEN_BENCH_LEDGER", dir.join("ledger.jsonl"))
        .env("JIFEN_BENCH_KEYS", dir.join("keys.json"))
        .current_dir(&e2e))
}

/// Playwright (npm `playwright-core`, pinned) driving Debian's Chromium
/// against the release bundle; its screenshots land in the manual's
/// `book/src/screenshots`.
fn end_to_end(dist: &Path) -> Result {
    ensure_browser()?;
    let e2e = root().join("web/e2e");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&e2e))?;
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "app.test.mjs"])
        .env("JIFEN_DIST", dist)
        .env("JIFEN_CRAFTED", crafted_fixtures()?)
        // Straight into the manual, which shows them (not committed).
        .env("JIFEN_SCREENSHOTS", root().join("book/src/screenshots"))
        .current_dir(&e2e))
}

/// The wasm32 target and the wasm-bindgen CLI at exactly Cargo.lock's
/// `wasm-bindgen` version (the glue is refused otherwise). Not --locked:
/// the CLI's own lockfile asks for a webpki-roots release the registry here
/// does not serve; the CLI version itself is exact.
fn ensure_wasm_bindgen() -> Result {
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
fn ensure_tool(binary: &str, krate: &str, version: &str, locked: bool) -> Result {
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

/// Builds the npm package into `target/npm/jifen-ledger`: one ES module
/// (`web/`, for browsers and bundlers) and a Node.js entry (`node/`) that
/// loads the same wasm synchronously.
fn wasm_pkg() -> Result<PathBuf> {
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
fn test_wasm_pkg(package: &Path) -> Result {
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

const MDBOOK_VERSION: &str = "0.5.4";
/// PyCA cryptography (OpenSSL's Ed25519) for the manual's outside check.
const PYTHON_CRYPTOGRAPHY_VERSION: &str = "48.0.0";

/// The crafted-signature fixtures of `ledger_core::testing` (ledger files
/// and `expected.json`, each file's verdict), written into
/// `target/crafted` for the tests of the npm package, the web app and the
/// manual's outside check.
fn crafted_fixtures() -> Result<PathBuf> {
    let dir = root().join("target/crafted");
    run(cargo()
        .args(["run", "--quiet", "--package", "ledger-core"])
        .args(["--features", "testing", "--example", "crafted", "--"])
        .arg(&dir))?;
    Ok(dir)
}

/// PyCA `cryptography` for the manual's outside signature check, from
/// PyPI at a pinned version if Python does not have it.
fn ensure_python_cryptography() -> Result {
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

/// Builds the manual, fails on a broken relative link or a missing
/// included file, runs the worked example's Python script against the
/// golden ledger, and the outside signature check against the crafted
/// fixtures.
fn book() -> Result {
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

/// Seconds each fuzz target runs in `ci`: short and bounded; a real hunt
/// is `cargo xtask fuzz --seconds 3600`.
const FUZZ_SECONDS_IN_CI: u64 = 60;

const CARGO_FUZZ_VERSION: &str = "0.13.2";

fn seconds_arg(args: &[String], default: u64) -> Result<u64> {
    match args.iter().position(|a| a == "--seconds") {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| "--seconds needs a whole number".to_owned()),
    }
}

fn fuzz(seconds: u64) -> Result {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output();
    if !nightly.is_ok_and(|o| o.status.success()) {
        return Err("cargo fuzz needs the nightly toolchain, which this machine's image provides (`rustup toolchain list`)".to_owned());
    }
    let installed = Command::new("cargo").args(["fuzz", "--version"]).output();
    if !installed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_FUZZ_VERSION)) {
        run(Command::new("cargo").args([
            "install",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
            "--locked",
        ]))?;
    }
    for target in [
        "ledger_file",
        "entry_line",
        "keys_file",
        "snapshot",
        "signature_batch",
    ] {
        // Work on a copy of the seeds, so a run never changes the tree.
        let corpus = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        let seeds = root().join("fuzz/seeds").join(target);
        for seed in std::fs::read_dir(&seeds).map_err(|e| format!("{}: {e}", seeds.display()))? {
            let seed = seed.map_err(|e| e.to_string())?.path();
            if let Some(name) = seed.file_name() {
                std::fs::copy(&seed, corpus.join(name)).map_err(|e| e.to_string())?;
            }
        }
        run(Command::new("rustup")
            .args([
                "run",
                "nightly",
                "cargo",
                "fuzz",
                "run",
                "--release",
                target,
            ])
            .arg(&corpus)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-rss_limit_mb=2048",
                "-timeout=10",
                "-max_len=65536",
            ])
            .current_dir(root()))?;
    }
    Ok(())
}

/// Wall time and peak resident memory of one child process: `wait4`
/// gives that child's own usage (getrusage(RUSAGE_CHILDREN) would mix in
/// every earlier child, such as cargo's build).
#[allow(unsafe_code)]
fn measure(command: &mut Command) -> Result<(Duration, u64)> {
    let start = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the exit status and a whole rusage for this pid,
    // which std has not waited for (the Child is dropped unwaited below).
    let (waited, usage) = unsafe {
        let waited = libc::wait4(pid, &mut status, 0, usage.as_mut_ptr());
        (waited, usage.assume_init())
    };
    drop(child);
    let elapsed = start.elapsed();
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{} failed (status {status})", describe(command)));
    }
    Ok((elapsed, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

fn best_of(
    times: usize,
    mut step: impl FnMut() -> Result<(Duration, u64)>,
) -> Result<(Duration, u64)> {
    let mut best = (Duration::MAX, 0);
    for _ in 0..times {
        let (elapsed, memory) = step()?;
        best = (best.0.min(elapsed), best.1.max(memory));
    }
    Ok(best)
}

fn bench(args: &[String]) -> Result {
    let entries: u64 = args
        .iter()
        .position(|a| a == "--entries")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(1_000_000), |v| {
            v.parse()
                .map_err(|_| format!("--entries {v}: not a number"))
        })?;
    let quick = args.iter().any(|a| a == "--quick");
    let jifen = jifen_release()?;
    let dir = root().join("target/bench-data");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ledger = dir.join(format!("demo-{entries}.jsonl"));
    let keys = dir.join(format!("demo-{entries}.keys.json"));
    if !ledger.exists() || !keys.exists() {
        let residents = (entries / 200).clamp(100, 20_000).to_string();
        let (elapsed, _) = measure(Command::new(&jifen).args([
            "demo",
            "--out",
            path(&ledger),
            "--keys",
            path(&keys),
            "--residents",
            &residents,
            "--entries",
            &entries.to_string(),
            "--seed",
            "1",
            "--force",
        ]))?;
        println!("generated the demo in {:.1} s", elapsed.as_secs_f64());
    }
    let size = std::fs::metadata(&ledger).map_err(|e| e.to_string())?.len();
    let mib = size as f64 / (1024.0 * 1024.0);
    let (openssl, _) = best_of(5, || {
        measure(
            Command::new("openssl")
                .args(["dgst", "-sha256", path(&ledger)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let (chain, _) = best_of(5, || {
        measure(
            Command::new(&jifen)
                .args(["verify", "--chain-only", path(&ledger)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let (full, peak_kib) = best_of(3, || {
        measure(
            Command::new(&jifen)
                .args(["verify", path(&ledger)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let per_second = |elapsed: Duration| entries as f64 / elapsed.as_secs_f64();
    println!();
    println!(
        "ledger: {entries} entries, {mib:.0} MiB, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "openssl dgst -sha256 of the file (anchor)   {:>8.3} s  ({:.0} MiB/s)",
        openssl.as_secs_f64(),
        mib / openssl.as_secs_f64()
    );
    println!(
        "jifen verify --chain-only                   {:>8.3} s  ({:.0} entries/s, {:.2}x the anchor)",
        chain.as_secs_f64(),
        per_second(chain),
        chain.as_secs_f64() / openssl.as_secs_f64()
    );
    println!(
        "jifen verify (full)                         {:>8.3} s  ({:.0} entries/s)",
        full.as_secs_f64(),
        per_second(full)
    );
    println!(
        "peak memory of jifen verify (whole ledger)  {:>8.0} MiB",
        peak_kib as f64 / 1024.0
    );
    bench_wasm(&jifen)?;
    if quick {
        return Ok(());
    }
    run(cargo()
        .args(["bench", "--package", "jifen", "--bench", "ledger"])
        .env("JIFEN_BENCH_ENTRIES", entries.to_string()))
}

/// The npm package's size and its verify speed in Node.js, next to the
/// native CLI on the same 100,000-entry file.
fn bench_wasm(jifen: &Path) -> Result {
    let package = wasm_pkg()?;
    let file = root().join("target/bench-data/demo-100000.jsonl");
    if !file.exists() {
        measure(Command::new(jifen).args([
            "demo",
            "--out",
            path(&file),
            "--keys",
            path(&file.with_extension("keys.json")),
            "--residents",
            "500",
            "--entries",
            "100000",
            "--force",
        ]))?;
    }
    let wasm = std::fs::read(package.join("web/jifen_bg.wasm")).map_err(|e| e.to_string())?;
    let gzip = gzip_size;
    let js = std::fs::read(package.join("web/jifen.js")).map_err(|e| e.to_string())?;
    println!();
    println!(
        "npm package: wasm {} KiB ({} KiB gzip -9), JS glue {} KiB ({} KiB gzip -9)",
        wasm.len() / 1024,
        gzip(&wasm)? / 1024,
        js.len() / 1024,
        gzip(&js)? / 1024
    );
    run(Command::new("node")
        .arg(root().join("wasm-pkg/bench/verify.mjs"))
        .arg(&package)
        .arg(&file))?;
    let (full, _) = best_of(3, || {
        measure(
            Command::new(jifen)
                .args(["verify", path(&file)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    let (chain, _) = best_of(3, || {
        measure(
            Command::new(jifen)
                .args(["verify", "--chain-only", path(&file)])
                .stdout(std::process::Stdio::null()),
        )
    })?;
    println!(
        "native jifen verify, same file: full {:.3} s ({:.0} entries/s), chain only {:.3} s",
        full.as_secs_f64(),
        100_000.0 / full.as_secs_f64(),
        chain.as_secs_f64()
    );
    Ok(())
}

/// Bytes of `gzip -9` output for `bytes`.
fn gzip_size(bytes: &[u8]) -> Result<usize> {
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

fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// The main job: builds the web app's release bundle and serves it on
/// 127.0.0.1 (port 8080, or `--port N`; another free port if that one is
/// taken) until interrupted. `--publish FILE` puts a ledger file beside the
/// page as `ledger.jsonl`, which the app then follows read-only.
fn serve(args: &[String]) -> Result {
    let mut port = 8080u16;
    let mut publish = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--port" => {
                port = rest
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number")?;
            }
            "--publish" => {
                publish = Some(PathBuf::from(rest.next().ok_or("--publish needs a file")?))
            }
            other => return Err(format!("serve: unknown argument {other}")),
        }
    }
    let dist = web_dist()?;
    if let Some(file) = publish {
        std::fs::copy(&file, dist.join("ledger.jsonl"))
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .or_else(|_| std::net::TcpListener::bind(("127.0.0.1", 0)))
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "\n积分账本 Jifen is served at http://{address}/  (English: http://{address}/?lang=en)"
    );
    println!("Open it in a browser; first run offers a demo community. Ctrl-C stops the server.");
    for stream in listener.incoming().flatten() {
        let dist = dist.clone();
        std::thread::spawn(move || serve_one(stream, &dist));
    }
    Ok(())
}

/// Answers one HTTP/1.1 GET for a file under `dist` (no directory
/// listing, nothing outside `dist`), then closes the connection.
fn serve_one(mut stream: std::net::TcpStream, dist: &Path) {
    use std::io::{BufRead, BufReader, Write};
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut if_none_match = None;
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_owned());
        }
        header.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let response = answer(dist, method, target, if_none_match.as_deref());
    let _ = stream.write_all(&response);
}

/// The whole HTTP response to `method target` for a file under `dist`.
/// As static file servers do, each file has an entity tag (from its length
/// and modification time) and is to be revalidated on every use
/// ("no-cache"): a browser that holds it gets "304 Not Modified" instead
/// of the file again (above all the 45 MB ledger a resident's phone
/// follows).
fn answer(dist: &Path, method: &str, target: &str, if_none_match: Option<&str>) -> Vec<u8> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let name = path.trim_start_matches('/');
    let name = if name.is_empty() { "index.html" } else { name };
    let safe =
        !name.contains("..") && !name.contains('\\') && (method == "GET" || method == "HEAD");
    let file = dist.join(name);
    let Some(meta) = safe
        .then(|| std::fs::metadata(&file).ok())
        .flatten()
        .filter(|meta| meta.is_file())
    else {
        return not_found();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    let etag = format!("\"{:x}-{modified:x}\"", meta.len());
    let kind = match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("jsonl") => "application/jsonl; charset=utf-8",
        _ => "application/octet-stream",
    };
    let held = if_none_match.is_some_and(|tags| {
        tags == "*"
            || tags
                .split(',')
                .any(|tag| tag.trim().trim_start_matches("W/") == etag)
    });
    if held {
        return format!(
            "HTTP/1.1 304 Not Modified\r\netag: {etag}\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n"
        )
        .into_bytes();
    }
    let Ok(body) = std::fs::read(&file) else {
        return not_found();
    };
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\netag: {etag}\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method == "GET" {
        out.extend_from_slice(&body);
    }
    out
}

fn not_found() -> Vec<u8> {
    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()
}

#[cfg(test)]
mod tests {
    use super::{answer, preload_modules};

    fn text(response: &[u8]) -> String {
        String::from_utf8_lossy(response).into_owned()
    }

    fn etag(response: &str) -> &str {
        response
            .lines()
            .find_map(|line| line.strip_prefix("etag: "))
            .unwrap_or_default()
    }

    #[test]
    fn a_file_is_served_with_a_tag_and_not_sent_again_while_unchanged() {
        let dir = std::env::temp_dir().join(format!("jifen-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ledger.jsonl"), "{}\n").unwrap();
        let first = text(&answer(&dir, "GET", "/ledger.jsonl?x=1", None));
        assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first}");
        assert!(first.contains("content-length: 3\r\n"), "{first}");
        assert!(first.ends_with("\r\n\r\n{}\n"), "{first}");
        let tag = etag(&first).to_owned();
        assert!(tag.starts_with('"') && tag.len() > 2, "{first}");
        // The browser holds it: no body.
        let again = text(&answer(&dir, "GET", "/ledger.jsonl", Some(&tag)));
        assert!(
            again.starts_with("HTTP/1.1 304 Not Modified\r\n"),
            "{again}"
        );
        assert!(again.ends_with("\r\n\r\n"), "{again}");
        let listed = format!("\"other\", W/{tag}");
        assert!(
            text(&answer(&dir, "GET", "/ledger.jsonl", Some(&listed))).starts_with("HTTP/1.1 304")
        );
        // A new file (another length): sent whole, with another tag.
        std::fs::write(dir.join("ledger.jsonl"), "{}\n{}\n").unwrap();
        let changed = text(&answer(&dir, "GET", "/ledger.jsonl", Some(&tag)));
        assert!(changed.starts_with("HTTP/1.1 200 OK\r\n"), "{changed}");
        assert_ne!(etag(&changed), tag);
        // HEAD: the headers alone.
        let head = text(&answer(&dir, "HEAD", "/ledger.jsonl", None));
        assert!(
            head.starts_with("HTTP/1.1 200 OK\r\n") && head.ends_with("\r\n\r\n"),
            "{head}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn nothing_outside_the_bundle_and_no_folders() {
        let dir = std::env::temp_dir().join(format!("jifen-serve-out-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for target in ["/../Cargo.toml", "/sub", "/missing.js", "/a\\..\\b"] {
            let response = text(&answer(&dir, "GET", target, None));
            assert!(response.starts_with("HTTP/1.1 404"), "{target}: {response}");
        }
        let response = text(&answer(&dir, "POST", "/", None));
        assert!(response.starts_with("HTTP/1.1 404"), "{response}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_glue_and_its_snippets_are_preloaded_before_the_stylesheet() {
        let dir = std::env::temp_dir().join(format!("jifen-preload-{}", std::process::id()));
        let snippet = dir.join("snippets/jifen-web-0123/js");
        std::fs::create_dir_all(&snippet).unwrap();
        std::fs::write(snippet.join("pool.js"), "").unwrap();
        std::fs::write(snippet.join("notes.txt"), "").unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<head>\n    <link rel=\"stylesheet\" href=\"style.css\">\n</head>\n",
        )
        .unwrap();
        preload_modules(&dir).unwrap();
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert_eq!(
            html,
            "<head>\n    <link rel=\"modulepreload\" href=\"jifen_web.js\">\n    \
             <link rel=\"modulepreload\" href=\"snippets/jifen-web-0123/js/pool.js\">\n    \
             <link rel=\"stylesheet\" href=\"style.css\">\n</head>\n"
        );
        // A page without the stylesheet link is refused, not left unpreloaded.
        std::fs::write(dir.join("index.html"), "<head></head>").unwrap();
        assert!(preload_modules(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
