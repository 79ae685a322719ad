//! The open ledger's lifecycle, which the shell only draws: the first
//! open (a stored snapshot at once, then every entry replayed), the wait
//! for signatures, storing what a followed file added, falling back to the
//! stored copy when that file is refused late, keeping snapshots for the
//! next reopen, fetching a published file again, and the demo community.

use std::sync::Arc;

use ledger_core::{Head, Lang, Ledger};
use leptos::prelude::*;

use crate::api::{self, FollowNotice, LoadError, Opened, Source};
use crate::state::{AppLedger, Checked};

/// Where loading the ledger stands.
#[derive(Clone, Debug)]
pub enum Status {
    /// Reading, replaying or downloading (see [`Lifecycle::progress`]).
    Loading,
    /// Nothing stored: the first run offers a demo community.
    Empty,
    /// A ledger (or its stored snapshot) is shown.
    Ready,
    /// The stored ledger does not verify or could not be read.
    Failed(LoadError),
}

/// The signals of the lifecycle, beside the shared [`AppLedger`].
#[derive(Clone, Copy)]
pub struct Lifecycle {
    /// The ledger whose lifecycle this is.
    pub state: AppLedger,
    /// Where loading stands.
    pub status: RwSignal<Status>,
    /// Bytes or entries read, of how many (0 of 0: not known yet).
    pub progress: RwSignal<(u64, u64)>,
    /// What following the published file found.
    pub notice: RwSignal<Option<FollowNotice>>,
    /// The stored snapshot did not match the replayed entries.
    pub summary_differed: RwSignal<bool>,
    /// Why the demo community could not be stored.
    pub demo_error: RwSignal<Option<String>>,
    /// The published file a damaged copy could be fetched again from.
    pub refollow_url: RwSignal<Option<String>>,
    /// What following the community's log found.
    pub log_notice: RwSignal<Option<api::LogNotice>>,
    /// The head whose snapshot is stored (nothing to keep again).
    pub(super) kept: StoredValue<Option<Head>>,
}

impl Lifecycle {
    /// Starts opening what the page's address names (or the stored copy),
    /// and keeps snapshots of what is verified from then on.
    pub fn start(state: AppLedger) -> Lifecycle {
        let life = Lifecycle {
            state,
            status: RwSignal::new(Status::Loading),
            progress: RwSignal::new((0, 0)),
            notice: RwSignal::new(None),
            summary_differed: RwSignal::new(false),
            demo_error: RwSignal::new(None),
            refollow_url: RwSignal::new(None),
            log_notice: RwSignal::new(None),
            kept: StoredValue::new(None),
        };
        if let Some(source) = api::LogSource::from_page() {
            life.start_log(source);
            life.keep_snapshots();
            return life;
        }
        life.start_file();
        life.keep_snapshots();
        life
    }

    /// A reopen shows the stored snapshot at once, then reads and replays
    /// every entry (and checks they add up to it): the snapshot shown.
    pub(super) async fn show_snapshot(self) -> Option<Arc<ledger_core::Snapshot>> {
        let state = self.state;
        let shown = api::open_snapshot().await.map(|(snapshot, device)| {
            state.device.set(device);
            Arc::new(snapshot)
        });
        if let Some(snapshot) = &shown {
            state.summary.set(Some(snapshot.clone()));
            state.checked.set(Checked::Replaying);
            self.status.set(Status::Ready);
        }
        shown
    }

    /// The phone's app follows community logs only.
    #[cfg(not(feature = "writer"))]
    fn start_file(self) {
        let message = "这个应用跟随社区日志：请打开公告栏上的地址（二维码） / this app follows a community log: open the notice board's address (its QR code)";
        self.status.set(Status::Failed(LoadError::Store(
            crate::store::StoreError::Browser(message.to_owned()),
        )));
    }

    /// Opens the ledger file (or the stored copy), and offers to fetch a
    /// damaged one again.
    #[cfg(feature = "writer")]
    fn start_file(self) {
        let life = self;
        let source = Source::from_page();
        leptos::task::spawn_local(async move {
            let shown = life.show_snapshot().await;
            let progress = move |done, total| life.progress.set((done, total));
            let result = api::open(&source, shown.as_deref(), &progress).await;
            life.opened(result).await;
        });
        life.offer_refollow();
    }

