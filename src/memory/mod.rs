//! Redirects across requests: what a client may remember of a redirect, and
//! for how long (RFC 9110 §15.4, RFC 9111).
//!
//! A 301 or 308 is heuristically cacheable (RFC 9110 §15.1); a 302, 303 or
//! 307 is "only cacheable if indicated by a Cache-Control or Expires header
//! field", and otherwise "the client ought to continue using the original
//! target URI for future requests" (RFC 9110 §15.4.3, §15.4.8).
//! [`RedirectMemory`] takes exchanges (time, request, response) and answers,
//! for a later request, how far the client may go through remembered
//! redirects without asking the network, and until when that holds.
//!
//! Time is an input (seconds since the Unix epoch), never read from a clock.
//! A remembered redirect skips the network, not the redirect rules: a client
//! still steps each remembered hop through a [`RedirectMachine`].

mod directives;
mod freshness;

use http::header::{AUTHORIZATION, CACHE_CONTROL, DATE, EXPIRES, LAST_MODIFIED, VARY};
use http::{HeaderMap, HeaderName, Method, StatusCode};

pub use directives::{cache_control, CacheControl, Delta, MAX_DELTA};
pub use freshness::{heuristically_cacheable, http_date, Heuristic, Lifetime};

use crate::model::{Body, Policy, Profile, RedirectMachine, Step};

/// The fields a stored redirect keeps for its freshness (RFC 9111 §4.2), and that a 304
/// replaces (§4.3.4).
const FRESHNESS_FIELDS: [HeaderName; 5] = [
    CACHE_CONTROL,
    EXPIRES,
    DATE,
    LAST_MODIFIED,
    http::header::AGE,
];

/// How a [`RedirectMemory`] behaves.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MemoryPolicy {
    /// Resolves Location values (the profile's parser, hop rules and schemes).
    pub redirects: Policy,
    /// A shared cache (a proxy) rather than a private one (a user agent):
    /// `s-maxage` counts, `private` and Authorization forbid storing.
    pub shared: bool,
    /// Heuristic freshness for 301, 308, 300 and `public` responses.
    pub heuristic: Heuristic,
    /// Most entries kept; the oldest goes first.
    pub max_entries: usize,
    /// Most remembered hops one recall goes through.
    pub max_hops: u32,
}

impl MemoryPolicy {
    /// A private cache reading Location as `profile` does, with the usual 10%
    /// Last-Modified heuristic and one day when there is no Last-Modified.
    pub fn new(profile: Profile) -> Self {
        let redirects = profile.policy();
        MemoryPolicy {
            max_hops: redirects.max_redirects,
            redirects,
            shared: false,
            heuristic: Heuristic {
                last_modified_percent: 10,
                default_seconds: 86_400,
            },
            max_entries: 1024,
        }
    }

    /// Sets [`redirects`](MemoryPolicy::redirects): how Location values are resolved.
    #[must_use]
    pub fn with_redirects(mut self, redirects: Policy) -> Self {
        self.redirects = redirects;
        self
    }

    /// Sets [`shared`](MemoryPolicy::shared): a shared cache (a proxy) rather than a private one.
    #[must_use]
    pub fn with_shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// Sets [`heuristic`](MemoryPolicy::heuristic): heuristic freshness for 301, 308, 300 and
    /// `public` responses.
    #[must_use]
    pub fn with_heuristic(mut self, heuristic: Heuristic) -> Self {
        self.heuristic = heuristic;
        self
    }

    /// Sets [`max_entries`](MemoryPolicy::max_entries): most entries kept.
    #[must_use]
    pub fn with_max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets [`max_hops`](MemoryPolicy::max_hops): most remembered hops one recall goes through.
    #[must_use]
    pub fn with_max_hops(mut self, max_hops: u32) -> Self {
        self.max_hops = max_hops;
        self
    }
}

/// One request and its response, at a time.
#[derive(Clone, Copy, Debug)]
pub struct Exchange<'a> {
    /// When the response arrived (seconds since the Unix epoch).
    pub time: u64,
    /// The request method.
    pub method: &'a Method,
    /// The absolute request URL.
    pub url: &'a str,
    /// The request's header fields (Authorization and those named by Vary matter).
    pub request_headers: &'a HeaderMap,
    /// The response status.
    pub status: StatusCode,
    /// The response's header fields.
    pub response_headers: &'a HeaderMap,
}

