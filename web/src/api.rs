//! The one module that talks to the core and to IndexedDB. Screens call
//! these functions and never reach into the ledger's internals or the
//! store; every entry is checked by `ledger-core` before it is stored, and
//! IndexedDB stays the source of truth: when storing fails, the app
//! reloads from it.

use ledger_core::{
    ActorId, AppendError, Appended, Body, Draft, Lang, Ledger, Points, PublicKey, RedeemQuote,
    ResidentCode, RewardId, Role, RuleError, Seq, SigningKey, State, Text,
};

use crate::store::{Store, StoreError};

mod admin;
mod open;
pub use admin::{
    AdminInput, administer, check_pin, has_pin, new_device_key, pin_is_valid, set_pin,
};
pub use open::{
    FollowNotice, Opened, PendingSignatures, Source, check_line_hashes, check_signature_batch,
    check_streamed_part, in_page, keep_snapshot, open, open_snapshot, sleep, start_worker,
    store_followed,
};

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

/// Why an action did not happen; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// A rule refused it (too few points, out of stock, a cap, …).
    Refused(AppendError),
    /// Storing it failed (another tab wrote first, quota, …); the app
    /// reloaded the ledger from IndexedDB.
    Store(StoreError),
    /// This device has no key registered in the ledger for this role.
    NoDevice,
    /// A value typed in is not acceptable: which, and why.
    BadInput(String, Option<ledger_core::FieldProblem>),
}

impl ActionError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ActionError::Refused(error) => error.message(lang),
            ActionError::Store(error) => error.message(lang),
            ActionError::NoDevice => lang
                .pick(
                    "这台设备还没有在账本中登记这个角色的密钥，不能写入",
                    "this device has no key registered in the ledger for this role and cannot write",
                )
                .to_owned(),
            ActionError::BadInput(what, problem) => format!(
                "{}{what}{}",
                lang.pick("输入有误：", "not accepted: "),
                problem.as_ref().map(|p| format!(" {}", p.message(lang))).unwrap_or_default()
            ),
        }
    }
}

/// This device's own signing keys (one per role it plays), made in the
/// browser and kept in IndexedDB; the ledger says which actor each is.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Device {
    keys: Vec<(ActorId, [u8; 32])>,
}

