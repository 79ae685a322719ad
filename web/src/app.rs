//! The app shell: the language toggle (also `?lang=en`), the header, and
//! one view per status of the ledger's lifecycle (loading, first run,
//! failed, ready: notices, tabs, the screens and the head in the footer).
//! The lifecycle itself is in `state::lifecycle`.

use ledger_core::Lang;
use leptos::prelude::*;

use crate::api::{self, Device, FollowNotice, LoadError};
use crate::components::{checking_view, progress_view};
use crate::i18n::{t, tr};
#[cfg(feature = "writer")]
use crate::pages::admin::AdminPage;
use crate::pages::audit::AuditPage;
#[cfg(feature = "writer")]
use crate::pages::kiosk::KioskPage;
#[cfg(feature = "writer")]
use crate::pages::officer::OfficerPage;
#[cfg(feature = "writer")]
use crate::pages::pin::PinGate;
use crate::pages::resident::ResidentPage;
#[cfg(feature = "writer")]
use crate::pages::review::ReviewPage;
use crate::state::lifecycle::{Lifecycle, Status};
use crate::state::{AppLang, AppLedger, Checked, Unlocked};

/// The screens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Resident,
    Kiosk,
    Officer,
    Review,
    Admin,
    Audit,
}

fn language_from_url() -> Lang {
    api::page_param("lang")
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}

/// The screen an address opens (`?screen=kiosk`), so that each device can
/// keep a bookmark of its own.
fn tab_from_url() -> Tab {
    match api::page_param("screen").as_deref() {
        Some("kiosk") => Tab::Kiosk,
        Some("officer") => Tab::Officer,
        Some("review") => Tab::Review,
        Some("admin") => Tab::Admin,
        Some("audit") => Tab::Audit,
        _ => Tab::Resident,
    }
}

/// The whole app: the context every screen reads, the lifecycle, and the
/// header over whichever status view is current.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(language_from_url());
    provide_context(AppLang(lang));
    let state = AppLedger {
        ledger: RwSignal::new(None),
        device: RwSignal::new(Device::default()),
        checked: RwSignal::new(Checked::Verified),
        summary: RwSignal::new(None),
        log: RwSignal::new(None),
    };
    provide_context(state);
    let unlocked = RwSignal::new(false);
    provide_context(Unlocked(unlocked));
    let life = Lifecycle::start(state);
    Effect::new(move |_| {
        // Keep <html lang> in step, for screen readers and fonts.
        let tag = match lang.get() {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        };
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", tag);
        }
    });
    let tab = RwSignal::new(tab_from_url());
    let display = crate::components::Display::start();
    view! {
        <header class="bar">
            <h1>{tr(lang, "app.title")}</h1>
            <div class="controls">{display.controls(lang)}</div>
            {move || unlocked.get().then(|| view! {
                <button class="lang" on:click=move |_| unlocked.set(false)>{tr(lang, "pin.lock")}</button>
            })}
            <button
                class="lang"
                on:click=move |_| lang.update(|l| *l = if *l == Lang::Zh { Lang::En } else { Lang::Zh })
            >
                {tr(lang, "app.lang_toggle")}
            </button>
        </header>
        <main>
            {move || match life.status.get() {
                Status::Loading => loading_view(life, lang).into_any(),
                Status::Empty => first_run_view(life, lang).into_any(),
                Status::Failed(error) => failed_view(life, &error, lang).into_any(),
                Status::Ready => ready_view(life, tab, lang).into_any(),
            }}
        </main>
    }
}

/// Reading, replaying or downloading, with a progress bar.
fn loading_view(life: Lifecycle, lang: RwSignal<Lang>) -> impl IntoView {
    let progress = life.progress;
    view! {
        <div class="loading" role="status">
            <p>{tr(lang, "loading")}</p>
            <progress
                max=move || progress.get().1.max(1).to_string()
                value=move || {
                    let (done, total) = progress.get();
                    (total > 0).then(|| done.to_string())
                }
            ></progress>
            <p class="hint">
                {move || {
                    let (done, total) = progress.get();
                    (total > 0).then(|| format!("{done} / {total}"))
                }}
            </p>
        </div>
    }
}

/// Nothing stored yet: the offer of a demo community.
fn first_run_view(life: Lifecycle, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <section class="first-run">
            <p>{t(lang.get(), "empty")}</p>
            {demo_offer(life, lang)}
            {move || life.demo_error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </section>
    }
}

/// A stored ledger that does not verify is never shown: the app says what
/// is wrong and offers a way back.
fn failed_view(life: Lifecycle, error: &LoadError, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <section class="failed">
            <p class="error" role="alert">{error.message(lang.get())}</p>
            <p>{t(lang.get(), "failed.offer")}</p>
            {refollow_offer(life, lang)}
            {import_after_failure(life)}
        </section>
    }
}

