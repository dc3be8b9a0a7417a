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

use std::borrow::Cow;

use url::{Position, Url};

use super::location::{check_field_bytes, LocationError};
use super::profile::Policy;
#[cfg(any(test, feature = "fuzz"))]
use super::profile::Profile;
use super::resolve::{apply_dot_segment_rules, has_dot_segment, resolve_by_concatenation, UriBuf};
use super::uri::{Parts, UriRef};

// One table of byte classes, as bit flags: one flag per component, set on
// the bytes the component takes as they are (so that a run of bytes is in a
// component when the AND of their classes has the flag).
/// `unreserved` / `sub-delims` (§3.2.2 `reg-name` less `pct-encoded`).
const REG_NAME: u8 = 1;
/// `pchar` less `pct-encoded`, and `/` (§3.3 path).
const PATH: u8 = 2;
/// `pchar` less `pct-encoded`, `/` and `?` (§3.4 query, §3.5 fragment).
const QUERY: u8 = 4;
/// ALPHA / DIGIT / "+" / "-" / "." (§3.1, after the first letter).
const SCHEME: u8 = 8;
/// HEXDIG.
const HEX: u8 = 16;
/// `.` (noticed in a path: a dot segment needs one).
const DOT: u8 = 32;

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
        let pchar = unreserved || sub_delim || c == b':' || c == b'@';
        let mut f = 0;
        if unreserved || sub_delim {
            f |= REG_NAME;
        }
        if pchar || c == b'/' {
            f |= PATH;
        }
        if pchar || c == b'/' || c == b'?' {
            f |= QUERY;
        }
        if alnum || matches!(c, b'+' | b'-' | b'.') {
            f |= SCHEME;
        }
        if c.is_ascii_hexdigit() {
            f |= HEX;
        }
        if c == b'.' {
            f |= DOT;
        }
        t[i] = f;
        i += 1;
    }
    t
}
static CLASS: [u8; 256] = table();

#[inline(always)]
fn is(b: u8, flag: u8) -> bool {
    CLASS[b as usize] & flag != 0
}

/// `%` HEXDIG HEXDIG at `i`?
#[inline(always)]
fn escape_at(v: &[u8], i: usize) -> bool {
    i + 2 < v.len() && is(v[i + 1], HEX) && is(v[i + 2], HEX)
}

/// What a scan noticed on the way, for the passes that would look again.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Noticed {
    /// A `.` in the path (so it may have a dot segment).
    pub dot_in_path: bool,
}

/// Scans `v[i..]` while bytes are in the class `flag` (or valid escapes);
/// returns the offset of the first other byte, or `None` on a bad `%`.
/// With `DOTS`, notes a `.` in what it took.
#[inline(always)]
fn run<const DOTS: bool>(v: &[u8], mut i: usize, flag: u8, noticed: &mut Noticed) -> Option<usize> {
    // The OR of the classes of the bytes taken (for `DOTS`).
    let mut any = 0;
    loop {
        // Eight bytes at a time while all eight are in the class (one AND
        // of their classes, one branch), then byte by byte.
        while let Some(eight) = v.get(i..).and_then(|r| r.first_chunk::<8>()) {
            let (all, or) = eight.iter().fold((flag, 0), |(all, or), &b| {
                let c = CLASS[b as usize];
                (all & c, or | c)
            });
            if all == 0 {
                break;
            }
            any |= or;
            i += 8;
        }
        while let Some(&b) = v.get(i) {
            let c = CLASS[b as usize];
            if c & flag == 0 {
                break;
            }
            any |= c;
            i += 1;
        }
        if DOTS {
            noticed.dot_in_path |= any & DOT != 0;
        }
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
    let (p, _, text) = scan_common(v)?;
    Some(UriRef::from_parts(text, p))
}

/// [`parse_common`]'s component offsets, what the scan noticed, and `v`
/// as text: `Some` exactly when every byte of `v` is in the domain.
#[inline(always)]
pub(crate) fn scan_common(v: &[u8]) -> Option<(Parts, Noticed, &str)> {
    let n = v.len();
    let mut p = Parts::default();
    let mut noticed = Noticed::default();
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
        let host_end = run::<false>(v, start, REG_NAME, &mut noticed)?;
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
    i = run::<true>(v, i, PATH, &mut noticed)?;
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
        let end = run::<false>(v, i + 1, QUERY, &mut noticed)?;
        p.query = Some((i + 1, end));
        i = end;
    }
    // fragment: pchar, "/" and "?"
    if i < n && v[i] == b'#' {
        let end = run::<false>(v, i + 1, QUERY, &mut noticed)?;
        p.fragment = Some((i + 1, end));
        i = end;
    }
    if i != n {
        return None;
    }
    Some((p, noticed, ascii_as_str(v)))
}

