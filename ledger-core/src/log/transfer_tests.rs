//! Transfers (转赠): only while the admin allows them and up to the most
//! it sets, from one active resident to another, never below zero; each
//! side's history says what it gave or received; a transfer is not
//! reversed (the receiver gives back instead); a v1 line cannot carry
//! one; and a replay and a snapshot agree.

use super::review_tests::{Community, body, reverse, rule, v1_line};
use crate::entry::parse_line;
use crate::error::{LineError, RuleError};
use crate::history::{Change, RowKind};
use crate::model::{Points, Seq};
use crate::snapshot::Snapshot;

const ALLOW: &str = r#"{"active":true,"points":"50","type":"transfers"}"#;

fn transfer(from: &str, to: &str, points: &str) -> crate::entry::Body {
    body(&format!(
        r#"{{"note":"送给邻居","points":"{points}","resident":"{from}","to":"{to}","type":"transfer"}}"#
    ))
}

/// R001 has 100 points; R002, a neighbour, none.
fn neighbours() -> Community {
    let mut c = Community::new();
    c.by_admin(body(
        r#"{"active":true,"area":"1-2","code":"R002","household":"H2","type":"resident"}"#,
    ))
    .expect("resident");
    c
}

fn balance(c: &Community, code: &str) -> Points {
    c.log.ledger().balance(code).expect("resident")
}

#[test]
fn a_resident_gives_points_to_a_neighbour_once_the_admin_allows_it() {
    let mut c = neighbours();
    let before = c.log.len();
    assert_eq!(
        rule(c.by_kiosk(transfer("R001", "R002", "20"))),
        RuleError::TransfersOff
    );
    assert_eq!(c.log.len(), before, "a refusal writes nothing");
    // Only an admin allows them.
    assert!(matches!(
        rule(c.by_officer(body(ALLOW))),
        RuleError::RoleNotAllowed { .. }
    ));
    c.by_admin(body(ALLOW)).expect("allowed");
    let given = c.by_kiosk(transfer("R001", "R002", "20")).expect("given");
    assert_eq!(balance(&c, "R001"), Points::whole(80));
    assert_eq!(balance(&c, "R002"), Points::whole(20));
    let ledger = c.log.ledger();
    let entry = ledger.entry(Seq(given)).expect("entry");
    let out = ledger.history_row_for(entry, "R001");
    assert_eq!(
        (out.kind, out.item.as_str(), out.change),
        (
            RowKind::TransferOut,
            "R002",
            Change::Loss(Points::whole(20))
        )
    );
    let received = ledger.history_row_for(entry, "R002");
    assert_eq!(
        (received.kind, received.item.as_str(), received.change),
        (RowKind::TransferIn, "R001", Change::Gain(Points::whole(20)))
    );
    assert_eq!(ledger.history_len("R002"), 1);
    // A replay and a snapshot agree, the setting kept.
    let replayed = c.replayed();
    assert_eq!(replayed.ledger().balance("R002"), Some(Points::whole(20)));
    let snapshot = Snapshot::from_bytes(&c.log.ledger().snapshot()).expect("snapshot");
    assert_eq!(snapshot.state().transfers(), Some(Points::whole(50)));
    // Stopped: no more.
    c.by_admin(body(&ALLOW.replace("true", "false")))
        .expect("stopped");
    assert_eq!(
        rule(c.by_kiosk(transfer("R001", "R002", "5"))),
        RuleError::TransfersOff
    );
}

#[test]
fn a_transfer_is_refused_past_the_most_to_oneself_below_zero_or_to_nobody() {
    let mut c = neighbours();
    c.by_admin(body(ALLOW)).expect("allowed");
    let before = (c.log.len(), balance(&c, "R001"));
    assert_eq!(
        rule(c.by_kiosk(transfer("R001", "R002", "60"))),
        RuleError::TransferTooLarge {
            max: Points::whole(50),
            asked: Points::whole(60)
        }
    );
    assert_eq!(
        rule(c.by_kiosk(transfer("R001", "R001", "5"))),
        RuleError::TransferToSelf("R001".to_owned())
    );
    assert!(matches!(
        rule(c.by_kiosk(transfer("R002", "R001", "5"))),
        RuleError::InsufficientPoints { .. }
    ));
    assert_eq!(
        rule(c.by_kiosk(transfer("R001", "R404", "5"))),
        RuleError::UnknownResident("R404".to_owned())
    );
    assert_eq!((c.log.len(), balance(&c, "R001")), before);
    // Given is given: the receiver gives back instead of a reversal.
    let given = c.by_kiosk(transfer("R001", "R002", "10")).expect("given");
    assert_eq!(
        rule(c.by_officer(reverse(given))),
        RuleError::ReverseKind(Seq(given))
    );
    c.by_kiosk(transfer("R002", "R001", "10"))
        .expect("given back");
    assert_eq!(balance(&c, "R001"), Points::whole(100));
}

#[test]
fn transfers_are_written_canonically_and_a_v1_line_cannot_carry_them() {
    let given =
        r#"{"note":"送给邻居","points":"20","resident":"R001","to":"R002","type":"transfer"}"#;
    for text in [ALLOW, given] {
        let read = body(text);
        let mut written = Vec::new();
        read.write_canonical(&mut written);
        assert_eq!(String::from_utf8(written).expect("utf-8"), text);
        assert_eq!(
            crate::entry::parse_body_with_serde_json(text.as_bytes()).expect("serde"),
            read
        );
        assert!(read.v2_only());
        let line = v1_line("kiosk-1", text);
        assert!(matches!(
            parse_line(line.as_bytes()).expect_err("refused"),
            LineError::UnknownType(_)
        ));
    }
}

#[test]
fn the_demo_log_has_transfers_between_neighbours() {
    let config = crate::demo::DemoConfig {
        residents: 40,
        entries: 3_000,
        seed: 9,
        start_ts_ms: super::tests::T0,
    };
    let demo = super::demo::generate_log(&config, "jifen.example/transfers", |_| {}).expect("demo");
    assert!(demo.left_out < 10, "{} left out", demo.left_out);
    let ledger = demo.log.ledger();
    assert_eq!(ledger.state().transfers(), Some(Points::whole(20)));
    let given = ledger
        .entries()
        .iter()
        .filter(|e| matches!(e.body, crate::entry::Body::Transfer { .. }))
        .count();
    assert!(given >= 5, "{given} transfers");
}
