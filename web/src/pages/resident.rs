//! The resident screen: find a resident by code (typed, or a USB scanner
//! that types the code and Enter), then the balance in large type, the
//! history, and the rewards the balance can buy now.

use ledger_core::{Change, ClaimStatus, Entry, Lang, Ledger, RowKind, State, format_local_ts};
use leptos::prelude::*;

use crate::components::CodeForm;
use crate::i18n::t;
use crate::state::{AppLang, AppLedger};

/// How many history entries the screen shows at first.
const HISTORY_PAGE: usize = 20;

/// The resident screen.
#[component]
pub fn ResidentPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger {
        ledger, summary, ..
    } = expect_context::<AppLedger>();
    let query = RwSignal::new(None::<String>);
    // History entries shown; 显示更早的记录 shows more.
    let shown = RwSignal::new(HISTORY_PAGE);
    let found = Callback::new(move |code| {
        shown.set(HISTORY_PAGE);
        query.set(Some(code));
    });
    // In the demo community, a newcomer is given a few codes to try.
    let tries = move || {
        ledger.with(|l| {
            l.as_ref()
                .filter(|l| l.id().as_str() == "demo-community")
                .map(|l| {
                    let codes: Vec<String> = l
                        .state()
                        .residents()
                        .iter()
                        .take(3)
                        .map(|r| r.code.to_string())
                        .collect();
                    view! { <p class="hint">{t(lang.get(), "demo.try")}{codes.join(" · ")}</p> }
                })
        })
    };
    view! {
        <section class="resident">
            <CodeForm found=found />
            {tries}
            {move || {
                query.get().and_then(|resident| {
                    ledger
                        .with(|ledger| {
                            ledger.as_ref().map(|ledger| resident_card(ledger.state(), Some(ledger), &resident, shown, lang.get()))
                        })
                        // A reopen shows the stored snapshot first: the
                        // balance and rewards, the history once replayed.
                        .or_else(|| {
                            summary.with(|s| s.as_ref().map(|s| resident_card(s.state(), None, &resident, shown, lang.get())))
                        })
                })
            }}
        </section>
    }
}

/// The balance, affordable rewards and the newest `shown` entries of one
/// resident's history (with a button for earlier ones), or a clear message
/// for an unknown code. Without the `ledger` (only its state, from a
/// snapshot) the history is not there yet. Most of its length is markup.
pub fn resident_card(
    state: &State,
    ledger: Option<&Ledger>,
    code: &str,
    shown: RwSignal<usize>,
    lang: Lang,
) -> AnyView {
    let Some(record) = state.resident(code) else {
        return view! { <p class="error" role="alert">{t(lang, "resident.unknown")}{code.to_owned()}</p> }.into_any();
    };
    let balance = record.balance;
    let offset = state.utc_offset_minutes();
    let history: Vec<_> = ledger
        .into_iter()
        .flat_map(|ledger| {
            ledger
                .history_page(code, 0, shown.get())
                .into_iter()
                .map(move |entry| (ledger, entry))
        })
        .map(|(ledger, entry)| {
            let (kind, item, points) = describe(ledger, entry, code, lang);
            let reversed = state
                .reversed_by(entry.seq)
                .map(|by| format!(" · {} {by}", t(lang, "reversed_by")));
            let when = format_local_ts(entry.ts_ms, offset);
            let actor = entry.actor.to_string();
            view! {
                <li>
                    <span class="kind">{kind}</span>
                    <span class="item">{item}</span>
                    <span class="points">{points}</span>
                    <span class="meta">{when} " · " {t(lang, "by")} " " {actor} {reversed}</span>
                </li>
            }
        })
        .collect();
    let affordable: Vec<_> = state
        .rewards()
        .iter()
        // Affordable and in stock, as the core's rules say (whoever signs).
        .filter(|reward| {
            reward.active
                && state
                    .quote_redeem(None, &record.code, &reward.id, 1)
                    .verdict
                    .is_ok()
        })
        .map(|reward| {
            let name = reward.name.to_string();
            let cost = reward.cost.to_wire();
            let stock = reward.stock;
            view! { <li><span class="item">{name}</span> <span class="points">{cost}</span> <span class="meta">{t(lang, "stock")} " " {stock}</span></li> }
        })
        .collect();
    let history_loading = ledger.is_none();
    let earlier = ledger.is_some_and(|l| l.history_len(code) > history.len());
    let no_history = history.is_empty() && !history_loading;
    let none_affordable = affordable.is_empty();
    view! {
        <article class="card" aria-label=code.to_owned()>
            <h2>{code.to_owned()} <small>{record.household.to_string()} " · " {record.area.to_string()}</small></h2>
            <p class="balance" aria-live="polite">
                <span class="label">{t(lang, "resident.balance")}</span>
                <span class="value" data-testid="balance">{balance.to_wire()}</span>
                <span class="unit">{t(lang, "resident.points")}</span>
            </p>
            {household_view(state, record, lang)}
            {speak_button(code, balance, lang)}
            {debt_view(record.debt, lang)}
            {suspension_view(state, code, lang)}
            <section>
                <h3>{t(lang, "resident.affordable")}</h3>
                {none_affordable.then(|| view! { <p class="hint">{t(lang, "resident.none_affordable")}</p> })}
                <ul class="rewards">{affordable}</ul>
            </section>
            <section>
                <h3>{t(lang, "resident.history")}</h3>
                {no_history.then(|| view! { <p class="hint">{t(lang, "resident.no_history")}</p> })}
                {history_loading.then(|| view! { <p class="hint" role="status">{t(lang, "resident.history_loading")}</p> })}
                <ol class="history">{history}</ol>
                {earlier.then(|| view! {
                    <button class="more" on:click=move |_| shown.update(|n| *n += HISTORY_PAGE)>
                        {t(lang, "resident.more")}
                    </button>
                })}
            </section>
        </article>
    }
    .into_any()
}

