//! The server checker: what a server sent for a request, judged against the
//! redirect requirements of RFC 9110, RFC 9111 and RFC 9112.
//!
//! In: raw response bytes ([`check_raw`], parsed with `httparse`, bounded)
//! or an `http::Response` and its body length ([`check_response`]), plus the
//! [`RequestInfo`] (method and absolute URL) that produced it. Out: a
//! [`Report`] of [`Finding`]s, each with a [`Level`], a stable kebab-case id
//! ([`Rule::id`]), the spec section, a message and, where there are some,
//! the offending bytes and their offset. Nothing here panics on any input:
//! bytes that are not a response give a [`ParseError`] (or, through
//! [`parse_error_finding`], a `malformed-response` finding).
//!
//! | id | level | when |
//! |---|---|---|
//! | `malformed-response` | MUST | the bytes are not an HTTP/1.x response head |
//! | `head-too-large` | SHOULD | a head past 1 MiB or 1024 field lines (the limit is named) |
//! | `incomplete-response` | SHOULD | no complete response within the timeout (what arrived is checked, its framing is not) |
//! | `redirect-without-location` | SHOULD | 301, 302, 303, 307, 308 without Location |
//! | `location-multiple` | MUST | several Location field lines |
//! | `location-control` | MUST | CR, LF, NUL, other control bytes, obs-fold in Location |
//! | `location-whitespace` | MUST | SP or HTAB inside the Location value |
//! | `location-invalid` | MUST | not a URI-reference (offset of the first bad byte), or an http(s) URI without a host: `https:x`, `https:///x`, `http://`, `///x` (RFC 9110 §4.2.1, §4.2.2) |
//! | `location-self-loop` | SHOULD (ADVICE with Set-Cookie) | resolves to the request URL (fragment ignored) and the next request keeps the method |
//! | `https-downgrade` | SHOULD | https request redirected to http |
//! | `not-modified-with-content` | MUST | bytes after the head of a 304 |
//! | `head-with-content` | MUST | content in a response to HEAD |
//! | `content-length-invalid` | MUST | not `1*DIGIT`, values that differ, or the same value repeated (RFC 9110 §5.3, §8.6) |
//! | `content-length-with-transfer-encoding` | MUST | both framing fields |
//! | `content-length-mismatch` | MUST | Content-Length is not the number of bytes sent |
//! | `use-proxy-sent` | SHOULD | 305 |
//! | `unused-status-sent` | SHOULD | 306 |
//! | `multiple-choices-without-choices` | SHOULD | 300 with no Location, no Link and no content |
//! | `temporary-redirect-heuristic-caching` | ADVICE | 302/307 `public` (or with Last-Modified) without explicit lifetime: no server-side SHOULD forbids it |
//! | `permanent-redirect-not-cacheable` | ADVICE | 301/308 with `no-store`, `max-age=0`, expired Expires |
//! | `post-redirect-ambiguous` | ADVICE | POST answered with 301/302 |
//! | `open-redirect` | MUST | a probe's attacker URL, or a query value the checker sent ([`RequestInfo::judging_query`]), became a Location a browser resolves off the origin |
//!
//! Location values are parsed as RFC 3986 `URI-reference`s
//! ([`parse_location`](crate::model::parse_location)) and resolved with
//! [`resolve`](crate::model::resolve) against the request URL; the
//! open-redirect probe resolves them with the WHATWG URL parser, as browsers
//! do.

mod attack;
mod check;
mod finding;
mod parse;
mod properties;
mod report;
mod request;
mod rules;
pub(crate) mod view;

pub use attack::{attack_values, probe_url, probe_url_encoded, Encoding, ATTACKER_HOST};
pub use check::{check_parts, check_raw, check_response, parse_error_finding, parse_error_report};
pub use finding::{Evidence, Finding, Level, Rule};
pub use parse::{parse_response, ParseError, RawField, RawResponse, MAX_HEAD, MAX_HEADERS};
#[doc(hidden)]
pub use properties::check_raw_properties;
pub use report::{Report, Summary};
pub use request::{RequestError, RequestInfo};
