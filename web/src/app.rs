//! The app shell: the language toggle (also `?lang=en`), loading the
//! ledger from IndexedDB, the first-run offer of a demo community, the
//! tabs, and the ledger head in the footer.

use std::sync::Arc;

use ledger_core::{Head, Lang, Ledger};
use leptos::prelude::*;

use crate::api::{self, Device, FollowNotice, LoadError, Opened, Source};
use crate::components::{checking_view, progress_view};
use crate::i18n::{t, tr};
use crate::pages::admin::AdminPage;
use crate::pages::audit::{AuditPage, ImportForm};
use crate::pages::kiosk::KioskPage;
use crate::pages::officer::OfficerPage;
use crate::pages::pin::{PinGate, Unlocked};
use crate::pages::resident::ResidentPage;
use crate::state::{AppLang, AppLedger, Checked};

/// Where loading the ledger stands.
#[derive(Clone, Debug)]
enum Status {
    Loading,
    Empty,
    Ready,
    Failed(LoadError),
}

/// The screens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Resident,
    Kiosk,
    Officer,
    Admin,
    Audit,
}

fn language_from_url() -> Lang {
    js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| js_sys::Reflect::get(&location, &"search".into()))
        .ok()
        .and_then(|search| search.as_string())
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(language_from_url());
    provide_context(AppLang(lang));
    let state = AppLedger {
        ledger: RwSignal::new(None),
        device: RwSignal::new(Device::default()),
        checked: RwSignal::new(Checked::Verified),
        summary: RwSignal::new(None),
    };
    provide_context(state);
    let status = RwSignal::new(Status::Loading);
    let tab = RwSignal::new(Tab::Resident);
    let unlocked = RwSignal::new(false);
    provide_context(Unlocked(unlocked));
    let progress = RwSignal::new((0u64, 0u64));
    let notice = RwSignal::new(None::<FollowNotice>);
    // The stored snapshot did not match the replayed entries.
    let summary_differed = RwSignal::new(false);
    // The head whose snapshot is stored (nothing to keep again).
    let kept = StoredValue::new(None::<Head>);
    let source = Source::from_page();
    // Shows an opened ledger at once, then waits for its signatures (and
    // stores what a followed file added only once they all hold).
    let opened = move |result: Result<Option<Opened>, LoadError>| {
        leptos::task::spawn_local(async move {
            let shown = state.summary.get_untracked();
            state.summary.set(None);
            let opened = match result {
                Ok(Some(opened)) => opened,
                Ok(None) => return status.set(Status::Empty),
                Err(error) => return status.set(Status::Failed(error)),
            };
            let Opened {
                ledger,
                device,
                signatures,
                to_store,
                notice: found,
                summary_matches,
            } = opened;
            if let Some(shown) = shown.filter(|_| summary_matches == Some(true)) {
                kept.set_value(Some(shown.head()));
            }
            summary_differed.set(summary_matches == Some(false));
            let first_new = to_store.as_ref().map(|(first, _)| *first);
            state.checked.set(Checked::Pending(0, signatures.jobs()));
            state.ledger.set(Some(ledger));
            state.device.set(device);
            notice.set(found);
            // Already showing a snapshot: keep the screens (and what was
            // typed into them); they pick the ledger up.
            if !matches!(status.get_untracked(), Status::Ready) {
                status.set(Status::Ready);
            }
            let verified = signatures
                .finish(&move |done, all| state.checked.set(Checked::Pending(done, all)))
                .await;
            let settled = match verified {
                Ok(()) if to_store.is_some() => {
                    // Writing waits until the new entries are stored too.
                    state.checked.set(Checked::Storing);
                    api::store_followed(to_store)
                        .await
                        .map_err(LoadError::Store)
                }
                Ok(()) => Ok(()),
                Err(error) => Err(LoadError::Invalid(error)),
            };
            match settled {
                Ok(()) => state.checked.set(Checked::Verified),
                // A bad signature among what the published file added: keep
                // the stored copy, and say so.
                Err(LoadError::Invalid(error))
                    if first_new.is_some_and(|f| f > 0 && error.seq.0 >= f) =>
                {
                    notice.set(Some(FollowNotice::Invalid(error)));
                    status.set(Status::Loading);
                    opened_again(
                        api::open(&Source::Local, None, &|_, _| {}).await,
                        state,
                        status,
                    );
                }
                Err(LoadError::Store(error)) => {
                    state.checked.set(Checked::Verified);
                    notice.set(Some(FollowNotice::NotStored(error)));
                }
                Err(error) => {
                    state.ledger.set(None);
                    status.set(Status::Failed(error));
                }
            }
        });
    };
    leptos::task::spawn_local(async move {
        // A reopen shows the stored snapshot at once, then reads and
        // replays every entry (and checks they add up to it).
        let shown = api::open_snapshot().await.map(|(snapshot, device)| {
            state.device.set(device);
            Arc::new(snapshot)
        });
        if let Some(snapshot) = &shown {
            state.summary.set(Some(snapshot.clone()));
            state.checked.set(Checked::Replaying);
            status.set(Status::Ready);
        }
        let progress = move |done, total| progress.set((done, total));
        opened(api::open(&source, shown.as_deref(), &progress).await);
    });
    // Keeps a snapshot of every verified, stored ledger (after a write,
    // once writing has paused for a second) for the next reopen.
    Effect::new(move |_| {
        let head = state.ledger.with(|l| l.as_ref().map(Ledger::head));
        let Some(head) = head.filter(|_| state.checked.get() == Checked::Verified) else {
            return;
        };
        if kept.get_value() == Some(head) {
            return;
        }
        leptos::task::spawn_local(async move {
            api::sleep(1000.0).await;
            let bytes = state.ledger.with_untracked(|l| {
                l.as_ref()
                    .filter(|l| l.head() == head && kept.get_value() != Some(head))
                    .map(Ledger::snapshot)
            });
            if let Some(bytes) =
                bytes.filter(|_| state.checked.get_untracked() == Checked::Verified)
            {
                kept.set_value(Some(head));
                api::keep_snapshot(bytes, head).await;
            }
        });
    });
    let demo_error = RwSignal::new(None::<String>);
    // A damaged copy on a device that follows a published file: offer to
    // fetch and verify the file again.
    let refollow_url = RwSignal::new(None::<String>);
    let follow_source = Source::from_page();
    Effect::new(move |_| {
        if matches!(status.get(), Status::Failed(_)) && refollow_url.get_untracked().is_none() {
            let source = follow_source.clone();
            leptos::task::spawn_local(async move {
                refollow_url.set(api::published(&source).await);
            });
        }
    });
    let refollow = move |url: String| {
        status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            match api::refollow(&url, &move |done, total| progress.set((done, total))).await {
                Ok(ledger) => {
                    notice.set(Some(FollowNotice::Updated { new: ledger.len() }));
                    state.ledger.set(Some(ledger));
                    state.device.set(api::device().await);
                    state.checked.set(Checked::Verified);
                    status.set(Status::Ready);
                }
                Err(error) => status.set(Status::Failed(error)),
            }
        });
    };
    let load_demo = move |_| {
        status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            match api::load_demo().await {
                Ok((ledger, device)) => {
                    state.ledger.set(Some(ledger));
                    state.device.set(device);
                    state.checked.set(Checked::Verified);
                    status.set(Status::Ready);
                }
                // Nothing was stored: offer the demo again, and say why.
                Err(error) => {
                    demo_error.set(Some(error.message(lang.get_untracked())));
                    status.set(Status::Empty);
                }
            }
        });
    };
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
    // Whether the entries are still being read after a reopen (a memo:
    // the screens are rebuilt only when that changes, not on every
    // signature batch).
    let replaying = Memo::new(move |_| state.checked.get() == Checked::Replaying);
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
        <header class="bar">
            <h1>{tr(lang, "app.title")}</h1>
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
            {move || match status.get() {
                Status::Loading => view! {
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
                    .into_any(),
                Status::Empty => view! {
                    <section class="first-run">
                        <p>{t(lang.get(), "empty")}</p>
                        <button class="primary" on:click=load_demo>{t(lang.get(), "demo.offer")}</button>
                        <p class="hint">{t(lang.get(), "demo.hint")}</p>
                        {move || demo_error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
                    </section>
                }
                    .into_any(),
                // A stored ledger that does not verify is never shown: the
                // app says what is wrong and offers a way back.
                Status::Failed(error) => view! {
                    <section class="failed">
                        <p class="error" role="alert">{error.message(lang.get())}</p>
                        <p>{t(lang.get(), "failed.offer")}</p>
                        {move || refollow_url.get().map(|url| {
                            let again = url.clone();
                            view! {
                                <button class="primary" on:click=move |_| refollow(again.clone())>
                                    {t(lang.get(), "failed.refollow")}
                                </button>
                            }
                        })}
                        <ImportForm on_imported=Callback::new(move |()| status.set(Status::Ready)) />
                    </section>
                }
                    .into_any(),
                Status::Ready => view! {
                    {move || notice.get().map(|n| notice_view(&n, lang.get()))}
                    {move || summary_differed.get().then(|| view! {
                        <p class="notice alarm" role="alert">{t(lang.get(), "summary.differed")}</p>
                    })}
                    <nav class="tabs">
                        {tab_button(Tab::Resident, "tab.resident")}
                        {tab_button(Tab::Kiosk, "tab.kiosk")}
                        {tab_button(Tab::Officer, "tab.officer")}
                        {tab_button(Tab::Admin, "tab.admin")}
                        {tab_button(Tab::Audit, "tab.audit")}
                    </nav>
                    {move || match tab.get() {
                        Tab::Resident => view! { <ResidentPage /> }.into_any(),
                        // The entries are still being read after a reopen.
                        _ if replaying.get() => {
                            let (done, all) = progress.get();
                            progress_view("loading", done, all, lang.get()).into_any()
                        }
                        Tab::Audit => view! { <AuditPage /> }.into_any(),
                        // Nothing is written onto a ledger whose signatures
                        // are still being checked.
                        writer => (move || match state.checked.get() {
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
                                <PinGate>
                                    {move || match writer {
                                        Tab::Kiosk => view! { <KioskPage /> }.into_any(),
                                        Tab::Admin => view! { <AdminPage /> }.into_any(),
                                        _ => view! { <OfficerPage /> }.into_any(),
                                    }}
                                </PinGate>
                            }
                                .into_any(),
                        })
                            .into_any(),
                    }}
                    <footer
                        class="head"
                        data-checked=move || match state.checked.get() {
                            Checked::Replaying => "replaying",
                            Checked::Pending(..) => "pending",
                            Checked::Storing => "storing",
                            Checked::Verified => "verified",
                        }
                    >
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
                    .into_any(),
            }}
        </main>
    }
}

/// Opens the stored copy again (after a followed file was refused late).
fn opened_again(
    result: Result<Option<Opened>, LoadError>,
    state: AppLedger,
    status: RwSignal<Status>,
) {
    leptos::task::spawn_local(async move {
        let Ok(Some(opened)) = result else {
            return status.set(Status::Failed(match result {
                Err(error) => error,
                _ => LoadError::Store(crate::store::StoreError::Browser("empty".to_owned())),
            }));
        };
        state.ledger.set(Some(opened.ledger));
        state.device.set(opened.device);
        status.set(Status::Ready);
        match opened.signatures.finish(&|_, _| {}).await {
            Ok(()) => state.checked.set(Checked::Verified),
            Err(error) => {
                state.ledger.set(None);
                status.set(Status::Failed(LoadError::Invalid(error)));
            }
        }
    });
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
