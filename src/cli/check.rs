//! `redirspec server` and `redirspec response`: the command-line drivers of
//! the server checker ([`crate::server`]). `main.rs` parses flags and prints;
//! everything else is here.

use std::io::Read;
use std::time::Duration;

use http::Method;

use crate::probe::{check_server, check_target, NetError, NetOptions, Plan};
use crate::server::{check_raw, parse_error_report, Report, RequestInfo, Summary};

/// Largest file `redirspec response` reads (16 MiB).
pub const MAX_RESPONSE_FILE: u64 = 16 << 20;

/// Why a check command could not run. Every variant is exit status 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A flag value is wrong.
    #[error("{0}")]
    Usage(String),
    /// The server could not be reached or refused.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The file could not be read.
    #[error("cannot read {path}: {error}")]
    File {
        /// The path.
        path: String,
        /// The error (in the message, so not also a `source()`: it would print twice).
        error: std::io::Error,
    },
}

fn method(m: &str) -> Result<Method, CheckError> {
    Method::from_bytes(m.as_bytes())
        .map_err(|_| CheckError::Usage(format!("bad method {m:?}: not an HTTP token")))
}

/// The flags of `redirspec server`.
#[derive(Clone, Debug, Default)]
pub struct ServerArgs {
    /// The base URL (`http://` only).
    pub url: String,
    /// Methods to send; empty for GET, HEAD and POST.
    pub methods: Vec<String>,
    /// Extra paths joined to the URL.
    pub paths: Vec<String>,
    /// Queries sent with every path (`""` for none).
    pub queries: Vec<String>,
    /// Return-URL parameters to probe for open redirects.
    pub probes: Vec<String>,
    /// Hosts that may be checked although they are not loopback.
    pub allow_hosts: Vec<String>,
    /// Timeout per request in milliseconds (0 for the default, 5 s).
    pub timeout_ms: u64,
}

/// Runs `redirspec server`: sends the plan, checks every response.
///
/// # Errors
/// [`CheckError`]: bad flags, a host that is neither loopback nor allowed,
/// a failed exchange.
pub fn run_server(args: &ServerArgs) -> Result<Vec<Report>, CheckError> {
    let base = url::Url::parse(&args.url)
        .map_err(|e| CheckError::Usage(format!("bad URL {:?}: {e}", args.url)))?;
    let methods = args
        .methods
        .iter()
        .map(|m| method(m))
        .collect::<Result<Vec<_>, _>>()?;
    let mut options = NetOptions::default();
    if args.timeout_ms > 0 {
        options.timeout = Duration::from_millis(args.timeout_ms);
    }
    for h in &args.allow_hosts {
        options = options.allow_host(h.clone());
    }
    check_target(&base, &options)?;
    let mut plan = Plan::new(base)
        .methods(methods)
        .paths(args.paths.clone())
        .queries(args.queries.clone());
    for p in &args.probes {
        plan = plan.probe_open_redirect(p.clone());
    }
    Ok(check_server(&plan, &options)?)
}

/// Runs `redirspec response`: checks a saved raw response. A file that is
/// not a response gets a `malformed-response` report.
///
/// # Errors
/// [`CheckError`]: an unreadable or too large file, one that is not a
/// regular file (a FIFO, socket or device), a bad method or URL.
pub fn run_response(
    path: &str,
    request_method: Option<&str>,
    request_url: Option<&str>,
) -> Result<Report, CheckError> {
    let m = method(request_method.unwrap_or("GET"))?;
    let request = match request_url {
        Some(u) => RequestInfo::new(m, u)
            .map_err(|e| CheckError::Usage(format!("bad --request-url {u:?}: {e}")))?,
        None => RequestInfo::method_only(m),
    };
    let file_error = |error| CheckError::File {
        path: path.to_owned(),
        error,
    };
    // Only a regular file: a FIFO, a socket or a device (`/dev/zero`,
    // `/dev/stdin`) would block or never end. `metadata` does not open the
    // file (opening a FIFO blocks until a writer comes); the opened file is
    // checked again, in case the path changed in between.
    let not_regular = || {
        file_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device is not read)",
        ))
    };
    if !std::fs::metadata(path).map_err(file_error)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path).map_err(file_error)?;
    if !file.metadata().map_err(file_error)?.is_file() {
        return Err(not_regular());
    }
    let mut bytes = Vec::new();
    file.take(MAX_RESPONSE_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(file_error)?;
    if bytes.len() as u64 > MAX_RESPONSE_FILE {
        return Err(CheckError::Usage(format!(
            "{path} is larger than {MAX_RESPONSE_FILE} bytes"
        )));
    }
    Ok(match check_raw(&bytes, &request) {
        Ok(r) => r,
        Err(e) => parse_error_report(&e, &request),
    })
}

/// The exit status for a set of reports: 1 when any MUST is broken, else 0.
pub fn exit_status<'r>(reports: impl IntoIterator<Item = &'r Report>) -> u8 {
    u8::from(reports.into_iter().any(Report::breaks_must))
}

/// Version of the JSON that [`reports_json`] writes; it grows only by new fields while it
/// stays the same.
pub const REPORTS_JSON_SCHEMA: u32 = 1;

/// The reports of `redirspec server` or `redirspec response` as one JSON object (their
/// `--format json`), for CI: `{"schema":1,"exit":0|1,"summary":{…},"reports":[{"method",
/// "url","status","findings":[{"id","level","section","message","offset","evidence"}]}]}`.
/// `level` is `MUST`, `SHOULD` or `ADVICE`; `evidence` is the offending bytes as text (invalid
/// UTF-8 replaced), `offset` their place in the raw response (null for an `http::Response`).
///
/// # Examples
/// ```
/// # use redirspec::cli::reports_json;
/// let json = reports_json(&[]);
/// assert_eq!(json["schema"], 1);
/// assert_eq!(json["exit"], 0);
/// ```
pub fn reports_json(reports: &[Report]) -> serde_json::Value {
    let summary = Summary::of(reports);
    let exit = exit_status(reports);
    let reports: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let findings: Vec<serde_json::Value> = r
                .findings()
                .iter()
                .map(|f| {
                    let evidence = f.evidence();
                    serde_json::json!({
                        "id": f.id(),
                        "level": f.level().as_str(),
                        "section": f.section(),
                        "message": f.message(),
                        "offset": evidence.and_then(|e| e.offset),
                        "evidence": evidence.map(|e| String::from_utf8_lossy(&e.bytes).into_owned()),
                    })
                })
                .collect();
            serde_json::json!({
                "method": r.method().as_str(),
                "url": r.url(),
                "status": r.status().map(|c| c.as_u16()),
                "findings": findings,
            })
        })
        .collect();
    serde_json::json!({
        "schema": REPORTS_JSON_SCHEMA,
        "exit": exit,
        "summary": {
            "responses": summary.responses,
            "redirects": summary.redirects,
            "must": summary.must,
            "should": summary.should,
            "advice": summary.advice,
        },
        "reports": reports,
    })
}
