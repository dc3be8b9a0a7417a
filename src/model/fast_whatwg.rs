//! The Fetch profile's fast paths: a Location value resolved, or a request
//! URL read, straight into a [`WebUrl`]'s buffer, writing exactly what the
//! general path (`model/whatwg.rs`, the `url` crate) writes, for the common
//! shapes where that is cheap to be sure of.
//!
//! [`whatwg_common`] stands in for [`resolve_general`] and
//! [`whatwg_start`] for `Url::parse` in [`WebUrl::set_start`]; each answers
//! `false`, having decided nothing, outside its domain (documented on each),
//! and the general path then gives the result or the error. The wide tier
//! also gives the parser's error for an http(s) authority whose host or
//! port the parser refuses (the `url` crate's own host parser decides the
//! host there, as in the general path): the general path's error, exactly.
//! [`whatwg_common`] has two tiers: a one-pass path for well-formed ASCII
//! values (the common case, and the `decide` benchmark's), and for every
//! other value the wide path of `model/fast_whatwg_wide.rs`, which reads
//! any bytes as the URL parser does (UTF-8 decoding, trimming, tabs,
//! backslashes, percent-encoding, `%2e` dot segments, non-special schemes),
//! knows most hosts without IDNA or an address parser (plain ASCII domains;
//! an IPv4 address in its serialized form and the current URL's own host:
//! [`known_host`]), hands every other http(s) host to the `url` crate's
//! host parser (`url::Host::parse`, the general path's own), and declines
//! userinfo when the policy refuses it, `file:` and the other special
//! schemes, and a few forms listed there. On the `location_parse` fuzz
//! corpus 48 % of the values took a fast path against the fuzz target's
//! base (17 % before the wide path; measured before the IPv4, own-host and
//! host-parser cases, which add to it).
//! [`check_against_general`] and [`check_start_against_general`] compare
//! them with the general path: the unit tests below on the corpus and on
//! random values (and random bytes) against random bases, under every
//! setting of the policy switches the Location path reads, each tier on
//! its own; the `resolve_whatwg` and `location_differential` fuzz targets on every
//! input they make.

use super::fast::parse_common;
use super::fast::push_port;
use super::fast_whatwg_wide::whatwg_wide;
use super::location::LocationError;
use super::profile::Policy;
use super::resolve::{apply_dot_segment_rules, has_dot_segment, resolve_by_concatenation};
use super::uri::{Parts, UriRef};
#[cfg(any(test, feature = "fuzz"))]
use super::whatwg::GeneralParse;
use super::whatwg::WebUrl;

/// The general path the fast paths stand in for.
#[cfg(doc)]
use super::whatwg::resolve_general;

/// The WHATWG fast path: writes into `out` exactly the serialization the
/// `url` crate gives for `v` parsed against `base` (then fragment
/// inheritance), and answers `Ok(true)`; or gives the general path's error
/// where [`whatwg_wide`] decides one; or answers `Ok(false)`, having
/// decided nothing, when `v` or `base` is outside its domain: the one-pass
/// path's (below), then [`whatwg_wide`]'s.
///
/// ## The one-pass path's domain, and why the result equals the WHATWG parser's there
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
///   needs a last label that is a number); or, [`known_host`], an IPv4
///   address written as the IPv4 serializer writes it (four decimal parts
///   0-255 without leading zeros), or the current URL's own host up to ASCII
///   case (which the host parser gives back: no IDNA again, e.g. for
///   `xn--bcher-kva.test`). A port of at most five digits and
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
///
/// # Errors
/// The general path's error, where [`whatwg_wide`] decides one (the
/// one-pass path never does).
#[inline(always)]
pub(crate) fn whatwg_common(
    base: &WebUrl,
    v: &[u8],
    out: &mut WebUrl,
    policy: &Policy,
) -> Result<bool, LocationError> {
    if whatwg_one_pass(base, v, out, policy) {
        return Ok(true);
    }
    whatwg_wide(base, v, out, policy)
}

/// The one-pass path as a function of its own that answers a plain
/// `bool` (the `decide` benchmark's steps take it: measured with
/// callgrind, the caller's code is then what it was before the wide path
/// could give errors).
#[inline(never)]
fn whatwg_one_pass(base: &WebUrl, v: &[u8], out: &mut WebUrl, policy: &Policy) -> bool {
    whatwg_ascii(base, v, out, policy)
}

/// [`whatwg_common`]'s one-pass path for well-formed ASCII values (the
/// domain above); `false` hands the value to [`whatwg_wide`].
#[inline(always)]
fn whatwg_ascii(base: &WebUrl, v: &[u8], out: &mut WebUrl, policy: &Policy) -> bool {
    whatwg_ascii_parsed(base, v, parse_common(v), out, policy)
}