/// `v`, which [`scan_common`] took whole, as text.
///
/// The scan took every byte of `v` as an ASCII delimiter it compared
/// (`:`, `/`, `?`, `#`, `%`), an ASCII letter or digit it tested, or a byte
/// of a non-zero class in `CLASS`, and every byte from 0x80 up has class
/// zero (`table` fills only the first 128 entries; the test
/// `bytes_from_0x80_have_no_class` holds it). So `v` is ASCII, which is
/// UTF-8, and `str::from_utf8` would only check it again: about 90 of the
/// 1,115 instructions an RFC 9110 decision took with it (callgrind), and
/// about 12 % of its time in the `decide` benchmark (README, "Benchmarks").
#[allow(unsafe_code)]
#[inline(always)]
fn ascii_as_str(v: &[u8]) -> &str {
    debug_assert!(v.is_ascii(), "the scan took a byte that is not ASCII");
    // SAFETY: `v` is ASCII (see above), and ASCII bytes are valid UTF-8.
    unsafe { std::str::from_utf8_unchecked(v) }
}

// ---- WHATWG (Fetch) -----------------------------------------------------------

/// A URL as the WHATWG URL parser serializes it, with its component offsets,
/// and the parsed [`Url`] when one is at hand.
///
/// The machine's Fetch-mode URLs. The text is always the `url` crate's
/// serialization: either copied from a [`Url`] or written by
/// [`resolve_whatwg`]'s fast path, which writes exactly what the `url` crate
/// would. A [`Url`] is parsed from the text only when the general path needs
/// one as a base.
#[derive(Debug, Default)]
pub(crate) struct WebUrl {
    buf: UriBuf,
    url: Option<Url>,
}

impl Clone for WebUrl {
    fn clone(&self) -> Self {
        WebUrl {
            buf: self.buf.clone(),
            url: self.url.clone(),
        }
    }
    fn clone_from(&mut self, source: &Self) {
        self.buf.clone_from(&source.buf);
        // The parsed form (a cache) comes along, so that a restored machine
        // does not parse its URL again on the general path.
        self.url.clone_from(&source.url);
    }
}

impl WebUrl {
    /// Takes a parsed URL: its serialization and offsets.
    #[cfg(any(test, feature = "fuzz"))]
    pub(crate) fn from_url(url: Url) -> Self {
        let mut w = WebUrl::default();
        w.set_url(url);
        w
    }

    fn set_url(&mut self, url: Url) {
        self.copy_url(&url);
        self.url = Some(url);
    }

    /// Takes a request URL (Fetch mode): `Url::parse(text)`, through
    /// [`whatwg_start`] when `text` is in its domain (no allocation once
    /// this buffer has grown; the parsed form is then made only if the
    /// general path needs it). On error this URL is unchanged or, when the
    /// fast path declined half-way, holds a partial text: the machine starts
    /// into a spare buffer.
    pub(crate) fn set_start(&mut self, text: &str) -> Result<(), LocationError> {
        // The serialization is at most one byte longer (the `/` of an empty
        // path): one allocation, not one per doubling, while it grows.
        let buf = self.buf.raw_mut().0;
        buf.clear();
        buf.reserve(text.len() + 1);
        if whatwg_start(text.as_bytes(), self) {
            return Ok(());
        }
        let url = Url::parse(text).map_err(LocationError::Whatwg)?;
        self.set_url(url);
        Ok(())
    }

    /// Copies a parsed URL's serialization and offsets; no parsed form is
    /// kept (it is made again from the text if the general path needs it).
    pub(crate) fn copy_url(&mut self, url: &Url) {
        let at = |p: Position| url[..p].len();
        let (text, parts, _) = self.buf.raw_mut();
        text.clear();
        text.push_str(url.as_str());
        *parts = Parts {
            scheme_end: Some(at(Position::AfterScheme)),
            authority: url
                .has_authority()
                .then(|| (at(Position::BeforeUsername), at(Position::AfterPort))),
            userinfo_end: (!url.username().is_empty() || url.password().is_some())
                .then(|| at(Position::BeforeHost) - 1),
            host: (at(Position::BeforeHost), at(Position::AfterHost)),
            port: url
                .port()
                .map(|_| (at(Position::BeforePort), at(Position::AfterPort))),
            path: (at(Position::BeforePath), at(Position::AfterPath)),
            query: url
                .query()
                .map(|_| (at(Position::BeforeQuery), at(Position::AfterQuery))),
            fragment: url
                .fragment()
                .map(|_| (at(Position::BeforeFragment), at(Position::AfterFragment))),
        };
        self.url = None;
    }

    /// The parsed form, parsed from the text if there is none yet.
    fn url(&mut self) -> Result<&Url, LocationError> {
        if self.url.is_none() {
            let url = Url::parse(self.buf.as_str()).map_err(LocationError::Whatwg)?;
            self.url = Some(url);
        }
        self.url
            .as_ref()
            .ok_or(LocationError::Whatwg(url::ParseError::EmptyHost))
    }

