//! The admin screen: the head to publish (text, QR code, print), export of
//! the ledger file, this device's keys, and forms for actors (register a
//! device's key, retire or re-activate), residents, activities, rewards and
//! stock. Every form writes one entry signed by this device's admin key;
//! the rules in `ledger-core` decide, and a refusal says why.

use ledger_core::{Lang, Ledger, Role};
use leptos::prelude::*;

use crate::api::{self, AdminInput, Device};
use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger};

/// A labelled text input bound to `value`.
fn text_field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        <label for=id>{tr(lang, label)}</label>
        <input id=id prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
    }
}

/// A labelled checkbox bound to `value`.
fn check_field(label: &'static str, value: RwSignal<bool>, lang: RwSignal<Lang>) -> impl IntoView {
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

/// An entry's receipt (C2SP tlog-proof text) as a QR code, to print on a
/// kiosk's receipt: low error correction, as the text is long.
pub fn receipt_qr(text: &str) -> String {
    use qrcode::render::svg;
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
        .map(|code| {
            code.render::<svg::Color>()
                .min_dimensions(180, 180)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// What every admin card shares: the language, the ledger, this device,
/// and the one write in flight with its outcome.
#[derive(Clone, Copy)]
struct Admin {
    lang: RwSignal<Lang>,
    ledger: RwSignal<Option<Ledger>>,
    log: RwSignal<Option<api::FollowedLog>>,
    device: RwSignal<Device>,
    busy: RwSignal<bool>,
    outcome: RwSignal<Option<(bool, String)>>,
}

impl Admin {
    /// Writes one admin entry from a form, with the ledger (and on a
    /// community log, the log) taken out of its signal meanwhile; `done`
    /// runs when it was written.
    fn submit(self, input: AdminInput, done: Box<dyn FnOnce()>) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(mut copy) = self.ledger.try_update_untracked(Option::take).flatten() else {
            return;
        };
        let followed = self.log.try_update_untracked(Option::take).flatten();
        self.busy.set(true);
        let (this_device, language) = (self.device.get_untracked(), self.lang.get_untracked());
        leptos::task::spawn_local(async move {
            let result = match followed {
                Some(on_log) => match input.body() {
                    Ok(body) => {
                        let (back, on_log, result) = api::write_to_log(
                            copy,
                            on_log,
                            &this_device,
                            body,
                            api::now_ms(),
                            language,
                        )
                        .await;
                        copy = back;
                        self.log.set(Some(on_log));
                        result.map(|receipt| {
                            format!(
                                "{} · {} {}",
                                t(language, "officer.queued_for_log"),
                                t(language, "kiosk.entry"),
                                receipt.provisional
                            )
                        })
                    }
                    Err(error) => {
                        self.log.set(Some(on_log));
                        Err(error)
                    }
                },
                None => api::administer(&mut copy, &this_device, &input, api::now_ms())
                    .await
                    .map(|seq| format!("{} {seq}", t(language, "admin.written"))),
            };
            self.ledger.set(Some(copy));
            self.busy.set(false);
            self.outcome.set(Some(match result {
                Ok(text) => {
                    done();
                    (true, text)
                }
                Err(error) => (false, error.message(language)),
            }));
        });
    }

    fn role_name(self, role: Role) -> &'static str {
        match role {
            Role::Admin => t(self.lang.get(), "role.admin"),
            Role::Officer => t(self.lang.get(), "role.officer"),
            Role::Kiosk => t(self.lang.get(), "role.kiosk"),
            Role::Reviewer => t(self.lang.get(), "role.reviewer"),
        }
    }
}

/// The register-an-actor form, which a key made on this device can fill.
#[derive(Clone, Copy)]
struct ActorForm {
    id: RwSignal<String>,
    role: RwSignal<String>,
    key: RwSignal<String>,
}

/// The admin screen: one card per job.
#[component]
pub fn AdminPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger {
        ledger,
        device,
        log,
        ..
    } = expect_context::<AppLedger>();
    let admin = Admin {
        lang,
        ledger,
        log,
        device,
        busy: RwSignal::new(false),
        outcome: RwSignal::new(None),
    };
    let form = ActorForm {
        id: RwSignal::new(String::new()),
        role: RwSignal::new("kiosk".to_owned()),
        key: RwSignal::new(String::new()),
    };
    view! {
        <section class="admin">
            {move || admin.outcome.get().map(|(ok, text)| {
                view! { <p class="outcome" class:good=ok class:error=!ok role=if ok { "status" } else { "alert" }>{text}</p> }
            })}
            {head_card(admin)}
            {device_card(admin, form)}
            {actors_card(admin, form)}
            {residents_card(admin)}
            {activities_card(admin)}
            {move || admin.log.with(Option::is_some).then(|| penalties_card(admin))}
            {rewards_card(admin)}
        </section>
    }
}

/// The head to publish: as text, as a QR code, printed; and the file.
fn head_card(admin: Admin) -> impl IntoView {
    let Admin {
        lang, ledger, log, ..
    } = admin;
    // On a community log the notice board carries the log's address and
    // the policy that trusts it; a file ledger's, its head.
    let head = move || {
        log.with(|log| log.as_ref().map(api::FollowedLog::notice_address))
            .or_else(|| ledger.with(|l| l.as_ref().map(|l| l.head().to_string())))
            .unwrap_or_default()
    };
    let on_log = Memo::new(move |_| log.with(Option::is_some));
    let qr = Memo::new(move |_| head_qr(&head()));
    let title = move || {
        if on_log.get() {
            t(lang.get(), "admin.notice_address")
        } else {
            t(lang.get(), "admin.head")
        }
    };
    view! {
        <section class="card head-card">
            <h2>{title}</h2>
            <div>
                <input class="head-text" readonly=true prop:value=head
                    aria-label=move || if on_log.get() { t(lang.get(), "admin.notice_address") } else { t(lang.get(), "audit.head") } />
                <div class="qr" role="img" aria-label=tr(lang, "admin.qr") inner_html=move || qr.get()></div>
            </div>
            <div class="row wrap">
                <button on:click=move |_| { let _ = window().print(); }>{tr(lang, "admin.print")}</button>
                <button on:click=move |_| ledger.with_untracked(|l| if let Some(l) = l { crate::components::download(&l.to_jsonl(), &format!("{}.jsonl", l.id())) })>
                    {tr(lang, "audit.export")}
                </button>
            </div>
        </section>
    }
}

/// This device's keys, whether the ledger knows each, and new ones.
fn device_card(admin: Admin, form: ActorForm) -> impl IntoView {
    let Admin {
        lang,
        ledger,
        device,
        outcome,
        ..
    } = admin;
    let new_key = RwSignal::new(None::<(String, String)>);
    let make_key = move |role: Role| {
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
    view! {
        <section class="card">
            <h2>{tr(lang, "admin.device")}</h2>
            <ul class="plain">
                {move || device.get().public_keys().into_iter().map(|(id, public)| {
                    let status = ledger.with(|l| l.as_ref().and_then(|l| l.state().actor(&id).map(|a| (a.role, a.active))));
                    let label = match status {
                        Some((role, true)) => admin.role_name(role).to_owned(),
                        Some((role, false)) => format!("{} · {}", admin.role_name(role), t(lang.get(), "admin.retired")),
                        None => t(lang.get(), "admin.unregistered").to_owned(),
                    };
                    view! { <li><strong>{id}</strong>" "<span class="hint">{label}</span><br /><code class="key">{public}</code></li> }
                }).collect_view()}
            </ul>
            <div class="row wrap">
                <button on:click=move |_| make_key(Role::Kiosk)>{tr(lang, "admin.new_kiosk_key")}</button>
                <button on:click=move |_| make_key(Role::Officer)>{tr(lang, "admin.new_officer_key")}</button>
                <button on:click=move |_| make_key(Role::Reviewer)>{tr(lang, "admin.new_reviewer_key")}</button>
            </div>
            {move || new_key.get().map(|(id, public)| {
                let (fill_id, fill_key) = (id.clone(), public.clone());
                view! {
                    <p class="good" role="status">{t(lang.get(), "admin.key_made")}<strong>{id}</strong><br /><code class="key">{public}</code></p>
                    <button on:click=move |_| {
                        form.id.set(fill_id.clone());
                        form.key.set(fill_key.clone());
                        form.role.set(fill_id.split('-').next().unwrap_or("kiosk").to_owned());
                    }>{t(lang.get(), "admin.use_key")}</button>
                }
            })}
        </section>
    }
}

/// The actors: retire or re-activate one, register a key. Most of its
/// length is the table's and the form's markup.
fn actors_card(admin: Admin, form: ActorForm) -> impl IntoView {
    let Admin {
        lang, ledger, busy, ..
    } = admin;
    // A device's registration QR code, scanned into the id field, fills
    // the whole form.
    Effect::new(move |_| {
        if let Some((id, role, key)) = form.id.with(|text| read_registration(text)) {
            form.id.set(id);
            form.role.set(role);
            form.key.set(key);
        }
    });
    let register = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Actor {
            id: form.id.get_untracked(),
            role: form.role.get_untracked(),
            pubkey: form.key.get_untracked(),
            active: true,
        };
        admin.submit(
            input,
            Box::new(move || {
                form.id.set(String::new());
                form.key.set(String::new());
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
            admin.submit(input, Box::new(|| {}));
        }
    };
    let actors = move || {
        ledger.with(|l| {
            let actors = l.as_ref().map(|l| l.actors()).unwrap_or_default();
            actors
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
    };
    view! {
        <section class="card">
            <h2>{tr(lang, "admin.actors")}</h2>
            <table class="entries">
                <tbody>
                    {move || actors().into_iter().map(|(id, role, active, key)| {
                        let toggle_id = id.clone();
                        view! {
                            <tr>
                                <td>{id}</td>
                                <td>{admin.role_name(role)}</td>
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
                {text_field("actor-id", "admin.actor_id", form.id, lang)}
                <label for="actor-role">{tr(lang, "admin.role")}</label>
                <select id="actor-role" prop:value=move || form.role.get() on:change=move |e| form.role.set(event_target_value(&e))>
                    <option value="kiosk">{tr(lang, "role.kiosk")}</option>
                    <option value="officer">{tr(lang, "role.officer")}</option>
                    {move || admin.log.with(Option::is_some).then(|| view! { <option value="reviewer">{tr(lang, "role.reviewer")}</option> })}
                    <option value="admin">{tr(lang, "role.admin")}</option>
                </select>
                {text_field("actor-key", "admin.pubkey", form.key, lang)}
                <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.register")}</button>
            </form>
        </section>
    }
}

/// A resident: typing a known code fills in what the ledger has, to change it.
fn residents_card(admin: Admin) -> impl IntoView {
    let Admin {
        lang, ledger, busy, ..
    } = admin;
    let code = RwSignal::new(String::new());
    let household = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let active = RwSignal::new(true);
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
                active.set(r.active);
            }
        });
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Resident {
            code: code.get_untracked(),
            household: household.get_untracked(),
            area: area.get_untracked(),
            active: active.get_untracked(),
        };
        admin.submit(input, Box::new(move || code.set(String::new())));
    };
    let count = move || ledger.with(|l| l.as_ref().map_or(0, |l| l.residents().len()));
    let show_card = RwSignal::new(false);
    // The typed code, once it is a registered resident's: its card may be
    // shown and printed.
    let registered = Memo::new(move |_| {
        let typed = code.get();
        ledger.with(|l| {
            l.as_ref().and_then(|l| {
                l.residents()
                    .iter()
                    .find(|r| r.code.as_str() == typed.trim())
                    .map(|r| {
                        (
                            r.code.to_string(),
                            r.household.to_string(),
                            r.area.to_string(),
                        )
                    })
            })
        })
    });
    view! {
        <section class="card">
            <h2>{tr(lang, "admin.residents")}<small>{count}</small></h2>
            <form on:submit=save>
                {text_field("resident-code", "admin.resident_code", code, lang)}
                {text_field("resident-household", "admin.household", household, lang)}
                {text_field("resident-area", "admin.area", area, lang)}
                {check_field("admin.active", active, lang)}
                <div class="row wrap">
                    <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save")}</button>
                    <button type="button" disabled=move || registered.with(Option::is_none) aria-expanded=move || show_card.get().to_string()
                        on:click=move |_| show_card.update(|shown| *shown = !*shown)>{tr(lang, "admin.card")}</button>
                </div>
            </form>
            {move || show_card.get().then(|| registered.get()).flatten().map(|resident| resident_card(resident, ledger, lang))}
        </section>
    }
}

/// A resident's card, to print (ID-1 size, cut out along the dashed
/// line): the code in large type and as a QR code, which the kiosk's
/// scanner types in as if it were keyed.
fn resident_card(
    (code, household, area): (String, String, String),
    ledger: RwSignal<Option<Ledger>>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let community = ledger.with_untracked(|l| l.as_ref().map(|l| l.name().to_string()));
    let qr = resident_qr(&code);
    view! {
        <div class="resident-print">
            <div class="resident-card" data-testid="resident-card">
                <div class="who">
                    <p class="community">{community}</p>
                    <p class="title">{tr(lang, "admin.card_title")}</p>
                    <p class="code">{code.clone()}</p>
                    <p class="where">{tr(lang, "admin.household")} " " {household} " · " {tr(lang, "admin.area")} " " {area}</p>
                    <p class="hint">{tr(lang, "admin.card_hint")}</p>
                </div>
                <div class="card-qr" role="img" aria-label=move || format!("{} {code}", t(lang.get(), "admin.card_qr")) inner_html=qr></div>
            </div>
            <button type="button" on:click=move |_| { let _ = window().print(); }>{tr(lang, "admin.print_card")}</button>
        </div>
    }
}

/// A resident's code as a QR code: medium error correction, as a card is
/// carried in a pocket and wears.
fn resident_qr(code: &str) -> String {
    use qrcode::render::svg;
    qrcode::QrCode::with_error_correction_level(code.as_bytes(), qrcode::EcLevel::M)
        .map(|qr| {
            qr.render::<svg::Color>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// The activities and their points and daily caps.
fn activities_card(admin: Admin) -> impl IntoView {
    let Admin {
        lang, ledger, busy, ..
    } = admin;
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let cap = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    // Review exists on a community log only (format v2).
    let review = RwSignal::new(false);
    let per_hour = RwSignal::new(false);
    let on_log = admin.log;
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Activity {
            id: id.get_untracked(),
            name: name.get_untracked(),
            points: points.get_untracked(),
            daily_cap: cap.get_untracked(),
            active: active.get_untracked(),
            review: review.get_untracked(),
            per_hour: per_hour.get_untracked(),
        };
        admin.submit(input, Box::new(move || id.set(String::new())));
    };
    let activities = move || {
        ledger.with(|l| {
            let activities = l.as_ref().map(|l| l.activities()).unwrap_or_default();
            activities
                .iter()
                .map(|a| {
                    format!(
                        "{} {} · {} · {} {}{}{}{}",
                        a.id,
                        a.name,
                        a.points.to_wire(),
                        t(lang.get(), "officer.cap"),
                        a.daily_cap.to_wire(),
                        if a.review {
                            format!(" · {}", t(lang.get(), "officer.needs_review"))
                        } else {
                            String::new()
                        },
                        if a.per_hour {
                            format!(" · {}", t(lang.get(), "officer.per_hour"))
                        } else {
                            String::new()
                        },
                        if a.active { "" } else { " ✕" }
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card">
            <h2>{tr(lang, "admin.activities")}</h2>
            <ul class="plain">{move || activities().into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
            <form on:submit=save>
                {text_field("activity-id", "admin.id", id, lang)}
                {text_field("activity-name", "admin.name", name, lang)}
                {text_field("activity-points", "admin.points", points, lang)}
                {text_field("activity-cap", "admin.daily_cap", cap, lang)}
                {check_field("admin.active", active, lang)}
                {move || on_log.with(Option::is_some).then(|| check_field("admin.review", review, lang))}
                {move || on_log.with(Option::is_some).then(|| check_field("admin.per_hour", per_hour, lang))}
                <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save")}</button>
            </form>
        </section>
    }
}

/// The penalties (community log only): what one deduction takes, and for
/// how many days it suspends redeeming.
fn penalties_card(admin: Admin) -> impl IntoView {
    let Admin {
        lang, ledger, busy, ..
    } = admin;
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let days = RwSignal::new("0".to_owned());
    let active = RwSignal::new(true);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Penalty {
            id: id.get_untracked(),
            name: name.get_untracked(),
            points: points.get_untracked(),
            suspend_days: days.get_untracked(),
            active: active.get_untracked(),
        };
        admin.submit(input, Box::new(move || id.set(String::new())));
    };
    let penalties = move || {
        ledger.with(|l| {
            let Some(l) = l.as_ref() else {
                return Vec::new();
            };
            l.state()
                .penalties()
                .iter()
                .map(|p| {
                    format!(
                        "{} {} · −{}{}{}",
                        p.id,
                        p.name,
                        p.points.to_wire(),
                        if p.suspend_days > 0 {
                            format!(
                                " · {} {} {}",
                                t(lang.get(), "officer.suspends"),
                                p.suspend_days,
                                t(lang.get(), "officer.days")
                            )
                        } else {
                            String::new()
                        },
                        if p.active { "" } else { " ✕" }
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" data-testid="penalties">
            <h2>{tr(lang, "admin.penalties")}</h2>
            <ul class="plain">{move || penalties().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            <form on:submit=save>
                {text_field("penalty-id", "admin.id", id, lang)}
                {text_field("penalty-name", "admin.name", name, lang)}
                {text_field("penalty-points", "admin.penalty_points", points, lang)}
                {text_field("penalty-days", "admin.suspend_days", days, lang)}
                {check_field("admin.active", active, lang)}
                <button class="primary" type="submit" disabled=move || busy.get()>{tr(lang, "admin.save")}</button>
            </form>
        </section>
    }
}

/// The rewards with their stock, and a stock change. Most of its length
/// is the table's and the two forms' markup.
fn rewards_card(admin: Admin) -> impl IntoView {
    let Admin {
        lang, ledger, busy, ..
    } = admin;
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let cost = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    let household_monthly = RwSignal::new(String::new());
    let on_log = admin.log;
    let save_reward = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let input = AdminInput::Reward {
            id: id.get_untracked(),
            name: name.get_untracked(),
            cost: cost.get_untracked(),
            active: active.get_untracked(),
            household_monthly: household_monthly.get_untracked(),
        };
        admin.submit(input, Box::new(move || id.set(String::new())));
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
        admin.submit(input, Box::new(move || stock_delta.set(String::new())));
    };
    let rewards = move || {
        ledger.with(|l| {
            let rewards = l.as_ref().map(|l| l.rewards()).unwrap_or_default();
            rewards
                .iter()
                .map(|r| {
                    (
                        r.id.to_string(),
                        r.name.to_string(),
                        r.cost.to_wire(),
                        r.stock,
                        r.active,
                        r.household_monthly,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card">
            <h2>{tr(lang, "admin.rewards")}</h2>
            <table class="entries">
                <tbody>
                    {move || rewards().into_iter().map(|(id, name, cost, stock, active, limit)| view! {
                        <tr>
                            <td>{id}</td>
                            <td>{name}</td>
                            <td>{cost}</td>
                            <td>{format!("{} {stock}", t(lang.get(), "stock"))}</td>
                            <td>{limit.map(|n| format!("{} {n}", t(lang.get(), "admin.household_monthly_short")))}</td>
                            <td>{if active { "" } else { "✕" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <form on:submit=save_reward>
                {text_field("reward-id", "admin.id", id, lang)}
                {text_field("reward-name", "admin.name", name, lang)}
                {text_field("reward-cost", "admin.cost", cost, lang)}
                {move || on_log.with(Option::is_some).then(|| text_field("reward-household-monthly", "admin.household_monthly", household_monthly, lang))}
                {check_field("admin.active", active, lang)}
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
    }
}

/// What a device's registration QR code says: its actor id, role and
/// public key, for the admin's scanner to fill the register form with.
fn registration_text(id: &str, public: &str) -> String {
    let role = id.split('-').next().unwrap_or("kiosk");
    format!("jifen-device:{id}:{role}:{public}")
}

/// A registration QR code's text read back: id, role, key.
fn read_registration(text: &str) -> Option<(String, String, String)> {
    let mut parts = text.trim().strip_prefix("jifen-device:")?.split(':');
    let (id, role, key) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none()).then(|| (id.to_owned(), role.to_owned(), key.to_owned()))
}

/// A writing device on a community log that the ledger does not know yet:
/// it makes its own key (kept in IndexedDB, never sent) and shows it, as
/// text and as a QR code, for the admin to register; once the admin's
/// entry reaches this device through the log, the writing screen opens.
#[component]
pub fn DeviceSetup(role: Role) -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { ledger, device, .. } = expect_context::<AppLedger>();
    let failed = RwSignal::new(None::<String>);
    let waiting = move || {
        let keys = device.get().public_keys();
        ledger.with(|l| {
            keys.into_iter()
                .filter(|(id, _)| {
                    l.as_ref()
                        .is_none_or(|l| l.state().actor(id).is_none_or(|a| !a.active))
                })
                .collect::<Vec<_>>()
        })
    };
    let make_key = move |_| {
        leptos::task::spawn_local(async move {
            match api::new_device_key(role).await {
                Ok(_) => device.set(api::device().await),
                Err(error) => failed.set(Some(error.message(lang.get_untracked()))),
            }
        });
    };
    view! {
        <section class="card device-setup" aria-labelledby="device-setup-title">
            <h2 id="device-setup-title">{tr(lang, "setup.title")}</h2>
            <p>{tr(lang, "setup.explain")}</p>
            {move || failed.get().map(|f| view! { <p class="error" role="alert">{f}</p> })}
            {move || {
                let keys = waiting();
                if keys.is_empty() {
                    view! {
                        <button class="primary" on:click=make_key>{tr(lang, "setup.make_key")}</button>
                    }
                    .into_any()
                } else {
                    keys.into_iter()
                        .map(|(id, public)| {
                            let text = registration_text(&id, &public);
                            let qr = head_qr(&text);
                            view! {
                                <div class="registration">
                                    <p role="status">{t(lang.get(), "setup.give_admin")}</p>
                                    <p><strong data-testid="setup-id">{id}</strong></p>
                                    <input class="head-text" readonly=true aria-label=tr(lang, "setup.text") prop:value=text />
                                    <div class="qr" role="img" aria-label=tr(lang, "setup.qr") inner_html=qr></div>
                                    <p class="hint">{t(lang.get(), "setup.waiting")}</p>
                                </div>
                            }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}
