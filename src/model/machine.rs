//! The redirect state machine.

use http::header::{CONTENT_LENGTH, LOCATION, SET_COOKIE, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use url::Url;

use super::body::{Body, BodyAction};
use super::fast::{self, WebUrl};
use super::fast_strict;
use super::location::{bounded_trimmed, check_field_bytes, LocationError, LocationMode};
use super::origin::{default_port, Origin};
use super::profile::{
    Boundary, CompareWith, Downgrade, MultipleLocations, Policy, RedirectRule, Rewrite, StreamBody,
};
use super::resolve::{resolve, UriBuf};
use super::seen::Seen;
use super::status::{classify, StatusClass};
use super::step::{DeliverReason, Hop, Refusal, Removal, RemovedHeader, Step};
use super::uri::parse_uri_reference;

/// The request URL is not one a redirect chain can start from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid request URL: {0}")]
pub struct StartError(pub LocationError);

impl From<LocationError> for StartError {
    fn from(e: LocationError) -> Self {
        StartError(e)
    }
}

/// An exact, pure model of one redirect chain.
///
/// The whole contract:
/// - **In**, once: the first request (method, absolute URL, headers, body)
///   and a [`Policy`] ([`RedirectMachine::new`]); optionally the number of
///   redirects already followed ([`RedirectMachine::with_redirect_count`]).
/// - **In**, per response: its status and its Location field lines
///   ([`RedirectMachine::step`] with an `http::HeaderMap`, or
///   [`RedirectMachine::step_raw`] with raw bytes).
/// - **Out**, per response: a [`Step`]. `Follow` carries a [`Hop`], a view of
///   the next request (method, URL, headers, body, what was removed and why);
///   the machine has already moved to it, so the next response is stepped
///   against it. `Deliver` and `Refuse` end the chain; any later step returns
///   `Refuse(Refusal::Finished)`.
///
/// No I/O, no clock, no randomness: the same inputs give the same steps.
/// Every input gives a step; nothing panics. The order of the checks is
/// Fetch's: status, Location (absent, several, unparsable), scheme, hop limit,
/// body replay, method change, credential removal; then, where the policy
/// asks, loop detection. The decision reuses the machine's buffers: in strict
/// mode a step allocates nothing once the buffers have grown.
///
/// # Examples
/// A POST answered by a cross-origin 302, by hand, without a network:
/// ```
/// use http::{header, HeaderMap, Method, StatusCode};
/// use redirspec::{Body, BodyAction, Profile, RedirectMachine, Step};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(header::AUTHORIZATION, "Bearer t".parse().unwrap());
/// headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
/// let mut m = RedirectMachine::new(
///     Method::POST, "https://a.test/form#top", headers, Body::Bytes(5), Profile::Fetch.policy(),
/// ).unwrap();
///
/// let mut response = HeaderMap::new();
/// response.insert(header::LOCATION, "https://b.test/done".parse().unwrap());
/// match m.step(StatusCode::FOUND, &response) {
///     Step::Follow(hop) => {
///         assert_eq!(hop.method(), Method::GET);
///         assert_eq!(hop.url(), "https://b.test/done#top");
///         assert_eq!(hop.body_action(), BodyAction::Drop);
///         assert!(hop.headers().is_empty());
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(m.step(StatusCode::OK, &HeaderMap::new()), Step::Deliver(_)));
/// ```
#[derive(Debug)]
pub struct RedirectMachine {
    policy: Policy,
    method: Method,
    headers: HeaderMap,
    body: Body,
    urls: Urls,
    hops: u32,
    start_hops: u32,
    seen: Seen,
    removed: Vec<RemovedHeader>,
    body_action: BodyAction,
    finished: bool,
    /// Whether the policy allows `http` and `https`, read once (the scheme
    /// check of every step then compares the common spellings only).
    allows_http: [bool; 2],
    /// The text of an `http::Uri` a restart was given, kept for its capacity.
    uri_text: String,
    /// The method of the first request while loop detection has not
    /// recorded it yet: the first lookup records it only when it cannot
    /// rule it out without its key, and a later lookup records it from the
    /// first URL, which the machine keeps.
    first_unrecorded: Option<Method>,
}

/// The current, next and first URL, in the policy's parser's representation.
// One per machine, never moved in a hot loop: boxing a variant would only add
// an indirection to every URL access.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Urls {
    Strict(Trio<UriBuf>),
    // Fetch mode: the `url` crate's serializations, which the fast path in
    // model/fast.rs can write without a `Url` (see `fast::WebUrl`).
    Whatwg(Trio<WebUrl>),
}

