//! `redirspec server` against real servers, where the machine has them:
//! nginx and Apache (Debian packages), Flask and Django (pip), Express (npm)
//! — `.ci/install-servers.sh` installs them. Each is configured, from
//! `tests/fixtures/server/real/`, with the redirects people write
//! (`return`/`rewrite`, `Redirect`/`RewriteRule`, the frameworks'
//! `redirect()`, the default directory redirect), a naive `?next=` login and
//! a validated one; nginx and Apache pass the query through undecoded.
//!
//! Every finding is pinned per server as data in
//! `tests/fixtures/server/real/<server>.expected` (`REDIRSPEC_BLESS=1`
//! rewrites them), and the README's claims are asserted on top: no MUST on
//! the default redirects (exit 0), every naive login a MUST `open-redirect`
//! (exit 1), every validated login free of `open-redirect`.
//!
//! Servers bind 127.0.0.1 (OS-chosen ports; nginx and Apache get a port
//! that was free a moment before), run as foreground children of the test
//! with their configuration, pid, logs and temporary files in a scratch
//! folder, and are killed and reaped when their check ends. A server that
//! is not installed is skipped with a note; under `CI=true` that is a
//! failure, since `.ci/install-servers.sh` installs every one of them.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_redirspec");

/// Every server, all installed by `.ci/install-servers.sh`.
const SERVERS: [&str; 5] = ["nginx", "apache", "flask", "django", "express"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/server/real")
}

