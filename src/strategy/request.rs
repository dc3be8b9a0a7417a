//! Methods, statuses, URLs, header fields, bodies and whole requests.

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use proptest::prelude::*;
use proptest::sample::select;

use crate::check::Request;
use crate::model::Body;

/// Request methods: the standard ones first (GET shrinks simplest), then
/// extension tokens (`PROPFIND`, `QUERY`, lower-case `post`, which is not
/// `POST`: method names are case-sensitive, RFC 9110 §9.1), then any token.
///
/// # Examples
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let m = redirspec::strategy::method().new_tree(&mut runner).unwrap().current();
/// assert!(!m.as_str().is_empty());
/// ```
pub fn method() -> BoxedStrategy<Method> {
    let standard = select(vec![
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ]);
    let extension = select(vec![
        "PROPFIND", "MKCOL", "QUERY", "post", "Get", "M-SEARCH",
    ])
    .prop_map(|s| Method::from_bytes(s.as_bytes()).unwrap_or(Method::GET));
    // RFC 9110 §5.6.2 tchar, minus nothing: any token is a method.
    let token = proptest::collection::vec(
        select(
            b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                .to_vec(),
        ),
        1..12,
    )
    .prop_map(|b| Method::from_bytes(&b).unwrap_or(Method::GET));
    prop_oneof![6 => standard, 2 => extension, 1 => token].boxed()
}

/// Status codes, weighted to 301, 302, 303, 307 and 308, covering every 3xx
/// (300-399) and some non-3xx (2xx, 4xx, 5xx). Shrinks toward 301.
pub fn status() -> BoxedStrategy<StatusCode> {
    let code = |n: u16| StatusCode::from_u16(n).unwrap_or(StatusCode::OK);
    prop_oneof![
        8 => select(vec![301u16, 302, 303, 307, 308]).prop_map(code),
        3 => (300u16..=399).prop_map(code),
        1 => select(vec![200u16, 201, 202, 204, 400, 404, 500]).prop_map(code),
    ]
    .boxed()
}

/// Hosts: reg-names, IPv4 and IPv6 literals, and an internationalised name
/// in its A-label form (`xn--…`: what a request line carries).
pub fn host() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(vec!["a.test", "b.test", "sub.a.test", "localhost"]).prop_map(String::from),
        1 => any::<[u8; 4]>().prop_map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}")),
        1 => select(vec!["[::1]", "[2001:db8::1]", "[fe80::1:2]"]).prop_map(String::from),
        1 => select(vec!["xn--r8jz45g.test", "xn--bcher-kva.test"]).prop_map(String::from),
    ]
    .boxed()
}

fn segment() -> BoxedStrategy<String> {
    select(vec![
        "a", "b", "c", "x.html", "%7Euser", "a%20b", "index", "q;p=1",
    ])
    .prop_map(String::from)
    .boxed()
}

/// Absolute request URLs: http or https, a [`host`], an optional port
/// (explicit default ports included), a path, and optional query and
/// fragment. Every value starts a chain under every profile.
pub fn url() -> BoxedStrategy<String> {
    (
        select(vec!["https", "http"]),
        host(),
        prop_oneof![
            4 => Just(String::new()),
            1 => select(vec![":8080", ":8443", ":80", ":443", ":1"]).prop_map(String::from),
        ],
        proptest::collection::vec(segment(), 0..4),
        proptest::option::of(select(vec!["q=1", "a=b&c=d", "", "x=%2F"])),
        proptest::option::of(select(vec!["f", "", "top", "a/b?c"])),
    )
        .prop_map(|(scheme, host, port, segs, query, frag)| {
            let mut u = format!("{scheme}://{host}{port}/{}", segs.join("/"));
            if let Some(q) = query {
                u.push('?');
                u.push_str(q);
            }
            if let Some(f) = frag {
                u.push('#');
                u.push_str(f);
            }
            u
        })
        .boxed()
}

/// URLs that the WHATWG URL parser and RFC 3986 write the same way: lower-case
/// reg-names, no explicit default port, a non-empty path, plain characters.
/// The subset on which the profiles' parsers can be compared.
pub fn plain_url() -> BoxedStrategy<String> {
    (
        select(vec!["https", "http"]),
        select(vec!["a.test", "b.test", "c.test"]),
        select(vec!["", ":8080"]),
        proptest::collection::vec(select(vec!["a", "b", "c", "x.html"]), 0..4),
        proptest::option::of(select(vec!["q=1", "a=b"])),
        proptest::option::of(select(vec!["f", "top"])),
    )
        .prop_map(|(scheme, host, port, segs, query, frag)| {
            let mut u = format!("{scheme}://{host}{port}/{}", segs.join("/"));
            if let Some(q) = query {
                u.push('?');
                u.push_str(q);
            }
            if let Some(f) = frag {
                u.push('#');
                u.push_str(f);
            }
            u
        })
        .boxed()
}

/// Request header fields: each of Authorization, Cookie, Proxy-Authorization,
/// Content-Type, Content-Encoding, Content-Language, Content-Length,
/// Content-Location and one custom field present or not. Shrinks toward no fields.
pub fn headers() -> BoxedStrategy<HeaderMap> {
    let field = |name: &'static str, values: Vec<&'static str>| {
        proptest::option::of(select(values)).prop_map(move |v| v.map(|v| (name, v)))
    };
    (
        field("authorization", vec!["Bearer t", "Basic dTpw"]),
        field("cookie", vec!["sid=1", "a=b; c=d"]),
        field("proxy-authorization", vec!["Basic cDpx"]),
        field("content-type", vec!["text/plain", "application/json"]),
        field("content-encoding", vec!["gzip"]),
        field("content-language", vec!["en"]),
        field("content-length", vec!["5", "0"]),
        field("content-location", vec!["/doc", "https://a.test/doc"]),
        field("x-trace", vec!["1"]),
    )
        .prop_map(|(a, b, c, d, e, f, g, l, h)| {
            let mut map = HeaderMap::new();
            for (name, value) in [a, b, c, d, e, f, g, l, h].into_iter().flatten() {
                map.append(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            map
        })
        .boxed()
}

/// Bodies: none, bytes (a length), or a stream that cannot be sent again.
/// Shrinks toward none.
pub fn body() -> BoxedStrategy<Body> {
    prop_oneof![
        Just(Body::None),
        (0u64..4096).prop_map(Body::Bytes),
        Just(Body::Stream),
    ]
    .boxed()
}

/// First requests: a [`method`], a [`url`](fn@url), [`headers`] and a [`body`].
pub fn request() -> BoxedStrategy<Request> {
    (method(), url(), headers(), body())
        .prop_map(|(method, url, headers, body)| Request {
            method,
            url,
            headers,
            body,
        })
        .boxed()
}
