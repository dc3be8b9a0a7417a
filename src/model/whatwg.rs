//! The Fetch profile's general path: URLs as the WHATWG URL parser (the `url`
//! crate) reads and serializes them.
//!
//! [`resolve_general`] is the definition the machine follows in
//! [`LocationMode::Whatwg`](super::LocationMode::Whatwg): Fetch's "location
//! URL" (the field value, parsed against the current URL), with the one
//! place where the `url` crate departs from the URL Standard put right
//! ([`collapse_leading_slashes`]), the policy's checks and fragment
//! inheritance. [`WebUrl`] holds a URL as the machine keeps it: the
//! serialization and its offsets. The fast paths that write the same bytes
//! without the `url` crate are in `model/fast_whatwg.rs`, checked against
//! this module.

use std::borrow::Cow;

use url::{Position, Url};

use super::location::{check_field_bytes, LocationError};
use super::profile::Policy;
use super::resolve::UriBuf;
use super::uri::Parts;

/// A URL as the WHATWG URL parser serializes it, with its component offsets,
/// and the parsed [`Url`] when one is at hand.
///
/// The machine's Fetch-mode URLs. The text is always the `url` crate's
/// serialization: either copied from a [`Url`] or written by
/// a fast path (`model/fast_whatwg.rs`), which writes exactly what the `url`
/// crate would. A [`Url`] is parsed from the text only when the general path needs
/// one as a base.
#[derive(Debug, Default)]
pub(crate) struct WebUrl {
    /// The serialization and its offsets.
    pub(super) buf: UriBuf,
    /// The parsed form, when one is at hand (a cache of `buf`).
    pub(super) url: Option<Url>,
}

impl Clone for WebUrl {
    #[inline]
    fn clone(&self) -> Self {
        WebUrl {
            buf: self.buf.clone(),
            url: self.url.clone(),
        }
    }
    #[inline]
    fn clone_from(&mut self, source: &Self) {
        // The parsed form (a cache) comes along, so that a restored machine
        // does not parse its URL again on the general path. Where `source`
        // has none but this copy's own parsed form is of the same text (the
        // general path made it on an earlier step of a machine restored
        // from `source` again and again), it stays.
        self.buf.clone_from(&source.buf);
        match (&source.url, &self.url) {
            (None, Some(own)) if own.as_str() == self.buf.as_str() => {}
            _ => self.url.clone_from(&source.url),
        }
    }
}

impl WebUrl {
    /// Takes a parsed URL: its serialization and offsets.
    #[cfg(test)]
    pub(crate) fn from_url(url: Url) -> Self {
        let mut w = WebUrl::default();
        w.set_url(url);
        w
    }

    fn set_url(&mut self, url: Url) {
        self.copy_url(&url);
        self.url = Some(url);
    }