/// [`whatwg_ascii`] once `v` is read: `common` is `parse_common(v)` (the
/// differential check reads a value once for every policy).
#[inline(always)]
fn whatwg_ascii_parsed(
    base: &WebUrl,
    v: &[u8],
    common: Option<UriRef<'_>>,
    out: &mut WebUrl,
    policy: &Policy,
) -> bool {
    let Some(r) = common else {
        return false;
    };
    let b = base.buf.as_uri_ref();
    let Some(base_scheme) = fast_base_scheme(&b) else {
        return false;
    };
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
        // No `%` and no `[` in a host here (`parse_common`): it is its own
        // percent-decoding, and no IPv6 address.
        if !plain_host(host.as_bytes()) && !known_host_out_of_line(host, base) {
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
                push_port(text, parts, n);
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
#[inline]
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

/// The scheme of a base both fast paths take: `http` or `https`, with a
/// host and no userinfo (so the policy's userinfo check has nothing to
/// refuse in what is copied from it).
#[inline(always)]
pub(super) fn fast_base_scheme<'a>(b: &'a UriRef<'_>) -> Option<&'a str> {
    let scheme = b.scheme().filter(|s| matches!(*s, "http" | "https"))?;
    (b.userinfo().is_none() && b.authority().is_some()).then_some(scheme)
}

/// Whether [`write_whatwg`] would write `r` (with a scheme and an
/// authority, in its domain) as it is, with the same offsets: the scheme in
/// lower case, a plain host in lower case or an IPv4 address as the IPv4
/// serializer writes it ([`is_canonical_ipv4`]), no port or one written without
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
        && (plain_host_case(host) == Some(true) || super::uri::check_ipv4(host).is_ok())
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

/// The URL Standard's host parser for a special (`http`/`https`) URL's
/// host `h` that is not a [`plain_host`], in the two cases where the result
/// is known without IDNA or an address parser, given `h` after its
/// percent-decoding (the parser's first step for a host that does not start
/// with `[`); `current` is the current URL's host, as serialized. Answers
/// whether the host's serialization is `h` in lower case (`false`: the
/// general path decides).
///
/// - `h` in the IPv4 serializer's own form ([`is_canonical_ipv4`]): "domain
///   to ASCII" leaves digits and dots as they are, the result "ends in a
///   number", so the host is the "IPv4 parser"'s address, which the "IPv4
///   serializer" writes as `h` again.
/// - `h` equal to `current` up to ASCII case, `current` not an IPv6 address
///   (`[`...`]`, which is never compared after percent-decoding: the parser
///   reads `[` before it decodes). `current` is the host parser's output for
///   an `http`/`https` URL (the fast paths take no other base): a domain
///   (UTS 46 "ToASCII" output: lower-case ASCII, no forbidden domain code
///   point, not ending in a number) or an IPv4 address (taken above). For a
///   domain, "domain to ASCII" of it (or of it in another ASCII case: UTS 46
///   maps ASCII upper case to lower case first) gives it back: its
///   `xn--` labels decode to the labels ToASCII encoded, which are mapped
///   and NFC already and passed the same validity checks, and its other
///   labels are lower-case ASCII. It does not end in a number, so it is the
///   host. So the IDNA processing the `url` crate runs on every parse of
///   such a host (validating each `xn--` label) is skipped; the tests
///   re-parse hosts made from IDN inputs to check that it gives them back.
pub(super) fn known_host(h: &str, current: Option<&str>) -> bool {
    is_canonical_ipv4(h)
        || current.is_some_and(|c| !c.starts_with('[') && c.eq_ignore_ascii_case(h))
}

/// [`known_host`] against `base`'s host, kept out of the one-pass path's
/// code (a host that is not plain is rare there: the `decide` benchmark's
/// steps have none).
#[cold]
#[inline(never)]
fn known_host_out_of_line(h: &str, base: Option<&UriRef<'_>>) -> bool {
    known_host(h, base.and_then(UriRef::host))
}

/// `h` is four decimal numbers from 0 to 255 joined by `.`, each without
/// leading zeros: exactly what the URL Standard's IPv4 serializer writes,
/// and exactly RFC 3986's `IPv4address` (its `dec-octet` has no leading
/// zero), so the strict parser's check is this rule's one definition.
/// Every such `h` "ends in a number" and the IPv4 parser reads it as that
/// address. Every other host that ends in a number (hexadecimal or octal
/// parts, fewer than four parts, leading zeros, a trailing `.`, a part
/// above 255) is not taken: the general path parses (or refuses) it.
pub(super) fn is_canonical_ipv4(h: &str) -> bool {
    super::uri::check_ipv4(h.as_bytes()).is_ok()
}

/// A port of one to five digits, at most 65535.
fn small_port(p: &str) -> Option<u16> {
    if p.len() > 5 {
        return None;
    }
    p.parse().ok()
}

// ---- differential check ---------------------------------------------------------

/// The differential check of the WHATWG Location fast path, for tests and
/// fuzz targets: runs [`whatwg_common`] and the general path
/// ([`resolve_general`]) on `v` against `base` under the Fetch policy with
/// every setting of the switches the Location path reads
/// ([`SWITCHES`](super::strict::SWITCHES): relative values, fragment
/// inheritance, userinfo), and panics when the fast path answers and the
/// general path gives another text, other offsets or an error, or when the
/// wide path gives an error and the general path gives another error or a
/// URL. The general
/// path runs as its two parts ([`GeneralParse`]): the parse against the
/// base, which no switch reads, once per value (when a fast path answers
/// under some setting), and the policy's checks and fragment inheritance
/// under each setting. Answers whether the fast path decided `v` (took it,
/// or gave an error) under the Fetch profile's own switches; `false` when
/// `base` does not parse.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_against_general(base: &str, v: &[u8]) -> bool {
    check_under(base, v, super::strict::ALL_SETTINGS)
}

/// [`check_against_general`] under the settings of the switches in
/// `settings` only (the `resolve_whatwg` fuzz target's input picks one).
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_under(base: &str, v: &[u8], settings: super::strict::Settings) -> bool {
    // The base as the machine holds it after a fast hop. The fuzz targets
    // check a handful of bases over and over, so the last few read are kept
    // (per thread) instead of parsed on every call.
    with_recent_base(base, |b| check_against_base(b, base, v, settings)).unwrap_or(false)
}

/// [`check_under`] once the base `b` (whose text is `base`) is read with
/// [`read_base`].
#[cfg(any(test, feature = "fuzz"))]
fn check_against_base(b: &WebUrl, base: &str, v: &[u8], settings: super::strict::Settings) -> bool {
    check_keeping_parse(b, base, v, settings).0
}

/// [`check_against_base`], also giving the general path's policy-free
/// part ([`GeneralParse`]) of `v` against `b` when the check ran it (when a
/// fast path took `v` under a setting asked for): the `resolve_whatwg` fuzz
/// target, which keeps the bases it reads, compares the same parse with
/// RFC 3986 resolution.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_keeping_parse<'v>(
    b: &WebUrl,
    base: &str,
    v: &'v [u8],
    settings: super::strict::Settings,
) -> (bool, Option<GeneralParse<'v>>) {
    use std::cell::RefCell;
    thread_local! {
        /// The buffers the three paths write into, kept per thread (as the
        /// machine keeps its own) so that they stay grown.
        static SCRATCH: RefCell<(WebUrl, WebUrl, WebUrl)> = RefCell::default();
    }
    SCRATCH.with_borrow_mut(|(ascii, wide, general)| {
        check_with_buffers(b, base, v, settings, ascii, wide, general)
    })
}

