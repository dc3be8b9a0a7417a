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

// One table of byte classes, as bit flags.
/// `unreserved` / `sub-delims` / `:` / `@` (RFC 3986 §3.3 `pchar` less
/// `pct-encoded`).
const PCHAR: u8 = 1;
/// `/` and `?`, which a query and a fragment take as data (§3.4, §3.5).
const SLASH_QM: u8 = 2;
/// `/` alone (a path's separator, §3.3).
const SLASH: u8 = 32;
/// ALPHA / DIGIT / "+" / "-" / "." (§3.1, after the first letter).
const SCHEME: u8 = 4;
/// HEXDIG.
const HEX: u8 = 8;
/// `unreserved` / `sub-delims` (§3.2.2 `reg-name` less `pct-encoded`).
const REG_NAME: u8 = 16;

const fn table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let alnum = c.is_ascii_alphanumeric();
        let unreserved = alnum || matches!(c, b'-' | b'.' | b'_' | b'~');
        let sub_delim = matches!(
            c,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        );
        let mut f = 0;
        if unreserved || sub_delim || c == b':' || c == b'@' {
            f |= PCHAR;
        }
        if c == b'/' || c == b'?' {
            f |= SLASH_QM;
        }
        if c == b'/' {
            f |= SLASH;
        }
        if alnum || matches!(c, b'+' | b'-' | b'.') {
            f |= SCHEME;
        }
        if c.is_ascii_hexdigit() {
            f |= HEX;
        }
        if unreserved || sub_delim {
            f |= REG_NAME;
        }
        t[i] = f;
        i += 1;
    }
    t
}
static CLASS: [u8; 256] = table();

#[inline(always)]
fn is(b: u8, flags: u8) -> bool {
    CLASS[b as usize] & flags != 0
}

/// `%` HEXDIG HEXDIG at `i`?
#[inline(always)]
fn escape_at(v: &[u8], i: usize) -> bool {
    i + 2 < v.len() && is(v[i + 1], HEX) && is(v[i + 2], HEX)
}

/// Scans `v[i..]` while bytes are in `flags` (or valid escapes); returns the
/// offset of the first other byte, or `None` on a bad `%`.
#[inline(always)]
fn run(v: &[u8], mut i: usize, flags: u8) -> Option<usize> {
    loop {
        i += v[i..].iter().position(|&b| !is(b, flags)).unwrap_or(v.len() - i);
        if i < v.len() && v[i] == b'%' {
            if !escape_at(v, i) {
                return None;
            }
            i += 3;
        } else {
            return Some(i);
        }
    }
}

/// Parses a well-formed ASCII URI reference in one pass, or answers `None`
/// when it is outside this module's domain (see the module docs). When it
/// answers `Some(r)`, `r` equals what
/// [`parse_uri_reference`](super::parse_uri_reference) returns.
pub(crate) fn parse_common(v: &[u8]) -> Option<UriRef<'_>> {
    let n = v.len();
    let mut p = Parts::default();
    let mut i = 0;
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    if n > 0 && v[0].is_ascii_alphabetic() {
        let mut j = 1;
        while j < n && is(v[j], SCHEME) {
            j += 1;
        }
        if j < n && v[j] == b':' {
            p.scheme_end = Some(j);
            i = j + 1;
        }
    }
    // "//" authority, without userinfo or IP literal
    if v[i..].starts_with(b"//") {
        let start = i + 2;
        let host_end = run(v, start, REG_NAME)?;
        let mut end = host_end;
        if host_end < n && v[host_end] == b':' {
            end = host_end + 1;
            while end < n && v[end].is_ascii_digit() {
                end += 1;
            }
            p.port = Some((host_end + 1, end));
        }
        // The authority must end here: anything but "/", "?", "#" or the end
        // ("@", "[", a non-digit in the port, a bad byte) is for the general parser.
        if end < n && !matches!(v[end], b'/' | b'?' | b'#') {
            return None;
        }
        p.authority = Some((start, end));
        p.host = (start, host_end);
        i = end;
    } else {
        p.host = (i, i);
    }
    // path: pchar and "/"
    let path_start = i;
    i = run(v, i, PCHAR | SLASH)?;
    if p.scheme_end.is_none() && p.authority.is_none() {
        // path-noscheme: no ":" in the first segment of a relative path
        let first = &v[path_start..i];
        let seg = first.iter().position(|&b| b == b'/').unwrap_or(first.len());
        if first[..seg].contains(&b':') {
            return None;
        }
    }
    p.path = (path_start, i);
    // query: pchar, "/" and "?"
    if i < n && v[i] == b'?' {
        let end = run(v, i + 1, PCHAR | SLASH_QM)?;
        p.query = Some((i + 1, end));
        i = end;
    }
    // fragment: pchar, "/" and "?"
    if i < n && v[i] == b'#' {
        let end = run(v, i + 1, PCHAR | SLASH_QM)?;
        p.fragment = Some((i + 1, end));
        i = end;
    }
    if i != n {
        return None;
    }
    // Every byte is ASCII here: this never fails.
    let text = std::str::from_utf8(v).ok()?;
    Some(UriRef::from_parts(text, p))
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
