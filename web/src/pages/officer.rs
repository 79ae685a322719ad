//! The officer screen: record an activity for one resident or a list of
//! them at once (each gets its own entry; the ones the rules refuse, such
//! as a reached daily cap, are listed with the reason), record a deduction
//! (扣分, on a community log whose admin defined penalties) for a reviewer
//! to decide, and reverse an entry with a reason.

use ledger_core::Lang;
use leptos::prelude::*;

use super::desk::{Desk, Line};
use crate::api;
use crate::i18n::{t, tr};

/// The officer screen: recording, what it gave, and a reversal.
#[component]
pub fn OfficerPage() -> impl IntoView {
    let desk = Desk::from_context();
    view! {
        <section class="officer">
            {record_form(desk)}
            <ul class="outcomes" role="status">
                {move || desk.lines.get().into_iter().map(|line| view! { <li class:error=!line.ok>{line.text}</li> }).collect_view()}
            </ul>
            {deduct_form(desk)}
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
    let hours = RwSignal::new(String::new());
    // The chosen activity is counted in hours: the form asks how many.
    let per_hour = Memo::new(move |_| {
        let chosen = activity.get();
        ledger.with(|l| {
            l.as_ref()
                .and_then(|l| l.state().activity(&chosen).map(|a| a.per_hour))
                .unwrap_or(false)
        })
    });
    let record = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let residents: Vec<String> = codes
            .get_untracked()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let (chosen, text) = (activity.get_untracked(), note.get_untracked());
        let hours_typed = per_hour
            .get_untracked()
            .then(|| hours.get_untracked().trim().to_owned());
        desk.act(Box::new(move |(mut copy, followed), this_device, lang| {
            Box::pin(async move {
                let now = api::now_ms();
                if let Some(followed) = followed {
                    let half_hours = match hours_typed.as_deref().map(ledger_core::hours_from_wire)
                    {
                        Some(None) => {
                            let error = api::ActionError::BadInput(
                                t(lang, "officer.hours").to_owned(),
                                Some(ledger_core::FieldProblem::NotHours),
                            );
                            let line = Line {
                                ok: false,
                                text: error.message(lang),
                            };
                            return ((copy, Some(followed)), vec![line]);
                        }
                        Some(Some(half_hours)) => Some(half_hours),
                        None => None,
                    };
                    let earn = Earn {
                        activity: &chosen,
                        note: &text,
                        half_hours,
                    };
                    let (copy, followed, lines) =
                        record_on_log(copy, followed, &this_device, &residents, earn, codes, lang)
                            .await;
                    hours.set(String::new());
                    return ((copy, Some(followed)), lines);
                }
                let results =
                    api::record(&mut copy, &this_device, &residents, &chosen, &text, now).await;
                let lines = match results {
                    Ok(results) => recorded_lines(results, codes, lang),
                    Err(error) => vec![Line {
                        ok: false,
                        text: error.message(lang),
                    }],
                };
                ((copy, None), lines)
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
                        a.review,
                        a.per_hour,
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
                {move || activities().into_iter().map(|(id, name, points, cap, review, hourly)| {
                    let value = id.clone();
                    let checked = activity.get() == id;
                    view! {
                        <label class="choice">
                            <input type="radio" name="activity" prop:checked=checked on:change=move |_| activity.set(value.clone()) />
                            <span class="item">{name}</span>
                            <span class="meta">{tr(lang, if hourly { "officer.per_hour" } else { "officer.per_time" })} " " {points.clone()} " · " {tr(lang, "officer.cap")} " " {cap.clone()}</span>
                            {review.then(|| view! { <span class="meta review">{tr(lang, "officer.needs_review")}</span> })}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            {move || per_hour.get().then(|| view! {
                <label for="officer-hours">{tr(lang, "officer.hours")}</label>
                <input id="officer-hours" inputmode="decimal" autocomplete="off" required=true
                    prop:value=move || hours.get() on:input=move |e| hours.set(event_target_value(&e)) />
            })}
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

/// Records a deduction: a resident, one of the admin's penalties and the
/// reason the notice will print. Shown only where penalties are defined.
/// Most of its length is the form's markup.
fn deduct_form(desk: Desk) -> impl IntoView {
    let Desk {
        lang, ledger, busy, ..
    } = desk;
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let penalties = move || {
        ledger.with(|l| {
            let Some(l) = l.as_ref() else {
                return Vec::new();
            };
            l.state()
                .penalties()
                .iter()
                .filter(|p| p.active)
                .map(|p| {
                    (
                        p.id.to_string(),
                        p.name.to_string(),
                        p.points.to_wire(),
                        p.suspend_days,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let chosen = RwSignal::new(String::new());
    let deduct = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (resident, penalty, why) = (
            code.get_untracked(),
            chosen.get_untracked(),
            reason.get_untracked(),
        );
        desk.act(Box::new(move |(copy, followed), this_device, lang| {
            Box::pin(async move {
                let Some(followed) = followed else {
                    let line = Line {
                        ok: false,
                        text: t(lang, "review.log_only").to_owned(),
                    };
                    return ((copy, None), vec![line]);
                };
                let body = deduct_body(&copy, &resident, &penalty, &why, lang);
                let (copy, followed, line) = match body {
                    Ok(body) => {
                        let (copy, followed, result) = api::write_to_log(
                            copy,
                            followed,
                            &this_device,
                            body,
                            api::now_ms(),
                            lang,
                        )
                        .await;
                        let line = match result {
                            Ok(receipt) => {
                                code.set(String::new());
                                reason.set(String::new());
                                Line {
                                    ok: true,
                                    text: format!(
                                        "{} {resident} · {} {} · {}",
                                        t(lang, "officer.deducted"),
                                        t(lang, "officer.recorded"),
                                        receipt.provisional,
                                        t(lang, "officer.awaits_review")
                                    ),
                                }
                            }
                            Err(error) => Line {
                                ok: false,
                                text: error.message(lang),
                            },
                        };
                        (copy, followed, line)
                    }
                    Err(text) => (copy, followed, Line { ok: false, text }),
                };
                ((copy, Some(followed)), vec![line])
            })
        }));
    };
    move || {
        let list = penalties();
        if list.is_empty() {
            return None;
        }
        if !list.iter().any(|(id, ..)| *id == chosen.get_untracked()) {
            chosen.set(list[0].0.clone());
        }
        Some(view! {
            <form class="deduct" on:submit=deduct data-testid="deduct-form">
                <h3>{tr(lang, "officer.deduct_title")}</h3>
                <label for="deduct-code">{tr(lang, "officer.deduct_resident")}</label>
                <input id="deduct-code" autocomplete="off" prop:value=move || code.get() on:input=move |e| code.set(event_target_value(&e)) />
                <fieldset class="activities">
                    <legend>{tr(lang, "officer.penalty")}</legend>
                    {list.into_iter().map(|(id, name, points, days)| {
                        let value = id.clone();
                        let suspends = (days > 0).then(|| view! {
                            <span class="meta review">{tr(lang, "officer.suspends")} " " {days} " " {tr(lang, "officer.days")}</span>
                        });
                        view! {
                            <label class="choice">
                                <input type="radio" name="penalty" prop:checked=move || chosen.get() == id on:change=move |_| chosen.set(value.clone()) />
                                <span class="item">{name}</span>
                                <span class="meta">"−" {points}</span>
                                {suspends}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="deduct-reason">{tr(lang, "officer.deduct_reason")}</label>
                <input id="deduct-reason" prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e)) />
                <button type="submit" disabled=move || busy.get()>{tr(lang, "officer.deduct")}</button>
            </form>
        })
    }
}

/// The body of a deduction as the form asks for it, the penalty's points
/// being what the rules require; or what is wrong, in `lang`.
fn deduct_body(
    copy: &ledger_core::Ledger,
    resident: &str,
    penalty: &str,
    reason: &str,
    lang: Lang,
) -> Result<ledger_core::Body, String> {
    let state = copy.state();
    let resident = resident.trim();
    if state.resident(resident).is_none() {
        return Err(ledger_core::RuleError::UnknownResident(resident.to_owned()).message(lang));
    }
    let definition = state
        .penalty(penalty)
        .ok_or_else(|| ledger_core::RuleError::UnknownPenalty(penalty.to_owned()).message(lang))?;
    let reason =
        ledger_core::Text::parse(reason.trim(), ledger_core::limits::MAX_TEXT_BYTES, false)
            .map_err(|problem| {
                api::ActionError::BadInput(
                    t(lang, "officer.deduct_reason").to_owned(),
                    Some(problem),
                )
                .message(lang)
            })?;
    Ok(ledger_core::Body::Deduct {
        resident: resident.parse().map_err(|_| {
            ledger_core::RuleError::UnknownResident(resident.to_owned()).message(lang)
        })?,
        penalty: definition.id.clone(),
        points: definition.points,
        reason,
    })
}

/// Reverses an entry, with a reason.
fn reverse_form(desk: Desk) -> impl IntoView {
    let Desk { lang, busy, .. } = desk;
    let reverse_seq = RwSignal::new(String::new());
    let reverse_reason = RwSignal::new(String::new());
    let reverse = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (seq, reason) = (reverse_seq.get_untracked(), reverse_reason.get_untracked());
        desk.act(Box::new(
            move |(mut copy, mut followed), this_device, lang| {
                Box::pin(async move {
                    let outcome = match (seq.trim().parse::<u64>(), followed.take()) {
                        (Ok(seq), Some(on_log)) => {
                            let (back, on_log, outcome) =
                                reverse_on_log(copy, on_log, &this_device, seq, &reason, lang)
                                    .await;
                            copy = back;
                            followed = Some(on_log);
                            outcome
                        }
                        (Ok(seq), None) => {
                            api::reverse(&mut copy, &this_device, seq, &reason, api::now_ms()).await
                        }
                        (Err(_), kept) => {
                            followed = kept;
                            Err(api::ActionError::BadInput(seq.clone(), None))
                        }
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
                    ((copy, followed), vec![line])
                })
            },
        ));
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

/// What one recording earns: the activity, the note, and the half-hours
/// of an activity counted in hours.
struct Earn<'a> {
    activity: &'a str,
    note: &'a str,
    half_hours: Option<u32>,
}

/// Records on a community log: each earn signed by this device and queued
/// for the log (the shown number is its place on this device's copy until
/// the log answers).
async fn record_on_log(
    copy: ledger_core::Ledger,
    followed: api::FollowedLog,
    device: &api::Device,
    residents: &[String],
    earn: Earn<'_>,
    codes: RwSignal<String>,
    lang: Lang,
) -> (ledger_core::Ledger, api::FollowedLog, Vec<Line>) {
    let mut bodies = Vec::new();
    let mut refused = Vec::new();
    let note =
        ledger_core::Text::parse(earn.note.trim(), ledger_core::limits::MAX_TEXT_BYTES, true);
    let activity: Option<ledger_core::ActivityId> = earn.activity.parse().ok();
    let mut accepted = Vec::new();
    for code in residents {
        let body = match (code.parse(), &note, &activity) {
            (Ok(resident), Ok(note), Some(activity)) => copy
                .state()
                .earn_body_for(resident, activity.clone(), note.clone(), earn.half_hours)
                .map_err(|rule| api::ActionError::Refused(rule.into())),
            (Err(_), ..) => Err(api::ActionError::Refused(
                ledger_core::RuleError::UnknownResident(code.clone()).into(),
            )),
            _ => Err(api::ActionError::BadInput(code.clone(), None)),
        };
        match body {
            Ok(body) => {
                bodies.push(body);
                accepted.push(code.clone());
            }
            Err(error) => refused.push((code.clone(), Err(error))),
        }
    }
    let (copy, followed, written) =
        api::write_many_to_log(copy, followed, device, bodies, api::now_ms(), lang).await;
    let mut results: Vec<(String, Result<api::LogReceipt, api::ActionError>)> = match written {
        Ok(each) => accepted.into_iter().zip(each).collect(),
        Err(error) => {
            let message = error.message(lang);
            return (
                copy,
                followed,
                vec![Line {
                    ok: false,
                    text: message,
                }],
            );
        }
    };
    results.extend(refused);
    codes.set(
        results
            .iter()
            .filter(|(_, r)| r.is_err())
            .map(|(c, _)| c.clone())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let lines = results
        .into_iter()
        .map(|(code, result)| match result {
            Ok(receipt) => Line {
                ok: true,
                text: format!(
                    "{code} {} {} · {}",
                    t(lang, "officer.recorded"),
                    receipt.provisional,
                    t(lang, "officer.queued_for_log")
                ),
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
        .collect();
    (copy, followed, lines)
}

/// Reverses an entry on a community log: signed by this device and queued
/// for the log.
async fn reverse_on_log(
    copy: ledger_core::Ledger,
    followed: api::FollowedLog,
    device: &api::Device,
    seq: u64,
    reason: &str,
    lang: Lang,
) -> (
    ledger_core::Ledger,
    api::FollowedLog,
    Result<u64, api::ActionError>,
) {
    let reason =
        match ledger_core::Text::parse(reason.trim(), ledger_core::limits::MAX_TEXT_BYTES, false) {
            Ok(reason) => reason,
            Err(problem) => {
                let error = api::ActionError::BadInput("reason".to_owned(), Some(problem));
                return (copy, followed, Err(error));
            }
        };
    let body = ledger_core::Body::Reverse {
        entry: ledger_core::Seq(seq),
        reason,
    };
    let (copy, followed, result) =
        api::write_to_log(copy, followed, device, body, api::now_ms(), lang).await;
    (copy, followed, result.map(|receipt| receipt.provisional))
}
