//! Households (一户一卡): a reward may be limited to so many items a
//! household a local month, counted over every resident of the household;
//! a reversal gives the room back; a new month starts again; a v1 line
//! cannot carry the limit; and a replay and a snapshot count the same.

use super::review_tests::{Community, body, rule, v1_line};
use crate::entry::parse_line;
use crate::error::{LineError, RuleError};
use crate::snapshot::Snapshot;

/// Rice limited to one bag a household a month.
const RICE: &str = r#"{"active":true,"cost":"30","household_monthly":1,"id":"rice","name":"大米","type":"reward"}"#;

fn redeem(resident: &str, request: &str) -> crate::entry::Body {
    body(&format!(
        r#"{{"points":"30","qty":1,"request_id":"{request}","resident":"{resident}","reward":"rice","type":"redeem"}}"#
    ))
}

/// R001 and R002 share household H1; R003 lives in H2. Each has points.
fn households() -> Community {
    let mut c = Community::new();
    for resident in [
        r#"{"active":true,"area":"1-2","code":"R002","household":"H1","type":"resident"}"#,
        r#"{"active":true,"area":"1-2","code":"R003","household":"H2","type":"resident"}"#,
    ] {
        c.by_admin(body(resident)).expect("resident");
    }
    c.by_admin(body(RICE)).expect("limited rice");
    for resident in ["R002", "R003"] {
        let earn = format!(
            r#"{{"activity":"patrol","note":"","points":"100","resident":"{resident}","type":"earn"}}"#
        );
        c.by_officer(body(&earn)).expect("earn");
    }
    c
}

#[test]
fn one_bag_a_household_a_month_whoever_of_it_redeems() {
    let mut c = households();
    let first = c
        .by_kiosk(redeem("R001", "k-1"))
        .expect("the household's bag");
    let before = c.log.len();
    assert_eq!(
        rule(c.by_kiosk(redeem("R002", "k-2"))),
        RuleError::HouseholdLimit {
            reward: "rice".to_owned(),
            limit: 1,
            used: 1
        }
    );
    assert_eq!(c.log.len(), before, "a refusal writes nothing");
    // Another household is not limited by this one.
    c.by_kiosk(redeem("R003", "k-3"))
        .expect("another household");
    let state = c.log.ledger().state();
    assert_eq!(state.household_month("H1", "rice", c.t), (1, Some(1)));
    // A snapshot and a replay count the same.
    let snapshot = Snapshot::from_bytes(&c.log.ledger().snapshot()).expect("snapshot");
    assert_eq!(
        snapshot.state().household_month("H1", "rice", c.t),
        (1, Some(1))
    );
    let replayed = c.replayed();
    assert_eq!(
        replayed.ledger().state().household_month("H2", "rice", c.t),
        (1, Some(1))
    );
    // A reversal gives the month's room back.
    let reverse = body(&format!(
        r#"{{"entry":{first},"reason":"退回","type":"reverse"}}"#
    ));
    c.by_admin(reverse).expect("reversed");
    c.by_kiosk(redeem("R002", "k-4"))
        .expect("the room came back");
}

#[test]
fn a_new_month_starts_again_and_a_kiosk_sees_the_limit_before_it_redeems() {
    let mut c = households();
    c.by_kiosk(redeem("R001", "k-1")).expect("this month's bag");
    let quote = c.log.ledger().state().quote_redeem(
        None,
        &"R002".parse().expect("code"),
        &"rice".parse().expect("id"),
        1,
    );
    assert!(
        matches!(quote.verdict, Err(RuleError::HouseholdLimit { .. })),
        "{:?}",
        quote.verdict
    );
    // Thirty-two days on, it is another month.
    c.t += 32 * 86_400_000;
    c.by_kiosk(redeem("R002", "k-2")).expect("next month's bag");
    assert_eq!(
        c.log.ledger().state().household_month("H1", "rice", c.t),
        (1, Some(1))
    );
    // Lifted: the admin defines rice again without the limit.
    let unlimited = RICE.replace(r#""household_monthly":1,"#, "");
    c.by_admin(body(&unlimited)).expect("no limit");
    c.by_kiosk(redeem("R001", "k-3")).expect("no limit now");
}

#[test]
fn the_limit_is_written_canonically_and_a_v1_line_cannot_carry_it() {
    let read = body(RICE);
    let mut written = Vec::new();
    read.write_canonical(&mut written);
    assert_eq!(String::from_utf8(written).expect("utf-8"), RICE);
    assert_eq!(
        crate::entry::parse_body_with_serde_json(RICE.as_bytes()).expect("serde"),
        read
    );
    assert!(read.v2_only());
    let zero = RICE.replace(r#""household_monthly":1"#, r#""household_monthly":0"#);
    assert!(matches!(
        crate::entry::parse_body(zero.as_bytes()),
        Err(LineError::Field {
            field: "body.household_monthly",
            ..
        })
    ));
    let line = v1_line("admin-1", RICE);
    assert_eq!(
        parse_line(line.as_bytes()).expect_err("refused"),
        LineError::UnexpectedMember("household_monthly")
    );
}
