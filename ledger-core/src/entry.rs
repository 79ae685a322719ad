//! Entries: their bodies, the wire format (one JSON object per line), the
//! canonical form that is hashed, and the hash itself.

use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::canonical::{self, Value};
use crate::error::{FieldProblem, LineError};
use crate::hex;
use crate::limits;
use crate::model::{
    ActivityId, ActorId, EntryHash, LedgerId, PlaceCode, Points, RequestId, ResidentCode, RewardId,
    Role, Seq, Text,
};

/// An Ed25519 public key as registered in the ledger: 32 bytes that
/// decompress to a curve point (checked when parsed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Parses lowercase hex and checks that the bytes are a curve point.
    pub fn parse_hex(text: &str) -> Result<PublicKey, FieldProblem> {
        let bytes = hex::decode::<32>(text).ok_or(FieldProblem::NotLowercaseHex { bytes: 32 })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| FieldProblem::NotAPublicKey)?;
        Ok(PublicKey(bytes))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

/// What an entry says. Every kind is described, member by member, in the
/// book's wire-format chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// seq 0: names the ledger, its day boundary and its first admin.
    Genesis {
        /// The community's name.
        name: Text,
        /// Offset of the local day from UTC, in minutes (China: 480).
        utc_offset_minutes: i32,
        /// The first admin's id.
        admin_id: ActorId,
        /// The first admin's key.
        admin_key: PublicKey,
    },
    /// Registers an actor, or retires one (`active: false`).
    Actor {
        /// The actor's id.
        id: ActorId,
        /// What the actor may do.
        role: Role,
        /// The actor's key.
        pubkey: PublicKey,
        /// Whether the actor may sign.
        active: bool,
    },
    /// Registers a resident, or updates their household, area or status.
    Resident {
        /// The resident's code.
        code: ResidentCode,
        /// The household (`3-2-501`).
        household: PlaceCode,
        /// The service area (`A03`).
        area: PlaceCode,
        /// Whether the resident may earn.
        active: bool,
    },
    /// Defines or redefines an activity.
    Activity {
        /// The activity's id.
        id: ActivityId,
        /// Its name, as shown to people.
        name: Text,
        /// Points for one occurrence.
        points: Points,
        /// Most points one resident may earn from it in one local day.
        daily_cap: Points,
        /// Whether it can be recorded.
        active: bool,
    },
    /// Defines or redefines a reward (stock changes by `Stock`).
    Reward {
        /// The reward's id.
        id: RewardId,
        /// Its name, as shown to people.
        name: Text,
        /// Points for one item.
        cost: Points,
        /// Whether it can be redeemed.
        active: bool,
    },
    /// Adds stock to a reward (or removes it, when `delta` is negative).
    Stock {
        /// The reward.
        reward: RewardId,
        /// Items added (negative: removed, e.g. spoiled).
        delta: i64,
        /// Why.
        note: Text,
    },
    /// An officer records that a resident did an activity.
    Earn {
        /// Who earns.
        resident: ResidentCode,
        /// What they did.
        activity: ActivityId,
        /// Points earned: the activity's points.
        points: Points,
        /// Free text (may be empty).
        note: Text,
    },
    /// A kiosk or officer exchanges points for `qty` items of a reward.
    Redeem {
        /// Who redeems.
        resident: ResidentCode,
        /// What.
        reward: RewardId,
        /// How many items.
        qty: u32,
        /// Points paid: cost × qty.
        points: Points,
        /// The kiosk's idempotency key: a retry returns the first entry.
        request_id: RequestId,
    },
    /// Undoes one earn or redeem, once; points and stock come back.
    Reverse {
        /// The earn or redeem undone.
        entry: Seq,
        /// Why.
        reason: Text,
    },
}

