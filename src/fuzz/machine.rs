//! Requests and response chains through [`RedirectMachine`], with every step
//! invariant checked at every step.

use http::header::{HeaderName, CACHE_CONTROL, CONTENT_LENGTH, LOCATION, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use std::cell::{OnceCell, RefCell};

use super::input::{
    start_url, ChainInput, HeaderFlags, LocationLine, ProfileInput, RequestInput, ResponseInput,
    StepInput, START_URLS,
};
use crate::memory::{Exchange, MemoryPolicy, RedirectMemory};
use crate::model::{default_port, parse_uri_reference, Boundary, CompareWith, LocationMode};
use crate::{Body, BodyAction, DeliverReason, Policy, Profile, RedirectMachine, Refusal, Step};

/// Steps one response into a machine built from the request, and checks the
/// step (see [`chain`] for the invariants).
///
/// # Examples
/// ```
/// let input = redirspec::fuzz::ChainInput::example();
/// let step = redirspec::fuzz::StepInput {
///     request: input.request.clone(),
///     response: input.responses[0].clone(),
/// };
/// redirspec::fuzz::machine_step(&step);
/// ```
pub fn machine_step(input: &StepInput) {
    with_lines(&input.response, |lines| {
        with_start(&input.request, true, |m, headers| {
            let start = Start {
                index: input.request.start_index(),
                headers,
            };
            step_checked_at(m, input.response.status.status(), lines, Some(start));
        });
    });
}

/// Steps a whole chain of responses (at most [`ChainInput::MAX_RESPONSES`])
/// and checks every step. After each step:
///
/// - 307 and 308 keep the method and the body (RFC 9110 §15.4.8, §15.4.9);
/// - 303 gives GET, or HEAD from HEAD (RFC 9110 §15.4.4, Fetch);
/// - 301 and 302 keep the method or turn POST into GET (Fetch);
/// - a dropped body takes `Content-Length` and `Transfer-Encoding` with it,
///   and a stream body is never sent again;
/// - a follow yields an absolute http(s) URL with a host and no whitespace,
///   control or non-ASCII byte;
/// - no header is ever added, and on a hop the built-in profiles count as
///   crossing (origin changed) none of the policy's credential headers is left;
/// - the redirect count grows by one per follow and never passes the limit;
/// - after a deliver or a refusal the machine never follows again;
/// - [`RedirectMachine::check_invariants`] holds.
///
/// # Examples
/// ```
/// redirspec::fuzz::chain(&redirspec::fuzz::ChainInput::example());
/// ```
///
/// The same chain also goes through a second machine with its fast paths
/// switched off ([`RedirectMachine::set_fast_paths`]), which reads every
/// start URL and Location value with the policy's parser's general path
/// (`model/strict.rs`, `model/whatwg.rs`): every step of the two must be the
/// same (the same outcome, refusal included, and the same next request,
/// removals and body action).
///
/// The same responses also go, as exchanges one minute apart, into a
/// [`RedirectMemory`] under the request's profile, with a Cache-Control
/// chosen by the hop's index; after each, a recall of the current URL must
/// stay within the memory's hop limit and give a URL.
pub fn chain(input: &ChainInput) {
    with_start(&input.request, true, |m, headers| {
        with_start(&input.request, false, |general, _| {
            MEMORIES.with(|memories| {
                // Empty, as `RedirectMemory::new` gives it, in kept buffers:
                // cleared after each chain, so that an input frees what it
                // allocated (libFuzzer runs a leak check after an input that
                // allocated more than it freed).
                let mut memory = memories[profile_index(input.request.profile)].borrow_mut();
                chain_steps(input, (m, headers), general, &mut memory);
                memory.clear();
            });
        });
    });
}

thread_local! {
    /// The three profiles' memories ([`POLICIES`]' order), empty between
    /// chains.
    static MEMORIES: [RefCell<RedirectMemory>; 3] = [
        Profile::Fetch,
        Profile::Rfc9110,
        Profile::Rfc2616,
    ]
    .map(|p| RefCell::new(RedirectMemory::new(MemoryPolicy::new(p))));
}

/// [`chain`]'s steps, with the two machines started (`m` with the
/// request's `headers`) and the memory empty.
fn chain_steps(
    input: &ChainInput,
    (m, headers): (&mut RedirectMachine, &HeaderMap),
    general: &mut RedirectMachine,
    memory: &mut RedirectMemory,
) {
    for (i, r) in input
        .responses
        .iter()
        .take(ChainInput::MAX_RESPONSES)
        .enumerate()
    {
        with_lines(r, |lines| {
            remember(memory, i, m, r.status.status(), lines);
            // The first step is taken from the start URL.
            let start = (i == 0).then(|| Start {
                index: input.request.start_index(),
                headers,
            });
            let fast = step_checked_at(m, r.status.status(), lines, start);
            // The same step without the checks: equal to the fast one, it
            // keeps every invariant that one was checked for.
            let slow = Outcome::of(general.step_raw(r.status.status(), lines));
            if fast != slow || !same_state(m, general) {
                panic!(
                            "fast paths on and off differ at step {i}: {} {:?}\non:  {fast:?} {:?}\noff: {slow:?} {:?}",
                            r.status.status(),
                            lines
                                .iter()
                                .map(|l| String::from_utf8_lossy(l))
                                .collect::<Vec<_>>(),
                            State::of(m),
                            State::of(general),
                        );
            }
        });
    }
}

/// At most this many Location lines of a response are stepped
/// ([`ResponseInput::lines`]).
const MAX_LINES: usize = 4;

thread_local! {
    /// Buffers for the Location lines that join an origin and the input's
    /// bytes, kept between inputs.
    static LINE_BUFFERS: RefCell<[Vec<u8>; MAX_LINES]> = RefCell::new(Default::default());
}

/// Calls `f` with the Location lines of `response`, the bytes of
/// [`ResponseInput::lines`]: a raw line borrowed from the input, an absolute
/// one written into a buffer kept per thread (no allocation once the buffers
/// have grown).
fn with_lines<R>(response: &ResponseInput, f: impl FnOnce(&[&[u8]]) -> R) -> R {
    LINE_BUFFERS.with_borrow_mut(|buffers| {
        let parts = response
            .locations
            .iter()
            .take(MAX_LINES)
            .map(LocationLine::parts);
        for (buffer, (origin, rest)) in buffers.iter_mut().zip(parts.clone()) {
            if !origin.is_empty() {
                buffer.clear();
                buffer.extend_from_slice(origin);
                buffer.extend_from_slice(rest);
            }
        }
        let mut lines: [&[u8]; MAX_LINES] = [&[]; MAX_LINES];
        let mut n = 0;
        for ((line, buffer), (origin, rest)) in lines.iter_mut().zip(buffers.iter()).zip(parts) {
            *line = if origin.is_empty() { rest } else { buffer };
            n += 1;
        }
        f(&lines[..n])
    })
}

/// Cache-Control values the memory sees, by hop index.
const CACHE_CONTROLS: [&str; 6] = [
    "",
    "max-age=60",
    "no-store",
    "no-cache",
    "public",
    "max-age=0",
];

thread_local! {
    /// The response fields [`remember`] gives the memory, a map kept
    /// between hops (cleared and filled for each).
    static RESPONSE: RefCell<HeaderMap> = RefCell::new(HeaderMap::new());
}

fn remember(
    memory: &mut RedirectMemory,
    index: usize,
    m: &RedirectMachine,
    status: StatusCode,
    lines: &[&[u8]],
) {
    let time = 1_000_000 + 60 * index as u64;
    RESPONSE.with_borrow_mut(|response| {
        response.clear();
        for line in lines {
            if let Ok(v) = HeaderValue::from_bytes(line) {
                response.append(LOCATION, v);
            }
        }
        let cc = CACHE_CONTROLS[index % CACHE_CONTROLS.len()];
        if !cc.is_empty() {
            response.insert(CACHE_CONTROL, HeaderValue::from_static(cc));
        }
        memory.record(&Exchange {
            time,
            method: m.method(),
            url: m.url(),
            request_headers: m.headers(),
            status,
            response_headers: response,
        });
    });
    let recall = memory.recall(time, m.method(), m.url(), m.headers());
    assert!(
        recall.hops.len() <= memory.policy().max_hops as usize,
        "{} remembered hops over the limit",
        recall.hops.len()
    );
    assert!(!recall.url.is_empty(), "a recall gave no URL");
    assert!(
        memory.len() <= memory.policy().max_entries,
        "memory over its bound"
    );
}

thread_local! {
    /// The three profiles' policies, built once per thread (the RFC 9110 and
    /// RFC 2616 ones allocate their header lists).
    static POLICIES: [Policy; 3] = [
        Profile::Fetch.policy(),
        Profile::Rfc9110.policy(),
        Profile::Rfc2616.policy(),
    ];
    /// The machines the targets step, one per start URL ([`start_slot`]:
    /// profile, fast paths on or off, origin and path), built once per
    /// thread: building one parses the start URL (with IDNA processing
    /// under WHATWG), which costs more than the step under test. Each input
    /// restarts one with [`RedirectMachine::reset_at_first_url`], which is
    /// what a fresh machine for the input's request is, in the buffers the
    /// machine already has (nothing is allocated per input once they have
    /// grown).
    static MACHINES: Vec<RefCell<Option<RedirectMachine>>> =
        (0..START_SLOTS).map(|_| RefCell::new(None)).collect();
    /// The first request's header maps, by [`HeaderFlags::bits`], built
    /// once per thread and copied into the machine by each restart.
    static HEADERS: Vec<OnceCell<HeaderMap>> =
        (0..=HeaderFlags::ALL).map(|_| OnceCell::new()).collect();
}

/// How many machines [`MACHINES`] holds.
const START_SLOTS: usize = 3 * 2 * START_URLS;

/// Where in [`MACHINES`] the machine for `req` is kept: by profile, fast
/// paths on or off, and start URL (what building a machine reads).
fn start_slot(req: &RequestInput, fast: bool) -> usize {
    (2 * profile_index(req.profile) + usize::from(fast)) * START_URLS + req.start_index()
}

/// Calls `f` with a fresh machine for `req`, with its fast paths on or off
/// (the per-thread machine for its start URL, [`MACHINES`], restarted),
/// and the request's headers.
fn with_start<R>(
    req: &RequestInput,
    fast: bool,
    f: impl FnOnce(&mut RedirectMachine, &HeaderMap) -> R,
) -> R {
    // The header map first, whether the machine is there or not: an input
    // that builds a machine then also makes its header map, so that the same
    // input run again (libFuzzer's leak check) allocates nothing.
    HEADERS.with(|maps| {
        let headers = maps[usize::from(req.headers.bits())].get_or_init(|| req.headers.headers());
        MACHINES.with(|machines| {
            let mut slot = machines[start_slot(req, fast)].borrow_mut();
            let m = start_into(req, fast, headers, &mut slot);
            f(m, headers)
        })
    })
}

/// The index of a profile in [`POLICIES`].
fn profile_index(profile: ProfileInput) -> usize {
    match profile {
        ProfileInput::Fetch => 0,
        ProfileInput::Rfc9110 => 1,
        ProfileInput::Rfc2616 => 2,
    }
}

/// Makes `slot` a fresh machine for `req` with `headers` (its own), with
/// its fast paths on or off: the machine already there restarted at its
/// first URL (the same start URL, [`start_slot`]), else a new one.
fn start_into<'m>(
    req: &RequestInput,
    fast: bool,
    headers: &HeaderMap,
    slot: &'m mut Option<RedirectMachine>,
) -> &'m mut RedirectMachine {
    // A new machine is restarted too, so that it makes what a restart
    // keeps (the first URL's parsed form) in this input, not the next.
    let m = match slot {
        Some(m) => m,
        None => slot.insert(build(req, profile_index(req.profile), fast, headers)),
    };
    m.reset_at_first_url(req.method.method(), headers, req.body.body());
    m.set_redirect_count(req.redirect_count());
    m
}

