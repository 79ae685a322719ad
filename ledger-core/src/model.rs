//! Value types parsed once at the boundary: identifiers, points, sequence
//! numbers and hashes. Inside the crate nothing is re-validated.

use core::fmt;
use core::str::FromStr;

use crate::hex;
use crate::lang::{Lang, say};
use crate::limits;

/// Why one field's value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// Too short or too long, in bytes.
    Length {
        /// Fewest bytes allowed.
        min: usize,
        /// Most bytes allowed.
        max: usize,
    },
    /// An identifier with a character other than ASCII letters, digits, `-`, `_`, `.`.
    IdCharacters,
    /// Text with a control character (newline, tab, NUL …).
    ControlCharacter,
    /// Not lowercase hex of this many bytes.
    NotLowercaseHex {
        /// Expected number of bytes.
        bytes: usize,
    },
    /// Not a canonical points value (`5`, `2.5`; at most 2 decimals).
    NotPoints,
    /// More points than one entry may carry.
    PointsTooLarge,
    /// Zero where a positive amount is needed.
    ZeroPoints,
    /// Not `admin`, `officer`, `kiosk` or (v2 only) `reviewer`.
    NotARole,
    /// Not `SEQ:HASH`.
    NotAHead,
    /// An integer outside its range.
    OutOfRange {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// 32 bytes that are not an Ed25519 public key.
    NotAPublicKey,
    /// Not a month (`2026-11`) or a quarter (`2026-Q4`).
    NotAPeriod,
    /// Not hours in half-hour steps (`1`, `1.5`), from half an hour to a day.
    NotHours,
}

impl FieldProblem {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FieldProblem::Length { min, max } => {
                say!(
                    lang,
                    "长度须为 {} 到 {} 字节",
                    "must be {} to {} bytes long",
                    min,
                    max
                )
            }
            FieldProblem::IdCharacters => say!(
                lang,
                "只能含英文字母、数字和 - _ .",
                "may only contain ASCII letters, digits, '-', '_' and '.'"
            ),
            FieldProblem::ControlCharacter => {
                say!(
                    lang,
                    "不能含换行等控制字符",
                    "must not contain control characters"
                )
            }
            FieldProblem::NotLowercaseHex { bytes } => say!(
                lang,
                "须为 {} 字节的小写十六进制",
                "must be {} bytes of lowercase hex",
                bytes
            ),
            FieldProblem::NotPoints => say!(
                lang,
                "不是有效的积分数（如 5 或 2.5，最多两位小数）",
                "is not a points value (like 5 or 2.5, at most two decimals)"
            ),
            FieldProblem::PointsTooLarge => say!(
                lang,
                "超过单条上限 {} 分",
                "exceeds the per-entry limit of {} points",
                crate::limits::MAX_POINTS_PER_ENTRY
            ),
            FieldProblem::ZeroPoints => say!(lang, "须大于 0", "must be more than 0"),
            FieldProblem::NotARole => say!(
                lang,
                "须为 admin、officer、kiosk 或 reviewer（审核员，仅用于 v2 日志）",
                "must be admin, officer, kiosk or reviewer (v2 logs only)"
            ),
            FieldProblem::NotAPeriod => say!(
                lang,
                "须为月份（如 2026-11）、季度（如 2026-Q4）或年份（如 2026）",
                "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)"
            ),
            FieldProblem::NotHours => say!(
                lang,
                "须为以半小时为单位的时长（如 1、1.5），最长 24 小时",
                "must be hours in half-hour steps (1, 1.5), at most 24"
            ),
            FieldProblem::NotAHead => say!(
                lang,
                "须为「序号:哈希」，如 42:3f…（64 位十六进制）",
                "must be SEQ:HASH, like 42:3f… (64 hex digits)"
            ),
            FieldProblem::OutOfRange { min, max } => {
                say!(
                    lang,
                    "须在 {} 到 {} 之间",
                    "must be between {} and {}",
                    min,
                    max
                )
            }
            FieldProblem::NotAPublicKey => {
                say!(
                    lang,
                    "不是有效的 Ed25519 公钥",
                    "is not an Ed25519 public key"
                )
            }
        }
    }
}

/// Position of an entry in its ledger: 0, 1, 2 … without gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// SHA-256 of an entry's canonical form; also the `prev` link of the next.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryHash(pub [u8; 32]);

