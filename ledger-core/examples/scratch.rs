use std::time::Instant;
fn main() {
    let bytes = std::fs::read("/tmp/jt/d.jsonl").unwrap();
    for _ in 0..2 {
    let t = Instant::now();
    ledger_core::verify::verify_chain_only(&bytes).unwrap();
    println!("chain only {:?}", t.elapsed());
    let t = Instant::now();
    let (lines, _) = ledger_core::verify::split_lines(&bytes);
    let mut v = ledger_core::verify::Verifier::new();
    let mut batches = vec![];
    for l in lines { v.push_line(l).unwrap(); if let Some(b) = v.take_batch(4096) { batches.push(b); } }
    println!("rules+chain {:?}", t.elapsed());
    for size in [1] {
        let t = Instant::now();
        for b in &batches { b.verify().unwrap(); }
        println!("sigs {size} {:?} ({} batches)", t.elapsed(), batches.len());
    }
    }
}