    /// Takes a request URL (Fetch mode): `Url::parse(text)`, with `fast`
    /// through the fast path `fast_whatwg::whatwg_start` when `text` is in
    /// its domain (no allocation once this buffer has grown; the parsed form
    /// is then made only if the general path needs it). On error this URL is
    /// unchanged or, when the fast path declined half-way, holds a partial
    /// text: the machine starts into a spare buffer.
    #[inline]
    pub(crate) fn set_start(&mut self, text: &str, fast: bool) -> Result<(), LocationError> {
        // The serialization is at most one byte longer (the `/` of an empty
        // path): one allocation, not one per doubling, while it grows.
        let buf = self.buf.raw_mut().0;
        buf.clear();
        buf.reserve(text.len() + 1);
        if fast && super::fast_whatwg::whatwg_start(text.as_bytes(), self) {
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

    /// The parsed form: the one at hand or, when there is none (the text
    /// was written by a fast path), the parse of the text, kept from then
    /// on (a machine reads its current URL again when its clones step from
    /// it, see [`clone_from`](Clone::clone_from)).
    ///
    /// # Errors
    /// The parser's, when it refuses the text.
    pub(crate) fn parsed_kept(&mut self) -> Result<&Url, LocationError> {
        let url = match self.url.take() {
            Some(url) => url,
            None => self.parse_text()?,
        };
        Ok(self.url.insert(url))
    }

    /// The `url` crate's parse of the text (the parsed form of a URL a
    /// fast path wrote).
    fn parse_text(&self) -> Result<Url, LocationError> {
        Url::parse(self.buf.as_str()).map_err(LocationError::Whatwg)
    }

    /// The serialization and its component offsets.
    #[inline]
    pub(crate) fn buf(&self) -> &UriBuf {
        &self.buf
    }
    /// The serialization (the differential checks read it).
    #[cfg(any(test, feature = "fuzz"))]
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        self.buf.as_str()
    }
    /// The host, as `Url::host_str` gives it (the machine reads the other
    /// components through [`buf`](Self::buf), as it reads a strict URL's).
    #[inline]
    pub(crate) fn host_str(&self) -> Option<&str> {
        self.buf.authority().and(self.buf.host())
    }
    /// The fragment, without `#`.
    #[inline]
    pub(crate) fn fragment(&self) -> Option<&str> {
        self.buf.fragment()
    }
    /// The parsed form, when it is at hand.
    #[cfg(any(test, feature = "fuzz"))]
    pub(crate) fn parsed(&self) -> Option<&Url> {
        self.url.as_ref()
    }
}

/// Fetch "location URL": the Location value `value` (trimmed; `start` is
/// its offset in the field line) parsed with the WHATWG URL parser against
/// `current` into `next`, with the policy's checks and fragment
/// inheritance.
///
/// It is the composition of a part no policy switch reads
/// ([`parse_value`]: field bytes, UTF-8 decoding, the parse against
/// `current`) and the policy's part ([`apply_policy`]); the differential
/// checks ([`GeneralParse`]) run the first once per value and the second
/// under each policy.
///
/// # Errors
/// A NUL, CR or LF in the value, a value the parser rejects, or a policy
/// check that fails; `next` is then unchanged.
pub(crate) fn resolve_general(
    current: &mut WebUrl,
    value: &[u8],
    start: usize,
    next: &mut WebUrl,
    policy: &Policy,
) -> Result<(), LocationError> {
    let (text, url) = parse_value(|| current.parsed_kept().map(Cow::Borrowed), value, start)?;
    let url = apply_policy(
        url,
        || Url::parse(&text).is_ok(),
        current.fragment(),
        policy,
    )?;
    next.set_url(url);
    Ok(())
}

/// The part of [`resolve_general`] that reads no policy switch: the field
/// bytes checked, the value UTF-8 decoded, its leading slashes collapsed
/// ([`collapse_leading_slashes`]) and parsed against the current URL
/// (`current` gives its parsed form). Gives the text the parser read and
/// the URL.
///
/// # Errors
/// A NUL, CR or LF in the value, or a value (or base) the parser rejects.
fn parse_value<'v, 'b>(
    current: impl FnOnce() -> Result<Cow<'b, Url>, LocationError>,
    value: &'v [u8],
    start: usize,
) -> Result<(Cow<'v, str>, Url), LocationError> {
    // Fetch: a header value contains no 0x00, 0x0A or 0x0D.
    check_field_bytes(value, start)?;
    // Encoding Standard "UTF-8 decode": invalid sequences become U+FFFD.
    let text = String::from_utf8_lossy(value);
    parse_against(&*current()?, text)
}

/// [`parse_value`] once the base is parsed: the decoded value `text`,
/// its leading slashes collapsed, parsed against `base`.
fn parse_against<'v>(base: &Url, text: Cow<'v, str>) -> Result<(Cow<'v, str>, Url), LocationError> {
    let collapsed = match collapse_leading_slashes(&text, base.scheme()) {
        Cow::Owned(c) => Some(c),
        Cow::Borrowed(_) => None,
    };
    let text = collapsed.map_or(text, Cow::Owned);
    // Fetch "location URL": "set location to the result of parsing
    // location with response's URL".
    let url = Url::options()
        .base_url(Some(base))
        .parse(&text)
        .map_err(LocationError::Whatwg)?;
    Ok((text, url))
}