    /// The serialization and its component offsets.
    pub(crate) fn buf(&self) -> &UriBuf {
        &self.buf
    }
    /// The serialization.
    pub(crate) fn as_str(&self) -> &str {
        self.buf.as_str()
    }
    /// The scheme (lower case, as the WHATWG parser leaves it).
    pub(crate) fn scheme(&self) -> &str {
        self.buf.scheme().unwrap_or_default()
    }
    /// The host, as `Url::host_str` gives it.
    pub(crate) fn host_str(&self) -> Option<&str> {
        self.buf.authority().and(self.buf.host())
    }
    /// The port when it is not the scheme's default, as `Url::port` gives it
    /// (the WHATWG serializer leaves a default port out).
    pub(crate) fn port(&self) -> Option<u16> {
        self.buf.port().and_then(|p| p.parse().ok())
    }
    /// The fragment, without `#`.
    pub(crate) fn fragment(&self) -> Option<&str> {
        self.buf.fragment()
    }
    /// The serialization up to the fragment.
    pub(crate) fn without_fragment(&self) -> &str {
        self.buf.without_fragment()
    }
}

/// Parses a Location value with the WHATWG URL parser against `current`
/// (Fetch "location URL") into `next`, with the policy's checks and
/// fragment inheritance. Well-formed common values take the fast path
/// ([`whatwg_common`]); every other value goes to the `url` crate.
///
/// `value` is the trimmed field value and `start` its offset in the field
/// line: the fast path accepts no NUL, CR or LF, and the field-level byte
/// check runs here before the `url` crate sees a value.
pub(crate) fn resolve_whatwg(
    current: &mut WebUrl,
    value: &[u8],
    start: usize,
    next: &mut WebUrl,
    policy: &Policy,
) -> Result<(), LocationError> {
    if whatwg_common(current, value, next, policy) {
        return Ok(());
    }
    check_field_bytes(value, start)?;
    // Encoding Standard "UTF-8 decode": invalid sequences become U+FFFD.
    let text = String::from_utf8_lossy(value);
    let base = current.url()?;
    let text = collapse_leading_slashes(&text, base.scheme());
    // Fetch "location URL": "set location to the result of parsing
    // location with response's URL".
    let mut url = Url::options()
        .base_url(Some(base))
        .parse(&text)
        .map_err(LocationError::Whatwg)?;
    if !policy.relative_location && Url::parse(&text).is_err() {
        return Err(LocationError::RelativeNotAllowed);
    }
    if policy.refuse_userinfo && (!url.username().is_empty() || url.password().is_some()) {
        return Err(LocationError::Userinfo);
    }
    // Fetch "location URL": "If location is a URL whose fragment is
    // null, then set location's fragment to requestFragment."
    if policy.inherit_fragment && url.fragment().is_none() {
        url.set_fragment(current.fragment());
    }
    next.set_url(url);
    Ok(())
}

/// Where the `url` crate departs from the URL Standard, and the model must not.
///
/// URL Standard: with no scheme and a special base, "relative state" goes to
/// "relative slash state" on `/` (or `\`), which goes to "special authority
/// ignore slashes state" on a second `/` or `\`; that state skips every
/// further `/` and `\` ("Otherwise, validation error, continue"). So
/// `///evil.test` against `http://a.test/` is `http://evil.test/`
/// (web-platform-tests urltestdata: `///test` against `http://example.org/`
/// gives `http://test/`). `url` 2.5 fails there with `EmptyHost` for three or
/// more forward slashes. A run of two or more slashes and backslashes means
/// the same as `//` to the parser, so the run is rewritten to `//` first.
/// Leading C0 controls and spaces, and tabs and newlines inside the run, are
/// what the parser itself strips or removes before it starts.
pub(crate) fn collapse_leading_slashes<'a>(text: &'a str, base_scheme: &str) -> Cow<'a, str> {
    // Special schemes but "file", whose host state reads slashes differently.
    if !matches!(base_scheme, "http" | "https" | "ws" | "wss" | "ftp") {
        return Cow::Borrowed(text);
    }
    let body = text.trim_start_matches(|c: char| c <= ' ');
    let mut slashes = 0;
    let mut end = 0;
    for (i, c) in body.char_indices() {
        match c {
            '/' | '\\' => slashes += 1,
            '\t' | '\n' | '\r' => {}
            _ => break,
        }
        end = i + c.len_utf8();
    }
    if slashes < 3 {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("//{}", &body[end..]))
}

