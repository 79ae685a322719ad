//! Hours (志愿服务时长): an activity counted in hours earns its points per
//! hour over the hours an earn says, in half-hour steps; an earn of it must
//! say them and an earn of any other must not; a v1 line cannot carry any of
//! it; and a replay, a snapshot and the resident's history all agree.

use super::review_tests::{Community, body, rule, v1_line};
use crate::entry::{hours_from_wire, hours_to_wire, parse_body, parse_line};
use crate::error::{LineError, RuleError};
use crate::model::{FieldProblem, Points, Seq};
use crate::snapshot::Snapshot;

const SERVICE: &str = r#"{"active":true,"daily_cap":"80","id":"service","name":"志愿服务","per_hour":true,"points":"10","type":"activity"}"#;
const PATROL: &str = r#"{"active":true,"daily_cap":"20","id":"patrol","name":"安全巡逻","points":"5","type":"activity"}"#;

fn earn(activity: &str, points: &str, hours: Option<&str>) -> crate::entry::Body {
    let hours = hours.map_or(String::new(), |h| format!(r#""hours":"{h}","#));
    body(&format!(
        r#"{{"activity":"{activity}",{hours}"note":"","points":"{points}","resident":"R001","type":"earn"}}"#
    ))
}

fn with_service() -> Community {
    let mut c = Community::new();
    c.by_admin(body(SERVICE)).expect("service");
    c.by_admin(body(PATROL)).expect("patrol");
    c
}

#[test]
fn an_hourly_activity_earns_its_points_per_hour_over_the_hours() {
    let mut c = with_service();
    let before = c.balance();
    let seq = c
        .by_officer(earn("service", "15", Some("1.5")))
        .expect("an hour and a half");
    assert_eq!(c.balance(), before.plus(Points::whole(15)));
    // What the app builds is what the rules accept.
    let state = c.log.ledger().state();
    let built = state
        .earn_body_for(
            "R001".parse().expect("code"),
            "service".parse().expect("id"),
            crate::model::Text::parse("", 10, true).expect("text"),
            Some(5),
        )
        .expect("built");
    assert_eq!(built, earn("service", "25", Some("2.5")));
    let ledger = c.log.ledger();
    let row = ledger.history_row(ledger.entry(Seq(seq)).expect("entry"));
    assert_eq!(row.hours, Some(3));
    // The daily cap counts points, whatever the hours: 15 + 60 > 80.
    assert!(matches!(
        rule(c.by_officer(earn("service", "70", Some("7")))),
        RuleError::DailyCap { .. }
    ));
    let replayed = c.replayed();
    let again = replayed.ledger();
    assert_eq!(
        again
            .history_row(again.entry(Seq(seq)).expect("entry"))
            .hours,
        Some(3)
    );
    let snapshot = Snapshot::from_bytes(&c.log.ledger().snapshot()).expect("snapshot");
    assert!(snapshot.state().activity("service").expect("kept").per_hour);
}

#[test]
fn the_hours_must_be_said_for_an_hourly_activity_and_only_for_one() {
    let mut c = with_service();
    let before = (c.log.len(), c.balance());
    assert_eq!(
        rule(c.by_officer(earn("service", "10", None))),
        RuleError::HoursNeeded("service".to_owned())
    );
    assert_eq!(
        rule(c.by_officer(earn("patrol", "5", Some("1")))),
        RuleError::NotHourly("patrol".to_owned())
    );
    // Points that are not the hours' worth, either way.
    assert_eq!(
        rule(c.by_officer(earn("service", "20", Some("1")))),
        RuleError::EarnPoints {
            expected: Points::whole(10),
            found: Points::whole(20)
        }
    );
    assert_eq!((c.log.len(), c.balance()), before, "refusals write nothing");
    assert_eq!(
        RuleError::HoursNeeded("service".to_owned()).kind(),
        "hours_needed"
    );
}

#[test]
fn hours_are_half_hour_steps_from_half_an_hour_to_a_day() {
    for (text, half_hours) in [("0.5", 1), ("1", 2), ("1.5", 3), ("8", 16), ("24", 48)] {
        assert_eq!(hours_from_wire(text), Some(half_hours), "{text}");
        assert_eq!(hours_to_wire(half_hours), text);
    }
    for bad in [
        "", "0", "01", "1.0", "1.25", "24.5", "25", "-1", "+1", ".5", "1.", "１", "100",
    ] {
        assert_eq!(hours_from_wire(bad), None, "{bad:?}");
    }
    let refused = parse_body(
        r#"{"activity":"service","hours":"1.25","note":"","points":"10","resident":"R001","type":"earn"}"#
            .as_bytes(),
    );
    assert_eq!(
        refused,
        Err(LineError::Field {
            field: "body.hours",
            problem: FieldProblem::NotHours
        })
    );
}

#[test]
fn hours_are_written_canonically_and_a_v1_line_cannot_carry_them() {
    let claim = r#"{"activity":"service","hours":"2.5","note":"","points":"25","resident":"R001","type":"earn"}"#;
    for text in [SERVICE, claim] {
        let read = body(text);
        let mut written = Vec::new();
        read.write_canonical(&mut written);
        assert_eq!(String::from_utf8(written).expect("utf-8"), text);
        assert_eq!(
            crate::entry::parse_body_with_serde_json(text.as_bytes()).expect("serde"),
            read
        );
        assert!(read.v2_only(), "{text}");
    }
    // An ordinary activity is written as before, without `per_hour`.
    let mut written = Vec::new();
    body(PATROL).write_canonical(&mut written);
    assert_eq!(String::from_utf8(written).expect("utf-8"), PATROL);
    let refused =
        |body: &str| parse_line(v1_line("officer-1", body).as_bytes()).expect_err("refused");
    assert_eq!(refused(SERVICE), LineError::UnexpectedMember("per_hour"));
    assert_eq!(refused(claim), LineError::UnexpectedMember("hours"));
}

#[test]
fn the_demo_log_counts_volunteer_service_in_hours() {
    let config = crate::demo::DemoConfig {
        residents: 40,
        entries: 3_000,
        seed: 9,
        start_ts_ms: super::tests::T0,
    };
    let demo = super::demo::generate_log(&config, "jifen.example/hours", |_| {}).expect("demo");
    assert!(demo.left_out < 10, "{} left out", demo.left_out);
    let ledger = demo.log.ledger();
    assert!(
        ledger
            .state()
            .activity(super::demo::HOURLY_ACTIVITY)
            .expect("activity")
            .per_hour
    );
    let hours: Vec<u32> = ledger
        .entries()
        .iter()
        .filter_map(|e| match &e.body {
            crate::entry::Body::Earn { hours, .. } => *hours,
            _ => None,
        })
        .collect();
    assert!(hours.contains(&2) && hours.contains(&4), "{hours:?}");
}