impl Body {
    /// The wire name of this kind (`body.type`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::Genesis { .. } => "genesis",
            Body::Actor { .. } => "actor",
            Body::Resident { .. } => "resident",
            Body::Activity { .. } => "activity",
            Body::Reward { .. } => "reward",
            Body::Stock { .. } => "stock",
            Body::Earn { .. } => "earn",
            Body::Redeem { .. } => "redeem",
            Body::Reverse { .. } => "reverse",
        }
    }

    fn write_canonical(&self, out: &mut Vec<u8>) {
        let kind = Value::Str(self.type_name());
        match self {
            Body::Genesis {
                name,
                utc_offset_minutes,
                admin_id,
                admin_key,
            } => {
                let key = admin_key.to_hex();
                let admin = [("id", Value::Str(admin_id.as_str())), ("pubkey", Value::Str(&key))];
                canonical::write_object(
                    out,
                    &[
                        ("type", kind),
                        ("name", Value::Str(name.as_str())),
                        ("utc_offset_minutes", Value::Int(i64::from(*utc_offset_minutes))),
                        ("admin", Value::Object(&admin)),
                    ],
                );
            }
            Body::Actor {
                id,
                role,
                pubkey,
                active,
            } => {
                let key = pubkey.to_hex();
                canonical::write_object(
                    out,
                    &[
                        ("type", kind),
                        ("id", Value::Str(id.as_str())),
                        ("role", Value::Str(role.as_str())),
                        ("pubkey", Value::Str(&key)),
                        ("active", Value::Bool(*active)),
                    ],
                );
            }
            Body::Resident {
                code,
                household,
                area,
                active,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("code", Value::Str(code.as_str())),
                    ("household", Value::Str(household.as_str())),
                    ("area", Value::Str(area.as_str())),
                    ("active", Value::Bool(*active)),
                ],
            ),
            Body::Activity {
                id,
                name,
                points,
                daily_cap,
                active,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("id", Value::Str(id.as_str())),
                    ("name", Value::Str(name.as_str())),
                    ("points", Value::Str(&points.to_wire())),
                    ("daily_cap", Value::Str(&daily_cap.to_wire())),
                    ("active", Value::Bool(*active)),
                ],
            ),
            Body::Reward {
                id,
                name,
                cost,
                active,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("id", Value::Str(id.as_str())),
                    ("name", Value::Str(name.as_str())),
                    ("cost", Value::Str(&cost.to_wire())),
                    ("active", Value::Bool(*active)),
                ],
            ),
            Body::Stock {
                reward,
                delta,
                note,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("reward", Value::Str(reward.as_str())),
                    ("delta", Value::Int(*delta)),
                    ("note", Value::Str(note.as_str())),
                ],
            ),
            Body::Earn {
                resident,
                activity,
                points,
                note,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("activity", Value::Str(activity.as_str())),
                    ("points", Value::Str(&points.to_wire())),
                    ("note", Value::Str(note.as_str())),
                ],
            ),
            Body::Redeem {
                resident,
                reward,
                qty,
                points,
                request_id,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("reward", Value::Str(reward.as_str())),
                    ("qty", Value::Int(i64::from(*qty))),
                    ("points", Value::Str(&points.to_wire())),
                    ("request_id", Value::Str(request_id.as_str())),
                ],
            ),
            Body::Reverse { entry, reason } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("entry", Value::Int(i64::try_from(entry.0).unwrap_or(i64::MAX))),
                    ("reason", Value::Str(reason.as_str())),
                ],
            ),
        }
    }
}

/// One signed entry of the ledger. The ledger id is not kept per entry: it
/// is the same on every line and belongs to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the ledger.
    pub seq: Seq,
    /// Milliseconds since the Unix epoch, UTC.
    pub ts_ms: u64,
    /// Hash of the entry before (zeros for seq 0).
    pub prev: EntryHash,
    /// Who signed.
    pub actor: ActorId,
    /// What it says.
    pub body: Body,
    /// SHA-256 of the canonical entry without `hash` and `sig`.
    pub hash: EntryHash,
    /// Ed25519 signature of the 32 bytes of `hash` by `actor`.
    pub sig: [u8; 64],
}

