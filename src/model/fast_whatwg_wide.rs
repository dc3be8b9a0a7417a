//! The Fetch profile's second Location fast path: any bytes, read as the
//! WHATWG URL parser reads them against an `http`/`https` base, written
//! straight into a [`WebUrl`]'s buffer, byte for byte what the general path
//! (`model/whatwg.rs`: UTF-8 decode, [`collapse_leading_slashes`], the `url`
//! crate) writes. It knows most hosts without IDNA or an address parser
//! (plain ASCII domains; an IPv4 address in its serialized form and the
//! current URL's own host), and hands every other `http`/`https` host to
//! the `url` crate's own host parser, the one the general path's parse runs.
//!
//! [`whatwg_common`](super::fast_whatwg::whatwg_common) takes the
//! well-formed ASCII values in one pass; it hands everything else to
//! [`whatwg_wide`], which answers `Ok(false)`, having decided nothing,
//! outside its domain (below), and the general path then gives the result
//! or the error. Inside it, the wide path also gives the parser's own error
//! for an http(s) authority whose host or port the parser refuses.
//! `fast_whatwg::check_against_general` runs both against the general path,
//! errors included (unit tests, proptests, the corpus, the
//! `location_differential` fuzz target).
//!
//! [`collapse_leading_slashes`]: super::whatwg::collapse_leading_slashes

use std::borrow::Cow;

use url::ParseError;

use super::fast::push_port;
use super::fast_whatwg::{fast_base_scheme, known_host};
use super::location::LocationError;
use super::profile::Policy;
use super::uri::Parts;
use super::whatwg::WebUrl;

