//! Writing as a device of the community's log: each entry is signed with
//! this device's key in its own chain, checked with every rule on the
//! device's copy (the log's leaves, then this device's entries not yet in
//! them), kept in IndexedDB's queue before the receipt shows, and sent to
//! the log in order; the log's answer (its index) is kept for the
//! receipt. Offline, the ledger's offline policy bounds what may queue.

use ledger_core::log::{DeviceDraft, DeviceEntry, Log, LogMark, OfflinePolicy, SubmitError};
use ledger_core::{Body, EntryHash, Lang, Ledger, Points, local_day};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::FollowedLog;
use crate::api::{ActionError, DATABASE, Device};
use crate::store::Store;

/// An entry this device signed that the log has not taken in yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    /// Its key in IndexedDB's queue (signing order).
    pub key: u64,
    /// The signed entry.
    pub line: String,
    /// Its hash.
    pub hash: EntryHash,
    /// The device's clock when it was signed.
    pub ts_ms: u64,
    /// Whether the log answered it (durable there): then it is off the
    /// stored queue, and waits here only for the leaf to come.
    pub answered: Option<u64>,
}

/// What this device's writing side keeps beside the followed log.
#[derive(Default)]
pub struct Outbox {
    /// Its entries not yet among the leaves, in signing order.
    pub queue: Vec<Queued>,
    /// Where the log's own leaves end in the copy (before `queue`).
    pub(super) mark: Option<LogMark>,
    /// Since when the log could not be reached (ms), if it cannot.
    pub offline_since: Option<u64>,
    /// Entries the log refused, and why (shown until dismissed).
    pub refused: Vec<String>,
    /// Entries the log answered lately: hash and index.
    pub answered: Vec<(EntryHash, u64)>,
}

impl Outbox {
    /// The log's index of an entry, once it answered.
    pub fn index_of(&self, hash: &EntryHash) -> Option<u64> {
        self.answered
            .iter()
            .find(|(h, _)| h == hash)
            .map(|&(_, index)| index)
    }

    /// Entries waiting to be answered.
    pub fn waiting(&self) -> usize {
        self.queue.iter().filter(|q| q.answered.is_none()).count()
    }
}

/// What a kiosk shows after a redeem on a followed log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogReceipt {
    /// The entry's hash.
    pub hash: EntryHash,
    /// The device that signed it.
    pub actor: String,
    /// The resident's balance after it, on this device's copy.
    pub balance: Points,
    /// Its place on this device's copy until the log answers.
    pub provisional: u64,
    /// When it was signed (ms).
    pub ts_ms: u64,
    /// Whether the log could not be reached when it was signed.
    pub offline: bool,
    /// The ledger's local time offset, minutes.
    pub utc_offset_minutes: i32,
}

