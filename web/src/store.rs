//! The ledger in IndexedDB: one record per entry, keyed by its `seq`, the
//! value being the entry's canonical line. Every append is one read-write
//! transaction that first checks that the store ends exactly where the
//! caller's copy does, so a reload, a crash or a killed tab never leaves
//! half an entry, and two tabs can never fork the chain: the second tab's
//! transaction finds the seq taken, aborts, and reports a conflict so that
//! it reloads.

use indexed_db::{Database, Factory};

mod raw;
use wasm_bindgen::{JsCast, JsValue};

/// The object store holding the entries.
const ENTRIES: &str = "entries";

/// The object store holding this device's own keys (one record, `self`).
const DEVICE: &str = "device";

/// The object store holding this device's entries for a community log
/// not yet answered by it, in the order they were signed.
const QUEUE: &str = "queue";

/// Schema version of the database: 1 had only `entries`; 2 adds `device`;
/// 3 adds `queue`.
const VERSION: u32 = 3;

/// What can go wrong with the browser's copy of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Another tab or device appended first: the caller's copy ends at
    /// `expected` entries but the store holds `found`. Reload and retry.
    Conflict {
        /// Entries the caller thought were stored.
        expected: u64,
        /// Entries actually stored.
        found: u64,
    },
    /// A line to store is not acceptable (too long): nothing was stored.
    BadLine {
        /// Its seq.
        seq: u64,
    },
    /// A stored record is not a line of text.
    Corrupt {
        /// Its seq.
        seq: u64,
    },
    /// The browser's storage for this site is full: nothing was written.
    Quota,
    /// The browser refused: IndexedDB unavailable, …
    Browser(String),
    /// A write returned but was not committed (for example the storage
    /// quota was reached when it committed): the store holds `found`
    /// entries, not `expected`.
    NotCommitted {
        /// Entries the write should have left.
        expected: u64,
        /// Entries stored.
        found: u64,
    },
}

impl StoreError {
    /// The message in `lang`.
    pub fn message(&self, lang: ledger_core::Lang) -> String {
        let zh = lang == ledger_core::Lang::Zh;
        match self {
            StoreError::Conflict { expected, found } if zh => format!(
                "另一个窗口或设备已先写入（本页以为有 {expected} 条，实际有 {found} 条），已重新载入"
            ),
            StoreError::Conflict { expected, found } => format!(
                "another tab or device wrote first ({expected} entries expected here, {found} stored); reloaded"
            ),
            StoreError::BadLine { seq } if zh => {
                format!("第 {seq} 条无法保存：内容过长，未写入任何内容")
            }
            StoreError::BadLine { seq } => {
                format!("entry {seq} cannot be stored: too long; nothing was written")
            }
            StoreError::Corrupt { seq } if zh => format!("浏览器中第 {seq} 条记录已损坏"),
            StoreError::Corrupt { seq } => {
                format!("the browser's record of entry {seq} is corrupt")
            }
            StoreError::NotCommitted { .. } if zh => {
                "浏览器没有保存这次写入（可能是存储空间已满），未写入任何内容".to_owned()
            }
            StoreError::NotCommitted { .. } => {
                "the browser did not keep this write (its storage may be full); nothing was written"
                    .to_owned()
            }
            StoreError::Quota if zh => {
                "浏览器的存储空间已满，这次没有写入任何内容。请清理浏览器空间或导出账本后再试。".to_owned()
            }
            StoreError::Quota => {
                "the browser's storage is full; nothing was written. Free some space (or export the ledger) and try again".to_owned()
            }
            StoreError::Browser(reason) if zh => format!("浏览器存储出错：{reason}"),
            StoreError::Browser(reason) => format!("browser storage failed: {reason}"),
        }
    }
}

impl core::fmt::Display for StoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message(ledger_core::Lang::En))
    }
}

impl std::error::Error for StoreError {}

fn browser(error: indexed_db::Error<StoreError>) -> StoreError {
    match error {
        indexed_db::Error::User(error) => error,
        other => StoreError::Browser(other.to_string()),
    }
}

