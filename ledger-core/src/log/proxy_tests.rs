//! Collecting for someone else (代领): a redeem names who collected it, a
//! family member (the same household) or a helper the admin registered;
//! anyone else is refused; a v1 line cannot carry any of it; and a replay,
//! a snapshot and the resident's history all say who collected.

use super::review_tests::{Community, body, rule};
use crate::entry::parse_line;
use crate::error::{LineError, RuleError};
use crate::model::Seq;
use crate::snapshot::Snapshot;

const RICE: &str = r#"{"collector":"WHO","points":"30","qty":1,"request_id":"REQ","resident":"R001","reward":"rice","type":"redeem"}"#;

fn collected_by(who: &str, request: &str) -> crate::entry::Body {
    body(&RICE.replace("WHO", who).replace("REQ", request))
}

fn helper(helper: &str, active: bool) -> crate::entry::Body {
    body(&format!(
        r#"{{"active":{active},"helper":"{helper}","resident":"R001","type":"helper"}}"#
    ))
}

/// R001's household has R002; R003 lives elsewhere.
fn with_neighbours() -> Community {
    let mut c = Community::new();
    for resident in [
        r#"{"active":true,"area":"1-2","code":"R002","household":"H1","type":"resident"}"#,
        r#"{"active":true,"area":"1-2","code":"R003","household":"H2","type":"resident"}"#,
    ] {
        c.by_admin(body(resident)).expect("resident");
    }
    c
}

#[test]
fn a_family_member_collects_and_the_history_says_so() {
    let mut c = with_neighbours();
    let redeem = c.by_kiosk(collected_by("R002", "k-1")).expect("family");
    let ledger = c.log.ledger();
    let row = ledger.history_row(ledger.entry(Seq(redeem)).expect("entry"));
    assert_eq!(row.collector.as_deref(), Some("R002"));
    let replayed = c.replayed();
    let again = replayed.ledger();
    let row = again.history_row(again.entry(Seq(redeem)).expect("entry"));
    assert_eq!(row.collector.as_deref(), Some("R002"));
}

#[test]
fn only_a_registered_helper_collects_from_outside_the_household() {
    let mut c = with_neighbours();
    let before = c.log.len();
    assert_eq!(
        rule(c.by_kiosk(collected_by("R003", "k-1"))),
        RuleError::CollectorNotAllowed {
            collector: "R003".to_owned(),
            resident: "R001".to_owned()
        }
    );
    assert_eq!(c.log.len(), before, "a refusal writes nothing");
    // Only the admin registers helpers.
    assert!(matches!(
        rule(c.by_officer(helper("R003", true))),
        RuleError::RoleNotAllowed { .. }
    ));
    c.by_admin(helper("R003", true)).expect("helper");
    assert_eq!(
        c.log.ledger().state().helpers_of("R001"),
        vec![&"R003".parse::<crate::model::ResidentCode>().expect("code")]
    );
    c.by_kiosk(collected_by("R003", "k-2"))
        .expect("a registered helper");
    // A snapshot keeps the helper; withdrawn, they may no longer collect.
    let snapshot = Snapshot::from_bytes(&c.log.ledger().snapshot()).expect("snapshot");
    assert_eq!(snapshot.state().helpers_of("R001").len(), 1);
    c.by_admin(helper("R003", false)).expect("withdrawn");
    assert!(matches!(
        rule(c.by_kiosk(collected_by("R003", "k-3"))),
        RuleError::CollectorNotAllowed { .. }
    ));
    c.replayed();
}

#[test]
fn nobody_else_collects() {
    let mut c = with_neighbours();
    assert!(matches!(
        rule(c.by_kiosk(collected_by("R001", "k-1"))),
        RuleError::CollectorNotAllowed { .. }
    ));
    assert_eq!(
        rule(c.by_kiosk(collected_by("R404", "k-2"))),
        RuleError::UnknownResident("R404".to_owned())
    );
    assert!(matches!(
        rule(c.by_admin(body(
            r#"{"active":true,"helper":"R001","resident":"R001","type":"helper"}"#
        ))),
        RuleError::CollectorNotAllowed { .. }
    ));
    // A resident who moved out no longer collects for the household.
    c.by_admin(body(
        r#"{"active":false,"area":"1-2","code":"R002","household":"H1","type":"resident"}"#,
    ))
    .expect("moved out");
    assert!(matches!(
        rule(c.by_kiosk(collected_by("R002", "k-3"))),
        RuleError::CollectorNotAllowed { .. }
    ));
}

#[test]
fn a_v1_line_cannot_carry_a_collector_or_a_helper() {
    let line = |body: &str| {
        format!(
            r#"{{"actor":"kiosk-1","body":{body},"hash":"{zero}","ledger":"xinhua-3","prev":"{zero}","seq":5,"sig":"{sig}","ts":1780000000000,"v":1}}"#,
            zero = "0".repeat(64),
            sig = "0".repeat(128),
        )
    };
    let redeem = RICE.replace("WHO", "R002").replace("REQ", "k-1");
    assert_eq!(
        parse_line(line(&redeem).as_bytes()).expect_err("refused"),
        LineError::UnexpectedMember("collector")
    );
    let registration = r#"{"active":true,"helper":"R003","resident":"R001","type":"helper"}"#;
    assert_eq!(
        parse_line(line(registration).as_bytes()).expect_err("refused"),
        LineError::UnknownType("helper".to_owned())
    );
    assert!(body(&redeem).v2_only() && body(registration).v2_only());
    // Without a collector, a redeem is as v1 wrote it.
    let plain = redeem.replace(r#""collector":"R002","#, "");
    assert!(!body(&plain).v2_only());
}
