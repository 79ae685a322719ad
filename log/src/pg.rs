//! The PostgreSQL storage: many communities' logs in one database. A
//! leaf is durable once its transaction commits; the append is a
//! compare-and-swap on the log's size, so a second process that read an
//! older size is refused and must read the log again.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::error::StoreError;

/// The migrations, in order; each runs once, in its own transaction.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../migrations/0001_logs.sql"))];

/// An advisory lock's key, so that two processes starting at once migrate
/// one after the other.
const MIGRATION_LOCK: i64 = 0x6a69_6665_6e00_0001;

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Pg {
    pool: Pool,
}

impl std::fmt::Debug for Pg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pg")
    }
}

fn db(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

impl Pg {
    /// Connects to `url` (`postgres://user@host:port/db`) and brings the
    /// schema up to date.
    pub async fn connect(url: &str, connections: usize) -> Result<Pg, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Config(format!("{url}: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(2))
            .wait_timeout(Some(std::time::Duration::from_secs(5)))
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Config(e.to_string()))?;
        let pg = Pg { pool };
        pg.migrate().await?;
        Ok(pg)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(db)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(db)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS jifen_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .map_err(db)?;
        for (version, sql) in MIGRATIONS {
            let done = tx
                .query_opt(
                    "SELECT 1 FROM jifen_migrations WHERE version = $1",
                    &[version],
                )
                .await
                .map_err(db)?;
            if done.is_none() {
                tx.batch_execute(sql).await.map_err(db)?;
                tx.execute(
                    "INSERT INTO jifen_migrations (version) VALUES ($1)",
                    &[version],
                )
                .await
                .map_err(db)?;
            }
        }
        tx.commit().await.map_err(db)
    }

    /// The logs' names.
    pub async fn names(&self) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT name FROM jifen_logs ORDER BY name", &[])
            .await
            .map_err(db)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// A new log with these leaves and its first published checkpoint;
    /// refused if the name is taken.
    pub async fn create(
        &self,
        name: &str,
        leaves: &[Vec<u8>],
        checkpoint: &[u8],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let size = leaves.len() as i64;
        let made = tx
            .execute(
                "INSERT INTO jifen_logs (name, size, checkpoint, checkpoint_size) VALUES ($1, $2, $3, $2) ON CONFLICT DO NOTHING",
                &[&name, &size, &checkpoint],
            )
            .await
            .map_err(db)?;
        if made == 0 {
            return Err(StoreError::Exists(name.to_owned()));
        }
        insert_leaves(&tx, name, 0, leaves).await?;
        tx.commit().await.map_err(db)
    }

    /// Every durable leaf of a log, in order, and its published checkpoint.
    pub async fn load(&self, name: &str) -> Result<(Vec<Vec<u8>>, Option<Vec<u8>>), StoreError> {
        let (size, checkpoint, leaves) = self.read(name, 0).await?;
        if leaves.len() as u64 != size {
            return Err(StoreError::Corrupt(format!(
                "{name}: {} leaves stored for size {size}",
                leaves.len()
            )));
        }
        Ok((leaves, checkpoint))
    }

    /// The durable size, and the leaves from `from` up to it.
    pub async fn since(&self, name: &str, from: u64) -> Result<(u64, Vec<Vec<u8>>), StoreError> {
        let (size, _, leaves) = self.read(name, from).await?;
        Ok((size, leaves))
    }

    /// In one snapshot: the durable size, the published checkpoint, and
    /// the leaves from `from` up to that size.
    async fn read(
        &self,
        name: &str,
        from: u64,
    ) -> Result<(u64, Option<Vec<u8>>, Vec<Vec<u8>>), StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db)?;
        let row = tx
            .query_opt(
                "SELECT size, checkpoint FROM jifen_logs WHERE name = $1",
                &[&name],
            )
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::NoSuchLog(name.to_owned()))?;
        let size: i64 = row.get(0);
        let checkpoint: Option<Vec<u8>> = row.get(1);
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let leaves = if size > from {
            tx.query(
                "SELECT leaf FROM jifen_leaves WHERE log = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
                &[&name, &from, &size],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| r.get(0))
            .collect()
        } else {
            Vec::new()
        };
        tx.commit().await.map_err(db)?;
        Ok((size as u64, checkpoint, leaves))
    }

    /// Appends leaves `old..` if the log still has `old` leaves.
    pub async fn append(&self, name: &str, old: u64, leaves: &[Vec<u8>]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let (old_size, new_size) = (old as i64, (old + leaves.len() as u64) as i64);
        let swapped = tx
            .execute(
                "UPDATE jifen_logs SET size = $3 WHERE name = $1 AND size = $2",
                &[&name, &old_size, &new_size],
            )
            .await
            .map_err(db)?;
        if swapped != 1 {
            return Err(StoreError::Conflict);
        }
        insert_leaves(&tx, name, old, leaves).await?;
        tx.commit().await.map_err(db)
    }

    /// Publishes a checkpoint of `size`, unless one of a larger size is
    /// already published.
    pub async fn publish(&self, name: &str, size: u64, note: &[u8]) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let size = size as i64;
        let done = client
            .execute(
                "UPDATE jifen_logs SET checkpoint = $3, checkpoint_size = $2 WHERE name = $1 AND checkpoint_size <= $2 AND size >= $2",
                &[&name, &size, &note],
            )
            .await
            .map_err(db)?;
        Ok(done == 1)
    }
}

async fn insert_leaves(
    tx: &deadpool_postgres::Transaction<'_>,
    name: &str,
    first: u64,
    leaves: &[Vec<u8>],
) -> Result<(), StoreError> {
    for (chunk_at, chunk) in leaves.chunks(1000).enumerate() {
        let start = first as i64 + (chunk_at * 1000) as i64;
        let indexes: Vec<i64> = (0..chunk.len() as i64).map(|i| start + i).collect();
        tx.execute(
            "INSERT INTO jifen_leaves (log, idx, leaf) SELECT $1::TEXT, * FROM unnest($2::BIGINT[], $3::BYTEA[])",
            &[&name, &indexes, &chunk],
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}
