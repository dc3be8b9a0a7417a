//! The RFC 3986 `URI-reference` grammar, checked byte by byte.
//!
//! [`parse_uri_reference`] validates the whole input against RFC 3986 §4.1
//! (<https://www.rfc-editor.org/rfc/rfc3986#section-4.1>) and returns the
//! component boundaries as a borrowed [`UriRef`]; nothing is copied or
//! allocated. The first byte that breaks the grammar is reported with its
//! offset in a [`LocationError`].
//!
//! ```text
//! URI-reference = URI / relative-ref
//! URI           = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
//! relative-ref  = relative-part [ "?" query ] [ "#" fragment ]
//! hier-part     = "//" authority path-abempty / path-absolute / path-rootless / path-empty
//! relative-part = "//" authority path-abempty / path-absolute / path-noscheme / path-empty
//! authority     = [ userinfo "@" ] host [ ":" port ]
//! ```
//!
//! Why hand-written: the `fluent-uri` and `iri-string` crates implement this
//! grammar exactly, but neither reports *which byte* broke it in the form the
//! Location checks need, and their resolvers allocate a fresh string per call.
//! The model resolves into a reusable buffer (see [`super::resolve`]); the
//! tests compare this parser and resolver with `fluent-uri` on the RFC 3986
//! §5.4 examples and on random inputs.

use super::ascii::class_run;
use super::chars::{is, HEX, PATH, QUERY, REG_NAME, SCHEME, USERINFO};
use super::location::{Component, LocationError};

/// Component boundaries of a URI reference, as byte offsets into its text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Parts {
    /// Offset of the `:` that ends the scheme.
    pub scheme_end: Option<usize>,
    /// The authority, without the leading `//`.
    pub authority: Option<(usize, usize)>,
    /// Offset of the `@` that ends the userinfo, if any.
    pub userinfo_end: Option<usize>,
    /// The host (with brackets for an IP literal); empty when there is no authority.
    pub host: (usize, usize),
    /// The port digits (possibly empty) after the `:`.
    pub port: Option<(usize, usize)>,
    /// The path.
    pub path: (usize, usize),
    /// The query, without the `?`.
    pub query: Option<(usize, usize)>,
    /// The fragment, without the `#`.
    pub fragment: Option<(usize, usize)>,
}

/// A URI reference that passed the RFC 3986 grammar, borrowed from its text.
///
/// # Examples
/// ```
/// use redirspec::model::parse_uri_reference;
/// let r = parse_uri_reference(b"//h.test:8080/a/b?q#f").unwrap();
/// assert_eq!(r.scheme(), None);
/// assert_eq!(r.host(), Some("h.test"));
/// assert_eq!(r.port(), Some("8080"));
/// assert_eq!(r.path(), "/a/b");
/// assert_eq!(r.query(), Some("q"));
/// assert_eq!(r.fragment(), Some("f"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UriRef<'a> {
    text: &'a str,
    parts: Parts,
}

