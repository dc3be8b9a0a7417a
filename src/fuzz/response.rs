//! A raw HTTP/1.x response, parsed by `httparse`, then through the model.

use std::cell::RefCell;

use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use super::machine::step_checked;
use crate::{Body, Profile, RedirectMachine};

/// The most header lines a response may have; `httparse` refuses more
/// (`TooManyHeaders`) and the response is then not stepped. Bounds the work
/// and the memory per input.
pub const MAX_HEADERS: usize = 64;

/// The fixed request's headers: an `Authorization`, a `Cookie` and a
/// `Content-Type`.
fn request_headers() -> HeaderMap {
    let mut request = HeaderMap::new();
    request.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
    request.insert(COOKIE, HeaderValue::from_static("s=1"));
    request.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    request
}

/// The fixed request's start URL.
const START: &str = "https://a.test/x#f";

/// A machine for the fixed request under `profile` (building one parses the
/// start URL).
fn fresh(profile: Profile) -> RedirectMachine {
    let start = RedirectMachine::new(
        Method::POST,
        START,
        request_headers(),
        Body::Bytes(5),
        profile.policy(),
    );
    match start {
        Ok(m) => m,
        Err(e) => panic!("the fixed start URL is refused under {profile}: {e}"),
    }
}

thread_local! {
    /// The fixed request's headers, built once per thread.
    static HEADERS: HeaderMap = request_headers();
    /// A machine per profile, in [`Profile::ALL`] order, built once per
    /// thread and restarted at its first URL for each input
    /// ([`RedirectMachine::reset_at_first_url`] gives a machine equal to a
    /// fresh one, a tested property, and keeps its buffers: no copy of a
    /// whole machine per input).
    static MACHINES: RefCell<Vec<RedirectMachine>> =
        RefCell::new(Profile::ALL.into_iter().map(fresh).collect());
}

/// Parses `raw` as a response head with `httparse` (obsolete line folding,
/// spaces after a header name and before the first header allowed, as lenient
/// clients do, so that the model sees the odd values), and, when the head is
/// complete, steps its status and every `Location` field line into a machine
/// of each profile, checking every step invariant of
/// [`chain`](super::chain). A head that is incomplete or invalid is skipped:
/// a client acts only on a complete head. Returns how many Location lines
/// were found, or `None` when the head was skipped.
///
/// The same bytes also go through the server checker
/// ([`crate::server::check_raw_properties`]).
///
/// The request that gets the response is a POST with a 5-byte body, an
/// `Authorization`, a `Cookie` and a `Content-Type`, to `https://a.test/x#f`.
///
/// # Examples
/// ```
/// let n = redirspec::fuzz::raw_response(b"HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n");
/// assert_eq!(n, Some(2));
/// assert_eq!(redirspec::fuzz::raw_response(b"HTTP/1.1 302 Fo"), None);
/// ```
pub fn raw_response(raw: &[u8]) -> Option<usize> {
    // The server checker reads the same bytes and asserts its own properties
    // (typed errors, offsets inside the input, findings that name real bytes).
    crate::server::check_raw_properties(raw);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let status = httparse::ParserConfig::default()
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_spaces_after_header_name_in_responses(true)
        .allow_space_before_first_header_name(true)
        .parse_response(&mut response, raw);
    if !matches!(status, Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let status = StatusCode::from_u16(response.code?).ok()?;
    let mut lines: [&[u8]; MAX_HEADERS] = [&[]; MAX_HEADERS];
    let mut n = 0;
    let locations = response
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("location"));
    for (line, h) in lines.iter_mut().zip(locations) {
        *line = h.value;
        n += 1;
    }
    let lines = &lines[..n];
    HEADERS.with(|headers| {
        MACHINES.with_borrow_mut(|machines| {
            for m in machines {
                m.reset_at_first_url(Method::POST, headers, Body::Bytes(5));
                step_checked(m, status, lines);
            }
        });
    });
    Some(n)
}
