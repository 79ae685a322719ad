//! The v2 wire format: what a device signs, and the leaf the log makes
//! of it.
//!
//! A **device entry** is RFC 8785 canonical JSON, its members in this
//! order: `actor`, `body` (as in v1), `dev_prev` (the hash of this
//! device's previous entry, 64 zeros for its first), `dev_seq` (its own
//! counter), `ledger`, `log` (only where an admin names the log: its
//! `origin` and Ed25519 `key`), `policy` (only where an admin sets the
//! offline policy), `sig`, `ts` (the device's clock, ms), `v` (2). An
//! admin entry that only sets the log or the policy carries the admin
//! stating itself again (an `actor` body that changes nothing). Its hash is SHA-256 of the same object without `sig`; `sig` is the
//! device key's Ed25519 signature of those 32 bytes. The device knows
//! nothing of the log's head, so it can sign offline.
//!
//! A **leaf** is `{"entry":<device entry>,"index":<n>,"log_ts":<ms>}`,
//! canonical too: the log adds the position and its own clock. Leaves are
//! hashed into the RFC 6962 tree as they are, and stored as they are in
//! the entry bundles; nothing else holds the entries.

use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

use crate::canonical;
use crate::entry::chain::Cursor;
use crate::entry::{Body, PublicKey, parse_body};
use crate::error::LineError;
use crate::hex;
use crate::limits;
use crate::model::{ActorId, EntryHash, FieldProblem, LedgerId, Points};
use crate::tlog::KeyKind;

/// The longest origin a log may have.
pub const MAX_ORIGIN_BYTES: usize = 128;

/// The log an admin names: its checkpoint origin and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKey {
    /// The checkpoint origin, e.g. `jifen.example/xinhua-3`.
    pub origin: String,
    /// The log's Ed25519 key, which signs its checkpoints.
    pub key: PublicKey,
}

impl LogKey {
    /// Checks an origin: a valid signed-note key name (no spaces or plus),
    /// printable ASCII, at most [`MAX_ORIGIN_BYTES`].
    pub fn check_origin(origin: &str) -> Result<(), FieldProblem> {
        if origin.is_empty() || origin.len() > MAX_ORIGIN_BYTES {
            return Err(FieldProblem::Length {
                min: 1,
                max: MAX_ORIGIN_BYTES,
            });
        }
        if !origin
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'+' && b != b'"' && b != b'\\')
        {
            return Err(FieldProblem::IdCharacters);
        }
        Ok(())
    }

    /// The C2SP verifier key of the log (`<origin>+<id>+<key>`).
    pub fn vkey(&self) -> Option<String> {
        crate::tlog::NoteVerifier::new(&self.origin, KeyKind::Ed25519, self.key.0)
            .ok()
            .map(|v| v.vkey())
    }
}

/// How far devices may write offline (card terminals bound offline
/// payments the same way: an upload deadline, a queue, amounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflinePolicy {
    /// Points one late redeem may take, at most.
    pub max_points: Points,
    /// Points late redeems may take from one resident in one local day
    /// (of the log's clock).
    pub max_points_per_day: Points,
    /// Late entries in a row one device may hand over.
    pub max_queued: u32,
    /// Hours within which an entry must reach the log.
    pub upload_within_hours: u32,
}

impl OfflinePolicy {
    /// The most a policy may allow: a week's upload and 10,000 queued.
    pub const MAX_HOURS: u32 = 7 * 24;
    /// See [`OfflinePolicy::MAX_HOURS`].
    pub const MAX_QUEUED: u32 = 10_000;

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"max_points\":\"");
        self.max_points.write_wire(out);
        out.extend_from_slice(b"\",\"max_points_per_day\":\"");
        self.max_points_per_day.write_wire(out);
        out.extend_from_slice(b"\",\"max_queued\":");
        canonical::write_unsigned(out, u64::from(self.max_queued));
        out.extend_from_slice(b",\"upload_within_hours\":");
        canonical::write_unsigned(out, u64::from(self.upload_within_hours));
        out.push(b'}');
    }
}

/// What a device signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// The ledger it is for (so it cannot be moved to another).
    pub ledger: LedgerId,
    /// The device (a registered actor) that signed it.
    pub actor: ActorId,
    /// The device's own counter.
    pub dev_seq: u64,
    /// The hash of the device's entry before (zeros for its first).
    pub dev_prev: EntryHash,
    /// The device's clock, ms since the epoch.
    pub ts_ms: u64,
    /// What it says.
    pub body: Body,
    /// The log this admin entry names, if any.
    pub log: Option<LogKey>,
    /// The offline policy this admin entry sets, if any.
    pub policy: Option<OfflinePolicy>,
    /// SHA-256 of the entry without `sig`.
    pub hash: EntryHash,
    /// The device key's signature of `hash`.
    pub sig: [u8; 64],
}

