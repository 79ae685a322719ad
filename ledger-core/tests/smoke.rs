use ledger_core::demo::{DemoConfig, generate};
use ledger_core::verify::{verify_chain_only, verify_jsonl};

#[test]
fn demo_verifies() {
    let t = std::time::Instant::now();
    let demo = generate(&DemoConfig { residents: 300, entries: 20_000, ..DemoConfig::default() });
    eprintln!("gen {:?}", t.elapsed());
    let text = demo.ledger.to_jsonl();
    eprintln!("{}", text.lines().nth(30).unwrap());
    let t = std::time::Instant::now();
    let ledger = verify_jsonl(text.as_bytes()).unwrap();
    eprintln!("verify {:?}", t.elapsed());
    assert_eq!(ledger.head(), demo.ledger.head());
    assert_eq!(verify_chain_only(text.as_bytes()).unwrap(), demo.ledger.head());
    let mut kinds = std::collections::BTreeMap::new();
    for e in ledger.entries() { *kinds.entry(e.body.type_name()).or_insert(0) += 1; }
    eprintln!("{kinds:?} len {}", ledger.len());
}
