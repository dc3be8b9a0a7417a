//! `redirspec server` and `redirspec response`: the command-line drivers of
//! the server checker (`redirspec::server`) and the probing client (`redirspec::probe`).
//! `main.rs` parses flags and prints; everything else is here.

use std::io::Read;
use std::time::Duration;

use redirspec::http::Method;
use redirspec::probe::{check_server, check_target, NetError, NetOptions, Plan};
use redirspec::server::{check_raw, parse_error_report, Report, RequestInfo, Summary};

/// Largest file `redirspec response` reads (16 MiB).
pub(crate) const MAX_RESPONSE_FILE: u64 = 16 << 20;

/// Why a check command could not run. Every variant is exit status 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CheckError {
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
pub(crate) struct ServerArgs {
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
pub(crate) fn run_server(args: &ServerArgs) -> Result<Vec<Report>, CheckError> {
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
pub(crate) fn run_response(
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
pub(crate) fn exit_status<'r>(reports: impl IntoIterator<Item = &'r Report>) -> u8 {
    u8::from(reports.into_iter().any(Report::breaks_must))
}

/// Version of the JSON that [`reports_json`] writes; it grows only by new fields while it
/// stays the same.
pub(crate) const REPORTS_JSON_SCHEMA: u32 = 1;

/// The reports of `redirspec server` or `redirspec response` as one JSON object (their
/// `--format json`), for CI: `{"schema":1,"exit":0|1,"summary":{…},"reports":[{"method",
/// "url","status","findings":[{"id","level","section","message","offset","evidence"}]}]}`.
/// `level` is `MUST`, `SHOULD` or `ADVICE`; `evidence` is the offending bytes as text (invalid
/// UTF-8 replaced), `offset` their place in the raw response (null for an `http::Response`).
pub(crate) fn reports_json(reports: &[Report]) -> serde_json::Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn reports_json_of_nothing_is_schema_1_exit_0() {
        let json = reports_json(&[]);
        assert_eq!(json["schema"], 1);
        assert_eq!(json["exit"], 0);
        assert_eq!(json["summary"]["responses"], 0);
    }

    /// The cause appears once: the `File` error has no source, so its message carries it.
    #[test]
    fn a_missing_file_names_its_cause_once() {
        use std::error::Error;
        let e =
            run_response("/nonexistent/redirspec-response", None, None).expect_err("no such file");
        assert!(e.to_string().contains("cannot read"), "{e}");
        if let Some(source) = e.source() {
            assert!(!e.to_string().contains(&source.to_string()), "{e}");
        }
    }

    /// `redirspec response` reads regular files only: a FIFO (whose open
    /// would block until a writer comes) and a device are refused at once.
    #[cfg(unix)]
    #[test]
    fn response_refuses_a_fifo_and_a_device() {
        let dir = std::env::temp_dir().join(format!(
            "redirspec-hostile-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir(&dir).unwrap();
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let refused = |path: &std::path::Path| {
            let t = Instant::now();
            let r = run_response(&path.to_string_lossy(), None, None);
            assert!(t.elapsed() < Duration::from_secs(5));
            match r {
                Err(e @ CheckError::File { .. }) => e.to_string(),
                other => panic!("{}: {other:?}", path.display()),
            }
        };
        if made.is_ok_and(|s| s.success()) {
            let text = refused(&fifo);
            assert!(text.contains("not a regular file"), "{text}");
        } else {
            eprintln!("note: mkfifo is absent; the FIFO case is skipped");
        }
        let text = refused(std::path::Path::new("/dev/zero"));
        assert!(
            text.contains("not a regular file") && !text.contains('\n'),
            "{text}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
