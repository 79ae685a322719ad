//! The kiosk screen: scan or type the resident, pick a reward and a
//! quantity, confirm, see a receipt (entry seq, new balance, short hash).
//!
//! A redeem's `request_id` is made when the confirmation opens and reused
//! by every tap and retry of it, so a double tap or a retry after a blip is
//! recorded once. While one is being written the button is disabled.

use ledger_core::{Lang, RuleError};
use leptos::prelude::*;

use crate::api::{self, Device, Receipt};
use crate::components::{CodeForm, resident_summary};
use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// A redeem being confirmed.
#[derive(Clone, Debug, PartialEq)]
struct Pending {
    resident: String,
    reward: String,
    name: String,
    qty: u32,
    request_id: String,
}

/// What a kiosk shows after a redeem: on a ledger file, its entry; on a
/// community log, the entry this kiosk signed, then the log's answer.
#[derive(Clone, Debug, PartialEq)]
enum Shown {
    File(Receipt),
    /// The receipt, and who collected it for the resident, if someone did.
    Log(api::LogReceipt, Option<String>),
}

/// What the kiosk's parts share: the ledger (and the community log it
/// follows, if any), this device, the redeem being confirmed, the one
/// write in flight and what it gave.
#[derive(Clone, Copy)]
struct Counter {
    lang: RwSignal<Lang>,
    ledger: RwSignal<Option<ledger_core::Ledger>>,
    log: RwSignal<Option<api::FollowedLog>>,
    device: RwSignal<Device>,
    pending: RwSignal<Option<Pending>>,
    /// Who collects the redeem being confirmed, when not the resident (a
    /// family member or a registered helper; on a community log only):
    /// apart from `pending`, so that typing does not redraw the dialog.
    collector: RwSignal<String>,
    busy: RwSignal<bool>,
    outcome: RwSignal<Option<Result<Shown, String>>>,
}

impl Counter {
    /// Writes the redeem being confirmed, once, however often it is tapped.
    fn confirm(self) {
        let Counter {
            lang,
            ledger,
            log,
            device,
            pending,
            busy,
            outcome,
            ..
        } = self;
        let Some(request) = pending.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let this_device = device.get_untracked();
        busy.set(true);
        if log.with_untracked(Option::is_some) {
            return self.confirm_on_log(request, this_device);
        }
        leptos::task::spawn_local(async move {
            // The ledger is taken out of the signal while it is written, so
            // nothing renders a half-changed copy; quietly, so that the
            // screen is drawn once, with the receipt, and not twice.
            let Some(mut copy) = ledger.try_update_untracked(Option::take).flatten() else {
                busy.set(false);
                return;
            };
            let result = api::redeem(
                &mut copy,
                &this_device,
                &request.resident,
                &request.reward,
                request.qty,
                &request.request_id,
                api::now_ms(),
            )
            .await;
            ledger.set(Some(copy));
            match result {
                Ok(receipt) => {
                    pending.set(None);
                    outcome.set(Some(Ok(Shown::File(receipt))));
                }
                // The confirmation stays open with the same request id, so
                // a retry cannot redeem twice.
                Err(error) => outcome.set(Some(Err(error.message(lang.get_untracked())))),
            }
            busy.set(false);
        });
    }
}

