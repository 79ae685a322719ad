//! The app shell: the language toggle (also `?lang=en`), loading the
//! ledger from IndexedDB, the first-run offer of a demo community, and the
//! screens.

use std::sync::Arc;

use ledger_core::{Lang, Ledger};
use leptos::prelude::*;

use crate::api::{self, LoadError};
use crate::i18n::t;
use crate::pages::resident::ResidentPage;

/// The UI language, shared by every screen.
#[derive(Clone, Copy)]
pub struct AppLang(pub RwSignal<Lang>);

/// Where loading the ledger stands.
#[derive(Clone, Debug)]
enum Status {
    Loading,
    Empty,
    Ready(Arc<Ledger>),
    Failed(LoadError),
}

fn language_from_url() -> Lang {
    let search = web_sys_search();
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::from_tag)
        .unwrap_or_default()
}

fn web_sys_search() -> String {
    js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| js_sys::Reflect::get(&location, &"search".into()))
        .ok()
        .and_then(|search| search.as_string())
        .unwrap_or_default()
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(language_from_url());
    provide_context(AppLang(lang));
    let status = RwSignal::new(Status::Loading);
    leptos::task::spawn_local(async move {
        status.set(match api::load().await {
            Ok(Some(ledger)) => Status::Ready(ledger),
            Ok(None) => Status::Empty,
            Err(error) => Status::Failed(error),
        });
    });
    let load_demo = move |_| {
        status.set(Status::Loading);
        leptos::task::spawn_local(async move {
            status.set(match api::load_demo().await {
                Ok(ledger) => Status::Ready(ledger),
                Err(error) => Status::Failed(error),
            });
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
                Status::Failed(error) => view! {
                    <p class="error" role="alert">{error.message(lang.get())}</p>
                }
                    .into_any(),
                Status::Ready(ledger) => {
                    let head = ledger.head();
                    let count = ledger.len();
                    view! {
                        <ResidentPage ledger=ledger />
                        <footer class="head">
                            {move || t(lang.get(), "head")} " " {head.seq.0} " · " {head.hash.short()} " · "
                            {count} " " {move || t(lang.get(), "entries")}
                        </footer>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}
