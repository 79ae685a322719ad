//! The screens. Each takes what it shows from `api` and the shared state.

#[cfg(feature = "writer")]
pub mod admin;
pub mod audit;
#[cfg(feature = "writer")]
mod desk;
#[cfg(feature = "writer")]
pub mod kiosk;
#[cfg(feature = "writer")]
pub mod notice;
#[cfg(feature = "writer")]
pub mod officer;
#[cfg(feature = "writer")]
pub mod passbook;
#[cfg(feature = "writer")]
pub mod pin;
#[cfg(feature = "writer")]
pub mod reports;
pub mod resident;
#[cfg(feature = "writer")]
pub mod review;
