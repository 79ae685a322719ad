//! Entries: their bodies, the wire format (one JSON object per line), the
//! canonical form that is hashed, and the hash itself.

use std::borrow::Cow;
use std::ops::Range;

use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub(crate) mod chain;
mod fast;

pub(crate) use fast::CanonicalLayout;

use crate::canonical::{self, Value};
use crate::error::LineError;
use crate::hex;
use crate::limits;
use crate::model::FieldProblem;
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
        /// Whether its earns count only once a reviewer approves them
        /// (v2 only; written only when true).
        review: bool,
        /// Whether it is counted in hours (v2 only; written only when
        /// true): `points` are then points per hour, and each earn says
        /// how many hours, in half-hour steps.
        per_hour: bool,
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
        /// Items one household may redeem in a local month, if limited
        /// (v2 only; written only when set).
        household_monthly: Option<u32>,
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
        /// The SHA-256 of a photo that backs a claim (v2 only): the photo
        /// itself stays off the ledger.
        photo: Option<[u8; 32]>,
        /// Half-hours of an activity counted in hours (v2 only; `"1.5"` on
        /// the wire is 3).
        hours: Option<u32>,
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
        /// Who collected it, when not the resident (v2 only; written only
        /// when present): a resident of the same household, or a helper
        /// the admin registered for them.
        collector: Option<ResidentCode>,
    },
    /// Undoes one earn or redeem, once; points and stock come back.
    Reverse {
        /// The earn or redeem undone.
        entry: Seq,
        /// Why.
        reason: Text,
    },
    /// A reviewer approves an earn that needs review (v2 only): it counts
    /// from here on.
    Approve {
        /// The earn (the claim).
        claim: Seq,
        /// Free text (may be empty).
        note: Text,
    },
    /// A reviewer rejects an earn or a deduction that needs review (v2
    /// only): it never counts, and the reason is kept.
    Reject {
        /// The earn or deduction (the claim).
        claim: Seq,
        /// Why.
        reason: Text,
    },
    /// Defines or redefines a penalty (v2 only): what a deduction of this
    /// kind takes, and for how many days it suspends redeeming.
    Penalty {
        /// The penalty's id.
        id: ActivityId,
        /// Its name, as shown to people (`垃圾未分类，劝导后仍混投`).
        name: Text,
        /// Points one deduction takes (zero: it only suspends).
        points: Points,
        /// Local days from the approval during which the resident may not
        /// redeem (zero: none).
        suspend_days: u32,
        /// Whether it can be recorded.
        active: bool,
    },
    /// Registers a helper who may collect rewards for a resident (代领, v2
    /// only), or withdraws one (`active: false`).
    Helper {
        /// Who is helped.
        resident: ResidentCode,
        /// Who may collect for them: a registered resident.
        helper: ResidentCode,
        /// Whether they may.
        active: bool,
    },
    /// An officer records a deduction (扣分, v2 only): it counts only once
    /// a reviewer approves it, like a claim.
    Deduct {
        /// Whose points.
        resident: ResidentCode,
        /// Which penalty.
        penalty: ActivityId,
        /// Points taken: the penalty's points.
        points: Points,
        /// Why, as the notice shows it.
        reason: Text,
    },
    /// The admin allows transfers between residents, up to `points` each,
    /// or stops them (`active: false`; v2 only).
    Transfers {
        /// Whether residents may give points.
        active: bool,
        /// The most one transfer may give.
        points: Points,
    },
    /// A resident gives points to another (a neighbour, or the community's
    /// pool, registered as a resident), at a kiosk or an officer's desk
    /// with the giver present (v2 only).
    Transfer {
        /// Who gives.
        resident: ResidentCode,
        /// Who receives.
        to: ResidentCode,
        /// Points given.
        points: Points,
        /// Why, if said.
        note: Text,
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
            Body::Approve { .. } => "approve",
            Body::Reject { .. } => "reject",
            Body::Penalty { .. } => "penalty",
            Body::Helper { .. } => "helper",
            Body::Deduct { .. } => "deduct",
            Body::Transfers { .. } => "transfers",
            Body::Transfer { .. } => "transfer",
        }
    }

    /// Whether only a v2 log may hold this body: the kinds and members
    /// that came with review and deductions. A v1 line with one is refused
    /// as it always was, so v1 ledgers verify as before.
    pub fn v2_only(&self) -> bool {
        match self {
            Body::Approve { .. }
            | Body::Reject { .. }
            | Body::Penalty { .. }
            | Body::Helper { .. }
            | Body::Deduct { .. }
            | Body::Transfers { .. }
            | Body::Transfer { .. } => true,
            Body::Redeem { collector, .. } => collector.is_some(),
            Body::Actor { role, .. } => *role == Role::Reviewer,
            Body::Activity {
                review, per_hour, ..
            } => *review || *per_hour,
            Body::Reward {
                household_monthly, ..
            } => household_monthly.is_some(),
            Body::Earn { photo, hours, .. } => photo.is_some() || hours.is_some(),
            _ => false,
        }
    }

    /// The body's RFC 8785 form, members in canonical order. One arm per
    /// kind of body, as the wire-format chapter lists them; hence its length.
    pub(crate) fn write_canonical(&self, out: &mut Vec<u8>) {
        let kind = Value::Str(self.type_name());
        match self {
            Body::Genesis {
                name,
                utc_offset_minutes,
                admin_id,
                admin_key,
            } => {
                let admin = [
                    ("id", Value::Str(admin_id.as_str())),
                    ("pubkey", Value::Hex(&admin_key.0)),
                ];
                canonical::write_object(
                    out,
                    &[
                        ("type", kind),
                        ("name", Value::Str(name.as_str())),
                        (
                            "utc_offset_minutes",
                            Value::Int(i64::from(*utc_offset_minutes)),
                        ),
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
                canonical::write_object(
                    out,
                    &[
                        ("type", kind),
                        ("id", Value::Str(id.as_str())),
                        ("role", Value::Str(role.as_str())),
                        ("pubkey", Value::Hex(&pubkey.0)),
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
                review,
                per_hour,
            } => {
                // The v2 members, each written only when true.
                let mut members = [("type", kind); 8];
                let fixed = [
                    ("id", Value::Str(id.as_str())),
                    ("name", Value::Str(name.as_str())),
                    ("points", Value::Points(*points)),
                    ("daily_cap", Value::Points(*daily_cap)),
                    ("active", Value::Bool(*active)),
                ];
                members[1..6].copy_from_slice(&fixed);
                let mut written = 6;
                for (present, name) in [(*review, "review"), (*per_hour, "per_hour")] {
                    if present {
                        members[written] = (name, Value::Bool(true));
                        written += 1;
                    }
                }
                canonical::write_object(out, &members[..written]);
            }
            Body::Reward {
                id,
                name,
                cost,
                active,
                household_monthly,
            } => {
                let members = [
                    ("type", kind),
                    ("id", Value::Str(id.as_str())),
                    ("name", Value::Str(name.as_str())),
                    ("cost", Value::Points(*cost)),
                    ("active", Value::Bool(*active)),
                    (
                        "household_monthly",
                        Value::Int(i64::from(household_monthly.unwrap_or_default())),
                    ),
                ];
                let written = if household_monthly.is_some() { 6 } else { 5 };
                canonical::write_object(out, &members[..written]);
            }
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
                photo,
                hours,
            } => {
                let mut members = [
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("activity", Value::Str(activity.as_str())),
                    ("points", Value::Points(*points)),
                    ("note", Value::Str(note.as_str())),
                    ("type", kind),
                    ("type", kind),
                ];
                let mut written = 5;
                if let Some(photo) = photo {
                    members[written] = ("photo", Value::Hex(photo));
                    written += 1;
                }
                let hours_text = hours.map(hours_to_wire);
                if let Some(text) = &hours_text {
                    members[written] = ("hours", Value::Str(text));
                    written += 1;
                }
                canonical::write_object(out, &members[..written]);
            }
            Body::Redeem {
                resident,
                reward,
                qty,
                points,
                request_id,
                collector,
            } => {
                let members = [
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("reward", Value::Str(reward.as_str())),
                    ("qty", Value::Int(i64::from(*qty))),
                    ("points", Value::Points(*points)),
                    ("request_id", Value::Str(request_id.as_str())),
                    (
                        "collector",
                        Value::Str(collector.as_ref().map_or("", |c| c.as_str())),
                    ),
                ];
                let written = if collector.is_some() { 7 } else { 6 };
                canonical::write_object(out, &members[..written]);
            }
            Body::Helper {
                resident,
                helper,
                active,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("helper", Value::Str(helper.as_str())),
                    ("active", Value::Bool(*active)),
                ],
            ),
            Body::Reverse { entry, reason }
            | Body::Reject {
                claim: entry,
                reason,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    (
                        "entry",
                        Value::Int(i64::try_from(entry.0).unwrap_or(i64::MAX)),
                    ),
                    ("reason", Value::Str(reason.as_str())),
                ],
            ),
            Body::Approve { claim, note } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    (
                        "entry",
                        Value::Int(i64::try_from(claim.0).unwrap_or(i64::MAX)),
                    ),
                    ("note", Value::Str(note.as_str())),
                ],
            ),
            Body::Penalty {
                id,
                name,
                points,
                suspend_days,
                active,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("id", Value::Str(id.as_str())),
                    ("name", Value::Str(name.as_str())),
                    ("points", Value::Points(*points)),
                    ("suspend_days", Value::Int(i64::from(*suspend_days))),
                    ("active", Value::Bool(*active)),
                ],
            ),
            Body::Transfers { active, points } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("active", Value::Bool(*active)),
                    ("points", Value::Points(*points)),
                ],
            ),
            Body::Transfer {
                resident,
                to,
                points,
                note,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("to", Value::Str(to.as_str())),
                    ("points", Value::Points(*points)),
                    ("note", Value::Str(note.as_str())),
                ],
            ),
            Body::Deduct {
                resident,
                penalty,
                points,
                reason,
            } => canonical::write_object(
                out,
                &[
                    ("type", kind),
                    ("resident", Value::Str(resident.as_str())),
                    ("penalty", Value::Str(penalty.as_str())),
                    ("points", Value::Points(*points)),
                    ("reason", Value::Str(reason.as_str())),
                ],
            ),
        }
    }
}