/// [`check_keeping_parse`] with the buffers the fast paths and the general
/// path write into.
#[cfg(any(test, feature = "fuzz"))]
fn check_with_buffers<'v>(
    b: &WebUrl,
    base: &str,
    v: &'v [u8],
    settings: super::strict::Settings,
    ascii: &mut WebUrl,
    wide: &mut WebUrl,
    general: &mut WebUrl,
) -> (bool, Option<GeneralParse<'v>>) {
    let mut took_default = false;
    let mut parsed = None;
    // The one-pass path reads `v` the same way under every policy: once.
    let common = parse_common(v);
    super::strict::with_switched_policies(super::Profile::Fetch, |policies| {
        thread_local! {
            /// The Fetch profile's own setting of the switches.
            static OWN: (bool, bool, bool) = {
                let fetch = super::Profile::Fetch.policy();
                (fetch.relative_location, fetch.inherit_fragment, fetch.refuse_userinfo)
            };
        }
        let own = OWN.with(|o| *o);
        for (i, ((relative, inherit, userinfo), policy)) in policies.iter().enumerate() {
            if settings & (1 << i) == 0 {
                continue;
            }
            // Both tiers of `whatwg_common`, each on its own: the wide path
            // is compared on the values the one-pass path takes as well.
            // `whatwg_ascii(b, v, ..)`, `v` read once above.
            let took_ascii = whatwg_ascii_parsed(b, v, common, ascii, policy);
            // The wide path's answer: took it, declined, or its error.
            let wide_says = whatwg_wide(b, v, wide, policy);
            let took_wide = wide_says == Ok(true);
            if !took_ascii && wide_says == Ok(false) {
                continue;
            }
            took_default |= (*relative, *inherit, *userinfo) == own;
            let how = |path: &str| {
                let shown = String::from_utf8_lossy(v);
                format!(
                    "{path} took {shown:?} against {base} (relative {relative}, inherit {inherit}, refuse userinfo {userinfo})"
                )
            };
            // The general path's policy-free part, once per value.
            let parsed = parsed.get_or_insert_with(|| GeneralParse::new(b, v, 0));
            let general_says = parsed.resolve(b, general, policy);
            // An error the wide path decides is the general path's, exactly
            // (and the one-pass path, which never gives one, must not have
            // taken the value).
            if let Err(fast) = wide_says {
                assert!(
                    !took_ascii,
                    "{}; the wide path refuses it with {fast:?}",
                    how("the one-pass path")
                );
                assert!(
                    general_says == Err(fast),
                    "{}: the wide path refused with {fast:?}, the general path gives {:?}",
                    how("the wide path"),
                    general_says.map(|()| general.as_str())
                );
                continue;
            }
            if let Err(e) = general_says {
                let path = if took_ascii {
                    "the one-pass path"
                } else {
                    "the wide path"
                };
                panic!("{}; the general path says {e}", how(path));
            }
            for (path, took, fast) in [
                ("the one-pass path", took_ascii, &*ascii),
                ("the wide path", took_wide, &*wide),
            ] {
                if took
                    && (fast.as_str(), fast.buf.parts()) != (general.as_str(), general.buf.parts())
                {
                    panic!(
                        "{}: fast path {:?}, general path {:?}",
                        how(path),
                        (fast.as_str(), fast.buf.parts()),
                        (general.as_str(), general.buf.parts())
                    );
                }
            }
        }
    });
    (took_default, parsed)
}