/// A current, a next and a first URL in three buffers, named by index: no
/// buffer is ever moved or copied to change roles.
///
/// The first URL is the current one until the first hop, so a machine parses
/// its start URL once, into one buffer, and copies it nowhere. From then on
/// the first URL keeps its buffer and the other two take turns as current
/// and next. A restart parses into the next buffer (so that a start URL that
/// fails leaves the machine as it was) and makes it first and current.
#[derive(Debug)]
struct Trio<U> {
    bufs: [U; 3],
    /// Which of `bufs` is the current URL.
    current: u8,
    /// Which of `bufs` the next URL is written into: never the current one
    /// nor the first.
    next: u8,
    /// Which of `bufs` is the first URL.
    first: u8,
}

impl<U: Default> Trio<U> {
    /// Three buffers, the first and current URL in buffer 0.
    fn new(first: U) -> Self {
        Trio {
            bufs: [first, U::default(), U::default()],
            current: 0,
            next: 1,
            first: 0,
        }
    }
}

impl<U> Trio<U> {
    fn current(&self) -> &U {
        &self.bufs[usize::from(self.current)]
    }
    fn next(&self) -> &U {
        &self.bufs[usize::from(self.next)]
    }
    fn first(&self) -> &U {
        &self.bufs[usize::from(self.first)]
    }
    fn next_mut(&mut self) -> &mut U {
        &mut self.bufs[usize::from(self.next)]
    }
    fn current_and_next(&mut self) -> (&mut U, &mut U) {
        let [a, b, c] = &mut self.bufs;
        match (self.current, self.next) {
            (0, 1) => (a, b),
            (0, 2) => (a, c),
            (1, 0) => (b, a),
            (1, 2) => (b, c),
            (2, 0) => (c, a),
            // (2, 1): no other pair is ever set.
            _ => (c, b),
        }
    }
    /// The next URL becomes current; the buffer that is neither it nor the
    /// first takes the next one.
    fn advance(&mut self) {
        self.current = self.next;
        self.next = 3 - self.current - self.first;
    }
    /// The next URL (just written by a restart) becomes first and current.
    fn restart_at_next(&mut self) {
        self.first = self.next;
        self.current = self.next;
        self.next = (self.next + 1) % 3;
    }
}

// `clone_from` into the buffers this one already has.
impl<U: Clone> Clone for Trio<U> {
    fn clone(&self) -> Self {
        Trio {
            bufs: self.bufs.clone(),
            current: self.current,
            next: self.next,
            first: self.first,
        }
    }
    fn clone_from(&mut self, source: &Self) {
        for (to, from) in self.bufs.iter_mut().zip(&source.bufs) {
            to.clone_from(from);
        }
        self.current = source.current;
        self.next = source.next;
        self.first = source.first;
    }
}

#[derive(Clone, Copy)]
enum View<'a> {
    Strict(&'a UriBuf),
    Whatwg(&'a WebUrl),
}

impl<'a> View<'a> {
    fn as_str(self) -> &'a str {
        match self {
            View::Strict(u) => u.as_str(),
            View::Whatwg(u) => u.as_str(),
        }
    }
    fn scheme(self) -> &'a str {
        match self {
            View::Strict(u) => u.scheme().unwrap_or_default(),
            View::Whatwg(u) => u.scheme(),
        }
    }
    fn without_fragment(self) -> &'a str {
        match self {
            View::Strict(u) => u.without_fragment(),
            View::Whatwg(u) => u.without_fragment(),
        }
    }
    fn host(self) -> &'a str {
        match self {
            View::Strict(u) => u.host().unwrap_or_default(),
            View::Whatwg(u) => u.host_str().unwrap_or_default(),
        }
    }
    /// Whether the host is empty or absent (as `host().is_empty()`, from
    /// the offsets alone).
    fn host_is_empty(self) -> bool {
        let p = self.buf().parts();
        p.authority.is_none() || p.host.0 == p.host.1
    }
    /// The URL's text and component offsets.
    fn buf(self) -> &'a UriBuf {
        match self {
            View::Strict(u) => u,
            View::Whatwg(u) => u.buf(),
        }
    }
    fn origin(self) -> Origin<'a> {
        let scheme = self.scheme();
        let port = match self {
            View::Strict(u) => u.port().and_then(|p| port_number(p.as_bytes())),
            View::Whatwg(u) => u.port(),
        };
        Origin {
            scheme,
            host: self.host(),
            port: port.or_else(|| default_port(scheme)),
        }
    }
}

/// The value of a port (leading zeros allowed, RFC 3986 §3.2.3), or `None`
/// when it is empty or beyond 65535.
pub(crate) fn port_number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |v, d| {
            let v = v * 10 + u32::from(d.wrapping_sub(b'0'));
            (d.is_ascii_digit() && v <= 65535).then_some(v)
        })
        .and_then(|v| u16::try_from(v).ok())
}

/// Reads a strict-mode start URL into `u`: an RFC 3986 URI with a scheme,
/// a non-empty host and a port of at most 65535.
fn start_strict(u: &mut UriBuf, url: &str) -> Result<(), LocationError> {
    u.set_absolute(url)?;
    if u.host().is_none_or(str::is_empty) {
        return Err(LocationError::NoHost);
    }
    if let Some(p) = u.port() {
        if !p.is_empty() && port_number(p.as_bytes()).is_none() {
            return Err(LocationError::PortOutOfRange {
                offset: port_offset(u),
            });
        }
    }
    Ok(())
}

