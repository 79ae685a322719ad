//! Review (申请–审核): an earn of an activity that needs review counts only
//! once a reviewer approves it and never if one rejects it; a reversal
//! withdraws it; a v1 line cannot carry any of it; and a replay, a
//! snapshot, a resident's history and the public notice all say the same.

use super::tests::{Device, T0, community, id, leaves};
use super::*;
use crate::entry::{Body, parse_body, parse_line};
use crate::error::{LineError, RuleError};
use crate::history::{Change, RowKind};
use crate::model::{FieldProblem, Points, Role, Seq};
use crate::snapshot::Snapshot;
use crate::state::ClaimStatus;

pub(super) fn body(json: &str) -> Body {
    parse_body(json.as_bytes()).expect("body")
}

const MEDIATION: &str = r#"{"active":true,"daily_cap":"40","id":"mediation","name":"调解纠纷","points":"20","review":true,"type":"activity"}"#;
const CLAIM: &str = r#"{"activity":"mediation","note":"3-2-501 与 3-2-502 漏水纠纷","photo":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","points":"20","resident":"R001","type":"earn"}"#;

pub(super) fn approve(claim: u64) -> Body {
    body(&format!(
        r#"{{"entry":{claim},"note":"红管家小组 5 人核实","type":"approve"}}"#
    ))
}

pub(super) fn reject(claim: u64) -> Body {
    body(&format!(
        r#"{{"entry":{claim},"reason":"当事人否认调解","type":"reject"}}"#
    ))
}

pub(super) fn reverse(target: u64) -> Body {
    body(&format!(
        r#"{{"entry":{target},"reason":"记错了人","type":"reverse"}}"#
    ))
}

/// A community with a reviewer and an activity that needs review.
pub(super) struct Community {
    pub(super) log: Log,
    admin: Device,
    officer: Device,
    reviewer: Device,
    kiosk: Device,
    pub(super) t: u64,
}

impl Community {
    pub(super) fn new() -> Community {
        let (log, admin, kiosk, _) = community();
        let mut officer = Device::new("officer-1", 4);
        // Past a gap: its entries so far are community()'s.
        officer.next = 100;
        let mut community = Community {
            log,
            admin,
            officer,
            reviewer: Device::new("reviewer-1", 7),
            kiosk,
            t: T0 + 100_000,
        };
        let reviewer = Body::Actor {
            id: id("reviewer-1"),
            role: Role::Reviewer,
            pubkey: community.reviewer.public(),
            active: true,
        };
        community.by_admin(reviewer).expect("reviewer");
        community.by_admin(body(MEDIATION)).expect("activity");
        community
    }

    fn submit(&mut self, entry: DeviceEntry) -> Result<u64, SubmitError> {
        self.log
            .submit(&entry.to_bytes(), self.t)
            .map(|submitted| submitted.index)
    }

    pub(super) fn by_admin(&mut self, body: Body) -> Result<u64, SubmitError> {
        self.t += 1000;
        let entry = self.admin.sign(self.t, body, None);
        self.submit(entry)
    }

    pub(super) fn by_officer(&mut self, body: Body) -> Result<u64, SubmitError> {
        self.t += 1000;
        let entry = self.officer.sign(self.t, body, None);
        self.submit(entry)
    }

    pub(super) fn by_reviewer(&mut self, body: Body) -> Result<u64, SubmitError> {
        self.t += 1000;
        let entry = self.reviewer.sign(self.t, body, None);
        self.submit(entry)
    }

    pub(super) fn by_kiosk(&mut self, body: Body) -> Result<u64, SubmitError> {
        self.t += 1000;
        let entry = self.kiosk.sign(self.t, body, None);
        self.submit(entry)
    }

    pub(super) fn balance(&self) -> Points {
        self.log.ledger().balance("R001").expect("R001")
    }

