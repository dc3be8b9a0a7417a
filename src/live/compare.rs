//! Hop-by-hop comparison of what a client did with what the model says it should do.
//!
//! Both sides are reduced to the same [`RequestView`] per request: method, absolute URL
//! without fragment (fragments never reach a server), body (the original bytes, none, or
//! something else), and whether Authorization, Cookie and Content-Type were present. The first
//! field that differs, in that order, is the [`Divergence`]; then the number of requests; then
//! how the chain ended ([`ExpectedEnd`] vs [`ClientOutcome`]).

use super::client::ClientOutcome;
use super::scenario::REQUEST_BODY;
use super::server::RecordedRequest;
use serde::Serialize;

/// What happened to the body on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyView {
    /// No body bytes.
    None,
    /// Exactly the bytes of the first request.
    Original,
    /// Some other body of this many bytes.
    Other(usize),
}

impl BodyView {
    /// Classifies received body bytes.
    pub fn of(body: &[u8]) -> Self {
        if body.is_empty() {
            BodyView::None
        } else if body == REQUEST_BODY {
            BodyView::Original
        } else {
            BodyView::Other(body.len())
        }
    }

    fn label(self) -> String {
        match self {
            BodyView::None => "none".to_owned(),
            BodyView::Original => "original body".to_owned(),
            BodyView::Other(n) => format!("other body ({n} bytes)"),
        }
    }
}

/// One request, reduced to what the verdict compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestView {
    /// Method.
    pub method: String,
    /// `scheme://host:port/path?query`, no fragment.
    pub url: String,
    /// Body.
    pub body: BodyView,
    /// Authorization was sent.
    pub authorization: bool,
    /// Cookie was sent.
    pub cookie: bool,
    /// Content-Type was sent.
    pub content_type: bool,
}

impl RequestView {
    /// The view of a request the server recorded: the origin comes from the Host header
    /// (the listener's address when Host is missing).
    pub fn observed(r: &RecordedRequest, listener_origin: &str) -> Self {
        let origin = r.header("host").map_or_else(
            || listener_origin.to_owned(),
            |h| format!("http://{}", h.trim().to_ascii_lowercase()),
        );
        RequestView {
            method: r.method.clone(),
            url: format!("{origin}{}", r.target),
            body: BodyView::of(&r.body),
            authorization: r.header("authorization").is_some(),
            cookie: r.header("cookie").is_some(),
            content_type: r.header("content-type").is_some(),
        }
    }

    /// A one-line summary (`POST http://…/x body=original auth cookie ctype`).
    pub fn summary(&self) -> String {
        let mut s = format!("{} {} body={}", self.method, self.url, self.body.label());
        for (on, name) in [
            (self.authorization, "authorization"),
            (self.cookie, "cookie"),
            (self.content_type, "content-type"),
        ] {
            if on {
                s.push(' ');
                s.push_str(name);
            }
        }
        s
    }
}

/// How the model says a chain ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum ExpectedEnd {
    /// The last response is handed to the caller.
    Deliver {
        /// Its status code.
        status: u16,
        /// The model's reason (`not-a-redirect`, `no-location`).
        reason: String,
    },
    /// The client must raise an error.
    Refuse {
        /// The model's reason (`too-many-redirects`, …).
        reason: String,
        /// The model's detail text.
        detail: String,
    },
}

impl ExpectedEnd {
    fn summary(&self) -> String {
        match self {
            ExpectedEnd::Deliver { status, reason } => format!("deliver {status} ({reason})"),
            ExpectedEnd::Refuse { reason, .. } => format!("error ({reason})"),
        }
    }
}

/// The model's trace for one scenario under one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedTrace {
    /// Profile name.
    pub profile: String,
    /// Requests in order, the first one included.
    pub requests: Vec<RequestView>,
    /// How the chain ends.
    pub end: ExpectedEnd,
}

/// What the client did in one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservedTrace {
    /// Requests in arrival order.
    pub requests: Vec<RequestView>,
    /// What the client's caller saw.
    pub outcome: ClientOutcome,
    /// More requests arrived than the server records.
    pub flooded: bool,
    /// Connections that carried no parsable request.
    pub bad_connections: Vec<String>,
}

