//! The strict profiles' fast path: a Location value parsed (RFC 3986),
//! resolved against the current URL (§5.2) and given the request's fragment
//! (RFC 9110 §10.2.2) in one pass, straight into the next URL's buffer.
//!
//! [`resolve_strict`] stands in for the strict general path
//! (`strict::resolve_general`: the RFC 3986 parser, the policy's
//! relative / userinfo / port checks, [`resolve`](super::resolve) and
//! [`UriBuf::inherit_fragment`] together) on the values where they cannot
//! fail. It answers `false` for every other value,
//! having decided nothing, and the general path then gives the result or
//! the error.
//!
//! ## The domain, and why the result is the general path's there
//! - The value is in [`scan_common`]'s domain (every byte an RFC 3986
//!   character or a valid escape, no userinfo, no IP literal, a port of
//!   digits): the general parser reads the same components. A written port
//!   is at most 65535 (the policy's range check passes); a userinfo, which
//!   a policy may refuse, is outside the domain.
//! - A value with a scheme has an authority (`http:g` goes to the general
//!   path). A value without one needs a policy that allows relative values.
//! - §5.2.2 then gives the base's prefix, the value's text before its
//!   path, the path, and the value's query and fragment as written: with a
//!   scheme, nothing of the base; with an authority, the base's `scheme:`;
//!   with an absolute path, the base up to its path; with a relative path,
//!   the base up to its path, and the path merged with the base path's
//!   directory (§5.2.3 "Merge Paths": "all but the last segment of the base
//!   URI's path"; a base with an authority and an empty path, where the
//!   merge adds a `/`, goes to the general path); with an empty path and a
//!   query, the base up to its query; with an empty path and no query, the
//!   base without its fragment (`T.path = Base.path`, not normalised).
//! - The path goes through §5.2.4 `remove_dot_segments` when it (or the
//!   merged path) has a dot segment. Without one, §5.2.4 leaves it as it
//!   is, and the result is the base's prefix followed by the whole value.
//! - A value without a fragment gets the base's, when the policy asks.
//!
//! `tests` check text and offsets against the general path on the corpus
//! and on random values against random bases, under every setting of the
//! policy switches the path reads; the `resolve` and `location_differential`
//! fuzz targets check every input they make ([`check_against_general`]).

use super::fast::{scan_common, Scanned};
use super::resolve::{has_dot_segment, remove_dot_segments, take_base_authority, UriBuf};
use super::strict::port_number;
use super::uri::Parts;

/// What [`resolve_strict`] made of a Location value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strict {
    /// The value is in the one-pass path's domain: the next URL is written.
    Resolved,
    /// The value is in the one-pass parser's domain
    /// ([`parse_common`](super::fast::parse_common)) but not in the
    /// one-pass path's, or the base is not.
    Declined,
    /// The value is outside the one-pass parser's domain (the scan both
    /// read declined it): the general path (`strict::resolve_general`)
    /// decides.
    General,
}

/// Writes into `out` the URL the general path gives for the Location value
/// `v` (trimmed) against `base` under a policy with `relative` values
/// allowed or not and fragment inheritance `inherit`
/// ([`Strict::Resolved`]); or, with `out` unspecified, says whether `v` or
/// `base` is outside the domain (see the module docs) with `v` inside the
/// one-pass parser's ([`Strict::Declined`]) or `v` outside it
/// ([`Strict::General`]: no need to scan it again).
#[inline]
pub(crate) fn resolve_strict(
    base: &UriBuf,
    v: &[u8],
    out: &mut UriBuf,
    relative: bool,
    inherit: bool,
) -> Strict {
    let Some(scanned) = scan_common(v) else {
        return Strict::General;
    };
    if resolve_scanned(base, v, Some(scanned), out, relative, inherit) {
        Strict::Resolved
    } else {
        Strict::Declined
    }
}

