//! RFC 8785 (JCS) canonical JSON for the values this format uses: objects,
//! strings, booleans and integers within ±2^53.
//!
//! Members are written in the order of their names' UTF-16 code units. Every
//! member name in the format is ASCII, where that order is byte order; the
//! writer still sorts by UTF-16 so that it stays right if a name ever is not.

/// One JSON value as the canonical writer sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Str(&'a str),
    Int(i64),
    Bool(bool),
    Object(&'a [(&'a str, Value<'a>)]),
    /// Bytes written as a lowercase hex string.
    Hex(&'a [u8]),
    /// Points, in their canonical spelling, as a string.
    Points(crate::model::Points),
}

/// Appends the canonical encoding of an object with these members.
pub(crate) fn write_object(out: &mut Vec<u8>, members: &[(&str, Value<'_>)]) {
    // Every object in the format has a handful of members: their order is
    // sorted on the stack, not in a new allocation per entry.
    let mut on_stack = [0usize; 16];
    let mut on_heap = Vec::new();
    let order: &mut [usize] = match on_stack.get_mut(..members.len()) {
        Some(order) => order,
        None => {
            on_heap.resize(members.len(), 0);
            &mut on_heap
        }
    };
    for (index, slot) in order.iter_mut().enumerate() {
        *slot = index;
    }
    order.sort_unstable_by(|&left, &right| {
        let (left, right) = (members[left].0, members[right].0);
        if left.is_ascii() && right.is_ascii() {
            // For ASCII, byte order is UTF-16 order.
            left.as_bytes().cmp(right.as_bytes())
        } else {
            left.encode_utf16().cmp(right.encode_utf16())
        }
    });
    out.push(b'{');
    for (position, &index) in order.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        let (name, value) = &members[index];
        write_string(out, name);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Str(text) => write_string(out, text),
        Value::Int(number) => {
            debug_assert!(number.unsigned_abs() < (1 << 53), "integer outside ±2^53");
            if *number < 0 {
                out.push(b'-');
            }
            write_unsigned(out, number.unsigned_abs());
        }
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Object(members) => write_object(out, members),
        Value::Hex(bytes) => {
            out.push(b'"');
            crate::hex::encode_into(bytes, out);
            out.push(b'"');
        }
        Value::Points(points) => {
            out.push(b'"');
            points.write_wire(out);
            out.push(b'"');
        }
    }
}

/// Appends the decimal digits of `value` (from a buffer on the stack, not
/// a new String).
pub(crate) fn write_unsigned(out: &mut Vec<u8>, value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Writes a string as ECMAScript's `JSON.stringify` does, which is what
/// RFC 8785 prescribes: `"` and `\` escaped, the five short control escapes,
/// other controls as `\u00xx` in lowercase, everything else as UTF-8.
pub(crate) fn write_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: Option<&[u8]> = match byte {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            0x08 => Some(b"\\b"),
            0x09 => Some(b"\\t"),
            0x0a => Some(b"\\n"),
            0x0c => Some(b"\\f"),
            0x0d => Some(b"\\r"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..index]);
        match escape {
            Some(sequence) => out.extend_from_slice(sequence),
            None => {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(DIGITS[usize::from(byte >> 4)]);
                out.push(DIGITS[usize::from(byte & 0x0f)]);
            }
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether a string has a byte JSON must escape: a control character, a
/// quote or a backslash.
fn needs_escape(bytes: &[u8]) -> bool {
    use crate::swar::{below, equal};
    let mut chunks = bytes.chunks_exact(8);
    let mut found = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        found |= below(x, 0x20) | equal(x, b'"') | equal(x, b'\\');
    }
    let rest = chunks.remainder();
    found != 0 || rest.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

#[cfg(test)]
mod tests {
    use super::{Value, write_object};

    #[test]
    fn finds_every_byte_that_needs_an_escape() {
        let base = "积分 Jifen 0123456789 abcdefg".as_bytes();
        assert!(!super::needs_escape(base));
        for at in 0..base.len() {
            for byte in 0..=u8::MAX {
                let mut text = base.to_vec();
                text[at] = byte;
                let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                assert_eq!(super::needs_escape(&text), expected, "{byte:#x} at {at}");
            }
        }
    }

    fn render(members: &[(&str, Value<'_>)]) -> String {
        let mut out = Vec::new();
        write_object(&mut out, members);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn sorts_members_and_escapes_like_json_stringify() {
        let inner = [("z", Value::Int(-3)), ("a", Value::Bool(false))];
        let text = render(&[
            ("type", Value::Str("q\"\\\u{1}\n积分\u{7f}")),
            ("b", Value::Object(&inner)),
            ("a", Value::Int(9_007_199_254_740_991)),
        ]);
        assert_eq!(
            text,
            r#"{"a":9007199254740991,"b":{"a":false,"z":-3},"type":"q\"\\\u0001\n积分"#.to_owned()
                + "\u{7f}\"}"
        );
    }

    #[test]
    fn sorts_by_utf16_code_units_not_bytes() {
        // U+1F600 is a surrogate pair (D83D DE00) in UTF-16, so it sorts
        // before U+FF61, although its UTF-8 bytes sort after.
        let text = render(&[("\u{ff61}", Value::Int(2)), ("\u{1f600}", Value::Int(1))]);
        assert_eq!(text, "{\"\u{1f600}\":1,\"\u{ff61}\":2}");
    }
}
