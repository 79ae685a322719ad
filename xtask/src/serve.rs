//! `cargo xtask serve`: the main job, the release bundle served on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Result;
use crate::web::web_dist;

/// The main job: builds the web app's release bundle and serves it on
/// 127.0.0.1 (port 8080, or `--port N`; another free port if that one is
/// taken) until interrupted. `--publish FILE` puts a ledger file beside the
/// page as `ledger.jsonl`, which the app then follows read-only.
pub(crate) fn serve(args: &[String]) -> Result {
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
    use super::answer;

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
}