/// The wide WHATWG fast path: writes into `out` exactly the URL the general
/// path (`whatwg::resolve_general`) gives for the Location value `v` (OWS
/// trimmed) against `base`, and answers `Ok(true)`; or gives the general
/// path's error where the parser refuses an http(s) authority's host or
/// port (below); or answers `Ok(false)`, having decided nothing (`out` may
/// hold a partial text), outside its domain.
///
/// ## Domain, and how each step is the URL Standard's (as `url` 2.5 does it)
/// - `base` is an `http` or `https` URL with a host and no userinfo.
/// - `v` has no NUL, CR or LF (the general path refuses the field then).
///   Invalid UTF-8 is decoded as the Encoding Standard does it
///   (`String::from_utf8_lossy`: one U+FFFD per maximal invalid part), then
///   leading and trailing C0 controls and spaces are trimmed and every tab
///   removed, as the parser does before and while it reads ("remove any
///   leading and trailing C0 control or space", "remove all ASCII tab or
///   newline"): `\xc3\t\xa9` is two U+FFFD, not `é`.
/// - A scheme (an ASCII letter, then letters, digits, `+`, `-`, `.`, then
///   `:`) other than `http` and `https` (in any case) is read on its own if
///   it is not special ([`non_special`]; `ws`, `wss`, `ftp` and `file` go to
///   the `url` crate): the machine refuses its scheme, but the URL it
///   writes is still the general path's. The same scheme as the base's followed by fewer than two
///   slashes (`/` or `\`) is read relative to the base ("special relative
///   or authority state"); otherwise every slash after it is skipped and an
///   authority follows ("special authority ignore slashes state").
/// - Without a scheme: an empty value keeps the base but its fragment; `?` keeps
///   its path; `#` keeps its path and query; two or more slashes start an
///   authority (the general path's `collapse_leading_slashes` makes the
///   `url` crate skip them all, as the Standard does); one slash starts a
///   path at the root; anything else replaces the base path's last segment.
///   The policy's `relative_location` off declines every value read
///   against the base.
/// - An authority's userinfo (up to its last `@`) is written with the
///   userinfo percent-encode set, username and password parted at the
///   first `:`, `@` only after a non-empty one (declined when the policy
///   refuses userinfo); the host ends at a `:` outside `[`...`]`; a host
///   that [`special_host`] takes (percent-decoded, ASCII without forbidden
///   domain code points, and either no `xn--` label and not ending in a
///   number (the Standard's check: a last label `1x` does not), or an
///   IPv4 address as the IPv4 serializer writes it, or the current URL's
///   own host: never IDNA, an address parser or an empty host),
///   lower-cased; any other host through [`url_host`]: the `url` crate's
///   own host parser, the one the general path's parse runs on the same
///   text (IDNA, IPv4 and IPv6 parsing, its errors);
///   a port of ASCII digits only (any other byte before `/`, `\`, `?` or
///   `#` is the parser's "invalid port"), at most 65535, written without
///   leading zeros and left out when it is the scheme's default or empty.
/// - Errors (the `url` 2.5.8 parser's, in its order: `Parser::after_double_slash`
///   reads the userinfo, then `parse_host_and_port` the host, then the
///   port): an empty host is `EmptyHost`; a host the host parser refuses is
///   its error ([`url_host`]; `IdnaError` for a host holding invalid UTF-8
///   or U+FFFD is decided without it, [`refused_by_idna`]); a port as
///   above that is not digits or is over 65535 is `InvalidPort`. Nothing
///   after the port is an error for an http(s) URL (the path, query and
///   fragment states only percent-encode; `Overflow` needs a serialization
///   over 4 GiB; a userinfo over 4 GiB is `Overflow` before the host, so
///   a value of 4 GiB or more is declined). Each is an error of the parse, which no policy switch
///   reads (`whatwg::apply_policy` runs only on a parsed URL): the general
///   path's error under every setting.
/// - Path: segments end at `/` or `\` (written as `/`); each is
///   percent-encoded with the path percent-encode set (C0 controls, space,
///   `"`, `<`, `>`, `` ` ``, `{`, `}`, DEL and all non-ASCII, as UTF-8
///   bytes). A segment that is then `.` or `%2e` removes itself; `..`,
///   `.%2e`, `%2e.` or `%2e%2e` (`e` in either case) removes itself and the
///   segment before it, unless only the root is left; either leaves the
///   path ending in `/`. Declined: a `^` in the path (`url` 2.5.9 encodes
///   it, 2.5.8 does not), and popping a segment that is a Windows drive
///   letter (`c:`, `c|`, or either followed by `\` in a non-special URL),
///   which `url` keeps in http(s) URLs too (servo/rust-url#1113).
/// - Query (after `?`, up to `#`): the special-query percent-encode set (C0
///   controls, space, `"`, `#`, `<`, `>`, `'`, DEL, non-ASCII). Fragment
///   (after `#`): the fragment set (C0 controls, space, `"`, `<`, `>`,
///   `` ` ``, DEL, non-ASCII). Percent signs are copied as they are.
/// - Fetch "location URL": a result without a fragment takes the base's
///   when the policy inherits fragments.
///
/// # Errors
/// The `url` crate's [`ParseError`] for the hosts and ports above, as the
/// general path wraps it ([`LocationError::Whatwg`]); `out` may then hold
/// a partial text, as when the path declines (a value read against the
/// base has the base's start copied into it before the authority is read):
/// the machine returns the error and never reads `out` after it.
#[inline(never)]
pub(crate) fn whatwg_wide(
    base: &WebUrl,
    v: &[u8],
    out: &mut WebUrl,
    policy: &Policy,
) -> Result<bool, LocationError> {
    let b = base.buf.as_uri_ref();
    let Some(base_scheme) = fast_base_scheme(&b) else {
        return Ok(false);
    };
    // A userinfo of 4 GiB or more is the parser's `Overflow`, before the
    // host: left to the general path with every other value that long.
    if v.iter().any(|&c| matches!(c, 0 | b'\r' | b'\n')) || u32::try_from(v.len()).is_err() {
        return Ok(false);
    }
    let start = v.iter().position(|&c| c > b' ').unwrap_or(v.len());
    let end = v.iter().rposition(|&c| c > b' ').map_or(start, |p| p + 1);
    let v = &v[start..end];
    // Decoded before the tabs go: bytes a tab parts are no longer one
    // character once it is removed.
    let s: Cow<'_, [u8]> = if v.contains(&b'\t') {
        Cow::Owned(String::from_utf8_lossy(v).replace('\t', "").into_bytes())
    } else {
        Cow::Borrowed(v)
    };
    let s = &*s;
    let inherited = policy.inherit_fragment.then(|| b.fragment()).flatten();
    let done = match split_scheme(s) {
        Some((scheme, rest)) => {
            let scheme = if scheme.eq_ignore_ascii_case(b"http") {
                "http"
            } else if scheme.eq_ignore_ascii_case(b"https") {
                "https"
            } else {
                return Ok(non_special(scheme, rest, out, inherited));
            };
            let slashes = leading_slashes(rest);
            if slashes < 2 && scheme == base_scheme {
                policy.relative_location
                    && relative(base, rest, out, inherited, policy.refuse_userinfo)?
            } else {
                authority(
                    scheme,
                    &rest[slashes..],
                    b.host(),
                    out,
                    inherited,
                    policy.refuse_userinfo,
                )?
            }
        }
        None => {
            policy.relative_location && relative(base, s, out, inherited, policy.refuse_userinfo)?
        }
    };
    if done {
        out.url = None;
    }
    Ok(done)
}