/// [`resolve_strict`] once `v` is scanned: `scanned` is `scan_common(v)`
/// (the differential check scans a value once for every policy).
#[inline(always)]
pub(crate) fn resolve_scanned(
    base: &UriBuf,
    v: &[u8],
    scanned: Option<Scanned<'_>>,
    out: &mut UriBuf,
    relative: bool,
    inherit: bool,
) -> bool {
    let Some((rp, noticed, value)) = scanned else {
        return false;
    };
    if let Some((a, b)) = rp.port {
        if a != b && port_number(&v[a..b]).is_none() {
            return false;
        }
    }
    let bp = base.parts();
    let btext = base.as_str();
    let path = &v[rp.path.0..rp.path.1];
    let has_scheme = rp.scheme_end.is_some();
    // The base's text that comes before the value (`head`), and for a
    // relative path the base path's directory, which the value's path is
    // merged with (§5.2.3).
    let (head, dir) = if has_scheme {
        if rp.authority.is_none() {
            return false;
        }
        (0, None)
    } else if !relative {
        return false;
    } else if rp.authority.is_some() {
        match bp.scheme_end {
            Some(e) => (e + 1, None),
            None => return false,
        }
    } else if let Some(&first) = path.first() {
        if first == b'/' {
            (bp.path.0, None)
        } else {
            // "all but the last segment of the base URI's path"
            let bpath = &btext.as_bytes()[bp.path.0..bp.path.1];
            match bpath.iter().rposition(|&b| b == b'/') {
                Some(last) => (bp.path.0, Some(bp.path.0 + last + 1)),
                // No "/": an empty path under an authority merges as "/".
                None => return false,
            }
        }
    } else if rp.query.is_some() {
        (bp.path.1, None)
    } else {
        (bp.fragment.map_or(btext.len(), |(a, _)| a - 1), None)
    };
    let path_dots = noticed.dot_in_path && has_dot_segment(path);
    let dir_dots = dir.is_some_and(|d| has_dot_segment(&btext.as_bytes()[bp.path.0..d]));
    let (text, parts, scratch) = out.raw_mut();
    // The base's fragment, when the value inherits it (RFC 9110 §10.2.2).
    let inherited = match (inherit, rp.fragment) {
        (true, None) => bp.fragment,
        _ => None,
    };
    // Where the value's first byte lands (for the parts before its path),
    // and its path.
    let (at, path_start, path_end) = if !path_dots && !dir_dots {
        // The path is written as it is: the base's prefix, the value, and
        // the inherited "#" and fragment.
        let prefix_end = dir.unwrap_or(head);
        text.clear();
        if text.capacity() == 0 {
            // A new machine's buffer: one allocation, not one per doubling.
            text.reserve(prefix_end + value.len() + inherited.map_or(0, |(a, b)| b + 1 - a));
        }
        text.push_str(&btext[..prefix_end]);
        text.push_str(value);
        if let Some((a, b)) = inherited {
            text.push_str(&btext[a - 1..b]);
        }
        let path_start = if dir.is_some() {
            bp.path.0
        } else {
            prefix_end + rp.path.0
        };
        (prefix_end, path_start, prefix_end + rp.path.1)
    } else {
        text.clear();
        let dirs = Dirs {
            head,
            dir,
            dir_dots,
        };
        let written = write_dotted(base, value, rp.path, dirs, text, scratch);
        if let Some((a, b)) = inherited {
            text.push_str(&btext[a - 1..b]);
        }
        written
    };
    // Offsets before the value's path move by `at`, after it to follow it.
    let head_at = |x: usize| x + at;
    let tail_at = |x: usize| x - rp.path.1 + path_end;
    let tail = |o: Option<(usize, usize)>| o.map(|(a, b)| (tail_at(a), tail_at(b)));
    let mut p = Parts {
        scheme_end: rp.scheme_end.map(head_at).or(bp.scheme_end),
        authority: rp.authority.map(|(a, b)| (head_at(a), head_at(b))),
        userinfo_end: None,
        host: (head_at(rp.host.0), head_at(rp.host.1)),
        port: rp.port.map(|(a, b)| (head_at(a), head_at(b))),
        path: (path_start, path_end),
        query: tail(rp.query),
        fragment: tail(rp.fragment),
    };
    if !has_scheme && rp.authority.is_none() {
        take_base_authority(&mut p, bp, path.is_empty(), rp.query.is_some());
    }
    if let Some((a, b)) = inherited {
        // "#" and the fragment, as the base has them, end the text.
        p.fragment = Some((text.len() - (b - a), text.len()));
    }
    *parts = p;
    true
}