/// A device entry before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDraft {
    /// The ledger.
    pub ledger: LedgerId,
    /// The device.
    pub actor: ActorId,
    /// Its counter.
    pub dev_seq: u64,
    /// Its previous entry's hash.
    pub dev_prev: EntryHash,
    /// Its clock.
    pub ts_ms: u64,
    /// The body.
    pub body: Body,
    /// The log named, if any.
    pub log: Option<LogKey>,
    /// The offline policy set, if any.
    pub policy: Option<OfflinePolicy>,
}

impl DeviceEntry {
    /// Hashes and signs a draft with the device's key.
    pub fn sign(draft: DeviceDraft, key: &SigningKey) -> DeviceEntry {
        let mut entry = DeviceEntry {
            ledger: draft.ledger,
            actor: draft.actor,
            dev_seq: draft.dev_seq,
            dev_prev: draft.dev_prev,
            ts_ms: draft.ts_ms,
            body: draft.body,
            log: draft.log,
            policy: draft.policy,
            hash: EntryHash::ZERO,
            sig: [0; 64],
        };
        let mut unsigned = Vec::with_capacity(512);
        entry.write(false, &mut unsigned);
        entry.hash = EntryHash(Sha256::digest(&unsigned).into());
        entry.sig = key.sign(&entry.hash.0).to_bytes();
        entry
    }

