//! Every finding of the server checker on raw bytes: one fixture that
//! triggers it and one that does not, with the spec sentence beside it.

#![cfg(feature = "server")]

use http::{Method, Response, StatusCode};
use redirspec::server::{check_raw, check_response, Level, ParseError, Report, RequestInfo, Rule};

/// A raw response from a status line, field lines and content (CRLF added).
fn raw(status_line: &str, fields: &[&str], content: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status_line}\r\n").into_bytes();
    for f in fields {
        out.extend_from_slice(f.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(content);
    out
}

fn req(method: &str, url: &str) -> RequestInfo {
    RequestInfo::new(method.parse().unwrap(), url).unwrap()
}

fn get() -> RequestInfo {
    req("GET", "https://a.test/dir/page?x=1")
}

fn check(bytes: &[u8], request: &RequestInfo) -> Report {
    check_raw(bytes, request)
        .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(bytes)))
}

/// Asserts that `id` fires on `bad` and not on `good`; returns the report for `bad`.
fn pair(id: &str, bad: (&[u8], &RequestInfo), good: (&[u8], &RequestInfo)) -> Report {
    assert!(Rule::ALL.iter().any(|r| r.id() == id), "unknown id {id}");
    let b = check(bad.0, bad.1);
    assert!(b.has(id), "{id} did not fire on:\n{b}");
    let g = check(good.0, good.1);
    assert!(!g.has(id), "{id} fired on the clean fixture:\n{g}");
    b
}

fn finding<'r>(report: &'r Report, id: &str) -> &'r redirspec::server::Finding {
    report.findings().iter().find(|f| f.id() == id).unwrap()
}

#[test]
fn redirect_without_location() {
    // RFC 9110 §15.4.3: "The server SHOULD generate a Location header field
    // in the response containing a URI reference for the different URI."
    for code in [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let r = pair(
            "redirect-without-location",
            (&raw(code, &["Content-Length: 0"], b""), &get()),
            (
                &raw(code, &["Location: /next", "Content-Length: 0"], b""),
                &get(),
            ),
        );
        assert_eq!(
            finding(&r, "redirect-without-location").level(),
            Level::Should
        );
    }
    // 300 and 304 need no Location.
    assert!(!check(&raw("304 Not Modified", &[], b""), &get()).has("redirect-without-location"));
}

#[test]
fn location_multiple() {
    // RFC 9110 §5.3: a sender MUST NOT generate multiple field lines with the
    // same name unless the field is a list; Location is one URI-reference.
    let bad = raw(
        "302 Found",
        &["Location: /a", "Content-Length: 0", "location: /b"],
        b"",
    );
    let r = pair(
        "location-multiple",
        (&bad, &get()),
        (
            &raw("302 Found", &["Location: /a", "Content-Length: 0"], b""),
            &get(),
        ),
    );
    let e = finding(&r, "location-multiple").evidence().unwrap();
    assert_eq!(e.bytes, b"/b");
    assert_eq!(&bad[e.offset.unwrap()..e.offset.unwrap() + 2], b"/b");
    assert!(r.breaks_must());
}

#[test]
fn location_control_bytes() {
    // RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters are
    // invalid and dangerous". Raw bytes with a bare CR, a NUL or another
    // control byte in a value are not a response at all: a typed error that
    // names the byte and its offset.
    for (bytes, at, byte) in [
        (
            &b"HTTP/1.1 302 Found\r\nLocation: /a\rb\r\n\r\n"[..],
            32,
            b'\r',
        ),
        (
            &b"HTTP/1.1 302 Found\r\nLocation: /a\x00b\r\n\r\n"[..],
            32,
            0,
        ),
        (
            &b"HTTP/1.1 302 Found\r\nLocation: /a\x7fb\r\n\r\n"[..],
            32,
            0x7f,
        ),
    ] {
        assert_eq!(
            check_raw(bytes, &get()),
            Err(ParseError::FieldValue { offset: at, byte })
        );
    }
    // Obsolete line folding gets through (RFC 9112 §5.2) with its CR LF.
    let folded = b"HTTP/1.1 302 Found\r\nLocation: /a\r\n /b\r\nContent-Length: 0\r\n\r\n";
    let r = pair(
        "location-control",
        (folded, &get()),
        (
            &raw("302 Found", &["Location: /a/b", "Content-Length: 0"], b""),
            &get(),
        ),
    );
    let f = finding(&r, "location-control");
    assert!(f.message().contains("line folding"), "{}", f.message());
    assert_eq!(
        &folded[f.evidence().unwrap().offset.unwrap()..][..2],
        b"\r\n"
    );
    assert!(r.breaks_must());
}

