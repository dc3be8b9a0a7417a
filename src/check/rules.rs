//! The rules behind every field of a model decision: one table, one entry per
//! (topic, profile), each with its spec section, its requirement level and a
//! `security` mark.
//!
//! A divergence is only as serious as the rule it breaks. RFC 9110 lets a user
//! agent change POST to GET on 301/302 ("MAY"), asks it to remove credentials
//! on a redirect ("SHOULD resend the original request message with the
//! following modifications", §15.4 steps 2-3), and forbids changing the method
//! on 307 ("MUST NOT"). WHATWG Fetch is an algorithm: each of its steps is a
//! requirement of the standard ("conformance requirements phrased as
//! algorithms"), so under the Fetch profile its steps are MUST; what the Fetch
//! profile adds beyond Fetch (Cookie and Proxy-Authorization removed across
//! origins, as undici does) keeps the RFC 9110 level. A custom
//! [`Policy`] is graded with the RFC 9110 entries.
//!
//! The levels were checked against the spec text (RFC 9110 §10.2.2, §15.4 and
//! §15.4.1-§15.4.9; RFC 2616 §10.3; RFC 3986 §5; Fetch "HTTP-redirect fetch",
//! living standard as read in December 2026). Where the spec has no keyword
//! the entry says so in [`Rule::says`] and takes the level of the nearest
//! normative sentence.

use http::{HeaderName, Method, StatusCode};

use crate::model::{DeliverReason, Policy, Profile, Refusal, Step};

/// A requirement level (RFC 2119), or a choice the spec leaves open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Level {
    /// MUST / MUST NOT / an algorithm step of a living standard.
    Must,
    /// SHOULD / SHOULD NOT.
    Should,
    /// MAY, or no keyword: a choice the spec leaves open. Never a failure.
    May,
}

impl Level {
    /// `MUST`, `SHOULD` or `MAY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule decides (one part of a redirect decision).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Topic {
    /// Following a 301, 302, 303, 307 or 308 that carries a Location.
    FollowRedirect,
    /// 300, 305, 306 or an unknown 3xx with a Location: follow or deliver.
    OtherRedirect,
    /// 304 Not Modified with a Location.
    NotModified,
    /// A redirect status without Location: delivered.
    NoLocation,
    /// A status that is not 3xx (201 with Location): delivered.
    NotARedirect,
    /// POST answered by 301 or 302: the method may become GET.
    PostOn301Or302,
    /// Any method but GET/HEAD answered by 303 becomes GET.
    SeeOther,
    /// A method other than POST on 301/302: the request is sent again as it was.
    ResendAsIs,
    /// 307: method and body kept.
    Keep307,
    /// 308: method and body kept.
    Keep308,
    /// RFC 2616: non-GET/HEAD on 301/302/307 needs the user's confirmation.
    NeedsConfirmation,
    /// The next URL: the Location resolved against the current URL.
    Resolve,
    /// A Location without fragment inherits the current one.
    Fragment,
    /// Content headers removed when the method changed to GET.
    ContentHeaders,
    /// Content-Length and Transfer-Encoding removed with the body.
    Framing,
    /// Authorization removed across origins (and not sent again later in the chain).
    AuthorizationCrossOrigin,
    /// Cookie (caller-set) removed across origins.
    CookieCrossOrigin,
    /// Proxy-Authorization removed across origins.
    ProxyAuthorizationCrossOrigin,
    /// Any other header of the policy's cross-origin list.
    OtherCredentialCrossOrigin,
    /// A header the model keeps: the request is resent with its fields.
    HeaderKept,
    /// A credential (Authorization, Cookie, Proxy-Authorization) the model keeps on a hop
    /// that stays inside the boundary: removing it anyway is a safe choice.
    CredentialKept,
    /// The redirect limit.
    HopLimit,
    /// A Location that does not parse, or several Location lines.
    InvalidLocation,
    /// A Location with a scheme other than http/https.
    SchemeNotAllowed,
    /// https to http.
    Downgrade,
    /// A streamed body that cannot be sent again.
    BodyNotReplayable,
    /// Cycle detection.
    Loop,
    /// The client finishes: no hang, no flood of requests, well-formed requests.
    Liveness,
    /// Second request: going straight to a remembered, fresh redirect target, or asking the
    /// original URL again. Caching is optional, so either is a choice.
    MemoryChoice,
    /// Second request: reusing a redirect that may not be stored at all (a 302 or 307 without
    /// explicit freshness, `no-store`, `Vary: *`).
    MemoryNotStorable,
    /// Second request: reusing a stored redirect that is stale.
    MemoryStale,
    /// Second request: reusing a `no-cache` redirect without validating it.
    MemoryMustValidate,
    /// Second request: reusing a redirect whose Vary fields do not match.
    MemoryVary,
    /// Second request: reusing a redirect for a method that may not use it.
    MemoryMethod,
    /// Second request: reusing a redirect although the request asked for no stored answer
    /// (request directives are advisory).
    MemoryRequestDirective,
    /// Second request: skipping more remembered hops than the model's hop limit.
    MemoryHopLimit,
    /// Second request: going to a URL that neither the request's target nor any remembered
    /// redirect names.
    MemoryTarget,
    /// Second request: a round of asking that never reached the server although the final
    /// answer was `no-store`.
    MemoryRoundMissing,
}

