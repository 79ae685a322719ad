//! # jifen-wasm: the Jifen ledger for JavaScript
//!
//! A thin wasm-bindgen facade over `ledger-core`: verify a ledger file,
//! read balances, histories, rewards and stock, check a published head or
//! that a newer file extends an older one, and build, sign and append new
//! entries with a key the caller holds. Every rule stays in ledger-core.
//!
//! Values cross as plain JavaScript objects (entries exactly as on the
//! wire). Errors are thrown as `Error` objects with `kind` (stable,
//! machine-readable), `seq` (the entry, when there is one), `message` (in
//! the language chosen by `setLanguage`, Chinese by default), `messageZh`
//! and `messageEn`. No input reaches a panic: every failure is a value.

#![deny(missing_docs)]

use std::cell::Cell;

use js_sys::{Array, JSON, Object, Reflect, Uint8Array};
use ledger_core::tlog::{Checkpoint, NoteVerifier, TlogProof, leaf_hash};
use ledger_core::verify::verify_jsonl;
use ledger_core::{Appended, Draft, Head, Lang, Seq, SigningKey};
use wasm_bindgen::prelude::*;

thread_local! {
    static LANGUAGE: Cell<Lang> = const { Cell::new(Lang::Zh) };
}

/// When the module loads: seeds the hashing of the ledger's maps with the
/// platform's randomness (`crypto.getRandomValues`, in browsers and Node),
/// so that no file can be made of keys that collide (ledger-core's
/// `seed_maps`). Without it, a fixed seed.
#[wasm_bindgen(start)]
fn start() {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).unwrap_or_default();
    let fill = Reflect::get(&crypto, &"getRandomValues".into()).unwrap_or_default();
    if let Some(fill) = fill.dyn_ref::<js_sys::Function>() {
        let bytes = Uint8Array::new_with_length(8);
        if fill.call1(&crypto, &bytes).is_ok() {
            let mut seed = [0u8; 8];
            bytes.copy_to(&mut seed);
            ledger_core::seed_maps(u64::from_le_bytes(seed));
        }
    }
}

/// Chooses the language of `message` in thrown errors: `"zh"` (default) or `"en"`.
#[wasm_bindgen(js_name = setLanguage)]
pub fn set_language(tag: &str) -> Result<(), JsValue> {
    let lang = Lang::from_tag(tag).ok_or_else(|| {
        error(
            "bad_language",
            None,
            "语言须为 zh 或 en".to_owned(),
            format!("language must be zh or en, not {tag:?}"),
        )
    })?;
    LANGUAGE.with(|cell| cell.set(lang));
    Ok(())
}

/// An `Error` with the fields this package promises.
fn error(kind: &str, seq: Option<u64>, zh: String, en: String) -> JsValue {
    let lang = LANGUAGE.with(Cell::get);
    let message = match lang {
        Lang::Zh => &zh,
        Lang::En => &en,
    };
    let error = js_sys::Error::new(message);
    error.set_name("JifenError");
    let fields: [(&str, JsValue); 4] = [
        ("kind", kind.into()),
        (
            "seq",
            seq.map_or(JsValue::NULL, |s| JsValue::from_f64(s as f64)),
        ),
        ("messageZh", zh.into()),
        ("messageEn", en.into()),
    ];
    for (name, value) in fields {
        let _ = Reflect::set(&error, &name.into(), &value);
    }
    error.into()
}

fn verify_error(e: &ledger_core::VerifyError) -> JsValue {
    error(
        e.kind_name(),
        Some(e.seq.0),
        e.message(Lang::Zh),
        e.message(Lang::En),
    )
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &name.into(), &value.into());
}

fn head_object(head: Head) -> Object {
    let object = Object::new();
    set(&object, "seq", head.seq.0 as f64);
    set(&object, "hash", head.hash.to_hex());
    object
}

/// Bytes of a ledger given as a string or a `Uint8Array`.
fn input_bytes(input: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = input.as_string() {
        return Ok(text.into_bytes());
    }
    if input.is_instance_of::<Uint8Array>() {
        return Ok(Uint8Array::new(input).to_vec());
    }
    Err(error(
        "bad_input",
        None,
        "账本须为字符串或 Uint8Array".to_owned(),
        "a ledger must be a string or a Uint8Array".to_owned(),
    ))
}