/// The WHATWG fast path: writes into `out` exactly the serialization the
/// `url` crate gives for `v` parsed against `base` (then fragment
/// inheritance), and answers `true`; or answers `false`, having decided
/// nothing, when `v` or `base` is outside its domain.
///
/// ## Domain, and why the result equals the WHATWG parser's there
/// - `base` is an `http` or `https` URL with a host and no userinfo (so the
///   policy's userinfo check has nothing to refuse).
/// - `v` is in [`parse_common`]'s domain (every byte an RFC 3986 character,
///   hence no space, control byte, tab or newline for the WHATWG parser to
///   strip or remove, no `\` for it to read as `/`, no non-ASCII to encode
///   or map) and has no `'` (which the special-query set encodes) and no
///   `%2e`/`%2E` (which the path parser reads as a dot). None of its bytes
///   is then in the path, query or fragment percent-encode sets: those
///   components are copied as they are.
/// - With a scheme, the scheme is `http` or `https` (any case; written in
///   lower case) followed by `//` (so not the `http:path` and `http:/path`
///   forms, which the WHATWG parser reads relative to a special base).
/// - With an authority: a host of ASCII letters, digits, `-` and `.` only,
///   in non-empty labels, none starting with `xn--` and the last starting
///   with a letter: the host parser's domain-to-ASCII then only lower-cases
///   it, and it is never an IPv4 address (the "ends in a number" check
///   needs a last label that is a number). A port of at most five digits and
///   at most 65535 is written without leading zeros, and not at all when it
///   is the scheme's default; an empty port is left out. An empty path
///   becomes `/` (a special URL's path is never empty).
/// - Paths: WHATWG path parsing keeps every segment but `.` and `..` (and
///   their `%2e` forms, excluded above), which remove themselves or the
///   segment before, and ends the path with `/` after a trailing `.` or
///   `..`: RFC 3986 `remove_dot_segments` on the merged path does the same,
///   because the base path (a WHATWG serialization) has no dot segment.
/// - Otherwise the WHATWG "relative" states give RFC 3986 §5.2.2: an empty
///   reference keeps the base path and query; a query-only reference keeps
///   the base path; a fragment-only reference keeps path and query.
///
/// `tests` check the result against the `url` crate on every corpus value
/// and on random references against random bases.
pub(crate) fn whatwg_common(base: &WebUrl, v: &[u8], out: &mut WebUrl, policy: &Policy) -> bool {
    let Some(r) = parse_common(v) else {
        return false;
    };
    let b = base.buf.as_uri_ref();
    let base_scheme = match b.scheme() {
        Some(s @ ("http" | "https")) => s,
        _ => return false,
    };
    if b.userinfo().is_some() || b.authority().is_none() {
        return false;
    }
    if has_quote_or_encoded_dot(v) {
        return false;
    }
    let scheme = match r.scheme() {
        None if !policy.relative_location => return false,
        None => base_scheme,
        Some(_) if r.authority().is_none() => return false,
        Some(s) if s.eq_ignore_ascii_case("http") => "http",
        Some(s) if s.eq_ignore_ascii_case("https") => "https",
        Some(_) => return false,
    };
    // A reference without an authority: the WHATWG "relative" states give
    // RFC 3986 §5.2.2 (see above), and for all but a relative path without
    // dot segments that is the base's prefix and the reference as written
    // (model/resolve.rs).
    if r.authority().is_none() && resolve_by_concatenation(&base.buf, &r, &mut out.buf) {
        // Fetch "location URL": a null fragment becomes requestFragment.
        if policy.inherit_fragment {
            out.buf.inherit_fragment(b.fragment());
        }
        out.url = None;
        return true;
    }
    let inherited = if policy.inherit_fragment {
        b.fragment()
    } else {
        None
    };
    write_whatwg(Some(&b), &r, scheme, inherited, out)
}

/// The WHATWG serialization of `r` (in [`parse_common`]'s domain, without
/// `'` or `%2e`, with an `http`/`https` `scheme` as it is to be written)
/// against `base` (which is needed only when `r` has no authority) into
/// `out`, with `inherited` as the fragment when `r` has none; or `false`
/// when a host, port or path is outside the fast path's domain (see
/// [`whatwg_common`]).
fn write_whatwg(
    base: Option<&UriRef<'_>>,
    r: &UriRef<'_>,
    scheme: &str,
    inherited: Option<&str>,
    out: &mut WebUrl,
) -> bool {
    let (text, parts, scratch) = out.buf.raw_mut();
    text.clear();
    *parts = Parts::default();
    text.push_str(scheme);
    parts.scheme_end = Some(text.len());
    text.push_str("://");
    let query;
    if let Some(host) = r.host().filter(|_| r.authority().is_some()) {
        if !plain_host(host.as_bytes()) {
            return false;
        }
        let start = text.len();
        text.push_str(host);
        text[start..].make_ascii_lowercase();
        parts.host = (start, text.len());
        if let Some(port) = r.port().filter(|p| !p.is_empty()) {
            let Some(n) = small_port(port) else {
                return false;
            };
            if n != if scheme == "http" { 80 } else { 443 } {
                text.push(':');
                let p = text.len();
                push_decimal(text, n);
                parts.port = Some((p, text.len()));
            }
        }
        parts.authority = Some((start, text.len()));
        let p = text.len();
        if r.path().is_empty() {
            text.push('/');
        } else {
            if !remove_dot_segments_as_url_does(r.path(), text) {
                return false;
            }
        }
        parts.path = (p, text.len());
        query = r.query();
    } else {
        let Some(b) = base else {
            return false;
        };
        // The base's authority, as serialized.
        let bp = b.parts();
        let (a0, a1) = bp.authority.unwrap_or_default();
        let start = text.len();
        text.push_str(&b.as_str()[a0..a1]);
        let shift = |x: usize| x - a0 + start;
        parts.authority = Some((start, text.len()));
        parts.host = (shift(bp.host.0), shift(bp.host.1));
        parts.port = bp.port.map(|(x, y)| (shift(x), shift(y)));
        let p = text.len();
        if r.path().is_empty() {
            text.push_str(b.path());
            query = r.query().or(b.query());
        } else {
            if r.path().starts_with('/') {
                if !remove_dot_segments_as_url_does(r.path(), text) {
                    return false;
                }
            } else {
                // The base path without its last segment, then the reference.
                let bpath = b.path();
                scratch.clear();
                scratch.push_str(&bpath[..bpath.rfind('/').map_or(0, |i| i + 1)]);
                scratch.push_str(r.path());
                if !remove_dot_segments_as_url_does(scratch, text) {
                    return false;
                }
            }
            query = r.query();
        }
        parts.path = (p, text.len());
    }
    if let Some(q) = query {
        text.push('?');
        let p = text.len();
        text.push_str(q);
        parts.query = Some((p, text.len()));
    }
    // Fetch "location URL": a null fragment becomes requestFragment.
    let fragment = r.fragment().or(inherited);
    if let Some(f) = fragment {
        text.push('#');
        let p = text.len();
        text.push_str(f);
        parts.fragment = Some((p, text.len()));
    }
    out.url = None;
    true
}