    /// Writes the canonical JSON; with `signed`, with its `sig`.
    pub fn write(&self, signed: bool, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"actor\":");
        canonical::write_string(out, self.actor.as_str());
        out.extend_from_slice(b",\"body\":");
        self.body.write_canonical(out);
        out.extend_from_slice(b",\"dev_prev\":\"");
        hex::encode_into(&self.dev_prev.0, out);
        out.extend_from_slice(b"\",\"dev_seq\":");
        canonical::write_unsigned(out, self.dev_seq);
        out.extend_from_slice(b",\"ledger\":");
        canonical::write_string(out, self.ledger.as_str());
        if let Some(log) = &self.log {
            out.extend_from_slice(b",\"log\":{\"key\":\"");
            hex::encode_into(&log.key.0, out);
            out.extend_from_slice(b"\",\"origin\":");
            canonical::write_string(out, &log.origin);
            out.push(b'}');
        }
        if let Some(policy) = &self.policy {
            out.extend_from_slice(b",\"policy\":");
            policy.write(out);
        }
        if signed {
            out.extend_from_slice(b",\"sig\":\"");
            hex::encode_into(&self.sig, out);
            out.push(b'"');
        }
        out.extend_from_slice(b",\"ts\":");
        canonical::write_unsigned(out, self.ts_ms);
        out.extend_from_slice(b",\"v\":2}");
    }

    /// The signed entry as bytes (what a device submits).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        self.write(true, &mut out);
        out
    }

    /// Whether `hash` is the SHA-256 of the entry without `sig`.
    pub fn hash_holds(&self) -> bool {
        let mut unsigned = Vec::with_capacity(512);
        self.write(false, &mut unsigned);
        EntryHash(Sha256::digest(&unsigned).into()) == self.hash
    }

    /// Reads a signed device entry, which must be in its canonical form
    /// exactly. The hash is computed here; the signature is not checked.
    pub fn parse(bytes: &[u8]) -> Result<DeviceEntry, LineError> {
        let (mut entry, sig_start, sig_end) = DeviceEntry::read(bytes)?;
        // Only the canonical writing of what was read is an entry: a body
        // with its members out of order, an escape where none is needed.
        let mut again = Vec::with_capacity(bytes.len());
        entry.write(true, &mut again);
        if again != bytes {
            let at = again.iter().zip(bytes).take_while(|(a, b)| a == b).count();
            return Err(LineError::Layout { byte: at + 1 });
        }
        // Canonical, so the unsigned form is these bytes without `sig`.
        let mut hasher = Sha256::new();
        hasher.update(&bytes[..sig_start]);
        hasher.update(&bytes[sig_end..]);
        entry.hash = EntryHash(hasher.finalize().into());
        Ok(entry)
    }

    /// Every member read and checked, but not the canonical form: the
    /// entry (its hash still zero) and where its `sig` member starts and
    /// ends. Never inlined: its two callers would make two copies of the
    /// largest reader in the phone's bundle.
    #[inline(never)]
    fn read(bytes: &[u8]) -> Result<(DeviceEntry, usize, usize), LineError> {
        if bytes.len() > limits::MAX_LINE_BYTES {
            return Err(LineError::TooLong { bytes: bytes.len() });
        }
        let layout = || LineError::Layout { byte: 1 };
        let mut c = Cursor::new(bytes);
        let stop = |c: &Cursor<'_>| LineError::Layout { byte: c.at + 1 };
        c.literal(b"{\"actor\":\"").ok_or_else(layout)?;
        let actor = c.plain_string().ok_or_else(|| stop(&c))?;
        c.literal(b",\"body\":").ok_or_else(|| stop(&c))?;
        let start = c.at;
        c.object().ok_or_else(|| stop(&c))?;
        let body = parse_body(c.since(start))?;
        c.literal(b",\"dev_prev\":\"").ok_or_else(|| stop(&c))?;
        let dev_prev = c.plain_string().ok_or_else(|| stop(&c))?;
        c.literal(b",\"dev_seq\":").ok_or_else(|| stop(&c))?;
        let dev_seq = c.digits().ok_or_else(|| stop(&c))?;
        c.literal(b",\"ledger\":\"").ok_or_else(|| stop(&c))?;
        let ledger = c.plain_string().ok_or_else(|| stop(&c))?;
        let log = if c.literal(b",\"log\":{\"key\":\"").is_some() {
            let key = c.plain_string().ok_or_else(|| stop(&c))?;
            c.literal(b",\"origin\":\"").ok_or_else(|| stop(&c))?;
            let origin = c.plain_string().ok_or_else(|| stop(&c))?;
            c.literal(b"}").ok_or_else(|| stop(&c))?;
            Some((key, origin))
        } else {
            None
        };
        let policy = if c.literal(b",\"policy\":{\"max_points\":\"").is_some() {
            let most = c.plain_string().ok_or_else(|| stop(&c))?;
            c.literal(b",\"max_points_per_day\":\"")
                .ok_or_else(|| stop(&c))?;
            let per_day = c.plain_string().ok_or_else(|| stop(&c))?;
            c.literal(b",\"max_queued\":").ok_or_else(|| stop(&c))?;
            let queued = c.digits().ok_or_else(|| stop(&c))?;
            c.literal(b",\"upload_within_hours\":")
                .ok_or_else(|| stop(&c))?;
            let hours = c.digits().ok_or_else(|| stop(&c))?;
            c.literal(b"}").ok_or_else(|| stop(&c))?;
            Some(read_policy(most, per_day, queued, hours)?)
        } else {
            None
        };
        let sig_start = c.at;
        c.literal(b",\"sig\":\"").ok_or_else(|| stop(&c))?;
        let sig = c.plain_string().ok_or_else(|| stop(&c))?;
        let sig_end = c.at;
        c.literal(b",\"ts\":").ok_or_else(|| stop(&c))?;
        let ts_ms = c.digits().ok_or_else(|| stop(&c))?;
        c.literal(b",\"v\":2}").ok_or_else(|| stop(&c))?;
        if !c.at_end() {
            return Err(stop(&c));
        }
        fn text<'b>(field: &'static str, bytes: &'b [u8]) -> Result<&'b str, LineError> {
            core::str::from_utf8(bytes).map_err(|_| LineError::Field {
                field,
                problem: FieldProblem::ControlCharacter,
            })
        }
        let field = |field: &'static str| move |problem| LineError::Field { field, problem };
        let hex_of = |name: &'static str, bytes: &[u8]| -> Result<[u8; 32], LineError> {
            hex::decode::<32>(text(name, bytes)?).ok_or(LineError::Field {
                field: name,
                problem: FieldProblem::NotLowercaseHex { bytes: 32 },
            })
        };
        let log = match log {
            Some((key, origin)) => {
                let origin = text("log.origin", origin)?;
                LogKey::check_origin(origin).map_err(field("log.origin"))?;
                Some(LogKey {
                    origin: origin.to_owned(),
                    key: PublicKey(hex_of("log.key", key)?),
                })
            }
            None => None,
        };
        let sig = hex::decode::<64>(text("sig", sig)?).ok_or(LineError::Field {
            field: "sig",
            problem: FieldProblem::NotLowercaseHex { bytes: 64 },
        })?;
        if ts_ms > limits::MAX_TS_MS {
            return Err(LineError::Field {
                field: "ts",
                problem: FieldProblem::OutOfRange {
                    min: 0,
                    max: limits::MAX_TS_MS as i64,
                },
            });
        }
        let entry = DeviceEntry {
            ledger: text("ledger", ledger)?.parse().map_err(field("ledger"))?,
            actor: text("actor", actor)?.parse().map_err(field("actor"))?,
            dev_seq,
            dev_prev: EntryHash(hex_of("dev_prev", dev_prev)?),
            ts_ms,
            body,
            log,
            policy,
            hash: EntryHash::ZERO,
            sig,
        };
        Ok((entry, sig_start, sig_end))
    }
}

