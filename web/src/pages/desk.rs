//! What the writing screens that act on the ledger share (the officer's,
//! the reviewer's): one action at a time on the ledger and the followed
//! log, both taken out of their signals meanwhile, and the lines it gave.

use std::future::Future;
use std::pin::Pin;

use ledger_core::{Lang, Ledger};
use leptos::prelude::*;

use crate::api;
use crate::state::{AppLang, AppLedger};

/// One line of the outcome list.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Line {
    pub(crate) ok: bool,
    pub(crate) text: String,
}

/// What an action is given and gives back: the ledger and, on a
/// community log, the log (both taken out of their signals meanwhile).
pub(crate) type Held = (Ledger, Option<api::FollowedLog>);

/// An action on the ledger: given it, this device's keys and the
/// language, gives it back with the lines to show.
pub(crate) type Work =
    Box<dyn FnOnce(Held, api::Device, Lang) -> Pin<Box<dyn Future<Output = (Held, Vec<Line>)>>>>;

/// What a screen's forms share: the ledger, this device, the language, and
/// the one action in flight with the lines it gave.
#[derive(Clone, Copy)]
pub(crate) struct Desk {
    pub(crate) lang: RwSignal<Lang>,
    pub(crate) ledger: RwSignal<Option<Ledger>>,
    pub(crate) log: RwSignal<Option<api::FollowedLog>>,
    pub(crate) device: RwSignal<api::Device>,
    pub(crate) busy: RwSignal<bool>,
    pub(crate) lines: RwSignal<Vec<Line>>,
}

impl Desk {
    /// The screen's desk, from the app's shared state, nothing in flight.
    pub(crate) fn from_context() -> Desk {
        let AppLang(lang) = expect_context::<AppLang>();
        let AppLedger {
            ledger,
            device,
            log,
            ..
        } = expect_context::<AppLedger>();
        Desk {
            lang,
            ledger,
            log,
            device,
            busy: RwSignal::new(false),
            lines: RwSignal::new(Vec::new()),
        }
    }

    /// Runs an action on the ledger, taken out of its signal meanwhile.
    pub(crate) fn act(self, work: Work) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(copy) = self.ledger.try_update_untracked(Option::take).flatten() else {
            return;
        };
        let followed = self.log.try_update_untracked(Option::take).flatten();
        self.busy.set(true);
        let (this_device, language) = (self.device.get_untracked(), self.lang.get_untracked());
        leptos::task::spawn_local(async move {
            let ((copy, followed), result) = work((copy, followed), this_device, language).await;
            self.ledger.set(Some(copy));
            if followed.is_some() {
                self.log.set(followed);
            }
            self.lines.set(result);
            self.busy.set(false);
        });
    }
}
