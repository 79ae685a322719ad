//! # jifen-web: the browser app's foundation
//!
//! The ledger kept in the browser's IndexedDB ([`store`]). The screens
//! (resident, kiosk, officer, admin, audit) are built on it in Leptos; this
//! crate holds no rule of its own: every entry is checked by `ledger-core`
//! before it is stored.

pub mod store;
