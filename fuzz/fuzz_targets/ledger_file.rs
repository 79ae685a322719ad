//! Any bytes as a ledger file: verification never panics, the fast chain
//! check agrees with the full one, the web app's split replay (a worker
//! checking the hashes) names the same first error, and a file that
//! verifies is exactly the canonical export of what it verified to.
#![no_main]

use ledger_core::verify::Share;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let full = ledger_core::verify::verify_jsonl(data);
    let chain = ledger_core::verify::verify_chain_only(data);
    let share = Share::new((data.len() % 17) as u8);
    assert_eq!(
        ledger_core::verify::verify_in_two_parts(data, share).err(),
        full.as_ref().err().cloned(),
        "the split replay differs"
    );
    if let Ok(ledger) = &full {
        assert_eq!(
            chain.as_ref().ok(),
            Some(&ledger.head()),
            "a verified file fails the chain check"
        );
        assert_eq!(
            ledger.to_jsonl().as_bytes(),
            data,
            "a verified file is not its own canonical export"
        );
        for resident in ledger.residents() {
            assert!(resident.balance >= ledger_core::Points::ZERO);
        }
        assert!(ledger.rewards().iter().all(|reward| reward.stock >= 0));
    }
});
