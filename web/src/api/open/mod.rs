//! Opening a ledger: from IndexedDB, from a published file the app follows
//! (`?ledger=URL`, or `ledger.jsonl` beside the page), or both. The hash
//! chain and the rules are checked on the page in slices, with a progress
//! bar, so balances show quickly. A downloaded file's lines are checked for
//! SHA-256 in a Web Worker (`worker.js`) at the same time, on the other
//! core; the signatures are checked in workers in the
//! background, and only a fully verified file is ever stored.

mod fetch;
mod replay;
mod snapshot;
mod timers;
mod workers;

use ledger_core::verify::{LineEnds, Share};
use ledger_core::{Ledger, Snapshot, VerifyError};
use wasm_bindgen_futures::JsFuture;

use super::{DATABASE, Device, LoadError};
use crate::store::{Store, StoreError};
use fetch::{
    Download, MOST_AHEAD, Streamed, next_streamed_message, read_streamed, required, take_stream,
    unsuccessful,
};
use replay::{Boxed, Replay, replay};
use timers::mark;
use workers::{HashCheck, SHARE_STREAMED, next_streamed};

pub(crate) use fetch::{exists, fetch_bytes, read_response, start_fetch};
pub(crate) use replay::{owned_lines, replay_file};
pub use snapshot::{keep_snapshot, open_snapshot};
pub use timers::sleep;
pub(crate) use timers::{breathe, next_frame};
pub use workers::{
    PendingSignatures, check_line_hashes, check_signature_batch, check_streamed_part, in_page,
    start_worker,
};
pub(crate) use workers::{bytes_of, use_all_workers};

/// Where the ledger comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Only this browser's IndexedDB.
    Local,
    /// A published file at this URL, followed read-only. `explicit` when
    /// the page was opened with `?ledger=URL` (a missing file is then an
    /// error; the default `ledger.jsonl` may simply not be there).
    Follow {
        /// The file's address.
        url: String,
        /// Asked for by `?ledger=`.
        explicit: bool,
    },
}

impl Source {
    /// From the page's address: `?ledger=URL`, else `ledger.jsonl`
    /// beside the page.
    pub fn from_page() -> Source {
        let search = js_sys::Reflect::get(&js_sys::global(), &"location".into())
            .and_then(|location| js_sys::Reflect::get(&location, &"search".into()))
            .ok()
            .and_then(|search| search.as_string())
            .unwrap_or_default();
        let explicit = search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix("ledger="))
            .map(|url| {
                js_sys::decode_uri_component(url)
                    .ok()
                    .and_then(|u| u.as_string())
                    .unwrap_or_else(|| url.to_owned())
            });
        match explicit {
            Some(url) => Source::Follow {
                url,
                explicit: true,
            },
            None => Source::Follow {
                url: "ledger.jsonl".to_owned(),
                explicit: false,
            },
        }
    }
}

/// What following a published file found, besides the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowNotice {
    /// The published file was read and `new` entries were added.
    Updated {
        /// Entries added.
        new: u64,
    },
    /// The file could not be fetched; the stored copy is shown.
    Unreachable(String),
    /// The published file does not extend the stored copy: its history
    /// differs from entry `seq` on. Refused; the stored copy is kept.
    Rewritten {
        /// The first entry that differs.
        seq: u64,
    },
    /// The published file is an older copy of the stored one.
    Behind {
        /// Entries in the file.
        published: u64,
    },
    /// The published file's new entries do not verify; the stored copy is
    /// kept.
    Invalid(VerifyError),
    /// The new entries verified but the browser did not store them.
    NotStored(StoreError),
}

/// A ledger opened: shown at once; its signatures still being checked.
pub struct Opened {
    /// The ledger (hash chain and rules checked).
    pub ledger: Ledger,
    /// This device's keys.
    pub device: Device,
    /// Signatures still to check before the ledger counts as verified.
    pub signatures: PendingSignatures,
    /// Lines to store once the signatures hold: `(first seq, the bytes of
    /// its line and every later one)`, or the whole ledger when `first` is
    /// 0. Kept as bytes until then: turning them into text for IndexedDB
    /// is not on the way to showing balances.
    pub to_store: Option<(u64, Vec<u8>)>,
    /// What following the published file found.
    pub notice: Option<FollowNotice>,
    /// When a snapshot was shown first: whether the stored entries,
    /// replayed, add up to exactly it.
    pub summary_matches: Option<bool>,
}

