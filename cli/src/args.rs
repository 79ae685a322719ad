//! The command line: every command, its arguments and their help, in
//! Chinese and English, as clap reads them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "jifen",
    version,
    about = "积分账本：签名、哈希链、只追加 / Jifen: a signed, hash-chained, append-only points ledger",
    after_help = "Exit codes: 0 ok; 1 verification failed or the entry broke a rule; 2 usage error, unreadable or malformed input; 3 another writer holds the lock.\n\
                  Language: --lang, or JIFEN_LANG / LANG starting with en or zh (default zh)."
)]
pub(crate) struct Cli {
    /// Language of messages: zh (default) or en.
    #[arg(long, global = true, value_name = "zh|en")]
    pub(crate) lang: Option<String>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    Init(InitArgs),
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
        /// Ledger file, or a v2 log directory.
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
    /// 积分公示 / The public notice of a period: every award, deduction and reversal, totals, 红榜 and 黑榜, the checkpoint.
    Notice {
        /// Ledger file, or a v2 log directory.
        file: PathBuf,
        /// The period: a month (2026-11), a quarter (2026-Q4) or a year (2026), in the ledger's local time.
        #[arg(long)]
        period: String,
        /// Print JSON (what a program recomputes and compares).
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Every row as CSV for Excel and WPS (UTF-8 with BOM), written as it is found.
        #[arg(long)]
        csv: bool,
    },
    /// 积分存折 / A resident's passbook page for a period: every entry with the balance after it, the balances brought and carried forward, the checkpoint.
    Passbook {
        /// Ledger file, or a v2 log directory.
        file: PathBuf,
        /// Resident code.
        resident: String,
        /// The period: a month (2026-11), a quarter (2026-Q4) or a year (2026).
        #[arg(long)]
        period: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 统计报表 / Reports of a period: by community, month, activity and area, deductions, rewards handed out and stock left, inactive residents; several logs make a district's.
    Report {
        /// Ledger files or v2 log directories: one community, or the communities of a street or district, summed.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The period: a month (2026-11), a quarter (2026-Q4) or a year (2026).
        #[arg(long)]
        period: String,
        /// Months without activity, before the period's end, that make a resident inactive.
        #[arg(long, default_value_t = 3)]
        inactive_months: u32,
        /// One table as CSV for Excel and WPS (UTF-8 with BOM): community, month, activity, area, deductions, rewards or inactive.
        #[arg(long, value_parser = ["community", "month", "activity", "area", "deductions", "rewards", "inactive"])]
        csv: Option<String>,
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
        /// Ledger file to write (format v1).
        #[arg(long, required_unless_present = "log")]
        out: Option<PathBuf>,
        /// Write a v2 log directory instead: devices signing their own
        /// entries, a kiosk offline for a day, two kiosks spending one
        /// resident's points at once. Publishable as it is.
        #[arg(long, conflicts_with = "out")]
        log: Option<PathBuf>,
        /// The v2 log's checkpoint origin.
        #[arg(long, default_value = "jifen.example/demo", requires = "log")]
        origin: String,
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
    /// 社区日志（v2，多设备）/ The community's log (format v2, many devices), as files.
    #[command(subcommand)]
    Log(LogCommand),
    /// 见证人 / A witness: cosign a log's checkpoint only if it extends the last one seen.
    Witness(WitnessArgs),
    /// 日志服务 / The community log service: devices submit, the log sequences, witnesses cosign.
    Serve(ServeArgs),
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Logs as files: one directory per community under this one (made if missing).
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    pub(crate) dir: Option<PathBuf>,
    /// Logs in PostgreSQL, e.g. postgres://jifen@127.0.0.1:5432/jifen.
    #[arg(long)]
    pub(crate) db: Option<String>,
    /// Directory of the logs' keys: `<name>.json`, a keys file with the log's key (`log`).
    #[arg(long)]
    pub(crate) keys: PathBuf,
    /// Where to listen; only this machine by default (put a TLS proxy in front for a network).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// The web app's files, served at `/`.
    #[arg(long)]
    pub(crate) web: Option<PathBuf>,
    /// A witness every log asks: `URL=VKEY` (its submission prefix and cosignature key).
    #[arg(long, conflicts_with = "policy")]
    pub(crate) witness: Vec<String>,
    /// A C2SP tlog-policy file: its witnesses with a URL are asked, and its
    /// quorum says when a checkpoint is witnessed.
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    /// Start demo communities `community-1` … `community-N` that are not stored yet.
    #[arg(long, default_value_t = 0)]
    pub(crate) demo_communities: u32,
    /// Entries in each new demo community.
    #[arg(long, default_value_t = 2_000)]
    pub(crate) demo_entries: u64,
    /// Residents in each new demo community.
    #[arg(long, default_value_t = 200)]
    pub(crate) demo_residents: u32,
    /// Longest wait, in milliseconds, of a durable entry for its checkpoint.
    #[arg(long, default_value_t = 500)]
    pub(crate) interval_ms: u64,
    /// How often an idle log's checkpoint is witnessed again, in seconds.
    #[arg(long, default_value_t = 600)]
    pub(crate) idle_s: u64,
    /// Connections open at once, at most.
    #[arg(long, default_value_t = 1024)]
    pub(crate) max_connections: usize,
    /// Database connections, at most.
    #[arg(long, default_value_t = 16)]
    pub(crate) db_connections: usize,
    /// Also write each published checkpoint, its tiles and bundles into this
    /// directory (one folder per log), for any static server or CDN.
    #[arg(long)]
    pub(crate) export: Option<PathBuf>,
    /// Start the demo communities, print each log's verifier key, and stop.
    #[arg(long)]
    pub(crate) setup_only: bool,
}

#[derive(Subcommand)]
pub(crate) enum LogCommand {
    /// 新建日志 / Start a log directory: the genesis, signed by the first admin, naming the log.
    Init {
        /// Log directory to create (publishable as it is by a static web server).
        dir: PathBuf,
        /// Keys file with the admin's key (generated if missing) and the log's (`log`).
        #[arg(long)]
        keys: PathBuf,
        /// Ledger id, e.g. xinhua-3.
        #[arg(long)]
        id: String,
        /// The community's name.
        #[arg(long)]
        name: String,
        /// The log's checkpoint origin, e.g. jifen.example/xinhua-3.
        #[arg(long)]
        origin: String,
        /// The first admin's actor id.
        #[arg(long, default_value = "admin-1")]
        admin: String,
        /// Offset of the local day from UTC in minutes (China: 480).
        #[arg(long, default_value_t = 480, allow_hyphen_values = true)]
        utc_offset_minutes: i32,
        /// Time in ms since the epoch (default: now).
        #[arg(long)]
        ts: Option<u64>,
    },
    /// 从 v1 迁移 / Continue a v1 ledger file as a log: its lines become the first leaves.
    Migrate {
        /// The v1 ledger file.
        from: PathBuf,
        /// Log directory to create.
        dir: PathBuf,
        /// Keys file with the admin's key and the log's (`log`, generated if missing).
        #[arg(long)]
        keys: PathBuf,
        /// The log's checkpoint origin.
        #[arg(long)]
        origin: String,
        /// The admin who names the log.
        #[arg(long, default_value = "admin-1")]
        admin: String,
        /// Time in ms since the epoch (default: now).
        #[arg(long)]
        ts: Option<u64>,
    },
    /// 设备签名 / As a device (offline too): sign an entry and add it to a queue file.
    Sign {
        /// Queue file the signed entry is appended to (what a USB stick carries).
        queue: PathBuf,
        /// Keys file with the device's key.
        #[arg(long)]
        keys: PathBuf,
        /// The device's actor id.
        #[arg(long = "as")]
        actor: String,
        /// Ledger id.
        #[arg(long)]
        ledger: String,
        /// The body, as JSON, e.g. {"type":"earn",...}. An admin that only
        /// sets the offline policy may leave it out (it states itself again).
        #[arg(long, required_unless_present = "offline_max_points")]
        body: Option<String>,
        /// As an admin, set the offline policy: points one late redeem may take.
        #[arg(long, requires_all = ["offline_max_points_per_day", "offline_max_queued", "offline_upload_within_hours"])]
        offline_max_points: Option<String>,
        /// Points late redeems may take from one resident in one day.
        #[arg(long, requires = "offline_max_points")]
        offline_max_points_per_day: Option<String>,
        /// Late entries in a row one device may hand over.
        #[arg(long, requires = "offline_max_points")]
        offline_max_queued: Option<u32>,
        /// Hours within which an offline entry must reach the log.
        #[arg(long, requires = "offline_max_points")]
        offline_upload_within_hours: Option<u32>,
        /// The device's own counter file (its next counter and last hash).
        #[arg(long)]
        state: PathBuf,
        /// Where the device's chain stands, if it has no counter file yet: a
        /// log directory, or a log on a service (http://…/logs/<name>).
        #[arg(long)]
        log: Option<PathBuf>,
        /// Time in ms since the epoch (default: now).
        #[arg(long)]
        ts: Option<u64>,
    },
    /// 接收提交 / Accept device entries from queue files, one per line, and sign a checkpoint.
    Submit {
        /// Log directory.
        dir: PathBuf,
        /// Queue files of signed device entries.
        #[arg(required = true)]
        queues: Vec<PathBuf>,
        /// Keys file with the log's key (`log`).
        #[arg(long)]
        keys: PathBuf,
        /// The log's time in ms since the epoch (default: now).
        #[arg(long)]
        ts: Option<u64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 校验日志 / Verify a log directory: every leaf and rule, the root, the signed checkpoint.
    Verify {
        /// Log directory.
        dir: PathBuf,
        /// The log's verifier key, as published (else the one the ledger names).
        #[arg(long)]
        vkey: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 收据 / A receipt for one entry (C2SP tlog-proof, with the leaf as its extra data).
    Prove {
        /// Log directory.
        dir: PathBuf,
        /// The entry's leaf index.
        index: u64,
    },
    /// 核对收据 / Check a receipt against the log's verifier key and witnesses, or a witness policy.
    CheckReceipt {
        /// The receipt file.
        receipt: PathBuf,
        /// The log's verifier key.
        #[arg(long, required_unless_present = "policy")]
        vkey: Option<String>,
        /// Witnesses' verifier keys.
        #[arg(long)]
        witness: Vec<String>,
        /// How many of them must have cosigned.
        #[arg(long, default_value_t = 0)]
        quorum: usize,
        /// A C2SP tlog-policy file instead: its logs, witnesses and quorum.
        #[arg(long, conflicts_with_all = ["vkey", "witness", "quorum"])]
        policy: Option<PathBuf>,
    },
    /// 发送队列 / Send device queues to a log service; the same entry sent again keeps its index.
    Send {
        /// Queue files (device entries, one per line).
        #[arg(required = true)]
        queues: Vec<PathBuf>,
        /// The log's address on the service, e.g. http://127.0.0.1:8080/logs/community-1.
        #[arg(long)]
        to: String,
        /// One JSON object per entry instead of text.
        #[arg(long)]
        json: bool,
    },
    /// 见证请求 / The body of a witness add-checkpoint request from the size it last saw.
    WitnessRequest {
        /// Log directory.
        dir: PathBuf,
        /// The size of the checkpoint the witness last cosigned (0 if none).
        #[arg(long)]
        old: u64,
    },
}

#[derive(Args)]
pub(crate) struct WitnessArgs {
    /// The add-checkpoint request body (see `jifen log witness-request`);
    /// not with --listen.
    #[arg(required_unless_present = "listen")]
    pub(crate) request: Option<PathBuf>,
    /// Serve C2SP tlog-witness (`POST /add-checkpoint`) on this address,
    /// e.g. 127.0.0.1:8081, until interrupted.
    #[arg(long, conflicts_with = "request")]
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// The witness's state file: the last checkpoint it cosigned, per log.
    #[arg(long)]
    pub(crate) state: PathBuf,
    /// Keys file with the witness's key.
    #[arg(long)]
    pub(crate) keys: PathBuf,
    /// The witness's name (its key name), e.g. witness.example/w1.
    #[arg(long)]
    pub(crate) name: String,
    /// The logs it witnesses: their verifier keys.
    #[arg(long = "log", required = true)]
    pub(crate) logs: Vec<String>,
    /// The cosignature's time in seconds since the epoch (default: now).
    #[arg(long)]
    pub(crate) time: Option<u64>,
    /// A replaying witness: its own copy of the log directory, every leaf
    /// and rule of which must hold up to the checkpoint before it cosigns.
    #[arg(long)]
    pub(crate) replay: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub(crate) struct InitArgs {
    /// Ledger file to create (must not exist).
    pub(crate) file: PathBuf,
    /// Keys file; the admin's key is generated into it if missing.
    #[arg(long)]
    pub(crate) keys: PathBuf,
    /// Ledger id, the same on every entry, e.g. jx-2026.
    #[arg(long)]
    pub(crate) id: String,
    /// The community's name.
    #[arg(long)]
    pub(crate) name: String,
    /// The first admin's actor id.
    #[arg(long, default_value = "admin-1")]
    pub(crate) admin: String,
    /// Offset of the local day from UTC in minutes (China: 480).
    #[arg(long, default_value_t = 480, allow_hyphen_values = true)]
    pub(crate) utc_offset_minutes: i32,
    /// Timestamp in ms since the epoch (default: now).
    #[arg(long)]
    pub(crate) ts: Option<u64>,
}

#[derive(Args)]
pub(crate) struct AppendArgs {
    /// Ledger file.
    pub(crate) file: PathBuf,
    /// Keys file holding the signing actor's key.
    #[arg(long)]
    pub(crate) keys: PathBuf,
    /// The actor who signs.
    #[arg(long = "as", value_name = "ACTOR")]
    pub(crate) actor: String,
    /// Timestamp in ms since the epoch (default: now).
    #[arg(long)]
    pub(crate) ts: Option<u64>,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) body: BodyArgs,
}

#[derive(Subcommand)]
pub(crate) enum BodyArgs {
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