/// Kind, item and signed points of an entry, for one resident's history
/// (the core says what it means).
pub(crate) fn describe(
    ledger: &Ledger,
    entry: &Entry,
    resident: &str,
    lang: Lang,
) -> (&'static str, String, String) {
    let row = ledger.history_row_for(entry, resident);
    let kind = match row.kind {
        RowKind::Earn => t(lang, "kind.earn"),
        RowKind::Redeem => t(lang, "kind.redeem"),
        RowKind::Reverse(_) => t(lang, "kind.reverse"),
        RowKind::Claim(ClaimStatus::Pending) => t(lang, "kind.claim_pending"),
        RowKind::Claim(ClaimStatus::Approved(_)) => t(lang, "kind.claim_approved"),
        RowKind::Claim(ClaimStatus::Rejected(_)) => t(lang, "kind.claim_rejected"),
        RowKind::Approve(_) => t(lang, "kind.approve"),
        RowKind::Reject(_) => t(lang, "kind.reject"),
        RowKind::Deduct(ClaimStatus::Pending) => t(lang, "kind.deduct_pending"),
        RowKind::Deduct(ClaimStatus::Approved(_)) => t(lang, "kind.deduct_approved"),
        RowKind::Deduct(ClaimStatus::Rejected(_)) => t(lang, "kind.deduct_rejected"),
        RowKind::TransferOut => t(lang, "kind.transfer_out"),
        RowKind::TransferIn => t(lang, "kind.transfer_in"),
        RowKind::Other(_) => "",
    };
    let points = match row.change {
        Change::Gain(points) => format!("+{points}"),
        Change::Loss(points) => format!("−{points}"),
        Change::None => String::new(),
    };
    let item = match &row.collector {
        Some(collector) => format!(
            "{}（{} {collector}）",
            row.item,
            t(lang, "kind.collected_by")
        ),
        None => row.item,
    };
    let item = match row.hours {
        Some(half_hours) => format!(
            "{item} {} {}",
            ledger_core::hours_to_wire(half_hours),
            t(lang, "kind.hours")
        ),
        None => item,
    };
    (kind, item, points)
}

/// The household's total beside the resident's own balance (一户一卡):
/// how many live in it and what they have together.
pub(crate) fn household_view(
    state: &State,
    record: &ledger_core::ResidentRecord,
    lang: Lang,
) -> impl IntoView + use<> {
    let (total, members) = state.household_total(record.household.as_str());
    let text = format!(
        "{} {} · {} {} · {} {}",
        t(lang, "resident.household"),
        record.household,
        members,
        t(lang, "resident.people"),
        t(lang, "resident.household_total"),
        total.to_wire()
    );
    view! { <p class="household" data-testid="household-total">{text}</p> }
}

/// A button that reads the balance aloud, where the device can.
fn speak_button(code: &str, balance: ledger_core::Points, lang: Lang) -> Option<impl IntoView> {
    if !crate::components::can_speak() {
        return None;
    }
    let text = match lang {
        Lang::Zh => format!("{code}，当前积分 {} 分", balance.to_wire()),
        Lang::En => format!("{code}: {} points", balance.to_wire()),
    };
    Some(view! {
        <button class="speak" data-testid="speak" on:click=move |_| crate::components::speak(&text, lang)>
            {t(lang, "resident.speak")}
        </button>
    })
}

/// The day an approved deduction's suspension of redeeming ends, if it
/// suspends the resident's redeeming today. Nothing otherwise.
fn suspension_view(state: &State, code: &str, lang: Lang) -> Option<impl IntoView> {
    let today = ledger_core::local_day(crate::api::now_ms(), state.utc_offset_minutes());
    let until = state.suspended_until(code, today)?;
    Some(view! {
        <p class="warning" role="status" data-testid="suspended">
            {t(lang, "resident.suspended")} {ledger_core::format_local_day(until)}
        </p>
    })
}

/// What a resident owes, explained: late (offline) redeems that together
/// took more than the balance, such as two kiosks spending it each while
/// the network was down. Nothing when they owe nothing.
fn debt_view(debt: ledger_core::Points, lang: Lang) -> Option<impl IntoView> {
    if debt.is_zero() {
        return None;
    }
    let text = match lang {
        Lang::Zh => format!(
            "欠 {} 分：离线时的兑换（例如两台自助机在断网时各自兑换）合计超过了当时的余额，差额记为欠分；之后赚到的积分先用来还欠分，再计入余额。",
            debt.to_wire()
        ),
        Lang::En => format!(
            "Owes {} points: redeems made offline (two kiosks each spending while the network was down, say) took more than the balance together; the difference is owed, and points earned from now on pay it back before they count as balance.",
            debt.to_wire()
        ),
    };
    Some(view! { <p class="notice warning debt" data-testid="debt">{text}</p> })
}