/// Half-hours as the wire writes them: `"1"`, `"1.5"`.
pub fn hours_to_wire(half_hours: u32) -> String {
    if half_hours.is_multiple_of(2) {
        (half_hours / 2).to_string()
    } else {
        format!("{}.5", half_hours / 2)
    }
}

/// Reads hours in half-hour steps (`"2"`, `"0.5"`, `"1.5"`; no sign, no
/// leading zeros, at most a day): the half-hours, or `None`.
pub fn hours_from_wire(text: &str) -> Option<u32> {
    let (whole, half) = match text.strip_suffix(".5") {
        Some(whole) => (whole, 1),
        None => (text, 0),
    };
    let digits = !whole.is_empty()
        && whole.len() <= 2
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || !whole.starts_with('0'));
    let half_hours = 2 * whole.parse::<u32>().ok().filter(|_| digits)? + half;
    (1..=2 * crate::limits::MAX_HOURS_PER_ENTRY)
        .contains(&half_hours)
        .then_some(half_hours)
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
    ///
    /// The top-level member names are fixed and ASCII, so their canonical
    /// order is written out here directly (a test compares it with a
    /// general JCS encoder). When `signed`, returns the byte ranges of the
    /// `"hash":…,` and `"sig":…,` members: removing both leaves exactly the
    /// hashed form, so a verifier can hash a canonical line in place.
    /// Long on purpose: the layout is written member by member, in order,
    /// where a reader can compare it with the wire-format chapter.
    pub fn write_canonical(
        &self,
        ledger: &LedgerId,
        signed: bool,
        out: &mut Vec<u8>,
    ) -> Option<(Range<usize>, Range<usize>)> {
        let base = out.len();
        out.extend_from_slice(b"{\"actor\":");
        canonical::write_string(out, self.actor.as_str());
        out.extend_from_slice(b",\"body\":");
        self.body.write_canonical(out);
        out.push(b',');
        let hash_start = out.len();
        if signed {
            out.extend_from_slice(b"\"hash\":\"");
            hex::encode_into(&self.hash.0, out);
            out.extend_from_slice(b"\",");
        }
        let hash_end = out.len();
        out.extend_from_slice(b"\"ledger\":");
        canonical::write_string(out, ledger.as_str());
        out.extend_from_slice(b",\"prev\":\"");
        hex::encode_into(&self.prev.0, out);
        out.extend_from_slice(b"\",\"seq\":");
        canonical::write_unsigned(out, self.seq.0);
        out.push(b',');
        let sig_start = out.len();
        if signed {
            out.extend_from_slice(b"\"sig\":\"");
            hex::encode_into(&self.sig, out);
            out.extend_from_slice(b"\",");
        }
        let sig_end = out.len();
        out.extend_from_slice(b"\"ts\":");
        canonical::write_unsigned(out, self.ts_ms);
        out.extend_from_slice(b",\"v\":1}");
        signed.then(|| {
            (
                hash_start - base..hash_end - base,
                sig_start - base..sig_end - base,
            )
        })
    }

    /// The whole line, without its newline.
    pub fn to_line(&self, ledger: &LedgerId) -> String {
        let mut out = Vec::with_capacity(512);
        self.write_canonical(ledger, true, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// SHA-256 of a signed canonical line with its `hash` and `sig` members
/// (byte ranges from [`Entry::write_canonical`]) left out.
pub(crate) fn hash_signed_line(line: &[u8], hash: &Range<usize>, sig: &Range<usize>) -> EntryHash {
    let mut hasher = Sha256::new();
    hasher.update(&line[..hash.start]);
    hasher.update(&line[hash.end..sig.start]);
    hasher.update(&line[sig.end..]);
    EntryHash(hasher.finalize().into())
}

/// SHA-256 of the canonical unsigned form of an entry.
pub fn compute_hash(entry: &Entry, ledger: &LedgerId, scratch: &mut Vec<u8>) -> EntryHash {
    scratch.clear();
    entry.write_canonical(ledger, false, scratch);
    EntryHash(Sha256::digest(scratch.as_slice()).into())
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct WireEntry<'a> {
    v: u64,
    #[serde(borrow)]
    ledger: Cow<'a, str>,
    seq: u64,
    ts: u64,
    #[serde(borrow)]
    prev: Cow<'a, str>,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    body: WireBody<'a>,
    #[serde(borrow)]
    hash: Cow<'a, str>,
    #[serde(borrow)]
    sig: Cow<'a, str>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct WireAdmin<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    pubkey: Cow<'a, str>,
}

/// Every member any body may have. Parsing into one flat struct (rather
/// than a serde-tagged enum, which buffers the whole object first) is
/// several times faster and still refuses unknown and duplicate members;
/// which members each `type` needs is checked by hand below.
#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct WireBody<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(default)]
    utc_offset_minutes: Option<i64>,
    #[serde(borrow, default)]
    admin: Option<WireAdmin<'a>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pubkey: Option<Cow<'a, str>>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(borrow, default)]
    code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    household: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    area: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    points: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    daily_cap: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    cost: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reward: Option<Cow<'a, str>>,
    #[serde(default)]
    delta: Option<i64>,
    #[serde(borrow, default)]
    note: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    resident: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    activity: Option<Cow<'a, str>>,
    #[serde(default)]
    qty: Option<u64>,
    #[serde(borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(default)]
    entry: Option<u64>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
    #[serde(default)]
    review: Option<bool>,
    #[serde(borrow, default)]
    photo: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    penalty: Option<Cow<'a, str>>,
    #[serde(default)]
    suspend_days: Option<u64>,
    #[serde(borrow, default)]
    collector: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    helper: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    to: Option<Cow<'a, str>>,
    #[serde(default)]
    per_hour: Option<bool>,
    #[serde(borrow, default)]
    hours: Option<Cow<'a, str>>,
    #[serde(default)]
    household_monthly: Option<u64>,
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

fn need<T>(value: Option<T>, name: &'static str) -> Result<T, LineError> {
    value.ok_or(LineError::MissingMember(name))
}

/// A body's members other than `type`, in the order of the bits of
/// [`WireBody::present`].
const BODY_MEMBERS: [&str; 32] = [
    "name",
    "utc_offset_minutes",
    "admin",
    "id",
    "role",
    "pubkey",
    "active",
    "code",
    "household",
    "area",
    "points",
    "daily_cap",
    "cost",
    "reward",
    "delta",
    "note",
    "resident",
    "activity",
    "qty",
    "request_id",
    "entry",
    "reason",
    "review",
    "photo",
    "penalty",
    "suspend_days",
    "collector",
    "helper",
    "per_hour",
    "hours",
    "household_monthly",
    "to",
];

/// The bits of `names` among [`BODY_MEMBERS`] (at compile time).
const fn members(names: &[&str]) -> u32 {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut at = 0;
        while at < a.len() {
            if a[at] != b[at] {
                return false;
            }
            at += 1;
        }
        true
    }
    let mut mask = 0;
    let mut name = 0;
    while name < names.len() {
        let mut bit = 0;
        while bit < BODY_MEMBERS.len() {
            if same(names[name], BODY_MEMBERS[bit]) {
                mask |= 1 << bit;
            }
            bit += 1;
        }
        name += 1;
    }
    mask
}

