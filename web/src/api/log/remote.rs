//! What the phone fetches from the log: the checkpoint (checked against
//! the policy), leaves in bulk, the entry bundles with new leaves, and,
//! when they do not extend the copy, the hash tiles that name where the
//! log's history and the copy part.

use ledger_core::tlog::{
    Checkpoint, Divergence, FollowError, Found, Policy, TileRef, Tree, Witnessed, bundles_to, grow,
    read_leaves,
};

use ledger_core::log::{Vouched, vouched_from_bytes};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;

use super::LogNotice;
use crate::api::open::{bytes_of, fetch_bytes, read_response, start_fetch};

#[wasm_bindgen(module = "/js/pool.js")]
extern "C" {
    fn fetch_vouched(url: &str) -> js_sys::Promise;
}

/// Leaves per bulk request (the service's most).
pub(super) const BULK: u64 = 16 * 1024;

/// Steps of the search down the hash tiles at most (one per level).
const MOST_STEPS: usize = 8;

/// A parameter of the page's address, decoded.
pub fn page_param(name: &str) -> Option<String> {
    let search = js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| js_sys::Reflect::get(&location, &"search".into()))
        .ok()?
        .as_string()?;
    let raw = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?
        .to_owned();
    Some(
        js_sys::decode_uri_component(&raw)
            .ok()
            .and_then(|d| d.as_string())
            .unwrap_or(raw),
    )
}

/// A body, a 404 being an error too.
async fn get(url: &str) -> Result<Vec<u8>, String> {
    fetch_bytes(url)
        .await?
        .ok_or_else(|| format!("HTTP 404 {url}"))
}

/// The log's checkpoint, checked against the policy.
pub(super) async fn fetch_checkpoint(
    base: &str,
    policy: &Policy,
) -> Result<(Vec<u8>, Witnessed), LogNotice> {
    let note = get(&format!("{base}checkpoint"))
        .await
        .map_err(LogNotice::Unreachable)?;
    let witnessed = policy.check(&note).map_err(LogNotice::BadCheckpoint)?;
    Ok((note, witnessed))
}

/// Where bulk leaves go: a bundle's leaves and the hashes a worker vouched
/// for; false to stop.
pub(super) type PushLeaves<'a> = dyn FnMut(&[&[u8]], &[Vouched]) -> bool + 'a;

/// Leaves `start..end` in bulk, requests side by side, each bundle read
/// and hashed in a worker as it comes ([`Vouched`]); each bundle's leaves
/// go to `push` in order with what the worker vouched for (false: stop, a
/// leaf did not hold). The bundles pushed, to store once they hold (read
/// into text only then, after the balances are drawn).
pub(super) async fn fetch_leaves(
    base: &str,
    start: u64,
    end: u64,
    push: &mut PushLeaves<'_>,
) -> Result<Vec<Vec<u8>>, String> {
    let mut requests = Vec::new();
    let mut at = start;
    while at < end {
        let to = end.min(at + BULK);
        let url = format!("{base}entries?start={at}&end={to}");
        requests.push((to - at, JsFuture::from(fetch_vouched(&url))));
        at = to;
    }
    let mut all = Vec::with_capacity(requests.len());
    for (count, request) in requests {
        let answer = request.await.map_err(|error| {
            error
                .as_string()
                .unwrap_or_else(|| "fetch failed".to_owned())
        })?;
        let field = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok();
        // A whole number: formatting an f64 would add float printing to
        // the phone's bundle.
        let status = field("status").and_then(|s| s.as_f64()).unwrap_or(0.0) as u16;
        let Some(body) = field("bytes").as_ref().and_then(bytes_of) else {
            return Err(format!("HTTP {status} entries"));
        };
        let vouched = field("answer")
            .as_ref()
            .and_then(bytes_of)
            .map(|answer| vouched_from_bytes(&answer))
            .unwrap_or_default();
        let leaves = read_leaves(&body, BULK).map_err(|e| e.to_string())?;
        if leaves.len() as u64 != count {
            return Err(format!("{} leaves where {count} were asked", leaves.len()));
        }
        if !push(&leaves, &vouched) {
            break;
        }
        all.push(body);
    }
    Ok(all)
}

/// What the bundles after the copy's end brought.
pub(super) enum Fetched {
    /// The new leaves, which extend the copy to the checkpoint exactly.
    Leaves(Vec<String>),
    /// Why not.
    Refused(LogNotice),
}

/// The leaves a copy (`tree`) lacks for `checkpoint`, from the entry
/// bundles, checked to extend the copy and to make the checkpoint's root.
pub(super) async fn fetch_new_leaves(base: &str, tree: &Tree, checkpoint: &Checkpoint) -> Fetched {
    if checkpoint.size < tree.len() {
        return Fetched::Refused(LogNotice::Shrank {
            had: tree.len(),
            now: checkpoint.size,
        });
    }
    let tiles = bundles_to(tree.len(), checkpoint.size);
    let requests: Vec<(TileRef, _)> = tiles
        .into_iter()
        .map(|tile| {
            let url = format!("{base}{}", tile.entries_path());
            (tile, start_fetch(&url))
        })
        .collect();
    let mut bundles = Vec::with_capacity(requests.len());
    for (tile, request) in requests {
        match read_response(request).await {
            Ok(Some(body)) => bundles.push((tile, body.bytes)),
            Ok(None) => {
                return Fetched::Refused(LogNotice::Unreachable(format!(
                    "HTTP 404 {}",
                    tile.entries_path()
                )));
            }
            Err(reason) => return Fetched::Refused(LogNotice::Unreachable(reason)),
        }
    }
    match grow(tree, checkpoint, &bundles) {
        Ok(new) => Fetched::Leaves(
            new.into_iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect(),
        ),
        Err(FollowError::Rewritten { .. } | FollowError::RootDiffers) => {
            Fetched::Refused(diverged(base, tree, checkpoint.size).await)
        }
        Err(error) => Fetched::Refused(error.into()),
    }
}

/// Where the log (of `size` leaves) and the copy part, through its hash
/// tiles.
async fn diverged(base: &str, tree: &Tree, size: u64) -> LogNotice {
    let Some(mut search) = Divergence::start(tree.len(), size) else {
        return LogNotice::Rewritten { index: 0 };
    };
    for _ in 0..MOST_STEPS {
        let bytes = match get(&format!("{base}{}", search.tile().path())).await {
            Ok(bytes) => bytes,
            Err(reason) => return LogNotice::Unreachable(reason),
        };
        match search.answer(tree, &bytes) {
            Ok(Found::Fetch(next)) => search = next,
            Ok(Found::Leaf(index)) => return LogNotice::Rewritten { index },
            // The copy is the log's: its new leaves do not make the root.
            Ok(Found::Same) => {
                return LogNotice::BadCheckpoint(ledger_core::tlog::TlogError::ProofDoesNotHold);
            }
            Err(error) => return error.into(),
        }
    }
    LogNotice::Rewritten { index: 0 }
}
