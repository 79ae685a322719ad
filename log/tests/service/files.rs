//! The service on its default storage, a directory of files.

use std::time::Duration;

use jifen_log::store::files_root;
use ledger_core::log::Log;
use ledger_core::tlog::{Checkpoint, TlogProof, leaf_hash, read_entry_bundle};
use serde_json::Value;

use crate::common::{TempDir, client, demo, now, quick, serve, serve_all};

fn indexes(reply: &Value) -> Vec<u64> {
    reply["results"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x["index"].as_u64()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_is_answered_once_durable_and_a_retry_gets_the_same_index() {
    let dir = TempDir::new("durable");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let before = c1.log.len();
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "R", 3, now());
    let first = http.submit("c1", &entries).await.expect("answer");
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    assert_eq!(indexes(&first.json()), [before, before + 1, before + 2]);
    // The same queue again (a kiosk that lost the answer): the same
    // indexes, nothing appended.
    let again = http.submit("c1", &entries).await.expect("answer");
    assert_eq!(again.status, 200);
    assert_eq!(indexes(&again.json()), indexes(&first.json()));
    assert!(again.json()["results"][0]["new"] == Value::Bool(false));
    assert_eq!(again.json()["size"], before + 3);
    running.stop().await;
    // On disk, replayed by the same code a verifier runs.
    let (log, _) = jifen_log::files::load(&dir.path().join("c1")).expect("log on disk");
    assert_eq!(log.len(), before + 3);
    assert_eq!(
        log.leaf(before + 2).map(|l| leaf_hash(&l)),
        Some(log.tree().level(0)[(before + 2) as usize])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forked_forged_foreign_and_malformed_entries_are_refused_with_reasons() {
    let dir = TempDir::new("refused");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let size = c1.log.len();
    let admin = c1.device(&c1.log, "admin-1");
    let (mut one, mut two) = (admin.clone(), admin.clone());
    let (a, _) = jifen_log::load::register_residents(&mut one, "A", 1, now());
    let (b, _) = jifen_log::load::register_residents(&mut two, "B", 1, now());
    assert_eq!(http.submit("c1", &a).await.expect("answer").status, 200);
    // The device signed two entries with one counter: a fork.
    let fork = http.submit("c1", &b).await.expect("answer");
    assert_eq!(fork.status, 422);
    assert_eq!(fork.json()["results"][0]["error"], "fork");
    assert_eq!(fork.json()["results"][0]["retry"], false);
    let message = fork.json()["results"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{message}"
    );
    // A changed signature.
    let (mut c, _) = jifen_log::load::register_residents(&mut one, "C", 1, now());
    let line = String::from_utf8(c.remove(0)).expect("utf-8");
    let at = line.find("\"sig\":\"").expect("sig") + 7;
    let flipped = if &line[at..=at] == "0" { "1" } else { "0" };
    let forged = format!("{}{flipped}{}", &line[..at], &line[at + 1..]);
    let reply = http
        .submit("c1", &[forged.into_bytes()])
        .await
        .expect("answer");
    assert_eq!(
        reply.json()["results"][0]["error"],
        "bad_signature",
        "{:?}",
        reply.json()
    );
    // A device the ledger never registered.
    let mut stranger = jifen_log::load::Device::new(
        c1.log.ledger().id().clone(),
        "kiosk-9".parse().expect("id"),
        jifen_log::load::key_for(9, "kiosk-9"),
        (0, ledger_core::EntryHash::ZERO),
    );
    let (d, _) = jifen_log::load::register_residents(&mut stranger, "D", 1, now());
    let reply = http.submit("c1", &d).await.expect("answer");
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["results"][0]["error"],
        "unknown_actor",
        "{:?}",
        reply.json()
    );
    // Not an entry at all, in English when asked.
    let reply = http
        .post("/logs/c1/add?lang=en", b"{\"hello\":1}".to_vec())
        .await
        .expect("answer");
    assert_eq!(reply.status, 422);
    assert!(
        reply.json()["results"][0]["message"]
            .as_str()
            .is_some_and(|m| m.is_ascii())
    );
    assert_eq!(
        http.post("/logs/c1/add", Vec::new())
            .await
            .expect("answer")
            .status,
        400
    );
    let many = vec![b"{}".to_vec(); 1001];
    assert_eq!(http.submit("c1", &many).await.expect("answer").status, 400);
    assert_eq!(
        http.submit("nowhere", &a).await.expect("answer").status,
        404
    );
    // Past the body limit: 413, or the connection closed while the body
    // was still being sent (the server answers as soon as it knows).
    let big = vec![b'x'; 3 << 20];
    match http.post("/logs/c1/add", big).await {
        Ok(reply) => assert_eq!(reply.status, 413),
        Err(why) => assert!(
            why.contains("SendRequest") || why.contains("connection"),
            "{why}"
        ),
    }
    // Of all that, one entry went in (asked on a new connection: the server
    // may have closed the one the big body was sent on).
    let list = client(&running).get("/logs").await.expect("answer").json();
    assert_eq!(list[0]["size"], size + 1);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiles_checkpoints_and_receipts_are_served_as_the_specifications_say() {
    let dir = TempDir::new("tiles");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let verifier = c1.log.verifier().expect("named");
    let checkpoint = http.get("/logs/c1/checkpoint").await.expect("answer");
    assert_eq!(checkpoint.status, 200);
    assert_eq!(checkpoint.content_type, "text/plain; charset=utf-8");
    assert_eq!(checkpoint.cache_control, "max-age=2");
    let (seen, _) = Checkpoint::open(&checkpoint.body, &verifier).expect("signed by the log");
    assert_eq!(seen.size, c1.log.len());
    let tile = http.get("/logs/c1/tile/0/000").await.expect("answer");
    assert_eq!(tile.status, 200);
    assert_eq!(tile.content_type, "application/octet-stream");
    assert!(tile.cache_control.contains("immutable"));
    assert_eq!(tile.body, c1.log.tree().level(0)[..256].concat());
    let bundle = http.get("/logs/c1/tile/entries/000").await.expect("answer");
    let leaves = read_entry_bundle(&bundle.body).expect("bundle");
    assert_eq!(leaves.len(), 256);
    assert_eq!(leaves[7], c1.log.leaf(7).expect("leaf").as_slice());
    // Many leaves in one answer for a first visit, as the bundles hold them.
    let size = c1.log.len();
    let bulk = http
        .get(&format!("/logs/c1/entries?start=250&end={size}"))
        .await
        .expect("answer");
    assert!(bulk.cache_control.contains("immutable"));
    let many = read_entry_bundle(&bulk.body).expect("laid out as a bundle");
    assert_eq!(many.len() as u64, size - 250);
    assert_eq!(many[5], leaves[255]);
    assert_eq!(many[0], c1.log.leaf(250).expect("leaf").as_slice());
    for range in [
        "start=0&end=0",
        &format!("start=0&end={}", size + 1),
        "start=a&end=2",
    ] {
        let status = http
            .get(&format!("/logs/c1/entries?{range}"))
            .await
            .expect("answer")
            .status;
        assert!(status == 404 || status == 400, "{range}: {status}");
    }
    // Only what a published checkpoint needs; never another spelling.
    assert_eq!(
        http.get("/logs/c1/tile/0/009")
            .await
            .expect("answer")
            .status,
        404
    );
    assert_eq!(
        http.get("/logs/c1/tile/0/0").await.expect("answer").status,
        404
    );
    assert_eq!(
        http.get("/logs/c1/tile/0/001.p/255")
            .await
            .expect("answer")
            .status,
        404
    );
    // A new entry, then its receipt once a checkpoint covers it.
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "R", 1, now());
    let reply = http.submit("c1", &entries).await.expect("answer");
    let index = reply.json()["results"][0]["index"].as_u64().expect("index");
    let receipt = http
        .get(&format!("/logs/c1/receipt/{index}?wait_ms=5000"))
        .await
        .expect("answer");
    assert_eq!(
        receipt.status,
        200,
        "{}",
        String::from_utf8_lossy(&receipt.body)
    );
    let proof = TlogProof::parse(&receipt.body).expect("tlog-proof");
    assert_eq!(proof.index, index);
    let leaf = running.logs.communities["c1"]
        .read(|log: &Log| log.leaf(index))
        .expect("leaf");
    proof
        .verify(&leaf_hash(&leaf), &verifier, &[], 0)
        .expect("the receipt holds");
    let mut other = leaf.clone();
    other[20] ^= 1;
    assert!(proof.verify(&leaf_hash(&other), &verifier, &[], 0).is_err());
    assert_eq!(
        http.get("/logs/c1/receipt/99999")
            .await
            .expect("answer")
            .status,
        404
    );
    // No witness policy given: none served.
    assert_eq!(http.get("/policy").await.expect("answer").status, 404);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_starts_again_where_it_stopped_and_a_second_one_is_refused() {
    let dir = TempDir::new("restart");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "R", 40, now());
    assert_eq!(
        http.submit("c1", &entries).await.expect("answer").status,
        200
    );
    let published = running.logs.communities["c1"]
        .published()
        .expect("published");
    // The directory is locked while served.
    let second = jifen_log::start(jifen_log::Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        store: store.clone(),
        keys: [("c1".to_owned(), c1.keys["log"].clone())].into(),
        witnesses: vec![],
        policy: None,
        pace: quick(),
        web: None,
        max_connections: 8,
        export: None,
    })
    .await;
    assert!(matches!(
        second,
        Err(jifen_log::StoreError::Dir(
            jifen_log::files::DirError::Locked(_)
        ))
    ));
    running.stop().await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let community = &running.logs.communities["c1"];
    assert_eq!(community.durable(), c1.log.len() + 40);
    let checkpoint = Checkpoint::open(&published.note, &c1.log.verifier().expect("key"))
        .expect("note")
        .0;
    assert_eq!(
        community.read(|log| log.tree().root_at(checkpoint.size)),
        Some(checkpoint.root)
    );
    let (more, _) = jifen_log::load::register_residents(&mut admin, "S", 2, now());
    let reply = http.submit("c1", &more).await.expect("answer");
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_past_its_rate_waits_and_nothing_is_taken() {
    let dir = TempDir::new("rate");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let pace = jifen_log::Pace {
        device_burst: 5,
        device_per_second: 1,
        ..quick()
    };
    let running = serve(store.clone(), &[("c1", &c1)], vec![], pace).await;
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "R", 6, now());
    let reply = http.submit("c1", &entries).await.expect("answer");
    assert_eq!(reply.status, 429);
    assert_eq!(reply.json()["error"], "too_fast");
    assert_eq!(running.logs.communities["c1"].durable(), c1.log.len());
    let reply = http.submit("c1", &entries[..5]).await.expect("answer");
    assert_eq!(reply.status, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        http.submit("c1", &entries[5..])
            .await
            .expect("answer")
            .status,
        200
    );
    running.stop().await;
}

/// A small file system of its own, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then(|| Tmpfs(dir.to_owned()))
    }

    fn resize(&self, size: &str) {
        let done = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(done, "remount");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_clearly_and_loses_nothing_answered() {
    let dir = TempDir::new("full");
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "1m") else {
        eprintln!("cannot mount a small tmpfs here (not root?): skipped");
        return;
    };
    let store = files_root(&disk.0.join("logs")).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let mut answered = std::collections::HashMap::new();
    let mut full = None;
    for round in 0..2000 {
        let (entries, _) =
            jifen_log::load::register_residents(&mut admin, &format!("F{round:04}x"), 5, now());
        let reply = http.submit("c1", &entries).await.expect("answer");
        if reply.status == 200 {
            for (entry, index) in entries.iter().zip(indexes(&reply.json())) {
                answered.insert(index, entry.clone());
            }
            continue;
        }
        assert_eq!(reply.status, 503, "{:?}", reply.json());
        assert_eq!(reply.json()["results"][0]["error"], "storage");
        let message = reply.json()["results"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(message.contains("无法保存"), "{message}");
        full = Some(entries);
        break;
    }
    let refused = full.expect("the disk filled up");
    // More space, and the same entries go in.
    disk.resize("64m");
    let reply = http.submit("c1", &refused).await.expect("answer");
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    running.stop().await;
    let (log, _) = jifen_log::files::load(&disk.0.join("logs/c1")).expect("log replays");
    for (index, entry) in &answered {
        let leaf = ledger_core::log::Leaf::parse(&log.leaf(*index).expect("leaf")).expect("leaf");
        assert_eq!(leaf.entry.to_bytes(), *entry);
    }
    assert!(!answered.is_empty());
    eprintln!(
        "{} answered before the disk was full; log of {}",
        answered.len(),
        log.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_queue_goes_in_within_the_policy_and_past_its_deadline_is_refused() {
    let dir = TempDir::new("offline");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let hour = 3_600_000;
    // Signed three hours ago, offline: the policy (24 h) lets it in.
    let mut admin = c1.device(&c1.log, "admin-1");
    let (queued, _) = jifen_log::load::register_residents(&mut admin, "Q", 3, now() - 3 * hour);
    let reply = http.submit("c1", &queued).await.expect("answer");
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    // Signed two days ago: past the upload deadline, refused, nothing kept.
    let (stale, _) = jifen_log::load::register_residents(&mut admin, "S", 1, now() - 48 * hour);
    let reply = http.submit("c1", &stale).await.expect("answer");
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["results"][0]["error"], "too_late");
    assert_eq!(reply.json()["size"], c1.log.len() + 3);
    running.stop().await;
}

/// One raw HTTP/1.1 exchange: the answer's head and body.
fn raw_get(
    address: std::net::SocketAddr,
    path: &str,
    accept: &str,
    extra: &str,
) -> (String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: {accept}\r\n{extra}Connection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("answer read");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    (head, answer[split + 4..].to_vec())
}

#[tokio::test]
async fn the_web_app_is_served_from_its_precompressed_files_and_revalidated() {
    let dir = TempDir::new("web");
    let store = files_root(&dir.path().join("logs")).expect("root");
    let web = dir.path().join("web");
    std::fs::create_dir_all(&web).expect("web dir");
    std::fs::write(web.join("app.wasm"), vec![7u8; 4096]).expect("file");
    // Not the gzip of the file: the answer must be this file, as it is.
    std::fs::write(web.join("app.wasm.gz"), b"kept at -9").expect("gz file");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve_all(store, &[("c1", &c1)], vec![], quick(), None, Some(web)).await;
    let address = running.address;
    let (head, body) =
        tokio::task::spawn_blocking(move || raw_get(address, "/app.wasm", "gzip", ""))
            .await
            .expect("request");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert!(head.contains("content-type: application/wasm"), "{head}");
    assert_eq!(body, b"kept at -9");
    // A reopen asks whether its copy is still the file: it is.
    let since = head
        .lines()
        .find_map(|line| line.strip_prefix("last-modified: "))
        .expect("a last-modified date")
        .to_owned();
    let (again, body) = tokio::task::spawn_blocking(move || {
        raw_get(
            address,
            "/app.wasm",
            "gzip",
            &format!("If-Modified-Since: {since}\r\n"),
        )
    })
    .await
    .expect("request");
    assert!(again.starts_with("HTTP/1.1 304"), "{again}");
    assert!(body.is_empty());
    // A browser that takes no gzip gets the file itself.
    let (head, body) =
        tokio::task::spawn_blocking(move || raw_get(address, "/app.wasm", "identity", ""))
            .await
            .expect("request");
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(body, vec![7u8; 4096]);
    running.stop().await;
}

/// A reader that verified a log before gives what it verified: with the
/// same root at that size, the leaves below are not signature-checked
/// again and the log read is the same; with another root (a history not
/// the one it verified), it is verified whole and said not to hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_read_again_skips_only_what_was_verified_with_the_same_root() {
    use jifen_log::files::{Verified, load, load_known};
    let dir = TempDir::new("known");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let path = dir.path().join("c1");
    let (full, _) = load(&path).expect("verified whole");
    let size = full.len() - 10;
    let root = full.tree().root_at(size).expect("root at size");
    let (again, _, held) = load_known(&path, Some(Verified { size, root })).expect("again");
    assert!(held);
    assert_eq!(again.tree().root(), full.tree().root());
    assert_eq!(
        again.ledger().state().residents().len(),
        full.ledger().state().residents().len()
    );
    let mut other = root;
    other[0] ^= 1;
    let (whole, _, held) =
        load_known(&path, Some(Verified { size, root: other })).expect("verified whole again");
    assert!(!held, "a different history is not the one verified");
    assert_eq!(whole.tree().root(), full.tree().root());
    // A log shorter than what was verified is not that log either.
    let longer = Verified {
        size: full.len() + 5,
        root,
    };
    assert!(!load_known(&path, Some(longer)).expect("loads").2);
}
