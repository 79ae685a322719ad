//! A reader for lines in the canonical layout, several times faster than
//! serde_json on them: no whitespace, no escapes, no `null`, every number
//! an integer. Whatever it accepts, serde_json reads to the very same
//! [`WireEntry`]; on anything else (including every malformed line) it
//! gives up, and serde_json reads the line and names the problem. So it
//! changes how fast a line is read, never what it reads to.

use std::borrow::Cow;

use super::{WireAdmin, WireBody, WireEntry};

/// A line as a cursor over bytes that are valid UTF-8 (checked once for
/// the whole line, so every string between two quotes is valid too).
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn byte(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.at += 1)
    }

    /// A string (the line has no escapes or control characters: see
    /// [`entry`]).
    fn string(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let start = self.at;
        let length = memchr::memchr(b'"', self.text.as_bytes().get(start..)?)?;
        self.at = start + length + 1;
        self.text.get(start..start + length)
    }

    /// Digits without a leading zero (serde_json refuses one), as a u64.
    fn unsigned(&mut self) -> Option<u64> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = bytes.get(self.at).copied() {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
            self.at += 1;
        }
        let length = self.at - start;
        let leading_zero = length > 1 && bytes[start] == b'0';
        // A fraction or exponent: not an integer member.
        let more = matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        (length > 0 && !leading_zero && !more).then_some(value)
    }

    fn signed(&mut self) -> Option<i64> {
        if self.byte(b'-').is_some() {
            let magnitude = self.unsigned()?;
            // "-0" reads as 0; it is not canonical, so let serde_json read it.
            (magnitude > 0)
                .then(|| 0i64.checked_sub_unsigned(magnitude))
                .flatten()
        } else {
            i64::try_from(self.unsigned()?).ok()
        }
    }

    fn boolean(&mut self) -> Option<bool> {
        let rest = self.text.as_bytes().get(self.at..)?;
        if rest.starts_with(b"true") {
            self.at += 4;
            Some(true)
        } else if rest.starts_with(b"false") {
            self.at += 5;
            Some(false)
        } else {
            None
        }
    }

    /// `{"name":value,…}`: `member` reads each value after its name.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.byte(b'{')?;
        if self.byte(b'}').is_some() {
            return Some(());
        }
        loop {
            let name = self.string()?;
            self.byte(b':')?;
            member(self, name)?;
            if self.byte(b',').is_none() {
                return self.byte(b'}');
            }
        }
    }
}

/// Sets a member read once; a second one (serde_json refuses duplicates)
/// gives up.
fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

fn text<'a>(reader: &mut Reader<'a>) -> Option<Cow<'a, str>> {
    reader.string().map(Cow::Borrowed)
}

fn admin<'a>(reader: &mut Reader<'a>) -> Option<WireAdmin<'a>> {
    let (mut id, mut pubkey) = (None, None);
    reader.object(|r, name| match name {
        "id" => once(&mut id, text(r)),
        "pubkey" => once(&mut pubkey, text(r)),
        _ => None,
    })?;
    Some(WireAdmin {
        id: id?,
        pubkey: pubkey?,
    })
}

fn body<'a>(reader: &mut Reader<'a>) -> Option<WireBody<'a>> {
    let mut kind = None;
    let mut b = WireBody::default();
    reader.object(|r, name| match name {
        "type" => once(&mut kind, text(r)),
        "name" => once(&mut b.name, text(r)),
        "utc_offset_minutes" => once(&mut b.utc_offset_minutes, r.signed()),
        "admin" => once(&mut b.admin, admin(r)),
        "id" => once(&mut b.id, text(r)),
        "role" => once(&mut b.role, text(r)),
        "pubkey" => once(&mut b.pubkey, text(r)),
        "active" => once(&mut b.active, r.boolean()),
        "code" => once(&mut b.code, text(r)),
        "household" => once(&mut b.household, text(r)),
        "area" => once(&mut b.area, text(r)),
        "points" => once(&mut b.points, text(r)),
        "daily_cap" => once(&mut b.daily_cap, text(r)),
        "cost" => once(&mut b.cost, text(r)),
        "reward" => once(&mut b.reward, text(r)),
        "delta" => once(&mut b.delta, r.signed()),
        "note" => once(&mut b.note, text(r)),
        "resident" => once(&mut b.resident, text(r)),
        "activity" => once(&mut b.activity, text(r)),
        "qty" => once(&mut b.qty, r.unsigned()),
        "request_id" => once(&mut b.request_id, text(r)),
        "entry" => once(&mut b.entry, r.unsigned()),
        "reason" => once(&mut b.reason, text(r)),
        _ => None,
    })?;
    b.kind = kind?;
    Some(b)
}

/// Whether a line has no escapes (left to serde_json) and no control
/// characters (which serde_json refuses inside strings; outside them,
/// this reader takes no whitespace at all): checked once for the whole
/// line, eight bytes at a time.
fn plain(line: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // A byte below `n` (for n <= 0x80) leaves its high bit in
    // `(x - n) & !x`; a borrow can only mark bytes after one that is.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let mut chunks = line.chunks_exact(8);
    let mut found = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        found |= below(x, 0x20) | below(x ^ (ONES * u64::from(b'\\')), 1);
    }
    found == 0 && !chunks.remainder().iter().any(|&b| b < 0x20 || b == b'\\')
}