/// Why an exchange was not remembered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotStored {
    /// Only GET and HEAD responses are remembered (RFC 9111 §3: "the request
    /// method is understood by the cache"; RFC 9110 §9.2.3).
    MethodNotCacheable,
    /// `no-store` in the request or response (RFC 9111 §3).
    NoStore,
    /// `private` in a shared cache (RFC 9111 §3, §5.2.2.7).
    Private,
    /// Authorization in the request of a shared cache, without `public`,
    /// `s-maxage` or `must-revalidate` (RFC 9111 §3.5).
    Authorization,
    /// No explicit freshness and not heuristically cacheable (RFC 9111 §3:
    /// "the response contains at least one of ..."), e.g. a bare 302 or 307.
    NoFreshness,
    /// `Vary: *` or an unreadable Vary: it can never match (RFC 9111 §4.1).
    VaryStar,
    /// Not a redirect the policy follows (a later answer that says otherwise).
    NotARedirect,
    /// A redirect whose Location the policy refuses.
    Refused,
    /// The request URL does not parse.
    BadUrl,
}

/// What [`RedirectMemory::record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recorded {
    /// The redirect is remembered, fresh until the given time (`None` if it
    /// is stale from the start, as with `max-age=0`).
    Stored {
        /// Fresh until.
        until: Option<u64>,
    },
    /// A 304 freshened a remembered redirect (RFC 9111 §4.3.4).
    Freshened {
        /// Fresh until.
        until: Option<u64>,
    },
    /// Not remembered; `forgot` tells whether an earlier entry for the same
    /// request was dropped (the newest answer wins, RFC 9111 §4: "a cache
    /// MUST use the most recent one").
    NotStored {
        /// Why.
        reason: NotStored,
        /// An earlier entry was dropped.
        forgot: bool,
    },
    /// An unsafe method got a non-error answer: entries for its URL were
    /// dropped (RFC 9111 §4.4: "A cache MUST invalidate the target URI").
    Invalidated {
        /// How many.
        dropped: usize,
    },
}

/// A remembered hop used by a recall.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecalledHop {
    /// The request URL (no fragment).
    pub from: String,
    /// Where it redirects.
    pub to: String,
    /// The status that was remembered.
    pub status: u16,
}

/// Why a recall stopped where it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecallStop {
    /// Nothing is remembered for the URL.
    NotRemembered,
    /// What is remembered is stale (RFC 9111 §4.2).
    Stale,
    /// What is remembered must be validated first (`no-cache`, RFC 9111 §5.2.2.4).
    MustValidate,
    /// The request's headers do not match the remembered Vary (RFC 9111 §4.1).
    VaryMismatch,
    /// The request asked not to use stored answers (`no-cache`, `no-store`,
    /// or `max-age` below the age, RFC 9111 §5.2.1).
    RequestBypass,
    /// Only GET and HEAD use remembered answers.
    MethodNotCacheable,
    /// The remembered hops come back to a URL already passed.
    Loop,
    /// [`MemoryPolicy::max_hops`] hops were recalled.
    HopLimit,
    /// The URL does not parse.
    BadUrl,
}

impl RecallStop {
    /// The kebab-case name used by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            RecallStop::NotRemembered => "not-remembered",
            RecallStop::Stale => "stale",
            RecallStop::MustValidate => "must-validate",
            RecallStop::VaryMismatch => "vary-mismatch",
            RecallStop::RequestBypass => "request-bypass",
            RecallStop::MethodNotCacheable => "method-not-cacheable",
            RecallStop::Loop => "loop",
            RecallStop::HopLimit => "hop-limit",
            RecallStop::BadUrl => "bad-url",
        }
    }
}

/// The answer of [`RedirectMemory::recall`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recall {
    /// Where the request goes on the network (fragment inherited as the
    /// policy says).
    pub url: String,
    /// The remembered hops passed on the way, in order.
    pub hops: Vec<RecalledHop>,
    /// Until when every hop used stays fresh (`None` when no hop was used).
    pub until: Option<u64>,
    /// Why the recall stopped at `url`.
    pub stop: RecallStop,
}

