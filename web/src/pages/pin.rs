//! The PIN in front of the screens that write (kiosk, officer, admin): a
//! device with keys asks for its PIN once per visit; a device without one
//! asks to choose it first. Five wrong PINs in a row lock the screens for
//! 30 seconds.

use leptos::prelude::*;

use crate::api;
use crate::i18n::t;
use crate::state::{AppLang, AppLedger};

pub use crate::state::Unlocked;

/// What the gate knows about this device's PIN.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pin {
    Unknown,
    None,
    Set,
}

/// The gate's signals.
#[derive(Clone, Copy)]
struct Gate {
    lang: RwSignal<ledger_core::Lang>,
    unlocked: RwSignal<bool>,
    pin_state: RwSignal<Pin>,
    first: RwSignal<String>,
    second: RwSignal<String>,
    message: RwSignal<Option<String>>,
    failures: RwSignal<u32>,
    locked_until: RwSignal<f64>,
    busy: RwSignal<bool>,
}

impl Gate {
    fn say(self, key: &'static str) {
        self.message
            .set(Some(t(self.lang.get_untracked(), key).to_owned()));
    }

    /// A device without a PIN chooses one (typed twice), and is unlocked.
    fn choose(self, pin: String, repeat: String) {
        if !api::pin_is_valid(&pin) {
            return self.say("pin.invalid");
        }
        if pin != repeat {
            return self.say("pin.mismatch");
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match api::set_pin(&pin).await {
                Ok(()) => {
                    self.pin_state.set(Pin::Set);
                    self.unlocked.set(true);
                }
                Err(error) => self
                    .message
                    .set(Some(error.message(self.lang.get_untracked()))),
            }
            self.busy.set(false);
        });
    }

    /// Checks the PIN; the fifth wrong one in a row locks for 30 seconds.
    fn check(self, pin: String) {
        if js_sys::Date::now() < self.locked_until.get_untracked() {
            return self.say("pin.wait");
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match api::check_pin(&pin).await {
                Ok(true) => {
                    self.failures.set(0);
                    self.message.set(None);
                    self.unlocked.set(true);
                }
                Ok(false) => {
                    self.first.set(String::new());
                    self.failures.update(|n| *n += 1);
                    if self.failures.get_untracked() >= 5 {
                        self.failures.set(0);
                        self.locked_until.set(js_sys::Date::now() + 30_000.0);
                        self.say("pin.wait");
                    } else {
                        self.say("pin.wrong");
                    }
                }
                Err(error) => self
                    .message
                    .set(Some(error.message(self.lang.get_untracked()))),
            }
            self.busy.set(false);
        });
    }
}

/// Shows `children` once the PIN was entered; a device with no key of its
/// own has nothing to protect and goes straight through.
#[component]
pub fn PinGate(children: ChildrenFn) -> impl IntoView {
    let AppLang(lang) = expect_context::<AppLang>();
    let AppLedger { device, .. } = expect_context::<AppLedger>();
    let Unlocked(unlocked) = expect_context::<Unlocked>();
    let gate = Gate {
        lang,
        unlocked,
        pin_state: RwSignal::new(Pin::Unknown),
        first: RwSignal::new(String::new()),
        second: RwSignal::new(String::new()),
        message: RwSignal::new(None),
        failures: RwSignal::new(0),
        locked_until: RwSignal::new(0.0),
        busy: RwSignal::new(false),
    };
    let Gate {
        pin_state,
        first,
        second,
        message,
        busy,
        ..
    } = gate;
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
        let (pin, repeat) = (first.get_untracked(), second.get_untracked());
        if pin_state.get_untracked() == Pin::None {
            gate.choose(pin, repeat);
        } else {
            gate.check(pin);
        }
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