impl Counter {
    /// The redeem signed by this kiosk, checked on its copy of the log and
    /// queued for the log (offline too, within the offline policy).
    fn confirm_on_log(self, request: Pending, this_device: Device) {
        let Counter {
            lang,
            ledger,
            log,
            pending,
            busy,
            outcome,
            ..
        } = self;
        leptos::task::spawn_local(async move {
            let body = ledger.with_untracked(|l| {
                l.as_ref().map(|l| {
                    api::redeem_body(
                        l.state(),
                        &request.resident,
                        &request.reward,
                        request.qty,
                        &request.request_id,
                    )
                    .and_then(|body| with_collector(body, &self.collector.get_untracked()))
                })
            });
            let collector =
                Some(self.collector.get_untracked().trim().to_owned()).filter(|c| !c.is_empty());
            let copy = ledger.try_update_untracked(Option::take).flatten();
            let followed = log.try_update_untracked(Option::take).flatten();
            let (copy, followed, body) = match (copy, followed, body) {
                (Some(copy), Some(followed), Some(Ok(body))) => (copy, followed, body),
                (copy, followed, body) => {
                    ledger.set(copy);
                    log.set(followed);
                    if let Some(Err(error)) = body {
                        outcome.set(Some(Err(error.message(lang.get_untracked()))));
                    }
                    busy.set(false);
                    return;
                }
            };
            let lang_now = lang.get_untracked();
            let (copy, followed, result) =
                api::write_to_log(copy, followed, &this_device, body, api::now_ms(), lang_now)
                    .await;
            ledger.set(Some(copy));
            log.set(Some(followed));
            match result {
                Ok(receipt) => {
                    pending.set(None);
                    outcome.set(Some(Ok(Shown::Log(receipt, collector))));
                    self.collector.set(String::new());
                }
                Err(error) => outcome.set(Some(Err(error.message(lang_now)))),
            }
            busy.set(false);
        });
    }
}

/// The kiosk screen: the resident, the rewards, the confirmation and the
/// receipt.
#[component]
pub fn KioskPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger {
        ledger,
        device,
        log,
        ..
    } = expect_context::<AppLedger>();
    let counter = Counter {
        lang,
        ledger,
        log,
        device,
        pending: RwSignal::new(None),
        collector: RwSignal::new(String::new()),
        busy: RwSignal::new(false),
        outcome: RwSignal::new(None),
    };
    let Counter {
        pending, outcome, ..
    } = counter;
    let resident = RwSignal::new(None::<String>);
    let found = Callback::new(move |code: String| {
        pending.set(None);
        outcome.set(None);
        resident.set(Some(code));
    });
    view! {
        <section class="kiosk">
            <CodeForm found=found />
            {move || resident.get().map(|code| view! {
                <div class="kiosk-body">
                    {move || ledger.with(|l| l.as_ref().map(|l| resident_summary(l, &code, lang.get())))}
                    {move || {
                        let code = resident.get().unwrap_or_default();
                        ledger.with(|l| l.as_ref().map(|l| device.with(|d| reward_buttons(l, d, &code, lang.get(), pending, outcome))))
                    }}
                    {transfer_form(counter, resident.get_untracked().unwrap_or_default())}
                </div>
            })}
            {move || pending.get().map(|request| confirm_view(counter, request))}
            {move || outcome.get().map(|result| match result {
                Ok(Shown::Log(receipt, collector)) => log_receipt_view(receipt, collector, log, lang).into_any(),
                Ok(Shown::File(receipt)) => receipt_view(Ok(receipt), lang).into_any(),
                Err(message) => receipt_view(Err(message), lang).into_any(),
            })}
        </section>
    }
}

/// The confirmation: what, how many (− / +), the total, confirm or cancel.
fn confirm_view(counter: Counter, request: Pending) -> impl IntoView {
    let Counter {
        lang,
        ledger,
        device,
        pending,
        busy,
        ..
    } = counter;
    // Collecting for someone else is a v2 member: on a community log only.
    let on_log = counter.log.with_untracked(Option::is_some);
    let total = ledger.with(|l| {
        l.as_ref()
            .and_then(|l| {
                device.with(|d| {
                    api::quote_redeem(
                        l.state(),
                        d,
                        &request.resident,
                        &request.reward,
                        request.qty,
                    )
                    .points
                })
            })
            .map(|points| points.to_wire())
            .unwrap_or_default()
    });
    view! {
        <div class="confirm" role="dialog" aria-label=tr(lang, "kiosk.confirm_title")>
            <h3>{tr(lang, "kiosk.confirm_title")}</h3>
            <p class="what">{request.name.clone()} " × " <span data-testid="qty">{request.qty}</span></p>
            <div class="row qty">
                <button aria-label=tr(lang, "kiosk.fewer") disabled=request.qty <= 1 on:click=move |_| pending.update(|p| if let Some(p) = p { p.qty = p.qty.saturating_sub(1).max(1) })>"−"</button>
                <button aria-label=tr(lang, "kiosk.more") on:click=move |_| pending.update(|p| if let Some(p) = p { p.qty = (p.qty + 1).min(ledger_core::limits::MAX_QTY) })>"+"</button>
            </div>
            <p>{tr(lang, "kiosk.total")} ": " <strong>{total}</strong></p>
            {on_log.then(|| view! {
                <label for="kiosk-collector">{tr(lang, "kiosk.collector")}</label>
                <input id="kiosk-collector" autocomplete="off" prop:value=move || counter.collector.get()
                    on:input=move |e| counter.collector.set(event_target_value(&e)) />
            })}
            <div class="row">
                <button class="primary" disabled=move || busy.get() on:click=move |_| counter.confirm()>
                    {move || if busy.get() { t(lang.get(), "kiosk.working") } else { t(lang.get(), "kiosk.confirm") }}
                </button>
                <button on:click=move |_| { pending.set(None); counter.collector.set(String::new()); }>{tr(lang, "kiosk.cancel")}</button>
            </div>
        </div>
    }
}

