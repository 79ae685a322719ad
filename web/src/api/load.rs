//! Putting a ledger into the browser: the demo community, an imported
//! file, and the published file fetched again; each verified in full
//! before IndexedDB changes.

use ledger_core::{ActorId, Body, Draft, Ledger, PublicKey, Role, SigningKey};

use super::{DATABASE, Device, LoadError, Source, now_ms, open, random_bytes};
use crate::store::{Store, StoreError};

/// Generates the demo community, makes this device three keys of its own
/// in the browser (a kiosk, an officer and an admin), has the demo's admin — whose key
/// the demo generator knows — register them, and stores it all.
pub async fn load_demo() -> Result<(Ledger, Device), LoadError> {
    // The demo spans about a year; it ends a couple of weeks before today,
    // so that what this device writes next follows on naturally.
    let config = ledger_core::demo::DemoConfig {
        residents: 200,
        entries: 5_000,
        seed: 1,
        start_ts_ms: now_ms().saturating_sub(365 * 86_400_000),
    };
    let mut demo = ledger_core::demo::generate(&config);
    let admin = demo
        .keys
        .iter()
        .find(|(id, _)| id.as_str() == "admin-1")
        .map(|(_, s)| SigningKey::from_bytes(s));
    let mut device = Device::default();
    for (prefix, role) in [
        ("kiosk-web", Role::Kiosk),
        ("officer-web", Role::Officer),
        ("admin-web", Role::Admin),
    ] {
        let (Some(secret), Some(admin)) = (random_bytes::<32>(), admin.as_ref()) else {
            continue;
        };
        let public = SigningKey::from_bytes(&secret).verifying_key().to_bytes();
        let Ok(actor) =
            format!("{prefix}-{}", ledger_core::hex::encode(&public[..3])).parse::<ActorId>()
        else {
            continue;
        };
        let Ok(admin_id) = "admin-1".parse::<ActorId>() else {
            continue;
        };
        let draft = Draft {
            ts_ms: demo.ledger.last_ts_ms() + 60_000,
            actor: admin_id,
            body: Body::Actor {
                id: actor.clone(),
                role,
                pubkey: PublicKey(public),
                active: true,
            },
        };
        if demo.ledger.append(draft, admin).is_ok() {
            device.keys.push((actor, secret));
        }
    }
    let lines: Vec<String> = demo.ledger.to_jsonl().lines().map(str::to_owned).collect();
    let store = Store::open(DATABASE).await.map_err(LoadError::Store)?;
    store.replace_all(lines).await.map_err(LoadError::Store)?;
    let keys = device
        .keys
        .iter()
        .map(|(a, s)| (a.to_string(), ledger_core::hex::encode(s)))
        .collect();
    store.save_device(keys).await.map_err(LoadError::Store)?;
    store.close();
    // Every entry was checked by the rules as it was appended and signed
    // here; IndexedDB now holds exactly these lines.
    Ok((demo.ledger, device))
}

/// Replaces the browser's ledger with an imported file, but only if the
/// whole file verifies (every line, hash, link, signature and rule); a bad
/// file is refused naming its first bad seq, and nothing changes.
/// `progress(done, total)` while it checks.
pub async fn import(bytes: &[u8], progress: &dyn Fn(u64, u64)) -> Result<Ledger, LoadError> {
    let (ledger, signatures) = open::replay_file(bytes, progress)
        .await
        .map_err(LoadError::Invalid)?;
    signatures
        .finish(&|_, _| {})
        .await
        .map_err(LoadError::Invalid)?;
    let lines = open::owned_lines(bytes);
    let store = Store::open(DATABASE).await.map_err(LoadError::Store)?;
    let result = store.replace_all(lines).await.map_err(LoadError::Store);
    store.close();
    result.map(|()| ledger)
}

/// Follows the published file again from scratch: fetches it, verifies
/// all of it, and only then replaces the browser's copy (which may be
/// damaged). A file that is missing or fails is refused and nothing
/// changes.
pub async fn refollow(url: &str, progress: &dyn Fn(u64, u64)) -> Result<Ledger, LoadError> {
    match open::fetch_bytes(url).await {
        Ok(Some(bytes)) => import(&bytes, progress).await,
        Ok(None) => Err(LoadError::Store(StoreError::Browser(format!("404 {url}")))),
        Err(reason) => Err(LoadError::Store(StoreError::Browser(reason))),
    }
}

/// Whether a published file is there to follow.
pub async fn published(source: &Source) -> Option<String> {
    let Source::Follow { url, .. } = source else {
        return None;
    };
    open::exists(url).await.then(|| url.clone())
}

/// The stored ledger, fully verified (signatures too): what a tab goes
/// back to when a write did not land.
pub(super) async fn reload() -> Option<Ledger> {
    let opened = open(&Source::Local, None, &|_, _| {}).await.ok()??;
    opened.signatures.finish(&|_, _| {}).await.ok()?;
    Some(opened.ledger)
}