/// A fresh machine for `req` with `headers`. Out of line: building is rare
/// (once per start URL and thread), and inlined its temporaries would make
/// every input's stack frame larger (under AddressSanitizer each call pays
/// for the size of its frame).
#[cold]
#[inline(never)]
fn build(req: &RequestInput, index: usize, fast: bool, headers: &HeaderMap) -> RedirectMachine {
    let url = req.url();
    let policy = POLICIES.with(|p| p[index].clone());
    let started = RedirectMachine::new(
        req.method.method(),
        &url,
        headers.clone(),
        req.body.body(),
        policy,
    )
    .and_then(|mut m| {
        if !fast {
            // Started again, so that the start URL too is read without them.
            m.set_fast_paths(false);
            m.reset(req.method.method(), &url, headers.clone(), req.body.body())?;
        }
        Ok(m)
    });
    match started {
        Ok(m) => m,
        Err(e) => panic!("start URL {url:?} refused (fast paths {fast}): {e}"),
    }
}

/// A step's outcome as owned data, to compare two machines' steps.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    Follow,
    Finished,
    Deliver(DeliverReason),
    Refuse(Refusal),
}

impl Outcome {
    fn of(step: Step<'_>) -> Self {
        match step {
            Step::Follow(_) => Outcome::Follow,
            Step::Finished => Outcome::Finished,
            Step::Deliver(reason) => Outcome::Deliver(reason),
            Step::Refuse(refusal) => Outcome::Refuse(refusal),
        }
    }
}

