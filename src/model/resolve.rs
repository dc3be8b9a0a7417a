//! RFC 3986 §5.2 reference resolution into a reusable buffer.
//!
//! [`resolve`] implements §5.2.2 ("Transform References") in its strict form
//! (a reference with a scheme is always absolute, even `http:g`), §5.2.3
//! ("Merge Paths") and §5.2.4 ("Remove Dot Segments") exactly, and writes the
//! result into a [`UriBuf`] whose capacity is kept from call to call, so a
//! resolution in steady state allocates nothing.
//!
//! Fragment inheritance (RFC 9110 §10.2.2) is not part of RFC 3986 and is
//! applied by the machine with [`UriBuf::inherit_fragment`].

use super::location::LocationError;
use super::uri::{accessors, parse_parts, Parts, UriRef};

/// An owned URI that has a scheme: a request URL or a resolution result.
///
/// # Examples
/// ```
/// use redirspec::model::{parse_uri_reference, resolve, UriBuf};
/// let base = UriBuf::parse_absolute("http://a/b/c/d;p?q").unwrap();
/// let mut out = UriBuf::new();
/// resolve(&base, &parse_uri_reference(b"../g").unwrap(), &mut out);
/// assert_eq!(out.as_str(), "http://a/b/g");
/// ```
#[derive(Debug, Default)]
pub struct UriBuf {
    text: String,
    parts: Parts,
    scratch: String,
}

// Manual `Clone` so that `clone_from` keeps this buffer's capacity (the
// derived one would allocate a new string every time).
impl Clone for UriBuf {
    fn clone(&self) -> Self {
        UriBuf {
            text: self.text.clone(),
            parts: self.parts,
            scratch: String::new(),
        }
    }
    fn clone_from(&mut self, source: &Self) {
        self.text.clone_from(&source.text);
        self.parts = source.parts;
    }
}

impl PartialEq for UriBuf {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
impl Eq for UriBuf {}

impl UriBuf {
    /// An empty buffer, to be filled by [`resolve`].
    pub fn new() -> Self {
        UriBuf::default()
    }

    /// The bytes this buffer keeps allocated (its text and its scratch
    /// space), for callers that keep a buffer grown only up to a bound (the
    /// server checker's Location target).
    #[cfg(feature = "server")]
    pub(crate) fn retained(&self) -> usize {
        self.text.capacity() + self.scratch.capacity()
    }

    /// Parses an RFC 3986 URI that has a scheme (a base or request URL).
    ///
    /// # Errors
    /// The grammar errors of [`parse_uri_reference`](super::parse_uri_reference),
    /// or [`LocationError::RelativeNotAllowed`] when there is no scheme.
    pub fn parse_absolute(text: &str) -> Result<UriBuf, LocationError> {
        let mut u = UriBuf::new();
        u.set_absolute(text, true)?;
        Ok(u)
    }

    /// [`parse_absolute`](Self::parse_absolute) into this buffer, whose
    /// capacity is kept: no allocation once it has grown. With `fast`, the
    /// common shapes are read by the one-pass scan (`model/fast.rs`, which
    /// gives the general parser's offsets wherever it answers), the rest by
    /// the general parser. On error the buffer is unchanged.
    pub(crate) fn set_absolute(&mut self, text: &str, fast: bool) -> Result<(), LocationError> {
        let scanned = if fast {
            super::fast::scan_common(text.as_bytes())
        } else {
            None
        };
        let parts = match scanned {
            Some((parts, _, _)) => parts,
            None => parse_parts(text.as_bytes())?,
        };
        if parts.scheme_end.is_none() {
            return Err(LocationError::RelativeNotAllowed);
        }
        self.text.clear();
        self.text.push_str(text);
        self.parts = parts;
        Ok(())
    }

    /// The URI as a borrowed reference (named so as not to shadow `AsRef::as_ref`).
    pub fn as_uri_ref(&self) -> UriRef<'_> {
        UriRef::from_parts(&self.text, self.parts)
    }