#[test]
fn location_whitespace() {
    let bad = raw(
        "301 Moved Permanently",
        &["Location: /a b", "Content-Length: 0"],
        b"",
    );
    let r = pair(
        "location-whitespace",
        (&bad, &get()),
        // Leading and trailing OWS are not part of the value (RFC 9110 §5.5).
        (
            &raw(
                "301 Moved Permanently",
                &["Location: \t/a%20b  ", "Content-Length: 0"],
                b"",
            ),
            &get(),
        ),
    );
    let e = finding(&r, "location-whitespace").evidence().unwrap();
    assert_eq!(bad[e.offset.unwrap()], b' ');
    assert_eq!(
        e.offset.unwrap(),
        bad.windows(4).position(|w| w == b"/a b").unwrap() + 2
    );
}

#[test]
fn location_invalid_reports_the_first_bad_byte() {
    // RFC 9110 §10.2.2: Location = URI-reference; RFC 3986 §2 has no `\`.
    let bad = raw(
        "302 Found",
        &["Location: /\\evil.test", "Content-Length: 0"],
        b"",
    );
    let r = pair(
        "location-invalid",
        (&bad, &get()),
        (
            &raw(
                "302 Found",
                &["Location: https://b.test/%5Cevil", "Content-Length: 0"],
                b"",
            ),
            &get(),
        ),
    );
    let f = finding(&r, "location-invalid");
    let at = f.evidence().unwrap().offset.unwrap();
    assert_eq!(bad[at], b'\\');
    assert!(f.message().contains("backslash"), "{}", f.message());
    // Non-ASCII must be percent-encoded (RFC 3986 §2.1); a bad escape too.
    let utf8 = raw(
        "302 Found",
        &["Location: /caf\u{e9}", "Content-Length: 0"],
        b"",
    );
    assert!(check(&utf8, &get()).has("location-invalid"));
    let pct = raw("302 Found", &["Location: /a%zz", "Content-Length: 0"], b"");
    let r = check(&pct, &get());
    let at = finding(&r, "location-invalid")
        .evidence()
        .unwrap()
        .offset
        .unwrap();
    assert_eq!(&pct[at..at + 3], b"%zz");
}