#[derive(Clone, Debug)]
struct Entry {
    method: Method,
    url: String,
    target: String,
    status: u16,
    response_time: u64,
    /// The response's caching fields, kept for freshening by a 304.
    cache_headers: HeaderMap,
    /// Request field values the response varies on.
    vary: Vec<(HeaderName, String)>,
    lifetime: u64,
    initial_age: u64,
    no_cache: bool,
}

impl Entry {
    fn age(&self, now: u64) -> u64 {
        // RFC 9111 §4.2.3: "resident_time = now - response_time;
        // current_age = corrected_initial_age + resident_time;"
        // Saturating, in debug and release alike: an age past u64::MAX is no younger.
        self.initial_age
            .saturating_add(now.saturating_sub(self.response_time))
    }
    fn fresh(&self, now: u64) -> bool {
        // §4.2: "response_is_fresh = (freshness_lifetime > current_age)"
        self.lifetime > self.age(now)
    }
    fn until(&self) -> Option<u64> {
        (self.lifetime > self.initial_age).then(|| {
            self.response_time
                .saturating_add(self.lifetime - self.initial_age)
        })
    }
}

/// A pure model of the redirects a client remembers.
///
/// # Examples
/// ```
/// use http::{HeaderMap, Method, StatusCode, header};
/// use redirspec::memory::{Exchange, MemoryPolicy, RecallStop, RedirectMemory};
/// use redirspec::Profile;
///
/// let mut mem = RedirectMemory::new(MemoryPolicy::new(Profile::Fetch));
/// let mut moved = HeaderMap::new();
/// moved.insert(header::LOCATION, "/new".parse().unwrap());
/// moved.insert(header::CACHE_CONTROL, "max-age=600".parse().unwrap());
/// mem.record(&Exchange {
///     time: 1000, method: &Method::GET, url: "https://a.test/old", request_headers: &HeaderMap::new(),
///     status: StatusCode::MOVED_PERMANENTLY, response_headers: &moved,
/// });
/// let r = mem.recall(1300, &Method::GET, "https://a.test/old#x", &HeaderMap::new());
/// assert_eq!(r.url, "https://a.test/new#x");
/// assert_eq!(r.until, Some(1600));
/// let r = mem.recall(1600, &Method::GET, "https://a.test/old", &HeaderMap::new());
/// assert_eq!((r.url.as_str(), r.stop), ("https://a.test/old", RecallStop::Stale));
/// ```
#[derive(Clone)]
pub struct RedirectMemory {
    policy: MemoryPolicy,
    entries: Vec<Entry>,
    scratch: Scratch,
}

// By hand: the scratch machines are not part of what a memory holds.
impl std::fmt::Debug for RedirectMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedirectMemory")
            .field("policy", &self.policy)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

/// What [`RedirectMemory::record`] keeps between exchanges so as not to
/// build the same things again: machines restarted with
/// [`RedirectMachine::reset`] (what a new machine is, in buffers that have
/// grown) and the last URL it normalised. None of it changes an answer.
#[derive(Clone, Default)]
struct Scratch {
    /// Reads request URLs ([`RedirectMemory::normalise`]), under the
    /// memory's policy.
    reader: Option<RedirectMachine>,
    /// Steps a recorded exchange ([`RedirectMemory::storable`]), under
    /// [`stepping_policy`].
    stepper: Option<RedirectMachine>,
    /// The URL `record` last normalised and what that gave: a
    /// [`recall`](RedirectMemory::recall) of the same URL (a client's next
    /// request) takes it instead of reading the URL again.
    last: Option<Normalised>,
}

/// A URL and what [`RedirectMemory::normalise`] gives for it, in buffers
/// kept from one URL to the next.
#[derive(Clone, Default)]
struct Normalised {
    url: String,
    normalised: String,
    /// Whether the URL normalised at all (`normalised` is empty if not).
    ok: bool,
}

fn is_safe(m: &Method) -> bool {
    // RFC 9110 §9.2.1: "the GET, HEAD, OPTIONS, and TRACE methods are defined to be safe"
    matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

fn is_cacheable_method(m: &Method) -> bool {
    m == Method::GET || m == Method::HEAD
}

fn split_fragment(url: &str) -> (&str, Option<&str>) {
    match url.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (url, None),
    }
}

