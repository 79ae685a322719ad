//! The rules of an `actor` entry: a new id registers an actor with a key
//! registration accepts (not in use, of prime order); a known one may only
//! be retired or re-activated, and never the last active admin.

use super::{ActorRecord, Effect, State, new_key, under_limit};
use crate::entry::PublicKey;
use crate::error::RuleError;
use crate::limits;
use crate::model::{ActorId, Role};

impl State {
    pub(super) fn check_actor(
        &self,
        id: &ActorId,
        role: Role,
        pubkey: &PublicKey,
        active: bool,
    ) -> Result<Effect, RuleError> {
        if let Some(&index) = self.actor_index.get(id) {
            let Some(existing) = self.actors.get(index as usize) else {
                return Err(RuleError::UnknownActor(id.clone()));
            };
            if existing.role != role || existing.pubkey != *pubkey {
                return Err(RuleError::ActorChanged(id.clone()));
            }
            let other_active_admins = self
                .actors
                .iter()
                .filter(|a| a.active && a.role == Role::Admin && a.id != *id)
                .count();
            if role == Role::Admin && !active && other_active_admins == 0 {
                return Err(RuleError::LastAdmin);
            }
            return Ok(Effect::SetActorActive(index, active));
        }
        under_limit(self.actors.len(), limits::MAX_ACTORS, "actors")?;
        let verifying_key = new_key(pubkey)?;
        if let Some(&owner) = self.key_owner.get(&pubkey.0) {
            let owner = self.actors.get(owner as usize).map(|a| a.id.clone());
            return Err(RuleError::KeyInUse(owner.unwrap_or_else(|| id.clone())));
        }
        Ok(Effect::NewActor(ActorRecord {
            id: id.clone(),
            role,
            pubkey: *pubkey,
            active,
            verifying_key,
        }))
    }
}
