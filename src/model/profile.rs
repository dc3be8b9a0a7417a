//! Profiles and the policy knobs they are made of.
//!
//! A [`Policy`] is data: every knob is one field with a doc line naming its
//! source. The three [`Profile`]s are three constructors of that data; users
//! build their own by changing fields of one of them.
//!
//! Fetch is a living standard: the Fetch profile follows "HTTP-redirect fetch"
//! (<https://fetch.spec.whatwg.org/#http-redirect-fetch>) as read on
//! 2026-11-25.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use http::header::{
    HeaderName, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LANGUAGE, CONTENT_LENGTH,
    CONTENT_LOCATION, CONTENT_TYPE, COOKIE, LAST_MODIFIED, PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};

use super::location::LocationMode;

/// How the method changes when a redirect is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rewrite {
    /// The method (and body) are kept (RFC 9110 §15.4.8, §15.4.9).
    Keep,
    /// POST becomes GET, body dropped; every other method is kept with its
    /// body (Fetch: "internalResponse's status is 301 or 302 and request's
    /// method is `POST`"; RFC 9110 §15.4.2/§15.4.3 "for historical reasons").
    PostToGet,
    /// Every method but GET and HEAD becomes GET, body dropped (Fetch:
    /// "status is 303 and request's method is not `GET` or `HEAD`";
    /// RFC 9110 §15.4.4).
    ToGetUnlessGetOrHead,
}

/// What a profile does with one status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectRule {
    /// Not followed: the response goes to the caller.
    Deliver,
    /// Followed, with this method rule.
    Follow(Rewrite),
    /// Followed for GET and HEAD with the method kept; any other method is
    /// refused until a user confirms (RFC 2616 §10.3.2: "the user agent MUST
    /// NOT automatically redirect the request unless it can be confirmed by
    /// the user").
    ConfirmUnlessGetOrHead,
}

/// The rule for each status that may redirect. 304, 305 and 306 are never
/// followed (see [`StatusClass`](super::StatusClass)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StatusRules {
    /// 300 Multiple Choices.
    pub multiple_choices: RedirectRule,
    /// 301 Moved Permanently.
    pub moved_permanently: RedirectRule,
    /// 302 Found.
    pub found: RedirectRule,
    /// 303 See Other.
    pub see_other: RedirectRule,
    /// 307 Temporary Redirect.
    pub temporary_redirect: RedirectRule,
    /// 308 Permanent Redirect.
    pub permanent_redirect: RedirectRule,
    /// Unknown 3xx codes (309-399).
    pub unknown: RedirectRule,
}

impl StatusRules {
    /// Sets the rule for 300 Multiple Choices.
    #[must_use]
    pub fn with_multiple_choices(mut self, rule: RedirectRule) -> Self {
        self.multiple_choices = rule;
        self
    }

    /// Sets the rule for 301 Moved Permanently.
    #[must_use]
    pub fn with_moved_permanently(mut self, rule: RedirectRule) -> Self {
        self.moved_permanently = rule;
        self
    }

    /// Sets the rule for 302 Found.
    #[must_use]
    pub fn with_found(mut self, rule: RedirectRule) -> Self {
        self.found = rule;
        self
    }

    /// Sets the rule for 303 See Other.
    #[must_use]
    pub fn with_see_other(mut self, rule: RedirectRule) -> Self {
        self.see_other = rule;
        self
    }

    /// Sets the rule for 307 Temporary Redirect.
    #[must_use]
    pub fn with_temporary_redirect(mut self, rule: RedirectRule) -> Self {
        self.temporary_redirect = rule;
        self
    }

    /// Sets the rule for 308 Permanent Redirect.
    #[must_use]
    pub fn with_permanent_redirect(mut self, rule: RedirectRule) -> Self {
        self.permanent_redirect = rule;
        self
    }

    /// Sets the rule for unknown 3xx codes (309-399).
    #[must_use]
    pub fn with_unknown(mut self, rule: RedirectRule) -> Self {
        self.unknown = rule;
        self
    }
}

/// What makes a hop "cross" for credential removal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Boundary {
    /// A different origin: scheme, host or port (Fetch, RFC 6454).
    Origin,
    /// A different host; scheme and port changes do not count.
    Host,
    /// Every redirect.
    EveryHop,
    /// Never: credentials always follow (unsafe; for modelling clients).
    Never,
}

