//! The redirect state machine.

use http::header::{LOCATION, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use url::Url;

use super::body::{Body, BodyAction};
use super::location::{LocationError, LocationMode};
use super::profile::Policy;
use super::resolve::UriBuf;
use super::seen::Seen;
use super::step::{Hop, RemovedHeader, Step};
use super::strict;
use super::whatwg::{self, WebUrl};

mod decide;
#[cfg(test)]
mod tests;
mod urls;

use decide::Decision;
use urls::{Trio, Urls};

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
///   [`Step::Finished`] (a misuse of the API, not a refusal).
///
/// No I/O, no clock, no randomness: the same inputs give the same steps.
/// Every input gives a step; nothing panics. The order of the checks is
/// Fetch's (`model/machine/decide.rs`, one phase each): the status; the
/// Location field (absent, several, unparsable or refused by the policy:
/// relative, userinfo, port); the target's scheme, its host, a downgrade,
/// the hop limit; the user's confirmation, a streamed body, the method
/// change; the headers the method change (body headers, framing) and the
/// boundary (credentials) remove; then, where the policy asks, loop
/// detection; then the move to the next request. The decision reuses the
/// machine's buffers: in strict mode a step allocates nothing once the
/// buffers have grown.
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
    /// Whether the fast paths stand in for the general ones (see
    /// [`RedirectMachine::set_fast_paths`]); `true` but in differential checks.
    fast_paths: bool,
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
            fast_paths: self.fast_paths,
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
        self.fast_paths = source.fast_paths;
    }
}

/// Whether the policy's schemes have `scheme` (ASCII case-insensitive).
fn scheme_allowed(policy: &Policy, scheme: &str) -> bool {
    policy
        .allowed_schemes
        .iter()
        .any(|s| s == scheme || s.eq_ignore_ascii_case(scheme))
}

/// The bytes [`RedirectMachine::check_invariants`] finds in no URL: space,
/// the C0 controls and DEL (`b <= b' ' || b == 0x7f`), as a table, so that
/// the check of every byte is a load (in a fuzz build each comparison calls
/// a trace hook, and an invariant check steers no mutation).
const SPACE_OR_CTL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b <= b' ' as usize {
        table[b] = true;
        b += 1;
    }
    table[0x7f] = true;
    table
};

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
            Urls::Strict(t) => strict::start(t.next_mut(), url, self.fast_paths)?,
            Urls::Whatwg(t) => {
                let u = t.next_mut();
                u.set_start(url, self.fast_paths)?;
                whatwg::check_host(u)?;
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
            Urls::Strict(t) => strict::start(t.next_mut(), url.as_str(), self.fast_paths)?,
            Urls::Whatwg(t) => {
                let u = t.next_mut();
                u.copy_url(url);
                whatwg::check_host(u)?;
            }
        }
        self.restart(method, headers, body);
        Ok(())
    }

    /// Restarts the chain at the URL this machine was last started with
    /// ([`new`](Self::new), [`reset`](Self::reset) or their `Uri` and `Url`
    /// forms), for a new first request with `method`, `headers` and `body`:
    /// what [`reset`](Self::reset) with that URL gives, without reading the
    /// URL again (the machine keeps it, as read, while it steps). `headers`
    /// are copied into the machine's own map, so once its buffers have grown
    /// a restart allocates nothing (but the first, which in Fetch mode also
    /// keeps the first URL's parsed form, for the general path to read it as
    /// a base without parsing it again). The redirect count goes back to
    /// zero.
    ///
    /// For a client or a test that sends many requests to the same URL; it
    /// cannot fail, since the URL was read when the machine started.
    ///
    /// # Examples
    /// ```
    /// use http::{header, HeaderMap, Method, StatusCode};
    /// use redirspec::{Body, Profile, RedirectMachine, Step};
    ///
    /// let mut m = RedirectMachine::new(
    ///     Method::GET, "https://a.test/x#f", HeaderMap::new(), Body::None, Profile::Fetch.policy(),
    /// ).unwrap();
    /// assert!(matches!(m.step_raw(StatusCode::FOUND, &[b"https://b.test/"]), Step::Follow(_)));
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    /// m.reset_at_first_url(Method::POST, &headers, Body::Bytes(3));
    /// assert_eq!((m.method(), m.url(), m.redirect_count()), (&Method::POST, "https://a.test/x#f", 0));
    /// assert_eq!(m.headers(), &headers);
    /// ```
    pub fn reset_at_first_url(&mut self, method: Method, headers: &HeaderMap, body: Body) {
        self.urls.restart_at_first();
        self.urls.keep_first_parsed();
        // The same fields in the same order (say, a restart after a step that
        // removed none) are what the copy would give: nothing to copy.
        let same = self.headers.len() == headers.len() && self.headers.iter().eq(headers);
        if !same {
            self.headers.clear();
            for (name, value) in headers {
                self.headers.append(name.clone(), value.clone());
            }
        }
        self.restart_request(method, body);
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
            fast_paths: true,
        }
    }

    /// The rest of a (re)start, once the start URL is in the next buffer.
    fn restart(&mut self, method: Method, headers: HeaderMap, body: Body) {
        self.urls.restart_at_next();
        self.headers = headers;
        self.restart_request(method, body);
    }

    /// The rest of a (re)start, once the URLs and headers are in place.
    #[inline]
    fn restart_request(&mut self, method: Method, body: Body) {
        self.method = method;
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
            return Step::Finished;
        }
        match self.decide(status, lines, sets_cookie) {
            Decision::Follow => Step::Follow(Hop { machine: self }),
            Decision::Deliver(reason) => {
                self.finished = true;
                Step::Deliver(reason)
            }
            Decision::Refuse(refusal) => {
                self.finished = true;
                Step::Refuse(refusal)
            }
        }
    }

    /// Switches the fast paths off (`false`) or on (`true`, the default),
    /// for differential checks: with them off, every Location value and
    /// start URL goes through the policy's parser's general path
    /// (`model/strict.rs`, `model/whatwg.rs`), the definition the fast paths
    /// stand in for; every step must then be the same. Takes effect from the
    /// next step or restart (a machine already started keeps the start URL
    /// it read). The `chain` fuzz target and the model's tests run a machine
    /// each way and compare every step. Not part of the API's promise.
    #[doc(hidden)]
    pub fn set_fast_paths(&mut self, on: bool) {
        self.fast_paths = on;
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
            super::first_where::<true>(&SPACE_OR_CTL, url.as_bytes()).is_none(),
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