/// A machine's request and what its last step did, to compare two machines.
#[derive(Debug, PartialEq)]
struct State {
    method: Method,
    url: String,
    first_url: String,
    headers: HeaderMap,
    body: Body,
    hops: u32,
    finished: bool,
    removed: Vec<crate::RemovedHeader>,
    body_action: BodyAction,
}

/// Whether two machines hold the same request and their last steps did
/// the same (what [`State`] shows, compared without copying it).
fn same_state(a: &RedirectMachine, b: &RedirectMachine) -> bool {
    a.method() == b.method()
        && a.url() == b.url()
        && a.first_url() == b.first_url()
        && a.headers() == b.headers()
        && a.body() == b.body()
        && a.redirect_count() == b.redirect_count()
        && a.is_finished() == b.is_finished()
        && a.last_removed() == b.last_removed()
        && a.last_body_action() == b.last_body_action()
}

impl State {
    fn of(m: &RedirectMachine) -> Self {
        State {
            method: m.method().clone(),
            url: m.url().to_owned(),
            first_url: m.first_url().to_owned(),
            headers: m.headers().clone(),
            body: m.body(),
            hops: m.redirect_count(),
            finished: m.is_finished(),
            removed: m.last_removed().to_vec(),
            body_action: m.last_body_action(),
        }
    }
}