macro_rules! accessors {
    () => {
        /// The scheme, as written (no case folding).
        #[inline]
        pub fn scheme(&self) -> Option<&str> {
            self.parts.scheme_end.map(|e| &self.text()[..e])
        }
        /// The authority without `//`, when the reference has one.
        #[inline]
        pub fn authority(&self) -> Option<&str> {
            self.parts.authority.map(|(a, b)| &self.text()[a..b])
        }
        /// The userinfo without `@`, when the authority has one.
        #[inline]
        pub fn userinfo(&self) -> Option<&str> {
            match (self.parts.authority, self.parts.userinfo_end) {
                (Some((a, _)), Some(e)) => Some(&self.text()[a..e]),
                _ => None,
            }
        }
        /// The host (an IP literal keeps its brackets), when there is an authority.
        #[inline]
        pub fn host(&self) -> Option<&str> {
            self.parts
                .authority
                .map(|_| &self.text()[self.parts.host.0..self.parts.host.1])
        }
        /// The port digits after `:` (possibly empty), when written.
        #[inline]
        pub fn port(&self) -> Option<&str> {
            self.parts.port.map(|(a, b)| &self.text()[a..b])
        }
        /// The path (possibly empty).
        #[inline]
        pub fn path(&self) -> &str {
            &self.text()[self.parts.path.0..self.parts.path.1]
        }
        /// The query without `?`, when present (`Some("")` for a bare `?`).
        #[inline]
        pub fn query(&self) -> Option<&str> {
            self.parts.query.map(|(a, b)| &self.text()[a..b])
        }
        /// The fragment without `#`, when present (`Some("")` for a bare `#`).
        #[inline]
        pub fn fragment(&self) -> Option<&str> {
            self.parts.fragment.map(|(a, b)| &self.text()[a..b])
        }
        /// The text up to (not including) the `#` of the fragment.
        #[inline]
        pub fn without_fragment(&self) -> &str {
            match self.parts.fragment {
                Some((a, _)) => &self.text()[..a - 1],
                None => self.text(),
            }
        }
    };
}
pub(crate) use accessors;

impl<'a> UriRef<'a> {
    pub(crate) fn from_parts(text: &'a str, parts: Parts) -> Self {
        UriRef { text, parts }
    }
    /// The whole reference.
    pub fn as_str(&self) -> &'a str {
        self.text
    }
    fn text(&self) -> &'a str {
        self.text
    }
    pub(crate) fn parts(&self) -> Parts {
        self.parts
    }
    accessors!();
}

impl std::fmt::Display for UriRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)
    }
}

/// Parses `input` as an RFC 3986 `URI-reference`.
///
/// The input is taken exactly as given: no trimming, no percent-decoding, no
/// case folding. Use [`crate::model::parse_location`] for a Location *field
/// value*, which trims optional whitespace first.
///
/// # Errors
/// The first byte that the grammar does not allow, with its offset: a space,
/// a control byte, a non-ASCII byte, a `\`, a `%` not followed by two hex
/// digits, a non-digit in the port, a malformed IP literal, or a `:` in the
/// first segment of a relative path.
///
/// # Examples
/// ```
/// use redirspec::model::{parse_uri_reference, LocationError};
/// assert_eq!(parse_uri_reference(b"../g?q").unwrap().path(), "../g");
/// let err = parse_uri_reference(b"/a b").unwrap_err();
/// assert_eq!(err.offset(), Some(2));
/// ```
pub fn parse_uri_reference(input: &[u8]) -> Result<UriRef<'_>, LocationError> {
    let parts = parse_parts(input)?;
    // Every byte was checked to be ASCII above, so this cannot fail; map the
    // impossible error instead of unwrapping.
    let text = std::str::from_utf8(input).map_err(|e| LocationError::NonAscii {
        offset: e.valid_up_to(),
        byte: input.get(e.valid_up_to()).copied().unwrap_or(0),
    })?;
    Ok(UriRef { text, parts })
}

fn invalid(input: &[u8], offset: usize, component: Component) -> LocationError {
    let byte = input.get(offset).copied().unwrap_or(0);
    if byte >= 0x80 {
        LocationError::NonAscii { offset, byte }
    } else {
        LocationError::InvalidByte {
            offset,
            byte,
            component,
        }
    }
}

/// Reads a component from `start`: bytes of the class `flag` and escapes
/// (`pct-encoded`, RFC 3986 §2.1), in one pass. Answers where the
/// component ends: the end of `input`, or the first other byte when `ends`
/// takes it (a delimiter, which no class of the component has). Any other
/// byte is the error, at its offset: a `%` that starts no escape, or a byte
/// the component does not allow.
///
/// (The same as finding the delimiter first and checking the bytes before
/// it: the first byte that is neither in the class nor an escape is either
/// the delimiter or a bad byte before it; and the two hex digits of an
/// escape are no delimiter, so an escape is whole before the delimiter
/// exactly when it is whole before the end of `input`.)
#[inline(always)]
fn scan_to(
    input: &[u8],
    start: usize,
    flag: u8,
    component: Component,
    ends: impl Fn(u8) -> bool,
) -> Result<usize, LocationError> {
    let (stop, _) = class_run(input, start, flag)
        .map_err(|offset| LocationError::BadPercentEscape { offset })?;
    match input.get(stop) {
        Some(&b) if !ends(b) => Err(invalid(input, stop, component)),
        _ => Ok(stop),
    }
}

