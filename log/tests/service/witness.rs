//! C2SP tlog-witness both ways: the service asks witnesses, and a witness
//! answers every case of the specification with its status.

use std::sync::Arc;
use std::time::Duration;

use jifen_log::WitnessTarget;
use jifen_log::client::Client;
use jifen_log::store::files_root;
use jifen_log::witness::Witness;
use ledger_core::tlog::{AddCheckpoint, KeyKind, NoteVerifier, TlogProof, leaf_hash};

use crate::common::{TempDir, client, demo, now, quick, serve};

/// A witness served on 127.0.0.1, and its verifier.
async fn witness(
    state: &std::path::Path,
    logs: Vec<NoteVerifier>,
) -> (String, NoteVerifier, tokio::task::JoinHandle<()>) {
    let key = jifen_log::load::key_for(77, "witness");
    let name = "witness.example/w1";
    let verifier = NoteVerifier::new(name, KeyKind::Cosignature, key.verifying_key().to_bytes())
        .expect("verifier");
    let witness = Witness::new(name, key, logs, state.join("state.json"), None).expect("witness");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let app = jifen_log::http::witness_router(Arc::new(witness));
    let served = tokio::spawn(async move {
        let _ = axum_serve(listener, app).await;
    });
    (url, verifier, served)
}

