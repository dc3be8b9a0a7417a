//! Byte-string tests eight bytes at a time, for the loop-detection lookup:
//! ASCII case-insensitive equality, whether a `%` occurs, and where two
//! texts first differ.
//!
//! Each answers exactly what its byte-at-a-time counterpart answers (the
//! tests below compare them on every byte value and on random strings).
//! Words are eight-byte chunks read with `from_ne_bytes`/`from_le_bytes`;
//! the per-byte arithmetic never carries from one byte into the next.

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// The high bit of every byte of a word.
const HIGH: u64 = ONES << 7;
/// `%` in every byte of a word.
const PERCENTS: u64 = u64::from_ne_bytes([b'%'; 8]);

/// The high bit of each byte of `x` that is not zero: the low seven bits
/// plus `0x7f` reach the high bit exactly when they are not all zero, and
/// stay below `0x100`.
#[inline(always)]
fn nonzero_bytes(x: u64) -> u64 {
    (((x & !HIGH) + !HIGH) | x) & HIGH
}

/// A word with its ASCII upper-case letters lowered, every other byte as
/// it is (as [`u8::to_ascii_lowercase`] on each byte).
#[inline(always)]
fn lower(x: u64) -> u64 {
    let seven = x & !HIGH;
    // The high bit of each byte: whether its low seven bits are >= b'A'
    // (resp. > b'Z'); each sum stays below 0x100.
    let from_a = seven + ONES * u64::from(0x80 - b'A');
    let past_z = seven + ONES * u64::from(0x80 - b'Z' - 1);
    // An upper-case letter: from `A`, not past `Z`, and ASCII.
    let upper = from_a & !past_z & !x & HIGH;
    // 0x80 >> 2 is 0x20, the case bit.
    x | (upper >> 2)
}

/// Whether two words are equal folding ASCII case; equal words first.
#[inline(always)]
fn word_fold_eq(x: u64, y: u64) -> bool {
    x == y || lower(x) == lower(y)
}

/// The bytes of a slice shorter than eight as two words that together
/// hold every byte (overlapping, zero-padded); slices of the same length
/// have each byte at the same places.
#[inline(always)]
fn short_words(s: &[u8]) -> (u64, u64) {
    let half = |w: &[u8; 4]| u64::from(u32::from_ne_bytes(*w));
    if let (Some(first), Some(last)) = (s.first_chunk::<4>(), s.last_chunk::<4>()) {
        (half(first), half(last))
    } else {
        let byte = |i: usize| s.get(i).copied().map_or(0, u64::from);
        let n = s.len();
        (byte(0) | (byte(n / 2) << 8), byte(n.wrapping_sub(1)))
    }
}

/// ASCII case-insensitive equality, as `<[u8]>::eq_ignore_ascii_case`.
#[inline(always)]
pub(super) fn fold_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |w: &[u8; 8]| u64::from_ne_bytes(*w);
    if let (Some(a_last), Some(b_last)) = (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        // The whole words, and the last eight bytes (which overlap them
        // unless the length is a multiple of eight).
        let (a_words, _) = a.as_chunks::<8>();
        let (b_words, _) = b.as_chunks::<8>();
        word_fold_eq(word(a_last), word(b_last))
            && a_words
                .iter()
                .zip(b_words)
                .all(|(x, y)| word_fold_eq(word(x), word(y)))
    } else {
        let ((a0, a1), (b0, b1)) = (short_words(a), short_words(b));
        word_fold_eq(a0, b0) && word_fold_eq(a1, b1)
    }
}

/// Whether `s` has a `%`, as `s.contains(&b'%')`.
#[inline(never)]
pub(super) fn has_percent(s: &[u8]) -> bool {
    let percent = |w: &[u8; 8]| nonzero_bytes(u64::from_ne_bytes(*w) ^ PERCENTS) != HIGH;
    let (words, tail) = s.as_chunks::<8>();
    words.iter().any(percent)
        || match s.last_chunk::<8>() {
            Some(last) => percent(last),
            None => tail.contains(&b'%'),
        }
}

