//! The server checker against hostile and careless servers: one that never
//! answers, one that trickles, one that sends headers without end, one that
//! resets, one that keeps the connection open after a complete response,
//! one that is not there; and `redirspec response` given a FIFO. Each
//! asserts a bounded time, bounded memory (the bytes kept never exceed
//! `max_response`) and the finding that says what happened.
//!
//! Every server binds 127.0.0.1 on an OS-chosen port, serves one connection
//! and stops by itself within 15 s.

#![cfg(feature = "server")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use redirspec::probe::{check_server, fetch, NetError, NetOptions, Plan, Planned, ReadEnd};
use redirspec::server::{Level, Report, MAX_HEAD};

/// A one-connection server running `handle` on the accepted stream (after
/// reading the request head), stopping by itself after 15 s at most.
fn serve(handle: impl FnOnce(TcpStream) + Send + 'static) -> url::Url {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let end = Instant::now() + Duration::from_secs(15);
        while Instant::now() < end {
            if let Ok((mut s, _)) = listener.accept() {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                handle(s);
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    url::Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap()
}

fn options(timeout_ms: u64) -> NetOptions {
    NetOptions {
        timeout: Duration::from_millis(timeout_ms),
        ..NetOptions::default()
    }
}

fn get(url: url::Url) -> Plan {
    Plan::new(url).methods([http::Method::GET])
}

fn one(url: url::Url, o: &NetOptions) -> (Report, Duration) {
    let t = Instant::now();
    let mut reports = check_server(&get(url), o).unwrap();
    (reports.remove(0), t.elapsed())
}

/// Stops writing once the client is gone (or after 12 s).
fn keep_writing(mut s: TcpStream, first: &[u8], each: &[u8], pause: Duration) {
    let end = Instant::now() + Duration::from_secs(12);
    if s.write_all(first).is_err() {
        return;
    }
    while Instant::now() < end {
        if s.write_all(each).is_err() {
            return;
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
}

#[test]
fn a_silent_server_is_no_answer_within_the_timeout() {
    let url = serve(|_s| std::thread::sleep(Duration::from_secs(4)));
    let t = Instant::now();
    let err = check_server(&get(url.clone()), &options(1000)).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(matches!(err, NetError::NoAnswer { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("no answer from {url} within 1 s"));
}

#[test]
fn an_absent_server_is_a_plain_refusal() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let err = check_server(&get(url), &options(1000)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot connect to 127.0.0.1:{port} for http://127.0.0.1:{port}/: connection refused"
        )),
        "{text}"
    );
    assert!(!text.contains("os error"), "{text}");
}

/// A server that answers the head, then one content byte every 100 ms of
/// the 1,000 it promised: the timeout cuts it, and the report says so
/// instead of `content-length-mismatch`.
#[test]
fn a_trickle_cut_by_the_timeout_is_incomplete_not_a_length_mismatch() {
    let url = serve(|s| {
        keep_writing(
            s,
            b"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 1000\r\n\r\n",
            b"a",
            Duration::from_millis(100),
        )
    });
    let (r, took) = one(url, &options(1000));
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(r.status().map(|s| s.as_u16()), Some(302), "{r}");
    assert!(!r.has("content-length-mismatch"), "{r}");
    let f = r
        .findings()
        .iter()
        .find(|f| f.id() == "incomplete-response");
    let f = f.unwrap_or_else(|| panic!("{r}"));
    assert_eq!(f.level(), Level::Should);
    assert!(
        f.message()
            .starts_with("no complete response within 1 s: the head and "),
        "{f}"
    );
    assert!(!r.breaks_must(), "{r}");
}

/// A head that never ends, a byte at a time: the timeout, not a parse error.
#[test]
fn a_head_that_never_ends_is_incomplete() {
    let url = serve(|s| {
        keep_writing(
            s,
            b"HTTP/1.1 302 Found\r\n",
            b"X",
            Duration::from_millis(50),
        )
    });
    let (r, took) = one(url, &options(800));
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(r.status(), None);
    assert!(
        r.has("incomplete-response") && !r.has("malformed-response"),
        "{r}"
    );
    assert!(!r.breaks_must(), "{r}");
}

/// Field lines as fast as the socket takes them: the read stops past the
/// head limit (memory bounded by `max_response`) and the report names the
/// limit instead of calling it "not HTTP".
#[test]
fn endless_headers_stop_at_the_named_limit() {
    let url = serve(|s| {
        keep_writing(
            s,
            b"HTTP/1.1 200 OK\r\n",
            b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
            Duration::ZERO,
        )
    });
    let o = options(5000);
    let planned = get(url.clone()).requests().remove(0);
    let t = Instant::now();
    let fetched = fetch(&planned, &o).unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(fetched.end, ReadEnd::Limit);
    assert!(fetched.bytes.len() > MAX_HEAD && fetched.bytes.len() <= o.max_response);
    let url = serve(|s| {
        keep_writing(
            s,
            b"HTTP/1.1 200 OK\r\n",
            b"X-Filler: a\r\n",
            Duration::ZERO,
        )
    });
    let (r, _) = one(url, &o);
    assert!(
        r.has("head-too-large") && !r.has("malformed-response"),
        "{r}"
    );
    let f = &r.findings()[0];
    assert_eq!(f.level(), Level::Should);
    assert!(
        f.message().contains("1024 field lines") || f.message().contains("1048576 bytes"),
        "{f}"
    );
}

/// What real servers send stays within the limits: 300 field lines and a
/// 512 KiB head parse and are judged.
#[test]
fn large_real_heads_are_checked() {
    let mut head = b"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 0\r\n".to_vec();
    for i in 0..300 {
        head.extend_from_slice(format!("Set-Cookie: c{i}=v; Path=/\r\n").as_bytes());
    }
    head.extend_from_slice(b"Content-Security-Policy: ");
    head.resize(512 * 1024, b'a');
    head.extend_from_slice(b"\r\n\r\n");
    let url = serve(move |mut s| {
        let _ = s.write_all(&head);
    });
    let (r, _) = one(url, &options(5000));
    assert_eq!(r.status().map(|s| s.as_u16()), Some(302), "{r}");
    assert!(r.is_clean(), "{r}");
}

/// A keep-alive server that sends a complete chunked response and leaves
/// the connection open: the client stops at the last chunk, not at the
/// server's idle timeout.
#[test]
fn a_complete_chunked_message_ends_the_read() {
    let url = serve(|mut s| {
        let _ = s.write_all(
            b"HTTP/1.1 302 Found\r\nLocation: /y\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nmoved\r\n0\r\n\r\n",
        );
        std::thread::sleep(Duration::from_secs(8));
    });
    let o = options(6000);
    let planned = Planned::new(http::Method::GET, url);
    let t = Instant::now();
    let fetched = fetch(&planned, &o).unwrap();
    assert_eq!(fetched.end, ReadEnd::Complete);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

/// Content-Length framing ends the read too.
#[test]
fn a_complete_length_delimited_message_ends_the_read() {
    let url = serve(|mut s| {
        let _ = s.write_all(
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: /y\r\nContent-Length: 3\r\n\r\nabc",
        );
        std::thread::sleep(Duration::from_secs(8));
    });
    let t = Instant::now();
    let (r, _) = one(url, &options(6000));
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(r.is_clean(), "{r}");
}

/// A server that closes without answering: a plain message or a
/// malformed-response report, never a hang.
#[test]
fn a_reset_is_reported_plainly() {
    let url = serve(drop);
    let t = Instant::now();
    match check_server(&get(url), &options(2000)) {
        Ok(r) => assert!(r[0].has("malformed-response"), "{}", r[0]),
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains("before any byte of a response"), "{text}");
            assert!(!text.contains("os error"), "{text}");
        }
    }
    assert!(t.elapsed() < Duration::from_secs(3));
    // A reset after half a head: what arrived is judged.
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 302 Fo");
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let (r, took) = one(url, &options(2000));
    assert!(took < Duration::from_secs(3));
    assert!(r.has("malformed-response"), "{r}");
}

// `redirspec response` refusing a FIFO and a device is a unit test of the binary package
// (cli/src/check.rs), where the `response` driver lives.

/// Content a kept-alive server sends after a HEAD answer's head is still
/// seen: the read goes on a short while after the framing's end.
#[test]
fn content_after_a_head_answer_is_still_seen() {
    let url = serve(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 5\r\n\r\n");
        std::thread::sleep(Duration::from_millis(50));
        let _ = s.write_all(b"hello");
        std::thread::sleep(Duration::from_secs(8));
    });
    let plan = Plan::new(url).methods([http::Method::HEAD]);
    let t = Instant::now();
    let reports = check_server(&plan, &options(6000)).unwrap();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(reports[0].has("head-with-content"), "{}", reports[0]);
}