    /// The whole URI.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn text(&self) -> &str {
        &self.text
    }

    /// The component offsets.
    pub(crate) fn parts(&self) -> &Parts {
        &self.parts
    }

    accessors!();

    /// The text, the component offsets and the scratch buffer, for the fast
    /// paths that write a URI directly (`model/fast.rs`). The caller keeps
    /// the offsets true to the text.
    pub(crate) fn raw_mut(&mut self) -> (&mut String, &mut Parts, &mut String) {
        (&mut self.text, &mut self.parts, &mut self.scratch)
    }

    /// Sets the fragment when the URI has none (RFC 9110 §10.2.2: a Location
    /// without a fragment inherits the fragment of the request's reference).
    /// An empty fragment (`#`) is a fragment: nothing is inherited then.
    pub fn inherit_fragment(&mut self, fragment: Option<&str>) {
        if let (None, Some(f)) = (self.parts.fragment, fragment) {
            self.text.push('#');
            let start = self.text.len();
            self.text.push_str(f);
            self.parts.fragment = Some((start, self.text.len()));
        }
    }
}

impl std::fmt::Display for UriBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Copies `"//" authority` of `src` to `out`, recording its sub-parts.
fn push_authority(out: &mut String, parts: &mut Parts, src: &UriRef<'_>) {
    let sp = src.parts();
    let Some((a, b)) = sp.authority else {
        parts.host = (out.len(), out.len());
        return;
    };
    out.push_str("//");
    let start = out.len();
    out.push_str(&src.as_str()[a..b]);
    let shift = |x: usize| x - a + start;
    parts.authority = Some((start, out.len()));
    parts.userinfo_end = sp.userinfo_end.map(shift);
    parts.host = (shift(sp.host.0), shift(sp.host.1));
    parts.port = sp.port.map(|(p, q)| (shift(p), shift(q)));
}

/// Resolves `reference` against `base` (RFC 3986 §5.2.2, strict) into `out`.
///
/// `out` is cleared first; its capacity is reused. The result has a scheme,
/// no dot segments in its path, and the reference's fragment (if any).
///
/// One case RFC 3986 leaves open is kept as the algorithm gives it: when the
/// result has no authority and its path starts with `//` (e.g. `a:/..//b`),
/// its text reads back with an authority. The machine never follows such a
/// target (an http(s) URI needs a host, RFC 9110 §4.2.1).
///
/// # Examples
/// ```
/// use redirspec::model::{parse_uri_reference, resolve, UriBuf};
/// let base = UriBuf::parse_absolute("https://a.test/x/y?q#top").unwrap();
/// let mut out = UriBuf::new();
/// resolve(&base, &parse_uri_reference(b"?z").unwrap(), &mut out);
/// assert_eq!(out.as_str(), "https://a.test/x/y?z");
/// ```
pub fn resolve(base: &UriBuf, reference: &UriRef<'_>, out: &mut UriBuf) {
    if !resolve_by_concatenation(base, reference, out) {
        resolve_by_the_algorithm(base, reference, out);
    }
}

/// RFC 3986 §5.2.2 where its result is a prefix of the base followed by the
/// whole reference, as it is: answers `false`, having written nothing, for
/// the other references.
///
/// That is every reference but a relative-path one (whose path is merged)
/// whose path has no dot segment (`remove_dot_segments` then leaves the path
/// as it is): with a scheme, the result is the reference; with an
/// authority, the base's `scheme:` and the reference; with an absolute path,
/// the base up to its path; with an empty path and a query, the base up to
/// its query; with an empty path and no query, the base without fragment.
/// `tests` check it against [`resolve_by_the_algorithm`], text and offsets.
pub(crate) fn resolve_by_concatenation(base: &UriBuf, r: &UriRef<'_>, out: &mut UriBuf) -> bool {
    let rp = r.parts();
    let bp = &base.parts;
    let path = r.path();
    let prefix_end = if rp.scheme_end.is_some() {
        0
    } else if rp.authority.is_some() {
        bp.scheme_end.map_or(0, |e| e + 1)
    } else if path.starts_with('/') {
        bp.path.0
    } else if !path.is_empty() {
        // A relative path: merged with the base's (§5.2.3).
        return false;
    } else if rp.query.is_some() {
        bp.path.1
    } else {
        bp.fragment.map_or(base.text.len(), |(a, _)| a - 1)
    };
    if has_dot_segment(path.as_bytes()) {
        return false;
    }
    let UriBuf { text, parts, .. } = out;
    text.clear();
    text.push_str(&base.text[..prefix_end]);
    text.push_str(r.as_str());
    let at = |x: usize| x + prefix_end;
    let shifted = |o: Option<(usize, usize)>| o.map(|(a, b)| (at(a), at(b)));
    *parts = Parts {
        scheme_end: rp.scheme_end.map(at).or(bp.scheme_end),
        authority: shifted(rp.authority),
        userinfo_end: rp.userinfo_end.map(at),
        host: (at(rp.host.0), at(rp.host.1)),
        port: shifted(rp.port),
        path: (at(rp.path.0), at(rp.path.1)),
        query: shifted(rp.query),
        fragment: shifted(rp.fragment),
    };
    if rp.scheme_end.is_none() && rp.authority.is_none() {
        take_base_authority(parts, bp, path.is_empty(), rp.query.is_some());
    }
    true
}

