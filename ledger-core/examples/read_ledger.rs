//! Read a ledger file from Rust: verify it, print its head, and show one
//! resident's balance and newest entries.
//!
//! ```sh
//! cargo run --example read_ledger -p ledger-core -- tests/data/golden.jsonl JX-0001
//! ```

use ledger_core::verify::verify_jsonl;
use ledger_core::{Lang, format_local_ts};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: read_ledger FILE RESIDENT")?;
    let resident = args.next().ok_or("usage: read_ledger FILE RESIDENT")?;
    let bytes = std::fs::read(&path)?;
    // Every line, hash, link, signature and rule; the first bad seq if any.
    let ledger = verify_jsonl(&bytes).map_err(|error| error.message(Lang::En))?;
    println!("{} entries, head {}", ledger.len(), ledger.head());
    let balance = ledger.balance(&resident).ok_or("no such resident")?;
    println!("{resident}: {balance} points");
    for entry in ledger.history_page(&resident, 0, 5) {
        let when = format_local_ts(entry.ts_ms, ledger.utc_offset_minutes());
        println!(
            "  seq {} {when} {} by {}",
            entry.seq,
            entry.body.type_name(),
            entry.actor
        );
    }
    Ok(())
}
