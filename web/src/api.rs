//! The one module that talks to the core and to IndexedDB. Screens call
//! these functions and never reach into the ledger's internals or the
//! store; every entry is checked by `ledger-core` before it is stored, and
//! IndexedDB stays the source of truth: when storing fails, the app
//! reloads from it.

use ledger_core::{
    ActorId, AppendError, Appended, Body, Draft, Lang, Ledger, Points, PublicKey, Role, SigningKey,
};

use crate::store::{Store, StoreError};

/// The name of the app's IndexedDB database.
pub const DATABASE: &str = "jifen";

/// Why the app cannot show a ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The browser's storage failed.
    Store(StoreError),
    /// The stored ledger does not verify: the first bad entry.
    Invalid(ledger_core::VerifyError),
}

impl LoadError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LoadError::Store(error) => error.message(lang),
            LoadError::Invalid(error) => error.message(lang),
        }
    }
}

/// Why an action (a redeem) did not happen; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// A rule refused it (too few points, out of stock, …).
    Refused(AppendError),
    /// Storing it failed (another tab wrote first, quota, …); the app
    /// reloaded the ledger from IndexedDB.
    Store(StoreError),
    /// This device has no key registered in the ledger.
    NoDevice,
}

impl ActionError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ActionError::Refused(error) => error.message(lang),
            ActionError::Store(error) => error.message(lang),
            ActionError::NoDevice => lang
                .pick(
                    "这台设备还没有在账本中登记，不能写入",
                    "this device is not registered in the ledger and cannot write",
                )
                .to_owned(),
        }
    }
}

/// This device's own signing identity, kept in IndexedDB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// The actor id the ledger registered for this device.
    pub actor: ActorId,
    secret: [u8; 32],
}

impl Device {
    fn key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.secret)
    }
}

/// What a kiosk shows after a redeem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The entry's seq.
    pub seq: u64,
    /// The resident's balance after it.
    pub balance: Points,
    /// The first hex digits of the entry's hash.
    pub short_hash: String,
    /// False when the same request was already recorded (a retry).
    pub new: bool,
}

fn verify_lines(lines: &[String]) -> Result<Ledger, LoadError> {
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    ledger_core::verify::verify_jsonl(text.as_bytes()).map_err(LoadError::Invalid)
}

/// Random bytes from the browser's `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> Option<[u8; N]> {
    use wasm_bindgen::JsCast;
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let fill: js_sys::Function = js_sys::Reflect::get(&crypto, &"getRandomValues".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let array = js_sys::Uint8Array::new_with_length(N as u32);
    fill.call1(&crypto, &array).ok()?;
    let mut out = [0u8; N];
    array.copy_to(&mut out);
    Some(out)
}

/// Opens the stored ledger and this device's key, and verifies the
/// ledger; `None` when there is no ledger yet.
pub async fn load() -> Result<Option<(Ledger, Option<Device>)>, LoadError> {
    let store = Store::open(DATABASE).await.map_err(LoadError::Store)?;
    let lines = store.load().await.map_err(LoadError::Store)?;
    let device = store.load_device().await.map_err(LoadError::Store)?;
    store.close();
    if lines.is_empty() {
        return Ok(None);
    }
    let ledger = verify_lines(&lines)?;
    let device = device.and_then(|(actor, secret)| {
        let actor: ActorId = actor.parse().ok()?;
        let secret = ledger_core::hex::decode::<32>(&secret)?;
        Some(Device { actor, secret })
    });
    Ok(Some((ledger, device)))
}