fn key(seq: u64) -> JsValue {
    JsValue::from_f64(seq as f64)
}

/// The device store's record holding the ledger's snapshot.
const SNAPSHOT: &str = "snapshot";

/// The device's keys record, `(actor id, secret key in hex)` per line.
fn device_keys(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            line.split_once(' ')
                .map(|(a, s)| (a.to_owned(), s.to_owned()))
        })
        .collect()
}

/// Where a stored record stands: a v1 line's seq and hash, or a log
/// leaf's index and its entry's hash.
pub fn stored_head(line: &str) -> Option<ledger_core::Head> {
    if let Ok((_, entry)) = ledger_core::parse_line(line.as_bytes()) {
        return Some(ledger_core::Head {
            seq: entry.seq,
            hash: entry.hash,
        });
    }
    let leaf = ledger_core::log::Leaf::parse(line.as_bytes()).ok()?;
    Some(ledger_core::Head {
        seq: ledger_core::Seq(leaf.index),
        hash: leaf.entry.hash,
    })
}

/// What [`Store::load_quick`] read.
pub struct Quick {
    /// Entries stored.
    pub count: u64,
    /// The last stored entry's line.
    pub last_line: Option<String>,
    /// The stored snapshot's bytes.
    pub snapshot: Option<Vec<u8>>,
    /// This device's keys, `(actor id, secret key in hex)`.
    pub keys: Vec<(String, String)>,
}

impl Quick {
    fn from_values(
        count: u64,
        last: Option<JsValue>,
        snapshot: Option<JsValue>,
        keys: Option<JsValue>,
    ) -> Quick {
        Quick {
            count,
            last_line: last.and_then(|value| value.as_string()),
            snapshot: snapshot
                .filter(|value| value.is_instance_of::<js_sys::Uint8Array>())
                .map(|value| js_sys::Uint8Array::from(value).to_vec()),
            keys: keys
                .and_then(|value| value.as_string())
                .map(|text| device_keys(&text))
                .unwrap_or_default(),
        }
    }

    /// What index.html read of the same records while the app loaded
    /// (`window.jifenQuick`, a promise), taken once: a reopen need not wait
    /// for IndexedDB after the wasm starts. `None` when it read nothing.
    pub async fn early() -> Option<Quick> {
        let global = js_sys::global();
        let promise = js_sys::Reflect::get(&global, &"jifenQuick".into())
            .ok()?
            .dyn_into::<js_sys::Promise>()
            .ok()?;
        let _ = js_sys::Reflect::set(&global, &"jifenQuick".into(), &JsValue::UNDEFINED);
        let read = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        let field = |name: &str| {
            js_sys::Reflect::get(&read, &name.into())
                .ok()
                .filter(|value| !value.is_undefined() && !value.is_null())
        };
        let count = field("count")?.as_f64()?;
        Some(Quick::from_values(
            count as u64,
            field("last"),
            field("snapshot"),
            field("keys"),
        ))
    }
}

/// An open IndexedDB database holding one ledger.
pub struct Store {
    db: Database<StoreError>,
    name: String,
}

