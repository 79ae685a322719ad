//! `jifen append`: one entry (or one earn per resident) built from the
//! arguments, checked by the core and written under the file's lock.

use ledger_core::{
    ActivityId, ActorId, Appended, Body, Draft, FieldProblem, Lang, Ledger, PublicKey, RequestId,
    Role, Seq, limits,
};
use serde_json::json;

use crate::args::{AppendArgs, BodyArgs};
use crate::input::{now_ms, parse, points, random_bytes, read_keys, text};
use jifen::error::CliError;
use jifen::store::Writer;

/// The bodies the arguments describe, their points set by the ledger
/// (an activity's points, a reward's cost × qty). Longer than most: one
/// short arm per kind of entry, the longer ones in functions below.
pub(crate) fn build_bodies(
    body: BodyArgs,
    ledger: &Ledger,
    actor: &str,
) -> Result<Vec<Body>, CliError> {
    let rule = |rule: ledger_core::RuleError| CliError::Append(rule.into());
    Ok(match body {
        BodyArgs::Earn {
            residents,
            activity,
            note,
        } => {
            let activity: ActivityId = parse("--activity", &activity)?;
            let note = text("--note", &note, limits::MAX_TEXT_BYTES, true)?;
            let earn = |code: &String| {
                let resident = parse("--resident", code)?;
                let state = ledger.state();
                state
                    .earn_body(resident, activity.clone(), note.clone())
                    .map_err(rule)
            };
            residents
                .iter()
                .map(earn)
                .collect::<Result<_, CliError>>()?
        }
        BodyArgs::Redeem {
            resident,
            reward,
            qty,
            request_id,
        } => {
            let request_id = request_id_or_new(request_id, actor)?;
            // The core prices it (cost × qty) and its rules check the rest.
            let resident = parse("--resident", &resident)?;
            let reward = parse("--reward", &reward)?;
            let body = ledger
                .state()
                .redeem_body(resident, reward, qty, request_id);
            vec![body.map_err(rule)?]
        }
        BodyArgs::Reverse { entry, reason } => vec![Body::Reverse {
            entry: Seq(entry),
            reason: text("--reason", &reason, limits::MAX_TEXT_BYTES, false)?,
        }],
        BodyArgs::Actor {
            id,
            role,
            pubkey,
            retire,
        } => vec![actor_body(ledger, &id, role, pubkey, retire)?],
        BodyArgs::Resident {
            code,
            household,
            area,
            inactive,
        } => vec![resident_body(ledger, &code, household, area, inactive)?],
        BodyArgs::Activity {
            id,
            name,
            points: per_occurrence,
            daily_cap,
            inactive,
        } => vec![Body::Activity {
            id: parse("--id", &id)?,
            name: text("--name", &name, limits::MAX_NAME_BYTES, false)?,
            points: points("--points", &per_occurrence)?,
            daily_cap: points("--daily-cap", &daily_cap)?,
            active: !inactive,
            review: false,
            per_hour: false,
        }],
        BodyArgs::Reward {
            id,
            name,
            cost,
            inactive,
        } => vec![Body::Reward {
            id: parse("--id", &id)?,
            name: text("--name", &name, limits::MAX_NAME_BYTES, false)?,
            cost: points("--cost", &cost)?,
            active: !inactive,
            household_monthly: None,
        }],
        BodyArgs::Stock {
            reward,
            delta,
            note,
        } => vec![Body::Stock {
            reward: parse("--reward", &reward)?,
            delta,
            note: text("--note", &note, limits::MAX_TEXT_BYTES, true)?,
        }],
    })
}

/// The request id given, or a new one (`ACTOR:random`).
fn request_id_or_new(given: Option<String>, actor: &str) -> Result<RequestId, CliError> {
    let id = match given {
        Some(id) => id,
        None => format!(
            "{actor}:{}",
            ledger_core::hex::encode(&random_bytes::<8>()?)
        ),
    };
    parse("--request-id", &id)
}