/// A Fetch-mode start URL must have a host.
fn whatwg_host(u: &WebUrl) -> Result<(), LocationError> {
    if u.host_str().is_none_or(str::is_empty) {
        return Err(LocationError::NoHost);
    }
    Ok(())
}

impl Urls {
    fn current(&self) -> View<'_> {
        match self {
            Urls::Strict(t) => View::Strict(t.current()),
            Urls::Whatwg(t) => View::Whatwg(t.current()),
        }
    }
    fn next(&self) -> View<'_> {
        match self {
            Urls::Strict(t) => View::Strict(t.next()),
            Urls::Whatwg(t) => View::Whatwg(t.next()),
        }
    }
    fn first(&self) -> View<'_> {
        match self {
            Urls::Strict(t) => View::Strict(t.first()),
            Urls::Whatwg(t) => View::Whatwg(t.first()),
        }
    }
    fn advance(&mut self) {
        match self {
            Urls::Strict(t) => t.advance(),
            Urls::Whatwg(t) => t.advance(),
        }
    }
    fn restart_at_next(&mut self) {
        match self {
            Urls::Strict(t) => t.restart_at_next(),
            Urls::Whatwg(t) => t.restart_at_next(),
        }
    }
}

// `Clone` by hand: `clone_from` copies into the buffers this machine already
// has, so a driver that replays many chains from one start state (benchmarks,
// fuzz targets, `tests/alloc_free.rs`) allocates nothing once they have grown.
impl Clone for RedirectMachine {
    fn clone(&self) -> Self {
        RedirectMachine {
            policy: self.policy.clone(),
            method: self.method.clone(),
            headers: self.headers.clone(),
            body: self.body,
            urls: self.urls.clone(),
            hops: self.hops,
            start_hops: self.start_hops,
            seen: self.seen.clone(),
            removed: self.removed.clone(),
            body_action: self.body_action,
            finished: self.finished,
            allows_http: self.allows_http,
            uri_text: String::new(),
            first_unrecorded: self.first_unrecorded.clone(),
        }
    }
    fn clone_from(&mut self, source: &Self) {
        // A policy's header lists may be owned vectors: copy only if it differs.
        if self.policy != source.policy {
            self.policy.clone_from(&source.policy);
        }
        self.method.clone_from(&source.method);
        self.headers.clear();
        for (name, value) in &source.headers {
            self.headers.append(name.clone(), value.clone());
        }
        self.body = source.body;
        self.urls.clone_from(&source.urls);
        self.hops = source.hops;
        self.start_hops = source.start_hops;
        self.seen.clone_from(&source.seen);
        self.removed.clone_from(&source.removed);
        self.body_action = source.body_action;
        self.finished = source.finished;
        self.allows_http = source.allows_http;
        self.first_unrecorded.clone_from(&source.first_unrecorded);
    }
}

// `clone_from` into the buffers this one already has (the derived one would
// allocate new ones).
impl Clone for Urls {
    fn clone(&self) -> Self {
        match self {
            Urls::Strict(t) => Urls::Strict(t.clone()),
            Urls::Whatwg(t) => Urls::Whatwg(t.clone()),
        }
    }
    fn clone_from(&mut self, source: &Self) {
        match (self, source) {
            (Urls::Strict(t), Urls::Strict(s)) => t.clone_from(s),
            (Urls::Whatwg(t), Urls::Whatwg(s)) => t.clone_from(s),
            (this, source) => *this = source.clone(),
        }
    }
}

/// Whether the policy's schemes have `scheme` (ASCII case-insensitive).
fn scheme_allowed(policy: &Policy, scheme: &str) -> bool {
    policy
        .allowed_schemes
        .iter()
        .any(|s| s == scheme || s.eq_ignore_ascii_case(scheme))
}

fn is_get_or_head(m: &Method) -> bool {
    m == Method::GET || m == Method::HEAD
}

impl RedirectMachine {
    /// Starts a chain with the first request.
    ///
    /// The URL is read with the policy's parser: RFC 3986 (it must have a
    /// scheme and a non-empty host) or the WHATWG URL parser (it must have a
    /// host). A fragment is kept: it is what redirects inherit.
    ///
    /// The URL is parsed once, into one buffer that is both the first and
    /// the current URL; with a built-in profile's policy (static tables) the
    /// machine allocates only that buffer. A client that sends many requests
    /// keeps one machine and calls [`reset`](Self::reset) for each.
    ///
    /// # Errors
    /// [`StartError`] when the URL is not absolute, has no host, or does not parse.
    #[inline]
    pub fn new(
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Body,
        policy: Policy,
    ) -> Result<Self, StartError> {
        let mut m = RedirectMachine::unstarted(policy);
        m.reset(method, url, headers, body)?;
        Ok(m)
    }

