//! Memory stays bounded whatever a server sends: headers without end, a
//! content stream without end. One test in its own binary, so the peak
//! resident size (`VmHWM` in /proc/self/status) is this test's alone.

#![cfg(all(feature = "server", target_os = "linux"))]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use redirspec::probe::{check_server, NetOptions, Plan};

/// Peak resident set size, in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// One connection: the request is read, then `first` and `each` repeated as
/// fast as the socket takes them, for 10 s at most.
fn flood(first: &'static [u8], each: &'static [u8]) -> url::Url {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let end = Instant::now() + Duration::from_secs(10);
        if s.write_all(first).is_err() {
            return;
        }
        while Instant::now() < end && s.write_all(each).is_ok() {}
    });
    url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap()
}

#[test]
fn endless_heads_and_bodies_keep_memory_bounded() {
    let before = peak_kib();
    let options = NetOptions {
        timeout: Duration::from_secs(3),
        ..NetOptions::default()
    };
    let line: &'static [u8] =
        b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let body: &'static [u8] = &[b'a'; 65536];
    for (first, each) in [
        (&b"HTTP/1.1 200 OK\r\n"[..], line),
        (&b"HTTP/1.1 302 Found\r\nLocation: /y\r\n\r\n"[..], body),
        (
            &b"HTTP/1.1 302 Found\r\nLocation: /y\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            body,
        ),
    ] {
        let t = Instant::now();
        let plan = Plan::new(flood(first, each)).methods([http::Method::GET]);
        let reports = check_server(&plan, &options).unwrap();
        assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
        assert_eq!(reports.len(), 1);
    }
    let grown = peak_kib().saturating_sub(before);
    // The read keeps at most `max_response` (2 MiB) and parses it in place.
    assert!(grown < 32 * 1024, "peak grew by {grown} KiB");
    eprintln!("peak resident size grew by {grown} KiB over three floods");
}
