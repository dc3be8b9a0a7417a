//! RFC 3986's character classes (§2, §3) as bit flags in one table, read by
//! the general parser (`model/uri.rs`) and the one-pass scan
//! (`model/fast.rs`).
//!
//! One flag per set of bytes a component takes as they are (`pct-encoded`
//! aside), so that a byte is in a set when its class has the flag, and a run
//! of bytes is when the AND of their classes has it. Only ASCII bytes have a
//! class: every byte from 0x80 up has none (asserted at compile time below,
//! and by the test `bytes_from_0x80_have_no_class`).

/// `unreserved` / `sub-delims` (§3.2.2 `reg-name` less `pct-encoded`).
pub(crate) const REG_NAME: u8 = 1;
/// `pchar` less `pct-encoded`, and `/` (§3.3 path).
pub(crate) const PATH: u8 = 2;
/// `pchar` less `pct-encoded`, `/` and `?` (§3.4 query, §3.5 fragment).
pub(crate) const QUERY: u8 = 4;
/// ALPHA / DIGIT / "+" / "-" / "." (§3.1, after the first letter).
pub(crate) const SCHEME: u8 = 8;
/// HEXDIG (§2.1).
pub(crate) const HEX: u8 = 16;
/// `.` (noticed in a path: a dot segment needs one).
pub(crate) const DOT: u8 = 32;
/// `unreserved` / `sub-delims` / ":" (§3.2.1 `userinfo` less
/// `pct-encoded`; the tail of an `IPvFuture`, §3.2.2).
pub(crate) const USERINFO: u8 = 64;

const fn table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let alnum = c.is_ascii_alphanumeric();
        // §2.3
        let unreserved = alnum || matches!(c, b'-' | b'.' | b'_' | b'~');
        // §2.2
        let sub_delim = matches!(
            c,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        );
        // §3.3
        let pchar = unreserved || sub_delim || c == b':' || c == b'@';
        let mut f = 0;
        if unreserved || sub_delim {
            f |= REG_NAME;
        }
        if pchar || c == b'/' {
            f |= PATH;
        }
        if pchar || c == b'/' || c == b'?' {
            f |= QUERY;
        }
        if alnum || matches!(c, b'+' | b'-' | b'.') {
            f |= SCHEME;
        }
        if c.is_ascii_hexdigit() {
            f |= HEX;
        }
        if c == b'.' {
            f |= DOT;
        }
        if unreserved || sub_delim || c == b':' {
            f |= USERINFO;
        }
        t[i] = f;
        i += 1;
    }
    t
}

/// The class of every byte.
pub(crate) static CLASS: [u8; 256] = table();

// What `model/ascii.rs` rests on, at compile time: no byte from 0x80 up has
// a class.
const _: () = {
    let t = table();
    let mut i = 0x80;
    while i < 256 {
        assert!(t[i] == 0, "a byte from 0x80 up has a class");
        i += 1;
    }
};

/// Whether `b`'s class has `flag`.
#[inline(always)]
pub(crate) fn is(b: u8, flag: u8) -> bool {
    CLASS[b as usize] & flag != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `model/ascii.rs` rests on: no byte from 0x80 up is in a class.
    #[test]
    fn bytes_from_0x80_have_no_class() {
        for b in 0x80..=0xffu8 {
            assert_eq!(CLASS[usize::from(b)], 0, "{b:#x}");
        }
    }

    /// Each flag is the set RFC 3986 names, byte for byte.
    #[test]
    fn flags_are_the_rfc3986_sets() {
        let set = |s: &str| -> Vec<u8> {
            let mut v: Vec<u8> = s.bytes().collect();
            v.sort_unstable();
            v
        };
        let alnum: String = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let unreserved = format!("{alnum}-._~");
        let sub_delims = "!$&'()*+,;=";
        for (flag, want) in [
            (REG_NAME, set(&format!("{unreserved}{sub_delims}"))),
            (PATH, set(&format!("{unreserved}{sub_delims}:@/"))),
            (QUERY, set(&format!("{unreserved}{sub_delims}:@/?"))),
            (SCHEME, set(&format!("{alnum}+-."))),
            (HEX, set("0123456789abcdefABCDEF")),
            (DOT, set(".")),
            (USERINFO, set(&format!("{unreserved}{sub_delims}:"))),
        ] {
            let got: Vec<u8> = (0..=255u8).filter(|&b| is(b, flag)).collect();
            assert_eq!(got, want, "flag {flag}");
        }
    }
}
