//! The public notice (公示) of a month or a quarter, on the audit screen
//! of an office's device: what `jifen notice` prints, from this device's
//! verified copy, with the checkpoint it stands on, laid out for an A4
//! sheet on the notice board. Anyone recomputes it from the log.

use ledger_core::notice::{Notice, NoticeKind, Period};
use ledger_core::{Lang, Points, format_local_ts};
use leptos::prelude::*;

use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// The month before the ledger's last entry: the notice an office prints
/// at the start of a month.
pub(crate) fn last_month(ledger: &ledger_core::Ledger) -> String {
    let last = ledger.entries().last().map_or(0, |e| e.ts_ms);
    let today = format_local_ts(last, ledger.state().utc_offset_minutes());
    let (year, month) = (
        today
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or(2026),
        today
            .get(5..7)
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(1),
    );
    match month {
        1 => format!("{}-12", year - 1),
        m => format!("{year}-{:02}", m - 1),
    }
}

/// Where a page of `size` entries stands: the log's root at that size and
/// whether the stored signed checkpoint covers it, or the size alone.
pub(crate) fn standing_at(state: AppLedger, size: u64, lang: Lang) -> String {
    state.log.with(|log| {
        let log = log.as_ref().map(|log| {
            let root = log.parts.tree().root_at(size).unwrap_or_default();
            (
                log.checkpoint.origin.clone(),
                ledger_core::tlog::base64_encode(&root),
                log.checkpoint.size >= size,
            )
        });
        let log = log
            .as_ref()
            .map(|(origin, root, covered)| (origin.as_str(), root.as_str(), *covered));
        ledger_core::notice::standing(size, lang, log)
    })
}

/// The notice card: the period, the page, and its print button.
#[component]
pub fn NoticeCard() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let state = expect_context::<AppLedger>();
    let ledger = state.ledger;
    let period =
        RwSignal::new(ledger.with_untracked(|l| l.as_ref().map(last_month).unwrap_or_default()));
    let notice = move || {
        let period = Period::parse(period.get().trim())?;
        ledger.with(|l| l.as_ref().map(|l| l.notice(period)))
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <section class="card notice-card">
            <h2>{tr(lang, "notice.title")}</h2>
            <div class="row">
                <label for="notice-period">{tr(lang, "notice.period")}</label>
                <input id="notice-period" prop:value=move || period.get() on:input=move |e| period.set(event_target_value(&e)) />
                <button on:click=print>{tr(lang, "notice.print")}</button>
            </div>
            {move || match notice() {
                None => view! { <p class="error" role="alert">{t(lang.get(), "notice.bad_period")}</p> }.into_any(),
                Some(notice) => notice_page(state, &notice, lang.get()).into_any(),
            }}
        </section>
    }
}

/// The page itself: head, 红榜, totals by household, every row. Long
/// because it is the sheet, top to bottom.
fn notice_page(state: AppLedger, notice: &Notice, lang: Lang) -> impl IntoView {
    let title = match lang {
        Lang::Zh => format!("{} {} 积分公示", notice.community, notice.period.label()),
        Lang::En => format!(
            "{}: public notice of points, {}",
            notice.community,
            notice.period.label()
        ),
    };
    let total = notice
        .rows
        .iter()
        .fold(Points::ZERO, |s, r| s.plus(r.points));
    let summary = match lang {
        Lang::Zh => format!(
            "记录 {} 条 · 居民 {} 位 · 合计 {} 分",
            notice.rows.len(),
            notice.residents.len(),
            total.to_wire()
        ),
        Lang::En => format!(
            "{} rows · {} residents · {} points in all",
            notice.rows.len(),
            notice.residents.len(),
            total.to_wire()
        ),
    };
    let offset = notice.utc_offset_minutes;
    let top = notice.top.iter().enumerate().map(|(i, t)| view! {
        <tr><td class="num">{i + 1}</td><td>{t.who.clone()}</td><td class="num">{t.points.to_wire()}</td></tr>
    }).collect_view();
    let black = notice.black.iter().enumerate().map(|(i, t)| view! {
        <tr><td class="num">{i + 1}</td><td>{t.who.clone()}</td><td class="num">{t.points.to_wire()}</td></tr>
    }).collect_view();
    let households = notice
        .households
        .iter()
        .map(|h| {
            view! {
                <tr><td>{h.who.clone()}</td><td class="num">{h.points.to_wire()}</td></tr>
            }
        })
        .collect_view();
    let rows = notice
        .rows
        .iter()
        .map(|r| {
            let kind = match r.kind {
                NoticeKind::Award => t(lang, "notice.award"),
                NoticeKind::Reversal => t(lang, "notice.reversal"),
                NoticeKind::Deduction => t(lang, "notice.deduction"),
            };
            let note = match r.suspended_until {
                Some(day) => format!(
                    "{}{}{}",
                    r.reason,
                    t(lang, "notice.suspended_until"),
                    ledger_core::format_local_day(day)
                ),
                None => r.reason.clone(),
            };
            view! {
                <tr>
                    <td class="num">{r.seq.0}</td>
                    <td>{format_local_ts(r.ts_ms, offset)}</td>
                    <td>{kind}</td>
                    <td>{r.resident.clone()}</td>
                    <td>{r.household.clone()}</td>
                    <td>{r.activity.clone()}</td>
                    <td class="num">{r.points.to_wire()}</td>
                    <td>{note}</td>
                </tr>
            }
        })
        .collect_view();
    let head = |keys: &[&'static str]| {
        keys.iter()
            .map(|key| view! { <th>{t(lang, key)}</th> })
            .collect_view()
    };
    view! {
        <article class="notice-page" data-testid="notice" data-rows=notice.rows.len().to_string()>
            <h3>{title}</h3>
            {(!notice.closed).then(|| view! { <p class="warning">{t(lang, "notice.open")}</p> })}
            <p class="standing">{standing_at(state, notice.size, lang)}</p>
            <p>{summary}</p>
            <h4>{t(lang, "notice.top")}</h4>
            <table class="notice-top"><thead><tr>{head(&["notice.rank", "notice.resident", "notice.points"])}</tr></thead><tbody>{top}</tbody></table>
            {(!notice.black.is_empty()).then(|| view! {
                <h4>{t(lang, "notice.black")}</h4>
                <table class="notice-black" data-testid="notice-black"><thead><tr>{head(&["notice.rank", "notice.resident", "notice.deducted"])}</tr></thead><tbody>{black}</tbody></table>
            })}
            <h4>{t(lang, "notice.households")}</h4>
            <table class="notice-households"><thead><tr>{head(&["notice.household", "notice.points"])}</tr></thead><tbody>{households}</tbody></table>
            <h4>{t(lang, "notice.rows")}</h4>
            <table class="notice-rows">
                <thead><tr>{head(&["notice.entry", "notice.time", "notice.kind", "notice.resident", "notice.household", "notice.activity", "notice.points", "notice.note"])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="hint">{t(lang, "notice.recompute")}</p>
        </article>
    }
}
