//! The request that produced a response: its method and absolute URL.

use std::sync::{Arc, OnceLock};

use http::Method;

use super::rules::BrowserBase;
use crate::model::{LocationError, UriBuf};

/// The request URL cannot be a base for a Location.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Not an absolute RFC 3986 URI.
    #[error("invalid request URL: {0}")]
    Url(LocationError),
    /// Not an http or https URL with a host.
    #[error("the request URL is not an http(s) URL with a host")]
    NotHttp,
}

impl From<LocationError> for RequestError {
    fn from(e: LocationError) -> Self {
        RequestError::Url(e)
    }
}

/// The request a checked response answered.
///
/// The URL is the base that Location values are resolved against (RFC 9110
/// §10.2.2) and the target a self-loop is compared with. Without it, the
/// rules that need it (self-loop, downgrade) do not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    method: Method,
    url: Option<UriBuf>,
    probe: Option<Probe>,
    judge_query: bool,
    /// The URL as sent, when it differs from `url` (a query byte RFC 3986
    /// has no place for, which `url` holds percent-encoded).
    sent: Option<String>,
    /// What the open-redirect rule reads from the URL alone, worked out for
    /// the first response checked and kept: one request is checked against
    /// many responses (a fuzz target checks every input against the same
    /// four).
    browser: Derived<Option<BrowserBase>>,
    /// [`url`](RequestInfo::url) as shared text, for the reports about this
    /// request: made once, on the first report.
    shared: Derived<Option<Arc<str>>>,
}

/// A value computed from the other fields on first use: not part of what a
/// request is, so two requests compare equal whether or not theirs is filled.
#[derive(Clone, Debug, Default)]
struct Derived<T>(OnceLock<T>);

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Derived<T> {}

/// An attacker value sent in a return-URL parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    pub param: String,
    pub value: String,
}

impl RequestInfo {
    /// A request with a method and an absolute http(s) URL.
    ///
    /// # Errors
    /// [`RequestError`] when the URL is not an absolute RFC 3986 URI with an
    /// http or https scheme and a host.
    ///
    /// # Examples
    /// ```
    /// use http::Method;
    /// use redirspec::server::RequestInfo;
    /// let r = RequestInfo::new(Method::GET, "https://a.test/x?y").unwrap();
    /// assert_eq!(r.url(), Some("https://a.test/x?y"));
    /// assert!(RequestInfo::new(Method::GET, "/x").is_err());
    /// ```
    pub fn new(method: Method, url: &str) -> Result<Self, RequestError> {
        let url = UriBuf::parse_absolute(url)?;
        let scheme = url.scheme().unwrap_or_default();
        let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
        if !http || url.host().is_none_or(str::is_empty) {
            return Err(RequestError::NotHttp);
        }
        Ok(RequestInfo {
            method,
            url: Some(url),
            probe: None,
            judge_query: false,
            sent: None,
            browser: Derived::default(),
            shared: Derived::default(),
        })
    }

