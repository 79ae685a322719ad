//! Opening a ledger: from IndexedDB, from a published file the app follows
//! (`?ledger=URL`, or `ledger.jsonl` beside the page), or both. The hash
//! chain and the rules are checked on the page in slices, with a progress
//! bar, so balances show quickly. A downloaded file's lines are checked for
//! SHA-256 in a Web Worker (`worker.js`) at the same time, on the other
//! core; the signatures are checked in workers in the
//! background, and only a fully verified file is ever stored.

use ledger_core::verify::{
    LineEnds, Share, SharedParts, SignatureBatch, Verifier, answer, check_form, first_error,
    split_lines,
};
use ledger_core::{Head, Ledger, Seq, Snapshot, VerifyError, VerifyErrorKind};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use core::future::Future;
use core::pin::Pin;

use super::{DATABASE, Device, LoadError};
use crate::store::{Store, StoreError};

#[wasm_bindgen(module = "/js/pool.js")]
extern "C" {
    fn check_signatures(bytes: js_sys::Uint8Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = check_hashes)]
    fn check_hashes_in_worker(parts: js_sys::Array, skip: f64, first: f64) -> js_sys::Promise;
    fn use_all_workers();
    fn warm_up();
    fn next_streamed() -> js_sys::Promise;
}

/// A boxed future: one copy of its code in the bundle, however many
/// callers await it.
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Signatures sent to a worker at once (about 80 ms of work there).
const WORKER_BATCH: usize = 2048;

/// The page works this long between paints while replaying.
const SLICE_MS: f64 = 40.0;

/// Whether this code runs in a page (not in a Web Worker).
pub fn in_page() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"document".into())
        .is_ok_and(|document| !document.is_undefined())
}

/// A worker's job: checks a batch of signatures sent as bytes; the answer
/// as the core writes it (`verify::answer`), `None` when the bytes are not
/// a batch.
pub fn check_signature_batch(bytes: &[u8]) -> Option<Vec<u8>> {
    let batch = SignatureBatch::from_bytes(bytes)?;
    Some(answer::signatures_to_bytes(&batch.verify()))
}

/// Starts the first worker, so that it is ready when the page has a file's
/// lines or signatures for it: called as the app starts.
pub fn start_worker() {
    warm_up();
}

/// How the replay of a downloaded file is shared with a worker: the worker
/// checks every line's SHA-256 but this many in every sixteen, which the
/// page checks itself besides everything else. With the page's share of
/// the work lighter than the worker's SHA-256, that keeps both about as
/// busy (measured by alternating first opens).
const SHARE_HERE: u8 = 1;

/// The same for a file the worker downloads and checks as it comes
/// ([`check_streamed_part`]) while the page replays it: the worker then
/// also reads the download, which the page otherwise does, but it starts
/// while the page is still loading, and has time to spare: leaving it all
/// to the worker was as fast as any share measured (the Performance
/// chapter has the figures).
const SHARE_STREAMED: u8 = 0;

thread_local! {
    /// A worker's check of the file it is downloading: the lines so far,
    /// and the first bad one.
    static STREAMED: core::cell::RefCell<Option<(SharedParts, Option<u64>)>> =
        const { core::cell::RefCell::new(None) };
}

/// A worker's job while it downloads a file for the page: checks the
/// SHA-256 of the lines of the next `part` (the first when `restart`;
/// lines numbered from 0) but those [`SHARE_STREAMED`] leaves to the page.
/// The answer as the core writes it: the first bad line, once there is one.
pub fn check_streamed_part(part: &js_sys::Uint8Array, restart: bool) -> Vec<u8> {
    STREAMED.with_borrow_mut(|streamed| {
        if restart {
            *streamed = None;
        }
        let (check, failed) =
            streamed.get_or_insert_with(|| (SharedParts::new(0, Share::new(SHARE_STREAMED)), None));
        if failed.is_none()
            && let Err(error) = check.push_with(part.length() as usize, |room| part.copy_to(room))
        {
            *failed = Some(error.seq.0);
        }
        answer::hashes_to_bytes(*failed)
    })
}

