//! Writes straight through `web-sys`, for two reasons: a bulk write issues
//! its requests without waiting for each (100,000 records in one
//! transaction, 1,024 requests at a time, instead of one round trip each)
//! and waits for the transaction's `complete`, and every browser
//! error — a full disk (`QuotaExceededError`) above all — comes back as a
//! [`StoreError`] with its DOM name instead of a panic (indexed-db 0.4.2
//! panics on a DOMException it does not know).

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbObjectStore, IdbRequest, IdbTransaction};

use super::{ENTRIES, StoreError, VERSION, key};

/// The DOM error's name and message, e.g. `QuotaExceededError: …`.
fn dom_error(value: &JsValue) -> String {
    let field = |name: &str| {
        Reflect::get(value, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let (name, message) = (field("name"), field("message"));
    match (name.is_empty(), message.is_empty()) {
        (true, true) => value.as_string().unwrap_or_else(|| "unknown".to_owned()),
        (false, true) => name,
        (true, false) => message,
        (false, false) => format!("{name}: {message}"),
    }
}

fn failed(value: JsValue) -> StoreError {
    let text = dom_error(&value);
    if text.starts_with("QuotaExceededError") {
        StoreError::Quota
    } else {
        StoreError::Browser(text)
    }
}

/// Resolves with the request's result, or fails with its error.
async fn request(request: &IdbRequest) -> Result<JsValue, StoreError> {
    watch(request).await
}

/// [`request`], its handlers set at once (not when first awaited), so
/// that a request awaited later cannot finish unseen.
fn watch(request: &IdbRequest) -> impl Future<Output = Result<JsValue, StoreError>> + use<> {
    let target = request.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        target.set_onsuccess(Some(&resolve));
        target.set_onerror(Some(&reject));
    });
    let request = request.clone();
    async move {
        JsFuture::from(promise).await.map_err(|_| {
            failed(
                request
                    .error()
                    .ok()
                    .flatten()
                    .map(JsValue::from)
                    .unwrap_or(JsValue::NULL),
            )
        })?;
        request.result().map_err(failed)
    }
}

/// Whether a request is still waiting for the browser.
fn pending(request: &IdbRequest) -> bool {
    Reflect::get(request, &"readyState".into())
        .ok()
        .and_then(|state| state.as_string())
        .is_some_and(|state| state == "pending")
}

/// How many requests the page issues before it lets the browser draw and
/// take input: 20–40 ms of work here (a first open stores 100,000 lines:
/// issued at once, they held the page for two seconds).
const SLICE_LINES: usize = 1024;

/// Resolves when the transaction commits; fails when it aborts, with the
/// transaction's error (a full disk shows up here, at commit).
async fn committed(transaction: &IdbTransaction) -> Result<(), StoreError> {
    let target = transaction.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        target.set_oncomplete(Some(&resolve));
        target.set_onerror(Some(&reject));
        target.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    transaction.set_oncomplete(None);
    transaction.set_onerror(None);
    transaction.set_onabort(None);
    outcome.map(|_| ()).map_err(|_| {
        failed(
            transaction
                .error()
                .map(JsValue::from)
                .unwrap_or_else(|| "AbortError".into()),
        )
    })
}

/// Opens the database (already created and upgraded by `Store::open`).
async fn open(name: &str) -> Result<IdbDatabase, StoreError> {
    let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| StoreError::Browser("IndexedDB is not available".to_owned()))?;
    let opening = factory.open_with_u32(name, VERSION).map_err(failed)?;
    request(&opening)
        .await?
        .dyn_into()
        .map_err(|_| StoreError::Browser("not a database".to_owned()))
}

/// Writes `lines` as entries `first_seq`, `first_seq + 1`, … in one
/// transaction. With `replace`, the store is cleared first; otherwise it
/// must hold exactly `first_seq` entries (another tab may have written).
/// All are stored, or none.
pub(super) async fn write_lines(
    name: &str,
    first_seq: u64,
    lines: &[String],
    replace: bool,
) -> Result<(), StoreError> {
    let db = open(name).await?;
    let result = write_in(&db, first_seq, lines, replace).await;
    db.close();
    result
}