/// Which URL a hop is compared with to decide whether it crosses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompareWith {
    /// The URL of the request that got the redirect (Fetch: "request's
    /// current URL's origin is not same origin with locationURL's origin").
    PreviousHop,
    /// The URL of the first request of the chain.
    FirstRequest,
}

/// What to do with https -> http.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Downgrade {
    /// Follow it (no profile forbids it).
    Allow,
    /// Refuse it with [`Refusal::Downgrade`](super::Refusal::Downgrade).
    Refuse,
}

/// What to do with more than one Location field line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MultipleLocations {
    /// Refuse (Fetch: "If the ABNF for name allows a single header and list
    /// contains more than one, then return failure"; RFC 9110 §5.3: the lines
    /// combined, `a, b`, are not a URI-reference).
    Refuse,
    /// Use the first line.
    First,
    /// Use the first line when every line is byte-identical, else refuse.
    FirstIfIdentical,
}

/// When a streamed (non-replayable) body is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamBody {
    /// Fetch's order: before the method change, for every status but 303
    /// ("If internalResponse's status is not 303, request's body is non-null,
    /// and request's body's source is null, then return a network error"),
    /// and again if the body is kept.
    RefuseUnless303,
    /// Only when the body would have to be sent again.
    RefuseIfKept,
}

/// Every knob of the model. Profiles are constructors ([`Profile::policy`]); a custom policy
/// starts from one and changes knobs with the `with_*` setters, so a knob added later breaks
/// no caller (the type is `#[non_exhaustive]`: no struct literals outside this crate). The
/// fields stay readable (and assignable) for callers that inspect a policy.
///
/// # Examples
/// ```
/// use redirspec::model::{Downgrade, Profile};
/// let strict = Profile::Fetch.policy().with_downgrade(Downgrade::Refuse).with_max_redirects(10);
/// assert_eq!(strict.max_redirects, 10);
/// assert_eq!(strict.downgrade, Downgrade::Refuse);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// The rule per status.
    pub statuses: StatusRules,
    /// Redirects followed before the next one is refused (Fetch: 20).
    pub max_redirects: u32,
    /// Refuse a request already sent in this chain: the same method and an
    /// equivalent URL (RFC 9110 §4.2.3: case of scheme and host, escapes,
    /// default port and empty path normalised; fragment ignored). RFC 9110
    /// §15.4: "A client SHOULD detect and intervene in cyclical redirections".
    pub loop_detection: bool,
    /// How many repeats loop detection lets through in one chain when the
    /// redirect response set a cookie (a `Set-Cookie` field): the request
    /// is then not the same as before, so the repeat is not yet a cycle
    /// (the cookie-check redirect: `302` to the same URL with
    /// `Set-Cookie`). A repeat whose response set nothing, or one past this
    /// count, is a cycle. Default 1; 0 counts every repeat as a cycle.
    pub repeats_after_set_cookie: u32,
    /// Headers removed when the method changes to GET.
    pub method_change_headers: Cow<'static, [HeaderName]>,
    /// Headers removed with the body when the method changes to GET: the
    /// message framing of the body that is gone (RFC 9110 §8.6: "A user
    /// agent SHOULD NOT send a Content-Length header field when the request
    /// message does not contain content and the method semantics do not
    /// anticipate such data"; every profile: Content-Length and
    /// Transfer-Encoding). Reported as [`Removal::Framing`](super::Removal::Framing).
    pub framing_headers: Cow<'static, [HeaderName]>,
    /// Headers removed on a hop that crosses the [`Boundary`].
    pub cross_origin_headers: Cow<'static, [HeaderName]>,
    /// What counts as crossing.
    pub boundary: Boundary,
    /// What a hop is compared with.
    pub compare_with: CompareWith,
    /// Schemes a Location may lead to, lower-case (default: http, https).
    pub allowed_schemes: Cow<'static, [Cow<'static, str>]>,
    /// https -> http.
    pub downgrade: Downgrade,
    /// Which parser reads Location.
    pub location_mode: LocationMode,
    /// Whether a relative reference is accepted (RFC 2616 §14.30 wanted an
    /// absoluteURI; RFC 7231 §7.1.2 allowed references).
    pub relative_location: bool,
    /// More than one Location field line.
    pub multiple_locations: MultipleLocations,
    /// A Location without a fragment inherits the current one (RFC 9110
    /// §10.2.2; Fetch "location URL" step 4).
    pub inherit_fragment: bool,
    /// Refuse userinfo in a Location (RFC 9110 §4.2.4: "treat its presence
    /// as an error").
    pub refuse_userinfo: bool,
    /// When a streamed body is refused.
    pub stream_body: StreamBody,
    /// Longest Location value accepted, in bytes ([`NO_LOCATION_CAP`]: no
    /// cap of the model's own).
    pub max_location_len: usize,
}