/// Which reading of the specs a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Reading {
    Fetch,
    Rfc9110,
    Rfc2616,
    /// Every reading: RFC 9111 (HTTP caching) is the cache of all three (Fetch's HTTP cache
    /// is RFC 9111's; RFC 2616 §13 said the same in older words).
    Any,
}

impl Reading {
    fn of(profile: Option<Profile>) -> Self {
        match profile {
            Some(Profile::Fetch) => Reading::Fetch,
            Some(Profile::Rfc2616) => Reading::Rfc2616,
            Some(Profile::Rfc9110) | None => Reading::Rfc9110,
        }
    }
}

/// One rule: where it is written and how strong it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Rule {
    /// Short stable name (`rfc9110-307-keep`), for reports and pinned files.
    pub id: &'static str,
    /// What it decides.
    pub topic: Topic,
    /// The spec and section (`RFC 9110 §15.4.8`, `Fetch HTTP-redirect fetch step 12`).
    pub section: &'static str,
    /// The requirement level.
    pub level: Level,
    /// The rule protects credentials or keeps the client off schemes it must not reach.
    pub security: bool,
    /// The spec's sentence (or, where it has no keyword, what it says and why this level).
    pub says: &'static str,
}

impl Rule {
    /// `MUST`, `MUST security`, `SHOULD`, … — the level with the security mark.
    pub fn grade(&self) -> String {
        if self.security {
            format!("{} security", self.level)
        } else {
            self.level.as_str().to_owned()
        }
    }
}

const fn r(
    reading: Reading,
    id: &'static str,
    topic: Topic,
    section: &'static str,
    level: Level,
    security: bool,
    says: &'static str,
) -> (Reading, Rule) {
    (
        reading,
        Rule {
            id,
            topic,
            section,
            level,
            security,
            says,
        },
    )
}

use Level::{May, Must, Should};
use Reading::{Any, Fetch, Rfc2616, Rfc9110};
use Topic as T;

const FETCH: &str = "Fetch HTTP-redirect fetch";

