//! `jifen`: the command for administrators and auditors of a Jifen points
//! ledger. It parses arguments, calls `ledger-core`, and prints; every rule
//! lives in the core. Exit codes are decided in `error.rs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ledger_core::keys::Keys;
use ledger_core::{
    ActorId, Appended, Body, Draft, Entry, FieldProblem, Head, Lang, Ledger, Points, PublicKey,
    RequestId, Role, Seq, Text, format_local_ts, limits,
};
use serde_json::json;

use jifen::error::CliError;
use jifen::store::{self, Writer};
use jifen::table;

#[derive(Parser)]
#[command(
    name = "jifen",
    version,
    about = "积分账本：签名、哈希链、只追加 / Jifen: a signed, hash-chained, append-only points ledger",
    after_help = "Exit codes: 0 ok; 1 verification failed or the entry broke a rule; 2 usage error, unreadable or malformed input; 3 another writer holds the lock.\n\
                  Language: --lang, or JIFEN_LANG / LANG starting with en or zh (default zh)."
)]
struct Cli {
    /// Language of messages: zh (default) or en.
    #[arg(long, global = true, value_name = "zh|en")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 生成密钥 / Generate an Ed25519 key for an actor and add it to a keys file.
    Keygen {
        /// Keys file (created if missing, readable by its owner only).
        #[arg(long)]
        keys: PathBuf,
        /// Actor id, e.g. officer-2.
        #[arg(long)]
        actor: String,
    },
    /// 创建账本 / Create a new ledger: the genesis entry, signed by its first admin.
    Init {
        /// Ledger file to create (must not exist).
        file: PathBuf,
        /// Keys file; the admin's key is generated into it if missing.
        #[arg(long)]
        keys: PathBuf,
        /// Ledger id, the same on every entry, e.g. jx-2026.
        #[arg(long)]
        id: String,
        /// The community's name.
        #[arg(long)]
        name: String,
        /// The first admin's actor id.
        #[arg(long, default_value = "admin-1")]
        admin: String,
        /// Offset of the local day from UTC in minutes (China: 480).
        #[arg(long, default_value_t = 480, allow_hyphen_values = true)]
        utc_offset_minutes: i32,
        /// Timestamp in ms since the epoch (default: now).
        #[arg(long)]
        ts: Option<u64>,
    },
    /// 追加条目 / Append a signed entry (locks the file; validates every rule first).
    Append(AppendArgs),
    /// 校验账本 / Verify a ledger: format, hash chain, signatures, every rule.
    Verify {
        /// Ledger file.
        file: PathBuf,
        /// A published head SEQ:HASH that the file must contain.
        #[arg(long)]
        head: Option<String>,
        /// An older copy that this file must extend (history not rewritten).
        #[arg(long, value_name = "OLDFILE")]
        extends: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Check only the hash chain (links and hashes, near SHA-256 speed), not signatures or rules.
        #[arg(long, conflicts_with_all = ["head", "extends"])]
        chain_only: bool,
    },
    /// 查询余额 / Balances of all residents, or of one.
    Balance {
        /// Ledger file.
        file: PathBuf,
        /// Resident code, e.g. JX-0001.
        resident: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 积分明细 / One resident's history, newest first.
    History {
        /// Ledger file.
        file: PathBuf,
        /// Resident code.
        resident: String,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// Entries per page.
        #[arg(long, default_value_t = 20)]
        per_page: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 奖品与库存 / Rewards, their cost and stock.
    Rewards {
        /// Ledger file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 生成演示社区 / Generate a deterministic, realistic demo community.
    Demo {
        /// Ledger file to write.
        #[arg(long)]
        out: PathBuf,
        /// Keys file to write.
        #[arg(long)]
        keys: PathBuf,
        /// Residents.
        #[arg(long, default_value_t = 500)]
        residents: u32,
        /// Entries, setup included.
        #[arg(long, default_value_t = 10_000)]
        entries: u64,
        /// Seed: the same seed gives the same ledger.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
    /// 修复中断的写入 / Cut off an incomplete last line left by an interrupted append.
    Repair {
        /// Ledger file.
        file: PathBuf,
    },
}

#[derive(Args)]
struct AppendArgs {
    /// Ledger file.
    file: PathBuf,
    /// Keys file holding the signing actor's key.
    #[arg(long)]
    keys: PathBuf,
    /// The actor who signs.
    #[arg(long = "as", value_name = "ACTOR")]
    actor: String,
    /// Timestamp in ms since the epoch (default: now).
    #[arg(long)]
    ts: Option<u64>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    body: BodyArgs,
}

#[derive(Subcommand)]
enum BodyArgs {
    /// 记录活动得分 / Record an activity for one or more residents.
    Earn {
        /// Resident code; repeat for several (all or nothing).
        #[arg(long = "resident", required = true)]
        residents: Vec<String>,
        /// Activity id.
        #[arg(long)]
        activity: String,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 兑换奖品 / Redeem a reward.
    Redeem {
        /// Resident code.
        #[arg(long)]
        resident: String,
        /// Reward id.
        #[arg(long)]
        reward: String,
        /// Items.
        #[arg(long, default_value_t = 1)]
        qty: u32,
        /// Idempotency key: a retry with the same key is not redeemed twice (default: random).
        #[arg(long)]
        request_id: Option<String>,
    },
    /// 冲正 / Reverse an earn or redeem, once.
    Reverse {
        /// Seq of the entry to reverse.
        #[arg(long)]
        entry: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// 登记或停用操作者 / Register an actor, or retire one.
    Actor {
        /// Actor id.
        #[arg(long)]
        id: String,
        /// admin, officer or kiosk (default: as registered).
        #[arg(long)]
        role: Option<String>,
        /// Public key hex (default: as registered).
        #[arg(long)]
        pubkey: Option<String>,
        /// Retire the actor.
        #[arg(long)]
        retire: bool,
    },
    /// 登记或更新居民 / Register or update a resident.
    Resident {
        /// Resident code.
        #[arg(long)]
        code: String,
        /// Household (default: as registered).
        #[arg(long)]
        household: Option<String>,
        /// Service area (default: as registered).
        #[arg(long)]
        area: Option<String>,
        /// Deactivate.
        #[arg(long)]
        inactive: bool,
    },
    /// 定义活动 / Define or change an activity.
    Activity {
        /// Activity id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Points per occurrence.
        #[arg(long)]
        points: String,
        /// Most points per resident per local day.
        #[arg(long)]
        daily_cap: String,
        /// Retire.
        #[arg(long)]
        inactive: bool,
    },
    /// 定义奖品 / Define or change a reward.
    Reward {
        /// Reward id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Cost in points.
        #[arg(long)]
        cost: String,
        /// Withdraw from the shop.
        #[arg(long)]
        inactive: bool,
    },
    /// 调整库存 / Add (or remove) stock.
    Stock {
        /// Reward id.
        #[arg(long)]
        reward: String,
        /// Items added; negative removes.
        #[arg(long, allow_hyphen_values = true)]
        delta: i64,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
}

fn language(flag: Option<&str>) -> Lang {
    flag.map(str::to_owned)
        .into_iter()
        .chain(
            ["JIFEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|v| std::env::var(v).ok()),
        )
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let lang = language(cli.lang.as_deref());
    match run(cli.command, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let prefix = lang.pick("错误", "error");
            eprintln!("{prefix}: {}", error.message(lang));
            ExitCode::from(error.exit_code())
        }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn parse<T: std::str::FromStr<Err = FieldProblem>>(
    option: &'static str,
    text: &str,
) -> Result<T, CliError> {
    text.parse()
        .map_err(|problem| CliError::BadValue { option, problem })
}

fn text(
    option: &'static str,
    value: &str,
    max: usize,
    allow_empty: bool,
) -> Result<Text, CliError> {
    Text::parse(value, max, allow_empty).map_err(|problem| CliError::BadValue { option, problem })
}

fn points(option: &'static str, value: &str) -> Result<Points, CliError> {
    let parsed =
        Points::parse_input(value).map_err(|problem| CliError::BadValue { option, problem })?;
    if parsed.is_zero() {
        return Err(CliError::BadValue {
            option,
            problem: FieldProblem::ZeroPoints,
        });
    }
    Ok(parsed)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], CliError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        CliError::io(
            Path::new("/dev/urandom"),
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(bytes)
}

fn read_keys(path: &Path) -> Result<Keys, CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    Keys::parse(&bytes).map_err(|error| CliError::Keys {
        path: path.to_owned(),
        error,
    })
}

fn read_keys_or_empty(path: &Path) -> Result<Keys, CliError> {
    if path.exists() {
        read_keys(path)
    } else {
        Ok(Keys::default())
    }
}

fn run(command: Command, lang: Lang) -> Result<(), CliError> {
    match command {
        Command::Keygen { keys, actor } => {
            let actor: ActorId = parse("--actor", &actor)?;
            let mut file = read_keys_or_empty(&keys)?;
            if file.signing_key(actor.as_str()).is_some() {
                return Err(CliError::Exists(PathBuf::from(format!(
                    "{}#{actor}",
                    keys.display()
                ))));
            }
            let seed = random_bytes::<32>()?;
            let public = ledger_core::SigningKey::from_bytes(&seed)
                .verifying_key()
                .to_bytes();
            file.insert(actor.clone(), seed);
            store::write_atomically(&keys, file.to_json().as_bytes(), true)?;
            println!("{actor} {}", ledger_core::hex::encode(&public));
            Ok(())
        }
        Command::Init {
            file,
            keys,
            id,
            name,
            admin,
            utc_offset_minutes,
            ts,
        } => {
            let admin: ActorId = parse("--admin", &admin)?;
            let mut key_file = read_keys_or_empty(&keys)?;
            let key = match key_file.signing_key(admin.as_str()) {
                Some(key) => key,
                None => {
                    let seed = random_bytes::<32>()?;
                    key_file.insert(admin.clone(), seed);
                    store::write_atomically(&keys, key_file.to_json().as_bytes(), true)?;
                    ledger_core::SigningKey::from_bytes(&seed)
                }
            };
            let range = limits::UTC_OFFSET_MINUTES_RANGE;
            if !range.contains(&utc_offset_minutes) {
                return Err(CliError::BadValue {
                    option: "--utc-offset-minutes",
                    problem: FieldProblem::OutOfRange {
                        min: i64::from(*range.start()),
                        max: i64::from(*range.end()),
                    },
                });
            }
            let ledger = Ledger::create(
                parse("--id", &id)?,
                text("--name", &name, limits::MAX_NAME_BYTES, false)?,
                utc_offset_minutes,
                ts.unwrap_or_else(now_ms),
                admin,
                &key,
            )
            .map_err(CliError::Append)?;
            let line = ledger.line(Seq(0)).unwrap_or_default();
            Writer::create(&file, &line)?;
            println!("{}", lang.pick("已创建账本", "created ledger"));
            println!("head {}", ledger.head());
            Ok(())
        }
        Command::Append(args) => append(args, lang),
        Command::Verify {
            file,
            chain_only: true,
            json,
            ..
        } => {
            let head = store::chain_only(&file)?;
            if json {
                println!(
                    "{}",
                    json!({"ok": true, "count": head.seq.0 + 1, "head": {"seq": head.seq.0, "hash": head.hash.to_hex()}, "checked": "chain"})
                );
            } else {
                println!(
                    "ok: {} entries, head {} {} (hash chain only)",
                    head.seq.0 + 1,
                    head.seq,
                    head.hash
                );
            }
            Ok(())
        }
        Command::Verify {
            file,
            head,
            extends,
            json,
            ..
        } => verify(&file, head.as_deref(), extends.as_deref(), json, lang),
        Command::Balance {
            file,
            resident,
            json,
        } => balance(&file, resident.as_deref(), json, lang),
        Command::History {
            file,
            resident,
            page,
            per_page,
            json,
        } => history(&file, &resident, page, per_page, json, lang),
        Command::Rewards { file, json } => rewards(&file, json, lang),
        Command::Demo {
            out,
            keys,
            residents,
            entries,
            seed,
            force,
        } => demo(&out, &keys, residents, entries, seed, force, lang),
        Command::Repair { file } => {
            let mut writer = Writer::open(&file)?;
            let (ledger, cut) = writer.load(true)?;
            if cut {
                println!(
                    "{} head {}",
                    lang.pick(
                        "已去掉不完整的最后一行；",
                        "cut off the incomplete last line;"
                    ),
                    ledger.head()
                );
            } else {
                println!(
                    "{} head {}",
                    lang.pick("无需修复；", "nothing to repair;"),
                    ledger.head()
                );
            }
            Ok(())
        }
    }
}

fn build_bodies(body: BodyArgs, ledger: &Ledger, actor: &str) -> Result<Vec<Body>, CliError> {
    Ok(match body {
        BodyArgs::Earn {
            residents,
            activity,
            note,
        } => {
            let activity_id = parse("--activity", &activity)?;
            let points =
                ledger
                    .state()
                    .activity(&activity)
                    .map(|a| a.points)
                    .ok_or(CliError::Append(
                        ledger_core::RuleError::UnknownActivity(activity).into(),
                    ))?;
            let note = text("--note", &note, limits::MAX_TEXT_BYTES, true)?;
            residents
                .iter()
                .map(|code| {
                    Ok(Body::Earn {
                        resident: parse("--resident", code)?,
                        activity: ledger_core::ActivityId::clone(&activity_id),
                        points,
                        note: note.clone(),
                    })
                })
                .collect::<Result<_, CliError>>()?
        }
        BodyArgs::Redeem {
            resident,
            reward,
            qty,
            request_id,
        } => {
            let cost = ledger
                .state()
                .reward(&reward)
                .map(|r| r.cost)
                .ok_or_else(|| {
                    CliError::Append(ledger_core::RuleError::UnknownReward(reward.clone()).into())
                })?;
            let request_id: RequestId = match request_id {
                Some(id) => parse("--request-id", &id)?,
                None => parse(
                    "--request-id",
                    &format!(
                        "{actor}:{}",
                        ledger_core::hex::encode(&random_bytes::<8>()?)
                    ),
                )?,
            };
            if qty == 0 || qty > limits::MAX_QTY {
                return Err(CliError::Append(
                    ledger_core::RuleError::Quantity(qty).into(),
                ));
            }
            vec![Body::Redeem {
                resident: parse("--resident", &resident)?,
                reward: parse("--reward", &reward)?,
                qty,
                points: cost.times(qty),
                request_id,
            }]
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
        } => {
            let existing = ledger.state().actor(&id);
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
                (Some(hex), _) => {
                    PublicKey::parse_hex(&hex).map_err(|problem| CliError::BadValue {
                        option: "--pubkey",
                        problem,
                    })?
                }
                (None, Some(record)) => record.pubkey,
                (None, None) => {
                    return Err(CliError::BadValue {
                        option: "--pubkey",
                        problem: FieldProblem::NotLowercaseHex { bytes: 32 },
                    });
                }
            };
            vec![Body::Actor {
                id: parse("--id", &id)?,
                role,
                pubkey,
                active: !retire,
            }]
        }
        BodyArgs::Resident {
            code,
            household,
            area,
            inactive,
        } => {
            let existing = ledger.state().resident(&code);
            let household = household
                .or_else(|| existing.map(|r| r.household.to_string()))
                .unwrap_or_default();
            let area = area
                .or_else(|| existing.map(|r| r.area.to_string()))
                .unwrap_or_default();
            vec![Body::Resident {
                code: parse("--code", &code)?,
                household: parse("--household", &household)?,
                area: parse("--area", &area)?,
                active: !inactive,
            }]
        }
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

fn append(args: AppendArgs, lang: Lang) -> Result<(), CliError> {
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
    let ts_ms = match args.ts {
        Some(ts) => ts,
        None => {
            let now = now_ms();
            if now < ledger.last_ts_ms() {
                return Err(CliError::ClockBehind {
                    last_ts_ms: ledger.last_ts_ms(),
                    now_ms: now,
                });
            }
            now
        }
    };
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
    for appended in results {
        let entry = ledger.entry(appended.seq());
        let hash = entry.map(|e| e.hash.to_hex()).unwrap_or_default();
        let is_new = matches!(appended, Appended::New(_));
        if args.json {
            println!(
                "{}",
                json!({"seq": appended.seq().0, "hash": hash, "new": is_new})
            );
        } else if is_new {
            println!(
                "{} seq {} hash {hash}",
                lang.pick("已追加", "appended"),
                appended.seq()
            );
        } else {
            println!(
                "{} seq {} hash {hash}",
                lang.pick(
                    "同一 request_id 已记录过，未重复写入：",
                    "already recorded (same request_id), nothing written:"
                ),
                appended.seq()
            );
        }
    }
    Ok(())
}

fn verify(
    file: &Path,
    head: Option<&str>,
    extends: Option<&Path>,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let head: Option<Head> = head.map(|h| parse("--head", h)).transpose()?;
    let result = (|| {
        let ledger = store::load(file, !json)?;
        if let Some(head) = &head {
            ledger.check_head(head).map_err(|error| CliError::Head {
                path: file.to_owned(),
                error,
            })?;
        }
        if let Some(older) = extends {
            let older_ledger = store::load(older, !json)?;
            ledger
                .check_extends(&older_ledger)
                .map_err(|error| CliError::Head {
                    path: file.to_owned(),
                    error,
                })?;
        }
        Ok(ledger)
    })();
    match (result, json) {
        (Ok(ledger), false) => {
            println!(
                "ok: {} entries, head {} {}",
                ledger.len(),
                ledger.head().seq,
                ledger.head().hash
            );
            Ok(())
        }
        (Ok(ledger), true) => {
            let head = ledger.head();
            println!(
                "{}",
                json!({"ok": true, "count": ledger.len(), "head": {"seq": head.seq.0, "hash": head.hash.to_hex()}})
            );
            Ok(())
        }
        (Err(error), true) => {
            let seq = match &error {
                CliError::Verify { error, .. } => Some(error.seq.0),
                CliError::Head { error, .. } => error.seq().map(|s| s.0),
                _ => None,
            };
            println!(
                "{}",
                json!({"ok": false, "seq": seq, "kind": error.kind(), "message": error.message(lang)})
            );
            Err(error)
        }
        (Err(error), false) => Err(error),
    }
}

fn balance(file: &Path, resident: Option<&str>, json: bool, lang: Lang) -> Result<(), CliError> {
    let ledger = store::load(file, !json)?;
    let records: Vec<_> = match resident {
        Some(code) => vec![
            ledger
                .state()
                .resident(code)
                .ok_or_else(|| CliError::UnknownResident(code.to_owned()))?,
        ],
        None => ledger.residents().iter().collect(),
    };
    if json {
        let rows: Vec<_> = records
            .iter()
            .map(|r| json!({"resident": r.code.as_str(), "household": r.household.as_str(), "area": r.area.as_str(), "active": r.active, "balance": r.balance.to_wire(), "earned_total": r.earned_total.to_wire()}))
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    let header = if lang == Lang::Zh {
        ["居民", "户", "网格", "余额", "累计获得", "状态"]
    } else {
        [
            "resident",
            "household",
            "area",
            "balance",
            "earned",
            "status",
        ]
    };
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.code.to_string(),
                r.household.to_string(),
                r.area.to_string(),
                r.balance.to_wire(),
                r.earned_total.to_wire(),
                if r.active {
                    lang.pick("在册", "active")
                } else {
                    lang.pick("停用", "inactive")
                }
                .to_owned(),
            ]
        })
        .collect();
    print!("{}", table::render(&header, &rows, &[3, 4]));
    Ok(())
}

/// What an entry means for one resident's history: kind, item, signed points.
fn describe(ledger: &Ledger, entry: &Entry, lang: Lang) -> (String, String, String, String) {
    let name_of_activity = |id: &str| {
        ledger
            .state()
            .activity(id)
            .map_or(id.to_owned(), |a| a.name.to_string())
    };
    let name_of_reward = |id: &str| {
        ledger
            .state()
            .reward(id)
            .map_or(id.to_owned(), |r| r.name.to_string())
    };
    match &entry.body {
        Body::Earn {
            activity,
            points,
            note,
            ..
        } => (
            lang.pick("获得", "earn").to_owned(),
            name_of_activity(activity.as_str()),
            format!("+{points}"),
            note.to_string(),
        ),
        Body::Redeem {
            reward,
            qty,
            points,
            ..
        } => (
            lang.pick("兑换", "redeem").to_owned(),
            format!("{} ×{qty}", name_of_reward(reward.as_str())),
            format!("-{points}"),
            String::new(),
        ),
        Body::Reverse {
            entry: target,
            reason,
        } => {
            let (item, signed) = match ledger.entry(*target).map(|e| &e.body) {
                Some(Body::Earn {
                    activity, points, ..
                }) => (name_of_activity(activity.as_str()), format!("-{points}")),
                Some(Body::Redeem { reward, points, .. }) => {
                    (name_of_reward(reward.as_str()), format!("+{points}"))
                }
                _ => (String::new(), String::new()),
            };
            (
                format!("{} #{target}", lang.pick("冲正", "reverse")),
                item,
                signed,
                reason.to_string(),
            )
        }
        other => (
            other.type_name().to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ),
    }
}

fn history(
    file: &Path,
    resident: &str,
    page: usize,
    per_page: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let ledger = store::load(file, !json)?;
    let record = ledger
        .state()
        .resident(resident)
        .ok_or_else(|| CliError::UnknownResident(resident.to_owned()))?;
    let per_page = per_page.clamp(1, 1_000);
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let entries = ledger.history_page(resident, offset, per_page);
    let total = ledger.history_len(resident);
    let offset_minutes = ledger.utc_offset_minutes();
    if json {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| {
                let (kind, item, signed_points, note) = describe(&ledger, e, Lang::En);
                json!({"seq": e.seq.0, "ts": e.ts_ms, "time": format_local_ts(e.ts_ms, offset_minutes), "type": e.body.type_name(), "kind": kind, "item": item, "points": signed_points, "actor": e.actor.as_str(), "note": note, "reversed_by": ledger.reversed_by(e.seq).map(|s| s.0)})
            })
            .collect();
        println!(
            "{}",
            json!({"resident": resident, "balance": record.balance.to_wire(), "total": total, "page": page, "per_page": per_page, "entries": rows})
        );
        return Ok(());
    }
    println!(
        "{} {}  {} {}",
        lang.pick("居民", "resident"),
        resident,
        lang.pick("余额", "balance"),
        record.balance
    );
    let header = if lang == Lang::Zh {
        ["序号", "时间", "类型", "项目", "积分", "记录人", "备注"]
    } else {
        ["seq", "time", "kind", "item", "points", "by", "note"]
    };
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let (kind, item, signed_points, mut note) = describe(&ledger, e, lang);
            if let Some(by) = ledger.reversed_by(e.seq) {
                let mark = format!("{}{by}", lang.pick("已被冲正 #", "reversed by #"));
                note = if note.is_empty() {
                    mark
                } else {
                    format!("{note}; {mark}")
                };
            }
            vec![
                e.seq.to_string(),
                format_local_ts(e.ts_ms, offset_minutes),
                kind,
                item,
                signed_points,
                e.actor.to_string(),
                note,
            ]
        })
        .collect();
    print!("{}", table::render(&header, &rows, &[0, 4]));
    let pages = total.div_ceil(per_page).max(1);
    match lang {
        Lang::Zh => println!("第 {page}/{pages} 页，共 {total} 条"),
        Lang::En => println!("page {page} of {pages}, {total} entries"),
    }
    Ok(())
}

fn rewards(file: &Path, json: bool, lang: Lang) -> Result<(), CliError> {
    let ledger = store::load(file, !json)?;
    if json {
        let rows: Vec<_> = ledger
            .rewards()
            .iter()
            .map(|r| json!({"id": r.id.as_str(), "name": r.name.as_str(), "cost": r.cost.to_wire(), "stock": r.stock, "active": r.active}))
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    let header = if lang == Lang::Zh {
        ["编号", "名称", "积分", "库存", "状态"]
    } else {
        ["id", "name", "cost", "stock", "status"]
    };
    let rows: Vec<Vec<String>> = ledger
        .rewards()
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.to_string(),
                r.cost.to_wire(),
                r.stock.to_string(),
                if r.active {
                    lang.pick("可兑换", "available")
                } else {
                    lang.pick("已下架", "withdrawn")
                }
                .to_owned(),
            ]
        })
        .collect();
    print!("{}", table::render(&header, &rows, &[2, 3]));
    Ok(())
}

fn demo(
    out: &Path,
    keys: &Path,
    residents: u32,
    entries: u64,
    seed: u64,
    force: bool,
    lang: Lang,
) -> Result<(), CliError> {
    for path in [out, keys] {
        if path.exists() && !force {
            return Err(CliError::Exists(path.to_owned()));
        }
    }
    if residents == 0 || residents as usize > limits::MAX_RESIDENTS {
        return Err(CliError::BadValue {
            option: "--residents",
            problem: FieldProblem::OutOfRange {
                min: 1,
                max: limits::MAX_RESIDENTS as i64,
            },
        });
    }
    if entries > limits::MAX_ENTRIES {
        return Err(CliError::BadValue {
            option: "--entries",
            problem: FieldProblem::OutOfRange {
                min: 0,
                max: limits::MAX_ENTRIES as i64,
            },
        });
    }
    let config = ledger_core::demo::DemoConfig {
        residents,
        entries,
        seed,
        ..Default::default()
    };
    let bar = store::progress_bar(entries, entries >= 50_000, "generating");
    let demo = ledger_core::demo::generate_with_progress(&config, |done| bar.set_position(done));
    bar.finish_and_clear();
    store::write_atomically(out, demo.ledger.to_jsonl().as_bytes(), false)?;
    store::write_atomically(
        keys,
        ledger_core::demo::keys_json(&demo.keys).as_bytes(),
        true,
    )?;
    println!(
        "{} {} {}, {} {}",
        lang.pick("已生成演示社区：", "generated a demo community:"),
        demo.ledger.len(),
        lang.pick("条", "entries"),
        demo.ledger.residents().len(),
        lang.pick("位居民", "residents")
    );
    println!("head {}", demo.ledger.head());
    Ok(())
}
