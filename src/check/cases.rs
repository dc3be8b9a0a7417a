//! The built-in scenarios [`assert_conforms`](super::assert_conforms) runs:
//! every status against every kind of method, fragments, relative
//! resolution across hops, credentials across origins, schemes, the hop
//! limit, loops, streamed bodies and malformed Location values.

use http::Method;

use super::follower::{Request, Response, Scenario};
use crate::model::Body;

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap_or(Method::GET)
}

/// A request with credentials, and with a body and its headers unless the
/// method is GET or HEAD.
fn request(m: &str, url: &str) -> Request {
    let r = with(Request::new(method(m), url), "authorization", "Bearer t");
    let r = with(r, "cookie", "sid=1");
    if m == "GET" || m == "HEAD" {
        r
    } else {
        let r = with(r, "content-type", "text/plain");
        with(r, "content-length", "5").body(Body::Bytes(5))
    }
}

/// `r` with one more of the table's own header fields (constants, all valid).
fn with(mut r: Request, name: &'static str, value: &'static str) -> Request {
    r.headers.append(
        http::HeaderName::from_static(name),
        http::HeaderValue::from_static(value),
    );
    r
}

fn ok() -> Response {
    Response::status(http::StatusCode::OK)
}

fn one(req: Request, status: u16, location: &[u8]) -> Scenario {
    // The table's own codes, all 100-999.
    let status =
        http::StatusCode::from_u16(status).expect("the built-in table's codes are 100-999");
    Scenario::new(req, vec![Response::redirect(status, location), ok()])
}

