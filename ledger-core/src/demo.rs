//! A deterministic demo community: officers and kiosks, the four
//! activities, a reward shop, a year of earning, redeeming, restocking and
//! a few reversals, every entry valid under every rule. The same seed gives
//! the same ledger, byte for byte, on every platform. It is the data for
//! demos, tests and benchmarks.

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::entry::{Body, PublicKey};
use crate::ledger::{Draft, Ledger};
use crate::model::{ActorId, Points, Role, Seq, Text};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Residents registered (at least 1).
    pub residents: u32,
    /// Entries in the ledger, setup included (the setup alone is about
    /// 20 + residents entries; a smaller number gives just the setup).
    pub entries: u64,
    /// Seed of the pseudo-random choices and of the demo keys.
    pub seed: u64,
    /// `ts` of the genesis, in ms since the epoch.
    pub start_ts_ms: u64,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            residents: 500,
            entries: 10_000,
            seed: 1,
            // 2025-01-01T00:00:00+08:00: a year of demo ends in the past.
            start_ts_ms: 1_735_660_800_000,
        }
    }
}

/// A generated community: the ledger and every actor's secret seed.
#[derive(Debug)]
pub struct Demo {
    /// The ledger.
    pub ledger: Ledger,
    /// Actor id and 32-byte Ed25519 secret seed, for the keys file.
    pub keys: Vec<(ActorId, [u8; 32])>,
}

/// SplitMix64: tiny, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 { 0 } else { self.next() % bound }
    }
}

const ACTIVITIES: [(&str, &str, u32, u32, u64); 4] = [
    // id, name, points, daily cap, weight
    ("garbage_sorting", "垃圾分类", 1, 2, 55),
    ("safety_patrol", "平安巡查", 5, 10, 22),
    ("volunteer_service", "志愿服务", 3, 9, 16),
    ("dispute_mediation", "矛盾调处", 10, 20, 7),
];

const REWARDS: [(&str, &str, u32); 10] = [
    ("bin-bags", "垃圾袋（一卷）", 5),
    ("tissues", "抽纸（一提）", 6),
    ("soap", "香皂", 8),
    ("toothpaste", "牙膏", 10),
    ("towel", "毛巾", 12),
    ("soy-sauce", "酱油 500ml", 15),
    ("eggs", "鸡蛋（一盒十枚）", 18),
    ("detergent", "洗衣液 2kg", 25),
    ("oil", "食用油 1.8L", 45),
    ("rice", "大米 5kg", 60),
];

fn text(value: &str) -> Text {
    Text::parse(value, usize::MAX, true).unwrap_or_else(|_| unreachable!("demo text {value:?}"))
}

fn id<T: core::str::FromStr>(value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| unreachable!("demo id {value:?}"))
}

/// The secret seed of a demo actor: SHA-256 of the seed and the actor id.
pub fn demo_secret(seed: u64, actor: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"jifen demo key\0");
    hasher.update(seed.to_le_bytes());
    hasher.update(actor.as_bytes());
    hasher.finalize().into()
}

/// Generates the community described by `config`.
pub fn generate(config: &DemoConfig) -> Demo {
    generate_with_progress(config, |_| {})
}

struct Builder {
    ledger: Ledger,
    keys: Vec<(ActorId, [u8; 32], SigningKey)>,
    ts_ms: u64,
}

impl Builder {
    fn key(&self, actor: &str) -> Option<&SigningKey> {
        self.keys
            .iter()
            .find(|(id, _, _)| id.as_str() == actor)
            .map(|(_, _, key)| key)
    }

    /// Appends; a refusal only means this random choice was not possible
    /// now (a cap reached, too few points), so the caller tries another.
    fn append(&mut self, actor: &str, body: Body) -> Option<Seq> {
        let key = self.key(actor)?.clone();
        let draft = Draft {
            ts_ms: self.ts_ms,
            actor: id(actor),
            body,
        };
        self.ledger
            .append(draft, &key)
            .ok()
            .map(|appended| appended.seq())
    }
}