impl Policy {
    /// The browser reading of Fetch's credential rule: only `Authorization`
    /// is removed when the origin changes ([`FETCH_BROWSER_CREDENTIALS`]).
    /// In a browser `Cookie` and `Proxy-Authorization` are forbidden request
    /// headers (Fetch, "forbidden request-header"): a script cannot set them,
    /// and the cookie jar and the proxy set them per hop. The Fetch profile's
    /// default is the non-browser reading ([`FETCH_CALLER_CREDENTIALS`]).
    ///
    /// # Examples
    /// ```
    /// use redirspec::model::Profile;
    /// let browser = Profile::Fetch.policy().browser_credentials();
    /// assert_eq!(browser.cross_origin_headers.len(), 1);
    /// ```
    #[must_use]
    pub fn browser_credentials(mut self) -> Self {
        self.cross_origin_headers = Cow::Borrowed(FETCH_BROWSER_CREDENTIALS);
        self
    }

    /// Sets [`repeats_after_set_cookie`](Policy::repeats_after_set_cookie).
    #[must_use]
    pub fn with_repeats_after_set_cookie(mut self, repeats: u32) -> Self {
        self.repeats_after_set_cookie = repeats;
        self
    }

    /// Sets [`method_change_headers`](Policy::method_change_headers): the headers removed when
    /// the method changes to GET (a `&'static` table or a `Vec`).
    #[must_use]
    pub fn with_method_change_headers(
        mut self,
        headers: impl Into<Cow<'static, [HeaderName]>>,
    ) -> Self {
        self.method_change_headers = headers.into();
        self
    }

    /// Sets [`framing_headers`](Policy::framing_headers): the headers removed with the body
    /// when the method changes to GET (a `&'static` table or a `Vec`).
    #[must_use]
    pub fn with_framing_headers(mut self, headers: impl Into<Cow<'static, [HeaderName]>>) -> Self {
        self.framing_headers = headers.into();
        self
    }

    /// Sets [`cross_origin_headers`](Policy::cross_origin_headers): the headers removed on a
    /// hop that crosses the [`Boundary`] (a `&'static` table or a `Vec`).
    #[must_use]
    pub fn with_cross_origin_headers(
        mut self,
        headers: impl Into<Cow<'static, [HeaderName]>>,
    ) -> Self {
        self.cross_origin_headers = headers.into();
        self
    }