impl WireBody<'_> {
    /// The members present, other than `type`: one bit each, as
    /// [`BODY_MEMBERS`] orders them.
    fn present(&self) -> u32 {
        [
            self.name.is_some(),
            self.utc_offset_minutes.is_some(),
            self.admin.is_some(),
            self.id.is_some(),
            self.role.is_some(),
            self.pubkey.is_some(),
            self.active.is_some(),
            self.code.is_some(),
            self.household.is_some(),
            self.area.is_some(),
            self.points.is_some(),
            self.daily_cap.is_some(),
            self.cost.is_some(),
            self.reward.is_some(),
            self.delta.is_some(),
            self.note.is_some(),
            self.resident.is_some(),
            self.activity.is_some(),
            self.qty.is_some(),
            self.request_id.is_some(),
            self.entry.is_some(),
            self.reason.is_some(),
            self.review.is_some(),
            self.photo.is_some(),
            self.penalty.is_some(),
            self.suspend_days.is_some(),
            self.collector.is_some(),
            self.helper.is_some(),
            self.per_hour.is_some(),
            self.hours.is_some(),
            self.household_monthly.is_some(),
            self.to.is_some(),
        ]
        .into_iter()
        .enumerate()
        .fold(0, |mask, (bit, present)| mask | (u32::from(present) << bit))
    }

    /// The body its members make, each checked, as a v2 log has it.
    fn into_body(self) -> Result<Body, LineError> {
        self.into_body_of(Version::V2)
    }

    /// The body its members make, each checked. One arm per kind of body,
    /// as the wire-format chapter lists them; hence its length. A v1 line
    /// refuses what came with v2 (review's kinds, members and role) as it
    /// did before v2, so a v1 ledger verifies as it always did.
    fn into_body_of(self, version: Version) -> Result<Body, LineError> {
        let v1 = version == Version::V1;
        if v1
            && matches!(
                &*self.kind,
                "approve" | "reject" | "penalty" | "deduct" | "helper" | "transfers" | "transfer"
            )
        {
            return Err(LineError::UnknownType(self.kind.chars().take(40).collect()));
        }
        let only_v2 = if v1 {
            const {
                members(&[
                    "review",
                    "photo",
                    "collector",
                    "per_hour",
                    "hours",
                    "household_monthly",
                ])
            }
        } else {
            0
        };
        let allowed = match &*self.kind {
            "genesis" => const { members(&["name", "utc_offset_minutes", "admin"]) },
            "actor" => const { members(&["id", "role", "pubkey", "active"]) },
            "resident" => const { members(&["code", "household", "area", "active"]) },
            "activity" => {
                const {
                    members(&[
                        "id",
                        "name",
                        "points",
                        "daily_cap",
                        "active",
                        "review",
                        "per_hour",
                    ])
                }
            }
            "reward" => const { members(&["id", "name", "cost", "active", "household_monthly"]) },
            "stock" => const { members(&["reward", "delta", "note"]) },
            "earn" => {
                const { members(&["resident", "activity", "points", "note", "photo", "hours"]) }
            }
            "redeem" => {
                const {
                    members(&[
                        "resident",
                        "reward",
                        "qty",
                        "points",
                        "request_id",
                        "collector",
                    ])
                }
            }
            "helper" => const { members(&["resident", "helper", "active"]) },
            "reverse" | "reject" => const { members(&["entry", "reason"]) },
            "approve" => const { members(&["entry", "note"]) },
            "penalty" => const { members(&["id", "name", "points", "suspend_days", "active"]) },
            "deduct" => const { members(&["resident", "penalty", "points", "reason"]) },
            "transfers" => const { members(&["active", "points"]) },
            "transfer" => const { members(&["resident", "to", "points", "note"]) },
            _ => return Err(LineError::UnknownType(self.kind.chars().take(40).collect())),
        } & !only_v2;
        // The first one not allowed, in the order above.
        let extra = self.present() & !allowed;
        if extra != 0 {
            let name = BODY_MEMBERS.get(extra.trailing_zeros() as usize);
            return Err(LineError::UnexpectedMember(name.copied().unwrap_or("?")));
        }
        let name = |value: Option<Cow<'_, str>>| -> Result<Text, LineError> {
            field(
                "body.name",
                Text::parse(&need(value, "body.name")?, limits::MAX_NAME_BYTES, false),
            )
        };
        let note = |value: Option<Cow<'_, str>>| -> Result<Text, LineError> {
            field(
                "body.note",
                Text::parse(&need(value, "body.note")?, limits::MAX_TEXT_BYTES, true),
            )
        };
        Ok(match &*self.kind {
            "genesis" => {
                let range = limits::UTC_OFFSET_MINUTES_RANGE;
                let offset = in_range(
                    "body.utc_offset_minutes",
                    need(self.utc_offset_minutes, "body.utc_offset_minutes")?,
                    i64::from(*range.start()),
                    i64::from(*range.end()),
                )?;
                let admin = need(self.admin, "body.admin")?;
                Body::Genesis {
                    name: name(self.name)?,
                    utc_offset_minutes: i32::try_from(offset).unwrap_or_default(),
                    admin_id: field("body.admin.id", admin.id.parse())?,
                    admin_key: field("body.admin.pubkey", PublicKey::parse_hex(&admin.pubkey))?,
                }
            }
            "actor" => Body::Actor {
                id: field("body.id", need(self.id, "body.id")?.parse())?,
                role: match field("body.role", need(self.role, "body.role")?.parse())? {
                    Role::Reviewer if v1 => {
                        return Err(LineError::Field {
                            field: "body.role",
                            problem: FieldProblem::NotARole,
                        });
                    }
                    role => role,
                },
                pubkey: field(
                    "body.pubkey",
                    PublicKey::parse_hex(&need(self.pubkey, "body.pubkey")?),
                )?,
                active: need(self.active, "body.active")?,
            },
            "resident" => Body::Resident {
                code: field("body.code", need(self.code, "body.code")?.parse())?,
                household: field(
                    "body.household",
                    need(self.household, "body.household")?.parse(),
                )?,
                area: field("body.area", need(self.area, "body.area")?.parse())?,
                active: need(self.active, "body.active")?,
            },
            "activity" => Body::Activity {
                id: field("body.id", need(self.id, "body.id")?.parse())?,
                name: name(self.name)?,
                points: positive("body.points", &need(self.points, "body.points")?)?,
                daily_cap: positive("body.daily_cap", &need(self.daily_cap, "body.daily_cap")?)?,
                active: need(self.active, "body.active")?,
                review: self.review.unwrap_or(false),
                per_hour: self.per_hour.unwrap_or(false),
            },
            "reward" => Body::Reward {
                id: field("body.id", need(self.id, "body.id")?.parse())?,
                name: name(self.name)?,
                cost: positive("body.cost", &need(self.cost, "body.cost")?)?,
                active: need(self.active, "body.active")?,
                household_monthly: match self.household_monthly {
                    Some(limit) => Some(
                        u32::try_from(in_range(
                            "body.household_monthly",
                            max_i64(limit),
                            1,
                            i64::from(limits::MAX_QTY),
                        )?)
                        .unwrap_or_default(),
                    ),
                    None => None,
                },
            },
            "stock" => Body::Stock {
                reward: field("body.reward", need(self.reward, "body.reward")?.parse())?,
                delta: in_range(
                    "body.delta",
                    need(self.delta, "body.delta")?,
                    -limits::MAX_STOCK,
                    limits::MAX_STOCK,
                )?,
                note: note(self.note)?,
            },
            "earn" => Body::Earn {
                resident: field(
                    "body.resident",
                    need(self.resident, "body.resident")?.parse(),
                )?,
                activity: field(
                    "body.activity",
                    need(self.activity, "body.activity")?.parse(),
                )?,
                points: positive("body.points", &need(self.points, "body.points")?)?,
                note: note(self.note)?,
                photo: match self.photo {
                    Some(text) => Some(hex::decode::<32>(&text).ok_or(LineError::Field {
                        field: "body.photo",
                        problem: FieldProblem::NotLowercaseHex { bytes: 32 },
                    })?),
                    None => None,
                },
                hours: match self.hours {
                    Some(text) => Some(hours_from_wire(&text).ok_or(LineError::Field {
                        field: "body.hours",
                        problem: FieldProblem::NotHours,
                    })?),
                    None => None,
                },
            },
            "redeem" => Body::Redeem {
                resident: field(
                    "body.resident",
                    need(self.resident, "body.resident")?.parse(),
                )?,
                reward: field("body.reward", need(self.reward, "body.reward")?.parse())?,
                qty: u32::try_from(in_range(
                    "body.qty",
                    max_i64(need(self.qty, "body.qty")?),
                    1,
                    i64::from(limits::MAX_QTY),
                )?)
                .unwrap_or_default(),
                points: positive("body.points", &need(self.points, "body.points")?)?,
                request_id: field(
                    "body.request_id",
                    need(self.request_id, "body.request_id")?.parse(),
                )?,
                collector: match self.collector {
                    Some(code) => Some(field("body.collector", code.parse())?),
                    None => None,
                },
            },
            "helper" => Body::Helper {
                resident: field(
                    "body.resident",
                    need(self.resident, "body.resident")?.parse(),
                )?,
                helper: field("body.helper", need(self.helper, "body.helper")?.parse())?,
                active: need(self.active, "body.active")?,
            },
            "penalty" => Body::Penalty {
                id: field("body.id", need(self.id, "body.id")?.parse())?,
                name: name(self.name)?,
                points: field(
                    "body.points",
                    Points::parse_wire(&need(self.points, "body.points")?),
                )?,
                suspend_days: u32::try_from(in_range(
                    "body.suspend_days",
                    max_i64(need(self.suspend_days, "body.suspend_days")?),
                    0,
                    i64::from(limits::MAX_SUSPEND_DAYS),
                )?)
                .unwrap_or_default(),
                active: need(self.active, "body.active")?,
            },
            "deduct" => Body::Deduct {
                resident: field(
                    "body.resident",
                    need(self.resident, "body.resident")?.parse(),
                )?,
                penalty: field("body.penalty", need(self.penalty, "body.penalty")?.parse())?,
                points: field(
                    "body.points",
                    Points::parse_wire(&need(self.points, "body.points")?),
                )?,
                reason: field(
                    "body.reason",
                    Text::parse(
                        &need(self.reason, "body.reason")?,
                        limits::MAX_TEXT_BYTES,
                        false,
                    ),
                )?,
            },
            "transfers" => Body::Transfers {
                active: need(self.active, "body.active")?,
                points: positive("body.points", &need(self.points, "body.points")?)?,
            },
            "transfer" => Body::Transfer {
                resident: field(
                    "body.resident",
                    need(self.resident, "body.resident")?.parse(),
                )?,
                to: field("body.to", need(self.to, "body.to")?.parse())?,
                points: positive("body.points", &need(self.points, "body.points")?)?,
                note: note(self.note)?,
            },
            kind => {
                let entry = Seq(in_range(
                    "body.entry",
                    max_i64(need(self.entry, "body.entry")?),
                    0,
                    max_i64(limits::MAX_ENTRIES),
                )?
                .unsigned_abs());
                if kind == "approve" {
                    return Ok(Body::Approve {
                        claim: entry,
                        note: note(self.note)?,
                    });
                }
                let reason = field(
                    "body.reason",
                    Text::parse(
                        &need(self.reason, "body.reason")?,
                        limits::MAX_TEXT_BYTES,
                        false,
                    ),
                )?;
                if kind == "reject" {
                    Body::Reject {
                        claim: entry,
                        reason,
                    }
                } else {
                    Body::Reverse { entry, reason }
                }
            }
        })
    }
}

