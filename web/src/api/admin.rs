//! The admin's entries (residents, actors and their keys, activities,
//! rewards, stock) from what was typed in, this device's own keys, and the
//! PIN that guards the writing screens.

use ledger_core::limits::{MAX_NAME_BYTES, MAX_TEXT_BYTES};
use ledger_core::{Body, FieldProblem, Ledger, Points, PublicKey, Role, Text};
use sha2::{Digest, Sha256};

use super::{ActionError, DATABASE, Device, random_bytes, write};
use crate::store::{Store, StoreError};

/// What the admin typed into one of the forms, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminInput {
    /// Add a resident or change one.
    Resident {
        /// The resident's code (e.g. `JX-0201`).
        code: String,
        /// Household code.
        household: String,
        /// Area (building) code.
        area: String,
        /// Still living here.
        active: bool,
    },
    /// Register a device's key for an actor, or change/retire one.
    Actor {
        /// The actor id.
        id: String,
        /// `admin`, `officer` or `kiosk`.
        role: String,
        /// The device's public key, 64 hex digits.
        pubkey: String,
        /// Active or retired.
        active: bool,
    },
    /// Add or change an activity.
    Activity {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// Points per time.
        points: String,
        /// At most this many points a day per resident.
        daily_cap: String,
        /// Offered now.
        active: bool,
        /// Its earns count only once a reviewer approves them.
        review: bool,
        /// Counted in hours: `points` per hour.
        per_hour: bool,
    },
    /// Add or change a reward.
    Reward {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// Points per item.
        cost: String,
        /// Offered now.
        active: bool,
        /// Items one household may have a month (community log only;
        /// empty: no limit).
        household_monthly: String,
    },
    /// Add or change a penalty (community log only).
    Penalty {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// Points one deduction takes (0: it only suspends).
        points: String,
        /// Days without redeeming from the approval (0: none).
        suspend_days: String,
        /// Offered now.
        active: bool,
    },
    /// Items in or out of the reward shop.
    Stock {
        /// The reward.
        reward: String,
        /// Items added (negative: taken out).
        delta: String,
        /// Why (delivery, broken, count).
        note: String,
    },
}

fn field<T>(name: &str, parsed: Result<T, FieldProblem>) -> Result<T, ActionError> {
    parsed.map_err(|problem| ActionError::BadInput(name.to_owned(), Some(problem)))
}

fn id<T: core::str::FromStr<Err = FieldProblem>>(name: &str, text: &str) -> Result<T, ActionError> {
    field(name, text.trim().parse())
}

impl AdminInput {
    /// The entry body, or which field is not acceptable and why.
    pub fn body(&self) -> Result<Body, ActionError> {
        Ok(match self {
            AdminInput::Resident {
                code,
                household,
                area,
                active,
            } => Body::Resident {
                code: id("code", code)?,
                household: id("household", household)?,
                area: id("area", area)?,
                active: *active,
            },
            AdminInput::Actor {
                id: actor,
                role,
                pubkey,
                active,
            } => Body::Actor {
                id: id("id", actor)?,
                role: field("role", role.parse::<Role>())?,
                pubkey: PublicKey(
                    ledger_core::hex::decode::<32>(pubkey.trim())
                        .ok_or_else(|| ActionError::BadInput("pubkey".to_owned(), None))?,
                ),
                active: *active,
            },
            AdminInput::Activity {
                id: activity,
                name,
                points,
                daily_cap,
                active,
                review,
                per_hour,
            } => Body::Activity {
                id: id("id", activity)?,
                name: field("name", Text::parse(name.trim(), MAX_NAME_BYTES, false))?,
                points: field("points", Points::parse_input(points))?,
                daily_cap: field("daily_cap", Points::parse_input(daily_cap))?,
                active: *active,
                review: *review,
                per_hour: *per_hour,
            },
            AdminInput::Reward {
                id: reward,
                name,
                cost,
                active,
                household_monthly,
            } => Body::Reward {
                id: id("id", reward)?,
                name: field("name", Text::parse(name.trim(), MAX_NAME_BYTES, false))?,
                cost: field("cost", Points::parse_input(cost))?,
                active: *active,
                household_monthly: match household_monthly.trim() {
                    "" => None,
                    typed => Some(
                        typed
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=ledger_core::limits::MAX_QTY).contains(n))
                            .ok_or_else(|| {
                                ActionError::BadInput("household_monthly".to_owned(), None)
                            })?,
                    ),
                },
            },
            AdminInput::Penalty {
                id: penalty,
                name,
                points,
                suspend_days,
                active,
            } => Body::Penalty {
                id: id("id", penalty)?,
                name: field("name", Text::parse(name.trim(), MAX_NAME_BYTES, false))?,
                points: field("points", Points::parse_input(points))?,
                suspend_days: suspend_days
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|&d| d <= ledger_core::limits::MAX_SUSPEND_DAYS)
                    .ok_or_else(|| ActionError::BadInput("suspend_days".to_owned(), None))?,
                active: *active,
            },
            AdminInput::Stock {
                reward,
                delta,
                note,
            } => Body::Stock {
                reward: id("reward", reward)?,
                delta: delta
                    .trim()
                    .parse()
                    .map_err(|_| ActionError::BadInput("delta".to_owned(), None))?,
                note: field("note", Text::parse(note.trim(), MAX_TEXT_BYTES, true))?,
            },
        })
    }
}