/// The first difference between the model and a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// Index of the request (0 = the first request) or of the response that ended the chain.
    pub hop: usize,
    /// What differs: `timeout`, `flood`, `garbage`, `method`, `url`, `body`,
    /// `authorization`, `cookie`, `content-type`, `request`, `status`, `outcome`.
    pub field: String,
    /// The model's side.
    pub expected: String,
    /// The client's side.
    pub observed: String,
}

impl Divergence {
    /// `field@hop`, the short form used in expectation files.
    pub fn key(&self) -> String {
        format!("{}@{}", self.field, self.hop)
    }
}

/// The verdict for one scenario under one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// Every request and the end agree with the model.
    Conforms,
    /// The first divergence.
    Diverges(Divergence),
}

impl Verdict {
    /// Whether the client conforms.
    pub fn conforms(&self) -> bool {
        matches!(self, Verdict::Conforms)
    }

    /// `conforms` or the divergence key (`method@1`).
    pub fn key(&self) -> String {
        match self {
            Verdict::Conforms => "conforms".to_owned(),
            Verdict::Diverges(d) => d.key(),
        }
    }
}

/// Upper-cases the hex digits of percent-encodings: `%c3` and `%C3` are the same octet
/// (RFC 3986 §6.2.2.1), so a client that writes either one is not diverging.
pub fn normalize_percent_case(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut chars = url.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                match chars.peek() {
                    Some(h) if h.is_ascii_hexdigit() => {
                        out.push(h.to_ascii_uppercase());
                        chars.next();
                    }
                    _ => break,
                }
            }
        }
    }
    out
}

fn diverge(hop: usize, field: &str, expected: String, observed: String) -> Verdict {
    Verdict::Diverges(Divergence {
        hop,
        field: field.to_owned(),
        expected,
        observed,
    })
}

fn yes_no(b: bool) -> String {
    if b { "sent" } else { "not sent" }.to_owned()
}

