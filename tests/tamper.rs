//! The tampering matrix: from a demo ledger, every kind of change a cheat
//! or a broken disk could make, each refused at the right seq with the
//! right reason. Forged entries are built here with an independent
//! encoder, SHA-256 and Ed25519 signer, not with ledger-core's writer.

use std::collections::BTreeMap;

use ed25519_dalek::{Signer, SigningKey};
use ledger_core::demo::{DemoConfig, generate};
use ledger_core::verify::verify_jsonl;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

struct Forger {
    lines: Vec<String>,
    keys: BTreeMap<String, SigningKey>,
}

impl Forger {
    fn new(residents: u32, entries: u64) -> Forger {
        let demo = generate(&DemoConfig {
            residents,
            entries,
            seed: 5,
            ..Default::default()
        });
        Forger {
            lines: demo.ledger.to_jsonl().lines().map(str::to_owned).collect(),
            keys: demo
                .keys
                .iter()
                .map(|(id, seed)| (id.to_string(), SigningKey::from_bytes(seed)))
                .collect(),
        }
    }

    fn value(&self, index: usize) -> Value {
        serde_json::from_str(&self.lines[index]).expect("demo line")
    }

    fn first(&self, body_type: &str) -> usize {
        (0..self.lines.len())
            .find(|&i| self.value(i)["body"]["type"] == body_type)
            .expect("the demo has every type")
    }

    /// Re-hashes and re-signs `entry` with `key`, as a cheat holding that
    /// key would.
    fn seal(entry: &mut Value, key: &SigningKey) -> String {
        let object = entry.as_object_mut().expect("object");
        object.remove("hash");
        object.remove("sig");
        let hash = Sha256::digest(crate::jcs(entry).as_bytes());
        let sig = key.sign(&hash);
        entry["hash"] = json!(hex(&hash));
        entry["sig"] = json!(hex(&sig.to_bytes()));
        crate::jcs(entry)
    }

    /// Replaces line `index` with `entry` sealed by `signer`, then re-links
    /// and re-seals every later line with its own actor's key: a rewritten
    /// history that is internally consistent.
    fn rewrite(&mut self, index: usize, mut entry: Value, signer: &SigningKey) {
        self.lines[index] = Forger::seal(&mut entry, signer);
        for later in index + 1..self.lines.len() {
            let prev = self.value(later - 1)["hash"].clone();
            let mut value = self.value(later);
            value["prev"] = prev;
            let key = self.keys[value["actor"].as_str().expect("actor")].clone();
            self.lines[later] = Forger::seal(&mut value, &key);
        }
    }

    /// Appends a correctly linked and signed entry.
    fn append(&mut self, actor: &str, body: Value, ts_delta_ms: i64) {
        let last = self.value(self.lines.len() - 1);
        let key = self
            .keys
            .get(actor)
            .cloned()
            .unwrap_or_else(|| SigningKey::from_bytes(&[9; 32]));
        let ts = last["ts"].as_i64().expect("ts") + ts_delta_ms;
        let mut entry = json!({
            "v": 1, "ledger": last["ledger"], "seq": self.lines.len(), "ts": ts,
            "prev": last["hash"], "actor": actor, "body": body,
        });
        self.lines.push(Forger::seal(&mut entry, &key));
    }

    fn text(&self) -> String {
        self.lines.iter().map(|line| format!("{line}\n")).collect()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Default)]
struct Matrix {
    cases: BTreeMap<&'static str, usize>,
}

impl Matrix {
    #[track_caller]
    fn refused(&mut self, class: &'static str, bytes: &[u8], seq: usize, kinds: &[&str]) {
        let error = match verify_jsonl(bytes) {
            Ok(_) => panic!("{class}: a tampered ledger verified"),
            Err(error) => error,
        };
        // The web app's first open splits the checks between two threads:
        // it must name the same seq and the same reason, however many lines'
        // SHA-256 the replaying thread keeps (one share per case, in turn,
        // to keep the matrix quick).
        let total: usize = self.cases.values().sum();
        let here = [0, 3, 16, 1, 8][total % 5];
        assert_eq!(
            crate::verify_in_two_parts(bytes, here).err().as_ref(),
            Some(&error),
            "{class}: verified in two parts, {here} in 16 lines' SHA-256 on the replaying thread"
        );
        assert_eq!(error.seq.0, seq as u64, "{class}: {error}");
        assert!(
            kinds.contains(&error.kind_name()),
            "{class}: expected {kinds:?}, got {} ({error})",
            error.kind_name()
        );
        *self.cases.entry(class).or_default() += 1;
    }
}