    /// The log replayed from its leaves: the same balance and root.
    pub(super) fn replayed(&self) -> Log {
        let all = leaves(&self.log);
        let replayed = Log::replay(all.iter().map(Vec::as_slice)).expect("replay");
        assert_eq!(replayed.tree().root(), self.log.tree().root());
        assert_eq!(replayed.ledger().balance("R001"), Some(self.balance()));
        replayed
    }
}

/// `body` in a v1 line signed by `actor` (what `parse_line` reads: its
/// members, not its hash or signature).
pub(super) fn v1_line(actor: &str, body: &str) -> String {
    format!(
        r#"{{"actor":"{actor}","body":{body},"hash":"{zero}","ledger":"xinhua-3","prev":"{zero}","seq":5,"sig":"{sig}","ts":1780000000000,"v":1}}"#,
        zero = "0".repeat(64),
        sig = "0".repeat(128),
    )
}

pub(super) fn rule(result: Result<u64, SubmitError>) -> RuleError {
    match result {
        Err(SubmitError::Rule(error)) => error,
        other => panic!("expected a rule to refuse it, got {other:?}"),
    }
}

#[test]
fn a_reviewed_award_counts_only_once_a_reviewer_approves_it() {
    let mut c = Community::new();
    let before = c.balance();
    let claim = c.by_officer(body(CLAIM)).expect("claim");
    assert_eq!(c.balance(), before, "a claim counts nothing yet");
    let state = c.log.ledger().state();
    assert_eq!(state.claim(Seq(claim)), Some(ClaimStatus::Pending));
    assert_eq!(state.pending_claims(), vec![Seq(claim)]);
    let row = c
        .log
        .ledger()
        .history_row(c.log.ledger().entry(Seq(claim)).expect("entry"));
    assert_eq!(
        (row.kind, row.change),
        (RowKind::Claim(ClaimStatus::Pending), Change::None)
    );
    // The replay (every verifier) agrees that nothing counts yet.
    c.replayed();

    // An officer cannot approve: only a reviewer.
    assert!(matches!(
        rule(c.by_officer(approve(claim))),
        RuleError::RoleNotAllowed { .. }
    ));
    let approval = c.by_reviewer(approve(claim)).expect("approve");
    assert_eq!(c.balance(), before.plus(Points::whole(20)));
    let state = c.log.ledger().state();
    assert_eq!(
        state.claim(Seq(claim)),
        Some(ClaimStatus::Approved(Seq(approval)))
    );
    assert!(state.pending_claims().is_empty());
    let row = c
        .log
        .ledger()
        .history_row(c.log.ledger().entry(Seq(approval)).expect("entry"));
    assert_eq!(
        (row.kind, row.change, row.item.as_str()),
        (
            RowKind::Approve(Seq(claim)),
            Change::Gain(Points::whole(20)),
            "调解纠纷"
        )
    );
    // Once is all.
    assert_eq!(
        rule(c.by_reviewer(approve(claim))),
        RuleError::ClaimDecided {
            claim: Seq(claim),
            by: Seq(approval)
        }
    );
    assert_eq!(
        rule(c.by_reviewer(reject(claim))),
        RuleError::ClaimDecided {
            claim: Seq(claim),
            by: Seq(approval)
        }
    );
    let replayed = c.replayed();
    assert_eq!(
        replayed.ledger().state().claim(Seq(claim)),
        Some(ClaimStatus::Approved(Seq(approval)))
    );
    // A reversal takes an approved award's points back, as any earn's.
    c.by_officer(reverse(claim)).expect("reverse");
    assert_eq!(c.balance(), before);
    c.replayed();
}