/// The WHATWG fast path for a request URL: writes into `out` exactly the
/// serialization `Url::parse(v)` gives and answers `true`; or answers
/// `false`, having decided nothing, when `v` is outside the domain.
///
/// The domain is [`whatwg_common`]'s for a reference with a scheme and an
/// authority (`http://` or `https://` in any case, a plain host, a small
/// port; no userinfo, no `'`, no `%2e`). Such a reference is parsed
/// without its base by the WHATWG parser (the "scheme state" of a special
/// scheme followed by `//` goes to the authority states, and the base is
/// read nowhere after), so that path's result against any base is the
/// result here; no fragment is inherited, since there is no earlier
/// request. `tests` check it against the `url` crate.
pub(crate) fn whatwg_start(v: &[u8], out: &mut WebUrl) -> bool {
    let Some(r) = parse_common(v) else {
        return false;
    };
    if r.authority().is_none() || has_quote_or_encoded_dot(v) {
        return false;
    }
    let scheme = match r.scheme() {
        Some(s) if s.eq_ignore_ascii_case("http") => "http",
        Some(s) if s.eq_ignore_ascii_case("https") => "https",
        _ => return false,
    };
    if is_own_serialization(&r, scheme) {
        // What `write_whatwg` would write, byte for byte: copied whole.
        let (text, parts, _) = out.buf.raw_mut();
        text.clear();
        text.push_str(r.as_str());
        *parts = r.parts();
        out.url = None;
        return true;
    }
    write_whatwg(None, &r, scheme, None, out)
}

/// Whether [`write_whatwg`] would write `r` (with a scheme and an
/// authority, in its domain) as it is, with the same offsets: the scheme in
/// lower case, a plain host in lower case, no port or one written without
/// leading zeros that is not the scheme's default, a path that is not
/// empty and has no dot segment (so `remove_dot_segments` copies it); the
/// query and fragment are copied in any case.
fn is_own_serialization(r: &UriRef<'_>, scheme: &str) -> bool {
    let host = r.host().unwrap_or_default().as_bytes();
    let port_ok = match r.port() {
        None => true,
        Some(p) => {
            !p.starts_with('0')
                && small_port(p).is_some_and(|n| n != if scheme == "http" { 80 } else { 443 })
        }
    };
    r.scheme() == Some(scheme)
        && port_ok
        && plain_host_case(host) == Some(true)
        && !r.path().is_empty()
        && !has_dot_segment(r.path().as_bytes())
}

/// RFC 3986 `remove_dot_segments`, which is what the WHATWG path parser
/// does here (see [`whatwg_common`]), except where the `url` crate departs
/// from it: `url` 2.5 never pops a segment that looks like a Windows drive
/// letter (`c:`) on `..`, in http(s) URLs too (servo/rust-url#1113; the URL
/// Standard keeps drive letters only in file URLs). The model follows `url`
/// there (tests/fuzz_findings.rs pins it), so a path with dot segments and
/// such a segment answers `false`, having written nothing, and goes to it.
fn remove_dot_segments_as_url_does(input: &str, out: &mut String) -> bool {
    if !has_dot_segment(input.as_bytes()) {
        out.push_str(input);
        return true;
    }
    if input
        .split('/')
        .any(|s| matches!(s.as_bytes(), [l, b':'] if l.is_ascii_alphabetic()))
    {
        return false;
    }
    apply_dot_segment_rules(input, out);
    true
}

