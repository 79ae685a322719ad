//! Bounds on every input that grows. Each one is checked with a clear error
//! where the value enters (parsing a line, or building an entry to append),
//! and documented in the book's wire-format chapter.

/// Longest accepted line of a ledger file, in bytes, without the newline.
/// A real entry is 300–600 bytes; the bound keeps a hostile file from making
/// a reader buffer gigabytes before it can refuse the line.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// Most entries one ledger may hold: enough for a city district over many
/// years, small enough that every index fits in `u32`.
pub const MAX_ENTRIES: u64 = 50_000_000;

/// Longest identifier (actor id, resident code, activity or reward id, ledger
/// id), in bytes. Identifiers are ASCII: letters, digits, `-`, `_`, `.`.
pub const MAX_ID_BYTES: usize = 32;

/// Longest `request_id` of a redeem, in bytes (ASCII, same alphabet as ids
/// plus `:`), so a kiosk can use a UUID or `kiosk-1:000123`.
pub const MAX_REQUEST_ID_BYTES: usize = 64;

/// Longest display name (community, activity, reward), in bytes of UTF-8:
/// 40 Chinese characters.
pub const MAX_NAME_BYTES: usize = 120;

/// Longest free text (an earn's note, a reversal's reason, a stock note), in
/// bytes of UTF-8: 100 Chinese characters.
pub const MAX_TEXT_BYTES: usize = 300;

/// Largest number of points one entry may carry (an earn, a redeem's total,
/// an activity's points or daily cap, a reward's cost).
pub const MAX_POINTS_PER_ENTRY: i64 = 1_000_000;

/// Decimal places allowed in a points value.
pub const POINTS_DECIMAL_PLACES: u32 = 2;

/// Most items in one redeem.
pub const MAX_QTY: u32 = 1_000;

/// Most hours one earn of an activity counted in hours may say.
pub const MAX_HOURS_PER_ENTRY: u32 = 24;

/// Most local days one penalty may suspend redeeming for (about a year).
pub const MAX_SUSPEND_DAYS: u32 = 366;

/// Largest stock of one reward, and largest single stock change.
pub const MAX_STOCK: i64 = 1_000_000;

/// Most registered actors (admins, officers, kiosks).
pub const MAX_ACTORS: usize = 10_000;

/// Most registered residents.
pub const MAX_RESIDENTS: usize = 2_000_000;

/// Most defined activities.
pub const MAX_ACTIVITIES: usize = 1_000;

/// Most defined rewards.
pub const MAX_REWARDS: usize = 10_000;

/// Largest timestamp, in milliseconds since the epoch: the largest integer
/// that every JSON reader represents exactly (2^53 − 1).
pub const MAX_TS_MS: u64 = (1 << 53) - 1;

/// Smallest and largest UTC offset of a ledger's local day, in minutes.
pub const UTC_OFFSET_MINUTES_RANGE: core::ops::RangeInclusive<i32> = -720..=840;