impl Entry {
    /// Writes the RFC 8785 canonical JSON of the entry; with `signed`, the
    /// whole line (with `hash` and `sig`), else the bytes that are hashed.
    pub fn write_canonical(&self, ledger: &LedgerId, signed: bool, out: &mut Vec<u8>) {
        let prev = self.prev.to_hex();
        let mut body = Vec::with_capacity(256);
        self.body.write_canonical(&mut body);
        let body_text = core::str::from_utf8(&body).unwrap_or_default();
        let (hash, sig) = if signed {
            (self.hash.to_hex(), hex::encode(&self.sig))
        } else {
            (String::new(), String::new())
        };
        let members = [
            ("actor", Value::Str(self.actor.as_str())),
            ("body", Value::Raw(body_text)),
            ("ledger", Value::Str(ledger.as_str())),
            ("prev", Value::Str(&prev)),
            ("seq", Value::Int(i64::try_from(self.seq.0).unwrap_or(i64::MAX))),
            ("ts", Value::Int(i64::try_from(self.ts_ms).unwrap_or(i64::MAX))),
            ("v", Value::Int(1)),
            ("hash", Value::Str(&hash)),
            ("sig", Value::Str(&sig)),
        ];
        let unsigned_members = members.len() - 2;
        canonical::write_object(out, if signed { &members } else { &members[..unsigned_members] });
    }