fn find(input: &[u8], start: usize, stop: impl Fn(u8) -> bool) -> usize {
    input[start..]
        .iter()
        .position(|&b| stop(b))
        .map_or(input.len(), |p| start + p)
}

pub(crate) fn parse_parts(input: &[u8]) -> Result<Parts, LocationError> {
    let n = input.len();
    let mut parts = Parts::default();
    let mut i = 0;

    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )   (RFC 3986 §3.1)
    if n > 0 && input[0].is_ascii_alphabetic() {
        let mut j = 1;
        while j < n && is(input[j], SCHEME) {
            j += 1;
        }
        if j < n && input[j] == b':' {
            parts.scheme_end = Some(j);
            i = j + 1;
        }
    }

    // "//" authority   (RFC 3986 §3.2)
    if input[i..].starts_with(b"//") {
        let start = i + 2;
        let (end, at) = authority_bounds(input, start)?;
        parse_authority(input, start, end, at, &mut parts)?;
        i = end;
    } else {
        parts.host = (i, i);
    }

    // path   (RFC 3986 §3.3): pchar and "/", up to the first "?" or "#"
    let path_end = scan_to(input, i, PATH, Component::Path, |b| b == b'?' || b == b'#')?;
    if parts.scheme_end.is_none() && parts.authority.is_none() {
        // path-noscheme: the first segment of a relative path has no ":"
        // (the path has no "?" or "#": its first "/" ends the segment).
        let first = &input[i..path_end];
        if let Some(p) = first.iter().position(|&b| b == b'/' || b == b':') {
            if first[p] == b':' {
                return Err(LocationError::ColonInFirstSegment { offset: i + p });
            }
        }
    }
    parts.path = (i, path_end);
    i = path_end;

    // query = *( pchar / "/" / "?" ), up to the first "#"   (RFC 3986 §3.4)
    if i < n && input[i] == b'?' {
        let end = scan_to(input, i + 1, QUERY, Component::Query, |b| b == b'#')?;
        parts.query = Some((i + 1, end));
        i = end;
    }

    // fragment = *( pchar / "/" / "?" ), to the end   (RFC 3986 §3.5)
    if i < n && input[i] == b'#' {
        scan_to(input, i + 1, QUERY, Component::Fragment, |_| false)?;
        parts.fragment = Some((i + 1, n));
    }
    Ok(parts)
}

/// Where the authority that starts at `start` ends (its first "/", "?" or
/// "#", or the end of `input`) and where its userinfo ends (its first
/// "@", if any), the userinfo checked (RFC 3986 §3.2.1:
/// `userinfo = *( unreserved / pct-encoded / sub-delims / ":" )`).
#[inline(always)]
fn authority_bounds(input: &[u8], start: usize) -> Result<(usize, Option<usize>), LocationError> {
    // One pass for the common authorities: bytes a userinfo allows (a
    // host without an IP literal and its port are such bytes) up to an
    // "@" or the authority's end. No "@" and no "/", "?", "#" come before
    // the byte it stops at, so that byte is the first "@" (and what came
    // before is a checked userinfo) or the authority's end.
    if let Ok((stop, _)) = class_run(input, start, USERINFO) {
        match input.get(stop) {
            None | Some(b'/' | b'?' | b'#') => return Ok((stop, None)),
            Some(b'@') => {
                let end = find(input, stop + 1, |b| b == b'/' || b == b'?' || b == b'#');
                return Ok((end, Some(stop)));
            }
            Some(_) => {}
        }
    }
    // Any other authority: its end, then its first "@", then the userinfo
    // before it.
    let end = find(input, start, |b| b == b'/' || b == b'?' || b == b'#');
    let Some(at) = input[start..end].iter().position(|&b| b == b'@') else {
        return Ok((end, None));
    };
    let at = start + at;
    // (no "@" is in range: it ends at the first one)
    scan_to(input, start, USERINFO, Component::Userinfo, |b| b == b'@')?;
    Ok((end, Some(at)))
}

