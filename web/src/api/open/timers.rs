//! Letting the page breathe while it works: marks on its timeline, a yield
//! to paint, the next animation frame, a sleep.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The page works this long between paints while replaying.
pub(super) const SLICE_MS: f64 = 40.0;

/// Marks a moment of an open on the page's timeline (`performance.mark`),
/// for the browser's developer tools and `cargo xtask web-bench`.
pub(super) fn mark(name: &str) {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .filter(JsValue::is_object);
    if let Some(performance) = performance
        && let Ok(mark) = js_sys::Reflect::get(&performance, &"mark".into())
        && let Ok(mark) = mark.dyn_into::<js_sys::Function>()
    {
        let _ = mark.call1(&performance, &name.into());
    }
}

/// Lets the browser paint (a progress bar) and handle input: with
/// `scheduler.yield()` where the browser has it, which comes back as soon
/// as that is done (a timer, once nested, waits at least 4 ms).
pub(crate) async fn breathe() {
    // Every fourth time a timer instead: `scheduler.yield()` resumes ahead
    // of every other task, and some of them must run meanwhile (handing a
    // worker the messages it was sent while it was still loading).
    static BREATHS: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
    if BREATHS.fetch_add(1, core::sync::atomic::Ordering::Relaxed) % 4 == 3 {
        return sleep(0.0).await;
    }
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into())
        .ok()
        .filter(JsValue::is_object);
    let yielded =
        scheduler.and_then(|scheduler| method(&scheduler, "yield")?.call0(&scheduler).ok());
    match yielded {
        Some(promise) => {
            let _ = JsFuture::from(js_sys::Promise::from(promise)).await;
        }
        None => sleep(0.0).await,
    }
}

/// Waits for the browser's next animation frame, or 100 ms at most (a
/// hidden tab draws no frames); at once where there are none, as in a
/// worker.
pub(crate) async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let frame = method(&global, "requestAnimationFrame");
        if frame.is_none_or(|f| f.call1(&global, &resolve).is_err()) {
            let _ = resolve.call0(&JsValue::NULL);
        }
        if let Some(timer) = method(&global, "setTimeout") {
            let _ = timer.call2(&global, &resolve, &100.into());
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits `ms` milliseconds (a timer; the page stays responsive).
pub async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let timer = method(&global, "setTimeout");
        let started = timer.is_some_and(|f| f.call2(&global, &resolve, &ms.into()).is_ok());
        if !started {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// `object.name` if it is a function.
pub(super) fn method(object: &JsValue, name: &str) -> Option<js_sys::Function> {
    js_sys::Reflect::get(object, &name.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()
}
