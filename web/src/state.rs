//! The app's shared state, as context newtypes every screen reads: the
//! language, and the open ledger with this device's keys and how far its
//! signatures are checked. Screens import this, never the shell.

use std::sync::Arc;

use ledger_core::{Lang, Ledger, Snapshot};
use leptos::prelude::*;

use crate::api::{Device, FollowedLog};

mod following;
pub mod lifecycle;

/// Whether the writing screens are unlocked (the PIN was entered).
#[derive(Clone, Copy)]
pub struct Unlocked(pub RwSignal<bool>);

/// The UI language, shared by every screen.
#[derive(Clone, Copy)]
pub struct AppLang(pub RwSignal<Lang>);

/// How far the signature check of the open ledger is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The stored snapshot is shown (balances, rewards); every entry is
    /// still being read and replayed. History, audit and writing wait.
    Replaying,
    /// Batches checked, of how many (hash chain and rules already hold).
    Pending(usize, usize),
    /// Every signature holds; the new entries of a followed file are being
    /// stored (writing waits for it).
    Storing,
    /// Every signature holds too.
    Verified,
}

/// The verified ledger (None until loaded) and this device's key.
#[derive(Clone, Copy)]
pub struct AppLedger {
    /// The ledger, read with `with` (never cloned) and changed only
    /// through `api`.
    pub ledger: RwSignal<Option<Ledger>>,
    /// This device's keys.
    pub device: RwSignal<Device>,
    /// Whether its signatures are all checked yet; writing waits for it.
    pub checked: RwSignal<Checked>,
    /// On a reopen, the stored snapshot shown until the entries are
    /// replayed (then None).
    pub summary: RwSignal<Option<Arc<Snapshot>>>,
    /// The community log this device follows (`?log=`), kept beside the
    /// ledger: its tree, checkpoint and witnesses. None for a file.
    pub log: RwSignal<Option<FollowedLog>>,
}