/// What the machine was before a step.
struct Before<'b> {
    method: Method,
    url: &'b str,
    /// The names of its headers (a step only removes headers, so the
    /// names are what is checked).
    header_names: Names<'b>,
    body: Body,
    hops: u32,
    finished: bool,
    /// Which start URL `url` is ([`RequestInput::start_index`]), if known.
    start: Option<usize>,
}

/// The names of the headers a machine had before a step.
enum Names<'b> {
    /// Those of the request it was just started with.
    Of(&'b HeaderMap),
    /// Copied before the step.
    Copied(&'b [HeaderName]),
}

impl Names<'_> {
    fn contains(&self, name: &HeaderName) -> bool {
        match self {
            Names::Of(headers) => headers.keys().any(|k| k == name),
            Names::Copied(names) => names.contains(name),
        }
    }
}

thread_local! {
    /// The buffers of [`Before`]'s URL and header names, kept between steps.
    static BEFORE: RefCell<(String, Vec<HeaderName>)> = const { RefCell::new((String::new(), Vec::new())) };
}

/// Steps `m` once and checks the step against the state before it;
/// answers what the step was.
pub(crate) fn step_checked(
    m: &mut RedirectMachine,
    status: StatusCode,
    lines: &[&[u8]],
) -> Outcome {
    step_checked_at(m, status, lines, None)
}