/// RFC 9110 §4.2.1: `http-URI = "http" "://" authority path-abempty [ "?"
/// query ]`; "A sender MUST NOT generate an "http" URI with an empty host
/// identifier. A recipient that processes such a URI reference MUST reject
/// it as invalid." §4.2.2 says the same of https.
#[test]
fn location_invalid_for_an_http_uri_without_a_host() {
    // (value, offset in the value where the host should be)
    let bad = [
        ("https:///x", 8),
        ("https:x", 6),
        ("http://", 7),
        ("https:///evil.test", 8),
        ("https:evil.test", 6),
        ("http:evil.test", 5),
        ("http:/evil.test", 5),
        ("HTTPS:evil.test", 6),
        ("http:", 5),
        ("https:?q", 6),
        ("http://:80/", 7),
        ("http://user@/x", 12),
        ("http://?q", 7),
        ("http://#f", 7),
        // A network-path reference takes the request's scheme: `///x` is
        // `https:///x` (RFC 3986 §5.2.2).
        ("///evil.test", 2),
        ("//", 2),
        ("//:443/x", 2),
    ];
    for (value, p) in bad {
        for request in [get(), req("GET", "http://a.test/")] {
            let location = format!("Location: {value}");
            let bytes = raw("302 Found", &[&location, "Content-Length: 0"], b"");
            let r = check(&bytes, &request);
            let f = finding(&r, "location-invalid");
            assert_eq!(f.level(), Level::Must, "{value}");
            assert_eq!(f.section(), "RFC 9110 §4.2.1, §4.2.2", "{value}");
            let start = bytes
                .windows(value.len())
                .position(|w| w == value.as_bytes());
            assert_eq!(
                f.evidence().unwrap().offset,
                start.map(|s| s + p),
                "{value}: {f}"
            );
            assert!(f.message().contains(&format!("offset {p}")), "{f}");
            assert!(
                !r.has("location-self-loop") && !r.has("https-downgrade"),
                "{r}"
            );
        }
        // The same through an http::Response (no offsets, same verdict).
        let response = Response::builder()
            .status(StatusCode::FOUND)
            .header("location", value)
            .body(())
            .unwrap();
        assert!(
            check_response(&response, 0, &get()).has("location-invalid"),
            "{value}"
        );
    }
    // Every valid relative reference passes, and so do hosts that are there.
    for value in [
        "",
        "x",
        "./https:x",
        "/https:x",
        "/http://",
        "?http://",
        "#https:x",
        "..",
        "/",
        "//b.test",
        "//b.test:8443/x?y#z",
        "//u@b.test",
        "https://b.test",
        "http://b.test?x",
        "HTTP://B.TEST/",
        "https://[::1]/",
        "http://127.0.0.1:8080/",
        "mailto:a@b.test",
        "urn:isbn:0",
        "web+x:///p",
        "file:///etc/passwd",
    ] {
        let location = format!("Location: {value}");
        let r = check(
            &raw("302 Found", &[&location, "Content-Length: 0"], b""),
            &get(),
        );
        assert!(!r.has("location-invalid"), "{value:?}:\n{r}");
    }
}

#[test]
fn location_self_loop() {
    // RFC 9110 §15.4: "A client SHOULD detect and intervene in cyclical
    // redirections"; the fragment is not part of the request target.
    let request = req("GET", "https://A.test:443/dir/page?x=1");
    for value in [
        "https://a.test/dir/page?x=1#top",
        "page?x=1",
        "/dir/page?x=1",
        "//a.test/dir/./page?x=1",
    ] {
        let r = pair(
            "location-self-loop",
            (
                &raw(
                    "302 Found",
                    &[&format!("Location: {value}"), "Content-Length: 0"],
                    b"",
                ),
                &request,
            ),
            (
                &raw(
                    "302 Found",
                    &["Location: page?x=2", "Content-Length: 0"],
                    b"",
                ),
                &request,
            ),
        );
        assert_eq!(
            finding(&r, "location-self-loop").level(),
            Level::Should,
            "{value}"
        );
    }
    // A cookie set on the way makes it the usual login dance: advice only.
    let r = check(
        &raw(
            "302 Found",
            &[
                "Set-Cookie: s=1",
                "Location: /dir/page?x=1",
                "Content-Length: 0",
            ],
            b"",
        ),
        &request,
    );
    assert_eq!(finding(&r, "location-self-loop").level(), Level::Advice);
    // Post/Redirect/Get: a POST answered with 303 (or 302, which clients
    // turn into GET) to its own URL is followed by a GET, not a loop.
    let post = req("POST", "https://a.test/dir/page?x=1");
    for code in ["303 See Other", "302 Found"] {
        let prg = raw(code, &["Location: /dir/page?x=1", "Content-Length: 0"], b"");
        assert!(!check(&prg, &post).has("location-self-loop"), "{code}");
    }
    let keep = raw(
        "307 Temporary Redirect",
        &["Location: /dir/page?x=1", "Content-Length: 0"],
        b"",
    );
    assert!(check(&keep, &post).has("location-self-loop"));
    // An empty path is "/" (RFC 9110 §4.2.3).
    let root = req("GET", "http://a.test");
    assert!(check(
        &raw(
            "307 Temporary Redirect",
            &["Location: /", "Content-Length: 0"],
            b""
        ),
        &root
    )
    .has("location-self-loop"));
}