    /// [`new`](Self::new) with a request URL a client holds as an
    /// `http::Uri` (its text, which has no fragment, is read as
    /// [`new`](Self::new) reads a URL).
    ///
    /// # Errors
    /// As [`new`](Self::new): an origin-form or authority-form `Uri` has no
    /// scheme or no host.
    pub fn from_uri(
        method: Method,
        url: &http::Uri,
        headers: HeaderMap,
        body: Body,
        policy: Policy,
    ) -> Result<Self, StartError> {
        let mut m = RedirectMachine::unstarted(policy);
        m.reset_uri(method, url, headers, body)?;
        Ok(m)
    }

    /// [`new`](Self::new) with a request URL a client has already parsed
    /// with the `url` crate. With a WHATWG policy (Fetch) the URL is taken
    /// as parsed, not parsed again; with an RFC 3986 policy its
    /// serialization is read by the strict parser.
    ///
    /// # Errors
    /// As [`new`](Self::new): no host, or (strict) not an RFC 3986 URI.
    pub fn from_url(
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: Body,
        policy: Policy,
    ) -> Result<Self, StartError> {
        let mut m = RedirectMachine::unstarted(policy);
        m.reset_url(method, url, headers, body)?;
        Ok(m)
    }

    /// Restarts the machine for a new first request, with the same policy:
    /// what [`new`](Self::new) gives, in the buffers this machine already
    /// has, so that once they have grown a restart allocates nothing (the
    /// given `headers` replace the current ones; `tests/alloc_free.rs`
    /// counts it). The redirect count goes back to zero.
    ///
    /// # Errors
    /// As [`new`](Self::new); the machine is then left as it was.
    pub fn reset(
        &mut self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Body,
    ) -> Result<(), StartError> {
        match &mut self.urls {
            Urls::Strict(t) => start_strict(t.next_mut(), url)?,
            Urls::Whatwg(t) => {
                let u = t.next_mut();
                u.set_start(url)?;
                whatwg_host(u)?;
            }
        }
        self.restart(method, headers, body);
        Ok(())
    }

    /// [`reset`](Self::reset) with an `http::Uri` (see
    /// [`from_uri`](Self::from_uri)).
    ///
    /// # Errors
    /// As [`from_uri`](Self::from_uri); the machine is then left as it was.
    pub fn reset_uri(
        &mut self,
        method: Method,
        url: &http::Uri,
        headers: HeaderMap,
        body: Body,
    ) -> Result<(), StartError> {
        use std::fmt::Write;
        let mut text = std::mem::take(&mut self.uri_text);
        text.clear();
        // Writing into a `String` cannot fail.
        let _ = write!(text, "{url}");
        let started = self.reset(method, &text, headers, body);
        self.uri_text = text;
        started
    }

    /// [`reset`](Self::reset) with a parsed `url::Url` (see
    /// [`from_url`](Self::from_url)).
    ///
    /// # Errors
    /// As [`from_url`](Self::from_url); the machine is then left as it was.
    pub fn reset_url(
        &mut self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: Body,
    ) -> Result<(), StartError> {
        match &mut self.urls {
            Urls::Strict(t) => start_strict(t.next_mut(), url.as_str())?,
            Urls::Whatwg(t) => {
                let u = t.next_mut();
                u.copy_url(url);
                whatwg_host(u)?;
            }
        }
        self.restart(method, headers, body);
        Ok(())
    }

    /// A machine with empty buffers and no request: [`reset`](Self::reset)
    /// starts it.
    #[inline]
    fn unstarted(policy: Policy) -> Self {
        let urls = match policy.location_mode {
            LocationMode::Strict => Urls::Strict(Trio::new(UriBuf::new())),
            LocationMode::Whatwg => Urls::Whatwg(Trio::new(WebUrl::default())),
        };
        let allows_http = [
            scheme_allowed(&policy, "http"),
            scheme_allowed(&policy, "https"),
        ];
        RedirectMachine {
            allows_http,
            policy,
            method: Method::GET,
            headers: HeaderMap::new(),
            body: Body::None,
            urls,
            hops: 0,
            start_hops: 0,
            seen: Seen::default(),
            removed: Vec::new(),
            body_action: BodyAction::None,
            finished: true,
            uri_text: String::new(),
            first_unrecorded: None,
        }
    }

    /// The rest of a (re)start, once the start URL is in the next buffer.
    fn restart(&mut self, method: Method, headers: HeaderMap, body: Body) {
        self.urls.restart_at_next();
        self.method = method;
        self.headers = headers;
        self.body = body;
        self.hops = 0;
        self.start_hops = 0;
        self.seen.clear();
        // The first request is recorded by a lookup, if there is one (a
        // request that is not redirected needs no key), and by the first
        // only when it cannot be ruled out without its key.
        self.first_unrecorded = self.policy.loop_detection.then(|| self.method.clone());
        self.removed.clear();
        self.body_action = BodyAction::None;
        self.finished = false;
    }

