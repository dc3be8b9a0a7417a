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

    fn set(&mut self, value: Option<&str>) {
        let parsed = value
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .map(|v| {
                v.bytes()
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

/// Reads every Cache-Control line of `headers`. Bytes that are not visible
/// ASCII end the directive they are in; nothing here can fail.
pub fn cache_control(headers: &HeaderMap) -> CacheControl {
    let mut cc = CacheControl::default();
    for line in headers.get_all(CACHE_CONTROL) {
        let text = String::from_utf8_lossy(line.as_bytes());
        for item in split_list(&text) {
            let (name, value) = match item.split_once('=') {
                Some((n, v)) => (n.trim(), Some(unquote(v.trim()))),
                None => (item.trim(), None),
            };
            match name.to_ascii_lowercase().as_str() {
                "no-store" => cc.no_store = true,
                "no-cache" => cc.no_cache = true,
                "private" => cc.private = true,
                "public" => cc.public = true,
                "must-revalidate" => cc.must_revalidate = true,
                "max-age" => cc.max_age.set(value),
                "s-maxage" => cc.s_maxage.set(value),
                _ => {}
            }
        }
    }
    cc
}

/// Splits a `#rule` list on commas outside quoted strings (RFC 9110 §5.6.1).
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    let mut cuts = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                cuts.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    cuts.push((start, text.len()));
    cuts.into_iter()
        .map(move |(a, b)| &text[a..b])
        .filter(|s| !s.trim().is_empty())
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
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
}