fn read_policy(
    most: &[u8],
    per_day: &[u8],
    queued: u64,
    hours: u64,
) -> Result<OfflinePolicy, LineError> {
    let points = |field: &'static str, bytes: &[u8]| {
        let text = core::str::from_utf8(bytes).unwrap_or("\u{0}");
        Points::parse_wire(text).map_err(|problem| LineError::Field { field, problem })
    };
    let count = |field: &'static str, value: u64, max: u32| {
        u32::try_from(value)
            .ok()
            .filter(|&v| (1..=max).contains(&v))
            .ok_or(LineError::Field {
                field,
                problem: FieldProblem::OutOfRange {
                    min: 1,
                    max: i64::from(max),
                },
            })
    };
    Ok(OfflinePolicy {
        max_points: points("policy.max_points", most)?,
        max_points_per_day: points("policy.max_points_per_day", per_day)?,
        max_queued: count("policy.max_queued", queued, OfflinePolicy::MAX_QUEUED)?,
        upload_within_hours: count(
            "policy.upload_within_hours",
            hours,
            OfflinePolicy::MAX_HOURS,
        )?,
    })
}

/// An entry as the log placed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Its index in the log.
    pub index: u64,
    /// The log's clock when it was accepted, ms.
    pub log_ts_ms: u64,
    /// What the device signed.
    pub entry: DeviceEntry,
}

impl Leaf {
    /// The leaf's bytes, as hashed into the tree.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(600);
        out.extend_from_slice(b"{\"entry\":");
        self.entry.write(true, &mut out);
        out.extend_from_slice(b",\"index\":");
        canonical::write_unsigned(&mut out, self.index);
        out.extend_from_slice(b",\"log_ts\":");
        canonical::write_unsigned(&mut out, self.log_ts_ms);
        out.push(b'}');
        out
    }

    /// Reads a leaf, which must be canonical exactly.
    pub fn parse(bytes: &[u8]) -> Result<Leaf, LineError> {
        Leaf::read_with(bytes, &DeviceEntry::parse)
    }

    /// Reads a leaf that [`Leaf::parse`] read already, elsewhere (a
    /// worker), and whose entry hash it found: every member read again,
    /// but neither its canonical form nor its hash.
    pub(crate) fn read_vouched(bytes: &[u8], hash: EntryHash) -> Result<Leaf, LineError> {
        Leaf::read_with(bytes, &|entry| {
            let (mut entry, _, _) = DeviceEntry::read(entry)?;
            entry.hash = hash;
            Ok(entry)
        })
    }

    #[inline(never)]
    fn read_with(
        bytes: &[u8],
        read_entry: &dyn Fn(&[u8]) -> Result<DeviceEntry, LineError>,
    ) -> Result<Leaf, LineError> {
        if bytes.len() > limits::MAX_LINE_BYTES + 64 {
            return Err(LineError::TooLong { bytes: bytes.len() });
        }
        let mut c = Cursor::new(bytes);
        let stop = |c: &Cursor<'_>| LineError::Layout { byte: c.at + 1 };
        c.literal(b"{\"entry\":").ok_or_else(|| stop(&c))?;
        let start = c.at;
        c.object().ok_or_else(|| stop(&c))?;
        let entry = read_entry(c.since(start))?;
        c.literal(b",\"index\":").ok_or_else(|| stop(&c))?;
        let index = c.digits().ok_or_else(|| stop(&c))?;
        c.literal(b",\"log_ts\":").ok_or_else(|| stop(&c))?;
        let log_ts_ms = c.digits().ok_or_else(|| stop(&c))?;
        c.literal(b"}").ok_or_else(|| stop(&c))?;
        if !c.at_end() {
            return Err(stop(&c));
        }
        if log_ts_ms > limits::MAX_TS_MS {
            return Err(LineError::Field {
                field: "log_ts",
                problem: FieldProblem::OutOfRange {
                    min: 0,
                    max: limits::MAX_TS_MS as i64,
                },
            });
        }
        Ok(Leaf {
            index,
            log_ts_ms,
            entry,
        })
    }
}