/// The host and port of the authority `input[start..end]`, whose userinfo
/// (checked) ends at `at`, if it has one.
fn parse_authority(
    input: &[u8],
    start: usize,
    end: usize,
    at: Option<usize>,
    parts: &mut Parts,
) -> Result<(), LocationError> {
    parts.authority = Some((start, end));
    let mut host_start = start;
    if let Some(at) = at {
        parts.userinfo_end = Some(at);
        host_start = at + 1;
    }
    // host = IP-literal / IPv4address / reg-name   (RFC 3986 §3.2.2)
    let host_end;
    if input.get(host_start) == Some(&b'[') && host_start < end {
        let close = input[host_start..end]
            .iter()
            .position(|&b| b == b']')
            .map(|p| host_start + p)
            // An unterminated literal: the "[" that opened it is the culprit.
            .ok_or(LocationError::BadIpLiteral { offset: host_start })?;
        check_ip_literal(input, host_start + 1, close)?;
        host_end = close + 1;
        if host_end < end && input[host_end] != b':' {
            return Err(invalid(input, host_end, Component::Host));
        }
    } else {
        // reg-name = *( unreserved / pct-encoded / sub-delims ), up to the
        // first ":" (the port's) or the authority's end ("/", "?", "#").
        host_end = scan_to(input, host_start, REG_NAME, Component::Host, |b| {
            matches!(b, b':' | b'/' | b'?' | b'#')
        })?;
    }
    parts.host = (host_start, host_end);
    // port = *DIGIT   (RFC 3986 §3.2.3)
    if host_end < end {
        let p = host_end + 1;
        if let Some(bad) = input[p..end].iter().position(|b| !b.is_ascii_digit()) {
            return Err(LocationError::BadPort { offset: p + bad });
        }
        parts.port = Some((p, end));
    }
    Ok(())
}

/// IP-literal = "[" ( IPv6address / IPvFuture ) "]"   (RFC 3986 §3.2.2)
/// `start..end` is the text between the brackets.
fn check_ip_literal(input: &[u8], start: usize, end: usize) -> Result<(), LocationError> {
    let s = &input[start..end];
    if matches!(s.first(), Some(b'v' | b'V')) {
        // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
        let hex = s[1..].iter().take_while(|&&b| is(b, HEX)).count();
        let dot = 1 + hex;
        if hex == 0 || s.get(dot) != Some(&b'.') || dot + 1 >= s.len() {
            return Err(LocationError::BadIpLiteral {
                offset: start + dot.min(s.len()),
            });
        }
        for (k, &b) in s.iter().enumerate().skip(dot + 1) {
            if !is(b, USERINFO) {
                return Err(LocationError::BadIpLiteral { offset: start + k });
            }
        }
        return Ok(());
    }
    check_ipv6(s).map_err(|k| LocationError::BadIpLiteral { offset: start + k })
}