/// Which format a body is read for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// Parses a body alone (`{"type":"earn",…}`), with the same checks as
/// inside a line: for programs that build entries to append. Does not
/// panic, whatever the bytes.
pub fn parse_body(json: &[u8]) -> Result<Body, LineError> {
    // The fast reader where it reads the body (every canonical body), else
    // serde_json: the same body, or the same refusal, either way.
    match fast::body_alone(json) {
        Some(wire) if json.len() <= limits::MAX_LINE_BYTES => wire.into_body(),
        _ => parse_body_with_serde_json(json),
    }
}

/// [`parse_body`] by serde_json alone: the reference the fuzzers compare
/// the fast reader with.
pub(crate) fn parse_body_with_serde_json(json: &[u8]) -> Result<Body, LineError> {
    if json.len() > limits::MAX_LINE_BYTES {
        return Err(LineError::TooLong { bytes: json.len() });
    }
    let wire: WireBody<'_> =
        serde_json::from_slice(json).map_err(|error| LineError::Json(error.to_string()))?;
    wire.into_body()
}

/// Parses one line (without its newline) into its ledger id and entry,
/// checking every member's format. Does not check canonical form, hash,
/// chain, signature or rules: that is [`crate::verify`]'s work.
/// Does not panic, whatever the bytes.
pub fn parse_line(line: &[u8]) -> Result<(LedgerId, Entry), LineError> {
    parse_line_with_layout(line, None).map(|(ledger, entry, _)| (ledger.into_owned(), entry))
}