/// The receipt (or, for a retry, the receipt of what was already
/// recorded), or why the redeem was refused.
fn receipt_view(result: Result<Receipt, String>, lang: RwSignal<Lang>) -> impl IntoView {
    match result {
        Ok(receipt) => view! {
            <div class="receipt" role="status">
                <h3>{move || if receipt.new { t(lang.get(), "kiosk.receipt") } else { t(lang.get(), "kiosk.receipt_again") }}</h3>
                <p>{tr(lang, "kiosk.entry")} " " <span data-testid="receipt-seq">{receipt.seq}</span></p>
                <p>{tr(lang, "kiosk.new_balance")} " " <strong data-testid="receipt-balance">{receipt.balance.to_wire()}</strong></p>
                <p class="meta">{tr(lang, "kiosk.hash")} " " {receipt.short_hash.clone()}</p>
            </div>
        }
            .into_any(),
        Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
    }
}

fn reward_buttons(
    ledger: &ledger_core::Ledger,
    device: &Device,
    code: &str,
    lang: Lang,
    pending: RwSignal<Option<Pending>>,
    outcome: RwSignal<Option<Result<Shown, String>>>,
) -> Option<AnyView> {
    ledger.balance(code)?;
    let household = ledger
        .state()
        .resident(code)
        .map(|r| r.household.to_string());
    let last = ledger.last_ts_ms();
    let mut suspended = None;
    let rows: Vec<_> = ledger
        .rewards()
        .iter()
        .filter(|reward| reward.active)
        .map(|reward| {
            // The core says whether this device may redeem it now, and why not.
            let quote = api::quote_redeem(ledger.state(), device, code, reward.id.as_str(), 1);
            let reason = quote.verdict.err().map(|error| match error {
                RuleError::InsufficientStock { .. } => t(lang, "kiosk.out_of_stock").to_owned(),
                RuleError::InsufficientPoints { .. } => t(lang, "kiosk.cannot_afford").to_owned(),
                RuleError::HouseholdLimit { .. } => t(lang, "kiosk.household_full").to_owned(),
                // Said once above the rewards, not on every button.
                suspension @ RuleError::RedeemSuspended { .. } => {
                    suspended = Some(suspension.message(lang));
                    t(lang, "kiosk.suspended").to_owned()
                }
                other => other.message(lang),
            });
            let request = Pending {
                resident: code.to_owned(),
                reward: reward.id.to_string(),
                name: reward.name.to_string(),
                qty: 1,
                request_id: api::new_request_id(),
            };
            let label = format!(
                "{} {} · {}",
                t(lang, "kiosk.redeem"),
                reward.name,
                reward.cost
            );
            // A household's monthly limit, and how much of it is used.
            let limit = household.as_ref().and_then(|household| {
                let (used, limit) =
                    ledger
                        .state()
                        .household_month(household, reward.id.as_str(), last);
                limit.map(|limit| format!("{} {used}/{limit}", t(lang, "kiosk.household_month")))
            });
            view! {
                <li>
                    <button
                        class="reward"
                        aria-label=label
                        disabled=reason.is_some()
                        on:click=move |_| {
                            outcome.set(None);
                            pending.set(Some(request.clone()));
                        }
                    >
                        <span class="item">{reward.name.to_string()}</span>
                        <span class="points">{reward.cost.to_wire()}</span>
                    </button>
                    {limit.map(|used| view! { <span class="meta household-limit">{used}</span> })}
                    {reason.map(|why| view! { <span class="why">{why}</span> })}
                </li>
            }
        })
        .collect();
    Some(
        view! {
            {suspended.map(|why| view! { <p class="error" role="alert" data-testid="suspended">{why}</p> })}
            <ul class="reward-grid">{rows}</ul>
        }
        .into_any(),
    )
}

