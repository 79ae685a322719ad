//! C2SP tlog-policy: which logs to trust, which witnesses, and the quorum
//! of their cosignatures that makes a checkpoint witnessed. The file is the
//! one the notice board's QR code carries and the log service reads its
//! witnesses (and their URLs) from.

use super::checkpoint::Checkpoint;
use super::note::{KeyKind, Note, NoteVerifier};
use super::{TlogError, parse_decimal};

/// Logs, witnesses and groups a policy may define; the specification asks
/// for at least 32 of each.
pub const MAX_POLICY_ITEMS: usize = 64;

/// One of the policy's logs or witnesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Its name in the policy (a log's is its vkey's key name).
    pub name: Vec<u8>,
    /// Its key.
    pub verifier: NoteVerifier,
    /// Its URL, if the policy gives one (a witness's submission prefix).
    pub url: Option<String>,
}

/// A member of a group: a witness or an earlier group, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    name: Vec<u8>,
    threshold: usize,
    members: Vec<Member>,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    logs: Vec<Party>,
    witnesses: Vec<Party>,
    groups: Vec<Group>,
    /// `None`: `quorum none`.
    quorum: Option<Member>,
    /// The file as read, to hand on (the notice board, a phone).
    text: Vec<u8>,
}

/// A checkpoint checked against a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The checkpoint, signed by one of the policy's logs.
    pub checkpoint: Checkpoint,
    /// The witnesses whose cosignatures verify, by index.
    pub cosigned: Vec<usize>,
    /// Whether they make the quorum.
    pub quorum: bool,
}

fn problem(line: usize, what: &'static str) -> TlogError {
    TlogError::Policy {
        line,
        problem: what,
    }
}

