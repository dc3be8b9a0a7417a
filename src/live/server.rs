//! The scripted loopback server.
//!
//! Two listeners on `127.0.0.1` with ports the OS picks (`A` and `B`); the host name
//! `localhost` reaches listener A under another name. Every request is answered by arrival
//! order (request *k* gets response *k* of the scenario), then the connection is closed
//! (`Connection: close`), so each request is one connection and nothing lingers.
//!
//! Everything is bounded: the accept loop polls with a short sleep and stops at
//! [`ServerLimits::lifetime`] or when [`ScriptedServer::finish`] is called (or the server is
//! dropped); each connection has a read deadline and a size cap; at most
//! [`ServerLimits::max_requests`] requests are recorded, later ones are answered `503` and
//! counted as a flood.

use super::page::{repeat_page, PageAnswer, FETCH_PAGE, FETCH_PAGE_HTML};
use super::scenario::{expand_time, Origins, Scenario};
use super::LiveError;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Bounds on one server run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Requests recorded at most; later requests get `503` and set [`ServerTrace::flooded`].
    pub max_requests: usize,
    /// Time a connection may take to deliver one whole request.
    pub request_deadline: Duration,
    /// The server stops accepting after this long, whatever happens.
    pub lifetime: Duration,
    /// Largest request (head plus body) read; larger ones are cut and marked.
    pub max_request_bytes: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_requests: 80,
            request_deadline: Duration::from_secs(3),
            lifetime: Duration::from_secs(60),
            max_request_bytes: 1 << 20,
        }
    }
}

/// Which listener a connection arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Listener {
    /// Listener A (`{A}` and `{L}`).
    A,
    /// Listener B (`{B}`).
    B,
}

/// One request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordedRequest {
    /// Arrival order, from 0.
    pub index: usize,
    /// The listener it came in on.
    pub listener: Listener,
    /// Request method, as sent.
    pub method: String,
    /// Request target, as sent (`/path?query`).
    pub target: String,
    /// Header fields in order, names as sent, values lossily decoded as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The body (decoded from chunked framing when chunked); JSON shows it as lossy UTF-8.
    #[serde(serialize_with = "lossy_utf8")]
    pub body: Vec<u8>,
    /// Status the server answered with.
    pub answered: u16,
    /// When it was answered, in seconds since the Unix epoch (the server's clock).
    pub time: u64,
    /// The Location lines and scripted header fields of the answer, as sent (time
    /// placeholders filled in); framing fields (`Content-Length`, `Connection`) left out.
    pub sent: Vec<(String, String)>,
}

fn lossy_utf8<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(bytes))
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Everything a server run saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServerTrace {
    /// Requests in arrival order.
    pub requests: Vec<RecordedRequest>,
    /// Connections that did not deliver a parsable request, with what went wrong.
    pub bad_connections: Vec<String>,
    /// More than [`ServerLimits::max_requests`] requests arrived, or more connections than
    /// the server serves in one run (then noted in [`bad_connections`](Self::bad_connections)).
    pub flooded: bool,
}

struct Shared {
    scenario: Scenario,
    origins: Origins,
    limits: ServerLimits,
    trace: Mutex<ServerTrace>,
}

impl Shared {
    fn trace(&self) -> MutexGuard<'_, ServerTrace> {
        self.trace.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running scripted server; stops on [`finish`](Self::finish), on drop, or at its lifetime.
pub struct ScriptedServer {
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<Vec<JoinHandle<()>>>>,
}

impl ScriptedServer {
    /// Starts the server for one client run whose time-out is `timeout`:
    /// as [`start`](Self::start), living at least five seconds longer than
    /// the client may take.
    ///
    /// # Errors
    /// As [`start`](Self::start).
    pub(crate) fn start_for_client(
        scenario: &Scenario,
        limits: ServerLimits,
        timeout: Duration,
    ) -> Result<Self, LiveError> {
        let limits = ServerLimits {
            lifetime: limits
                .lifetime
                .max(timeout.saturating_add(Duration::from_secs(5))),
            ..limits
        };
        ScriptedServer::start(scenario, limits)
    }