#[test]
fn https_downgrade() {
    let r = pair(
        "https-downgrade",
        (
            &raw(
                "301 Moved Permanently",
                &["Location: http://a.test/", "Content-Length: 0"],
                b"",
            ),
            &get(),
        ),
        (
            &raw(
                "301 Moved Permanently",
                &["Location: //a.test/", "Content-Length: 0"],
                b"",
            ),
            &get(),
        ),
    );
    assert!(!r.breaks_must());
    // http -> http is no downgrade.
    let plain = req("GET", "http://a.test/");
    assert!(!check(
        &raw(
            "302 Found",
            &["Location: http://b.test/", "Content-Length: 0"],
            b""
        ),
        &plain
    )
    .has("https-downgrade"));
}

#[test]
fn not_modified_with_content() {
    // RFC 9110 §15.4.5: "A 304 response is terminated by the end of the
    // header section; it cannot contain content or trailers."
    let bad = raw("304 Not Modified", &["Content-Length: 5"], b"hello");
    let r = pair(
        "not-modified-with-content",
        (&bad, &get()),
        // Content-Length on a 304 describes the representation: allowed.
        (
            &raw("304 Not Modified", &["Content-Length: 5"], b""),
            &get(),
        ),
    );
    let e = finding(&r, "not-modified-with-content").evidence().unwrap();
    assert_eq!(&bad[e.offset.unwrap()..], b"hello");
    assert!(!r.has("content-length-mismatch"));
}

#[test]
fn head_with_content() {
    // RFC 9110 §9.3.2: "the server MUST NOT send content in the response".
    let head = req("HEAD", "https://a.test/x");
    pair(
        "head-with-content",
        (
            &raw("302 Found", &["Location: /y", "Content-Length: 3"], b"abc"),
            &head,
        ),
        (
            &raw("302 Found", &["Location: /y", "Content-Length: 3"], b""),
            &head,
        ),
    );
    // The same bytes answer a GET correctly.
    assert!(check(
        &raw("302 Found", &["Location: /y", "Content-Length: 3"], b"abc"),
        &get()
    )
    .is_clean());
}

#[test]
fn content_length_mismatch() {
    // RFC 9112 §6.3: the length is Content-Length; more bytes start the
    // next message, fewer leave the message incomplete.
    let longer = raw("302 Found", &["Location: /y", "Content-Length: 2"], b"abcd");
    let r = pair(
        "content-length-mismatch",
        (&longer, &get()),
        (
            &raw("302 Found", &["Location: /y", "Content-Length: 4"], b"abcd"),
            &get(),
        ),
    );
    let e = finding(&r, "content-length-mismatch").evidence().unwrap();
    assert_eq!(&longer[e.offset.unwrap()..], b"cd");
    let shorter = raw(
        "302 Found",
        &["Location: /y", "Content-Length: 10"],
        b"abcd",
    );
    assert!(check(&shorter, &get()).has("content-length-mismatch"));
    // Without Content-Length the body runs to the close: nothing to compare.
    assert!(check(&raw("302 Found", &["Location: /y"], b"abcd"), &get()).is_clean());
}

#[test]
fn content_length_invalid_and_with_transfer_encoding() {
    // RFC 9110 §8.6: Content-Length = 1*DIGIT.
    pair(
        "content-length-invalid",
        (
            &raw("302 Found", &["Location: /y", "Content-Length: -1"], b""),
            &get(),
        ),
        (
            &raw("302 Found", &["Location: /y", "Content-Length: 0"], b""),
            &get(),
        ),
    );
    let differ = raw(
        "302 Found",
        &["Location: /y", "Content-Length: 1", "Content-Length: 2"],
        b"ab",
    );
    let r = check(&differ, &get());
    assert_eq!(finding(&r, "content-length-invalid").level(), Level::Must);
    let same = raw(
        "302 Found",
        &["Location: /y", "Content-Length: 2, 2"],
        b"ab",
    );
    // A sender of `2, 2` breaks the grammar (RFC 9110 §8.6, §2.2); of two
    // equal lines, RFC 9110 §5.3. Only a recipient may repair it.
    let r = check(&same, &get());
    let f = finding(&r, "content-length-invalid");
    assert_eq!(
        (f.level(), f.section()),
        (Level::Must, "RFC 9110 §8.6, §2.2")
    );
    let two = raw(
        "302 Found",
        &["Location: /y", "Content-Length: 2", "Content-Length: 2"],
        b"ab",
    );
    let r = check(&two, &get());
    let f = finding(&r, "content-length-invalid");
    assert_eq!(
        (f.level(), f.section()),
        (Level::Must, "RFC 9110 §5.3, §8.6")
    );
    // RFC 9112 §6.2: "A sender MUST NOT send a Content-Length header field in
    // any message that contains a Transfer-Encoding header field."
    pair(
        "content-length-with-transfer-encoding",
        (
            &raw(
                "302 Found",
                &[
                    "Location: /y",
                    "Content-Length: 5",
                    "Transfer-Encoding: chunked",
                ],
                b"0\r\n\r\n",
            ),
            &get(),
        ),
        (
            &raw(
                "302 Found",
                &["Location: /y", "Transfer-Encoding: chunked"],
                b"0\r\n\r\n",
            ),
            &get(),
        ),
    );
}