/// The first offset below the common length of `a` and `b` where they
/// differ or `a` has a `%`.
#[inline(always)]
pub(super) fn first_difference_or_escape(a: &[u8], b: &[u8]) -> Option<usize> {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    // The high bit of byte i (little-endian: bit 8i+7) is set when byte i
    // of `x` differs from that of `y` or is `%`.
    let stops = |x: &[u8; 8], y: &[u8; 8]| {
        let (x, y) = (u64::from_le_bytes(*x), u64::from_le_bytes(*y));
        nonzero_bytes(x ^ y) | (!nonzero_bytes(x ^ PERCENTS) & HIGH)
    };
    let first = |m: u64| (m.trailing_zeros() / 8) as usize;
    let (a_words, a_tail) = a.as_chunks::<8>();
    let (b_words, _) = b.as_chunks::<8>();
    for (i, (x, y)) in a_words.iter().zip(b_words).enumerate() {
        let m = stops(x, y);
        if m != 0 {
            return Some(i * 8 + first(m));
        }
    }
    if a_tail.is_empty() {
        return None;
    }
    // The last eight bytes, overlapping bytes already found equal and
    // without `%`; or, below eight bytes, one at a time.
    if let (Some(x), Some(y)) = (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        let m = stops(x, y);
        return (m != 0).then(|| n - 8 + first(m));
    }
    a.iter().zip(b).position(|(&x, &y)| x != y || x == b'%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bytes around every boundary the word arithmetic has.
    const EDGES: [u8; 12] = [
        0x00, 0x01, b'%', b'@', b'A', b'Z', b'[', b'`', b'a', 0x7f, 0x80, 0xff,
    ];

    #[test]
    fn lower_lowers_each_byte_as_to_ascii_lowercase() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for &other in &EDGES {
                    let mut w = [other; 8];
                    w[at] = b;
                    let want = w.map(|c| c.to_ascii_lowercase());
                    assert_eq!(lower(u64::from_ne_bytes(w)).to_ne_bytes(), want, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn nonzero_bytes_marks_each_byte() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for &other in &EDGES {
                    let mut w = [other; 8];
                    w[at] = b;
                    let want = w.map(|c| if c != 0 { 0x80 } else { 0 });
                    assert_eq!(nonzero_bytes(u64::from_ne_bytes(w)).to_ne_bytes(), want);
                }
            }
        }
    }

    fn text() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(EDGES.to_vec()),
                proptest::sample::select(b"aAzZ%./:0".to_vec()),
                any::<u8>(),
            ],
            0..40,
        )
    }

    /// `a` with the case of some letters flipped and maybe one byte changed.
    fn variant() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
        (text(), any::<u64>(), any::<Option<(usize, u8)>>()).prop_map(|(a, flips, change)| {
            let flip = |i: usize| (flips >> (i % 64)) & 1 == 1;
            let mut b: Vec<u8> = a
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    if c.is_ascii_alphabetic() && flip(i) {
                        c ^ 0x20
                    } else {
                        c
                    }
                })
                .collect();
            if let (Some((at, byte)), false) = (change, b.is_empty()) {
                let at = at % b.len();
                b[at] = byte;
            }
            (a, b)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fold_eq_is_eq_ignore_ascii_case((a, b) in variant(), c in text()) {
            prop_assert_eq!(fold_eq(&a, &b), a.eq_ignore_ascii_case(&b));
            prop_assert_eq!(fold_eq(&a, &c), a.eq_ignore_ascii_case(&c));
        }

        #[test]
        fn has_percent_is_contains(a in text()) {
            prop_assert_eq!(has_percent(&a), a.contains(&b'%'));
        }

        #[test]
        fn first_difference_or_escape_is_the_first(
            (a, b) in variant(),
            c in text(),
            cut in 0usize..40,
        ) {
            let naive = |a: &[u8], b: &[u8]| a.iter().zip(b).position(|(&x, &y)| x != y || x == b'%');
            prop_assert_eq!(first_difference_or_escape(&a, &b), naive(&a, &b));
            prop_assert_eq!(first_difference_or_escape(&a, &c), naive(&a, &c));
            let shorter = &b[..cut.min(b.len())];
            prop_assert_eq!(first_difference_or_escape(&a, shorter), naive(&a, shorter));
            prop_assert_eq!(first_difference_or_escape(shorter, &a), naive(shorter, &a));
        }
    }
}
