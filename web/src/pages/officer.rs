//! The officer screen: record an activity for one resident or a list of
//! them at once (each gets its own entry; the ones the rules refuse, such
//! as a reached daily cap, are listed with the reason), and reverse an
//! entry with a reason.

use ledger_core::Lang;
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
    dyn FnOnce(
        ledger_core::Ledger,
        api::Device,
        Lang,
    ) -> Pin<Box<dyn Future<Output = (ledger_core::Ledger, Vec<Line>)>>>,
>;

/// The officer screen.
#[component]
pub fn OfficerPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { ledger, device, .. } = expect_context::<AppLedger>();
    let codes = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let activity = RwSignal::new(
        ledger
            .with_untracked(|l| {
                l.as_ref().and_then(|l| {
                    l.activities()
                        .iter()
                        .find(|a| a.active)
                        .map(|a| a.id.to_string())
                })
            })
            .unwrap_or_default(),
    );
    let busy = RwSignal::new(false);
    let lines = RwSignal::new(Vec::<Line>::new());
    let reverse_seq = RwSignal::new(String::new());
    let reverse_reason = RwSignal::new(String::new());
    // Runs an action on the ledger, taken out of its signal meanwhile.
    let act = move |work: Work| {
        if busy.get_untracked() {
            return;
        }
        let Some(copy) = ledger.try_update(Option::take).flatten() else {
            return;
        };
        busy.set(true);
        let (this_device, language) = (device.get_untracked(), lang.get_untracked());
        leptos::task::spawn_local(async move {
            let (copy, result) = work(copy, this_device, language).await;
            ledger.set(Some(copy));
            lines.set(result);
            busy.set(false);
        });
    };
    let record = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let residents: Vec<String> = codes
            .get_untracked()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let (chosen, text) = (activity.get_untracked(), note.get_untracked());
        act(Box::new(move |mut copy, this_device, lang| {
            Box::pin(async move {
                let lines = match api::record(
                    &mut copy,
                    &this_device,
                    &residents,
                    &chosen,
                    &text,
                    api::now_ms(),
                )
                .await
                {
                    Ok(results) => {
                        // Keep in the field only the codes that were not
                        // recorded, so a scanned list is never lost.
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
                    Err(error) => vec![Line {
                        ok: false,
                        text: error.message(lang),
                    }],
                };
                (copy, lines)
            })
        }));
    };
    let reverse = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (seq, reason) = (reverse_seq.get_untracked(), reverse_reason.get_untracked());
        act(Box::new(move |mut copy, this_device, lang| {
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
    let activities = move || {
        ledger.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.activities()
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
                .unwrap_or_default()
        })
    };
    view! {
        <section class="officer">
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
            <ul class="outcomes" role="status">
                {move || lines.get().into_iter().map(|line| view! { <li class:error=!line.ok>{line.text}</li> }).collect_view()}
            </ul>
            <form class="reverse" on:submit=reverse>
                <h3>{tr(lang, "officer.reverse_title")}</h3>
                <label for="reverse-seq">{tr(lang, "officer.reverse_seq")}</label>
                <input id="reverse-seq" inputmode="numeric" prop:value=move || reverse_seq.get() on:input=move |e| reverse_seq.set(event_target_value(&e)) />
                <label for="reverse-reason">{tr(lang, "officer.reverse_reason")}</label>
                <input id="reverse-reason" prop:value=move || reverse_reason.get() on:input=move |e| reverse_reason.set(event_target_value(&e)) />
                <button type="submit" disabled=move || busy.get()>{tr(lang, "officer.reverse")}</button>
            </form>
        </section>
    }
}
