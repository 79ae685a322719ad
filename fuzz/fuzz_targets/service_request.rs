//! Any bytes as an HTTP request to the log service and to a witness: a
//! method, a path, a language header and a body. Never a panic, never a
//! 500 (a panic would be caught and turned into one).
#![no_main]

use std::sync::OnceLock;

use jifen_log::http::{Logs, router, witness_router};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Served {
    runtime: tokio::runtime::Runtime,
    service: axum::Router,
    witness: axum::Router,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = std::env::temp_dir().join(format!("jifen-fuzz-service-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = ledger_core::demo::DemoConfig {
            residents: 10,
            entries: 200,
            seed: 1,
            ..Default::default()
        };
        let demo = ledger_core::log::demo::generate_log(&config, "fuzz.example/c1", |_| {})
            .expect("demo");
        let key = demo
            .keys
            .iter()
            .find(|(id, _)| id.as_str() == "log")
            .map(|(_, seed)| ed25519_dalek::SigningKey::from_bytes(seed))
            .expect("log key");
        let (service, witness) = runtime.block_on(async {
            let store = jifen_log::store::files_root(&dir).expect("store");
            let note = demo.log.sign_checkpoint(&key).expect("checkpoint");
            store
                .create("c1", &demo.log, note.to_text().as_bytes())
                .await
                .expect("stored");
            let witnesses = jifen_log::Witnesses::new(vec![], std::time::Duration::from_millis(10));
            let community = jifen_log::Community::start(store, "c1", key, witnesses, jifen_log::Pace::default())
                .await
                .expect("community");
            let logs = std::sync::Arc::new(Logs {
                communities: [("c1".to_owned(), community)].into(),
                policy: None,
                bulk: Default::default(),
            });
            let witness = jifen_log::witness::Witness::new(
                "fuzz.example/w1",
                jifen_log::load::key_for(1, "w"),
                vec![demo.log.verifier().expect("verifier")],
                dir.join("witness.json"),
                None,
            )
            .expect("witness");
            (router(logs, None), witness_router(std::sync::Arc::new(witness)))
        });
        Served {
            runtime,
            service,
            witness,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let served = served();
    // method byte, then "path\nlanguage\n", then the body.
    let Some((&method, rest)) = data.split_first() else { return };
    let mut parts = rest.splitn(3, |&b| b == b'\n');
    let path = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let language = parts.next().unwrap_or_default().to_vec();
    let body = parts.next().unwrap_or_default().to_vec();
    let method = if method % 2 == 0 { "GET" } else { "POST" };
    let uri = format!("/{}", path.trim_start_matches('/'));
    for app in [&served.service, &served.witness] {
        let mut request = axum::http::Request::builder().method(method).uri(uri.as_str());
        if let Ok(value) = axum::http::HeaderValue::from_bytes(&language) {
            request = request.header("accept-language", value);
        }
        let Ok(request) = request.body(axum::body::Body::from(body.clone())) else {
            return;
        };
        let response = served
            .runtime
            .block_on(app.clone().oneshot(request))
            .expect("the router answers");
        assert_ne!(response.status(), 500, "{method} {uri}");
    }
});
