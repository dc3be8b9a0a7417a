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

use super::check::{check_raw, parse_error_report};
use super::finding::Rule;
use super::parse::MAX_HEAD;
use super::plan::{Plan, Planned};
use super::report::Report;
use super::request::RequestError;

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
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// The host.
        host: String,
        /// The error.
        source: std::io::Error,
    },
    /// No connection could be made, or it failed.
    #[error("{url}: {source}")]
    Io {
        /// The request URL.
        url: String,
        /// The error.
        source: std::io::Error,
    },
    /// The request URL is not one the checker takes.
    #[error(transparent)]
    Request(#[from] RequestError),
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
            .map_err(|source| NetError::Resolve {
                host: host.to_owned(),
                source,
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
    let addrs = addresses(&planned.url, options)?;
    let io = |source| NetError::Io {
        url: planned.url.as_str().to_owned(),
        source,
    };
    let mut last = None;
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, options.timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(mut stream) = stream else {
        return Err(io(last.unwrap_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no address")
        })));
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
    let deadline = Instant::now() + options.timeout;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    while buf.len() < options.max_response && Instant::now() < deadline {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let room = options.max_response - buf.len();
                buf.extend_from_slice(&chunk[..n.min(room)]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A server that keeps the connection open despite
            // `Connection: close`: what arrived is the response.
            Err(e)
                if !buf.is_empty()
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
            {
                break
            }
            Err(e) => return Err(io(e)),
        }
    }
    Ok(buf)
}

/// Sends every request of `plan` and checks each response; a response that
/// does not parse gets a `malformed-response` report. A response cut at
/// `options.max_response` bytes is not checked for `content-length-mismatch`.
///
/// # Errors
/// The first [`NetError`]: a refused target or a failed exchange.
pub fn check_server(plan: &Plan, options: &NetOptions) -> Result<Vec<Report>, NetError> {
    let mut reports = Vec::new();
    for planned in plan.requests() {
        let request = planned.request_info()?;
        let raw = fetch_raw(&planned, options)?;
        reports.push(match check_raw(&raw, &request) {
            // The read stopped at the limit: the content length is unknown.
            Ok(mut r) if raw.len() >= options.max_response => {
                r.retain(|f| f.rule() != Rule::ContentLengthMismatch);
                r
            }
            Ok(r) => r,
            Err(e) => parse_error_report(&e, &request),
        });
    }
    Ok(reports)
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
    fn silence_is_a_timeout_and_nothing_is_a_malformed_response() {
        let options = NetOptions {
            timeout: Duration::from_millis(200),
            ..NetOptions::default()
        };
        let err = check_server(&get_only(one_shot(None)), &options).unwrap_err();
        assert!(matches!(err, NetError::Io { .. }), "{err}");
        let reports = check_server(&get_only(one_shot(Some(Vec::new()))), &options).unwrap();
        assert!(reports[0].has("malformed-response"), "{}", reports[0]);
        assert_eq!(reports[0].status(), None);
    }
}