/// Combined field values of `name`, as one string.
fn field_text(headers: &HeaderMap, name: &HeaderName) -> String {
    let mut out = String::new();
    for (i, v) in headers.get_all(name).iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&String::from_utf8_lossy(v.as_bytes()));
    }
    out
}

/// The Vary field names, or `None` for `*` or a name that is not a token.
fn vary_names(headers: &HeaderMap) -> Option<Vec<HeaderName>> {
    let text = field_text(headers, &VARY);
    let mut names = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if item == "*" {
            return None;
        }
        names.push(HeaderName::from_bytes(item.as_bytes()).ok()?);
    }
    Some(names)
}

/// The policy a recorded exchange is stepped under: the memory's, without
/// fragment inheritance (a recall inherits the later request's fragment)
/// or loop detection (one hop is stepped).
fn stepping_policy(redirects: &Policy) -> Policy {
    Policy {
        inherit_fragment: false,
        loop_detection: false,
        ..redirects.clone()
    }
}

/// The machine in `kept` started with `method` at `url`, with no headers
/// and no body: [`RedirectMachine::reset`], which gives what
/// [`RedirectMachine::new`] gives, or a new machine under `policy()` the
/// first time. `None` when the URL is not one a chain can start from.
fn start_kept<'m>(
    kept: &'m mut Option<RedirectMachine>,
    policy: impl FnOnce() -> Policy,
    method: Method,
    url: &str,
) -> Option<&'m mut RedirectMachine> {
    match kept {
        Some(m) => {
            m.reset(method, url, HeaderMap::new(), Body::None).ok()?;
            Some(m)
        }
        None => {
            let m =
                RedirectMachine::new(method, url, HeaderMap::new(), Body::None, policy()).ok()?;
            Some(kept.insert(m))
        }
    }
}

