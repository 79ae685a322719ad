//! Workspace-level tests, in one binary (fast to link, easy to find).

mod boundary;
mod golden;
mod properties;
mod signatures;
mod tamper;
mod tamper_v2;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Verifies a file the way the web app does on a first open (see
/// `ledger_core::verify::verify_in_two_parts`), the replaying thread
/// checking the SHA-256 of `here` lines in every sixteen itself and the
/// other thread that of the rest. Tests compare it with `verify_jsonl`.
pub fn verify_in_two_parts(
    bytes: &[u8],
    here: u8,
) -> Result<ledger_core::Ledger, ledger_core::VerifyError> {
    ledger_core::verify::verify_in_two_parts(bytes, ledger_core::verify::Share::new(here))
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
