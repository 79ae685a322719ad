//! The snapshot's binary form: fixed-width little-endian numbers and
//! length-prefixed text, written by [`Writer`] and read back by [`Reader`],
//! whose every read is checked (no read allocates more than its input).

use core::str::FromStr;

use crate::limits;
use crate::model::{Points, Text};

/// Appends fixed-width little-endian numbers and length-prefixed text.
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    pub(crate) fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    pub(crate) fn i64(&mut self, value: i64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    /// A count of what follows.
    pub(crate) fn len(&mut self, count: usize) {
        self.u32(u32::try_from(count).unwrap_or(u32::MAX));
    }

    pub(crate) fn str(&mut self, text: &str) {
        self.len(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    pub(crate) fn points(&mut self, points: Points) {
        let (mantissa, scale) = points.to_parts();
        self.0.extend_from_slice(&mantissa.to_le_bytes());
        self.u8(u8::try_from(scale).unwrap_or(u8::MAX));
    }
}

/// Reads what a [`Writer`] wrote; every read is checked.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.array()?))
    }

    pub(crate) fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// A count of items that take at least `min_size` bytes each: never
    /// more than the bytes left could hold, so no read allocates more than
    /// the input's size.
    pub(crate) fn count(&mut self, min_size: usize) -> Option<usize> {
        let count = usize::try_from(self.u32()?).ok()?;
        (count.checked_mul(min_size.max(1))? <= self.0.len()).then_some(count)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let len = self.count(1)?;
        core::str::from_utf8(self.take(len)?).ok()
    }

    /// An identifier of any of the ledger's id types, checked as on the wire.
    pub(crate) fn id<T: FromStr>(&mut self) -> Option<T> {
        self.str()?.parse().ok()
    }

    pub(crate) fn text(&mut self) -> Option<Text> {
        Text::parse(self.str()?, limits::MAX_TEXT_BYTES, true).ok()
    }

    pub(crate) fn points(&mut self) -> Option<Points> {
        let mantissa = i128::from_le_bytes(self.array()?);
        Points::from_parts(mantissa, u32::from(self.u8()?))
    }
}
