//! The web app: its browser tests, its release bundle, its end-to-end tests
//! and its benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::shell::{cargo, crafted_fixtures, gzip_beside, jifen_release, root, run};
use crate::tools::{ensure_browser, ensure_wasm_bindgen, ensure_wasm_target};

/// The web crate's tests in a real headless Chromium, through
/// wasm-bindgen-test-runner (installed with the wasm-bindgen CLI) and
/// Debian's chromium and chromium-driver (installed here if missing).
pub(crate) fn browser_tests() -> Result {
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
pub(crate) fn web_dist() -> Result<PathBuf> {
    ensure_wasm_bindgen()?;
    let out = root().join("target/web-dist");
    let _ = std::fs::remove_dir_all(&out);
    // The writing devices' app, then the phone's (no `writer` feature).
    for (name, features) in [
        ("jifen_web", None),
        ("jifen_phone", Some("--no-default-features")),
    ] {
        run(cargo()
            .args([
                "build",
                "--package",
                "jifen-web",
                "--bin",
                "jifen-web",
                "--target",
                "wasm32-unknown-unknown",
                "--profile",
                "web",
            ])
            .args(features))?;
        run(Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--out-name",
                name,
                "--remove-name-section",
                "--remove-producers-section",
                "--no-typescript",
                "--out-dir",
            ])
            .arg(&out)
            .arg(root().join("target/wasm32-unknown-unknown/web/jifen-web.wasm")))?;
        // binaryen at -Os: 3 KB less gzipped than wasm-bindgen's output,
        // and no slower to open (alternated in one web-bench run); -Oz and
        // -O2 saved no more.
        let wasm = out.join(format!("{name}_bg.wasm"));
        run(Command::new(crate::tools::ensure_wasm_opt()?)
            .args([
                "-Os",
                "--enable-simd",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm))?;
        minify_glue(&out.join(format!("{name}.js")))?;
    }
    for file in ["index.html", "style.css", "worker.js"] {
        std::fs::copy(root().join("web").join(file), out.join(file))
            .map_err(|e| format!("web/{file}: {e}"))?;
    }
    let modules = preload_modules(&out)?;
    // Served as they are by `jifen serve` (ServeDir's precompressed
    // files): at -9, and without compressing a megabyte on every request.
    for file in ["index.html", "style.css", "worker.js"]
        .into_iter()
        .map(str::to_owned)
        .chain(modules)
    {
        gzip_beside(&out.join(file))?;
    }
    for (name, who) in [
        ("jifen_phone", "a resident's phone"),
        ("jifen_web", "a writing device"),
    ] {
        let mut total_gzip = 0;
        for file in [format!("{name}_bg.wasm"), format!("{name}.js")] {
            let bytes = std::fs::metadata(out.join(&file)).map_err(|e| e.to_string())?;
            let compressed = gzip_beside(&out.join(&file))?;
            total_gzip += compressed;
            println!(
                "web bundle: {file} {} KiB, {} KiB gzip -9",
                bytes.len() / 1024,
                compressed / 1024
            );
        }
        println!(
            "web bundle for {who}: wasm + JS {} KiB ({total_gzip} bytes) gzip -9{}",
            total_gzip / 1024,
            if name == "jifen_phone" {
                " (target: under 300 KB)"
            } else {
                ""
            }
        );
    }
    Ok(out)
}

/// Names the snippets the app's glue imports (`js/pool.js`, under a folder
/// wasm-bindgen names by a hash) in `dist/index.html` as `modulepreload`
/// links; the glue itself index.html preloads, knowing which build this
/// device loads. Without them the browser
/// learnt of a snippet only once the glue had arrived, and fetched it then:
/// about 75 ms later, on the way to every open. The snippets' paths.
pub(crate) fn preload_modules(dist: &Path) -> Result<Vec<String>> {
    // The glue (jifen_web.js or jifen_phone.js) is preloaded by index.html
    // itself, which knows which this device needs.
    let mut modules = Vec::new();
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
    modules.sort();
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
    .map_err(|e| e.to_string())?;
    Ok(modules)
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
pub(crate) fn web_bench(args: &[String]) -> Result {
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
    if !args.iter().any(|a| a == "--log-only") {
        run(Command::new("node")
            .arg("bench.mjs")
            .env("JIFEN_DIST", &dist)
            .env("JIFEN_BENCH_LEDGER", dir.join("ledger.jsonl"))
            .env("JIFEN_BENCH_KEYS", dir.join("keys.json"))
            .current_dir(&e2e))?;
    }
    // The same community as a log on the service, for the phone's and the
    // kiosk's figures.
    let log = dir.join("log");
    let _ = std::fs::remove_dir_all(&log);
    std::fs::create_dir_all(&log).map_err(|e| e.to_string())?;
    run(Command::new(&jifen)
        .args([
            "serve",
            "--dir",
            "logs",
            "--keys",
            "keys",
            "--demo-communities",
            "1",
        ])
        .args([
            "--demo-entries",
            &entries.to_string(),
            "--demo-residents",
            "2000",
        ])
        .arg("--setup-only")
        .current_dir(&log))?;
    run(Command::new("node")
        .arg("log-bench.mjs")
        .env("JIFEN_DIST", &dist)
        .env("JIFEN_BIN", &jifen)
        .env("JIFEN_BENCH_LOG", &log)
        .current_dir(&e2e))
}

/// Playwright (npm `playwright-core`, pinned) driving Debian's Chromium
/// against the release bundle; its screenshots land in the manual's
/// `book/src/screenshots`.
pub(crate) fn end_to_end(dist: &Path) -> Result {
    ensure_browser()?;
    let e2e = root().join("web/e2e");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&e2e))?;
    // The debug build the workspace's tests made already (a release build
    // would add minutes to a cold run, and these tests time nothing).
    run(cargo().args(["build", "--package", "jifen"]))?;
    let jifen = root().join("target/debug/jifen");
    // `JIFEN_E2E=log.test.mjs` runs one file.
    let files =
        std::env::var("JIFEN_E2E").unwrap_or_else(|_| "app.test.mjs log.test.mjs".to_owned());
    run(Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .args(files.split_whitespace())
        .env("JIFEN_DIST", dist)
        .env("JIFEN_BIN", &jifen)
        .env("JIFEN_CRAFTED", crafted_fixtures()?)
        // Straight into the manual, which shows them (not committed).
        .env("JIFEN_SCREENSHOTS", root().join("book/src/screenshots"))
        .current_dir(&e2e))
}

#[cfg(test)]
mod tests {
    use super::preload_modules;

    #[test]
    fn the_glues_snippets_are_preloaded_before_the_stylesheet() {
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
            "<head>\n    <link rel=\"modulepreload\" href=\"snippets/jifen-web-0123/js/pool.js\">\n    \
             <link rel=\"stylesheet\" href=\"style.css\">\n</head>\n"
        );
        // A page without the stylesheet link is refused, not left unpreloaded.
        std::fs::write(dir.join("index.html"), "<head></head>").unwrap();
        assert!(preload_modules(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