impl EntryHash {
    /// The `prev` of the genesis entry: 64 zeros.
    pub const ZERO: EntryHash = EntryHash([0; 32]);

    /// Lowercase hex, as on the wire.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// The first 12 hex digits, for receipts and screens.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..6])
    }
}

impl FromStr for EntryHash {
    type Err = FieldProblem;
    fn from_str(text: &str) -> Result<Self, FieldProblem> {
        hex::decode::<32>(text)
            .map(EntryHash)
            .ok_or(FieldProblem::NotLowercaseHex { bytes: 32 })
    }
}

impl fmt::Debug for EntryHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryHash({})", self.to_hex())
    }
}

impl fmt::Display for EntryHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A published head: the last entry's `seq` and `hash`, as printed on the
/// notice board. Written `SEQ:HASH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The entry's position.
    pub seq: Seq,
    /// The entry's hash.
    pub hash: EntryHash,
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl FromStr for Head {
    type Err = FieldProblem;
    fn from_str(text: &str) -> Result<Self, FieldProblem> {
        let (seq, hash) = text.split_once(':').ok_or(FieldProblem::NotAHead)?;
        let seq: u64 = seq.parse().map_err(|_| FieldProblem::NotAHead)?;
        Ok(Head {
            seq: Seq(seq),
            hash: hash.parse()?,
        })
    }
}

/// The bytes every identifier may hold: ASCII letters and digits, `-`,
/// `_` and `.` (a table: one look-up per byte).
const ID_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        byte += 1;
    }
    table
};

