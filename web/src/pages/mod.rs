//! The screens. Each takes what it shows from `api` and the shared state.

pub mod admin;
pub mod audit;
pub mod kiosk;
pub mod officer;
pub mod pin;
pub mod resident;