/// A changed value of the same JSON type that keeps the line well formed
/// where it can: ids and text get a letter, points a different digit,
/// integers +1, booleans flipped, hex a different first digit.
fn altered(value: &Value) -> Value {
    match value {
        Value::Bool(b) => json!(!b),
        Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1),
        Value::String(s) if s.len() >= 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let first = if s.starts_with('a') { 'b' } else { 'a' };
            json!(format!("{first}{}", &s[1..]))
        }
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
            json!(if s.ends_with('1') {
                format!("{}2", &s[..s.len() - 1])
            } else {
                format!("{}1", &s[..s.len() - 1])
            })
        }
        Value::String(s) if s == "officer" => json!("kiosk"),
        Value::String(s) if s == "kiosk" || s == "admin" => json!("officer"),
        Value::String(s) => json!(format!("{s}x")),
        other => other.clone(),
    }
}

#[test]
fn every_kind_of_tampering_is_refused_at_the_right_seq() {
    let mut matrix = Matrix::default();
    let base = Forger::new(4, 400);
    let types = [
        "genesis", "actor", "resident", "activity", "reward", "stock", "earn", "redeem", "reverse",
    ];

    // Each member of an entry of each type, altered in place.
    for body_type in types {
        let index = base.first(body_type);
        let entry = base.value(index);
        let mut paths: Vec<(String, Option<String>)> = entry
            .as_object()
            .expect("object")
            .keys()
            .filter(|k| *k != "body")
            .map(|k| (k.clone(), None))
            .collect();
        for (member, value) in entry["body"].as_object().expect("body") {
            if member == "admin" {
                paths.extend(
                    value
                        .as_object()
                        .expect("admin")
                        .keys()
                        .map(|k| (format!("body.admin.{k}"), None)),
                );
            } else if member != "type" {
                paths.push((format!("body.{member}"), None));
            }
        }
        paths.push(("body.type".to_owned(), None));
        for (path, _) in paths {
            let mut changed = entry.clone();
            let slot = path
                .split('.')
                .fold(&mut changed, |value, key| &mut value[key]);
            *slot = altered(slot);
            let mut lines = base.lines.clone();
            lines[index] = crate::jcs(&changed);
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let kinds: &[&str] = match path.as_str() {
                "v" | "body.type" => &["malformed"],
                "seq" => &["seq_mismatch"],
                "ledger" if index > 0 => &["wrong_ledger"],
                "sig" => &["bad_signature"],
                // A changed key may stop being a curve point.
                "body.pubkey" | "body.admin.pubkey" => &["hash_mismatch", "malformed"],
                _ => &["hash_mismatch"],
            };
            matrix.refused("a member altered", text.as_bytes(), index, kinds);
        }
    }

    // Every byte of one line of each type flipped.
    let text = base.text();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    for body_type in types {
        let index = base.first(body_type);
        for position in starts[index]..starts[index + 1] {
            let mut bytes = text.clone().into_bytes();
            bytes[position] ^= 0x01;
            matrix.refused(
                "a byte flipped",
                &bytes,
                index,
                &[
                    "malformed",
                    "not_canonical",
                    "hash_mismatch",
                    "bad_signature",
                    "seq_mismatch",
                    "wrong_ledger",
                    "prev_mismatch",
                    "incomplete_last_line",
                ],
            );
        }
    }

    // Lines deleted, duplicated, swapped, appended, cut.
    let count = base.lines.len();
    for index in [1, 20, count / 2, count - 2] {
        let mut lines = base.lines.clone();
        lines.remove(index);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        matrix.refused("a line deleted", text.as_bytes(), index, &["seq_mismatch"]);
        let mut lines = base.lines.clone();
        lines.insert(index, lines[index].clone());
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        matrix.refused(
            "a line duplicated",
            text.as_bytes(),
            index + 1,
            &["seq_mismatch"],
        );
        let mut lines = base.lines.clone();
        lines.swap(index, index + 1);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        matrix.refused(
            "two lines swapped",
            text.as_bytes(),
            index,
            &["seq_mismatch"],
        );
    }
    matrix.refused(
        "the last line repeated",
        format!("{text}{}\n", base.lines[count - 1]).as_bytes(),
        count,
        &["seq_mismatch"],
    );
    matrix.refused(
        "a line of garbage appended",
        format!("{text}{{\"v\":1}}\n").as_bytes(),
        count,
        &["malformed"],
    );
    matrix.refused(
        "a blank line appended",
        format!("{text}\n").as_bytes(),
        count,
        &["malformed"],
    );
    for cut in [1, 10, 200] {
        matrix.refused(
            "the last line truncated",
            &text.as_bytes()[..text.len() - cut],
            count - 1,
            &["incomplete_last_line"],
        );
    }
    matrix.refused("an empty file", b"", 0, &["empty"]);

    // A whole rewritten history, consistent in itself, breaking the genesis
    // or a signature.
    let mut renamed = base.lines.clone();
    for line in &mut renamed {
        *line = line.replace("\"ledger\":\"demo-community\"", "\"ledger\":\"other\"");
    }
    let renamed: String = renamed.iter().map(|l| format!("{l}\n")).collect();
    matrix.refused(
        "the ledger id changed everywhere",
        renamed.as_bytes(),
        0,
        &["hash_mismatch"],
    );
    let earn = base.first("earn");
    let cases: [(&str, &str, &str, &[&str]); 4] = [
        (
            "re-signed by an actor without the role",
            "kiosk-1",
            "kiosk-1",
            &["role_not_allowed"],
        ),
        (
            "re-signed by a key the ledger never registered",
            "officer-1",
            "intruder",
            &["bad_signature"],
        ),
        (
            "signed by an unknown actor",
            "officer-99",
            "intruder",
            &["unknown_actor"],
        ),
        (
            "re-signed by the admin for an earn",
            "admin-1",
            "admin-1",
            &["role_not_allowed"],
        ),
    ];
    for (class, claimed, signer, kinds) in cases {
        let mut forger = Forger::new(4, 400);
        let mut entry = forger.value(earn);
        entry["actor"] = json!(claimed);
        let key = forger
            .keys
            .get(signer)
            .cloned()
            .unwrap_or_else(|| SigningKey::from_bytes(&[7; 32]));
        forger.rewrite(earn, entry, &key);
        matrix.refused(class, forger.text().as_bytes(), earn, kinds);
    }
    let mut forger = Forger::new(4, 400);
    let mut entry = forger.value(earn);
    entry["ledger"] = json!("other");
    let key = forger.keys["officer-1"].clone();
    forger.rewrite(earn, entry, &key);
    matrix.refused(
        "one entry moved to another ledger",
        forger.text().as_bytes(),
        earn,
        &["wrong_ledger"],
    );

    // Correctly hashed, linked and signed entries that break a rule.
    let rich = Forger::new(3, 2_600);
    let ledger = verify_jsonl(rich.text().as_bytes()).expect("demo verifies");
    let resident = ledger
        .residents()
        .iter()
        .max_by_key(|r| r.balance)
        .expect("a resident");
    let code = resident.code.to_string();
    let balance = resident.balance;
    let (reward, cost, stock) = ledger
        .rewards()
        .iter()
        .map(|r| (r.id.to_string(), r.cost, r.stock))
        .find(|r| r.1 <= balance)
        .expect("an affordable reward");
    let redeem_line = rich.first("redeem");
    let used_request = rich.value(redeem_line)["body"]["request_id"].clone();
    let reversal = rich.first("reverse");
    let reversed = rich.value(reversal)["body"]["entry"].clone();
    let bin_bags_cost = ledger.state().reward("bin-bags").expect("bin-bags").cost;
    let retired = ledger
        .actors()
        .iter()
        .find(|a| !a.active)
        .map(|a| a.id.to_string())
        .expect("officer-3 retired mid-year");
    let n = rich.lines.len();
    let huge = ledger_core::Points::whole(1_000).plus(balance).to_wire();
    let rule_cases: Vec<(&str, &str, Value, i64, &[&str])> = vec![
        (
            "an overdraft",
            "kiosk-1",
            json!({"type":"redeem","resident":code,"reward":"rice","qty":1000,"points":ledger_core::Points::whole(60).times(1000).to_wire(),"request_id":"forged:1"}),
            1,
            &["insufficient_points"],
        ),
        (
            "points that are not cost × qty",
            "kiosk-1",
            json!({"type":"redeem","resident":code,"reward":reward,"qty":1,"points":huge,"request_id":"forged:2"}),
            1,
            &["redeem_points"],
        ),
        (
            "a reused request_id",
            "kiosk-1",
            json!({"type":"redeem","resident":code,"reward":reward,"qty":1,"points":cost.to_wire(),"request_id":used_request}),
            1,
            &["duplicate_request_id"],
        ),
        (
            "a double reversal",
            "officer-1",
            json!({"type":"reverse","entry":reversed,"reason":"again"}),
            1,
            &["already_reversed"],
        ),
        (
            "time going back",
            "officer-1",
            json!({"type":"earn","resident":code,"activity":"garbage_sorting","points":"1","note":""}),
            -1,
            &["time_went_back"],
        ),
        (
            "an earn with other points than the activity's",
            "officer-1",
            json!({"type":"earn","resident":code,"activity":"garbage_sorting","points":"50","note":""}),
            1,
            &["earn_points"],
        ),
        (
            "an entry by a retired actor",
            retired.as_str(),
            json!({"type":"earn","resident":code,"activity":"garbage_sorting","points":"1","note":""}),
            1,
            &["actor_inactive"],
        ),
        (
            "a second genesis",
            "admin-1",
            rich.value(0)["body"].clone(),
            1,
            &["genesis_not_first"],
        ),
    ];
    for (class, actor, body, ts_delta, kinds) in rule_cases {
        let mut forger = Forger::new(3, 2_600);
        forger.append(actor, body, ts_delta);
        matrix.refused(class, forger.text().as_bytes(), n, kinds);
    }
    // Stock driven below zero: empty the shelf, then redeem one more.
    let mut forger = Forger::new(3, 2_600);
    forger.append("admin-1", json!({"type":"stock","reward":"bin-bags","delta":-stock_of(&ledger, "bin-bags"),"note":"盘点"}), 1);
    forger.append("kiosk-1", json!({"type":"redeem","resident":code,"reward":"bin-bags","qty":1,"points":bin_bags_cost.to_wire(),"request_id":"forged:3"}), 1);
    matrix.refused(
        "negative stock",
        forger.text().as_bytes(),
        n + 1,
        &["insufficient_stock"],
    );
    let mut forger = Forger::new(3, 2_600);
    forger.append("admin-1", json!({"type":"stock","reward":"bin-bags","delta":-stock_of(&ledger, "bin-bags") - 1,"note":"盘点"}), 1);
    matrix.refused(
        "a stock change below zero",
        forger.text().as_bytes(),
        n,
        &["stock_limit"],
    );
    // The daily cap: garbage sorting gives 1 point, at most 2 a day.
    let mut forger = Forger::new(3, 2_600);
    let day_later = 86_400_000;
    forger.append(
        "officer-1",
        json!({"type":"earn","resident":code,"activity":"garbage_sorting","points":"1","note":""}),
        day_later,
    );
    forger.append(
        "officer-1",
        json!({"type":"earn","resident":code,"activity":"garbage_sorting","points":"1","note":""}),
        1,
    );
    forger.append(
        "officer-1",
        json!({"type":"earn","resident":code,"activity":"garbage_sorting","points":"1","note":""}),
        1,
    );
    matrix.refused(
        "the daily cap exceeded",
        forger.text().as_bytes(),
        n + 2,
        &["daily_cap"],
    );
    let _ = stock;

    // A body written out of canonical order (its type first), hashed and
    // signed over exactly those bytes: only the canonical check finds it.
    // One line of each type, and eight lines in a row (every seq modulo
    // 8, as the web app's split replay shares lines by it).
    let first_earn = base.first("earn");
    let lines: Vec<usize> = types
        .iter()
        .map(|t| base.first(t))
        .chain(first_earn..first_earn + 8)
        .collect();
    for index in lines {
        let entry = base.value(index);
        let body = entry["body"].as_object().expect("body");
        let mut body_text = format!("{{\"type\":{}", crate::jcs(&body["type"]));
        for (member, value) in body.iter().filter(|(m, _)| *m != "type") {
            body_text += &format!(",{}:{}", crate::jcs(&json!(member)), crate::jcs(value));
        }
        body_text += "}";
        let mut rest = entry.clone();
        let object = rest.as_object_mut().expect("object");
        for member in ["body", "hash", "sig"] {
            object.remove(member);
        }
        let unsigned = crate::jcs(&rest).replacen(
            ",\"ledger\":",
            &format!(",\"body\":{body_text},\"ledger\":"),
            1,
        );
        let hash = Sha256::digest(unsigned.as_bytes());
        let key = &base.keys[entry["actor"].as_str().expect("actor")];
        let sig = key.sign(&hash);
        let line = unsigned
            .replacen(
                ",\"ledger\":",
                &format!(",\"hash\":\"{}\",\"ledger\":", hex(&hash)),
                1,
            )
            .replacen(
                ",\"ts\":",
                &format!(",\"sig\":\"{}\",\"ts\":", hex(&sig.to_bytes())),
                1,
            );
        let mut lines = base.lines.clone();
        lines[index] = line;
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        matrix.refused(
            "a body out of canonical order, hashed and signed as written",
            text.as_bytes(),
            index,
            &["not_canonical"],
        );
    }

    let total: usize = matrix.cases.values().sum();
    println!(
        "tampering matrix: {total} cases, each refused at the expected seq with the expected reason"
    );
    for (class, count) in &matrix.cases {
        println!("  {count:>5}  {class}");
    }
    assert!(total > 3_000, "the matrix shrank to {total} cases");
}

fn stock_of(ledger: &ledger_core::Ledger, reward: &str) -> i64 {
    ledger.state().reward(reward).map_or(0, |r| r.stock)
}