    /// Shows an opened ledger at once, then waits for its signatures (and
    /// stores what a followed file added only once they all hold).
    #[cfg(feature = "writer")]
    async fn opened(self, result: Result<Option<Opened>, LoadError>) {
        let state = self.state;
        let shown = state.summary.get_untracked();
        state.summary.set(None);
        let opened = match result {
            Ok(Some(opened)) => opened,
            Ok(None) => return self.status.set(Status::Empty),
            Err(error) => return self.status.set(Status::Failed(error)),
        };
        let Opened {
            ledger,
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
        let first_new = to_store.as_ref().map(|(first, _)| *first);
        state.checked.set(Checked::Pending(0, signatures.jobs()));
        state.ledger.set(Some(ledger));
        state.device.set(device);
        self.notice.set(notice);
        // Already showing a snapshot: keep the screens (and what was typed
        // into them); they pick the ledger up.
        if !matches!(self.status.get_untracked(), Status::Ready) {
            self.status.set(Status::Ready);
        }
        let verified = signatures
            .finish(&move |done, all| state.checked.set(Checked::Pending(done, all)))
            .await;
        let settled = match verified {
            Ok(()) if to_store.is_some() => {
                // Writing waits until the new entries are stored too.
                state.checked.set(Checked::Storing);
                api::store_followed(to_store)
                    .await
                    .map_err(LoadError::Store)
            }
            Ok(()) => Ok(()),
            Err(error) => Err(LoadError::Invalid(error)),
        };
        match settled {
            Ok(()) => state.checked.set(Checked::Verified),
            // A bad signature among what the published file added: keep the
            // stored copy, and say so.
            Err(LoadError::Invalid(error))
                if first_new.is_some_and(|f| f > 0 && error.seq.0 >= f) =>
            {
                self.notice.set(Some(FollowNotice::Invalid(error)));
                self.status.set(Status::Loading);
                self.opened_again().await;
            }
            Err(LoadError::Store(error)) => {
                state.checked.set(Checked::Verified);
                self.notice.set(Some(FollowNotice::NotStored(error)));
            }
            Err(error) => {
                state.ledger.set(None);
                self.status.set(Status::Failed(error));
            }
        }
    }

    /// Opens the stored copy again (after a followed file was refused late).
    #[cfg(feature = "writer")]
    async fn opened_again(self) {
        let state = self.state;
        let result = api::open(&Source::Local, None, &|_, _| {}).await;
        let Ok(Some(opened)) = result else {
            return self.status.set(Status::Failed(match result {
                Err(error) => error,
                _ => LoadError::Store(crate::store::StoreError::Browser("empty".to_owned())),
            }));
        };
        state.ledger.set(Some(opened.ledger));
        state.device.set(opened.device);
        self.status.set(Status::Ready);
        match opened.signatures.finish(&|_, _| {}).await {
            Ok(()) => state.checked.set(Checked::Verified),
            Err(error) => {
                state.ledger.set(None);
                self.status.set(Status::Failed(LoadError::Invalid(error)));
            }
        }
    }

    /// Keeps a snapshot of every verified, stored ledger (after a write,
    /// once writing has paused for a second) for the next reopen.
    fn keep_snapshots(self) {
        let state = self.state;
        let kept = self.kept;
        Effect::new(move |_| {
            let head = state.ledger.with(|l| l.as_ref().map(Ledger::head));
            let Some(head) = head.filter(|_| state.checked.get() == Checked::Verified) else {
                return;
            };
            if kept.get_value() == Some(head) {
                return;
            }
            leptos::task::spawn_local(async move {
                api::sleep(1000.0).await;
                let bytes = state.ledger.with_untracked(|l| {
                    l.as_ref()
                        .filter(|l| l.head() == head && kept.get_value() != Some(head))
                        .map(Ledger::snapshot)
                });
                if let Some(bytes) =
                    bytes.filter(|_| state.checked.get_untracked() == Checked::Verified)
                {
                    kept.set_value(Some(head));
                    api::keep_snapshot(bytes, head).await;
                }
            });
        });
    }

    /// A damaged copy on a device that follows a published file: finds the
    /// file to offer fetching and verifying it again.
    #[cfg(feature = "writer")]
    fn offer_refollow(self) {
        let source = Source::from_page();
        Effect::new(move |_| {
            if matches!(self.status.get(), Status::Failed(_))
                && self.refollow_url.get_untracked().is_none()
            {
                let source = source.clone();
                leptos::task::spawn_local(async move {
                    self.refollow_url.set(api::published(&source).await);
                });
            }
        });
    }

    /// Fetches and verifies the published file again, in place of a
    /// damaged copy.
    #[cfg(feature = "writer")]
    pub fn refollow(self, url: String) {
        let state = self.state;
        self.status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            let progress = move |done, total| self.progress.set((done, total));
            match api::refollow(&url, &progress).await {
                Ok(ledger) => {
                    self.notice
                        .set(Some(FollowNotice::Updated { new: ledger.len() }));
                    state.ledger.set(Some(ledger));
                    state.device.set(api::device().await);
                    state.checked.set(Checked::Verified);
                    self.status.set(Status::Ready);
                }
                Err(error) => self.status.set(Status::Failed(error)),
            }
        });
    }

    /// Stores the demo community; on failure, offers it again and says why.
    #[cfg(feature = "writer")]
    pub fn load_demo(self, lang: Lang) {
        let state = self.state;
        self.status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            match api::load_demo().await {
                Ok((ledger, device)) => {
                    state.ledger.set(Some(ledger));
                    state.device.set(device);
                    state.checked.set(Checked::Verified);
                    self.status.set(Status::Ready);
                }
                Err(error) => {
                    self.demo_error.set(Some(error.message(lang)));
                    self.status.set(Status::Empty);
                }
            }
        });
    }
}
