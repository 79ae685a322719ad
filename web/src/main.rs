//! The web app's entry point: in a page, mounts the app; in a Web Worker
//! (`worker.js`), mounts nothing and serves [`check_signature_batch`],
//! [`check_line_hashes`] and [`check_streamed_part`].
//! Everything else is in the library.

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    // Before any ledger is read: the state's maps hash with a seed no file
    // can be made against (ledger-core's `seed_maps`).
    if let Some(seed) = jifen_web::api::random_bytes::<8>() {
        ledger_core::seed_maps(u64::from_le_bytes(seed));
    }
    if jifen_web::api::in_page() {
        // A worker loads while the app starts: it checks what the app
        // reads or downloads, and every signature.
        jifen_web::api::start_worker();
        leptos::mount::mount_to_body(jifen_web::app::App);
    }
}

/// Checks a batch of signatures sent by the page as bytes; the answer as
/// ledger-core writes it (`verify::answer`), `None` for bytes that are not
/// a batch.
#[cfg(feature = "writer")]
#[wasm_bindgen]
pub fn check_signature_batch(bytes: &[u8]) -> Option<Vec<u8>> {
    jifen_web::api::check_signature_batch(bytes)
}

/// Checks that each of a file's lines (numbered from `first`, starting
/// `skip` bytes into the `Uint8Array`s `parts`) hashes to the `hash` it
/// states; the answer as ledger-core writes it (the first bad line, if any).
#[cfg(feature = "writer")]
#[wasm_bindgen]
pub fn check_line_hashes(parts: &js_sys::Array, skip: f64, first: f64) -> Vec<u8> {
    jifen_web::api::check_line_hashes(parts, skip, first)
}

/// Checks the SHA-256 of the lines of a file as it downloads, a part at a
/// time (`restart` for the first part of a file; its lines are numbered
/// from 0); the answer as ledger-core writes it (the first bad line, once
/// there is one).
#[cfg(feature = "writer")]
#[wasm_bindgen]
pub fn check_streamed_part(part: &js_sys::Uint8Array, restart: bool) -> Vec<u8> {
    jifen_web::api::check_streamed_part(part, restart)
}

/// Checks a batch of a followed log's signatures sent by the page as
/// bytes; the answer as ledger-core writes it, `None` for bytes that are
/// not a batch.
#[wasm_bindgen]
pub fn check_leaf_signatures(bytes: &[u8]) -> Option<Vec<u8>> {
    jifen_web::api::check_leaf_signatures(bytes)
}

/// Reads and hashes the leaves of a followed log's bundle, for the page's
/// replay (ledger-core's `vouch_bundle`); the answer as bytes.
#[wasm_bindgen]
pub fn vouch_bundle(bytes: &[u8]) -> Vec<u8> {
    jifen_web::api::vouch_bundle(bytes)
}