    /// Sets [`allowed_schemes`](Policy::allowed_schemes): the schemes a Location may lead to
    /// (compared case-insensitively; stored lower-case).
    #[must_use]
    pub fn with_allowed_schemes<S: Into<Cow<'static, str>>>(
        mut self,
        schemes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_schemes = schemes
            .into_iter()
            .map(|s| {
                let s: Cow<'static, str> = s.into();
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(s.to_ascii_lowercase())
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .into();
        self
    }

    /// Sets [`statuses`](Policy::statuses): the rule per status ([`StatusRules`], itself built with its own `with_*` setters).
    #[must_use]
    pub fn with_statuses(mut self, value: StatusRules) -> Self {
        self.statuses = value;
        self
    }

    /// Sets [`max_redirects`](Policy::max_redirects): how many redirects are followed before the next one is refused.
    #[must_use]
    pub fn with_max_redirects(mut self, value: u32) -> Self {
        self.max_redirects = value;
        self
    }

    /// Sets [`loop_detection`](Policy::loop_detection): whether a repeat of an earlier request is refused as a loop.
    #[must_use]
    pub fn with_loop_detection(mut self, value: bool) -> Self {
        self.loop_detection = value;
        self
    }

    /// Sets [`boundary`](Policy::boundary): what makes a hop cross for credential removal.
    #[must_use]
    pub fn with_boundary(mut self, value: Boundary) -> Self {
        self.boundary = value;
        self
    }

    /// Sets [`compare_with`](Policy::compare_with): what a hop is compared with for credential removal.
    #[must_use]
    pub fn with_compare_with(mut self, value: CompareWith) -> Self {
        self.compare_with = value;
        self
    }

    /// Sets [`downgrade`](Policy::downgrade): what an https -> http hop does.
    #[must_use]
    pub fn with_downgrade(mut self, value: Downgrade) -> Self {
        self.downgrade = value;
        self
    }

    /// Sets [`location_mode`](Policy::location_mode): which parser reads Location.
    #[must_use]
    pub fn with_location_mode(mut self, value: LocationMode) -> Self {
        self.location_mode = value;
        self
    }

    /// Sets [`relative_location`](Policy::relative_location): whether a relative Location is accepted.
    #[must_use]
    pub fn with_relative_location(mut self, value: bool) -> Self {
        self.relative_location = value;
        self
    }

    /// Sets [`multiple_locations`](Policy::multiple_locations): what several Location field lines do.
    #[must_use]
    pub fn with_multiple_locations(mut self, value: MultipleLocations) -> Self {
        self.multiple_locations = value;
        self
    }

    /// Sets [`inherit_fragment`](Policy::inherit_fragment): whether a Location without a fragment inherits the current one.
    #[must_use]
    pub fn with_inherit_fragment(mut self, value: bool) -> Self {
        self.inherit_fragment = value;
        self
    }

    /// Sets [`refuse_userinfo`](Policy::refuse_userinfo): whether userinfo in a Location is refused.
    #[must_use]
    pub fn with_refuse_userinfo(mut self, value: bool) -> Self {
        self.refuse_userinfo = value;
        self
    }

    /// Sets [`stream_body`](Policy::stream_body): when a streamed body is refused.
    #[must_use]
    pub fn with_stream_body(mut self, value: StreamBody) -> Self {
        self.stream_body = value;
        self
    }

    /// Sets [`max_location_len`](Policy::max_location_len): the longest Location value accepted, in bytes.
    #[must_use]
    pub fn with_max_location_len(mut self, value: usize) -> Self {
        self.max_location_len = value;
        self
    }
}

/// Fetch's request-body-header names: "`Content-Encoding`,
/// `Content-Language`, `Content-Location`, `Content-Type`".
const FETCH_BODY_HEADERS: &[HeaderName] = &[
    CONTENT_ENCODING,
    CONTENT_LANGUAGE,
    CONTENT_LOCATION,
    CONTENT_TYPE,
];

/// RFC 9110 §15.4 step 5: "remove content-specific header fields, including
/// (but not limited to) Content-Encoding, Content-Language, Content-Location,
/// Content-Type, Content-Length, Digest, and Last-Modified".
/// (`Digest` has no constant in `http`; `HeaderName::from_static` is a
/// `const fn`, so the list is a static table and a policy made from it
/// allocates nothing, nor does its clone.)
static RFC9110_CONTENT_HEADERS: [HeaderName; 7] = [
    CONTENT_ENCODING,
    CONTENT_LANGUAGE,
    CONTENT_LOCATION,
    CONTENT_TYPE,
    CONTENT_LENGTH,
    HeaderName::from_static("digest"),
    LAST_MODIFIED,
];

/// The message framing of a request's content, removed with it (see
/// [`Policy::framing_headers`]): RFC 9110 §8.6 Content-Length, RFC 9112
/// §6.1 Transfer-Encoding.
pub const FRAMING_HEADERS: &[HeaderName] = &[CONTENT_LENGTH, TRANSFER_ENCODING];

/// RFC 2616 names no list; these are its entity-headers that describe a body
/// (§7.1), Content-MD5 (§14.15) included.
static RFC2616_ENTITY_HEADERS: [HeaderName; 6] = [
    CONTENT_ENCODING,
    CONTENT_LANGUAGE,
    CONTENT_LOCATION,
    CONTENT_TYPE,
    CONTENT_LENGTH,
    HeaderName::from_static("content-md5"),
];

/// The browser reading of Fetch's credential rule: "CORS non-wildcard
/// request-header name", which is `Authorization` alone (HTTP-redirect
/// fetch: "If request's current URL's origin is not same origin with
/// locationURL's origin, then for each headerName of CORS non-wildcard
/// request-header name, delete headerName from request's header list").
pub const FETCH_BROWSER_CREDENTIALS: &[HeaderName] = &[AUTHORIZATION];

/// The Fetch profile's default: the rule as non-browser Fetch
/// implementations ship it, where a caller may set `Cookie` and
/// `Proxy-Authorization` itself. undici (node's `fetch`) removes all three
/// when the origin changes since its fixes for CVE-2022-31151 (`Cookie`)
/// and CVE-2024-24758 (`Proxy-Authorization`); forwarding them to another
/// origin leaks the caller's credentials.
pub const FETCH_CALLER_CREDENTIALS: &[HeaderName] = &[AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION];

/// RFC 9110 §15.4 step 3: "Consider removing header fields that were not
/// automatically generated ... where there are security implications; this
/// includes but is not limited to Authorization and Cookie."; step 2: "Header
/// fields specific to the client's proxy configuration, including (but not
/// limited to) Proxy-Authorization".
const RFC9110_CREDENTIALS: &[HeaderName] = &[AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION];

const HTTP_SCHEMES: &[Cow<'static, str>] = &[Cow::Borrowed("http"), Cow::Borrowed("https")];

/// Location values longer than this are refused by the RFC 9110 and
/// RFC 2616 profiles (64 KiB; RFC 9110 §4.1 asks recipients to support at
/// least 8000 octets and lets them refuse longer URIs).
pub const DEFAULT_MAX_LOCATION_LEN: usize = 64 * 1024;

/// No cap of the model's own on a Location value: the Fetch profile's
/// setting, since the URL Standard sets no length limit (what bounds a
/// value is the response's header size, which the caller already holds).
pub const NO_LOCATION_CAP: usize = usize::MAX;

/// The three built-in readings of redirect semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// WHATWG Fetch, "HTTP-redirect fetch", with the WHATWG URL parser.
    Fetch,
    /// RFC 9110 §15.4 and §10.2.2, RFC 3986 strict parsing and resolution.
    Rfc9110,
    /// The legacy strict reading of RFC 2616 §10.3.
    Rfc2616,
}

impl Profile {
    /// Every profile, in a stable order.
    pub const ALL: [Profile; 3] = [Profile::Fetch, Profile::Rfc9110, Profile::Rfc2616];