/// A machine just (re)started for a request: at the request's start URL
/// with the request's headers.
#[derive(Clone, Copy)]
struct Start<'s> {
    /// Which start URL ([`RequestInput::start_index`]).
    index: usize,
    /// The request's headers.
    headers: &'s HeaderMap,
}

/// [`step_checked`] of a machine that is at its `start`, if it is: the
/// origin of the start URL is then worked out once, not at each step from
/// it, and the request's headers are what the machine had.
fn step_checked_at(
    m: &mut RedirectMachine,
    status: StatusCode,
    lines: &[&[u8]],
    start: Option<Start<'_>>,
) -> Outcome {
    BEFORE.with_borrow_mut(|(url, names)| {
        url.clear();
        url.push_str(m.url());
        let header_names = match start {
            Some(s) => Names::Of(s.headers),
            None => {
                names.clear();
                names.extend(m.headers().keys().cloned());
                Names::Copied(names)
            }
        };
        let before = Before {
            method: m.method().clone(),
            url,
            header_names,
            body: m.body(),
            hops: m.redirect_count(),
            finished: m.is_finished(),
            start: start.map(|s| s.index),
        };
        step_checked_from(m, status, lines, &before)
    })
}

/// [`step_checked`] of a machine that was `before`.
fn step_checked_from(
    m: &mut RedirectMachine,
    status: StatusCode,
    lines: &[&[u8]],
    before: &Before<'_>,
) -> Outcome {
    let p = m.policy();
    let (limit, boundary, compare_with, mode) =
        (p.max_redirects, p.boundary, p.compare_with, p.location_mode);
    // Checked after the step, against `m.policy()`: (dropped body, whether
    // the policy removes credentials when the origin changes).
    let mut header_checks = None;
    let outcome = match m.step_raw(status, lines) {
        Step::Follow(hop) => {
            assert!(!before.finished, "followed after the chain ended");
            let (method, code) = (hop.method(), status.as_u16());
            let to_get = *method == Method::GET && before.method != Method::GET;
            match code {
                307 | 308 => {
                    assert_eq!(*method, before.method, "{code} changed the method");
                    assert_eq!(hop.body(), before.body, "{code} changed the body");
                }
                303 => {
                    let ok = *method == Method::GET
                        || (*method == Method::HEAD && before.method == Method::HEAD);
                    assert!(ok, "303 to {} gave {method}", before.method);
                }
                301 | 302 => {
                    let ok = *method == before.method
                        || (before.method == Method::POST && *method == Method::GET);
                    assert!(ok, "{code} turned {} into {method}", before.method);
                }
                _ => assert!(
                    (300..400).contains(&code),
                    "followed a {code}, which is not a redirect"
                ),
            }
            if to_get {
                assert_eq!(hop.body(), Body::None, "GET with a body");
                for name in [CONTENT_LENGTH, TRANSFER_ENCODING] {
                    assert!(
                        !hop.headers().contains_key(&name),
                        "{name} kept with no body"
                    );
                }
            }
            let expected_action = match (before.body, to_get) {
                (Body::None, _) => BodyAction::None,
                (_, true) => BodyAction::Drop,
                (_, false) => BodyAction::Keep,
            };
            assert_eq!(hop.body_action(), expected_action, "body action");
            assert_ne!(hop.body(), Body::Stream, "a stream body is sent again");
            assert_followable(hop.url());
            for (name, _) in hop.headers() {
                assert!(before.header_names.contains(name), "{name} was added");
            }
            assert_eq!(hop.redirect_count(), before.hops + 1, "hop count");
            assert!(
                hop.redirect_count() <= limit,
                "{} hops, limit {limit}",
                hop.redirect_count(),
            );
            let by_origin = matches!(
                (boundary, compare_with),
                (Boundary::Origin, CompareWith::PreviousHop)
            );
            header_checks = Some((to_get, by_origin));
            Outcome::Follow
        }
        Step::Deliver(reason) => {
            assert!(!before.finished, "delivered after the chain ended");
            if reason == DeliverReason::NoLocation {
                assert!(lines.is_empty(), "no-location with {} lines", lines.len());
            }
            Outcome::Deliver(reason)
        }
        Step::Finished => {
            assert!(before.finished, "finished before the end");
            Outcome::Finished
        }
        Step::Refuse(refusal) => {
            match refusal {
                Refusal::TooManyRedirects { limit } => {
                    assert!(!before.finished, "refused after the chain ended");
                    assert!(
                        before.hops >= limit,
                        "refused at {} hops, limit {limit}",
                        before.hops
                    );
                }
                _ => assert!(!before.finished, "refused after the chain ended"),
            }
            Outcome::Refuse(refusal)
        }
    };
    if let Some((to_get, by_origin)) = header_checks {
        let (policy, headers) = (m.policy(), m.headers());
        if to_get {
            for name in policy.method_change_headers.iter() {
                assert!(!headers.contains_key(name), "{name} kept on POST -> GET");
            }
        }
        // No credential header may cross origins: the origins are worked
        // out only when one is left (else the hop keeps the rule either way).
        let kept = by_origin
            .then(|| {
                policy
                    .cross_origin_headers
                    .iter()
                    .find(|name| headers.contains_key(*name))
            })
            .flatten();
        if let Some(name) = kept {
            assert!(
                !crosses(before, m.url(), mode),
                "{name} crossed from {} to {}",
                before.url,
                m.url()
            );
        }
    }
    m.check_invariants();
    let unchanged = !m.is_finished() || m.url() == before.url;
    assert!(unchanged, "a chain that ended moved to another URL");
    outcome
}

