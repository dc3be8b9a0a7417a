//! Fast paths for the common Location shapes, each proven equal to the
//! general path it stands in for.
//!
//! [`parse_common`] reads a well-formed ASCII `URI-reference` in one pass and
//! returns exactly the [`UriRef`] that
//! [`parse_uri_reference`](super::parse_uri_reference) returns for it. It
//! answers `None` — "use the general parser" — for everything outside its
//! domain, and the general parser then accepts or reports the error with its
//! offset. Nothing is lost by the fast path: the general parser is the
//! definition, this is a shortcut for the inputs where it is cheap to be sure.
//!
//! ## The domain of `parse_common`
//! Every byte is one of RFC 3986's `unreserved`, `sub-delims`, `:`, `@`, `/`,
//! `?`, `#`, or a `%` followed by two hex digits (so: ASCII, no space, no
//! control byte, no `\`, no `[`/`]`, no `"<>^{|}` or backquote), and:
//! - at most one `#`;
//! - no userinfo (no `@` inside an authority) and no IP literal;
//! - a port, when written, is digits only;
//! - a relative path's first segment has no `:`.
//!
//! Outside it (userinfo, IP literals, bad escapes, bad bytes, a bad port, a
//! colon in the first segment) the general parser decides.
//!
//! The tests compare `parse_common` with `parse_uri_reference` on every
//! corpus value and on random references (proptest).

use super::uri::{Parts, UriRef};

use super::ascii::AsciiCursor;
use super::chars::{DOT, PATH, QUERY, REG_NAME, SCHEME};

/// What a scan noticed on the way, for the passes that would look again.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Noticed {
    /// A `.` in the path (so it may have a dot segment).
    pub dot_in_path: bool,
}

/// Parses a well-formed ASCII URI reference in one pass, or answers `None`
/// when it is outside this module's domain (see the module docs). When it
/// answers `Some(r)`, `r` equals what
/// [`parse_uri_reference`](super::parse_uri_reference) returns.
pub(crate) fn parse_common(v: &[u8]) -> Option<UriRef<'_>> {
    common_from_scan(scan_common(v))
}

/// [`parse_common`] from [`scan_common`]'s answer (the differential checks
/// scan a value once for every fast path that reads it).
#[inline(always)]
pub(crate) fn common_from_scan(scanned: Option<Scanned<'_>>) -> Option<UriRef<'_>> {
    let (p, _, text) = scanned?;
    Some(UriRef::from_parts(text, p))
}

/// What [`scan_common`] gives for a value in its domain.
pub(crate) type Scanned<'v> = (Parts, Noticed, &'v str);

/// [`parse_common`]'s component offsets, what the scan noticed, and `v`
/// as text: `Some` exactly when every byte of `v` is in the domain. The
/// scan moves an [`AsciiCursor`], which takes ASCII bytes only, so a value
/// it takes whole is text without a second check.
#[inline(always)]
pub(crate) fn scan_common(v: &[u8]) -> Option<Scanned<'_>> {
    let mut p = Parts::default();
    let mut noticed = Noticed::default();
    let mut c = AsciiCursor::new(v);
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    let mut scheme = c;
    if scheme.eat_alpha() {
        scheme.eat_class(SCHEME);
        if scheme.eat(b':') {
            p.scheme_end = Some(scheme.pos() - 1);
            c = scheme;
        }
    }
    // "//" authority, without userinfo or IP literal
    if c.looking_at(b"//") {
        c.eat(b'/');
        c.eat(b'/');
        let start = c.pos();
        c.eat_run(REG_NAME)?;
        let host_end = c.pos();
        if c.eat(b':') {
            c.eat_digits();
            p.port = Some((host_end + 1, c.pos()));
        }
        // The authority must end here: anything but "/", "?", "#" or the end
        // ("@", "[", a non-digit in the port, a bad byte) is for the general parser.
        if !matches!(c.peek(), None | Some(b'/' | b'?' | b'#')) {
            return None;
        }
        p.authority = Some((start, c.pos()));
        p.host = (start, host_end);
    } else {
        p.host = (c.pos(), c.pos());
    }
    // path: pchar and "/"
    let path_start = c.pos();
    noticed.dot_in_path = c.eat_run(PATH)? & DOT != 0;
    if p.scheme_end.is_none() && p.authority.is_none() {
        // path-noscheme: no ":" in the first segment of a relative path
        let first = &v[path_start..c.pos()];
        let seg = first.iter().position(|&b| b == b'/').unwrap_or(first.len());
        if first[..seg].contains(&b':') {
            return None;
        }
    }
    p.path = (path_start, c.pos());
    // query: pchar, "/" and "?"
    if c.eat(b'?') {
        let start = c.pos();
        c.eat_run(QUERY)?;
        p.query = Some((start, c.pos()));
    }
    // fragment: pchar, "/" and "?"
    if c.eat(b'#') {
        let start = c.pos();
        c.eat_run(QUERY)?;
        p.fragment = Some((start, c.pos()));
    }
    // `None` unless the scan took every byte.
    let text = c.into_str()?;
    Some((p, noticed, text))
}

