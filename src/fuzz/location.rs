//! A Location field value, as raw bytes, in both modes.

use std::cell::RefCell;
use std::thread::LocalKey;

use http::{HeaderMap, Method, StatusCode};

use super::machine::assert_followable;
use super::resolve::check_resolution;
use crate::model::{
    first_where, parse_location, parse_uri_reference, trim_field_value, UriBuf, UriRef,
    DEFAULT_MAX_LOCATION_LEN,
};
use crate::{Body, LocationError, Profile, RedirectMachine, Refusal, Step};

/// The URL the lenient and strict machines are redirected from.
const FROM: &str = "https://a.test/b/c?q#f";

/// Checks one raw Location value in strict mode (RFC 3986), parsing it as
/// few times as the properties need: the fast target. The lenient mode has
/// targets of its own: [`location_fetch`] (the Fetch machine's properties)
/// and [`location_differential`] (the comparisons with the `url` crate and
/// the general resolver). Never panics unless the model breaks a property:
///
/// - [`parse_location`]: an accepted value is the trimmed input, holds only
///   bytes RFC 3986 allows, and round-trips: its components written out again
///   give the same text, and that text parses to the same components; it then
///   resolves against RFC 3986 §5.4's base with the laws of
///   [`resolve`](super::resolve). A refused value names an offset inside the
///   input that holds the byte the error names.
/// - The RFC 9110 machine, redirected with the same bytes, refuses with
///   exactly the error `parse_location` gave, or accepts what
///   `parse_location` accepted and follows to an absolute http(s) URL of
///   printable ASCII.
///
/// # Examples
/// ```
/// redirspec::fuzz::location_parse(b" /next?x=1#top ");
/// redirspec::fuzz::location_parse(b"/a\r\nSet-Cookie: x=1");
/// redirspec::fuzz::location_parse(b"\xff\\\\evil.test");
/// ```
pub fn location_parse(raw: &[u8]) {
    let strict = parse_location(raw, DEFAULT_MAX_LOCATION_LEN);
    match &strict {
        Ok(r) => check_accepted(raw, r),
        Err(e) => check_refused(raw, e),
    }
    with_fresh_machine(&RFC9110, |rfc| {
        strict_machine_agrees(rfc, raw, strict.as_ref().map(|_| ()).map_err(|e| *e));
    });
}

/// Checks one raw Location value in lenient mode: the Fetch profile's
/// machine (the WHATWG URL parser, RFC 9110 §10.2.2's field read by Fetch's
/// rules) redirected with the bytes. Never panics unless the model breaks a
/// property: a follow leads to an absolute http(s) URL of printable ASCII,
/// and the machine's invariants hold after the step, whatever it was.
///
/// This is the Location check whose cost is the model's own WHATWG step (the
/// `url` crate with IDNA, for most fuzzed values), so it is a target of its
/// own: [`location_parse`] stays fast, and this one runs as fast as the
/// Fetch machine can step.
///
/// # Examples
/// ```
/// redirspec::fuzz::location_fetch(b" /next?x=1#top ");
/// redirspec::fuzz::location_fetch(b"HTTPS://B\xc3\xbccher.test/%7e/../a");
/// redirspec::fuzz::location_fetch(b"\\\\evil.test\t/x");
/// ```
pub fn location_fetch(raw: &[u8]) {
    with_fresh_machine(&FETCH, |fetch| {
        if let Step::Follow(hop) = fetch.step_raw(StatusCode::FOUND, &[raw]) {
            assert_followable(hop.url());
        }
        fetch.check_invariants();
    });
}

/// The per-thread machine `m`, restarted at its first URL for a new GET
/// with no headers and no body (what [`machine`] builds: `reset_at_first_url`
/// gives a machine equal to a fresh one, a tested property), then handed to
/// `f`. Restarting keeps the machine's buffers and its policy; building a
/// machine for each input would parse the start URL (with IDNA processing
/// under WHATWG) and assemble the policy again, which costs as much as the
/// check itself.
fn with_fresh_machine(
    m: &'static LocalKey<RefCell<RedirectMachine>>,
    f: impl FnOnce(&mut RedirectMachine),
) {
    m.with_borrow_mut(|m| {
        m.reset_at_first_url(Method::GET, &HeaderMap::new(), Body::None);
        f(m);
    });
}

/// Bases with the hosts the WHATWG fast paths know without the host
/// parser's IDNA or address parsing only when they are the current URL's
/// own (an IDN host, an IPv6 address), and an IPv4 host, for
/// [`location_differential`] (besides [`BASES`](super::BASES)).
const WHATWG_HOST_BASES: [&str; 3] = [
    "http://127.0.0.1/a/b?q#f",
    "https://xn--bcher-kva.test/a/",
    "http://[::1]:8080/p",
];

