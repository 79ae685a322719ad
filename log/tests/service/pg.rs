//! The service on a real PostgreSQL (a private cluster per test): durable
//! answers, two processes on one database, and the database restarted
//! under load.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jifen_log::Store;
use jifen_log::pg::Pg;
use jifen_log::pgtest::Cluster;
use ledger_core::tlog::{Checkpoint, leaf_hash};

use crate::common::{client, demo, now, quick, serve};

/// A private cluster; without PostgreSQL installed, `None` (and in CI,
/// where it must be, a failure).
fn cluster() -> Option<Cluster> {
    if !Cluster::installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL 15 must be installed in CI"
        );
        eprintln!("PostgreSQL 15 is not installed: skipped");
        return None;
    }
    Some(Cluster::start().expect("a private PostgreSQL cluster"))
}

async fn store(cluster: &Cluster) -> Store {
    Store::Postgres(Pg::connect(&cluster.url(), 8).await.expect("connected"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_are_durable_in_postgres_and_read_back_after_a_restart() {
    let Some(cluster) = cluster() else { return };
    let store = store(&cluster).await;
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let export = crate::common::TempDir::new("export");
    let running = crate::common::serve_exporting(
        store.clone(),
        &[("c1", &c1)],
        vec![],
        quick(),
        Some(export.path().to_owned()),
    )
    .await;
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "R", 10, now());
    let first = http.submit("c1", &entries).await.expect("answer");
    assert_eq!(first.status, 200, "{:?}", first.json());
    let again = http.submit("c1", &entries).await.expect("answer");
    let same: Vec<serde_json::Value> = first.json()["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|x| serde_json::json!({"index": x["index"], "new": false}))
        .collect();
    assert_eq!(again.json()["results"], serde_json::Value::Array(same));
    let index = first.json()["results"][9]["index"].as_u64().expect("index");
    let receipt = http
        .get(&format!("/logs/c1/receipt/{index}?wait_ms=5000"))
        .await
        .expect("answer");
    assert_eq!(receipt.status, 200);
    running.stop().await;
    // The same log written out as tlog-tiles files for a static server,
    // read back by the same replay a verifier runs.
    let (exported, checkpoint) =
        jifen_log::files::load(&export.path().join("c1")).expect("exported log");
    assert_eq!(exported.len(), c1.log.len() + 10);
    assert_eq!(checkpoint.size, c1.log.len() + 10);
    // Another process's view: a new pool, the log replayed from the rows.
    let store = self::store(&cluster).await;
    let running = serve(store, &[("c1", &c1)], vec![], quick()).await;
    assert_eq!(running.logs.communities["c1"].durable(), c1.log.len() + 10);
    running.stop().await;
}

/// Devices writing through two services on one database at once: every
/// acknowledged entry is in the one log, at its index, and every
/// checkpoint either service published is one of that log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_on_one_database_make_one_log() {
    let Some(cluster) = cluster() else { return };
    let store_a = store(&cluster).await;
    let c1 = demo(1);
    c1.store_in(&store_a, "c1").await;
    let a = serve(store_a, &[("c1", &c1)], vec![], quick()).await;
    let b = serve(store(&cluster).await, &[("c1", &c1)], vec![], quick()).await;
    let clients = [client(&a), client(&b)];
    // Officers registered first, then each writes through both services.
    let mut admin = c1.device(&c1.log, "admin-1");
    let (registrations, officers) =
        jifen_log::load::register_officers(&mut admin, c1.log.ledger().id(), "officer-t", 6, now());
    let (residents, codes) = jifen_log::load::register_residents(&mut admin, "T", 30, now());
    let mut setup = registrations;
    setup.extend(residents);
    assert_eq!(
        clients[0]
            .submit("c1", &setup)
            .await
            .expect("answer")
            .status,
        200
    );
    let bodies = a.logs.communities["c1"].read(|log| jifen_log::load::earns(log, &codes));
    let acknowledged = Arc::new(std::sync::Mutex::new(HashMap::<u64, Vec<u8>>::new()));
    let notes = Arc::new(std::sync::Mutex::new(Vec::<Vec<u8>>::new()));
    let mut tasks = Vec::new();
    for (n, mut officer) in officers.into_iter().enumerate() {
        let clients = clients.clone();
        let mine: Vec<_> = bodies.iter().skip(n).step_by(6).take(25).cloned().collect();
        let acknowledged = acknowledged.clone();
        let notes = notes.clone();
        tasks.push(tokio::spawn(async move {
            for (k, body) in mine.into_iter().enumerate() {
                let entry = officer.sign(body, now());
                // Alternate services; a refusal for storage is retried.
                for attempt in 0..20 {
                    let http = &clients[(k + attempt + n) % 2];
                    let reply = http
                        .submit("c1", std::slice::from_ref(&entry))
                        .await
                        .expect("answer");
                    if reply.status == 200 {
                        let index = reply.json()["results"][0]["index"].as_u64().expect("index");
                        acknowledged
                            .lock()
                            .expect("lock")
                            .insert(index, entry.clone());
                        break;
                    }
                    assert_eq!(reply.status, 503, "{:?}", reply.json());
                }
                if k % 5 == 0 {
                    let note = clients[k % 2]
                        .get("/logs/c1/checkpoint")
                        .await
                        .expect("answer");
                    notes.lock().expect("lock").push(note.body);
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("device");
    }
    a.stop().await;
    b.stop().await;
    let store = store(&cluster).await;
    let (_, loaded) = store.open("c1").await.expect("one log, replayed");
    let log = loaded.log;
    let acknowledged = acknowledged.lock().expect("lock");
    assert_eq!(acknowledged.len(), 6 * 25);
    for (index, entry) in acknowledged.iter() {
        let leaf = ledger_core::log::Leaf::parse(&log.leaf(*index).expect("leaf")).expect("leaf");
        assert_eq!(leaf.entry.to_bytes(), *entry, "leaf {index}");
    }
    let verifier = log.verifier().expect("key");
    for note in notes.lock().expect("lock").iter() {
        let (checkpoint, _) = Checkpoint::open(note, &verifier).expect("signed");
        assert_eq!(
            log.tree().root_at(checkpoint.size),
            Some(checkpoint.root),
            "a fork at {}",
            checkpoint.size
        );
    }
    assert_eq!(log.len(), c1.log.len() + 36 + 150);
    let _ = leaf_hash(b"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_loses_nothing_acknowledged() {
    let Some(cluster) = cluster() else { return };
    let store = store(&cluster).await;
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let running = serve(store.clone(), &[("c1", &c1)], vec![], quick()).await;
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let mut acknowledged = HashMap::new();
    let mut refused = 0;
    for round in 0..60 {
        if round == 20 {
            cluster.stop().expect("stopped");
        }
        if round == 40 {
            cluster.start_again().expect("started");
        }
        let (entries, _) =
            jifen_log::load::register_residents(&mut admin, &format!("P{round:02}x"), 1, now());
        loop {
            let reply = http.submit("c1", &entries).await.expect("answer");
            if reply.status == 200 {
                acknowledged.insert(
                    reply.json()["results"][0]["index"].as_u64().expect("index"),
                    entries[0].clone(),
                );
                break;
            }
            // While the database is down: a clear refusal, to retry.
            assert_eq!(reply.status, 503, "{:?}", reply.json());
            assert_eq!(reply.json()["results"][0]["error"], "storage");
            assert_eq!(reply.json()["results"][0]["retry"], true);
            refused += 1;
            if (20..40).contains(&round) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert!(refused >= 20, "the database was down for 20 rounds");
    running.stop().await;
    let (_, loaded) = self::store(&cluster).await.open("c1").await.expect("log");
    for (index, entry) in &acknowledged {
        let leaf =
            ledger_core::log::Leaf::parse(&loaded.log.leaf(*index).expect("leaf")).expect("leaf");
        assert_eq!(leaf.entry.to_bytes(), *entry);
    }
}