/// Opens the ledger: the stored copy (hash chain and rules checked again;
/// signatures re-checked in the background), and, when following a
/// published file, what it adds — after checking, line by line, that it
/// extends the stored copy. `Ok(None)`: nothing stored and nothing
/// published.
///
/// Boxed: one copy of it in the bundle, however many callers it has.
pub fn open<'a>(
    source: &'a Source,
    shown: Option<&'a Snapshot>,
    progress: &'a dyn Fn(u64, u64),
) -> Boxed<'a, Result<Option<Opened>, LoadError>> {
    Box::pin(open_inner(source, shown, progress))
}

async fn open_inner(
    source: &Source,
    shown: Option<&Snapshot>,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<Opened>, LoadError> {
    if shown.is_some() {
        // A snapshot's balances are drawn first: reading the download and
        // the stored entries would otherwise hold the frame that shows them.
        next_frame().await;
        sleep(0.0).await;
    }
    // A first visit: the worker has been downloading the file since
    // index.html asked it to.
    if shown.is_none()
        && let Source::Follow { url, explicit } = source
        && take_stream(url)
        && let Some(opened) = open_streamed(url, *explicit, progress).await
    {
        return opened;
    }
    // The published file downloads while the stored copy is read.
    let fetching = match source {
        Source::Local => None,
        Source::Follow { url, .. } => Some(start_fetch(url)),
    };
    // Read while IndexedDB opens: until the page reads it, the download
    // stops once the browser's buffer for it is full.
    let published = async {
        match (source, fetching) {
            (Source::Follow { url, explicit }, Some(started)) => {
                required(read_response(started).await, url, *explicit)
            }
            _ => Ok(None),
        }
    };
    let (stored, published) = futures::future::join(read_stored(), published).await;
    let stored = stored.map_err(LoadError::Store)?;
    open_with(stored, published, None, shown, progress).await
}

/// The stored entries, and this device's keys.
async fn read_stored() -> Result<(Vec<String>, Device), StoreError> {
    let store = Store::open(DATABASE).await?;
    let stored = store.load().await;
    let stored_keys = store.load_device().await.unwrap_or_default();
    store.close();
    Ok((stored?, Device::from_stored(stored_keys)))
}

/// A first visit's open of the file the worker is downloading: with
/// nothing stored, the page replays each part as it comes (format, chain
/// and rules; a few hashes) while the worker reads the next and checks the
/// other lines' SHA-256. `None` if the worker failed before the file came:
/// the page then fetches it itself. Long because it is one loop over the
/// worker's messages, with the bytes and the replay it feeds beside it.
async fn open_streamed(
    url: &str,
    explicit: bool,
    progress: &dyn Fn(u64, u64),
) -> Option<Result<Option<Opened>, LoadError>> {
    // The stored entries are read while the response comes.
    let head = JsFuture::from(next_streamed());
    let stored = read_stored().await;
    let (status, length) = match read_streamed(head.await) {
        Streamed::Head { status, length } => (status, length),
        _ => return None,
    };
    let (stored, device) = match stored {
        Ok(stored) => stored,
        Err(error) => return Some(Err(LoadError::Store(error))),
    };
    if let Some(published) = unsuccessful(status) {
        let published = required(published, url, explicit);
        return Some(open_with((stored, device), published, None, None, progress).await);
    }
    let mut bytes = Vec::new();
    // Room for what the server said, if there is that much.
    let _ = bytes.try_reserve_exact(length.unwrap_or(0).min(MOST_AHEAD));
    let mut ends = LineEnds::default();
    // With entries stored, the file is read whole and compared with them
    // first (as any download is); with none, it is replayed as it comes.
    let mut run = stored.is_empty().then(|| {
        let share = Share::new(SHARE_STREAMED);
        Replay::new(None, 0, Some(share), PendingSignatures::held())
    });
    let mut estimate = 0;
    let answer = loop {
        match next_streamed_message().await {
            Streamed::Part(part) => {
                // Through a buffer reused part after part (see read_stream).
                bytes.extend_from_slice(&part.to_vec());
                ends.search(&bytes);
                let Some(run) = run.as_mut() else {
                    continue;
                };
                let found = ends.count() as u64;
                if estimate == 0 && found > 0 {
                    // Lines in the whole file, for the progress bar and the
                    // ledger's room, from those of the first part.
                    let length = length.unwrap_or(bytes.len()) as u64;
                    estimate = found * length / bytes.len().max(1) as u64;
                    run.expect_lines(estimate as usize + estimate as usize / 16);
                }
                let estimate = estimate.max(found);
                let from = run.done() as usize;
                let mut lines = ends.range(&bytes, from, usize::MAX);
                run.push(&mut lines, &|done| progress(done, estimate)).await;
            }
            Streamed::End(answer) => break answer,
            Streamed::Head { .. } => {}
            Streamed::Failed(reason) => {
                // As a download the page failed to read: with nothing
                // stored, an error; else the stored copy, and why.
                return Some(open_with((stored, device), Err(reason), None, None, progress).await);
            }
        }
    };
    mark("jifen:file-copied");
    let hashes = HashCheck::streamed(answer);
    let Some(run) = run else {
        let parts = js_sys::Array::new();
        let download = Download { bytes, parts, ends };
        let published = Ok(Some(download));
        return Some(open_with((stored, device), published, Some(hashes), None, progress).await);
    };
    let (lines, incomplete) = ends.lines(&bytes);
    let total = lines.len() as u64;
    let replayed = run
        .finish(&lines, incomplete, Some(hashes), &|done| {
            progress(done, total)
        })
        .await;
    drop(lines);
    Some(match replayed {
        Ok((ledger, signatures)) => Ok(Some(Opened {
            ledger,
            device,
            signatures,
            to_store: Some((0, bytes)),
            notice: Some(FollowNotice::Updated { new: total }),
            summary_matches: None,
        })),
        Err(error) => Err(LoadError::Invalid(error)),
    })
}

/// With no file to follow (or none reachable): the stored copy, or nothing.
async fn without_download(
    (stored, device): (Vec<String>, Device),
    unreachable: Option<FollowNotice>,
    shown: Option<&Snapshot>,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<Opened>, LoadError> {
    if !stored.is_empty() {
        return keep_stored(&stored, device, unreachable, shown, progress).await;
    }
    match unreachable {
        // Following a file that is not there, with nothing stored.
        Some(FollowNotice::Unreachable(reason)) => {
            Err(LoadError::Store(StoreError::Browser(reason)))
        }
        _ => Ok(None),
    }
}

/// Whether the published file rewrites the stored copy (at the first line
/// that differs) or is behind it; `None` when it starts with every stored
/// line.
fn follow_notice(stored: &[String], lines: &[&[u8]]) -> Option<FollowNotice> {
    let shared = stored.len().min(lines.len());
    match (0..shared).find(|&i| stored[i].as_bytes() != lines[i]) {
        Some(seq) => Some(FollowNotice::Rewritten { seq: seq as u64 }),
        None if lines.len() < stored.len() => Some(FollowNotice::Behind {
            published: lines.len() as u64,
        }),
        None => None,
    }
}

/// Opens what is `stored` with what the `published` file (if any) adds,
/// as [`open`] says; `hashes`, the SHA-256 of the file's lines from the
/// first, if a worker checked them as it downloaded the file. Long because
/// the file's bytes and the lines borrowed from them stay in one place
/// until the new part is replayed and handed over to be stored.
async fn open_with(
    (stored, device): (Vec<String>, Device),
    published: Result<Option<Download>, String>,
    hashes: Option<HashCheck>,
    shown: Option<&Snapshot>,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<Opened>, LoadError> {
    let (published, unreachable) = match published {
        Ok(text) => (text, None),
        Err(reason) => (None, Some(FollowNotice::Unreachable(reason))),
    };
    let Some(download) = published else {
        return without_download((stored, device), unreachable, shown, progress).await;
    };
    let Download {
        bytes: text,
        parts,
        ends,
    } = download;
    mark("jifen:file-copied");
    // With nothing stored (a first open), every line is new: the worker
    // starts on their hashes now, while the page finds the lines.
    let hashes_now = hashes.or_else(|| {
        stored
            .is_empty()
            .then(|| HashCheck::start(parts.clone(), 0, 0))
    });
    let (lines, incomplete) = ends.lines(&text);
    let notice = follow_notice(&stored, &lines);
    if notice.is_some() || (lines.len() == stored.len() && incomplete.is_none()) {
        // Keep the stored copy: nothing new, or a file that does not
        // extend it.
        return keep_stored(&stored, device, notice, shown, progress).await;
    }
    // The file extends the stored copy: replay the stored part (its
    // signatures were checked before it was stored, and are checked again
    // in the background), then check every new line, its form in a worker.
    let total = lines.len() as u64;
    let first = stored.len() as u64;
    // Where the first new line starts in the file.
    let offset: usize = lines[..stored.len()].iter().map(|l| l.len() + 1).sum();
    let hashes = match hashes_now {
        Some(hashes) => hashes,
        None => HashCheck::start(parts, offset, first),
    };
    let (start, mut signatures) = if stored.is_empty() {
        (None, PendingSignatures::default())
    } else {
        let (ledger, signatures) = replay_stored(&stored, total, progress).await?;
        (Some(ledger), signatures)
    };
    let summary_matches = shown.map(|snapshot| {
        start
            .as_ref()
            .is_some_and(|ledger| snapshot.matches(ledger))
    });
    let new = replay(
        start.clone(),
        &lines[stored.len()..],
        total,
        incomplete,
        Some(hashes),
        PendingSignatures::held(),
        &|done, _| progress(first + done, total),
    )
    .await;
    match new {
        Ok((ledger, more)) => {
            signatures.append(more);
            let mut to_store = text;
            to_store.drain(..offset.min(to_store.len()));
            Ok(Some(Opened {
                ledger,
                device,
                signatures,
                to_store: Some((first, to_store)),
                notice: Some(FollowNotice::Updated { new: total - first }),
                summary_matches,
            }))
        }
        Err(error) => match start {
            // Nothing stored: there is nothing to show.
            None => Err(LoadError::Invalid(error)),
            Some(ledger) => Ok(Some(Opened {
                ledger,
                device,
                signatures,
                to_store: None,
                notice: Some(FollowNotice::Invalid(error)),
                summary_matches,
            })),
        },
    }
}

/// Replays the stored lines (`progress` counts towards `total`).
async fn replay_stored(
    stored: &[String],
    total: u64,
    progress: &dyn Fn(u64, u64),
) -> Result<(Ledger, PendingSignatures), LoadError> {
    // The lines once more as one file for the worker that shares the
    // checks (a copy, but the page need not hash them itself).
    let mut file = Vec::with_capacity(stored.iter().map(|l| l.len() + 1).sum());
    for line in stored {
        file.extend_from_slice(line.as_bytes());
        file.push(b'\n');
    }
    let hashes = HashCheck::start_one(&file);
    drop(file);
    let lines: Vec<&[u8]> = stored.iter().map(|l| l.as_bytes()).collect();
    let signatures = PendingSignatures::default();
    replay(
        None,
        &lines,
        total,
        None,
        Some(hashes),
        signatures,
        progress,
    )
    .await
    .map_err(LoadError::Invalid)
}

/// Opens the stored copy alone, with what following found (if anything).
async fn keep_stored(
    stored: &[String],
    device: Device,
    notice: Option<FollowNotice>,
    shown: Option<&Snapshot>,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<Opened>, LoadError> {
    let (ledger, signatures) = replay_stored(stored, stored.len() as u64, progress).await?;
    Ok(Some(Opened {
        summary_matches: shown.map(|snapshot| snapshot.matches(&ledger)),
        ledger,
        device,
        signatures,
        to_store: None,
        notice,
    }))
}

/// Stores what a followed file added, once its signatures all hold (after
/// [`PendingSignatures::finish`]). A failed store is returned; the stored
/// copy is then unchanged.
pub async fn store_followed(to_store: Option<(u64, Vec<u8>)>) -> Result<(), StoreError> {
    let Some((first, bytes)) = to_store else {
        return Ok(());
    };
    let lines = owned_lines(&bytes);
    let store = Store::open(DATABASE).await?;
    let result = if first == 0 {
        store.replace_all(lines).await
    } else {
        store.append(first, lines).await
    };
    store.close();
    result
}
