//! Format v2: one ledger, many devices. A device signs its own entries
//! (offline too), chained by its own counter; the community's log gives
//! each its place as a leaf of an RFC 6962 tree and signs C2SP checkpoints
//! ([`crate::tlog`]). The rules run in log order, on the log's side and in
//! every replay, exactly as in v1.

mod community;
pub mod demo;
mod error;
mod replay;
mod signatures;
mod vouch;
mod wire;

pub use community::{
    Log, LogMark, LogParts, MAX_CLOCK_AHEAD_MS, ONLINE_WITHIN_MS, Outcome, Submitted,
};
pub use error::{LogError, LogProblem, SubmitError};
pub use replay::LogReplay;
pub use signatures::{LOG_SIGNATURE_BATCH, LeafSignatures};
pub use vouch::{Vouched, vouch_bundle, vouched_from_bytes};
pub use wire::{DeviceDraft, DeviceEntry, Leaf, LogKey, MAX_ORIGIN_BYTES, OfflinePolicy};

#[cfg(test)]
mod deduct_tests;
#[cfg(test)]
mod hours_tests;
#[cfg(test)]
mod household_tests;
#[cfg(test)]
mod passbook_tests;
#[cfg(test)]
mod proxy_tests;
#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transfer_tests;
