//! A scan position that moves past ASCII bytes only, so that a value it has
//! taken whole is text without a second check: the crate's one `unsafe`
//! block ([`AsciiCursor::into_str`]) and its whole proof, in one small type.
//!
//! Every method that moves the position moves it past bytes it has seen to
//! be ASCII: a given ASCII byte, an ASCII letter or digit, a byte with a
//! class in `chars::CLASS` (only bytes below 0x80 have one, which
//! `chars.rs` asserts at compile time), or an escape `%` HEXDIG HEXDIG. The
//! position is private to this module, so no other code can move it.
//! [`class_run`], the run of a class that [`AsciiCursor::eat_run`] takes,
//! is here for the same reason; the general parser (`model/uri.rs`) reads
//! its components with it too.

use super::chars::{is, CLASS, HEX};

/// A position in a value; every byte before it is ASCII.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AsciiCursor<'a> {
    v: &'a [u8],
    /// The invariant: `v[..i]` is ASCII.
    i: usize,
}

impl<'a> AsciiCursor<'a> {
    /// At the start of `v` (nothing taken: the invariant holds).
    #[inline(always)]
    pub(crate) fn new(v: &'a [u8]) -> Self {
        AsciiCursor { v, i: 0 }
    }

    /// The position: how many bytes are taken.
    #[inline(always)]
    pub(crate) fn pos(&self) -> usize {
        self.i
    }

    /// The next byte, if any (not taken).
    #[inline(always)]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.v.get(self.i).copied()
    }

    /// Whether the next bytes are `two` (not taken).
    #[inline(always)]
    pub(crate) fn looking_at(&self, two: &[u8; 2]) -> bool {
        self.v.get(self.i..self.i + 2) == Some(two)
    }

    /// Moves past the next byte when it is `b`, which must be ASCII (a
    /// constant at every call: the check folds away).
    #[inline(always)]
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        assert!(b.is_ascii(), "a cursor takes ASCII bytes only");
        if self.v.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Moves past the next byte when it is an ASCII letter.
    #[inline(always)]
    pub(crate) fn eat_alpha(&mut self) -> bool {
        if self.v.get(self.i).is_some_and(u8::is_ascii_alphabetic) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Moves past ASCII digits.
    #[inline(always)]
    pub(crate) fn eat_digits(&mut self) {
        while self.v.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    /// Moves past bytes whose class has `flag` (so ASCII).
    #[inline(always)]
    pub(crate) fn eat_class(&mut self, flag: u8) {
        while self.v.get(self.i).is_some_and(|&b| is(b, flag)) {
            self.i += 1;
        }
    }

    /// Moves past bytes whose class has `flag` and escapes (`%` HEXDIG
    /// HEXDIG); answers the OR of the classes of the bytes taken outside
    /// escapes, or `None` at a `%` that does not start an escape (the
    /// position is then unspecified).
    #[inline(always)]
    pub(crate) fn eat_run(&mut self, flag: u8) -> Option<u8> {
        match class_run(self.v, self.i, flag) {
            // (`class_run` passes ASCII bytes only.)
            Ok((i, any)) => {
                self.i = i;
                Some(any)
            }
            Err(i) => {
                self.i = i;
                None
            }
        }
    }

    /// The whole value as text, when the cursor has taken all of it.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(crate) fn into_str(self) -> Option<&'a str> {
        if self.i != self.v.len() {
            return None;
        }
        debug_assert!(self.v.is_ascii(), "a cursor took a byte that is not ASCII");
        // SAFETY: the cursor has taken all of `v`, and every byte it takes
        // is ASCII (this type's invariant, kept by each method above); ASCII
        // is valid UTF-8. `str::from_utf8` would only check it again: about
        // 90 of the 1,115 instructions an RFC 9110 decision took with it
        // (callgrind), about 12 % of its time in the `decide` benchmark.
        Some(unsafe { std::str::from_utf8_unchecked(self.v) })
    }
}

