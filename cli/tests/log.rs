//! `jifen log` and `jifen witness` as a community would run them: an
//! office starts a log, kiosks sign entries offline into queue files (a
//! USB stick), the office accepts them, anyone verifies the directory, a
//! resident's receipt checks against the published key, and a witness
//! cosigns only a checkpoint that extends the last one it saw.

use super::{Dir, code, jifen, ok, stderr, stdout};

#[track_caller]
fn fails(dir: &Dir, args: &[&str], expected: i32) -> String {
    let output = jifen(dir, args);
    assert_eq!(
        code(&output),
        expected,
        "jifen {args:?}: {}",
        stderr(&output)
    );
    stderr(&output)
}

fn read(dir: &Dir, name: &str) -> String {
    std::fs::read_to_string(dir.path(name)).expect("read")
}

fn write(dir: &Dir, name: &str, text: &str) {
    std::fs::write(dir.path(name), text).expect("write");
}

const T: u64 = 1_780_000_000_000;

fn ts(offset_s: u64) -> String {
    (T + offset_s * 1000).to_string()
}

/// A device signs `body` into `queue`.
fn sign(dir: &Dir, queue: &str, keys: &str, actor: &str, body: &str, at: u64) -> String {
    ok(
        dir,
        &[
            "log",
            "sign",
            queue,
            "--keys",
            keys,
            "--as",
            actor,
            "--ledger",
            "xinhua-3",
            "--body",
            body,
            "--state",
            &format!("{actor}.state"),
            "--log",
            "log",
            "--ts",
            &ts(at),
        ],
    )
}

fn public_key(dir: &Dir, keys: &str, actor: &str) -> String {
    let line = ok(dir, &["keygen", "--keys", keys, "--actor", actor]);
    line.split_whitespace()
        .nth(1)
        .expect("public key")
        .to_owned()
}

