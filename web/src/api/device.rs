//! This device's keys: made in the browser, kept in IndexedDB, and
//! chosen per entry by what the ledger lets each sign.

use ledger_core::{ActorId, Body, SigningKey, State};

use super::DATABASE;
use crate::store::Store;

/// This device's own signing keys (one per role it plays), made in the
/// browser and kept in IndexedDB; the ledger says which actor each is.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Device {
    pub(super) keys: Vec<(ActorId, [u8; 32])>,
}

impl Device {
    /// The first of this device's keys whose actor the ledger lets sign an
    /// entry like `body` now (registered, active, of a role that may write
    /// it): the ledger decides, so a device holding only an officer key
    /// redeems with it, as the rules allow.
    pub(super) fn signer(&self, state: &State, body: &Body) -> Option<(ActorId, SigningKey)> {
        self.keys.iter().find_map(|(actor, secret)| {
            state
                .may_sign(actor, body)
                .is_ok()
                .then(|| (actor.clone(), SigningKey::from_bytes(secret)))
        })
    }

    /// The actor this device would sign `body` with, if any.
    pub fn signer_id(&self, state: &State, body: &Body) -> Option<ActorId> {
        self.signer(state, body).map(|(actor, _)| actor)
    }

    /// The keys as stored, `(actor id, secret key in hex)`; records that
    /// do not read are left out.
    pub fn from_stored(stored: Vec<(String, String)>) -> Device {
        Device {
            keys: stored
                .into_iter()
                .filter_map(|(actor, secret)| {
                    Some((
                        actor.parse().ok()?,
                        ledger_core::hex::decode::<32>(&secret)?,
                    ))
                })
                .collect(),
        }
    }

    /// This device's keys: actor id and public key in hex.
    pub fn public_keys(&self) -> Vec<(String, String)> {
        self.keys
            .iter()
            .map(|(actor, secret)| {
                let public = SigningKey::from_bytes(secret).verifying_key().to_bytes();
                (actor.to_string(), ledger_core::hex::encode(&public))
            })
            .collect()
    }

    /// The actor ids of this device's keys.
    pub fn actors(&self) -> Vec<String> {
        self.keys
            .iter()
            .map(|(actor, _)| actor.to_string())
            .collect()
    }
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

/// This device's keys as stored (for a fresh load after an import).
pub async fn device() -> Device {
    let Ok(store) = Store::open(DATABASE).await else {
        return Device::default();
    };
    let keys = store.load_device().await.unwrap_or_default();
    store.close();
    Device::from_stored(keys)
}