/// §5.2.2 for a reference without scheme or authority, on the result's
/// offsets: "T.authority = Base.authority", and for an empty reference
/// path "T.path = Base.path" and, without a query, "T.query = Base.query".
#[inline(always)]
pub(crate) fn take_base_authority(parts: &mut Parts, base: &Parts, empty_path: bool, query: bool) {
    parts.authority = base.authority;
    parts.userinfo_end = base.userinfo_end;
    parts.host = base.host;
    parts.port = base.port;
    if empty_path {
        parts.path = base.path;
        if !query {
            parts.query = base.query;
        }
    }
}

/// RFC 3986 §5.2.2 step by step.
fn resolve_by_the_algorithm(base: &UriBuf, reference: &UriRef<'_>, out: &mut UriBuf) {
    let UriBuf {
        text,
        parts,
        scratch,
    } = out;
    text.clear();
    *parts = Parts::default();
    let r = reference;
    let b = base.as_uri_ref();
    let query;
    if let Some(scheme) = r.scheme() {
        // "if defined(R.scheme) then T.scheme = R.scheme; T.authority = R.authority;
        //  T.path = remove_dot_segments(R.path); T.query = R.query"
        text.push_str(scheme);
        parts.scheme_end = Some(text.len());
        text.push(':');
        push_authority(text, parts, r);
        let start = text.len();
        remove_dot_segments(r.path(), text);
        parts.path = (start, text.len());
        query = r.query();
    } else {
        // "T.scheme = Base.scheme"
        text.push_str(b.scheme().unwrap_or_default());
        parts.scheme_end = Some(text.len());
        text.push(':');
        if r.authority().is_some() {
            // "if defined(R.authority) then T.authority = R.authority;
            //  T.path = remove_dot_segments(R.path); T.query = R.query"
            push_authority(text, parts, r);
            let start = text.len();
            remove_dot_segments(r.path(), text);
            parts.path = (start, text.len());
            query = r.query();
        } else {
            // "T.authority = Base.authority"
            push_authority(text, parts, &b);
            let start = text.len();
            if r.path().is_empty() {
                // "T.path = Base.path; if defined(R.query) then T.query = R.query
                //  else T.query = Base.query"
                text.push_str(b.path());
                query = r.query().or(b.query());
            } else {
                if r.path().starts_with('/') {
                    // "T.path = remove_dot_segments(R.path)"
                    remove_dot_segments(r.path(), text);
                } else {
                    // "T.path = merge(Base.path, R.path); T.path = remove_dot_segments(T.path)"
                    scratch.clear();
                    merge(&b, r.path(), scratch);
                    remove_dot_segments(scratch, text);
                }
                query = r.query();
            }
            parts.path = (start, text.len());
        }
    }
    if let Some(q) = query {
        text.push('?');
        let start = text.len();
        text.push_str(q);
        parts.query = Some((start, text.len()));
    }
    // "T.fragment = R.fragment"
    if let Some(f) = r.fragment() {
        text.push('#');
        let start = text.len();
        text.push_str(f);
        parts.fragment = Some((start, text.len()));
    }
}

/// RFC 3986 §5.2.3, "Merge Paths".
fn merge(base: &UriRef<'_>, path: &str, out: &mut String) {
    let bp = base.path();
    if base.authority().is_some() && bp.is_empty() {
        // "return a string consisting of "/" concatenated with the reference's path"
        out.push('/');
    } else if let Some(last) = bp.rfind('/') {
        // "all but the last segment of the base URI's path"
        out.push_str(&bp[..=last]);
    }
    out.push_str(path);
}