/// Why the offline policy does not let this device queue `body` now
/// (`None`: it may). `offline`: the log could not be reached lately.
pub fn offline_refusal(
    ledger: &Ledger,
    policy: Option<&OfflinePolicy>,
    queue: &[Queued],
    body: &Body,
    now_ms: u64,
    lang: Lang,
) -> Option<String> {
    let Some(policy) = policy else {
        return Some(
            lang.pick(
                "连不上社区日志，账本没有设定离线规则：现在不能兑换",
                "the community's log cannot be reached and the ledger sets no offline policy: no redeem now",
            )
            .to_owned(),
        );
    };
    let waiting: Vec<&Queued> = queue.iter().filter(|q| q.answered.is_none()).collect();
    if waiting.len() as u64 >= u64::from(policy.max_queued) {
        return Some(match lang {
            Lang::Zh => format!(
                "离线时最多可排队 {} 条，已满：请等网络恢复",
                policy.max_queued
            ),
            Lang::En => format!(
                "at most {} entries may queue offline, and that many do: wait for the network",
                policy.max_queued
            ),
        });
    }
    let deadline = u64::from(policy.upload_within_hours) * 3_600_000;
    if let Some(oldest) = waiting.first()
        && now_ms > oldest.ts_ms.saturating_add(deadline)
    {
        return Some(match lang {
            Lang::Zh => format!(
                "最早排队的记录已超过 {} 小时的上传期限：请先联网上传",
                policy.upload_within_hours
            ),
            Lang::En => format!(
                "the oldest queued entry is past the {}-hour upload deadline: connect and upload first",
                policy.upload_within_hours
            ),
        });
    }
    let Body::Redeem {
        resident, points, ..
    } = body
    else {
        return None;
    };
    if *points > policy.max_points {
        return Some(match lang {
            Lang::Zh => format!("离线时每次兑换最多 {} 分", policy.max_points.to_wire()),
            Lang::En => format!(
                "offline, one redeem may take at most {} points",
                policy.max_points.to_wire()
            ),
        });
    }
    let offset = ledger.utc_offset_minutes();
    let today = local_day(now_ms, offset);
    let spent = waiting
        .iter()
        .filter(|q| local_day(q.ts_ms, offset) == today)
        .filter_map(|q| match DeviceEntry::parse(q.line.as_bytes()).ok()?.body {
            Body::Redeem {
                resident: r,
                points,
                ..
            } if &r == resident => Some(points),
            _ => None,
        })
        .fold(Points::ZERO, |sum, p| sum.plus(p));
    (spent.plus(*points) > policy.max_points_per_day).then(|| match lang {
        Lang::Zh => format!(
            "离线时每位居民每天最多兑换 {} 分，这位居民今天已排队 {} 分",
            policy.max_points_per_day.to_wire(),
            spent.to_wire()
        ),
        Lang::En => format!(
            "offline, a resident may redeem at most {} points a day, and {} are queued today",
            policy.max_points_per_day.to_wire(),
            spent.to_wire()
        ),
    })
}

/// Signs `body` with this device's key that may sign it, applies it to the
/// copy (every rule) and queues it in IndexedDB; the ledger and log come
/// back in every case, with the entry on them when it was queued.
pub async fn write_to_log(
    ledger: Ledger,
    log: FollowedLog,
    device: &Device,
    body: Body,
    now_ms: u64,
    lang: Lang,
) -> (Ledger, FollowedLog, Result<LogReceipt, ActionError>) {
    let (ledger, log, results) =
        write_many_to_log(ledger, log, device, vec![body], now_ms, lang).await;
    let result = results.and_then(|mut each| each.pop().unwrap_or(Err(ActionError::NoDevice)));
    (ledger, log, result)
}

/// The results of [`write_many_to_log`]: per body, its receipt or why not;
/// or why none was kept.
pub type Written = Result<Vec<Result<LogReceipt, ActionError>>, ActionError>;

