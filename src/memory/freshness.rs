//! Freshness lifetime (RFC 9111 §4.2.1), heuristic freshness (§4.2.2) and
//! age (§4.2.3), with time as an input: seconds since the Unix epoch.

use std::time::UNIX_EPOCH;

use http::header::{AGE, DATE, EXPIRES, LAST_MODIFIED};
use http::{HeaderMap, HeaderName};

use super::directives::{CacheControl, MAX_DELTA};

/// An HTTP-date (RFC 9110 §5.6.7, all three formats) as Unix seconds, or
/// `None` when the field is absent, repeated or invalid.
pub fn http_date(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let text = value.to_str().ok()?;
    let t = httpdate::parse_http_date(text.trim()).ok()?;
    t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// Where a freshness lifetime came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// `s-maxage`, `max-age` or `Expires` (§4.2.1).
    Explicit(u64),
    /// A heuristic (§4.2.2).
    Heuristic(u64),
    /// None may be given.
    None,
}

/// The knobs of heuristic freshness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heuristic {
    /// Percent of the time since Last-Modified (§4.2.2: "A typical setting of
    /// this fraction might be 10%").
    pub last_modified_percent: u64,
    /// Lifetime when there is no Last-Modified. RFC 9111 leaves it to the
    /// implementation.
    pub default_seconds: u64,
}

/// RFC 9110 §15.1: "Responses with status codes that are defined as
/// heuristically cacheable (e.g., 200, 203, 204, 206, 300, 301, 308, 404,
/// 405, 410, 414, and 501 in this specification)".
pub fn heuristically_cacheable(status: u16) -> bool {
    matches!(
        status,
        200 | 203 | 204 | 206 | 300 | 301 | 308 | 404 | 405 | 410 | 414 | 501
    )
}

/// The freshness lifetime of a response received at `response_time`.
pub fn lifetime(
    status: u16,
    headers: &HeaderMap,
    cc: &CacheControl,
    shared: bool,
    heuristic: Heuristic,
    response_time: u64,
) -> Lifetime {
    // §4.2.1: "If the cache is shared and the s-maxage response directive is
    // present, use its value, or"
    if shared {
        if let Some(s) = cc.s_maxage.seconds() {
            return Lifetime::Explicit(s);
        }
    }
    // "If the max-age response directive is present, use its value, or"
    if let Some(s) = cc.max_age.seconds() {
        return Lifetime::Explicit(s);
    }
    // "If the Expires response header field is present, use its value minus
    // the value of the Date response header field (using the time the message
    // was received if it is not present)". §5.3: "A cache recipient MUST
    // interpret invalid date formats, especially the value "0", as
    // representing a time in the past (i.e., "already expired")."
    if headers.contains_key(EXPIRES) {
        let date = http_date(headers, &DATE).unwrap_or(response_time);
        let expires = http_date(headers, &EXPIRES).unwrap_or(0);
        return Lifetime::Explicit(expires.saturating_sub(date).min(MAX_DELTA));
    }
    // §4.2.2: "Heuristic freshness is allowed for responses with status codes
    // defined as heuristically cacheable, or marked explicitly cacheable
    // (e.g., with a public response directive)".
    if !(heuristically_cacheable(status) || cc.public) {
        return Lifetime::None;
    }
    let date = http_date(headers, &DATE).unwrap_or(response_time);
    match http_date(headers, &LAST_MODIFIED) {
        Some(lm) if lm <= date => {
            Lifetime::Heuristic(((date - lm) / 100).saturating_mul(heuristic.last_modified_percent))
        }
        _ => Lifetime::Heuristic(heuristic.default_seconds),
    }
}

/// The age of a stored response at its reception (§4.2.3's
/// `corrected_initial_age`, with no request-to-response delay: the request
/// and response times are one event time).
pub fn initial_age(headers: &HeaderMap, response_time: u64) -> u64 {
    // "apparent_age = max(0, response_time - date_value);"
    let apparent = http_date(headers, &DATE).map_or(0, |d| response_time.saturating_sub(d));
    // "corrected_age_value = age_value + response_delay;"
    let age_value = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .map_or(0, |v| {
            v.parse::<u64>().map_or(MAX_DELTA, |n| n.min(MAX_DELTA))
        });
    // "corrected_initial_age = max(apparent_age, corrected_age_value);"
    apparent.max(age_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const T0: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    const DATE0: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (n, v) in pairs {
            m.append(*n, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    const H: Heuristic = Heuristic {
        last_modified_percent: 10,
        default_seconds: 3600,
    };

    fn life(status: u16, pairs: &[(&'static str, &str)], shared: bool) -> Lifetime {
        let m = h(pairs);
        let cc = super::super::directives::cache_control(&m);
        lifetime(status, &m, &cc, shared, H, T0)
    }

    #[test]
    fn dates_parse_in_all_three_formats() {
        for d in [
            DATE0,
            "Thursday, 01-Jan-26 00:00:00 GMT",
            "Thu Jan  1 00:00:00 2026",
        ] {
            assert_eq!(http_date(&h(&[("date", d)]), &DATE), Some(T0), "{d}");
        }
        assert_eq!(http_date(&h(&[("date", "0")]), &DATE), None);
        assert_eq!(
            http_date(&h(&[("date", DATE0), ("date", DATE0)]), &DATE),
            None
        );
    }

    #[test]
    fn order_of_explicit_lifetimes() {
        let exp = "Thu, 01 Jan 2026 01:00:00 GMT";
        assert_eq!(
            life(
                302,
                &[
                    ("cache-control", "s-maxage=5, max-age=10"),
                    ("expires", exp)
                ],
                true
            ),
            Lifetime::Explicit(5)
        );
        assert_eq!(
            life(
                302,
                &[
                    ("cache-control", "s-maxage=5, max-age=10"),
                    ("expires", exp)
                ],
                false
            ),
            Lifetime::Explicit(10)
        );
        assert_eq!(
            life(302, &[("date", DATE0), ("expires", exp)], false),
            Lifetime::Explicit(3600)
        );
        assert_eq!(life(302, &[("expires", "0")], false), Lifetime::Explicit(0));
    }

    #[test]
    fn heuristics_only_where_allowed() {
        assert_eq!(life(302, &[], false), Lifetime::None);
        assert_eq!(life(307, &[], false), Lifetime::None);
        assert_eq!(life(301, &[], false), Lifetime::Heuristic(3600));
        assert_eq!(life(308, &[], false), Lifetime::Heuristic(3600));
        assert_eq!(
            life(302, &[("cache-control", "public")], false),
            Lifetime::Heuristic(3600)
        );
        // 10% of the 10 days since Last-Modified.
        assert_eq!(
            life(
                301,
                &[
                    ("date", DATE0),
                    ("last-modified", "Mon, 22 Dec 2025 00:00:00 GMT")
                ],
                false
            ),
            Lifetime::Heuristic(86_400)
        );
    }

    #[test]
    fn initial_age_takes_the_larger_of_date_and_age() {
        assert_eq!(initial_age(&h(&[("date", DATE0)]), T0 + 30), 30);
        assert_eq!(
            initial_age(&h(&[("date", DATE0), ("age", "100")]), T0 + 30),
            100
        );
        assert_eq!(initial_age(&h(&[("age", "x")]), T0), 0);
    }
}