/// The notices, the tabs, the current screen and the head in the footer.
fn ready_view(life: Lifecycle, tab: RwSignal<Tab>, lang: RwSignal<Lang>) -> impl IntoView {
    let state = life.state;
    // Whether the entries are still being read after a reopen (a memo: the
    // screens are rebuilt only when that changes, not on every batch).
    let replaying = Memo::new(move |_| state.checked.get() == Checked::Replaying);
    // The writing screens belong to a device that holds a key (and to the
    // app built with them).
    let writes = Memo::new(move |_| {
        cfg!(feature = "writer") && state.device.with(|d| !d.actors().is_empty())
    });
    let tab_button = move |which: Tab, key: &'static str| {
        view! {
            <button
                class="tab"
                aria-pressed=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {tr(lang, key)}
            </button>
        }
    };
    view! {
        {move || life.notice.get().map(|n| notice_view(&n, lang.get()))}
        {move || life.log_notice.get().map(|n| log_notice_view(&n, lang.get()))}
        {move || outbox_view(state, lang.get())}
        {move || life.summary_differed.get().then(|| view! {
            <p class="notice alarm" role="alert">{t(lang.get(), "summary.differed")}</p>
        })}
        <nav class="tabs">
            {tab_button(Tab::Resident, "tab.resident")}
            {move || writes.get().then(|| view! {
                {tab_button(Tab::Kiosk, "tab.kiosk")}
                {tab_button(Tab::Officer, "tab.officer")}
                {move || state.log.with(Option::is_some).then(|| tab_button(Tab::Review, "tab.review"))}
                {tab_button(Tab::Admin, "tab.admin")}
            })}
            {tab_button(Tab::Audit, "tab.audit")}
        </nav>
        {move || match tab.get() {
            Tab::Resident => view! { <ResidentPage /> }.into_any(),
            // A phone that holds no key has no writing screens; a writing
            // device on a log that holds none is offered to make one.
            writer @ (Tab::Kiosk | Tab::Officer | Tab::Review | Tab::Admin) if !writes.get() => setup_view(state, writer).into_any(),
            // The entries are still being read after a reopen.
            _ if replaying.get() => {
                let (done, all) = life.progress.get();
                progress_view("loading", done, all, lang.get()).into_any()
            }
            Tab::Audit => view! { <AuditPage /> }.into_any(),
            writer => writer_view(state, writer, lang).into_any(),
        }}
        {footer_view(state, lang)}
    }
}

/// A good ledger file imported in place of a damaged copy.
#[cfg(feature = "writer")]
fn import_after_failure(life: Lifecycle) -> impl IntoView {
    use crate::pages::audit::ImportForm;
    view! { <ImportForm on_imported=Callback::new(move |()| life.status.set(Status::Ready)) /> }
}

#[cfg(not(feature = "writer"))]
fn import_after_failure(_: Lifecycle) -> impl IntoView {}

/// The role whose key a writing screen needs.
#[cfg(feature = "writer")]
fn tab_role(writer: Tab) -> ledger_core::Role {
    match writer {
        Tab::Kiosk => ledger_core::Role::Kiosk,
        Tab::Review => ledger_core::Role::Reviewer,
        Tab::Admin => ledger_core::Role::Admin,
        _ => ledger_core::Role::Officer,
    }
}

/// A writing screen asked for on a device that holds no key: on a log
/// (in the writer's build), registering this device.
#[cfg(feature = "writer")]
fn setup_view(state: AppLedger, writer: Tab) -> impl IntoView {
    use crate::pages::admin::DeviceSetup;
    let role = tab_role(writer);
    move || match state.log.with(Option::is_some) {
        true => view! { <DeviceSetup role=role /> }.into_any(),
        false => view! { <ResidentPage /> }.into_any(),
    }
}

#[cfg(not(feature = "writer"))]
fn setup_view(_: AppLedger, _: Tab) -> impl IntoView {
    view! { <ResidentPage /> }
}

/// The phone's app has no writing screen.
#[cfg(not(feature = "writer"))]
fn writer_view(_: AppLedger, _: Tab, _: RwSignal<Lang>) -> impl IntoView {
    view! { <ResidentPage /> }
}

/// The demo community, offered on a first run of the whole app.
#[cfg(feature = "writer")]
fn demo_offer(life: Lifecycle, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <button class="primary" on:click=move |_| life.load_demo(lang.get_untracked())>
            {t(lang.get(), "demo.offer")}
        </button>
        <p class="hint">{t(lang.get(), "demo.hint")}</p>
    }
}

#[cfg(not(feature = "writer"))]
fn demo_offer(_: Lifecycle, _: RwSignal<Lang>) -> impl IntoView {}