/// A value with a scheme other than the special ones (`http`, `https`,
/// `ws`, `wss`, `ftp`, `file`): the URL it is on its own, with no base
/// ("path or authority state", "opaque path state"). Declined: a path
/// without an authority that starts with `/` (the "anarchist" forms the
/// `url` crate rewrites), userinfo, an IP literal or empty host, a `\` in
/// the authority (`url` 2.5.8 ends a port there, 2.5.9 does not), a space
/// in an opaque path.
fn non_special(scheme: &[u8], rest: &[u8], out: &mut WebUrl, inherited: Option<&str>) -> bool {
    const SPECIAL: [&[u8]; 4] = [b"ws", b"wss", b"ftp", b"file"];
    if SPECIAL.iter().any(|s| scheme.eq_ignore_ascii_case(s)) {
        return false;
    }
    // Scheme bytes are ASCII (`split_scheme`).
    let Ok(scheme) = std::str::from_utf8(scheme) else {
        return false;
    };
    let (text, parts, _) = out.buf.raw_mut();
    text.clear();
    *parts = Parts::default();
    text.push_str(scheme);
    text.make_ascii_lowercase();
    parts.scheme_end = Some(text.len());
    text.push(':');
    let after_scheme = text.len();
    let rest = if let Some(a) = rest.strip_prefix(b"//") {
        let end = a
            .iter()
            .position(|&c| matches!(c, b'/' | b'?' | b'#'))
            .unwrap_or(a.len());
        let (auth, rest) = a.split_at(end);
        // Opaque host: no forbidden host code point, C0 controls, DEL and
        // non-ASCII percent-encoded.
        let (host, port) = match auth.iter().position(|&c| c == b':') {
            Some(i) => (&auth[..i], Some(&auth[i + 1..])),
            None => (auth, None),
        };
        let forbidden = host.iter().any(|&c| b"\0\t\n\r #/:<>?@[\\]^|".contains(&c));
        if host.is_empty() || forbidden || auth.contains(&b'\\') {
            return false;
        }
        let port = match port.map(port_number) {
            None => None,
            Some(None) => return false,
            Some(Some(p)) => p,
        };
        text.push_str("//");
        let host_start = text.len();
        push_encoded(text, host, CONTROLS_ENCODE, 0);
        parts.host = (host_start, text.len());
        if let Some(n) = port {
            push_port(text, parts, n);
        }
        parts.authority = Some((host_start, text.len()));
        let path_start = text.len();
        let rest = match rest.strip_prefix(b"/") {
            Some(r) => {
                text.push('/');
                match path(text, path_start, r, false) {
                    Some(rest) => rest,
                    None => return false,
                }
            }
            None => rest,
        };
        parts.path = (path_start, text.len());
        rest
    } else if rest.first() == Some(&b'/') {
        return false;
    } else {
        // Opaque path, up to `?` or `#`.
        parts.host = (after_scheme, after_scheme);
        let end = rest
            .iter()
            .position(|&c| c == b'?' || c == b'#')
            .unwrap_or(rest.len());
        if !push_encoded(text, &rest[..end], CONTROLS_ENCODE, OPAQUE_DECLINE) {
            return false;
        }
        parts.path = (after_scheme, text.len());
        &rest[end..]
    };
    query_and_fragment(text, parts, rest, inherited, false);
    out.url = None;
    true
}

/// `Some((scheme, rest))` when `s` starts with a scheme and `:`.
fn split_scheme(s: &[u8]) -> Option<(&[u8], &[u8])> {
    if !s.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let n = s
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')))?;
    (s[n] == b':').then(|| (&s[..n], &s[n + 1..]))
}

/// How many `/` and `\` `s` starts with.
fn leading_slashes(s: &[u8]) -> usize {
    s.iter().take_while(|&&c| matches!(c, b'/' | b'\\')).count()
}

/// The "relative state" against `base` (with no scheme of its own, or the
/// base's own followed by fewer than two slashes): [`whatwg_wide`]'s answer.
fn relative(
    base: &WebUrl,
    r: &[u8],
    out: &mut WebUrl,
    inherited: Option<&str>,
    refuse_userinfo: bool,
) -> Result<bool, LocationError> {
    let bp = *base.buf.parts();
    let btext = base.buf.as_str();
    let before_fragment = bp.fragment.map_or(btext.len(), |f| f.0 - 1);
    let before_query = bp.query.map_or(before_fragment, |q| q.0 - 1);
    let (text, parts, _) = out.buf.raw_mut();
    text.clear();
    *parts = Parts {
        fragment: None,
        ..bp
    };
    let rest = match r.first() {
        None => {
            text.push_str(&btext[..before_fragment]);
            r
        }
        Some(b'?') => {
            text.push_str(&btext[..before_query]);
            parts.query = None;
            r
        }
        Some(b'#') => {
            text.push_str(&btext[..before_fragment]);
            r
        }
        Some(b'/' | b'\\') => {
            let slashes = leading_slashes(r);
            if slashes >= 2 {
                return authority(
                    &btext[..bp.scheme_end.unwrap_or_default()],
                    &r[slashes..],
                    base.buf.host(),
                    out,
                    inherited,
                    refuse_userinfo,
                );
            }
            text.push_str(&btext[..bp.path.0]);
            text.push('/');
            parts.query = None;
            let Some(rest) = path(text, bp.path.0, &r[1..], true) else {
                return Ok(false);
            };
            parts.path = (bp.path.0, text.len());
            rest
        }
        Some(_) => {
            // The base path without its last segment ("pop"), then the path.
            let last_slash = btext[bp.path.0..bp.path.1].rfind('/').unwrap_or(0);
            text.push_str(&btext[..bp.path.0 + last_slash + 1]);
            parts.query = None;
            let Some(rest) = path(text, bp.path.0, r, true) else {
                return Ok(false);
            };
            parts.path = (bp.path.0, text.len());
            rest
        }
    };
    query_and_fragment(text, parts, rest, inherited, true);
    Ok(true)
}

