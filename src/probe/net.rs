//! A minimal HTTP/1.1 client over `std::net` for checking a running server:
//! one request per connection (`Connection: close`), timeouts on connect,
//! read and write, a deadline per request, and a bounded read.
//!
//! It only talks to loopback addresses and to hosts the caller names
//! explicitly ([`NetOptions::allow_host`]); it never follows a redirect,
//! it reports it. Plain `http` only: no TLS.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::plan::{Plan, Planned};
use crate::server::Report;
use crate::server::{check_raw, parse_error_report};
use crate::server::{Finding, Rule};
use crate::server::{ParseError, MAX_HEAD};
use crate::server::{RequestError, RequestInfo};

/// Why a server could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The URL is not `http://`.
    #[error("only plain http:// URLs can be checked, not {0}")]
    NotHttp(String),
    /// The host is neither loopback nor explicitly allowed.
    #[error("{0} is not a loopback address; name it with --allow-host to check it")]
    HostNotAllowed(String),
    /// The host name does not resolve.
    #[error("cannot resolve {host}: {error}")]
    Resolve {
        /// The host.
        host: String,
        /// The error (in the message, so not also a `source()`: it would print twice).
        error: std::io::Error,
    },
    /// No connection could be made.
    #[error("cannot connect to {addr} for {url}: {reason}")]
    Connect {
        /// The request URL.
        url: String,
        /// The address tried last.
        addr: String,
        /// What went wrong, in words (`connection refused`, `no answer within 5 s`).
        reason: String,
    },
    /// Connected, but not one byte of a response came within the timeout.
    #[error("no answer from {url} within {}", seconds(*timeout))]
    NoAnswer {
        /// The request URL.
        url: String,
        /// The timeout.
        timeout: Duration,
    },
    /// The connection failed before any byte of a response arrived.
    #[error("{url}: {reason} before any byte of a response")]
    Io {
        /// The request URL.
        url: String,
        /// What went wrong, in words.
        reason: String,
        /// The error.
        source: std::io::Error,
    },
    /// The request URL is not one the checker takes.
    #[error(transparent)]
    Request(#[from] RequestError),
}

/// `5 s`, `1.5 s`, `200 ms`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// An I/O error in plain words.
fn plain(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "connection refused (nothing listens there)".to_owned(),
        K::ConnectionReset => "connection reset by the server".to_owned(),
        K::ConnectionAborted => "connection aborted".to_owned(),
        K::BrokenPipe => "the server closed the connection while the request was sent".to_owned(),
        K::TimedOut | K::WouldBlock => "timed out".to_owned(),
        K::AddrNotAvailable => "address not available".to_owned(),
        _ => e.to_string(),
    }
}

/// How the read of one response ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadEnd {
    /// The server closed the connection (or reset it after sending bytes).
    Closed,
    /// The framing says the message is complete (RFC 9112 §6.3): the rest
    /// of a kept-alive connection is not waited for.
    Complete,
    /// The read stopped at [`NetOptions::max_response`] bytes.
    Limit,
    /// The deadline passed before the message was complete.
    Timeout,
}

/// The bytes of one response and how the read ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fetched {
    /// What arrived, at most [`NetOptions::max_response`] bytes.
    pub bytes: Vec<u8>,
    /// Why the read stopped.
    pub end: ReadEnd,
}

/// Limits and permissions of the client.
#[derive(Clone, Debug)]
pub struct NetOptions {
    /// Connect, read and write timeout, and the deadline of one request.
    pub timeout: Duration,
    /// Most bytes read from one response (head and content).
    pub max_response: usize,
    /// Hosts that may be checked although they are not loopback.
    pub allowed_hosts: Vec<String>,
}

impl Default for NetOptions {
    /// 5 s, 1 MiB plus the head limit, loopback only.
    fn default() -> Self {
        NetOptions {
            timeout: Duration::from_secs(5),
            max_response: MAX_HEAD + (1 << 20),
            allowed_hosts: Vec::new(),
        }
    }
}

