//! The chain-only reader of a canonical line: the few members the hash
//! chain needs (`ledger`, `prev`, `seq`, `hash`, and where `hash` and `sig`
//! sit), read forward without a JSON parser, or found from the line's end
//! back. Beside the writer (`Entry::write_canonical`) and the fast reader
//! (`fast.rs`), the third reader of the same layout.

use core::ops::Range;

use super::hash_signed_line;

/// The parts of a line in canonical layout that the hash chain needs.
pub(crate) struct ChainParts<'a> {
    pub(crate) ledger: &'a [u8],
    pub(crate) seq: u64,
    pub(crate) prev: &'a [u8],
    pub(crate) hash: &'a [u8],
    pub(crate) hash_member: Range<usize>,
    pub(crate) sig_member: Range<usize>,
}

/// A strict reader of the canonical top-level layout,
/// `{"actor":…,"body":{…},"hash":…,"ledger":…,"prev":…,"seq":…,"sig":…,"ts":…,"v":1}`.
/// It never looks inside strings beyond finding their end, and returns
/// `None` at the first byte that does not fit; the caller then runs the
/// full parser to say exactly what is wrong.
pub(crate) struct Cursor<'a> {
    line: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `line`.
    pub(crate) fn new(line: &'a [u8]) -> Cursor<'a> {
        Cursor { line, at: 0 }
    }

    /// The bytes from `start` to where the cursor is.
    pub(crate) fn since(&self, start: usize) -> &'a [u8] {
        self.line.get(start..self.at).unwrap_or_default()
    }

    /// Whether every byte was read.
    pub(crate) fn at_end(&self) -> bool {
        self.at == self.line.len()
    }

    pub(crate) fn literal(&mut self, expected: &[u8]) -> Option<()> {
        let end = self.at.checked_add(expected.len())?;
        (self.line.get(self.at..end)? == expected).then(|| self.at = end)
    }

    /// A string up to its closing quote. Ids and hex never need escapes;
    /// an escaped quote would end the string early here and make the
    /// layout fail, so the full parser then looks at the line.
    pub(crate) fn plain_string(&mut self) -> Option<&'a [u8]> {
        let rest = self.line.get(self.at..)?;
        let length = crate::swar::find_byte(b'"', rest)?;
        self.at += length + 1;
        rest.get(..length)
    }

    pub(crate) fn digits(&mut self) -> Option<u64> {
        let rest = self.line.get(self.at..)?;
        let length = rest
            .iter()
            .take(17)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let digits = rest.get(..length)?;
        if length == 0 || (length > 1 && digits[0] == b'0') {
            return None;
        }
        self.at += length;
        // At most 17 digits: no overflow to check (a checked multiplication
        // is a call per digit in WebAssembly).
        Some(
            digits
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
        )
    }

    /// A JSON object, skipped by matching braces outside strings.
    pub(crate) fn object(&mut self) -> Option<()> {
        let rest = self.line.get(self.at..)?;
        if rest.first() != Some(&b'{') {
            return None;
        }
        let mut depth = 0usize;
        let mut at = 0usize;
        while let Some(found) = memchr::memchr3(b'"', b'{', b'}', rest.get(at..)?) {
            at += found;
            match rest.get(at)? {
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.at += at + 1;
                        return Some(());
                    }
                }
                _ => {
                    // A string: skip to its closing quote, past escapes.
                    loop {
                        at += 1;
                        at += memchr::memchr2(b'"', b'\\', rest.get(at..)?)?;
                        if rest.get(at)? == &b'"' {
                            break;
                        }
                        at += 1;
                    }
                }
            }
            at += 1;
        }
        None
    }
}

pub(crate) fn chain_parts(line: &[u8]) -> Option<ChainParts<'_>> {
    let mut cursor = Cursor { line, at: 0 };
    cursor.literal(b"{\"actor\":\"")?;
    cursor.plain_string()?;
    cursor.literal(b",\"body\":")?;
    cursor.object()?;
    cursor.literal(b",")?;
    let hash_start = cursor.at;
    cursor.literal(b"\"hash\":\"")?;
    let hash = cursor.plain_string()?;
    cursor.literal(b",")?;
    let hash_member = hash_start..cursor.at;
    cursor.literal(b"\"ledger\":\"")?;
    let ledger = cursor.plain_string()?;
    cursor.literal(b",\"prev\":\"")?;
    let prev = cursor.plain_string()?;
    cursor.literal(b",\"seq\":")?;
    let seq = cursor.digits()?;
    cursor.literal(b",")?;
    let sig_start = cursor.at;
    cursor.literal(b"\"sig\":\"")?;
    cursor.plain_string()?;
    cursor.literal(b",")?;
    let sig_member = sig_start..cursor.at;
    cursor.literal(b"\"ts\":")?;
    cursor.digits()?;
    cursor.literal(b",\"v\":1}")?;
    (cursor.at == line.len()).then_some(ChainParts {
        ledger,
        seq,
        prev,
        hash,
        hash_member,
        sig_member,
    })
}

