//! Rule tests, data-driven: each case appends entries to a small community
//! and renders the outcome and the resulting state as text, compared with
//! an inline snapshot (`UPDATE_EXPECT=1 cargo test` refreshes them).

use core::fmt::Write;

use expect_test::{Expect, expect};

use crate::demo::demo_secret;
use crate::{Body, Draft, Ledger, Points, PublicKey, Role, Seq, SigningKey, Text};

const T0: u64 = 1_767_196_800_000; // 2026-01-01 00:00 +08:00
const HOUR: u64 = 3_600_000;

fn key(actor: &str) -> SigningKey {
    SigningKey::from_bytes(&demo_secret(7, actor))
}

fn text(value: &str) -> Text {
    Text::parse(value, 1000, true).unwrap_or_else(|e| panic!("{e}"))
}

fn id<T: core::str::FromStr>(value: &str) -> T {
    value.parse().unwrap_or_else(|_| panic!("bad id {value}"))
}

/// A community with admin-1, officer-1, kiosk-1, retired officer-old,
/// residents JX-1 and JX-2, garbage sorting (1 point, cap 2), a patrol
/// (2.5 points, cap 5) and soap (8 points, 3 in stock).
fn community() -> Ledger {
    let mut ledger = Ledger::create(
        id("test"),
        text("测试社区"),
        480,
        T0,
        id("admin-1"),
        &key("admin-1"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let admin = |body| Draft {
        ts_ms: T0,
        actor: id("admin-1"),
        body,
    };
    let mut bodies = Vec::new();
    for (actor, role) in [
        ("officer-1", Role::Officer),
        ("kiosk-1", Role::Kiosk),
        ("officer-old", Role::Officer),
    ] {
        let pubkey = PublicKey(key(actor).verifying_key().to_bytes());
        bodies.push(Body::Actor {
            id: id(actor),
            role,
            pubkey,
            active: true,
        });
    }
    let pubkey = PublicKey(key("officer-old").verifying_key().to_bytes());
    bodies.push(Body::Actor {
        id: id("officer-old"),
        role: Role::Officer,
        pubkey,
        active: false,
    });
    for code in ["JX-1", "JX-2"] {
        bodies.push(Body::Resident {
            code: id(code),
            household: id("1-1-101"),
            area: id("A01"),
            active: true,
        });
    }
    bodies.push(Body::Activity {
        id: id("garbage_sorting"),
        name: text("垃圾分类"),
        points: Points::whole(1),
        daily_cap: Points::whole(2),
        active: true,
        review: false,
        per_hour: false,
    });
    bodies.push(Body::Activity {
        id: id("safety_patrol"),
        name: text("平安巡查"),
        points: Points::parse_wire("2.5").unwrap_or_default(),
        daily_cap: Points::whole(5),
        active: true,
        review: false,
        per_hour: false,
    });
    bodies.push(Body::Reward {
        id: id("soap"),
        name: text("香皂"),
        cost: Points::whole(8),
        active: true,
        household_monthly: None,
    });
    bodies.push(Body::Stock {
        reward: id("soap"),
        delta: 3,
        note: text(""),
    });
    for body in bodies {
        ledger
            .append(admin(body), &key("admin-1"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    ledger
}

/// One step of a case: `actor@hours body`.
fn earn(resident: &str, activity: &str, points: &str) -> Body {
    Body::Earn {
        resident: id(resident),
        activity: id(activity),
        points: Points::parse_wire(points).unwrap_or_else(|e| panic!("{e}")),
        note: text(""),
        photo: None,
        hours: None,
    }
}

fn redeem(resident: &str, qty: u32, points: u32, request_id: &str) -> Body {
    Body::Redeem {
        collector: None,
        resident: id(resident),
        reward: id("soap"),
        qty,
        points: Points::whole(points),
        request_id: id(request_id),
    }
}

fn reverse(seq: u64) -> Body {
    Body::Reverse {
        entry: Seq(seq),
        reason: text("录入错误"),
    }
}

fn check(steps: Vec<(&str, u64, Body)>, expect: Expect) {
    let mut ledger = community();
    let mut out = String::new();
    for (actor, hours, body) in steps {
        let kind = body.type_name();
        let draft = Draft {
            ts_ms: T0 + hours * HOUR,
            actor: id(actor),
            body,
        };
        match ledger.append(draft, &key(actor)) {
            Ok(appended) => writeln!(out, "{kind} by {actor}: {appended:?}"),
            Err(error) => writeln!(
                out,
                "{kind} by {actor}: refused {} ({})",
                error.kind(),
                error.message(crate::Lang::En)
            ),
        }
        .unwrap_or_default();
    }
    for resident in ledger.residents() {
        writeln!(out, "{} balance {}", resident.code, resident.balance).unwrap_or_default();
    }
    for reward in ledger.rewards() {
        writeln!(out, "{} stock {}", reward.id, reward.stock).unwrap_or_default();
    }
    // Replaying the export gives the same state: the rules run again.
    let replayed =
        crate::verify::verify_jsonl(ledger.to_jsonl().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.head(), ledger.head());
    for (left, right) in replayed.residents().iter().zip(ledger.residents()) {
        assert_eq!(left.balance, right.balance);
    }
    expect.assert_eq(&out);
}

#[test]
fn earning_respects_points_roles_and_the_daily_cap() {
    check(
        vec![
            ("officer-1", 1, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 2, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 3, earn("JX-1", "garbage_sorting", "1")),
            // T0 is local midnight (+08:00); 24 hours on, a new local day
            // gives room under the cap again.
            ("officer-1", 24, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 24, earn("JX-1", "garbage_sorting", "2")),
            // Later still, so that each refusal below is for its own rule
            // and not for time going back.
            ("officer-1", 25, earn("JX-1", "safety_patrol", "2.5")),
            ("kiosk-1", 25, earn("JX-2", "garbage_sorting", "1")),
            ("officer-old", 25, earn("JX-2", "garbage_sorting", "1")),
            ("officer-9", 25, earn("JX-2", "garbage_sorting", "1")),
            ("officer-1", 25, earn("JX-404", "garbage_sorting", "1")),
            ("officer-1", 25, earn("JX-2", "knitting", "1")),
        ],
        expect![[r#"
            earn by officer-1: New(Seq(11))
            earn by officer-1: New(Seq(12))
            earn by officer-1: refused daily_cap (daily cap exceeded: 2 earned today, 1 more would pass the cap of 2)
            earn by officer-1: New(Seq(13))
            earn by officer-1: refused earn_points (the activity gives 1 points, the entry says 2)
            earn by officer-1: New(Seq(14))
            earn by kiosk-1: refused role_not_allowed (actor kiosk-1 (kiosk) may not write entries of type earn)
            earn by officer-old: refused actor_inactive (actor officer-old is retired)
            earn by officer-9: refused unknown_actor (unknown actor officer-9)
            earn by officer-1: refused unknown_resident (no resident with code JX-404)
            earn by officer-1: refused unknown_activity (unknown activity knitting)
            JX-1 balance 5.5
            JX-2 balance 0
            soap stock 3
        "#]],
    );
}

#[test]
fn redeeming_checks_balance_stock_cost_and_request_ids() {
    let mut steps = Vec::new();
    for day in 0..8 {
        // Two patrols a day for eight days: 40 points.
        steps.push((
            "officer-1",
            day * 24 + 1,
            earn("JX-1", "safety_patrol", "2.5"),
        ));
        steps.push((
            "officer-1",
            day * 24 + 2,
            earn("JX-1", "safety_patrol", "2.5"),
        ));
    }
    steps.extend([
        ("kiosk-1", 200, redeem("JX-1", 6, 48, "k1:1")),
        ("kiosk-1", 200, redeem("JX-1", 2, 15, "k1:2")),
        ("kiosk-1", 200, redeem("JX-1", 2, 16, "k1:3")),
        // The kiosk retries after a blip: the same entry comes back.
        ("kiosk-1", 201, redeem("JX-1", 2, 16, "k1:3")),
        ("kiosk-1", 201, redeem("JX-1", 1, 8, "k1:3")),
        ("officer-1", 201, redeem("JX-1", 2, 16, "k1:4")),
        ("kiosk-1", 201, redeem("JX-2", 1, 8, "k1:5")),
        ("admin-1", 201, redeem("JX-1", 1, 8, "k1:6")),
        ("officer-1", 201, redeem("JX-1", 1, 8, "k1:7")),
    ]);
    check(
        steps,
        expect![[r#"
            earn by officer-1: New(Seq(11))
            earn by officer-1: New(Seq(12))
            earn by officer-1: New(Seq(13))
            earn by officer-1: New(Seq(14))
            earn by officer-1: New(Seq(15))
            earn by officer-1: New(Seq(16))
            earn by officer-1: New(Seq(17))
            earn by officer-1: New(Seq(18))
            earn by officer-1: New(Seq(19))
            earn by officer-1: New(Seq(20))
            earn by officer-1: New(Seq(21))
            earn by officer-1: New(Seq(22))
            earn by officer-1: New(Seq(23))
            earn by officer-1: New(Seq(24))
            earn by officer-1: New(Seq(25))
            earn by officer-1: New(Seq(26))
            redeem by kiosk-1: refused insufficient_points (not enough points: balance 40, needed 48)
            redeem by kiosk-1: refused redeem_points (redeem points must be cost × qty = 16, the entry says 15)
            redeem by kiosk-1: New(Seq(27))
            redeem by kiosk-1: Existing(Seq(27))
            redeem by kiosk-1: refused request_id_conflict (request_id was used at seq 27 for a different redeem)
            redeem by officer-1: refused insufficient_stock (not enough stock: 1 left, 2 asked)
            redeem by kiosk-1: refused insufficient_points (not enough points: balance 0, needed 8)
            redeem by admin-1: refused role_not_allowed (actor admin-1 (admin) may not write entries of type redeem)
            redeem by officer-1: New(Seq(28))
            JX-1 balance 16
            JX-2 balance 0
            soap stock 0
        "#]],
    );
}

#[test]
fn reversal_undoes_once_and_never_overdraws() {
    check(
        vec![
            ("officer-1", 1, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 1, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 2, reverse(12)),
            // Reversing today's earn gives its room under the cap back.
            ("officer-1", 2, earn("JX-1", "garbage_sorting", "1")),
            ("admin-1", 3, reverse(12)),
            ("officer-1", 3, reverse(10)),
            ("officer-1", 3, reverse(99)),
            ("kiosk-1", 3, reverse(11)),
            ("officer-1", 5, earn("JX-2", "safety_patrol", "2.5")),
            ("officer-1", 5, earn("JX-2", "safety_patrol", "2.5")),
            ("officer-1", 5, earn("JX-2", "safety_patrol", "2.5")),
            ("officer-1", 25, earn("JX-2", "safety_patrol", "2.5")),
            ("officer-1", 25, earn("JX-2", "safety_patrol", "2.5")),
            ("kiosk-1", 26, redeem("JX-2", 1, 8, "k1:9")),
            ("officer-1", 26, reverse(18)),
            ("officer-1", 26, reverse(19)),
            ("officer-1", 26, reverse(18)),
            ("officer-1", 27, reverse(19)),
        ],
        expect![[r#"
            earn by officer-1: New(Seq(11))
            earn by officer-1: New(Seq(12))
            reverse by officer-1: New(Seq(13))
            earn by officer-1: New(Seq(14))
            reverse by admin-1: refused already_reversed (entry 12 was already reversed by entry 13)
            reverse by officer-1: refused reverse_kind (entry 10 is not an earn, redeem or deduction and cannot be reversed)
            reverse by officer-1: refused reverse_missing (entry 99 to reverse does not exist)
            reverse by kiosk-1: refused role_not_allowed (actor kiosk-1 (kiosk) may not write entries of type reverse)
            earn by officer-1: New(Seq(15))
            earn by officer-1: New(Seq(16))
            earn by officer-1: refused daily_cap (daily cap exceeded: 5 earned today, 2.5 more would pass the cap of 5)
            earn by officer-1: New(Seq(17))
            earn by officer-1: New(Seq(18))
            redeem by kiosk-1: New(Seq(19))
            reverse by officer-1: refused reverse_overdraft (the reversal would make the balance negative: balance 2, takes 2.5)
            reverse by officer-1: New(Seq(20))
            reverse by officer-1: New(Seq(21))
            reverse by officer-1: refused already_reversed (entry 19 was already reversed by entry 20)
            JX-1 balance 2
            JX-2 balance 7.5
            soap stock 3
        "#]],
    );
}

#[test]
fn reversing_an_earn_of_an_earlier_day_leaves_todays_cap() {
    check(
        vec![
            ("officer-1", 1, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 1, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 25, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 25, earn("JX-1", "garbage_sorting", "1")),
            ("officer-1", 26, reverse(11)),
            ("officer-1", 26, earn("JX-1", "garbage_sorting", "1")),
        ],
        expect![[r#"
            earn by officer-1: New(Seq(11))
            earn by officer-1: New(Seq(12))
            earn by officer-1: New(Seq(13))
            earn by officer-1: New(Seq(14))
            reverse by officer-1: New(Seq(15))
            earn by officer-1: refused daily_cap (daily cap exceeded: 2 earned today, 1 more would pass the cap of 2)
            JX-1 balance 3
            JX-2 balance 0
            soap stock 3
        "#]],
    );
}

#[test]
fn actors_keys_and_admin_rules() {
    let weak = PublicKey(
        curve25519_dalek::constants::EIGHT_TORSION[1]
            .compress()
            .to_bytes(),
    );
    let officer_key = PublicKey(key("officer-1").verifying_key().to_bytes());
    let new_key = PublicKey(key("officer-2").verifying_key().to_bytes());
    let admin_key = PublicKey(key("admin-1").verifying_key().to_bytes());
    check(
        vec![
            (
                "admin-1",
                1,
                Body::Actor {
                    id: id("officer-2"),
                    role: Role::Officer,
                    pubkey: weak,
                    active: true,
                },
            ),
            (
                "admin-1",
                1,
                Body::Actor {
                    id: id("officer-2"),
                    role: Role::Officer,
                    pubkey: officer_key,
                    active: true,
                },
            ),
            (
                "admin-1",
                1,
                Body::Actor {
                    id: id("officer-1"),
                    role: Role::Kiosk,
                    pubkey: officer_key,
                    active: true,
                },
            ),
            (
                "admin-1",
                1,
                Body::Actor {
                    id: id("officer-1"),
                    role: Role::Officer,
                    pubkey: new_key,
                    active: true,
                },
            ),
            (
                "admin-1",
                1,
                Body::Actor {
                    id: id("admin-1"),
                    role: Role::Admin,
                    pubkey: admin_key,
                    active: false,
                },
            ),
            (
                "officer-1",
                1,
                Body::Stock {
                    reward: id("soap"),
                    delta: 5,
                    note: text(""),
                },
            ),
            (
                "admin-1",
                1,
                Body::Stock {
                    reward: id("soap"),
                    delta: -4,
                    note: text(""),
                },
            ),
            (
                "admin-1",
                1,
                Body::Stock {
                    reward: id("soap"),
                    delta: -3,
                    note: text("过期"),
                },
            ),
            (
                "admin-1",
                0,
                Body::Stock {
                    reward: id("soap"),
                    delta: 1,
                    note: text(""),
                },
            ),
        ],
        expect![[r#"
            actor by admin-1: refused weak_key (weak (small-order) public key: anyone could forge its signatures)
            actor by admin-1: refused key_in_use (this key already belongs to actor officer-1)
            actor by admin-1: refused actor_changed (actor officer-1's role and key cannot change; register a new actor and retire the old one)
            actor by admin-1: refused actor_changed (actor officer-1's role and key cannot change; register a new actor and retire the old one)
            actor by admin-1: refused last_admin (cannot retire the last active admin)
            stock by officer-1: refused role_not_allowed (actor officer-1 (officer) may not write entries of type stock)
            stock by admin-1: refused stock_limit (stock must stay between 0 and 1000000)
            stock by admin-1: New(Seq(11))
            stock by admin-1: refused time_went_back (time went back: previous ts=1767200400000, this ts=1767196800000 (check the device clock))
            JX-1 balance 0
            JX-2 balance 0
            soap stock 0
        "#]],
    );
}

#[test]
fn a_key_that_is_not_the_registered_one_signs_nothing() {
    let mut ledger = community();
    let before = ledger.to_jsonl();
    let draft = Draft {
        ts_ms: T0,
        actor: id("officer-1"),
        body: earn("JX-1", "garbage_sorting", "1"),
    };
    let refused = ledger.append(draft, &key("kiosk-1"));
    assert_eq!(refused.map_err(|e| e.kind()), Err("wrong_key"));
    assert_eq!(ledger.to_jsonl(), before);
    // Regression: a retried redeem with someone else's key used to get the
    // existing entry back; it must be refused like any other append.
    for day in 0..8 {
        let ts_ms = T0 + day * 24 * HOUR;
        let draft = Draft {
            ts_ms,
            actor: id("officer-1"),
            body: earn("JX-1", "safety_patrol", "2.5"),
        };
        ledger
            .append(draft, &key("officer-1"))
            .unwrap_or_else(|e| panic!("{e}"));
        if ledger.balance("JX-1") >= Some(Points::whole(8)) {
            break;
        }
    }
    let retry = || Draft {
        ts_ms: T0 + 200 * HOUR,
        actor: id("kiosk-1"),
        body: redeem("JX-1", 1, 8, "k:retry"),
    };
    assert!(ledger.append(retry(), &key("kiosk-1")).is_ok());
    assert_eq!(
        ledger
            .append(retry(), &key("officer-1"))
            .map_err(|e| e.kind()),
        Err("wrong_key")
    );
    assert!(matches!(
        ledger.append(retry(), &key("kiosk-1")),
        Ok(crate::Appended::Existing(_))
    ));
}

#[test]
fn history_pages_are_newest_first_and_bounded() {
    let mut ledger = community();
    for day in 0..30u64 {
        let draft = Draft {
            ts_ms: T0 + day * 24 * HOUR,
            actor: id("officer-1"),
            body: earn("JX-1", "garbage_sorting", "1"),
        };
        ledger
            .append(draft, &key("officer-1"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(ledger.history_len("JX-1"), 30);
    let page: Vec<u64> = ledger
        .history_page("JX-1", 5, 3)
        .iter()
        .map(|e| e.seq.0)
        .collect();
    assert_eq!(page, vec![35, 34, 33]);
    assert!(ledger.history_page("JX-1", 100, 3).is_empty());
    assert!(ledger.history_page("JX-404", 0, 3).is_empty());
    assert_eq!(ledger.balance("JX-1"), Some(Points::whole(30)));
    assert_eq!(ledger.balance("JX-404"), None);
}

/// Hostile lines: each is refused with the named error, none panics.
#[test]
fn hostile_lines_are_refused_with_a_clear_error() {
    let ledger = community();
    let good = ledger.line(Seq(0)).unwrap_or_default();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_within_the_limit = format!("{}{}", "{\"v\":".repeat(1_000), "}".repeat(1_000));
    let long_note = "备".repeat(101);
    // serde_json's words with the `json-error-details` feature; without
    // it, the fast reader says where it stopped (its exact byte is tested
    // in entry/fast.rs).
    let json = |serde_json: &'static str| {
        if cfg!(feature = "json-error-details") {
            serde_json
        } else {
            "not an entry in the canonical layout (reading stopped at byte"
        }
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty line", b"".to_vec(), json("EOF while parsing")),
        (
            "invalid UTF-8",
            [
                &good.as_bytes()[..20],
                &[0xff, 0xfe],
                &good.as_bytes()[22..],
            ]
            .concat(),
            json("invalid unicode"),
        ),
        (
            "a NUL byte",
            good.replacen("admin-1", "admin\u{0}1", 1).into_bytes(),
            json("control character"),
        ),
        (
            "an escaped NUL",
            good.replacen("admin-1", "admin\\u00001", 1).into_bytes(),
            "member actor may only contain",
        ),
        (
            "10,000-deep nesting",
            deep.clone().into_bytes(),
            "over the limit of 8192",
        ),
        // Typed parsing stops at the first value of the wrong type, so depth
        // never reaches the parser's recursion limit.
        (
            "1,000-deep nesting",
            deep_within_the_limit.into_bytes(),
            json("invalid type: map"),
        ),
        (
            "a 400-digit number",
            good.replacen("\"seq\":0", &format!("\"seq\":{}", "9".repeat(400)), 1)
                .into_bytes(),
            json("number out of range"),
        ),
        (
            "a float",
            good.replacen("\"seq\":0", "\"seq\":0.0", 1).into_bytes(),
            json("invalid type"),
        ),
        (
            "a negative seq",
            good.replacen("\"seq\":0", "\"seq\":-1", 1).into_bytes(),
            json("invalid value"),
        ),
        (
            "a duplicate member",
            good.replacen(
                "{\"actor\":\"admin-1\",",
                "{\"actor\":\"admin-1\",\"actor\":\"admin-1\",",
                1,
            )
            .into_bytes(),
            json("duplicate field `actor`"),
        ),
        (
            "a duplicate body member",
            good.replacen("\"name\":", "\"type\":\"genesis\",\"name\":", 1)
                .into_bytes(),
            json("duplicate field `type`"),
        ),
        (
            "an unknown member",
            good.replacen("\"v\":1}", "\"v\":1,\"extra\":1}", 1)
                .into_bytes(),
            json("unknown field `extra`"),
        ),
        (
            "an unknown body type",
            good.replacen("\"type\":\"genesis\"", "\"type\":\"gift\"", 1)
                .into_bytes(),
            "unknown entry type",
        ),
        (
            "a member of another type",
            good.replacen("\"name\":", "\"qty\":1,\"name\":", 1)
                .into_bytes(),
            "has no member body.qty",
        ),
        (
            "version 2",
            good.replacen("\"v\":1}", "\"v\":2}", 1).into_bytes(),
            "format version 2",
        ),
        (
            "uppercase hex",
            good.replacen("\"prev\":\"00", "\"prev\":\"0A", 1)
                .into_bytes(),
            "lowercase hex",
        ),
        (
            "a too long line",
            [good.as_bytes(), &vec![b' '; 9_000]].concat(),
            "over the limit of 8192",
        ),
        ("a not-an-object", b"42".to_vec(), json("invalid type")),
    ];
    for (name, line, expected) in cases {
        let result = crate::parse_line(&line);
        let message = match result {
            Ok(_) => panic!("{name}: accepted"),
            Err(error) => error.message(crate::Lang::En),
        };
        assert!(message.contains(expected), "{name}: {message}");
    }
    // Text bounds and quantities, at the boundary of the limits.
    assert!(Text::parse(&"备".repeat(100), crate::limits::MAX_TEXT_BYTES, true).is_ok());
    assert!(Text::parse(&long_note, crate::limits::MAX_TEXT_BYTES, true).is_err());
    assert!(Text::parse("a\nb", 10, true).is_err());
    let mut ledger = community();
    for (qty, expected) in [(0u32, "quantity"), (1001, "quantity")] {
        let draft = Draft {
            ts_ms: T0,
            actor: id("kiosk-1"),
            body: redeem("JX-1", qty, 8 * qty, "k:q"),
        };
        assert_eq!(
            ledger.append(draft, &key("kiosk-1")).map_err(|e| e.kind()),
            Err(expected)
        );
    }
}

#[test]
fn hostile_keys_files_are_refused_with_a_clear_error() {
    use crate::keys::Keys;
    let seed = "ab".repeat(32);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{{\"a\":\"{seed}\",\"a\":\"{seed}\"}}"),
            "appears twice",
        ),
        ("{\"a\":\"00\"}".to_owned(), "32 bytes of lowercase hex"),
        (format!("{{\"a b\":\"{seed}\"}}"), "may only contain"),
        ("[]".to_owned(), "invalid type"),
        (deep.clone(), "invalid type: sequence"),
        ("\u{feff}{}".to_owned(), "expected value"),
        (
            format!("{{\"a\":\"{}\"}}", "AB".repeat(32)),
            "lowercase hex",
        ),
    ];
    for (text, expected) in cases {
        let message = Keys::parse(text.as_bytes())
            .map(|_| ())
            .map_err(|e| e.message(crate::Lang::En));
        assert!(
            message.as_ref().err().is_some_and(|m| m.contains(expected)),
            "{text:.40}: {message:?}"
        );
    }
    assert!(Keys::parse(&vec![b' '; crate::keys::MAX_KEYS_FILE_BYTES + 1]).is_err());
    let keys = Keys::parse(format!("{{\"admin-1\":\"{seed}\"}}").as_bytes()).unwrap_or_default();
    assert!(keys.signing_key("admin-1").is_some());
    // Regression (found by the keys_file fuzz target): writing a keys file
    // kept the actors sorted, not in their order; a round trip must keep it.
    let text = format!(
        "{{\"officer-1\":\"{seed}\",\"admin-1\":\"{}\"}}",
        "cd".repeat(32)
    );
    let keys = Keys::parse(text.as_bytes()).unwrap_or_default();
    let again = Keys::parse(keys.to_json().as_bytes()).unwrap_or_default();
    assert_eq!(
        again.actors().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["officer-1", "admin-1"]
    );
}

#[test]
fn the_reward_count_is_bounded() {
    let mut ledger = community();
    let admin = key("admin-1");
    for n in 1..crate::limits::MAX_REWARDS {
        let body = Body::Reward {
            id: id(&format!("r{n}")),
            name: text("奖品"),
            cost: Points::whole(1),
            active: true,
            household_monthly: None,
        };
        ledger
            .append(
                Draft {
                    ts_ms: T0,
                    actor: id("admin-1"),
                    body,
                },
                &admin,
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let body = Body::Reward {
        id: id("one-too-many"),
        name: text("奖品"),
        cost: Points::whole(1),
        active: true,
        household_monthly: None,
    };
    let refused = ledger.append(
        Draft {
            ts_ms: T0,
            actor: id("admin-1"),
            body,
        },
        &admin,
    );
    assert_eq!(
        refused.map_err(|e| e.message(crate::Lang::En)),
        Err("too many rewards: the limit is 10000".to_owned())
    );
}

/// Regression: a redeem of 1,000 items costing 1,001 points each passed
/// the rules but its total (1,001,000) is over the wire format's
/// per-entry limit, so `append` wrote a line that no reader accepted and
/// every later append failed. It is refused now, and nothing is written.
#[test]
fn an_entry_that_would_not_read_back_is_not_written() {
    let mut ledger = community();
    let admin = key("admin-1");
    let body = Body::Reward {
        id: id("tv"),
        name: text("电视"),
        cost: Points::whole(1_001),
        active: true,
        household_monthly: None,
    };
    ledger
        .append(
            Draft {
                ts_ms: T0,
                actor: id("admin-1"),
                body,
            },
            &admin,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let body = Body::Stock {
        reward: id("tv"),
        delta: 1_000,
        note: text(""),
    };
    ledger
        .append(
            Draft {
                ts_ms: T0,
                actor: id("admin-1"),
                body,
            },
            &admin,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    // Enough points: 2,000,000 over many days of an activity worth 1,000,000.
    let body = Body::Activity {
        id: id("big"),
        name: text("大项目"),
        points: Points::whole(1_000_000),
        daily_cap: Points::whole(1_000_000),
        active: true,
        review: false,
        per_hour: false,
    };
    ledger
        .append(
            Draft {
                ts_ms: T0,
                actor: id("admin-1"),
                body,
            },
            &admin,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    for day in 0..2 {
        let draft = Draft {
            ts_ms: T0 + day * 24 * HOUR,
            actor: id("officer-1"),
            body: earn("JX-1", "big", "1000000"),
        };
        ledger
            .append(draft, &key("officer-1"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = ledger.to_jsonl();
    let body = Body::Redeem {
        collector: None,
        resident: id("JX-1"),
        reward: id("tv"),
        qty: 1_000,
        points: Points::whole(1_001).times(1_000),
        request_id: id("k:tv"),
    };
    let refused = ledger.append(
        Draft {
            ts_ms: T0 + 48 * HOUR,
            actor: id("kiosk-1"),
            body,
        },
        &key("kiosk-1"),
    );
    assert_eq!(refused.map_err(|e| e.kind()), Err("unreadable"));
    assert_eq!(ledger.to_jsonl(), before);
    assert!(crate::verify::verify_jsonl(before.as_bytes()).is_ok());
}

#[test]
fn a_resumed_replay_checks_only_what_a_newer_copy_adds() {
    let full = community();
    let text = full.to_jsonl();
    let lines: Vec<&str> = text.lines().collect();
    let older = crate::verify::verify_jsonl(lines[..4].join("\n").as_bytes())
        .map(|_| ())
        .err();
    // Four lines without a final newline are refused as incomplete: the
    // older copy is the first four lines, each with its newline.
    assert!(older.is_some());
    let older_text: String = lines[..4].iter().map(|l| format!("{l}\n")).collect();
    let older =
        crate::verify::verify_jsonl(older_text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut verifier = crate::verify::Verifier::resume(older.clone());
    assert_eq!(verifier.count(), 4);
    for line in &lines[4..] {
        verifier
            .push_line(line.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let (resumed, signatures) = verifier.finish().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signatures.len(), lines.len() - 4);
    // The queued signatures travel as bytes (to a Web Worker) and back.
    let bytes = signatures.to_bytes();
    let travelled = crate::verify::SignatureBatch::from_bytes(&bytes);
    assert_eq!(
        travelled.as_ref().map(|b| b.to_bytes()),
        Some(bytes.clone())
    );
    assert!(travelled.is_some_and(|b| b.verify().is_ok()));
    // A flipped bit in a signature is caught at its seq after the trip;
    // cut or padded bytes are not a batch.
    let mut flipped = bytes.clone();
    let last_signature_byte = flipped.len() - 5;
    flipped[last_signature_byte] ^= 1;
    let error = crate::verify::SignatureBatch::from_bytes(&flipped)
        .and_then(|b| b.verify().err())
        .map(|e| e.seq);
    assert_eq!(error, Some(Seq(lines.len() as u64 - 1)));
    assert!(crate::verify::SignatureBatch::from_bytes(&bytes[..bytes.len() - 1]).is_none());
    assert!(
        crate::verify::SignatureBatch::from_bytes(&[bytes.as_slice(), &[0]].concat()).is_none()
    );
    assert!(crate::verify::SignatureBatch::from_bytes(&[]).is_none());
    assert_eq!(resumed.head(), full.head());
    assert_eq!(resumed.to_jsonl(), text);
    // A line that does not follow the stored head is refused at its seq.
    let mut verifier = crate::verify::Verifier::resume(older);
    let error = verifier
        .push_line(lines[5].as_bytes())
        .err()
        .map(|e| (e.seq, e.kind_name()));
    assert_eq!(error, Some((Seq(4), "seq_mismatch")));
}

#[test]
fn a_snapshot_reads_back_as_the_same_state_and_damage_is_caught() {
    use crate::Snapshot;
    // The demo community: every kind of entry, reversals, today's earnings.
    let demo = crate::demo::generate(&crate::demo::DemoConfig {
        residents: 40,
        entries: 1_500,
        seed: 3,
        ..Default::default()
    });
    let ledger = demo.ledger;
    let bytes = ledger.snapshot();
    let snapshot = Snapshot::from_bytes(&bytes).unwrap_or_else(|| panic!("does not read back"));
    assert!(snapshot.matches(&ledger));
    assert_eq!(snapshot.to_bytes(), bytes);
    assert_eq!(snapshot.head(), ledger.head());
    assert_eq!(snapshot.len(), ledger.len());
    assert_eq!(snapshot.id(), ledger.id());
    for resident in ledger.residents() {
        let code = resident.code.as_str();
        assert_eq!(
            snapshot.state().resident(code).map(|r| r.balance),
            ledger.balance(code)
        );
    }
    let stock =
        |state: &crate::State| -> Vec<i64> { state.rewards().iter().map(|r| r.stock).collect() };
    assert_eq!(stock(snapshot.state()), stock(ledger.state()));
    // A second replay of the same file gives the same bytes (the maps'
    // order in memory differs from run to run; the bytes do not).
    let replayed =
        crate::verify::verify_jsonl(ledger.to_jsonl().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.snapshot(), bytes);
    // Cut short, or any byte changed: not a snapshot.
    for cut in (0..bytes.len()).step_by(97) {
        assert!(
            Snapshot::from_bytes(&bytes[..cut]).is_none(),
            "cut at {cut}"
        );
    }
    for at in (0..bytes.len()).step_by(53) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        assert!(Snapshot::from_bytes(&damaged).is_none(), "byte {at}");
        // Changed on purpose, with the digest made again: it may read, but
        // it never matches the ledger its entries replay to.
        let body = damaged.len() - 32;
        if at >= body {
            continue; // The digest itself: made again, it is the original.
        }
        let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&damaged[..body]).into();
        damaged[body..].copy_from_slice(&digest);
        if let Some(forged) = Snapshot::from_bytes(&damaged) {
            assert!(!forged.matches(&ledger), "byte {at}");
        }
    }
    // A head beyond any ledger's size (u64::MAX would overflow its length)
    // is refused, even sealed.
    let mut huge = bytes.clone();
    let id_len = ledger.id().as_str().len();
    let name_len = ledger.name().as_str().len();
    let seq_at = 8 + 4 + id_len + 4 + name_len;
    huge[seq_at..seq_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let body = huge.len() - 32;
    let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&huge[..body]).into();
    huge[body..].copy_from_slice(&digest);
    assert!(Snapshot::from_bytes(&huge).is_none());
    // An older snapshot does not match a ledger that has grown.
    let older = crate::verify::verify_jsonl(
        ledger
            .to_jsonl()
            .lines()
            .take(1_000)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let older = Snapshot::from_bytes(&older.snapshot()).unwrap_or_else(|| panic!("older"));
    assert!(!older.matches(&ledger));
    assert_eq!(older.len(), 1_000);
}

/// A step of the rollback property: an earn, a redeem, a reversal of an
/// earlier entry or a resident's registration, `hours` after the last one.
fn step_body(kind: u8, who: u8, index: usize, seq: u64) -> (&'static str, Body) {
    let resident = if who == 0 { "JX-1" } else { "JX-2" };
    match kind {
        0 => ("officer-1", earn(resident, "safety_patrol", "2.5")),
        1 => ("officer-1", earn(resident, "garbage_sorting", "1")),
        2 => ("kiosk-1", redeem(resident, 1, 8, &format!("k:{index}"))),
        3 => ("officer-1", reverse(seq.saturating_sub(1))),
        _ => (
            "admin-1",
            Body::Resident {
                code: id(&format!("JX-N{index}")),
                household: id("2-1-101"),
                area: id("A02"),
                active: true,
            },
        ),
    }
}

/// Appends the steps (refused ones change nothing) from `hours` on.
fn append_steps(ledger: &mut Ledger, steps: &[(u8, u8, u64)], first_index: usize, hours: &mut u64) {
    for (offset, &(kind, who, gap)) in steps.iter().enumerate() {
        *hours += gap;
        let (actor, body) = step_body(kind, who, first_index + offset, ledger.len());
        let draft = Draft {
            ts_ms: T0 + *hours * HOUR,
            actor: id(actor),
            body,
        };
        let _ = ledger.append(draft, &key(actor));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Entries appended after a checkpoint and rolled back leave the
    /// ledger as it was: same entries, same state (its snapshot's bytes),
    /// and the same appends made again give the same entries.
    #[test]
    fn a_rollback_undoes_every_append_since_its_checkpoint(
        before in proptest::collection::vec((0u8..5, 0u8..2, 0u64..30), 0..14),
        after in proptest::collection::vec((0u8..5, 0u8..2, 0u64..30), 1..14),
    ) {
        let mut ledger = community();
        let mut hours = 1;
        append_steps(&mut ledger, &before, 0, &mut hours);
        let (entries, snapshot) = (ledger.entries().to_vec(), ledger.snapshot());
        let checkpoint = ledger.checkpoint();
        let at = hours;
        append_steps(&mut ledger, &after, before.len(), &mut hours);
        let first_time = ledger.entries().to_vec();
        proptest::prop_assert!(ledger.rollback(checkpoint.clone()));
        proptest::prop_assert_eq!(ledger.entries(), &entries[..]);
        proptest::prop_assert_eq!(ledger.snapshot(), snapshot.clone());
        let mut hours = at;
        append_steps(&mut ledger, &after, before.len(), &mut hours);
        proptest::prop_assert_eq!(ledger.entries(), &first_time[..]);
        // The checkpoint again, now that other entries follow it: fine.
        proptest::prop_assert!(ledger.rollback(checkpoint));
        proptest::prop_assert_eq!(ledger.snapshot(), snapshot);
    }
}

/// A patrol for `resident` by officer-1, `hours` after the start; it must
/// be accepted.
fn patrol(ledger: &mut Ledger, resident: &str, hours: u64) {
    let draft = Draft {
        ts_ms: T0 + hours * HOUR,
        actor: id("officer-1"),
        body: earn(resident, "safety_patrol", "2.5"),
    };
    ledger
        .append(draft, &key("officer-1"))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_rollback_to_another_ledgers_checkpoint_changes_nothing() {
    let mut ledger = community();
    let mut other = community();
    patrol(&mut other, "JX-1", 1);
    // Longer than this ledger: nothing to go back to.
    assert!(!ledger.rollback(other.checkpoint()));
    // As long, but another history at its end.
    patrol(&mut ledger, "JX-2", 2);
    let before = (ledger.entries().to_vec(), ledger.snapshot());
    assert!(!ledger.rollback(other.checkpoint()));
    assert_eq!((ledger.entries().to_vec(), ledger.snapshot()), before);
    // A checkpoint beyond what a rollback already undid.
    let earlier = ledger.checkpoint();
    let mut shorter = community();
    let checkpoint = shorter.checkpoint();
    patrol(&mut shorter, "JX-1", 1);
    let later = shorter.checkpoint();
    assert!(shorter.rollback(checkpoint));
    assert!(!shorter.rollback(later));
    assert!(ledger.rollback(earlier));
}

/// A quote says what appending the same redeem says, for every signer
/// (none, a kiosk, an officer, an admin, a retired officer, an unknown
/// one), resident, reward and quantity of a demo community; and it costs
/// the reward's cost × qty. Appending changes nothing a quote saw.
#[test]
fn a_redeem_quote_is_the_verdict_of_appending_it() {
    use crate::demo::{DemoConfig, generate};
    let demo = generate(&DemoConfig {
        residents: 12,
        entries: 600,
        ..DemoConfig::default()
    });
    let mut ledger = demo.ledger;
    let seed_of = |actor: &str| {
        demo.keys
            .iter()
            .find(|(id, _)| id.as_str() == actor)
            .map(|(_, seed)| SigningKey::from_bytes(seed))
    };
    // The cheapest reward runs out, so that stock is a reason too.
    let cheapest = ledger
        .rewards()
        .iter()
        .min_by_key(|r| r.cost)
        .map(|r| (r.id.clone(), r.stock));
    if let (Some((reward, stock)), Some(admin)) = (cheapest, seed_of("admin-1")) {
        let body = Body::Stock {
            reward,
            delta: -stock,
            note: text("盘点"),
        };
        let draft = Draft {
            ts_ms: ledger.last_ts_ms(),
            actor: id("admin-1"),
            body,
        };
        ledger
            .append(draft, &admin)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut residents: Vec<String> = ledger
        .residents()
        .iter()
        .map(|r| r.code.to_string())
        .collect();
    residents.push("JX-9999".to_owned());
    let mut rewards: Vec<String> = ledger.rewards().iter().map(|r| r.id.to_string()).collect();
    rewards.push("gold".to_owned());
    let mut checked = 0;
    let mut refused = std::collections::BTreeSet::new();
    for signer in [
        None,
        Some("kiosk-1"),
        Some("officer-1"),
        Some("admin-1"),
        Some("nobody"),
    ] {
        for resident in residents.iter().step_by(3) {
            for reward in &rewards {
                for qty in [1, 2, 40, 1001] {
                    let signer_id: Option<crate::ActorId> = signer.map(id);
                    let quote = ledger.state().quote_redeem(
                        signer_id.as_ref(),
                        &id(resident),
                        &id(reward),
                        qty,
                    );
                    let cost = ledger.state().reward(reward).map(|r| r.cost.times(qty));
                    assert_eq!(quote.points, cost);
                    let actor = signer.unwrap_or("kiosk-1");
                    let body =
                        ledger
                            .state()
                            .redeem_body(id(resident), id(reward), qty, id("fresh-1"));
                    let appended = body.and_then(|body| {
                        let mut copy = ledger.clone();
                        let key = seed_of(actor).unwrap_or_else(|| key("nobody"));
                        let draft = Draft {
                            ts_ms: ledger.last_ts_ms(),
                            actor: id(actor),
                            body,
                        };
                        copy.append(draft, &key).map(|_| ()).map_err(|e| match e {
                            crate::AppendError::Rule(rule) => rule,
                            other => panic!("{other:?}"),
                        })
                    });
                    // With no signer named, the signer's own rules are not asked.
                    if signer.is_some() {
                        assert_eq!(
                            quote.verdict, appended,
                            "{signer:?} {resident} {reward} {qty}"
                        );
                    } else if appended.is_ok() {
                        assert_eq!(quote.verdict, Ok(()));
                    }
                    if let Err(error) = &quote.verdict {
                        refused.insert(error.kind());
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 200, "{checked}");
    // Every reason a kiosk shows was met.
    for kind in [
        "insufficient_points",
        "insufficient_stock",
        "unknown_resident",
        "unknown_reward",
        "quantity",
        "role_not_allowed",
        "unknown_actor",
    ] {
        assert!(refused.contains(kind), "{kind} not met: {refused:?}");
    }
}