fn check_id(text: &str, max_bytes: usize, extra: &[u8]) -> Result<(), FieldProblem> {
    if text.is_empty() || text.len() > max_bytes {
        return Err(FieldProblem::Length {
            min: 1,
            max: max_bytes,
        });
    }
    let allowed = |byte: u8| ID_BYTES[usize::from(byte)] || extra.contains(&byte);
    if text.bytes().all(allowed) {
        Ok(())
    } else {
        Err(FieldProblem::IdCharacters)
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, $extra:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = FieldProblem;
            fn from_str(text: &str) -> Result<Self, FieldProblem> {
                check_id(text, $max, $extra)?;
                Ok($name(text.into()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Maps keyed by the id can be searched with a plain `&str`: the
        // derived `Hash` and `Eq` are those of the text itself.
        impl core::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// The ledger's id, the same on every entry (`jx-2026`).
    LedgerId, limits::MAX_ID_BYTES, b""
);
id_type!(
    /// An actor: an admin, officer or kiosk that signs entries (`officer-1`).
    ActorId, limits::MAX_ID_BYTES, b""
);
id_type!(
    /// A resident's code (`JX-0001`). Residents never sign and no personal
    /// data enters the ledger: only this code, a household and an area.
    ResidentCode, limits::MAX_ID_BYTES, b""
);
id_type!(
    /// An activity that earns points (`garbage_sorting`).
    ActivityId, limits::MAX_ID_BYTES, b""
);
id_type!(
    /// A reward in the shop (`rice-5kg`).
    RewardId, limits::MAX_ID_BYTES, b""
);
id_type!(
    /// A household (`3-2-501`) or a service area (`A03`).
    PlaceCode, limits::MAX_ID_BYTES, b""
);
id_type!(
    /// A redeem's idempotency key, chosen by the kiosk.
    RequestId, limits::MAX_REQUEST_ID_BYTES, b":"
);

/// Human text: a name, a note or a reason. UTF-8 without control characters,
/// bounded in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(Box<str>);

impl Text {
    /// Checks `text` against a byte bound; `allow_empty` is for notes.
    pub fn parse(text: &str, max_bytes: usize, allow_empty: bool) -> Result<Text, FieldProblem> {
        let min = usize::from(!allow_empty);
        if text.len() < min || text.len() > max_bytes {
            return Err(FieldProblem::Length {
                min,
                max: max_bytes,
            });
        }
        if text.chars().any(char::is_control) {
            return Err(FieldProblem::ControlCharacter);
        }
        Ok(Text(text.into()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount of points: non-negative, at most two decimal places, at most
/// [`limits::MAX_POINTS_PER_ENTRY`] in one entry. Balances are sums of these
/// and use the same type. Kept as a whole number of hundredths: adding and
/// comparing are plain integer operations (in WebAssembly, a decimal type's
/// 96-bit arithmetic costs calls to 128-bit helpers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(i64);

/// Hundredths in a point.
const HUNDREDTHS: i64 = 100;

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// Whole points, for code that builds entries (the demo, tests).
    pub fn whole(points: u32) -> Points {
        Points(i64::from(points) * HUNDREDTHS)
    }

    /// The amount in hundredths of a point (`2.5` is 250).
    pub fn hundredths(self) -> i64 {
        self.0
    }

    /// Parses the wire spelling: digits, an optional `.` and one or two
    /// digits that do not end in 0; no sign, exponent or leading zeros.
    /// `0` is a valid spelling; whether zero is allowed is the caller's rule.
    pub fn parse_wire(text: &str) -> Result<Points, FieldProblem> {
        let problem = FieldProblem::NotPoints;
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let whole_ok = !whole.is_empty()
            && whole.len() <= 7
            && whole.bytes().all(|b| b.is_ascii_digit())
            && (whole == "0" || !whole.starts_with('0'));
        let fraction_ok = match fraction {
            None => true,
            Some(digits) => {
                !digits.is_empty()
                    && digits.len() <= limits::POINTS_DECIMAL_PLACES as usize
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && !digits.ends_with('0')
            }
        };
        if !whole_ok || !fraction_ok {
            return Err(problem);
        }
        // At most seven digits, then at most two: no overflow.
        let digits = |text: &str| {
            text.bytes()
                .fold(0i64, |n, digit| n * 10 + i64::from(digit - b'0'))
        };
        let hundredths = match fraction.unwrap_or("") {
            "" => 0,
            tenths if tenths.len() == 1 => digits(tenths) * 10,
            both => digits(both),
        };
        let value = digits(whole) * HUNDREDTHS + hundredths;
        if value > limits::MAX_POINTS_PER_ENTRY * HUNDREDTHS {
            return Err(FieldProblem::PointsTooLarge);
        }
        Ok(Points(value))
    }

    /// Parses what a person types (`5`, `2.50`, ` 3 `, `05`, `.5`, `+5`,
    /// `2.`) into points, with the same bounds as the wire: digits with
    /// an optional `+` before them and `.` among them, of which at most two
    /// after the `.` are not trailing zeros.
    pub fn parse_input(text: &str) -> Result<Points, FieldProblem> {
        let text = text.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(FieldProblem::NotPoints);
        }
        let whole = whole.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        if fraction.is_empty() {
            Self::parse_wire(whole)
        } else {
            Self::parse_wire(&format!("{whole}.{fraction}"))
        }
    }

    /// The canonical spelling: `5`, `2.5`, `0.25`.
    pub fn to_wire(self) -> String {
        let mut out = Vec::with_capacity(12);
        self.write_wire(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the canonical spelling to `out`, without allocating.
    pub fn write_wire(self, out: &mut Vec<u8>) {
        if self.0 < 0 {
            out.push(b'-');
        }
        let magnitude = u128::from(self.0.unsigned_abs());
        push_digits(out, magnitude / 100, 1);
        // The hundredths without trailing zeros: `2.5`, `2.05`, `2`.
        match magnitude % 100 {
            0 => {}
            tenths if tenths % 10 == 0 => {
                out.push(b'.');
                push_digits(out, tenths / 10, 1);
            }
            hundredths => {
                out.push(b'.');
                push_digits(out, hundredths, 2);
            }
        }
    }

    /// The exact value as (mantissa, scale), without trailing zeros, for
    /// snapshots: `2.5` is (25, 1).
    pub(crate) fn to_parts(self) -> (i128, u32) {
        let mut mantissa = i128::from(self.0);
        let mut scale = limits::POINTS_DECIMAL_PLACES;
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        (mantissa, scale)
    }

    /// Back from [`Points::to_parts`] (any scale up to two, trailing zeros
    /// or not); `None` for a negative amount, beyond two decimal places, or
    /// too large for the type.
    pub(crate) fn from_parts(mantissa: i128, scale: u32) -> Option<Points> {
        if scale > limits::POINTS_DECIMAL_PLACES || mantissa < 0 {
            return None;
        }
        let factor = 10i128.pow(limits::POINTS_DECIMAL_PLACES - scale);
        let hundredths = mantissa.checked_mul(factor)?;
        i64::try_from(hundredths).ok().map(Points)
    }

    /// `self + other`. Sums of bounded amounts stay far inside the type
    /// (50 million entries of a million points are 5 × 10^15 hundredths);
    /// past it, the sum stops at the largest value rather than wrapping.
    pub fn plus(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }

    /// `self − other`, or `None` when that would be negative.
    pub fn minus(self, other: Points) -> Option<Points> {
        (self.0 >= other.0).then(|| Points(self.0 - other.0))
    }

    /// `−self`: an amount taken back (a reversal on a public notice).
    pub fn negated(self) -> Points {
        Points(self.0.saturating_neg())
    }

    /// `self × half_hours / 2`: points per hour over half-hours, to the
    /// hundredth below.
    pub fn per_half_hours(self, half_hours: u32) -> Points {
        Points(self.0.saturating_mul(i64::from(half_hours)) / 2)
    }

    /// `self × qty`.
    pub fn times(self, qty: u32) -> Points {
        Points(self.0.saturating_mul(i64::from(qty)))
    }

    /// Whether this is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

/// Appends `value` in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut Vec<u8>, mut value: u128, width: usize) {
    let mut digits = [0u8; 40];
    let mut start = digits.len();
    while value > 0 || digits.len() - start < width {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend_from_slice(&digits[start..]);
}

/// What an actor may do. Residents are not actors: they never sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Registers actors and residents, defines activities and rewards.
    Admin,
    /// Records activities (earn), redeems at a counter, reverses mistakes.
    Officer,
    /// Redeems rewards at the service station.
    Kiosk,
    /// Approves or rejects the awards that need review (v2 only): the
    /// volunteers and resident leaders of a review group.
    Reviewer,
}

impl Role {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Kiosk => "kiosk",
            Role::Reviewer => "reviewer",
        }
    }
}

impl FromStr for Role {
    type Err = FieldProblem;
    fn from_str(text: &str) -> Result<Role, FieldProblem> {
        match text {
            "admin" => Ok(Role::Admin),
            "officer" => Ok(Role::Officer),
            "kiosk" => Ok(Role::Kiosk),
            "reviewer" => Ok(Role::Reviewer),
            _ => Err(FieldProblem::NotARole),
        }
    }
}

/// The local day number of a timestamp in a ledger's UTC offset; the daily
/// cap counts within one such day.
pub fn local_day(ts_ms: u64, utc_offset_minutes: i32) -> i64 {
    let local_ms =
        i64::try_from(ts_ms).unwrap_or(i64::MAX) + i64::from(utc_offset_minutes) * 60_000;
    local_ms.div_euclid(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_spellings() {
        for good in ["0", "5", "2.5", "0.25", "1000000", "999999.99"] {
            assert_eq!(
                Points::parse_wire(good).map(Points::to_wire),
                Ok(good.to_owned())
            );
        }
        for bad in [
            "",
            "05",
            "2.50",
            "2.",
            ".5",
            "+5",
            "-5",
            "1e3",
            "0.125",
            " 5",
            "1000000.01",
            "５",
            "12345678",
        ] {
            assert!(Points::parse_wire(bad).is_err(), "{bad:?} was accepted");
        }
        let typed = |text: &str| Points::parse_input(text).map(Points::to_wire);
        assert_eq!(typed(" 2.50 "), Ok("2.5".into()));
        assert_eq!(typed("05"), Ok("5".into()));
        assert_eq!(typed("0.250"), Ok("0.25".into()));
        assert_eq!(typed("7.00"), Ok("7".into()));
        assert_eq!(typed("1000000"), Ok("1000000".into()));
        assert_eq!(typed(".5"), Ok("0.5".into()));
        assert_eq!(typed("+5"), Ok("5".into()));
        assert_eq!(typed("2."), Ok("2".into()));
        assert_eq!(typed("1000000.01"), Err(FieldProblem::PointsTooLarge));
        for bad in [
            "-1", "-0", "", " ", ".", "+", "++1", "2.555", "1e3", "1_000", "1.2.3", "12345678",
            "五",
        ] {
            assert!(Points::parse_input(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn points_add_up_exactly() {
        let wire = |text: &str| Points::parse_wire(text).unwrap_or(Points::ZERO);
        assert_eq!(wire("0.1").plus(wire("0.2")), wire("0.3"));
        assert_eq!(wire("2.5").times(3), wire("7.5"));
        assert_eq!(wire("2.5").hundredths(), 250);
        assert_eq!(wire("5").minus(wire("5.01")), None);
        assert_eq!(wire("5").minus(wire("0.01")), Some(wire("4.99")));
        assert_eq!(Points::whole(3), wire("3"));
        for text in ["0", "5", "2.5", "0.25", "1000000", "999999.99"] {
            let (mantissa, scale) = wire(text).to_parts();
            assert_eq!(Points::from_parts(mantissa, scale), Some(wire(text)));
        }
        // Every amount's spelling reads back as that amount, and spellings
        // sort as the amounts do.
        let mut previous = None;
        for hundredths in (0..=20_000).chain([99_999_999, 100_000_000]) {
            let points = Points(hundredths);
            let text = points.to_wire();
            assert_eq!(Points::parse_wire(&text), Ok(points), "{text}");
            assert_eq!(Points::parse_input(&format!(" {text} ")), Ok(points));
            assert!(previous < Some(points));
            previous = Some(points);
        }
        assert_eq!(
            Points::parse_wire(&Points(100_000_001).to_wire()),
            Err(FieldProblem::PointsTooLarge)
        );
        // Trailing zeros, as a decimal type wrote them, read the same.
        assert_eq!(Points::from_parts(250, 2), Some(wire("2.5")));
        assert_eq!(Points::from_parts(5, 0), Some(wire("5")));
        assert_eq!(Points::from_parts(-1, 0), None);
        assert_eq!(Points::from_parts(1, 3), None);
        assert_eq!(Points::from_parts(i128::MAX, 0), None);
    }

    #[test]
    fn ids_and_heads() {
        assert!("JX-0001".parse::<ResidentCode>().is_ok());
        assert!("JX 0001".parse::<ResidentCode>().is_err());
        assert!("".parse::<ResidentCode>().is_err());
        assert!("a".repeat(33).parse::<ActorId>().is_err());
        assert!("kiosk-1:42".parse::<RequestId>().is_ok());
        let head: Head = format!("7:{}", "ab".repeat(32)).parse().unwrap_or(Head {
            seq: Seq(0),
            hash: EntryHash::ZERO,
        });
        assert_eq!(head.seq, Seq(7));
        assert!("7".parse::<Head>().is_err());
        assert!(format!("x:{}", "ab".repeat(32)).parse::<Head>().is_err());
    }

    #[test]
    fn local_day_uses_the_offset() {
        // 2026-01-01T15:59:59.999Z is 23:59:59.999 local time in +08:00; one
        // millisecond later is the next local day there, but not in UTC.
        let before_midnight = 1_767_283_199_999u64;
        assert_eq!(
            local_day(before_midnight, 480) + 1,
            local_day(before_midnight + 1, 480)
        );
        assert_eq!(
            local_day(before_midnight, 0),
            local_day(before_midnight + 1, 0)
        );
    }
}

/// `YYYY-MM-DD HH:MM` of a timestamp in a ledger's local time, for tables,
/// receipts and screens. Pure arithmetic (the proleptic Gregorian
/// calendar), so the core needs no clock or time-zone database.
pub fn format_local_ts(ts_ms: u64, utc_offset_minutes: i32) -> String {
    let local_ms =
        i64::try_from(ts_ms).unwrap_or(i64::MAX) + i64::from(utc_offset_minutes) * 60_000;
    let minute_of_day = local_ms.rem_euclid(86_400_000) / 60_000;
    format!(
        "{} {:02}:{:02}",
        format_local_day(local_ms.div_euclid(86_400_000)),
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// `YYYY-MM-DD` of a local day (days since 1970-01-01, as [`local_day`]
/// counts them).
pub fn format_local_day(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The local month of a local day, counted from year 0 (`year × 12 +
/// month − 1`): what a monthly limit counts in.
pub fn local_month(days: i64) -> i64 {
    let (year, month, _) = civil_from_days(days);
    year * 12 + month - 1
}

/// Year, month and day of days since 1970-01-01 (Howard Hinnant's
/// days-to-civil algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.clamp(-1 << 40, 1 << 40) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn formats_local_time() {
        assert_eq!(
            super::format_local_ts(1_767_196_800_000, 480),
            "2026-01-01 00:00"
        );
        assert_eq!(
            super::format_local_ts(1_767_196_800_000, 0),
            "2025-12-31 16:00"
        );
        assert_eq!(super::format_local_ts(0, 0), "1970-01-01 00:00");
        assert_eq!(
            super::format_local_ts(951_782_400_000, 0),
            "2000-02-29 00:00"
        );
    }
}
