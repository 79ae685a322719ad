//! The lifecycle of a followed community log (`?log=`): opened (a stored
//! snapshot at once, then every leaf replayed), its signatures checked,
//! what it added stored with its checkpoint, and then the log polled
//! every few seconds for new leaves while the page is open.

use leptos::prelude::*;

use super::Checked;
use super::lifecycle::{Lifecycle, Status};
use crate::api::{self, LoadError, LogNotice, LogOpened, LogSource, Polled};

/// How often an open page asks the log for a new checkpoint (its
/// `max-age` is 2 s).
const POLL_MS: f64 = 3000.0;

/// Entries sent in one request at most (the service takes 1,000).
const SEND_AT_ONCE: usize = 500;

impl Lifecycle {
    /// Opens the followed log, then keeps following it.
    pub(super) fn start_log(self, source: LogSource) {
        // The log's refusals come in the screen's language.
        let lang = use_context::<crate::state::AppLang>().map(|l| l.0);
        leptos::task::spawn_local(async move {
            api::keys_from_address().await;
            let shown = self.show_snapshot().await;
            let progress = move |done, total| self.progress.set((done, total));
            let result = api::open_log(&source, shown.as_deref(), &progress).await;
            if self.opened_log(result).await {
                // This device's entries from before (a closed tab) go out.
                // A phone's build never holds any: a device that writes
                // is marked and always loads the whole app.
                #[cfg(feature = "writer")]
                {
                    let queue = api::stored_queue().await;
                    self.with_log(|ledger, log| api::requeue(ledger, log, queue, api::now_ms()));
                    leptos::task::spawn_local(self.send_loop(lang));
                }
                #[cfg(not(feature = "writer"))]
                let _ = lang;
                self.poll_log().await;
            }
        });
    }

    /// Shows an opened log at once, then waits for its signatures and
    /// stores what it added; true when it is verified and may be followed.
    async fn opened_log(self, result: Result<Option<LogOpened>, LoadError>) -> bool {
        let state = self.state;
        let shown = state.summary.get_untracked();
        state.summary.set(None);
        let opened = match result {
            Ok(Some(opened)) => opened,
            Ok(None) => {
                self.status.set(Status::Empty);
                return false;
            }
            Err(error) => {
                self.status.set(Status::Failed(error));
                return false;
            }
        };
        let LogOpened {
            ledger,
            log,
            device,
            signatures,
            to_store,
            notice,
            summary_matches,
        } = opened;
        if let Some(shown) = shown.filter(|_| summary_matches == Some(true)) {
            self.kept.set_value(Some(shown.head()));
        }
        self.summary_differed.set(summary_matches == Some(false));
        let (policy, note) = log.texts();
        let alarm = notice.as_ref().is_some_and(LogNotice::alarm);
        state.checked.set(Checked::Pending(0, signatures.jobs()));
        state.ledger.set(Some(ledger));
        state.log.set(Some(log));
        state.device.set(device);
        self.log_notice.set(notice);
        if !matches!(self.status.get_untracked(), Status::Ready) {
            self.status.set(Status::Ready);
        }
        let verified = signatures
            .finish(&move |done, all| state.checked.set(Checked::Pending(done, all)))
            .await;
        if let Err(error) = verified {
            // A leaf whose signature does not hold: nothing of it is shown
            // or stored.
            state.ledger.set(None);
            state.log.set(None);
            let message = error.message(ledger_core::Lang::Zh)
                + " / "
                + &error.message(ledger_core::Lang::En);
            self.status.set(Status::Failed(LoadError::Store(
                crate::store::StoreError::Browser(message),
            )));
            return false;
        }
        state.checked.set(Checked::Storing);
        if let Err(error) = api::store_log(to_store, policy, note).await {
            self.log_notice.set(Some(LogNotice::NotStored(error)));
        }
        state.checked.set(Checked::Verified);
        !alarm
    }

    /// Asks the log for a new checkpoint every few seconds while the page
    /// is open; stops at a log that is not to be trusted any more.
    async fn poll_log(self) {
        let state = self.state;
        loop {
            api::sleep(POLL_MS).await;
            let asked = state.log.with_untracked(|log| {
                log.as_ref().map(|log| {
                    (
                        log.base.clone(),
                        log.policy.clone(),
                        log.note.clone(),
                        log.parts.tree().clone(),
                    )
                })
            });
            let Some((base, policy, last, tree)) = asked else {
                return;
            };
            let (note, witnessed, leaves) = match api::poll(&base, &policy, &last, &tree).await {
                Polled::Same => continue,
                Polled::Refused(notice) => {
                    let alarm = notice.alarm();
                    self.log_notice.set(Some(notice));
                    if alarm {
                        return;
                    }
                    continue;
                }
                Polled::New {
                    note,
                    witnessed,
                    leaves,
                } => (note, witnessed, leaves),
            };
            // Taken, grown and put back with no wait in between: the
            // screens never see the ledger missing. A write holding them
            // meanwhile: the next poll brings the leaves again.
            let mut applied = None;
            let mut texts = (String::new(), String::new());
            self.with_log(|ledger, log| {
                let (ledger, log, result) =
                    api::apply(ledger, log, note, witnessed, leaves, api::now_ms());
                texts = log.texts();
                applied = Some(result);
                (ledger, log)
            });
            let Some(applied) = applied else {
                continue;
            };
            let (policy, note) = texts;
            match applied {
                Ok(to_store) => {
                    let new = to_store.1.len() as u64;
                    if new > 0 {
                        self.log_notice.set(Some(LogNotice::Updated { new }));
                    }
                    let (first, leaves) = to_store;
                    let to_store = Some((first, api::Leaves::Text(leaves)));
                    if let Err(error) = api::store_log(to_store, policy, note).await {
                        self.log_notice.set(Some(LogNotice::NotStored(error)));
                        return;
                    }
                }
                Err(notice) => {
                    self.log_notice.set(Some(notice));
                    return;
                }
            }
        }
    }

