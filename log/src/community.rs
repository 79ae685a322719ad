//! One community's log in the service: a sequencer task that admits
//! submissions in batches (every check of the core, in log order), makes
//! them durable and only then answers; and a publisher task that signs a
//! checkpoint of the durable leaves, gathers the witnesses' cosignatures
//! and publishes it, at most every `interval` while entries arrive and
//! every `idle` when none do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use ledger_core::log::{DeviceEntry, Log, SubmitError, Submitted};
use ledger_core::tlog::{Checkpoint, Note, TlogProof, sign_checkpoint};
use ledger_core::{ActorId, Lang};
use tokio::sync::{mpsc, oneshot, watch};

use crate::store::{Opened, Store, StoreError};
use crate::witnesses::Witnesses;

/// The most entries one commit takes.
const MAX_BATCH: usize = 4096;

/// How the service paces a log.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// The longest a durable entry waits for a checkpoint while entries
    /// arrive.
    pub interval: Duration,
    /// How often an idle log's checkpoint is signed and witnessed again.
    pub idle: Duration,
    /// Entries a device may send at once, and per second after that.
    pub device_burst: u32,
    /// See `device_burst`.
    pub device_per_second: u32,
}

impl Default for Pace {
    fn default() -> Pace {
        Pace {
            interval: Duration::from_millis(500),
            idle: Duration::from_secs(600),
            device_burst: 10_000,
            device_per_second: 200,
        }
    }
}

/// Why an entry got no index.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// The log's rules refuse it; sending it again will not help.
    Rule(SubmitError),
    /// The device sends faster than its limit; retry later.
    TooFast,
    /// The storage failed; nothing was kept; retry later.
    Storage(String),
}

impl Refusal {
    /// A short, stable name for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::Rule(error) => error.kind(),
            Refusal::TooFast => "too_fast",
            Refusal::Storage(_) => "storage",
        }
    }

    /// Whether sending the same entry later may succeed.
    pub fn retry(&self) -> bool {
        !matches!(self, Refusal::Rule(_))
    }

    /// A sentence for the person at the device.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::Rule(error), _) => error.message(lang),
            (Refusal::TooFast, Lang::Zh) => "本设备提交太快，请稍后重试".to_owned(),
            (Refusal::TooFast, Lang::En) => {
                "this device is sending too fast; try again shortly".to_owned()
            }
            (Refusal::Storage(_), Lang::Zh) => {
                "日志暂时无法保存，条目未被接受；请稍后重试".to_owned()
            }
            (Refusal::Storage(_), Lang::En) => {
                "the log cannot store entries just now; nothing was accepted; try again shortly"
                    .to_owned()
            }
        }
    }
}

/// One entry's answer.
pub type Answer = Result<Submitted, Refusal>;

struct Job {
    entries: Vec<Vec<u8>>,
    reply: oneshot::Sender<Vec<Answer>>,
}

/// The last published checkpoint.
#[derive(Debug, Clone)]
pub struct Published {
    /// Its size.
    pub size: u64,
    /// The note, with the cosignatures gathered.
    pub note: Vec<u8>,
    /// How many witnesses cosigned it.
    pub cosigned: usize,
    /// Whether they make the witness policy's quorum (with no policy:
    /// whether every witness cosigned).
    pub witnessed: bool,
}

