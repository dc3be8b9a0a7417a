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

use crate::server::finding::{Finding, Rule};
use crate::server::report::Report;
use crate::server::view::View;

/// What the Cache-Control, Expires and Date fields say.
#[derive(Debug, Default)]
struct Caching<'v> {
    public: bool,
    no_store: bool,
    max_age: Option<Option<u64>>,
    s_maxage: Option<Option<u64>>,
    expires: Option<&'v [u8]>,
    date: Option<&'v [u8]>,
    last_modified: bool,
}

impl<'v> Caching<'v> {
    fn read(view: &View<'v>) -> Self {
        let mut c = Caching {
            expires: view.first("expires").map(|f| f.value),
            date: view.first("date").map(|f| f.value),
            last_modified: view.first("last-modified").is_some(),
            ..Caching::default()
        };
        // RFC 9111 §5.2: "Cache-Control = #cache-directive",
        // "cache-directive = token [ "=" ( token / quoted-string ) ]",
        // directive names are case-insensitive.
        for f in view.all("cache-control") {
            for directive in f.value.split(|&b| b == b',') {
                let directive = crate::server::view::trim(directive);
                let (name, arg) = match directive.iter().position(|&b| b == b'=') {
                    Some(p) => (&directive[..p], Some(&directive[p + 1..])),
                    None => (directive, None),
                };
                let seconds = || {
                    arg.map(|a| a.strip_prefix(b"\"").unwrap_or(a))
                        .map(|a| a.strip_suffix(b"\"").unwrap_or(a))
                        .and_then(delta_seconds)
                };
                let name = crate::server::view::trim(name);
                if name.eq_ignore_ascii_case(b"public") {
                    c.public = true;
                } else if name.eq_ignore_ascii_case(b"no-store") {
                    c.no_store = true;
                } else if name.eq_ignore_ascii_case(b"max-age") {
                    c.max_age = Some(seconds());
                } else if name.eq_ignore_ascii_case(b"s-maxage") {
                    c.s_maxage = Some(seconds());
                }
            }
        }
        c
    }

    fn explicit_freshness(&self) -> bool {
        self.max_age.is_some() || self.s_maxage.is_some() || self.expires.is_some()
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

/// RFC 9111 §1.2.2: `delta-seconds = 1*DIGIT`; a value too large to
/// represent "MUST" be taken as 2147483648 (2^31).
fn delta_seconds(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(crate::server::view::parse_length(digits).map_or(1 << 31, |n| n.min(1 << 31)))
}

fn http_date(value: &[u8]) -> Option<SystemTime> {
    httpdate::parse_http_date(std::str::from_utf8(value).ok()?).ok()
}

pub(crate) fn check(view: &View<'_>, report: &mut Report) {
    match view.status.as_u16() {
        code @ (302 | 307) => temporary(code, &Caching::read(view), report),
        code @ (301 | 308) => permanent(code, &Caching::read(view), view, report),
        _ => {}
    }
}

fn temporary(code: u16, c: &Caching<'_>, report: &mut Report) {
    if c.explicit_freshness() || c.no_store {
        return;
    }
    let section = if code == 302 {
        "RFC 9111 §5.2.2.9, §4.2.2; RFC 9110 §15.4.3"
    } else {
        "RFC 9111 §5.2.2.9, §4.2.2; RFC 9110 §15.4.8"
    };
    if c.public {
        report.push(
            Finding::new(
                Rule::TemporaryRedirectHeuristicCaching,
                format!(
                    "{code} marked public without max-age, s-maxage or Expires: caches may keep this temporary redirect for a heuristic time; give it an explicit lifetime"
                ),
            )
            .in_section(section),
        );
    } else if c.last_modified {
        report.push(
            Finding::new(
                Rule::TemporaryRedirectHeuristicCaching,
                format!(
                    "{code} with Last-Modified but no explicit lifetime: a {code} is not heuristically cacheable (RFC 9110 §15.1), so only max-age or Expires can make it reusable"
                ),
            )
            .in_section(section),
        );
    }
}

fn permanent(code: u16, c: &Caching<'_>, view: &View<'_>, report: &mut Report) {
    let section = if code == 301 {
        "RFC 9111 §4.2.2; RFC 9110 §15.4.2"
    } else {
        "RFC 9111 §4.2.2; RFC 9110 §15.4.9"
    };
    let zero = |v: Option<Option<u64>>| matches!(v, Some(Some(0)));
    let invalid = |v: Option<Option<u64>>| matches!(v, Some(None));
    let why = if c.no_store {
        Some("Cache-Control: no-store")
    } else if invalid(c.max_age) || invalid(c.s_maxage) {
        // RFC 9111 §4.2.1: "Caches are encouraged to consider responses that
        // have invalid freshness information (e.g., a max-age directive with
        // non-integer content) to be stale."
        Some("an invalid max-age, which caches are encouraged to treat as stale,")
    } else if zero(c.max_age) || (c.max_age.is_none() && zero(c.s_maxage)) {
        Some("a zero max-age")
    } else if c.max_age.is_none() && c.s_maxage.is_none() {
        // RFC 9111 §5.3: max-age overrides Expires.
        c.expires_in_past()
    } else {
        None
    };
    if let Some(why) = why {
        let evidence = view
            .first("cache-control")
            .filter(|_| c.no_store || c.max_age.is_some() || c.s_maxage.is_some())
            .or_else(|| view.first("expires"));
        let mut f = Finding::new(
            Rule::PermanentRedirectNotCacheable,
            format!(
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
