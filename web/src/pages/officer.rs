//! The officer screen: record an activity for one resident or a list of
//! them at once (each gets its own entry; the ones the rules refuse, such
//! as a reached daily cap, are listed with the reason), and reverse an
//! entry with a reason.

use ledger_core::{Lang, Ledger};
use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::api;
use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// One line of the outcome list.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    ok: bool,
    text: String,
}

/// An action on the ledger: given it (taken out of its signal), this
/// device's keys and the language, gives it back with the lines to show.
type Work = Box<
    dyn FnOnce(Ledger, api::Device, Lang) -> Pin<Box<dyn Future<Output = (Ledger, Vec<Line>)>>>,
>;

/// What the two forms share: the ledger, this device, the language, and
/// the one action in flight with the lines it gave.
#[derive(Clone, Copy)]
struct Desk {
    lang: RwSignal<Lang>,
    ledger: RwSignal<Option<Ledger>>,
    device: RwSignal<api::Device>,
    busy: RwSignal<bool>,
    lines: RwSignal<Vec<Line>>,
}

impl Desk {
    /// Runs an action on the ledger, taken out of its signal meanwhile.
    fn act(self, work: Work) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(copy) = self.ledger.try_update(Option::take).flatten() else {
            return;
        };
        self.busy.set(true);
        let (this_device, language) = (self.device.get_untracked(), self.lang.get_untracked());
        leptos::task::spawn_local(async move {
            let (copy, result) = work(copy, this_device, language).await;
            self.ledger.set(Some(copy));
            self.lines.set(result);
            self.busy.set(false);
        });
    }
}

/// The officer screen: recording, what it gave, and a reversal.
#[component]
pub fn OfficerPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { ledger, device, .. } = expect_context::<AppLedger>();
    let desk = Desk {
        lang,
        ledger,
        device,
        busy: RwSignal::new(false),
        lines: RwSignal::new(Vec::new()),
    };
    view! {
        <section class="officer">
            {record_form(desk)}
            <ul class="outcomes" role="status">
                {move || desk.lines.get().into_iter().map(|line| view! { <li class:error=!line.ok>{line.text}</li> }).collect_view()}
            </ul>
            {reverse_form(desk)}
        </section>
    }
}

/// Records the chosen activity for every code in the list. Most of its
/// length is the form's markup.
fn record_form(desk: Desk) -> impl IntoView {
    let Desk {
        lang, ledger, busy, ..
    } = desk;
    let codes = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let first_active = ledger.with_untracked(|l| {
        let activities = l.as_ref().map(|l| l.activities()).unwrap_or_default();
        activities
            .iter()
            .find(|a| a.active)
            .map(|a| a.id.to_string())
    });
    let activity = RwSignal::new(first_active.unwrap_or_default());
    let record = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let residents: Vec<String> = codes
            .get_untracked()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let (chosen, text) = (activity.get_untracked(), note.get_untracked());
        desk.act(Box::new(move |mut copy, this_device, lang| {
            Box::pin(async move {
                let now = api::now_ms();
                let results =
                    api::record(&mut copy, &this_device, &residents, &chosen, &text, now).await;
                let lines = match results {
                    Ok(results) => recorded_lines(results, codes, lang),
                    Err(error) => vec![Line {
                        ok: false,
                        text: error.message(lang),
                    }],
                };
                (copy, lines)
            })
        }));
    };
    let activities = move || {
        ledger.with(|l| {
            let activities = l.as_ref().map(|l| l.activities()).unwrap_or_default();
            activities
                .iter()
                .filter(|a| a.active)
                .map(|a| {
                    (
                        a.id.to_string(),
                        a.name.to_string(),
                        a.points.to_wire(),
                        a.daily_cap.to_wire(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <form class="record" on:submit=record>
            <label for="officer-codes">{tr(lang, "officer.residents")}</label>
            <textarea id="officer-codes" rows="4" prop:value=move || codes.get() on:input=move |e| codes.set(event_target_value(&e))></textarea>
            <fieldset class="activities">
                <legend>{tr(lang, "officer.activity")}</legend>
                {move || activities().into_iter().map(|(id, name, points, cap)| {
                    let value = id.clone();
                    let checked = activity.get() == id;
                    view! {
                        <label class="choice">
                            <input type="radio" name="activity" prop:checked=checked on:change=move |_| activity.set(value.clone()) />
                            <span class="item">{name}</span>
                            <span class="meta">{tr(lang, "officer.per_time")} " " {points.clone()} " · " {tr(lang, "officer.cap")} " " {cap.clone()}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label for="officer-note">{tr(lang, "officer.note")}</label>
            <input id="officer-note" prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e)) />
            <button type="submit" class="primary" disabled=move || busy.get()>{tr(lang, "officer.record")}</button>
        </form>
    }
}

/// One line per code; only the codes that were not recorded stay in the
/// field, so a scanned list is never lost.
fn recorded_lines(
    results: Vec<(String, Result<u64, ledger_core::AppendError>)>,
    codes: RwSignal<String>,
    lang: Lang,
) -> Vec<Line> {
    let refused: Vec<String> = results
        .iter()
        .filter(|(_, outcome)| outcome.is_err())
        .map(|(code, _)| code.clone())
        .collect();
    codes.set(refused.join("\n"));
    results
        .into_iter()
        .map(|(code, outcome)| match outcome {
            Ok(seq) => Line {
                ok: true,
                text: format!("{code} {} {seq}", t(lang, "officer.recorded")),
            },
            Err(error) => Line {
                ok: false,
                text: format!(
                    "{code} {}{}",
                    t(lang, "officer.refused"),
                    error.message(lang)
                ),
            },
        })
        .collect()
}

/// Reverses an entry, with a reason.
fn reverse_form(desk: Desk) -> impl IntoView {
    let Desk { lang, busy, .. } = desk;
    let reverse_seq = RwSignal::new(String::new());
    let reverse_reason = RwSignal::new(String::new());
    let reverse = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (seq, reason) = (reverse_seq.get_untracked(), reverse_reason.get_untracked());
        desk.act(Box::new(move |mut copy, this_device, lang| {
            Box::pin(async move {
                let outcome = match seq.trim().parse::<u64>() {
                    Ok(seq) => {
                        api::reverse(&mut copy, &this_device, seq, &reason, api::now_ms()).await
                    }
                    Err(_) => Err(api::ActionError::BadInput(seq.clone(), None)),
                };
                let line = match outcome {
                    Ok(new_seq) => Line {
                        ok: true,
                        text: format!("{} {new_seq}", t(lang, "officer.reversed")),
                    },
                    Err(error) => Line {
                        ok: false,
                        text: error.message(lang),
                    },
                };
                (copy, vec![line])
            })
        }));
    };
    view! {
        <form class="reverse" on:submit=reverse>
            <h3>{tr(lang, "officer.reverse_title")}</h3>
            <label for="reverse-seq">{tr(lang, "officer.reverse_seq")}</label>
            <input id="reverse-seq" inputmode="numeric" prop:value=move || reverse_seq.get() on:input=move |e| reverse_seq.set(event_target_value(&e)) />
            <label for="reverse-reason">{tr(lang, "officer.reverse_reason")}</label>
            <input id="reverse-reason" prop:value=move || reverse_reason.get() on:input=move |e| reverse_reason.set(event_target_value(&e)) />
            <button type="submit" disabled=move || busy.get()>{tr(lang, "officer.reverse")}</button>
        </form>
    }
}
