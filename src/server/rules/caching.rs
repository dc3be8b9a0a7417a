//! Caching of redirects: a temporary redirect kept for a heuristic time, a
//! permanent one that forbids what "permanent" means.
//!
//! RFC 9110 §15.1: 301 and 308 are heuristically cacheable; for the rest,
//! "all other status codes are not heuristically cacheable", so a 302 or 307
//! is reused only with explicit freshness. But RFC 9111 §5.2.2.9: "If a
//! response with the public directive has no explicit freshness
//! information, it is heuristically cacheable (Section 4.2.2)"; and RFC 9111
//! §4.2.2: "A cache MUST NOT use heuristics to determine freshness when an
//! explicit expiration time is present in the stored response."

use std::time::SystemTime;

use crate::memory::{CacheControl, Delta};
use crate::server::finding::{Finding, Rule};
use crate::server::view::View;

/// What the Cache-Control, Expires and Date fields say.
#[derive(Debug, Default)]
struct Caching<'v> {
    /// Read by the redirect cache's parser ([`CacheControl::from_lines`]).
    cc: CacheControl,
    expires: Option<&'v [u8]>,
    date: Option<&'v [u8]>,
    last_modified: bool,
}

impl<'v> Caching<'v> {
    fn read(view: &View<'v>) -> Self {
        Caching {
            // RFC 9111 §5.2: "Cache-Control = #cache-directive",
            // "cache-directive = token [ "=" ( token / quoted-string ) ]",
            // directive names are case-insensitive.
            cc: CacheControl::from_lines(view.all("cache-control").map(|f| f.value)),
            expires: view.first("expires").map(|f| f.value),
            date: view.first("date").map(|f| f.value),
            last_modified: view.first("last-modified").is_some(),
        }
    }

    fn explicit_freshness(&self) -> bool {
        self.cc.max_age != Delta::Absent
            || self.cc.s_maxage != Delta::Absent
            || self.expires.is_some()
    }

    /// Whether Expires says "already expired": an invalid date (RFC 9111
    /// §5.3: "A cache recipient MUST interpret invalid date formats,
    /// especially the value "0", as representing a time in the past"), or a
    /// date not after Date.
    fn expires_in_past(&self) -> Option<&'static str> {
        let expires = self.expires?;
        let Some(e) = http_date(expires) else {
            return Some("an invalid Expires date, which caches read as already expired");
        };
        let d = http_date(self.date?)?;
        (e <= d).then_some("Expires not later than Date: already expired when sent")
    }
}

fn http_date(value: &[u8]) -> Option<SystemTime> {
    httpdate::parse_http_date(std::str::from_utf8(value).ok()?).ok()
}

/// The caching rules' findings: they read the response alone, so they are
/// worked out once per response, however many requests it answers.
pub(crate) fn check(view: &View<'_>, report: &mut Vec<Finding>) {
    match view.status.as_u16() {
        code @ (302 | 307) => temporary(code, &Caching::read(view), report),
        code @ (301 | 308) => permanent(code, &Caching::read(view), view, report),
        _ => {}
    }
}

fn temporary(code: u16, c: &Caching<'_>, report: &mut Vec<Finding>) {
    if c.explicit_freshness() || c.cc.no_store {
        return;
    }
    let section = if code == 302 {
        "RFC 9111 §5.2.2.9, §4.2.2; RFC 9110 §15.4.3"
    } else {
        "RFC 9111 §5.2.2.9, §4.2.2; RFC 9110 §15.4.8"
    };
    if c.cc.public {
        report.push(
            Finding::args(
                Rule::TemporaryRedirectHeuristicCaching,
                format_args!(
                    "{code} marked public without max-age, s-maxage or Expires: caches may keep this temporary redirect for a heuristic time; give it an explicit lifetime"
                ),
            )
            .in_section(section),
        );
    } else if c.last_modified {
        report.push(
            Finding::args(
                Rule::TemporaryRedirectHeuristicCaching,
                format_args!(
                    "{code} with Last-Modified but no explicit lifetime: a {code} is not heuristically cacheable (RFC 9110 §15.1), so only max-age or Expires can make it reusable"
                ),
            )
            .in_section(section),
        );
    }
}

fn permanent(code: u16, c: &Caching<'_>, view: &View<'_>, report: &mut Vec<Finding>) {
    let section = if code == 301 {
        "RFC 9111 §4.2.2; RFC 9110 §15.4.2"
    } else {
        "RFC 9111 §4.2.2; RFC 9110 §15.4.9"
    };
    let cc = &c.cc;
    let zero = |v: Delta| v == Delta::Seconds(0);
    let invalid = |v: Delta| v == Delta::Invalid;
    let absent = |v: Delta| v == Delta::Absent;
    let why = if cc.no_store {
        Some("Cache-Control: no-store")
    } else if invalid(cc.max_age) || invalid(cc.s_maxage) {
        // RFC 9111 §4.2.1: "Caches are encouraged to consider responses that
        // have invalid freshness information (e.g., a max-age directive with
        // non-integer content) to be stale."
        Some("an invalid max-age, which caches are encouraged to treat as stale,")
    } else if zero(cc.max_age) || (absent(cc.max_age) && zero(cc.s_maxage)) {
        Some("a zero max-age")
    } else if absent(cc.max_age) && absent(cc.s_maxage) {
        // RFC 9111 §5.3: max-age overrides Expires.
        c.expires_in_past()
    } else {
        None
    };
    if let Some(why) = why {
        let evidence = view
            .first("cache-control")
            .filter(|_| cc.no_store || !absent(cc.max_age) || !absent(cc.s_maxage))
            .or_else(|| view.first("expires"));
        let mut f = Finding::args(
            Rule::PermanentRedirectNotCacheable,
            format_args!(
                "{code} is permanent and heuristically cacheable, but {why} makes every client ask again; send 302/307 if it may change"
            ),
        )
        .in_section(section);
        if let Some(e) = evidence {
            f = f.with_evidence(e.offset, e.value);
        }
        report.push(f);
    }
}