/// Where the base's text before a dotted path ends: `head`, and for a
/// relative path the end of the base path's directory (`dir`), with
/// whether that directory has a dot segment.
struct Dirs {
    head: usize,
    dir: Option<usize>,
    dir_dots: bool,
}

/// Writes the result's text for a value whose path (or merged path) has a
/// dot segment; answers where the value's first byte landed and where the
/// path is (see [`resolve_strict`]).
///
/// A relative path whose dot segments all lead it (`../`, `./`) under a
/// directory without any pops directories in place
/// ([`leading_dot_segments`]); every other path goes through §5.2.4
/// [`remove_dot_segments`].
#[inline(never)]
fn write_dotted(
    base: &UriBuf,
    value: &str,
    (path0, path1): (usize, usize),
    dirs: Dirs,
    text: &mut String,
    scratch: &mut String,
) -> (usize, usize, usize) {
    let btext = base.as_str();
    let bpath0 = base.parts().path.0;
    let path = &value.as_bytes()[path0..path1];
    if let (Some(d), false) = (dirs.dir, dirs.dir_dots) {
        if let Some((cut, taken)) = leading_dot_segments(&btext.as_bytes()[bpath0..d], path) {
            if !has_dot_segment(&path[taken..]) {
                // (A relative path starts the value: `path0` is 0.)
                let prefix_end = bpath0 + cut;
                text.push_str(&btext[..prefix_end]);
                text.push_str(&value[taken..]);
                return (prefix_end, bpath0, prefix_end + path1 - taken);
            }
        }
    }
    text.push_str(&btext[..dirs.head]);
    let at = text.len();
    text.push_str(&value[..path0]);
    let path_start = text.len();
    let value_path = &value[path0..path1];
    match dirs.dir {
        Some(d) => {
            scratch.clear();
            scratch.push_str(&btext[bpath0..d]);
            scratch.push_str(value_path);
            remove_dot_segments(scratch, text);
        }
        None => remove_dot_segments(value_path, text),
    }
    let path_end = text.len();
    text.push_str(&value[path1..]);
    (at, path_start, path_end)
}

/// §5.2.4 on `dir` (a base path's directory: it starts and ends with `/`
/// and has no dot segment) followed by a relative path whose first
/// segments are `..` and `.`: each `..` removes the directory's last
/// segment (none above the root), each `.` nothing. Answers how much of
/// `dir` is left and how much of `path` those segments were, or `None`
/// when `dir` does not start with `/`.
///
/// The rest of `path`, when it has no dot segment, then follows as it is:
/// `tests` check the whole against [`remove_dot_segments`].
fn leading_dot_segments(dir: &[u8], path: &[u8]) -> Option<(usize, usize)> {
    if dir.first() != Some(&b'/') {
        return None;
    }
    let mut cut = dir.len();
    let mut i = 0;
    loop {
        let rest = &path[i..];
        if rest.starts_with(b"../") || rest == b".." {
            // The segment before the directory's last "/", and that "/".
            cut = dir[..cut - 1]
                .iter()
                .rposition(|&b| b == b'/')
                .map_or(1, |p| p + 1);
            i += rest.len().min(3);
        } else if rest.starts_with(b"./") || rest == b"." {
            i += rest.len().min(2);
        } else {
            return Some((cut, i));
        }
    }
}

/// The differential check of the strict fast paths, for tests and fuzz
/// targets: runs the machine's two shortcuts — the one-pass
/// [`resolve_strict`], and the one-pass
/// parser [`parse_common`](super::fast::parse_common) followed by
/// `strict::resolve_reference` — and `strict::resolve_general` on `v` against `base` (an
/// absolute URI) under every setting of the policy switches (`strict::SWITCHES`),
/// and panics when a shortcut's answer differs from the general path's in
/// text, offsets or error. Answers whether the one-pass path took `v` under
/// the RFC 9110 profile's switches; `false` when `base` does not parse.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_against_general(base: &str, v: &[u8]) -> bool {
    match UriBuf::parse_absolute(base) {
        Ok(b) => check_against_general_parsed(&b, v),
        Err(_) => false,
    }
}