    /// Binds both listeners and starts playing `scenario`.
    ///
    /// # Examples
    /// ```
    /// use redirspec::live::{suite, ScriptedServer, ServerLimits};
    /// use std::io::{Read, Write};
    ///
    /// let scenario = suite::suite().into_iter().find(|s| s.name == "302-get").unwrap();
    /// let server = ScriptedServer::start(&scenario, ServerLimits::default())?;
    /// let port = server.origins().a_port;
    /// let mut conn = std::net::TcpStream::connect(("127.0.0.1", port))?;
    /// conn.write_all(b"GET /m/start?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
    /// let mut answer = String::new();
    /// conn.read_to_string(&mut answer)?;
    /// assert!(answer.starts_with("HTTP/1.1 302 Found\r\nLocation: /m/next?y=2\r\n"));
    /// let trace = server.finish();
    /// assert_eq!(trace.requests[0].target, "/m/start?x=1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`LiveError::Bind`] when a loopback port cannot be bound.
    pub fn start(scenario: &Scenario, limits: ServerLimits) -> Result<Self, LiveError> {
        let bind = || -> io::Result<(TcpListener, u16)> {
            let l = TcpListener::bind("127.0.0.1:0")?;
            l.set_nonblocking(true)?;
            let port = l.local_addr()?.port();
            Ok((l, port))
        };
        let (la, a_port) = bind().map_err(LiveError::Bind)?;
        let (lb, b_port) = bind().map_err(LiveError::Bind)?;
        let shared = Arc::new(Shared {
            scenario: scenario.clone(),
            origins: Origins { a_port, b_port },
            limits,
            trace: Mutex::new(ServerTrace::default()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("redirspec-accept".into())
                .spawn(move || accept_loop(&shared, &stop, [(la, Listener::A), (lb, Listener::B)]))
                .map_err(LiveError::Bind)?
        };
        Ok(ScriptedServer {
            shared,
            stop,
            accept: Some(accept),
        })
    }

    /// The origins this run listens on.
    pub fn origins(&self) -> Origins {
        self.shared.origins
    }

    /// Stops accepting, waits for open connections (each bounded by its deadline), and returns
    /// the trace.
    pub fn finish(mut self) -> ServerTrace {
        self.shutdown();
        self.shared.trace().clone()
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept.take() {
            if let Ok(connections) = handle.join() {
                for c in connections {
                    let _ = c.join();
                }
            }
        }
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The words naming the connection cap in [`ServerTrace::bad_connections`].
const CONN_CAP: &str = "in one run (the server's connection cap)";

fn accept_loop(
    shared: &Arc<Shared>,
    stop: &AtomicBool,
    listeners: [(TcpListener, Listener); 2],
) -> Vec<JoinHandle<()>> {
    let started = Instant::now();
    let max_connections = shared.limits.max_requests + 32;
    let mut handles = Vec::new();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < shared.limits.lifetime {
        let mut idle = true;
        for (listener, which) in &listeners {
            match listener.accept() {
                Ok((stream, _)) => {
                    idle = false;
                    if handles.len() >= max_connections {
                        // Idle or not, more connections than requests allowed: a flood of
                        // connections, told apart from a flood of requests.
                        let mut t = shared.trace();
                        if !t.bad_connections.iter().any(|b| b.contains(CONN_CAP)) {
                            t.bad_connections.push(format!(
                                "more than {max_connections} connections {CONN_CAP}; \
                                 later ones closed unread"
                            ));
                        }
                        t.flooded = true;
                        drop(stream);
                        continue;
                    }
                    let conn_shared = Arc::clone(shared);
                    let which = *which;
                    let spawned = thread::Builder::new()
                        .name("redirspec-conn".into())
                        .spawn(move || serve_connection(&conn_shared, stream, which));
                    match spawned {
                        Ok(h) => handles.push(h),
                        Err(e) => shared
                            .trace()
                            .bad_connections
                            .push(format!("no thread for a connection: {e}")),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => {}
            }
        }
        if idle {
            thread::sleep(Duration::from_millis(2));
        }
    }
    handles
}

/// Why a connection did not yield a request.
#[derive(Debug)]
enum ReadError {
    Closed,
    TimedOut,
    TooLarge,
    Garbage(String),
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => f.write_str("closed before a whole request arrived"),
            ReadError::TimedOut => f.write_str("no whole request before the deadline"),
            ReadError::TooLarge => f.write_str("request larger than the limit"),
            ReadError::Garbage(e) => write!(f, "not an HTTP/1.1 request: {e}"),
            ReadError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

struct Parsed {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    head_len: usize,
}

fn parse_head(buf: &[u8]) -> Result<Option<Parsed>, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Partial) => Ok(None),
        Ok(httparse::Status::Complete(head_len)) => Ok(Some(Parsed {
            method: req.method.unwrap_or("").to_owned(),
            target: req.path.unwrap_or("").to_owned(),
            headers: req
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_owned(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
            head_len,
        })),
        Err(e) => Err(ReadError::Garbage(e.to_string())),
    }
}

/// Reads with a deadline: more bytes into `buf`, at least one.
fn read_more(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
    cap: usize,
) -> Result<(), ReadError> {
    let now = Instant::now();
    if now >= deadline {
        return Err(ReadError::TimedOut);
    }
    if buf.len() >= cap {
        return Err(ReadError::TooLarge);
    }
    stream
        .set_read_timeout(Some(deadline - now))
        .map_err(ReadError::Io)?;
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk) {
        Ok(0) => Err(ReadError::Closed),
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(ReadError::TimedOut)
        }
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
        Err(e) => Err(ReadError::Io(e)),
    }
}

/// Decodes a complete chunked body from `data`; `None` while incomplete.
fn dechunk(data: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let Some(line_end) = find_crlf(&data[pos..]) else {
            return Ok(None);
        };
        let line = &data[pos..pos + line_end];
        let size_text = std::str::from_utf8(line)
            .map_err(|_| ReadError::Garbage("chunk size is not text".into()))?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ReadError::Garbage(format!("bad chunk size {size_text:?}")))?;
        pos += line_end + 2;
        if size == 0 {
            // Trailer section: lines until an empty one.
            loop {
                let Some(end) = find_crlf(&data[pos..]) else {
                    return Ok(None);
                };
                pos += end + 2;
                if end == 0 {
                    return Ok(Some(out));
                }
            }
        }
        let Some(end) = pos.checked_add(size).filter(|e| e.checked_add(2).is_some()) else {
            return Err(ReadError::TooLarge);
        };
        if data.len() < end + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&data[pos..end]);
        pos = end + 2;
    }
}

fn find_crlf(data: &[u8]) -> Option<usize> {
    data.windows(2).position(|w| w == b"\r\n")
}

fn read_request(
    stream: &mut TcpStream,
    limits: &ServerLimits,
    buf: &mut Vec<u8>,
) -> Result<(Parsed, Vec<u8>), ReadError> {
    // A deadline a day away or more is as good as none; `Instant` arithmetic never overflows.
    let deadline = Instant::now() + limits.request_deadline.min(Duration::from_secs(86_400));
    let parsed = loop {
        if let Some(p) = parse_head(buf)? {
            break p;
        }
        read_more(stream, buf, deadline, limits.max_request_bytes)?;
    };
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(ReadError::Io)?;
    }
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        loop {
            if let Some(body) = dechunk(&buf[parsed.head_len..])? {
                break body;
            }
            read_more(stream, buf, deadline, limits.max_request_bytes)?;
        }
    } else if let Some(len) = header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| ReadError::Garbage(format!("bad Content-Length {len:?}")))?;
        if len > limits.max_request_bytes {
            return Err(ReadError::TooLarge);
        }
        while buf.len() < parsed.head_len + len {
            read_more(stream, buf, deadline, limits.max_request_bytes + 1)?;
        }
        buf[parsed.head_len..parsed.head_len + len].to_vec()
    } else {
        Vec::new()
    };
    Ok((parsed, body))
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        503 => "Service Unavailable",
        _ => "Scripted",
    }
}