    /// The whole line, without its newline.
    pub fn to_line(&self, ledger: &LedgerId) -> String {
        let mut out = Vec::with_capacity(512);
        self.write_canonical(ledger, true, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// SHA-256 of the canonical unsigned form of an entry.
pub fn compute_hash(entry: &Entry, ledger: &LedgerId, scratch: &mut Vec<u8>) -> EntryHash {
    scratch.clear();
    entry.write_canonical(ledger, false, scratch);
    EntryHash(Sha256::digest(scratch.as_slice()).into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEntry {
    v: u64,
    ledger: String,
    seq: u64,
    ts: u64,
    prev: String,
    actor: String,
    body: WireBody,
    hash: String,
    sig: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAdmin {
    id: String,
    pubkey: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum WireBody {
    Genesis {
        name: String,
        utc_offset_minutes: i64,
        admin: WireAdmin,
    },
    Actor {
        id: String,
        role: String,
        pubkey: String,
        active: bool,
    },
    Resident {
        code: String,
        household: String,
        area: String,
        active: bool,
    },
    Activity {
        id: String,
        name: String,
        points: String,
        daily_cap: String,
        active: bool,
    },
    Reward {
        id: String,
        name: String,
        cost: String,
        active: bool,
    },
    Stock {
        reward: String,
        delta: i64,
        note: String,
    },
    Earn {
        resident: String,
        activity: String,
        points: String,
        note: String,
    },
    Redeem {
        resident: String,
        reward: String,
        qty: u64,
        points: String,
        request_id: String,
    },
    Reverse {
        entry: u64,
        reason: String,
    },
}

fn field<T>(name: &'static str, result: Result<T, FieldProblem>) -> Result<T, LineError> {
    result.map_err(|problem| LineError::Field {
        field: name,
        problem,
    })
}

fn positive(name: &'static str, text: &str) -> Result<Points, LineError> {
    let points = field(name, Points::parse_wire(text))?;
    if points.is_zero() {
        return Err(LineError::Field {
            field: name,
            problem: FieldProblem::ZeroPoints,
        });
    }
    Ok(points)
}

fn in_range(name: &'static str, value: i64, min: i64, max: i64) -> Result<i64, LineError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(LineError::Field {
            field: name,
            problem: FieldProblem::OutOfRange { min, max },
        })
    }
}

fn max_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl WireBody {
    fn into_body(self) -> Result<Body, LineError> {
        Ok(match self {
            WireBody::Genesis {
                name,
                utc_offset_minutes,
                admin,
            } => {
                let range = limits::UTC_OFFSET_MINUTES_RANGE;
                let offset = in_range(
                    "body.utc_offset_minutes",
                    utc_offset_minutes,
                    i64::from(*range.start()),
                    i64::from(*range.end()),
                )?;
                Body::Genesis {
                    name: field("body.name", Text::parse(&name, limits::MAX_NAME_BYTES, false))?,
                    utc_offset_minutes: i32::try_from(offset).unwrap_or_default(),
                    admin_id: field("body.admin.id", admin.id.parse())?,
                    admin_key: field("body.admin.pubkey", PublicKey::parse_hex(&admin.pubkey))?,
                }
            }
            WireBody::Actor {
                id,
                role,
                pubkey,
                active,
            } => Body::Actor {
                id: field("body.id", id.parse())?,
                role: field("body.role", role.parse())?,
                pubkey: field("body.pubkey", PublicKey::parse_hex(&pubkey))?,
                active,
            },
            WireBody::Resident {
                code,
                household,
                area,
                active,
            } => Body::Resident {
                code: field("body.code", code.parse())?,
                household: field("body.household", household.parse())?,
                area: field("body.area", area.parse())?,
                active,
            },
            WireBody::Activity {
                id,
                name,
                points,
                daily_cap,
                active,
            } => Body::Activity {
                id: field("body.id", id.parse())?,
                name: field("body.name", Text::parse(&name, limits::MAX_NAME_BYTES, false))?,
                points: positive("body.points", &points)?,
                daily_cap: positive("body.daily_cap", &daily_cap)?,
                active,
            },
            WireBody::Reward {
                id,
                name,
                cost,
                active,
            } => Body::Reward {
                id: field("body.id", id.parse())?,
                name: field("body.name", Text::parse(&name, limits::MAX_NAME_BYTES, false))?,
                cost: positive("body.cost", &cost)?,
                active,
            },
            WireBody::Stock {
                reward,
                delta,
                note,
            } => Body::Stock {
                reward: field("body.reward", reward.parse())?,
                delta: in_range("body.delta", delta, -limits::MAX_STOCK, limits::MAX_STOCK)?,
                note: field("body.note", Text::parse(&note, limits::MAX_TEXT_BYTES, true))?,
            },
            WireBody::Earn {
                resident,
                activity,
                points,
                note,
            } => Body::Earn {
                resident: field("body.resident", resident.parse())?,
                activity: field("body.activity", activity.parse())?,
                points: positive("body.points", &points)?,
                note: field("body.note", Text::parse(&note, limits::MAX_TEXT_BYTES, true))?,
            },
            WireBody::Redeem {
                resident,
                reward,
                qty,
                points,
                request_id,
            } => Body::Redeem {
                resident: field("body.resident", resident.parse())?,
                reward: field("body.reward", reward.parse())?,
                qty: u32::try_from(in_range(
                    "body.qty",
                    max_i64(qty),
                    1,
                    i64::from(limits::MAX_QTY),
                )?)
                .unwrap_or_default(),
                points: positive("body.points", &points)?,
                request_id: field("body.request_id", request_id.parse())?,
            },
            WireBody::Reverse { entry, reason } => Body::Reverse {
                entry: Seq(in_range("body.entry", max_i64(entry), 0, max_i64(limits::MAX_ENTRIES))?
                    .unsigned_abs()),
                reason: field("body.reason", Text::parse(&reason, limits::MAX_TEXT_BYTES, false))?,
            },
        })
    }
}

/// Parses one line (without its newline) into its ledger id and entry,
/// checking every member's format. Does not check canonical form, hash,
/// chain, signature or rules: that is [`crate::verify`]'s work.
/// Does not panic, whatever the bytes.
pub fn parse_line(line: &[u8]) -> Result<(LedgerId, Entry), LineError> {
    if line.len() > limits::MAX_LINE_BYTES {
        return Err(LineError::TooLong { bytes: line.len() });
    }
    let wire: WireEntry =
        serde_json::from_slice(line).map_err(|error| LineError::Json(error.to_string()))?;
    if wire.v != 1 {
        return Err(LineError::Version(wire.v));
    }
    let ledger = field("ledger", wire.ledger.parse::<LedgerId>())?;
    let seq = in_range("seq", max_i64(wire.seq), 0, max_i64(limits::MAX_ENTRIES))?;
    let ts_ms = in_range("ts", max_i64(wire.ts), 0, max_i64(limits::MAX_TS_MS))?;
    let sig = hex::decode::<64>(&wire.sig).ok_or(LineError::Field {
        field: "sig",
        problem: FieldProblem::NotLowercaseHex { bytes: 64 },
    })?;
    let entry = Entry {
        seq: Seq(seq.unsigned_abs()),
        ts_ms: ts_ms.unsigned_abs(),
        prev: field("prev", wire.prev.parse())?,
        actor: field("actor", wire.actor.parse())?,
        body: wire.body.into_body()?,
        hash: field("hash", wire.hash.parse())?,
        sig,
    };
    Ok((ledger, entry))
}
