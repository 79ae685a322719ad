//! Deductions (扣分): the admin's penalties, an officer's deduction that
//! takes points only once a reviewer approves it, the suspension of
//! redeeming it starts, and its reversal; a v1 line cannot carry any of
//! it; and a replay, a snapshot, a resident's history and the public
//! notice all say the same.

use super::review_tests::{Community, approve, body, reject, reverse, rule};
use crate::entry::parse_line;
use crate::error::{LineError, RuleError};
use crate::history::{Change, RowKind};
use crate::model::{Points, Seq, local_day};
use crate::notice::{NoticeKind, Period};
use crate::snapshot::Snapshot;
use crate::state::ClaimStatus;

const DAY_MS: u64 = 86_400_000;

/// 30 points and a week without redeeming.
const FALSE_CLAIM: &str = r#"{"active":true,"id":"false_claim","name":"虚报活动","points":"30","suspend_days":7,"type":"penalty"}"#;
const DEDUCT: &str = r#"{"penalty":"false_claim","points":"30","reason":"同一次巡逻登记两次","resident":"R001","type":"deduct"}"#;
const RICE: &str = r#"{"points":"30","qty":1,"request_id":"REQ","resident":"R001","reward":"rice","type":"redeem"}"#;

fn redeem(request_id: &str) -> crate::entry::Body {
    body(&RICE.replace("REQ", request_id))
}

fn with_penalty() -> Community {
    let mut c = Community::new();
    c.by_admin(body(FALSE_CLAIM)).expect("penalty");
    c
}

#[test]
fn a_deduction_takes_points_only_once_approved_and_suspends_redeeming() {
    let mut c = with_penalty();
    assert_eq!(c.balance(), Points::whole(100));
    let deduction = c.by_officer(body(DEDUCT)).expect("deduct");
    assert_eq!(c.balance(), Points::whole(100), "pending: nothing taken");
    let state = c.log.ledger().state();
    assert_eq!(state.claim(Seq(deduction)), Some(ClaimStatus::Pending));
    assert_eq!(state.pending_claims(), vec![Seq(deduction)]);
    // Pending, it suspends nothing either.
    c.by_kiosk(redeem("k-1")).expect("redeem while pending");
    assert_eq!(c.balance(), Points::whole(70));

    // Only a reviewer decides it.
    assert!(matches!(
        rule(c.by_officer(approve(deduction))),
        RuleError::RoleNotAllowed { .. }
    ));
    let approval = c.by_reviewer(approve(deduction)).expect("approve");
    assert_eq!(c.balance(), Points::whole(40));
    let approved_on = local_day(c.t, 480);

    // Redeeming is suspended for seven local days from the approval.
    let refused = rule(c.by_kiosk(redeem("k-2")));
    assert_eq!(
        refused,
        RuleError::RedeemSuspended {
            until_day: approved_on + 7
        }
    );
    let message = refused.message(crate::Lang::Zh);
    assert!(message.contains("取消兑换资格"), "{message}");
    assert!(
        message.contains(&crate::model::format_local_day(approved_on + 7)),
        "{message}"
    );
    assert_eq!(c.balance(), Points::whole(40), "a refusal changes nothing");
    c.t += 6 * DAY_MS;
    assert!(matches!(
        rule(c.by_kiosk(redeem("k-3"))),
        RuleError::RedeemSuspended { .. }
    ));
    c.t += DAY_MS;
    c.by_kiosk(redeem("k-4")).expect("a week later");
    assert_eq!(c.balance(), Points::whole(10));

    // The history shows the deduction and the approval that took the points.
    let ledger = c.log.ledger();
    let row = |seq: u64| ledger.history_row(ledger.entry(Seq(seq)).expect("entry"));
    assert_eq!(
        (row(deduction).kind, row(deduction).change),
        (
            RowKind::Deduct(ClaimStatus::Approved(Seq(approval))),
            Change::None
        )
    );
    assert_eq!(row(deduction).item, "虚报活动");
    assert_eq!(row(deduction).note, "同一次巡逻登记两次");
    assert_eq!(
        (row(approval).kind, row(approval).change),
        (
            RowKind::Approve(Seq(deduction)),
            Change::Loss(Points::whole(30))
        )
    );
    // Every verifier replays the same, and a snapshot keeps it all.
    let replayed = c.replayed();
    let snapshot = Snapshot::from_bytes(&ledger.snapshot()).expect("snapshot");
    assert!(snapshot.matches(ledger));
    for state in [replayed.ledger().state(), snapshot.state()] {
        assert_eq!(
            state.suspended_until("R001", approved_on),
            Some(approved_on + 7)
        );
        assert_eq!(
            state.penalty("false_claim").expect("penalty").suspend_days,
            7
        );
        assert!(matches!(
            state.claim(Seq(deduction)),
            Some(ClaimStatus::Approved(_))
        ));
    }
}