impl Store {
    /// Opens (creating if needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let factory = Factory::<StoreError>::get().map_err(browser)?;
        let db = factory
            .open(name, VERSION, |event| async move {
                if event.old_version() < 1 {
                    event.database().build_object_store(ENTRIES).create()?;
                }
                if event.old_version() < 2 {
                    event.database().build_object_store(DEVICE).create()?;
                }
                if event.old_version() < 3 {
                    event.database().build_object_store(QUEUE).create()?;
                }
                Ok(())
            })
            .await
            .map_err(browser)?;
        Ok(Store {
            db,
            name: name.to_owned(),
        })
    }

    /// Number of stored entries.
    pub async fn count(&self) -> Result<u64, StoreError> {
        self.db
            .transaction(&[ENTRIES])
            .run(|t| async move { Ok(t.object_store(ENTRIES)?.count().await? as u64) })
            .await
            .map_err(browser)
    }

    /// Every stored line, in seq order (keys are numbers, which IndexedDB
    /// returns in ascending order).
    pub async fn load(&self) -> Result<Vec<String>, StoreError> {
        let values = self
            .db
            .transaction(&[ENTRIES])
            .run(|t| async move { t.object_store(ENTRIES)?.get_all(None).await })
            .await
            .map_err(browser)?;
        values
            .into_iter()
            .enumerate()
            .map(|(seq, value)| {
                value
                    .as_string()
                    .ok_or(StoreError::Corrupt { seq: seq as u64 })
            })
            .collect()
    }

    /// Appends `lines` as entries `first_seq`, `first_seq + 1`, … in one
    /// transaction: all are stored, or none. Fails with
    /// [`StoreError::Conflict`] if the store does not hold exactly
    /// `first_seq` entries (another tab got there first).
    pub async fn append(&self, first_seq: u64, lines: Vec<String>) -> Result<(), StoreError> {
        let expected = first_seq + lines.len() as u64;
        raw::write_lines(&self.name, first_seq, &lines, false).await?;
        self.confirm_committed(expected).await
    }

    /// Replaces the whole ledger (an import that verified) in one
    /// transaction.
    pub async fn replace_all(&self, lines: Vec<String>) -> Result<(), StoreError> {
        let expected = lines.len() as u64;
        raw::write_lines(&self.name, 0, &lines, true).await?;
        self.confirm_committed(expected).await
    }

    /// A read-only transaction starts only after the read-write one before
    /// it has finished, so counting the entries here tells whether that
    /// write really committed (a quota failure shows up at commit time,
    /// after the transaction's closure has returned).
    async fn confirm_committed(&self, expected: u64) -> Result<(), StoreError> {
        let found = self.count().await?;
        if found == expected {
            Ok(())
        } else {
            Err(StoreError::NotCommitted { expected, found })
        }
    }

    /// Keeps this device's keys, `(actor id, secret key in hex)`,
    /// replacing any it had.
    pub async fn save_device(&self, keys: Vec<(String, String)>) -> Result<(), StoreError> {
        let text: Vec<String> = keys
            .iter()
            .map(|(actor, secret)| format!("{actor} {secret}"))
            .collect();
        raw::put_text(&self.name, DEVICE, "self", &text.join("\n")).await
    }

    /// This device's keys, `(actor id, secret key in hex)`; empty if none.
    pub async fn load_device(&self) -> Result<Vec<(String, String)>, StoreError> {
        let record = self
            .db
            .transaction(&[DEVICE])
            .run(|t| async move {
                t.object_store(DEVICE)?
                    .get(&JsValue::from_str("self"))
                    .await
            })
            .await
            .map_err(browser)?;
        Ok(record
            .and_then(|value| value.as_string())
            .map(|text| device_keys(&text))
            .unwrap_or_default())
    }

    /// Keeps a snapshot of the verified ledger's state (see
    /// `ledger_core::Snapshot`), replacing the one before, if the stored
    /// entries end at its `head`; `Ok(false)` (nothing written) if they do
    /// not: another tab has written since, and this snapshot would only be
    /// refused at the next reopen. Checked and written in one transaction,
    /// so no append comes in between; an error if the browser does not
    /// commit it (a full disk). A cache: the entries stay the source of
    /// truth.
    pub async fn save_snapshot(
        &self,
        bytes: &[u8],
        head: ledger_core::Head,
    ) -> Result<bool, StoreError> {
        let ends_at_head = |last: &JsValue| {
            last.as_string()
                .and_then(|line| stored_head(&line))
                .is_some_and(|at| at == head)
        };
        let end = raw::EntriesEnd {
            count: head.seq.0 + 1,
            last: &ends_at_head,
        };
        let value = js_sys::Uint8Array::from(bytes);
        raw::put_if(&self.name, DEVICE, SNAPSHOT, &value, Some(end)).await
    }

    /// What a quick reopen needs, read in one transaction: the stored
    /// snapshot (if any), how many entries are stored, the last one's
    /// line, and this device's keys.
    pub async fn load_quick(&self) -> Result<Quick, StoreError> {
        let (count, last, snapshot, keys) = self
            .db
            .transaction(&[ENTRIES, DEVICE])
            .run(|t| async move {
                let entries = t.object_store(ENTRIES)?;
                let count = entries.count().await? as u64;
                let last = match count {
                    0 => None,
                    n => entries.get(&key(n - 1)).await?,
                };
                let device = t.object_store(DEVICE)?;
                let snapshot = device.get(&JsValue::from_str(SNAPSHOT)).await?;
                let keys = device.get(&JsValue::from_str("self")).await?;
                Ok((count, last, snapshot, keys))
            })
            .await
            .map_err(browser)?;
        Ok(Quick::from_values(count, last, snapshot, keys))
    }

    /// Keeps this device's PIN record (salt and stretched hash).
    pub async fn save_pin(&self, record: &str) -> Result<(), StoreError> {
        raw::put_text(&self.name, DEVICE, "pin", record).await
    }

    /// This device's PIN record, if a PIN was chosen.
    pub async fn load_pin(&self) -> Result<Option<String>, StoreError> {
        let record = self
            .db
            .transaction(&[DEVICE])
            .run(|t| async move { t.object_store(DEVICE)?.get(&JsValue::from_str("pin")).await })
            .await
            .map_err(browser)?;
        Ok(record.and_then(|value| value.as_string()))
    }

    /// Keeps a text record of the device store (a followed log's policy
    /// and checkpoint), replacing the one before.
    pub async fn save_text(&self, key: &str, text: &str) -> Result<(), StoreError> {
        raw::put_text(&self.name, DEVICE, key, text).await
    }

    /// A text record of the device store, if there is one.
    pub async fn load_text(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = key.to_owned();
        let record = self
            .db
            .transaction(&[DEVICE])
            .run(|t| async move { t.object_store(DEVICE)?.get(&JsValue::from_str(&key)).await })
            .await
            .map_err(browser)?;
        Ok(record.and_then(|value| value.as_string()))
    }

    /// Queues entries signed for the community's log, each under its key
    /// (keys count up in signing order), in one transaction; committed
    /// when this returns.
    pub async fn queue_put(&self, rows: Vec<(u64, String)>) -> Result<(), StoreError> {
        self.db
            .transaction(&[QUEUE])
            .rw()
            .run(move |t| async move {
                let queue = t.object_store(QUEUE)?;
                for (k, line) in rows {
                    queue
                        .put_kv(&self::key(k), &JsValue::from_str(&line))
                        .await?;
                }
                Ok(())
            })
            .await
            .map_err(browser)
    }

    /// The queue, in signing order: each entry's key and line.
    pub async fn queue_load(&self) -> Result<Vec<(u64, String)>, StoreError> {
        let (keys, values) = self
            .db
            .transaction(&[QUEUE])
            .run(|t| async move {
                let queue = t.object_store(QUEUE)?;
                let keys = queue.get_all_keys(None).await?;
                let values = queue.get_all(None).await?;
                Ok((keys, values))
            })
            .await
            .map_err(browser)?;
        Ok(keys
            .into_iter()
            .zip(values)
            .filter_map(|(k, v)| Some((k.as_f64()? as u64, v.as_string()?)))
            .collect())
    }

    /// Takes entries off the queue (the log answered them).
    pub async fn queue_delete(&self, keys: Vec<u64>) -> Result<(), StoreError> {
        self.db
            .transaction(&[QUEUE])
            .rw()
            .run(move |t| async move {
                let queue = t.object_store(QUEUE)?;
                for k in keys {
                    queue.delete(&self::key(k)).await?;
                }
                Ok(())
            })
            .await
            .map_err(browser)
    }

    /// Closes the connection (as a closed tab would).
    pub fn close(self) {
        self.db.close();
    }
}
