//! The web app's entry point: in a page, mounts the app; in a Web Worker
//! (`worker.js`), mounts nothing and serves [`check_signature_batch`].
//! Everything else is in the library.

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    if jifen_web::api::in_page() {
        leptos::mount::mount_to_body(jifen_web::app::App);
    }
}

/// Checks a batch of signatures sent by the page as bytes: "" when all
/// hold, "SEQ ACTOR" for the first bad one, `None` for bytes that are not
/// a batch.
#[wasm_bindgen]
pub fn check_signature_batch(bytes: &[u8]) -> Option<String> {
    jifen_web::api::check_signature_batch(bytes)
}
