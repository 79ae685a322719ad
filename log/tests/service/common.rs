//! A demo community, a service around it, and devices that write to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ed25519_dalek::SigningKey;
use jifen_log::client::Client;
use jifen_log::load::Device;
use jifen_log::{Config, Pace, Running, Store, WitnessTarget};
use ledger_core::demo::DemoConfig;
use ledger_core::log::Log;

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("jifen-log-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small demo community: its log and every key.
pub struct Demo {
    pub log: Log,
    pub keys: HashMap<String, SigningKey>,
}

pub fn demo(seed: u64) -> Demo {
    let config = DemoConfig {
        residents: 20,
        entries: 300,
        seed,
        ..Default::default()
    };
    let demo =
        ledger_core::log::demo::generate_log(&config, &format!("jifen.example/c{seed}"), |_| {})
            .expect("demo log");
    let keys = demo
        .keys
        .iter()
        .map(|(id, seed)| (id.to_string(), SigningKey::from_bytes(seed)))
        .collect();
    Demo {
        log: demo.log,
        keys,
    }
}

impl Demo {
    pub fn device(&self, log: &Log, actor: &str) -> Device {
        Device::of(log, actor, self.keys[actor].clone()).expect("device")
    }

    pub async fn store_in(&self, store: &Store, name: &str) {
        let note = self
            .log
            .sign_checkpoint(&self.keys["log"])
            .expect("checkpoint");
        store
            .create(name, &self.log, note.to_text().as_bytes())
            .await
            .expect("demo stored");
    }
}

/// Checkpoints quickly, so tests wait little.
pub fn quick() -> Pace {
    Pace {
        interval: Duration::from_millis(50),
        ..Pace::default()
    }
}

pub async fn serve(
    store: Store,
    logs: &[(&str, &Demo)],
    witnesses: Vec<WitnessTarget>,
    pace: Pace,
) -> Running {
    serve_exporting(store, logs, witnesses, pace, None).await
}

pub async fn serve_exporting(
    store: Store,
    logs: &[(&str, &Demo)],
    witnesses: Vec<WitnessTarget>,
    pace: Pace,
    export: Option<PathBuf>,
) -> Running {
    serve_all(store, logs, witnesses, pace, export, None).await
}

/// The service with every option: `web` is the web app's directory.
pub async fn serve_all(
    store: Store,
    logs: &[(&str, &Demo)],
    witnesses: Vec<WitnessTarget>,
    pace: Pace,
    export: Option<PathBuf>,
    web: Option<PathBuf>,
) -> Running {
    let keys = logs
        .iter()
        .map(|(name, demo)| ((*name).to_owned(), demo.keys["log"].clone()))
        .collect();
    jifen_log::start(Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        store,
        keys,
        witnesses,
        policy: None,
        pace,
        web,
        max_connections: 256,
        export,
    })
    .await
    .expect("service starts")
}

pub fn client(running: &Running) -> Client {
    Client::new(
        &format!("http://{}", running.address),
        Duration::from_secs(20),
    )
}

pub fn now() -> u64 {
    jifen_log::community::now_ms()
}
