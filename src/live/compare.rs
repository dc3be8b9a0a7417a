//! Hop-by-hop comparison of what a client did with what the model says it should do.
//!
//! Both sides are reduced to the same [`RequestView`] per request: method, absolute URL
//! without fragment (fragments never reach a server), body (the original bytes, none, or
//! something else), and whether Authorization, Cookie and Content-Type were present. The first
//! field that differs, in that order, is the [`Divergence`]; then the number of requests; then
//! how the chain ended ([`ExpectedEnd`] vs [`ClientOutcome`]).

use super::client::ClientOutcome;
use super::scenario::Origins;
use super::scenario::REQUEST_BODY;
use super::server::{Listener, RecordedRequest, ServerTrace};
use crate::check::{Level, Rule};
use serde::{Serialize, Serializer};

/// Serialises a rule as `{"id", "level", "security", "section"}`.
pub(super) fn rule_json<S: Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct as _;
    let mut st = s.serialize_struct("Rule", 4)?;
    st.serialize_field("id", rule.id)?;
    st.serialize_field("level", rule.level.as_str())?;
    st.serialize_field("security", &rule.security)?;
    st.serialize_field("section", rule.section)?;
    st.end()
}

/// The rules behind one followed hop of the model: the decision to follow (what a client
/// that stops instead breaks), the method and body, the URL, and each compared header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HopRules {
    /// Following this status at all.
    #[serde(serialize_with = "rule_json")]
    pub follow: &'static Rule,
    /// The method and the body.
    #[serde(serialize_with = "rule_json")]
    pub method: &'static Rule,
    /// The URL.
    #[serde(serialize_with = "rule_json")]
    pub url: &'static Rule,
    /// Authorization.
    #[serde(serialize_with = "rule_json")]
    pub authorization: &'static Rule,
    /// Cookie.
    #[serde(serialize_with = "rule_json")]
    pub cookie: &'static Rule,
    /// Content-Type.
    #[serde(serialize_with = "rule_json")]
    pub content_type: &'static Rule,
    /// Proxy-Authorization.
    #[serde(serialize_with = "rule_json")]
    pub proxy_authorization: &'static Rule,
}

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
    /// Proxy-Authorization was sent.
    pub proxy_authorization: bool,
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
            proxy_authorization: r.header("proxy-authorization").is_some(),
        }
    }

    /// A one-line summary (`POST http://…/x body=original auth cookie ctype`).
    pub fn summary(&self) -> String {
        let mut s = format!("{} {} body={}", self.method, self.url, self.body.label());
        for (on, name) in [
            (self.authorization, "authorization"),
            (self.cookie, "cookie"),
            (self.content_type, "content-type"),
            (self.proxy_authorization, "proxy-authorization"),
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
    /// The rules behind `requests[1..]`: `hops[i]` produced `requests[i + 1]`.
    pub hops: Vec<HopRules>,
    /// How the chain ends.
    pub end: ExpectedEnd,
    /// The rule behind the end.
    #[serde(serialize_with = "rule_json")]
    pub end_rule: &'static Rule,
    /// The rule behind the first request: it carries what the caller asked for.
    #[serde(serialize_with = "rule_json")]
    pub first_rule: &'static Rule,
    /// The rule a client breaks by not finishing (time-out, flood, malformed requests).
    #[serde(serialize_with = "rule_json")]
    pub liveness_rule: &'static Rule,
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
    /// Connections to a non-http(s) target of the scenario (an `ftp:` listener): the client
    /// tried to follow there. Empty when none was made or none was listening.
    pub elsewhere: Vec<String>,
}

impl ObservedTrace {
    /// What a scripted server recorded in one run, as the client's trace: each request's URL
    /// is read against the origin of the listener it arrived on (or its Host field), as
    /// [`RequestView::observed`] does. The matrix and the browser rows both build it here.
    pub(crate) fn from_server(
        trace: &ServerTrace,
        origins: &Origins,
        outcome: ClientOutcome,
        elsewhere: Vec<String>,
    ) -> Self {
        let a = origins.expand("{A}");
        let b = origins.expand("{B}");
        ObservedTrace {
            requests: trace
                .requests
                .iter()
                .map(|r| {
                    let origin = match r.listener {
                        Listener::A => &a,
                        Listener::B => &b,
                    };
                    RequestView::observed(r, origin)
                })
                .collect(),
            outcome,
            flooded: trace.flooded,
            bad_connections: trace.bad_connections.clone(),
            elsewhere,
        }
    }
}

/// One field that differs, with the rule behind the model's side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDivergence {
    /// What differs (see [`Divergence::field`]).
    pub field: String,
    /// The model's side.
    pub expected: String,
    /// The client's side.
    pub observed: String,
    /// The rule: spec section, level, security mark.
    #[serde(serialize_with = "rule_json")]
    pub rule: &'static Rule,
}