/// How far bytes whose class has `flag` and escapes (`%` HEXDIG HEXDIG)
/// run in `v` from `i`: `Ok` with where the first other byte is (the end
/// of `v` if none) and the OR of the classes of the bytes taken outside
/// escapes, or `Err` with where a `%` that starts no escape is. Every byte
/// it passes is ASCII (a byte with a class, or an escape's three), which
/// [`AsciiCursor::eat_run`] rests on; the general parser (`model/uri.rs`)
/// reads its components with it too.
#[inline(always)]
pub(crate) fn class_run(v: &[u8], mut i: usize, flag: u8) -> Result<(usize, u8), usize> {
    let mut any = 0;
    loop {
        // Eight bytes at a time while all eight are in the class (one AND
        // of their classes, one branch), then byte by byte.
        while let Some(eight) = v.get(i..).and_then(|r| r.first_chunk::<8>()) {
            let (all, or) = eight.iter().fold((flag, 0), |(all, or), &b| {
                let c = CLASS[b as usize];
                (all & c, or | c)
            });
            if all == 0 {
                break;
            }
            any |= or;
            i += 8;
        }
        while let Some(&b) = v.get(i) {
            let c = CLASS[b as usize];
            if c & flag == 0 {
                break;
            }
            any |= c;
            i += 1;
        }
        // `%` HEXDIG HEXDIG: three ASCII bytes.
        if v.get(i) == Some(&b'%') {
            if !(i + 2 < v.len() && is(v[i + 1], HEX) && is(v[i + 2], HEX)) {
                return Err(i);
            }
            i += 3;
        } else {
            return Ok((i, any));
        }
    }
}

/// Where the first byte of `bytes` whose entry in `table` is `HIT` is.
/// Eight bytes at a time first: an array (unrolled, no loop condition per
/// byte) whose entries are ORed (ANDed, for a miss) as bytes, then one branch; then byte by byte
/// from the eight that hold one (or in the last few). Under a fuzz build's
/// comparison hooks a check that steers no mutation then costs one hook per
/// eight bytes, not two or three per byte (a `bool` read from the table, or
/// a loop condition, is compared per byte). The one such scan for the
/// field-byte check, the machine's invariant check and the fuzz targets'
/// byte checks.
#[inline(always)]
pub(crate) fn first_where<const HIT: bool>(table: &[bool; 256], bytes: &[u8]) -> Option<usize> {
    // An OR of the entries for a hit, an AND for a miss: a constant
    // polarity and no per-byte arithmetic on the entries, which the
    // compiler could turn into a comparison (and a hook) per byte.
    let in_eight = |eight: &[u8; 8]| {
        if HIT {
            eight
                .iter()
                .fold(0u8, |any, &b| any | u8::from(table[usize::from(b)]))
                != 0
        } else {
            eight
                .iter()
                .fold(1u8, |all, &b| all & u8::from(table[usize::from(b)]))
                == 0
        }
    };
    let (eights, _) = bytes.as_chunks::<8>();
    let from = eights
        .iter()
        .position(in_eight)
        .map_or(eights.len() * 8, |i| i * 8);
    bytes[from..]
        .iter()
        .position(|&b| {
            if HIT {
                table[usize::from(b)]
            } else {
                !table[usize::from(b)]
            }
        })
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::chars::{PATH, REG_NAME};

    /// `first_where` finds the first hit at every offset, in and after the
    /// eight-byte chunks, for either polarity, and none in clean bytes.
    #[test]
    fn first_where_finds_the_first_hit_at_every_offset() {
        let mut table = [false; 256];
        for b in [0, b'\r', b' ', 0x7f, 0xff] {
            table[usize::from(b)] = true;
        }
        let inverse = table.map(|t| !t);
        for len in 0..27 {
            let clean = vec![b'a'; len];
            assert_eq!(first_where::<true>(&table, &clean), None);
            assert_eq!(first_where::<false>(&inverse, &clean), None);
            for at in 0..len {
                for bad in [0, b'\r', b' ', 0x7f, 0xff] {
                    let mut v = clean.clone();
                    v[at] = bad;
                    // A later hit does not hide this one.
                    if at + 1 < len {
                        v[len - 1] = 0xff;
                    }
                    assert_eq!(first_where::<true>(&table, &v), Some(at), "{v:?}");
                    assert_eq!(first_where::<false>(&inverse, &v), Some(at), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn takes_ascii_only() {
        for v in [&b"caf\xc3\xa9"[..], b"\x80", b"a\xff", b"%e9\xe9"] {
            let mut c = AsciiCursor::new(v);
            c.eat_alpha();
            c.eat_digits();
            c.eat_class(REG_NAME);
            let _ = c.eat_run(PATH);
            assert!(c.peek().is_some_and(|b| b >= 0x80), "{v:?}");
            assert!(c.into_str().is_none(), "{v:?}");
        }
        let mut c = AsciiCursor::new(b"a1/%41b");
        assert!(c.eat_alpha());
        c.eat_digits();
        assert_eq!(
            c.eat_run(PATH),
            Some(CLASS[b'/' as usize] | CLASS[b'b' as usize])
        );
        assert_eq!(c.into_str(), Some("a1/%41b"));
    }
}