    /// Sets the number of redirects already followed before this request
    /// (the CLI's `--hops`).
    pub fn with_redirect_count(mut self, count: u32) -> Self {
        self.set_redirect_count(count);
        self
    }

    /// [`with_redirect_count`](Self::with_redirect_count) on a machine in
    /// place (after [`reset`](Self::reset)).
    pub fn set_redirect_count(&mut self, count: u32) {
        self.hops = count;
        self.start_hops = count;
    }

    /// Steps the machine with a response's status and header fields.
    ///
    /// Every Location field line in `headers` counts (`get_all`); the other
    /// fields are the response's too (a `Set-Cookie` tells loop detection
    /// that a repeat is not yet a cycle, see
    /// [`Policy::repeats_after_set_cookie`]).
    pub fn step(&mut self, status: StatusCode, headers: &HeaderMap) -> Step<'_> {
        let lines = headers.get_all(LOCATION).iter().map(HeaderValue::as_bytes);
        self.step_lines(status, lines, headers.contains_key(SET_COOKIE))
    }

    /// Steps the machine with raw Location field lines (zero, one or several),
    /// for values an `http::HeaderValue` cannot hold (CR, LF, NUL, obs-text).
    /// The response has no other fields.
    pub fn step_raw(&mut self, status: StatusCode, locations: &[&[u8]]) -> Step<'_> {
        self.step_lines(status, locations.iter().copied(), false)
    }

    /// [`step_raw`](Self::step_raw) with the response's other fields
    /// (`fields`' own Location lines, if any, are not read: `locations` are).
    ///
    /// # Examples
    /// The cookie-check redirect: a `302` to the same URL that sets a cookie
    /// is followed once under RFC 9110's loop detection; the same repeat
    /// again is a cycle.
    /// ```
    /// use http::{header, HeaderMap, Method, StatusCode};
    /// use redirspec::{Body, Profile, RedirectMachine, Step};
    ///
    /// let mut m = RedirectMachine::new(
    ///     Method::GET, "http://a.test/", HeaderMap::new(), Body::None, Profile::Rfc9110.policy(),
    /// ).unwrap();
    /// let mut fields = HeaderMap::new();
    /// fields.insert(header::SET_COOKIE, "seen=1".parse().unwrap());
    /// assert!(matches!(m.step_raw_with_fields(StatusCode::FOUND, &[b"/"], &fields), Step::Follow(_)));
    /// assert!(matches!(m.step_raw_with_fields(StatusCode::FOUND, &[b"/"], &fields), Step::Refuse(_)));
    /// ```
    pub fn step_raw_with_fields(
        &mut self,
        status: StatusCode,
        locations: &[&[u8]],
        fields: &HeaderMap,
    ) -> Step<'_> {
        self.step_lines(
            status,
            locations.iter().copied(),
            fields.contains_key(SET_COOKIE),
        )
    }

    fn step_lines<'b>(
        &mut self,
        status: StatusCode,
        lines: impl Iterator<Item = &'b [u8]>,
        sets_cookie: bool,
    ) -> Step<'_> {
        if self.finished {
            return Step::Refuse(Refusal::Finished);
        }
        match self.decide(status, lines, sets_cookie) {
            Ok(None) => Step::Follow(Hop { machine: self }),
            Ok(Some(reason)) => {
                self.finished = true;
                Step::Deliver(reason)
            }
            Err(refusal) => {
                self.finished = true;
                Step::Refuse(refusal)
            }
        }
    }

    /// `Ok(None)`: follow (the machine has moved); `Ok(Some(_))`: deliver.
    fn decide<'b>(
        &mut self,
        status: StatusCode,
        mut lines: impl Iterator<Item = &'b [u8]>,
        sets_cookie: bool,
    ) -> Result<Option<DeliverReason>, Refusal> {
        let class = classify(status);
        let rules = &self.policy.statuses;
        let rule = match class {
            StatusClass::MultipleChoices => rules.multiple_choices,
            StatusClass::MovedPermanently => rules.moved_permanently,
            StatusClass::Found => rules.found,
            StatusClass::SeeOther => rules.see_other,
            StatusClass::TemporaryRedirect => rules.temporary_redirect,
            StatusClass::PermanentRedirect => rules.permanent_redirect,
            StatusClass::Unknown3xx(_) => rules.unknown,
            // RFC 9110 §15.4.5-§15.4.7: 304 is a cache answer, 305 is
            // deprecated, 306 is unused; a non-3xx is never a redirection.
            StatusClass::NotModified
            | StatusClass::UseProxy
            | StatusClass::Unused
            | StatusClass::NotRedirection => RedirectRule::Deliver,
        };
        let rewrite = match rule {
            RedirectRule::Deliver => return Ok(Some(DeliverReason::NotARedirect)),
            RedirectRule::Follow(rewrite) => rewrite,
            RedirectRule::ConfirmUnlessGetOrHead => Rewrite::Keep,
        };

        // Fetch "extracting header list values": none -> null -> deliver the
        // response; more than one for a single-value field -> failure.
        let Some(first) = lines.next() else {
            return Ok(Some(DeliverReason::NoLocation));
        };
        let (mut count, mut identical) = (1usize, true);
        for line in lines {
            count += 1;
            identical &= line == first;
        }
        if count > 1 {
            let ok = match self.policy.multiple_locations {
                MultipleLocations::Refuse => false,
                MultipleLocations::First => true,
                MultipleLocations::FirstIfIdentical => identical,
            };
            if !ok {
                return Err(LocationError::Multiple { count }.into());
            }
        }
        self.resolve_location(first)?;

        let next = self.urls.next();
        let scheme = next.scheme();
        // Fetch: "If locationURL's scheme is not an HTTP(S) scheme, then return
        // a network error."
        let allowed = match scheme.as_bytes() {
            b"http" => self.allows_http[0],
            b"https" => self.allows_http[1],
            _ => scheme_allowed(&self.policy, scheme),
        };
        if !allowed {
            return Err(Refusal::SchemeNotAllowed {
                scheme: scheme.to_ascii_lowercase(),
            });
        }
        // RFC 9110 §4.2.1: "A recipient that processes such a URI reference
        // [an http URI with an empty host] MUST reject it as invalid."
        if next.host_is_empty() {
            return Err(LocationError::NoHost.into());
        }
        if self.policy.downgrade == Downgrade::Refuse
            && scheme.eq_ignore_ascii_case("http")
            && self.urls.current().scheme().eq_ignore_ascii_case("https")
        {
            return Err(Refusal::Downgrade);
        }
        // Fetch: "If request's redirect count is 20, then return a network error."
        if self.hops >= self.policy.max_redirects {
            return Err(Refusal::TooManyRedirects {
                limit: self.policy.max_redirects,
            });
        }
        // RFC 2616 §10.3.2: "MUST NOT automatically redirect the request unless
        // it can be confirmed by the user".
        if rule == RedirectRule::ConfirmUnlessGetOrHead && !is_get_or_head(&self.method) {
            return Err(Refusal::NeedsConfirmation {
                status: status.as_u16(),
                method: self.method.clone(),
            });
        }
        // Fetch: "If internalResponse's status is not 303, request's body is
        // non-null, and request's body's source is null, then return a network
        // error." (before the method change)
        if self.policy.stream_body == StreamBody::RefuseUnless303
            && class != StatusClass::SeeOther
            && self.body == Body::Stream
        {
            return Err(Refusal::BodyNotReplayable);
        }
        let to_get = match rewrite {
            Rewrite::Keep => false,
            // Fetch: "internalResponse's status is 301 or 302 and request's method is `POST`"
            Rewrite::PostToGet => self.method == Method::POST,
            // Fetch: "internalResponse's status is 303 and request's method is not `GET` or `HEAD`"
            Rewrite::ToGetUnlessGetOrHead => !is_get_or_head(&self.method),
        };
        // A body that is kept must be sent again; a stream cannot be.
        if !to_get && self.body == Body::Stream {
            return Err(Refusal::BodyNotReplayable);
        }

        if !self.removed.is_empty() {
            self.removed.clear();
        }
        // An empty header list has nothing to delete: neither the method
        // rule's header check nor the origin comparison is needed.
        let has_headers = !self.headers.is_empty();
        if to_get && has_headers {
            // Fetch: "For each headerName of request-body-header name, delete
            // headerName from request's header list." / RFC 9110 §15.4 step 5.
            for name in self.policy.method_change_headers.iter() {
                note_removal(
                    &mut self.removed,
                    &self.headers,
                    name,
                    Removal::MethodChange,
                );
            }
            for name in [CONTENT_LENGTH, TRANSFER_ENCODING] {
                note_removal(&mut self.removed, &self.headers, &name, Removal::Framing);
            }
        }
        if has_headers && self.crosses() {
            // Fetch: "If request's current URL's origin is not same origin with
            // locationURL's origin, then for each headerName of CORS
            // non-wildcard request-header name, delete headerName from
            // request's header list." / RFC 9110 §15.4 step 3.
            for name in self.policy.cross_origin_headers.iter() {
                note_removal(&mut self.removed, &self.headers, name, Removal::CrossOrigin);
            }
        }
        // RFC 9110 §15.4: "A client SHOULD detect and intervene in cyclical
        // redirections".
        if self.policy.loop_detection
            && self.looped(to_get)
            // A repeat whose response set a cookie is not yet a cycle: the
            // request it leads to differs by the cookie (the cookie-check
            // redirect); a repeat past the policy's count is.
            && !(sets_cookie
                && self
                    .seen
                    .tolerate_repeat(self.policy.repeats_after_set_cookie))
        {
            return Err(Refusal::RedirectLoop {
                method: if to_get {
                    Method::GET
                } else {
                    self.method.clone()
                },
                url: self.urls.next().without_fragment().to_owned(),
            });
        }

        // Commit: the machine moves to the next request.
        for r in &self.removed {
            self.headers.remove(&r.name);
        }
        self.body_action = match (self.body, to_get) {
            (Body::None, _) => BodyAction::None,
            (_, true) => BodyAction::Drop,
            (_, false) => BodyAction::Keep,
        };
        if to_get {
            self.method = Method::GET;
            self.body = Body::None;
        }
        self.hops += 1;
        self.urls.advance();
        if self.policy.loop_detection {
            // Recorded by the next lookup, if there is one.
            self.seen.push_later();
        }
        Ok(None)
    }

    /// Whether the next request (its method, GET when `to_get`, and the
    /// next URL) repeats
    /// one already sent in this chain (loop detection, model/seen.rs).
    fn looped(&mut self, to_get: bool) -> bool {
        let next_method = if to_get { &Method::GET } else { &self.method };
        let (current, next) = (self.urls.current().buf(), self.urls.next().buf());
        if let Some(first) = &self.first_unrecorded {
            if self.hops == self.start_hops {
                // The first lookup: the first request is the only one sent,
                // and the current one.
                if first != next_method || Seen::keys_surely_differ(current, next) {
                    return false;
                }
                self.seen.push(first, current);
            } else {
                self.seen.push(first, self.urls.first().buf());
            }
            self.first_unrecorded = None;
        }
        self.seen.contains(&self.method, current, next_method, next)
    }

    /// Parses and resolves one Location line into the `next` URL.
    #[inline(always)]
    fn resolve_location(&mut self, raw: &[u8]) -> Result<(), LocationError> {
        let policy = &self.policy;
        let (value, start) = bounded_trimmed(raw, policy.max_location_len)?;
        match &mut self.urls {
            Urls::Strict(t) => {
                let (current, next) = t.current_and_next();
                // The one-pass path for the common values (model/fast_strict.rs).
                if fast_strict::resolve_strict(
                    current,
                    value,
                    next,
                    policy.relative_location,
                    policy.inherit_fragment,
                ) {
                    return Ok(());
                }
                // Fast path (model/fast.rs): the common well-formed shapes in
                // one pass, with the general parser's exact result; `None`
                // sends everything else to the general parser. The fast
                // parser accepts no NUL, CR or LF, so the field-level byte
                // check runs only when it declines.
                let r = match fast::parse_common(value) {
                    Some(r) => r,
                    None => {
                        check_field_bytes(value, start)?;
                        parse_uri_reference(value).map_err(|e| e.shifted(start))?
                    }
                };
                if !policy.relative_location && r.scheme().is_none() {
                    return Err(LocationError::RelativeNotAllowed);
                }
                if policy.refuse_userinfo && r.userinfo().is_some() {
                    return Err(LocationError::Userinfo);
                }
                if let (Some(p), Some((offset, _))) = (r.port(), r.parts().port) {
                    if !p.is_empty() && port_number(p.as_bytes()).is_none() {
                        return Err(LocationError::PortOutOfRange {
                            offset: offset + start,
                        });
                    }
                }
                // RFC 3986 §5.2.2 with the current URL as base (RFC 9110 §10.2.2:
                // "relative to the target URI").
                resolve(current, &r, next);
                if policy.inherit_fragment && r.fragment().is_none() {
                    // RFC 9110 §10.2.2: "If the Location value provided in a 3xx
                    // (Redirection) response does not have a fragment component, a
                    // user agent MUST process the redirection as if the value
                    // inherits the fragment component of the URI reference used
                    // to generate the target URI".
                    next.inherit_fragment(current.fragment());
                }
            }
            Urls::Whatwg(t) => {
                let (current, next) = t.current_and_next();
                // The WHATWG URL parser (the `url` crate), with a fast path for
                // common values that writes the same bytes (model/fast.rs).
                fast::resolve_whatwg(current, value, start, next, policy)?;
            }
        }
        Ok(())
    }

    fn crosses(&self) -> bool {
        let reference = match self.policy.compare_with {
            CompareWith::PreviousHop => self.urls.current(),
            CompareWith::FirstRequest => self.urls.first(),
        };
        let next = self.urls.next();
        let same_origin_needed = match self.policy.boundary {
            Boundary::Origin => true,
            Boundary::Host => false,
            Boundary::EveryHop => return true,
            Boundary::Never => return false,
        };
        // The same scheme and authority, byte for byte (every relative
        // reference without an authority): same origin, same host.
        if origin_text(reference.buf()) == origin_text(next.buf()) {
            return false;
        }
        // The cheapest telling comparison next: hosts differ in most
        // cross-origin redirects (and a host decides both boundaries).
        if !same_host_text(reference.host(), next.host()) {
            return true;
        }
        same_origin_needed && !reference.origin().same_origin(&next.origin())
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
    /// The method of the current request.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The URL of the current request.
    pub fn url(&self) -> &str {
        self.urls.current().as_str()
    }
    /// The URL of the first request.
    pub fn first_url(&self) -> &str {
        self.urls.first().as_str()
    }
    /// The headers of the current request.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The body of the current request.
    pub fn body(&self) -> Body {
        self.body
    }
    /// Redirects followed so far (including those set by
    /// [`with_redirect_count`](Self::with_redirect_count)).
    pub fn redirect_count(&self) -> u32 {
        self.hops
    }
    /// Whether the chain has ended (delivered or refused).
    pub fn is_finished(&self) -> bool {
        self.finished
    }
    pub(crate) fn last_removed(&self) -> &[RemovedHeader] {
        &self.removed
    }
    pub(crate) fn last_body_action(&self) -> BodyAction {
        self.body_action
    }

    /// Panics if an invariant of the machine is broken. For property tests
    /// and fuzz targets; call it after every step.
    #[doc(hidden)]
    pub fn check_invariants(&self) {
        let url = self.url();
        assert!(
            !url.bytes().any(|b| b <= b' ' || b == 0x7f),
            "whitespace or CTL in {url:?}"
        );
        assert!(!self.urls.current().host().is_empty(), "no host in {url:?}");
        let followed = self.hops - self.start_hops;
        if followed > 0 {
            let scheme = self.urls.current().scheme();
            assert!(
                self.policy
                    .allowed_schemes
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(scheme)),
                "followed to scheme {scheme:?}"
            );
            assert!(
                self.hops <= self.policy.max_redirects,
                "{} hops over the limit {}",
                self.hops,
                self.policy.max_redirects
            );
            assert_ne!(self.body, Body::Stream, "a stream body was kept");
        }
    }
}