fn parse_head(value: &JsValue) -> Result<Head, JsValue> {
    let text = match value.as_string() {
        Some(text) => text,
        None => {
            let seq = Reflect::get(value, &"seq".into())
                .ok()
                .and_then(|v| v.as_f64());
            let hash = Reflect::get(value, &"hash".into())
                .ok()
                .and_then(|v| v.as_string());
            match (seq, hash) {
                (Some(seq), Some(hash)) if seq >= 0.0 && seq.fract() == 0.0 => {
                    format!("{seq}:{hash}")
                }
                _ => String::new(),
            }
        }
    };
    text.parse::<Head>().map_err(|problem| {
        error(
            "bad_head",
            None,
            problem.message(Lang::Zh),
            problem.message(Lang::En),
        )
    })
}

fn tlog_error(e: &ledger_core::tlog::TlogError) -> JsValue {
    error(e.kind(), None, e.message(Lang::Zh), e.message(Lang::En))
}

fn verifiers(keys: &Array) -> Result<Vec<NoteVerifier>, JsValue> {
    keys.iter()
        .map(|key| {
            let text = key.as_string().unwrap_or_default();
            NoteVerifier::from_vkey(&text).map_err(|e| tlog_error(&e))
        })
        .collect()
}

/// Checks a signed checkpoint of a v2 log (C2SP tlog-checkpoint) against
/// the log's verifier key (`origin+keyid+key`). Returns `{origin, size,
/// root}` (root in base64); throws when the log did not sign it.
#[wasm_bindgen(js_name = verifyCheckpoint)]
pub fn verify_checkpoint(note: JsValue, vkey: &str) -> Result<Object, JsValue> {
    let bytes = input_bytes(&note)?;
    let log = NoteVerifier::from_vkey(vkey).map_err(|e| tlog_error(&e))?;
    let (checkpoint, _) = Checkpoint::open(&bytes, &log).map_err(|e| tlog_error(&e))?;
    let result = Object::new();
    set(&result, "origin", checkpoint.origin);
    set(&result, "size", checkpoint.size as f64);
    set(
        &result,
        "root",
        ledger_core::tlog::base64_encode(&checkpoint.root),
    );
    Ok(result)
}

/// Checks a receipt for one entry (C2SP tlog-proof, with the leaf as its
/// extra data, as `jifen log prove` writes it) against the log's verifier
/// key and, if `quorum` > 0, at least that many of the witnesses' keys.
/// Returns `{index, size, origin, leaf}` (the leaf as text); throws why not.
#[wasm_bindgen(js_name = verifyReceipt)]
pub fn verify_receipt(
    receipt: JsValue,
    vkey: &str,
    witnesses: &Array,
    quorum: u32,
) -> Result<Object, JsValue> {
    let bytes = input_bytes(&receipt)?;
    let proof = TlogProof::parse(&bytes).map_err(|e| tlog_error(&e))?;
    let log = NoteVerifier::from_vkey(vkey).map_err(|e| tlog_error(&e))?;
    let witnesses = verifiers(witnesses)?;
    let trusted: Vec<&NoteVerifier> = witnesses.iter().collect();
    let Some(leaf) = proof.extra.as_deref() else {
        return Err(tlog_error(&ledger_core::tlog::TlogError::Malformed(
            "a receipt without its leaf",
        )));
    };
    let checkpoint = proof
        .verify(&leaf_hash(leaf), &log, &trusted, quorum as usize)
        .map_err(|e| tlog_error(&e))?;
    let result = Object::new();
    set(&result, "index", proof.index as f64);
    set(&result, "size", checkpoint.size as f64);
    set(&result, "origin", checkpoint.origin);
    set(&result, "leaf", String::from_utf8_lossy(leaf).into_owned());
    Ok(result)
}