impl Device {
    /// The first of this device's keys whose actor the ledger lets sign an
    /// entry like `body` now (registered, active, of a role that may write
    /// it): the ledger decides, so a device holding only an officer key
    /// redeems with it, as the rules allow.
    fn signer(&self, state: &State, body: &Body) -> Option<(ActorId, SigningKey)> {
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

/// This device's keys as stored (for a fresh load after an import).
pub async fn device() -> Device {
    let Ok(store) = Store::open(DATABASE).await else {
        return Device::default();
    };
    let keys = store.load_device().await.unwrap_or_default();
    store.close();
    Device::from_stored(keys)
}

/// The stored ledger, fully verified (signatures too): what a tab goes
/// back to when a write did not land.
async fn reload() -> Option<Ledger> {
    let opened = open(&Source::Local, None, &|_, _| {}).await.ok()??;
    opened.signatures.finish(&|_, _| {}).await.ok()?;
    Some(opened.ledger)
}

/// This device's clock, in ms since the epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// A device clock that looks wrong against the ledger: behind its last
/// entry (new entries then take that entry's time), or so far ahead that
/// writing would push every later entry's time forward with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockProblem {
    /// The clock is this many minutes before the last entry.
    Behind(u64),
    /// The clock is this many days after the last entry.
    Ahead(u64),
}

/// Minutes a clock may run behind the last entry (another device's clock
/// may be a little ahead) before it is reported.
const CLOCK_BEHIND_MINUTES: u64 = 5;

/// Days after the last entry from which a clock is reported as perhaps
/// ahead (a ledger can be quiet for weeks, hardly for months).
const CLOCK_AHEAD_DAYS: u64 = 60;

/// Whether this device's clock (`now_ms`) looks wrong for writing onto
/// `ledger`.
pub fn clock_problem(ledger: &Ledger, now_ms: u64) -> Option<ClockProblem> {
    let last = ledger.last_ts_ms();
    let behind = last.saturating_sub(now_ms) / 60_000;
    let ahead = now_ms.saturating_sub(last) / 86_400_000;
    if behind >= CLOCK_BEHIND_MINUTES {
        Some(ClockProblem::Behind(behind))
    } else if ahead >= CLOCK_AHEAD_DAYS {
        Some(ClockProblem::Ahead(ahead))
    } else {
        None
    }
}

impl ClockProblem {
    /// The warning in `lang`.
    pub fn message(self, lang: Lang) -> String {
        match (self, lang) {
            (ClockProblem::Behind(minutes), Lang::Zh) => format!(
                "本机时钟比账本最后一条记录早 {minutes} 分钟：新记录将使用最后一条记录的时间。请校准本机时钟。"
            ),
            (ClockProblem::Behind(minutes), Lang::En) => format!(
                "this device's clock is {minutes} minutes behind the ledger's last entry: new entries will carry that entry's time. Please set the clock right."
            ),
            (ClockProblem::Ahead(days), Lang::Zh) => format!(
                "本机时钟比账本最后一条记录晚 {days} 天。如果时钟不对，请先校准再写入：记录一旦写入，以后所有记录的时间都不能早于它。"
            ),
            (ClockProblem::Ahead(days), Lang::En) => format!(
                "this device's clock is {days} days after the ledger's last entry. If the clock is wrong, set it right before writing: once an entry is written, no later entry may carry an earlier time."
            ),
        }
    }
}

/// A new idempotency key for one redeem: made when the kiosk shows the
/// confirmation, reused by every tap and retry of that confirmation.
pub fn new_request_id() -> String {
    let random = random_bytes::<8>()
        .map(|b| ledger_core::hex::encode(&b))
        .unwrap_or_default();
    format!("web:{random}")
}

/// Appends each body (signed by this device's key that may sign the first)
/// to `ledger`,
/// then stores every new line in one IndexedDB transaction. Returns, per
/// body, what the rules said. A body the rules refuse is skipped; if
/// storing fails, nothing is kept and the ledger is reloaded from
/// IndexedDB. The time is the device's clock, but never before the last
/// entry (another device's clock may run ahead).
pub(crate) async fn write(
    ledger: &mut Ledger,
    device: &Device,
    bodies: Vec<Body>,
    now_ms: u64,
) -> Result<Vec<Result<Appended, AppendError>>, ActionError> {
    let Some(first) = bodies.first() else {
        return Ok(Vec::new());
    };
    let (actor, key) = device
        .signer(ledger.state(), first)
        .ok_or(ActionError::NoDevice)?;
    // The entries are appended here and undone if IndexedDB does not commit
    // them, so memory never keeps an entry the browser's storage does not
    // (the screens hold the ledger out of view meanwhile). A checkpoint
    // copies the state, not the entries: a clone of the whole ledger cost
    // most of a redeem's time at 100,000 entries.
    let checkpoint = ledger.checkpoint();
    let first_new = ledger.len();
    let outcomes: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let draft = Draft {
                ts_ms: now_ms.max(ledger.last_ts_ms()),
                actor: actor.clone(),
                body,
            };
            ledger.append(draft, &key)
        })
        .collect();
    let lines: Vec<String> = (first_new..ledger.len())
        .filter_map(|seq| ledger.line(Seq(seq)))
        .collect();
    if !lines.is_empty() {
        let stored = async {
            let store = Store::open(DATABASE).await?;
            let result = store.append(first_new, lines).await;
            store.close();
            result
        }
        .await;
        if let Err(error) = stored {
            // Always undone: the checkpoint is this ledger's, just above.
            let _ = ledger.rollback(checkpoint);
            // Another tab may have written first: take what is stored.
            if let Some(fresh) = reload().await {
                *ledger = fresh;
            }
            return Err(ActionError::Store(error));
        }
    }
    Ok(outcomes)
}

