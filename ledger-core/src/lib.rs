//! # ledger-core: Jifen's signed, hash-chained points ledger
//!
//! Residents earn points for garbage sorting, safety patrols, dispute
//! mediation and volunteer service, and redeem them at the reward shop.
//! Every change is an [`Entry`] appended to a [`Ledger`]: it names the hash
//! of the entry before, and is signed with Ed25519 by the admin, officer or
//! kiosk that wrote it. Nothing is ever edited or deleted; a mistake is
//! undone by a reversing entry.
//!
//! The crate is pure: no files, clock, randomness, threads or network. Time
//! ([`Draft::ts_ms`]) and keys come in as arguments, so the same code runs in
//! the `jifen` CLI, the browser app and the npm package, natively and in
//! `wasm32-unknown-unknown`.
//!
//! - [`Ledger::append`] checks every rule, hashes, signs and appends.
//! - [`verify::verify_jsonl`] replays a ledger file: format, canonical form,
//!   hash chain, signatures and rules, naming the first bad `seq`.
//! - [`Ledger::check_head`] and [`Ledger::check_extends`] compare against a
//!   published head or an older copy.
//! - [`demo::generate`] builds a realistic, valid community.
//!
//! Nothing here panics on any input: every error is a value with a kind and
//! a message in Chinese or English ([`Lang`]).

#![deny(missing_docs)]

mod canonical;
mod checks;
mod codec;
pub mod demo;
mod entry;
mod error;
pub mod hex;
mod history;
pub mod keys;
mod lang;
mod ledger;
pub mod limits;
pub mod log;
mod model;
pub mod notice;
mod quote;
mod replay;
pub mod report;
pub mod signature;
mod snapshot;
mod state;
mod swar;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod tlog;

/// Verification: a line's checks ([`verify::Verifier`] fed line by line),
/// signature batches, the chain-only reader, the pieces a front end uses to
/// share a replay with a worker, and whole files on one thread
/// ([`verify::verify_jsonl`]); the merge of what split work found is
/// [`Replay`]'s.
pub mod verify {
    pub use crate::checks::{
        ChainVerifier, LineEnds, SIGNATURE_BATCH, Share, SharedParts, SignatureBatch, Verifier,
        answer, check_form, check_shared, split_lines, verify_chain_only,
    };
    pub use crate::replay::{
        first_error, verify_in_two_parts, verify_jsonl, verify_jsonl_with_progress,
    };
}

pub use ed25519_dalek::SigningKey;
pub use entry::{Body, Entry, PublicKey, hours_from_wire, hours_to_wire, parse_body, parse_line};
pub use error::{AppendError, HeadError, LineError, RuleError, VerifyError, VerifyErrorKind};
pub use history::{Change, HistoryRow, Passbook, PassbookLine, RowKind};
pub use lang::Lang;
pub use ledger::{Appended, Checkpoint, Draft, Ledger};
pub use model::{
    ActivityId, ActorId, EntryHash, FieldProblem, Head, LedgerId, PlaceCode, Points, RequestId,
    ResidentCode, RewardId, Role, Seq, Text, format_local_day, format_local_ts, local_day,
};
pub use quote::RedeemQuote;
pub use replay::Replay;
pub use snapshot::Snapshot;
pub use state::{
    ActivityRecord, ActorRecord, ClaimStatus, PenaltyRecord, ResidentRecord, RewardRecord, State,
    seed_maps,
};

#[cfg(test)]
mod tests;
