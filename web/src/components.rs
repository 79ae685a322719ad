//! Widgets more than one screen shows: the resident-code form (a USB
//! scanner types into it), a resident's balance line, progress bars, and a
//! file download.

use ledger_core::{Lang, Ledger};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{t, tr};
use crate::state::AppLang;

/// The form that finds a resident: a labelled input that a USB scanner
/// can type into (the code, then Enter), and a large button. Calls
/// `found` with the trimmed code.
#[component]
pub fn CodeForm(found: Callback<String>) -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let code = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        found.run(code.get_untracked().trim().to_owned());
    };
    view! {
        <form class="lookup" on:submit=submit>
            <label for="resident-code">{tr(lang, "resident.code")}</label>
            <div class="row">
                <input
                    id="resident-code"
                    autocomplete="off"
                    autofocus=true
                    prop:value=move || code.get()
                    on:input=move |event| code.set(event_target_value(&event))
                />
                <button type="submit" class="primary">{tr(lang, "resident.find")}</button>
            </div>
        </form>
    }
}

/// Just the resident's code and balance, and the household's total, for
/// the kiosk.
pub fn resident_summary(ledger: &Ledger, code: &str, lang: Lang) -> AnyView {
    match ledger.state().resident(code) {
        None => view! { <p class="error" role="alert">{t(lang, "resident.unknown")}{code.to_owned()}</p> }.into_any(),
        Some(record) => view! {
            <p class="balance" aria-live="polite">
                <span class="label">{code.to_owned()} " · " {t(lang, "resident.balance")}</span>
                <span class="value" data-testid="balance">{record.balance.to_wire()}</span>
                <span class="unit">{t(lang, "resident.points")}</span>
            </p>
            {crate::pages::resident::household_view(ledger.state(), record, lang)}
        }
        .into_any(),
    }
}

/// The signature check's progress, where a writing screen would be.
pub fn checking_view(done: usize, all: usize, lang: Lang) -> impl IntoView {
    progress_view("checking.signatures", done as u64, all as u64, lang)
}

/// Work in progress (`label` from the string table), with a progress bar.
pub fn progress_view(label: &'static str, done: u64, all: u64, lang: Lang) -> impl IntoView {
    view! {
        <div class="checking" role="status">
            <p>{t(lang, label)}</p>
            // Before the total is known (the entries still being read), a
            // bar without a value: browsers show it as busy, not as stuck.
            <progress max=all.max(1).to_string() value=(all > 0).then(|| done.to_string())></progress>
            <p class="hint">{(all > 0).then(|| format!("{done} / {all}"))}</p>
        </div>
    }
}

/// Offers `text` as a file download.
pub fn download(text: &str, name: &str) {
    download_as(text, name, "application/x-ndjson");
}

/// Offers `text` as a file download of type `mime`.
pub fn download_as(text: &str, name: &str, mime: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let anchor = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(name);
        // Some browsers only follow a link that is in the document, and
        // read the object URL after the click returns: revoke it later.
        if let Some(body) = document().body() {
            let _ = body.append_child(&anchor);
            anchor.click();
            anchor.remove();
        }
    }
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}

/// How this device shows the app, for older eyes: a text size (1 standard,
/// 2 large, 3 largest) and high contrast, both remembered by the device
/// (`localStorage`; `index.html` applies them before the app loads, so the
/// first screen is already at the chosen size).
#[derive(Clone, Copy)]
pub struct Display {
    size: RwSignal<u8>,
    contrast: RwSignal<bool>,
}

const TEXT_SIZE: &str = "jifen.text-size";
const CONTRAST: &str = "jifen.contrast";

fn stored(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

fn store(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

impl Display {
    /// The device's remembered choices, kept on `<html>` as they change.
    pub fn start() -> Display {
        let size = stored(TEXT_SIZE)
            .and_then(|s| s.parse().ok())
            .filter(|s| (1..=3).contains(s))
            .unwrap_or(1);
        let display = Display {
            size: RwSignal::new(size),
            contrast: RwSignal::new(stored(CONTRAST).as_deref() == Some("high")),
        };
        Effect::new(move |_| {
            let (size, high) = (display.size.get(), display.contrast.get());
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-text", &size.to_string());
                let _ = root.set_attribute("data-contrast", if high { "high" } else { "normal" });
            }
            store(TEXT_SIZE, &size.to_string());
            store(CONTRAST, if high { "high" } else { "normal" });
        });
        display
    }

    /// The two buttons of the header: the text size (each press one step
    /// larger, then back to standard) and high contrast (pressed or not).
    pub fn controls(self, lang: RwSignal<Lang>) -> impl IntoView {
        let label = move || {
            let step = match self.size.get() {
                1 => t(lang.get(), "display.size_1"),
                2 => t(lang.get(), "display.size_2"),
                _ => t(lang.get(), "display.size_3"),
            };
            format!("{} {step}", t(lang.get(), "display.size"))
        };
        view! {
            <button class="lang" data-testid="text-size" on:click=move |_| self.size.update(|s| *s = *s % 3 + 1)>{label}</button>
            <button class="lang" data-testid="contrast" aria-pressed=move || self.contrast.get().to_string() on:click=move |_| self.contrast.update(|c| *c = !*c)>
                {tr(lang, "display.contrast")}
            </button>
        }
    }
}

/// Whether this browser can read text aloud (`speechSynthesis`).
pub fn can_speak() -> bool {
    web_sys::window().is_some_and(|w| w.speech_synthesis().is_ok())
}

/// Reads `text` aloud in `lang` with the browser's speech synthesis, where
/// the device has it; nothing otherwise.
pub fn speak(text: &str, lang: Lang) {
    let Some(speech) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
        return;
    };
    let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text) else {
        return;
    };
    utterance.set_lang(match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en-US",
    });
    // Slower than the default: most who press it are elderly.
    utterance.set_rate(0.85);
    speech.cancel();
    speech.speak(&utterance);
}