impl Policy {
    /// Reads a policy file, every rule of the specification checked:
    /// the character set, names defined before use and once, no key twice,
    /// thresholds within their groups, exactly one quorum.
    pub fn parse(bytes: &[u8]) -> Result<Policy, TlogError> {
        let mut policy = Policy {
            logs: Vec::new(),
            witnesses: Vec::new(),
            groups: Vec::new(),
            quorum: None,
            text: bytes.to_vec(),
        };
        let mut quorum_seen = false;
        for (at, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let number = at + 1;
            if line.iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7f) {
                return Err(problem(number, "a control character"));
            }
            let words: Vec<&[u8]> = line
                .split(|&b| b == b' ' || b == b'\t')
                .filter(|w| !w.is_empty())
                .collect();
            let Some((&keyword, rest)) = words.split_first() else {
                continue;
            };
            if keyword.starts_with(b"#") {
                continue;
            }
            match keyword {
                b"log" => policy.add_log(number, rest)?,
                b"witness" => policy.add_witness(number, rest)?,
                b"group" => policy.add_group(number, rest)?,
                b"quorum" => {
                    if quorum_seen {
                        return Err(problem(number, "a second quorum line"));
                    }
                    let [name] = rest else {
                        return Err(problem(number, "quorum names one witness or group"));
                    };
                    policy.quorum =
                        if *name == b"none" {
                            None
                        } else {
                            Some(policy.member(name).ok_or_else(|| {
                                problem(number, "quorum names nothing defined above")
                            })?)
                        };
                    quorum_seen = true;
                }
                _ => {
                    return Err(problem(
                        number,
                        "a line that is not log, witness, group or quorum",
                    ));
                }
            }
        }
        if !quorum_seen {
            return Err(problem(0, "no quorum line"));
        }
        Ok(policy)
    }

    fn verifier(number: usize, vkey: &[u8], kind: KeyKind) -> Result<NoteVerifier, TlogError> {
        let text =
            core::str::from_utf8(vkey).map_err(|_| problem(number, "a vkey that is not text"))?;
        let verifier = NoteVerifier::from_vkey(text)?;
        if verifier.kind() != kind {
            return Err(problem(
                number,
                match kind {
                    KeyKind::Ed25519 => "a log key that is not an Ed25519 note key",
                    KeyKind::Cosignature => "a witness key that is not a cosignature key",
                },
            ));
        }
        Ok(verifier)
    }

    fn url(number: usize, url: Option<&&[u8]>) -> Result<Option<String>, TlogError> {
        url.map(|u| {
            String::from_utf8(u.to_vec()).map_err(|_| problem(number, "a URL that is not UTF-8"))
        })
        .transpose()
    }

    fn taken(&self, name: &[u8]) -> bool {
        name == b"none"
            || self.witnesses.iter().any(|w| w.name == name)
            || self.groups.iter().any(|g| g.name == name)
    }

    fn member(&self, name: &[u8]) -> Option<Member> {
        if let Some(i) = self.witnesses.iter().position(|w| w.name == name) {
            return Some(Member::Witness(i));
        }
        self.groups
            .iter()
            .position(|g| g.name == name)
            .map(Member::Group)
    }

    fn same_key(&self, verifier: &NoteVerifier) -> bool {
        self.logs
            .iter()
            .chain(&self.witnesses)
            .any(|p| p.verifier.key() == verifier.key() && p.verifier.kind() == verifier.kind())
    }

    fn add_log(&mut self, number: usize, rest: &[&[u8]]) -> Result<(), TlogError> {
        let (vkey, url) = match rest {
            [vkey] => (vkey, None),
            [vkey, url] => (vkey, Some(url)),
            _ => return Err(problem(number, "log takes a vkey and perhaps a URL")),
        };
        let verifier = Policy::verifier(number, vkey, KeyKind::Ed25519)?;
        if self.same_key(&verifier) {
            return Err(problem(number, "a log listed twice"));
        }
        if self.logs.len() == MAX_POLICY_ITEMS {
            return Err(problem(number, "too many logs"));
        }
        self.logs.push(Party {
            name: verifier.name().as_bytes().to_vec(),
            url: Policy::url(number, url)?,
            verifier,
        });
        Ok(())
    }

    fn add_witness(&mut self, number: usize, rest: &[&[u8]]) -> Result<(), TlogError> {
        let (name, vkey, url) = match rest {
            [name, vkey] => (name, vkey, None),
            [name, vkey, url] => (name, vkey, Some(url)),
            _ => {
                return Err(problem(
                    number,
                    "witness takes a name, a vkey and perhaps a URL",
                ));
            }
        };
        if self.taken(name) {
            return Err(problem(number, "a name defined twice"));
        }
        let verifier = Policy::verifier(number, vkey, KeyKind::Cosignature)?;
        if self.same_key(&verifier) {
            return Err(problem(number, "a witness listed twice"));
        }
        if self.witnesses.len() == MAX_POLICY_ITEMS {
            return Err(problem(number, "too many witnesses"));
        }
        self.witnesses.push(Party {
            name: name.to_vec(),
            url: Policy::url(number, url)?,
            verifier,
        });
        Ok(())
    }

    fn add_group(&mut self, number: usize, rest: &[&[u8]]) -> Result<(), TlogError> {
        let [name, threshold, names @ ..] = rest else {
            return Err(problem(
                number,
                "group takes a name, a threshold and members",
            ));
        };
        if names.is_empty() {
            return Err(problem(number, "a group without members"));
        }
        if self.taken(name) {
            return Err(problem(number, "a name defined twice"));
        }
        let mut members = Vec::new();
        for member in names {
            let found = self
                .member(member)
                .ok_or_else(|| problem(number, "a member not defined above"))?;
            if members.contains(&found) {
                return Err(problem(number, "a member listed twice"));
            }
            members.push(found);
        }
        let threshold = match *threshold {
            b"all" => members.len(),
            b"any" => 1,
            digits => core::str::from_utf8(digits)
                .ok()
                .and_then(parse_decimal)
                .and_then(|k| usize::try_from(k).ok())
                .filter(|k| (1..=members.len()).contains(k))
                .ok_or_else(|| {
                    problem(
                        number,
                        "a threshold that is not all, any or 1 to the members",
                    )
                })?,
        };
        if self.groups.len() == MAX_POLICY_ITEMS {
            return Err(problem(number, "too many groups"));
        }
        self.groups.push(Group {
            name: name.to_vec(),
            threshold,
            members,
        });
        Ok(())
    }

    /// The file as it was read.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// The logs it trusts.
    pub fn logs(&self) -> &[Party] {
        &self.logs
    }

    /// The witnesses it knows.
    pub fn witnesses(&self) -> &[Party] {
        &self.witnesses
    }

    /// Whether these witnesses (by index) make the quorum.
    pub fn quorum_met(&self, cosigned: &[usize]) -> bool {
        self.quorum
            .is_none_or(|member| self.witnessed(member, cosigned))
    }

    fn witnessed(&self, member: Member, cosigned: &[usize]) -> bool {
        match member {
            Member::Witness(i) => cosigned.contains(&i),
            Member::Group(g) => self.groups.get(g).is_some_and(|group| {
                group
                    .members
                    .iter()
                    .filter(|&&m| self.witnessed(m, cosigned))
                    .count()
                    >= group.threshold
            }),
        }
    }

    /// Checks a signed checkpoint: signed by one of the logs (its origin
    /// is the log's key name), which witnesses cosigned it, and whether
    /// they make the quorum. A cosignature by a known witness that fails
    /// refuses the whole note, as signed-note says.
    pub fn check(&self, bytes: &[u8]) -> Result<Witnessed, TlogError> {
        let note = Note::parse(bytes)?;
        let claimed = Checkpoint::parse(note.text())?;
        let log = self
            .logs
            .iter()
            .find(|l| l.verifier.name() == claimed.origin)
            .ok_or(TlogError::NotSigned)?;
        let (checkpoint, note) = Checkpoint::open(bytes, &log.verifier)?;
        let witnesses: Vec<&NoteVerifier> = self.witnesses.iter().map(|w| &w.verifier).collect();
        let cosigned = match note.verify(&witnesses) {
            Ok(found) => found.into_iter().map(|(i, _)| i).collect(),
            Err(TlogError::NotSigned) => Vec::new(),
            Err(error) => return Err(error),
        };
        Ok(Witnessed {
            quorum: self.quorum_met(&cosigned),
            checkpoint,
            cosigned,
        })
    }
}
