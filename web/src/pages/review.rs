//! The reviewer screen (申请–审核): the claims and deductions no reviewer
//! has decided, oldest first, each with what it is for, its note and photo hash, who
//! recorded it and when; approve it, or reject it with a reason. Each
//! decision is signed by this device and queued for the community's log,
//! like every write, and the resident's balance moves only on approval.

use ledger_core::{Body, Lang, Ledger, Seq, format_local_ts};
use leptos::prelude::*;

use super::desk::{Desk, Line};
use crate::api;
use crate::i18n::{t, tr};

/// A claim as the screen lists it.
#[derive(Clone, PartialEq)]
struct Claim {
    seq: u64,
    resident: String,
    activity: String,
    points: String,
    note: String,
    photo: Option<String>,
    by: String,
    when: String,
    /// A deduction's days of suspension of redeeming, if it is one.
    deduct: Option<u32>,
}

fn pending(ledger: &Ledger) -> Vec<Claim> {
    let state = ledger.state();
    let offset = state.utc_offset_minutes();
    state
        .pending_claims()
        .into_iter()
        .filter_map(|seq| {
            let entry = ledger.entry(seq)?;
            let by = entry.actor.to_string();
            let when = format_local_ts(entry.ts_ms, offset);
            match &entry.body {
                Body::Earn {
                    resident,
                    activity,
                    points,
                    note,
                    photo,
                    ..
                } => Some(Claim {
                    seq: seq.0,
                    resident: resident.to_string(),
                    activity: state
                        .activity(activity.as_str())
                        .map_or(activity.to_string(), |a| a.name.to_string()),
                    points: format!("+{}", points.to_wire()),
                    note: note.to_string(),
                    photo: photo.map(|hash| ledger_core::hex::encode(&hash)),
                    by,
                    when,
                    deduct: None,
                }),
                Body::Deduct {
                    resident,
                    penalty,
                    points,
                    reason,
                } => {
                    let definition = state.penalty(penalty.as_str());
                    Some(Claim {
                        seq: seq.0,
                        resident: resident.to_string(),
                        activity: definition.map_or(penalty.to_string(), |p| p.name.to_string()),
                        points: format!("−{}", points.to_wire()),
                        note: reason.to_string(),
                        photo: None,
                        by,
                        when,
                        deduct: Some(definition.map_or(0, |p| p.suspend_days)),
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// The reviewer screen.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let desk = Desk::from_context();
    let (lang, ledger) = (desk.lang, desk.ledger);
    let claims = move || ledger.with(|l| l.as_ref().map(pending).unwrap_or_default());
    view! {
        <section class="review">
            <h2>{tr(lang, "review.title")}</h2>
            <ul class="outcomes" role="status">
                {move || desk.lines.get().into_iter().map(|line| view! { <li class:error=!line.ok>{line.text}</li> }).collect_view()}
            </ul>
            {move || {
                let claims = claims();
                if claims.is_empty() {
                    return view! { <p class="hint" data-testid="no-claims">{t(lang.get(), "review.none")}</p> }.into_any();
                }
                view! {
                    <ol class="claims">
                        {claims.into_iter().map(|claim| claim_card(desk, claim)).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
}

/// One claim, with its two decisions. Most of its length is the markup.
fn claim_card(desk: Desk, claim: Claim) -> impl IntoView {
    let lang = desk.lang;
    let reason = RwSignal::new(String::new());
    let seq = claim.seq;
    let decide = move |approve: bool| {
        let text = reason.get_untracked();
        desk.act(Box::new(move |(copy, followed), this_device, lang| {
            Box::pin(async move {
                let Some(followed) = followed else {
                    let line = Line {
                        ok: false,
                        text: t(lang, "review.log_only").to_owned(),
                    };
                    return ((copy, None), vec![line]);
                };
                let (copy, followed, line) =
                    decide_on_log(copy, followed, &this_device, seq, approve, &text, lang).await;
                ((copy, Some(followed)), vec![line])
            })
        }));
    };
    let reason_id = format!("reason-{seq}");
    let label = format!("{} {} · {}", claim.resident, claim.activity, claim.points);
    let l = lang.get_untracked();
    let deduction = claim.deduct.map(|days| {
        let suspends = (days > 0).then(|| match l {
            Lang::Zh => format!(" · 取消兑换资格 {days} 天"),
            Lang::En => format!(" · no redeeming for {days} days"),
        });
        view! { <p class="deduction"><strong>{t(l, "review.deduction")}</strong>{suspends}</p> }
    });
    view! {
        <li class="claim" class:deduct=claim.deduct.is_some() data-testid="claim" data-seq=seq.to_string()>
            {deduction}
            <p class="what"><strong>{claim.resident.clone()}</strong> " " {claim.activity} " " <span class="points">{claim.points}</span></p>
            <p class="meta">"#" {seq} " · " {claim.when} " · " {t(lang.get_untracked(), "review.recorded_by")} " " {claim.by}</p>
            {(!claim.note.is_empty()).then(|| view! { <p class="note">{claim.note}</p> })}
            {claim.photo.map(|hash| view! { <p class="photo">{t(lang.get_untracked(), "review.photo")} " " <code>{hash[..16].to_owned()} "…"</code></p> })}
            <label for=reason_id.clone()>{tr(lang, "review.reason")}</label>
            <input id=reason_id prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e)) />
            <div class="decide">
                <button class="primary" aria-label=format!("{} {label}", t(lang.get_untracked(), "review.approve")) disabled=move || desk.busy.get() on:click=move |_| decide(true)>{tr(lang, "review.approve")}</button>
                <button aria-label=format!("{} {label}", t(lang.get_untracked(), "review.reject")) disabled=move || desk.busy.get() on:click=move |_| decide(false)>{tr(lang, "review.reject")}</button>
            </div>
        </li>
    }
}

/// The decision signed by this device and queued for the log: an approval
/// (the reason field is its note), or a rejection, which needs a reason.
async fn decide_on_log(
    copy: Ledger,
    followed: api::FollowedLog,
    device: &api::Device,
    seq: u64,
    approve: bool,
    text: &str,
    lang: Lang,
) -> (Ledger, api::FollowedLog, Line) {
    let limit = ledger_core::limits::MAX_TEXT_BYTES;
    let text = match ledger_core::Text::parse(text.trim(), limit, approve) {
        Ok(text) => text,
        Err(problem) => {
            let error =
                api::ActionError::BadInput(t(lang, "review.reason").to_owned(), Some(problem));
            let line = Line {
                ok: false,
                text: error.message(lang),
            };
            return (copy, followed, line);
        }
    };
    let claim = Seq(seq);
    let body = if approve {
        Body::Approve { claim, note: text }
    } else {
        Body::Reject {
            claim,
            reason: text,
        }
    };
    let (copy, followed, result) =
        api::write_to_log(copy, followed, device, body, api::now_ms(), lang).await;
    let line = match result {
        Ok(receipt) => Line {
            ok: true,
            text: format!(
                "#{seq} {} · {} {} · {}",
                t(
                    lang,
                    if approve {
                        "review.approved"
                    } else {
                        "review.rejected"
                    }
                ),
                t(lang, "officer.recorded"),
                receipt.provisional,
                t(lang, "officer.queued_for_log")
            ),
        },
        Err(error) => Line {
            ok: false,
            text: error.message(lang),
        },
    };
    (copy, followed, line)
}