/// A damaged copy of a followed file: fetching it again.
#[cfg(feature = "writer")]
fn refollow_offer(life: Lifecycle, lang: RwSignal<Lang>) -> impl IntoView {
    move || {
        life.refollow_url.get().map(|url| {
            view! {
                <button class="primary" on:click=move |_| life.refollow(url.clone())>
                    {t(lang.get(), "failed.refollow")}
                </button>
            }
        })
    }
}

#[cfg(not(feature = "writer"))]
fn refollow_offer(_: Lifecycle, _: RwSignal<Lang>) -> impl IntoView {}

/// A screen that writes: nothing is written onto a ledger whose signatures
/// are still being checked, and a wrong clock is said above the PIN.
#[cfg(feature = "writer")]
fn writer_view(state: AppLedger, writer: Tab, lang: RwSignal<Lang>) -> impl IntoView {
    move || {
        match state.checked.get() {
        Checked::Replaying => progress_view("loading", 0, 0, lang.get()).into_any(),
        Checked::Pending(done, all) => checking_view(done, all, lang.get()).into_any(),
        Checked::Storing => checking_view(1, 1, lang.get()).into_any(),
        Checked::Verified => view! {
            {move || {
                let problem = state.ledger.with(|l| {
                    l.as_ref().and_then(|l| api::clock_problem(l, api::now_ms()))
                });
                problem.map(|p| view! {
                    <p class="notice warning" role="alert">{p.message(lang.get())}</p>
                })
            }}
            {move || {
                let unknown = state.log.with(Option::is_some) && state.device.with(|d| {
                    state.ledger.with(|l| l.as_ref().is_some_and(|l| d.actors().iter().all(|id| l.state().actor(id).is_none_or(|a| !a.active))))
                });
                unknown.then(|| view! { <crate::pages::admin::DeviceSetup role=tab_role(writer) /> })
            }}
            <PinGate>
                {move || match writer {
                    Tab::Kiosk => view! { <KioskPage /> }.into_any(),
                    Tab::Review => view! { <ReviewPage /> }.into_any(),
                    Tab::Admin => view! { <AdminPage /> }.into_any(),
                    _ => view! { <OfficerPage /> }.into_any(),
                }}
            </PinGate>
        }
        .into_any(),
    }
    }
}

/// The ledger's head (or the snapshot's while replaying), and how far its
/// check is, for people and for the browser tests.
fn footer_view(state: AppLedger, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <footer
            class="head"
            data-checked=move || match state.checked.get() {
                Checked::Replaying => "replaying",
                Checked::Pending(..) => "pending",
                Checked::Storing => "storing",
                Checked::Verified => "verified",
            }
        >
            {move || witnessing_view(state, lang.get())}
            {move || {
                let head = state.ledger.with(|l| l.as_ref().map(|l| (l.head(), l.len())));
                let head = head.or_else(|| {
                    state.summary.with(|s| s.as_ref().map(|s| (s.head(), s.len())))
                });
                head.map(|(head, len)| {
                    format!(
                        "{} {} · {} · {} {}",
                        t(lang.get(), "head"),
                        head.seq,
                        head.hash.short(),
                        len,
                        t(lang.get(), "entries"),
                    )
                })
            }}
        </footer>
    }
}

/// What following the published file found, above the tabs. A file that
/// rewrites history is a loud warning.
fn notice_view(notice: &FollowNotice, lang: Lang) -> impl IntoView + use<> {
    let (class, text) = match notice {
        FollowNotice::Updated { new } => ("good", format!("{}{new}", t(lang, "follow.updated"))),
        FollowNotice::Unreachable(reason) => (
            "warning",
            format!("{}{reason}", t(lang, "follow.unreachable")),
        ),
        FollowNotice::Rewritten { seq } => (
            "alarm",
            format!(
                "{}{seq}{}",
                t(lang, "follow.rewritten"),
                t(lang, "follow.rewritten_kept")
            ),
        ),
        FollowNotice::Behind { published } => (
            "warning",
            format!("{}{published}", t(lang, "follow.behind")),
        ),
        FollowNotice::Invalid(error) => (
            "alarm",
            format!(
                "{}{}{}",
                t(lang, "follow.invalid"),
                error.message(lang),
                t(lang, "follow.rewritten_kept")
            ),
        ),
        FollowNotice::NotStored(error) => (
            "warning",
            format!("{}{}", t(lang, "follow.not_stored"), error.message(lang)),
        ),
    };
    let role = if class == "good" { "status" } else { "alert" };
    view! { <p class=format!("notice {class}") role=role>{text}</p> }
}