/// [`parse_line`], and, if the line is in the canonical layout, where its
/// `hash` and `sig` members are. Such a line is the canonical writing of
/// the entry it reads to (see [`CanonicalLayout`]; the tests and the
/// fuzzer check it), so it need not be written again to be compared.
/// `known`: the ledger id the line should have (see [`from_wire_known`]).
pub(crate) fn parse_line_with_layout<'k>(
    line: &[u8],
    known: Option<&'k LedgerId>,
) -> Result<(Cow<'k, LedgerId>, Entry, Option<CanonicalLayout>), LineError> {
    if line.len() > limits::MAX_LINE_BYTES {
        return Err(LineError::TooLong { bytes: line.len() });
    }
    // A canonical line is read by the fast reader. With the
    // `json-error-details` feature, anything else is read by serde_json,
    // which names what is wrong in its own words; without it, the fast
    // reader's error says where reading stopped.
    #[cfg(feature = "json-error-details")]
    let (wire, layout) = match fast::entry_with_layout(line) {
        Ok(read) => read,
        Err(_) => (read_with_serde_json(line)?, None),
    };
    #[cfg(not(feature = "json-error-details"))]
    let (wire, layout) = fast::entry_with_layout(line)?;
    let (ledger, entry) = from_wire_known(wire, known)?;
    Ok((ledger, entry, layout))
}

