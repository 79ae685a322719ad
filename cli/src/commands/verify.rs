//! `jifen verify`: the whole check on every core, against a published head
//! or an older copy if asked, or the hash chain only.

use std::path::Path;

use ledger_core::{Head, Lang};
use serde_json::json;

use crate::input::parse;
use jifen::error::CliError;
use jifen::store;

pub(crate) fn verify(
    file: &Path,
    head: Option<&str>,
    extends: Option<&Path>,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let head: Option<Head> = head.map(|h| parse("--head", h)).transpose()?;
    let result = (|| {
        let ledger = store::load(file, !json)?;
        if let Some(head) = &head {
            ledger.check_head(head).map_err(|error| CliError::Head {
                path: file.to_owned(),
                error,
            })?;
        }
        if let Some(older) = extends {
            let older_ledger = store::load(older, !json)?;
            ledger
                .check_extends(&older_ledger)
                .map_err(|error| CliError::Head {
                    path: file.to_owned(),
                    error,
                })?;
        }
        Ok(ledger)
    })();
    match (result, json) {
        (Ok(ledger), false) => {
            jifen::outln!(
                "ok: {} entries, head {} {}",
                ledger.len(),
                ledger.head().seq,
                ledger.head().hash
            );
            Ok(())
        }
        (Ok(ledger), true) => {
            let head = ledger.head();
            jifen::outln!(
                "{}",
                json!({"ok": true, "count": ledger.len(), "head": {"seq": head.seq.0, "hash": head.hash.to_hex()}})
            );
            Ok(())
        }
        (Err(error), true) => {
            let seq = match &error {
                CliError::Verify { error, .. } => Some(error.seq.0),
                CliError::Head { error, .. } => error.seq().map(|s| s.0),
                _ => None,
            };
            jifen::outln!(
                "{}",
                json!({"ok": false, "seq": seq, "kind": error.kind(), "message": error.message(lang)})
            );
            Err(error)
        }
        (Err(error), false) => Err(error),
    }
}

/// `--chain-only`: the hash chain, at the speed of SHA-256.
pub(crate) fn chain_only(file: &Path, json: bool) -> Result<(), CliError> {
    let head = store::chain_only(file)?;
    if json {
        jifen::outln!(
            "{}",
            json!({"ok": true, "count": head.seq.0 + 1, "head": {"seq": head.seq.0, "hash": head.hash.to_hex()}, "checked": "chain"})
        );
    } else {
        jifen::outln!(
            "ok: {} entries, head {} {} (hash chain only)",
            head.seq.0 + 1,
            head.seq,
            head.hash
        );
    }
    Ok(())
}