#[test]
fn use_proxy_and_unused() {
    pair(
        "use-proxy-sent",
        (
            &raw(
                "305 Use Proxy",
                &["Location: http://proxy.test/", "Content-Length: 0"],
                b"",
            ),
            &get(),
        ),
        (
            &raw(
                "307 Temporary Redirect",
                &["Location: http://proxy.test/", "Content-Length: 0"],
                b"",
            ),
            &get(),
        ),
    );
    pair(
        "unused-status-sent",
        (
            &raw("306 Switch Proxy", &["Content-Length: 0"], b""),
            &get(),
        ),
        (&raw("399 Whatever", &["Content-Length: 0"], b""), &get()),
    );
}

#[test]
fn multiple_choices_without_choices() {
    // RFC 9110 §15.4.1: the server SHOULD generate content listing the
    // choices, and a Location when it prefers one.
    pair(
        "multiple-choices-without-choices",
        (
            &raw("300 Multiple Choices", &["Content-Length: 0"], b""),
            &get(),
        ),
        (
            &raw(
                "300 Multiple Choices",
                &["Content-Type: text/html", "Content-Length: 13"],
                b"<a href=a>a</",
            ),
            &get(),
        ),
    );
    assert!(!check(
        &raw(
            "300 Multiple Choices",
            &["Location: /en", "Content-Length: 0"],
            b""
        ),
        &get()
    )
    .has("multiple-choices-without-choices"));
    let head = req("HEAD", "https://a.test/x");
    assert!(!check(
        &raw("300 Multiple Choices", &["Link: </en>; rel=alternate"], b""),
        &head
    )
    .has("multiple-choices-without-choices"));
}

#[test]
fn temporary_redirect_heuristic_caching() {
    // RFC 9111 §4.2.2: heuristic freshness applies to responses "marked as
    // explicitly cacheable (e.g., with a public response directive)".
    for code in ["302 Found", "307 Temporary Redirect"] {
        let r = pair(
            "temporary-redirect-heuristic-caching",
            (
                &raw(
                    code,
                    &["Location: /y", "Cache-Control: public", "Content-Length: 0"],
                    b"",
                ),
                &get(),
            ),
            (
                &raw(
                    code,
                    &[
                        "Location: /y",
                        "Cache-Control: public, max-age=60",
                        "Content-Length: 0",
                    ],
                    b"",
                ),
                &get(),
            ),
        );
        // ADVICE: RFC 9111 §4.2.2 lets caches use heuristics on a `public`
        // response; no requirement on the server forbids sending it.
        assert_eq!(
            finding(&r, "temporary-redirect-heuristic-caching").level(),
            Level::Advice
        );
        assert!(!r.breaks_must());
    }
    let lm = raw(
        "302 Found",
        &[
            "Location: /y",
            "Last-Modified: Tue, 15 Nov 1994 12:45:26 GMT",
            "Content-Length: 0",
        ],
        b"",
    );
    let r = check(&lm, &get());
    assert_eq!(
        finding(&r, "temporary-redirect-heuristic-caching").level(),
        Level::Advice
    );
    assert!(!check(
        &raw(
            "302 Found",
            &["Location: /y", "Cache-Control: no-store, public"],
            b""
        ),
        &get()
    )
    .has("temporary-redirect-heuristic-caching"));
}

