//! Scenarios: the scripted chain of responses a client is walked through.
//!
//! A [`Scenario`] is written once, with placeholders for the loopback origins that only exist
//! once the server has bound its ports. [`Origins::expand`] fills them in:
//!
//! | placeholder | becomes                         | why                                  |
//! |-------------|---------------------------------|--------------------------------------|
//! | `{A}`       | `http://127.0.0.1:<port a>`     | the origin every scenario starts on  |
//! | `{B}`       | `http://127.0.0.1:<port b>`     | same host, other port: other origin  |
//! | `{L}`       | `http://localhost:<port a>`     | other host name, same port           |
//! | `{A_AUTH}`, `{B_AUTH}`, `{L_AUTH}` | the authority alone (`127.0.0.1:<port a>`, …) | network-path references (`//h/p`) |
//! | `{FTP}`     | `ftp://127.0.0.1:<port>` of a loopback FTP sink | filled in by the matrix before the server starts |
//!
//! The server answers by arrival order, not by path: request *k* of the scenario gets
//! response *k*. The model is asked about the very same responses,
//! so where a client goes is checked by the verdict, never assumed by the server.

use http::Method;

/// The three loopback origins of one server run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins {
    /// Port of listener A (origins `{A}` and `{L}`).
    pub a_port: u16,
    /// Port of listener B (origin `{B}`).
    pub b_port: u16,
}

impl Origins {
    /// Replaces every placeholder of the table in the module docs.
    ///
    /// # Examples
    /// ```
    /// use redirspec::live::Origins;
    /// let o = Origins { a_port: 8001, b_port: 8002 };
    /// assert_eq!(o.expand("{B}/x"), "http://127.0.0.1:8002/x");
    /// assert_eq!(o.expand("//{L_AUTH}/y"), "//localhost:8001/y");
    /// ```
    pub fn expand(&self, template: &str) -> String {
        template
            .replace("{A_AUTH}", &format!("127.0.0.1:{}", self.a_port))
            .replace("{B_AUTH}", &format!("127.0.0.1:{}", self.b_port))
            .replace("{L_AUTH}", &format!("localhost:{}", self.a_port))
            .replace("{A}", &format!("http://127.0.0.1:{}", self.a_port))
            .replace("{B}", &format!("http://127.0.0.1:{}", self.b_port))
            .replace("{L}", &format!("http://localhost:{}", self.a_port))
    }
}

/// One scripted response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedResponse {
    /// Status code sent (any three-digit code, including unknown 3xx).
    pub status: u16,
    /// Location field lines, sent verbatim after expansion: none, one, or several; a line may
    /// be empty, padded with spaces, or invalid on purpose.
    pub locations: Vec<String>,
    /// More header fields (`Cache-Control`, `Date`, `Expires`, `Age`, ...), sent after the
    /// Location lines. A value may hold time placeholders, filled in when the response is
    /// sent: `{now}` is that time as an IMF-fixdate (RFC 9110 §5.6.7), `{now-N}` and
    /// `{now+N}` that time minus or plus `N` seconds.
    pub headers: Vec<(String, String)>,
}

impl ScriptedResponse {
    /// A redirect with one Location line.
    pub fn redirect(status: u16, location: &str) -> Self {
        ScriptedResponse {
            status,
            locations: vec![location.to_owned()],
            headers: Vec::new(),
        }
    }