    /// The CLI name: `fetch`, `rfc9110` or `rfc2616`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Fetch => "fetch",
            Profile::Rfc9110 => "rfc9110",
            Profile::Rfc2616 => "rfc2616",
        }
    }

    /// The policy this profile is made of.
    pub fn policy(self) -> Policy {
        match self {
            Profile::Fetch => fetch(),
            Profile::Rfc9110 => rfc9110(),
            Profile::Rfc2616 => rfc2616(),
        }
    }
}

fn fetch() -> Policy {
    let follow = RedirectRule::Follow;
    Policy {
        // Fetch: "A redirect status is a status that is 301, 302, 303, 307, or 308."
        statuses: StatusRules {
            multiple_choices: RedirectRule::Deliver,
            moved_permanently: follow(Rewrite::PostToGet),
            found: follow(Rewrite::PostToGet),
            see_other: follow(Rewrite::ToGetUnlessGetOrHead),
            temporary_redirect: follow(Rewrite::Keep),
            permanent_redirect: follow(Rewrite::Keep),
            unknown: RedirectRule::Deliver,
        },
        // Fetch: "If request's redirect count is 20, then return a network error."
        max_redirects: 20,
        // Fetch has the counter only.
        loop_detection: false,
        // (Used only when loop detection is on.)
        repeats_after_set_cookie: 1,
        method_change_headers: Cow::Borrowed(FETCH_BODY_HEADERS),
        // Fetch sets the body to null; the framing of the body goes with it.
        framing_headers: Cow::Borrowed(FRAMING_HEADERS),
        // Fetch step 13 (Authorization), plus Cookie and Proxy-Authorization
        // as non-browser implementations remove them (see
        // FETCH_CALLER_CREDENTIALS); `Policy::browser_credentials` for the
        // browser reading.
        cross_origin_headers: Cow::Borrowed(FETCH_CALLER_CREDENTIALS),
        boundary: Boundary::Origin,
        compare_with: CompareWith::PreviousHop,
        // Fetch: "If locationURL's scheme is not an HTTP(S) scheme, then return a network error."
        allowed_schemes: Cow::Borrowed(HTTP_SCHEMES),
        // Fetch's redirect steps say nothing of https -> http.
        downgrade: Downgrade::Allow,
        location_mode: LocationMode::Whatwg,
        relative_location: true,
        multiple_locations: MultipleLocations::Refuse,
        inherit_fragment: true,
        // Userinfo is refused only for CORS-mode requests (Fetch steps 8-9);
        // this profile models navigation and no-cors requests.
        refuse_userinfo: false,
        stream_body: StreamBody::RefuseUnless303,
        // The URL Standard sets no length limit.
        max_location_len: NO_LOCATION_CAP,
    }
}

