//! The device's clock, and when it looks wrong against the ledger.

use ledger_core::{Lang, Ledger};

/// This device's clock, in ms since the epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// A device clock that looks wrong against the ledger: behind its last
/// entry (new entries then take that entry's time), or so far ahead that
/// writing would push every later entry's time forward with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockProblem {
    /// The clock is this many minutes before the last entry.
    Behind(u64),
    /// The clock is this many days after the last entry.
    Ahead(u64),
}

/// Minutes a clock may run behind the last entry (another device's clock
/// may be a little ahead) before it is reported.
const CLOCK_BEHIND_MINUTES: u64 = 5;

/// Days after the last entry from which a clock is reported as perhaps
/// ahead (a ledger can be quiet for weeks, hardly for months).
const CLOCK_AHEAD_DAYS: u64 = 60;

/// Whether this device's clock (`now_ms`) looks wrong for writing onto
/// `ledger`.
pub fn clock_problem(ledger: &Ledger, now_ms: u64) -> Option<ClockProblem> {
    let last = ledger.last_ts_ms();
    let behind = last.saturating_sub(now_ms) / 60_000;
    let ahead = now_ms.saturating_sub(last) / 86_400_000;
    if behind >= CLOCK_BEHIND_MINUTES {
        Some(ClockProblem::Behind(behind))
    } else if ahead >= CLOCK_AHEAD_DAYS {
        Some(ClockProblem::Ahead(ahead))
    } else {
        None
    }
}

impl ClockProblem {
    /// The warning in `lang`.
    pub fn message(self, lang: Lang) -> String {
        match (self, lang) {
            (ClockProblem::Behind(minutes), Lang::Zh) => format!(
                "本机时钟比账本最后一条记录早 {minutes} 分钟：新记录将使用最后一条记录的时间。请校准本机时钟。"
            ),
            (ClockProblem::Behind(minutes), Lang::En) => format!(
                "this device's clock is {minutes} minutes behind the ledger's last entry: new entries will carry that entry's time. Please set the clock right."
            ),
            (ClockProblem::Ahead(days), Lang::Zh) => format!(
                "本机时钟比账本最后一条记录晚 {days} 天。如果时钟不对，请先校准再写入：记录一旦写入，以后所有记录的时间都不能早于它。"
            ),
            (ClockProblem::Ahead(days), Lang::En) => format!(
                "this device's clock is {days} days after the ledger's last entry. If the clock is wrong, set it right before writing: once an entry is written, no later entry may carry an earlier time."
            ),
        }
    }
}
