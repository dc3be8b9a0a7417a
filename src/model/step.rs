//! What one step of the machine returns: follow, deliver, or refuse.

use http::{HeaderMap, HeaderName, Method};

use super::body::{Body, BodyAction};
use super::location::LocationError;
use super::machine::RedirectMachine;

/// The outcome of [`RedirectMachine::step`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Step<'a> {
    /// Send the next request, described by the [`Hop`].
    Follow(Hop<'a>),
    /// Hand the response to the caller.
    Deliver(DeliverReason),
    /// Fail: the client must raise an error instead of following.
    Refuse(Refusal),
    /// The machine had already ended its chain (a delivery or a refusal):
    /// this response was not looked at. A misuse of the API, not something
    /// a server can cause; a new chain starts with
    /// [`RedirectMachine::reset`] or a new machine.
    Finished,
}

impl Step<'_> {
    /// `follow`, `deliver`, `refuse` or `finished`.
    pub fn action(&self) -> &'static str {
        match self {
            Step::Follow(_) => "follow",
            Step::Deliver(_) => "deliver",
            Step::Refuse(_) => "refuse",
            Step::Finished => "finished",
        }
    }
}

/// What reports and the command line's JSON say of [`Step::Finished`]
/// (reason `finished`, as when it was a refusal).
pub(crate) const FINISHED_DETAIL: &str = "the machine already finished";

/// The next request: a view into the machine, which has already moved to it.
#[derive(Clone, Copy)]
pub struct Hop<'a> {
    pub(crate) machine: &'a RedirectMachine,
}

impl<'a> Hop<'a> {
    /// The method of the next request.
    pub fn method(&self) -> &'a Method {
        self.machine.method()
    }
    /// The absolute URL of the next request (with its fragment, if any).
    pub fn url(&self) -> &'a str {
        self.machine.url()
    }
    /// The headers of the next request.
    pub fn headers(&self) -> &'a HeaderMap {
        self.machine.headers()
    }
    /// The body of the next request.
    pub fn body(&self) -> Body {
        self.machine.body()
    }
    /// What happened to the body.
    pub fn body_action(&self) -> BodyAction {
        self.machine.last_body_action()
    }
    /// The headers removed from the previous request, and why, in removal order.
    pub fn removed(&self) -> &'a [RemovedHeader] {
        self.machine.last_removed()
    }
    /// The names of the headers removed from the previous request, sorted
    /// (the order a case file and a report write them in, whatever the
    /// order of removal).
    ///
    /// # Examples
    /// ```
    /// use http::{HeaderMap, Method, StatusCode};
    /// use redirspec::{Body, Profile, RedirectMachine, Step};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", "a=1".parse()?);
    /// headers.insert("authorization", "Basic eDp5".parse()?);
    /// let mut m = RedirectMachine::new(
    ///     Method::GET,
    ///     "https://a.test/",
    ///     headers,
    ///     Body::None,
    ///     Profile::Fetch.policy(),
    /// )?;
    /// let Step::Follow(hop) = m.step_raw(StatusCode::FOUND, &[b"https://b.test/"]) else {
    ///     panic!("a 302 to another origin is followed");
    /// };
    /// assert_eq!(hop.removed_names(), ["authorization", "cookie"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn removed_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .removed()
            .iter()
            .map(|r| r.name.as_str().to_owned())
            .collect();
        names.sort();
        names
    }
    /// Redirects followed so far, this one included.
    pub fn redirect_count(&self) -> u32 {
        self.machine.redirect_count()
    }
}

impl std::fmt::Debug for Hop<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hop")
            .field("method", self.method())
            .field("url", &self.url())
            .field("body", &self.body_action())
            .field("removed", &self.removed())
            .finish()
    }
}

/// A header removed on a hop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedHeader {
    /// Its name.
    pub name: HeaderName,
    /// Why.
    pub why: Removal,
}

/// Why a header was removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Removal {
    /// The method changed to GET and the body was dropped: a header that
    /// described the body (the policy's `method_change_headers`).
    MethodChange,
    /// Message framing of the dropped body (Content-Length, Transfer-Encoding):
    /// always removed with the body.
    Framing,
    /// The hop crossed the policy's boundary: a credential.
    CrossOrigin,
}

/// Why a response is handed to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliverReason {
    /// The status is not one the policy follows.
    NotARedirect,
    /// A redirect status without a Location field (Fetch: "If locationURL is
    /// null, then return response").
    NoLocation,
}

impl DeliverReason {
    /// `not-a-redirect` or `no-location`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliverReason::NotARedirect => "not-a-redirect",
            DeliverReason::NoLocation => "no-location",
        }
    }
}

impl std::fmt::Display for DeliverReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a redirect must fail instead of being followed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The hop limit is reached (Fetch: "If request's redirect count is 20,
    /// then return a network error").
    #[error("the limit of {limit} redirects is reached: {limit} or more were already followed")]
    TooManyRedirects {
        /// The policy's limit.
        limit: u32,
    },
    /// The Location value cannot be used.
    #[error(transparent)]
    InvalidLocation(#[from] LocationError),
    /// The target's scheme is not allowed.
    #[error("scheme {scheme:?} is not allowed")]
    SchemeNotAllowed {
        /// The scheme, lower-cased.
        scheme: String,
    },
    /// https -> http, which the policy refuses.
    #[error("redirect from https to http")]
    Downgrade,
    /// The body is a stream that cannot be sent again.
    #[error("the request body is a stream that cannot be sent again")]
    BodyNotReplayable,
    /// RFC 2616 §10.3: the user must confirm before a non-GET/HEAD request is redirected.
    #[error("{status} in answer to {method} needs the user's confirmation (RFC 2616 §10.3)")]
    NeedsConfirmation {
        /// The status code.
        status: u16,
        /// The method of the request.
        method: Method,
    },
    /// The next request was already sent in this chain.
    #[error("{method} {url} was already requested in this chain")]
    RedirectLoop {
        /// The method.
        method: Method,
        /// The URL, without fragment.
        url: String,
    },
}

impl Refusal {
    /// The kebab-case reason of the CLI contract.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::TooManyRedirects { .. } => "too-many-redirects",
            Refusal::InvalidLocation(_) => "invalid-location",
            Refusal::SchemeNotAllowed { .. } => "scheme-not-allowed",
            Refusal::Downgrade => "downgrade",
            Refusal::BodyNotReplayable => "body-not-replayable",
            Refusal::NeedsConfirmation { .. } => "needs-confirmation",
            Refusal::RedirectLoop { .. } => "redirect-loop",
        }
    }
}
