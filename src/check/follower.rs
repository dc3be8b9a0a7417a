//! The trait an implementation under test speaks through, and the values it
//! exchanges with the check.

use http::{HeaderMap, Method, StatusCode};

use crate::model::Body;

/// A request, as far as redirection cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL, fragment included (a fragment is what redirects
    /// inherit, RFC 9110 §10.2.2).
    pub url: String,
    /// The header fields the request carries.
    pub headers: HeaderMap,
    /// The body.
    pub body: Body,
}

impl Request {
    /// A request without header fields or body.
    ///
    /// # Examples
    /// ```
    /// use redirspec::check::Request;
    /// let r = Request::new(http::Method::GET, "https://a.test/");
    /// assert!(r.headers.is_empty());
    /// ```
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: HeaderMap::new(),
            body: Body::None,
        }
    }

    /// The same request with one more header field.
    ///
    /// # Errors
    /// [`InvalidHeader`] when `name` is not a field name `http` can hold (a token, RFC 9110
    /// §5.1) or `value` is not a field value (no CR, LF, NUL or other control byte but HTAB);
    /// the request is not changed then. A name and value already typed go straight into
    /// [`Request::headers`].
    ///
    /// # Examples
    /// ```
    /// use redirspec::check::{InvalidHeader, Request};
    /// let r = Request::new(http::Method::GET, "https://a.test/").header("authorization", "t")?;
    /// assert_eq!(r.headers["authorization"], "t");
    /// let bad = Request::new(http::Method::GET, "https://a.test/").header("a b", "t");
    /// assert_eq!(bad.unwrap_err(), InvalidHeader::Name("a b".to_owned()));
    /// # Ok::<(), InvalidHeader>(())
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, InvalidHeader> {
        let n = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidHeader::Name(name.to_owned()))?;
        let v = http::HeaderValue::from_str(value).map_err(|_| InvalidHeader::Value {
            name: name.to_owned(),
        })?;
        self.headers.append(n, v);
        Ok(self)
    }

    /// The same request with this body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

/// A header field [`Request::header`] cannot add: its name or its value is not one `http` can
/// hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidHeader {
    /// The name is not a token (RFC 9110 §5.1): empty, or with a space, a colon, a control
    /// byte or a byte above 0x7E.
    #[error("invalid header name {0:?}")]
    Name(String),
    /// The value holds CR, LF, NUL or another control byte but HTAB (RFC 9110 §5.5). The
    /// value itself is left out of the message: it may be a credential.
    #[error("invalid value of header {name:?}")]
    Value {
        /// The field name the value was given for.
        name: String,
    },
}

/// A response, as far as redirection cares: its status and its Location
/// field lines, raw (zero, one or several; bytes an `http::HeaderValue`
/// cannot hold are allowed). Its `Debug` shows each Location as an escaped
/// string, cut at 200 characters with its length in bytes (a proptest failure
/// prints it so).
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The Location field lines, in order, as they were on the wire.
    pub location: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let locations: Vec<String> = self
            .location
            .iter()
            .map(|l| super::divergence::cut(&super::divergence::show_bytes(l)))
            .collect();
        f.debug_struct("Response")
            .field("status", &self.status.as_u16())
            .field("location", &locations)
            .finish()
    }
}

impl Response {
    /// A response with one Location line. The status is an `http::StatusCode`, so a number
    /// outside 100-999 is the caller's `StatusCode::from_u16` error, never a silent stand-in.
    ///
    /// # Examples
    /// ```
    /// use redirspec::check::Response;
    /// use redirspec::http::StatusCode;
    /// let r = Response::redirect(StatusCode::FOUND, "/next");
    /// assert_eq!(r.location, vec![b"/next".to_vec()]);
    /// ```
    pub fn redirect(status: StatusCode, location: impl AsRef<[u8]>) -> Self {
        Response {
            status,
            location: vec![location.as_ref().to_vec()],
        }
    }

    /// A response without Location.
    pub fn status(status: StatusCode) -> Self {
        Response {
            status,
            location: Vec::new(),
        }
    }

    /// The Location lines that `http::HeaderValue` can hold, or `None` when
    /// one of them cannot be represented (CR, LF, NUL, other CTLs but HTAB).
    pub fn location_values(&self) -> Option<Vec<http::HeaderValue>> {
        self.location
            .iter()
            .map(|l| http::HeaderValue::from_bytes(l).ok())
            .collect()
    }
}

/// What an implementation does with a response to the request it sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// It sends this next request. Header fields it adds on its own (Host,
    /// User-Agent, Referer, ...) are ignored by the comparison unless the first
    /// request of the chain carried them.
    Follow(Request),
    /// It stops and returns the response to its caller.
    Deliver,
    /// It fails with an error: its kind, where the implementation tells it, and its message.
    Error(Failure),
}

