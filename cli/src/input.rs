//! Values from the command line and the machine, checked once: options
//! parsed into the core's types (a bad one names its option), the clock,
//! random seeds and keys files.

use std::path::Path;

use jifen::error::CliError;
use ledger_core::keys::Keys;
use ledger_core::{FieldProblem, Points, Text};

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

pub(crate) fn parse<T: std::str::FromStr<Err = FieldProblem>>(
    option: &'static str,
    text: &str,
) -> Result<T, CliError> {
    text.parse()
        .map_err(|problem| CliError::BadValue { option, problem })
}

pub(crate) fn text(
    option: &'static str,
    value: &str,
    max: usize,
    allow_empty: bool,
) -> Result<Text, CliError> {
    Text::parse(value, max, allow_empty).map_err(|problem| CliError::BadValue { option, problem })
}

pub(crate) fn points(option: &'static str, value: &str) -> Result<Points, CliError> {
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

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], CliError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        CliError::io(
            Path::new("/dev/urandom"),
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(bytes)
}

pub(crate) fn read_keys(path: &Path) -> Result<Keys, CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    Keys::parse(&bytes).map_err(|error| CliError::Keys {
        path: path.to_owned(),
        error,
    })
}

pub(crate) fn read_keys_or_empty(path: &Path) -> Result<Keys, CliError> {
    if path.exists() {
        read_keys(path)
    } else {
        Ok(Keys::default())
    }
}
