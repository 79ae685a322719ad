//! Writes straight through `web-sys`, for two reasons: a bulk write issues
//! every request at once and waits for the transaction's `complete` (100,000
//! records in one go instead of one round trip each), and every browser
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
    let target = request.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        target.set_onsuccess(Some(&resolve));
        target.set_onerror(Some(&reject));
    });
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
    for (offset, line) in lines.iter().enumerate() {
        let seq = first_seq + offset as u64;
        if line.len() > ledger_core::limits::MAX_LINE_BYTES {
            return Err(abort(StoreError::BadLine { seq }));
        }
        store
            .add_with_key(&JsValue::from_str(line), &key(seq))
            .map_err(failed)
            .map_err(abort)?;
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
    let db = open(name).await?;
    let result = async {
        let transaction = db
            .transaction_with_str_sequence_and_mode(
                &Array::of1(&store_name.into()),
                web_sys::IdbTransactionMode::Readwrite,
            )
            .map_err(failed)?;
        transaction
            .object_store(store_name)
            .map_err(failed)?
            .put_with_key(value, &JsValue::from_str(record_key))
            .map_err(failed)?;
        committed(&transaction).await
    }
    .await;
    db.close();
    result
}