/// [`check_against_general`] against a base already parsed (the fuzz
/// targets keep their known bases parsed).
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_against_general_parsed(b: &UriBuf, v: &[u8]) -> bool {
    let parsed = super::strict::parse_value(v, 0);
    check_parsed_value(b, v, &parsed, super::strict::ALL_SETTINGS)
}

/// [`check_against_general_parsed`] with the general path's policy-free
/// part done, under the settings of the switches in `settings` only:
/// `parsed` is `strict::parse_value(v, 0)` (the `resolve` fuzz target
/// reads the reference with it once for its own checks as well).
/// `strict::resolve_general` is that part followed by
/// `strict::resolve_reference`, which runs here under each policy.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn check_parsed_value(
    b: &UriBuf,
    v: &[u8],
    parsed: &Result<super::uri::UriRef<'_>, super::LocationError>,
    settings: super::strict::Settings,
) -> bool {
    // The one-pass parser reads the reference the same way under every
    // policy: once. Where it reads exactly what the general path's
    // policy-free part read (the same text and offsets), the one-pass
    // parser followed by `resolve_reference` is, under every policy, the
    // general path itself (`resolve_reference` reads nothing but the
    // reference, the base, the offset and the policy): nothing is left to
    // compare per policy. Otherwise each policy's results are compared.
    use super::fast::common_from_scan;
    let scanned = scan_common(v);
    let common = common_from_scan(scanned).filter(|r| match parsed {
        Ok(g) => (g.as_str(), g.parts()) != (r.as_str(), r.parts()),
        Err(_) => true,
    });
    thread_local! {
        /// The buffers the paths write into, kept per thread (as the
        /// machine keeps its own) so that they stay grown.
        static SCRATCH: std::cell::RefCell<(UriBuf, UriBuf)> = std::cell::RefCell::default();
    }
    SCRATCH.with_borrow_mut(|(general, fast)| {
        check_with_buffers(b, v, parsed, settings, scanned, common, general, fast)
    })
}

