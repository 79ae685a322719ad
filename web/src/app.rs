//! The app shell: the language toggle (also `?lang=en`), loading the
//! ledger from IndexedDB, the first-run offer of a demo community, the
//! tabs, and the ledger head in the footer.

use ledger_core::{Lang, Ledger};
use leptos::prelude::*;

use crate::api::{self, Device, LoadError};
use crate::i18n::t;
use crate::pages::audit::{AuditPage, ImportForm};
use crate::pages::kiosk::KioskPage;
use crate::pages::officer::OfficerPage;
use crate::pages::resident::ResidentPage;

/// The UI language, shared by every screen.
#[derive(Clone, Copy)]
pub struct AppLang(pub RwSignal<Lang>);

/// The verified ledger (None until loaded) and this device's key.
#[derive(Clone, Copy)]
pub struct AppLedger {
    /// The ledger, read with `with` (never cloned) and changed only
    /// through `api`.
    pub ledger: RwSignal<Option<Ledger>>,
    /// This device's keys.
    pub device: RwSignal<Device>,
}

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
    };
    provide_context(state);
    let status = RwSignal::new(Status::Loading);
    let tab = RwSignal::new(Tab::Resident);
    let loaded = move |result: Result<Option<(Ledger, Device)>, LoadError>| match result {
        Ok(Some((ledger, device))) => {
            state.ledger.set(Some(ledger));
            state.device.set(device);
            status.set(Status::Ready);
        }
        Ok(None) => status.set(Status::Empty),
        Err(error) => status.set(Status::Failed(error)),
    };
    leptos::task::spawn_local(async move { loaded(api::load().await) });
    let load_demo = move |_| {
        status.set(Status::Loading);
        leptos::task::spawn_local(async move { loaded(api::load_demo().await.map(Some)) });
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
    let tab_button = move |which: Tab, key: &'static str| {
        view! {
            <button
                class="tab"
                aria-pressed=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {move || t(lang.get(), key)}
            </button>
        }
    };
    view! {
        <header class="bar">
            <h1>{move || t(lang.get(), "app.title")}</h1>
            <button
                class="lang"
                on:click=move |_| lang.update(|l| *l = if *l == Lang::Zh { Lang::En } else { Lang::Zh })
            >
                {move || t(lang.get(), "app.lang_toggle")}
            </button>
        </header>
        <main>
            {move || match status.get() {
                Status::Loading => view! {
                    <p class="loading" role="status">
                        <progress></progress>
                        {t(lang.get(), "loading")}
                    </p>
                }
                    .into_any(),
                Status::Empty => view! {
                    <section class="first-run">
                        <p>{t(lang.get(), "empty")}</p>
                        <button class="primary" on:click=load_demo>{t(lang.get(), "demo.offer")}</button>
                        <p class="hint">{t(lang.get(), "demo.hint")}</p>
                    </section>
                }
                    .into_any(),
                // A stored ledger that does not verify is never shown: the
                // app says what is wrong and offers a way back.
                Status::Failed(error) => view! {
                    <section class="failed">
                        <p class="error" role="alert">{error.message(lang.get())}</p>
                        <p>{t(lang.get(), "failed.offer")}</p>
                        <ImportForm on_imported=Callback::new(move |()| status.set(Status::Ready)) />
                    </section>
                }
                    .into_any(),
                Status::Ready => view! {
                    <nav class="tabs">
                        {tab_button(Tab::Resident, "tab.resident")}
                        {tab_button(Tab::Kiosk, "tab.kiosk")}
                        {tab_button(Tab::Officer, "tab.officer")}
                        {tab_button(Tab::Audit, "tab.audit")}
                    </nav>
                    {move || match tab.get() {
                        Tab::Resident => view! { <ResidentPage /> }.into_any(),
                        Tab::Kiosk => view! { <KioskPage /> }.into_any(),
                        Tab::Officer => view! { <OfficerPage /> }.into_any(),
                        Tab::Audit => view! { <AuditPage /> }.into_any(),
                    }}
                    <footer class="head">
                        {move || {
                            state
                                .ledger
                                .with(|ledger| {
                                    ledger
                                        .as_ref()
                                        .map(|l| {
                                            format!(
                                                "{} {} · {} · {} {}",
                                                t(lang.get(), "head"),
                                                l.head().seq,
                                                l.head().hash.short(),
                                                l.len(),
                                                t(lang.get(), "entries"),
                                            )
                                        })
                                })
                        }}
                    </footer>
                }
                    .into_any(),
            }}
        </main>
    }
}