#[test]
fn a_rejected_claim_never_counts_and_a_withdrawn_one_cannot_be_approved() {
    let mut c = Community::new();
    let before = c.balance();
    let claim = c.by_officer(body(CLAIM)).expect("claim");
    let rejection = c.by_reviewer(reject(claim)).expect("reject");
    assert_eq!(c.balance(), before);
    let row = c
        .log
        .ledger()
        .history_row(c.log.ledger().entry(Seq(rejection)).expect("entry"));
    assert_eq!(
        (row.kind, row.change, row.note.as_str()),
        (RowKind::Reject(Seq(claim)), Change::None, "当事人否认调解")
    );
    assert_eq!(
        rule(c.by_reviewer(approve(claim))),
        RuleError::ClaimDecided {
            claim: Seq(claim),
            by: Seq(rejection)
        }
    );
    assert_eq!(
        rule(c.by_officer(reverse(claim))),
        RuleError::ClaimRejected(Seq(claim))
    );

    // A claim withdrawn before review: nothing counts, nothing to approve.
    let second = c.by_officer(body(CLAIM)).expect("second claim");
    let withdrawal = c.by_officer(reverse(second)).expect("withdraw");
    assert_eq!(c.balance(), before);
    assert_eq!(
        rule(c.by_reviewer(approve(second))),
        RuleError::AlreadyReversed {
            target: Seq(second),
            by: Seq(withdrawal)
        }
    );
    let row = c
        .log
        .ledger()
        .history_row(c.log.ledger().entry(Seq(withdrawal)).expect("entry"));
    assert_eq!(
        (row.kind, row.change),
        (RowKind::Reverse(Seq(second)), Change::None)
    );
    // Its room under the daily cap (40, two claims of 20) came back; the
    // rejected claim's did not.
    c.by_officer(body(CLAIM)).expect("third claim");
    assert!(matches!(
        rule(c.by_officer(body(CLAIM))),
        RuleError::DailyCap { .. }
    ));
    c.replayed();
}