#[test]
fn a_rejected_deduction_takes_nothing_and_a_reversed_one_gives_everything_back() {
    let mut c = with_penalty();
    let first = c.by_officer(body(DEDUCT)).expect("deduct");
    c.by_reviewer(reject(first)).expect("reject");
    assert_eq!(c.balance(), Points::whole(100));
    c.by_kiosk(redeem("k-1")).expect("no suspension");
    assert_eq!(
        rule(c.by_officer(reverse(first))),
        RuleError::ClaimRejected(Seq(first))
    );
    assert!(matches!(
        rule(c.by_reviewer(approve(first))),
        RuleError::ClaimDecided { .. }
    ));

    let second = c.by_officer(body(DEDUCT)).expect("deduct");
    c.by_reviewer(approve(second)).expect("approve");
    assert_eq!(c.balance(), Points::whole(40));
    assert!(matches!(
        rule(c.by_kiosk(redeem("k-2"))),
        RuleError::RedeemSuspended { .. }
    ));
    let reversal = c.by_officer(reverse(second)).expect("reverse");
    assert_eq!(c.balance(), Points::whole(70), "the points come back");
    c.by_kiosk(redeem("k-3")).expect("the suspension is lifted");
    let ledger = c.log.ledger();
    let row = ledger.history_row(ledger.entry(Seq(reversal)).expect("entry"));
    assert_eq!(row.change, Change::Gain(Points::whole(30)));

    // A pending deduction reversed is withdrawn: nothing to give back.
    let third = c.by_officer(body(DEDUCT)).expect("deduct");
    c.by_officer(reverse(third)).expect("withdraw");
    assert_eq!(c.balance(), Points::whole(40));
    assert!(matches!(
        rule(c.by_reviewer(approve(third))),
        RuleError::AlreadyReversed { .. }
    ));
    c.replayed();
}

#[test]
fn a_deduction_beyond_the_balance_becomes_debt_that_later_earns_pay() {
    let mut c = with_penalty();
    c.by_admin(body(
        r#"{"active":true,"id":"fraud","name":"骗取奖品","points":"150","suspend_days":0,"type":"penalty"}"#,
    ))
    .expect("penalty");
    let deduction = c
        .by_officer(body(
            r#"{"penalty":"fraud","points":"150","reason":"冒领大米","resident":"R001","type":"deduct"}"#,
        ))
        .expect("deduct");
    c.by_reviewer(approve(deduction)).expect("approve");
    let ledger = c.log.ledger();
    let record = ledger.state().resident("R001").expect("R001");
    assert_eq!(
        (record.balance, record.debt),
        (Points::ZERO, Points::whole(50))
    );
    assert!(matches!(
        rule(c.by_kiosk(redeem("k-1"))),
        RuleError::InsufficientPoints { .. }
    ));
    c.t += DAY_MS;
    c.by_officer(body(
        r#"{"activity":"patrol","note":"","points":"100","resident":"R001","type":"earn"}"#,
    ))
    .expect("earn");
    let record = c.log.ledger().state().resident("R001").expect("R001");
    assert_eq!(
        (record.balance, record.debt),
        (Points::whole(50), Points::ZERO)
    );
    c.replayed();
}

