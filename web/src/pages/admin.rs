//! The admin screen: the head to publish (text, QR code, print), export of
//! the ledger file, this device's keys, and forms for actors (register a
//! device's key, retire or re-activate), residents, activities, rewards and
//! stock. Every form writes one entry signed by this device's admin key;
//! the rules in `ledger-core` decide, and a refusal says why.

use leptos::prelude::*;

use crate::api::{self, AdminInput};
use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// A labelled text input bound to `value`.
fn text_field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    lang: RwSignal<ledger_core::Lang>,
) -> impl IntoView {
    view! {
        <label for=id>{tr(lang, label)}</label>
        <input id=id prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
    }
}

/// A labelled checkbox bound to `value`.
fn check_field(
    label: &'static str,
    value: RwSignal<bool>,
    lang: RwSignal<ledger_core::Lang>,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || value.get() on:change=move |e| value.set(event_target_checked(&e)) />
            {tr(lang, label)}
        </label>
    }
}

/// The head as a QR code (SVG markup), for the notice board.
pub fn head_qr(head: &str) -> String {
    use qrcode::render::svg;
    qrcode::QrCode::with_error_correction_level(head.as_bytes(), qrcode::EcLevel::M)
        .map(|code| {
            code.render::<svg::Color>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// The admin screen.
#[component]
pub fn AdminPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { ledger, device, .. } = expect_context::<AppLedger>();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<(bool, String)>);
    // Writes one admin entry from a form, with the ledger taken out of its
    // signal meanwhile; `done` runs when it was written.
    let submit = move |input: AdminInput, done: Box<dyn FnOnce()>| {
        if busy.get_untracked() {
            return;
        }
        let Some(mut copy) = ledger.try_update(Option::take).flatten() else {
            return;
        };
        busy.set(true);
        let (this_device, language) = (device.get_untracked(), lang.get_untracked());
        leptos::task::spawn_local(async move {
            let result = api::administer(&mut copy, &this_device, &input, api::now_ms()).await;
            ledger.set(Some(copy));
            busy.set(false);
            outcome.set(Some(match result {
                Ok(seq) => {
                    done();
                    (true, format!("{} {seq}", t(language, "admin.written")))
                }
                Err(error) => (false, error.message(language)),
            }));
        });
    };

    // Head.
    let head =
        move || ledger.with(|l| l.as_ref().map(|l| l.head().to_string()).unwrap_or_default());
    let qr = Memo::new(move |_| head_qr(&head()));

    // This device's keys.
    let new_key = RwSignal::new(None::<(String, String)>);
    let make_key = move |role: ledger_core::Role| {
        leptos::task::spawn_local(async move {
            match api::new_device_key(role).await {
                Ok(made) => {
                    new_key.set(Some(made));
                    device.set(api::device().await);
                }
                Err(error) => outcome.set(Some((false, error.message(lang.get_untracked())))),
            }
        });
    };

    // Actors.
    let actor_id = RwSignal::new(String::new());
    let actor_role = RwSignal::new("kiosk".to_owned());
    let actor_key = RwSignal::new(String::new());
    let register = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Actor {
            id: actor_id.get_untracked(),
            role: actor_role.get_untracked(),
            pubkey: actor_key.get_untracked(),
            active: true,
        };
        submit(
            input,
            Box::new(move || {
                actor_id.set(String::new());
                actor_key.set(String::new());
            }),
        );
    };
    let toggle_actor = move |id: String| {
        let found = ledger.with_untracked(|l| {
            l.as_ref().and_then(|l| {
                l.state().actor(&id).map(|a| AdminInput::Actor {
                    id: id.clone(),
                    role: a.role.as_str().to_owned(),
                    pubkey: ledger_core::hex::encode(&a.pubkey.0),
                    active: !a.active,
                })
            })
        });
        if let Some(input) = found {
            submit(input, Box::new(|| {}));
        }
    };

    // Residents.
    let code = RwSignal::new(String::new());
    let household = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let resident_active = RwSignal::new(true);
    // Typing a known code fills in what the ledger has, to change it.
    Effect::new(move |_| {
        let typed = code.get();
        ledger.with_untracked(|l| {
            if let Some(r) = l.as_ref().and_then(|l| {
                l.residents()
                    .iter()
                    .find(|r| r.code.as_str() == typed.trim())
            }) {
                household.set(r.household.to_string());
                area.set(r.area.to_string());
                resident_active.set(r.active);
            }
        });
    });
    let save_resident = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Resident {
            code: code.get_untracked(),
            household: household.get_untracked(),
            area: area.get_untracked(),
            active: resident_active.get_untracked(),
        };
        submit(input, Box::new(move || code.set(String::new())));
    };

    // Activities.
    let activity_id = RwSignal::new(String::new());
    let activity_name = RwSignal::new(String::new());
    let activity_points = RwSignal::new(String::new());
    let activity_cap = RwSignal::new(String::new());
    let activity_active = RwSignal::new(true);
    let save_activity = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Activity {
            id: activity_id.get_untracked(),
            name: activity_name.get_untracked(),
            points: activity_points.get_untracked(),
            daily_cap: activity_cap.get_untracked(),
            active: activity_active.get_untracked(),
        };
        submit(input, Box::new(move || activity_id.set(String::new())));
    };

    // Rewards and stock.
    let reward_id = RwSignal::new(String::new());
    let reward_name = RwSignal::new(String::new());
    let reward_cost = RwSignal::new(String::new());
    let reward_active = RwSignal::new(true);
    let save_reward = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Reward {
            id: reward_id.get_untracked(),
            name: reward_name.get_untracked(),
            cost: reward_cost.get_untracked(),
            active: reward_active.get_untracked(),
        };
        submit(input, Box::new(move || reward_id.set(String::new())));
    };
    let stock_reward = RwSignal::new(String::new());
    let stock_delta = RwSignal::new(String::new());
    let stock_note = RwSignal::new(String::new());
    let save_stock = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Stock {
            reward: stock_reward.get_untracked(),
            delta: stock_delta.get_untracked(),
            note: stock_note.get_untracked(),
        };
        submit(input, Box::new(move || stock_delta.set(String::new())));
    };

    let actors = move || {
        ledger.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.actors()
                        .iter()
                        .map(|a| {
                            (
                                a.id.to_string(),
                                a.role,
                                a.active,
                                ledger_core::hex::encode(&a.pubkey.0[..6]),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let rewards = move || {
        ledger.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.rewards()
                        .iter()
                        .map(|r| {
                            (
                                r.id.to_string(),
                                r.name.to_string(),
                                r.cost.to_wire(),
                                r.stock,
                                r.active,
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let activities = move || {
        ledger.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.activities()
                        .iter()
                        .map(|a| {
                            format!(
                                "{} {} · {} · {} {}{}",
                                a.id,
                                a.name,
                                a.points.to_wire(),
                                t(lang.get(), "officer.cap"),
                                a.daily_cap.to_wire(),
                                if a.active { "" } else { " ✕" }
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let resident_count = move || ledger.with(|l| l.as_ref().map_or(0, |l| l.residents().len()));
    let role_name = move |role: ledger_core::Role| match role {
        ledger_core::Role::Admin => t(lang.get(), "role.admin"),
        ledger_core::Role::Officer => t(lang.get(), "role.officer"),
        ledger_core::Role::Kiosk => t(lang.get(), "role.kiosk"),
    };

    view! {
        <section class="admin">
            {move || outcome.get().map(|(ok, text)| {
                view! { <p class="outcome" class:good=ok class:error=!ok role=if ok { "status" } else { "alert" }>{text}</p> }
            })}
            <section class="card head-card">
                <h2>{tr(lang, "admin.head")}</h2>
                <div>
                    <input class="head-text" readonly=true aria-label=tr(lang, "audit.head") prop:value=head />
                    <div class="qr" role="img" aria-label=tr(lang, "admin.qr") inner_html=move || qr.get()></div>
                </div>
                <div class="row wrap">
                    <button on:click=move |_| { let _ = window().print(); }>{tr(lang, "admin.print")}</button>
                    <button on:click=move |_| ledger.with_untracked(|l| if let Some(l) = l { crate::components::download(&l.to_jsonl(), &format!("{}.jsonl", l.id())) })>
                        {tr(lang, "audit.export")}
                    </button>
                </div>
            </section>

            <section class="card">
                <h2>{tr(lang, "admin.device")}</h2>
                <ul class="plain">
                    {move || device.get().public_keys().into_iter().map(|(id, public)| {
                        let status = ledger.with(|l| l.as_ref().and_then(|l| l.state().actor(&id).map(|a| (a.role, a.active))));
                        let label = match status {
                            Some((role, true)) => role_name(role).to_owned(),
                            Some((role, false)) => format!("{} · {}", role_name(role), t(lang.get(), "admin.retired")),
                            None => t(lang.get(), "admin.unregistered").to_owned(),
                        };
                        view! { <li><strong>{id}</strong>" "<span class="hint">{label}</span><br /><code class="key">{public}</code></li> }
                    }).collect_view()}
                </ul>
                <div class="row wrap">
                    <button on:click=move |_| make_key(ledger_core::Role::Kiosk)>{tr(lang, "admin.new_kiosk_key")}</button>
                    <button on:click=move |_| make_key(ledger_core::Role::Officer)>{tr(lang, "admin.new_officer_key")}</button>
                </div>
                {move || new_key.get().map(|(id, public)| {
                    let (fill_id, fill_key) = (id.clone(), public.clone());
                    view! {
                        <p class="good" role="status">{t(lang.get(), "admin.key_made")}<strong>{id}</strong><br /><code class="key">{public}</code></p>
                        <button on:click=move |_| {
                            actor_id.set(fill_id.clone());
                            actor_key.set(fill_key.clone());
                            actor_role.set(fill_id.split('-').next().unwrap_or("kiosk").to_owned());
                        }>{t(lang.get(), "admin.use_key")}</button>
                    }
                })}
            </section>

            <section class="card">
                <h2>{tr(lang, "admin.actors")}</h2>
                <table class="entries">
                    <tbody>
                        {move || actors().into_iter().map(|(id, role, active, key)| {
                            let toggle_id = id.clone();
                            view! {
                                <tr>
                                    <td>{id}</td>
                                    <td>{role_name(role)}</td>
                                    <td class="hash">{key}"…"</td>
                                    <td>
                                        <button class="small" on:click=move |_| toggle_actor(toggle_id.clone())>
                                            {if active { t(lang.get(), "admin.retire") } else { t(lang.get(), "admin.reactivate") }}
                                        </button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <form on:submit=register>
                    {text_field("actor-id", "admin.actor_id", actor_id, lang)}
                    <label for="actor-role">{tr(lang, "admin.role")}</label>
                    <select id="actor-role" prop:value=move || actor_role.get() on:change=move |e| actor_role.set(event_target_value(&e))>
                        <option value="kiosk">{tr(lang, "role.kiosk")}</option>
                        <option value="officer">{tr(lang, "role.officer")}</option>
                        <option value="admin">{tr(lang, "role.admin")}</option>
                    </select>
                    {text_field("actor-key", "admin.pubkey", actor_key, lang)}
                    <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.register")}</button>
                </form>
            </section>

            <section class="card">
                <h2>{tr(lang, "admin.residents")}<small>{resident_count}</small></h2>
                <form on:submit=save_resident>
                    {text_field("resident-code", "admin.resident_code", code, lang)}
                    {text_field("resident-household", "admin.household", household, lang)}
                    {text_field("resident-area", "admin.area", area, lang)}
                    {check_field("admin.active", resident_active, lang)}
                    <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save")}</button>
                </form>
            </section>

            <section class="card">
                <h2>{tr(lang, "admin.activities")}</h2>
                <ul class="plain">{move || activities().into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                <form on:submit=save_activity>
                    {text_field("activity-id", "admin.id", activity_id, lang)}
                    {text_field("activity-name", "admin.name", activity_name, lang)}
                    {text_field("activity-points", "admin.points", activity_points, lang)}
                    {text_field("activity-cap", "admin.daily_cap", activity_cap, lang)}
                    {check_field("admin.active", activity_active, lang)}
                    <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save")}</button>
                </form>
            </section>

            <section class="card">
                <h2>{tr(lang, "admin.rewards")}</h2>
                <table class="entries">
                    <tbody>
                        {move || rewards().into_iter().map(|(id, name, cost, stock, active)| view! {
                            <tr>
                                <td>{id}</td>
                                <td>{name}</td>
                                <td>{cost}</td>
                                <td>{format!("{} {stock}", t(lang.get(), "stock"))}</td>
                                <td>{if active { "" } else { "✕" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <form on:submit=save_reward>
                    {text_field("reward-id", "admin.id", reward_id, lang)}
                    {text_field("reward-name", "admin.name", reward_name, lang)}
                    {text_field("reward-cost", "admin.cost", reward_cost, lang)}
                    {check_field("admin.active", reward_active, lang)}
                    <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save")}</button>
                </form>
                <form on:submit=save_stock>
                    <h3>{tr(lang, "admin.stock")}</h3>
                    {text_field("stock-reward", "admin.reward", stock_reward, lang)}
                    {text_field("stock-delta", "admin.delta", stock_delta, lang)}
                    {text_field("stock-note", "admin.note", stock_note, lang)}
                    <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save_stock")}</button>
                </form>
            </section>
        </section>
    }
}
