//! Eight bytes at a time in a `u64` ("SIMD within a register"): the scans
//! of a line that run for every line a replay reads (the fast reader, the
//! canonical writer, the chain's layout reader, hex).

/// `0x01` in every byte.
pub(crate) const ONES: u64 = u64::from_le_bytes([1; 8]);
/// `0x80` in every byte.
pub(crate) const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of `x` that is below
/// `n` (for `n <= 0x80`), or equal to it with [`equal`]. A borrow can only
/// mark bytes after one that is marked, so "any marked" is exact.
pub(crate) fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH
}

/// The high bit of each byte of `x` equal to `byte` (see [`below`]).
pub(crate) fn equal(x: u64, byte: u8) -> u64 {
    below(x ^ u64::from_le_bytes([byte; 8]), 1)
}

/// The index of the first `byte` in `bytes`, eight bytes at a time: for
/// the short strings of a line (ids, codes, hex), faster than `memchr`,
/// whose setup costs more than such a string's scan.
pub(crate) fn find_byte(byte: u8, bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let found = equal(u64::from_le_bytes(chunk.try_into().ok()?), byte);
        if found != 0 {
            // The lowest marked byte is always a real one (see `below`).
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|&b| b == byte).map(|at| offset + at)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_first_byte_eight_at_a_time() {
        // Every length up to 40, the byte at every place, with other
        // bytes (and a second one) around it.
        for length in 0..40usize {
            let base: Vec<u8> = (0..length).map(|i| b'a' + (i % 26) as u8).collect();
            assert_eq!(super::find_byte(b'"', &base), None);
            for at in 0..length {
                let mut text = base.clone();
                text[at] = b'"';
                if at + 3 < length {
                    text[at + 3] = b'"';
                }
                assert_eq!(super::find_byte(b'"', &text), Some(at), "{length} {at}");
                // Bytes one above and below never match.
                text[at] = b'#';
                let expected = (at + 3 < length).then_some(at + 3);
                assert_eq!(super::find_byte(b'"', &text), expected);
                text[at] = b'!';
                assert_eq!(super::find_byte(b'"', &text), expected);
            }
        }
        assert_eq!(super::find_byte(0x80, &[0x7f, 0xff, 0x80]), Some(2));
        assert_eq!(super::find_byte(0, &[1, 0, 0]), Some(1));
    }
}