/// Signs each body with this device's key that may sign the first, applies
/// each to the copy (a body the rules refuse is left out, with the reason)
/// and queues the rest in IndexedDB in one transaction. Long because it is
/// one sequence: the key, the offline policy, each entry, and the queue,
/// with the copy put back as it was if the browser does not keep them.
pub async fn write_many_to_log(
    ledger: Ledger,
    mut log: FollowedLog,
    device: &Device,
    bodies: Vec<Body>,
    now_ms: u64,
    lang: Lang,
) -> (Ledger, FollowedLog, Written) {
    let Some(first) = bodies.first() else {
        return (ledger, log, Ok(Vec::new()));
    };
    let Some((actor, key)) = device.signer(ledger.state(), first) else {
        return (ledger, log, Err(ActionError::NoDevice));
    };
    let offline = log.outbox.offline_since.is_some();
    let mut whole = match Log::join(ledger, log.parts) {
        Ok(whole) => whole,
        Err(back) => {
            let (ledger, parts) = *back;
            log.parts = parts;
            return (ledger, log, Err(ActionError::NoDevice));
        }
    };
    let mut results = Vec::new();
    let mut new: Vec<Queued> = Vec::new();
    let mut queue_key = log
        .outbox
        .queue
        .last()
        .map_or(0, |q| q.key + 1)
        .max(now_ms.saturating_mul(16));
    for body in bodies {
        if offline {
            let queued: Vec<Queued> = log.outbox.queue.iter().chain(&new).cloned().collect();
            let policy = whole.policy().copied();
            if let Some(why) = offline_refusal(
                whole.ledger(),
                policy.as_ref(),
                &queued,
                &body,
                now_ms,
                lang,
            ) {
                results.push(Err(ActionError::BadInput(why, None)));
                continue;
            }
        }
        let resident = match &body {
            Body::Redeem { resident, .. } => Some(resident.to_string()),
            _ => None,
        };
        if log.outbox.mark.is_none() {
            log.outbox.mark = Some(whole.mark());
        }
        let (dev_seq, dev_prev) = whole.device_next(&actor);
        let entry = DeviceEntry::sign(
            DeviceDraft {
                ledger: whole.ledger().id().clone(),
                actor: actor.clone(),
                dev_seq,
                dev_prev,
                ts_ms: now_ms,
                body,
                log: None,
                policy: None,
            },
            &key,
        );
        let line = String::from_utf8_lossy(&entry.to_bytes()).into_owned();
        let submitted = match whole.submit(line.as_bytes(), now_ms) {
            Ok(submitted) => submitted,
            Err(error) => {
                results.push(Err(ActionError::Log(error)));
                continue;
            }
        };
        new.push(Queued {
            key: queue_key,
            line,
            hash: entry.hash,
            ts_ms: now_ms,
            answered: None,
        });
        queue_key += 1;
        results.push(Ok(LogReceipt {
            hash: entry.hash,
            actor: actor.to_string(),
            balance: resident
                .and_then(|r| whole.ledger().balance(&r))
                .unwrap_or_default(),
            provisional: submitted.index,
            ts_ms: now_ms,
            offline,
            utc_offset_minutes: whole.ledger().utc_offset_minutes(),
        }));
    }
    if new.is_empty() {
        if log.outbox.queue.is_empty() {
            log.outbox.mark = None;
        }
        let (ledger, parts) = whole.split();
        log.parts = parts;
        return (ledger, log, Ok(results));
    }
    let rows: Vec<(u64, String)> = new.iter().map(|q| (q.key, q.line.clone())).collect();
    let stored = async {
        let store = Store::open(DATABASE).await?;
        let result = store.queue_put(rows).await;
        store.close();
        result
    }
    .await;
    if let Err(error) = stored {
        // Not kept by the browser: not on the copy either.
        let queue = core::mem::take(&mut log.outbox.queue);
        let (ledger, parts) = rebuild(whole, &mut log.outbox, queue, now_ms);
        log.parts = parts;
        return (ledger, log, Err(ActionError::Store(error)));
    }
    log.outbox.queue.extend(new);
    let (ledger, parts) = whole.split();
    log.parts = parts;
    (ledger, log, Ok(results))
}

/// The copy back at the log's own leaves (the outbox's mark), then this
/// device's `queue` applied again on top; entries the leaves already hold
/// leave the queue. Returns the ledger and log parts.
pub(super) fn rebuild(
    mut whole: Log,
    outbox: &mut Outbox,
    queue: Vec<Queued>,
    now_ms: u64,
) -> (Ledger, ledger_core::log::LogParts) {
    if let Some(mark) = outbox.mark.take() {
        // Always this log's past: taken on it, above.
        let _ = whole.rollback(mark);
    }
    reapply(&mut whole, outbox, queue, now_ms);
    whole.split()
}

/// Applies this device's queued entries on top of the log's leaves (a
/// mark first, to come back to); those already among the leaves are done,
/// their index kept for the receipt.
pub(super) fn reapply(whole: &mut Log, outbox: &mut Outbox, queue: Vec<Queued>, now_ms: u64) {
    outbox.mark = None;
    outbox.queue = Vec::new();
    // A phone's build writes nothing, so it never has a queue (see
    // `Lifecycle::start_log`): without the code that applies one.
    if queue.is_empty() || cfg!(not(feature = "writer")) {
        return;
    }
    let mark = whole.mark();
    for queued in queue {
        match whole.submit(queued.line.as_bytes(), now_ms) {
            Ok(submitted) if !submitted.new => {
                outbox.answered.push((queued.hash, submitted.index));
            }
            // Applied; or refused here, which is the log's to decide (an
            // offline redeem may leave a debt there): either way it waits.
            _ => outbox.queue.push(queued),
        }
    }
    if !outbox.queue.is_empty() {
        outbox.mark = Some(mark);
    }
}