/// A `'` or a `%2e` / `%2E` anywhere. (One branch-free pass for the common
/// case; the escapes are looked at only when there is a `%`.)
fn has_quote_or_encoded_dot(v: &[u8]) -> bool {
    let (quote, pct) = v.iter().fold((false, false), |(q, p), &b| {
        (q | (b == b'\''), p | (b == b'%'))
    });
    quote
        || (pct
            && v.windows(3)
                .any(|w| w[0] == b'%' && w[1] == b'2' && (w[2] | 0x20) == b'e'))
}

/// A host the WHATWG host parser only lower-cases (see [`whatwg_common`]):
/// labels of ASCII letters, digits and `-`, none empty, none starting with
/// `xn--`, the last starting with a letter.
fn plain_host(h: &[u8]) -> bool {
    plain_host_case(h).is_some()
}

/// [`plain_host`]'s byte flags: a byte no plain host has, an upper-case
/// letter, a `-` (lower-case letters, digits and `.` have none).
const NOT_HOST: u8 = 1;
const UPPER: u8 = 2;
const DASH: u8 = 4;
const HOST_FLAGS: [u8; 256] = {
    let mut t = [NOT_HOST; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = match b {
            b'a'..=b'z' | b'0'..=b'9' | b'.' => 0,
            b'A'..=b'Z' => UPPER,
            b'-' => DASH,
            _ => NOT_HOST,
        };
        c += 1;
    }
    t
};

/// Whether `h` is a [`plain_host`] (`None` when not), and whether it is in
/// lower case already. The bytes are checked in one branch-free pass; the
/// labels (none empty, none starting with `xn--`, the last starting with a
/// letter) are looked at after it.
fn plain_host_case(h: &[u8]) -> Option<bool> {
    let flags = h.iter().fold(0u8, |f, &c| f | HOST_FLAGS[usize::from(c)]);
    if flags & NOT_HOST != 0
        || h.first().is_none_or(|&c| c == b'.')
        || h.windows(2).any(|w| w == b"..")
    {
        return None;
    }
    let last = h.iter().rposition(|&c| c == b'.').map_or(0, |i| i + 1);
    if !h.get(last).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    // Only a `-` can make a label start with "xn--".
    if flags & DASH != 0
        && h.split(|&c| c == b'.')
            .any(|l| l.len() >= 4 && l[..4].eq_ignore_ascii_case(b"xn--"))
    {
        return None;
    }
    Some(flags & UPPER == 0)
}

/// A port of one to five digits, at most 65535.
fn small_port(p: &str) -> Option<u16> {
    if p.len() > 5 {
        return None;
    }
    p.parse().ok()
}

/// Appends `n` in decimal, without leading zeros.
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

// ---- differential check ---------------------------------------------------------

/// What the machine did before the fast path: the `url` crate, then
/// fragment inheritance.
#[cfg(any(test, feature = "fuzz"))]
fn by_url_crate(base: &Url, v: &[u8]) -> Option<Url> {
    let text = String::from_utf8_lossy(v);
    let mut url = Url::options().base_url(Some(base)).parse(&text).ok()?;
    if url.fragment().is_none() {
        url.set_fragment(base.fragment());
    }
    Some(url)
}

/// The differential check of the WHATWG fast path, for tests and fuzz
/// targets: when [`whatwg_common`] answers for `v` against `base` (under
/// the Fetch policy), it wrote the `url` crate's serialization, offsets that
/// agree with the `url` crate's accessors, and a text that parses back to
/// itself. Panics on any difference; answers whether the fast path answered.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_against_url_crate(base: &str, v: &[u8]) -> bool {
    let Ok(base_url) = Url::parse(base) else {
        return false;
    };
    let base = WebUrl::from_url(base_url.clone());
    let mut out = WebUrl::default();
    let policy = Profile::Fetch.policy();
    if !whatwg_common(&base, v, &mut out, &policy) {
        return false;
    }
    let shown = String::from_utf8_lossy(v);
    let Some(want) = by_url_crate(&base_url, v) else {
        panic!(
            "fast path accepted {shown:?} against {}; the url crate rejects it",
            base.as_str()
        );
    };
    assert_eq!(
        out.as_str(),
        want.as_str(),
        "{shown:?} against {}",
        base.as_str()
    );
    assert_eq!(out.scheme(), want.scheme(), "{shown:?}");
    assert_eq!(out.host_str(), want.host_str(), "{shown:?}");
    assert_eq!(out.port(), want.port(), "{shown:?}");
    assert_eq!(out.fragment(), want.fragment(), "{shown:?}");
    assert_eq!(out.without_fragment(), &want[..Position::AfterQuery]);
    assert_eq!(out.buf.path(), want.path(), "{shown:?}");
    assert_eq!(out.buf.query(), want.query(), "{shown:?}");
    assert_eq!(
        Url::parse(out.as_str()).map(String::from).as_deref(),
        Ok(out.as_str()),
        "{shown:?}"
    );
    true
}