/// The table: one entry per (topic, reading). `tests::every_topic_has_one_rule_per_reading`
/// holds it complete.
#[rustfmt::skip]
static TABLE: &[(Reading, Rule)] = &[
    // Following at all.
    r(Fetch, "fetch-follow", T::FollowRedirect, "Fetch HTTP fetch step 'redirect status'", Must, false,
      "redirect mode \"follow\": a 301, 302, 303, 307 or 308 response with a Location is followed"),
    r(Rfc9110, "rfc9110-may-follow", T::FollowRedirect, "RFC 9110 §15.4.2-§15.4.4, §15.4.8, §15.4.9", May, false,
      "the user agent MAY use the Location field value for automatic redirection"),
    r(Rfc2616, "rfc2616-may-follow", T::FollowRedirect, "RFC 2616 §10.3", May, false,
      "the action required MAY be carried out by the user agent without interaction with the user"),
    r(Fetch, "fetch-redirect-status", T::OtherRedirect, "Fetch 'redirect status'", Must, false,
      "a redirect status is a status that is 301, 302, 303, 307, or 308: any other response is returned"),
    r(Rfc9110, "rfc9110-unknown-3xx", T::OtherRedirect, "RFC 9110 §15.4", May, false,
      "the user agent MAY automatically redirect its request to the URI referenced by the Location \
       field value, even if the specific status code is not understood"),
    r(Rfc2616, "rfc2616-other-3xx", T::OtherRedirect, "RFC 2616 §10.3.1, §10.3.6", May, false,
      "300: the user agent MAY use the Location field value for automatic redirection; 305: \
       the recipient is expected to repeat this single request via the proxy"),
    r(Fetch, "fetch-304", T::NotModified, "Fetch 'redirect status'", Must, false,
      "304 is not a redirect status: the response is returned"),
    r(Rfc9110, "rfc9110-304", T::NotModified, "RFC 9110 §15.4.5", Should, false,
      "304: the client already has a valid representation and uses it; no keyword forbids following \
       a Location, so a follow is graded SHOULD (nearest: §10.2.2 gives Location meaning for redirects)"),
    r(Rfc2616, "rfc2616-304", T::NotModified, "RFC 2616 §10.3.5", Should, false,
      "304: the client uses its cached entity; no keyword, graded SHOULD"),
    r(Fetch, "fetch-no-location", T::NoLocation, FETCH, Must, false,
      "if locationURL is null, then return response"),
    r(Rfc9110, "rfc9110-no-location", T::NoLocation, "RFC 9110 §15.4", Should, false,
      "automatic redirection follows the Location field: without one the 3xx is the final response \
       (no keyword; graded SHOULD)"),
    r(Rfc2616, "rfc2616-no-location", T::NoLocation, "RFC 2616 §10.3", Should, false,
      "the redirect target is given by the Location field (no keyword; graded SHOULD)"),
    r(Fetch, "fetch-not-3xx", T::NotARedirect, "Fetch HTTP fetch", Must, false,
      "only a redirect status runs HTTP-redirect fetch"),
    r(Rfc9110, "rfc9110-not-3xx", T::NotARedirect, "RFC 9110 §10.2.2", Must, false,
      "for 201 (Created) responses, the Location value refers to the primary resource created: not a redirect"),
    r(Rfc2616, "rfc2616-not-3xx", T::NotARedirect, "RFC 2616 §14.30", Must, false,
      "for 201 (Created) responses, the Location is that of the new resource: not a redirect"),
    // Method and body.
    r(Fetch, "fetch-post-to-get", T::PostOn301Or302, "Fetch HTTP-redirect fetch step 12", Must, false,
      "if status is 301 or 302 and request's method is POST: set method to GET and body to null"),
    r(Rfc9110, "rfc9110-301-302-post", T::PostOn301Or302, "RFC 9110 §15.4.2, §15.4.3", May, false,
      "for historical reasons, a user agent MAY change the request method from POST to GET"),
    r(Rfc2616, "rfc2616-301-302-confirm", T::PostOn301Or302, "RFC 2616 §10.3.2, §10.3.3", Must, false,
      "the user agent MUST NOT automatically redirect the request unless it can be confirmed by the user"),
    r(Fetch, "fetch-303-get", T::SeeOther, "Fetch HTTP-redirect fetch step 12", Must, false,
      "if status is 303 and request's method is not GET or HEAD: set method to GET and body to null"),
    r(Rfc9110, "rfc9110-303-get", T::SeeOther, "RFC 9110 §15.4.4", Should, false,
      "a user agent can perform a retrieval request targeting that URI (a GET or HEAD request if \
       using HTTP); no keyword, graded SHOULD as in RFC 2616 §10.3.4"),
    r(Rfc2616, "rfc2616-303-get", T::SeeOther, "RFC 2616 §10.3.4", Should, false,
      "the response to the request can be found under a different URI and SHOULD be retrieved using a GET method"),
    r(Fetch, "fetch-resend", T::ResendAsIs, FETCH, Must, false,
      "only POST on 301/302 and non-GET/HEAD on 303 change method; otherwise the request is sent again"),
    r(Rfc9110, "rfc9110-resend", T::ResendAsIs, "RFC 9110 §15.4", Should, false,
      "the user agent SHOULD resend the original request message with the following modifications"),
    r(Rfc2616, "rfc2616-301-302-confirm-other", T::ResendAsIs, "RFC 2616 §10.3.2, §10.3.3", Must, false,
      "the user agent MUST NOT automatically redirect the request unless it can be confirmed by the user"),
    r(Fetch, "fetch-307-keep", T::Keep307, FETCH, Must, false,
      "307: neither method nor body is changed (step 12 applies to 301, 302 and 303 only)"),
    r(Rfc9110, "rfc9110-307-keep", T::Keep307, "RFC 9110 §15.4.8", Must, false,
      "the user agent MUST NOT change the request method if it performs an automatic redirection to that URI"),
    r(Rfc2616, "rfc2616-307-confirm", T::Keep307, "RFC 2616 §10.3.8", Must, false,
      "the user agent MUST NOT automatically redirect the request unless it can be confirmed by the user"),
    r(Fetch, "fetch-308-keep", T::Keep308, FETCH, Must, false,
      "308: neither method nor body is changed (step 12 applies to 301, 302 and 303 only)"),
    r(Rfc9110, "rfc9110-308-keep", T::Keep308, "RFC 9110 §15.4.9", Must, false,
      "similar to 301 (Moved Permanently), except that it does not allow changing the request method from POST to GET"),
    r(Rfc2616, "rfc2616-308-unknown", T::Keep308, "RFC 2616 §10.3", May, false,
      "308 did not exist (RFC 7538): an unknown code, treated as 300"),
    r(Fetch, "fetch-confirm", T::NeedsConfirmation, FETCH, Must, false,
      "Fetch asks no confirmation (not reached by the Fetch profile)"),
    r(Rfc9110, "rfc9110-confirm", T::NeedsConfirmation, "RFC 9110 §15.4", May, false,
      "RFC 9110 dropped the confirmation requirement (not reached by the RFC 9110 profile)"),
    r(Rfc2616, "rfc2616-confirm", T::NeedsConfirmation, "RFC 2616 §10.3.2, §10.3.3, §10.3.8", Must, false,
      "the user agent MUST NOT automatically redirect the request unless it can be confirmed by the user"),
    // The URL.
    r(Fetch, "fetch-resolve", T::Resolve, "Fetch HTTP fetch (location URL); WHATWG URL parser", Must, false,
      "locationURL is the Location value parsed with the response's URL as base"),
    r(Rfc9110, "rfc9110-resolve", T::Resolve, "RFC 9110 §10.2.2; RFC 3986 §5.2", Must, false,
      "if the Location value is a relative reference, the final value is computed by resolving it \
       against the target URI (RFC 3986 §5)"),
    r(Rfc2616, "rfc2616-absolute", T::Resolve, "RFC 2616 §14.30", Must, false,
      "Location = \"Location\" \":\" absoluteURI"),
    r(Fetch, "fetch-fragment", T::Fragment, FETCH, Must, false,
      "if locationURL's fragment is null, set it to request's current URL's fragment"),
    r(Rfc9110, "rfc9110-fragment", T::Fragment, "RFC 9110 §10.2.2", Must, false,
      "a user agent MUST process the redirection as if the value inherits the fragment component"),
    r(Rfc2616, "rfc2616-fragment", T::Fragment, "RFC 2616 §14.30", May, false,
      "RFC 2616 says nothing of fragments in Location (inheritance arrived with RFC 7231 §7.1.2)"),
    // Header fields.
    r(Fetch, "fetch-body-headers", T::ContentHeaders, "Fetch HTTP-redirect fetch step 12", Must, false,
      "for each headerName of request-body-header name, delete headerName from request's header list"),
    r(Rfc9110, "rfc9110-content-headers", T::ContentHeaders, "RFC 9110 §15.4 step 5", Should, false,
      "if the request method has been changed to GET or HEAD, remove content-specific header fields"),
    r(Rfc2616, "rfc2616-entity-headers", T::ContentHeaders, "RFC 2616 §7.1", May, false,
      "no rule: entity-headers describe a body that is no longer sent"),
    r(Fetch, "fetch-framing", T::Framing, "RFC 9110 §8.6", Should, false,
      "a user agent SHOULD NOT send a Content-Length header field when the request message does not contain content"),
    r(Rfc9110, "rfc9110-framing", T::Framing, "RFC 9110 §8.6", Should, false,
      "a user agent SHOULD NOT send a Content-Length header field when the request message does not contain content"),
    r(Rfc2616, "rfc2616-framing", T::Framing, "RFC 2616 §4.4", Should, false,
      "Content-Length describes the message body"),
    r(Fetch, "fetch-authorization", T::AuthorizationCrossOrigin, "Fetch HTTP-redirect fetch step 13", Must, true,
      "if request's current URL's origin is not same origin with locationURL's origin, then for each \
       headerName of CORS non-wildcard request-header name, delete headerName from request's header list"),
    r(Rfc9110, "rfc9110-authorization", T::AuthorizationCrossOrigin, "RFC 9110 §15.4 steps 2-3", Should, true,
      "remove ... resource-specific header fields, including (but not limited to) Referer, Origin, \
       Authorization, and Cookie; consider removing caller-set ones where there are security implications"),
    r(Rfc2616, "rfc2616-authorization", T::AuthorizationCrossOrigin, "RFC 9110 §15.4 steps 2-3 (RFC 2616 is silent)", Should, true,
      "the modern rule is applied: credentials are not sent to another origin"),
    r(Fetch, "fetch-cookie", T::CookieCrossOrigin, "RFC 9110 §15.4 steps 2-3; undici (CVE-2022-31151)", Should, true,
      "Cookie is a forbidden header in browsers; non-browser Fetch implementations remove a caller-set \
       one across origins (not a Fetch step, so the RFC 9110 level applies)"),
    r(Rfc9110, "rfc9110-cookie", T::CookieCrossOrigin, "RFC 9110 §15.4 steps 2-3", Should, true,
      "remove ... resource-specific header fields, including (but not limited to) Referer, Origin, \
       Authorization, and Cookie"),
    r(Rfc2616, "rfc2616-cookie", T::CookieCrossOrigin, "RFC 9110 §15.4 steps 2-3 (RFC 2616 is silent)", Should, true,
      "the modern rule is applied: credentials are not sent to another origin"),
    r(Fetch, "fetch-proxy-authorization", T::ProxyAuthorizationCrossOrigin, "RFC 9110 §15.4 step 2; undici (CVE-2024-24758)", Should, true,
      "header fields specific to the client's proxy configuration, including (but not limited to) \
       Proxy-Authorization (a forbidden header in browsers; not a Fetch step)"),
    r(Rfc9110, "rfc9110-proxy-authorization", T::ProxyAuthorizationCrossOrigin, "RFC 9110 §15.4 step 2", Should, true,
      "header fields specific to the client's proxy configuration, including (but not limited to) Proxy-Authorization"),
    r(Rfc2616, "rfc2616-proxy-authorization", T::ProxyAuthorizationCrossOrigin, "RFC 9110 §15.4 step 2 (RFC 2616 is silent)", Should, true,
      "the modern rule is applied"),
    r(Fetch, "fetch-other-credential", T::OtherCredentialCrossOrigin, "RFC 9110 §15.4 step 3", Should, true,
      "consider removing header fields ... where there are security implications"),
    r(Rfc9110, "rfc9110-other-credential", T::OtherCredentialCrossOrigin, "RFC 9110 §15.4 step 3", Should, true,
      "consider removing header fields ... where there are security implications"),
    r(Rfc2616, "rfc2616-other-credential", T::OtherCredentialCrossOrigin, "RFC 9110 §15.4 step 3", Should, true,
      "consider removing header fields ... where there are security implications"),
    r(Fetch, "fetch-header-kept", T::HeaderKept, FETCH, Must, false,
      "request's header list is kept except for the deletions of steps 12-13"),
    r(Rfc9110, "rfc9110-header-kept", T::HeaderKept, "RFC 9110 §15.4", Should, false,
      "the user agent SHOULD resend the original request message with the following modifications"),
    r(Rfc2616, "rfc2616-header-kept", T::HeaderKept, "RFC 2616 §10.3", May, false,
      "no rule on header fields of a redirected request"),
    r(Fetch, "fetch-credential-kept", T::CredentialKept, "Fetch HTTP-redirect fetch step 13", Must, false,
      "only a cross-origin hop deletes Authorization: on a same-origin hop it is sent again"),
    r(Rfc9110, "rfc9110-credential-kept", T::CredentialKept, "RFC 9110 §15.4 step 3", May, false,
      "consider removing header fields that were not automatically generated ... where there are \
       security implications (no origin condition: removing a credential on any hop is allowed)"),
    r(Rfc2616, "rfc2616-credential-kept", T::CredentialKept, "RFC 2616 §10.3", May, false,
      "no rule on header fields of a redirected request"),
    // Ends of a chain.
    r(Fetch, "fetch-20-redirects", T::HopLimit, FETCH, Must, false,
      "if request's redirect count is 20, then return a network error"),
    r(Rfc9110, "rfc9110-no-fixed-limit", T::HopLimit, "RFC 9110 §15.4", May, false,
      "no number is set; an earlier version recommended five: some clients might implement such a fixed limitation"),
    r(Rfc2616, "rfc2616-five", T::HopLimit, "RFC 2616 §10.3", May, false,
      "previous versions of this specification recommended a maximum of five redirections"),
    r(Fetch, "fetch-location-failure", T::InvalidLocation, FETCH, Must, false,
      "if locationURL is failure, then return a network error (several Location values are a failure)"),
    r(Rfc9110, "rfc9110-uri-reference", T::InvalidLocation, "RFC 9110 §10.2.2; RFC 3986 §4.1", Should, false,
      "Location = URI-reference; a value outside the grammar identifies no target (no keyword; graded SHOULD)"),
    r(Rfc2616, "rfc2616-absolute-uri", T::InvalidLocation, "RFC 2616 §14.30", Should, false,
      "Location = absoluteURI; anything else identifies no target (no keyword; graded SHOULD)"),
    r(Fetch, "fetch-http-scheme", T::SchemeNotAllowed, FETCH, Must, true,
      "if locationURL's scheme is not an HTTP(S) scheme, then return a network error"),
    r(Rfc9110, "rfc9110-http-scheme", T::SchemeNotAllowed, "RFC 9110 §17.1; curl CVE-2009-0037", Should, true,
      "a redirect must not reach a local file or another protocol on the user's behalf (no keyword in \
       §15.4; graded SHOULD with the security mark)"),
    r(Rfc2616, "rfc2616-http-scheme", T::SchemeNotAllowed, "RFC 2616 §15; curl CVE-2009-0037", Should, true,
      "as RFC 9110: no automatic redirect to another scheme"),
    r(Fetch, "fetch-downgrade", T::Downgrade, FETCH, May, true,
      "Fetch's redirect steps say nothing of https to http (mixed content aside)"),
    r(Rfc9110, "rfc9110-downgrade", T::Downgrade, "RFC 9110 §17", May, true,
      "no keyword; a downgrade exposes the request to the network"),
    r(Rfc2616, "rfc2616-downgrade", T::Downgrade, "RFC 2616 §15", May, true,
      "no keyword"),
    r(Fetch, "fetch-body-replay", T::BodyNotReplayable, "Fetch HTTP-redirect fetch step 11", Must, false,
      "if status is not 303, request's body is non-null, and request's body's source is null, then return a network error"),
    r(Rfc9110, "rfc9110-body-replay", T::BodyNotReplayable, "RFC 9110 §15.4", Must, false,
      "resend the original request: a body that cannot be sent again cannot be resent"),
    r(Rfc2616, "rfc2616-body-replay", T::BodyNotReplayable, "RFC 2616 §10.3", Must, false,
      "a body that cannot be sent again cannot be resent"),
    r(Fetch, "fetch-no-loop-check", T::Loop, FETCH, May, false,
      "Fetch has the redirect count only"),
    r(Rfc9110, "rfc9110-cycles", T::Loop, "RFC 9110 §15.4", Should, false,
      "a client SHOULD detect and intervene in cyclical redirections (i.e., \"infinite\" redirection loops)"),
    r(Rfc2616, "rfc2616-loops", T::Loop, "RFC 2616 §10.3", Should, false,
      "a client SHOULD detect infinite redirection loops"),
    // The second request (a remembered redirect): RFC 9111 under every reading.
    r(Any, "rfc9111-optional", T::MemoryChoice, "RFC 9111 §1, §4.2", May, false,
      "although caching is an entirely OPTIONAL feature of HTTP, ... a fresh response can be used \
       to satisfy subsequent requests without contacting the origin server: reuse or ask again"),
    r(Any, "rfc9111-store", T::MemoryNotStorable, "RFC 9111 §3, §5.2.2.5", Must, false,
      "a cache MUST NOT store a response to a request unless ... the no-store cache directive is \
       not present ... and the response contains ... an Expires header field, a max-age response \
       directive, ... or a status code that is defined as heuristically cacheable (a 302 or 307 \
       is not); Vary: * always fails to match (§4.1)"),
    r(Any, "rfc9111-stale", T::MemoryStale, "RFC 9111 §4.2.4", Must, false,
      "a cache MUST NOT generate a stale response unless it is disconnected or doing so is \
       explicitly permitted by the client or origin server"),
    r(Any, "rfc9111-no-cache", T::MemoryMustValidate, "RFC 9111 §5.2.2.4", Must, false,
      "the no-cache response directive ... indicates that the response MUST NOT be used to \
       satisfy any other request without forwarding it for validation and receiving a successful response"),
    r(Any, "rfc9111-vary", T::MemoryVary, "RFC 9111 §4, §4.1", Must, false,
      "a cache MUST NOT reuse a stored response unless ... the request header fields nominated \
       by the stored response (if any) match those presented"),
    r(Any, "rfc9111-method", T::MemoryMethod, "RFC 9111 §4", Must, false,
      "a cache MUST NOT reuse a stored response unless ... the request method associated with the \
       stored response allows it to be used for the presented request"),
    r(Any, "rfc9111-request-directives", T::MemoryRequestDirective, "RFC 9111 §5.2.1", May, false,
      "cache request directives ... are advisory; caches MAY implement them, but are not required to"),
    r(Any, "rfc9111-no-hop-limit", T::MemoryHopLimit, "RFC 9111 §4", May, false,
      "no number of remembered hops is set; the model stops recalling after its own limit"),
    r(Any, "rfc9111-target", T::MemoryTarget, "RFC 9111 §4", Must, false,
      "a cache MUST NOT reuse a stored response unless the presented target URI and that of the \
       stored response match"),
    r(Any, "rfc9111-round", T::MemoryRoundMissing, "RFC 9111 §5.2.2.5", Must, false,
      "the final response carries no-store: a cache MUST NOT store any part of ... the response, \
       so each time the client is asked a request reaches the server (a round that did not either \
       answered from a no-store response or failed; graded MUST)"),
    r(Fetch, "fetch-liveness", T::Liveness, "RFC 9112 §2-§3; RFC 9110 §15.4", Must, false,
      "a request is a well-formed message, and a redirect chain ends (limit or cycle detection)"),
    r(Rfc9110, "rfc9110-liveness", T::Liveness, "RFC 9112 §2-§3; RFC 9110 §15.4", Must, false,
      "a request is a well-formed message, and a redirect chain ends (limit or cycle detection)"),
    r(Rfc2616, "rfc2616-liveness", T::Liveness, "RFC 2616 §4-§5, §10.3", Must, false,
      "a request is a well-formed message, and a redirect chain ends"),
];