/// Every built-in scenario, in a stable order.
///
/// # Examples
/// ```
/// assert!(redirspec::check::builtin_scenarios().len() > 100);
/// ```
pub fn builtin_scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    // Every status class against standard and extension methods (RFC 9110
    // §15.4; Fetch "HTTP-redirect fetch" step 12; RFC 2616 §10.3).
    for status in [
        301u16, 302, 303, 307, 308, 300, 304, 305, 306, 309, 399, 200, 201,
    ] {
        for m in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "PROPFIND"] {
            out.push(one(
                request(m, "https://a.test/form"),
                status,
                b"https://a.test/next",
            ));
        }
    }
    // Fragments (RFC 9110 §10.2.2; Fetch "location URL").
    for loc in [
        &b"/y"[..],
        b"/y#",
        b"/y#g",
        b"https://b.test/w",
        b"https://b.test/w#g",
    ] {
        out.push(one(request("GET", "https://a.test/x#frag"), 302, loc));
    }
    // Relative references resolve against the current URL, not the first
    // (RFC 9110 §10.2.2 "relative to the target URI"; RFC 3986 §5.2).
    for loc in [
        &b"../g"[..],
        b"g;x?y",
        b"?q=1",
        b"#f",
        b"",
        b"//c.test/h",
        b"/a/./b/../c/./d",
        b"./e/../../f",
    ] {
        out.push(Scenario::new(
            request("GET", "http://a.test/a/b/c"),
            vec![
                Response::redirect(http::StatusCode::FOUND, "http://b.test/d/e/f"),
                Response::redirect(http::StatusCode::FOUND, loc),
                ok(),
            ],
        ));
    }
    // Credentials: across hosts, ports and schemes, and back again (Fetch
    // step 14: once removed, they stay removed; RFC 9110 §15.4 step 3).
    for (to, back) in [
        ("https://b.test/", "https://a.test/back"),
        ("https://a.test:8443/", "https://a.test/back"),
        ("http://a.test/", "https://a.test/back"),
        ("https://sub.a.test/", "https://a.test/back"),
        ("/same", "/again"),
        ("https://A.TEST:443/same", "/again"),
    ] {
        for m in ["GET", "PUT"] {
            out.push(Scenario::new(
                request(m, "https://a.test/"),
                vec![
                    Response::redirect(http::StatusCode::TEMPORARY_REDIRECT, to),
                    Response::redirect(http::StatusCode::TEMPORARY_REDIRECT, back),
                    ok(),
                ],
            ));
        }
    }
    // One credential at a time, on to another origin and then a same-origin
    // hop there: a credential removed once must stay removed.
    for (name, value) in [
        ("authorization", "Bearer t"),
        ("cookie", "sid=1"),
        ("proxy-authorization", "Basic cDpx"),
    ] {
        out.push(Scenario::new(
            with(Request::new(Method::GET, "https://a.test/"), name, value),
            vec![
                Response::redirect(http::StatusCode::FOUND, "https://b.test/1"),
                Response::redirect(http::StatusCode::FOUND, "/2"),
                ok(),
            ],
        ));
    }
    // Schemes (Fetch step 6: "not an HTTP(S) scheme" -> network error).
    for loc in [
        &b"https://a.test/up"[..],
        b"ftp://a.test/f",
        b"javascript:alert(1)",
        b"data:,x",
        b"file:///etc/passwd",
        b"HTTPS://b.test/",
    ] {
        out.push(one(request("GET", "http://a.test/"), 302, loc));
    }
    out.push(one(
        request("GET", "https://a.test/"),
        301,
        b"http://a.test/down",
    ));
    // No Location, several Location lines.
    out.push(Scenario::new(
        request("POST", "https://a.test/"),
        vec![Response::status(http::StatusCode::FOUND), ok()],
    ));
    out.push(Scenario::new(
        request("GET", "https://a.test/"),
        vec![
            Response {
                status: http::StatusCode::FOUND,
                location: vec![b"/a".to_vec(), b"/b".to_vec()],
            },
            ok(),
        ],
    ));
    // The hop limit: 25 distinct hops (Fetch refuses the 21st, RFC 2616's
    // profile the 6th).
    for status in [
        http::StatusCode::MOVED_PERMANENTLY,
        http::StatusCode::PERMANENT_REDIRECT,
    ] {
        let mut responses: Vec<Response> = (1..=25)
            .map(|i| Response::redirect(status, format!("/hop{i}")))
            .collect();
        responses.push(ok());
        out.push(Scenario::new(
            request("GET", "https://a.test/hop0"),
            responses,
        ));
    }
    // Loops: A -> B -> A -> ... (RFC 9110 §15.4: "SHOULD detect ... cyclical
    // redirections"); and a self-loop.
    let mut responses: Vec<Response> = (0..25)
        .map(|i| {
            Response::redirect(
                http::StatusCode::FOUND,
                if i % 2 == 0 { "/b" } else { "/a" },
            )
        })
        .collect();
    responses.push(ok());
    out.push(Scenario::new(request("GET", "https://a.test/a"), responses));
    out.push(Scenario::new(
        request("GET", "https://a.test/a"),
        vec![Response::redirect(http::StatusCode::FOUND, "/a"), ok()],
    ));
    // Streamed bodies (Fetch step 11: not 303 + stream -> network error).
    for status in [301u16, 302, 303, 307, 308] {
        out.push(one(
            request("POST", "https://a.test/up").body(Body::Stream),
            status,
            b"/next",
        ));
        out.push(one(
            request("PUT", "https://a.test/up").body(Body::Stream),
            status,
            b"/next",
        ));
    }
    // Malformed and unusual Location values.
    for loc in [
        &b"/a b"[..],
        b"/a\r\nSet-Cookie: x=1",
        b"/a\x00b",
        b"/\xc3\xbc",
        b"/\xff\xfe",
        b"\\\\evil.test/x",
        b"/a\\b",
        b"/%zz",
        b"https://user:pass@b.test/",
        b"http://a.test:99999/",
        b"http://a.test:/p",
        b"http://[::1/",
        b"http://[::1]/v6",
        b"http://\xe4\xbe\x8b\xe3\x81\x88.test/",
        b"  /trimmed  ",
        b"http:/no-slash",
        b"https:",
        b"//",
    ] {
        out.push(one(request("GET", "https://a.test/dir/x"), 302, loc));
    }
    let long = format!("/{}", "a".repeat(70 * 1024));
    out.push(one(request("GET", "https://a.test/"), 302, long.as_bytes()));
    out
}