/// A worker's job: checks that each of a file's lines (numbered from
/// `first`) hashes to the `hash` it states, but those [`SHARE_HERE`]
/// leaves to the page. The file comes in `parts`
/// (`Uint8Array`s, as downloaded), of which the first `skip` bytes are not
/// checked; each part is copied in and checked in turn (see
/// [`SharedParts`]), not the whole file at once. The answer as the core
/// writes it: the first bad line, if any.
pub fn check_line_hashes(parts: &js_sys::Array, skip: f64, first: f64) -> Vec<u8> {
    // Whole numbers below 2^53, so `as` is exact here.
    let mut skip = skip as usize;
    let mut check = SharedParts::new(first as u64, Share::new(SHARE_HERE));
    for part in parts.iter() {
        let part: js_sys::Uint8Array = part.unchecked_into();
        let length = part.length();
        let from = skip.min(length as usize);
        skip -= from;
        let part = part.subarray(from as u32, length);
        let copied = check.push_with(part.length() as usize, |room| part.copy_to(room));
        if let Err(error) = copied {
            return answer::hashes_to_bytes(Some(error.seq.0));
        }
    }
    answer::hashes_to_bytes(None)
}

/// The SHA-256 of a downloaded file's new lines, checked in a worker while
/// the page replays them (see [`Verifier::sharing`]).
pub(crate) struct HashCheck {
    job: JsFuture,
    share: Share,
}

impl HashCheck {
    /// Hands a file's bytes to a worker (its buffers move there): `parts`
    /// in order, the lines from `first` on starting `skip` bytes in.
    fn start(parts: js_sys::Array, skip: usize, first: u64) -> HashCheck {
        HashCheck {
            job: JsFuture::from(check_hashes_in_worker(parts, skip as f64, first as f64)),
            share: Share::new(SHARE_HERE),
        }
    }

    /// The answer of a worker that checked a file as it downloaded it
    /// (`None`: it could not).
    fn streamed(answer: Option<js_sys::Uint8Array>) -> HashCheck {
        let answer = answer.map_or(JsValue::NULL, JsValue::from);
        HashCheck {
            job: JsFuture::from(js_sys::Promise::resolve(&answer)),
            share: Share::new(SHARE_STREAMED),
        }
    }

    /// Hands a file's bytes to a worker, as one buffer.
    fn start_one(bytes: &[u8]) -> HashCheck {
        let copy = js_sys::Uint8Array::from(bytes);
        HashCheck::start(js_sys::Array::of1(&copy), 0, 0)
    }

    /// The worker's answer, as the error a line-by-line replay would give
    /// (the bad line is checked again here, to name what is wrong with
    /// it): `lines` are the same lines, numbered from `first`. Without an
    /// answer (no worker here), the page checks them itself.
    async fn finish(self, lines: &[&[u8]], first: u64) -> Result<(), VerifyError> {
        let answer = self.job.await.ok().and_then(|a| bytes_of(&a));
        let mut scratch = Vec::new();
        let bad = match answer.as_deref().and_then(answer::hashes_from_bytes) {
            Some(None) => return Ok(()),
            Some(Some(seq)) => Some(seq).filter(|&seq| seq >= first),
            None => None,
        };
        if let Some(seq) = bad {
            // The bad line again, to name what is wrong with it. Should the
            // full checks pass it (the worker and they disagree, which no
            // line is known to make happen), the file is refused all the
            // same: refusing is the safe answer.
            let index = usize::try_from(seq - first).unwrap_or(usize::MAX);
            if let Some(line) = lines.get(index) {
                check_form(line, Seq(seq), &mut scratch)?;
            }
            return Err(VerifyError {
                seq: Seq(seq),
                kind: VerifyErrorKind::NotCanonical,
            });
        }
        // No usable answer: every line.
        let mut since = js_sys::Date::now();
        for (index, line) in lines.iter().enumerate() {
            check_form(line, Seq(first + index as u64), &mut scratch)?;
            if js_sys::Date::now() - since > SLICE_MS {
                breathe().await;
                since = js_sys::Date::now();
            }
        }
        Ok(())
    }
}

/// A worker's answer as bytes (a `Uint8Array`), if it is one.
fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
}

/// Marks a moment of an open on the page's timeline (`performance.mark`),
/// for the browser's developer tools and `cargo xtask web-bench`.
fn mark(name: &str) {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .filter(JsValue::is_object);
    if let Some(performance) = performance
        && let Ok(mark) = js_sys::Reflect::get(&performance, &"mark".into())
        && let Ok(mark) = mark.dyn_into::<js_sys::Function>()
    {
        let _ = mark.call1(&performance, &name.into());
    }
}