/// RFC 3986 §5.2.4, "Remove Dot Segments": appends the result for `input` to
/// `out`. Text already in `out` is never touched (a `..` stops at it).
///
/// # Examples
/// ```
/// use redirspec::model::remove_dot_segments;
/// let mut out = String::new();
/// remove_dot_segments("/a/b/c/./../../g", &mut out);
/// assert_eq!(out, "/a/g");
/// out.clear();
/// remove_dot_segments("mid/content=5/../6", &mut out);
/// assert_eq!(out, "mid/6");
/// ```
pub fn remove_dot_segments(input: &str, out: &mut String) {
    // Without a "." or ".." segment only rule E applies, and it moves the
    // input to the output unchanged: copy it in one go.
    if !has_dot_segment(input.as_bytes()) {
        out.push_str(input);
        return;
    }
    apply_dot_segment_rules(input, out);
}

/// The loop of RFC 3986 §5.2.4, rule by rule.
pub(crate) fn apply_dot_segment_rules(input: &str, out: &mut String) {
    let floor = out.len();
    let b = input.as_bytes();
    let n = b.len();
    let mut i = 0;
    let pop = |out: &mut String| {
        // "removing the last segment and its preceding "/" (if any) from the output buffer"
        let cut = out[floor..].rfind('/').map_or(floor, |p| floor + p);
        out.truncate(cut);
    };
    while i < n {
        let rest = &b[i..];
        if rest.starts_with(b"../") {
            // A. "If the input buffer begins with a prefix of "../" or "./",
            //     then remove that prefix from the input buffer"
            i += 3;
        } else if rest.starts_with(b"./") {
            i += 2;
        } else if rest.starts_with(b"/./") {
            // B. "if the input buffer begins with a prefix of "/./" or "/.", where
            //     "." is a complete path segment, then replace that prefix with "/""
            i += 2;
        } else if rest == b"/." {
            out.push('/');
            i = n;
        } else if rest.starts_with(b"/../") {
            // C. "... "/../" or "/..", where ".." is a complete path segment, then
            //     replace that prefix with "/" and remove the last segment and its
            //     preceding "/" (if any) from the output buffer"
            pop(out);
            i += 3;
        } else if rest == b"/.." {
            pop(out);
            out.push('/');
            i = n;
        } else if rest == b"." || rest == b".." {
            // D. "if the input buffer consists only of "." or "..", then remove that"
            i = n;
        } else {
            // E. "move the first path segment in the input buffer to the end of
            //     the output buffer"
            let start = i;
            if b[i] == b'/' {
                i += 1;
            }
            i += b[i..].iter().position(|&c| c == b'/').unwrap_or(n - i);
            out.push_str(&input[start..i]);
        }
    }
}

