//! The CLI's errors and the one place that maps them to exit codes:
//! 0 success, 1 the ledger fails verification or an entry breaks a rule,
//! 2 usage errors and unreadable or malformed input, 3 another writer holds
//! the lock.

use std::path::{Path, PathBuf};

use ledger_core::keys::KeysError;
use ledger_core::log::{LogError, SubmitError};
use ledger_core::tlog::TlogError;
use ledger_core::{AppendError, FieldProblem, HeadError, Lang, VerifyError};

/// Everything that can stop a command.
#[derive(Debug)]
pub enum CliError {
    /// A file could not be read or written.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A ledger file fails verification (malformed, tampered, a broken rule).
    Verify { path: PathBuf, error: VerifyError },
    /// A ledger does not match a published head or an older copy.
    Head { path: PathBuf, error: HeadError },
    /// The new entry was refused; nothing was written.
    Append(AppendError),
    /// The keys file is unusable.
    Keys { path: PathBuf, error: KeysError },
    /// The keys file has no key for this actor.
    MissingKey { path: PathBuf, actor: String },
    /// A command-line value breaks the format.
    BadValue {
        option: &'static str,
        problem: FieldProblem,
    },
    /// Another process is writing the ledger.
    Locked(PathBuf),
    /// The file to create already exists.
    Exists(PathBuf),
    /// The clock reads earlier than the last entry.
    ClockBehind { last_ts_ms: u64, now_ms: u64 },
    /// The resident is not registered.
    UnknownResident(String),
    /// The log refused an entry; nothing was written.
    Submit(SubmitError),
    /// A log directory does not verify.
    Log { path: PathBuf, error: LogError },
    /// A checkpoint, receipt or witness request does not hold.
    Tlog { path: PathBuf, error: TlogError },
    /// Some of the submitted entries were refused (each was listed).
    SomeRefused { refused: usize, total: usize },
    /// A witness is asked about a log it does not witness.
    UnknownLog(String),
    /// A witness last cosigned another size than the request's old size.
    WitnessConflict { size: u64 },
    /// The log service cannot start (its storage, its settings).
    Service(String),
}

impl From<jifen_log::files::DirError> for CliError {
    fn from(error: jifen_log::files::DirError) -> CliError {
        use jifen_log::files::DirError;
        match error {
            DirError::Io { path, error } => CliError::Io { path, error },
            DirError::Locked(path) => CliError::Locked(path),
            DirError::Tlog { path, error } => CliError::Tlog { path, error },
            DirError::Log { path, error } => CliError::Log { path, error },
        }
    }
}

impl CliError {
    pub fn io(path: &Path, error: std::io::Error) -> CliError {
        CliError::Io {
            path: path.to_owned(),
            error,
        }
    }

