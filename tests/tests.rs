//! Workspace-level tests, in one binary (fast to link, easy to find).

mod boundary;
mod golden;
mod properties;
mod tamper;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Verifies a file the way the web app does on a first open: one thread
/// replays it, leaving the SHA-256 of each line and the canonical writing
/// of `eighths` lines in every eight to another thread, and the first
/// error of the two and of the signatures is the answer. Tests compare it
/// with `verify_jsonl`.
pub fn verify_in_two_parts(
    bytes: &[u8],
    eighths: u8,
) -> Result<ledger_core::Ledger, ledger_core::VerifyError> {
    use ledger_core::verify::{Share, Verifier, check_shared, first_error, split_lines};
    use ledger_core::{Seq, VerifyError, VerifyErrorKind};
    let share = Share::new(eighths);
    // The worker's half.
    let mut errors: Vec<VerifyError> = check_shared(bytes, 0, share).err().into_iter().collect();
    // The page's half.
    let (lines, incomplete) = split_lines(bytes);
    let mut verifier = Verifier::new().sharing(share);
    let mut replay_failed = false;
    for line in lines {
        if let Err(error) = verifier.push_line(line) {
            errors.push(error);
            replay_failed = true;
            break;
        }
        if let Some(batch) = verifier.take_batch(512) {
            errors.extend(batch.verify().err());
        }
    }
    if let Some(batch) = verifier.take_batch(1) {
        errors.extend(batch.verify().err());
    }
    let mut ledger = None;
    if !replay_failed {
        match verifier.finish() {
            Ok((replayed, _)) => {
                ledger = Some(replayed);
                errors.extend(incomplete.map(|index| VerifyError {
                    seq: Seq(index),
                    kind: VerifyErrorKind::IncompleteLastLine,
                }));
            }
            Err(error) => errors.push(error),
        }
    }
    match first_error(errors) {
        Some(error) => Err(error),
        None => ledger.ok_or(VerifyError {
            seq: Seq(0),
            kind: VerifyErrorKind::Empty,
        }),
    }
}

/// RFC 8785 canonical JSON of any `serde_json::Value` whose numbers are
/// integers: an encoder written independently of ledger-core's, so that the
/// two can check each other.
pub fn jcs(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(members) => {
            let mut names: Vec<&String> = members.keys().collect();
            names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            let body: Vec<String> = names
                .iter()
                .map(|name| {
                    format!(
                        "{}:{}",
                        jcs(&Value::String((*name).clone())),
                        jcs(&members[*name])
                    )
                })
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(jcs).collect::<Vec<_>>().join(",")),
        Value::String(text) => {
            let mut out = String::from("\"");
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        other => other.to_string(),
    }
}

/// The entry hash recomputed from a line alone: drop `hash` and `sig`,
/// canonicalise, SHA-256, hex.
pub fn recompute_hash(line: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    let object = value.as_object_mut().expect("an object");
    object.remove("hash");
    object.remove("sig");
    Sha256::digest(jcs(&value).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