#[test]
fn permanent_redirect_not_cacheable() {
    // RFC 9110 §15.4.2: 301 is heuristically cacheable; no-store, a zero
    // max-age or an Expires in the past say the opposite of "permanent".
    for (code, field) in [
        ("301 Moved Permanently", "Cache-Control: no-store"),
        ("308 Permanent Redirect", "Cache-Control: max-age=0"),
        ("301 Moved Permanently", "Expires: 0"),
    ] {
        let r = pair(
            "permanent-redirect-not-cacheable",
            (
                &raw(code, &["Location: /y", field, "Content-Length: 0"], b""),
                &get(),
            ),
            (
                &raw(
                    code,
                    &[
                        "Location: /y",
                        "Cache-Control: max-age=31536000",
                        "Content-Length: 0",
                    ],
                    b"",
                ),
                &get(),
            ),
        );
        assert_eq!(
            finding(&r, "permanent-redirect-not-cacheable").level(),
            Level::Advice
        );
    }
    let past = raw(
        "301 Moved Permanently",
        &[
            "Location: /y",
            "Date: Wed, 25 Nov 2026 10:00:00 GMT",
            "Expires: Wed, 25 Nov 2026 09:00:00 GMT",
            "Content-Length: 0",
        ],
        b"",
    );
    assert!(check(&past, &get()).has("permanent-redirect-not-cacheable"));
    let future = raw(
        "301 Moved Permanently",
        &[
            "Location: /y",
            "Date: Wed, 25 Nov 2026 10:00:00 GMT",
            "Expires: Thu, 26 Nov 2026 10:00:00 GMT",
            "Content-Length: 0",
        ],
        b"",
    );
    assert!(!check(&future, &get()).has("permanent-redirect-not-cacheable"));
    // max-age overrides Expires (RFC 9111 §5.3).
    let overridden = raw(
        "308 Permanent Redirect",
        &["Location: /y", "Cache-Control: max-age=600", "Expires: 0"],
        b"",
    );
    assert!(!check(&overridden, &get()).has("permanent-redirect-not-cacheable"));
}

/// Cache-Control is read by the redirect cache's parser: a comma inside a
/// quoted string (RFC 9110 §5.6.4) does not split the list, so field names
/// listed in `no-cache="…"` or `private="…"` are not directives. (The
/// checker's own splitter read `private="x, max-age=0"` as a zero max-age
/// and `no-cache="Set-Cookie, public, X"` as `public`.)
#[test]
fn cache_control_quoted_lists_are_not_split() {
    const PERMANENT: &str = "permanent-redirect-not-cacheable";
    const TEMPORARY: &str = "temporary-redirect-heuristic-caching";
    for (status, cache_control, rule, found) in [
        // Inside quotes: arguments, not directives.
        (
            "301 Moved Permanently",
            r#"max-age=3600, private="x, max-age=0""#,
            PERMANENT,
            false,
        ),
        (
            "302 Found",
            r#"no-cache="Set-Cookie, public, X""#,
            TEMPORARY,
            false,
        ),
        // The same directives outside quotes are read.
        (
            "301 Moved Permanently",
            "private, max-age=0",
            PERMANENT,
            true,
        ),
        ("302 Found", "no-cache, public", TEMPORARY, true),
    ] {
        let field = format!("Cache-Control: {cache_control}");
        let r = raw(status, &["Location: /y", &field, "Content-Length: 0"], b"");
        assert_eq!(
            check(&r, &get()).has(rule),
            found,
            "{status} {field}: {rule}"
        );
    }
}