/// The authority states, for `scheme` (as written), from the first byte
/// after the slashes: the host, the port, then the path and the rest;
/// [`whatwg_wide`]'s answer. `current` is the current URL's host (see
/// [`special_host`]). The host's and the port's errors are decided before
/// this function writes anything (`relative` may have written the base's
/// start before it calls this).
fn authority(
    scheme: &str,
    a: &[u8],
    current: Option<&str>,
    out: &mut WebUrl,
    inherited: Option<&str>,
    refuse_userinfo: bool,
) -> Result<bool, LocationError> {
    let end = a
        .iter()
        .position(|&c| matches!(c, b'/' | b'\\' | b'?' | b'#'))
        .unwrap_or(a.len());
    let (auth, mut rest) = a.split_at(end);
    // "authority state": the userinfo ends at the last `@`.
    let (userinfo, auth) = match auth.iter().rposition(|&c| c == b'@') {
        Some(at) => (Some(&auth[..at]), &auth[at + 1..]),
        None => (None, auth),
    };
    // "host state": the host ends at a `:` outside `[`...`]`.
    let mut inside_brackets = false;
    let colon = auth.iter().position(|&c| {
        match c {
            b'[' => inside_brackets = true,
            b']' => inside_brackets = false,
            _ => {}
        }
        c == b':' && !inside_brackets
    });
    let (host, port) = match colon {
        Some(i) => (&auth[..i], Some(&auth[i + 1..])),
        None => (auth, None),
    };
    // The host state's host (as `url` 2.5.8 `Parser::parse_host` delimits
    // it, tabs removed above), parsed before the port.
    let host = match special_host(host, current) {
        Some(h) => h,
        None => url_host(host)?,
    };
    // The port state, once the host parsed.
    let port = match port {
        None => None,
        Some(digits) => match port_number(digits) {
            None => return Err(LocationError::Whatwg(ParseError::InvalidPort)),
            Some(p) => p,
        },
    };
    let (text, parts, _) = out.buf.raw_mut();
    text.clear();
    *parts = Parts::default();
    text.push_str(scheme);
    parts.scheme_end = Some(text.len());
    text.push_str("://");
    let authority_start = text.len();
    if let Some(u) = userinfo {
        // The username up to the first `:`, the password after it (not
        // written when empty), both with the userinfo percent-encode set;
        // `@` only when either is written.
        let (user, password) = match u.iter().position(|&c| c == b':') {
            Some(i) => (&u[..i], &u[i + 1..]),
            None => (u, &u[u.len()..]),
        };
        push_encoded(text, user, USERINFO_ENCODE, 0);
        if !password.is_empty() {
            text.push(':');
            push_encoded(text, password, USERINFO_ENCODE, 0);
        }
        if !user.is_empty() || !password.is_empty() {
            // The policy's userinfo check refuses it: the general path's error.
            if refuse_userinfo {
                return Ok(false);
            }
            parts.userinfo_end = Some(text.len());
            text.push('@');
        }
    }
    push_host_and_port(text, parts, &host, port, scheme);
    parts.authority = Some((authority_start, text.len()));
    // "path start state": a special URL's path starts with `/`.
    let path_start = text.len();
    text.push('/');
    if matches!(rest.first(), Some(b'/' | b'\\')) {
        rest = &rest[1..];
    }
    let Some(rest) = path(text, path_start, rest, true) else {
        return Ok(false);
    };
    parts.path = (path_start, text.len());
    query_and_fragment(text, parts, rest, inherited, true);
    Ok(true)
}