/// Lets the browser paint (a progress bar) and handle input: with
/// `scheduler.yield()` where the browser has it, which comes back as soon
/// as that is done (a timer, once nested, waits at least 4 ms).
pub(crate) async fn breathe() {
    // Every fourth time a timer instead: `scheduler.yield()` resumes ahead
    // of every other task, and some of them must run meanwhile (handing a
    // worker the messages it was sent while it was still loading).
    static BREATHS: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
    if BREATHS.fetch_add(1, core::sync::atomic::Ordering::Relaxed) % 4 == 3 {
        return sleep(0.0).await;
    }
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
        .ok()
        .filter(JsValue::is_object);
    let yielded =
        scheduler.and_then(|scheduler| method(&scheduler, "yield")?.call0(&scheduler).ok());
    match yielded {
        Some(promise) => {
            let _ = JsFuture::from(js_sys::Promise::from(promise)).await;
        }
        None => sleep(0.0).await,
    }
}

/// Waits for the browser's next animation frame, or 100 ms at most (a
/// hidden tab draws no frames); at once where there are none, as in a
/// worker.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let frame = method(&global, "requestAnimationFrame");
        if frame.is_none_or(|f| f.call1(&global, &resolve).is_err()) {
            let _ = resolve.call0(&JsValue::NULL);
        }
        if let Some(timer) = method(&global, "setTimeout") {
            let _ = timer.call2(&global, &resolve, &100.into());
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits `ms` milliseconds (a timer; the page stays responsive).
pub async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let timer = method(&global, "setTimeout");
        let started = timer.is_some_and(|f| f.call2(&global, &resolve, &ms.into()).is_ok());
        if !started {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Signature batches handed to workers, in seq order, and (after them)
/// batches held back until [`finish`](Self::finish).
#[derive(Default)]
pub struct PendingSignatures {
    jobs: Vec<(Vec<u8>, JsFuture)>,
    held: Vec<SignatureBatch>,
    hold: bool,
    checked: usize,
}

impl PendingSignatures {
    /// Batches that wait until `finish` is called: a first open shows the
    /// balances sooner when the page does not spend time handing batches
    /// over while it replays (the one worker is busy with the hashes
    /// until then anyway).
    fn held() -> PendingSignatures {
        PendingSignatures {
            hold: true,
            ..PendingSignatures::default()
        }
    }

    fn submit(&mut self, batch: SignatureBatch) {
        if batch.is_empty() {
            return;
        }
        if self.hold {
            return self.held.push(batch);
        }
        let bytes = batch.to_bytes();
        let copy = js_sys::Uint8Array::from(bytes.as_slice());
        self.jobs
            .push((bytes, JsFuture::from(check_signatures(copy))));
    }

    /// `later`'s batches after these; held back if either's were (a first
    /// open's are: without this, they were copied out to the workers before
    /// the balances were drawn, which then came later).
    fn append(&mut self, later: PendingSignatures) {
        self.jobs.extend(later.jobs);
        self.held.extend(later.held);
        self.hold |= later.hold;
    }

    /// Batches in all, for a progress bar.
    pub fn jobs(&self) -> usize {
        self.jobs.len() + self.held.len()
    }

    /// Waits for every batch; the first bad signature in seq order, if
    /// any. A batch no worker could check is checked here.
    /// `progress(done, all)` after each batch.
    pub async fn finish(mut self, progress: &dyn Fn(usize, usize)) -> Result<(), VerifyError> {
        if self.hold {
            // Balances were just put on screen: let the page draw them
            // before it hands the held batches over (a timer set after
            // the next animation frame runs once that frame is painted).
            next_frame().await;
            sleep(0.0).await;
        }
        // The page's own replay is done: every core may check signatures.
        use_all_workers();
        self.hold = false;
        for batch in core::mem::take(&mut self.held) {
            self.submit(batch);
        }
        let all = self.jobs.len();
        for (bytes, job) in core::mem::take(&mut self.jobs) {
            let answer = job.await.ok().and_then(|a| bytes_of(&a));
            let answer = match answer {
                Some(answer) => Some(answer),
                None => {
                    breathe().await;
                    check_signature_batch(&bytes)
                }
            };
            self.checked += 1;
            progress(self.checked, all);
            match answer.as_deref().and_then(answer::signatures_from_bytes) {
                Some(Ok(())) => {}
                Some(Err(bad)) => return Err(bad),
                None => {
                    // Our own bytes always read back; refuse rather than
                    // pass if they somehow did not.
                    return Err(VerifyError {
                        seq: Seq(0),
                        kind: VerifyErrorKind::Empty,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Replays `lines` (onto `start` if given): format, hash, chain and rules
/// here, in slices with `progress(done, total)`; the signatures go to the
/// workers. With `hashes`, a worker checks the lines' SHA-256 meanwhile,
/// and the page waits for it. On a bad line, the first
/// error in seq order (a bad signature or form before it counts).
///
/// Boxed: one copy of this loop in the bundle, however many callers it
/// has.
fn replay<'f>(
    start: Option<Ledger>,
    lines: &'f [&'f [u8]],
    total: u64,
    incomplete: Option<u64>,
    hashes: Option<HashCheck>,
    signatures: PendingSignatures,
    progress: &'f dyn Fn(u64, u64),
) -> Boxed<'f, Result<(Ledger, PendingSignatures), VerifyError>> {
    Box::pin(replay_inner(
        start, lines, total, incomplete, hashes, signatures, progress,
    ))
}

async fn replay_inner(
    start: Option<Ledger>,
    lines: &[&[u8]],
    total: u64,
    incomplete: Option<u64>,
    hashes: Option<HashCheck>,
    pending: PendingSignatures,
    progress: &dyn Fn(u64, u64),
) -> Result<(Ledger, PendingSignatures), VerifyError> {
    let share = hashes.as_ref().map(|hashes| hashes.share);
    let mut run = Replay::new(start, lines.len(), share, pending);
    let report = |done| progress(done, total);
    run.push(&mut lines.iter().copied(), &report).await;
    run.finish(lines, incomplete, hashes, &report).await
}

/// A replay under way: lines go in as they come ([`Replay::push`]), and
/// [`Replay::finish`] gives the ledger, or the first error in seq order.
struct Replay {
    verifier: Verifier,
    pending: PendingSignatures,
    first: u64,
    failed: Option<VerifyError>,
    since: f64,
}

impl Replay {
    /// Onto `start` if given, with room for `lines` (a hint); the SHA-256
    /// of the lines `share` leaves to a worker are not checked here.
    fn new(
        start: Option<Ledger>,
        lines: usize,
        share: Option<Share>,
        pending: PendingSignatures,
    ) -> Replay {
        let mut verifier = start.map_or_else(Verifier::new, Verifier::resume);
        verifier.expect_lines(lines);
        if let Some(share) = share {
            verifier = verifier.sharing(share);
        }
        Replay {
            first: verifier.count(),
            verifier,
            pending,
            failed: None,
            since: js_sys::Date::now(),
        }
    }

    /// Lines replayed so far.
    fn done(&self) -> u64 {
        self.verifier.count() - self.first
    }

    /// Replays the next `lines` (format, hash, chain and rules; the
    /// signatures go to the workers), letting the page paint with
    /// `progress(done)` every [`SLICE_MS`]. After a bad line, nothing more.
    async fn push(&mut self, lines: &mut dyn Iterator<Item = &[u8]>, progress: &dyn Fn(u64)) {
        if self.failed.is_some() {
            return;
        }
        for line in lines {
            if let Err(error) = self.verifier.push_line(line) {
                self.failed = Some(error);
                return;
            }
            if let Some(batch) = self.verifier.take_batch(WORKER_BATCH) {
                self.pending.submit(batch);
            }
            if self.verifier.count().is_multiple_of(256)
                && js_sys::Date::now() - self.since > SLICE_MS
            {
                progress(self.done());
                breathe().await;
                self.since = js_sys::Date::now();
            }
        }
    }

    /// Ends the replay of `lines` (all of them, numbered from where it
    /// started; `incomplete`: the index of a last line without its
    /// newline): waits for the worker's `hashes`, then gives the ledger,
    /// or the first error in seq order (a bad signature or form before it
    /// counts).
    async fn finish(
        mut self,
        lines: &[&[u8]],
        incomplete: Option<u64>,
        hashes: Option<HashCheck>,
        progress: &dyn Fn(u64),
    ) -> Result<(Ledger, PendingSignatures), VerifyError> {
        let first = self.first;
        let done = self.done();
        mark("jifen:replayed");
        let bad_hash = match hashes {
            Some(hashes) => hashes.finish(lines, first).await.err(),
            None => None,
        };
        if let Some(batch) = self.verifier.take_batch(1) {
            self.pending.submit(batch);
        }
        let mut failed = self.failed;
        let replayed = match failed {
            Some(_) => None,
            None => match self.verifier.finish() {
                Ok((ledger, _)) => Some(ledger),
                Err(error) => {
                    failed = Some(error);
                    None
                }
            },
        };
        if replayed.is_some()
            && let Some(seq) = incomplete
        {
            failed = Some(VerifyError {
                seq: Seq(seq),
                kind: VerifyErrorKind::IncompleteLastLine,
            });
        }
        match replayed {
            Some(ledger) if failed.is_none() && bad_hash.is_none() => {
                mark("jifen:checked");
                progress(done);
                Ok((ledger, self.pending))
            }
            _ => {
                let bad_signature = self.pending.finish(&|_, _| {}).await.err();
                Err(
                    first_error(failed.into_iter().chain(bad_hash).chain(bad_signature)).unwrap_or(
                        VerifyError {
                            seq: Seq(first),
                            kind: VerifyErrorKind::Empty,
                        },
                    ),
                )
            }
        }
    }
}

/// Replays a whole ledger file (an import), its hashes checked in a worker.
pub(crate) async fn replay_file(
    bytes: &[u8],
    progress: &dyn Fn(u64, u64),
) -> Result<(Ledger, PendingSignatures), VerifyError> {
    let hashes = HashCheck::start_one(bytes);
    let (lines, incomplete) = split_lines(bytes);
    let lines: Vec<&[u8]> = lines.collect();
    let total = lines.len() as u64;
    let signatures = PendingSignatures::default();
    replay(
        None,
        &lines,
        total,
        incomplete,
        Some(hashes),
        signatures,
        progress,
    )
    .await
}

/// The lines of a verified file as text, for IndexedDB. A verified line is
/// UTF-8 (the JSON parser checked it).
pub(crate) fn owned_lines(bytes: &[u8]) -> Vec<String> {
    split_lines(bytes)
        .0
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect()
}

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

/// Fetches a published ledger file as bytes (no detour through a JS
/// string): `Ok(None)` for a 404.
pub(crate) async fn fetch_bytes(url: &str) -> Result<Option<Vec<u8>>, String> {
    Ok(read_response(start_fetch(url))
        .await?
        .map(|download| download.bytes))
}

/// A downloaded body: in WebAssembly memory, and as the `Uint8Array`s it
/// came in (for a worker); with its line ends, found as it came.
struct Download {
    bytes: Vec<u8>,
    parts: js_sys::Array,
    ends: LineEnds,
}

/// The largest body whose room is made at once from its stated length.
const MOST_AHEAD: usize = 1 << 30;

/// Starts fetching `url` (the request goes out now, whenever the answer
/// is awaited). The page's first request for it, started by `index.html`
/// before the app loaded, is taken over if there is one.
fn start_fetch(url: &str) -> Result<JsFuture, String> {
    if let Some(early) = take_early_fetch(url) {
        return Ok(JsFuture::from(early));
    }
    request(url, "GET")
}

/// Sends a `method` request for `url`, never answered from a stale cache.
fn request(url: &str, method: &str) -> Result<JsFuture, String> {
    let fetch = js_sys::Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("fetch is not available")?;
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"cache".into(), &"no-cache".into());
    let _ = js_sys::Reflect::set(&options, &"method".into(), &method.into());
    let promise = fetch
        .call2(&JsValue::NULL, &url.into(), &options)
        .map_err(describe)?;
    Ok(JsFuture::from(js_sys::Promise::from(promise)))
}

/// Whether a file is published at `url`: a HEAD request, so nothing is
/// downloaded.
pub(crate) async fn exists(url: &str) -> bool {
    let Ok(response) = request(url, "HEAD") else {
        return false;
    };
    response
        .await
        .is_ok_and(|response| (200.0..300.0).contains(&status(&response)))
}

/// A fetch response's HTTP status (0 if it has none).
fn status(response: &JsValue) -> f64 {
    js_sys::Reflect::get(response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0)
}

/// The request `index.html` started for `url`, once (a later fetch, a
/// re-follow, goes to the network again).
fn take_early_fetch(url: &str) -> Option<js_sys::Promise> {
    let global: js_sys::Object = js_sys::global();
    let key = JsValue::from_str("jifenEarlyFetch");
    let early = js_sys::Reflect::get(&global, &key)
        .ok()
        .filter(JsValue::is_object)?;
    let _ = js_sys::Reflect::delete_property(&global, &key);
    let same = js_sys::Reflect::get(&early, &"url".into())
        .ok()
        .and_then(|u| u.as_string())
        .is_some_and(|u| u == url);
    if !same {
        return None;
    }
    js_sys::Reflect::get(&early, &"response".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// What a response's HTTP `status` means before its body is read: `None`
/// for a success, `Ok(None)` for a 404 (no file there), an error for any
/// other status.
fn unsuccessful(status: f64) -> Option<Result<Option<Download>, String>> {
    match status {
        200.0..300.0 => None,
        404.0 => Some(Ok(None)),
        // As a whole number: formatting an f64 would add its own code.
        _ => Some(Err(format!("HTTP {}", status as u16))),
    }
}

/// A file the page was asked to follow (`explicit`, `?ledger=URL`) that is
/// not there is an error; the default `ledger.jsonl` may simply be absent.
fn required(
    published: Result<Option<Download>, String>,
    url: &str,
    explicit: bool,
) -> Result<Option<Download>, String> {
    match published {
        Ok(None) if explicit => Err(format!("404 {url}")),
        other => other,
    }
}

/// The body of a fetch started by [`start_fetch`]: `Ok(None)` for a 404.
async fn read_response(started: Result<JsFuture, String>) -> Result<Option<Download>, String> {
    let response = started?.await.map_err(describe)?;
    if let Some(unsuccessful) = unsuccessful(status(&response)) {
        return unsuccessful;
    }
    let length = js_sys::Reflect::get(&response, &"headers".into())
        .ok()
        .and_then(|headers| {
            method(&headers, "get")?
                .call1(&headers, &"content-length".into())
                .ok()
        })
        .and_then(|length| length.as_string()?.parse::<usize>().ok());
    let reader = js_sys::Reflect::get(&response, &"body".into())
        .ok()
        .filter(JsValue::is_object)
        .and_then(|body| method(&body, "getReader")?.call0(&body).ok());
    match (length, reader) {
        // Read as it arrives, each part copied into WebAssembly memory
        // while the rest downloads (rather than all of it at the end).
        (Some(length), Some(reader)) => read_stream(&reader, length).await.map(Some),
        _ => {
            let buffer = method(&response, "arrayBuffer")
                .ok_or("no arrayBuffer()")?
                .call0(&response)
                .map_err(describe)?;
            let buffer = JsFuture::from(js_sys::Promise::from(buffer))
                .await
                .map_err(describe)?;
            let whole = js_sys::Uint8Array::new(&buffer);
            let bytes = whole.to_vec();
            let mut ends = LineEnds::default();
            ends.search(&bytes);
            Ok(Some(Download {
                bytes,
                parts: js_sys::Array::of1(&whole),
                ends,
            }))
        }
    }
}

/// `object.name` if it is a function.
fn method(object: &JsValue, name: &str) -> Option<js_sys::Function> {
    js_sys::Reflect::get(object, &name.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()
}

/// Reads a body from its stream `reader`; `length` is what the server
/// said it would be.
async fn read_stream(reader: &JsValue, length: usize) -> Result<Download, String> {
    let read = method(reader, "read").ok_or("no read()")?;
    let mut bytes = Vec::new();
    // Room for what the server said, if there is that much (a wrong length
    // only costs the room, or a later move).
    let _ = bytes.try_reserve_exact(length.min(MOST_AHEAD));
    let parts = js_sys::Array::new();
    let mut ends = LineEnds::default();
    let mut since = js_sys::Date::now();
    loop {
        // Parts that have already arrived come back without the browser
        // running anything else in between: let it, now and then (the
        // worker's start, above all, waits for the page's turn).
        if js_sys::Date::now() - since > SLICE_MS / 2.0 {
            sleep(0.0).await;
            since = js_sys::Date::now();
        }
        let next = read.call0(reader).map_err(describe)?;
        let next = JsFuture::from(js_sys::Promise::from(next))
            .await
            .map_err(describe)?;
        let done = js_sys::Reflect::get(&next, &"done".into()).map_err(describe)?;
        if done.as_bool() != Some(false) {
            break;
        }
        let part = js_sys::Reflect::get(&next, &"value".into())
            .map_err(describe)?
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| "not bytes".to_owned())?;
        // Through a buffer that is reused part after part: growing the
        // list first would write zeros to all of it (~30 ms for 45 MB),
        // and a copy is much faster than that.
        bytes.extend_from_slice(&part.to_vec());
        parts.push(&part);
        // While the next part downloads: the replay then need not search
        // the whole file for its lines.
        ends.search(&bytes);
    }
    Ok(Download { bytes, parts, ends })
}

fn describe(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".to_owned())
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

/// What the worker that downloads a first visit's file says next
/// (`index.html` asks it to; `js/pool.js` passes its messages on).
enum Streamed {
    /// The response came: its HTTP status and stated length.
    Head { status: f64, length: Option<usize> },
    /// The next part of the body.
    Part(js_sys::Uint8Array),
    /// The whole body came, and what the worker found checking its lines'
    /// SHA-256 (the core's hash answer; `None`: it could not check them).
    End(Option<js_sys::Uint8Array>),
    /// The download failed, or the worker did.
    Failed(String),
}

async fn next_streamed_message() -> Streamed {
    read_streamed(JsFuture::from(next_streamed()).await)
}

fn read_streamed(message: Result<JsValue, JsValue>) -> Streamed {
    let message = message.unwrap_or(JsValue::NULL);
    let get =
        |name: &str| js_sys::Reflect::get(&message, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(part) = get("part").dyn_into::<js_sys::Uint8Array>() {
        return Streamed::Part(part);
    }
    if let Some(status) = get("status").as_f64() {
        let length = get("length").as_string().and_then(|l| l.parse().ok());
        return Streamed::Head { status, length };
    }
    if get("end").as_bool() == Some(true) {
        return Streamed::End(get("answer").dyn_into::<js_sys::Uint8Array>().ok());
    }
    Streamed::Failed(
        get("error")
            .as_string()
            .unwrap_or_else(|| "network error".to_owned()),
    )
}

/// Whether the worker is downloading `url` for this page (then the page
/// takes it over, once).
fn take_stream(url: &str) -> bool {
    let stream = js_sys::Reflect::get(&js_sys::global(), &"jifenStream".into())
        .ok()
        .filter(JsValue::is_object);
    let Some(stream) = stream else {
        return false;
    };
    let get = |name: &str| js_sys::Reflect::get(&stream, &name.into()).unwrap_or_default();
    let ours = get("url").as_string().is_some_and(|u| u == url) && get("taken").is_undefined();
    ours && js_sys::Reflect::set(&stream, &"taken".into(), &JsValue::TRUE).is_ok()
}

/// A first visit's open of the file the worker is downloading: with
/// nothing stored, the page replays each part as it comes (format, chain
/// and rules; a few hashes) while the worker reads the next and checks the
/// other lines' SHA-256. `None` if the worker failed before the file came:
/// the page then fetches it itself.
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
                    run.verifier
                        .expect_lines(estimate as usize + estimate as usize / 16);
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

/// Opens what is `stored` with what the `published` file (if any) adds,
/// as [`open`] says; `hashes`, the SHA-256 of the file's lines from the
/// first, if a worker checked them as it downloaded the file.
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
        if stored.is_empty() {
            return match unreachable {
                // Following a file that is not there, with nothing stored.
                Some(FollowNotice::Unreachable(reason)) => {
                    Err(LoadError::Store(StoreError::Browser(reason)))
                }
                _ => Ok(None),
            };
        }
        return keep_stored(&stored, device, unreachable, shown, progress).await;
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
    let shared = stored.len().min(lines.len());
    let first_difference = (0..shared).find(|&i| stored[i].as_bytes() != lines[i]);
    let notice = match first_difference {
        Some(seq) => Some(FollowNotice::Rewritten { seq: seq as u64 }),
        None if lines.len() < stored.len() => Some(FollowNotice::Behind {
            published: lines.len() as u64,
        }),
        None => None,
    };
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
    let store = Store::open(DATABASE).await.ok()?;
    let quick = store.load_quick().await;
    store.close();
    let quick = quick.ok()?;
    let snapshot = Snapshot::from_bytes(&quick.snapshot?)?;
    let (_, last) = ledger_core::parse_line(quick.last_line?.as_bytes()).ok()?;
    let head = snapshot.head();
    (quick.count == snapshot.len() && last.seq == head.seq && last.hash == head.hash)
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
fn snapshot_flag(value: Option<&str>) -> Option<bool> {
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
