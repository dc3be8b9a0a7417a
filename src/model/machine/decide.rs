//! One step of the machine, as named phases in the order of Fetch's
//! "HTTP-redirect fetch" (<https://fetch.spec.whatwg.org/#http-redirect-fetch>)
//! and RFC 9110 §15.4, each a method below that cites its step:
//!
//! 1. [`redirect_rule`](RedirectMachine::redirect_rule): the status and the
//!    policy's rule for it (deliver, follow, or follow after confirmation);
//! 2. [`location_line`](RedirectMachine::location_line): the Location field
//!    lines (none, one, several);
//! 3. [`resolve_location`](RedirectMachine::resolve_location): the value
//!    parsed and resolved into the next URL (the policy's parser's general
//!    path, `model/strict.rs` or `model/whatwg.rs`, or a fast path proven
//!    equal to it);
//! 4. [`check_target`](RedirectMachine::check_target): the next URL's
//!    scheme and host, a downgrade, the hop limit;
//! 5. [`method_and_body`](RedirectMachine::method_and_body): confirmation,
//!    a streamed body, the method rule;
//! 6. [`note_removals`](RedirectMachine::note_removals): the headers the
//!    method change and the boundary remove;
//! 7. [`check_loop`](RedirectMachine::check_loop): loop detection, where the
//!    policy asks;
//! 8. [`commit`](RedirectMachine::commit): the machine moves to the next
//!    request.
//!
//! Phases 1-7 only read the machine (but for the next URL's buffer and the
//! list of removals, which belong to the step); the first phase that ends
//! the chain decides the step, and the machine stays at its request.

use std::ops::ControlFlow::{self, Break, Continue};

use http::{HeaderMap, HeaderName, Method, StatusCode};

use super::super::body::{Body, BodyAction};
use super::super::fast::parse_common;
use super::super::fast_strict::{resolve_strict, Strict};
use super::super::fast_whatwg::whatwg_common;
use super::super::location::{bounded_trimmed, LocationError};
use super::super::profile::{
    Boundary, CompareWith, Downgrade, MultipleLocations, RedirectRule, Rewrite, StreamBody,
};
use super::super::seen::Seen;
use super::super::status::{classify, StatusClass};
use super::super::step::{DeliverReason, Refusal, Removal, RemovedHeader};
use super::super::{strict, whatwg};
use super::urls::{origin_text, same_host_text, Urls};
use super::{is_get_or_head, scheme_allowed, RedirectMachine};

/// What one step decides; [`RedirectMachine::step`] makes the public
/// [`Step`](super::super::Step) from it.
#[derive(Debug)]
pub(super) enum Decision {
    /// Follow: the machine has moved to the next request.
    Follow,
    /// The chain ends: the response goes to the caller.
    Deliver(DeliverReason),
    /// The chain ends: the redirect fails.
    Refuse(Refusal),
}

/// A phase's answer: `Continue` with what it found, or `Break` with the
/// step's decision (a delivery or a refusal: the chain ends there).
type Phase<T = ()> = ControlFlow<Decision, T>;

/// Ends the step with a refusal.
fn refuse<T>(why: impl Into<Refusal>) -> Phase<T> {
    Break(Decision::Refuse(why.into()))
}

/// What phase 1 found: the status's class and how the policy follows it.
#[derive(Clone, Copy)]
struct Redirect {
    class: StatusClass,
    /// The method rule.
    rewrite: Rewrite,
    /// Whether a method other than GET and HEAD needs the user's confirmation.
    confirm: bool,
}

