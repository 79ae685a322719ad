//! `jifen init`: a new ledger file holding its genesis, signed by the first
//! admin (whose key is made and kept if the keys file has none).

use ledger_core::{ActorId, FieldProblem, Lang, Ledger, Seq, limits};

use crate::args::InitArgs;
use crate::input::{now_ms, parse, random_bytes, read_keys_or_empty, text};
use jifen::error::CliError;
use jifen::store::{self, Writer};

pub(crate) fn init(args: InitArgs, lang: Lang) -> Result<(), CliError> {
    let InitArgs {
        file,
        keys,
        id,
        name,
        admin,
        utc_offset_minutes,
        ts,
    } = args;
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
    jifen::outln!("{}", lang.pick("已创建账本", "created ledger"));
    jifen::outln!("head {}", ledger.head());
    Ok(())
}