/// Appends the admin's entry, signed by this device's admin key, and
/// stores it. Returns its seq.
pub async fn administer(
    ledger: &mut Ledger,
    device: &Device,
    input: &AdminInput,
    now_ms: u64,
) -> Result<u64, ActionError> {
    let body = input.body()?;
    write(ledger, device, vec![body], now_ms)
        .await?
        .into_iter()
        .next()
        .ok_or(ActionError::NoDevice)?
        .map(|appended| appended.seq().0)
        .map_err(ActionError::Refused)
}

/// Makes a new key on this device for an actor to be registered by the
/// admin: kept in IndexedDB with this device's other keys. Returns the
/// proposed actor id and the public key in hex.
pub async fn new_device_key(role: Role) -> Result<(String, String), StoreError> {
    let secret = random_bytes::<32>()
        .ok_or_else(|| StoreError::Browser("crypto.getRandomValues".to_owned()))?;
    let public = ledger_core::SigningKey::from_bytes(&secret)
        .verifying_key()
        .to_bytes();
    let actor = format!(
        "{}-web-{}",
        role.as_str(),
        ledger_core::hex::encode(&public[..3])
    );
    let store = Store::open(DATABASE).await?;
    let mut keys = store.load_device().await?;
    keys.push((actor.clone(), ledger_core::hex::encode(&secret)));
    let result = store.save_device(keys).await;
    store.close();
    result.map(|()| (actor, ledger_core::hex::encode(&public)))
}

/// The stretched hash of a PIN with its salt: enough rounds of SHA-256
/// that guessing every 6-digit PIN from a copied record takes hours, few
/// enough that unlocking takes a blink.
fn pin_hash(salt: &[u8; 16], pin: &str) -> [u8; 32] {
    let mut digest: [u8; 32] = Sha256::new()
        .chain_update(salt)
        .chain_update(pin.as_bytes())
        .finalize()
        .into();
    for _ in 0..20_000 {
        digest = Sha256::new()
            .chain_update(digest)
            .chain_update(salt)
            .finalize()
            .into();
    }
    digest
}

/// Whether `pin` is acceptable: 4 to 12 digits.
pub fn pin_is_valid(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Whether this device has a PIN yet.
pub async fn has_pin() -> Result<bool, StoreError> {
    let store = Store::open(DATABASE).await?;
    let record = store.load_pin().await;
    store.close();
    Ok(record?.is_some())
}

/// Chooses this device's PIN (only when it has none).
pub async fn set_pin(pin: &str) -> Result<(), StoreError> {
    let salt = random_bytes::<16>()
        .ok_or_else(|| StoreError::Browser("crypto.getRandomValues".to_owned()))?;
    let record = format!(
        "{} {}",
        ledger_core::hex::encode(&salt),
        ledger_core::hex::encode(&pin_hash(&salt, pin))
    );
    let store = Store::open(DATABASE).await?;
    let result = store.save_pin(&record).await;
    store.close();
    result
}

/// Whether `pin` is this device's PIN.
pub async fn check_pin(pin: &str) -> Result<bool, StoreError> {
    let store = Store::open(DATABASE).await?;
    let record = store.load_pin().await;
    store.close();
    let Some(record) = record? else {
        return Ok(false);
    };
    let parsed = record.split_once(' ').and_then(|(salt, hash)| {
        Some((
            ledger_core::hex::decode::<16>(salt)?,
            ledger_core::hex::decode::<32>(hash)?,
        ))
    });
    Ok(parsed.is_some_and(|(salt, hash)| pin_hash(&salt, pin) == hash))
}
