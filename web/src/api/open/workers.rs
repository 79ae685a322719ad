//! The page's Web Workers: what a worker runs (a signature batch, the
//! SHA-256 of a file's lines, a download checked as it comes), and the
//! page's side of it (the answers awaited, batches held back while the
//! page replays).

use ledger_core::verify::{Share, SharedParts, SignatureBatch, answer, check_form};
use ledger_core::{Seq, VerifyError, VerifyErrorKind};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::timers::{SLICE_MS, breathe, next_frame, sleep};

#[wasm_bindgen(module = "/js/pool.js")]
extern "C" {
    pub(super) fn check_signatures(bytes: js_sys::Uint8Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = check_hashes)]
    pub(super) fn check_hashes_in_worker(
        parts: js_sys::Array,
        skip: f64,
        first: f64,
    ) -> js_sys::Promise;
    pub(crate) fn use_all_workers();
    pub(super) fn warm_up();
    pub(super) fn next_streamed() -> js_sys::Promise;
}

/// Signatures sent to a worker at once (about 80 ms of work there).
pub(super) const WORKER_BATCH: usize = 2048;

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
pub(super) const SHARE_HERE: u8 = 1;

/// The same for a file the worker downloads and checks as it comes
/// ([`check_streamed_part`]) while the page replays it: the worker then
/// also reads the download, which the page otherwise does, but it starts
/// while the page is still loading, and has time to spare: leaving it all
/// to the worker was as fast as any share measured (the Performance
/// chapter has the figures).
pub(super) const SHARE_STREAMED: u8 = 0;

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
    pub(super) job: JsFuture,
    pub(super) share: Share,
}

impl HashCheck {
    /// Hands a file's bytes to a worker (its buffers move there): `parts`
    /// in order, the lines from `first` on starting `skip` bytes in.
    pub(super) fn start(parts: js_sys::Array, skip: usize, first: u64) -> HashCheck {
        HashCheck {
            job: JsFuture::from(check_hashes_in_worker(parts, skip as f64, first as f64)),
            share: Share::new(SHARE_HERE),
        }
    }

    /// The answer of a worker that checked a file as it downloaded it
    /// (`None`: it could not).
    pub(super) fn streamed(answer: Option<js_sys::Uint8Array>) -> HashCheck {
        let answer = answer.map_or(JsValue::NULL, JsValue::from);
        HashCheck {
            job: JsFuture::from(js_sys::Promise::resolve(&answer)),
            share: Share::new(SHARE_STREAMED),
        }
    }

    /// Hands a file's bytes to a worker, as one buffer.
    pub(super) fn start_one(bytes: &[u8]) -> HashCheck {
        let copy = js_sys::Uint8Array::from(bytes);
        HashCheck::start(js_sys::Array::of1(&copy), 0, 0)
    }

    /// The worker's answer, as the error a line-by-line replay would give
    /// (the bad line is checked again here, to name what is wrong with
    /// it): `lines` are the same lines, numbered from `first`. Without an
    /// answer (no worker here), the page checks them itself.
    pub(super) async fn finish(self, lines: &[&[u8]], first: u64) -> Result<(), VerifyError> {
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
pub(crate) fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
}

/// Signature batches handed to workers, in seq order, and (after them)
/// batches held back until [`finish`](Self::finish).
#[derive(Default)]
pub struct PendingSignatures {
    pub(super) jobs: Vec<(Vec<u8>, JsFuture)>,
    pub(super) held: Vec<SignatureBatch>,
    pub(super) hold: bool,
    pub(super) checked: usize,
}

impl PendingSignatures {
    /// Batches that wait until `finish` is called: a first open shows the
    /// balances sooner when the page does not spend time handing batches
    /// over while it replays (the one worker is busy with the hashes
    /// until then anyway).
    pub(super) fn held() -> PendingSignatures {
        PendingSignatures {
            hold: true,
            ..PendingSignatures::default()
        }
    }

    pub(super) fn submit(&mut self, batch: SignatureBatch) {
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
    pub(super) fn append(&mut self, later: PendingSignatures) {
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