/// A scratch folder of our own (created exclusively), removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for n in 0..100 {
            let p = std::env::temp_dir().join(format!(
                "redirspec-real-{name}-{}-{stamp}-{n}",
                std::process::id()
            ));
            if std::fs::create_dir(&p).is_ok() {
                let www = p.join("www/dir");
                std::fs::create_dir_all(&www).unwrap();
                std::fs::write(www.join("index.html"), "dir\n").unwrap();
                std::fs::write(p.join("www/new"), "new\n").unwrap();
                return Scratch(p);
            }
        }
        panic!("no scratch folder could be created");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process: killed and reaped when dropped (nginx runs without a
/// master process and Apache with `-X`, so the child is the whole server).
struct Running {
    child: Child,
    port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn has(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn sbin(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

fn node_path() -> Option<String> {
    let out = Command::new("npm").args(["root", "-g"]).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Why a server cannot run here, or `None` when it can.
fn missing(server: &str) -> Option<String> {
    let ok = match server {
        "nginx" => sbin("nginx").is_some(),
        "apache" => {
            sbin("apache2").is_some()
                && Path::new("/usr/lib/apache2/modules/mod_rewrite.so").is_file()
        }
        "flask" => has("python3", &["-c", "import flask, werkzeug"]),
        "django" => has("python3", &["-c", "import django"]),
        "express" => node_path().is_some_and(|p| {
            Command::new("node")
                .args(["-e", "require('express')"])
                .env("NODE_PATH", p)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        }),
        _ => false,
    };
    (!ok).then(|| format!("{server} is not installed (.ci/install-servers.sh installs it)"))
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Waits until 127.0.0.1:port accepts (20 s at most) or the child exits.
fn wait_ready(child: &mut Child, port: u16) -> Result<(), String> {
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status} before listening"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("did not listen within 20 s".to_owned())
}

/// Reads "PORT <n>" from the child's stdout (20 s at most).
fn read_port(child: &mut Child) -> Result<u16, String> {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .map_err(|_| "printed no port within 20 s".to_owned())?;
    line.trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("printed {line:?} instead of its port"))
}

fn config(template: &str, dir: &Path, port: u16) -> String {
    std::fs::read_to_string(fixtures().join(template))
        .unwrap()
        .replace("{dir}", &dir.to_string_lossy())
        .replace("{port}", &port.to_string())
}

fn start(server: &str, scratch: &Scratch) -> Result<Running, String> {
    let dir = &scratch.0;
    let log = || std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
    match server {
        "nginx" | "apache" => {
            // A port free a moment ago may be taken by the time the server
            // binds it: three tries.
            let mut last = String::new();
            for _ in 0..3 {
                let port = free_port();
                let mut cmd = if server == "nginx" {
                    let conf = dir.join("nginx.conf");
                    std::fs::write(&conf, config("nginx.conf.in", dir, port)).unwrap();
                    let mut c = Command::new(sbin("nginx").unwrap());
                    c.arg("-p").arg(dir).arg("-c").arg(&conf);
                    c
                } else {
                    let conf = dir.join("apache.conf");
                    std::fs::write(&conf, config("apache.conf.in", dir, port)).unwrap();
                    let mut c = Command::new(sbin("apache2").unwrap());
                    c.arg("-X").arg("-f").arg(&conf);
                    c
                };
                let mut child = cmd
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot start {server}: {e}"))?;
                match wait_ready(&mut child, port) {
                    Ok(()) => return Ok(Running { child, port }),
                    Err(e) => {
                        let _ = child.kill();
                        let out = child.wait_with_output().ok();
                        let stderr = out
                            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                            .unwrap_or_default();
                        last = format!("{server} {e}: {stderr} {}", log());
                    }
                }
            }
            Err(last)
        }
        "flask" | "django" | "express" => {
            let mut cmd = match server {
                "express" => {
                    let mut c = Command::new("node");
                    c.arg(fixtures().join("express_app.js"))
                        .arg(dir.join("www"))
                        .env("NODE_PATH", node_path().unwrap_or_default());
                    c
                }
                _ => {
                    let mut c = Command::new("python3");
                    c.arg(fixtures().join(format!("{server}_app.py")));
                    c
                }
            };
            let mut child = cmd
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|e| format!("cannot start {server}: {e}"))?;
            match read_port(&mut child).and_then(|port| wait_ready(&mut child, port).map(|()| port))
            {
                Ok(port) => Ok(Running { child, port }),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    Err(format!("{server} {e}"))
                }
            }
        }
        _ => Err(format!("unknown server {server}")),
    }
}

/// Runs `redirspec server`; returns the exit code and the findings, one
/// line per request: `GET /path?query -> 302: MUST open-redirect, ...`.
fn check(port: u16, args: &[&str]) -> (i32, Vec<String>, String) {
    let out = Command::new(BIN)
        .arg("server")
        .args(args)
        .args(["--timeout-ms", "5000"])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let origin = format!("http://127.0.0.1:{port}");
    let mut lines: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if let Some(finding) = line.strip_prefix("  ") {
            let mut words = finding.split_whitespace();
            let (Some(level), Some(id)) = (words.next(), words.next()) else {
                continue;
            };
            if let Some(last) = lines.last_mut() {
                last.push_str(if last.ends_with(':') { " " } else { ", " });
                last.push_str(&format!("{level} {id}"));
            }
        } else if let Some((request, status)) = line.split_once(" -> ") {
            let request = request.replacen(&origin, "", 1);
            let code = status.split_whitespace().next().unwrap_or_default();
            let ok = if status.ends_with(": ok") { " ok" } else { "" };
            lines.push(format!("{request} -> {code}:{ok}"));
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (
        out.status.code().unwrap_or(-1),
        lines,
        format!("{stdout}{stderr}"),
    )
}

/// Checks one running server; returns its pinned text.
fn run_checks(server: &str, port: u16) -> String {
    let base = format!("http://127.0.0.1:{port}");
    let mut pinned = String::new();
    // The default redirects: no MUST, exit 0.
    let mut args = vec![
        base.clone(),
        "--method".into(),
        "GET".into(),
        "--method".into(),
        "HEAD".into(),
    ];
    for p in [
        "/old",
        "/temp",
        "/moved",
        "/legacy/x",
        "/archive/x",
        "/dir",
        "/new",
    ] {
        args.extend(["--path".to_owned(), p.to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, lines, text) = check(port, &args);
    assert!(
        lines.iter().all(|l| !l.contains("MUST")),
        "{server}: a MUST on a default redirect:\n{text}"
    );
    assert_eq!(code, 0, "{server}:\n{text}");
    assert!(lines.len() >= 14, "{server}:\n{text}");
    pinned.push_str("## default redirects (GET, HEAD)\n");
    for l in &lines {
        pinned.push_str(l);
        pinned.push('\n');
    }
    // The naive login: a MUST open-redirect, exit 1.
    let naive = format!("{base}/login-naive");
    let (code, lines, text) = check(
        port,
        &[&naive, "--method", "GET", "--probe-open-redirect", "next"],
    );
    assert_eq!(code, 1, "{server}:\n{text}");
    let hits = lines
        .iter()
        .filter(|l| l.contains("MUST open-redirect"))
        .count();
    assert!(
        hits > 0,
        "{server}: the naive login is not reported:\n{text}"
    );
    pinned.push_str("## naive login, --probe-open-redirect next\n");
    for l in &lines {
        pinned.push_str(l);
        pinned.push('\n');
    }
    // A plain --query value is judged too.
    let (code, lines, text) = check(
        port,
        &[
            &naive,
            "--method",
            "GET",
            "--query",
            "next=https://evil.test/",
        ],
    );
    assert_eq!(code, 1, "{server}:\n{text}");
    assert!(lines[0].contains("MUST open-redirect"), "{server}:\n{text}");
    pinned.push_str("## naive login, --query next=https://evil.test/\n");
    pinned.push_str(&lines.join("\n"));
    pinned.push('\n');
    // The validated login: no open redirect.
    let checked = format!("{base}/login-checked");
    let (_, lines, text) = check(
        port,
        &[&checked, "--method", "GET", "--probe-open-redirect", "next"],
    );
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("open-redirect") && !l.contains("MUST")),
        "{server}: a MUST on the validated login:\n{text}"
    );
    assert!(lines.len() > 50, "{server}:\n{text}");
    pinned.push_str("## validated login, --probe-open-redirect next\n");
    for l in &lines {
        pinned.push_str(l);
        pinned.push('\n');
    }
    pinned
}

/// The pinned text against the file; `REDIRSPEC_BLESS=1` rewrites it.
fn compare(server: &str, got: &str) {
    let path = fixtures().join(format!("{server}.expected"));
    if std::env::var_os("REDIRSPEC_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, got).unwrap();
        eprintln!("blessed {}", path.display());
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (REDIRSPEC_BLESS=1 writes it)", path.display()));
    if want != got {
        let first = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(got.lines().count()));
        panic!(
            "{server}: findings differ from {} at line {}:\n  pinned: {:?}\n  now:    {:?}\n(REDIRSPEC_BLESS=1 rewrites the file after a change that is meant)",
            path.display(),
            first + 1,
            want.lines().nth(first),
            got.lines().nth(first)
        );
    }
}

#[test]
fn real_servers_with_the_redirects_people_write() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut ran = Vec::new();
    let mut skipped = Vec::new();
    for server in SERVERS {
        if let Some(why) = missing(server) {
            eprintln!("note: {why}; its real-server check is skipped");
            skipped.push(server);
            continue;
        }
        let scratch = Scratch::new(server);
        let running = start(server, &scratch).unwrap_or_else(|e| panic!("{e}"));
        let pinned = run_checks(server, running.port);
        drop(running);
        compare(server, &pinned);
        ran.push(server);
    }
    eprintln!("real servers checked: {ran:?}; skipped: {skipped:?}");
    assert!(
        !ci || skipped.is_empty(),
        "under CI=true every server .ci/install-servers.sh installs must run; missing: {skipped:?}"
    );
}