/// The policy's part of [`resolve_general`], on the URL [`parse_value`]
/// gave: the relative check (`parses_alone` answers whether the text the
/// parser read is a URL without a base; asked only when the policy refuses
/// relative values), the userinfo check, fragment inheritance (`fragment`
/// is the current URL's).
///
/// # Errors
/// A policy check that fails.
fn apply_policy(
    mut url: Url,
    parses_alone: impl FnOnce() -> bool,
    fragment: Option<&str>,
    policy: &Policy,
) -> Result<Url, LocationError> {
    // A policy's own choice (no built-in WHATWG profile makes it): RFC 2616
    // §14.30 "Location = "Location" ":" absoluteURI".
    if !policy.relative_location && !parses_alone() {
        return Err(LocationError::RelativeNotAllowed);
    }
    // Fetch: "If request's mode is "cors", locationURL includes credentials,
    // and request's origin is not same origin with locationURL's origin,
    // then return a network error."; RFC 9110 §4.2.4: "treat its presence as
    // an error". (The Fetch profile models navigation and no-cors requests:
    // off.)
    if policy.refuse_userinfo && (!url.username().is_empty() || url.password().is_some()) {
        return Err(LocationError::Userinfo);
    }
    // Fetch "location URL": "If location is a URL whose fragment is
    // null, then set location's fragment to requestFragment."
    if policy.inherit_fragment && url.fragment().is_none() {
        url.set_fragment(fragment);
    }
    Ok(url)
}

/// [`resolve_general`] for one current URL and one value under several
/// policies, for the differential checks: its policy-free part
/// ([`parse_value`]) run once, its policy's part ([`apply_policy`]) under
/// each policy asked for. Whether the text parses without a base is
/// worked out at most once.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) struct GeneralParse<'v> {
    parsed: Result<(Cow<'v, str>, Url), LocationError>,
    parses_alone: std::cell::OnceCell<bool>,
}

#[cfg(any(test, feature = "fuzz"))]
impl<'v> GeneralParse<'v> {
    /// The policy-free part of `resolve_general(current, value, start, ..)`.
    /// `current`'s parsed form is made here (and not kept) when it has none
    /// at hand: callers that check many values against one base keep it
    /// parsed.
    pub(crate) fn new(current: &WebUrl, value: &'v [u8], start: usize) -> Self {
        let base = || match &current.url {
            Some(url) => Ok(Cow::Borrowed(url)),
            None => current.parse_text().map(Cow::Owned),
        };
        GeneralParse {
            parsed: parse_value(base, value, start),
            parses_alone: std::cell::OnceCell::new(),
        }
    }

    /// The text the parser read and the URL it gave against the current
    /// URL's parsed form (before the policy's part), when it gave one.
    pub(crate) fn url(&self) -> Option<(&str, &Url)> {
        self.parsed.as_ref().ok().map(|(text, url)| (&**text, url))
    }

    /// What `resolve_general(current, value, start, next, policy)` gives,
    /// `current` being the URL [`new`](Self::new) was given.
    ///
    /// # Errors
    /// [`resolve_general`]'s; `next` is then unchanged.
    pub(crate) fn resolve(
        &self,
        current: &WebUrl,
        next: &mut WebUrl,
        policy: &Policy,
    ) -> Result<(), LocationError> {
        let (text, url) = self.parsed.as_ref().map_err(|e| *e)?;
        let parses_alone = || *self.parses_alone.get_or_init(|| Url::parse(text).is_ok());
        let url = apply_policy(url.clone(), parses_alone, current.fragment(), policy)?;
        next.set_url(url);
        Ok(())
    }
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

/// A Fetch-mode request URL must have a host.
#[inline]
pub(crate) fn check_host(u: &WebUrl) -> Result<(), LocationError> {
    if u.host_str().is_none_or(str::is_empty) {
        return Err(LocationError::NoHost);
    }
    Ok(())
}