/// A URL a client may send a request to: absolute http(s) with `//` and a
/// host, printable ASCII only.
pub(crate) fn assert_followable(url: &str) {
    let bytes = url.as_bytes();
    if let Some(i) = crate::model::first_where::<false>(&PRINTABLE, bytes) {
        panic!("followed {url:?} with byte {:#04x}", bytes[i]);
    }
    // Where the authority starts: after the first `//`, which in an
    // http(s) URL is the scheme's.
    let Some(start) = after_http_slashes(bytes) else {
        panic!("followed {url:?}, not http(s)")
    };
    let rest = &bytes[start..];
    let host_end = rest
        .iter()
        .position(|&b| ENDS_AUTHORITY[usize::from(b)])
        .unwrap_or(rest.len());
    let authority = &rest[..host_end];
    let host = &authority[authority
        .iter()
        .rposition(|&b| b == b'@')
        .map_or(0, |p| p + 1)..];
    assert!(
        !host.is_empty() && host[0] != b':',
        "followed {url:?}, which has no host"
    );
}

/// Where a URL that starts `http://` or `https://` (any case) goes on after
/// that; `None` for any other.
fn after_http_slashes(url: &[u8]) -> Option<usize> {
    if url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case(b"http://"))
    {
        Some(7)
    } else if url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case(b"https://"))
    {
        Some(8)
    } else {
        None
    }
}

/// Byte tables of [`assert_followable`]: a check of a byte is then a load,
/// not comparisons (in a fuzz build each comparison calls a trace hook, and
/// a property check steers no mutation).
const fn byte_table(from: u8, to: u8, also: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = from as usize;
    while b <= to as usize {
        table[b] = true;
        b += 1;
    }
    let mut i = 0;
    while i < also.len() {
        table[also[i] as usize] = true;
        i += 1;
    }
    table
}

/// Printable ASCII, `!` to `~` (no space, control, DEL or non-ASCII byte).
const PRINTABLE: [bool; 256] = byte_table(b'!', b'~', &[]);

/// The bytes that end an authority: `/`, `?`, `#`.
const ENDS_AUTHORITY: [bool; 256] = byte_table(b'/', b'/', b"?#");

/// An origin as (scheme, host, port); `None` when the URL has none.
type Origin = Option<(String, String, Option<u16>)>;

thread_local! {
    /// The origins of the start URLs, by mode (strict, WHATWG) and start
    /// URL ([`RequestInput::start_index`]), each worked out when first
    /// needed: the URL before the first step of a chain is its start URL.
    static START_ORIGINS: [[OnceCell<Origin>; START_URLS]; 2] =
        const { [[const { OnceCell::new() }; START_URLS], [const { OnceCell::new() }; START_URLS]] };
    /// WHATWG origins [`crosses`] worked out lately, by [`origin_part`]
    /// (a few dozen at most: the URLs hops go to are on few origins).
    static WEB_ORIGINS: RefCell<Vec<(String, Origin)>> = const { RefCell::new(Vec::new()) };
}