impl NetOptions {
    /// Allows a host that is not loopback.
    pub fn allow_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(host.into());
        self
    }
}

/// The addresses to connect to for `url`, after the loopback rule.
fn addresses(url: &url::Url, options: &NetOptions) -> Result<Vec<SocketAddr>, NetError> {
    if url.scheme() != "http" {
        return Err(NetError::NotHttp(url.as_str().to_owned()));
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let resolved: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => (bare, port)
            .to_socket_addrs()
            .map_err(|error| NetError::Resolve {
                host: host.to_owned(),
                error,
            })?
            .collect(),
    };
    let allowed = options
        .allowed_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(bare));
    if !allowed && (resolved.is_empty() || !resolved.iter().all(|a| a.ip().is_loopback())) {
        return Err(NetError::HostNotAllowed(host.to_owned()));
    }
    Ok(resolved)
}

/// Checks that the plan's base URL may be contacted, without contacting it.
///
/// # Errors
/// [`NetError::NotHttp`], [`NetError::HostNotAllowed`], [`NetError::Resolve`].
pub fn check_target(url: &url::Url, options: &NetOptions) -> Result<(), NetError> {
    addresses(url, options).map(|_| ())
}

/// Sends one request and returns the raw response bytes (at most
/// `options.max_response`).
///
/// # Errors
/// [`NetError`] when the target is refused or the exchange fails before any
/// byte of a response arrived.
pub fn fetch_raw(planned: &Planned, options: &NetOptions) -> Result<Vec<u8>, NetError> {
    fetch(planned, options).map(|f| f.bytes)
}