/// Why an implementation failed, as far as it tells.
///
/// The check compares a kind with the model's refusal reason
/// ([`Refusal::reason`](crate::model::Refusal::reason)); [`ErrorKind::Unspecified`] agrees
/// with every refusal (the implementation does not say why), and
/// [`ErrorKind::Network`] agrees with none: an implementation that *tried* the next request
/// and failed has followed, not refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The Location's scheme is not one it follows.
    SchemeNotAllowed,
    /// The Location value (or several of them) cannot be used.
    InvalidLocation,
    /// Too many redirects (a hop limit).
    TooManyRedirects,
    /// A redirect cycle was detected.
    RedirectLoop,
    /// The body cannot be sent again.
    BodyNotReplayable,
    /// https to http refused.
    Downgrade,
    /// The user would have to confirm the redirect.
    NeedsConfirmation,
    /// It tried the next request and that failed (connection refused, reset, …).
    Network,
    /// It does not say.
    Unspecified,
}

impl ErrorKind {
    /// The kebab-case name; the refusal kinds use the model's reason names.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::SchemeNotAllowed => "scheme-not-allowed",
            ErrorKind::InvalidLocation => "invalid-location",
            ErrorKind::TooManyRedirects => "too-many-redirects",
            ErrorKind::RedirectLoop => "redirect-loop",
            ErrorKind::BodyNotReplayable => "body-not-replayable",
            ErrorKind::Downgrade => "downgrade",
            ErrorKind::NeedsConfirmation => "needs-confirmation",
            ErrorKind::Network => "network",
            ErrorKind::Unspecified => "unspecified",
        }
    }

    /// Whether this kind agrees with a model refusal of kebab-case `reason`. A hop limit
    /// and cycle detection both "intervene in cyclical redirections" (RFC 9110 §15.4), so
    /// `too-many-redirects` and `redirect-loop` agree with each other.
    pub fn agrees_with(self, reason: &str) -> bool {
        match self {
            ErrorKind::Unspecified => true,
            ErrorKind::Network => false,
            ErrorKind::TooManyRedirects | ErrorKind::RedirectLoop => {
                matches!(reason, "too-many-redirects" | "redirect-loop")
            }
            k => k.as_str() == reason,
        }
    }
}

/// An implementation's error: its kind and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// What kind of error, as far as the implementation tells.
    pub kind: ErrorKind,
    /// Its message, for the report.
    pub message: String,
}

impl Failure {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

/// An error that does not say its kind ([`ErrorKind::Unspecified`]).
impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::new(ErrorKind::Unspecified, message)
    }
}

/// An error that does not say its kind ([`ErrorKind::Unspecified`]).
impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::new(ErrorKind::Unspecified, message)
    }
}

impl Action {
    /// `follow`, `deliver` or `error`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Follow(_) => "follow",
            Action::Deliver => "deliver",
            Action::Error(_) => "error",
        }
    }
}

/// An HTTP redirect implementation under test, seen one response at a time.
///
/// A chain is: [`start`](RedirectFollower::start) with the first request, then
/// [`respond`](RedirectFollower::respond) once per response, each time with the
/// request the implementation itself sent last (the first request, then the
/// one of its previous [`Action::Follow`]). A stateful implementation (hop
/// count, loop detection, credentials removed once) keeps its state between
/// the calls and resets it in `start`.
///
/// # Examples
/// A follower that never follows:
/// ```
/// use redirspec::check::{Action, RedirectFollower, Request, Response};
/// struct Never;
/// impl RedirectFollower for Never {
///     fn respond(&mut self, _sent: &Request, _response: &Response) -> Action {
///         Action::Deliver
///     }
/// }
/// let r = redirspec::check::check_scenario(
///     &mut Never,
///     &redirspec::check::Scenario::new(
///         Request::new(http::Method::GET, "https://a.test/"),
///         vec![Response::redirect(http::StatusCode::FOUND, "/b")],
///     ),
///     redirspec::Profile::Fetch,
/// );
/// assert!(r.is_err());
/// ```
pub trait RedirectFollower {
    /// A new chain begins with this request. The default does nothing.
    fn start(&mut self, first: &Request) {
        let _ = first;
    }

    /// The implementation sent `sent` and received `response`: what does it do?
    fn respond(&mut self, sent: &Request, response: &Response) -> Action;
}

impl<F: RedirectFollower + ?Sized> RedirectFollower for &mut F {
    fn start(&mut self, first: &Request) {
        (**self).start(first);
    }
    fn respond(&mut self, sent: &Request, response: &Response) -> Action {
        (**self).respond(sent, response)
    }
}

impl<F: RedirectFollower + ?Sized> RedirectFollower for Box<F> {
    fn start(&mut self, first: &Request) {
        (**self).start(first);
    }
    fn respond(&mut self, sent: &Request, response: &Response) -> Action {
        (**self).respond(sent, response)
    }
}

/// A chain to run: the first request and the responses, in order, that the
/// server gives to the requests the implementation sends. The chain ends
/// when the model or the implementation stops following, or when the
/// responses run out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The first request.
    pub request: Request,
    /// The responses, one per request sent.
    pub responses: Vec<Response>,
}

impl Scenario {
    /// A scenario.
    pub fn new(request: Request, responses: Vec<Response>) -> Self {
        Scenario { request, responses }
    }
}