/// Whether a line hashes, without its `hash` and `sig` members, to the
/// `hash` it states, the members found from the line's end back rather
/// than by reading it from the start. For a line in the canonical layout
/// this is exact: after the body come only a ledger id, hex and digits,
/// in a fixed order, so every member from `hash` on is where this looks.
/// Any other line a [`crate::verify::Verifier`] refuses, whatever this says; so in a
/// [`crate::verify::Share`]d replay this is as strict as [`chain_parts`], and faster (the
/// body is never walked through).
pub(crate) fn hash_holds(line: &[u8]) -> bool {
    // The number of digits just before `end`.
    let digits_before = |end: usize| {
        let count = line
            .get(..end)?
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (count > 0).then_some(count)
    };
    let is = |at: usize, expected: &[u8]| line.get(at..at + expected.len()) == Some(expected);
    let located = || {
        // …,"hash":"<64>","ledger":"<id>","prev":"<64>","seq":N,"sig":"<128>","ts":N,"v":1}
        let end = line.len().checked_sub(7)?;
        is(end, b",\"v\":1}").then_some(())?;
        let ts_name = (end - digits_before(end)?).checked_sub(5)?;
        is(ts_name, b"\"ts\":").then_some(())?;
        let sig = ts_name.checked_sub(7 + 128 + 2)?..ts_name;
        (is(sig.start, b"\"sig\":\"") && is(sig.end - 2, b"\",")).then_some(())?;
        let seq_end = sig.start.checked_sub(1)?;
        is(seq_end, b",").then_some(())?;
        let seq_name = (seq_end - digits_before(seq_end)?).checked_sub(6)?;
        is(seq_name, b"\"seq\":").then_some(())?;
        let prev = seq_name.checked_sub(8 + 64 + 2)?;
        (is(prev, b"\"prev\":\"") && is(seq_name - 2, b"\",")).then_some(())?;
        let id_end = prev.checked_sub(2)?;
        is(id_end, b"\",").then_some(())?;
        let ledger = memchr::memrchr(b'"', line.get(..id_end)?)?.checked_sub(9)?;
        is(ledger, b"\"ledger\":\"").then_some(())?;
        let hash = ledger.checked_sub(8 + 64 + 2)?..ledger;
        (is(hash.start, b"\"hash\":\"") && is(ledger - 2, b"\",")).then_some(())?;
        let stated = line.get(hash.start + 8..hash.start + 8 + 64)?;
        let stated = crate::hex::decode::<32>(core::str::from_utf8(stated).ok()?)?;
        Some((hash, sig, stated))
    };
    located().is_some_and(|(hash, sig, stated)| hash_signed_line(line, &hash, &sig).0 == stated)
}

/// The `hash` a line states, if the line hashes to it.
pub(crate) fn stated_hash(line: &[u8], parts: &ChainParts<'_>) -> Option<[u8; 32]> {
    let hash = crate::hex::decode::<32>(core::str::from_utf8(parts.hash).ok()?)?;
    (hash_signed_line(line, &parts.hash_member, &parts.sig_member).0 == hash).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::{chain_parts, hash_holds, stated_hash};
    use crate::demo::{DemoConfig, generate};
    use crate::entry::{Body, compute_hash};
    use crate::model::Text;

    /// The members the search finds are the ones reading finds, even in a
    /// note made of what the search looks for.
    #[test]
    fn the_hash_is_found_by_searching_as_by_reading() {
        let demo = generate(&DemoConfig {
            residents: 5,
            entries: 80,
            ..DemoConfig::default()
        });
        let ledger = &demo.ledger;
        for entry in ledger.entries() {
            let line = entry.to_line(ledger.id());
            assert!(hash_holds(line.as_bytes()), "{line}");
        }
        let Some(mut entry) = ledger
            .entries()
            .iter()
            .find(|e| matches!(e.body, Body::Earn { .. }))
            .cloned()
        else {
            panic!("the demo has an earn");
        };
        let tricky = "},\"hash\":\"00\",\"sig\":\"11\",}";
        if let Body::Earn { note, .. } = &mut entry.body {
            *note = Text::parse(tricky, 300, true).unwrap_or_else(|e| panic!("{e:?}"));
        }
        entry.hash = compute_hash(&entry, ledger.id(), &mut Vec::new());
        let line = entry.to_line(ledger.id());
        assert!(line.contains("\\\"hash\\\""), "{line}");
        assert!(hash_holds(line.as_bytes()));
        let read = chain_parts(line.as_bytes()).and_then(|p| stated_hash(line.as_bytes(), &p));
        assert_eq!(read, Some(entry.hash.0));
        // Any other hash stated does not hold.
        let stated = entry.hash.to_hex();
        let other = line.replacen(&stated, &"0".repeat(64), 1);
        assert!(!hash_holds(other.as_bytes()));
        let cut = line.replacen(&stated, &stated[..63], 1);
        assert!(!hash_holds(cut.as_bytes()));
    }
}
