//! `redirspec server` against a real server process (python's http.server
//! with the redirecting handler in tests/fixtures/server/), and the exit
//! statuses of `redirspec server` and `redirspec response`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_redirspec");

/// The python server; killed when dropped.
struct PyServer {
    child: Child,
    port: u16,
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_python() -> Option<PyServer> {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("note: python3 is absent; the live server test is skipped");
        return None;
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/server/redirect_server.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line);
    let port = read
        .ok()
        .and_then(|_| line.trim().strip_prefix("PORT ")?.parse().ok());
    let Some(port) = port else {
        let _ = child.kill();
        panic!("the python server did not print its port: {line:?}");
    };
    Some(PyServer { child, port })
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn server_subcommand_against_python_http_server() {
    let Some(server) = start_python() else { return };
    let base = format!("http://127.0.0.1:{}/", server.port);
    let mut args = vec!["server", base.as_str(), "--timeout-ms", "3000"];
    for p in [
        "/old",
        "/loop",
        "/spaces",
        "/no-location",
        "/short",
        "/head-body",
        "/new",
    ] {
        args.extend(["--path", p]);
    }
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "stdout:\n{out}\nstderr:\n{err}");
    let port = server.port;
    let expect = [
        (
            format!("GET http://127.0.0.1:{port}/old -> 301 Moved Permanently: ok"),
            None,
        ),
        (
            format!("GET http://127.0.0.1:{port}/loop -> 302 Found"),
            Some("SHOULD location-self-loop"),
        ),
        (
            format!("GET http://127.0.0.1:{port}/spaces -> 302 Found"),
            Some("MUST   location-whitespace"),
        ),
        (
            format!("GET http://127.0.0.1:{port}/no-location -> 302 Found"),
            Some("SHOULD redirect-without-location"),
        ),
        (
            format!("GET http://127.0.0.1:{port}/short -> 302 Found"),
            Some("MUST   content-length-mismatch"),
        ),
        (
            format!("HEAD http://127.0.0.1:{port}/head-body -> 307 Temporary Redirect"),
            Some("MUST   head-with-content"),
        ),
        (
            format!("POST http://127.0.0.1:{port}/old -> 301 Moved Permanently"),
            Some("ADVICE post-redirect-ambiguous"),
        ),
        (
            format!("GET http://127.0.0.1:{port}/new -> 200 OK: ok"),
            None,
        ),
    ];
    for (head, finding) in &expect {
        let at = out
            .find(head.as_str())
            .unwrap_or_else(|| panic!("no {head:?} in:\n{out}"));
        if let Some(f) = finding {
            let next = out[at..].lines().nth(1).unwrap_or_default();
            assert!(next.trim_start().starts_with(f), "{head}: {next:?}\n{out}");
        }
    }
    // The same GET /head-body is fine: a GET may have content.
    assert!(
        out.contains(&format!(
            "GET http://127.0.0.1:{port}/head-body -> 307 Temporary Redirect: ok"
        )),
        "{out}"
    );
    let summary = out.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("21 responses, 18 redirects: "),
        "{summary}"
    );
    // `--path //x` is a path on this server, not the host `x`.
    let (code, out, err) = run(&["server", &base, "--method", "GET", "--path", "//x"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with(&format!("GET http://127.0.0.1:{port}//x -> 200 OK: ok\n")),
        "{out}{err}"
    );
    // Only the requested methods, and the queries asked for.
    let (_, out, _) = run(&["server", &format!("{base}old"), "--method", "HEAD"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let (_, out, _) = run(&[
        "server", &base, "--method", "GET", "--path", "/new", "--query", "", "--query", "a=1",
    ]);
    assert!(
        out.contains(&format!("GET http://127.0.0.1:{port}/new -> 200 OK: ok\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "GET http://127.0.0.1:{port}/new?a=1 -> 200 OK: ok\n"
        )),
        "{out}"
    );
}

#[test]
fn open_redirect_probe_against_python_http_server() {
    let Some(server) = start_python() else { return };
    let url = format!("http://127.0.0.1:{}/login", server.port);
    let (code, out, err) = run(&[
        "server",
        &url,
        "--method",
        "GET",
        "--probe-open-redirect",
        "next",
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains(
            "MUST   open-redirect (RFC 9700 §4.11): the return URL \"/\\\\evil.test\" in ?next="
        ),
        "{out}"
    );
    let probes = out
        .lines()
        .filter(|l| l.starts_with("GET ") && l.contains("next="))
        .count();
    // Every attack value, fully encoded, minimally encoded and
    // double-encoded (a URL two encodings share is sent once).
    let planned: usize = redirspec::server::attack_values("127.0.0.1")
        .iter()
        .map(|(_, v)| {
            let forms: std::collections::HashSet<String> = redirspec::server::Encoding::ALL
                .iter()
                .map(|e| e.encode(v))
                .collect();
            forms.len()
        })
        .sum();
    assert_eq!(probes, planned, "{out}");
    assert!(probes > 2 * redirspec::server::attack_values("127.0.0.1").len());
}

#[test]
fn server_subcommand_refuses_what_it_must() {
    // Not loopback, not allowed: exit 2, one line.
    let (code, out, err) = run(&["server", "http://192.0.2.1/"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a loopback address"), "{err}");
    let (code, _, err) = run(&["server", "https://127.0.0.1/"]);
    assert_eq!(code, 2);
    assert!(err.contains("plain http"), "{err}");
    let (code, _, err) = run(&["server", "not a url"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let (code, _, err) = run(&["server", "http://127.0.0.1:9/", "--method", "G ET"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    // Nothing listens: exit 2, one plain line, no "os error".
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let (code, out, err) = run(&["server", &format!("http://127.0.0.1:{port}/")]);
    assert_eq!(
        (code, out.as_str(), err.lines().count()),
        (2, "", 1),
        "{err}"
    );
    assert!(
        err.contains(&format!("cannot connect to 127.0.0.1:{port}"))
            && err.contains("connection refused")
            && !err.contains("os error"),
        "{err}"
    );
}

#[test]
fn response_subcommand_exit_statuses() {
    let dir = tempdir();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    };
    let bad = write(
        "bad.http",
        b"HTTP/1.1 302 Found\r\nLocation: /\\evil.test\r\nContent-Length: 0\r\n\r\n",
    );
    let (code, out, _) = run(&["response", &bad]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("GET (request URL not given) -> 302 Found\n  MUST   location-invalid"),
        "{out}"
    );
    let advice = write(
        "advice.http",
        b"HTTP/1.1 302 Found\r\nLocation: /done\r\nContent-Length: 0\r\n\r\n",
    );
    let (code, out, _) = run(&[
        "response",
        &advice,
        "--request-method",
        "POST",
        "--request-url",
        "https://a.test/form",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ADVICE post-redirect-ambiguous"), "{out}");
    let truncated = write("truncated.http", b"HTTP/1.1 302 Found\r\nLocation: /x\r\n");
    let (code, out, _) = run(&["response", &truncated]);
    assert_eq!(code, 1);
    assert!(out.contains("MUST   malformed-response"), "{out}");
    // `--format json`: one object with the schema version, the exit status and each finding's
    // level, section and offset.
    let invalid = write(
        "hostless.http",
        b"HTTP/1.1 302 Found\r\nLocation: https:///evil.test\r\nContent-Length: 0\r\n\r\n",
    );
    let (code, out, _) = run(&["response", &invalid, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(r#""schema":1"#), "{out}");
    assert!(out.contains(r#""exit":1"#), "{out}");
    assert!(
        out.contains(r#""id":"location-invalid","level":"MUST""#),
        "{out}"
    );
    assert!(out.contains(r#""offset":38"#), "{out}");
    let (code, _, err) = run(&["response", &invalid, "--format", "xml"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let (code, _, err) = run(&["response", &dir.join("missing").to_string_lossy()]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let (code, _, err) = run(&["response", &advice, "--request-url", "/relative"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scratch folder of our own: created exclusively, never an existing one.
fn tempdir() -> std::path::PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for n in 0..100 {
        let d = std::env::temp_dir().join(format!(
            "redirspec-server-live-{}-{stamp}-{n}",
            std::process::id()
        ));
        if std::fs::create_dir(&d).is_ok() {
            return d;
        }
    }
    panic!("no scratch folder could be created");
}