async fn axum_serve(
    listener: tokio::net::TcpListener,
    app: jifen_log::http::Router,
) -> std::io::Result<()> {
    jifen_log::http::serve(
        jifen_log::http::Limited::new(listener, 16),
        app,
        std::future::pending(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_carry_the_witness_cosignature_even_after_a_restart() {
    let dir = TempDir::new("witnessed");
    let store = files_root(&dir.path().join("logs")).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let log_verifier = c1.log.verifier().expect("key");
    let (url, verifier, served) = witness(dir.path(), vec![log_verifier.clone()]).await;
    let target = WitnessTarget {
        url,
        verifier: verifier.clone(),
    };
    let mut admin = c1.device(&c1.log, "admin-1");
    for round in 0..2 {
        // The second service remembers nothing of the witness: its first
        // request gets 409 with the size the witness cosigned, and it asks
        // again from there.
        let running = serve(store.clone(), &[("c1", &c1)], vec![target.clone()], quick()).await;
        let http = client(&running);
        let (entries, _) =
            jifen_log::load::register_residents(&mut admin, &format!("W{round}"), 2, now());
        let reply = http.submit("c1", &entries).await.expect("answer");
        let index = reply.json()["results"][1]["index"].as_u64().expect("index");
        let receipt = http
            .get(&format!("/logs/c1/receipt/{index}?wait_ms=5000"))
            .await
            .expect("answer");
        assert_eq!(receipt.status, 200);
        let proof = TlogProof::parse(&receipt.body).expect("proof");
        let leaf = running.logs.communities["c1"]
            .read(|log| log.leaf(index))
            .expect("leaf");
        proof
            .verify(&leaf_hash(&leaf), &log_verifier, &[&verifier], 1)
            .unwrap_or_else(|e| panic!("round {round}: not witnessed: {e:?}"));
        assert_eq!(
            http.get("/logs").await.expect("list").json()[0]["cosigned"],
            1
        );
        running.stop().await;
    }
    served.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_that_is_down_costs_its_cosignature_not_the_checkpoint() {
    let dir = TempDir::new("down");
    let store = files_root(dir.path()).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let port = jifen_log::pgtest::free_port().expect("port");
    let target = WitnessTarget {
        url: format!("http://127.0.0.1:{port}"),
        verifier: NoteVerifier::new(
            "witness.example/gone",
            KeyKind::Cosignature,
            jifen_log::load::key_for(5, "gone")
                .verifying_key()
                .to_bytes(),
        )
        .expect("verifier"),
    };
    let running = serve(store.clone(), &[("c1", &c1)], vec![target], quick()).await;
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "R", 1, now());
    let index = http.submit("c1", &entries).await.expect("answer").json()["results"][0]["index"]
        .as_u64()
        .expect("index");
    let receipt = http
        .get(&format!("/logs/c1/receipt/{index}?wait_ms=8000"))
        .await
        .expect("answer");
    assert_eq!(receipt.status, 200);
    assert_eq!(
        http.get("/logs").await.expect("list").json()[0]["cosigned"],
        0
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_answers_each_case_with_the_status_the_specification_gives() {
    let dir = TempDir::new("statuses");
    let c1 = demo(1);
    let c2 = demo(2);
    let log = &c1.log;
    let (url, _, served) = witness(dir.path(), vec![log.verifier().expect("key")]).await;
    let http = Client::new(&url, Duration::from_secs(10));
    let key = &c1.keys["log"];
    let note = |size: u64| {
        let checkpoint = ledger_core::tlog::Checkpoint {
            origin: log.named().expect("named").origin.clone(),
            size,
            root: log.tree().root_at(size).expect("root"),
            extensions: vec![],
        };
        ledger_core::tlog::sign_checkpoint(&checkpoint, key)
            .expect("signed")
            .to_text()
            .into_bytes()
    };
    let request = |old: u64, size: u64| AddCheckpoint {
        old,
        proof: log.tree().consistency_proof(old, size).unwrap_or_default(),
        checkpoint: note(size),
    };
    let post = |body: Vec<u8>| {
        let http = http.clone();
        async move { http.post("/add-checkpoint", body).await.expect("answer") }
    };
    assert_eq!(post(b"hello".to_vec()).await.status, 400);
    // Another log's checkpoint: unknown origin.
    let foreign = AddCheckpoint {
        old: 0,
        proof: vec![],
        checkpoint: c2
            .log
            .sign_checkpoint(&c2.keys["log"])
            .expect("signed")
            .to_text()
            .into_bytes(),
    };
    assert_eq!(post(foreign.to_text()).await.status, 404);
    // This log's origin, signed by another key.
    let mut forged = request(0, 100);
    let text = String::from_utf8(forged.checkpoint.clone()).expect("text");
    let body_end = text.find("\n\n").expect("note") + 2;
    let other = ledger_core::tlog::Note::new(&text[..body_end - 1]).expect("note");
    let mut other = other;
    other.push(
        ledger_core::tlog::NoteSignature::ed25519(
            other.text(),
            log.named().expect("n").origin.as_str(),
            &c2.keys["log"],
        )
        .expect("sig"),
    );
    forged.checkpoint = other.to_text().into_bytes();
    assert_eq!(post(forged.to_text()).await.status, 403);
    assert_eq!(post(request(0, 100).to_text()).await.status, 200);
    let mut above = request(100, 120);
    above.old = 130;
    assert_eq!(post(above.to_text()).await.status, 400);
    let conflict = post(request(50, 120).to_text()).await;
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.content_type, "text/x.tlog.size");
    assert_eq!(conflict.body, b"100\n");
    let mut bad_proof = request(100, 120);
    bad_proof.proof[0][0] ^= 1;
    assert_eq!(post(bad_proof.to_text()).await.status, 422);
    let good = post(request(100, 120).to_text()).await;
    assert_eq!(good.status, 200);
    assert!(good.body.starts_with("— witness.example/w1 ".as_bytes()));
    served.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_policy_names_the_witnesses_and_says_when_a_checkpoint_is_witnessed() {
    let dir = TempDir::new("policy");
    let store = files_root(&dir.path().join("logs")).expect("root");
    let c1 = demo(1);
    c1.store_in(&store, "c1").await;
    let log_verifier = c1.log.verifier().expect("key");
    let (url, verifier, served) = witness(dir.path(), vec![log_verifier.clone()]).await;
    // The witness that runs, with its URL, and one that never answers;
    // the quorum needs the first.
    let silent = NoteVerifier::new(
        "witness.example/silent",
        KeyKind::Cosignature,
        jifen_log::load::key_for(3, "silent")
            .verifying_key()
            .to_bytes(),
    )
    .expect("verifier");
    let text = format!(
        "log {}\nwitness W1 {} {url}\nwitness W2 {}\nquorum W1\n",
        log_verifier.vkey(),
        verifier.vkey(),
        silent.vkey()
    );
    let policy = ledger_core::tlog::Policy::parse(text.as_bytes()).expect("policy");
    let running = jifen_log::start(jifen_log::Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        store: store.clone(),
        keys: [("c1".to_owned(), c1.keys["log"].clone())].into(),
        witnesses: vec![],
        policy: Some(policy.clone()),
        pace: quick(),
        web: None,
        max_connections: 16,
        export: None,
    })
    .await
    .expect("service");
    let http = client(&running);
    let mut admin = c1.device(&c1.log, "admin-1");
    let (entries, _) = jifen_log::load::register_residents(&mut admin, "Q", 1, now());
    let index = http.submit("c1", &entries).await.expect("answer").json()["results"][0]["index"]
        .as_u64()
        .expect("index");
    let receipt = http
        .get(&format!("/logs/c1/receipt/{index}?wait_ms=5000"))
        .await
        .expect("answer");
    let proof = TlogProof::parse(&receipt.body).expect("proof");
    let leaf = proof.extra.clone().expect("the receipt carries its leaf");
    let seen = proof
        .verify_with(&leaf_hash(&leaf), &policy)
        .expect("the receipt holds");
    assert!(seen.quorum, "witnessed by W1");
    assert_eq!(seen.cosigned, [0]);
    let list = http.get("/logs").await.expect("list").json();
    assert_eq!(list[0]["witnessed"], true);
    // The policy itself, for the notice board and phones.
    let served_policy = http.get("/policy").await.expect("policy");
    assert_eq!(served_policy.status, 200);
    assert_eq!(served_policy.body, text.as_bytes());
    // A policy that needs the silent witness too: not yet witnessed.
    let both = ledger_core::tlog::Policy::parse(
        format!(
            "log {}\nwitness W1 {}\nwitness W2 {}\ngroup B all W1 W2\nquorum B\n",
            log_verifier.vkey(),
            verifier.vkey(),
            silent.vkey()
        )
        .as_bytes(),
    )
    .expect("policy");
    assert!(
        !proof
            .verify_with(&leaf_hash(&leaf), &both)
            .expect("holds")
            .quorum
    );
    running.stop().await;
    served.abort();
}