/// Hosts compare ASCII case-insensitively (RFC 3986 §3.2.2); the length
/// first, since it tells most different hosts apart at once.
fn same_host_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
}

/// The text up to the end of the authority (`scheme://userinfo@host:port`).
fn origin_text(u: &UriBuf) -> &str {
    let r = u.as_uri_ref();
    let p = r.parts();
    let end = p.authority.map_or(p.host.1, |(_, b)| b);
    &u.as_str()[..end]
}

/// Offset of the port digits inside a strict URI's text.
fn port_offset(u: &UriBuf) -> usize {
    let r = u.as_uri_ref();
    r.parts().port.map_or(0, |(a, _)| a)
}

fn note_removal(
    removed: &mut Vec<RemovedHeader>,
    headers: &HeaderMap,
    name: &HeaderName,
    why: Removal,
) {
    if headers.contains_key(name) && !removed.iter().any(|r| r.name == name) {
        removed.push(RemovedHeader {
            name: name.clone(),
            why,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;

    #[test]
    fn port_numbers() {
        assert_eq!(port_number(b"80"), Some(80));
        assert_eq!(port_number(b"0080"), Some(80));
        assert_eq!(port_number(b"65535"), Some(65535));
        assert_eq!(port_number(b"65536"), None);
        assert_eq!(port_number(b"99999999999999999999"), None);
        assert_eq!(port_number(b""), None);
    }

    #[test]
    fn strict_steady_state_reuses_buffers() {
        let mut m = RedirectMachine::new(
            Method::GET,
            "http://a.test/0",
            HeaderMap::new(),
            Body::None,
            crate::Policy {
                loop_detection: false,
                max_redirects: 1000,
                ..Profile::Rfc9110.policy()
            },
        )
        .unwrap();
        for i in 0..100 {
            let loc = format!("/p/{}", i % 7);
            assert!(matches!(
                m.step_raw(StatusCode::FOUND, &[loc.as_bytes()]),
                Step::Follow(_)
            ));
            m.check_invariants();
        }
        assert_eq!(m.redirect_count(), 100);
    }

    #[test]
    fn start_url_errors() {
        let p = Profile::Rfc9110.policy();
        let e = |u: &str| {
            RedirectMachine::new(Method::GET, u, HeaderMap::new(), Body::None, p.clone())
                .unwrap_err()
                .0
        };
        assert_eq!(e("/relative"), LocationError::RelativeNotAllowed);
        assert_eq!(e("http:///x"), LocationError::NoHost);
        assert_eq!(
            e("http://h:70000/"),
            LocationError::PortOutOfRange { offset: 9 }
        );
        let e = RedirectMachine::new(
            Method::GET,
            "not a url",
            HeaderMap::new(),
            Body::None,
            Profile::Fetch.policy(),
        )
        .unwrap_err();
        assert!(matches!(e.0, LocationError::Whatwg(_)));
    }
}
