//! Keys handed to a demo device in its address.

use crate::api::DATABASE;
use crate::store::Store;

/// Keys handed to this device in its address's fragment
/// (`#device=<actor>:<secret hex>,…`, as `cargo xtask serve` prints for a
/// demo kiosk; the fragment never reaches a server): kept in IndexedDB
/// beside any it holds, and taken off the address.
pub async fn keys_from_address() {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok();
    let hash = location
        .as_ref()
        .and_then(|l| js_sys::Reflect::get(l, &"hash".into()).ok())
        .and_then(|h| h.as_string())
        .unwrap_or_default();
    let Some(list) = hash.strip_prefix("#device=") else {
        return;
    };
    let given: Vec<(String, String)> = list
        .split(',')
        .filter_map(|pair| {
            let (actor, secret) = pair.split_once(':')?;
            ledger_core::hex::decode::<32>(secret)?;
            Some((actor.to_owned(), secret.to_owned()))
        })
        .collect();
    if let Ok(store) = Store::open(DATABASE).await {
        let mut keys = store.load_device().await.unwrap_or_default();
        for (actor, secret) in given {
            keys.retain(|(a, _)| *a != actor);
            keys.push((actor, secret));
        }
        let _ = store.save_device(keys).await;
        store.close();
    }
    // From now on this device loads the whole app (index.html reads it).
    if let Ok(storage) = js_sys::Reflect::get(&js_sys::global(), &"localStorage".into())
        && let Ok(set) = js_sys::Reflect::get(&storage, &"setItem".into())
        && let Ok(set) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(set)
    {
        let _ = set.call2(&storage, &"jifen.writer".into(), &"1".into());
    }
    // Off the address, so that a bookmark or a screenshot does not carry it.
    let history = js_sys::Reflect::get(&js_sys::global(), &"history".into()).ok();
    let path = location
        .as_ref()
        .and_then(|l| {
            let path = js_sys::Reflect::get(l, &"pathname".into())
                .ok()?
                .as_string()?;
            let search = js_sys::Reflect::get(l, &"search".into())
                .ok()?
                .as_string()?;
            Some(path + &search)
        })
        .unwrap_or_default();
    if let Some(history) = history
        && let Ok(replace) = js_sys::Reflect::get(&history, &"replaceState".into())
        && let Ok(replace) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(replace)
    {
        let _ = replace.call3(
            &history,
            &wasm_bindgen::JsValue::NULL,
            &"".into(),
            &path.into(),
        );
    }
}