/// `f` on `base` read by [`read_base_parsed`]; `None` when the URL parser
/// refuses `base`. The bases read last are kept in a small per-thread
/// list.
#[cfg(any(test, feature = "fuzz"))]
fn with_recent_base<R>(base: &str, f: impl FnOnce(&WebUrl) -> R) -> Option<R> {
    use std::cell::RefCell;
    /// Bases kept per thread (`location_differential` uses nine: more
    /// than kept would miss on every call, the list being a FIFO).
    const KEPT: usize = 12;
    thread_local! {
        static RECENT: RefCell<Vec<(String, WebUrl)>> = const { RefCell::new(Vec::new()) };
    }
    RECENT.with_borrow_mut(|recent| {
        let i = match recent.iter().position(|(text, _)| text == base) {
            Some(i) => i,
            None => {
                let b = read_base_parsed(base)?;
                if recent.len() == KEPT {
                    recent.remove(0);
                }
                recent.push((base.to_owned(), b));
                recent.len() - 1
            }
        };
        Some(f(&recent[i].1))
    })
}

/// `base` read as the machine holds it after a fast hop: the
/// serialization and offsets (which the fast paths read), with the parsed
/// form the general path would make of that text (`Url::parse` of the
/// serialization) when it is at hand: when `base` is
/// its own serialization, that is the parse of `base` itself (otherwise
/// the general path makes it when it needs it). `None` when the URL parser
/// refuses `base`.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn read_base(base: &str) -> Option<WebUrl> {
    let url = url::Url::parse(base).ok()?;
    let mut b = WebUrl::default();
    b.copy_url(&url);
    b.url = (url.as_str() == base).then_some(url);
    Some(b)
}

/// [`read_base`] with the parsed form always at hand: when `base` is not
/// its own serialization, the parse of the serialization (which the
/// general path would make) is made now. For bases kept and checked
/// against many values.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn read_base_parsed(base: &str) -> Option<WebUrl> {
    let mut b = read_base(base)?;
    b.parsed_kept().ok()?;
    Some(b)
}