/// [`check_parsed_value`] with `v` scanned (`scanned`, and `common` where
/// the one-pass parser's reading is left to compare) and the buffers the
/// paths write into.
#[cfg(any(test, feature = "fuzz"))]
#[allow(clippy::too_many_arguments)]
fn check_with_buffers(
    b: &UriBuf,
    v: &[u8],
    parsed: &Result<super::uri::UriRef<'_>, super::LocationError>,
    settings: super::strict::Settings,
    scanned: Option<Scanned<'_>>,
    common: Option<super::uri::UriRef<'_>>,
    general: &mut UriBuf,
    fast: &mut UriBuf,
) -> bool {
    use super::strict::{resolve_reference, with_switched_policies};
    let base = b.as_str();
    let mut took_default = false;
    with_switched_policies(super::Profile::Rfc9110, |policies| {
        for (i, ((relative, inherit, userinfo), policy)) in policies.iter().enumerate() {
            if settings & (1 << i) == 0 {
                continue;
            }
            let (relative, inherit, userinfo) = (*relative, *inherit, *userinfo);
            // `strict::resolve_general(b, v, 0, general, policy)`, its
            // policy-free part done once above.
            let want = match parsed {
                Ok(r) => resolve_reference(b, r, 0, general, policy),
                Err(e) => Err(*e),
            };
            let shown = || {
                format!("{v:?} against {base:?} (relative {relative}, inherit {inherit}, refuse userinfo {userinfo})")
            };
            // `resolve_strict(b, v, ..)`, its scan done once above.
            if resolve_scanned(b, v, scanned, fast, relative, inherit) {
                took_default |= relative && inherit && userinfo;
                assert_eq!(want, Ok(()), "one-pass path took {}", shown());
                assert_eq!(
                    (fast.as_str(), fast.parts()),
                    (general.as_str(), general.parts()),
                    "one-pass path: {}",
                    shown()
                );
            }
            if let Some(r) = &common {
                let got = resolve_reference(b, r, 0, fast, policy);
                assert_eq!(got, want, "one-pass parser: {}", shown());
                if got.is_ok() {
                    assert_eq!(
                        (fast.as_str(), fast.parts()),
                        (general.as_str(), general.parts()),
                        "one-pass parser: {}",
                        shown()
                    );
                }
            }
        }
    });
    took_default
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BASES: &[&str] = &[
        "https://www.example.test/account/profile?tab=1#top",
        "http://a/b/c/d;p?q",
        "https://h.test:8443/",
        "http://h.test/dir/",
        "http://h.test",
        "http://h.test?q#f",
        "HTTPS://EXAMPLE.test/a/b/c#",
        "http://u:p@h.test/with/userinfo#x",
        "http://h.test/a/./b/../c/d#f",
        "http://h.test/a/..",
        "http://[::1]:8080/p?q#f",
        "urn:a:b",
        "a:b/c",
        "a:/b",
        "a:",
    ];

    #[test]
    fn common_shapes_take_the_fast_path() {
        for v in [
            "/login?next=%2Faccount%2Fsettings",
            "https://example.test/next",
            "https://example.test:8443/login",
            "https://example.test:/login",
            "https://example.test:065535/login",
            "//cdn.example.test/assets/app.js",
            "/app;jsessionid=0123456789ABCDEF?x=1",
            "?page=2",
            "#frag",
            "",
            "index.html",
            "g;x?y#s",
            "HTTPS://A.TEST",
            "../index.html",
            "./a",
            "/a/../b",
            "https://h.test/.",
            "//h.test/a/./b/../c?q#f",
        ] {
            assert!(
                check_against_general(BASES[0], v.as_bytes()),
                "{v:?} left the fast path"
            );
        }
    }

    #[test]
    fn everything_else_goes_to_the_general_path() {
        for (base, v) in [
            (BASES[0], "http:g"),
            (BASES[0], "//u@h.test/"),
            (BASES[0], "//h.test:65536/"),
            (BASES[0], "//h.test:99999999999999999999/"),
            (BASES[0], "/a b"),
            (BASES[0], "a:b/c"),
            ("http://h.test", "g"),
            ("urn:a:b", "g"),
        ] {
            assert!(
                !check_against_general(base, v.as_bytes()),
                "{v:?} against {base:?} took the fast path"
            );
        }
    }

    /// The one table of RFC 3986 §5.4 examples (`tests/data/rfc3986_examples.txt`)
    /// and its reader, shared with the integration tests.
    #[allow(dead_code)]
    mod rfc3986 {
        include!("../../tests/common/rfc3986.rs");
    }

    #[test]
    fn rfc3986_examples_agree() {
        // RFC 3986 §5.4, every example, and the corpus values, against every base.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
        let mut values: Vec<Vec<u8>> = rfc3986::rfc3986_examples()
            .iter()
            .map(|e| e.reference.as_bytes().to_vec())
            .collect();
        assert!(values.len() > 40, "the RFC 3986 table lost its examples");
        for entry in std::fs::read_dir(dir).unwrap() {
            values.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
        let mut took = 0;
        for base in BASES {
            for v in &values {
                took += usize::from(check_against_general(base, v));
            }
        }
        assert!(took > 500, "only {took} values took the fast path");
    }

    proptest! {
        #[test]
        fn random_values_agree(
            base in "[a-zA-Z][a-z0-9+.-]{0,4}:(//[a-zA-Z0-9.%@:\\[\\]-]{0,10})?[a-z0-9/.;%:]{0,16}(\\?[a-z/?.%]{0,6})?(#[a-z/?]{0,4})?",
            v in "([a-zA-Z][a-zA-Z0-9+.-]{0,4}:)?(//[a-zA-Z0-9.%@:\\[\\]-]{0,12})?[a-zA-Z0-9/.:;@%?#=&~-]{0,24}",
        ) {
            check_against_general(&base, v.as_bytes());
        }

        #[test]
        fn dot_segments_agree(
            base in "http://h(/[a-z.]{0,3}){0,4}/?(\\?q)?(#f)?",
            v in "(\\.{1,2}/|[a-z]{1,2}/|/){0,8}(\\.{0,2})(\\?[a-z.]{0,3})?(#[a-z]{0,2})?",
        ) {
            check_against_general(&base, v.as_bytes());
        }

        #[test]
        fn random_bytes_agree(v in proptest::collection::vec(any::<u8>(), 0..24)) {
            for base in BASES {
                check_against_general(base, &v);
            }
        }
    }
}