/// Reads a line to what serde_json would read it to, or gives up (`None`)
/// on anything but the plain layout of a canonical line.
pub(super) fn entry(line: &[u8]) -> Option<WireEntry<'_>> {
    if !plain(line) {
        return None;
    }
    let mut reader = Reader {
        text: core::str::from_utf8(line).ok()?,
        at: 0,
    };
    let (mut v, mut ledger, mut seq, mut ts, mut prev) = (None, None, None, None, None);
    let (mut actor, mut wire_body, mut hash, mut sig) = (None, None, None, None);
    reader.object(|r, name| match name {
        "v" => once(&mut v, r.unsigned()),
        "ledger" => once(&mut ledger, text(r)),
        "seq" => once(&mut seq, r.unsigned()),
        "ts" => once(&mut ts, r.unsigned()),
        "prev" => once(&mut prev, text(r)),
        "actor" => once(&mut actor, text(r)),
        "body" => once(&mut wire_body, body(r)),
        "hash" => once(&mut hash, text(r)),
        "sig" => once(&mut sig, text(r)),
        _ => None,
    })?;
    if reader.at != line.len() {
        return None;
    }
    Some(WireEntry {
        v: v?,
        ledger: ledger?,
        seq: seq?,
        ts: ts?,
        prev: prev?,
        actor: actor?,
        body: wire_body?,
        hash: hash?,
        sig: sig?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::WireEntry;
    use super::entry;
    use crate::demo::{DemoConfig, generate};

    fn serde(line: &[u8]) -> Option<WireEntry<'_>> {
        serde_json::from_slice(line).ok()
    }

    /// Whatever the fast reader accepts, serde_json reads to the same.
    #[track_caller]
    fn agrees(line: &[u8]) {
        if let Some(fast) = entry(line) {
            assert_eq!(
                serde(line).as_ref(),
                Some(&fast),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn plain_lines_have_no_escape_and_no_control_character() {
        let base = "{\"name\":\"积分 Jifen 0123456789\"}".as_bytes();
        assert!(super::plain(base));
        for at in 0..base.len() {
            for byte in 0..=u8::MAX {
                let mut line = base.to_vec();
                line[at] = byte;
                let expected = byte >= 0x20 && byte != b'\\';
                assert_eq!(super::plain(&line), expected, "{byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn reads_every_canonical_line_as_serde_json_does_and_nothing_more() {
        let demo = generate(&DemoConfig {
            residents: 30,
            entries: 1_200,
            ..DemoConfig::default()
        });
        let file = demo.ledger.to_jsonl();
        let mut one_of_each = std::collections::BTreeMap::new();
        for line in file.lines() {
            let fast = entry(line.as_bytes());
            // Every canonical line takes the fast way, or it is no faster.
            assert!(fast.is_some(), "not read fast: {line}");
            assert_eq!(fast, serde(line.as_bytes()));
            let kind = fast.map(|wire| wire.body.kind.into_owned());
            one_of_each.entry(kind).or_insert(line);
        }
        assert_eq!(one_of_each.len(), 9, "every body type");
        // Each byte of one line of each type replaced, removed, or with a
        // byte put before it: the bytes JSON gives meaning to, and some.
        let odd = b"\"\\ 0179-+}{][,:a.eEntf\x1f\x7f\xc3\xff";
        for line in one_of_each.values() {
            let line = line.as_bytes();
            for at in 0..=line.len() {
                let mut removed = line.to_vec();
                if at < line.len() {
                    removed.remove(at);
                    agrees(&removed);
                }
                for &byte in odd {
                    let mut changed = line.to_vec();
                    if at < line.len() {
                        changed[at] = byte;
                        agrees(&changed);
                    }
                    let mut inserted = line.to_vec();
                    inserted.insert(at, byte);
                    agrees(&inserted);
                }
            }
        }
        // What only serde_json reads (or refuses), in detail.
        let earn = one_of_each[&Some("earn".to_owned())].to_owned();
        let cases = [
            earn.replacen("{\"actor\"", "{ \"actor\"", 1),
            earn.replacen("\"earn\"", "\"ea\\u0072n\"", 1),
            earn.replacen("\"seq\":", "\"seq\":0", 1),
            earn.replacen("\"v\":1", "\"v\":1.0", 1),
            earn.replacen("\"v\":1", "\"v\":1,\"v\":1", 1),
            earn.replacen("\"v\":1", "\"v\":null", 1),
            earn.replacen("\"v\":1", "\"v\":18446744073709551616", 1),
            earn.replacen("\"type\":\"earn\"", "\"type\":\"earn\",\"qty\":null", 1),
            earn.replacen("\"type\":\"earn\"", "\"type\":\"earn\",\"delta\":-0", 1),
            earn.clone() + " ",
        ];
        for case in &cases {
            assert!(entry(case.as_bytes()).is_none(), "read fast: {case}");
        }
        let signed = earn.replacen(
            "\"type\":\"earn\"",
            "\"type\":\"earn\",\"delta\":-9223372036854775808",
            1,
        );
        assert_eq!(
            entry(signed.as_bytes()).and_then(|wire| wire.body.delta),
            Some(i64::MIN)
        );
        agrees(signed.as_bytes());
    }
}
