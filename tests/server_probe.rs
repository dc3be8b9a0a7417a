//! The open-redirect probe against login handlers that treat the query the
//! way real servers do: passed through undecoded (nginx `$arg_next`, Apache
//! `%{QUERY_STRING}`), decoded once (every framework), decoded twice, and
//! validated. An in-process server on 127.0.0.1 plays each; it stops by
//! itself.

#![cfg(feature = "server")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redirspec::probe::{check_server, NetOptions, Plan};
use redirspec::server::{Encoding, Report};

/// `%XX` and `+` decoded.
fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={}", s.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The raw (undecoded) value of `next` in a request target.
fn raw_next(target: &str) -> Option<&str> {
    let (_, query) = target.split_once('?')?;
    query.split('&').find_map(|p| p.strip_prefix("next="))
}

/// What each path answers for `?next=`.
fn location_for(target: &str) -> Option<String> {
    let path = target.split('?').next().unwrap_or_default();
    let next = raw_next(target)?;
    Some(match path {
        // nginx: return 302 $arg_next;
        "/raw" => next.to_owned(),
        // Flask, Django, Express: redirect(request.args["next"])
        "/decoded" => decode(next),
        "/twice" => decode(&decode(next)),
        // A validated login: a path on this origin only.
        "/validated" => {
            let v = decode(next);
            let ok = v.starts_with('/')
                && !v.starts_with("//")
                && !v.contains('\\')
                && !v.bytes().any(|b| b < 0x20 || b == 0x7f);
            if ok {
                v
            } else {
                "/".to_owned()
            }
        }
        _ => return None,
    })
}

/// A server on 127.0.0.1 answering until dropped (or for 120 s at most).
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(120);
        while !flag.load(Ordering::SeqCst) && Instant::now() < end {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(2));
                continue;
            };
            let _ = s.set_nonblocking(false);
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf);
            let target = head.split(' ').nth(1).unwrap_or_default();
            let response = match location_for(target) {
                Some(l) => format!("HTTP/1.1 302 Found\r\nLocation: {l}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                None => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_owned(),
            };
            let _ = s.write_all(response.as_bytes());
        }
    });
    Server { port, stop }
}

fn probe(server: &Server, path: &str) -> Vec<Report> {
    let base = url::Url::parse(&format!("http://127.0.0.1:{}{path}", server.port)).unwrap();
    let plan = Plan::new(base)
        .methods([http::Method::GET])
        .probe_open_redirect("next");
    check_server(&plan, &NetOptions::default()).unwrap()
}

fn open_redirects(reports: &[Report]) -> Vec<&Report> {
    reports.iter().filter(|r| r.has("open-redirect")).collect()
}

#[test]
fn every_encoding_is_sent_and_the_passthrough_login_is_caught() {
    let server = serve();
    let reports = probe(&server, "/raw");
    let hits = open_redirects(&reports);
    // The nginx case: only values that arrive as written can come back as
    // an attacker URL; the minimally encoded ones do.
    for value in [
        "next=https://evil.test/127.0.0.1",
        "next=//evil.test",
        "next=/\\evil.test",
        "next=https:evil.test",
        "next=//127.0.0.1@evil.test/",
    ] {
        assert!(
            hits.iter()
                .any(|r| r.url().is_some_and(|u| u.ends_with(value))),
            "{value} not reported:\n{}",
            reports.iter().map(ToString::to_string).collect::<String>()
        );
    }
    // No fully encoded value comes back as an attacker URL from it.
    for r in &hits {
        let url = r.url().unwrap();
        assert!(
            !url.contains("next=https%3A%2F%2F") && !url.contains("next=%2F%2F"),
            "{r}"
        );
    }
    assert!(hits.len() >= 15, "{} hits", hits.len());
}

#[test]
fn decoding_logins_are_caught_by_the_full_encoding_and_double_by_double() {
    let server = serve();
    for path in ["/decoded", "/twice"] {
        let reports = probe(&server, path);
        let hits = open_redirects(&reports);
        assert!(hits.len() >= 20, "{path}: {} hits", hits.len());
        let full = Encoding::Full.encode("//evil.test");
        let double = Encoding::Double.encode("//evil.test");
        let want = if path == "/decoded" { &full } else { &double };
        assert!(
            hits.iter().any(|r| r
                .url()
                .is_some_and(|u| u.ends_with(&format!("next={want}")))),
            "{path}"
        );
    }
}

#[test]
fn a_validated_login_stays_clean() {
    let server = serve();
    let reports = probe(&server, "/validated");
    assert!(reports.len() > 50, "{} requests", reports.len());
    assert!(open_redirects(&reports).is_empty());
    assert!(reports.iter().all(|r| !r.breaks_must()), "{reports:?}");
}

/// `--query` values are judged too: a plain `?next=https://evil.test/`
/// that comes back is an open redirect, with no probe at all.
#[test]
fn query_values_are_judged() {
    let server = serve();
    let base = url::Url::parse(&format!("http://127.0.0.1:{}/raw", server.port)).unwrap();
    let plan = Plan::new(base).methods([http::Method::GET]).queries([
        "next=https://other.test/x",
        "next=/home",
        "next=https%3A%2F%2Fother.test",
    ]);
    let reports = check_server(&plan, &NetOptions::default()).unwrap();
    assert_eq!(reports.len(), 3);
    assert!(
        reports[0].has("open-redirect") && reports[0].breaks_must(),
        "{}",
        reports[0]
    );
    assert!(
        reports[0].findings()[0].message().contains("other.test"),
        "{}",
        reports[0]
    );
    // Same-origin, and the undecoded escape that stays a relative path.
    assert!(reports[1].is_clean(), "{}", reports[1]);
    assert!(reports[2].is_clean(), "{}", reports[2]);
}
