//! A resident's passbook page (积分存折) for a period, on an office's or a
//! kiosk's device: what `jifen passbook` prints, from this device's
//! verified copy, laid out for an A5 sheet that an elderly resident keeps,
//! with a QR code of the receipt of the page's last entry, which any phone
//! checks against the log.

use ledger_core::notice::Period;
use ledger_core::{Lang, Ledger, Passbook, Points, format_local_ts};
use leptos::prelude::*;

use crate::api;
use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// A balance as the page writes it: below zero, what the resident owes.
fn balance_text(points: Points, lang: Lang) -> String {
    if points < Points::ZERO {
        format!("{} ({})", points.to_wire(), t(lang, "passbook.owed"))
    } else {
        points.to_wire()
    }
}

/// The passbook card: a resident, a period, the page when asked for, and
/// its print button.
#[component]
pub fn PassbookCard() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let state = expect_context::<AppLedger>();
    let ledger = state.ledger;
    let code = RwSignal::new(String::new());
    let period = RwSignal::new(ledger.with_untracked(|l| {
        l.as_ref()
            .map(super::notice::last_month)
            .unwrap_or_default()
    }));
    let open = RwSignal::new(false);
    let page = move || -> Result<AnyView, &'static str> {
        let period = Period::parse(period.get().trim()).ok_or("notice.bad_period")?;
        let typed = code.get();
        let typed = typed.trim();
        ledger.with(|l| {
            let l = l.as_ref().ok_or("resident.unknown")?;
            let page = l.passbook(typed, period).ok_or("resident.unknown")?;
            Ok(passbook_page(state, l, typed, period, &page, lang.get()))
        })
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <section class="card passbook-card">
            <h2>{tr(lang, "passbook.title")}</h2>
            <div class="row wrap">
                <label for="passbook-code">{tr(lang, "passbook.resident")}</label>
                <input id="passbook-code" autocomplete="off" prop:value=move || code.get() on:input=move |e| code.set(event_target_value(&e)) />
                <label for="passbook-period">{tr(lang, "passbook.period")}</label>
                <input id="passbook-period" prop:value=move || period.get() on:input=move |e| period.set(event_target_value(&e)) />
                <button aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>{tr(lang, "passbook.show")}</button>
                {move || open.get().then(|| view! { <button on:click=print>{tr(lang, "passbook.print")}</button> })}
            </div>
            {move || open.get().then(|| match page() {
                Ok(page) => page.into_any(),
                Err(key) if key == "resident.unknown" => view! {
                    <p class="error" role="alert">{t(lang.get(), key)}{code.get()}</p>
                }.into_any(),
                Err(key) => view! { <p class="error" role="alert">{t(lang.get(), key)}</p> }.into_any(),
            })}
        </section>
    }
}

/// The page itself: who, the balance brought forward, every entry with the
/// balance after it, the balance carried forward, where it stands in the
/// log, and the QR code. Long because it is the sheet, top to bottom.
fn passbook_page(
    state: AppLedger,
    ledger: &Ledger,
    code: &str,
    period: Period,
    page: &Passbook,
    lang: Lang,
) -> AnyView {
    let record = ledger.state().resident(code);
    let who = match lang {
        Lang::Zh => format!(
            "居民 {code} · 户 {} · 楼栋 {}",
            record.map(|r| r.household.to_string()).unwrap_or_default(),
            record.map(|r| r.area.to_string()).unwrap_or_default()
        ),
        Lang::En => format!(
            "resident {code} · household {} · building {}",
            record.map(|r| r.household.to_string()).unwrap_or_default(),
            record.map(|r| r.area.to_string()).unwrap_or_default()
        ),
    };
    let title = match lang {
        Lang::Zh => format!("{} {} 积分存折", ledger.name(), period.label()),
        Lang::En => format!("{}: passbook, {}", ledger.name(), period.label()),
    };
    let offset = ledger.utc_offset_minutes();
    let rows = page
        .lines
        .iter()
        .filter_map(|line| {
            let entry = ledger.entry(line.seq)?;
            let (kind, item, points) = super::resident::describe(ledger, entry, code, lang);
            Some(view! {
                <tr>
                    <td class="num">{line.seq.0}</td>
                    <td>{format_local_ts(line.ts_ms, offset)}</td>
                    <td>{kind}</td>
                    <td>{item}</td>
                    <td class="num">{points}</td>
                    <td class="num">{balance_text(line.balance, lang)}</td>
                </tr>
            })
        })
        .collect_view();
    let standing = super::notice::standing_at(state, page.span.size, lang);
    let qr = receipt_qr(state, page.lines.last().map(|l| l.seq.0));
    let head = |keys: &[&'static str]| {
        keys.iter()
            .map(|key| view! { <th>{t(lang, key)}</th> })
            .collect_view()
    };
    let empty = page.lines.is_empty();
    view! {
        <article class="passbook-page" data-testid="passbook" data-lines=page.lines.len().to_string()>
            <h3>{title}</h3>
            <p class="who">{who}</p>
            <p class="carried" data-testid="passbook-opening">{t(lang, "passbook.opening")} " " {balance_text(page.opening, lang)}</p>
            {empty.then(|| view! { <p class="hint">{t(lang, "passbook.empty")}</p> })}
            <table>
                <thead><tr>{head(&["notice.entry", "notice.time", "notice.kind", "passbook.item", "notice.points", "passbook.balance"])}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="carried" data-testid="passbook-closing">{t(lang, "passbook.closing")} " " {balance_text(page.closing, lang)}</p>
            <p class="standing">{standing}</p>
            {move || qr.get().map(|svg| view! {
                <figure class="passbook-qr">
                    <div role="img" aria-label=t(lang, "passbook.qr") inner_html=svg></div>
                    <figcaption>{t(lang, "passbook.qr_hint")}</figcaption>
                </figure>
            })}
        </article>
    }
    .into_any()
}

/// The QR code of the receipt (C2SP tlog-proof) of leaf `index`, once the
/// log has answered; none for a file ledger or while offline.
fn receipt_qr(state: AppLedger, index: Option<u64>) -> RwSignal<Option<String>> {
    let qr = RwSignal::new(None);
    let base = state
        .log
        .with_untracked(|l| l.as_ref().map(|l| l.base.clone()));
    if let (Some(base), Some(index)) = (base, index) {
        leptos::task::spawn_local(async move {
            if let Some(text) = api::receipt_text(&base, index).await {
                qr.set(Some(super::admin::receipt_qr(&text)));
            }
        });
    }
    qr
}
