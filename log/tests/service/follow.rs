//! A phone following a served log through its checkpoint and entry
//! bundles only, and a log that rewrote its history caught, with the
//! first leaf where the two part named from the hash tiles.

use jifen_log::client::Client;
use jifen_log::store::files_root;
use ledger_core::log::Log;
use ledger_core::tlog::{Checkpoint, Divergence, FollowError, Found, bundles_to, grow};

use crate::common::{TempDir, client, demo, now, quick, serve};

/// What a phone keeps: the log replayed from the leaves it fetched.
async fn follow(http: &Client, copy: &mut Log) -> Result<u64, FollowError> {
    let verifier = copy.verifier().expect("the log's key");
    let note = http
        .get("/logs/c1/checkpoint")
        .await
        .expect("checkpoint")
        .body;
    let (checkpoint, _) = Checkpoint::open(&note, &verifier).expect("signed by the log");
    let mut fetched = Vec::new();
    for tile in bundles_to(copy.len(), checkpoint.size) {
        let bytes = http
            .get(&format!("/logs/c1/{}", tile.entries_path()))
            .await
            .expect("bundle")
            .body;
        fetched.push((tile, bytes));
    }
    let new = grow(copy.tree(), &checkpoint, &fetched)?;
    for leaf in &new {
        copy.follow(leaf).expect("every rule of every new leaf");
    }
    Ok(new.len() as u64)
}

/// The first leaf where the phone's copy and the served log part.
async fn diverges_at(http: &Client, copy: &Log) -> Found {
    let note = http
        .get("/logs/c1/checkpoint")
        .await
        .expect("checkpoint")
        .body;
    let (checkpoint, _) = Checkpoint::open(&note, &copy.verifier().expect("key")).expect("signed");
    let mut step = Divergence::start(copy.len(), checkpoint.size).expect("a copy");
    loop {
        let bytes = http
            .get(&format!("/logs/c1/{}", step.tile().path()))
            .await
            .expect("tile")
            .body;
        match step.answer(copy.tree(), &bytes).expect("a hash tile") {
            Found::Fetch(next) => step = next,
            found => return found,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_follows_the_log_and_catches_a_rewritten_history() {
    let c1 = demo(1);
    let (dir_a, dir_b) = (TempDir::new("follow-a"), TempDir::new("follow-b"));
    let (store_a, store_b) = (
        files_root(dir_a.path()).expect("a"),
        files_root(dir_b.path()).expect("b"),
    );
    c1.store_in(&store_a, "c1").await;
    c1.store_in(&store_b, "c1").await;
    let a = serve(store_a, &[("c1", &c1)], vec![], quick()).await;
    let b = serve(store_b, &[("c1", &c1)], vec![], quick()).await;
    let (http_a, http_b) = (client(&a), client(&b));
    // The phone's first visit, then the log grows and it follows.
    let mut phone = c1.log.clone();
    let mut admin = c1.device(&c1.log, "admin-1");
    let honest = admin.clone();
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "P", 3, now());
    let reply = http_a.submit("c1", &entries).await.expect("answer");
    let index = reply.json()["results"][0]["index"].as_u64().expect("index");
    let _ = http_a
        .get(&format!("/logs/c1/receipt/{}?wait_ms=5000", index + 2))
        .await;
    assert_eq!(follow(&http_a, &mut phone).await, Ok(3));
    assert_eq!(follow(&http_a, &mut phone).await, Ok(0), "nothing new");
    // The same log key, another history from leaf `index` on (the office
    // wrote other entries there and served those instead).
    let mut other = honest;
    let (forged, _) = jifen_log::load::register_residents(&mut other, "X", 5, now());
    let reply = http_b.submit("c1", &forged).await.expect("answer");
    assert_eq!(reply.json()["results"][0]["index"].as_u64(), Some(index));
    let _ = http_b
        .get(&format!("/logs/c1/receipt/{}?wait_ms=5000", index + 4))
        .await;
    let before = phone.len();
    let caught = follow(&http_b, &mut phone).await;
    assert_eq!(caught, Err(FollowError::Rewritten { index }));
    assert_eq!(phone.len(), before, "the phone keeps its copy");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_rewritten_before_the_last_bundle_is_found_by_the_hash_tiles() {
    let c1 = demo(1);
    let (dir_a, dir_b) = (TempDir::new("early-a"), TempDir::new("early-b"));
    let (store_a, store_b) = (
        files_root(dir_a.path()).expect("a"),
        files_root(dir_b.path()).expect("b"),
    );
    c1.store_in(&store_a, "c1").await;
    c1.store_in(&store_b, "c1").await;
    let a = serve(store_a, &[("c1", &c1)], vec![], quick()).await;
    let b = serve(store_b, &[("c1", &c1)], vec![], quick()).await;
    let (http_a, http_b) = (client(&a), client(&b));
    let mut phone = c1.log.clone();
    let start = phone.len();
    let (mut admin_a, mut admin_b) = (c1.device(&c1.log, "admin-1"), c1.device(&c1.log, "admin-1"));
    // 300 entries on A, 600 others on B: B's history parts at `start`,
    // a bundle before the phone's last.
    let (on_a, _) = jifen_log::load::register_residents(&mut admin_a, "A", 300, now());
    let (on_b, _) = jifen_log::load::register_residents(&mut admin_b, "B", 600, now());
    assert_eq!(http_a.submit("c1", &on_a).await.expect("a").status, 200);
    assert_eq!(http_b.submit("c1", &on_b).await.expect("b").status, 200);
    let _ = http_a
        .get(&format!("/logs/c1/receipt/{}?wait_ms=5000", start + 299))
        .await;
    let _ = http_b
        .get(&format!("/logs/c1/receipt/{}?wait_ms=5000", start + 599))
        .await;
    assert_eq!(follow(&http_a, &mut phone).await, Ok(300));
    // The bundle the phone fetches again already differs; the hash tiles
    // name the first leaf that does.
    let last_bundle = (start + 300) / 256 * 256;
    assert_eq!(
        follow(&http_b, &mut phone).await,
        Err(FollowError::Rewritten { index: last_bundle })
    );
    assert_eq!(diverges_at(&http_b, &phone).await, Found::Leaf(start));
    a.stop().await;
    b.stop().await;
}
