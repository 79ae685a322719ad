//! The stored snapshot of the verified state, and whether it may be shown.

use ledger_core::{Head, Snapshot};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{DATABASE, Device};
use crate::store::Store;

/// The stored snapshot of the ledger, if there is one for exactly the
/// entries stored (same count, and the last stored line is its head), with
/// this device's keys: what a reopen shows at once, before the entries are
/// read and replayed. Nothing here is trusted for long: [`open`] replays
/// every entry afterwards and [`Opened::summary_matches`] says whether they
/// add up to this snapshot.
pub async fn open_snapshot() -> Option<(Snapshot, Device)> {
    // Without the flag (a first visit) there is no snapshot to read, and
    // opening the database would only slow the first open down.
    if snapshot_flag(None) == Some(false) {
        return None;
    }
    let quick = match crate::store::Quick::early().await {
        Some(quick) => quick,
        None => {
            let store = Store::open(DATABASE).await.ok()?;
            let quick = store.load_quick().await;
            store.close();
            quick.ok()?
        }
    };
    let snapshot = Snapshot::from_bytes(&quick.snapshot?)?;
    let last = crate::store::stored_head(&quick.last_line?)?;
    let head = snapshot.head();
    (quick.count == snapshot.len() && last == head)
        .then(|| (snapshot, Device::from_stored(quick.keys)))
}

/// Keeps a verified ledger's snapshot (`bytes`, at `head`) for the next
/// reopen, unless the stored entries no longer end at `head` (another tab
/// wrote since: its own snapshot, newer, stays). A cache: failing to keep
/// it changes nothing but the next reopen's speed.
pub async fn keep_snapshot(bytes: Vec<u8>, head: Head) {
    let Ok(store) = Store::open(DATABASE).await else {
        return;
    };
    if store.save_snapshot(&bytes, head).await == Ok(true) {
        snapshot_flag(Some("1"));
    }
    store.close();
}

/// The `localStorage` flag that says this device keeps a snapshot: set to
/// `value` if given, else read. Read by index.html too, which cannot wait
/// for IndexedDB: a device that opens from a snapshot need not fetch the
/// file early. `None` when there is no `localStorage` here.
pub(super) fn snapshot_flag(value: Option<&str>) -> Option<bool> {
    let storage = js_sys::Reflect::get(&js_sys::global(), &"localStorage".into())
        .ok()
        .filter(JsValue::is_object)?;
    let method = if value.is_some() {
        "setItem"
    } else {
        "getItem"
    };
    let call = js_sys::Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let answer = match value {
        Some(value) => call.call2(&storage, &"jifen.snapshot".into(), &value.into()),
        None => call.call1(&storage, &"jifen.snapshot".into()),
    };
    Some(answer.ok()?.is_string())
}
