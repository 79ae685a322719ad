//! The IndexedDB layer in a real headless Chromium: append and reload, two
//! tabs racing for the same seq, a transaction aborted midway, and a long
//! write issued in slices, and a snapshot kept only while it matches the
//! stored entries.
#![cfg(target_arch = "wasm32")]

use jifen_web::store::{Store, StoreError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("../../tests/data/golden.jsonl");

fn golden() -> Vec<String> {
    GOLDEN.lines().map(str::to_owned).collect()
}

#[wasm_bindgen_test]
async fn appended_entries_survive_a_reload_and_still_verify() {
    let lines = golden();
    let store = Store::open("test-reload").await.expect("open");
    store
        .append(0, lines[..4].to_vec())
        .await
        .expect("first four");
    store
        .append(4, lines[4..].to_vec())
        .await
        .expect("the rest");
    store.close();
    // A reload: a new connection sees exactly what was committed.
    let reopened = Store::open("test-reload").await.expect("reopen");
    let loaded = reopened.load().await.expect("load");
    assert_eq!(loaded, lines);
    let text: String = loaded.iter().map(|l| format!("{l}\n")).collect();
    let ledger = ledger_core::verify::verify_jsonl(text.as_bytes()).expect("verifies");
    assert_eq!(ledger.len(), 10);
}

#[wasm_bindgen_test]
async fn two_tabs_racing_for_the_same_seq_cannot_fork_the_chain() {
    let lines = golden();
    let first_tab = Store::open("test-race").await.expect("open");
    let second_tab = Store::open("test-race").await.expect("open");
    first_tab
        .append(0, lines[..5].to_vec())
        .await
        .expect("setup");
    // Both tabs believe the ledger has 5 entries and append seq 5 at once.
    let (a, b) = futures::join!(
        first_tab.append(5, vec![lines[5].clone()]),
        second_tab.append(5, vec![lines[5].replace("\"delta\":20", "\"delta\":21")]),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert_eq!(
        loser,
        Err(StoreError::Conflict {
            expected: 5,
            found: 6
        })
    );
    assert_eq!(first_tab.count().await, Ok(6));
    assert_eq!(second_tab.load().await.expect("load").len(), 6);
}

#[wasm_bindgen_test]
async fn a_transaction_aborted_midway_stores_nothing() {
    let lines = golden();
    let store = Store::open("test-abort").await.expect("open");
    store.append(0, lines[..3].to_vec()).await.expect("setup");
    // The second line of the batch is refused after the first was added:
    // the whole transaction rolls back.
    let too_long = "x".repeat(ledger_core::limits::MAX_LINE_BYTES + 1);
    let result = store.append(3, vec![lines[3].clone(), too_long]).await;
    assert_eq!(result, Err(StoreError::BadLine { seq: 4 }));
    assert_eq!(store.load().await.expect("load"), lines[..3].to_vec());
    // A stale writer is refused and changes nothing either.
    assert_eq!(
        store.append(1, vec![lines[1].clone()]).await,
        Err(StoreError::Conflict {
            expected: 1,
            found: 3
        })
    );
    assert_eq!(store.count().await, Ok(3));
}

/// A write of many slices (the store issues 1,024 requests at a time and
/// lets the page draw and take input in between) is still one
/// transaction: refused at its last line it changes nothing, and written
/// whole it is all there after a reload.
#[wasm_bindgen_test]
async fn a_long_write_is_still_one_transaction() {
    let kept = golden()[..3].to_vec();
    let lines: Vec<String> = (0..10_000).map(|i| format!("line {i}")).collect();
    let store = Store::open("test-long").await.expect("open");
    store.append(0, kept.clone()).await.expect("setup");
    let mut refused = lines.clone();
    refused.push("x".repeat(ledger_core::limits::MAX_LINE_BYTES + 1));
    assert_eq!(
        store.replace_all(refused).await,
        Err(StoreError::BadLine { seq: 10_000 })
    );
    assert_eq!(store.load().await.expect("load"), kept);
    store.replace_all(lines.clone()).await.expect("write");
    store.close();
    let reopened = Store::open("test-long").await.expect("reopen");
    assert_eq!(reopened.load().await.expect("load"), lines);
    reopened.close();
}

/// The snapshot `store` holds now.
async fn kept_snapshot(store: &Store) -> Option<Vec<u8>> {
    store.load_quick().await.expect("quick").snapshot
}

#[wasm_bindgen_test]
async fn a_snapshot_is_kept_only_while_the_stored_entries_end_at_its_head() {
    let lines = golden();
    let verified = |n: usize| {
        let text: String = lines[..n].iter().map(|l| format!("{l}\n")).collect();
        ledger_core::verify::verify_jsonl(text.as_bytes()).expect("verifies")
    };
    let (older, newer) = (verified(6), verified(7));
    let this_tab = Store::open("test-snapshot").await.expect("open");
    let other_tab = Store::open("test-snapshot").await.expect("open");
    this_tab
        .append(0, lines[..6].to_vec())
        .await
        .expect("setup");
    // The stored entries end at its head: kept.
    let kept = this_tab
        .save_snapshot(&older.snapshot(), older.head())
        .await;
    assert_eq!(kept, Ok(true));
    assert_eq!(kept_snapshot(&this_tab).await, Some(older.snapshot()));
    // Another tab appends and keeps its newer snapshot; this tab, still
    // at the older head, then tries to keep its own: refused, and the
    // newer one stays.
    other_tab
        .append(6, vec![lines[6].clone()])
        .await
        .expect("append");
    let kept = other_tab
        .save_snapshot(&newer.snapshot(), newer.head())
        .await;
    assert_eq!(kept, Ok(true));
    let kept = this_tab
        .save_snapshot(&older.snapshot(), older.head())
        .await;
    assert_eq!(kept, Ok(false));
    assert_eq!(kept_snapshot(&this_tab).await, Some(newer.snapshot()));
    // Same length, another last entry (a rewritten head): refused too.
    let mut forged = newer.head();
    forged.hash = older.head().hash;
    let kept = this_tab.save_snapshot(&older.snapshot(), forged).await;
    assert_eq!(kept, Ok(false));
    assert_eq!(kept_snapshot(&this_tab).await, Some(newer.snapshot()));
}