/// One entry's answer from the log's `add`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Durable there, at this index.
    Index(u64),
    /// Refused, why (in the asked language), and whether a retry may pass.
    Refused {
        /// The sentence.
        message: String,
        /// Whether to send it again later.
        retry: bool,
    },
}

/// Sends `lines` to the log's `add`, in order, in one request; the log's
/// answer per line, or why the request did not get one.
pub async fn send(base: &str, lines: &[String], lang: Lang) -> Result<Vec<Answer>, String> {
    let tag = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    let url = format!("{base}add?lang={tag}");
    let body = lines.join("\n") + "\n";
    let fetch = js_sys::Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("fetch is not available")?;
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"method".into(), &"POST".into());
    let _ = js_sys::Reflect::set(&options, &"body".into(), &body.into());
    let _ = js_sys::Reflect::set(&options, &"cache".into(), &"no-store".into());
    let headers = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&headers, &"content-type".into(), &"text/plain".into());
    let _ = js_sys::Reflect::set(&options, &"headers".into(), &headers);
    let promise = fetch
        .call2(&JsValue::NULL, &url.into(), &options)
        .map_err(describe)?;
    let response = JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(describe)?;
    let status = js_sys::Reflect::get(&response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0);
    let text = js_sys::Reflect::get(&response, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("no text()")?
        .call0(&response)
        .map_err(describe)?;
    let text = JsFuture::from(js_sys::Promise::from(text))
        .await
        .map_err(describe)?
        .as_string()
        .unwrap_or_default();
    let Ok(answer) = serde_json::from_str::<AddAnswer>(&text) else {
        let message = serde_json::from_str::<Problem>(&text)
            .map(|p| p.message)
            .unwrap_or(text);
        return Err(format!("HTTP {} {message}", status as u16));
    };
    Ok(answer
        .results
        .into_iter()
        .map(|result| match result.index {
            Some(index) => Answer::Index(index),
            None => Answer::Refused {
                message: result.message.unwrap_or_else(|| "refused".to_owned()),
                retry: result.retry.unwrap_or(true),
            },
        })
        .collect())
}

/// The log service's answer to `add`.
#[derive(serde::Deserialize)]
struct AddAnswer {
    results: Vec<AddResult>,
}

/// One entry's part of it: its index, or why not.
#[derive(serde::Deserialize)]
struct AddResult {
    index: Option<u64>,
    message: Option<String>,
    retry: Option<bool>,
}

/// A refused request's body.
#[derive(serde::Deserialize)]
struct Problem {
    message: String,
}

fn describe(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".to_owned())
}

/// The stored queue, read back (after a reopen: the tab may have closed
/// with entries unsent).
pub async fn stored_queue() -> Vec<Queued> {
    let Ok(store) = Store::open(DATABASE).await else {
        return Vec::new();
    };
    let rows = store.queue_load().await.unwrap_or_default();
    store.close();
    rows.into_iter()
        .filter_map(|(key, line)| {
            let entry = DeviceEntry::parse(line.as_bytes()).ok()?;
            Some(Queued {
                key,
                hash: entry.hash,
                ts_ms: entry.ts_ms,
                line,
                answered: None,
            })
        })
        .collect()
}

/// Takes answered entries off the stored queue.
pub async fn unqueue(keys: Vec<u64>) {
    if keys.is_empty() {
        return;
    }
    if let Ok(store) = Store::open(DATABASE).await {
        let _ = store.queue_delete(keys).await;
        store.close();
    }
}

impl From<SubmitError> for ActionError {
    fn from(error: SubmitError) -> ActionError {
        ActionError::Log(error)
    }
}