/// Sends one request and reads its response until the framing says it is
/// complete, the server closes, `options.max_response` bytes arrived or
/// `options.timeout` passed since the request was sent — whichever is
/// first. Time and memory are bounded whatever the server does.
///
/// # Errors
/// [`NetError`] when the target is refused, cannot be reached, or the
/// exchange fails before any byte of a response arrived
/// ([`NetError::NoAnswer`] for silence).
pub fn fetch(planned: &Planned, options: &NetOptions) -> Result<Fetched, NetError> {
    let addrs = addresses(&planned.url, options)?;
    let url = planned.url.as_str().to_owned();
    let mut last = None;
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, options.timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some((a, e)),
        }
    }
    let Some(mut stream) = stream else {
        let (addr, reason) = match last {
            Some((a, e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                (
                    a.to_string(),
                    format!("no answer within {}", seconds(options.timeout)),
                )
            }
            Some((a, e)) => (a.to_string(), plain(&e)),
            None => (
                String::from("(no address)"),
                "the host has no address".to_owned(),
            ),
        };
        return Err(NetError::Connect { url, addr, reason });
    };
    let io = |source: std::io::Error| NetError::Io {
        url: url.clone(),
        reason: plain(&source),
        source,
    };
    stream.set_read_timeout(Some(options.timeout)).map_err(io)?;
    stream
        .set_write_timeout(Some(options.timeout))
        .map_err(io)?;
    let host = match planned.url.port() {
        Some(p) => format!("{}:{p}", planned.url.host_str().unwrap_or_default()),
        None => planned.url.host_str().unwrap_or_default().to_owned(),
    };
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: redirspec/{}\r\nAccept: */*\r\nConnection: close\r\n",
        planned.method,
        planned.target(),
        env!("CARGO_PKG_VERSION"),
    );
    if planned.method == http::Method::POST || planned.method == http::Method::PUT {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(io)?;
    // A timeout too large to add (`--timeout-ms 18446744073709551615`)
    // waits a day at most, never overflows.
    let start = Instant::now();
    let deadline = start
        .checked_add(options.timeout.min(MAX_WAIT))
        .unwrap_or(start);
    let no_content = planned.method == http::Method::HEAD;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // Once the framing says the message is complete, bytes that still come
    // within a short grace are kept (content after a HEAD answer or a 304,
    // bytes past Content-Length are findings); a kept-alive connection is
    // not waited on further.
    let mut complete_by: Option<Instant> = None;
    let end = loop {
        if buf.len() >= options.max_response {
            break ReadEnd::Limit;
        }
        // A head that cannot end within the parser's limit is not read on.
        if buf.len() > MAX_HEAD && find_head_end(&buf).is_none() {
            break ReadEnd::Limit;
        }
        let until = complete_by.unwrap_or(deadline);
        let Some(left) = until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        else {
            break if complete_by.is_some() {
                ReadEnd::Complete
            } else {
                ReadEnd::Timeout
            };
        };
        // Every read waits at most until the deadline: a server that
        // trickles a byte at a time cannot stretch the exchange.
        stream.set_read_timeout(Some(left)).map_err(io)?;
        match stream.read(&mut chunk) {
            Ok(0) => break ReadEnd::Closed,
            Ok(n) => {
                let room = options.max_response - buf.len();
                buf.extend_from_slice(&chunk[..n.min(room)]);
                if complete_by.is_none() && is_complete(&buf, no_content) {
                    let now = Instant::now();
                    complete_by =
                        Some(now.checked_add(AFTER_COMPLETE).unwrap_or(now).min(deadline));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break if complete_by.is_some() {
                    ReadEnd::Complete
                } else {
                    ReadEnd::Timeout
                };
            }
            // A reset after some bytes: what arrived is the response.
            Err(_) if !buf.is_empty() => break ReadEnd::Closed,
            Err(e) => return Err(io(e)),
        }
    };
    if buf.is_empty() && end == ReadEnd::Timeout {
        return Err(NetError::NoAnswer {
            url,
            timeout: options.timeout,
        });
    }
    Ok(Fetched { bytes: buf, end })
}

/// The longest one exchange may take, whatever the timeout says.
const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// How long bytes are still read after the framing says the message is
/// complete (a server that honours `Connection: close` closes sooner).
const AFTER_COMPLETE: Duration = Duration::from_millis(300);

/// The length of the head (through its empty line), when it is complete.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    crate::server::parse_response(buf).ok().map(|r| r.head_len)
}

/// Whether `buf` holds a complete response, by the framing of RFC 9112
/// §6.3: no content after a 1xx, 204 or 304 head or in answer to HEAD;
/// with Transfer-Encoding ending in chunked, through the last chunk and the
/// trailer section; otherwise through a valid Content-Length. A response
/// delimited by the close is complete only when the server closes.
fn is_complete(buf: &[u8], head_request: bool) -> bool {
    let Ok(r) = crate::server::parse_response(buf) else {
        return false;
    };
    let code = r.status.as_u16();
    if head_request || r.status.is_informational() || code == 204 || code == 304 {
        return true;
    }
    let field = |name: &'static str| {
        r.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
    };
    if let Some(te) = field("transfer-encoding").next_back() {
        let last = te.value.rsplit(|&b| b == b',').next().unwrap_or_default();
        if !crate::server::view::trim(last).eq_ignore_ascii_case(b"chunked") {
            return false;
        }
        return chunked_end(r.rest).is_some();
    }
    let mut length = None;
    for f in field("content-length") {
        for part in f.value.split(|&b| b == b',') {
            match crate::server::view::parse_length(crate::server::view::trim(part)) {
                Some(n) if length.is_none_or(|m| m == n) => length = Some(n),
                _ => return false,
            }
        }
    }
    length.is_some_and(|n| r.rest.len() as u64 >= n)
}

/// The length of a complete chunked body (RFC 9112 §7.1: chunks, the last
/// chunk `0`, the trailer section and its empty line), or `None` while it
/// is incomplete or unreadable.
fn chunked_end(body: &[u8]) -> Option<usize> {
    let mut at = 0usize;
    loop {
        let line_end = at + body.get(at..)?.iter().position(|&b| b == b'\n')?;
        let line = &body[at..line_end];
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 || digits > 15 {
            return None;
        }
        let size = usize::from_str_radix(std::str::from_utf8(&line[..digits]).ok()?, 16).ok()?;
        at = line_end + 1;
        if size == 0 {
            // Trailer field lines, then an empty line.
            loop {
                let end = at + body.get(at..)?.iter().position(|&b| b == b'\n')?;
                let empty = body[at..end].iter().all(|&b| b == b'\r');
                at = end + 1;
                if empty {
                    return Some(at);
                }
            }
        }
        // The data, then CRLF.
        at = at.checked_add(size)?;
        let after = body.get(at..)?;
        if after.starts_with(b"\r\n") {
            at += 2;
        } else if after.starts_with(b"\n") {
            at += 1;
        } else {
            return None;
        }
    }
}

/// Sends every request of `plan` and checks each response.
///
/// What the checker saw decides the report: a response that does not parse
/// gets `malformed-response` (or `head-too-large`, naming the limit); one cut
/// at `options.max_response` bytes is not judged on its framing; one still
/// incomplete when the timeout passed gets `incomplete-response` (SHOULD)
/// with the bytes that arrived, and its framing is not judged either.
///
/// # Errors
/// The first [`NetError`]: a refused target, an unreachable or silent
/// server.
pub fn check_server(plan: &Plan, options: &NetOptions) -> Result<Vec<Report>, NetError> {
    let mut reports = Vec::new();
    for planned in plan.requests() {
        let request = planned.request_info()?;
        let fetched = fetch(&planned, options)?;
        reports.push(judge(&fetched, &request, options));
    }
    Ok(reports)
}

/// The report for what one read brought.
fn judge(fetched: &Fetched, request: &RequestInfo, options: &NetOptions) -> Report {
    let raw = &fetched.bytes;
    let cut = matches!(fetched.end, ReadEnd::Limit | ReadEnd::Timeout);
    let incomplete = || {
        let head = find_head_end(raw);
        let what = match head {
            Some(h) => format!(
                "the head and {} bytes of content arrived, and the framing promises more",
                raw.len() - h
            ),
            None => format!(
                "{} bytes arrived and no empty line ended the head",
                raw.len()
            ),
        };
        Finding::new(
            Rule::IncompleteResponse,
            format!(
                "no complete response within {}: {what}; clients wait, then fail or read what came as the whole message",
                seconds(options.timeout)
            ),
        )
        .with_evidence(Some(0), raw)
    };
    match check_raw(raw, request) {
        Ok(mut r) => {
            if cut {
                // The read stopped early: the content length is unknown.
                r.retain(|f| f.rule() != Rule::ContentLengthMismatch);
            }
            if fetched.end == ReadEnd::Timeout {
                r.push(incomplete());
            }
            r
        }
        Err(ParseError::Incomplete) if fetched.end == ReadEnd::Timeout => {
            let mut r = Report::new(
                request.method().clone(),
                request.url().map(str::to_owned),
                None,
            );
            r.push(incomplete());
            r
        }
        Err(ParseError::Incomplete) if fetched.end == ReadEnd::Limit => {
            parse_error_report(&ParseError::HeadTooLarge { limit: raw.len() }, request)
        }
        Err(e) => parse_error_report(&e, request),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_unless_allowed() {
        let o = NetOptions::default();
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(check_target(&u("http://127.0.0.1:1/"), &o).is_ok());
        assert!(check_target(&u("http://[::1]:1/"), &o).is_ok());
        assert!(matches!(
            check_target(&u("http://192.0.2.1/"), &o),
            Err(NetError::HostNotAllowed(_))
        ));
        assert!(check_target(&u("http://192.0.2.1/"), &o.clone().allow_host("192.0.2.1")).is_ok());
        assert!(matches!(
            check_target(&u("https://127.0.0.1/"), &o),
            Err(NetError::NotHttp(_))
        ));
    }

    /// A one-shot server on 127.0.0.1 that reads the request head and
    /// answers `response` (or nothing, when `None`) and then closes.
    fn one_shot(response: Option<Vec<u8>>) -> url::Url {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            match response {
                Some(r) => {
                    let _ = s.write_all(&r);
                }
                None => std::thread::sleep(Duration::from_millis(600)),
            }
        });
        url::Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap()
    }

    fn get_only(url: url::Url) -> Plan {
        Plan::new(url).methods([http::Method::GET])
    }

    #[test]
    fn a_cut_read_is_not_a_length_mismatch() {
        let mut r = b"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 5000\r\n\r\n".to_vec();
        r.resize(r.len() + 5000, b'a');
        let options = NetOptions {
            max_response: 1000,
            ..NetOptions::default()
        };
        let reports = check_server(&get_only(one_shot(Some(r))), &options).unwrap();
        assert!(reports[0].is_clean(), "{}", reports[0]);
        let lie = b"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 10\r\n\r\nfour".to_vec();
        let reports = check_server(&get_only(one_shot(Some(lie))), &options).unwrap();
        assert!(reports[0].has("content-length-mismatch"), "{}", reports[0]);
    }

    #[test]
    fn silence_is_no_answer_and_nothing_is_a_malformed_response() {
        let options = NetOptions {
            timeout: Duration::from_millis(200),
            ..NetOptions::default()
        };
        let err = check_server(&get_only(one_shot(None)), &options).unwrap_err();
        assert!(matches!(err, NetError::NoAnswer { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("no answer from http://127.0.0.1:"),
            "{err}"
        );
        assert!(err.to_string().ends_with("/x within 200 ms"), "{err}");
        let reports = check_server(&get_only(one_shot(Some(Vec::new()))), &options).unwrap();
        assert!(reports[0].has("malformed-response"), "{}", reports[0]);
        assert_eq!(reports[0].status(), None);
    }

    /// `--timeout-ms 18446744073709551615`: no overflow, no panic.
    #[test]
    fn a_huge_timeout_does_not_overflow() {
        let options = NetOptions {
            timeout: Duration::MAX,
            ..NetOptions::default()
        };
        let r = b"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 0\r\n\r\n".to_vec();
        let reports = check_server(&get_only(one_shot(Some(r))), &options).unwrap();
        assert!(reports[0].is_clean(), "{}", reports[0]);
    }

    #[test]
    fn chunked_ends() {
        assert_eq!(chunked_end(b"0\r\n\r\n"), Some(5));
        assert_eq!(
            chunked_end(b"3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\nnext"),
            Some(23)
        );
        assert_eq!(chunked_end(b"3\r\nabc\r\n0\r\n"), None);
        assert_eq!(chunked_end(b"3\r\nabcd\r\n0\r\n\r\n"), None);
        assert_eq!(chunked_end(b"zz\r\n"), None);
        assert_eq!(chunked_end(b"fffffffffffffff\r\n"), None);
        assert_eq!(chunked_end(b""), None);
    }

    #[test]
    fn completeness_follows_the_framing() {
        let c = |b: &[u8]| is_complete(b, false);
        assert!(c(b"HTTP/1.1 302 Found\r\nContent-Length: 2\r\n\r\nab"));
        assert!(!c(b"HTTP/1.1 302 Found\r\nContent-Length: 3\r\n\r\nab"));
        assert!(c(
            b"HTTP/1.1 302 Found\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ));
        assert!(!c(
            b"HTTP/1.1 302 Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab"
        ));
        assert!(!c(b"HTTP/1.1 302 Found\r\nTransfer-Encoding: gzip\r\n\r\n"));
        assert!(!c(b"HTTP/1.1 302 Found\r\n\r\nclose-delimited"));
        assert!(!c(b"HTTP/1.1 302 Found\r\nContent-Length: 1, 2\r\n\r\nab"));
        assert!(c(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"));
        assert!(is_complete(
            b"HTTP/1.1 302 Found\r\nContent-Length: 9\r\n\r\n",
            true
        ));
        assert!(!c(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n"));
    }
}