/// An `actor` body: a new actor needs a role and a key; a registered one
/// keeps its own when they are left out (to retire or re-activate it).
fn actor_body(
    ledger: &Ledger,
    id: &str,
    role: Option<String>,
    pubkey: Option<String>,
    retire: bool,
) -> Result<Body, CliError> {
    let existing = ledger.state().actor(id);
    let role: Role = match (role, existing) {
        (Some(role), _) => parse("--role", &role)?,
        (None, Some(record)) => record.role,
        (None, None) => {
            return Err(CliError::BadValue {
                option: "--role",
                problem: FieldProblem::NotARole,
            });
        }
    };
    let pubkey = match (pubkey, existing) {
        (Some(hex), _) => PublicKey::parse_hex(&hex).map_err(|problem| CliError::BadValue {
            option: "--pubkey",
            problem,
        })?,
        (None, Some(record)) => record.pubkey,
        (None, None) => {
            return Err(CliError::BadValue {
                option: "--pubkey",
                problem: FieldProblem::NotLowercaseHex { bytes: 32 },
            });
        }
    };
    Ok(Body::Actor {
        id: parse("--id", id)?,
        role,
        pubkey,
        active: !retire,
    })
}

/// A `resident` body: a registered resident keeps the household and area
/// left out.
fn resident_body(
    ledger: &Ledger,
    code: &str,
    household: Option<String>,
    area: Option<String>,
    inactive: bool,
) -> Result<Body, CliError> {
    let existing = ledger.state().resident(code);
    let household = household
        .or_else(|| existing.map(|r| r.household.to_string()))
        .unwrap_or_default();
    let area = area
        .or_else(|| existing.map(|r| r.area.to_string()))
        .unwrap_or_default();
    Ok(Body::Resident {
        code: parse("--code", code)?,
        household: parse("--household", &household)?,
        area: parse("--area", &area)?,
        active: !inactive,
    })
}

pub(crate) fn append(args: AppendArgs, lang: Lang) -> Result<(), CliError> {
    let keys = read_keys(&args.keys)?;
    let key = keys
        .signing_key(&args.actor)
        .ok_or_else(|| CliError::MissingKey {
            path: args.keys.clone(),
            actor: args.actor.clone(),
        })?;
    let actor: ActorId = parse("--as", &args.actor)?;
    let mut writer = Writer::open(&args.file)?;
    let (mut ledger, cut) = writer.load(true)?;
    if cut {
        eprintln!(
            "{}",
            lang.pick(
                "警告：去掉了上次中断写入留下的不完整最后一行",
                "warning: cut off an incomplete last line left by an interrupted append"
            )
        );
    }
    let ts_ms = entry_time(args.ts, &ledger)?;
    let bodies = build_bodies(args.body, &ledger, actor.as_str())?;
    // Every entry is validated in memory first; the lines are written only
    // if all of them pass, in one write.
    let mut results = Vec::new();
    let mut lines = String::new();
    for body in bodies {
        let appended = ledger
            .append(
                Draft {
                    ts_ms,
                    actor: actor.clone(),
                    body,
                },
                &key,
            )
            .map_err(CliError::Append)?;
        if let Appended::New(seq) = appended {
            lines.push_str(&ledger.line(seq).unwrap_or_default());
            lines.push('\n');
        }
        results.push(appended);
    }
    if let Some(body) = lines.strip_suffix('\n') {
        writer.append_line(body)?;
    }
    print_appended(&results, &ledger, args.json, lang);
    Ok(())
}

/// The time of the new entries: `--ts`, else this machine's clock, which
/// must not be behind the ledger's last entry.
fn entry_time(ts: Option<u64>, ledger: &Ledger) -> Result<u64, CliError> {
    if let Some(ts) = ts {
        return Ok(ts);
    }
    let now = now_ms();
    if now < ledger.last_ts_ms() {
        return Err(CliError::ClockBehind {
            last_ts_ms: ledger.last_ts_ms(),
            now_ms: now,
        });
    }
    Ok(now)
}

/// One line per entry: appended, or already recorded under its request id.
fn print_appended(results: &[Appended], ledger: &Ledger, json: bool, lang: Lang) {
    for &appended in results {
        let entry = ledger.entry(appended.seq());
        let hash = entry.map(|e| e.hash.to_hex()).unwrap_or_default();
        let is_new = matches!(appended, Appended::New(_));
        if json {
            jifen::outln!(
                "{}",
                json!({"seq": appended.seq().0, "hash": hash, "new": is_new})
            );
        } else if is_new {
            jifen::outln!(
                "{} seq {} hash {hash}",
                lang.pick("已追加", "appended"),
                appended.seq()
            );
        } else {
            jifen::outln!(
                "{} seq {} hash {hash}",
                lang.pick(
                    "同一 request_id 已记录过，未重复写入：",
                    "already recorded (same request_id), nothing written:"
                ),
                appended.seq()
            );
        }
    }
}
