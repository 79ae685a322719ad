//! Checking a receipt (C2SP tlog-proof, the leaf as its extra data) on a
//! phone: the checkpoint signed by the community's log and cosigned by
//! its witnesses as the policy says, and the inclusion proof from the
//! leaf to its root. No download is needed; a phone that follows the log
//! also compares the leaf with its own copy.

use ledger_core::log::Leaf;
use ledger_core::tlog::{Policy, TlogProof, Tree, leaf_hash};
use ledger_core::{Body, Lang};

/// What a receipt proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedReceipt {
    /// The entry's leaf index.
    pub index: u64,
    /// The size of the checkpoint it is proved under.
    pub size: u64,
    /// Whether the witnesses make the policy's quorum.
    pub witnessed: bool,
    /// Who signed the entry.
    pub actor: String,
    /// When the log took it (ms).
    pub log_ts_ms: u64,
    /// What it says, in a line.
    pub what: String,
    /// Whether this phone's copy holds the same leaf there (None: it does
    /// not reach that far, or it follows no log).
    pub in_copy: Option<bool>,
}

/// Checks a receipt's text against the policy (and the phone's copy, if
/// any); why not, in `lang`.
pub fn check_receipt(
    text: &str,
    policy: &Policy,
    copy: Option<&Tree>,
    lang: Lang,
) -> Result<CheckedReceipt, String> {
    let refuse =
        |zh: &str, en: &str, detail: String| -> String { format!("{}{detail}", lang.pick(zh, en)) };
    let normal = text.trim().replace("\r\n", "\n") + "\n";
    let proof = TlogProof::parse(normal.as_bytes()).map_err(|e| {
        refuse(
            "这不是一张可读的收据：",
            "this is not a receipt that reads: ",
            e.message(lang),
        )
    })?;
    let Some(extra) = proof.extra.as_deref() else {
        return Err(refuse(
            "收据里没有记录本身",
            "the receipt does not carry its entry",
            String::new(),
        ));
    };
    let leaf = Leaf::parse(extra).map_err(|e| {
        refuse(
            "收据里的记录不可读：",
            "the receipt's entry does not read: ",
            e.message(lang),
        )
    })?;
    if leaf.index != proof.index {
        return Err(refuse(
            "收据的序号与记录不符",
            "the receipt's index is not its entry's",
            String::new(),
        ));
    }
    let hash = leaf_hash(extra);
    let seen = proof.verify_with(&hash, policy).map_err(|e| {
        refuse(
            "收据不成立：",
            "the receipt does not hold: ",
            e.message(lang),
        )
    })?;
    let in_copy = copy.and_then(|tree| {
        let at = usize::try_from(proof.index).ok()?;
        let mine = tree.level(0).get(at)?;
        let same_root = tree
            .root_at(seen.checkpoint.size)
            .is_none_or(|root| root == seen.checkpoint.root);
        Some(*mine == hash && same_root)
    });
    let what = match &leaf.entry.body {
        Body::Redeem {
            resident,
            reward,
            qty,
            points,
            ..
        } => match lang {
            Lang::Zh => format!("{resident} 兑换 {reward} × {qty}，{} 分", points.to_wire()),
            Lang::En => format!(
                "{resident} redeemed {reward} × {qty}, {} points",
                points.to_wire()
            ),
        },
        Body::Earn {
            resident, points, ..
        } => match lang {
            Lang::Zh => format!("{resident} 获得 {} 分", points.to_wire()),
            Lang::En => format!("{resident} earned {} points", points.to_wire()),
        },
        other => other.type_name().to_owned(),
    };
    Ok(CheckedReceipt {
        index: proof.index,
        size: seen.checkpoint.size,
        witnessed: seen.quorum,
        actor: leaf.entry.actor.to_string(),
        log_ts_ms: leaf.log_ts_ms,
        what,
        in_copy,
    })
}