/// Compares hop by hop; see the module docs for the order. Faults of the client that make the
/// rest meaningless come first: a time-out (`timeout`), a flood of requests beyond the
/// server's cap (`flood`), bytes that are not an HTTP request (`garbage`).
pub fn compare(expected: &ExpectedTrace, observed: &ObservedTrace) -> Verdict {
    let at = observed.requests.len().min(expected.requests.len());
    if let ClientOutcome::TimedOut { .. } = observed.outcome {
        return diverge(
            at,
            "timeout",
            expected.end.summary(),
            observed.outcome.summary(),
        );
    }
    if observed.flooded {
        return diverge(
            at,
            "flood",
            format!("{} requests", expected.requests.len()),
            // The cap hit may be the requests' or the connections' (idle ones count).
            format!(
                "{} requests, then more requests or connections than the server's cap",
                observed.requests.len()
            ),
        );
    }
    if let Some(bad) = observed.bad_connections.first() {
        return diverge(
            at,
            "garbage",
            "well-formed requests".to_owned(),
            bad.clone(),
        );
    }
    for (hop, (e, o)) in expected.requests.iter().zip(&observed.requests).enumerate() {
        if e.method != o.method {
            return diverge(hop, "method", e.method.clone(), o.method.clone());
        }
        // The first request is the caller's URL as the client writes it, not a redirect
        // decision: an empty query (`/a?`) may be written without its `?` there.
        let (eu, ou) = if hop == 0 {
            (e.url.trim_end_matches('?'), o.url.trim_end_matches('?'))
        } else {
            (e.url.as_str(), o.url.as_str())
        };
        if normalize_percent_case(eu) != normalize_percent_case(ou) {
            return diverge(hop, "url", e.url.clone(), o.url.clone());
        }
        if e.body != o.body {
            return diverge(hop, "body", e.body.label(), o.body.label());
        }
        for (field, ev, ov) in [
            ("authorization", e.authorization, o.authorization),
            ("cookie", e.cookie, o.cookie),
            ("content-type", e.content_type, o.content_type),
        ] {
            if ev != ov {
                return diverge(hop, field, yes_no(ev), yes_no(ov));
            }
        }
    }
    let (ne, no) = (expected.requests.len(), observed.requests.len());
    if ne > no {
        let missing = &expected.requests[no];
        return diverge(
            no,
            "request",
            format!("request {}", missing.summary()),
            format!("no request; the client {}", observed.outcome.summary()),
        );
    }
    if no > ne {
        let extra = observed.requests.get(ne).map_or_else(
            || "more requests than recorded".to_owned(),
            RequestView::summary,
        );
        return diverge(
            ne,
            "request",
            format!("no request; {}", expected.end.summary()),
            format!("request {extra}"),
        );
    }
    let last = ne.saturating_sub(1);
    match (&expected.end, &observed.outcome) {
        (ExpectedEnd::Deliver { status, .. }, ClientOutcome::Delivered { status: Some(got) })
            if status != got =>
        {
            diverge(last, "status", status.to_string(), got.to_string())
        }
        (ExpectedEnd::Deliver { .. }, ClientOutcome::Delivered { .. })
        | (ExpectedEnd::Refuse { .. }, ClientOutcome::Failed { .. }) => {
            if let Some(bad) = observed.bad_connections.first() {
                diverge(
                    last,
                    "garbage",
                    "well-formed requests".to_owned(),
                    bad.clone(),
                )
            } else {
                Verdict::Conforms
            }
        }
        (end, outcome) => diverge(last, "outcome", end.summary(), outcome.summary()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(method: &str, path: &str, body: BodyView, auth: bool) -> RequestView {
        RequestView {
            method: method.to_owned(),
            url: format!("http://127.0.0.1:1{path}"),
            body,
            authorization: auth,
            cookie: true,
            content_type: body == BodyView::Original,
        }
    }

    fn expected(requests: Vec<RequestView>, end: ExpectedEnd) -> ExpectedTrace {
        ExpectedTrace {
            profile: "fetch".into(),
            requests,
            end,
        }
    }

    fn observed(requests: Vec<RequestView>, outcome: ClientOutcome) -> ObservedTrace {
        ObservedTrace {
            requests,
            outcome,
            flooded: false,
            bad_connections: Vec::new(),
        }
    }

    fn delivered(status: u16) -> ClientOutcome {
        ClientOutcome::Delivered {
            status: Some(status),
        }
    }

    fn ok_end() -> ExpectedEnd {
        ExpectedEnd::Deliver {
            status: 200,
            reason: "not-a-redirect".into(),
        }
    }

    #[test]
    fn post_302_kept_as_post_diverges_on_method_at_hop_1() {
        let e = expected(
            vec![
                view("POST", "/a", BodyView::Original, true),
                view("GET", "/b", BodyView::None, true),
            ],
            ok_end(),
        );
        let o = observed(
            vec![
                view("POST", "/a", BodyView::Original, true),
                view("POST", "/b", BodyView::Original, true),
            ],
            delivered(200),
        );
        assert_eq!(compare(&e, &o).key(), "method@1");
        assert_eq!(compare(&e, &e_as_observed(&e)).key(), "conforms");
    }

    fn e_as_observed(e: &ExpectedTrace) -> ObservedTrace {
        observed(e.requests.clone(), delivered(200))
    }

    #[test]
    fn stopping_early_and_refusing_are_told_apart() {
        let e = expected(
            vec![view("GET", "/a", BodyView::None, true)],
            ExpectedEnd::Refuse {
                reason: "scheme-not-allowed".into(),
                detail: String::new(),
            },
        );
        let o = observed(
            vec![view("GET", "/a", BodyView::None, true)],
            delivered(302),
        );
        assert_eq!(compare(&e, &o).key(), "outcome@0");
        let o = observed(
            vec![view("GET", "/a", BodyView::None, true)],
            ClientOutcome::Failed {
                message: "x".into(),
            },
        );
        assert!(compare(&e, &o).conforms());
    }

    #[test]
    fn percent_hex_case_is_not_a_divergence() {
        assert_eq!(
            normalize_percent_case("/caf%c3%a9?%zz%4"),
            "/caf%C3%A9?%zz%4"
        );
    }

    #[test]
    fn missing_and_extra_requests() {
        let two = vec![
            view("GET", "/a", BodyView::None, true),
            view("GET", "/b", BodyView::None, false),
        ];
        let e = expected(two.clone(), ok_end());
        let o = observed(two[..1].to_vec(), delivered(302));
        assert_eq!(compare(&e, &o).key(), "request@1");
        let e = expected(two[..1].to_vec(), ok_end());
        let o = observed(two, delivered(200));
        assert_eq!(compare(&e, &o).key(), "request@1");
    }
}