impl RedirectMemory {
    /// An empty memory.
    pub fn new(policy: MemoryPolicy) -> Self {
        RedirectMemory {
            policy,
            entries: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &MemoryPolicy {
        &self.policy
    }

    /// How many redirects are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every remembered redirect: the memory is then what
    /// [`new`](Self::new) gives with the same policy, keeping the room its
    /// list of redirects has grown to (for a client or a test that replays
    /// many histories). What [`record`](Self::record) keeps between
    /// exchanges goes too, so that a memory cleared after each history
    /// holds the same allocations after each.
    ///
    /// # Examples
    /// ```
    /// use http::{header, HeaderMap, Method, StatusCode};
    /// use redirspec::memory::{Exchange, MemoryPolicy, RecallStop, RedirectMemory};
    /// use redirspec::Profile;
    ///
    /// let mut mem = RedirectMemory::new(MemoryPolicy::new(Profile::Fetch));
    /// let mut moved = HeaderMap::new();
    /// moved.insert(header::LOCATION, "/new".parse().unwrap());
    /// mem.record(&Exchange {
    ///     time: 1000, method: &Method::GET, url: "https://a.test/old", request_headers: &HeaderMap::new(),
    ///     status: StatusCode::MOVED_PERMANENTLY, response_headers: &moved,
    /// });
    /// assert_eq!(mem.len(), 1);
    /// mem.clear();
    /// let r = mem.recall(1000, &Method::GET, "https://a.test/old", &HeaderMap::new());
    /// assert_eq!((mem.len(), r.stop), (0, RecallStop::NotRemembered));
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
        self.scratch = Scratch::default();
    }

    /// The URL as the policy's parser writes it, without fragment, or `None`.
    fn normalise(&self, url: &str) -> Option<String> {
        if let Some(last) = &self.scratch.last {
            if last.url == url {
                return last.ok.then(|| last.normalised.clone());
            }
        }
        let m = RedirectMachine::new(
            Method::GET,
            url,
            HeaderMap::new(),
            Body::None,
            self.policy.redirects.clone(),
        )
        .ok()?;
        Some(split_fragment(m.url()).0.to_owned())
    }

    /// [`normalise`](Self::normalise) in the kept reader machine, the
    /// answer kept for the next recall of the same URL.
    fn normalise_kept(&mut self, url: &str) -> Option<String> {
        let reader = start_kept(
            &mut self.scratch.reader,
            || self.policy.redirects.clone(),
            Method::GET,
            url,
        );
        let normalised = reader.map(|m| split_fragment(m.url()).0);
        let last = self.scratch.last.get_or_insert_with(Normalised::default);
        last.url.clear();
        last.url.push_str(url);
        last.normalised.clear();
        last.normalised.push_str(normalised.unwrap_or_default());
        last.ok = normalised.is_some();
        normalised.map(str::to_owned)
    }

    fn forget(&mut self, method: Option<&Method>, url: &str) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.url == url && method.is_none_or(|m| e.method == m)));
        before - self.entries.len()
    }

    /// Takes one exchange into account.
    pub fn record(&mut self, ex: &Exchange<'_>) -> Recorded {
        let Some(url) = self.normalise_kept(ex.url) else {
            return Recorded::NotStored {
                reason: NotStored::BadUrl,
                forgot: false,
            };
        };
        let code = ex.status.as_u16();
        if !is_safe(ex.method) {
            // RFC 9111 §4.4: "A cache MUST invalidate the target URI ... when it
            // receives a non-error status code in response to an unsafe request
            // method (including methods whose safety is unknown)."
            if code < 400 {
                return Recorded::Invalidated {
                    dropped: self.forget(None, &url),
                };
            }
            return Recorded::NotStored {
                reason: NotStored::MethodNotCacheable,
                forgot: false,
            };
        }
        if !is_cacheable_method(ex.method) {
            return Recorded::NotStored {
                reason: NotStored::MethodNotCacheable,
                forgot: false,
            };
        }
        if code == 304 {
            return self.freshen(ex, &url);
        }
        let result = self.storable(ex, &url);
        match result {
            Ok(entry) => {
                self.forget(Some(ex.method), &url);
                let until = entry.until();
                if self.entries.len() >= self.policy.max_entries.max(1) {
                    if let Some(oldest) = self
                        .entries
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, e)| e.response_time)
                        .map(|(i, _)| i)
                    {
                        self.entries.remove(oldest);
                    }
                }
                self.entries.push(entry);
                Recorded::Stored { until }
            }
            Err(reason) => Recorded::NotStored {
                reason,
                forgot: self.forget(Some(ex.method), &url) > 0,
            },
        }
    }

    fn storable(&mut self, ex: &Exchange<'_>, url: &str) -> Result<Entry, NotStored> {
        // Where would the redirect go? The model decides, without fragment
        // inheritance (a recall inherits the later request's fragment).
        let target = {
            let m = start_kept(
                &mut self.scratch.stepper,
                || stepping_policy(&self.policy.redirects),
                ex.method.clone(),
                url,
            )
            .ok_or(NotStored::BadUrl)?;
            match m.step(ex.status, ex.response_headers) {
                Step::Follow(hop) => hop.url().to_owned(),
                Step::Deliver(_) => return Err(NotStored::NotARedirect),
                Step::Refuse(_) | Step::Finished => return Err(NotStored::Refused),
            }
        };
        let policy = &self.policy;
        let cc = cache_control(ex.response_headers);
        let req_cc = cache_control(ex.request_headers);
        // RFC 9111 §3: "the no-store cache directive is not present in the
        // response" and §5.2.1.5 for the request.
        if cc.no_store || req_cc.no_store {
            return Err(NotStored::NoStore);
        }
        // §3: "if the cache is shared: the private response directive is either
        // not present or allows a shared cache to store a modified response"
        if policy.shared && cc.private {
            return Err(NotStored::Private);
        }
        // §3.5: "A shared cache MUST NOT use a cached response to a request with
        // an Authorization header field ... unless ... must-revalidate, public,
        // s-maxage".
        if policy.shared
            && ex.request_headers.contains_key(AUTHORIZATION)
            && !(cc.public || cc.must_revalidate || cc.s_maxage != Delta::Absent)
        {
            return Err(NotStored::Authorization);
        }
        let vary_names = vary_names(ex.response_headers).ok_or(NotStored::VaryStar)?;
        let code = ex.status.as_u16();
        let lifetime = freshness::lifetime(
            code,
            ex.response_headers,
            &cc,
            policy.shared,
            policy.heuristic,
            ex.time,
        );
        // §3: "the response contains at least one of: a public response
        // directive; a private response directive, if the cache is not shared;
        // an Expires header field; a max-age response directive; if the cache
        // is shared: an s-maxage response directive; ... a status code that is
        // defined as heuristically cacheable".
        let explicit_private = cc.private && !policy.shared;
        let lifetime = match lifetime {
            Lifetime::Explicit(s) | Lifetime::Heuristic(s) => s,
            Lifetime::None if explicit_private => {
                // Storable, but with no freshness: stale at once.
                0
            }
            Lifetime::None => return Err(NotStored::NoFreshness),
        };
        let mut cache_headers = HeaderMap::new();
        for name in FRESHNESS_FIELDS {
            for v in ex.response_headers.get_all(&name) {
                cache_headers.append(name.clone(), v.clone());
            }
        }
        Ok(Entry {
            method: ex.method.clone(),
            url: url.to_owned(),
            target,
            status: code,
            response_time: ex.time,
            initial_age: freshness::initial_age(ex.response_headers, ex.time),
            vary: vary_names
                .into_iter()
                .map(|n| {
                    let v = field_text(ex.request_headers, &n);
                    (n, v)
                })
                .collect(),
            lifetime,
            no_cache: cc.no_cache,
            cache_headers,
        })
    }

    /// RFC 9111 §4.3.4: a 304 updates the stored response's fields and
    /// restarts its age.
    fn freshen(&mut self, ex: &Exchange<'_>, url: &str) -> Recorded {
        let (shared, heuristic) = (self.policy.shared, self.policy.heuristic);
        let Some(entry) = self
            .entries
            .iter_mut()
            .find(|e| e.url == url && e.method == ex.method)
        else {
            return Recorded::NotStored {
                reason: NotStored::NotARedirect,
                forgot: false,
            };
        };
        // "use other header fields provided in the 304 (Not Modified) response
        // to replace all instances of the corresponding header fields in the
        // stored response"
        for name in FRESHNESS_FIELDS {
            if ex.response_headers.contains_key(&name) {
                entry.cache_headers.remove(&name);
                for v in ex.response_headers.get_all(&name) {
                    entry.cache_headers.append(name.clone(), v.clone());
                }
            }
        }
        let cc = cache_control(&entry.cache_headers);
        let lifetime = freshness::lifetime(
            entry.status,
            &entry.cache_headers,
            &cc,
            shared,
            heuristic,
            ex.time,
        );
        entry.lifetime = match lifetime {
            Lifetime::Explicit(s) | Lifetime::Heuristic(s) => s,
            Lifetime::None => 0,
        };
        entry.no_cache = cc.no_cache;
        entry.response_time = ex.time;
        entry.initial_age = freshness::initial_age(&entry.cache_headers, ex.time);
        Recorded::Freshened {
            until: entry.until(),
        }
    }

    /// Where a request made at `now` goes, through the remembered redirects
    /// that are still fresh.
    pub fn recall(&self, now: u64, method: &Method, url: &str, headers: &HeaderMap) -> Recall {
        let fragment = split_fragment(url).1.map(str::to_owned);
        let Some(start) = self.normalise(url) else {
            return Recall {
                url: url.to_owned(),
                hops: Vec::new(),
                until: None,
                stop: RecallStop::BadUrl,
            };
        };
        let mut current = start;
        let mut fragment = fragment;
        let mut hops: Vec<RecalledHop> = Vec::new();
        let mut until: Option<u64> = None;
        let req_cc = cache_control(headers);
        let stop = 'walk: {
            if !is_cacheable_method(method) {
                break 'walk RecallStop::MethodNotCacheable;
            }
            // RFC 9111 §5.2.1.4/§5.2.1.5: the client asks for no stored answer.
            if req_cc.no_cache || req_cc.no_store {
                break 'walk RecallStop::RequestBypass;
            }
            loop {
                if hops.len() as u64 >= u64::from(self.policy.max_hops) {
                    break 'walk RecallStop::HopLimit;
                }
                // A HEAD may use what was stored for GET (RFC 9110 §9.3.2).
                let candidates = self.entries.iter().filter(|e| {
                    e.url == current && (e.method == method || e.method == Method::GET)
                });
                let mut seen_any = false;
                let mut reason = RecallStop::NotRemembered;
                let mut chosen: Option<&Entry> = None;
                for e in candidates {
                    seen_any = true;
                    if !e.vary.iter().all(|(n, v)| field_text(headers, n) == *v) {
                        reason = RecallStop::VaryMismatch;
                    } else if e.no_cache {
                        reason = RecallStop::MustValidate;
                    } else if !e.fresh(now) {
                        reason = RecallStop::Stale;
                    } else if req_cc.max_age.seconds().is_some_and(|max| e.age(now) > max) {
                        reason = RecallStop::RequestBypass;
                    } else if chosen.is_none_or(|c| e.response_time > c.response_time) {
                        chosen = Some(e);
                    }
                }
                let Some(e) = chosen else {
                    break 'walk if seen_any {
                        reason
                    } else {
                        RecallStop::NotRemembered
                    };
                };
                let (target, target_fragment) = split_fragment(&e.target);
                if target == current || hops.iter().any(|h| h.from == target) {
                    break 'walk RecallStop::Loop;
                }
                hops.push(RecalledHop {
                    from: current.clone(),
                    to: e.target.clone(),
                    status: e.status,
                });
                let e_until = e.until();
                until = match (until, e_until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (None, b) => b,
                    (a, None) => a,
                };
                if target_fragment.is_some() || !self.policy.redirects.inherit_fragment {
                    fragment = target_fragment.map(str::to_owned);
                }
                current = target.to_owned();
            }
        };
        let mut url = current;
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(&f);
        }
        Recall {
            url,
            hops,
            until,
            stop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::LOCATION;
    use http::HeaderValue;

    /// The kept machines and the kept normalised URL change no answer: every
    /// record and recall is the same as in a memory that starts each from
    /// empty scratch (new machines, nothing remembered of the last URL).
    #[test]
    fn scratch_changes_no_answer() {
        let urls = [
            "https://a.test/old#x",
            "https://A.TEST:443/old",
            "https://xn--bcher-kva.test/a/../b?q#f",
            "http://[::1]:8080/",
            "not a url",
            "https://a.test/old#x",
        ];
        let locations: [&[u8]; 5] = [
            b"/new",
            b"https://b.test/x#g",
            b"//c.test",
            b"ftp://a.test/",
            b"https://a.test/old",
        ];
        let controls = ["max-age=600", "", "no-store", "public", "max-age=0"];
        let statuses = [301u16, 302, 308, 304, 200, 307];
        for profile in [Profile::Fetch, Profile::Rfc9110, Profile::Rfc2616] {
            let mut kept = RedirectMemory::new(MemoryPolicy::new(profile));
            let mut fresh = kept.clone();
            let mut i = 0u64;
            for (u, url) in urls.iter().enumerate() {
                for (l, location) in locations.iter().enumerate() {
                    let mut response = HeaderMap::new();
                    response.insert(LOCATION, HeaderValue::from_bytes(location).unwrap());
                    let cc = controls[(u + l) % controls.len()];
                    if !cc.is_empty() {
                        response.insert(CACHE_CONTROL, HeaderValue::from_static(cc));
                    }
                    let status = StatusCode::from_u16(statuses[(u * 5 + l) % statuses.len()]);
                    let method = [Method::GET, Method::HEAD, Method::POST][(u + 2 * l) % 3].clone();
                    i += 1;
                    let ex = Exchange {
                        time: 1000 + 60 * i,
                        method: &method,
                        url,
                        request_headers: &HeaderMap::new(),
                        status: status.unwrap(),
                        response_headers: &response,
                    };
                    fresh.scratch = Scratch::default();
                    assert_eq!(kept.record(&ex), fresh.record(&ex), "{profile:?} {url}");
                    fresh.scratch = Scratch::default();
                    for (at, url) in [(ex.time, *url), (ex.time + 30, urls[(u + 1) % urls.len()])] {
                        for m in [&Method::GET, &Method::HEAD] {
                            let a = kept.recall(at, m, url, &HeaderMap::new());
                            let b = fresh.recall(at, m, url, &HeaderMap::new());
                            assert_eq!(a, b, "{profile:?} {url}");
                        }
                    }
                }
            }
            assert!(
                !kept.is_empty(),
                "{profile:?}: nothing stored, nothing checked"
            );
            assert_eq!(format!("{kept:?}"), format!("{fresh:?}"));
        }
    }
}