/// The differential check of the WHATWG start fast path ([`whatwg_start`],
/// which a machine's start and restart use): when it answers for `v`, it
/// wrote `Url::parse(v)`'s serialization and offsets that agree with the
/// `url` crate's accessors. Panics on any difference; answers whether the
/// fast path answered.
#[cfg(test)]
pub(crate) fn check_start_against_url_crate(v: &[u8]) -> bool {
    let mut out = WebUrl::default();
    if !whatwg_start(v, &mut out) {
        return false;
    }
    let shown = String::from_utf8_lossy(v);
    let want = match Url::parse(&shown) {
        Ok(u) => u,
        Err(e) => panic!("start fast path accepted {shown:?}; the url crate says {e}"),
    };
    let mut copied = WebUrl::default();
    copied.copy_url(&want);
    assert_eq!(out.as_str(), want.as_str(), "{shown:?}");
    assert_eq!(out.buf.parts(), copied.buf.parts(), "{shown:?}");
    assert_eq!(out.scheme(), want.scheme(), "{shown:?}");
    assert_eq!(out.host_str(), want.host_str(), "{shown:?}");
    assert_eq!(out.port(), want.port(), "{shown:?}");
    assert_eq!(out.fragment(), want.fragment(), "{shown:?}");
    assert_eq!(out.buf.path(), want.path(), "{shown:?}");
    assert_eq!(out.buf.query(), want.query(), "{shown:?}");
    true
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

    /// What `ascii_as_str` rests on: no byte from 0x80 up is in a class.
    #[test]
    fn bytes_from_0x80_have_no_class() {
        for b in 0x80..=0xffu8 {
            assert_eq!(CLASS[usize::from(b)], 0, "{b:#x}");
        }
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

    // ---- WHATWG fast path against the `url` crate ----------------------------

    const BASES: &[&str] = &[
        "https://www.example.test/account/profile?tab=1#top",
        "http://a/b/c/d;p?q",
        "https://h.test:8443/",
        "http://h.test/dir/",
        "HTTPS://EXAMPLE.test/a/b/c",
        "http://h.test:80/x?y",
        "https://u:p@h.test/with/userinfo",
        "http://127.0.0.1/ip",
        "https://xn--nxasmq6b.test/idn",
    ];

    /// Found by the location_parse fuzz target's differential check: the
    /// fast path popped `t:` (as the URL Standard does), the `url` crate
    /// does not (servo/rust-url#1113), so such paths now go to `url`.
    #[test]
    fn drive_letter_segments_go_to_the_url_crate() {
        for (base, v) in [
            ("http://a/b/c/d;p?q", &b"..//9/t:/../t"[..]),
            ("http://a/c:/x/", b"../../y"),
            ("https://a.test/x", b"/C:/.."),
        ] {
            assert!(!check_against_url_crate(base, v), "{v:?}");
        }
        // Without `..` the fast path keeps them.
        assert!(check_against_url_crate("http://a/c:/x/", b"y/z"));
        assert!(check_against_url_crate("http://a/x/", b"/c:/y"));
    }

    #[test]
    fn web_url_offsets_match_the_url_crate() {
        for s in BASES
            .iter()
            .chain(&["http://[::1]:8080/p?q#f", "https://u@h/", "https://h"])
        {
            let url = Url::parse(s).unwrap();
            let w = WebUrl::from_url(url.clone());
            assert_eq!(w.as_str(), url.as_str());
            assert_eq!(w.scheme(), url.scheme());
            assert_eq!(w.host_str(), url.host_str(), "{s}");
            assert_eq!(w.port(), url.port(), "{s}");
            assert_eq!(w.fragment(), url.fragment());
            assert_eq!(w.without_fragment(), &url[..Position::AfterQuery]);
        }
    }

    #[test]
    fn whatwg_common_shapes_take_the_fast_path() {
        let base = BASES[0];
        for s in [
            "/login?next=%2Faccount%2Fsettings",
            "https://example.test/next",
            "HtTpS://Example.TEST/Path/To",
            "https://example.test:443/x",
            "https://example.test:08443/x",
            "http://example.test:/x",
            "//cdn.example.test/app.js",
            "../index.html",
            "a/./../b/./c/..",
            "?page=2",
            "#frag",
            "",
            "https://example.test",
        ] {
            assert!(
                check_against_url_crate(base, s.as_bytes()),
                "{s:?} left the fast path"
            );
        }
    }

    #[test]
    fn whatwg_outside_the_domain_goes_to_the_url_crate() {
        let base = BASES[0];
        for s in [
            "http:g",
            "https:/x",
            "ftp://h/",
            "///h/x",
            "//h..t/",
            "//h.test./",
            "//1.2.3.4/",
            "//h.0x7f/",
            "//xn--nxasmq6b.test/",
            "//h_t.test/",
            "/a/%2e%2E/b",
            "/it's",
            "//u@h/",
            "//h:65536/",
        ] {
            assert!(
                !check_against_url_crate(base, s.as_bytes()),
                "{s:?} took the fast path"
            );
        }
        // Bases outside the domain.
        assert!(!check_against_url_crate("https://u:p@h.test/x", b"/y"));
        assert!(!check_against_url_crate("ftp://h.test/x", b"/y"));
    }

    #[test]
    fn whatwg_corpus_replay_agrees_with_the_url_crate() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        let values: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        let mut fast = 0;
        for base in BASES {
            for v in &values {
                fast += usize::from(check_against_url_crate(base, v));
            }
        }
        assert!(
            fast > 400,
            "only {fast} corpus resolutions took the fast path"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn whatwg_random_references_agree(
            base in "https?://[a-zA-Z0-9.-]{1,10}(:[0-9]{1,5})?(/[a-z.;=]{0,4}){0,3}(\\?[a-z=&]{0,5})?(#[a-z]{0,3})?",
            r in "((https?|HTTP|ftp):)?(//[a-zA-Z0-9.%:_-]{0,12})?[a-zA-Z0-9/.:;@%?#=&~'-]{0,24}",
        ) {
            check_against_url_crate(&base, r.as_bytes());
        }
        #[test]
        fn whatwg_random_in_domain_references_agree(
            base in "https?://[a-z0-9-]{1,6}(\\.[a-zA-Z][a-z0-9]{0,4}){1,2}(:[0-9]{1,5})?(/[a-z.;=]{0,4}){0,3}(\\?[a-z=&]{0,5})?(#[a-z]{0,3})?",
            r in "((https?|HTTP):)?(//[a-zA-Z0-9.-]{1,12}(:[0-9]{0,6})?)?[a-zA-Z0-9/.:;@?#=&~-]{0,20}(%[0-9a-fA-F]{2})?[a-z/?#.]{0,4}",
        ) {
            check_against_url_crate(&base, r.as_bytes());
        }
        #[test]
        fn whatwg_dot_segments_agree(r in "(\\.{1,2}/|[a-z]{1,2}/|/){0,8}(\\.{0,2})(\\?[a-z.]{0,3})?") {
            for base in BASES {
                check_against_url_crate(base, r.as_bytes());
            }
        }
    }

    #[test]
    fn start_urls_agree_with_the_url_crate() {
        for s in [
            "https://www.example.test/account/profile?tab=1#top",
            "HTTP://A.Test:80/x/../y?q#f",
            "https://a.test:0443",
            "http://a.test:/p",
            "https://a.test",
            "http://h/./a/b/../c/.",
        ] {
            assert!(check_start_against_url_crate(s.as_bytes()), "{s:?}");
        }
        for s in [
            "/relative",
            "//a.test/",
            "http:a",
            "ftp://a.test/",
            "http://u@a.test/",
            "http://1.2.3.4/",
            "http://a.test:65536/",
            "http://a.test/%2e/",
            "http://a.test/it's",
            " http://a.test/",
        ] {
            assert!(!check_start_against_url_crate(s.as_bytes()), "{s:?}");
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        let mut fast = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let v = std::fs::read(e.unwrap().path()).unwrap();
            fast += usize::from(check_start_against_url_crate(&v));
        }
        assert!(
            fast > 40,
            "only {fast} corpus values took the start fast path"
        );
    }

    /// The label-by-label reading of a plain host (the loop `plain_host`
    /// was before its flags), for the differential test below.
    fn plain_host_by_labels(h: &[u8]) -> Option<bool> {
        let labels: Vec<&[u8]> = h.split(|&c| c == b'.').collect();
        let ok = labels.iter().all(|l| {
            !l.is_empty()
                && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && !(l.len() >= 4 && l[..4].eq_ignore_ascii_case(b"xn--"))
        }) && labels.last().is_some_and(|l| l[0].is_ascii_alphabetic());
        ok.then(|| !h.iter().any(u8::is_ascii_uppercase))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        #[test]
        fn plain_host_flags_agree_with_labels(h in "[a-zA-Z0-9.-]{0,3}(xn--|XN--|\\.\\.|[a-z0-9_%é.-]){0,4}[a-zA-Z0-9.-]{0,3}") {
            prop_assert_eq!(plain_host_case(h.as_bytes()), plain_host_by_labels(h.as_bytes()), "{:?}", h);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn random_start_urls_agree(
            s in "(https?|HTTPS?|ftp)://[a-zA-Z0-9._%-]{0,12}(:[0-9]{0,6})?(/[a-zA-Z0-9.;=%'-]{0,5}){0,4}(\\?[a-z=&.]{0,5})?(#[a-z.]{0,3})?",
        ) {
            check_start_against_url_crate(s.as_bytes());
        }
        #[test]
        fn random_start_bytes_agree(v in proptest::collection::vec(any::<u8>(), 0..24)) {
            let mut w = b"http://".to_vec();
            w.extend_from_slice(&v);
            check_start_against_url_crate(&w);
            check_start_against_url_crate(&v);
        }
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