/// Giving points to another resident (转赠), on a community log whose
/// admin allows it: to whom and how many, signed by this kiosk with the
/// giver at the counter; the rules say no past the most or below zero.
fn transfer_form(counter: Counter, from: String) -> impl IntoView {
    let Counter {
        lang,
        ledger,
        log,
        device,
        busy,
        ..
    } = counter;
    let to = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let said = RwSignal::new(None::<(bool, String)>);
    let allowed = Memo::new(move |_| {
        log.with(Option::is_some)
            && ledger
                .with(|l| l.as_ref().and_then(|l| l.state().transfers()))
                .is_some()
    });
    let max = move || {
        ledger
            .with(|l| l.as_ref().and_then(|l| l.state().transfers()))
            .map(|p| p.to_wire())
            .unwrap_or_default()
    };
    let give = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let lang_now = lang.get_untracked();
        let body = transfer_body(&from, &to.get_untracked(), &points.get_untracked());
        let body = match body {
            Ok(body) => body,
            Err(error) => return said.set(Some((false, error.message(lang_now)))),
        };
        let copy = ledger.try_update_untracked(Option::take).flatten();
        let followed = log.try_update_untracked(Option::take).flatten();
        let (Some(copy), Some(followed)) = (copy, followed) else {
            return;
        };
        busy.set(true);
        let this_device = device.get_untracked();
        let given = (to.get_untracked(), points.get_untracked());
        leptos::task::spawn_local(async move {
            let (copy, followed, result) =
                api::write_to_log(copy, followed, &this_device, body, api::now_ms(), lang_now)
                    .await;
            ledger.set(Some(copy));
            log.set(Some(followed));
            said.set(Some(match result {
                Ok(receipt) => {
                    to.set(String::new());
                    points.set(String::new());
                    let text = format!(
                        "{} {} {} {} · {} {}",
                        t(lang_now, "kiosk.transferred"),
                        given.0.trim(),
                        given.1.trim(),
                        t(lang_now, "resident.points"),
                        t(lang_now, "officer.recorded"),
                        receipt.provisional
                    );
                    (true, text)
                }
                Err(error) => (false, error.message(lang_now)),
            }));
            busy.set(false);
        });
    };
    move || {
        let give = give.clone();
        allowed.get().then(|| view! {
            <form class="transfer" on:submit=give>
                <h3>{tr(lang, "kiosk.transfer")}</h3>
                <p class="hint">{move || format!("{}{}", t(lang.get(), "kiosk.transfer_max"), max())}</p>
                <label for="transfer-to">{tr(lang, "kiosk.transfer_to")}</label>
                <input id="transfer-to" autocomplete="off" prop:value=move || to.get() on:input=move |e| to.set(event_target_value(&e)) />
                <label for="transfer-points">{tr(lang, "kiosk.transfer_points")}</label>
                <input id="transfer-points" inputmode="decimal" autocomplete="off" prop:value=move || points.get() on:input=move |e| points.set(event_target_value(&e)) />
                <button type="submit" class="primary" disabled=move || busy.get()>{tr(lang, "kiosk.transfer_confirm")}</button>
                {move || said.get().map(|(ok, text)| view! {
                    <p class:good=ok class:error=!ok role=if ok { "status" } else { "alert" } data-testid="transfer-outcome">{text}</p>
                })}
            </form>
        })
    }
}