/// The URL Standard's host parser for a special URL's host `h` (tabs
/// removed) where the fast path knows its result, which is the answer in
/// lower case (the caller lower-cases it); `None` elsewhere. `current` is
/// the current URL's host, as serialized.
/// - A host that starts with `[` is an IPv6 address ("If input starts with
///   U+005B ([)", read before any percent-decoding): taken only when it is
///   `current` up to ASCII case (an IPv6 serialization, lower-case hex,
///   gives itself back when parsed again).
/// - Otherwise `h` is percent-decoded (a `%` without two hex digits stays);
///   then every byte must be ASCII and none a forbidden domain code point
///   (C0 controls, space, DEL, `%#/:<>?@[\]^|`: `idna`'s
///   `AsciiDenyList::URL`), and it must not be empty. Taken then: a host
///   with no label starting with `xn--` (which UTS 46 decodes as Punycode)
///   that does not [end in a number](ends_in_a_number) (so it is a domain,
///   no IPv4 address): UTS 46 only lower-cases it. And the two cases of
///   `fast_whatwg::known_host`: an IPv4 address in the IPv4 serializer's own
///   form, or the current URL's own (non-IPv6) host up to ASCII case, which
///   needs no IDNA again.
fn special_host<'h>(h: &'h [u8], current: Option<&str>) -> Option<Cow<'h, str>> {
    if h.first() == Some(&b'[') {
        let same =
            current.is_some_and(|c| c.starts_with('[') && c.as_bytes().eq_ignore_ascii_case(h));
        return same
            .then(|| std::str::from_utf8(h).ok().map(Cow::Borrowed))
            .flatten();
    }
    let h: Cow<'_, [u8]> = if h.contains(&b'%') {
        Cow::Owned(percent_decode(h))
    } else {
        Cow::Borrowed(h)
    };
    let bad = h
        .iter()
        .any(|&c| !c.is_ascii_graphic() || b"%#/:<>?@[\\]^|".contains(&c));
    if h.is_empty() || bad {
        return None;
    }
    // ASCII graphic bytes only: text.
    let h = match h {
        Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).ok()?),
        Cow::Owned(v) => Cow::Owned(String::from_utf8(v).ok()?),
    };
    let plain = !ends_in_a_number(&h)
        && !h
            .split('.')
            .any(|l| l.len() >= 4 && l.as_bytes()[..4].eq_ignore_ascii_case(b"xn--"));
    (plain || known_host(&h, current)).then_some(h)
}

/// The host parser for a special (not `file`) URL's host `h` that
/// [`special_host`] does not know, as the general path's parse runs it
/// (`url` 2.5.8 `Parser::parse_host`): an empty host is `EmptyHost`;
/// otherwise `url::Host::parse` (the crate's public host parser, which
/// `parse_host` calls on the same text: an IPv6 address for `[`...`]`,
/// else percent-decoding, UTS 46 domain-to-ASCII with the URL deny list,
/// the empty check, the IPv4 parser where the host ends in a number) on `h`
/// decoded as the general path decodes the whole value (lossy UTF-8), and
/// its serialization (`Display`, which the parser writes) as the answer.
/// This is the general path's own definition of the host, not a second
/// one. Before it, [`refused_by_idna`] decides the commonest refusal (a
/// host holding invalid UTF-8 or U+FFFD) without UTS 46's full processing.
///
/// `h` is a slice of the value between ASCII bytes (`/`, `\`, `?`, `#`,
/// `@`, `:` or its ends), and lossy UTF-8 decoding never joins an ASCII
/// byte to its neighbours (an ASCII byte ends every invalid sequence and
/// is never part of one), so decoding `h` alone gives the slice of the
/// whole value's decoding that the parser reads as the host.
#[inline(never)]
fn url_host(h: &[u8]) -> Result<Cow<'static, str>, LocationError> {
    if h.is_empty() {
        return Err(LocationError::Whatwg(ParseError::EmptyHost));
    }
    if h[0] != b'[' && refused_by_idna(h) {
        return Err(LocationError::Whatwg(ParseError::IdnaError));
    }
    let host = url::Host::parse(&String::from_utf8_lossy(h)).map_err(LocationError::Whatwg)?;
    Ok(Cow::Owned(host.to_string()))
}

/// Whether `url` 2.5.8 `Host::parse` fails with `IdnaError` on the host
/// `h` (not starting with `[`) because it holds an invalid UTF-8 sequence
/// or U+FFFD, raw or once percent-decoded: `Host::parse_cow` percent-decodes
/// the host's bytes and hands them to `idna::domain_to_ascii_from_cow`,
/// which fails on bytes that are not UTF-8 and on U+FFFD, which UTS 46
/// lists as disallowed (IdnaMappingTable `FFFC..FFFD ; disallowed`): no
/// mapping or normalization removes it. (The value's own invalid bytes
/// reach the parser as U+FFFD, its lossy decoding: a raw invalid sequence
/// in `h` is U+FFFD there.)
fn refused_by_idna(h: &[u8]) -> bool {
    let replaced =
        |b: &[u8]| !std::str::from_utf8(b).is_ok_and(|t| !t.contains(char::REPLACEMENT_CHARACTER));
    if !h.is_ascii() && replaced(h) {
        return true;
    }
    // Percent-decoding changes only escapes.
    h.contains(&b'%') && replaced(&percent_decode(h))
}

