//! Any bytes as a ledger file: verification never panics, the fast chain
//! check agrees with the full one, the web app's split replay (a worker
//! checking the hashes) names the same first error, and a file that
//! verifies is exactly the canonical export of what it verified to.
#![no_main]

use ledger_core::verify::{Share, Verifier, check_shared, first_error, split_lines};
use ledger_core::{Seq, VerifyError, VerifyErrorKind};
use libfuzzer_sys::fuzz_target;

/// The first error of a replay split as the web app splits it: another
/// thread checks every line's hash (and the form of `share`'s lines).
fn split_replay(data: &[u8], share: Share) -> Option<VerifyError> {
    let mut errors: Vec<VerifyError> = check_shared(data, 0, share).err().into_iter().collect();
    let (lines, incomplete) = split_lines(data);
    let mut verifier = Verifier::new().sharing(share);
    let mut failed = false;
    for line in lines {
        if let Err(error) = verifier.push_line(line) {
            errors.push(error);
            failed = true;
            break;
        }
    }
    if let Some(batch) = verifier.take_batch(1) {
        errors.extend(batch.verify().err());
    }
    if !failed {
        match verifier.finish() {
            Ok(_) => errors.extend(incomplete.map(|index| VerifyError {
                seq: Seq(index),
                kind: VerifyErrorKind::IncompleteLastLine,
            })),
            Err(error) => errors.push(error),
        }
    }
    first_error(errors)
}

fuzz_target!(|data: &[u8]| {
    let full = ledger_core::verify::verify_jsonl(data);
    let chain = ledger_core::verify::verify_chain_only(data);
    let share = Share::new((data.len() % 9) as u8);
    assert_eq!(
        split_replay(data, share),
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