async fn write_in(
    db: &IdbDatabase,
    first_seq: u64,
    lines: &[String],
    replace: bool,
) -> Result<(), StoreError> {
    let transaction = db
        .transaction_with_str_sequence_and_mode(
            &Array::of1(&ENTRIES.into()),
            web_sys::IdbTransactionMode::Readwrite,
        )
        .map_err(failed)?;
    let store: IdbObjectStore = transaction.object_store(ENTRIES).map_err(failed)?;
    let abort = |error: StoreError| {
        let _ = transaction.abort();
        error
    };
    if replace {
        store.clear().map_err(failed).map_err(abort)?;
    } else {
        let counting = store.count().map_err(failed).map_err(abort)?;
        let found = request(&counting)
            .await
            .map_err(abort)?
            .as_f64()
            .unwrap_or(-1.0);
        if found != first_seq as f64 {
            return Err(abort(StoreError::Conflict {
                expected: first_seq,
                found: found.max(0.0) as u64,
            }));
        }
    }
    // Issued a slice at a time. After a slice the page waits for the last
    // request of the slice before, which the browser is most likely still
    // writing (if it has written it, for the last one just issued): the
    // transaction stays open while a request of it is pending, the next
    // slice is issued from that request's success, and meanwhile the page
    // can draw and take input. Waiting for the slice before, not this one,
    // keeps the browser's queue of requests from running dry.
    let mut previous: Option<(IdbRequest, core::pin::Pin<Box<dyn Future<Output = _>>>)> = None;
    for (offset, line) in lines.iter().enumerate() {
        let seq = first_seq + offset as u64;
        if line.len() > ledger_core::limits::MAX_LINE_BYTES {
            return Err(abort(StoreError::BadLine { seq }));
        }
        let added = store
            .add_with_key(&JsValue::from_str(line), &key(seq))
            .map_err(failed)
            .map_err(abort)?;
        if offset % SLICE_LINES == SLICE_LINES - 1 {
            let watched = Box::pin(watch(&added));
            match previous.take() {
                // The first slice: on to the second before waiting.
                None => previous = Some((added, watched)),
                Some((before, waiting)) if pending(&before) => {
                    previous = Some((added, watched));
                    waiting.await.map_err(abort)?;
                }
                Some(_) => {
                    watched.await.map_err(abort)?;
                }
            }
        }
    }
    committed(&transaction).await
}

/// Puts one text record into `store_name` under `record_key`.
pub(super) async fn put_text(
    name: &str,
    store_name: &str,
    record_key: &str,
    value: &str,
) -> Result<(), StoreError> {
    put(name, store_name, record_key, &JsValue::from_str(value)).await
}

/// Puts one record into `store_name` under `record_key`.
pub(super) async fn put(
    name: &str,
    store_name: &str,
    record_key: &str,
    value: &JsValue,
) -> Result<(), StoreError> {
    put_if(name, store_name, record_key, value, None)
        .await
        .map(|_| ())
}

/// Where the stored entries must end for [`put_if`] to write: `count` of
/// them, the last one accepted by `last`.
pub(super) struct EntriesEnd<'a> {
    pub count: u64,
    pub last: &'a dyn Fn(&JsValue) -> bool,
}

/// [`put`], if the stored entries end at `end` (checked in the same
/// transaction, so no append comes in between): `Ok(false)`, with nothing
/// written, if they do not.
pub(super) async fn put_if(
    name: &str,
    store_name: &str,
    record_key: &str,
    value: &JsValue,
    end: Option<EntriesEnd<'_>>,
) -> Result<bool, StoreError> {
    let db = open(name).await?;
    let result = async {
        let stores = match end {
            Some(_) => Array::of2(&ENTRIES.into(), &store_name.into()),
            None => Array::of1(&store_name.into()),
        };
        let transaction = db
            .transaction_with_str_sequence_and_mode(&stores, web_sys::IdbTransactionMode::Readwrite)
            .map_err(failed)?;
        let abort = |error: StoreError| {
            let _ = transaction.abort();
            error
        };
        if let Some(end) = end {
            let entries = transaction.object_store(ENTRIES).map_err(failed)?;
            let counting = entries.count().map_err(failed).map_err(abort)?;
            let found = request(&counting).await.map_err(abort)?.as_f64();
            let ends_there = match end.count.checked_sub(1) {
                Some(seq) if found == Some(end.count as f64) => {
                    let getting = entries.get(&key(seq)).map_err(failed).map_err(abort)?;
                    (end.last)(&request(&getting).await.map_err(abort)?)
                }
                _ => false,
            };
            if !ends_there {
                let _ = transaction.abort();
                return Ok(false);
            }
        }
        transaction
            .object_store(store_name)
            .map_err(failed)?
            .put_with_key(value, &JsValue::from_str(record_key))
            .map_err(failed)
            .map_err(abort)?;
        committed(&transaction).await.map(|()| true)
    }
    .await;
    db.close();
    result
}