/// What the rules say of redeeming `qty` × `reward` for `resident` from
/// this device now: its cost, and whether it may be written, or why not,
/// signed by the key this device would redeem with (on a device with
/// none, the resident's and the reward's rules alone). Asks the core
/// (`State::quote_redeem`); no screen works it out itself.
pub fn quote_redeem(
    state: &State,
    device: &Device,
    resident: &str,
    reward: &str,
    qty: u32,
) -> RedeemQuote {
    let refused = |error| RedeemQuote {
        points: None,
        verdict: Err(error),
    };
    let Ok(resident) = resident.parse::<ResidentCode>() else {
        return refused(RuleError::UnknownResident(resident.to_owned()));
    };
    let Ok(reward) = reward.parse::<RewardId>() else {
        return refused(RuleError::UnknownReward(reward.to_owned()));
    };
    // The key a redeem would be signed with depends only on its kind.
    let signer = "quote"
        .parse()
        .ok()
        .and_then(|id| {
            state
                .redeem_body(resident.clone(), reward.clone(), qty, id)
                .ok()
        })
        .and_then(|body| device.signer_id(state, &body));
    state.quote_redeem(signer.as_ref(), &resident, &reward, qty)
}

/// Redeems `qty` of `reward` for `resident`, signed by this device's key
/// that may redeem (a kiosk's or an officer's), and stores it.
pub async fn redeem(
    ledger: &mut Ledger,
    device: &Device,
    resident: &str,
    reward: &str,
    qty: u32,
    request_id: &str,
    now_ms: u64,
) -> Result<Receipt, ActionError> {
    let bad = |what: &str| ActionError::BadInput(what.to_owned(), None);
    let body = ledger
        .state()
        .redeem_body(
            resident.parse().map_err(|_| bad(resident))?,
            reward.parse().map_err(|_| bad(reward))?,
            qty,
            request_id.parse().map_err(|_| bad(request_id))?,
        )
        .map_err(|rule| ActionError::Refused(rule.into()))?;
    let outcome = write(ledger, device, vec![body], now_ms).await?;
    let appended = outcome
        .into_iter()
        .next()
        .ok_or(ActionError::NoDevice)?
        .map_err(ActionError::Refused)?;
    let seq = appended.seq();
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

/// Records `activity` for each resident, signed by this device's officer
/// key. Returns, per resident, the new entry's seq or why it was refused
/// (unknown code, the daily cap, …); the accepted ones are stored together.
pub async fn record(
    ledger: &mut Ledger,
    device: &Device,
    residents: &[String],
    activity: &str,
    note: &str,
    now_ms: u64,
) -> Result<Vec<(String, Result<u64, AppendError>)>, ActionError> {
    let note = Text::parse(note.trim(), ledger_core::limits::MAX_TEXT_BYTES, true)
        .map_err(|problem| ActionError::BadInput("note".to_owned(), Some(problem)))?;
    let activity_id: ledger_core::ActivityId = activity
        .parse()
        .map_err(|_| ActionError::BadInput(activity.to_owned(), None))?;
    let mut results = Vec::new();
    let mut accepted = Vec::new();
    let mut bodies = Vec::new();
    for code in residents {
        let Ok(resident) = code.parse() else {
            results.push((
                code.clone(),
                Err(RuleError::UnknownResident(code.clone()).into()),
            ));
            continue;
        };
        // The core gives the activity's points (and refuses an unknown one).
        let body = ledger
            .state()
            .earn_body(resident, activity_id.clone(), note.clone())
            .map_err(|rule| ActionError::Refused(rule.into()))?;
        accepted.push(code.clone());
        bodies.push(body);
    }
    let outcomes = write(ledger, device, bodies, now_ms).await?;
    results.extend(
        accepted
            .into_iter()
            .zip(outcomes)
            .map(|(code, outcome)| (code, outcome.map(|a| a.seq().0))),
    );
    Ok(results)
}

/// Reverses entry `seq` with a reason, signed by this device's officer key.
pub async fn reverse(
    ledger: &mut Ledger,
    device: &Device,
    seq: u64,
    reason: &str,
    now_ms: u64,
) -> Result<u64, ActionError> {
    let reason = Text::parse(reason.trim(), ledger_core::limits::MAX_TEXT_BYTES, false)
        .map_err(|problem| ActionError::BadInput("reason".to_owned(), Some(problem)))?;
    let body = Body::Reverse {
        entry: Seq(seq),
        reason,
    };
    let outcome = write(ledger, device, vec![body], now_ms).await?;
    outcome
        .into_iter()
        .next()
        .ok_or(ActionError::NoDevice)?
        .map(|a| a.seq().0)
        .map_err(ActionError::Refused)
}