/// Checks one raw Location value against the definitions the fast paths
/// stand in for (the differential target). Never panics unless a fast path
/// and its definition disagree:
///
/// - against each of [`BASES`](super::BASES) (and, for the WHATWG fast
///   path, an IPv4, an IDN and an IPv6 base), under every setting of the
///   policy switches the Location path reads, wherever the WHATWG fast path
///   (`model/fast_whatwg.rs`) takes the trimmed value, it writes the WHATWG
///   general path's result (`model/whatwg.rs`) byte for byte, wherever it
///   gives an error (a host or port the parser refuses), the general path
///   gives the same error, and wherever
///   a strict fast path (`model/fast_strict.rs`, `model/fast.rs`) takes it,
///   it gives the strict general path's text and offsets (`model/strict.rs`);
/// - the Fetch machine, redirected with the raw bytes, follows only to a URL
///   whose serialisation the `url` crate reads back unchanged.
///
/// # Examples
/// ```
/// redirspec::fuzz::location_differential(b" /next?x=1#top ");
/// redirspec::fuzz::location_differential(b"HTTPS://EXAMPLE.test/%7e/../a");
/// ```
pub fn location_differential(raw: &[u8]) {
    let value = trim_field_value(raw).0;
    for base in super::BASES {
        crate::model::fast_whatwg::check_against_general(base, value);
        crate::model::fast_strict::check_against_general(base, value);
    }
    for base in WHATWG_HOST_BASES {
        crate::model::fast_whatwg::check_against_general(base, value);
    }
    with_fresh_machine(&FETCH, |fetch| {
        if let Step::Follow(hop) = fetch.step_raw(StatusCode::FOUND, &[raw]) {
            let url = hop.url();
            match url::Url::parse(url) {
                Ok(u) => assert_eq!(u.as_str(), url, "the WHATWG serialisation is not stable"),
                Err(e) => panic!("the machine follows {url:?}, which WHATWG cannot re-parse: {e}"),
            }
        }
    });
}

fn check_accepted(raw: &[u8], r: &UriRef<'_>) {
    let text = r.as_str();
    let trimmed = trim_field_value(raw).0;
    // (The parser reads the input in place: the same bytes at the same
    // address need no comparison of bytes.)
    assert!(
        std::ptr::eq(text.as_bytes(), trimmed) || text.as_bytes() == trimmed,
        "accepted text {text:?} is not the trimmed input"
    );
    if let Some(i) = first_where::<false>(&RFC3986_BYTES, text.as_bytes()) {
        let b = text.as_bytes()[i];
        panic!("{text:?} accepted with byte {b:#04x}, which RFC 3986 never allows");
    }
    // Serialise from the components (RFC 3986 §5.3 "Component Recomposition"),
    // into a buffer kept per thread.
    AGAIN.with_borrow_mut(|again| recompose_and_reparse(again, text, r));
    RFC_BASE.with(|base| {
        if let Some(base) = base {
            RESOLVED.with_borrow_mut(|out| check_resolution(base, r, out));
        }
    });
}

/// `r`'s components written out again (into `again`) give `text`, and
/// that text parses to the same components.
fn recompose_and_reparse(again: &mut String, text: &str, r: &UriRef<'_>) {
    again.clear();
    if let Some(s) = r.scheme() {
        again.push_str(s);
        again.push(':');
    }
    if let Some(a) = r.authority() {
        again.push_str("//");
        again.push_str(a);
    }
    again.push_str(r.path());
    if let Some(q) = r.query() {
        again.push('?');
        again.push_str(q);
    }
    if let Some(f) = r.fragment() {
        again.push('#');
        again.push_str(f);
    }
    assert_eq!(
        again, text,
        "components of {text:?} recompose to another text"
    );
    let again = &*again;
    match parse_uri_reference(again.as_bytes()) {
        // The texts are equal (above), so equal offsets are equal
        // components (and the offsets of `r`, which the one-pass parser
        // may have read, are the general parser's, as they must be).
        Ok(back) => assert_eq!(
            back.parts(),
            r.parts(),
            "{text:?} re-parses to other components"
        ),
        Err(e) => panic!("{text:?} was accepted but its text does not re-parse: {e}"),
    }
}