/// Every rule of the table (for documentation and reports).
pub fn all() -> impl Iterator<Item = &'static Rule> {
    TABLE.iter().map(|(_, rule)| rule)
}

/// The rule for `topic` under `profile` (`None`: a custom policy, graded as RFC 9110).
pub fn rule(profile: Option<Profile>, topic: Topic) -> &'static Rule {
    let reading = Reading::of(profile);
    TABLE
        .iter()
        .find(|(rd, rule)| (*rd == reading || *rd == Any) && rule.topic == topic)
        .map(|(_, rule)| rule)
        // The table is complete (`every_topic_has_one_rule_per_reading`); the liveness
        // entry of RFC 9110 stands in rather than a panic.
        .unwrap_or(&TABLE[TABLE.len() - 2].1)
}

/// The rule a given refusal comes from.
pub fn refusal_topic(r: &Refusal) -> Topic {
    match r {
        Refusal::TooManyRedirects { .. } => Topic::HopLimit,
        Refusal::InvalidLocation(_) => Topic::InvalidLocation,
        Refusal::SchemeNotAllowed { .. } => Topic::SchemeNotAllowed,
        Refusal::Downgrade => Topic::Downgrade,
        Refusal::BodyNotReplayable => Topic::BodyNotReplayable,
        Refusal::NeedsConfirmation { .. } => Topic::NeedsConfirmation,
        Refusal::RedirectLoop { .. } => Topic::Loop,
        _ => Topic::Liveness,
    }
}