/// The most entries [`WEB_ORIGINS`] keeps (then it starts again).
const WEB_ORIGINS_KEPT: usize = 32;

/// Whether the URL `before` a step and `to` have different origins under
/// `mode`: computed here independently of the machine, as (scheme, host,
/// port), lower-case scheme and host, default port filled in
/// ([`strict_origin`], [`web_origin`]).
fn crosses(before: &Before<'_>, to: &str, mode: LocationMode) -> bool {
    match mode {
        LocationMode::Strict => {
            let to = strict_origin(to);
            match before.start {
                Some(i) => start_origin_differs(mode, i, &to),
                None => strict_origin(before.url) != to,
            }
        }
        LocationMode::Whatwg => WEB_ORIGINS.with_borrow_mut(|known| {
            // Room for both URLs first, so that no index found below moves.
            if known.len() + 2 > WEB_ORIGINS_KEPT {
                known.clear();
            }
            let b = web_origin_index(known, to);
            match before.start {
                Some(i) => start_origin_differs(mode, i, &known[b].1),
                None => {
                    let a = web_origin_index(known, before.url);
                    known[a].1 != known[b].1
                }
            }
        }),
    }
}

/// Whether start URL `i`'s origin under `mode` ([`START_ORIGINS`]) is not
/// `other`.
fn start_origin_differs(mode: LocationMode, i: usize, other: &Origin) -> bool {
    let (by_mode, origin): (usize, fn(&str) -> Origin) = match mode {
        LocationMode::Strict => (0, strict_origin),
        LocationMode::Whatwg => (1, web_origin),
    };
    START_ORIGINS.with(|origins| origins[by_mode][i].get_or_init(|| origin(&start_url(i))) != other)
}

/// Where in `known` ([`WEB_ORIGINS`]) the WHATWG origin of `url` is, by
/// its [`origin_part`]: found, or worked out and added.
fn web_origin_index(known: &mut Vec<(String, Origin)>, url: &str) -> usize {
    let part = origin_part(url);
    if let Some(i) = known.iter().position(|(p, _)| p == part) {
        return i;
    }
    known.push((part.to_owned(), web_origin(part)));
    known.len() - 1
}

/// The origin of a URL under RFC 3986: its scheme, host and port (the
/// scheme's default if none).
fn strict_origin(url: &str) -> Origin {
    let r = parse_uri_reference(url.as_bytes()).ok()?;
    let scheme = r.scheme()?.to_ascii_lowercase();
    let port = match r.port() {
        Some(p) if !p.is_empty() => p.parse::<u16>().ok(),
        _ => default_port(&scheme),
    };
    Some((scheme, r.host()?.to_ascii_lowercase(), port))
}

/// The WHATWG origin of `url`, by the `url` crate.
fn web_origin(url: &str) -> Origin {
    let u = url::Url::parse(url).ok()?;
    Some((
        u.scheme().to_owned(),
        u.host_str()?.to_owned(),
        u.port_or_known_default(),
    ))
}

/// The part of `url` its WHATWG origin depends on: for an `http://` or
/// `https://` URL (any case) of printable ASCII, up to the end of its
/// authority; else all of it.
///
/// The WHATWG URL parser reads a special scheme's authority after the
/// scheme's `//` and any further `/` and `\` (special authority ignore
/// slashes state), up to the first `/`, `\`, `?` or `#` (authority state);
/// what follows is path, query and fragment, which never fail a parse nor
/// change the origin. Printable ASCII has no tab or newline (which the
/// parser removes anywhere) and no C0 control or space to strip. So this
/// prefix parses to the same origin, or fails as the URL does, and the
/// path, however long, is not read.
fn origin_part(url: &str) -> &str {
    let bytes = url.as_bytes();
    if bytes.iter().any(|&b| !PRINTABLE[usize::from(b)]) {
        return url;
    }
    let Some(start) = after_http_slashes(bytes) else {
        return url;
    };
    let slashes = bytes[start..]
        .iter()
        .position(|&b| !SLASH[usize::from(b)])
        .map_or(bytes.len(), |n| start + n);
    let end = bytes[slashes..]
        .iter()
        .position(|&b| ENDS_WEB_AUTHORITY[usize::from(b)])
        .map_or(bytes.len(), |n| slashes + n);
    &url[..end]
}