/// Whether a segment of `path` is "." or "..".
#[inline]
pub(crate) fn has_dot_segment(path: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = path[from..].iter().position(|&b| b == b'.') {
        let p = from + p;
        if p == 0 || path[p - 1] == b'/' {
            let rest = &path[p + 1..];
            let rest = rest.strip_prefix(b".").unwrap_or(rest);
            if rest.is_empty() || rest[0] == b'/' {
                return true;
            }
        }
        from = p + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_uri_reference;

    /// Both ways of resolving, text and offsets.
    fn both(base: &str, reference: &[u8]) -> Option<(UriBuf, UriBuf, bool)> {
        let base = UriBuf::parse_absolute(base).ok()?;
        let r = parse_uri_reference(reference).ok()?;
        let (mut fast, mut slow) = (UriBuf::new(), UriBuf::new());
        let took = resolve_by_concatenation(&base, &r, &mut fast);
        resolve_by_the_algorithm(&base, &r, &mut slow);
        Some((fast, slow, took))
    }

    #[test]
    fn concatenation_covers_the_common_forms() {
        let base = "https://u@a.test:8443/x/y?q#f";
        for (r, took) in [
            ("https://b.test/n?m#k", true),
            ("//b.test/n", true),
            ("/n?m", true),
            ("?m", true),
            ("#k", true),
            ("", true),
            ("n", false),
            ("/a/../n", false),
            ("https://b.test/./n", false),
        ] {
            let (fast, slow, t) = both(base, r.as_bytes()).unwrap();
            assert_eq!(t, took, "{r}");
            if took {
                assert_eq!(fast.as_str(), slow.as_str(), "{r}");
                assert_eq!(fast.parts, slow.parts, "{r}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// Wherever concatenation answers, it answers what the algorithm does.
        #[test]
        fn concatenation_equals_the_algorithm(
            base in "[a-zA-Z][a-z+.]{0,3}:(//([a-z]{0,2}@)?[a-z.]{0,4}(:[0-9]{0,3})?)?(/[a-z.]{0,3}){0,3}(\\?[a-z/?]{0,3})?(#[a-z]{0,2})?",
            reference in "([a-z]{1,3}:)?(//[a-z.@:]{0,5})?[a-z./]{0,8}(\\?[a-z/?.]{0,3})?(#[a-z./]{0,2})?",
        ) {
            if let Some((fast, slow, took)) = both(&base, reference.as_bytes()) {
                if took {
                    proptest::prop_assert_eq!(fast.as_str(), slow.as_str());
                    proptest::prop_assert_eq!(fast.parts, slow.parts);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn paths_without_dot_segments_are_unchanged(p in "[a./]{0,12}") {
            let mut out = String::new();
            apply_dot_segment_rules(&p, &mut out);
            if !has_dot_segment(p.as_bytes()) {
                proptest::prop_assert_eq!(out, p);
            }
        }
    }

    #[test]
    fn dot_segments_are_found() {
        for p in [
            ".", "..", "./a", "../a", "/.", "/..", "/./", "/a/../b", "a/.",
        ] {
            assert!(has_dot_segment(p.as_bytes()), "{p}");
        }
        for p in [
            "", "/", ".a", "..a", "/a.", "/a../b", "/.../", "a.b/c..d", "/.x/",
        ] {
            assert!(!has_dot_segment(p.as_bytes()), "{p}");
        }
    }

    fn res(base: &str, r: &str) -> String {
        let base = UriBuf::parse_absolute(base).unwrap();
        let mut out = UriBuf::new();
        resolve(&base, &parse_uri_reference(r.as_bytes()).unwrap(), &mut out);
        out.as_str().to_owned()
    }

    #[test]
    fn parts_of_the_result_are_right() {
        let base = UriBuf::parse_absolute("http://u@a:81/b/c?q#f").unwrap();
        let mut out = UriBuf::new();
        resolve(&base, &parse_uri_reference(b"../d?x#y").unwrap(), &mut out);
        assert_eq!(out.as_str(), "http://u@a:81/d?x#y");
        assert_eq!(out.scheme(), Some("http"));
        assert_eq!(out.userinfo(), Some("u"));
        assert_eq!(out.host(), Some("a"));
        assert_eq!(out.port(), Some("81"));
        assert_eq!(out.path(), "/d");
        assert_eq!(out.query(), Some("x"));
        assert_eq!(out.fragment(), Some("y"));
        resolve(&base, &parse_uri_reference(b"//h.test").unwrap(), &mut out);
        assert_eq!(out.host(), Some("h.test"));
        assert_eq!(out.port(), None);
        assert_eq!(out.path(), "");
    }

    #[test]
    fn merge_with_empty_base_path() {
        // RFC 3986 §5.2.3: base with authority and empty path
        assert_eq!(res("http://a", "g"), "http://a/g");
        assert_eq!(res("http://a?q", ""), "http://a?q");
    }

    #[test]
    fn rootless_base() {
        assert_eq!(res("mailto:x@y", "z"), "mailto:z");
    }

    #[test]
    fn fragment_inheritance_keeps_empty_fragments() {
        let base = UriBuf::parse_absolute("https://a/x#keep").unwrap();
        let mut out = UriBuf::new();
        resolve(&base, &parse_uri_reference(b"/n").unwrap(), &mut out);
        out.inherit_fragment(base.fragment());
        assert_eq!(out.as_str(), "https://a/n#keep");
        assert_eq!(out.fragment(), Some("keep"));
        resolve(&base, &parse_uri_reference(b"/n#").unwrap(), &mut out);
        out.inherit_fragment(base.fragment());
        assert_eq!(out.as_str(), "https://a/n#");
    }

    #[test]
    fn dot_segments_never_climb_above_the_root() {
        let mut out = String::from("http://a");
        remove_dot_segments("/../../x/..", &mut out);
        assert_eq!(out, "http://a/");
    }
}
