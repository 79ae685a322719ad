//! Downloading a published ledger: the request (or the one `index.html`
//! started early), the body read as it comes with its line ends found, and
//! the messages of the worker that downloads it on a first visit.

use ledger_core::verify::LineEnds;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::timers::{SLICE_MS, method, sleep};
use super::workers::next_streamed;

/// Fetches a published ledger file as bytes (no detour through a JS
/// string): `Ok(None)` for a 404.
pub(crate) async fn fetch_bytes(url: &str) -> Result<Option<Vec<u8>>, String> {
    Ok(read_response(start_fetch(url))
        .await?
        .map(|download| download.bytes))
}

/// A downloaded body: in WebAssembly memory, and as the `Uint8Array`s it
/// came in (for a worker); with its line ends, found as it came.
pub(crate) struct Download {
    pub(crate) bytes: Vec<u8>,
    pub(super) parts: js_sys::Array,
    pub(super) ends: LineEnds,
}

/// The largest body whose room is made at once from its stated length.
pub(super) const MOST_AHEAD: usize = 1 << 30;

/// Starts fetching `url` (the request goes out now, whenever the answer
/// is awaited). The page's first request for it, started by `index.html`
/// before the app loaded, is taken over if there is one.
pub(crate) fn start_fetch(url: &str) -> Result<JsFuture, String> {
    if let Some(early) = take_early_fetch(url) {
        return Ok(JsFuture::from(early));
    }
    request(url, "GET")
}

/// Sends a `method` request for `url`, never answered from a stale cache.
pub(super) fn request(url: &str, method: &str) -> Result<JsFuture, String> {
    let fetch = js_sys::Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("fetch is not available")?;
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"cache".into(), &"no-cache".into());
    let _ = js_sys::Reflect::set(&options, &"method".into(), &method.into());
    let promise = fetch
        .call2(&JsValue::NULL, &url.into(), &options)
        .map_err(describe)?;
    Ok(JsFuture::from(js_sys::Promise::from(promise)))
}

/// Whether a file is published at `url`: a HEAD request, so nothing is
/// downloaded.
pub(crate) async fn exists(url: &str) -> bool {
    let Ok(response) = request(url, "HEAD") else {
        return false;
    };
    response
        .await
        .is_ok_and(|response| (200.0..300.0).contains(&status(&response)))
}

/// A fetch response's HTTP status (0 if it has none).
pub(super) fn status(response: &JsValue) -> f64 {
    js_sys::Reflect::get(response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0)
}

