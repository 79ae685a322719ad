//! Following a community's log (`?log=logs/<name>/`), as a phone does:
//! the signed checkpoint is checked against the witness policy the
//! notice board's QR code carries (`&policy=`, kept once read); a first
//! visit takes the leaves in bulk and checks that they make the
//! checkpoint's root, and every later visit fetches only the entry
//! bundles with new leaves, which must extend the stored copy exactly.
//! A log that rewrote its history is refused loudly, naming the first
//! leaf that differs (found through the hash tiles), and the copy is kept.
//! Every leaf is replayed with every rule; the signatures are checked in
//! the app's Web Workers while the balances are already shown.

mod address;
mod notice;
mod opening;
mod polling;
mod receipt;
mod remote;
mod signatures;
mod writes;

use ledger_core::log::LogParts;
use ledger_core::tlog::{self, Checkpoint, Policy, Witnessed};

pub use address::keys_from_address;
pub use notice::LogNotice;
pub use opening::{Leaves, LogOpened, open_log, store_log};
pub use polling::{Polled, apply, drop_refused, poll, requeue};
pub use receipt::{CheckedReceipt, check_receipt};
pub use remote::page_param;
pub use signatures::{PendingLeaves, check_leaf_signatures, vouch_bundle};
pub use writes::{
    Answer, LogReceipt, Outbox, Queued, Written, offline_refusal, send, stored_queue, unqueue,
    write_many_to_log, write_to_log,
};

/// Leaves to store: the first one's index, and each.
pub type ToStore = (u64, Vec<String>);

/// The device store's records for a followed log.
const POLICY: &str = "log.policy";
const CHECKPOINT: &str = "log.checkpoint";

/// Where the log is, and the policy to trust it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    /// The log's address, ending in `/` (its `checkpoint`, `tile/…` and
    /// `entries` are beside it).
    pub base: String,
    /// The C2SP tlog-policy from the page's address (the notice board's
    /// QR code), if it carries one.
    pub policy: Option<Vec<u8>>,
}

impl LogSource {
    /// From the page's address: `?log=URL` and, optionally,
    /// `&policy=` (the policy file in base64).
    pub fn from_page() -> Option<LogSource> {
        let mut base = page_param("log")?;
        if !base.ends_with('/') {
            base.push('/');
        }
        let policy = page_param("policy").and_then(|text| tlog::base64_decode(&text));
        Some(LogSource { base, policy })
    }
}

/// How far the witnesses vouch for the checkpoint shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witnessing {
    /// The checkpoint's size.
    pub size: u64,
    /// Witnesses whose cosignature holds.
    pub cosigned: usize,
    /// Witnesses the policy names.
    pub witnesses: usize,
    /// Whether they make the policy's quorum.
    pub quorum: bool,
}

/// The log a device follows: what is kept beside the ledger.
pub struct FollowedLog {
    /// The log without its ledger (tree, devices, offline policy).
    pub parts: LogParts,
    /// The policy it is trusted by.
    pub policy: Policy,
    /// The last checkpoint accepted (the signed note).
    pub note: Vec<u8>,
    /// What it says.
    pub checkpoint: Checkpoint,
    /// How far it is witnessed.
    pub witnessing: Witnessing,
    /// Where it is.
    pub base: String,
    /// This device's entries on their way to it.
    pub outbox: Outbox,
}

fn followed(
    parts: LogParts,
    policy: Policy,
    note: Vec<u8>,
    witnessed: Witnessed,
    base: &str,
) -> FollowedLog {
    let mut log = FollowedLog {
        witnessing: Witnessing {
            size: 0,
            cosigned: 0,
            witnesses: 0,
            quorum: false,
        },
        checkpoint: witnessed.checkpoint.clone(),
        note: Vec::new(),
        policy,
        parts,
        base: base.to_owned(),
        outbox: Outbox::default(),
    };
    log.accept(note, witnessed);
    log
}

impl FollowedLog {
    /// Takes `note` as the last checkpoint accepted, and what the policy
    /// said of it.
    pub(super) fn accept(&mut self, note: Vec<u8>, witnessed: Witnessed) {
        self.witnessing = Witnessing {
            size: witnessed.checkpoint.size,
            cosigned: witnessed.cosigned.len(),
            witnesses: self.policy.witnesses().len(),
            quorum: witnessed.quorum,
        };
        self.checkpoint = witnessed.checkpoint;
        self.note = note;
    }

    /// The address for the notice board's QR code: this page, following
    /// this log, with the policy that trusts it (keys and quorum).
    #[cfg(feature = "writer")]
    pub fn notice_address(&self) -> String {
        let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok();
        let part = |name: &str| {
            location
                .as_ref()
                .and_then(|l| js_sys::Reflect::get(l, &name.into()).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let policy = tlog::base64_encode(self.policy.text());
        let encode = |text: &str| String::from(js_sys::encode_uri_component(text));
        format!(
            "{}{}?log={}&policy={}",
            part("origin"),
            part("pathname"),
            encode(&self.base),
            encode(&policy)
        )
    }

    /// The policy and note as text, to store.
    pub fn texts(&self) -> (String, String) {
        (
            String::from_utf8_lossy(self.policy.text()).into_owned(),
            String::from_utf8_lossy(&self.note).into_owned(),
        )
    }
}

/// Leaf `index`'s receipt from the log (C2SP tlog-proof text, the leaf as
/// its extra data), once a checkpoint covers it.
pub async fn receipt_text(base: &str, index: u64) -> Option<String> {
    let bytes = crate::api::open::fetch_bytes(&format!("{base}receipt/{index}?wait_ms=5000"))
        .await
        .ok()??;
    String::from_utf8(bytes).ok()
}