/// [`generate`], calling `progress(entries_so_far)` now and then. Long
/// on purpose: it reads as the demo community's script, set-up first, then
/// the year's activity, in the order the entries are written.
pub fn generate_with_progress(config: &DemoConfig, mut progress: impl FnMut(u64)) -> Demo {
    let mut rng = Rng(config.seed ^ 0x6a69_6665_6e00_0000);
    let actor_ids = [
        "admin-1",
        "officer-1",
        "officer-2",
        "officer-3",
        "kiosk-1",
        "kiosk-2",
        "officer-4",
    ];
    let keys: Vec<(ActorId, [u8; 32], SigningKey)> = actor_ids
        .iter()
        .map(|actor| {
            let secret = demo_secret(config.seed, actor);
            (id(actor), secret, SigningKey::from_bytes(&secret))
        })
        .collect();
    let admin_key = keys[0].2.clone();
    let ledger = Ledger::create(
        id("demo-community"),
        text("示范社区（演示数据）"),
        480,
        config.start_ts_ms,
        id("admin-1"),
        &admin_key,
    )
    .unwrap_or_else(|error| unreachable!("demo genesis refused: {error}"));
    let mut builder = Builder {
        ledger,
        keys,
        ts_ms: config.start_ts_ms,
    };
    let public = |builder: &Builder, actor: &str| {
        PublicKey(
            builder
                .key(actor)
                .map(|k| k.verifying_key().to_bytes())
                .unwrap_or_default(),
        )
    };
    for (actor, role) in [
        ("officer-1", Role::Officer),
        ("officer-2", Role::Officer),
        ("officer-3", Role::Officer),
        ("kiosk-1", Role::Kiosk),
        ("kiosk-2", Role::Kiosk),
    ] {
        let pubkey = public(&builder, actor);
        builder.append(
            "admin-1",
            Body::Actor {
                id: id(actor),
                role,
                pubkey,
                active: true,
            },
        );
    }
    for (activity, name, points, cap, _) in ACTIVITIES {
        builder.append(
            "admin-1",
            Body::Activity {
                id: id(activity),
                name: text(name),
                points: Points::whole(points),
                daily_cap: Points::whole(cap),
                active: true,
                review: false,
                per_hour: false,
            },
        );
    }
    for (reward, name, cost) in REWARDS {
        builder.append(
            "admin-1",
            Body::Reward {
                id: id(reward),
                name: text(name),
                cost: Points::whole(cost),
                active: true,
                household_monthly: None,
            },
        );
        builder.append(
            "admin-1",
            Body::Stock {
                reward: id(reward),
                delta: 200,
                note: text("首批入库"),
            },
        );
    }
    let residents = config.residents.max(1);
    let width = residents.to_string().len().max(4);
    let codes: Vec<String> = (1..=residents).map(|n| format!("JX-{n:0width$}")).collect();
    for code in &codes {
        let building = 1 + rng.below(184);
        let household = format!(
            "{building}-{}-{}0{}",
            1 + rng.below(4),
            1 + rng.below(6),
            1 + rng.below(2)
        );
        let area = format!("A{:02}", 1 + (building - 1) * 14 / 184);
        builder.append(
            "admin-1",
            Body::Resident {
                code: id(code),
                household: id(&household),
                area: id(&area),
                active: true,
            },
        );
    }
    let target = config.entries.min(crate::limits::MAX_ENTRIES);
    let year_ms: u64 = 365 * 86_400_000;
    let mean_gap_ms = (year_ms / target.max(1)).max(1);
    let weight_total: u64 = ACTIVITIES.iter().map(|a| a.4).sum();
    let mut officers = vec!["officer-1", "officer-2", "officer-3"];
    let mut rotated = false;
    let mut attempts = 0u64;
    let mut last_len = builder.ledger.len();
    while builder.ledger.len() < target && attempts < target.saturating_mul(20) {
        attempts += 1;
        // Time moves on between entries, not between refused attempts, so
        // the demo spans about a year whatever its size.
        if builder.ledger.len() > last_len {
            last_len = builder.ledger.len();
            builder.ts_ms += rng.below(2 * mean_gap_ms);
        }
        if builder.ledger.len().is_multiple_of(4096) {
            progress(builder.ledger.len());
        }
        if !rotated && builder.ledger.len() >= target / 2 && target > 2_000 {
            // Mid-year officer-3 leaves: officer-4 is registered, officer-3 retired.
            rotated = true;
            let pubkey = public(&builder, "officer-4");
            builder.append(
                "admin-1",
                Body::Actor {
                    id: id("officer-4"),
                    role: Role::Officer,
                    pubkey,
                    active: true,
                },
            );
            let pubkey = public(&builder, "officer-3");
            builder.append(
                "admin-1",
                Body::Actor {
                    id: id("officer-3"),
                    role: Role::Officer,
                    pubkey,
                    active: false,
                },
            );
            officers = vec!["officer-1", "officer-2", "officer-4"];
            continue;
        }
        let resident = &codes[rng.below(codes.len() as u64) as usize];
        let roll = rng.below(100);
        if roll < 72 {
            let mut pick = rng.below(weight_total);
            let activity = ACTIVITIES
                .iter()
                .find(|a| {
                    let hit = pick < a.4;
                    pick = pick.saturating_sub(a.4);
                    hit
                })
                .unwrap_or(&ACTIVITIES[0]);
            let officer = officers[rng.below(officers.len() as u64) as usize];
            let note = if rng.below(10) == 0 {
                "周末集中活动"
            } else {
                ""
            };
            builder.append(
                officer,
                Body::Earn {
                    resident: id(resident),
                    activity: id(activity.0),
                    points: Points::whole(activity.2),
                    note: text(note),
                    photo: None,
                    hours: None,
                },
            );
        } else if roll < 95 {
            let balance = builder.ledger.balance(resident).unwrap_or_default();
            let affordable: Vec<_> = builder
                .ledger
                .rewards()
                .iter()
                .filter(|r| r.active && r.stock >= 1 && r.cost <= balance)
                .map(|r| (r.id.clone(), r.cost))
                .collect();
            if affordable.is_empty() {
                continue;
            }
            let (reward, cost) = affordable[rng.below(affordable.len() as u64) as usize].clone();
            let qty = if cost.times(2) <= balance && rng.below(5) == 0 {
                2
            } else {
                1
            };
            let kiosk = match rng.below(10) {
                0 => officers[0],
                1..=5 => "kiosk-1",
                _ => "kiosk-2",
            };
            let request_id = format!("{kiosk}:{}", builder.ledger.len());
            builder.append(
                kiosk,
                Body::Redeem {
                    collector: None,
                    resident: id(resident),
                    reward,
                    qty,
                    points: cost.times(qty),
                    request_id: id(&request_id),
                },
            );
        } else if roll < 97 {
            let len = builder.ledger.len();
            let target_seq = Seq(len - 1 - rng.below(len.min(300)));
            let reversible = builder
                .ledger
                .entry(target_seq)
                .is_some_and(|e| matches!(e.body, Body::Earn { .. } | Body::Redeem { .. }));
            if reversible && builder.ledger.reversed_by(target_seq).is_none() {
                let reason = match builder.ledger.entry(target_seq).map(|e| &e.body) {
                    Some(Body::Earn { .. }) => "录入错误：重复登记",
                    _ => "居民退回奖品",
                };
                let officer = officers[rng.below(officers.len() as u64) as usize];
                builder.append(
                    officer,
                    Body::Reverse {
                        entry: target_seq,
                        reason: text(reason),
                    },
                );
            }
        } else {
            let low: Vec<_> = builder
                .ledger
                .rewards()
                .iter()
                .filter(|r| r.stock < 40)
                .map(|r| r.id.clone())
                .collect();
            if let Some(reward) = low.first() {
                builder.append(
                    "admin-1",
                    Body::Stock {
                        reward: reward.clone(),
                        delta: 200,
                        note: text("补货"),
                    },
                );
            }
        }
    }
    progress(builder.ledger.len());
    Demo {
        ledger: builder.ledger,
        keys: builder
            .keys
            .into_iter()
            .map(|(actor, secret, _)| (actor, secret))
            .collect(),
    }
}

/// The keys file of a demo: a JSON object, actor id → hex of the secret
/// seed, one actor a line, in the order given (the fuzzer found that a
/// sorted map reordered them).
pub fn keys_json(keys: &[(ActorId, [u8; 32])]) -> String {
    let lines: Vec<String> = keys
        .iter()
        .map(|(actor, secret)| {
            let name = serde_json::to_string(actor.as_str()).unwrap_or_default();
            format!("  {name}: \"{}\"", crate::hex::encode(secret))
        })
        .collect();
    if lines.is_empty() {
        return "{}\n".to_owned();
    }
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}