#[test]
fn only_claims_are_reviewed_and_an_ordinary_earn_counts_at_once() {
    let mut c = Community::new();
    let before = c.balance();
    // The next day: community() earned the patrol's daily cap today.
    c.t += 86_400_000;
    let earn = c
        .by_officer(body(
            r#"{"activity":"patrol","note":"","points":"100","resident":"R001","type":"earn"}"#,
        ))
        .expect("earn");
    assert_eq!(c.balance(), before.plus(Points::whole(100)));
    assert_eq!(
        rule(c.by_reviewer(approve(earn))),
        RuleError::NotAClaim(Seq(earn))
    );
    assert_eq!(
        rule(c.by_reviewer(reject(9999))),
        RuleError::NotAClaim(Seq(9999))
    );
    // A reviewer records nothing else.
    assert!(matches!(
        rule(c.by_reviewer(body(CLAIM))),
        RuleError::RoleNotAllowed { .. }
    ));
    // Redefined without review, the activity's next earns count at once;
    // the claim made before still waits for its review.
    let claim = c.by_officer(body(CLAIM)).expect("claim");
    c.by_admin(body(&MEDIATION.replace(r#","review":true"#, "")))
        .expect("redefine");
    let second = c.by_officer(body(CLAIM)).expect("earn");
    assert_eq!(c.balance(), before.plus(Points::whole(120)));
    let state = c.log.ledger().state();
    assert_eq!(state.claim(Seq(claim)), Some(ClaimStatus::Pending));
    assert_eq!(state.claim(Seq(second)), None);
    c.replayed();
}

#[test]
fn a_snapshot_keeps_claims_and_what_became_of_them() {
    let mut c = Community::new();
    let pending = c.by_officer(body(CLAIM)).expect("claim");
    let approved = c.by_officer(body(CLAIM)).expect("claim");
    c.by_reviewer(approve(approved)).expect("approve");
    let ledger = c.log.ledger();
    let snapshot = Snapshot::from_bytes(&ledger.snapshot()).expect("snapshot reads back");
    assert!(snapshot.matches(ledger));
    assert_eq!(
        snapshot.state().claim(Seq(pending)),
        Some(ClaimStatus::Pending)
    );
    assert!(matches!(
        snapshot.state().claim(Seq(approved)),
        Some(ClaimStatus::Approved(_))
    ));
    assert!(
        snapshot
            .state()
            .activity("mediation")
            .expect("activity")
            .review
    );
}

#[test]
fn a_v1_line_cannot_carry_review_and_is_refused_as_before() {
    // A v1 line (parse_line reads members, not hash or signature).
    let line = |body: &str| {
        format!(
            r#"{{"actor":"officer-1","body":{body},"hash":"{zero}","ledger":"xinhua-3","prev":"{zero}","seq":5,"sig":"{sig}","ts":1780000000000,"v":1}}"#,
            zero = "0".repeat(64),
            sig = "0".repeat(128),
        )
    };
    let refused = |body: &str| parse_line(line(body).as_bytes()).expect_err("refused");
    assert_eq!(
        refused(r#"{"entry":3,"note":"","type":"approve"}"#),
        LineError::UnknownType("approve".to_owned())
    );
    assert_eq!(
        refused(r#"{"entry":3,"reason":"不实","type":"reject"}"#),
        LineError::UnknownType("reject".to_owned())
    );
    assert_eq!(refused(MEDIATION), LineError::UnexpectedMember("review"));
    assert_eq!(refused(CLAIM), LineError::UnexpectedMember("photo"));
    let reviewer = format!(
        r#"{{"active":true,"id":"reviewer-1","pubkey":"{}","role":"reviewer","type":"actor"}}"#,
        crate::hex::encode(&Device::new("reviewer-1", 7).public().0)
    );
    assert_eq!(
        refused(&reviewer),
        LineError::Field {
            field: "body.role",
            problem: FieldProblem::NotARole
        }
    );
    // The same bodies in a v2 log are read.
    for text in [MEDIATION, CLAIM, &reviewer] {
        assert!(body(text).v2_only(), "{text}");
    }
}

#[test]
fn review_bodies_are_written_canonically_and_read_back() {
    for text in [
        MEDIATION,
        CLAIM,
        r#"{"entry":12,"note":"","type":"approve"}"#,
        r#"{"entry":12,"reason":"不实","type":"reject"}"#,
    ] {
        let read = body(text);
        let mut written = Vec::new();
        read.write_canonical(&mut written);
        assert_eq!(String::from_utf8(written).expect("utf-8"), text);
        assert_eq!(
            crate::entry::parse_body_with_serde_json(text.as_bytes()).expect("serde"),
            read
        );
    }
    // A photo is a SHA-256 in lowercase hex, nothing else.
    let short = CLAIM.replace("9f86d0", "9f86");
    assert!(matches!(
        parse_body(short.as_bytes()),
        Err(LineError::Field {
            field: "body.photo",
            ..
        })
    ));
}

#[test]
fn the_demo_log_has_claims_approved_rejected_and_waiting() {
    let config = crate::demo::DemoConfig {
        residents: 60,
        entries: 6_000,
        seed: 5,
        start_ts_ms: T0,
    };
    let demo = demo::generate_log(&config, "jifen.example/review", |_| {}).expect("demo log");
    let log = &demo.log;
    assert!(demo.left_out < 10, "{} left out", demo.left_out);
    let state = log.ledger().state();
    assert!(
        state
            .activity(demo::REVIEWED_ACTIVITY)
            .expect("activity")
            .review
    );
    let statuses: Vec<ClaimStatus> = (0..log.len())
        .filter_map(|seq| state.claim(Seq(seq)))
        .collect();
    let approved = statuses
        .iter()
        .filter(|s| matches!(s, ClaimStatus::Approved(_)))
        .count();
    let rejected = statuses
        .iter()
        .filter(|s| matches!(s, ClaimStatus::Rejected(_)))
        .count();
    assert!(
        approved > 20 && rejected > 2,
        "{approved} approved, {rejected} rejected"
    );
    assert!(!state.pending_claims().is_empty(), "the last claims wait");
    let replayed = Log::replay(leaves(log).iter().map(Vec::as_slice)).expect("replay");
    assert_eq!(replayed.tree().root(), log.tree().root());
    assert_eq!(
        replayed.ledger().state().pending_claims(),
        state.pending_claims()
    );
}

#[test]
fn a_period_is_a_month_a_quarter_or_a_year_of_local_days() {
    use crate::notice::Period;
    let november = Period::parse("2026-11").expect("month");
    assert_eq!(november.label(), "2026-11");
    // 2026-11-01 and 2026-12-01, days since 1970-01-01 (Python's datetime).
    assert_eq!(november.days(), (20_758, 20_788));
    let q4 = Period::parse("2026-Q4").expect("quarter");
    assert_eq!(
        (q4.label().as_str(), q4.days()),
        ("2026-Q4", (20_727, 20_819))
    );
    assert_eq!(
        Period::parse("2024-02").expect("leap").days().1 - 19_754,
        29
    );
    let year = Period::parse("2026").expect("year");
    // 2026-01-01 and 2027-01-01.
    assert_eq!(
        (year.label().as_str(), year.days()),
        ("2026", (20_454, 20_819))
    );
    let months: Vec<String> = q4.months_to_end(14).iter().map(Period::label).collect();
    assert_eq!(months.first().map(String::as_str), Some("2025-11"));
    assert_eq!(months.last().map(String::as_str), Some("2026-12"));
    assert_eq!(months.len(), 14);
    for bad in [
        "2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-11", "2026-1", "2026/11", "", "2026-",
        "202", "20261",
    ] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
}

#[test]
fn the_notice_lists_what_counted_in_its_period_and_recomputes_from_the_log() {
    use crate::notice::{NoticeKind, Period};
    let mut c = Community::new();
    // community(): R001 earned 100 for a patrol in 2026-05.
    let may = Period::parse("2026-05").expect("period");
    let pending = c.by_officer(body(CLAIM)).expect("claim");
    let approved = c.by_officer(body(CLAIM)).expect("claim");
    // Reviewed in June: it counts in June's notice, not in May's.
    c.t = T0 + 5 * 86_400_000;
    let approval = c.by_reviewer(approve(approved)).expect("approve");
    let notice = c.log.ledger().notice(may);
    assert!(notice.closed, "the log reaches past May");
    assert_eq!(notice.rows.len(), 1, "{:?}", notice.rows);
    assert_eq!(
        (
            notice.rows[0].kind,
            notice.rows[0].points,
            notice.rows[0].household.as_str()
        ),
        (NoticeKind::Award, Points::whole(100), "H1")
    );
    assert_eq!(
        notice.size, approval,
        "May ends where June's first entry is"
    );
    let june = Period::parse("2026-06").expect("period");
    let notice = c.log.ledger().notice(june);
    assert!(!notice.closed, "June is not over in the log");
    let rows: Vec<_> = notice
        .rows
        .iter()
        .map(|r| (r.seq.0, r.kind, r.points))
        .collect();
    assert_eq!(rows, vec![(approval, NoticeKind::Award, Points::whole(20))]);
    // The pending claim is no award; once withdrawn it is not a reversal either.
    c.by_officer(reverse(pending)).expect("withdraw");
    let patrol = (0..c.log.len())
        .find(|&i| {
            matches!(c.log.ledger().entry(Seq(i)).map(|e| &e.body),
                Some(Body::Earn { activity, .. }) if activity.as_str() == "patrol")
        })
        .expect("community()'s patrol");
    let reversal = c.by_officer(reverse(patrol)).expect("reverse May's patrol");
    let notice = c.log.ledger().notice(june);
    let rows: Vec<_> = notice
        .rows
        .iter()
        .map(|r| (r.seq.0, r.kind, r.points))
        .collect();
    assert_eq!(
        rows,
        vec![
            (approval, NoticeKind::Award, Points::whole(20)),
            (reversal, NoticeKind::Reversal, Points::whole(100).negated()),
        ]
    );
    assert_eq!(notice.residents.len(), 1);
    assert_eq!(notice.residents[0].points, Points::whole(80).negated());
    assert_eq!(notice.households[0].who, "H1");
    assert!(notice.top.is_empty(), "no one with points this month");
    // Anyone recomputes it from the leaves alone.
    assert_eq!(c.replayed().ledger().notice(june), notice);
}