/// RFC 3986 §2: unreserved, reserved and `%`, for every byte, worked out at
/// compile time (searching the list for every byte of every input showed in
/// the fuzz profile).
const RFC3986_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0u8;
    loop {
        table[b as usize] = b.is_ascii_alphanumeric();
        if b == u8::MAX {
            break;
        }
        b += 1;
    }
    let others = b"-._~:/?#[]@!$&'()*+,;=%";
    let mut i = 0;
    while i < others.len() {
        table[others[i] as usize] = true;
        i += 1;
    }
    table
};

fn check_refused(raw: &[u8], e: &LocationError) {
    match *e {
        LocationError::InvalidByte { offset, byte, .. }
        | LocationError::NonAscii { offset, byte } => {
            assert_eq!(
                raw.get(offset),
                Some(&byte),
                "{e} does not point at that byte"
            );
        }
        LocationError::BadPercentEscape { offset } => {
            assert_eq!(raw.get(offset), Some(&b'%'), "{e} does not point at a '%'");
        }
        LocationError::TooLong { len, max } => {
            assert!(len == raw.len() && len > max, "{e} for {} bytes", raw.len());
        }
        _ => {
            // An offset may point just past the end: where a missing `]` was due.
            if let Some(offset) = e.offset() {
                assert!(
                    offset <= raw.len(),
                    "{e}: offset beyond {} bytes",
                    raw.len()
                );
            }
        }
    }
}

/// A GET from [`FROM`] under `profile`.
fn machine(profile: Profile) -> RedirectMachine {
    match RedirectMachine::new(
        Method::GET,
        FROM,
        HeaderMap::new(),
        Body::None,
        profile.policy(),
    ) {
        Ok(m) => m,
        Err(e) => panic!("{FROM} does not start a chain under {profile}: {e}"),
    }
}

thread_local! {
    /// RFC 3986 §5.4's base, parsed once per thread.
    static RFC_BASE: Option<UriBuf> = UriBuf::parse_absolute(super::BASES[0]).ok();
    /// The buffers the strict checks write into, kept per thread so that
    /// they stay grown.
    static AGAIN: RefCell<String> = const { RefCell::new(String::new()) };
    static RESOLVED: RefCell<UriBuf> = RefCell::new(UriBuf::new());
    /// The RFC 9110 and the Fetch machine of [`with_fresh_machine`].
    static RFC9110: RefCell<RedirectMachine> = RefCell::new(machine(Profile::Rfc9110));
    static FETCH: RefCell<RedirectMachine> = RefCell::new(machine(Profile::Fetch));
}

/// The RFC 9110 machine reads Location with the same parser.
fn strict_machine_agrees(m: &mut RedirectMachine, raw: &[u8], strict: Result<(), LocationError>) {
    let step = m.step_raw(StatusCode::FOUND, &[raw]);
    match (&strict, &step) {
        (Err(e), Step::Refuse(Refusal::InvalidLocation(got))) => {
            assert_eq!(got, e, "the machine and parse_location disagree");
        }
        (Err(e), other) => panic!("parse_location refuses ({e}) but the machine gives {other:?}"),
        (Ok(()), Step::Follow(hop)) => assert_followable(hop.url()),
        (Ok(()), Step::Refuse(refusal)) => assert!(
            !matches!(
                refusal,
                Refusal::InvalidLocation(
                    LocationError::InvalidByte { .. }
                        | LocationError::NonAscii { .. }
                        | LocationError::BadPercentEscape { .. }
                        | LocationError::TooLong { .. }
                )
            ),
            "parse_location accepts but the machine refuses: {refusal}"
        ),
        (Ok(()), Step::Deliver(d)) => panic!("a 302 with a Location was delivered: {d}"),
        (Ok(()), Step::Finished) => panic!("a fresh machine said its chain had ended"),
    }
    m.check_invariants();
}

#[cfg(test)]
mod tests {
    use super::RFC3986_BYTES;

    fn rfc3986_byte(b: u8) -> bool {
        RFC3986_BYTES[usize::from(b)]
    }

    #[test]
    fn rfc3986_bytes_are_the_unreserved_the_reserved_and_percent() {
        let allowed: Vec<u8> = (0..=u8::MAX).filter(|&b| rfc3986_byte(b)).collect();
        // 62 letters and digits, `-._~`, 18 reserved (gen-delims and sub-delims), `%`.
        assert_eq!(allowed.len(), 62 + 4 + 18 + 1);
        for b in b"aZ09-._~:/?#[]@!$&'()*+,;=%" {
            assert!(rfc3986_byte(*b), "{}", char::from(*b));
        }
        for b in b" \"<>\\^`{|}\x7f\x00\xff" {
            assert!(!rfc3986_byte(*b), "{b:#04x}");
        }
    }
}