/// The transfer body typed in, or what is wrong with it.
fn transfer_body(
    from: &str,
    to: &str,
    points: &str,
) -> Result<ledger_core::Body, api::ActionError> {
    let bad = |what: &str, problem| api::ActionError::BadInput(what.to_owned(), problem);
    let resident = from.parse().map_err(|_| bad(from, None))?;
    let to = to
        .trim()
        .parse()
        .map_err(|_| bad(to.trim(), Some(ledger_core::FieldProblem::IdCharacters)))?;
    let points = ledger_core::Points::parse_input(points)
        .map_err(|problem| bad(points.trim(), Some(problem)))?;
    let note = ledger_core::Text::parse("", 1, true).map_err(|problem| bad("", Some(problem)))?;
    Ok(ledger_core::Body::Transfer {
        resident,
        to,
        points,
        note,
    })
}

/// The receipt of a redeem this kiosk signed for the community's log: at
/// once, then "in the log, #N" once the log answers, with the entry's
/// receipt (C2SP tlog-proof) as a QR code to print.
fn log_receipt_view(
    receipt: api::LogReceipt,
    collector: Option<String>,
    log: RwSignal<Option<api::FollowedLog>>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let hash = receipt.hash;
    let index = Memo::new(move |_| log.with(|l| l.as_ref().and_then(|l| l.outbox.index_of(&hash))));
    let offline = Memo::new(move |_| {
        log.with(|l| l.as_ref().is_some_and(|l| l.outbox.offline_since.is_some()))
    });
    let qr = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(index) = index.get() else {
            return;
        };
        let base = log.with_untracked(|l| l.as_ref().map(|l| l.base.clone()));
        if let Some(base) = base.filter(|_| qr.get_untracked().is_none()) {
            leptos::task::spawn_local(async move {
                if let Some(text) = api::receipt_text(&base, index).await {
                    qr.set(Some(crate::pages::admin::receipt_qr(&text)));
                }
            });
        }
    });
    let when = ledger_core::format_local_ts(receipt.ts_ms, receipt.utc_offset_minutes);
    view! {
        <div class="receipt printable" role="status">
            <h3>{tr(lang, "kiosk.receipt")}</h3>
            <p class="signed">{tr(lang, "kiosk.signed_by")} " " <span data-testid="receipt-actor">{receipt.actor.clone()}</span> " · " {when}</p>
            {collector.map(|c| view! { <p class="collector" data-testid="receipt-collector">{tr(lang, "kiosk.collector_done")} {c}</p> })}
            <p class="in-log" data-testid="receipt-log" aria-live="polite">
                {move || match (index.get(), offline.get()) {
                    (Some(index), _) => format!("{}{index}{}", t(lang.get(), "kiosk.in_log"), t(lang.get(), "kiosk.in_log_end")),
                    (None, true) => t(lang.get(), "kiosk.queued_offline").to_owned(),
                    (None, false) => t(lang.get(), "kiosk.sending").to_owned(),
                }}
            </p>
            <p>{tr(lang, "kiosk.new_balance")} " " <strong data-testid="receipt-balance">{receipt.balance.to_wire()}</strong></p>
            <p class="meta">{tr(lang, "kiosk.hash")} " " {receipt.hash.short()}</p>
            {move || qr.get().map(|svg| view! { <div class="qr receipt-qr" role="img" inner_html=svg aria-label=tr(lang, "kiosk.receipt_qr")></div> })}
            <button class="print" on:click=move |_| {
                let _ = window().print();
            }>{tr(lang, "kiosk.print")}</button>
        </div>
    }
}

/// A redeem's body with who collects it, when the field names someone.
fn with_collector(
    body: ledger_core::Body,
    collector: &str,
) -> Result<ledger_core::Body, api::ActionError> {
    let collector = collector.trim();
    if collector.is_empty() {
        return Ok(body);
    }
    let code = collector
        .parse()
        .map_err(|problem| api::ActionError::BadInput(collector.to_owned(), Some(problem)))?;
    Ok(match body {
        ledger_core::Body::Redeem {
            resident,
            reward,
            qty,
            points,
            request_id,
            ..
        } => ledger_core::Body::Redeem {
            resident,
            reward,
            qty,
            points,
            request_id,
            collector: Some(code),
        },
        other => other,
    })
}
