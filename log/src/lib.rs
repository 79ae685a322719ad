//! The community log service (format v2 over HTTP): devices submit the
//! entries their keys signed; the service checks each (signature, device
//! chain, every rule, in log order), makes it durable and answers its
//! index; it signs C2SP checkpoints, has witnesses cosign them, and serves
//! them with the tiles (C2SP tlog-tiles) and receipts (C2SP tlog-proof).
//! Logs live in directories of files or in PostgreSQL.

pub mod client;
pub mod community;
pub mod error;
pub mod files;
pub mod http;
pub mod load;
pub mod pg;
pub mod pgtest;
pub mod store;
pub mod witness;
pub mod witnesses;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ed25519_dalek::SigningKey;

pub use community::{Community, Pace, Refusal};
pub use store::{Store, StoreError};
pub use witnesses::{WitnessTarget, Witnesses};

/// How one service process runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it listens (127.0.0.1 unless told otherwise).
    pub listen: SocketAddr,
    /// The logs' storage.
    pub store: Store,
    /// The log keys, by log name; a log without one is not served.
    pub keys: HashMap<String, SigningKey>,
    /// The witnesses every log asks.
    pub witnesses: Vec<WitnessTarget>,
    /// Or a C2SP tlog-policy naming them (with URLs) and the quorum.
    pub policy: Option<ledger_core::tlog::Policy>,
    /// The pace of checkpoints and the devices' limits.
    pub pace: Pace,
    /// The web app's files, served at `/`.
    pub web: Option<PathBuf>,
    /// The most connections open at once.
    pub max_connections: usize,
    /// A directory each published checkpoint is also written into, with
    /// its tiles and bundles, for a static server (one folder per log).
    pub export: Option<PathBuf>,
}

/// A running service.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub address: SocketAddr,
    /// Its logs.
    pub logs: Arc<http::Logs>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops listening and stops every log (each finishes the batch in
    /// hand), releasing the storage.
    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
        for community in self.logs.communities.values() {
            community.stop().await;
        }
    }

    /// Serves until the task ends (it does not, unless the listener fails).
    pub async fn wait(self) -> std::io::Result<()> {
        self.server
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
    }

    /// Serves until `stop` completes (Ctrl-C), then stops as
    /// [`Running::stop`] does: each log finishes the batch in hand.
    pub async fn serve_until(
        mut self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        tokio::select! {
            served = &mut self.server => served.map_err(|e| std::io::Error::other(e.to_string()))?,
            () = stop => {
                self.stop().await;
                Ok(())
            }
        }
    }
}

/// Opens every stored log that has a key and serves them all.
pub async fn start(config: Config) -> Result<Running, StoreError> {
    let names = config.store.names().await?;
    let mut communities = HashMap::new();
    for name in names {
        let Some(key) = config.keys.get(&name) else {
            tracing::warn!(log = %name, "no key for this log; not served");
            continue;
        };
        let timeout = std::time::Duration::from_secs(2);
        let witnesses = match &config.policy {
            Some(policy) => Witnesses::from_policy(policy.clone(), timeout),
            None => Witnesses::new(config.witnesses.clone(), timeout),
        };
        let community = Community::start_exporting(
            config.store.clone(),
            &name,
            key.clone(),
            witnesses,
            config.pace,
            config.export.clone(),
        )
        .await?;
        communities.insert(name, community);
    }
    let logs = Arc::new(http::Logs {
        communities,
        policy: config.policy.as_ref().map(|p| p.text().to_vec()),
        bulk: http::BulkCache::default(),
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| StoreError::Config(format!("cannot listen on {}: {e}", config.listen)))?;
    let address = listener
        .local_addr()
        .map_err(|e| StoreError::Config(e.to_string()))?;
    let app = http::router(logs.clone(), config.web.clone());
    let limited = http::Limited::new(listener, config.max_connections);
    let server = tokio::spawn(async move { axum::serve(limited, app).await });
    Ok(Running {
        address,
        logs,
        server,
    })
}
