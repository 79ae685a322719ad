//! A reader for lines in the canonical layout, several times faster than
//! serde_json on them: no whitespace, no `null`, every number an integer.
//! Whatever it accepts, serde_json reads to the very same [`WireEntry`].
//! On anything else (including every malformed line) it stops and says
//! where; with the `json-error-details` feature serde_json then reads the
//! line and names the problem in its own words. So it changes how fast a
//! line is read, never what it reads to, nor whether it is refused.

use core::ops::Range;
use std::borrow::Cow;

use super::{WireAdmin, WireBody, WireEntry};
use crate::LineError;

/// A line as a cursor over bytes that are valid UTF-8 (checked once for
/// the whole line, so every string between two quotes is valid too).
struct Reader<'a> {
    text: &'a str,
    at: usize,
    /// Whether the line has a backslash anywhere (see [`plain`]): only
    /// then can a string hold an escape.
    escapes: bool,
    /// The first member found missing from an object read to its end.
    missing: Option<&'static str>,
    /// Whether every object so far had its members in canonical order.
    sorted: bool,
    /// Where the member being read starts (its name's opening quote).
    member_at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text` (see [`plain`] for `escapes`).
    fn new(text: &'a str, escapes: bool) -> Reader<'a> {
        Reader {
            text,
            at: 0,
            escapes,
            missing: None,
            sorted: true,
            member_at: 0,
        }
    }

    /// `value`, or notes `name` as missing.
    fn need<T>(&mut self, value: Option<T>, name: &'static str) -> Option<T> {
        if value.is_none() {
            self.missing.get_or_insert(name);
        }
        value
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn byte(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.at += 1)
    }

    /// The bytes `expected`, as they are.
    fn literal(&mut self, expected: &[u8]) -> Option<()> {
        let end = self.at + expected.len();
        (self.text.as_bytes().get(self.at..end)? == expected).then(|| self.at = end)
    }

    /// A string (the line has no control characters: see [`entry`]).
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.byte(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let length = crate::swar::find_byte(b'"', rest)?;
        // Without a backslash before it, the first quote ends the string.
        if self.escapes && rest[..length].contains(&b'\\') {
            return self.escaped(start);
        }
        self.at = start + length + 1;
        self.text.get(start..start + length).map(Cow::Borrowed)
    }

    /// The rest of a string from `start`, its escapes decoded as JSON
    /// decodes them; gives up on a surrogate (`\ud800`), which serde_json
    /// pairs or refuses.
    fn escaped(&mut self, start: usize) -> Option<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let mut out = String::new();
        let (mut at, mut from) = (start, start);
        loop {
            match *bytes.get(at)? {
                b'"' => {
                    out.push_str(self.text.get(from..at)?);
                    self.at = at + 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(self.text.get(from..at)?);
                    let (decoded, length) = match *bytes.get(at + 1)? {
                        b'"' => ('"', 2),
                        b'\\' => ('\\', 2),
                        b'/' => ('/', 2),
                        b'b' => ('\u{8}', 2),
                        b'f' => ('\u{c}', 2),
                        b'n' => ('\n', 2),
                        b'r' => ('\r', 2),
                        b't' => ('\t', 2),
                        b'u' => {
                            let hex = self.text.get(at + 2..at + 6)?;
                            // from_str_radix alone would take a sign.
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            (char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, 6)
                        }
                        _ => return None,
                    };
                    out.push(decoded);
                    at += length;
                    from = at;
                }
                _ => at += 1,
            }
        }
    }

    /// Digits without a leading zero (serde_json refuses one), as a u64.
    fn unsigned(&mut self) -> Option<u64> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = bytes.get(self.at).copied() {
            // Nineteen digits always fit a u64: only then is overflow
            // checked (in WebAssembly a checked multiplication is a call
            // to a 128-bit multiply, per digit).
            let digit = u64::from(digit - b'0');
            value = if self.at - start < 19 {
                value * 10 + digit
            } else {
                value.checked_mul(10)?.checked_add(digit)?
            };
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
    /// Notes whether the names come in canonical order (by UTF-16 code
    /// units, which is byte order for the ASCII names this reader knows).
    fn object(&mut self, mut member: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.byte(b'{')?;
        if self.byte(b'}').is_some() {
            return Some(());
        }
        let mut previous = Cow::Borrowed("");
        loop {
            self.member_at = self.at;
            let name = self.string()?;
            if !follows(&previous, &name) {
                self.sorted = false;
            }
            self.byte(b':')?;
            member(self, &name)?;
            previous = name;
            if self.byte(b',').is_none() {
                return self.byte(b'}');
            }
        }
    }
}

/// Whether the name `next` comes after `previous` in canonical order:
/// mostly told by the first bytes, so no comparison call per member.
fn follows(previous: &str, next: &str) -> bool {
    let (previous, next) = (previous.as_bytes(), next.as_bytes());
    match (previous.first(), next.first()) {
        (Some(p), Some(n)) if p != n => p < n,
        _ => previous < next,
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

fn admin<'a>(reader: &mut Reader<'a>) -> Option<WireAdmin<'a>> {
    let (mut id, mut pubkey) = (None, None);
    reader.object(|r, name| match name {
        "id" => once(&mut id, r.string()),
        "pubkey" => once(&mut pubkey, r.string()),
        _ => None,
    })?;
    Some(WireAdmin {
        id: reader.need(id, "body.admin.id")?,
        pubkey: reader.need(pubkey, "body.admin.pubkey")?,
    })
}

/// Reads a body into `b` (in place: it is a large struct, and moving it
/// from call to call was a good part of reading a line).
fn body<'a>(reader: &mut Reader<'a>, b: &mut WireBody<'a>) -> Option<()> {
    let start = reader.at;
    if body_in_order(reader, b).is_some() {
        return Some(());
    }
    reader.at = start;
    *b = WireBody::default();
    body_any_order(reader, b)
}

/// The members of an earn or a redeem body (most of a ledger) where a
/// canonical line has them, as [`read_in_order`] reads the top level;
/// reads to what [`body_any_order`] reads such a body to. `None` for
/// anything else.
fn body_in_order<'a>(r: &mut Reader<'a>, b: &mut WireBody<'a>) -> Option<()> {
    if r.literal(b"{\"activity\":").is_some() {
        b.activity = Some(r.string()?);
        r.literal(b",\"note\":")?;
        b.note = Some(r.string()?);
        r.literal(b",\"points\":")?;
        b.points = Some(r.string()?);
        r.literal(b",\"resident\":")?;
        b.resident = Some(r.string()?);
    } else {
        r.literal(b"{\"points\":")?;
        b.points = Some(r.string()?);
        r.literal(b",\"qty\":")?;
        b.qty = Some(r.unsigned()?);
        r.literal(b",\"request_id\":")?;
        b.request_id = Some(r.string()?);
        r.literal(b",\"resident\":")?;
        b.resident = Some(r.string()?);
        r.literal(b",\"reward\":")?;
        b.reward = Some(r.string()?);
    }
    r.literal(b",\"type\":")?;
    b.kind = r.string()?;
    r.byte(b'}')
}

fn body_any_order<'a>(reader: &mut Reader<'a>, b: &mut WireBody<'a>) -> Option<()> {
    let mut kind = None;
    reader.object(|r, name| match name {
        "type" => once(&mut kind, r.string()),
        "name" => once(&mut b.name, r.string()),
        "utc_offset_minutes" => once(&mut b.utc_offset_minutes, r.signed()),
        "admin" => once(&mut b.admin, admin(r)),
        "id" => once(&mut b.id, r.string()),
        "role" => once(&mut b.role, r.string()),
        "pubkey" => once(&mut b.pubkey, r.string()),
        "active" => once(&mut b.active, r.boolean()),
        "code" => once(&mut b.code, r.string()),
        "household" => once(&mut b.household, r.string()),
        "area" => once(&mut b.area, r.string()),
        "points" => once(&mut b.points, r.string()),
        "daily_cap" => once(&mut b.daily_cap, r.string()),
        "cost" => once(&mut b.cost, r.string()),
        "reward" => once(&mut b.reward, r.string()),
        "delta" => once(&mut b.delta, r.signed()),
        "note" => once(&mut b.note, r.string()),
        "resident" => once(&mut b.resident, r.string()),
        "activity" => once(&mut b.activity, r.string()),
        "qty" => once(&mut b.qty, r.unsigned()),
        "request_id" => once(&mut b.request_id, r.string()),
        "entry" => once(&mut b.entry, r.unsigned()),
        "reason" => once(&mut b.reason, r.string()),
        "review" => once(&mut b.review, r.boolean()),
        "photo" => once(&mut b.photo, r.string()),
        "penalty" => once(&mut b.penalty, r.string()),
        "suspend_days" => once(&mut b.suspend_days, r.unsigned()),
        "household_monthly" => once(&mut b.household_monthly, r.unsigned()),
        "collector" => once(&mut b.collector, r.string()),
        "helper" => once(&mut b.helper, r.string()),
        "to" => once(&mut b.to, r.string()),
        "per_hour" => once(&mut b.per_hour, r.boolean()),
        "hours" => once(&mut b.hours, r.string()),
        _ => None,
    })?;
    b.kind = reader.need(kind, "body.type")?;
    Some(())
}

/// Whether a line has no control characters (which serde_json refuses
/// inside strings; outside them, this reader takes no whitespace at all),
/// and if so, whether it has a backslash (only then may a string hold an
/// escape): checked once for the whole line, eight bytes at a time.
fn plain(line: &[u8]) -> Option<bool> {
    use crate::swar::{below, equal};
    let mut chunks = line.chunks_exact(8);
    let (mut control, mut backslash) = (0, 0);
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        control |= below(x, 0x20);
        backslash |= equal(x, b'\\');
    }
    let rest = chunks.remainder();
    (control == 0 && !rest.iter().any(|&b| b < 0x20))
        .then(|| backslash != 0 || rest.contains(&b'\\'))
}

/// A line read in the canonical layout: members in canonical order, no
/// escape in any string, and (as for every line this reader reads) no
/// whitespace, and integers without a leading zero or a `-0`. Such a line
/// is the canonical writing of what it reads to, once its values are
/// checked (`from_wire`: every member there and no other, lowercase hex,
/// points in their one spelling, strings taken as they are), so it need
/// not be written again to be compared. The ranges are those of its
/// `hash` and `sig` members (from the name's opening quote to the next
/// member's), which its hash leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CanonicalLayout {
    pub hash: Range<usize>,
    pub sig: Range<usize>,
}

/// Reads a line to what serde_json would read it to. On anything but the
/// layout of a canonical line it stops: [`LineError::Layout`] names the
/// byte it stopped at, or [`LineError::MissingMember`] a member missing.
#[cfg(any(test, feature = "testing"))]
pub(super) fn entry(line: &[u8]) -> Result<WireEntry<'_>, LineError> {
    entry_with_layout(line).map(|(wire, _)| wire)
}

/// [`entry`], and whether the line is in the canonical layout.
pub(super) fn entry_with_layout(
    line: &[u8],
) -> Result<(WireEntry<'_>, Option<CanonicalLayout>), LineError> {
    let stop = |at: usize| LineError::Layout { byte: at + 1 };
    let Some(escapes) = plain(line) else {
        return Err(stop(line.iter().position(|&b| b < 0x20).unwrap_or(0)));
    };
    let text = core::str::from_utf8(line).map_err(|error| stop(error.valid_up_to()))?;
    let mut reader = Reader::new(text, escapes);
    let mut starts = Starts::default();
    match read(&mut reader, &mut starts) {
        Some(wire) if reader.at == line.len() => {
            // Sorted, the nine members of a line follow one another:
            // `hash` up to `ledger`, `sig` up to `ts`.
            let layout = (reader.sorted && !escapes).then_some(CanonicalLayout {
                hash: starts.hash..starts.ledger,
                sig: starts.sig..starts.ts,
            });
            Ok((wire, layout))
        }
        _ => Err(match reader.missing {
            Some(name) => LineError::MissingMember(name),
            None => stop(reader.at),
        }),
    }
}

/// A body alone (as a v2 device entry carries it), read as [`body`] reads
/// one inside a line; `None` for anything it does not read, which the
/// caller then gives to serde_json.
pub(super) fn body_alone(bytes: &[u8]) -> Option<WireBody<'_>> {
    let escapes = plain(bytes)?;
    let text = core::str::from_utf8(bytes).ok()?;
    let mut reader = Reader::new(text, escapes);
    let mut wire = WireBody::default();
    body(&mut reader, &mut wire)?;
    (reader.at == bytes.len() && reader.missing.is_none()).then_some(wire)
}

/// Where some top-level members start.
#[derive(Default)]
struct Starts {
    hash: usize,
    ledger: usize,
    sig: usize,
    ts: usize,
}

fn read<'a>(reader: &mut Reader<'a>, starts: &mut Starts) -> Option<WireEntry<'a>> {
    if let Some(wire) = read_in_order(reader, starts) {
        return Some(wire);
    }
    // Not every member in its canonical place: read them as they come.
    reader.at = 0;
    reader.missing = None;
    reader.sorted = true;
    *starts = Starts::default();
    read_any_order(reader, starts)
}

/// The top-level members where a canonical line has them, each name
/// compared as bytes (what a valid line always is, and faster than
/// reading each name and looking it up). Reads to what
/// [`read_any_order`] reads such a line to.
fn read_in_order<'a>(r: &mut Reader<'a>, starts: &mut Starts) -> Option<WireEntry<'a>> {
    r.literal(b"{\"actor\":")?;
    let actor = r.string()?;
    r.literal(b",\"body\":")?;
    let mut wire_body = WireBody::default();
    body(r, &mut wire_body)?;
    // A member starts at its name's opening quote, after the comma.
    starts.hash = r.at + 1;
    r.literal(b",\"hash\":")?;
    let hash = r.string()?;
    starts.ledger = r.at + 1;
    r.literal(b",\"ledger\":")?;
    let ledger = r.string()?;
    r.literal(b",\"prev\":")?;
    let prev = r.string()?;
    r.literal(b",\"seq\":")?;
    let seq = r.unsigned()?;
    starts.sig = r.at + 1;
    r.literal(b",\"sig\":")?;
    let sig = r.string()?;
    starts.ts = r.at + 1;
    r.literal(b",\"ts\":")?;
    let ts = r.unsigned()?;
    r.literal(b",\"v\":")?;
    let v = r.unsigned()?;
    r.byte(b'}')?;
    Some(WireEntry {
        actor,
        body: wire_body,
        hash,
        ledger,
        prev,
        seq,
        sig,
        ts,
        v,
    })
}

fn read_any_order<'a>(reader: &mut Reader<'a>, starts: &mut Starts) -> Option<WireEntry<'a>> {
    let (mut v, mut ledger, mut seq, mut ts, mut prev) = (None, None, None, None, None);
    let (mut actor, mut hash, mut sig) = (None, None, None);
    let (mut wire_body, mut body_read) = (WireBody::default(), None);
    reader.object(|r, name| match name {
        "v" => once(&mut v, r.unsigned()),
        "ledger" => {
            starts.ledger = r.member_at;
            once(&mut ledger, r.string())
        }
        "seq" => once(&mut seq, r.unsigned()),
        "ts" => {
            starts.ts = r.member_at;
            once(&mut ts, r.unsigned())
        }
        "prev" => once(&mut prev, r.string()),
        "actor" => once(&mut actor, r.string()),
        "body" => once(&mut body_read, body(r, &mut wire_body)),
        "hash" => {
            starts.hash = r.member_at;
            once(&mut hash, r.string())
        }
        "sig" => {
            starts.sig = r.member_at;
            once(&mut sig, r.string())
        }
        _ => None,
    })?;
    // In the canonical order, to name the first one missing.
    Some(WireEntry {
        actor: reader.need(actor, "actor")?,
        body: reader.need(body_read, "body").map(|()| wire_body)?,
        hash: reader.need(hash, "hash")?,
        ledger: reader.need(ledger, "ledger")?,
        prev: reader.need(prev, "prev")?,
        seq: reader.need(seq, "seq")?,
        sig: reader.need(sig, "sig")?,
        ts: reader.need(ts, "ts")?,
        v: reader.need(v, "v")?,
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

    /// Whatever the fast reader accepts, serde_json reads to the same; and
    /// whatever it refuses is no canonical line, so it is refused at that
    /// line with or without the `json-error-details` feature.
    #[track_caller]
    fn agrees(line: &[u8]) {
        taken_as_canonical_only_if_it_is(line);
        match entry(line) {
            Ok(fast) => assert_eq!(
                serde(line).as_ref(),
                Some(&fast),
                "{}",
                String::from_utf8_lossy(line)
            ),
            Err(_) => {
                let read = serde(line).and_then(|wire| super::super::from_wire(wire).ok());
                if let Some((ledger, entry)) = read {
                    assert_ne!(
                        entry.to_line(&ledger).as_bytes(),
                        line,
                        "a canonical line refused: {}",
                        String::from_utf8_lossy(line)
                    );
                }
            }
        }
    }

    /// A line read in the canonical layout (and whose values check out)
    /// is the canonical writing of its entry, with its `hash` and `sig`
    /// where the writer puts them; so it is not written again.
    #[track_caller]
    fn taken_as_canonical_only_if_it_is(line: &[u8]) {
        let Ok((wire, Some(layout))) = super::entry_with_layout(line) else {
            return;
        };
        if let Ok((ledger, entry)) = super::super::from_wire(wire) {
            let mut written = Vec::new();
            let ranges = entry.write_canonical(&ledger, true, &mut written);
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(line),
                "taken as canonical"
            );
            assert_eq!(ranges, Some((layout.hash, layout.sig)));
        }
    }

    #[test]
    fn only_canonical_lines_are_taken_as_canonical() {
        let lines = demo_lines();
        for line in &lines {
            let layout = super::entry_with_layout(line.as_bytes()).map(|(_, layout)| layout);
            assert!(matches!(layout, Ok(Some(_))), "written again: {line}");
            taken_as_canonical_only_if_it_is(line.as_bytes());
        }
        let earn = lines
            .iter()
            .find(|line| line.contains("\"type\":\"earn\""))
            .cloned()
            .unwrap_or_default();
        let genesis = &lines[0];
        let admin = genesis.find("\"admin\":{").unwrap_or(0) + 9;
        let admin_end = admin + genesis[admin..].find('}').unwrap_or(0);
        let (id, pubkey) = genesis[admin..admin_end]
            .split_once(',')
            .unwrap_or_default();
        let escaped_letter = earn.replacen("\"note\":\"", "\"note\":\"\\u0041", 1);
        // Read alike, but not in canonical order, or with an escape a
        // canonical line would not have: written again and compared.
        let not_taken = [
            earn.replacen("{\"actor\"", "{\"v\":1,\"actor\"", 1)
                .replacen(",\"v\":1}", "}", 1),
            earn.replacen(",\"type\":\"earn\"", "", 1).replacen(
                "\"body\":{",
                "\"body\":{\"type\":\"earn\",",
                1,
            ),
            format!(
                "{}{pubkey},{id}{}",
                &genesis[..admin],
                &genesis[admin_end..]
            ),
            escaped_letter,
        ];
        for line in &not_taken {
            let read = super::entry_with_layout(line.as_bytes());
            assert!(matches!(read, Ok((_, None))), "taken as canonical: {line}");
        }
    }

    #[test]
    fn plain_lines_have_no_escape_and_no_control_character() {
        let base = "{\"name\":\"积分 Jifen 0123456789\"}".as_bytes();
        assert_eq!(super::plain(base), Some(false));
        for at in 0..base.len() {
            for byte in 0..=u8::MAX {
                let mut line = base.to_vec();
                line[at] = byte;
                let expected = (byte >= 0x20).then_some(byte == b'\\');
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
            assert!(fast.is_ok(), "not read fast: {line}");
            let fast = fast.ok();
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
            assert!(entry(case.as_bytes()).is_err(), "read fast: {case}");
        }
        let signed = earn.replacen(
            "\"type\":\"earn\"",
            "\"type\":\"earn\",\"delta\":-9223372036854775808",
            1,
        );
        assert_eq!(
            entry(signed.as_bytes())
                .ok()
                .and_then(|wire| wire.body.delta),
            Some(i64::MIN)
        );
        agrees(signed.as_bytes());
    }

    /// A body member of another type is refused by name: the first of
    /// them, in the order the wire format lists body members.
    #[test]
    fn a_member_of_another_type_is_named() {
        let lines = demo_lines();
        let Some(earn) = lines.iter().find(|line| line.contains("\"type\":\"earn\"")) else {
            panic!("the demo has an earn");
        };
        let cases = [
            ("\"qty\":1,", "qty"),
            ("\"reason\":\"x\",\"code\":\"A\",", "code"),
            ("\"admin\":{\"id\":\"a\",\"pubkey\":\"00\"},", "admin"),
            ("\"reason\":\"r\",\"name\":\"n\",", "name"),
            ("\"entry\":3,\"daily_cap\":\"1\",", "daily_cap"),
        ];
        for (added, named) in cases {
            let line = earn.replacen("\"body\":{", &format!("\"body\":{{{added}"), 1);
            assert_eq!(
                crate::entry::parse_line(line.as_bytes()).err(),
                Some(crate::LineError::UnexpectedMember(named)),
                "{line}"
            );
        }
    }

    fn demo_lines() -> Vec<String> {
        let demo = generate(&DemoConfig {
            residents: 5,
            entries: 60,
            ..DemoConfig::default()
        });
        demo.ledger.to_jsonl().lines().map(str::to_owned).collect()
    }

    #[test]
    fn reads_escapes_as_serde_json_does() {
        let genesis = demo_lines().swap_remove(0);
        let with_name = |value: &str| {
            let start = genesis.find("\"name\":\"").map_or(0, |at| at + 8);
            let end = start + genesis[start..].find('"').unwrap_or(0);
            format!("{}{value}{}", &genesis[..start], &genesis[end..])
        };
        let read = [
            r#"say \"hi\""#,
            r"back\\slash",
            r"\b\f\n\r\t\/",
            r"\u0000\u001f\u00e9\u79ef\uFFFF积分",
            r"\\u0041",
        ];
        for value in read {
            let line = with_name(value);
            assert!(entry(line.as_bytes()).is_ok(), "not read fast: {line}");
            agrees(line.as_bytes());
        }
        // Left to serde_json: what is not an escape, and surrogates.
        let given_up = [
            r"\x",
            r"\u12",
            r"\u12g4",
            r"\u+123",
            r"\ud83d\ude00",
            r"\ud800",
            "\\",
        ];
        for value in given_up {
            let line = with_name(value);
            assert!(entry(line.as_bytes()).is_err(), "read fast: {line}");
        }
        // Whatever the canonical writer escapes reads back as it was.
        let mut all: String = (0..0x20u8).map(char::from).collect();
        all.push_str("\"\\/积");
        let mut written = Vec::new();
        crate::canonical::write_string(&mut written, &all);
        let quoted = String::from_utf8(written).unwrap_or_default();
        let line = with_name(quoted.trim_matches('"'));
        let name = entry(line.as_bytes()).ok().and_then(|wire| wire.body.name);
        assert_eq!(name.as_deref(), Some(all.as_str()));
        agrees(line.as_bytes());
    }

    #[test]
    fn says_where_reading_stopped_or_what_is_missing() {
        use crate::LineError::{Layout, MissingMember};
        let line = demo_lines()
            .into_iter()
            .find(|line| line.contains("\"type\":\"earn\""))
            .unwrap_or_default();
        let stops = |case: &str| entry(case.as_bytes()).err();
        assert_eq!(
            stops(&line.replacen('{', "{ ", 1)),
            Some(Layout { byte: 2 })
        );
        assert_eq!(
            stops(&format!("{line} ")),
            Some(Layout {
                byte: line.len() + 1
            })
        );
        let tab = line.replacen("\"v\":1", "\"v\":\t1", 1);
        let at = tab.find('\t').unwrap_or(0);
        assert_eq!(stops(&tab), Some(Layout { byte: at + 1 }));
        let mut invalid = line.clone().into_bytes();
        invalid[10] = 0xff;
        assert_eq!(entry(&invalid).err(), Some(Layout { byte: 11 }));
        let unknown = line.replacen("\"v\":1", "\"w\":1", 1);
        let at = unknown.find("\"w\"").unwrap_or(0);
        assert_eq!(stops(&unknown), Some(Layout { byte: at + 5 }));
        let sig = line.find(",\"sig\":\"").unwrap_or(0);
        let end = sig + 8 + line[sig + 8..].find('"').unwrap_or(0);
        let no_sig = format!("{}{}", &line[..sig], &line[end + 1..]);
        assert_eq!(stops(&no_sig), Some(MissingMember("sig")));
        let no_type = line.replacen(",\"type\":\"earn\"", "", 1);
        assert_eq!(stops(&no_type), Some(MissingMember("body.type")));
    }
}
