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

/// Just the resident's code and balance, for the kiosk.
pub fn resident_summary(ledger: &Ledger, code: &str, lang: Lang) -> AnyView {
    match ledger.balance(code) {
        None => view! { <p class="error" role="alert">{t(lang, "resident.unknown")}{code.to_owned()}</p> }.into_any(),
        Some(balance) => view! {
            <p class="balance" aria-live="polite">
                <span class="label">{code.to_owned()} " · " {t(lang, "resident.balance")}</span>
                <span class="value" data-testid="balance">{balance.to_wire()}</span>
                <span class="unit">{t(lang, "resident.points")}</span>
            </p>
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