/// What following the community's log found, above the tabs: a log that
/// is not to be trusted is a loud warning.
fn log_notice_view(notice: &api::LogNotice, lang: Lang) -> impl IntoView + use<> {
    let class = match notice {
        api::LogNotice::Updated { .. } => "good",
        _ if notice.alarm() => "alarm",
        _ => "warning",
    };
    let role = if class == "good" { "status" } else { "alert" };
    view! { <p class=format!("notice {class} log-notice") role=role>{notice.message(lang)}</p> }
}

/// The followed log's checkpoint and how far its witnesses vouch for it.
fn witnessing_view(state: AppLedger, lang: Lang) -> Option<impl IntoView + use<>> {
    let w = state
        .log
        .with(|log| log.as_ref().map(|log| log.witnessing.clone()))?;
    let text = match (lang, w.quorum) {
        (Lang::Zh, true) => format!(
            "日志检查点 {} 条 · 已见证（{}/{} 位见证人）",
            w.size, w.cosigned, w.witnesses
        ),
        (Lang::Zh, false) => format!(
            "日志检查点 {} 条 · 尚未见证（{}/{} 位见证人）",
            w.size, w.cosigned, w.witnesses
        ),
        (Lang::En, true) => format!(
            "log checkpoint of {} · witnessed ({} of {} witnesses)",
            w.size, w.cosigned, w.witnesses
        ),
        (Lang::En, false) => format!(
            "log checkpoint of {} · not yet witnessed ({} of {} witnesses)",
            w.size, w.cosigned, w.witnesses
        ),
    };
    Some(view! {
        <p class="witnessing" data-witnessed=w.quorum.to_string() data-size=w.size.to_string()>{text}</p>
    })
}

/// A writing device's entries on their way to the community's log: how
/// many wait and since when, what the offline policy still allows, and
/// what the log refused.
fn outbox_view(state: AppLedger, lang: Lang) -> Option<impl IntoView + use<>> {
    let (waiting, since, oldest, refused, policy, offset) = state.log.with(|log| {
        let log = log.as_ref()?;
        let outbox = &log.outbox;
        let oldest = outbox
            .queue
            .iter()
            .find(|q| q.answered.is_none())
            .map(|q| q.ts_ms);
        Some((
            outbox.waiting(),
            outbox.offline_since,
            oldest,
            outbox.refused.clone(),
            log.parts.policy().copied(),
            state
                .ledger
                .with_untracked(|l| l.as_ref().map(|l| l.utc_offset_minutes()))
                .unwrap_or(480),
        ))
    })?;
    if waiting == 0 && since.is_none() && refused.is_empty() {
        return None;
    }
    let time = |ms: u64| ledger_core::format_local_ts(ms, offset);
    let status = match (since, lang) {
        (Some(_), Lang::Zh) => format!(
            "离线：{waiting} 条记录在本机排队（最早 {}），网络恢复后自动上传。",
            oldest.map(time).unwrap_or_default()
        ),
        (Some(_), Lang::En) => format!(
            "Offline: {waiting} entries queued on this device (the first at {}); they go out by themselves when the network is back.",
            oldest.map(time).unwrap_or_default()
        ),
        (None, Lang::Zh) => format!("正在把 {waiting} 条记录送往社区日志…"),
        (None, Lang::En) => format!("Sending {waiting} entries to the community's log…"),
    };
    let allows = since.map(|_| match (policy, lang) {
        (Some(p), Lang::Zh) => format!(
            "离线规则：每次最多 {} 分，每位居民每天最多 {} 分，最多排队 {} 条，须在 {} 小时内上传。",
            p.max_points.to_wire(),
            p.max_points_per_day.to_wire(),
            p.max_queued,
            p.upload_within_hours
        ),
        (Some(p), Lang::En) => format!(
            "The offline policy allows {} points a redeem, {} points a resident a day, {} entries queued, uploaded within {} hours.",
            p.max_points.to_wire(),
            p.max_points_per_day.to_wire(),
            p.max_queued,
            p.upload_within_hours
        ),
        (None, _) => lang
            .pick(
                "账本没有设定离线规则：离线时不能兑换。",
                "The ledger sets no offline policy: no redeems offline.",
            )
            .to_owned(),
    });
    let class = if since.is_some() {
        "notice warning outbox"
    } else {
        "notice good outbox"
    };
    Some(view! {
        <div class=class role="status" aria-live="polite" data-waiting=waiting.to_string() data-offline=since.is_some().to_string()>
            <p>{status}</p>
            {allows.map(|a| view! { <p class="hint">{a}</p> })}
            {refused.into_iter().map(|why| view! { <p class="error" role="alert">{lang.pick("社区日志拒绝了一条记录：", "The community's log refused an entry: ")}{why}</p> }).collect::<Vec<_>>()}
        </div>
    })
}