/// [`parse_line`] through serde_json alone, without the fast reader of
/// canonical lines: the reference the fuzzer compares `parse_line` with
/// (they must agree on every input). Slower, and otherwise the same.
#[cfg(all(feature = "json-error-details", any(test, feature = "testing")))]
pub fn parse_line_with_serde_json(line: &[u8]) -> Result<(LedgerId, Entry), LineError> {
    if line.len() > limits::MAX_LINE_BYTES {
        return Err(LineError::TooLong { bytes: line.len() });
    }
    from_wire(read_with_serde_json(line)?)
}

/// Whether the fast reader of canonical lines reads `line` (every
/// canonical line must be: the fuzzer checks it).
#[cfg(any(test, feature = "testing"))]
pub fn read_fast(line: &[u8]) -> bool {
    fast::entry(line).is_ok()
}

/// If `line` is an entry in the canonical layout (which is then not
/// written again to be compared), where its `hash` and `sig` members are.
/// The fuzzer checks that each such line is the canonical writing of what
/// it reads to, with the members where [`Entry::write_canonical`] puts
/// them.
#[cfg(any(test, feature = "testing"))]
pub fn read_as_canonical(line: &[u8]) -> Option<(Range<usize>, Range<usize>)> {
    let (_, _, layout) = parse_line_with_layout(line, None).ok()?;
    layout.map(|layout| (layout.hash, layout.sig))
}