/// The topic of a refusal by its kebab-case reason (`scheme-not-allowed`, …).
pub fn reason_topic(reason: &str) -> Topic {
    match reason {
        "too-many-redirects" => Topic::HopLimit,
        "invalid-location" => Topic::InvalidLocation,
        "scheme-not-allowed" => Topic::SchemeNotAllowed,
        "downgrade" => Topic::Downgrade,
        "body-not-replayable" => Topic::BodyNotReplayable,
        "needs-confirmation" => Topic::NeedsConfirmation,
        "redirect-loop" => Topic::Loop,
        "no-location" => Topic::NoLocation,
        _ => Topic::Liveness,
    }
}

/// The topic of a second request that went where the model's recall of remembered redirects
/// does not allow, by the kebab-case reason the recall stopped (`stale`, `not-remembered`, …,
/// as `RecallStop::as_str` writes it).
pub fn recall_stop_topic(stop: &str) -> Topic {
    match stop {
        "not-remembered" => Topic::MemoryNotStorable,
        "stale" => Topic::MemoryStale,
        "must-validate" => Topic::MemoryMustValidate,
        "vary-mismatch" => Topic::MemoryVary,
        "request-bypass" => Topic::MemoryRequestDirective,
        "method-not-cacheable" => Topic::MemoryMethod,
        "hop-limit" => Topic::MemoryHopLimit,
        _ => Topic::MemoryTarget,
    }
}