    /// A request the checker sent itself, to a WHATWG-serialized URL: its
    /// query may hold bytes a browser sends as they are but RFC 3986 does
    /// not allow (`\\`, `^`, `|`, `{`, `}`, `` ` ``, `[`, `]`). The base for
    /// resolution holds them percent-encoded (a Location resolves the same:
    /// only an empty or fragment-only reference keeps the base query); the
    /// report shows the URL as sent.
    pub(crate) fn sent(method: Method, url: &url::Url) -> Result<Self, RequestError> {
        let text = url.as_str();
        // A WHATWG-serialized URL has no `?` before its query.
        let query_start = text.find('?').unwrap_or(text.len());
        let mut base = String::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            if i >= query_start && matches!(c, '\\' | '^' | '|' | '{' | '}' | '`' | '[' | ']') {
                base.push_str(&format!("%{:02X}", u32::from(c)));
            } else {
                base.push(c);
            }
        }
        let mut info = RequestInfo::new(method, &base)?;
        if base != text {
            info.sent = Some(text.to_owned());
            info.browser = Derived::default();
            info.shared = Derived::default();
        }
        Ok(info)
    }

    /// A request of which only the method is known.
    pub fn method_only(method: Method) -> Self {
        RequestInfo {
            method,
            url: None,
            probe: None,
            judge_query: false,
            sent: None,
            browser: Derived::default(),
            shared: Derived::default(),
        }
    }

    /// Marks the request as an open-redirect probe: its URL carries the
    /// attacker `value` in the query parameter `param` (see
    /// [`probe_url`](super::probe_url)). The checker then adds the
    /// `open-redirect` rule.
    ///
    /// # Examples
    /// ```
    /// use http::Method;
    /// use redirspec::server::{check_raw, RequestInfo};
    /// let request = RequestInfo::new(Method::GET, "http://127.0.0.1/login?next=%2F%5Cevil.test")
    ///     .unwrap()
    ///     .with_probe("next", "/\\evil.test");
    /// let raw = b"HTTP/1.1 302 Found\r\nLocation: /\\evil.test\r\nContent-Length: 0\r\n\r\n";
    /// assert!(check_raw(raw, &request).unwrap().has("open-redirect"));
    /// ```
    pub fn with_probe(mut self, param: impl Into<String>, value: impl Into<String>) -> Self {
        self.probe = Some(Probe {
            param: param.into(),
            value: value.into(),
        });
        self
    }

    /// Marks every value in the URL's query as one the checker chose (a
    /// `--query` of `redirspec server`): when a value leads off the
    /// request's origin (read as a browser reads a link: `https://e.test/`,
    /// `//e.test`, `/\\e.test`) and the Location leads to the same host, the
    /// checker adds `open-redirect`. Each value is read as sent, decoded
    /// once and decoded twice, since servers differ in what they decode.
    ///
    /// Without this mark the checker does not guess intent: a Location that
    /// names a host from the query can be a registered OAuth `redirect_uri`.
    ///
    /// # Examples
    /// ```
    /// use http::Method;
    /// use redirspec::server::{check_raw, RequestInfo};
    /// let url = "http://127.0.0.1/login?next=https://evil.test/";
    /// let raw = b"HTTP/1.1 302 Found\r\nLocation: https://evil.test/\r\n\r\n";
    /// let plain = RequestInfo::new(Method::GET, url).unwrap();
    /// assert!(!check_raw(raw, &plain).unwrap().has("open-redirect"));
    /// let judged = plain.judging_query();
    /// assert!(check_raw(raw, &judged).unwrap().has("open-redirect"));
    /// ```
    pub fn judging_query(mut self) -> Self {
        self.judge_query = true;
        self.browser = Derived::default();
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL, when known (as sent).
    pub fn url(&self) -> Option<&str> {
        self.sent
            .as_deref()
            .or_else(|| self.url.as_ref().map(UriBuf::as_str))
    }

    pub(crate) fn judges_query(&self) -> bool {
        self.judge_query
    }

    /// The open-redirect rule's reading of [`url`](Self::url): `compute`
    /// runs for the first response checked against this request only.
    pub(crate) fn browser_base(
        &self,
        compute: impl FnOnce() -> Option<BrowserBase>,
    ) -> Option<&BrowserBase> {
        self.browser.0.get_or_init(compute).as_ref()
    }

    pub(crate) fn probe(&self) -> Option<&Probe> {
        self.probe.as_ref()
    }

    /// [`url`](Self::url), shared (each report holds it without a copy).
    pub(crate) fn shared_url(&self) -> Option<Arc<str>> {
        self.shared
            .0
            .get_or_init(|| self.url().map(Arc::from))
            .clone()
    }

    pub(crate) fn uri(&self) -> Option<&UriBuf> {
        self.url.as_ref()
    }
}
