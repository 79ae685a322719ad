//! Writing: a redeem's quote and the redeem, earns and reversals, each
//! checked by the core, signed by this device and stored in one
//! transaction (the ledger reloads from IndexedDB when storing fails).

use ledger_core::{
    AppendError, Appended, Body, Draft, Ledger, Points, RedeemQuote, ResidentCode, RewardId,
    RuleError, Seq, State, Text,
};

use super::load::reload;
use super::{ActionError, DATABASE, Device, random_bytes};
use crate::store::Store;

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

/// The body of a redeem of `qty` × `reward` for `resident`, as the rules
/// make it (its points from the reward's cost), or why not.
pub fn redeem_body(
    state: &State,
    resident: &str,
    reward: &str,
    qty: u32,
    request_id: &str,
) -> Result<Body, ActionError> {
    let bad = |what: &str| ActionError::BadInput(what.to_owned(), None);
    state
        .redeem_body(
            resident.parse().map_err(|_| bad(resident))?,
            reward.parse().map_err(|_| bad(reward))?,
            qty,
            request_id.parse().map_err(|_| bad(request_id))?,
        )
        .map_err(|rule| ActionError::Refused(rule.into()))
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
    let body = redeem_body(ledger.state(), resident, reward, qty, request_id)?;
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