#[cfg(feature = "json-error-details")]
fn read_with_serde_json(line: &[u8]) -> Result<WireEntry<'_>, LineError> {
    serde_json::from_slice(line).map_err(|error| LineError::Json(error.to_string()))
}

/// An entry's members checked and turned into domain types.
#[cfg(any(test, all(feature = "json-error-details", feature = "testing")))]
fn from_wire(wire: WireEntry<'_>) -> Result<(LedgerId, Entry), LineError> {
    from_wire_known(wire, None).map(|(ledger, entry)| (ledger.into_owned(), entry))
}

/// [`from_wire`], with the ledger id the line is expected to have: when it
/// has it, that one comes back (borrowed), instead of a copy of the text.
fn from_wire_known<'k>(
    wire: WireEntry<'_>,
    known: Option<&'k LedgerId>,
) -> Result<(Cow<'k, LedgerId>, Entry), LineError> {
    if wire.v != 1 {
        return Err(LineError::Version(wire.v));
    }
    let ledger = match known {
        Some(known) if known.as_str() == wire.ledger => Cow::Borrowed(known),
        _ => Cow::Owned(field("ledger", wire.ledger.parse::<LedgerId>())?),
    };
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
        body: wire.body.into_body_of(Version::V1)?,
        hash: field("hash", wire.hash.parse())?,
        sig,
    };
    Ok((ledger, entry))
}
