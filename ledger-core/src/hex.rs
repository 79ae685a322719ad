//! Lowercase hexadecimal, the only spelling the wire format accepts.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Encodes bytes as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    encode_into(bytes, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the lowercase hex of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len() * 2, 0);
    for (pair, byte) in out[start..].chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
}

/// Value of each ASCII byte as a lowercase hex digit, or 0xff.
const NIBBLES: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut index = 0;
    while index < 16 {
        table[DIGITS[index] as usize] = index as u8;
        index += 1;
    }
    table
};

/// Decodes exactly `N` bytes from lowercase hex; uppercase, odd lengths and
/// other characters are refused so that every value has one spelling.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    let mut invalid = 0u8;
    for (slot, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (NIBBLES[usize::from(pair[0])], NIBBLES[usize::from(pair[1])]);
        // 0xff marks a non-digit; its high bit survives the OR below.
        invalid |= high | low;
        *slot = (high << 4) | (low & 0x0f);
    }
    (invalid & 0x80 == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_refusals() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::encode(&bytes), "0001abff");
        assert_eq!(super::decode::<4>("0001abff"), Some(bytes));
        assert_eq!(super::decode::<4>("0001ABFF"), None);
        assert_eq!(super::decode::<4>("0001abf"), None);
        assert_eq!(super::decode::<4>("0001abfg"), None);
    }
}
