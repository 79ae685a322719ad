//! A followed log's work in the app's Web Workers (the same pool as a
//! file's): its signatures, checked after the balances are shown, and on a
//! first visit its bulk bundles, read and hashed for the page's replay.

use ledger_core::log::{LeafSignatures, LogError, LogProblem, SubmitError};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;

use crate::api::open::{breathe, bytes_of, next_frame, sleep, use_all_workers};

#[wasm_bindgen(module = "/js/pool.js")]
extern "C" {
    fn check_leaves(bytes: js_sys::Uint8Array) -> js_sys::Promise;
}

/// Batches of 512 per worker job (about as long as a file's job).
const BATCHES_PER_JOB: usize = 4;

/// A worker's job: checks a batch of leaf signatures sent as bytes; the
/// answer as the core writes it, `None` for bytes that are not a batch.
pub fn check_leaf_signatures(bytes: &[u8]) -> Option<Vec<u8>> {
    let batch = LeafSignatures::from_bytes(bytes)?;
    Some(LeafSignatures::answer_to_bytes(batch.first_bad()))
}

/// A worker's job on a first visit: the leaves of a bulk bundle read and
/// hashed for the page's replay (ledger-core's [`vouch_bundle`]).
///
/// [`vouch_bundle`]: ledger_core::log::vouch_bundle
pub fn vouch_bundle(bytes: &[u8]) -> Vec<u8> {
    ledger_core::log::vouch_bundle(bytes, super::remote::BULK)
}

/// Signature batches waiting until the balances are drawn.
#[derive(Default)]
pub struct PendingLeaves {
    held: Vec<LeafSignatures>,
}

impl PendingLeaves {
    pub(super) fn hold(&mut self, batch: LeafSignatures) {
        if !batch.is_empty() {
            self.held.push(batch);
        }
    }

    /// Worker jobs in all, for a progress bar.
    pub fn jobs(&self) -> usize {
        self.held.len().div_ceil(BATCHES_PER_JOB)
    }

    /// Hands every batch to the workers and waits; the first leaf whose
    /// signature does not hold, if any. `progress(done, all)` per job.
    pub async fn finish(self, progress: &dyn Fn(usize, usize)) -> Result<(), LogError> {
        if self.held.is_empty() {
            return Ok(());
        }
        // Let the page draw the balances before the batches go out.
        next_frame().await;
        sleep(0.0).await;
        use_all_workers();
        let jobs: Vec<(Vec<u8>, JsFuture)> = self
            .held
            .chunks(BATCHES_PER_JOB)
            .map(|batches| {
                let bytes: Vec<u8> = batches.iter().flat_map(LeafSignatures::to_bytes).collect();
                let copy = js_sys::Uint8Array::from(bytes.as_slice());
                let job = JsFuture::from(check_leaves(copy));
                (bytes, job)
            })
            .collect();
        let all = jobs.len();
        let mut bad: Option<u64> = None;
        for (done, (bytes, job)) in jobs.into_iter().enumerate() {
            let answer = job.await.ok().and_then(|a| bytes_of(&a));
            let answer = match answer {
                Some(answer) => Some(answer),
                None => {
                    // No worker: checked here, between frames.
                    breathe().await;
                    check_leaf_signatures(&bytes)
                }
            };
            match answer
                .as_deref()
                .and_then(LeafSignatures::answer_from_bytes)
            {
                Some(None) => {}
                Some(Some(index)) => bad = Some(bad.map_or(index, |b| b.min(index))),
                // Our own bytes always read back; refuse rather than pass.
                None => bad = Some(0),
            }
            progress(done + 1, all);
        }
        match bad {
            None => Ok(()),
            Some(index) => Err(LogError {
                index,
                problem: LogProblem::Submit(SubmitError::BadSignature),
            }),
        }
    }
}