    /// Runs `change` on the ledger and the log taken out of their signals
    /// and puts back what it returns, with no wait in between; nothing
    /// when a write holds them (it puts them back itself).
    fn with_log(
        self,
        change: impl FnOnce(
            ledger_core::Ledger,
            api::FollowedLog,
        ) -> (ledger_core::Ledger, api::FollowedLog),
    ) {
        let state = self.state;
        let ledger = state.ledger.try_update_untracked(Option::take).flatten();
        let log = state.log.try_update_untracked(Option::take).flatten();
        match (ledger, log) {
            (Some(ledger), Some(log)) => {
                let (ledger, log) = change(ledger, log);
                state.ledger.set(Some(ledger));
                state.log.set(Some(log));
            }
            (ledger, log) => {
                state.ledger.set(ledger);
                state.log.set(log);
            }
        }
    }

    /// Sends this device's queued entries to the log, in order, as long as
    /// the page is open: at once when there are some, again and again
    /// (backing off to 5 s) while the log cannot be reached. Each answered
    /// entry leaves the stored queue; one the log refuses for good leaves
    /// the copy too, and the refusal is shown.
    #[cfg(feature = "writer")]
    async fn send_loop(self, lang: Option<RwSignal<ledger_core::Lang>>) {
        let state = self.state;
        let mut wait: f64 = 300.0;
        loop {
            // Waiting out a backoff, but not past the moment the browser
            // says it is online again.
            let offline = state
                .log
                .with_untracked(|l| l.as_ref().is_some_and(|l| l.outbox.offline_since.is_some()));
            let mut slept = 0.0;
            while slept < wait {
                api::sleep(wait.min(100.0)).await;
                slept += 100.0;
                if offline && browser_online() {
                    break;
                }
            }
            let asked = state.log.with_untracked(|log| {
                log.as_ref().map(|log| {
                    let batch: Vec<(u64, String)> = log
                        .outbox
                        .queue
                        .iter()
                        .filter(|q| q.answered.is_none())
                        .take(SEND_AT_ONCE)
                        .map(|q| (q.key, q.line.clone()))
                        .collect();
                    (log.base.clone(), batch)
                })
            });
            let Some((base, batch)) = asked else {
                // A write holds the log: soon again.
                wait = 100.0;
                continue;
            };
            if batch.is_empty() {
                wait = 300.0;
                continue;
            }
            let lines: Vec<String> = batch.iter().map(|(_, line)| line.clone()).collect();
            let lang = lang.map(|l| l.get_untracked()).unwrap_or_default();
            let answers = match api::send(&base, &lines, lang).await {
                Ok(answers) => answers,
                Err(_) => {
                    let now = api::now_ms();
                    state.log.update(|log| {
                        if let Some(log) = log {
                            log.outbox.offline_since.get_or_insert(now);
                        }
                    });
                    wait = (wait * 2.0).clamp(500.0, 5000.0);
                    continue;
                }
            };
            wait = 100.0;
            let mut done = Vec::new();
            let mut refused = Vec::new();
            for ((key, _), answer) in batch.iter().zip(answers) {
                match answer {
                    api::Answer::Index(index) => done.push((*key, Some(index))),
                    api::Answer::Refused {
                        message,
                        retry: false,
                    } => {
                        refused.push(message);
                        done.push((*key, None));
                    }
                    // Sent again later, and nothing after it before it.
                    api::Answer::Refused { retry: true, .. } => {
                        wait = 1000.0;
                        break;
                    }
                }
            }
            let mut recorded = false;
            state.log.update(|log| {
                let Some(log) = log else {
                    return;
                };
                recorded = true;
                log.outbox.offline_since = None;
                for (key, index) in &done {
                    if let Some(q) = log.outbox.queue.iter_mut().find(|q| q.key == *key) {
                        q.answered = *index;
                        if let Some(index) = index {
                            let hash = q.hash;
                            log.outbox.answered.push((hash, *index));
                        }
                    }
                }
                log.outbox.refused.extend(refused.iter().cloned());
            });
            if !recorded {
                // A write held the log: the same entries again, which the
                // log answers with the same indexes.
                continue;
            }
            if !refused.is_empty() {
                let gone: Vec<u64> = done
                    .iter()
                    .filter(|(_, i)| i.is_none())
                    .map(|(k, _)| *k)
                    .collect();
                self.with_log(|ledger, log| {
                    api::drop_refused(ledger, log, &|q| !gone.contains(&q.key), api::now_ms())
                });
            }
            api::unqueue(done.into_iter().map(|(key, _)| key).collect()).await;
        }
    }
}

/// Whether the browser says it is online (`navigator.onLine`; true where
/// it cannot say).
fn browser_online() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"onLine".into()))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}
