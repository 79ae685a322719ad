//! The audit screen: the verification status, the head (to publish), an
//! entry browser with filters, export of the ledger file, and import of a
//! file, which is verified before anything changes.

use ledger_core::Ledger;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::{checking_view, download, progress_view};
use crate::i18n::{t, tr};
use crate::state::{AppLang, AppLedger, Checked};

/// Entries shown per step of the browser.
const PAGE: usize = 50;

const TYPES: [(&str, &str); 9] = [
    ("earn", "type.earn"),
    ("redeem", "type.redeem"),
    ("reverse", "type.reverse"),
    ("stock", "type.stock"),
    ("reward", "type.reward"),
    ("activity", "type.activity"),
    ("resident", "type.resident"),
    ("actor", "type.actor"),
    ("genesis", "type.genesis"),
];

/// The audit screen.
#[component]
pub fn AuditPage() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger {
        ledger, checked, ..
    } = expect_context::<AppLedger>();
    let kind = RwSignal::new(String::new());
    let resident = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    let rows = move || {
        ledger.with(|l| {
            l.as_ref()
                .map(|l| entry_rows(l, &kind.get(), resident.get().trim(), shown.get()))
                .unwrap_or_default()
        })
    };
    let head =
        move || ledger.with(|l| l.as_ref().map(|l| l.head().to_string()).unwrap_or_default());
    view! {
        <section class="audit">
            <ReceiptCheck />
            {move || match checked.get() {
                Checked::Verified | Checked::Storing => view! { <p class="verified" role="status">{t(lang.get(), "audit.verified")}</p> }.into_any(),
                Checked::Pending(done, all) => checking_view(done, all, lang.get()).into_any(),
                Checked::Replaying => progress_view("loading", 0, 0, lang.get()).into_any(),
            }}
            <label for="head-text">{tr(lang, "audit.head")}</label>
            <input id="head-text" class="head-text" readonly=true prop:value=head />
            <div class="row">
                <button on:click=move |_| ledger.with_untracked(|l| if let Some(l) = l { download(&l.to_jsonl(), &format!("{}.jsonl", l.id())) })>
                    {tr(lang, "audit.export")}
                </button>
            </div>
            {import_form()}
            {notice_card()}
            {passbook_card()}
            {reports_card()}
            <div class="filters row">
                <label>
                    {tr(lang, "audit.filter_type")}
                    <select on:change=move |e| { kind.set(event_target_value(&e)); shown.set(PAGE) }>
                        <option value="">{tr(lang, "audit.all")}</option>
                        {TYPES.iter().map(|(name, key)| view! { <option value=*name>{tr(lang, key)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    {tr(lang, "audit.filter_resident")}
                    <input prop:value=move || resident.get() on:input=move |e| { resident.set(event_target_value(&e)); shown.set(PAGE) } />
                </label>
            </div>
            <table class="entries">
                <thead>
                    <tr>
                        {["col.seq", "col.time", "col.type", "col.actor", "col.body", "col.hash"]
                            .into_iter()
                            .map(|key| view! { <th>{tr(lang, key)}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <button on:click=move |_| shown.update(|n| *n += PAGE)>{tr(lang, "audit.more")}</button>
        </section>
    }
}

/// The newest `limit` entries that match the filters, newest first. A
/// resident filter walks only that resident's history index.
fn entry_rows(ledger: &Ledger, kind: &str, resident: &str, limit: usize) -> Vec<AnyView> {
    let offset = ledger.utc_offset_minutes();
    let matches = |entry: &&ledger_core::Entry| kind.is_empty() || entry.body.type_name() == kind;
    let entries: Vec<&ledger_core::Entry> = if resident.is_empty() {
        ledger
            .entries()
            .iter()
            .rev()
            .filter(matches)
            .take(limit)
            .collect()
    } else {
        ledger
            .history_page(resident, 0, usize::MAX)
            .into_iter()
            .filter(|e| matches(e))
            .take(limit)
            .collect()
    };
    entries
        .into_iter()
        .map(|entry| {
            let line = ledger.line(entry.seq).unwrap_or_default();
            let body = line
                .split("\"body\":")
                .nth(1)
                .and_then(|rest| rest.split(",\"hash\"").next())
                .unwrap_or_default()
                .to_owned();
            view! {
                <tr>
                    <td>{entry.seq.0}</td>
                    <td>{ledger_core::format_local_ts(entry.ts_ms, offset)}</td>
                    <td>{entry.body.type_name()}</td>
                    <td>{entry.actor.to_string()}</td>
                    <td class="body">{body}</td>
                    <td class="hash">{entry.hash.short()}</td>
                </tr>
            }
            .into_any()
        })
        .collect()
}

/// Import of a ledger file: verified completely before it replaces the
/// browser's ledger; a bad file is refused with its first bad seq. Most
/// of its length is markup.
#[cfg(feature = "writer")]
#[component]
pub fn ImportForm(
    /// Called after a file was imported.
    #[prop(optional)]
    on_imported: Option<Callback<()>>,
) -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger {
        ledger,
        device,
        checked,
        ..
    } = expect_context::<AppLedger>();
    let message = RwSignal::new(None::<(bool, String)>);
    let progress = RwSignal::new(None::<(u64, u64)>);
    let on_change = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
                .await
                .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
                .unwrap_or_default();
            let language = lang.get_untracked();
            message.set(None);
            progress.set(Some((0, 0)));
            let result = api::import(&bytes, &move |done, total| {
                progress.set(Some((done, total)));
            })
            .await;
            progress.set(None);
            match result {
                Ok(imported) => {
                    let count = imported.len();
                    ledger.set(Some(imported));
                    checked.set(Checked::Verified);
                    device.set(api::device().await);
                    message.set(Some((
                        true,
                        format!(
                            "{}{count} {}",
                            t(language, "audit.imported"),
                            t(language, "entries")
                        ),
                    )));
                    if let Some(callback) = on_imported {
                        callback.run(());
                    }
                }
                Err(error) => message.set(Some((
                    false,
                    format!(
                        "{}{}",
                        t(language, "audit.refused"),
                        error.message(language)
                    ),
                ))),
            }
        });
    };
    view! {
        <div class="import">
            <label for="import-file">{tr(lang, "audit.import")}</label>
            <input id="import-file" type="file" accept=".jsonl,.json,.txt,application/x-ndjson" on:change=on_change />
            {move || progress.get().map(|(done, total)| view! {
                <progress max=total.max(1).to_string() value=done.to_string()></progress>
            })}
            {move || message.get().map(|(ok, text)| view! { <p class:error=!ok class:good=ok role="alert">{text}</p> })}
        </div>
    }
}

/// A ledger file imported (the one-device ledger's; the phone's app
/// follows a community log instead).
#[cfg(feature = "writer")]
pub fn import_form() -> impl IntoView {
    view! { <ImportForm /> }
}

#[cfg(not(feature = "writer"))]
pub fn import_form() -> impl IntoView {}

/// Checks a receipt (its QR code scanned into the field, or typed, or
/// `?check=` in the address): signed by the community's log, witnessed as
/// the policy says, the entry in it unchanged. No download is needed.
#[component]
fn ReceiptCheck() -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { log, .. } = expect_context::<AppLedger>();
    let text = RwSignal::new(
        api::page_param("check")
            .and_then(|coded| ledger_core::tlog::base64_decode(&coded))
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default(),
    );
    let outcome = RwSignal::new(None::<Result<api::CheckedReceipt, String>>);
    let check = move || {
        let lang = lang.get_untracked();
        let policy = log
            .with_untracked(|l| l.as_ref().map(|l| l.policy.clone()))
            .or_else(|| {
                api::LogSource::from_page()
                    .and_then(|s| s.policy)
                    .and_then(|p| ledger_core::tlog::Policy::parse(&p).ok())
            });
        let result = match policy {
            None => Err(lang
                .pick(
                    "需要社区日志的见证策略：请先打开公告栏上的地址",
                    "the community log's witness policy is needed: open the notice board's address first",
                )
                .to_owned()),
            Some(policy) => log.with_untracked(|l| {
                let copy = l.as_ref().map(|l| l.parts.tree());
                api::check_receipt(&text.get_untracked(), &policy, copy, lang)
            }),
        };
        outcome.set(Some(result));
    };
    if !text.get_untracked().is_empty() {
        // From the address: checked once the log's copy is open.
        Effect::new(move |_| {
            if log.with(Option::is_some) && outcome.get_untracked().is_none() {
                check();
            }
        });
    }
    view! {
        <form class="card receipt-check" on:submit=move |e| { e.prevent_default(); check(); }>
            <h3>{tr(lang, "receipt.title")}</h3>
            <label for="receipt-text">{tr(lang, "receipt.field")}</label>
            <textarea id="receipt-text" rows="4" spellcheck="false"
                prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))></textarea>
            <button class="primary" type="submit">{tr(lang, "receipt.check")}</button>
            {move || outcome.get().map(|result| match result {
                Ok(r) => {
                    let lang = lang.get();
                    let when = ledger_core::format_local_ts(r.log_ts_ms, 480);
                    let first = match (lang, r.witnessed) {
                        (ledger_core::Lang::Zh, true) => format!("这条记录在社区日志中，未被改动：第 {} 条，检查点 {} 条，已见证。", r.index, r.size),
                        (ledger_core::Lang::Zh, false) => format!("这条记录在社区日志中，未被改动：第 {} 条，检查点 {} 条，但尚未见证。", r.index, r.size),
                        (ledger_core::Lang::En, true) => format!("This entry is in the community's log, unchanged: #{} under a checkpoint of {}, witnessed.", r.index, r.size),
                        (ledger_core::Lang::En, false) => format!("This entry is in the community's log, unchanged: #{} under a checkpoint of {}, not yet witnessed.", r.index, r.size),
                    };
                    let copy = r.in_copy.map(|same| if same {
                        lang.pick("与本机保存的日志副本一致。", "It matches this phone's copy of the log.")
                    } else {
                        lang.pick("警告：与本机保存的日志副本不一致！", "Warning: it differs from this phone's copy of the log!")
                    });
                    view! {
                        <div class="notice good" role="status" data-testid="receipt-ok" data-witnessed=r.witnessed.to_string()>
                            <p>{first}</p>
                            <p>{r.what.clone()} " · " {r.actor.clone()} " · " {when}</p>
                            {copy.map(|c| view! { <p>{c}</p> })}
                        </div>
                    }.into_any()
                }
                Err(why) => view! { <p class="notice alarm" role="alert" data-testid="receipt-bad">{why}</p> }.into_any(),
            })}
        </form>
    }
}

/// The month's public notice, on an office's device (the whole app).
#[cfg(feature = "writer")]
fn notice_card() -> impl IntoView {
    view! { <crate::pages::notice::NoticeCard /> }
}

#[cfg(not(feature = "writer"))]
fn notice_card() -> impl IntoView {}

/// A resident's passbook page, on an office's device (the whole app).
#[cfg(feature = "writer")]
fn passbook_card() -> impl IntoView {
    view! { <crate::pages::passbook::PassbookCard /> }
}

#[cfg(not(feature = "writer"))]
fn passbook_card() -> impl IntoView {}

/// The street office's reports, on an office's device (the whole app).
#[cfg(feature = "writer")]
fn reports_card() -> impl IntoView {
    view! { <crate::pages::reports::ReportsCard /> }
}

#[cfg(not(feature = "writer"))]
fn reports_card() -> impl IntoView {}