    /// The exit code, decided here and nowhere else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Verify { error, .. } if error.is_malformed() => 2,
            CliError::Verify { .. } | CliError::Head { .. } | CliError::Append(_) => 1,
            CliError::ClockBehind { .. } => 1,
            CliError::Submit(SubmitError::Line(_)) => 2,
            CliError::Submit(_) | CliError::Log { .. } | CliError::SomeRefused { .. } => 1,
            CliError::WitnessConflict { .. } => 1,
            CliError::UnknownLog(_) | CliError::Service(_) => 2,
            CliError::Tlog { error, .. } => match error {
                TlogError::NotText | TlogError::Malformed(_) | TlogError::TooLarge => 2,
                _ => 1,
            },
            CliError::Locked(_) => 3,
            CliError::Io { .. }
            | CliError::Keys { .. }
            | CliError::MissingKey { .. }
            | CliError::BadValue { .. }
            | CliError::Exists(_)
            | CliError::UnknownResident(_) => 2,
        }
    }

    /// A machine-readable name, for `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Io { .. } => "io",
            CliError::Verify { error, .. } => error.kind_name(),
            CliError::Head { error, .. } => error.kind(),
            CliError::Append(error) => error.kind(),
            CliError::Keys { .. } => "keys_file",
            CliError::MissingKey { .. } => "missing_key",
            CliError::BadValue { .. } => "bad_value",
            CliError::Locked(_) => "locked",
            CliError::Exists(_) => "exists",
            CliError::ClockBehind { .. } => "clock_behind",
            CliError::UnknownResident(_) => "unknown_resident",
            CliError::Submit(error) => error.kind(),
            CliError::Log { error, .. } => error.kind(),
            CliError::Tlog { error, .. } => error.kind(),
            CliError::SomeRefused { .. } => "some_refused",
            CliError::UnknownLog(_) => "unknown_log",
            CliError::WitnessConflict { .. } => "witness_conflict",
            CliError::Service(_) => "service",
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            CliError::Io { path, error } if zh => {
                format!("无法读写 {}：{error}", path.display())
            }
            CliError::Io { path, error } => {
                format!("cannot read or write {}: {error}", path.display())
            }
            CliError::Verify { path, error } if zh => {
                format!("{} 校验失败，{}", path.display(), error.message(lang))
            }
            CliError::Verify { path, error } => {
                format!(
                    "{} failed verification at {}",
                    path.display(),
                    error.message(lang)
                )
            }
            CliError::Head { path, error } => {
                format!("{}: {}", path.display(), error.message(lang))
            }
            CliError::Append(error) if zh => {
                format!("拒绝追加，未写入任何内容：{}", error.message(lang))
            }
            CliError::Append(error) => {
                format!("refused, nothing was written: {}", error.message(lang))
            }
            CliError::Keys { path, error } => {
                format!("{}: {}", path.display(), error.message(lang))
            }
            CliError::MissingKey { path, actor } if zh => {
                format!("密钥文件 {} 中没有 {actor} 的私钥", path.display())
            }
            CliError::MissingKey { path, actor } => {
                format!("the keys file {} has no key for {actor}", path.display())
            }
            CliError::BadValue { option, problem } => {
                format!("{option}: {}", problem.message(lang))
            }
            CliError::Locked(path) if zh => format!(
                "{} 正被另一个 jifen 进程写入（已加锁），请稍后再试",
                path.display()
            ),
            CliError::Locked(path) => format!(
                "{} is locked by another jifen process that is writing it; try again later",
                path.display()
            ),
            CliError::Exists(path) if zh => format!("{} 已存在，不会覆盖", path.display()),
            CliError::Exists(path) => format!(
                "{} already exists; it will not be overwritten",
                path.display()
            ),
            CliError::ClockBehind { last_ts_ms, now_ms } if zh => format!(
                "本机时钟（{now_ms}）早于账本最后一条（{last_ts_ms}）：请校准时钟，或用 --ts 指定时间"
            ),
            CliError::ClockBehind { last_ts_ms, now_ms } => format!(
                "this machine's clock ({now_ms}) is before the ledger's last entry ({last_ts_ms}): fix the clock or pass --ts"
            ),
            CliError::UnknownResident(code) if zh => format!("查无此居民：{code}"),
            CliError::UnknownResident(code) => format!("no resident with code {code}"),
            CliError::Submit(error) if zh => {
                format!(
                    "日志拒绝了这条记录，未写入任何内容：{}",
                    error.message(lang)
                )
            }
            CliError::Submit(error) => {
                format!(
                    "the log refused the entry, nothing was written: {}",
                    error.message(lang)
                )
            }
            CliError::Log { path, error } => format!("{}: {}", path.display(), error.message(lang)),
            CliError::Tlog { path, error } => {
                format!("{}: {}", path.display(), error.message(lang))
            }
            CliError::SomeRefused { refused, total } if zh => {
                format!("{total} 条中有 {refused} 条被拒绝（见上），其余已接受")
            }
            CliError::SomeRefused { refused, total } => {
                format!(
                    "{refused} of {total} entries were refused (listed above); the others were accepted"
                )
            }
            CliError::UnknownLog(origin) if zh => format!("本见证人不见证日志 {origin}"),
            CliError::UnknownLog(origin) => {
                format!("this witness does not witness the log {origin}")
            }
            CliError::WitnessConflict { size } if zh => {
                format!("见证人上次联署的大小是 {size}，与请求的旧大小不符")
            }
            CliError::WitnessConflict { size } => {
                format!("the witness last cosigned size {size}, not the request's old size")
            }
            CliError::Service(why) if zh => format!("日志服务无法启动：{why}"),
            CliError::Service(why) => format!("the log service cannot start: {why}"),
        }
    }
}
