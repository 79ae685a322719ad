//! The one module that talks to the core and to IndexedDB. Screens call
//! these functions and never reach into the ledger's internals or the
//! store; every entry is checked by `ledger-core` before it is stored, and
//! IndexedDB stays the source of truth: when storing fails, the app
//! reloads from it.
//!
//! By job: `device` (this device's keys), `load` (the demo, an import, the
//! published file fetched again), `open` (opening, following and the
//! worker pool), `writes` (quotes, redeems, earns, reversals), `admin`
//! (the admin's entries and the PIN) and `clock`.

use ledger_core::{AppendError, Lang};

use crate::store::StoreError;

mod admin;
mod clock;
mod device;
mod load;
mod log;
mod open;
mod writes;
pub use admin::{
    AdminInput, administer, check_pin, has_pin, new_device_key, pin_is_valid, set_pin,
};
pub use clock::{ClockProblem, clock_problem, now_ms};
pub use device::{Device, device, random_bytes};
pub use load::{import, load_demo, published, refollow};
pub use log::{
    Answer, CheckedReceipt, FollowedLog, Leaves, LogNotice, LogOpened, LogReceipt, LogSource,
    Outbox, PendingLeaves, Polled, Queued, Witnessing, Written, apply, check_leaf_signatures,
    check_receipt, drop_refused, keys_from_address, offline_refusal, open_log, page_param, poll,
    receipt_text, requeue, send, store_log, stored_queue, unqueue, vouch_bundle, write_many_to_log,
    write_to_log,
};
pub use open::{
    FollowNotice, Opened, PendingSignatures, Source, check_line_hashes, check_signature_batch,
    check_streamed_part, in_page, keep_snapshot, open, open_snapshot, sleep, start_worker,
    store_followed,
};
pub(crate) use writes::write;
pub use writes::{Receipt, new_request_id, quote_redeem, record, redeem, redeem_body, reverse};

/// The name of the app's IndexedDB database.
pub const DATABASE: &str = "jifen";

/// Why the app cannot show a ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The browser's storage failed.
    Store(StoreError),
    /// The stored ledger does not verify: the first bad entry.
    Invalid(ledger_core::VerifyError),
}

impl LoadError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LoadError::Store(error) => error.message(lang),
            LoadError::Invalid(error) => error.message(lang),
        }
    }
}

/// Why an action did not happen; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// A rule refused it (too few points, out of stock, a cap, …).
    Refused(AppendError),
    /// Storing it failed (another tab wrote first, quota, …); the app
    /// reloaded the ledger from IndexedDB.
    Store(StoreError),
    /// This device has no key registered in the ledger for this role.
    NoDevice,
    /// The community log's rules refused it (a device chain, a clock, …).
    Log(ledger_core::log::SubmitError),
    /// A value typed in is not acceptable: which, and why.
    BadInput(String, Option<ledger_core::FieldProblem>),
}

impl ActionError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ActionError::Refused(error) => error.message(lang),
            ActionError::Store(error) => error.message(lang),
            ActionError::Log(error) => error.message(lang),
            ActionError::NoDevice => lang
                .pick(
                    "这台设备还没有在账本中登记这个角色的密钥，不能写入",
                    "this device has no key registered in the ledger for this role and cannot write",
                )
                .to_owned(),
            ActionError::BadInput(what, problem) => format!(
                "{}{what}{}",
                lang.pick("输入有误：", "not accepted: "),
                problem.as_ref().map(|p| format!(" {}", p.message(lang))).unwrap_or_default()
            ),
        }
    }
}