/// Checks that a log's newer checkpoint extends an older one: the
/// consistency proof (base64 hashes) leads from `{size, root}` to `{size,
/// root}` (roots in base64). Throws when it does not.
#[wasm_bindgen(js_name = verifyConsistency)]
pub fn verify_consistency(old: &Object, new: &Object, proof: &Array) -> Result<(), JsValue> {
    let read = |object: &Object| {
        let size = Reflect::get(object, &"size".into())
            .ok()
            .and_then(|v| v.as_f64());
        let root = Reflect::get(object, &"root".into())
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|r| ledger_core::tlog::base64_decode(&r))
            .and_then(|r| <[u8; 32]>::try_from(r).ok());
        match (size, root) {
            (Some(size), Some(root)) if size >= 0.0 && size.fract() == 0.0 => {
                Ok((size as u64, root))
            }
            _ => Err(tlog_error(&ledger_core::tlog::TlogError::Malformed(
                "{size, root}",
            ))),
        }
    };
    let (old_size, old_root) = read(old)?;
    let (new_size, new_root) = read(new)?;
    let hashes = proof
        .iter()
        .map(|hash| {
            hash.as_string()
                .and_then(|h| ledger_core::tlog::base64_decode(&h))
                .and_then(|h| <[u8; 32]>::try_from(h).ok())
                .ok_or_else(|| tlog_error(&ledger_core::tlog::TlogError::Malformed("proof hash")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ledger_core::tlog::verify_consistency(old_size, new_size, &old_root, &new_root, &hashes)
        .map_err(|e| tlog_error(&e))
}

/// A community's v2 log replayed from its entry bundles: every leaf's
/// place and canonical form, every device chain and signature, every rule.
#[wasm_bindgen]
pub struct Log {
    inner: ledger_core::log::Log,
}

#[wasm_bindgen]
impl Log {
    /// Replays a log from its entry bundles (C2SP `tile/entries/…`, each a
    /// `Uint8Array`), in order, the last one partial or not. Throws the
    /// first leaf that does not hold.
    #[wasm_bindgen(constructor)]
    pub fn new(bundles: &Array) -> Result<Log, JsValue> {
        let mut leaves: Vec<Vec<u8>> = Vec::new();
        for bundle in bundles.iter() {
            let bytes = input_bytes(&bundle)?;
            let read = ledger_core::tlog::read_entry_bundle(&bytes).map_err(|e| tlog_error(&e))?;
            leaves.extend(read.into_iter().map(<[u8]>::to_vec));
        }
        let inner =
            ledger_core::log::Log::replay(leaves.iter().map(Vec::as_slice)).map_err(|e| {
                error(
                    e.kind(),
                    Some(e.index),
                    e.message(Lang::Zh),
                    e.message(Lang::En),
                )
            })?;
        Ok(Log { inner })
    }

    /// Leaves in the log.
    pub fn size(&self) -> f64 {
        self.inner.len() as f64
    }

    /// The root of the log's tree at `size` leaves (base64, as its
    /// checkpoints carry it), or `undefined` past its end.
    #[wasm_bindgen(js_name = rootAt)]
    pub fn root_at(&self, size: f64) -> Option<String> {
        let root = self.inner.tree().root_at(size as u64)?;
        Some(ledger_core::tlog::base64_encode(&root))
    }

    /// The public notice (公示) of a month (`2026-11`) or a quarter
    /// (`2026-Q4`), as `jifen notice --json` prints it, with the tree's
    /// root at the notice's size (`root`), which a signed checkpoint of
    /// that size or a later one proves.
    pub fn notice(&self, period: &str) -> Result<JsValue, JsValue> {
        let period = ledger_core::notice::Period::parse(period.trim()).ok_or_else(|| {
            let problem = ledger_core::FieldProblem::NotAPeriod;
            error(
                "bad_period",
                None,
                problem.message(Lang::Zh),
                problem.message(Lang::En),
            )
        })?;
        let notice = self.inner.ledger().notice(period);
        let object = JSON::parse(&notice.to_json().to_string())?;
        set(
            object.unchecked_ref(),
            "root",
            self.root_at(notice.size as f64),
        );
        Ok(object)
    }
}

/// A verified ledger held in memory.
#[wasm_bindgen]
pub struct Ledger {
    inner: ledger_core::Ledger,
}

/// Verifies a whole ledger file (string or bytes): format, canonical form,
/// hash chain, every signature and every rule. Returns
/// `{ok: true, count, head: {seq, hash}}`; throws the first bad entry.
#[wasm_bindgen]
pub fn verify(input: JsValue) -> Result<Object, JsValue> {
    let ledger = Ledger::open(input)?;
    let result = Object::new();
    set(&result, "ok", true);
    set(&result, "count", ledger.inner.len() as f64);
    set(&result, "head", head_object(ledger.inner.head()));
    Ok(result)
}

/// Checks only the hash chain (no signatures, no rules): fast, for a copy
/// that is compared with a published head. Returns `{ok, count, head}`.
#[wasm_bindgen(js_name = verifyChain)]
pub fn verify_chain(input: JsValue) -> Result<Object, JsValue> {
    let bytes = input_bytes(&input)?;
    let head = ledger_core::verify::verify_chain_only(&bytes).map_err(|e| verify_error(&e))?;
    let result = Object::new();
    set(&result, "ok", true);
    set(&result, "count", (head.seq.0 + 1) as f64);
    set(&result, "head", head_object(head));
    Ok(result)
}

/// The Ed25519 public key (hex) of a 32-byte secret seed (hex), for
/// registering a device's key with an `actor` entry.
#[wasm_bindgen(js_name = publicKey)]
pub fn public_key(secret_hex: &str) -> Result<String, JsValue> {
    Ok(ledger_core::hex::encode(
        &signing_key(secret_hex)?.verifying_key().to_bytes(),
    ))
}

fn signing_key(secret_hex: &str) -> Result<SigningKey, JsValue> {
    let seed = ledger_core::hex::decode::<32>(secret_hex).ok_or_else(|| {
        error(
            "bad_key",
            None,
            "私钥须为 32 字节的小写十六进制".to_owned(),
            "a secret key must be 32 bytes of lowercase hex".to_owned(),
        )
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Generates the deterministic demo community: `{ledger: string, keys: string}`
/// (the JSON Lines file and its keys file).
#[wasm_bindgen]
pub fn demo(residents: u32, entries: u32, seed: u32) -> Object {
    let config = ledger_core::demo::DemoConfig {
        residents: residents.clamp(1, 100_000),
        // About 470 bytes a line: a million entries is ~450 MB of text,
        // near what a JavaScript string can hold.
        entries: u64::from(entries.min(1_000_000)),
        seed: u64::from(seed),
        ..Default::default()
    };
    let demo = ledger_core::demo::generate(&config);
    let result = Object::new();
    set(&result, "ledger", demo.ledger.to_jsonl());
    set(&result, "keys", ledger_core::demo::keys_json(&demo.keys));
    result
}

fn entry_object(ledger: &ledger_core::Ledger, seq: Seq) -> JsValue {
    ledger
        .line(seq)
        .and_then(|line| JSON::parse(&line).ok())
        .unwrap_or(JsValue::NULL)
}

#[wasm_bindgen]
impl Ledger {
    /// Verifies a ledger file (string or bytes) and keeps it; throws the
    /// first bad entry.
    pub fn open(input: JsValue) -> Result<Ledger, JsValue> {
        let bytes = input_bytes(&input)?;
        let inner = verify_jsonl(&bytes).map_err(|e| verify_error(&e))?;
        Ok(Ledger { inner })
    }

    /// Number of entries.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> f64 {
        self.inner.len() as f64
    }

    /// The ledger's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// The head: `{seq, hash}`.
    pub fn head(&self) -> Object {
        head_object(self.inner.head())
    }

    /// A resident's balance as a decimal string (`"12.5"`), or `undefined`
    /// for an unknown code.
    pub fn balance(&self, resident: &str) -> Option<String> {
        self.inner.balance(resident).map(|points| points.to_wire())
    }

    /// All residents: `[{resident, household, area, active, balance, earnedTotal}]`.
    pub fn residents(&self) -> Array {
        self.inner
            .residents()
            .iter()
            .map(|record| {
                let object = Object::new();
                set(&object, "resident", record.code.to_string());
                set(&object, "household", record.household.to_string());
                set(&object, "area", record.area.to_string());
                set(&object, "active", record.active);
                set(&object, "balance", record.balance.to_wire());
                set(&object, "earnedTotal", record.earned_total.to_wire());
                JsValue::from(object)
            })
            .collect()
    }

    /// One page of a resident's history, newest first: entries as on the
    /// wire, each with `reversedBy` (a seq or `null`).
    pub fn history(&self, resident: &str, offset: u32, limit: u32) -> Array {
        self.inner
            .history_page(resident, offset as usize, limit.min(1_000) as usize)
            .into_iter()
            .map(|entry| {
                let object = entry_object(&self.inner, entry.seq);
                let reversed = self
                    .inner
                    .reversed_by(entry.seq)
                    .map_or(JsValue::NULL, |s| JsValue::from_f64(s.0 as f64));
                let _ = Reflect::set(&object, &"reversedBy".into(), &reversed);
                object
            })
            .collect()
    }

    /// Entries that touch a resident in all.
    #[wasm_bindgen(js_name = historyLength)]
    pub fn history_length(&self, resident: &str) -> f64 {
        self.inner.history_len(resident) as f64
    }

    /// The rewards: `[{id, name, cost, stock, active}]`.
    pub fn rewards(&self) -> Array {
        self.inner
            .rewards()
            .iter()
            .map(|reward| {
                let object = Object::new();
                set(&object, "id", reward.id.to_string());
                set(&object, "name", reward.name.to_string());
                set(&object, "cost", reward.cost.to_wire());
                set(&object, "stock", reward.stock as f64);
                set(&object, "active", reward.active);
                JsValue::from(object)
            })
            .collect()
    }

    /// The activities: `[{id, name, points, dailyCap, active}]`.
    pub fn activities(&self) -> Array {
        self.inner
            .activities()
            .iter()
            .map(|activity| {
                let object = Object::new();
                set(&object, "id", activity.id.to_string());
                set(&object, "name", activity.name.to_string());
                set(&object, "points", activity.points.to_wire());
                set(&object, "dailyCap", activity.daily_cap.to_wire());
                set(&object, "active", activity.active);
                JsValue::from(object)
            })
            .collect()
    }

    /// The entry at `seq` as on the wire, or `null` (also for a `seq` that
    /// is not a whole number in range).
    pub fn entry(&self, seq: f64) -> JsValue {
        if seq < 0.0 || seq.fract() != 0.0 || seq > ledger_core::limits::MAX_ENTRIES as f64 {
            return JsValue::NULL;
        }
        entry_object(&self.inner, Seq(seq as u64))
    }

    /// Throws unless this ledger holds exactly the published head
    /// (`"SEQ:HASH"` or `{seq, hash}`).
    #[wasm_bindgen(js_name = checkHead)]
    pub fn check_head(&self, head: JsValue) -> Result<(), JsValue> {
        let head = parse_head(&head)?;
        self.inner.check_head(&head).map_err(|e| {
            error(
                e.kind(),
                e.seq().map(|s| s.0),
                e.message(Lang::Zh),
                e.message(Lang::En),
            )
        })
    }

    /// Throws unless this ledger extends `older`: same id, same entry at the
    /// older head, so history was not rewritten.
    #[wasm_bindgen(js_name = checkExtends)]
    pub fn check_extends(&self, older: &Ledger) -> Result<(), JsValue> {
        self.inner.check_extends(&older.inner).map_err(|e| {
            error(
                e.kind(),
                e.seq().map(|s| s.0),
                e.message(Lang::Zh),
                e.message(Lang::En),
            )
        })
    }

    /// Builds, checks against every rule, signs and appends an entry:
    /// `draft` is `{actor, ts, body}` with `body` as on the wire, `secret`
    /// the actor's 32-byte seed in hex. Returns `{seq, hash, line, new}`;
    /// `new` is false when a redeem with the same `request_id` and content
    /// was already there. Throws, changing nothing, when a rule is broken.
    pub fn append(&mut self, draft: JsValue, secret: &str) -> Result<Object, JsValue> {
        let key = signing_key(secret)?;
        let field = |name: &str| Reflect::get(&draft, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let bad = |what: &str| {
            error(
                "bad_draft",
                None,
                format!("草稿缺少或写错了 {what}"),
                format!("the draft's {what} is missing or wrong"),
            )
        };
        let actor = field("actor")
            .as_string()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| bad("actor"))?;
        let ts_ms = field("ts")
            .as_f64()
            .filter(|ts| {
                *ts >= 0.0 && ts.fract() == 0.0 && *ts <= ledger_core::limits::MAX_TS_MS as f64
            })
            .ok_or_else(|| bad("ts"))? as u64;
        let body_json = JSON::stringify(&field("body"))
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| bad("body"))?;
        let body = ledger_core::parse_body(body_json.as_bytes())
            .map_err(|e| error("malformed", None, e.message(Lang::Zh), e.message(Lang::En)))?;
        let appended = self
            .inner
            .append(Draft { ts_ms, actor, body }, &key)
            .map_err(|e| error(e.kind(), None, e.message(Lang::Zh), e.message(Lang::En)))?;
        let seq = appended.seq();
        let result = Object::new();
        set(&result, "seq", seq.0 as f64);
        set(
            &result,
            "hash",
            self.inner
                .entry(seq)
                .map(|e| e.hash.to_hex())
                .unwrap_or_default(),
        );
        set(&result, "line", self.inner.line(seq).unwrap_or_default());
        set(&result, "new", matches!(appended, Appended::New(_)));
        Ok(result)
    }

    /// The whole file: one canonical line per entry, each with a newline.
    #[wasm_bindgen(js_name = toJsonl)]
    pub fn to_jsonl(&self) -> String {
        self.inner.to_jsonl()
    }
}
