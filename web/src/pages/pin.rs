//! The PIN in front of the screens that write (kiosk, officer, admin): a
//! device with keys asks for its PIN once per visit; a device without one
//! asks to choose it first. Five wrong PINs in a row lock the screens for
//! 30 seconds.

use leptos::prelude::*;

use crate::api;
use crate::i18n::t;
use crate::state::{AppLang, AppLedger};

/// Whether the writing screens are unlocked in this tab.
#[derive(Clone, Copy)]
pub struct Unlocked(pub RwSignal<bool>);

/// What the gate knows about this device's PIN.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pin {
    Unknown,
    None,
    Set,
}

/// Shows `children` once the PIN was entered; a device with no key of its
/// own has nothing to protect and goes straight through.
#[component]
pub fn PinGate(children: ChildrenFn) -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { device, .. } = expect_context::<AppLedger>();
    let Unlocked(unlocked) = expect_context::<Unlocked>();
    let pin_state = RwSignal::new(Pin::Unknown);
    let first = RwSignal::new(String::new());
    let second = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let failures = RwSignal::new(0u32);
    let locked_until = RwSignal::new(0.0f64);
    let busy = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        pin_state.set(match api::has_pin().await {
            Ok(true) => Pin::Set,
            _ => Pin::None,
        });
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let language = lang.get_untracked();
        let (pin, repeat) = (first.get_untracked(), second.get_untracked());
        if pin_state.get_untracked() == Pin::None {
            if !api::pin_is_valid(&pin) {
                return message.set(Some(t(language, "pin.invalid").to_owned()));
            }
            if pin != repeat {
                return message.set(Some(t(language, "pin.mismatch").to_owned()));
            }
            busy.set(true);
            leptos::task::spawn_local(async move {
                match api::set_pin(&pin).await {
                    Ok(()) => {
                        pin_state.set(Pin::Set);
                        unlocked.set(true);
                    }
                    Err(error) => message.set(Some(error.message(language))),
                }
                busy.set(false);
            });
            return;
        }
        let now = js_sys::Date::now();
        if now < locked_until.get_untracked() {
            return message.set(Some(t(language, "pin.wait").to_owned()));
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::check_pin(&pin).await {
                Ok(true) => {
                    failures.set(0);
                    message.set(None);
                    unlocked.set(true);
                }
                Ok(false) => {
                    first.set(String::new());
                    failures.update(|n| *n += 1);
                    if failures.get_untracked() >= 5 {
                        failures.set(0);
                        locked_until.set(js_sys::Date::now() + 30_000.0);
                        message.set(Some(t(language, "pin.wait").to_owned()));
                    } else {
                        message.set(Some(t(language, "pin.wrong").to_owned()));
                    }
                }
                Err(error) => message.set(Some(error.message(language))),
            }
            busy.set(false);
        });
    };
    // Only whether the device has keys at all matters here: a new key made
    // on the admin screen must not rebuild (and reset) the screen.
    let has_keys = Memo::new(move |_| device.with(|d| !d.actors().is_empty()));
    view! {
        {move || {
            let has_keys = has_keys.get();
            if unlocked.get() || !has_keys {
                return children().into_any();
            }
            if pin_state.get() == Pin::Unknown {
                return ().into_any();
            }
            let choosing = pin_state.get() == Pin::None;
            view! {
                <form class="pin card" on:submit=submit>
                    <h2>{t(lang.get(), if choosing { "pin.choose_title" } else { "pin.title" })}</h2>
                    <label for="pin">{t(lang.get(), if choosing { "pin.choose" } else { "pin.enter" })}</label>
                    <input id="pin" type="password" inputmode="numeric" autocomplete="off" autofocus=true
                        prop:value=move || first.get() on:input=move |e| first.set(event_target_value(&e)) />
                    {choosing.then(|| view! {
                        <label for="pin-again">{t(lang.get(), "pin.again")}</label>
                        <input id="pin-again" type="password" inputmode="numeric" autocomplete="off"
                            prop:value=move || second.get() on:input=move |e| second.set(event_target_value(&e)) />
                    })}
                    <button class="primary" type="submit" disabled=move || busy.get()>{t(lang.get(), "pin.unlock")}</button>
                    {move || message.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                </form>
            }
                .into_any()
        }}
    }
}