/// A device's allowance (a token bucket).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One community's log, shared by the HTTP handlers and its two tasks.
pub struct Community {
    /// The log's name (its path segment).
    pub name: String,
    log: RwLock<Log>,
    jobs: mpsc::Sender<Job>,
    durable: watch::Sender<u64>,
    published: watch::Sender<Option<Arc<Published>>>,
    buckets: Mutex<HashMap<ActorId, Bucket>>,
    pace: Pace,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Community {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Community")
            .field("name", &self.name)
            .finish()
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Community {
    /// Opens a stored log and starts its sequencer and publisher.
    pub async fn start(
        store: Store,
        name: &str,
        key: SigningKey,
        witnesses: Witnesses,
        pace: Pace,
    ) -> Result<Arc<Community>, StoreError> {
        Community::start_exporting(store, name, key, witnesses, pace, None).await
    }

    /// As [`Community::start`], also writing each published checkpoint
    /// with its tiles and bundles into `export/<name>/`, as tlog-tiles
    /// files for any static server or CDN.
    pub async fn start_exporting(
        store: Store,
        name: &str,
        key: SigningKey,
        witnesses: Witnesses,
        pace: Pace,
        export: Option<std::path::PathBuf>,
    ) -> Result<Arc<Community>, StoreError> {
        let (opened, loaded) = store.open(name).await?;
        let log = loaded.log;
        if log
            .named()
            .is_none_or(|named| named.key.0 != key.verifying_key().to_bytes())
        {
            return Err(StoreError::Config(format!(
                "{name}: the key given is not the log key its ledger names"
            )));
        }
        let published = loaded.published.and_then(|note| {
            let checkpoint = log.check_checkpoint(&note).ok()?;
            Some(Arc::new(Published {
                size: checkpoint.size,
                cosigned: witnesses.count_cosigned(&note),
                witnessed: witnesses.witnessed(&note),
                note,
            }))
        });
        let (jobs, receiver) = mpsc::channel(1024);
        let community = Arc::new(Community {
            name: name.to_owned(),
            durable: watch::Sender::new(log.len()),
            log: RwLock::new(log),
            jobs,
            published: watch::Sender::new(published),
            buckets: Mutex::new(HashMap::new()),
            pace,
            stop: watch::Sender::new(false),
            tasks: Mutex::new(Vec::new()),
        });
        let opened = Arc::new(opened);
        let shared = Sequencer {
            community: community.clone(),
            store: store.clone(),
            opened: opened.clone(),
            key: key.clone(),
            broken: false,
        };
        let sequencing = tokio::spawn(shared.run(receiver));
        let publisher = Publisher {
            community: community.clone(),
            store,
            opened,
            key,
            witnesses,
            export,
            exported: 0,
        };
        let publishing = tokio::spawn(publisher.run());
        if let Ok(mut tasks) = community.tasks.lock() {
            tasks.extend([sequencing, publishing]);
        }
        Ok(community)
    }

    /// Stops taking entries, lets the batch in hand finish, and releases
    /// the storage (a directory's lock) once both tasks have ended.
    pub async fn stop(&self) {
        self.stop.send_replace(true);
        let tasks: Vec<_> = self
            .tasks
            .lock()
            .map(|mut t| t.drain(..).collect())
            .unwrap_or_default();
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Submits entries (one, or a device's queue) and waits until each is
    /// durable or refused.
    pub async fn submit(&self, entries: Vec<Vec<u8>>) -> Vec<Answer> {
        let count = entries.len();
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job { entries, reply }).await.is_err() {
            return vec![Err(Refusal::Storage("the log has stopped".to_owned())); count];
        }
        answer.await.unwrap_or_else(|_| {
            vec![Err(Refusal::Storage("the log has stopped".to_owned())); count]
        })
    }

    /// Reads the log as it is in memory (durable or about to be).
    pub fn read<T>(&self, read: impl FnOnce(&Log) -> T) -> T {
        let log = self.log.read().unwrap_or_else(|e| e.into_inner());
        read(&log)
    }

    /// The last published checkpoint.
    pub fn published(&self) -> Option<Arc<Published>> {
        self.published.borrow().clone()
    }

    /// Waits until a published checkpoint covers leaf `index`, at most
    /// `wait`.
    pub async fn published_over(&self, index: u64, wait: Duration) -> Option<Arc<Published>> {
        let mut seen = self.published.subscribe();
        let covered = |p: &Option<Arc<Published>>| p.as_ref().is_some_and(|p| p.size > index);
        let found = tokio::time::timeout(wait, seen.wait_for(covered)).await;
        match found {
            Ok(Ok(published)) => published.clone(),
            _ => None,
        }
    }

    /// How many leaves are durable.
    pub fn durable(&self) -> u64 {
        *self.durable.borrow()
    }

    /// A receipt (C2SP tlog-proof) of leaf `index` under the published
    /// checkpoint, waiting up to `wait` for one to cover it.
    pub async fn receipt(&self, index: u64, wait: Duration) -> Option<TlogProof> {
        // Only a durable entry is worth waiting for: its checkpoint is due.
        let wait = if index < self.durable() {
            wait
        } else {
            Duration::ZERO
        };
        let published = self.published_over(index, wait).await?;
        // With the leaf itself, so that the receipt stands alone.
        self.read(|log| {
            let mut receipt = log.receipt(index, &published.note).ok()?;
            receipt.extra = log.leaf(index);
            Some(receipt)
        })
    }

    /// Takes `count` entries from the device's allowance, or says it is
    /// spent. Only registered devices have one (others are refused by the
    /// rules, and must not fill the table).
    pub fn allow(&self, actor: &ActorId, count: usize) -> bool {
        let known = self.read(|log| log.ledger().state().actor(actor.as_str()).is_some());
        if !known {
            return true;
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let burst = f64::from(self.pace.device_burst);
        let bucket = buckets.entry(actor.clone()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refill =
            now.duration_since(bucket.at).as_secs_f64() * f64::from(self.pace.device_per_second);
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= count as f64 {
            bucket.tokens -= count as f64;
            true
        } else {
            false
        }
    }
}

/// The task that admits and stores entries, one batch at a time.
struct Sequencer {
    community: Arc<Community>,
    store: Store,
    opened: Arc<Opened>,
    key: SigningKey,
    /// The memory may be ahead of storage: read it again before going on.
    broken: bool,
}

impl Sequencer {
    async fn run(mut self, mut receiver: mpsc::Receiver<Job>) {
        let mut stop = self.community.stop.subscribe();
        loop {
            let first = tokio::select! {
                job = receiver.recv() => job,
                _ = stop.wait_for(|&s| s) => None,
            };
            let Some(first) = first else { return };
            let mut count = first.entries.len();
            let mut jobs = vec![first];
            while count < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(job) => {
                        count += job.entries.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            let answers = self.commit(&jobs).await;
            for (job, answers) in jobs.into_iter().zip(answers) {
                let _ = job.reply.send(answers);
            }
        }
    }

    /// Reads the log back from storage, replacing memory.
    async fn reload(&mut self) -> Result<(), StoreError> {
        let loaded = self.store.load(&self.opened).await?;
        let size = loaded.log.len();
        *self
            .community
            .log
            .write()
            .unwrap_or_else(|e| e.into_inner()) = loaded.log;
        self.community.durable.send_replace(size);
        self.broken = false;
        Ok(())
    }

    /// Applies leaves another writer stored, after the ones in memory.
    fn follow(&mut self, leaves: &[Vec<u8>]) -> Result<(), String> {
        let mut log = self
            .community
            .log
            .write()
            .unwrap_or_else(|e| e.into_inner());
        for leaf in leaves {
            log.follow(leaf).map_err(|e| e.message(Lang::En))?;
        }
        let size = log.len();
        drop(log);
        self.community.durable.send_replace(size);
        Ok(())
    }

    async fn commit(&mut self, jobs: &[Job]) -> Vec<Vec<Answer>> {
        let fail = |why: String| -> Vec<Vec<Answer>> {
            jobs.iter()
                .map(|job| vec![Err(Refusal::Storage(why.clone())); job.entries.len()])
                .collect()
        };
        // Another writer may move the log between our read and our write;
        // then read it again and decide the batch anew.
        for _ in 0..5 {
            if self.broken
                && let Err(error) = self.reload().await
            {
                tracing::warn!(log = %self.community.name, %error, "cannot read the log back");
                return fail(error.to_string());
            }
            // Another process may have appended: take its leaves first, so
            // every entry is decided on the whole log.
            let memory = self.community.read(Log::len);
            match self.store.since(&self.opened, memory).await {
                Ok(Some((_, leaves))) if !leaves.is_empty() => {
                    if let Err(error) = self.follow(&leaves) {
                        tracing::error!(log = %self.community.name, %error, "another writer's leaves do not replay");
                        self.broken = true;
                        return fail(error);
                    }
                }
                Ok(_) => {}
                Err(error) => return fail(error.to_string()),
            }
            let (answers, append) = {
                let mut log = self
                    .community
                    .log
                    .write()
                    .unwrap_or_else(|e| e.into_inner());
                let old = log.len();
                let now = now_ms();
                let answers: Vec<Vec<Answer>> = jobs
                    .iter()
                    .map(|job| {
                        job.entries
                            .iter()
                            .map(|bytes| log.submit(bytes, now).map_err(Refusal::Rule))
                            .collect()
                    })
                    .collect();
                let append = (log.len() > old).then(|| {
                    let sequenced = log
                        .sign_checkpoint(&self.key)
                        .map(|note| note.to_text().into_bytes())
                        .unwrap_or_default();
                    self.store.prepare(&log, old, sequenced)
                });
                (answers, append)
            };
            let Some(append) = append else {
                // Refusals stand only if no other writer moved the log
                // while they were decided.
                match self.store.since(&self.opened, u64::MAX).await {
                    Ok(Some((size, _))) if size != self.community.read(Log::len) => continue,
                    Ok(_) => return answers,
                    Err(error) => return fail(error.to_string()),
                }
            };
            let size = self.community.read(Log::len);
            match self.store.append(&self.opened, append).await {
                Ok(()) => {
                    self.community.durable.send_replace(size);
                    return answers;
                }
                Err(StoreError::Conflict) => {
                    tracing::info!(log = %self.community.name, "another writer appended; reading the log again");
                    self.broken = true;
                }
                Err(error) => {
                    tracing::warn!(log = %self.community.name, %error, "append failed; nothing acknowledged");
                    self.broken = true;
                    // Read back now if storage allows, so retries are decided on what is kept.
                    let _ = self.reload().await;
                    return fail(error.to_string());
                }
            }
        }
        fail("another writer keeps appending".to_owned())
    }
}

/// The task that signs, witnesses and publishes checkpoints.
struct Publisher {
    community: Arc<Community>,
    store: Store,
    opened: Arc<Opened>,
    key: SigningKey,
    witnesses: Witnesses,
    /// A directory to write the published log into as tlog-tiles files
    /// (for a database-kept log), and the size written there so far.
    export: Option<std::path::PathBuf>,
    exported: u64,
}

impl Publisher {
    async fn run(mut self) {
        let mut durable = self.community.durable.subscribe();
        let mut stop = self.community.stop.subscribe();
        let mut last = Instant::now();
        // A checkpoint the witnesses have not all cosigned (the service
        // was down, or a witness was) goes to them again at once.
        let cosigned = self.community.published().map_or(0, |p| p.cosigned);
        if cosigned < self.witnesses.len()
            && let Err(error) = self.publish().await
        {
            tracing::warn!(log = %self.community.name, %error, "publishing a checkpoint failed");
        }
        loop {
            if *stop.borrow_and_update() {
                return;
            }
            let published = self.community.published().map_or(0, |p| p.size);
            let grown = async { durable.wait_for(|&size| size > published).await.map(|_| ()) };
            let stopped = async { stop.wait_for(|&s| s).await.map(|_| ()) };
            let waited = tokio::select! {
                waited = tokio::time::timeout(self.community.pace.idle, grown) => waited,
                _ = stopped => return,
            };
            match waited {
                Ok(Err(_)) => return,
                Ok(Ok(_)) => {
                    let since = last.elapsed();
                    if since < self.community.pace.interval {
                        tokio::time::sleep(self.community.pace.interval - since).await;
                    }
                }
                Err(_) => {}
            }
            last = Instant::now();
            if let Err(error) = self.publish().await {
                tracing::warn!(log = %self.community.name, %error, "publishing a checkpoint failed");
                tokio::time::sleep(self.community.pace.interval).await;
            }
        }
    }

    /// Writes the tiles and bundles a checkpoint of `size` needs, then the
    /// checkpoint, into `root/<name>/` for any static server.
    async fn export_to(
        &mut self,
        root: &std::path::Path,
        size: u64,
        note: &[u8],
    ) -> Result<(), StoreError> {
        let dir = root.join(&self.community.name);
        let from = self.exported.min(size);
        let (files, vkey) = self.community.read(|log| {
            (
                crate::files::growth_to(log, from, size),
                log.verifier().map(|v| v.vkey()),
            )
        });
        let note = note.to_vec();
        tokio::task::spawn_blocking(move || {
            crate::files::write_files(&dir, &files)?;
            if let Some(vkey) = vkey {
                crate::files::write_note(&dir, "vkey", format!("{vkey}\n").as_bytes())?;
            }
            crate::files::write_note(&dir, crate::files::CHECKPOINT, &note)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))??;
        self.exported = size;
        Ok(())
    }

    async fn publish(&mut self) -> Result<(), StoreError> {
        let size = self.community.durable();
        let (checkpoint, note) = self
            .community
            .read(|log| {
                let named = log.named()?;
                let checkpoint = Checkpoint {
                    origin: named.origin.clone(),
                    size,
                    root: log.tree().root_at(size)?,
                    extensions: Vec::new(),
                };
                let note = sign_checkpoint(&checkpoint, &self.key).ok()?;
                Some((checkpoint, note))
            })
            .ok_or_else(|| StoreError::Config("the log cannot sign a checkpoint".to_owned()))?;
        let community = &self.community;
        let proof = |old, new| community.read(|log| log.tree().consistency_proof(old, new));
        let note = self.witnesses.cosign(&proof, &checkpoint, note).await;
        let cosigned = self.witnesses.count_cosigned(note.to_text().as_bytes());
        let witnessed = self.witnesses.witnessed(note.to_text().as_bytes());
        let bytes = note.to_text().into_bytes();
        self.store
            .publish(&self.opened, size, bytes.clone())
            .await?;
        if let Some(root) = self.export.clone() {
            self.export_to(&root, size, &bytes).await?;
        }
        self.community
            .published
            .send_replace(Some(Arc::new(Published {
                size,
                note: bytes,
                cosigned,
                witnessed,
            })));
        Ok(())
    }
}

/// Reads a submission body: device entries, one per line.
pub fn split_entries(body: &[u8]) -> Vec<Vec<u8>> {
    body.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The device that signed an entry, if it reads.
pub fn actor_of(bytes: &[u8]) -> Option<ActorId> {
    DeviceEntry::parse(bytes).ok().map(|entry| entry.actor)
}

/// A note's text.
pub fn note_text(note: &Note) -> String {
    note.to_text()
}
