//! Cache-Control directives (RFC 9111 §5.2), read from every field line.
//!
//! ```text
//! Cache-Control   = #cache-directive
//! cache-directive = token [ "=" ( token / quoted-string ) ]
//! ```
//! Directive names are case-insensitive. Qualified forms (`no-cache="f"`,
//! `private="f"`) are treated as their unqualified forms: the conservative
//! reading for a cache that only needs Location.

use http::header::CACHE_CONTROL;
use http::HeaderMap;

/// A delta-seconds argument (RFC 9111 §1.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Delta {
    /// Not present.
    #[default]
    Absent,
    /// A valid value, capped at 2^31 (§1.2.2: "the cache MUST consider the
    /// value to be 2147483648").
    Seconds(u64),
    /// Malformed, or present more than once with different values: the
    /// response is treated as stale (§4.2.1: "either the first occurrence
    /// should be used or the response should be considered stale").
    Invalid,
}

impl Delta {
    /// The number of seconds, with an invalid value read as 0 (stale).
    pub fn seconds(self) -> Option<u64> {
        match self {
            Delta::Absent => None,
            Delta::Seconds(s) => Some(s),
            Delta::Invalid => Some(0),
        }
    }

    fn set(&mut self, value: Option<&[u8]>) {
        let parsed = value
            .filter(|v| !v.is_empty() && v.iter().all(u8::is_ascii_digit))
            .map(|v| {
                v.iter()
                    .copied()
                    .try_fold(0u64, |acc, d| {
                        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                    })
                    .map_or(MAX_DELTA, |n| n.min(MAX_DELTA))
            });
        *self = match (*self, parsed) {
            (_, None) => Delta::Invalid,
            (Delta::Absent, Some(n)) => Delta::Seconds(n),
            (Delta::Seconds(old), Some(n)) if old == n => Delta::Seconds(n),
            _ => Delta::Invalid,
        };
    }
}

/// RFC 9111 §1.2.2: 2^31.
pub const MAX_DELTA: u64 = 1 << 31;

/// The directives that matter to remembering a redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CacheControl {
    /// `no-store` (§5.2.1.5, §5.2.2.5).
    pub no_store: bool,
    /// `no-cache` (§5.2.1.4, §5.2.2.4).
    pub no_cache: bool,
    /// `private` (§5.2.2.7).
    pub private: bool,
    /// `public` (§5.2.2.9).
    pub public: bool,
    /// `must-revalidate` (§5.2.2.2).
    pub must_revalidate: bool,
    /// `max-age` (§5.2.1.1, §5.2.2.1).
    pub max_age: Delta,
    /// `s-maxage` (§5.2.2.10).
    pub s_maxage: Delta,
}

/// Reads every Cache-Control line of `headers`. Bytes outside visible ASCII
/// match no directive name and no number; nothing here can fail.
pub fn cache_control(headers: &HeaderMap) -> CacheControl {
    CacheControl::from_lines(headers.get_all(CACHE_CONTROL).iter().map(|v| v.as_bytes()))
}

impl CacheControl {
    /// Reads Cache-Control field lines given as raw field values: the one
    /// parser behind [`cache_control`] and the response checker's caching
    /// rules. Commas inside a quoted string (`no-cache="a, b"`) do not split
    /// the list; optional whitespace is SP and HTAB only (RFC 9110 §5.6.3).
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> CacheControl {
        let mut cc = CacheControl::default();
        for line in lines {
            for item in split_list(line) {
                let (name, value) = match item.iter().position(|&b| b == b'=') {
                    Some(p) => (
                        ows_trim(&item[..p]),
                        Some(unquote(ows_trim(&item[p + 1..]))),
                    ),
                    None => (ows_trim(item), None),
                };
                cc.set(name, value);
            }
        }
        cc
    }