/// Whether [`special_host`] knows the host `h` (tabs removed) without the
/// host parser (for tests).
#[cfg(test)]
pub(super) fn knows_host(h: &str, current: Option<&str>) -> bool {
    special_host(h.as_bytes(), current).is_some()
}

/// The URL Standard's "ends in a number checker" (`h` not empty): the last
/// label, one trailing empty label aside, is ASCII digits only, or `0x` /
/// `0X` and hexadecimal digits only (which the "IPv4 number parser" reads).
/// A host that ends in a number is an IPv4 address or a failure; any other
/// host is a domain.
fn ends_in_a_number(h: &str) -> bool {
    let trimmed = h.strip_suffix('.').unwrap_or(h);
    let last = trimmed.rsplit('.').next().unwrap_or_default().as_bytes();
    match last {
        [b'0', b'x' | b'X', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
        [] => false,
        digits => digits.iter().all(u8::is_ascii_digit),
    }
}

/// `%` and two hex digits as the byte they name; any other `%` as it is.
fn percent_decode(h: &[u8]) -> Vec<u8> {
    let hex = |c: u8| char::from(c).to_digit(16);
    let mut out = Vec::with_capacity(h.len());
    let mut i = 0;
    while i < h.len() {
        let escape = match h[i..] {
            [b'%', a, b, ..] => hex(a).zip(hex(b)),
            _ => None,
        };
        match escape {
            Some((a, b)) => {
                out.push((a * 16 + b) as u8);
                i += 3;
            }
            None => {
                out.push(h[i]);
                i += 1;
            }
        }
    }
    out
}

/// Writes an http(s) URL's host (lower-cased) and its port unless that is
/// the scheme's default (written without leading zeros), with their
/// offsets: the host parser's and the port state's serialization. (The
/// one-pass path writes the same inline: measured 5 to 27 instructions a
/// `decide` step cheaper there than through this function.)
fn push_host_and_port(
    text: &mut String,
    parts: &mut Parts,
    host: &str,
    port: Option<u16>,
    scheme: &str,
) {
    let start = text.len();
    text.push_str(host);
    text[start..].make_ascii_lowercase();
    parts.host = (start, text.len());
    let default = if scheme == "http" { 80 } else { 443 };
    if let Some(n) = port.filter(|&n| n != default) {
        push_port(text, parts, n);
    }
}

/// The port state's digits: `Some(None)` for none, `Some(Some(n))` for a
/// number up to 65535, `None` for anything else (the parser's "invalid
/// port").
fn port_number(digits: &[u8]) -> Option<Option<u16>> {
    let mut n: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(d - b'0');
        if n > u32::from(u16::MAX) {
            return None;
        }
    }
    if digits.is_empty() {
        return Some(None);
    }
    u16::try_from(n).ok().map(Some)
}

/// The "path state" from `input` into `text` (which ends in `/`; the path
/// starts at `path_start`), up to `?`, `#` or the end: answers the rest, or
/// `None` to decline (see [`whatwg_wide`]).
fn path<'a>(
    text: &mut String,
    path_start: usize,
    input: &'a [u8],
    special: bool,
) -> Option<&'a [u8]> {
    // A special URL reads `\` as `/`.
    let ends = |c: u8| c == b'/' || c == b'?' || c == b'#' || (special && c == b'\\');
    let mut i = 0;
    loop {
        let seg_start = text.len();
        let j = input[i..]
            .iter()
            .position(|&c| ends(c))
            .map_or(input.len(), |p| i + p);
        if !push_encoded(text, &input[i..j], PATH_ENCODE, PATH_DECLINE) {
            return None;
        }
        let slash = input.get(j).is_some_and(|&c| c != b'?' && c != b'#');
        match dot_segment(&text.as_bytes()[seg_start..]) {
            Dots::Two => {
                text.truncate(seg_start);
                // Shorten the path: the segment before goes, the root stays.
                let before = &text[path_start..seg_start - 1];
                if let Some(k) = before.rfind('/') {
                    if is_drive_letter(&before.as_bytes()[k + 1..]) {
                        return None;
                    }
                    text.truncate(path_start + k + 1);
                }
            }
            Dots::One => text.truncate(seg_start),
            Dots::None if slash => text.push('/'),
            Dots::None => {}
        }
        if !slash {
            return Some(&input[j..]);
        }
        i = j + 1;
    }
}

/// A segment's reading as a dot segment, after percent-encoding.
enum Dots {
    None,
    One,
    Two,
}

/// URL Standard "single-dot URL path segment" (`.`, `%2e`) and "double-dot
/// URL path segment" (`..`, `.%2e`, `%2e.`, `%2e%2e`), ASCII
/// case-insensitively.
fn dot_segment(seg: &[u8]) -> Dots {
    let is_dot = |s: &[u8]| s == b"." || s.eq_ignore_ascii_case(b"%2e");
    match seg.len() {
        1 | 3 if is_dot(seg) => Dots::One,
        2 | 4 | 6 => {
            let dots = (1..seg.len()).any(|k| is_dot(&seg[..k]) && is_dot(&seg[k..]));
            if dots {
                Dots::Two
            } else {
                Dots::None
            }
        }
        _ => Dots::None,
    }
}