/// Validates an IPv6address (RFC 3986 §3.2.2); on error, the offset within `s`.
///
/// Without "::" there are exactly eight 16-bit pieces; with one "::" at most
/// seven, the "::" standing for one or more zero pieces. A trailing IPv4
/// dotted quad counts as two pieces.
pub(crate) fn check_ipv6(s: &[u8]) -> Result<(), usize> {
    let mut pieces = 0usize;
    let mut double = false;
    let mut i = 0;
    let n = s.len();
    if n == 0 {
        return Err(0);
    }
    if s.starts_with(b"::") {
        double = true;
        i = 2;
        if i == n {
            return Ok(());
        }
    } else if s[0] == b':' {
        return Err(0);
    }
    loop {
        // one piece: h16, or an IPv4address as the last piece
        let hex = s[i..]
            .iter()
            .take(5)
            .take_while(|&&b| b.is_ascii_hexdigit())
            .count();
        let after = i + hex;
        if after < n && s[after] == b'.' {
            // ls32 may be an IPv4address: it must be the end of the literal
            check_ipv4(&s[i..]).map_err(|k| i + k)?;
            pieces += 2;
            break;
        }
        if hex == 0 || hex > 4 {
            return Err(i + hex.min(4));
        }
        pieces += 1;
        i = after;
        if i == n {
            break;
        }
        if s[i] != b':' {
            return Err(i);
        }
        if s.get(i + 1) == Some(&b':') {
            if double {
                return Err(i);
            }
            double = true;
            i += 2;
            if i == n {
                break;
            }
        } else {
            i += 1;
            if i == n {
                return Err(i - 1);
            }
        }
        if pieces > 8 {
            return Err(i);
        }
    }
    let ok = if double { pieces <= 7 } else { pieces == 8 };
    if ok {
        Ok(())
    } else {
        Err(n)
    }
}

/// IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, where a
/// dec-octet is 0-255 written without leading zeros (RFC 3986 §3.2.2).
pub(crate) fn check_ipv4(s: &[u8]) -> Result<(), usize> {
    let mut i = 0;
    for octet in 0..4 {
        if octet > 0 {
            if s.get(i) != Some(&b'.') {
                return Err(i);
            }
            i += 1;
        }
        let digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 3 || (digits > 1 && s[i] == b'0') {
            return Err(i);
        }
        let v = s[i..i + digits]
            .iter()
            .fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
        if v > 255 {
            return Err(i);
        }
        i += digits;
    }
    if i == s.len() {
        Ok(())
    } else {
        Err(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> UriRef<'_> {
        parse_uri_reference(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }
    fn err(s: &[u8]) -> LocationError {
        match parse_uri_reference(s) {
            Ok(r) => panic!("{s:?} parsed as {r:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn components_of_the_rfc3986_section_3_example() {
        // RFC 3986 §3: foo://example.com:8042/over/there?name=ferret#nose
        let r = ok("foo://example.com:8042/over/there?name=ferret#nose");
        assert_eq!(r.scheme(), Some("foo"));
        assert_eq!(r.authority(), Some("example.com:8042"));
        assert_eq!(r.host(), Some("example.com"));
        assert_eq!(r.port(), Some("8042"));
        assert_eq!(r.path(), "/over/there");
        assert_eq!(r.query(), Some("name=ferret"));
        assert_eq!(r.fragment(), Some("nose"));
        assert_eq!(
            r.without_fragment(),
            "foo://example.com:8042/over/there?name=ferret"
        );
    }

    #[test]
    fn urn_has_rootless_path() {
        let r = ok("urn:example:animal:ferret:nose");
        assert_eq!(r.scheme(), Some("urn"));
        assert_eq!(r.authority(), None);
        assert_eq!(r.path(), "example:animal:ferret:nose");
    }

    #[test]
    fn empty_and_bare_delimiters() {
        let r = ok("");
        assert_eq!((r.path(), r.query(), r.fragment()), ("", None, None));
        let r = ok("?#");
        assert_eq!((r.query(), r.fragment()), (Some(""), Some("")));
        let r = ok("//");
        assert_eq!((r.authority(), r.host()), (Some(""), Some("")));
    }

    #[test]
    fn userinfo_and_port() {
        let r = ok("http://u:p@h:80/");
        assert_eq!(r.userinfo(), Some("u:p"));
        assert_eq!(r.host(), Some("h"));
        assert_eq!(r.port(), Some("80"));
        assert_eq!(ok("http://h:/").port(), Some(""));
    }

    #[test]
    fn ip_literals() {
        for good in [
            "[::1]",
            "[::]",
            "[1:2:3:4:5:6:7:8]",
            "[1::8]",
            "[::ffff:127.0.0.1]",
            "[1:2:3:4:5:6:1.2.3.4]",
            "[fe80::]",
            "[v7.a:b]",
            "[1:2:3:4:5:6:7::]",
            "[::2:3:4:5:6:7:8]",
        ] {
            let s = format!("http://{good}:8/");
            assert_eq!(ok(&s).host(), Some(good), "{s}");
        }
        for bad in [
            "[::1",
            "[1:2:3:4:5:6:7:8:9]",
            "[1::2::3]",
            "[:1]",
            "[1:]",
            "[12345::]",
            "[::g]",
            "[::1%25eth0]",
            "[1:2:3:4:5:6:7]",
            "[::1.2.3]",
            "[::1.2.3.04]",
            "[::256.1.1.1]",
            "[v.x]",
            "[v1.]",
            "[]",
            "[::1]x",
        ] {
            let s = format!("http://{bad}/");
            let e = err(s.as_bytes());
            assert!(
                matches!(
                    e,
                    LocationError::BadIpLiteral { .. } | LocationError::InvalidByte { .. }
                ),
                "{s}: {e:?}"
            );
        }
    }

    #[test]
    fn first_bad_byte_and_offset() {
        assert_eq!(
            err(b"/a b"),
            LocationError::InvalidByte {
                offset: 2,
                byte: b' ',
                component: Component::Path
            }
        );
        assert_eq!(
            err(b"http://h/\\x"),
            LocationError::InvalidByte {
                offset: 9,
                byte: b'\\',
                component: Component::Path
            }
        );
        assert_eq!(
            err("/caf\u{e9}".as_bytes()),
            LocationError::NonAscii {
                offset: 4,
                byte: 0xc3
            }
        );
        assert_eq!(err(b"/%zz"), LocationError::BadPercentEscape { offset: 1 });
        assert_eq!(err(b"/%4"), LocationError::BadPercentEscape { offset: 1 });
        assert_eq!(err(b"/a%"), LocationError::BadPercentEscape { offset: 2 });
        assert_eq!(err(b"http://h:8a/"), LocationError::BadPort { offset: 10 });
        assert_eq!(
            err(b"a:b/c:d?x#y#z"),
            LocationError::InvalidByte {
                offset: 11,
                byte: b'#',
                component: Component::Fragment
            }
        );
        assert_eq!(
            err(b"1a:b"),
            LocationError::ColonInFirstSegment { offset: 2 }
        );
        assert_eq!(
            err(b"//a@b@c/"),
            LocationError::InvalidByte {
                offset: 5,
                byte: b'@',
                component: Component::Host
            }
        );
        assert_eq!(
            err(b"/a\r\nSet-Cookie: x"),
            LocationError::InvalidByte {
                offset: 2,
                byte: b'\r',
                component: Component::Path
            }
        );
    }

    #[test]
    fn percent_escapes_are_accepted_everywhere_they_may_appear() {
        let r = ok("http://%65x:1@%65vil.test/%2e%2E/?%41#%42");
        assert_eq!(r.userinfo(), Some("%65x:1"));
        assert_eq!(r.host(), Some("%65vil.test"));
    }

    #[test]
    fn scheme_needs_a_letter_first() {
        // "+a:b" is a relative path whose first segment has a colon
        assert!(matches!(
            err(b"+a:b"),
            LocationError::ColonInFirstSegment { .. }
        ));
        assert_eq!(ok("./a:b").path(), "./a:b");
        assert_eq!(ok("a+b.c-d:x").scheme(), Some("a+b.c-d"));
    }
}