/// An office with a log, a kiosk and an officer registered, a resident
/// with 100 points and rice at 30.
fn community(dir: &Dir) -> String {
    let vkey = ok(
        dir,
        &[
            "log",
            "init",
            "log",
            "--keys",
            "office.keys",
            "--id",
            "xinhua-3",
            "--name",
            "新华社区",
            "--origin",
            "jifen.example/xinhua-3",
            "--ts",
            &ts(0),
        ],
    );
    let kiosk = public_key(dir, "kiosk.keys", "kiosk-a");
    let officer = public_key(dir, "officer.keys", "officer-1");
    let admin_bodies = [
        format!(r#"{{"active":true,"id":"kiosk-a","pubkey":"{kiosk}","role":"kiosk","type":"actor"}}"#),
        format!(r#"{{"active":true,"id":"officer-1","pubkey":"{officer}","role":"officer","type":"actor"}}"#),
        r#"{"active":true,"area":"1-2","code":"R001","household":"H1","type":"resident"}"#.to_owned(),
        r#"{"active":true,"daily_cap":"100","id":"patrol","name":"巡逻","points":"100","type":"activity"}"#.to_owned(),
        r#"{"active":true,"cost":"30","id":"rice","name":"大米","type":"reward"}"#.to_owned(),
        r#"{"delta":50,"note":"","reward":"rice","type":"stock"}"#.to_owned(),
    ];
    for (n, body) in admin_bodies.iter().enumerate() {
        sign(
            dir,
            "office.queue",
            "office.keys",
            "admin-1",
            body,
            10 + n as u64,
        );
    }
    ok(
        dir,
        &[
            "log",
            "submit",
            "log",
            "office.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(20),
        ],
    );
    let earn = r#"{"activity":"patrol","note":"","points":"100","resident":"R001","type":"earn"}"#;
    sign(dir, "officer.queue", "officer.keys", "officer-1", earn, 30);
    ok(
        dir,
        &[
            "log",
            "submit",
            "log",
            "officer.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(31),
        ],
    );
    // The offline policy: 24 hours to upload, 500 queued, 60 points a
    // redeem and 100 a resident a day.
    let policy = [
        "log",
        "sign",
        "policy.queue",
        "--keys",
        "office.keys",
        "--as",
        "admin-1",
        "--ledger",
        "xinhua-3",
        "--offline-max-points",
        "60",
        "--offline-max-points-per-day",
        "100",
        "--offline-max-queued",
        "500",
        "--offline-upload-within-hours",
        "24",
        "--state",
        "admin-1.state",
        "--ts",
    ];
    let at = ts(32);
    ok(dir, &[&policy[..], &[at.as_str()]].concat());
    let submit = [
        "log",
        "submit",
        "log",
        "policy.queue",
        "--keys",
        "office.keys",
        "--ts",
    ];
    let at = ts(33);
    ok(dir, &[&submit[..], &[at.as_str()]].concat());
    vkey.trim().to_owned()
}

fn redeem(request: &str) -> String {
    format!(
        r#"{{"points":"30","qty":1,"request_id":"{request}","resident":"R001","reward":"rice","type":"redeem"}}"#
    )
}

#[test]
fn an_offline_kiosk_hands_over_a_queue_and_anyone_verifies_the_log() {
    let dir = Dir::new("queue");
    let vkey = community(&dir);
    assert!(vkey.starts_with("jifen.example/xinhua-3+"));
    assert_eq!(read(&dir, "log/vkey").trim(), vkey);
    // Offline: two redeems signed into the kiosk's queue, one after the
    // other, then carried to the office.
    sign(
        &dir,
        "usb.queue",
        "kiosk.keys",
        "kiosk-a",
        &redeem("k-1"),
        40,
    );
    sign(
        &dir,
        "usb.queue",
        "kiosk.keys",
        "kiosk-a",
        &redeem("k-2"),
        41,
    );
    let accepted = ok(
        &dir,
        &[
            "log",
            "submit",
            "log",
            "usb.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(3600),
        ],
    );
    assert!(
        accepted.contains("accepted #9") && accepted.contains("accepted #10"),
        "{accepted}"
    );
    // The same stick again: nothing is appended twice.
    let again = ok(
        &dir,
        &[
            "log",
            "submit",
            "log",
            "usb.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(3700),
        ],
    );
    assert!(again.contains("already in the log at #9"), "{again}");
    let verified = ok(&dir, &["log", "verify", "log", "--vkey", &vkey, "--json"]);
    assert!(verified.contains("\"size\":11"), "{verified}");
    // A checkpoint is published beside C2SP tiles and entry bundles.
    assert!(dir.path("log/tile/0/000.p/11").exists());
    assert!(dir.path("log/tile/entries/000.p/11").exists());
}

#[test]
fn a_receipt_checks_against_the_published_key_only() {
    let dir = Dir::new("receipt");
    let vkey = community(&dir);
    let receipt = ok(&dir, &["log", "prove", "log", "7"]);
    assert!(receipt.starts_with("c2sp.org/tlog-proof@v1\nextra "));
    write(&dir, "r.tlog-proof", &receipt);
    let checked = ok(
        &dir,
        &["log", "check-receipt", "r.tlog-proof", "--vkey", &vkey],
    );
    assert!(checked.contains("officer-1 earn #7"), "{checked}");
    let other = "jifen.example/xinhua-3+00000000+AUsktNFGhq3Q689rIN6GnX77Rs1i5ouA69axqkvYn2Li";
    fails(
        &dir,
        &["log", "check-receipt", "r.tlog-proof", "--vkey", other],
        2,
    );
    // A leaf changed in the receipt no longer leads to the signed root.
    let changed = receipt.replacen("extra e", "extra f", 1);
    write(&dir, "bad.tlog-proof", &changed);
    let output = jifen(
        &dir,
        &["log", "check-receipt", "bad.tlog-proof", "--vkey", &vkey],
    );
    assert_ne!(code(&output), 0);
}

#[test]
fn a_tampered_bundle_and_a_forked_kiosk_are_caught() {
    let dir = Dir::new("tamper");
    community(&dir);
    // A kiosk that signs two entries with one counter: the second is
    // refused, and the log says it is a fork.
    sign(&dir, "a.queue", "kiosk.keys", "kiosk-a", &redeem("k-1"), 40);
    std::fs::remove_file(dir.path("kiosk-a.state")).expect("forget the counter");
    ok(
        &dir,
        &[
            "log",
            "submit",
            "log",
            "a.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(41),
        ],
    );
    let second = ok(
        &dir,
        &[
            "log",
            "sign",
            "b.queue",
            "--keys",
            "kiosk.keys",
            "--as",
            "kiosk-a",
            "--ledger",
            "xinhua-3",
            "--body",
            &redeem("k-2"),
            "--state",
            "kiosk-a.state",
            "--ts",
            &ts(42),
        ],
    );
    assert!(second.starts_with("kiosk-a 0 "), "{second}");
    let refused = fails(
        &dir,
        &[
            "log",
            "submit",
            "log",
            "b.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(43),
        ],
        1,
    );
    assert!(
        refused.contains("signed two different entries as one"),
        "{refused}"
    );
    // One byte changed in an entry bundle: verification names the leaf.
    let bundle = dir.path("log/tile/entries/000.p/10");
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let from = b"\"points\":\"100\"";
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the earn");
    bytes[at + 10] = b'9';
    std::fs::write(&bundle, &bytes).expect("tamper");
    let broken = fails(&dir, &["log", "verify", "log"], 1);
    assert!(broken.contains("log leaf #"), "{broken}");
}

#[test]
fn a_witness_cosigns_only_what_extends_what_it_saw() {
    let dir = Dir::new("witness");
    let vkey = community(&dir);
    public_key(&dir, "witness.keys", "witness");
    let cosign = |old: &str| {
        let request = ok(&dir, &["log", "witness-request", "log", "--old", old]);
        write(&dir, "request", &request);
        jifen(
            &dir,
            &[
                "witness",
                "request",
                "--state",
                "witness.state",
                "--keys",
                "witness.keys",
                "--name",
                "witness.example/w1",
                "--log",
                &vkey,
                "--time",
                "1780000100",
            ],
        )
    };
    let first = cosign("0");
    assert_eq!(code(&first), 0);
    assert!(stdout(&first).starts_with("\u{2014} witness.example/w1 "));
    // Asked again from 0 after cosigning 9: a conflict, with the size.
    let conflict = cosign("0");
    assert_eq!(code(&conflict), 1);
    assert!(stderr(&conflict).contains("last cosigned size 9"));
    // The log grows; from 9 the witness cosigns again.
    sign(&dir, "k.queue", "kiosk.keys", "kiosk-a", &redeem("k-1"), 40);
    ok(
        &dir,
        &[
            "log",
            "submit",
            "log",
            "k.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(41),
        ],
    );
    assert_eq!(code(&cosign("9")), 0);
    // A replaying witness cosigns only what its own copy adds up to.
    let replaying = |copy: &str| {
        let request = ok(&dir, &["log", "witness-request", "log", "--old", "0"]);
        write(&dir, "request", &request);
        jifen(
            &dir,
            &[
                "witness",
                "request",
                "--state",
                "replay.state",
                "--keys",
                "witness.keys",
                "--name",
                "witness.example/w2",
                "--log",
                &vkey,
                "--replay",
                copy,
            ],
        )
    };
    let copied = std::process::Command::new("cp")
        .args(["-r", "log", "copy"])
        .current_dir(dir.path(""))
        .status()
        .expect("cp");
    assert!(copied.success());
    let bundle = dir.path("copy/tile/entries/000.p/10");
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let at = bytes
        .windows(5)
        .position(|w| w == b"\"100\"")
        .expect("points");
    bytes[at + 1] = b'9';
    std::fs::write(&bundle, &bytes).expect("tamper");
    assert_eq!(
        code(&replaying("copy")),
        1,
        "a copy whose leaves do not hold"
    );
    assert_eq!(code(&replaying("log")), 0);
    // A consistency proof that does not hold: refused.
    sign(
        &dir,
        "k2.queue",
        "kiosk.keys",
        "kiosk-a",
        &redeem("k-2"),
        50,
    );
    ok(
        &dir,
        &[
            "log",
            "submit",
            "log",
            "k2.queue",
            "--keys",
            "office.keys",
            "--ts",
            &ts(51),
        ],
    );
    let request = ok(&dir, &["log", "witness-request", "log", "--old", "10"]);
    let mut lines: Vec<String> = request.split('\n').map(str::to_owned).collect();
    let first = if lines[1].starts_with('A') { "B" } else { "A" };
    lines[1] = format!("{first}{}", &lines[1][1..]);
    write(&dir, "request", &lines.join("\n"));
    let bad = jifen(
        &dir,
        &[
            "witness",
            "request",
            "--state",
            "witness.state",
            "--keys",
            "witness.keys",
            "--name",
            "witness.example/w1",
            "--log",
            &vkey,
        ],
    );
    assert_eq!(code(&bad), 1, "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("proof does not hold"),
        "{}",
        stderr(&bad)
    );
    // A log it does not witness.
    let output = jifen(
        &dir,
        &[
            "witness",
            "request",
            "--state",
            "witness.state",
            "--keys",
            "witness.keys",
            "--name",
            "witness.example/w1",
            "--log",
            "jifen.example/other+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        ],
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn a_v1_ledger_migrates_into_a_log_keeping_every_balance() {
    let dir = Dir::new("migrate");
    ok(
        &dir,
        &[
            "demo",
            "--out",
            "v1.jsonl",
            "--keys",
            "demo.keys",
            "--residents",
            "50",
            "--entries",
            "2000",
            "--seed",
            "3",
        ],
    );
    let vkey = ok(
        &dir,
        &[
            "log",
            "migrate",
            "v1.jsonl",
            "log",
            "--keys",
            "demo.keys",
            "--origin",
            "jifen.example/demo",
        ],
    );
    let verified = ok(
        &dir,
        &["log", "verify", "log", "--vkey", vkey.trim(), "--json"],
    );
    assert!(verified.contains("\"v1_leaves\":2000"), "{verified}");
    assert!(verified.contains("\"size\":2001"), "{verified}");
    // Every resident's balance, read from the v1 file and from the log.
    let before = ok(&dir, &["balance", "v1.jsonl", "--json"]);
    let after = ok(&dir, &["balance", "log", "--json"]);
    assert_eq!(before, after);
    assert!(before.matches("\"resident\"").count() == 50);
}

/// The v2 golden log in `tests/data/golden-log/` (a small demo, with a
/// receipt beside it) is what `jifen demo --log` writes, byte for byte:
/// a change of the format cannot go unnoticed.
#[test]
fn the_golden_log_is_what_the_demo_writes() {
    let dir = Dir::new("golden");
    let args = [
        "demo",
        "--log",
        "log",
        "--keys",
        "demo.keys",
        "--entries",
        "300",
        "--residents",
        "20",
        "--seed",
        "1",
    ];
    let vkey = ok(&dir, &args);
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    assert_eq!(
        vkey,
        std::fs::read_to_string(golden.join("golden-log/vkey")).expect("vkey")
    );
    for file in [
        "checkpoint",
        "vkey",
        "tile/0/000",
        "tile/0/001.p/77",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/77",
    ] {
        let written = std::fs::read(dir.path(&format!("log/{file}"))).expect("written");
        let kept = std::fs::read(golden.join("golden-log").join(file)).expect("golden");
        assert!(written == kept, "{file} differs from tests/data/golden-log");
    }
    // The chapter's worked example is the golden log's first leaf, whole,
    // with its hash as the first hash of the first tile.
    let chapter = std::fs::read_to_string(golden.join("../../book/src/log-v2.md")).expect("book");
    let bundle = std::fs::read(golden.join("golden-log/tile/entries/000")).expect("bundle");
    let length = usize::from(u16::from_be_bytes([bundle[0], bundle[1]]));
    let first = std::str::from_utf8(&bundle[2..2 + length]).expect("utf8");
    assert!(
        chapter.contains(first),
        "the chapter shows the first leaf whole"
    );
    let tile = std::fs::read(golden.join("golden-log/tile/0/000")).expect("tile");
    let hex: String = tile[..32].iter().map(|b| format!("{b:02x}")).collect();
    assert!(chapter.contains(&hex), "the chapter gives the leaf's hash");
    let receipt = golden.join("golden-log-100.tlog-proof");
    let receipt = receipt.to_str().expect("path");
    let checked = ok(
        &dir,
        &["log", "check-receipt", receipt, "--vkey", vkey.trim()],
    );
    assert!(checked.contains("#100"), "{checked}");
}

/// A demo log of a few months in `dir/log`, its mediations reviewed.
fn demo_log(dir: &Dir) {
    let demo = [
        "demo",
        "--log",
        "log",
        "--keys",
        "demo.keys",
        "--entries",
        "1200",
        "--residents",
        "30",
        "--seed",
        "3",
    ];
    ok(dir, &demo);
}

/// `jifen notice`: a month's public notice of the demo log, as JSON whose
/// rows add up to its totals and whose root is the log's at the notice's
/// size; the same month's text, with its 红榜; a bad period refused.
#[test]
fn a_months_notice_adds_up_and_names_the_root_at_its_end() {
    let dir = Dir::new("notice");
    demo_log(&dir);
    let notice: serde_json::Value = serde_json::from_str(&ok(
        &dir,
        &["notice", "log", "--period", "2025-03", "--json"],
    ))
    .expect("json");
    let points = |value: &serde_json::Value| -> f64 {
        value["points"]
            .as_str()
            .and_then(|p| p.parse().ok())
            .expect("points")
    };
    let rows = notice["rows"].as_array().expect("rows");
    assert!(rows.len() > 20, "{} rows", rows.len());
    let by_rows: f64 = rows.iter().map(points).sum();
    let by_residents: f64 = notice["residents"]
        .as_array()
        .expect("residents")
        .iter()
        .map(points)
        .sum();
    let by_households: f64 = notice["households"]
        .as_array()
        .expect("households")
        .iter()
        .map(points)
        .sum();
    assert!((by_rows - by_residents).abs() < 1e-6 && (by_rows - by_households).abs() < 1e-6);
    assert!(notice["closed"].as_bool().expect("closed"));
    // Every row's time is in March 2025, China time.
    let march = 1_740_758_400_000..1_743_436_800_000u64;
    assert!(
        rows.iter()
            .all(|r| march.contains(&r["ts"].as_u64().expect("ts")))
    );
    let top = notice["top"].as_array().expect("top");
    assert!(!top.is_empty() && top.len() <= 10);
    assert!(top.windows(2).all(|w| points(&w[0]) >= points(&w[1])));
    let text = ok(&dir, &["notice", "log", "--period", "2025-03"]);
    assert!(
        text.contains("public notice of points, 2025-03") && text.contains("红榜"),
        "{text}"
    );
    assert!(
        text.contains(notice["log"]["root"].as_str().expect("root")),
        "{text}"
    );
    // The golden log's January notice is the one kept beside it, which
    // the npm package's test recomputes too.
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let golden_log = golden.join("golden-log");
    let golden_log = golden_log.to_str().expect("path");
    let args = ["notice", golden_log, "--period", "2025-01", "--json"];
    let written: serde_json::Value = serde_json::from_str(&ok(&dir, &args)).expect("json");
    let kept =
        std::fs::read_to_string(golden.join("golden-log-notice-2025-01.json")).expect("kept");
    assert_eq!(
        written,
        serde_json::from_str::<serde_json::Value>(&kept).expect("kept json")
    );
    let refused = fails(&dir, &["notice", "log", "--period", "2025-13"], 2);
    assert!(refused.contains("must be a month (2026-11)"), "{refused}");
}

/// `jifen report`: a month's points by activity, less its deductions, add
/// up to its notice's, and a table as CSV opens in Excel and WPS (a
/// byte-order mark, CRLF, Chinese headers). April of the demo log has a
/// deduction, on the notice's 黑榜 with its reason.
#[test]
fn a_months_report_adds_up_to_its_notice_and_its_csv_opens_in_excel() {
    let dir = Dir::new("report");
    demo_log(&dir);
    let points = |text: &str| -> f64 { text.parse().expect("points") };
    let notice: serde_json::Value = serde_json::from_str(&ok(
        &dir,
        &["notice", "log", "--period", "2025-04", "--json"],
    ))
    .expect("json");
    let deduction = notice["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == "deduction")
        .expect("April has a deduction")
        .clone();
    assert_eq!(notice["black"][0]["who"], deduction["resident"]);
    let text = ok(
        &dir,
        &["--lang", "zh", "notice", "log", "--period", "2025-04"],
    );
    let reason = deduction["reason"].as_str().expect("reason");
    assert!(text.contains("黑榜") && text.contains(reason), "{text}");
    let awarded: f64 = notice["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| points(r["points"].as_str().expect("points")))
        .sum();
    let table = |name: &str, header: &str| -> f64 {
        let csv = ok(
            &dir,
            &[
                "--lang", "zh", "report", "log", "--period", "2025-04", "--csv", name,
            ],
        );
        let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
        let mut lines = body.split("\r\n").filter(|l| !l.is_empty());
        assert_eq!(lines.next(), Some(header));
        lines
            .map(|l| points(l.rsplit(',').next().expect("points")))
            .sum()
    };
    let by_activity = table("activity", "活动,次数,积分");
    let deducted = table("deductions", "扣分规则,次数,扣分");
    assert!(deducted >= 5.0, "{deducted}");
    assert!(
        (by_activity - deducted - awarded).abs() < 1e-6,
        "{by_activity} less {deducted} against {awarded}"
    );
    let rewards = ok(
        &dir,
        &[
            "--lang", "zh", "report", "log", "--period", "2025-04", "--csv", "rewards",
        ],
    );
    assert!(
        rewards.starts_with("\u{feff}奖品,发放数量,消耗积分,库存\r\n"),
        "{rewards}"
    );
    let text = ok(&dir, &["report", "log", "--period", "2025-Q1"]);
    assert!(
        text.contains("By activity") && text.contains("stock left"),
        "{text}"
    );
}

/// A reader of a log remembers what it verified: the second report of the
/// same log checks no signature again but gives the same figures; a log
/// whose history changed under the same directory is verified whole
/// again, and the reader is told.
#[test]
fn a_log_verified_before_is_read_again_without_its_signatures_unless_it_changed() {
    let dir = Dir::new("remembered");
    demo_log(&dir);
    let args = ["report", "log", "--period", "2025-04", "--csv", "activity"];
    let first = ok(&dir, &args);
    let cache = std::fs::read_to_string(dir.path("cache/verified-logs")).expect("remembered");
    let checkpoint = std::fs::read_to_string(dir.path("log/checkpoint")).expect("checkpoint");
    let size = checkpoint.lines().nth(1).expect("size");
    let root = checkpoint.lines().nth(2).expect("root");
    assert!(
        cache.starts_with(&format!("{size}\t{root}\tjifen.example/demo\t")),
        "{cache}"
    );
    assert_eq!(ok(&dir, &args), first);
    // Another demo, with another seed, in the same directory.
    std::fs::remove_dir_all(dir.path("log")).expect("remove");
    let demo = [
        "demo",
        "--log",
        "log",
        "--keys",
        "other.keys",
        "--entries",
        "1200",
        "--residents",
        "30",
        "--seed",
        "4",
    ];
    ok(&dir, &demo);
    let output = jifen(&dir, &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("differ from what this machine verified before"),
        "{}",
        stderr(&output)
    );
    assert_ne!(stdout(&output), first);
}

/// A district's report: two communities' logs read side by side, a line
/// each in the table by community, and every other table their sum.
#[test]
fn a_district_report_sums_its_communities_logs() {
    let dir = Dir::new("district");
    demo_log(&dir);
    let other = [
        "demo",
        "--log",
        "second",
        "--keys",
        "second.keys",
        "--entries",
        "900",
        "--residents",
        "20",
        "--seed",
        "9",
    ];
    ok(&dir, &other);
    let total = |csv: &str| -> f64 {
        csv.trim_start_matches('\u{feff}')
            .split("\r\n")
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| {
                l.rsplit(',')
                    .next()
                    .and_then(|p| p.parse::<f64>().ok())
                    .expect("points")
            })
            .sum()
    };
    let csv = |logs: &[&str], table: &str| {
        let mut args = vec!["--lang", "zh", "report"];
        args.extend_from_slice(logs);
        args.extend_from_slice(&["--period", "2025", "--csv", table]);
        ok(&dir, &args)
    };
    let one = total(&csv(&["log"], "activity"));
    let two = total(&csv(&["second"], "activity"));
    let both = csv(&["log", "second"], "activity");
    assert!((total(&both) - one - two).abs() < 1e-6, "{both}");
    let communities = csv(&["log", "second"], "community");
    let lines: Vec<&str> = communities
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 3, "{communities}");
    assert!(
        lines[1].starts_with("示范社区（演示数据） (log),"),
        "{communities}"
    );
    assert!(
        lines[2].starts_with("示范社区（演示数据） (second),"),
        "{communities}"
    );
    let text = ok(&dir, &["report", "log", "second", "--period", "2025-Q2"]);
    assert!(
        text.contains("By community") && text.contains("By month"),
        "{text}"
    );
}

/// `jifen notice --csv`: every row of the notice, as the JSON lists them,
/// for Excel and WPS; a reader that stops early ends it quietly.
#[test]
fn a_notice_as_csv_has_every_row_and_stops_quietly() {
    let dir = Dir::new("notice-csv");
    demo_log(&dir);
    let notice: serde_json::Value =
        serde_json::from_str(&ok(&dir, &["notice", "log", "--period", "2025", "--json"]))
            .expect("json");
    let csv = ok(
        &dir,
        &["--lang", "zh", "notice", "log", "--period", "2025", "--csv"],
    );
    let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "条目,时间,类别,居民,户,活动,积分,说明");
    let rows = notice["rows"].as_array().expect("rows");
    assert_eq!(lines.len() - 1, rows.len());
    assert!(
        lines[1].starts_with(&format!("{},", rows[0]["seq"])),
        "{}",
        lines[1]
    );
    let deduction = lines
        .iter()
        .find(|l| l.contains(",扣分,"))
        .expect("a deduction row");
    assert!(
        deduction.contains("网格员连续三次劝导后仍混投厨余垃圾"),
        "{deduction}"
    );
    // Into a reader that closes after the first bytes.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jifen"))
        .args(["notice", "log", "--period", "2025", "--csv"])
        .current_dir(dir.path(""))
        .env("JIFEN_CACHE_DIR", dir.path("cache"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("jifen runs");
    let mut first = [0u8; 64];
    use std::io::Read;
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read");
    let output = child.wait_with_output().expect("ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Volunteer service counted in hours: an officer's earn without the hours
/// is refused at the office with the reason; with an hour and
/// a half it is accepted at the points per hour, and the month's notice
/// has the award.
#[test]
fn an_hourly_activity_needs_its_hours_and_pays_per_hour() {
    let dir = Dir::new("hours");
    community(&dir);
    let service = r#"{"active":true,"daily_cap":"80","id":"service","name":"志愿服务","per_hour":true,"points":"10","type":"activity"}"#;
    sign(&dir, "office.queue", "office.keys", "admin-1", service, 40);
    let submit = |queue: &str, at: u64| {
        jifen(
            &dir,
            &[
                "log",
                "submit",
                "log",
                queue,
                "--keys",
                "office.keys",
                "--ts",
                &ts(at),
            ],
        )
    };
    assert_eq!(code(&submit("office.queue", 41)), 0);
    let without =
        r#"{"activity":"service","note":"","points":"10","resident":"R001","type":"earn"}"#;
    sign(&dir, "bare.queue", "officer.keys", "officer-1", without, 50);
    let refused = submit("bare.queue", 51);
    let said = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(
        said.contains("activity service is counted in hours: say how many"),
        "{said}"
    );
    assert_ne!(code(&refused), 0);
    let hours = r#"{"activity":"service","hours":"1.5","note":"","points":"15","resident":"R001","type":"earn"}"#;
    sign(&dir, "hours.queue", "officer.keys", "officer-1", hours, 60);
    assert_eq!(code(&submit("hours.queue", 61)), 0);
    let notice = ok(&dir, &["notice", "log", "--period", "2026-05", "--json"]);
    assert!(notice.contains(r#""points":"15""#), "{notice}");
}

/// A resident's passbook pages: each month's balance brought forward is
/// the last month's carried forward, each line's balance adds its points,
/// the page names the log's root at the month's end as the notice does,
/// and an unknown resident or a bad period is refused.
#[test]
fn passbook_pages_carry_the_balance_forward_and_name_the_root() {
    let dir = Dir::new("passbook");
    demo_log(&dir);
    let page = |month: &str| -> serde_json::Value {
        serde_json::from_str(&ok(
            &dir,
            &["passbook", "log", "JX-0012", "--period", month, "--json"],
        ))
        .expect("json")
    };
    let number = |value: &serde_json::Value| -> f64 {
        value
            .as_str()
            .and_then(|p| p.trim_start_matches('+').parse().ok())
            .unwrap_or(0.0)
    };
    let mut carried = 0.0;
    let mut lines = 0;
    for month in ["2025-01", "2025-02", "2025-03", "2025-04"] {
        let page = page(month);
        assert!((number(&page["opening"]) - carried).abs() < 1e-6, "{month}");
        let mut balance = carried;
        for line in page["lines"].as_array().expect("lines") {
            balance += number(&line["points"]);
            assert!((number(&line["balance"]) - balance).abs() < 1e-6, "{line}");
            lines += 1;
        }
        assert!((number(&page["closing"]) - balance).abs() < 1e-6, "{month}");
        carried = balance;
        let notice: serde_json::Value =
            serde_json::from_str(&ok(&dir, &["notice", "log", "--period", month, "--json"]))
                .expect("notice");
        assert!(page["log"]["root"].is_string(), "{page}");
        assert_eq!(page["log"]["root"], notice["log"]["root"], "{month}");
    }
    assert!(lines > 3, "{lines} lines in four months");
    let unknown = fails(
        &dir,
        &["passbook", "log", "NOBODY", "--period", "2025-01"],
        2,
    );
    assert!(
        unknown.contains("no resident with code NOBODY"),
        "{unknown}"
    );
    fails(
        &dir,
        &["passbook", "log", "JX-0012", "--period", "2025-13"],
        2,
    );
}