/// `/` and `\`.
const SLASH: [bool; 256] = byte_table(b'/', b'/', b"\\");

/// The bytes that end a special URL's authority: `/`, `\`, `?`, `#`.
const ENDS_WEB_AUTHORITY: [bool; 256] = byte_table(b'/', b'/', b"\\?#");

#[cfg(test)]
mod tests {
    use super::{assert_followable, origin_part, web_origin};

    #[test]
    fn an_origin_part_has_the_url_s_origin() {
        for url in [
            "http://a.test/x/y?q#f",
            "HTTPS://A.TEST:443/p",
            "https://a.test:8443",
            "http://u:p@b.test:80?x",
            "http://a.test#f",
            "http:///a.test/x",
            "http://\\\\/a.test/x",
            "https:///\\//a.test:8443?q",
            "http:\\\\/\\a.test\\@b.test/x",
            "https://a.test\\@b.test/x",
            "http://a.test:99999/x",
            "http://[::1]:8080/",
            "http://0x7f.1/",
            "https://xn--bcher-kva.test/%EF%BF%BD",
            "https://xn--a/x",
            "http://a%2Etest/",
            "http://a.test:/x",
            "http://@a.test/",
            "http:///",
            "http://",
            "http://a.te\tst/",
            " http://a.test/",
            "http://b\u{e9}.test/",
            "ftp://a.test/",
            "mailto:x@y.test",
        ] {
            let part = origin_part(url);
            assert!(url.starts_with(part), "{url:?} {part:?}");
            assert_eq!(
                web_origin(part),
                web_origin(url),
                "{url:?} read as {part:?}"
            );
        }
        // And URLs made of the bytes that matter to an authority.
        let heads = [
            "http://",
            "https://",
            "HtTpS://",
            "http:/",
            "http:\\\\",
            "https:",
        ];
        let parts = [
            "a.test",
            "B.TEST",
            "xn--bcher-kva.test",
            "127.0.0.1",
            "0x7f.1",
            "[::1]",
            "[::1",
            "u",
            "u:p",
            "@",
            ":",
            ":80",
            ":443",
            ":8443",
            ":99999",
            ":x",
            "/",
            "\\",
            "?",
            "#",
            "%2e",
            "%41",
            ".",
            "..",
            " ",
            "\t",
            "\u{e9}",
            "-",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let mut url = heads[next(heads.len())].to_owned();
            for _ in 0..next(7) {
                url.push_str(parts[next(parts.len())]);
            }
            let part = origin_part(&url);
            assert_eq!(
                web_origin(part),
                web_origin(&url),
                "{url:?} read as {part:?}"
            );
        }
        assert_eq!(origin_part("http:///a.test/x?y"), "http:///a.test");
        assert_eq!(origin_part("https://a.test\\@b/x"), "https://a.test");
    }

    #[test]
    fn followable_urls() {
        for url in [
            "http://a/",
            "HTTPS://h.test:1/x?q#f",
            "http://u:p@h.test",
            "hTtP://[::1]:8080/",
            "https://a@b@c/@d",
        ] {
            assert_followable(url);
        }
        for url in [
            "http://",
            "https://",
            "http://@/",
            "http://:80/",
            "http://u@:1/",
            "http://u@/x@y",
            "ftp://a/",
            "https:/a/",
            "http:a",
            "http://a b/",
            "http://a\u{e9}/",
            "http://a/\x7f",
            "",
        ] {
            let panicked = std::panic::catch_unwind(|| assert_followable(url)).is_err();
            assert!(panicked, "{url:?} passed");
        }
    }
}
