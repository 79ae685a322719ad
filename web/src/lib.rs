//! # jifen-web: the browser app's foundation
//!
//! A Leptos client-side app. The ledger is kept in the browser's IndexedDB
//! ([`store`]); [`api`] is the one module that talks to the core and the
//! store; [`app`] is the shell (language, loading, first run),
//! [`state`] the shared state every screen reads, [`components`] the
//! widgets several share, and [`pages`] the screens: resident, kiosk,
//! officer, admin and audit. This
//! crate holds no rule of its own: every entry is checked by `ledger-core`.

// The phone's build (without `writer`) leaves out the screens that use
// much of `api`; what they alone use is then unused, not wrong.
#![cfg_attr(not(feature = "writer"), allow(dead_code, unused_imports))]

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod state;
pub mod store;