    /// The response that ends a chain: `200 OK`.
    pub fn ok() -> Self {
        ScriptedResponse {
            status: 200,
            locations: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A response with any status and any number of Location lines.
    pub fn with_locations(status: u16, locations: &[&str]) -> Self {
        ScriptedResponse {
            status,
            locations: locations.iter().map(|l| (*l).to_owned()).collect(),
            headers: Vec::new(),
        }
    }

    /// The same response with one more header field (`value` may hold time placeholders).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Fills the time placeholders of a header value, `now` being the time the response is sent
/// (seconds since the Unix epoch): `{now}` becomes that time as an IMF-fixdate
/// (RFC 9110 §5.6.7), `{now-N}` and `{now+N}` that time minus or plus `N` seconds. Anything
/// else is kept as written.
pub(crate) fn expand_time(value: &str, now: u64) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find("{now") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let offset = &after[..end];
        let at = match (
            offset.chars().next(),
            offset.get(1..).map(str::parse::<u64>),
        ) {
            (None, _) => Some(now),
            (Some('-'), Some(Ok(n))) => Some(now.saturating_sub(n)),
            (Some('+'), Some(Ok(n))) => now.checked_add(n),
            _ => None,
        };
        match at {
            Some(t) => out.push_str(&http_date(t)),
            None => out.push_str(&rest[i..i + 4 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Latest time an HTTP-date can show: 9999-12-31T23:59:59Z.
const LAST_HTTP_DATE: u64 = 253_402_300_799;

/// `t` (seconds since the Unix epoch, capped at year 9999) as an IMF-fixdate.
fn http_date(t: u64) -> String {
    let t = t.min(LAST_HTTP_DATE);
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
}

/// A named, fixed scenario of the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Unique, kebab-case name (`302-post`, `cred-leave-and-return`).
    pub name: String,
    /// Group shown as a column of the matrix (`method`, `relative`, …).
    pub group: &'static str,
    /// One sentence: what is being checked.
    pub about: String,
    /// Method of the first request.
    pub method: Method,
    /// Start URL template (see [`Origins::expand`]).
    pub start: String,
    /// Whether the first request carries [`REQUEST_BODY`] (with a Content-Type).
    pub with_body: bool,
    /// Responses by arrival order.
    pub responses: Vec<ScriptedResponse>,
    /// Once `responses` is used up: repeat its last entry (loops, endless chains) instead of
    /// answering `200 OK`.
    pub repeat_last: bool,
    /// When not empty, requests are answered by path (the request target without its query)
    /// instead of by arrival order: the entry for the path, or `404` for a path not listed.
    /// Scenarios where one client asks more than once need it, since a client that remembers
    /// a redirect skips requests.
    pub routes: Vec<(String, ScriptedResponse)>,
    /// Header fields sent on the first request after the standard ones
    /// (`Proxy-Authorization` in the credential scenarios that need it).
    pub extra_headers: Vec<(String, String)>,
}

/// Body sent by scenarios that have one (replayable bytes).
pub const REQUEST_BODY: &[u8] = b"redirspec=body&n=1";
/// Authorization value sent on the first request of every scenario.
pub const AUTHORIZATION_VALUE: &str = "Bearer redirspec-secret";
/// Cookie value sent on the first request of every scenario.
pub const COOKIE_VALUE: &str = "redirspec=session";
/// Proxy-Authorization value sent by the scenarios that carry one.
pub const PROXY_AUTHORIZATION_VALUE: &str = "Basic cHJveHk6c2VjcmV0";
/// Content-Type sent with [`REQUEST_BODY`].
pub const CONTENT_TYPE_VALUE: &str = "application/x-www-form-urlencoded";

impl Scenario {
    /// The response to request number `index` (0-based, in arrival order) for `target`.
    pub(crate) fn response_to(&self, index: usize, target: &str) -> ScriptedResponse {
        if self.routes.is_empty() {
            return self.response_for(index);
        }
        let path = target.split('?').next().unwrap_or(target);
        self.routes.iter().find(|(p, _)| p == path).map_or_else(
            || ScriptedResponse::with_locations(404, &[]),
            |(_, r)| r.clone(),
        )
    }

    /// The response to request number `index` (0-based, in arrival order).
    pub(crate) fn response_for(&self, index: usize) -> ScriptedResponse {
        match self.responses.get(index) {
            Some(r) => r.clone(),
            None => match (self.repeat_last, self.responses.last()) {
                (true, Some(last)) => last.clone(),
                _ => ScriptedResponse::ok(),
            },
        }
    }

    /// Header lines of the first request, in order: credentials always, Content-Type with a
    /// body, then [`extra_headers`](Self::extra_headers).
    pub fn request_headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            ("Authorization".to_owned(), AUTHORIZATION_VALUE.to_owned()),
            ("Cookie".to_owned(), COOKIE_VALUE.to_owned()),
        ];
        if self.with_body {
            h.push(("Content-Type".to_owned(), CONTENT_TYPE_VALUE.to_owned()));
        }
        h.extend(self.extra_headers.iter().cloned());
        h
    }

    /// The body of the first request, if any.
    pub fn request_body(&self) -> Option<&'static [u8]> {
        self.with_body.then_some(REQUEST_BODY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_fills_every_placeholder() {
        let o = Origins {
            a_port: 1000,
            b_port: 2000,
        };
        assert_eq!(
            o.expand("{A}/x {B}/y {L}/z //{B_AUTH}/w //{L_AUTH}/v //{A_AUTH}/u"),
            "http://127.0.0.1:1000/x http://127.0.0.1:2000/y http://localhost:1000/z \
             //127.0.0.1:2000/w //localhost:1000/v //127.0.0.1:1000/u"
        );
    }

    #[test]
    fn responses_run_out_into_ok_or_repeat() {
        let mut s = Scenario {
            name: "t".into(),
            group: "t",
            about: String::new(),
            method: Method::GET,
            start: "{A}/".into(),
            with_body: false,
            responses: vec![ScriptedResponse::redirect(302, "/loop")],
            repeat_last: false,
            routes: Vec::new(),
            extra_headers: Vec::new(),
        };
        assert_eq!(s.response_for(1).status, 200);
        s.repeat_last = true;
        assert_eq!(s.response_for(7).status, 302);
    }

    #[test]
    fn routes_answer_by_path() {
        let s = Scenario {
            name: "t".into(),
            group: "t",
            about: String::new(),
            method: Method::GET,
            start: "{A}/a".into(),
            with_body: false,
            responses: Vec::new(),
            repeat_last: false,
            routes: vec![("/a".into(), ScriptedResponse::redirect(301, "/b"))],
            extra_headers: Vec::new(),
        };
        assert_eq!(s.response_to(5, "/a?q=1").status, 301);
        assert_eq!(s.response_to(0, "/b").status, 404);
    }

    #[test]
    fn time_placeholders() {
        assert_eq!(
            expand_time("{now+60}", 784111717),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(expand_time("{now-x}", 5), "{now-x}");
        assert_eq!(expand_time("{now", 5), "{now");
        assert_eq!(expand_time("{now}{now}", 0).len(), 58);
        assert_eq!(
            expand_time("{now+18446744073709551615}", 1),
            "{now+18446744073709551615}"
        );
        assert_eq!(
            expand_time("{now+1}", LAST_HTTP_DATE),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
    }
}

/// What was the doc example of [`expand_time`] (crate-internal now).
#[cfg(test)]
mod example {
    use super::expand_time;

    #[test]
    fn expand_time_fills_now() {
        assert_eq!(
            expand_time("{now}", 784111777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            expand_time("x {now-60} y", 784111837),
            "x Sun, 06 Nov 1994 08:49:37 GMT y"
        );
        assert_eq!(expand_time("max-age=60", 0), "max-age=60");
    }
}