/// The topic of the method (and body) of a followed redirect: `status` answered `method`.
pub fn method_topic(status: StatusCode, method: &Method) -> Topic {
    match status.as_u16() {
        301 | 302 if method == Method::POST => Topic::PostOn301Or302,
        303 => Topic::SeeOther,
        307 => Topic::Keep307,
        308 => Topic::Keep308,
        _ => Topic::ResendAsIs,
    }
}

/// The topic of following (or not) a response with `status`.
pub fn status_topic(status: StatusCode) -> Topic {
    match status.as_u16() {
        301 | 302 | 303 | 307 | 308 => Topic::FollowRedirect,
        304 => Topic::NotModified,
        300..=399 => Topic::OtherRedirect,
        _ => Topic::NotARedirect,
    }
}

/// The topic of the end of a chain: what the model did with the last response.
pub fn end_topic(status: StatusCode, step: &Step<'_>) -> Topic {
    match step {
        Step::Follow(_) => status_topic(status),
        Step::Deliver(DeliverReason::NoLocation) => Topic::NoLocation,
        Step::Deliver(_) => status_topic(status),
        Step::Refuse(r) => refusal_topic(r),
    }
}

/// The topic of header field `name` on a followed hop: `model_keeps` whether the model's next
/// request carries it.
pub fn header_topic(policy: &Policy, name: &HeaderName, model_keeps: bool) -> Topic {
    if model_keeps {
        let credential = name == http::header::AUTHORIZATION
            || name == http::header::COOKIE
            || name == http::header::PROXY_AUTHORIZATION
            || policy.cross_origin_headers.contains(name);
        return if credential {
            Topic::CredentialKept
        } else {
            Topic::HeaderKept
        };
    }
    if name == http::header::CONTENT_LENGTH || name == http::header::TRANSFER_ENCODING {
        if policy.method_change_headers.contains(name) {
            return Topic::ContentHeaders;
        }
        return Topic::Framing;
    }
    if policy.method_change_headers.contains(name) && !policy.cross_origin_headers.contains(name) {
        return Topic::ContentHeaders;
    }
    if name == http::header::AUTHORIZATION {
        Topic::AuthorizationCrossOrigin
    } else if name == http::header::COOKIE {
        Topic::CookieCrossOrigin
    } else if name == http::header::PROXY_AUTHORIZATION {
        Topic::ProxyAuthorizationCrossOrigin
    } else {
        Topic::OtherCredentialCrossOrigin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPICS: &[Topic] = &[
        T::FollowRedirect,
        T::OtherRedirect,
        T::NotModified,
        T::NoLocation,
        T::NotARedirect,
        T::PostOn301Or302,
        T::SeeOther,
        T::ResendAsIs,
        T::Keep307,
        T::Keep308,
        T::NeedsConfirmation,
        T::Resolve,
        T::Fragment,
        T::ContentHeaders,
        T::Framing,
        T::AuthorizationCrossOrigin,
        T::CookieCrossOrigin,
        T::ProxyAuthorizationCrossOrigin,
        T::OtherCredentialCrossOrigin,
        T::HeaderKept,
        T::CredentialKept,
        T::HopLimit,
        T::InvalidLocation,
        T::SchemeNotAllowed,
        T::Downgrade,
        T::BodyNotReplayable,
        T::Loop,
        T::Liveness,
        T::MemoryChoice,
        T::MemoryNotStorable,
        T::MemoryStale,
        T::MemoryMustValidate,
        T::MemoryVary,
        T::MemoryMethod,
        T::MemoryRequestDirective,
        T::MemoryHopLimit,
        T::MemoryTarget,
        T::MemoryRoundMissing,
    ];

    #[test]
    fn every_topic_has_one_rule_per_reading() {
        let mut entries = 0;
        for t in TOPICS {
            let any = TABLE
                .iter()
                .filter(|(x, r)| *x == Any && r.topic == *t)
                .count();
            assert!(any <= 1, "{t:?}: more than one rule for every reading");
            for rd in [Fetch, Rfc9110, Rfc2616] {
                let n = TABLE
                    .iter()
                    .filter(|(x, r)| *x == rd && r.topic == *t)
                    .count();
                assert_eq!(n + any, 1, "{t:?} under {rd:?}");
            }
            entries += if any == 1 { 1 } else { 3 };
        }
        assert_eq!(
            TABLE.len(),
            entries,
            "every entry's topic is listed in TOPICS"
        );
        // `rule`'s fallback is RFC 9110's liveness entry.
        assert_eq!(TABLE[TABLE.len() - 2].1.id, "rfc9110-liveness");
        let mut ids: Vec<&str> = all().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TABLE.len(), "ids are unique");
    }

    #[test]
    fn levels_match_the_spec_sentences() {
        // RFC 9110 §15.4.2: "a user agent MAY change the request method from POST to GET".
        assert_eq!(rule(Some(Profile::Rfc9110), T::PostOn301Or302).level, May);
        // §15.4.8: "MUST NOT change the request method".
        assert_eq!(rule(Some(Profile::Rfc9110), T::Keep307).level, Must);
        // Fetch step 13 is a step of the algorithm, and it protects a credential.
        let a = rule(Some(Profile::Fetch), T::AuthorizationCrossOrigin);
        assert_eq!((a.level, a.security), (Must, true));
        assert_eq!(rule(None, T::Loop).id, "rfc9110-cycles");
        assert_eq!(
            rule(Some(Profile::Fetch), T::SchemeNotAllowed).grade(),
            "MUST security"
        );
        // RFC 9111 is the same under every reading; a MAY choice is never a failure.
        for p in [None, Some(Profile::Fetch), Some(Profile::Rfc2616)] {
            assert_eq!(rule(p, recall_stop_topic("stale")).id, "rfc9111-stale");
            assert_eq!(rule(p, T::MemoryChoice).level, May);
        }
        assert_eq!(
            rule(None, recall_stop_topic("not-remembered")).grade(),
            "MUST"
        );
        assert_eq!(rule(None, recall_stop_topic("request-bypass")).level, May);
        assert_eq!(
            rule(None, recall_stop_topic("no-such-stop")).id,
            "rfc9111-target"
        );
        // No MAY rule says "MUST" or "SHOULD" in its sentence without explaining the grade.
        for r in all().filter(|r| r.level == May) {
            assert!(!r.says.contains("MUST "), "{}", r.id);
        }
    }
}
