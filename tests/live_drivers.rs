//! The persistent drivers (`redirspec::live::driver`): one process runs many scenarios, and
//! nothing crosses from one scenario to the next.
//!
//! A keep-alive server on loopback answers `/set` with a `Set-Cookie` and leaves the
//! connection open; the next scenario asks `/check` from the same driver process. Its request
//! must come on a new connection and carry no cookie. As a control, the second-request form
//! (two requests from one client object, `execute_twice`) is run against `/set` too: where the
//! client keeps connections or cookies, the server sees it there, which shows the check can
//! see a leak. A client that is not installed is skipped with a printed note.
#![cfg(feature = "live")]

use redirspec::live::{preset, ClientOutcome, ClientRequest, ClientUnderTest};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    connection: usize,
    path: String,
    cookie: Option<String>,
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that records requests; it stops accepting
/// after `LIFETIME` and every connection ends after `IDLE` without a request.
struct KeepAlive {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

const LIFETIME: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_secs(5);
const MAX_CONNECTIONS: usize = 64;

impl KeepAlive {
    fn start() -> KeepAlive {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            let until = Instant::now() + LIFETIME;
            let mut n = 0;
            while Instant::now() < until && n < MAX_CONNECTIONS {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let log = Arc::clone(&log);
                        let id = n;
                        n += 1;
                        thread::spawn(move || serve(stream, id, &log));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        KeepAlive { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("log")
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

/// Serves requests on one connection until it closes, idles, or 16 requests were served.
fn serve(mut stream: TcpStream, connection: usize, log: &Mutex<Vec<Seen>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(IDLE));
    let mut buf = Vec::new();
    for _ in 0..16 {
        let head = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                buf.drain(..end + 4);
                break head;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) if buf.len() < 64 * 1024 => buf.extend_from_slice(&chunk[..n]),
                Ok(_) => return,
            }
        };
        let mut lines = head.lines();
        let path = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_default()
            .to_owned();
        let cookie = lines.find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("cookie")
                .then(|| value.trim().to_owned())
        });
        log.lock().expect("log").push(Seen {
            connection,
            path: path.clone(),
            cookie,
        });
        let set_cookie = if path == "/set" {
            "Set-Cookie: leak=1; Path=/\r\n"
        } else {
            ""
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\n{set_cookie}Content-Type: text/plain\r\nContent-Length: 2\r\n\
             Keep-Alive: timeout=5\r\n\r\nok"
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn get(url: String) -> ClientRequest {
    ClientRequest {
        method: http::Method::GET,
        url,
        headers: Vec::new(),
        body: None,
        timeout: Duration::from_secs(30),
    }
}

/// The clients that run through a driver.
const DRIVEN: &[&str] = &[
    "node-fetch",
    "python-urllib",
    "python-urllib3",
    "python-requests",
    "perl-lwp",
    "perl-http-tiny",
    "java-httpclient",
];

#[test]
fn no_connection_or_cookie_crosses_scenarios() {
    let mut ran = 0;
    let mut leaks_seen_within = Vec::new();
    for name in DRIVEN {
        let client = preset(name).expect("a preset");
        assert!(client.driven(), "{name} has no driver");
        if let Err(note) = client.check_available() {
            eprintln!("skipping {name}: {note}");
            continue;
        }
        let server = KeepAlive::start();
        let first = client.execute(&get(server.url("/set")));
        assert_eq!(
            first,
            ClientOutcome::Delivered { status: Some(200) },
            "{name}"
        );
        let pid = client.driver_pid();
        assert!(pid.is_some(), "{name}: no driver process after a scenario");
        let second = client.execute(&get(server.url("/check")));
        assert_eq!(
            second,
            ClientOutcome::Delivered { status: Some(200) },
            "{name}"
        );
        assert_eq!(
            client.driver_pid(),
            pid,
            "{name}: the second scenario ran in another process"
        );
        let set = server.requests("/set");
        let check = server.requests("/check");
        assert_eq!(
            (set.len(), check.len()),
            (1, 1),
            "{name}: {set:?} {check:?}"
        );
        assert_ne!(
            check[0].connection, set[0].connection,
            "{name}: the next scenario reused the previous scenario's connection"
        );
        assert!(
            check[0]
                .cookie
                .as_deref()
                .is_none_or(|c| !c.contains("leak=1")),
            "{name}: the next scenario sent the previous scenario's cookie: {:?}",
            check[0].cookie
        );
        // Control: two requests from one client object in one scenario.
        let twice = client.execute_twice(&get(server.url("/set")));
        assert_eq!(
            twice,
            ClientOutcome::Delivered { status: Some(200) },
            "{name}"
        );
        let set = server.requests("/set");
        if let [_, a, b] = set.as_slice() {
            let cookie = b.cookie.as_deref().is_some_and(|c| c.contains("leak=1"));
            if a.connection == b.connection || cookie {
                leaks_seen_within.push(*name);
            }
        }
        ran += 1;
    }
    eprintln!(
        "{ran} driven clients checked; within one scenario, state carried over for: {}",
        leaks_seen_within.join(", ")
    );
    // The server can see a reused connection or a kept cookie: every client with a keep-alive
    // pool or a cookie jar shows one within a scenario (python-requests has both).
    if ran > 0 && (leaks_seen_within.is_empty()) {
        let requests_ran = preset("python-requests")
            .map(|c| c.check_available().is_ok())
            .unwrap_or(false);
        assert!(
            !requests_ran,
            "python-requests kept neither its connection nor its cookie within one scenario: \
             the leak check cannot see a leak"
        );
    }
}

#[test]
fn a_driver_survives_a_timed_out_scenario_by_starting_again() {
    let client = preset("python-urllib").expect("a preset");
    if let Err(note) = client.check_available() {
        eprintln!("skipping: {note}");
        return;
    }
    // A listener that accepts and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    let holder = thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(20);
        listener.set_nonblocking(true).expect("nonblocking");
        let mut held = Vec::new();
        while Instant::now() < until && !stop.load(Ordering::SeqCst) && held.len() < 4 {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    let mut stuck = get(format!("http://127.0.0.1:{port}/"));
    stuck.timeout = Duration::from_secs(2);
    let outcome = client.execute(&stuck);
    assert_eq!(outcome, ClientOutcome::TimedOut { after_ms: 2000 });
    assert_eq!(client.driver_pid(), None, "a timed-out driver is ended");
    let server = KeepAlive::start();
    assert_eq!(
        client.execute(&get(server.url("/check"))),
        ClientOutcome::Delivered { status: Some(200) }
    );
    assert!(client.driver_pid().is_some());
    done.store(true, Ordering::SeqCst);
    let _ = holder.join();
}