/// A segment that starts with a Windows drive letter (`url`'s
/// `starts_with_windows_drive_letter` on the segment and the `/` after it):
/// an ASCII letter and `:` or `|`, then nothing or `\` (a separator only in
/// special URLs, so part of a segment in the others).
fn is_drive_letter(seg: &[u8]) -> bool {
    matches!(seg, [l, b':' | b'|'] | [l, b':' | b'|', b'\\', ..] if l.is_ascii_alphabetic())
}

/// The query (after a `?`) and the fragment (after a `#`) from `rest`
/// (empty, or starting with `?` or `#`), then the inherited fragment when
/// there is none.
fn query_and_fragment(
    text: &mut String,
    parts: &mut Parts,
    rest: &[u8],
    inherited: Option<&str>,
    special: bool,
) {
    let mut rest = rest;
    let query_set = if special {
        QUERY_ENCODE
    } else {
        NS_QUERY_ENCODE
    };
    if let Some(q) = rest.strip_prefix(b"?") {
        let end = q.iter().position(|&c| c == b'#').unwrap_or(q.len());
        text.push('?');
        let p = text.len();
        push_encoded(text, &q[..end], query_set, 0);
        parts.query = Some((p, text.len()));
        rest = &q[end..];
    }
    if let Some(f) = rest.strip_prefix(b"#") {
        text.push('#');
        let p = text.len();
        push_encoded(text, f, FRAGMENT_ENCODE, 0);
        parts.fragment = Some((p, text.len()));
    } else if let Some(f) = inherited {
        text.push('#');
        let p = text.len();
        text.push_str(f);
        parts.fragment = Some((p, text.len()));
    }
}

/// [`ENCODE`]'s flags: the path, special-query and fragment percent-encode
/// sets of `url` 2.5.8 (ASCII part; every non-ASCII byte is encoded), and
/// the path bytes this path declines.
const PATH_ENCODE: u8 = 1;
const QUERY_ENCODE: u8 = 2;
const FRAGMENT_ENCODE: u8 = 4;
const PATH_DECLINE: u8 = 8;
/// The query set of a non-special URL (no `'`).
const NS_QUERY_ENCODE: u8 = 16;
/// The C0 control percent-encode set (C0 controls, DEL), with which an
/// opaque path and an opaque host are written.
const CONTROLS_ENCODE: u8 = 32;
/// The bytes an opaque path declines: a space (trailing spaces of an opaque
/// path are read differently across the Standard's recent versions).
const OPAQUE_DECLINE: u8 = 64;
/// The userinfo percent-encode set.
const USERINFO_ENCODE: u8 = 128;
/// Every set percent-encodes every non-ASCII byte; no byte above 0x7F
/// is declined.
const NON_ASCII: u8 = PATH_ENCODE
    | QUERY_ENCODE
    | NS_QUERY_ENCODE
    | FRAGMENT_ENCODE
    | CONTROLS_ENCODE
    | USERINFO_ENCODE;
const ENCODE: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut c = 0;
    while c < 128 {
        let all = PATH_ENCODE | QUERY_ENCODE | NS_QUERY_ENCODE | FRAGMENT_ENCODE;
        t[c] = match c as u8 {
            0..=0x1f | 0x7f => all | CONTROLS_ENCODE | USERINFO_ENCODE,
            b' ' => all | OPAQUE_DECLINE | USERINFO_ENCODE,
            b'"' | b'<' | b'>' => all | USERINFO_ENCODE,
            b'`' => PATH_ENCODE | FRAGMENT_ENCODE | USERINFO_ENCODE,
            b'{' | b'}' => PATH_ENCODE | USERINFO_ENCODE,
            b'\'' => QUERY_ENCODE,
            b'^' => PATH_DECLINE | USERINFO_ENCODE,
            b'#' | b'?' | b'/' | b':' | b';' | b'=' | b'@' | b'[' | b'\\' | b']' | b'|' => {
                USERINFO_ENCODE
            }
            _ => 0,
        };
        c += 1;
    }
    t
};

/// Appends `bytes` decoded as UTF-8 (an invalid part as U+FFFD) and
/// percent-encoded with the `encode` set (in upper-case hex); answers
/// `false` at the first ASCII byte in `decline`.
fn push_encoded(text: &mut String, bytes: &[u8], encode: u8, decline: u8) -> bool {
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let mut copied = 0;
        for (k, &c) in valid.as_bytes().iter().enumerate() {
            // One test for the bytes copied as they are (most of them).
            let flags = ENCODE[usize::from(c)] & (encode | decline);
            if flags == 0 {
                continue;
            }
            if flags & decline != 0 {
                return false;
            }
            // Every non-ASCII byte is encoded, so a run copied as it is
            // holds ASCII only and both its ends are char boundaries.
            if copied < k {
                text.push_str(&valid[copied..k]);
            }
            push_escape(text, c);
            copied = k + 1;
        }
        text.push_str(&valid[copied..]);
        if !chunk.invalid().is_empty() {
            text.push_str("%EF%BF%BD");
        }
    }
    true
}