fn rfc9110() -> Policy {
    Policy {
        // RFC 9110 §15.4: following an unknown 3xx is a MAY; the default delivers.
        // The POST -> GET change on 301/302 is a MAY too; the default does as Fetch.
        location_mode: LocationMode::Strict,
        // RFC 9110 sets no number; Fetch's 20 is used.
        max_redirects: 20,
        // RFC 9110 §15.4: "A client SHOULD detect and intervene in cyclical redirections".
        loop_detection: true,
        method_change_headers: Cow::Borrowed(&RFC9110_CONTENT_HEADERS),
        cross_origin_headers: Cow::Borrowed(RFC9110_CREDENTIALS),
        // RFC 9110 §5.3: a recipient may combine field lines; the combination
        // "a, b" is not a URI-reference, so several lines are an error.
        multiple_locations: MultipleLocations::Refuse,
        // RFC 9110 §4.2.4: "a recipient SHOULD parse for userinfo and treat
        // its presence as an error".
        refuse_userinfo: true,
        stream_body: StreamBody::RefuseIfKept,
        // RFC 9110 §4.1: recipients SHOULD support 8000 octets at least.
        max_location_len: DEFAULT_MAX_LOCATION_LEN,
        ..fetch()
    }
}

fn rfc2616() -> Policy {
    let confirm = RedirectRule::ConfirmUnlessGetOrHead;
    Policy {
        statuses: StatusRules {
            // §10.3.1: "the user agent MAY use the Location field value for
            // automatic redirection": not done by default.
            multiple_choices: RedirectRule::Deliver,
            // §10.3.2, §10.3.3, §10.3.8: "If the 30x status code is received in
            // response to a request other than GET or HEAD, the user agent MUST
            // NOT automatically redirect the request unless it can be confirmed
            // by the user".
            moved_permanently: confirm,
            found: confirm,
            // §10.3.4: "SHOULD be retrieved using a GET method"; HEAD stays HEAD,
            // being GET without a body (§9.4).
            see_other: RedirectRule::Follow(Rewrite::ToGetUnlessGetOrHead),
            temporary_redirect: confirm,
            // 308 (RFC 7538) did not exist: an unknown code, delivered.
            permanent_redirect: RedirectRule::Deliver,
            unknown: RedirectRule::Deliver,
        },
        // §10.3: "previous versions of this specification recommended a
        // maximum of five redirections".
        max_redirects: 5,
        // §10.3: "A client SHOULD detect infinite redirection loops".
        loop_detection: true,
        repeats_after_set_cookie: 1,
        method_change_headers: Cow::Borrowed(&RFC2616_ENTITY_HEADERS),
        // §4.3: "The presence of a message-body in a request is signaled by
        // the inclusion of a Content-Length or Transfer-Encoding header field
        // in the request's message-headers."
        framing_headers: Cow::Borrowed(FRAMING_HEADERS),
        // RFC 2616 is silent on credentials; the modern safe rule is kept.
        cross_origin_headers: Cow::Borrowed(RFC9110_CREDENTIALS),
        boundary: Boundary::Origin,
        compare_with: CompareWith::PreviousHop,
        allowed_schemes: Cow::Borrowed(HTTP_SCHEMES),
        downgrade: Downgrade::Allow,
        location_mode: LocationMode::Strict,
        // §14.30: "Location = "Location" ":" absoluteURI".
        relative_location: false,
        multiple_locations: MultipleLocations::Refuse,
        // RFC 2616 had no fragment inheritance (it arrived with RFC 7231 §7.1.2).
        inherit_fragment: false,
        // §3.2.2: http_URL = "http:" "//" host [ ":" port ] [ abs_path [ "?" query ]]
        refuse_userinfo: true,
        stream_body: StreamBody::RefuseIfKept,
        max_location_len: DEFAULT_MAX_LOCATION_LEN,
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A profile name that is not one of `fetch`, `rfc9110`, `rfc2616`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {0:?}: expected fetch, rfc9110 or rfc2616")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProfile(s.chars().take(64).collect()))
    }
}

#[cfg(test)]
mod tests;