/// Generates the demo community, gives this device a key of its own made
/// in the browser, registers it in the demo as a kiosk (signed by the
/// demo's admin, whose key the demo generator knows), and stores both.
pub async fn load_demo() -> Result<(Ledger, Option<Device>), LoadError> {
    let config = ledger_core::demo::DemoConfig {
        residents: 200,
        entries: 5_000,
        seed: 1,
        ..Default::default()
    };
    let mut demo = ledger_core::demo::generate(&config);
    let device = match random_bytes::<32>() {
        Some(secret) => {
            let key = SigningKey::from_bytes(&secret);
            let public = key.verifying_key().to_bytes();
            let actor: Option<ActorId> =
                format!("kiosk-web-{}", ledger_core::hex::encode(&public[..3]))
                    .parse()
                    .ok();
            let admin = demo
                .keys
                .iter()
                .find(|(id, _)| id.as_str() == "admin-1")
                .map(|(_, s)| SigningKey::from_bytes(s));
            match (actor, admin) {
                (Some(actor), Some(admin)) => {
                    let draft = Draft {
                        ts_ms: demo.ledger.last_ts_ms() + 60_000,
                        actor: "admin-1"
                            .parse()
                            .map_err(|_| LoadError::Store(StoreError::Browser("demo".into())))?,
                        body: Body::Actor {
                            id: actor.clone(),
                            role: Role::Kiosk,
                            pubkey: PublicKey(public),
                            active: true,
                        },
                    };
                    demo.ledger
                        .append(draft, &admin)
                        .ok()
                        .map(|_| Device { actor, secret })
                }
                _ => None,
            }
        }
        None => None,
    };
    let lines: Vec<String> = demo.ledger.to_jsonl().lines().map(str::to_owned).collect();
    let store = Store::open(DATABASE).await.map_err(LoadError::Store)?;
    store
        .replace_all(lines.clone())
        .await
        .map_err(LoadError::Store)?;
    if let Some(device) = &device {
        store
            .save_device(
                device.actor.to_string(),
                ledger_core::hex::encode(&device.secret),
            )
            .await
            .map_err(LoadError::Store)?;
    }
    store.close();
    Ok((verify_lines(&lines)?, device))
}

/// A new idempotency key for one redeem: made when the kiosk shows the
/// confirmation, reused by every tap and retry of that confirmation.
pub fn new_request_id(device: &Device) -> String {
    let random = random_bytes::<8>()
        .map(|b| ledger_core::hex::encode(&b))
        .unwrap_or_default();
    format!("{}:{random}", device.actor)
}

/// Redeems `qty` of `reward` for `resident`, signed by this device, and
/// stores the entry in IndexedDB. `ledger` is the app's copy; on a storage
/// failure it is reloaded from IndexedDB, which stays the truth.
pub async fn redeem(
    ledger: &mut Ledger,
    device: &Device,
    resident: &str,
    reward: &str,
    qty: u32,
    request_id: &str,
    now_ms: u64,
) -> Result<Receipt, ActionError> {
    let refused = |e: AppendError| ActionError::Refused(e);
    let cost = ledger
        .state()
        .reward(reward)
        .map(|r| r.cost)
        .ok_or_else(|| refused(ledger_core::RuleError::UnknownReward(reward.to_owned()).into()))?;
    let bad_id = || refused(ledger_core::RuleError::UnknownResident(resident.to_owned()).into());
    let body = Body::Redeem {
        resident: resident.parse().map_err(|_| bad_id())?,
        reward: reward.parse().map_err(|_| bad_id())?,
        qty,
        points: cost.times(qty),
        request_id: request_id.parse().map_err(|_| bad_id())?,
    };
    let draft = Draft {
        ts_ms: now_ms.max(ledger.last_ts_ms()),
        actor: device.actor.clone(),
        body,
    };
    let appended = ledger.append(draft, &device.key()).map_err(refused)?;
    let seq = appended.seq();
    if let Appended::New(_) = appended {
        let line = ledger.line(seq).unwrap_or_default();
        let stored = async {
            let store = Store::open(DATABASE).await?;
            let result = store.append(seq.0, vec![line]).await;
            store.close();
            result
        }
        .await;
        if let Err(error) = stored {
            // The copy in memory is ahead of IndexedDB: start again from it.
            if let Ok(Some((fresh, _))) = load().await {
                *ledger = fresh;
            }
            return Err(ActionError::Store(error));
        }
    }
    Ok(Receipt {
        seq: seq.0,
        balance: ledger.balance(resident).unwrap_or_default(),
        short_hash: ledger
            .entry(seq)
            .map(|e| e.hash.short())
            .unwrap_or_default(),
        new: matches!(appended, Appended::New(_)),
    })
}
