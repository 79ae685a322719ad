//! Devices and the entries a busy community sends, for the fault tests
//! and the bench: each entry is signed by a registered device and passes
//! every rule (residents registered by the admin, officers' earns within
//! the activities' daily caps).

use ed25519_dalek::SigningKey;
use ledger_core::log::{DeviceDraft, DeviceEntry, Log};
use ledger_core::{ActorId, Body, EntryHash, LedgerId, PublicKey, ResidentCode, Role, Text};

/// A device that signs its own chain of entries.
#[derive(Debug, Clone)]
pub struct Device {
    ledger: LedgerId,
    /// Its actor id.
    pub actor: ActorId,
    key: SigningKey,
    seq: u64,
    prev: EntryHash,
}

impl Device {
    /// A device whose chain continues at `(seq, prev)` (see
    /// `Log::device_next`).
    pub fn new(
        ledger: LedgerId,
        actor: ActorId,
        key: SigningKey,
        next: (u64, EntryHash),
    ) -> Device {
        Device {
            ledger,
            actor,
            key,
            seq: next.0,
            prev: next.1,
        }
    }

    /// The device `actor` of a log, with its key from `keys`.
    pub fn of(log: &Log, actor: &str, key: SigningKey) -> Option<Device> {
        let actor: ActorId = actor.parse().ok()?;
        let next = log.device_next(&actor);
        Some(Device::new(log.ledger().id().clone(), actor, key, next))
    }

    /// Signs the next entry of its chain.
    pub fn sign(&mut self, body: Body, ts_ms: u64) -> Vec<u8> {
        let entry = DeviceEntry::sign(
            DeviceDraft {
                ledger: self.ledger.clone(),
                actor: self.actor.clone(),
                dev_seq: self.seq,
                dev_prev: self.prev,
                ts_ms,
                body,
                log: None,
                policy: None,
            },
            &self.key,
        );
        self.seq += 1;
        self.prev = entry.hash;
        entry.to_bytes()
    }
}

/// A key made from a name, the same every run.
pub fn key_for(seed: u64, name: &str) -> SigningKey {
    SigningKey::from_bytes(&ledger_core::demo::demo_secret(seed ^ 0x5e7_1ce, name))
}

/// The admin's entries registering `count` officers named
/// `{prefix}-1`…, and those officers (their chains not started).
pub fn register_officers(
    admin: &mut Device,
    ledger: &LedgerId,
    prefix: &str,
    count: usize,
    ts_ms: u64,
) -> (Vec<Vec<u8>>, Vec<Device>) {
    register_devices(admin, ledger, prefix, Role::Officer, count, ts_ms)
}

/// The admin's entries registering `count` devices of `role` named
/// `{prefix}-1`…, and those devices (their chains not started).
pub fn register_devices(
    admin: &mut Device,
    ledger: &LedgerId,
    prefix: &str,
    role: Role,
    count: usize,
    ts_ms: u64,
) -> (Vec<Vec<u8>>, Vec<Device>) {
    let mut entries = Vec::new();
    let mut devices = Vec::new();
    for n in 1..=count {
        let name = format!("{prefix}-{n}");
        let Ok(id) = name.parse::<ActorId>() else {
            continue;
        };
        let key = key_for(n as u64, &name);
        entries.push(admin.sign(
            Body::Actor {
                id: id.clone(),
                role,
                pubkey: PublicKey(key.verifying_key().to_bytes()),
                active: true,
            },
            ts_ms,
        ));
        devices.push(Device::new(ledger.clone(), id, key, (0, EntryHash::ZERO)));
    }
    (entries, devices)
}

/// The admin's entries registering `count` residents coded
/// `{prefix}{n}`, and their codes.
pub fn register_residents(
    admin: &mut Device,
    prefix: &str,
    count: usize,
    ts_ms: u64,
) -> (Vec<Vec<u8>>, Vec<ResidentCode>) {
    let mut entries = Vec::new();
    let mut codes = Vec::new();
    for n in 1..=count {
        let (Ok(code), Ok(household), Ok(area)) = (
            format!("{prefix}{n:06}").parse::<ResidentCode>(),
            format!("{}-{}-{}", n % 9 + 1, n % 6 + 1, 100 + n % 600).parse(),
            format!("A{:02}", n % 12 + 1).parse(),
        ) else {
            continue;
        };
        entries.push(admin.sign(
            Body::Resident {
                code: code.clone(),
                household,
                area,
                active: true,
            },
            ts_ms,
        ));
        codes.push(code);
    }
    (entries, codes)
}

/// Earn bodies within every daily cap for these residents: each activity
/// as many times a day as its cap allows, round-robin over residents (an
/// hour each time, of an activity counted in hours).
pub fn earns(log: &Log, residents: &[ResidentCode]) -> Vec<Body> {
    let mut bodies = Vec::new();
    let activities: Vec<_> = log
        .ledger()
        .state()
        .activities()
        .iter()
        .filter(|a| a.active && !a.points.is_zero())
        .cloned()
        .collect();
    for activity in &activities {
        let times = activity
            .daily_cap
            .hundredths()
            .checked_div(activity.points.hundredths())
            .unwrap_or(0);
        for _ in 0..times {
            for resident in residents {
                bodies.push(Body::Earn {
                    resident: resident.clone(),
                    activity: activity.id.clone(),
                    points: activity.points,
                    note: Text::parse("", 1, true)
                        .unwrap_or_else(|_| unreachable!("an empty note is allowed")),
                    photo: None,
                    hours: activity.per_hour.then_some(2),
                });
            }
        }
    }
    bodies
}