    fn set(&mut self, name: &[u8], value: Option<&[u8]>) {
        let is = |known: &str| name.eq_ignore_ascii_case(known.as_bytes());
        if is("no-store") {
            self.no_store = true;
        } else if is("no-cache") {
            self.no_cache = true;
        } else if is("private") {
            self.private = true;
        } else if is("public") {
            self.public = true;
        } else if is("must-revalidate") {
            self.must_revalidate = true;
        } else if is("max-age") {
            self.max_age.set(value);
        } else if is("s-maxage") {
            self.s_maxage.set(value);
        }
    }
}

/// Splits a `#rule` list on commas outside quoted strings (RFC 9110 §5.6.1,
/// §5.6.4: a quoted-pair `\"` does not end the string); empty elements are
/// skipped.
fn split_list(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    let mut cuts = Vec::new();
    for (i, &c) in text.iter().enumerate() {
        match c {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                cuts.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    cuts.push((start, text.len()));
    cuts.into_iter()
        .map(move |(a, b)| &text[a..b])
        .filter(|s| !ows_trim(s).is_empty())
}

/// Strips optional whitespace (SP, HTAB) from both ends.
fn ows_trim(b: &[u8]) -> &[u8] {
    crate::model::trim_field_value(b).0
}

fn unquote(v: &[u8]) -> &[u8] {
    v.strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn cc(lines: &[&str]) -> CacheControl {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(CACHE_CONTROL, HeaderValue::from_str(l).unwrap());
        }
        cache_control(&h)
    }

    #[test]
    fn directives_across_lines_and_case() {
        let c = cc(&[
            "Public, MAX-AGE=60",
            "s-maxage=\"30\", no-cache=\"Set-Cookie, X\"",
        ]);
        assert!(c.public && c.no_cache && !c.no_store);
        assert_eq!(c.max_age, Delta::Seconds(60));
        assert_eq!(c.s_maxage, Delta::Seconds(30));
    }

    #[test]
    fn bad_and_conflicting_values_are_stale() {
        assert_eq!(cc(&["max-age=abc"]).max_age, Delta::Invalid);
        assert_eq!(cc(&["max-age="]).max_age, Delta::Invalid);
        assert_eq!(cc(&["max-age"]).max_age, Delta::Invalid);
        assert_eq!(cc(&["max-age=5, max-age=6"]).max_age, Delta::Invalid);
        assert_eq!(cc(&["max-age=5", "max-age=5"]).max_age, Delta::Seconds(5));
        assert_eq!(
            cc(&["max-age=99999999999999999999999"]).max_age,
            Delta::Seconds(MAX_DELTA)
        );
        assert_eq!(Delta::Invalid.seconds(), Some(0));
    }

    /// RFC 9110 §5.6.4: commas and escaped quotes inside a quoted string
    /// belong to it.
    #[test]
    fn quoted_strings_keep_their_commas() {
        let c = cc(&["no-cache=\"a,b\", private=\"x, y\", max-age=7"]);
        assert!(c.no_cache && c.private && !c.public);
        assert_eq!(c.max_age, Delta::Seconds(7));
        let c = cc(&["private=\"x, max-age=0, no-store\", public"]);
        assert!(c.private && c.public && !c.no_store);
        assert_eq!(c.max_age, Delta::Absent);
        let c = cc(&["no-cache=\"a\\\", no-store\", max-age=1"]);
        assert!(c.no_cache && !c.no_store);
        assert_eq!(c.max_age, Delta::Seconds(1));
    }

    /// Optional whitespace is SP and HTAB (RFC 9110 §5.6.3), nothing else;
    /// the raw-bytes entry reads what `HeaderMap` cannot hold.
    #[test]
    fn raw_lines_and_whitespace() {
        let c = CacheControl::from_lines([&b"\tmax-age=5 \t, No-Store"[..]]);
        assert!(c.no_store);
        assert_eq!(c.max_age, Delta::Seconds(5));
        let c = CacheControl::from_lines([&b"max-age=5\xc2\xa0"[..], b"\xffpublic"]);
        assert_eq!(c.max_age, Delta::Invalid);
        assert!(!c.public);
        assert_eq!(
            CacheControl::from_lines([&b",, ,"[..]]),
            CacheControl::default()
        );
    }
}