/// `%` and two upper-case hex digits.
fn push_escape(text: &mut String, c: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    text.push('%');
    text.push(char::from(HEX[usize::from(c >> 4)]));
    text.push(char::from(HEX[usize::from(c & 15)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_the_standards() {
        for s in [".", "%2e", "%2E"] {
            assert!(matches!(dot_segment(s.as_bytes()), Dots::One), "{s}");
        }
        for s in ["..", ".%2e", "%2E.", "%2e%2E", "%2E%2E"] {
            assert!(matches!(dot_segment(s.as_bytes()), Dots::Two), "{s}");
        }
        for s in ["", "...", "%2f", ".%2", "%2e%2", "a.", "%2e%2e%2e", "%%2e"] {
            assert!(matches!(dot_segment(s.as_bytes()), Dots::None), "{s}");
        }
    }

    #[test]
    fn encoding_is_percent_upper_hex_and_replacement_for_invalid_utf8() {
        let mut t = String::new();
        assert!(push_encoded(
            &mut t,
            b"a b\xc3\xa9\xff\xe2\x82{",
            PATH_ENCODE,
            PATH_DECLINE
        ));
        assert_eq!(t, "a%20b%C3%A9%EF%BF%BD%EF%BF%BD%7B");
        assert!(!push_encoded(&mut t, b"a^b", PATH_ENCODE, PATH_DECLINE));
    }

    #[test]
    fn ends_in_a_number_is_the_standards() {
        for h in [
            "1",
            "a.1",
            "a.1.",
            "a.0x",
            "a.0X1f",
            "1.2.3.4",
            "0x7f",
            "a.09",
            "4294967296",
        ] {
            assert!(ends_in_a_number(h), "{h}");
        }
        for h in [
            "a", "a.1x", "1.2.3.4+", "a.0x1g", ".", "a..", "1..", "a.x1", "a.-1", "a.1e2",
        ] {
            assert!(!ends_in_a_number(h), "{h}");
        }
    }

    /// The cheap refusal is the `url` crate's answer: `Host::parse` on the
    /// host (as the general path decodes it) and the whole URL's parse,
    /// with a bad port after, userinfo before, and a tab inside, all give
    /// `IdnaError`; hosts just outside it are not refused by it.
    #[test]
    fn refused_by_idna_is_the_url_crate_s_idna_error() {
        let refused: &[&[u8]] = &[
            b"\xff",
            b"a.test\xff",
            b"h%ff.test",
            b"h%c3",
            b"h\xc3%a9",
            b"h%EF%BF%BD.test",
            b"h%ef%bf%bd",
            b"h\xef\xbf\xbd.test",
            b"\xc3\xa9\xff",
            b"xn--ls8h\xff",
            b"a[b\xff",
            b"%c3%a9%e2%82",
            b"%ed%a0%80",
            b"1.2.3.4\xff",
        ];
        for &h in refused {
            assert!(refused_by_idna(h), "{h:?}");
            let text = String::from_utf8_lossy(h);
            assert_eq!(url::Host::parse(&text), Err(ParseError::IdnaError), "{h:?}");
            let tabbed = text.replacen('.', ".\t", 1);
            for u in [
                format!("http://{text}/"),
                format!("https://u:p@{text}:99999/x"),
                format!("http://{text}:8a"),
                format!("https://{tabbed}:1/"),
            ] {
                assert_eq!(url::Url::parse(&u), Err(ParseError::IdnaError), "{u:?}");
            }
            assert_eq!(
                url_host(h),
                Err(LocationError::Whatwg(ParseError::IdnaError))
            );
        }
        let not_refused: &[&[u8]] = &[
            b"",
            b"h.test",
            b"h%zz",
            b"%",
            b"h\xc3\xa9.test",
            b"h%c3%a9.test",
            b"xn--nxasmq6b",
            b"h%2f",
            b"\xef\xbc\xa1",
        ];
        for &h in not_refused {
            assert!(!refused_by_idna(h), "{h:?}");
        }
    }

    #[test]
    fn ports_are_the_port_states() {
        assert_eq!(port_number(b""), Some(None));
        assert_eq!(port_number(b"0080"), Some(Some(80)));
        assert_eq!(port_number(b"0000000000065535"), Some(Some(65535)));
        assert_eq!(port_number(b"65536"), None);
        assert_eq!(port_number(b"8a"), None);
    }
}