/// The request `index.html` started for `url`, once (a later fetch, a
/// re-follow, goes to the network again).
pub(super) fn take_early_fetch(url: &str) -> Option<js_sys::Promise> {
    let global: js_sys::Object = js_sys::global();
    let key = JsValue::from_str("jifenEarlyFetch");
    let early = js_sys::Reflect::get(&global, &key)
        .ok()
        .filter(JsValue::is_object)?;
    let _ = js_sys::Reflect::delete_property(&global, &key);
    let same = js_sys::Reflect::get(&early, &"url".into())
        .ok()
        .and_then(|u| u.as_string())
        .is_some_and(|u| u == url);
    if !same {
        return None;
    }
    js_sys::Reflect::get(&early, &"response".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// What a response's HTTP `status` means before its body is read: `None`
/// for a success, `Ok(None)` for a 404 (no file there), an error for any
/// other status.
pub(super) fn unsuccessful(status: f64) -> Option<Result<Option<Download>, String>> {
    match status {
        200.0..300.0 => None,
        404.0 => Some(Ok(None)),
        // As a whole number: formatting an f64 would add its own code.
        _ => Some(Err(format!("HTTP {}", status as u16))),
    }
}

/// A file the page was asked to follow (`explicit`, `?ledger=URL`) that is
/// not there is an error; the default `ledger.jsonl` may simply be absent.
pub(super) fn required(
    published: Result<Option<Download>, String>,
    url: &str,
    explicit: bool,
) -> Result<Option<Download>, String> {
    match published {
        Ok(None) if explicit => Err(format!("404 {url}")),
        other => other,
    }
}

/// The body of a fetch started by [`start_fetch`]: `Ok(None)` for a 404.
pub(crate) async fn read_response(
    started: Result<JsFuture, String>,
) -> Result<Option<Download>, String> {
    let response = started?.await.map_err(describe)?;
    if let Some(unsuccessful) = unsuccessful(status(&response)) {
        return unsuccessful;
    }
    let length = js_sys::Reflect::get(&response, &"headers".into())
        .ok()
        .and_then(|headers| {
            method(&headers, "get")?
                .call1(&headers, &"content-length".into())
                .ok()
        })
        .and_then(|length| length.as_string()?.parse::<usize>().ok());
    let reader = js_sys::Reflect::get(&response, &"body".into())
        .ok()
        .filter(JsValue::is_object)
        .and_then(|body| method(&body, "getReader")?.call0(&body).ok());
    match reader {
        // Read as it arrives, each part copied into WebAssembly memory
        // while the rest downloads (rather than all of it at the end); a
        // compressed answer states no length. Taking the reader locks the
        // body, so there is no other way to read it after.
        Some(reader) => read_stream(&reader, length.unwrap_or(0)).await.map(Some),
        None => {
            let buffer = method(&response, "arrayBuffer")
                .ok_or("no arrayBuffer()")?
                .call0(&response)
                .map_err(describe)?;
            let buffer = JsFuture::from(js_sys::Promise::from(buffer))
                .await
                .map_err(describe)?;
            let whole = js_sys::Uint8Array::new(&buffer);
            let bytes = whole.to_vec();
            let mut ends = LineEnds::default();
            ends.search(&bytes);
            Ok(Some(Download {
                bytes,
                parts: js_sys::Array::of1(&whole),
                ends,
            }))
        }
    }
}

/// Reads a body from its stream `reader`; `length` is what the server
/// said it would be.
pub(super) async fn read_stream(reader: &JsValue, length: usize) -> Result<Download, String> {
    let read = method(reader, "read").ok_or("no read()")?;
    let mut bytes = Vec::new();
    // Room for what the server said, if there is that much (a wrong length
    // only costs the room, or a later move).
    let _ = bytes.try_reserve_exact(length.min(MOST_AHEAD));
    let parts = js_sys::Array::new();
    let mut ends = LineEnds::default();
    let mut since = js_sys::Date::now();
    loop {
        // Parts that have already arrived come back without the browser
        // running anything else in between: let it, now and then (the
        // worker's start, above all, waits for the page's turn).
        if js_sys::Date::now() - since > SLICE_MS / 2.0 {
            sleep(0.0).await;
            since = js_sys::Date::now();
        }
        let next = read.call0(reader).map_err(describe)?;
        let next = JsFuture::from(js_sys::Promise::from(next))
            .await
            .map_err(describe)?;
        let done = js_sys::Reflect::get(&next, &"done".into()).map_err(describe)?;
        if done.as_bool() != Some(false) {
            break;
        }
        let part = js_sys::Reflect::get(&next, &"value".into())
            .map_err(describe)?
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| "not bytes".to_owned())?;
        // Through a buffer that is reused part after part: growing the
        // list first would write zeros to all of it (~30 ms for 45 MB),
        // and a copy is much faster than that.
        bytes.extend_from_slice(&part.to_vec());
        parts.push(&part);
        // While the next part downloads: the replay then need not search
        // the whole file for its lines.
        ends.search(&bytes);
    }
    Ok(Download { bytes, parts, ends })
}

pub(super) fn describe(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "network error".to_owned())
}

/// What the worker that downloads a first visit's file says next
/// (`index.html` asks it to; `js/pool.js` passes its messages on).
pub(super) enum Streamed {
    /// The response came: its HTTP status and stated length.
    Head { status: f64, length: Option<usize> },
    /// The next part of the body.
    Part(js_sys::Uint8Array),
    /// The whole body came, and what the worker found checking its lines'
    /// SHA-256 (the core's hash answer; `None`: it could not check them).
    End(Option<js_sys::Uint8Array>),
    /// The download failed, or the worker did.
    Failed(String),
}

pub(super) async fn next_streamed_message() -> Streamed {
    read_streamed(JsFuture::from(next_streamed()).await)
}

pub(super) fn read_streamed(message: Result<JsValue, JsValue>) -> Streamed {
    let message = message.unwrap_or(JsValue::NULL);
    let get =
        |name: &str| js_sys::Reflect::get(&message, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(part) = get("part").dyn_into::<js_sys::Uint8Array>() {
        return Streamed::Part(part);
    }
    if let Some(status) = get("status").as_f64() {
        let length = get("length").as_string().and_then(|l| l.parse().ok());
        return Streamed::Head { status, length };
    }
    if get("end").as_bool() == Some(true) {
        return Streamed::End(get("answer").dyn_into::<js_sys::Uint8Array>().ok());
    }
    Streamed::Failed(
        get("error")
            .as_string()
            .unwrap_or_else(|| "network error".to_owned()),
    )
}

/// Whether the worker is downloading `url` for this page (then the page
/// takes it over, once).
pub(super) fn take_stream(url: &str) -> bool {
    let stream = js_sys::Reflect::get(&js_sys::global(), &"jifenStream".into())
        .ok()
        .filter(JsValue::is_object);
    let Some(stream) = stream else {
        return false;
    };
    let get = |name: &str| js_sys::Reflect::get(&stream, &name.into()).unwrap_or_default();
    let ours = get("url").as_string().is_some_and(|u| u == url) && get("taken").is_undefined();
    ours && js_sys::Reflect::set(&stream, &"taken".into(), &JsValue::TRUE).is_ok()
}