/// The differential check of the WHATWG start fast path ([`whatwg_start`],
/// which a machine's start and restart use): when it answers for `v`, it
/// wrote the text and offsets of the general path (`Url::parse`, as
/// [`WebUrl::set_start`] without its fast path). Panics on any difference;
/// answers whether the fast path answered.
#[cfg(test)]
pub(crate) fn check_start_against_general(v: &[u8]) -> bool {
    let mut out = WebUrl::default();
    if !whatwg_start(v, &mut out) {
        return false;
    }
    let shown = String::from_utf8_lossy(v);
    let mut general = WebUrl::default();
    if let Err(e) = general.set_start(&shown, false) {
        panic!("start fast path accepted {shown:?}; the general path says {e}");
    }
    assert_eq!(
        (out.as_str(), out.buf.parts()),
        (general.as_str(), general.buf.parts()),
        "{shown:?}"
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use url::{Position, Url};

    pub(crate) const BASES: &[&str] = &[
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
            // A non-special path's segment that starts with a drive letter
            // and `\` (found by location_differential).
            ("http://a/b/c/d;p?q", b"h://\xcd/s:\\/.."),
            ("https://a.test/x", b"x://h/c|\\y/.."),
        ] {
            assert!(!check_against_general(base, v), "{v:?}");
        }
        // Without `..` the fast path keeps them.
        assert!(check_against_general("http://a/c:/x/", b"y/z"));
        assert!(check_against_general("http://a/x/", b"/c:/y"));
        assert!(check_against_general("http://a/x/", b"x://h/cd:\\/.."));
    }

    /// The differential checks run the general path as its two parts
    /// (`GeneralParse`): under every policy, the same answer as the
    /// general path in one call, on every corpus value against every base.
    #[test]
    fn general_path_in_two_parts_is_the_general_path() {
        use crate::model::whatwg::resolve_general;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        let mut values: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        values.extend([&b"//u:p@h.test/x"[..], b"x", b"http://h.test", b"#f"].map(<[u8]>::to_vec));
        crate::model::strict::with_switched_policies(crate::Profile::Fetch, |policies| {
            for base in BASES {
                let url = Url::parse(base).unwrap();
                // As the machine holds a URL after a fast hop, and after a general one.
                let mut text_only = WebUrl::default();
                text_only.copy_url(&url);
                let parsed = WebUrl::from_url(url);
                for mut b in [text_only, parsed] {
                    for v in &values {
                        let two = GeneralParse::new(&b, v, 3);
                        for (_, policy) in policies {
                            let (mut one_out, mut two_out) = (WebUrl::default(), WebUrl::default());
                            let one = resolve_general(&mut b, v, 3, &mut one_out, policy);
                            assert_eq!(one, two.resolve(&b, &mut two_out, policy), "{v:?}");
                            assert_eq!(
                                (one_out.as_str(), one_out.buf.parts()),
                                (two_out.as_str(), two_out.buf.parts()),
                                "{v:?} against {base}"
                            );
                        }
                    }
                }
            }
        });
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
            assert_eq!(w.host_str(), url.host_str(), "{s}");
            assert_eq!(w.fragment(), url.fragment());
            // As the machine reads a URL of either mode (machine/urls.rs, `View`).
            let b = w.buf();
            assert_eq!(b.scheme().unwrap_or_default(), url.scheme());
            assert_eq!(
                b.host().unwrap_or_default(),
                url.host_str().unwrap_or_default()
            );
            let port = b
                .port()
                .and_then(|p| crate::model::strict::port_number(p.as_bytes()));
            assert_eq!(port, url.port(), "{s}");
            assert_eq!(b.without_fragment(), &url[..Position::AfterQuery]);
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
                check_against_general(base, s.as_bytes()),
                "{s:?} left the fast path"
            );
        }
    }

    #[test]
    fn whatwg_outside_the_domain_goes_to_the_url_crate() {
        let base = BASES[0];
        for s in [
            "ftp://h/",
            "ftp://h:8a/",
            "ftp://:80/",
            "ws://h\u{fffd}/",
            "wss://h:65536/",
            "//h.test:/x^y",
            "/c:/..",
            "file:///x",
            "FILE:x",
            "file://h%zz/",
            "x:/path",
            "x://u@h/",
            "x://[::1]/",
            "x://h\\x/",
            "x://h:1\\/",
            "x:a b",
            "x://:80/",
            "x:///p",
            "x://h:8a/",
            "x://h<x/",
            "x://h:65536/",
            "/a\rb",
            "/a\0",
        ] {
            assert!(
                !check_against_general(base, s.as_bytes()),
                "{s:?} took the fast path"
            );
        }
        // Bases outside the domain.
        assert!(!check_against_general("https://u:p@h.test/x", b"/y"));
        assert!(!check_against_general("ftp://h.test/x", b"/y"));
    }

    /// Hosts the wide path does not know on its own (IDNA, `xn--` labels,
    /// escapes, address forms, IPv6): the `url` crate's host parser decides
    /// them inside the wide path, a URL or its error, as in the general path.
    #[test]
    fn other_hosts_go_to_the_url_crate_s_host_parser() {
        let hosts = [
            "1.2.3.4.",
            "01.2.3.4",
            "h.0x7f",
            "xn--nxasmq6b.test",
            "XN--NXASMQ6B.test",
            "xn--a.test",
            "h\u{e9}.test",
            "H\u{c9}.test",
            "h%2f.test",
            "h%c3%a9.test",
            "%78n--nxasmq6b.test",
            "h.test%2e%31",
            "h%zz.test",
            "a.1.",
            "h.0X1.",
            "h.test%00",
            "[::1]",
            "[0:0::1]",
            "[::1",
            "[::1]x",
            "a[b]",
            "\u{ff21}.test",
            "fa\u{df}.de",
            "h\u{ad}.test",
            "<\u{338}.test",
        ];
        for base in BASES {
            if base.contains('@') {
                continue;
            }
            for h in hosts {
                // (Against the base with that host, the current host is known.)
                assert!(
                    !super::super::fast_whatwg_wide::knows_host(h, None),
                    "{h:?}"
                );
                for v in [
                    format!("//{h}/x"),
                    format!("https://u:p@{h}:8080/x?q"),
                    format!("http:\\\\{h}:8a"),
                ] {
                    assert!(
                        check_against_general(base, v.as_bytes()),
                        "{v:?} against {base} left the fast path"
                    );
                }
            }
        }
    }

    /// The host's and the port's errors the wide path gives are the general
    /// path's (`check_against_general` compares them under every setting),
    /// the host's before the port's.
    #[test]
    fn wide_path_gives_host_and_port_errors() {
        use url::ParseError::{
            EmptyHost, IdnaError, InvalidIpv4Address, InvalidIpv6Address, InvalidPort,
        };
        let policy = super::super::Profile::Fetch.policy();
        let decided: &[(&[u8], url::ParseError)] = &[
            (b"//", EmptyHost),
            (b"//u@/", EmptyHost),
            (b"//@/x", EmptyHost),
            (b"https://u:p@:80/", EmptyHost),
            (b"http:\\\\:1", EmptyHost),
            (b"//\t/", EmptyHost),
            (b"//h%2f.test/", IdnaError),
            (b"//h%zz.test/", IdnaError),
            (b"//h.test%00/", IdnaError),
            (b"//h%25.test/", IdnaError),
            (b"//h .test/", IdnaError),
            (b"//h<.1.2.3/", IdnaError),
            (b"//u@h|x.test:8a/", IdnaError),
            (b"//h^.test", IdnaError),
            (b"//h]:8a/", IdnaError),
            (b"//h[x:1]/", IdnaError),
            (b"//h\x7f.test/", IdnaError),
            // Invalid UTF-8 and U+FFFD, raw or escaped (the cheap refusal).
            (b"//h\xff.test/", IdnaError),
            (b"https://a.test\xff", IdnaError),
            (b"//h%ff.test/", IdnaError),
            (b"//h%c3.test/", IdnaError),
            (b"//h\xc3%a9.test/", IdnaError),
            (b"//h%EF%BF%BD.test/", IdnaError),
            (b"//h\xef\xbf\xbd.test/", IdnaError),
            (b"//h\xc3\xa9\xff.test:8a/", IdnaError),
            (b"//u:p@h\xff:99999/", IdnaError),
            (b"//\xff@h\xff[:1]/", IdnaError),
            (b"//h\xc3\t\xa9.test/", IdnaError),
            (b"\t/\t/h\t%ff:80/", IdnaError),
            (b"//xn--a.test/", IdnaError),
            (b"//xn--ls8h\xff.test:8a/", IdnaError),
            (b"//h.test:65536/", InvalidPort),
            (b"//h.test:8a/", InvalidPort),
            (b"//h.test:0x50/", InvalidPort),
            (b"https://h.test:99999999999/", InvalidPort),
            (b"//u:p@h.test:8 /", InvalidPort),
            (b"/\\h.test:\xc3\xa9", InvalidPort),
            (b"//h\xc3\xa9.test:8a/", InvalidPort),
            (b"//1.2.3.4:8a/", InvalidPort),
            (b"//[::1]:8a/", InvalidPort),
            (b"//999.1.2.3/", InvalidIpv4Address),
            (b"//1.2.3.4.5:8a/", InvalidIpv4Address),
            (b"//[::1/", InvalidIpv6Address),
            (b"//[::g]/", InvalidIpv6Address),
            (b"//[::1]x/", InvalidIpv6Address),
        ];
        for base in BASES {
            let Some(b) = with_recent_base(base, Clone::clone) else {
                continue;
            };
            if fast_base_scheme(&b.buf.as_uri_ref()).is_none() {
                continue;
            }
            let mut out = WebUrl::default();
            for &(v, e) in decided {
                assert_eq!(
                    whatwg_wide(&b, v, &mut out, &policy),
                    Err(LocationError::Whatwg(e)),
                    "{:?} against {base}",
                    String::from_utf8_lossy(v)
                );
                assert!(check_against_general(base, v), "{v:?}");
            }
        }
    }

    /// The wide path's shapes (`model/fast_whatwg_wide.rs`), each against
    /// every base: the one-pass path declines them all.
    #[test]
    fn wide_shapes_take_the_fast_path() {
        let values: &[&[u8]] = &[
            b"http:g",
            b"https:/x",
            b"HTTPS:example.test/p",
            b"https:\\\\example.test:0443\\p\\..\\q",
            b"http:////example.test",
            b"///h/x",
            b"/\\h.test/x",
            b"\\\\evil.test\\x",
            b"/a/%2e%2E/b",
            b"/a/b/%2E./c/.%2e",
            b"/a/./%2e",
            b"a/..",
            b"..\\..\\..\\x",
            b"/it's?it's#it's",
            b" \x01/a\tb/c\x1f ",
            b"h\tt\ttp://x.test/",
            b"//a?\xc3\t\xa9#\xe2\t\x82\xac",
            b"/\t/\t/h.test/",
            b"/caf\xc3\xa9?q=\xc3\xa9#\xc3\xa9",
            b"/\xff\xfe?\xc3#\xe2\x82",
            b"\xef\xbb\xbfjavascript:alert(1)",
            b"/{x}`y`<z>\"q\" ?{x}`y`<z>\"q\" #{x}`y`<z>\"q\" ",
            b"/%zz/%/%41?%#%",
            b"/a|b/c:d/e:/x|",
            b"?^`{}",
            b"#^|\x7f",
            b"\x01\x02",
            b"//H.Test:00080/../..",
            b"https://h.test:65535",
            b"http://h.test:?q",
            b"/x#",
            b"//h..t/",
            b"//a../",
            b"//127.0.0.1x/",
            b"//a.1x.0x1g/",
            b"//h.test./",
            b"//h_t.test/",
            b"//h%41.test/x",
            b"//A%2eB.Test",
            b"//a!$&'()*+,;=_~{}`\"b.test/",
            b"//x.y.",
            b"//-x-.y-/",
            b"?",
            b"#",
            b"//u@h/",
            b"//u:p@h/",
            b"//:p@h",
            b"//u:@h",
            b"//@h/x",
            b"//a@b@c/",
            b"//u:p:q@h",
            b"//\xc3\xa9:\x01 ^|[]@h.test/",
            b"https://u@h.test:8080/",
            b"javascript:alert(1)",
            b"data:text/html,<b>x</b>",
            b"mailto:a@b?subject=x'y#f`",
            b"h2://Host:0080/a/../b/%2e/c?q'#f",
            b"myapp://callback?code=abc",
            b"x://H\x01st\xc3\xa9/p\\q/./",
            b"web+x:\xff\x01?\xff'\x7f#\xff",
            b"x://h",
            b"x://h?q",
            b"x://h:/#f",
        ];
        for base in BASES {
            if base.contains('@') {
                continue;
            }
            for v in values {
                assert!(
                    check_against_general(base, v),
                    "{:?} against {base} left the fast path",
                    String::from_utf8_lossy(v)
                );
            }
        }
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
                fast += usize::from(check_against_general(base, v));
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
            check_against_general(&base, r.as_bytes());
        }
        #[test]
        fn whatwg_random_in_domain_references_agree(
            base in "https?://[a-z0-9-]{1,6}(\\.[a-zA-Z][a-z0-9]{0,4}){1,2}(:[0-9]{1,5})?(/[a-z.;=]{0,4}){0,3}(\\?[a-z=&]{0,5})?(#[a-z]{0,3})?",
            r in "((https?|HTTP):)?(//[a-zA-Z0-9.-]{1,12}(:[0-9]{0,6})?)?[a-zA-Z0-9/.:;@?#=&~-]{0,20}(%[0-9a-fA-F]{2})?[a-z/?#.]{0,4}",
        ) {
            check_against_general(&base, r.as_bytes());
        }
        #[test]
        fn whatwg_random_bytes_agree(
            prefix in "(https?:|HTTPS?:|ftp:|x:|Web+X:|javascript:|//|/|\\\\|\\./|\\.\\./|)(/|\\\\){0,3}([a-zA-Z0-9._%!~-]{1,8}(:[0-9]{0,6})?)?",
            v in proptest::collection::vec(proptest::sample::select(
                b"/\\.%2eE?#\t \x01\x1f\x7f\xff\xc3\xa9a:hc|@^'`{<\"[0x-".to_vec()), 0..24),
        ) {
            let mut w = prefix.into_bytes();
            w.extend_from_slice(&v);
            for base in BASES {
                check_against_general(base, &w);
            }
        }
        #[test]
        fn ipv4_like_hosts_agree(
            pre in "(https?://|HTTP://|//|/\\\\|http:|https:\\\\u@)",
            h in "((0|1|01|00|9|10|99|100|199|249|250|255|256|300|0x7f|0X1|4294967295|%31|%2e|1\t|)\\.?){1,5}",
            port in "(:[0-9]{0,5})?",
        ) {
            let v = format!("{pre}{h}{port}/x");
            for base in BASES {
                check_against_general(base, v.as_bytes());
                check_start_against_general(v.as_bytes());
            }
        }
        /// Authorities near the hosts and ports the wide path hands to the
        /// host parser or refuses: forbidden domain code points raw and
        /// percent-encoded, invalid UTF-8, U+FFFD, other non-ASCII, `xn--`,
        /// brackets and IPv6 forms, IPv4 forms, ports, userinfo, tabs.
        #[test]
        fn whatwg_random_authorities_agree(
            prefix in "(https?://|HTTPS:|//|\\\\|/\\|http:)(u(:p)?@|@)?",
            host in proptest::collection::vec(proptest::sample::select(vec![
                &b"a"[..], b"x", b".", b"-", b"0", b"1", b"255", b"0x", b"%2f", b"%zz", b"%c3",
                b"%a9", b"%ff", b"%EF%BF%BD", b"%2e", b"%41", b"\xff", b"\xc3", b"\xa9",
                b"\xef\xbf\xbd", b"\xcc\xb8", b"\xe2\x80\x8d", b"\xef\xbc\xa1",
                b"xn--", b"XN--", b"ls8h", b"-kva", b" ", b"<", b"^", b"|", b"[", b"]",
                b"::", b":", b"@", b"\t", b"\x01", b"\x7f", b"[::1]", b"[1:2::ffff:1.2.3.4]",
            ]), 0..10),
            port in "(:[0-9]{0,6}[a /]?)?",
            tail in "(/[a-z.%]{0,4})?(\\?[a-z]{0,2})?(#[a-z]{0,2})?",
        ) {
            let mut w = prefix.into_bytes();
            for h in host {
                w.extend_from_slice(h);
            }
            w.extend_from_slice(port.as_bytes());
            w.extend_from_slice(tail.as_bytes());
            for base in BASES {
                check_against_general(base, &w);
            }
        }
        #[test]
        fn whatwg_dot_segments_agree(r in "(\\.{1,2}/|[a-z]{1,2}/|/){0,8}(\\.{0,2})(\\?[a-z.]{0,3})?") {
            for base in BASES {
                check_against_general(base, r.as_bytes());
            }
        }
    }

    /// The URL Standard's host parser, "ends in a number", IPv4 parser and
    /// IPv4 serializer: a host in the serializer's own form (four decimal
    /// parts 0-255, no leading zeros) takes the fast paths, against every
    /// base, with ports, userinfo, case, percent-escapes and tabs around it;
    /// every other host that ends in a number goes to the `url` crate.
    #[test]
    fn ipv4_hosts_in_serialized_form_take_the_fast_path() {
        let taken: &[&[u8]] = &[
            b"//0.0.0.0/",
            b"http://255.255.255.255/",
            b"https://1.2.3.4:8080/x?q#f",
            b"HTTP://127.0.0.1:80/a/../b",
            b"//127.0.0.1",
            b"https://10.0.0.1:443",
            b"//100.20.3.249:0/",
            // The wide path: userinfo, escapes, tabs, backslashes.
            b"http://u:p@127.0.0.1/",
            b"//%31.2.3.4/",
            b"//1.2.%33.4/x",
            b"//1.2.\t3.4/x",
            b"http:\\\\127.0.0.1\\x",
            b"/\\192.168.0.1:65535/x y",
        ];
        // Not known without the IPv4 parser: the `url` crate's host parser
        // decides them (an address or its error) inside the wide path.
        let parsed = [
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3.00",
            "1.2.3",
            "1.2.3.4.",
            "1.2.3.4.5",
            "0x7f.0.0.1",
            "0X7F.1",
            "1..2.3",
            "4294967295",
            "1.2.3.4%2e",
            "1.2.3.%30%31",
            "1.2.3.999",
            "0.0.0.0x",
        ];
        for base in BASES {
            if base.contains('@') {
                continue;
            }
            for v in taken {
                assert!(
                    check_against_general(base, v),
                    "{:?} against {base} left the fast path",
                    String::from_utf8_lossy(v)
                );
            }
            for h in parsed {
                assert!(!super::super::fast_whatwg_wide::knows_host(h, None), "{h}");
                let v = format!("//{h}/");
                assert!(
                    check_against_general(base, v.as_bytes()),
                    "{v:?} against {base} left the fast path"
                );
            }
        }
        assert!(is_canonical_ipv4("0.0.0.0") && is_canonical_ipv4("255.255.255.255"));
        for h in [
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.",
            "0x7f.0.0.1",
            "",
            "...",
            "1.2.3.4.5",
            "+1.2.3.4",
            "1.2.3.-4",
        ] {
            assert!(!is_canonical_ipv4(h), "{h}");
        }
    }

    /// Every host the `url` crate gives an http(s) URL (from IDN inputs,
    /// upper case, escapes, IPv4 and IPv6 forms) parses back to itself, in
    /// any ASCII case: what `known_host` relies on. And a Location value
    /// with the current URL's own host takes the fast paths (no IDNA again)
    /// and writes what the `url` crate writes.
    #[test]
    fn the_current_url_s_own_host_parses_back_to_itself() {
        let inputs = [
            "b\u{fc}cher.test",
            "B\u{dc}CHER.test",
            "xn--bcher-kva.test",
            "XN--BCHER-KVA.TEST",
            "\u{ff22}\u{fc}cher.test",
            "fa\u{df}.de",
            "\u{4f8b}\u{3048}.\u{30c6}\u{30b9}\u{30c8}",
            "\u{3b5}\u{3bb}.test",
            "xn--nxasmq6b.test",
            "\u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}.test",
            "a.b..c",
            "a.test.",
            "ab--c.test",
            "x_y.test",
            "%62%C3%BCcher.test",
            "1.2.3.4",
            "0x7f.1",
            "127.1",
            "[::1]",
            "[::FFFF:1.2.3.4]",
            "[0:0:0:0:0:0:0:1]",
            "[2001:DB8::1]",
        ];
        let mut idn = 0;
        for input in inputs {
            for scheme in ["http", "https"] {
                let Ok(url) = Url::parse(&format!("{scheme}://{input}/p")) else {
                    continue;
                };
                let host = url.host_str().unwrap().to_owned();
                for again in [host.clone(), host.to_ascii_uppercase()] {
                    let re = Url::parse(&format!("{scheme}://{again}/q")).unwrap();
                    assert_eq!(re.host_str(), Some(&*host), "{input} -> {host} -> {again}");
                }
                let base = url.as_str();
                let upper = host.to_ascii_uppercase();
                for v in [
                    format!("//{host}/x"),
                    format!("https://{upper}:8080/x?q"),
                    format!("http://{host}:80"),
                    format!("//u@{host}/"),
                    format!("/\\{host}\\x"),
                ] {
                    assert!(
                        check_against_general(base, v.as_bytes()),
                        "{v:?} against {base} left the fast path"
                    );
                }
                if host.contains("xn--") {
                    idn += 1;
                    // Escapes and a tab in the host, as the parser reads them.
                    let escaped = host.replacen('.', "%2E", 1);
                    let tabbed = host.replacen('-', "-\t", 1);
                    for v in [format!("//{escaped}/x"), format!("//{tabbed}/x")] {
                        assert!(
                            check_against_general(base, v.as_bytes()),
                            "{v:?} against {base}"
                        );
                    }
                    // Not the current host: the host parser's (IDNA again).
                    for h in [format!("{host}."), format!("{host}x")] {
                        let known = super::super::fast_whatwg_wide::knows_host(&h, Some(&host));
                        assert!(!known, "{h:?} against {base}");
                        let v = format!("//{h}/x");
                        assert!(
                            check_against_general(base, v.as_bytes()),
                            "{v:?} against {base}"
                        );
                    }
                }
            }
        }
        assert!(idn >= 10, "only {idn} IDN hosts");
        // An IPv6 host is compared before any percent-decoding; the host
        // parser decides the others.
        for (v, h) in [
            ("//%5B::1%5D/", "%5B"),
            ("//[::1]x/", "[::1]x"),
            ("//[0::1]/", "[0::1]"),
            ("//[::1%5D/", "[::1%5D"),
        ] {
            let known = super::super::fast_whatwg_wide::knows_host(h, Some("[::1]"));
            assert!(!known, "{h:?}");
            assert!(
                check_against_general("http://[::1]:8080/x", v.as_bytes()),
                "{v:?}"
            );
        }
        // A decoded host equal to an IPv6 base host is no IPv6 address.
        assert!(!super::super::fast_whatwg_wide::knows_host(
            "%5B::1%5D",
            Some("[::1]")
        ));
        assert!(check_against_general("http://[::1]/x", b"//%5B::1]/"));
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
            "http://127.0.0.1",
            "https://255.255.255.255:8443/x",
            "HTTP://0.0.0.0:80/",
        ] {
            assert!(check_start_against_general(s.as_bytes()), "{s:?}");
        }
        for s in [
            "/relative",
            "//a.test/",
            "http:a",
            "ftp://a.test/",
            "http://u@a.test/",
            "http://1.2.3.04/",
            "http://0x7f.0.0.1/",
            "http://1.2.3/",
            "http://a.test:65536/",
            "http://a.test/%2e/",
            "http://a.test/it's",
            " http://a.test/",
        ] {
            assert!(!check_start_against_general(s.as_bytes()), "{s:?}");
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        let mut fast = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let v = std::fs::read(e.unwrap().path()).unwrap();
            fast += usize::from(check_start_against_general(&v));
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
            check_start_against_general(s.as_bytes());
        }
        #[test]
        fn random_start_bytes_agree(v in proptest::collection::vec(any::<u8>(), 0..24)) {
            let mut w = b"http://".to_vec();
            w.extend_from_slice(&v);
            check_start_against_general(&w);
            check_start_against_general(&v);
        }
    }
}