/// The first difference between the model and a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// Index of the request (0 = the first request) or of the response that ended the chain.
    pub hop: usize,
    /// What differs: `timeout`, `flood`, `garbage`, `method`, `url`, `body`,
    /// `authorization`, `cookie`, `content-type`, `proxy-authorization`, `request`,
    /// `status`, `outcome`.
    pub field: String,
    /// The model's side.
    pub expected: String,
    /// The client's side.
    pub observed: String,
    /// The rule behind the model's side.
    #[serde(serialize_with = "rule_json")]
    pub rule: &'static Rule,
    /// Other fields of the same request that differ too (a POST kept on 302 also keeps its
    /// body and Content-Type).
    pub also: Vec<FieldDivergence>,
}

impl Divergence {
    /// `field@hop`, the short form used in expectation files.
    pub fn key(&self) -> String {
        format!("{}@{}", self.field, self.hop)
    }

    /// The most serious level among the fields that differ.
    pub fn level(&self) -> Level {
        self.also
            .iter()
            .map(|f| f.rule.level)
            .fold(self.rule.level, Ord::min)
    }

    /// Whether a field that differs is guarded by a security rule.
    pub fn security(&self) -> bool {
        self.rule.security || self.also.iter().any(|f| f.rule.security)
    }

    /// `MUST`, `MUST security`, `SHOULD`, `MAY` — [`level`](Self::level) with the mark.
    pub fn grade(&self) -> String {
        if self.security() {
            format!("{} security", self.level())
        } else {
            self.level().as_str().to_owned()
        }
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

    /// The divergence, if any.
    pub fn divergence(&self) -> Option<&Divergence> {
        match self {
            Verdict::Conforms => None,
            Verdict::Diverges(d) => Some(d),
        }
    }

    /// Whether the client departs from a MUST or SHOULD (or a security rule): a MAY choice
    /// that differs is not a failure.
    pub fn fails(&self) -> bool {
        self.divergence()
            .is_some_and(|d| d.security() || d.level() != Level::May)
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
pub(crate) fn normalize_percent_case(url: &str) -> String {
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

fn diverge(
    hop: usize,
    field: &str,
    expected: String,
    observed: String,
    rule: &'static Rule,
) -> Verdict {
    Verdict::Diverges(Divergence {
        hop,
        field: field.to_owned(),
        expected,
        observed,
        rule,
        also: Vec::new(),
    })
}

fn yes_no(b: bool) -> String {
    if b { "sent" } else { "not sent" }.to_owned()
}

/// Picks one rule of a hop.
type RuleOf = fn(&HopRules) -> &'static Rule;

/// Every field of request `hop` that differs, in the order of the module docs.
fn request_fields(
    hop: usize,
    e: &RequestView,
    o: &RequestView,
    rules: Option<&HopRules>,
    fallback: &'static Rule,
) -> Vec<FieldDivergence> {
    let pick = |f: fn(&HopRules) -> &'static Rule| rules.map_or(fallback, f);
    let mut out = Vec::new();
    let mut push = |field: &str, expected: String, observed: String, rule: &'static Rule| {
        out.push(FieldDivergence {
            field: field.to_owned(),
            expected,
            observed,
            rule,
        });
    };
    if e.method != o.method {
        push(
            "method",
            e.method.clone(),
            o.method.clone(),
            pick(|r| r.method),
        );
    }
    // The first request is the caller's URL as the client writes it, not a redirect
    // decision: an empty query (`/a?`) may be written without its `?` there.
    let (eu, ou) = if hop == 0 {
        (e.url.trim_end_matches('?'), o.url.trim_end_matches('?'))
    } else {
        (e.url.as_str(), o.url.as_str())
    };
    if normalize_percent_case(eu) != normalize_percent_case(ou) {
        push("url", e.url.clone(), o.url.clone(), pick(|r| r.url));
    }
    if e.body != o.body {
        push("body", e.body.label(), o.body.label(), pick(|r| r.method));
    }
    // With another method, the body and Content-Type follow the client's choice of method:
    // they are graded by the method's rule, not as departures of their own (a POST kept on
    // 301, a MAY, keeps its Content-Type).
    let method_changed = e.method != o.method;
    let headers: [(&str, bool, bool, RuleOf); 4] = [
        ("authorization", e.authorization, o.authorization, |r| {
            r.authorization
        }),
        ("cookie", e.cookie, o.cookie, |r| r.cookie),
        ("content-type", e.content_type, o.content_type, |r| {
            r.content_type
        }),
        (
            "proxy-authorization",
            e.proxy_authorization,
            o.proxy_authorization,
            |r| r.proxy_authorization,
        ),
    ];
    for (field, ev, ov, rule) in headers {
        if ev != ov {
            let rule = if method_changed && field == "content-type" {
                pick(|r| r.method)
            } else {
                pick(rule)
            };
            push(field, yes_no(ev), yes_no(ov), rule);
        }
    }
    out
}

/// Compares hop by hop; see the module docs for the order. Faults of the client that make the
/// rest meaningless come first: a time-out (`timeout`), a flood of requests beyond the
/// server's cap (`flood`), bytes that are not an HTTP request (`garbage`). A connection to a
/// non-http(s) target the model refuses is a request the model does not send (`request`):
/// the client tried to follow, whatever error it reported afterwards.
pub(crate) fn compare(expected: &ExpectedTrace, observed: &ObservedTrace) -> Verdict {
    let at = observed.requests.len().min(expected.requests.len());
    let live = expected.liveness_rule;
    // Following a refused target is the finding, whatever happened there afterwards (a
    // time-out, an error).
    if let (ExpectedEnd::Refuse { .. }, Some(target), true) = (
        &expected.end,
        observed.elsewhere.first(),
        observed.requests.len() == expected.requests.len(),
    ) {
        return diverge(
            at,
            "request",
            format!("no request; {}", expected.end.summary()),
            format!("tried to follow: {target}"),
            expected.end_rule,
        );
    }
    if let ClientOutcome::TimedOut { .. } = observed.outcome {
        return diverge(
            at,
            "timeout",
            expected.end.summary(),
            observed.outcome.summary(),
            live,
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
            live,
        );
    }
    if let Some(bad) = observed.bad_connections.first() {
        return diverge(
            at,
            "garbage",
            "well-formed requests".to_owned(),
            bad.clone(),
            live,
        );
    }
    for (hop, (e, o)) in expected.requests.iter().zip(&observed.requests).enumerate() {
        let rules = hop.checked_sub(1).and_then(|i| expected.hops.get(i));
        let fallback = if hop == 0 {
            expected.first_rule
        } else {
            expected.end_rule
        };
        let mut fields = request_fields(hop, e, o, rules, fallback).into_iter();
        if let Some(first) = fields.next() {
            return Verdict::Diverges(Divergence {
                hop,
                field: first.field,
                expected: first.expected,
                observed: first.observed,
                rule: first.rule,
                also: fields.collect(),
            });
        }
    }
    let (ne, no) = (expected.requests.len(), observed.requests.len());
    if ne > no {
        let missing = &expected.requests[no];
        let rule = no
            .checked_sub(1)
            .and_then(|i| expected.hops.get(i))
            .map_or(expected.end_rule, |r| r.follow);
        return diverge(
            no,
            "request",
            format!("request {}", missing.summary()),
            format!("no request; the client {}", observed.outcome.summary()),
            rule,
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
            expected.end_rule,
        );
    }
    let last = ne.saturating_sub(1);
    match (&expected.end, &observed.outcome) {
        (ExpectedEnd::Deliver { status, .. }, ClientOutcome::Delivered { status: Some(got) })
            if status != got =>
        {
            diverge(
                last,
                "status",
                status.to_string(),
                got.to_string(),
                expected.end_rule,
            )
        }
        (ExpectedEnd::Deliver { .. }, ClientOutcome::Delivered { .. })
        | (ExpectedEnd::Refuse { .. }, ClientOutcome::Failed { .. }) => Verdict::Conforms,
        (end, outcome) => diverge(
            last,
            "outcome",
            end.summary(),
            outcome.summary(),
            expected.end_rule,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Topic;

    fn view(method: &str, path: &str, body: BodyView, auth: bool) -> RequestView {
        RequestView {
            method: method.to_owned(),
            url: format!("http://127.0.0.1:1{path}"),
            body,
            authorization: auth,
            cookie: true,
            content_type: body == BodyView::Original,
            proxy_authorization: false,
        }
    }

    fn expected(requests: Vec<RequestView>, end: ExpectedEnd) -> ExpectedTrace {
        let p = Some(crate::Profile::Fetch);
        let rule = |t| crate::check::rules::rule(p, t);
        let hop = HopRules {
            follow: rule(Topic::FollowRedirect),
            method: rule(Topic::PostOn301Or302),
            url: rule(Topic::Resolve),
            authorization: rule(Topic::AuthorizationCrossOrigin),
            cookie: rule(Topic::CookieCrossOrigin),
            content_type: rule(Topic::ContentHeaders),
            proxy_authorization: rule(Topic::ProxyAuthorizationCrossOrigin),
        };
        ExpectedTrace {
            profile: "fetch".into(),
            hops: vec![hop; requests.len().saturating_sub(1)],
            requests,
            end,
            end_rule: rule(Topic::SchemeNotAllowed),
            first_rule: rule(Topic::HeaderKept),
            liveness_rule: rule(Topic::Liveness),
        }
    }

    fn observed(requests: Vec<RequestView>, outcome: ClientOutcome) -> ObservedTrace {
        ObservedTrace {
            requests,
            outcome,
            flooded: false,
            bad_connections: Vec::new(),
            elsewhere: Vec::new(),
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
        let v = compare(&e, &o);
        assert_eq!(v.key(), "method@1");
        let d = v.divergence().unwrap();
        // The body and Content-Type of the same request differ too, under the same decision.
        let also: Vec<&str> = d.also.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(also, ["body", "content-type"]);
        assert_eq!(d.grade(), "MUST");
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
        // A client that connected to the refused target tried to follow it.
        let mut o = o;
        o.elsewhere = vec!["ftp://127.0.0.1:1/x".into()];
        let v = compare(&e, &o);
        assert_eq!(v.key(), "request@1");
        assert!(v.divergence().unwrap().security(), "{v:?}");
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