#[test]
fn post_redirect_ambiguous() {
    // RFC 9110 §15.4.3: "For historical reasons, a user agent MAY change the
    // request method from POST to GET for the subsequent request."
    let post = req("POST", "https://a.test/form");
    for code in ["301 Moved Permanently", "302 Found"] {
        let r = pair(
            "post-redirect-ambiguous",
            (
                &raw(code, &["Location: /done", "Content-Length: 0"], b""),
                &post,
            ),
            (
                &raw(
                    "303 See Other",
                    &["Location: /done", "Content-Length: 0"],
                    b"",
                ),
                &post,
            ),
        );
        assert_eq!(r.findings().len(), 1, "{r}");
        assert!(!r.breaks_must());
    }
    assert!(check(
        &raw("302 Found", &["Location: /done", "Content-Length: 0"], b""),
        &get()
    )
    .is_clean());
}

#[test]
fn open_redirect_probe() {
    let probe =
        |value: &str| req("GET", "http://127.0.0.1:8080/login?next=x").with_probe("next", value);
    for value in [
        "//evil.test",
        "/\\evil.test",
        "https:evil.test",
        "\\\\evil.test",
        "https://evil\u{3002}test",
        "https://evil%2etest/",
    ] {
        let location = format!("Location: {value}");
        let r = check(
            &raw("302 Found", &[&location, "Content-Length: 0"], b""),
            &probe(value),
        );
        assert!(r.has("open-redirect"), "{value:?}:\n{r}");
    }
    pair(
        "open-redirect",
        (
            &raw(
                "302 Found",
                &["Location: //evil.test", "Content-Length: 0"],
                b"",
            ),
            &probe("//evil.test"),
        ),
        (
            &raw(
                "302 Found",
                &["Location: /%2F%2Fevil.test", "Content-Length: 0"],
                b"",
            ),
            &probe("//evil.test"),
        ),
    );
    // Same bytes without a probe: the checker does not guess intent.
    assert!(!check(
        &raw(
            "302 Found",
            &["Location: //evil.test", "Content-Length: 0"],
            b""
        ),
        &get()
    )
    .has("open-redirect"));
}

#[test]
fn http_response_input() {
    let head = RequestInfo::new(Method::HEAD, "https://a.test/x").unwrap();
    let response = Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header("location", "/a b")
        .header("content-length", "7")
        .body(())
        .unwrap();
    let r = check_response(&response, 7, &head);
    assert!(
        r.has("location-whitespace") && r.has("head-with-content"),
        "{r}"
    );
    let get = RequestInfo::new(Method::GET, "https://a.test/x").unwrap();
    let r = check_response(&response, 3, &get);
    assert!(r.has("content-length-mismatch"), "{r}");
}

#[test]
fn malformed_bytes_are_typed_errors() {
    assert_eq!(check_raw(b"", &get()), Err(ParseError::Incomplete));
    assert_eq!(
        check_raw(b"HTTP/1.1 302 Found\r\nLocation /x\r\n\r\n", &get()),
        Err(ParseError::FieldName)
    );
    assert!(check_raw(b"\xff\xfe\x00garbage\r\n\r\n", &get()).is_err());
}

#[test]
fn report_reads_well() {
    let r = check(
        &raw(
            "302 Found",
            &["Location: /\\evil.test", "Content-Length: 0"],
            b"",
        ),
        &get(),
    );
    let text = r.to_string();
    assert!(
        text.starts_with("GET https://a.test/dir/page?x=1 -> 302 Found\n"),
        "{text}"
    );
    assert!(text.contains("MUST   location-invalid (RFC 9110 §10.2.2): the Location value is not a URI-reference: backslash at offset 1"), "{text}");
    assert!(text.contains("[at byte 31: \"/\\\\evil.test\"]"), "{text}");
}

/// A 304 points nowhere: the summary does not count it as a redirect.
#[test]
fn summary_does_not_count_304_as_a_redirect() {
    let reports = [
        check(
            &raw("302 Found", &["Location: /y", "Content-Length: 0"], b""),
            &get(),
        ),
        check(&raw("304 Not Modified", &["ETag: \"a\""], b""), &get()),
        check(&raw("200 OK", &["Content-Length: 0"], b""), &get()),
        check(
            &raw("308 Permanent Redirect", &["Location: /z"], b""),
            &get(),
        ),
    ];
    let s = redirspec::server::Summary::of(&reports);
    assert_eq!((s.responses, s.redirects), (4, 2), "{s}");
}