/// The bytes of a scripted response: status line, Location lines verbatim, the other scripted
/// fields, the body (left out, with its Content-Length kept, when `head` is set:
/// RFC 9110 §9.3.2).
fn response_bytes(
    status: u16,
    locations: &[String],
    fields: &[(String, String)],
    body: &[u8],
    head: bool,
) -> Vec<u8> {
    response_bytes_typed(status, locations, fields, body, "text/plain", head)
}

fn response_bytes_typed(
    status: u16,
    locations: &[String],
    fields: &[(String, String)],
    body: &[u8],
    content_type: &str,
    head: bool,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).into_bytes();
    for l in locations {
        out.extend_from_slice(b"Location:");
        if !l.is_empty() {
            out.push(b' ');
            out.extend_from_slice(l.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    for (name, value) in fields {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !body.is_empty() {
        out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    if !head {
        out.extend_from_slice(body);
    }
    out
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn serve_connection(shared: &Shared, mut stream: TcpStream, which: Listener) {
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    let _ = stream.set_write_timeout(Some(shared.limits.request_deadline));
    let mut buf = Vec::new();
    let (parsed, body) = match read_request(&mut stream, &shared.limits, &mut buf) {
        Ok(r) => r,
        Err(e) => {
            // A connection opened ahead of time and never used is not a fault.
            let idle = buf.is_empty() && matches!(e, ReadError::Closed | ReadError::TimedOut);
            if !idle {
                let mut t = shared.trace();
                let head = String::from_utf8_lossy(&buf[..buf.len().min(40)]).into_owned();
                t.bad_connections.push(format!(
                    "listener {which:?}: {e} after {} bytes (starting {head:?})",
                    buf.len()
                ));
            }
            if matches!(e, ReadError::Garbage(_) | ReadError::TooLarge) {
                let _ = stream.write_all(&response_bytes(400, &[], &[], b"", false));
            }
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    };
    let bytes = {
        let mut t = shared.trace();
        let index = t.requests.len();
        let now = unix_now();
        if index >= shared.limits.max_requests {
            t.flooded = true;
            response_bytes(503, &[], &[], b"", false)
        } else if let Some(page) = (!shared.scenario.routes.is_empty())
            .then(|| repeat_page(&parsed.target))
            .flatten()
        {
            // The browser's page: served, not recorded (it is not part of the scenario).
            let fields = [("Cache-Control".to_owned(), "no-store".to_owned())];
            match page {
                PageAnswer::Page(html) => {
                    response_bytes_typed(200, &[], &fields, html.as_bytes(), "text/html", false)
                }
                PageAnswer::BadParameters => response_bytes(400, &[], &fields, b"", false),
            }
        } else if parsed.target == FETCH_PAGE {
            // A browser's frame page (src/live/browser.rs): served, not recorded.
            let fields = [("Cache-Control".to_owned(), "no-store".to_owned())];
            response_bytes_typed(
                200,
                &[],
                &fields,
                FETCH_PAGE_HTML.as_bytes(),
                "text/html",
                false,
            )
        } else if let Some(answer) = cors_preflight(&parsed) {
            // A browser's CORS preflight before a cross-origin hop: answered, not recorded
            // (the model has no preflights; the request it precedes is recorded).
            answer
        } else {
            let scripted = shared.scenario.response_to(index, &parsed.target);
            let locations: Vec<String> = scripted
                .locations
                .iter()
                .map(|l| shared.origins.expand(l))
                .collect();
            let fields: Vec<(String, String)> = scripted
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), expand_time(&shared.origins.expand(v), now)))
                .collect();
            let head = parsed.method == "HEAD";
            let has_origin = parsed
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("origin"));
            let sent = locations
                .iter()
                .map(|l| ("Location".to_owned(), l.clone()))
                .chain(fields.iter().cloned())
                .collect();
            t.requests.push(RecordedRequest {
                index,
                listener: which,
                method: parsed.method,
                target: parsed.target,
                headers: parsed.headers,
                body,
                answered: scripted.status,
                time: now,
                sent,
            });
            let body: &[u8] = if scripted.status == 200 {
                b"redirspec: end of chain\n"
            } else {
                b""
            };
            let mut fields = fields;
            // A browser's cross-origin hop (it sent `Origin`) may read the answer: the other
            // origins of a scenario stand for sites that allow it.
            if has_origin {
                fields.push(("Access-Control-Allow-Origin".to_owned(), "*".to_owned()));
            }
            response_bytes(scripted.status, &locations, &fields, body, head)
        }
    };
    let _ = stream.write_all(&bytes);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    // Drain briefly so the peer reads our answer before the socket goes away.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 1024];
    let _ = stream.read(&mut sink);
}

/// The answer to a CORS preflight (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`), allowing the method and headers it asks for; `None` for
/// any other request.
fn cors_preflight(parsed: &Parsed) -> Option<Vec<u8>> {
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if parsed.method != "OPTIONS" || header("origin").is_none() {
        return None;
    }
    let method = header("access-control-request-method")?;
    let mut fields = vec![
        ("Access-Control-Allow-Origin".to_owned(), "*".to_owned()),
        ("Access-Control-Allow-Methods".to_owned(), method),
        ("Cache-Control".to_owned(), "no-store".to_owned()),
    ];
    if let Some(h) = header("access-control-request-headers") {
        fields.push(("Access-Control-Allow-Headers".to_owned(), h));
    }
    Some(response_bytes(204, &[], &fields, b"", false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunk_complete_and_partial() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(),
            Some(b"abcde".to_vec())
        );
        assert_eq!(dechunk(b"3\r\nab").unwrap(), None);
        assert!(dechunk(b"zz\r\n").is_err());
        assert!(dechunk(b"ffffffffffffffff\r\nab").is_err());
    }

    #[test]
    fn response_keeps_location_lines_verbatim() {
        let r = response_bytes(302, &["".into(), "  /x  ".into()], &[], b"", false);
        let text = String::from_utf8(r).unwrap();
        assert!(text.contains("Location:\r\nLocation:   /x  \r\n"));
    }
}