/// Appends `:` and the port `n` to a serialization being written, and
/// records the digits' offsets in `parts` (the WHATWG fast paths' port).
#[inline]
pub(crate) fn push_port(text: &mut String, parts: &mut Parts, n: u16) {
    text.push(':');
    let p = text.len();
    push_decimal(text, n);
    parts.port = Some((p, text.len()));
}

/// Appends `n` in decimal, without leading zeros.
#[inline]
pub(crate) fn push_decimal(out: &mut String, n: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_uri_reference;
    use proptest::prelude::*;

    /// The property: inside the domain, the same answer as the general parser.
    fn same_as_general(v: &[u8]) -> bool {
        let fast = parse_common(v);
        if let Some(r) = fast {
            let general = parse_uri_reference(v);
            assert_eq!(general, Ok(r), "{:?}", String::from_utf8_lossy(v));
        }
        fast.is_some()
    }

    /// What the cursor rests on (with `chars::tests`): a byte from 0x80
    /// up is never taken.
    #[test]
    fn bytes_from_0x80_are_not_taken() {
        for v in [
            &b"/caf\xc3\xa9"[..],
            b"//h\xff/",
            b"\x80",
            b"a:\xe2\x82\xac",
        ] {
            assert!(scan_common(v).is_none(), "{v:?}");
        }
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        for s in [
            "",
            "/login?next=%2Faccount",
            "https://example.test/next",
            "https://example.test:8443/login",
            "https://example.test:/x",
            "//cdn.example.test/app.js",
            "../index.html",
            "?page=2",
            "#top",
            "g;x?y#s",
            "a:b",
            "http:g",
            "./a:b",
            "/a:b",
            "HTTPS://A.TEST",
        ] {
            assert!(same_as_general(s.as_bytes()), "{s:?} left the fast path");
        }
    }

    #[test]
    fn everything_else_goes_to_the_general_parser() {
        for s in [
            "8080:path",
            "a:b/c#d#e",
            "//u@h/",
            "//[::1]/",
            "//h:8a/",
            "/a b",
            "/a\\b",
            "/%zz",
            "/a%4",
            "/caf\u{e9}",
            "//h/\t",
        ] {
            assert!(!same_as_general(s.as_bytes()), "{s:?} took the fast path");
        }
    }

    #[test]
    fn corpus_values_agree_with_the_general_parser() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        let mut fast = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let v = std::fs::read(entry.unwrap().path()).unwrap();
            fast += usize::from(same_as_general(&v));
        }
        assert!(fast > 100, "only {fast} corpus values took the fast path");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn random_references_agree(s in "([a-zA-Z][a-zA-Z0-9+.-]{0,4}:)?(//[a-zA-Z0-9.%@:\\[\\]-]{0,12})?[a-zA-Z0-9/.:;@%?#=&~-]{0,24}") {
            same_as_general(s.as_bytes());
        }
        #[test]
        fn random_bytes_agree(v in proptest::collection::vec(any::<u8>(), 0..24)) {
            same_as_general(&v);
        }
    }
}
