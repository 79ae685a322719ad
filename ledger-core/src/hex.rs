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
    // In WebAssembly with SIMD, sixteen digits at a time in one vector.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (digits, out_rest) = {
        let mut chunks = digits.chunks_exact(16);
        let mut slots = out.chunks_exact_mut(8);
        for (chunk, slot) in (&mut chunks).zip(&mut slots) {
            let word = simd::decode_sixteen(chunk.try_into().ok()?)?;
            slot.copy_from_slice(&word.to_le_bytes());
        }
        (chunks.remainder(), slots.into_remainder())
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let out_rest = &mut out[..];
    // Eight digits at a time (a line's hashes and signature are 320 of
    // them), then any left one pair at a time.
    let mut chunks = digits.chunks_exact(8);
    let mut slots = out_rest.chunks_exact_mut(4);
    for (chunk, slot) in (&mut chunks).zip(&mut slots) {
        let word = decode_eight(u64::from_le_bytes(chunk.try_into().ok()?))?;
        slot.copy_from_slice(&word.to_le_bytes());
    }
    decode_pairs(chunks.remainder(), slots.into_remainder())?;
    Some(out)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        u8x16_add, u8x16_all_true, u8x16_lt, u8x16_narrow_i16x8, u8x16_splat, u8x16_sub, u16x8_shl,
        u16x8_shr, u16x8_splat, u64x2, u64x2_extract_lane, v128_and, v128_bitselect, v128_or,
    };

    /// Sixteen lowercase hex digits as eight bytes (the first in the
    /// lowest byte), or `None` if any is not one: what `decode_eight`
    /// does for eight, in the lanes of one vector.
    pub(super) fn decode_sixteen(digits: &[u8; 16]) -> Option<u64> {
        let (low, high) = digits.split_at(8);
        let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or([0; 8]));
        let x = u64x2(word(low), word(high));
        // Below 10 after taking '0' away: a digit; below 6 after taking
        // 'a' away: a letter (the subtractions wrap, so anything else is
        // at least that).
        let digit = u8x16_sub(x, u8x16_splat(b'0'));
        let is_digit = u8x16_lt(digit, u8x16_splat(10));
        let letter = u8x16_sub(x, u8x16_splat(b'a'));
        let is_letter = u8x16_lt(letter, u8x16_splat(6));
        if !u8x16_all_true(v128_or(is_digit, is_letter)) {
            return None;
        }
        let nibbles = v128_bitselect(digit, u8x16_add(letter, u8x16_splat(10)), is_digit);
        // Each pair as a 16-bit lane, first digit low: (first << 4) | second.
        let pairs = v128_and(
            v128_or(u16x8_shl(nibbles, 4), u16x8_shr(nibbles, 8)),
            u16x8_splat(0x00ff),
        );
        Some(u64x2_extract_lane::<0>(u8x16_narrow_i16x8(pairs, pairs)))
    }
}

/// Eight lowercase hex digits (the first in the lowest byte) as four bytes,
/// the first in the lowest byte.
fn decode_eight(x: u64) -> Option<u32> {
    use crate::swar::{HIGH, ONES};
    // The high bit of each byte that is at least `c` (c <= 0x80), for
    // bytes below 0x80: setting the high bit first keeps every byte's
    // subtraction from borrowing from the next.
    let at_least = |c: u64| ((x | HIGH) - ONES * c) & HIGH;
    let digit = at_least(0x30) & !at_least(0x3a);
    let letter = at_least(0x61) & !at_least(0x67);
    if x & HIGH != 0 || digit | letter != HIGH {
        return None;
    }
    // '0'..'9' -> 0..9, 'a'..'f' -> 10..15 (no byte borrows: each is at
    // least what is taken from it).
    let nibbles = x - ONES * 0x30 - (letter >> 7) * 0x27;
    // Each even byte with the next one's nibble beside it; then the even
    // bytes packed together.
    let mut pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff_00ff_00ff_00ff;
    pairs = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
    pairs = (pairs | (pairs >> 16)) & 0x0000_0000_ffff_ffff;
    u32::try_from(pairs).ok()
}

/// Decodes pairs of digits into `out`, one byte per pair.
fn decode_pairs(digits: &[u8], out: &mut [u8]) -> Option<()> {
    let mut invalid = 0u8;
    for (slot, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (NIBBLES[usize::from(pair[0])], NIBBLES[usize::from(pair[1])]);
        // 0xff marks a non-digit; its high bit survives the OR below.
        invalid |= high | low;
        *slot = (high << 4) | (low & 0x0f);
    }
    (invalid & 0x80 == 0).then_some(())
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

    /// Eight digits at a time decode as one pair at a time does, and
    /// refuse what it refuses: every byte value at every position.
    #[test]
    fn eight_at_a_time_agrees_with_one_pair_at_a_time() {
        for base in [
            &b"0123456789abcdef09"[..],
            b"fedcba98765432100f",
            b"a0b1c2d3e4f5a6b7c8",
        ] {
            for at in 0..base.len() {
                for byte in 0..=u8::MAX {
                    let mut text = base.to_vec();
                    text[at] = byte;
                    let mut expected = [0u8; 9];
                    let one_by_one = super::decode_pairs(&text, &mut expected).map(|()| expected);
                    let eight = core::str::from_utf8(&text)
                        .ok()
                        .and_then(super::decode::<9>);
                    // Text that is not UTF-8 never reaches decode.
                    if core::str::from_utf8(&text).is_ok() {
                        assert_eq!(eight, one_by_one, "{byte:#x} at {at}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// Several odd bytes at once, near the edges of the digit ranges.
        #[test]
        fn eight_at_a_time_agrees_on_any_mix(
            text in proptest::collection::vec(
                proptest::sample::select(b"0189afgAF/:`@\x00\x7f ".to_vec()),
                16,
            )
        ) {
            let mut expected = [0u8; 8];
            let one_by_one = super::decode_pairs(&text, &mut expected).map(|()| expected);
            let eight = core::str::from_utf8(&text).ok().and_then(super::decode::<8>);
            proptest::prop_assert_eq!(eight, one_by_one);
        }
    }
}