impl RedirectMachine {
    /// One step: the phases in order (see the module docs).
    #[inline(always)]
    pub(super) fn decide<'b>(
        &mut self,
        status: StatusCode,
        lines: impl Iterator<Item = &'b [u8]>,
        sets_cookie: bool,
    ) -> Decision {
        match self.phases(status, lines, sets_cookie) {
            Continue(()) => Decision::Follow,
            Break(decision) => decision,
        }
    }

    #[inline(always)]
    fn phases<'b>(
        &mut self,
        status: StatusCode,
        lines: impl Iterator<Item = &'b [u8]>,
        sets_cookie: bool,
    ) -> Phase {
        let redirect = self.redirect_rule(status)?;
        let line = location_line(&self.policy.multiple_locations, lines)?;
        if let Err(e) = self.resolve_location(line) {
            return refuse(e);
        }
        self.check_target()?;
        let to_get = self.method_and_body(status, redirect)?;
        self.note_removals(to_get);
        self.check_loop(to_get, sets_cookie)?;
        self.commit(to_get);
        Continue(())
    }

    /// Phase 1, the status: the policy's rule for its class. Fetch: "A
    /// redirect status is a status that is 301, 302, 303, 307, or 308";
    /// RFC 9110 §15.4.5-§15.4.7: 304 is a cache answer, 305 is deprecated,
    /// 306 is unused; a non-3xx is never a redirection.
    #[inline(always)]
    fn redirect_rule(&self, status: StatusCode) -> Phase<Redirect> {
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
            StatusClass::NotModified
            | StatusClass::UseProxy
            | StatusClass::Unused
            | StatusClass::NotRedirection => RedirectRule::Deliver,
        };
        let (rewrite, confirm) = match rule {
            RedirectRule::Deliver => return Break(Decision::Deliver(DeliverReason::NotARedirect)),
            RedirectRule::Follow(rewrite) => (rewrite, false),
            RedirectRule::ConfirmUnlessGetOrHead => (Rewrite::Keep, true),
        };
        Continue(Redirect {
            class,
            rewrite,
            confirm,
        })
    }

    /// Phase 3, parse and resolve: one Location line into the next URL,
    /// through the policy's parser's general path (`model/strict.rs`,
    /// `model/whatwg.rs`) or, unless they are switched off
    /// ([`set_fast_paths`](RedirectMachine::set_fast_paths)), a fast path
    /// that writes the same URL (`model/fast_strict.rs`, `model/fast.rs`,
    /// `model/fast_whatwg.rs`, each checked against the general path).
    #[inline(always)]
    fn resolve_location(&mut self, raw: &[u8]) -> Result<(), LocationError> {
        let policy = &self.policy;
        // RFC 9110 §5.5: optional whitespace around a field value is not
        // part of it; the policy's length cap first.
        let (value, start) = bounded_trimmed(raw, policy.max_location_len)?;
        let fast = self.fast_paths;
        match &mut self.urls {
            Urls::Strict(t) => {
                let (current, next) = t.current_and_next();
                if !fast {
                    return strict::resolve_general(current, value, start, next, policy);
                }
                // The one-pass path for the common values.
                let taken = resolve_strict(
                    current,
                    value,
                    next,
                    policy.relative_location,
                    policy.inherit_fragment,
                );
                // The one-pass parser for the rest of its domain, which has
                // no NUL, CR or LF: the field-level byte check is needed
                // only when it declines (a value whose scan the one-pass
                // path saw declined is not scanned again).
                let common = match taken {
                    Strict::Resolved => return Ok(()),
                    Strict::Declined => parse_common(value),
                    Strict::General => None,
                };
                match common {
                    Some(r) => strict::resolve_reference(current, &r, start, next, policy),
                    None => strict::resolve_general(current, value, start, next, policy),
                }
            }
            Urls::Whatwg(t) => {
                let (current, next) = t.current_and_next();
                // `?`: the general path's error, where the fast path decides one.
                if fast && whatwg_common(current, value, next, policy)? {
                    return Ok(());
                }
                whatwg::resolve_general(current, value, start, next, policy)
            }
        }
    }

    /// Phase 4, the target: its scheme, its host, a downgrade, the hop limit.
    #[inline(always)]
    fn check_target(&self) -> Phase {
        let next = self.urls.next();
        let scheme = next.scheme();
        // Fetch: "If locationURL's scheme is not an HTTP(S) scheme, then
        // return a network error."
        let allowed = match scheme.as_bytes() {
            b"http" => self.allows_http[0],
            b"https" => self.allows_http[1],
            _ => scheme_allowed(&self.policy, scheme),
        };
        if !allowed {
            return refuse(Refusal::SchemeNotAllowed {
                scheme: scheme.to_ascii_lowercase(),
            });
        }
        // RFC 9110 §4.2.1: "A recipient that processes such a URI reference
        // [an http URI with an empty host] MUST reject it as invalid."
        if next.host_is_empty() {
            return refuse(LocationError::NoHost);
        }
        // RFC 9110 §4.2.2: "A client MUST ensure that its HTTP requests for
        // an "https" resource are secured prior to being communicated"; a hop
        // from https to http leaves that scheme. No built-in profile refuses
        // it (Fetch's redirect steps say nothing of it); a policy may.
        if self.policy.downgrade == Downgrade::Refuse
            && scheme.eq_ignore_ascii_case("http")
            && self.urls.current().scheme().eq_ignore_ascii_case("https")
        {
            return refuse(Refusal::Downgrade);
        }
        // Fetch: "If request's redirect count is 20, then return a network error."
        if self.hops >= self.policy.max_redirects {
            return refuse(Refusal::TooManyRedirects {
                limit: self.policy.max_redirects,
            });
        }
        Continue(())
    }

    /// Phase 5, method and body: confirmation, a streamed body, the method
    /// rule. Answers whether the method changes to GET (the body dropped).
    #[inline(always)]
    fn method_and_body(&self, status: StatusCode, redirect: Redirect) -> Phase<bool> {
        // RFC 2616 §10.3.2: "MUST NOT automatically redirect the request
        // unless it can be confirmed by the user".
        if redirect.confirm && !is_get_or_head(&self.method) {
            return refuse(Refusal::NeedsConfirmation {
                status: status.as_u16(),
                method: self.method.clone(),
            });
        }
        // Fetch: "If internalResponse's status is not 303, request's body is
        // non-null, and request's body's source is null, then return a network
        // error." (before the method change)
        if self.policy.stream_body == StreamBody::RefuseUnless303
            && redirect.class != StatusClass::SeeOther
            && self.body == Body::Stream
        {
            return refuse(Refusal::BodyNotReplayable);
        }
        let to_get = match redirect.rewrite {
            Rewrite::Keep => false,
            // Fetch: "internalResponse's status is 301 or 302 and request's method is `POST`"
            Rewrite::PostToGet => self.method == Method::POST,
            // Fetch: "internalResponse's status is 303 and request's method is not `GET` or `HEAD`"
            Rewrite::ToGetUnlessGetOrHead => !is_get_or_head(&self.method),
        };
        // A kept body is sent again: Fetch "If request's body is non-null,
        // then set request's body to the body of the result of safely
        // extracting request's body's source" — a stream has no source to
        // extract again (RFC 9110 §15.4.8: a 307 "MUST NOT change the request
        // method", so its content goes again too).
        if !to_get && self.body == Body::Stream {
            return refuse(Refusal::BodyNotReplayable);
        }
        Continue(to_get)
    }

    /// Phase 6, headers: notes (in `removed`) the headers the next request
    /// goes without, and why; [`commit`](Self::commit) removes them.
    #[inline(always)]
    fn note_removals(&mut self, to_get: bool) {
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
            // RFC 9110 §8.6: "A user agent SHOULD NOT send a Content-Length
            // header field when the request message does not contain content
            // and the method semantics do not anticipate such data."; Fetch
            // sets the body to null, and the framing of the body that is
            // gone goes with it (the policy's `framing_headers`).
            for name in self.policy.framing_headers.iter() {
                note_removal(&mut self.removed, &self.headers, name, Removal::Framing);
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
    }

    /// Phase 7, loop detection (where the policy asks). RFC 9110 §15.4: "A
    /// client SHOULD detect and intervene in cyclical redirections".
    #[inline(always)]
    fn check_loop(&mut self, to_get: bool, sets_cookie: bool) -> Phase {
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
            return refuse(Refusal::RedirectLoop {
                method: if to_get {
                    Method::GET
                } else {
                    self.method.clone()
                },
                url: self.urls.next().without_fragment().to_owned(),
            });
        }
        Continue(())
    }

    /// Phase 8, commit: the machine moves to the next request (Fetch:
    /// "Increase request's redirect count by 1", "Append locationURL to
    /// request's URL list", the method and body as phase 5 decided, the
    /// headers phase 6 noted removed).
    #[inline(always)]
    fn commit(&mut self, to_get: bool) {
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
    }

    /// Whether the next request (its method, GET when `to_get`, and the
    /// next URL) repeats one already sent in this chain (loop detection,
    /// model/seen.rs).
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

    /// Whether the hop crosses the policy's boundary (for credential removal).
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
}

/// Phase 2, the Location field lines. Fetch "extracting header list values":
/// none -> null -> deliver the response ("If locationURL is null, then
/// return response"); more than one for a single-value field -> failure
/// ("If the ABNF for name allows a single header and list contains more
/// than one, then return failure"), unless the policy reads the first.
#[inline(always)]
fn location_line<'b>(
    multiple: &MultipleLocations,
    mut lines: impl Iterator<Item = &'b [u8]>,
) -> Phase<&'b [u8]> {
    let Some(first) = lines.next() else {
        return Break(Decision::Deliver(DeliverReason::NoLocation));
    };
    let (mut count, mut identical) = (1usize, true);
    for line in lines {
        count += 1;
        identical &= line == first;
    }
    if count > 1 {
        let ok = match multiple {
            MultipleLocations::Refuse => false,
            MultipleLocations::First => true,
            MultipleLocations::FirstIfIdentical => identical,
        };
        if !ok {
            return refuse(LocationError::Multiple { count });
        }
    }
    Continue(first)
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
