//! `jifen keygen`: a new key for an actor, added to a keys file that only
//! its owner can read; prints the public key to register.

use std::path::{Path, PathBuf};

use ledger_core::ActorId;

use crate::input::{parse, random_bytes, read_keys_or_empty};
use jifen::error::CliError;
use jifen::store;

pub(crate) fn keygen(keys: &Path, actor: &str) -> Result<(), CliError> {
    let actor: ActorId = parse("--actor", actor)?;
    let mut file = read_keys_or_empty(keys)?;
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
    store::write_atomically(keys, file.to_json().as_bytes(), true)?;
    jifen::outln!("{actor} {}", ledger_core::hex::encode(&public));
    Ok(())
}