#[test]
fn the_rules_of_penalties_and_deductions_refuse_what_they_must() {
    let mut c = with_penalty();
    let before = c.log.len();
    assert_eq!(
        rule(c.by_officer(body(&DEDUCT.replace(r#""points":"30""#, r#""points":"3""#)))),
        RuleError::DeductPoints {
            expected: Points::whole(30),
            found: Points::whole(3)
        }
    );
    assert_eq!(
        rule(c.by_officer(body(&DEDUCT.replace("false_claim", "littering")))),
        RuleError::UnknownPenalty("littering".to_owned())
    );
    assert!(matches!(
        rule(c.by_officer(body(&DEDUCT.replace("R001", "R404")))),
        RuleError::UnknownResident(_)
    ));
    assert!(matches!(
        rule(c.by_kiosk(body(DEDUCT))),
        RuleError::RoleNotAllowed { .. }
    ));
    assert!(matches!(
        rule(c.by_reviewer(body(DEDUCT))),
        RuleError::RoleNotAllowed { .. }
    ));
    assert!(matches!(
        rule(c.by_officer(body(FALSE_CLAIM))),
        RuleError::RoleNotAllowed { .. }
    ));
    let empty = FALSE_CLAIM
        .replace(r#""points":"30""#, r#""points":"0""#)
        .replace(r#""suspend_days":7"#, r#""suspend_days":0"#);
    assert_eq!(
        rule(c.by_admin(body(&empty))),
        RuleError::EmptyPenalty("false_claim".to_owned())
    );
    assert_eq!(c.log.len(), before, "nothing refused was written");
    // Withdrawn by the admin, a penalty can no longer be recorded.
    c.by_admin(body(&FALSE_CLAIM.replace("true", "false")))
        .expect("withdraw the penalty");
    assert_eq!(
        rule(c.by_officer(body(DEDUCT))),
        RuleError::PenaltyInactive("false_claim".to_owned())
    );
    // A suspension only (no points) is a penalty too.
    c.by_admin(body(
        r#"{"active":true,"id":"warning","name":"停兑一月","points":"0","suspend_days":30,"type":"penalty"}"#,
    ))
    .expect("suspension only");
}

#[test]
fn the_notice_lists_deductions_and_its_black_list() {
    let mut c = with_penalty();
    let deduction = c.by_officer(body(DEDUCT)).expect("deduct");
    let approval = c.by_reviewer(approve(deduction)).expect("approve");
    let month = Period::parse("2026-05").expect("period");
    let notice = c.log.ledger().notice(month);
    let row = notice
        .rows
        .iter()
        .find(|r| r.seq.0 == approval)
        .expect("the deduction's row");
    assert_eq!(
        (row.kind, row.points, row.reason.as_str()),
        (
            NoticeKind::Deduction,
            Points::whole(30).negated(),
            "同一次巡逻登记两次"
        )
    );
    assert_eq!(row.activity, "虚报活动");
    assert_eq!(row.suspended_until, Some(local_day(c.t, 480) + 7));
    assert_eq!(notice.black.len(), 1);
    assert_eq!(
        (notice.black[0].who.as_str(), notice.black[0].points),
        ("R001", Points::whole(30))
    );
    // R001's total for the month: the patrol's 100, less 30.
    assert_eq!(notice.residents[0].points, Points::whole(70));
    let json = notice.to_json();
    assert_eq!(json["black"][0]["points"], "30");
    assert_eq!(json["rows"][1]["kind"], "deduction");
    assert_eq!(json["rows"][1]["reason"], "同一次巡逻登记两次");
    // Reversed, it leaves the black list.
    c.by_officer(reverse(deduction)).expect("reverse");
    let notice = c.log.ledger().notice(month);
    assert!(notice.black.is_empty(), "{:?}", notice.black);
    assert_eq!(notice.residents[0].points, Points::whole(100));
    assert_eq!(c.replayed().ledger().notice(month), notice);
}

#[test]
fn a_v1_line_cannot_carry_a_penalty_or_a_deduction() {
    let line = |body: &str| {
        format!(
            r#"{{"actor":"officer-1","body":{body},"hash":"{zero}","ledger":"xinhua-3","prev":"{zero}","seq":5,"sig":"{sig}","ts":1780000000000,"v":1}}"#,
            zero = "0".repeat(64),
            sig = "0".repeat(128),
        )
    };
    for (text, kind) in [(FALSE_CLAIM, "penalty"), (DEDUCT, "deduct")] {
        assert_eq!(
            parse_line(line(text).as_bytes()).expect_err("refused"),
            LineError::UnknownType(kind.to_owned())
        );
        assert!(body(text).v2_only());
    }
}
