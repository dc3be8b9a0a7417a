//! Browsers as clients of the fixed suite: headless Chromium and Firefox ESR, each scenario
//! run with `fetch(url, {method, headers, body, redirect: "follow"})` from a page, and the
//! **model vs browsers** view.
//!
//! One browser process per run, not per scenario: the browser opens a driver page on a
//! loopback control server of its own (`BrowserSession`); the page asks the control server
//! for the next job, loads the scenario origin's frame page
//! (`FETCH_PAGE`, served by the scripted server and not
//! recorded), hands it the job, and posts the outcome back. The scripted server records every
//! hop as for any client, answers a CORS preflight (not recorded: the model has none) and
//! allows cross-origin reads, so a chain that leaves the start origin can be followed to its
//! end as a site that opts in would let it.
//!
//! What the scenarios of one browser share: its process, profile and cookie jar (cookies
//! are not compared in these rows, see below), and its HTTP cache, which the frame page's
//! `fetch` bypasses (`cache: "no-store"`); every scenario has a scripted server of its own on
//! new ports, so no connection is reused either. (The second-request group, which is about
//! what a cache remembers, isolates harder: a browser context per scenario, see
//! `chromium`.) [`view_command`] runs Chromium and Firefox side by side,
//! each on a thread of its own; `redirspec matrix` runs the view while the matrix runs.
//!
//! What a page cannot express is marked **not applicable** with the reason, never skipped
//! silently: a method `fetch` forbids (`CONNECT`, `TRACE`, `TRACK`), a body on GET or HEAD.
//! `Cookie` and `Proxy-Authorization` are forbidden request headers: a page cannot set them,
//! and what a browser sends comes from its cookie jar (RFC 6265) and proxy settings, so the
//! browser rows do not compare them (neither the model's
//! expected requests nor the browser's carry one), under the browser reading of Fetch's credential rule ([`Policy::browser_credentials`]).
//!
//! [`Policy::browser_credentials`]: crate::model::Policy::browser_credentials

use super::client::{ClientOutcome, ClientRequest};
use super::command::{run_in_scratch, Finished};
use super::compare::{compare, ObservedTrace, Verdict};
use super::matrix::{ProfileVerdict, ScenarioReport};
use super::page::FETCH_PAGE;
use super::process::{command_in, Supervised};
use super::scenario::Scenario;
use super::scratch::{write_new_at, Scratch};
use super::server::{ScriptedServer, ServerLimits};
use super::verdict::expected_trace;
use crate::Profile;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Which browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum BrowserKind {
    /// Headless Chromium (Debian `chromium`).
    Chromium,
    /// Headless Firefox ESR (Debian `firefox-esr`).
    Firefox,
}

impl BrowserKind {
    /// Both, in report order.
    pub const ALL: [BrowserKind; 2] = [BrowserKind::Chromium, BrowserKind::Firefox];

    /// `chromium` or `firefox-esr`.
    pub fn name(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "chromium",
            BrowserKind::Firefox => "firefox-esr",
        }
    }

    /// The Debian program.
    pub fn program(self) -> PathBuf {
        PathBuf::from(match self {
            BrowserKind::Chromium => "/usr/bin/chromium",
            BrowserKind::Firefox => "/usr/bin/firefox-esr",
        })
    }

    /// The version line (`Chromium 156.0…`, `Mozilla Firefox 153.8.0esr`), or `None`.
    pub fn version(self) -> Option<String> {
        let argv = [self.program().display().to_string(), "--version".to_owned()];
        let Ok(Finished::Exited { stdout, .. }) = run_in_scratch(&argv, Duration::from_secs(10))
        else {
            return None;
        };
        let text = String::from_utf8_lossy(&stdout);
        let line = text.lines().find(|l| !l.trim().is_empty())?;
        Some(
            line.split(" built")
                .next()
                .unwrap_or(line)
                .trim()
                .to_owned(),
        )
    }

    /// `Err(note)` when the browser is not installed.
    ///
    /// # Errors
    /// A note naming the missing program.
    pub fn check_available(self) -> Result<(), String> {
        if self.program().is_file() {
            Ok(())
        } else {
            Err(format!(
                "{} is not installed (Debian package {})",
                self.program().display(),
                self.name()
            ))
        }
    }

    fn argv(self, profile: &Path, url: &str) -> Vec<String> {
        let program = self.program().display().to_string();
        match self {
            BrowserKind::Chromium => {
                let mut v = vec![program];
                v.extend(super::chromium::HEADLESS_FLAGS.map(str::to_owned));
                v.push("--no-proxy-server".to_owned());
                v.push(format!("--user-data-dir={}", profile.display()));
                v.push(url.to_owned());
                v
            }
            BrowserKind::Firefox => vec![
                program,
                "--headless".to_owned(),
                "--no-remote".to_owned(),
                "--profile".to_owned(),
                profile.display().to_string(),
                url.to_owned(),
            ],
        }
    }
}

/// Firefox preferences for a closed machine: no update, telemetry, captive-portal or
/// safe-browsing traffic, no proxy, no first-run pages.
const FIREFOX_PREFS: &str = "\
user_pref(\"app.update.enabled\", false);
user_pref(\"app.update.auto\", false);
user_pref(\"app.normandy.enabled\", false);
user_pref(\"browser.shell.checkDefaultBrowser\", false);
user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");
user_pref(\"browser.aboutwelcome.enabled\", false);
user_pref(\"browser.safebrowsing.malware.enabled\", false);
user_pref(\"browser.safebrowsing.phishing.enabled\", false);
user_pref(\"browser.safebrowsing.downloads.enabled\", false);
user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);
user_pref(\"datareporting.healthreport.uploadEnabled\", false);
user_pref(\"toolkit.telemetry.enabled\", false);
user_pref(\"extensions.update.enabled\", false);
user_pref(\"network.captive-portal-service.enabled\", false);
user_pref(\"network.connectivity-service.enabled\", false);
user_pref(\"network.proxy.type\", 0);
user_pref(\"network.dns.disablePrefetch\", true);
user_pref(\"network.http.speculative-parallel-limit\", 0);
user_pref(\"dom.disable_open_during_load\", false);
";

/// The driver page: asks `/next` for a job, runs it in a frame on the scenario's origin,
/// posts the outcome to `/result`, and again.
const DRIVER_PAGE: &str =
    "<!DOCTYPE html><html><head><title>redirspec driver</title></head><body><script>
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function runJob(job) {
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    let timer = null;
    const done = (answer) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      frame.remove();
      resolve(answer);
    };
    const onMessage = (ev) => {
      if (ev.data && ev.data.id === job.id) done(ev.data);
    };
    timer = setTimeout(() => done({ id: job.id, kind: 'timeout' }), job.timeout_ms);
    window.addEventListener('message', onMessage);
    frame.onload = () => frame.contentWindow.postMessage(job, '*');
    frame.src = job.page;
    document.body.appendChild(frame);
  });
}
(async () => {
  for (;;) {
    let job;
    try {
      const r = await fetch('/next', { cache: 'no-store' });
      if (r.status === 204) continue;
      if (r.status !== 200) { await sleep(100); continue; }
      job = await r.json();
    } catch (e) { await sleep(200); continue; }
    if (job.stop) return;
    const answer = await runJob(job);
    try {
      await fetch('/result', { method: 'POST', body: JSON.stringify(answer), cache: 'no-store' });
    } catch (e) { await sleep(100); }
  }
})();
</script></body></html>
";

/// A job for the driver page.
#[derive(Debug, Clone, serde::Serialize)]
struct Job {
    id: u64,
    page: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    timeout_ms: u64,
    stop: bool,
}

/// The driver page's answer.
#[derive(Debug, Clone, serde::Deserialize)]
struct Answer {
    id: u64,
    kind: String,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Default)]
struct Control {
    next: Option<Job>,
    answers: Vec<Answer>,
    /// The driver page asked for a job at least once (it is running).
    polled: bool,
}

/// One browser process and its control server, for one run.
pub(crate) struct BrowserSession {
    kind: BrowserKind,
    child: Supervised,
    /// The scratch folder (profile, HOME), removed when the session drops.
    _dir: Scratch,
    control: Arc<(Mutex<Control>, std::sync::Condvar)>,
    stop: Arc<AtomicBool>,
    port: u16,
    server: Option<thread::JoinHandle<()>>,
    next_id: u64,
}

/// Longest request the control server reads.
const MAX_CONTROL_REQUEST: usize = 64 * 1024;

impl BrowserSession {
    /// Starts the control server and the browser, and waits (at most `startup`) for its
    /// driver page to ask for work.
    ///
    /// # Errors
    /// A message when the browser is missing, does not start, or its page never asks.
    pub(crate) fn start(kind: BrowserKind, startup: Duration) -> Result<Self, String> {
        kind.check_available()?;
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("control server: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("control server: {e}"))?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("control server: {e}"))?;
        let control = Arc::new((Mutex::new(Control::default()), std::sync::Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let server = {
            let control = Arc::clone(&control);
            let stop = Arc::clone(&stop);
            thread::spawn(move || serve_control(&listener, &control, &stop))
        };
        // Everything the browser writes stays in a private scratch folder, removed after.
        let started = Scratch::new().and_then(|dir| {
            let profile = dir.create_dir("profile")?;
            if kind == BrowserKind::Firefox {
                write_new_at(&profile.join("user.js"), FIREFOX_PREFS.as_bytes())?;
            }
            let child = {
                let argv = kind.argv(&profile, &format!("http://127.0.0.1:{port}/driver"));
                let mut command = command_in(&argv, dir.path())?;
                command
                    .env("HOME", dir.path())
                    .env("XDG_CONFIG_HOME", dir.path())
                    .env("XDG_CACHE_HOME", dir.path())
                    .env("MOZ_CRASHREPORTER_DISABLE", "1")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                // Its own process group and run token: stopping it ends its helpers too.
                Supervised::spawn(&mut command)?
            };
            Ok((child, dir))
        });
        let (child, dir) = match started {
            Ok(started) => started,
            Err(e) => {
                stop.store(true, Ordering::SeqCst);
                let _ = server.join();
                return Err(format!("could not start {}: {e}", kind.name()));
            }
        };
        let mut session = BrowserSession {
            kind,
            child,
            _dir: dir,
            control,
            stop,
            port,
            server: Some(server),
            next_id: 0,
        };
        let deadline = Instant::now() + startup;
        let (lock, cvar) = &*session.control;
        let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !c.polled {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                drop(c);
                let name = session.kind.name();
                return Err(format!(
                    "{name}'s driver page did not ask for work within {} s",
                    startup.as_secs()
                ));
            }
            c = cvar
                .wait_timeout(c, left.min(Duration::from_millis(200)))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(c);
        session.port = port;
        Ok(session)
    }

    /// Runs one request from a page on its URL's origin: the outcome the page saw.
    pub(crate) fn execute(&mut self, request: &ClientRequest) -> ClientOutcome {
        let Some((origin, path)) = split_origin(&request.url) else {
            return ClientOutcome::Failed {
                message: format!("cannot ask for {} from a page", request.url),
            };
        };
        self.next_id += 1;
        let id = self.next_id;
        let timeout_ms = u64::try_from(request.timeout.as_millis()).unwrap_or(u64::MAX);
        let job = Job {
            id,
            page: format!("{origin}{FETCH_PAGE}"),
            method: request.method.as_str().to_owned(),
            path: path.to_owned(),
            headers: request.headers.clone(),
            body: request
                .body
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            timeout_ms,
            stop: false,
        };
        let (lock, cvar) = &*self.control;
        let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
        c.answers.clear();
        c.next = Some(job);
        cvar.notify_all();
        // The page's own timer ends the job at `timeout`; a little more for the round trip.
        let deadline = Instant::now() + request.timeout + Duration::from_secs(3);
        loop {
            if let Some(i) = c.answers.iter().position(|a| a.id == id) {
                let a = c.answers.swap_remove(i);
                return match a.kind.as_str() {
                    // An opaque response shows status 0: the page cannot tell.
                    "delivered" => ClientOutcome::Delivered {
                        status: a.status.filter(|s| *s != 0),
                    },
                    "timeout" => ClientOutcome::TimedOut {
                        after_ms: timeout_ms,
                    },
                    _ => ClientOutcome::Failed {
                        message: super::client::one_line(
                            a.message.as_deref().unwrap_or("the fetch failed"),
                        ),
                    },
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                c.next = None;
                return ClientOutcome::TimedOut {
                    after_ms: timeout_ms,
                };
            }
            c = cvar
                .wait_timeout(c, left.min(Duration::from_millis(200)))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for BrowserSession {
    fn drop(&mut self) {
        {
            let (lock, cvar) = &*self.control;
            let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
            c.next = Some(Job {
                id: 0,
                page: String::new(),
                method: String::new(),
                path: String::new(),
                headers: Vec::new(),
                body: None,
                timeout_ms: 0,
                stop: true,
            });
            cvar.notify_all();
        }
        // The browser, its process group and every helper it started end here.
        let _ = self.child.kill();
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.server.take() {
            let _ = h.join();
        }
        // `dir`, a Scratch, is removed as the session's fields drop.
    }
}

/// `http://host:port` and `/path?query` of an absolute http URL (fragment dropped).
fn split_origin(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://")?;
    let slash = rest.find('/')?;
    let origin_len = "http://".len() + slash;
    let path = &url[origin_len..];
    let path = path.split('#').next().unwrap_or(path);
    Some((&url[..origin_len], path))
}

/// The control server's loop: bounded per connection, ends when `stop` is set.
fn serve_control(
    listener: &TcpListener,
    control: &Arc<(Mutex<Control>, std::sync::Condvar)>,
    stop: &Arc<AtomicBool>,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let control = Arc::clone(control);
                let stop = Arc::clone(stop);
                // A long poll holds its connection: one thread per connection, each bounded.
                thread::spawn(move || {
                    let _ = control_connection(stream, &control, &stop);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(10));
            }
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn control_connection(
    mut stream: TcpStream,
    control: &Arc<(Mutex<Control>, std::sync::Condvar)>,
    stop: &Arc<AtomicBool>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (method, path, body) = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_CONTROL_REQUEST {
            return Ok(());
        }
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        let Ok(httparse::Status::Complete(head)) = req.parse(&buf) else {
            continue;
        };
        let length = req
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-length"))
            .and_then(|h| {
                std::str::from_utf8(h.value)
                    .ok()?
                    .trim()
                    .parse::<usize>()
                    .ok()
            })
            .unwrap_or(0);
        if head + length > MAX_CONTROL_REQUEST {
            return Ok(());
        }
        if buf.len() >= head + length {
            break (
                req.method.unwrap_or_default().to_owned(),
                req.path.unwrap_or_default().to_owned(),
                buf[head..head + length].to_vec(),
            );
        }
    };
    let (lock, cvar) = &**control;
    let reply = match (method.as_str(), path.as_str()) {
        ("GET", "/driver") => response(200, "text/html", DRIVER_PAGE.as_bytes()),
        ("GET", "/next") => {
            let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
            c.polled = true;
            cvar.notify_all();
            let deadline = Instant::now() + Duration::from_secs(2);
            loop {
                if let Some(job) = c.next.take() {
                    let json = serde_json::to_vec(&job).unwrap_or_default();
                    break response(200, "application/json", &json);
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() || stop.load(Ordering::SeqCst) {
                    break response(204, "text/plain", b"");
                }
                c = cvar
                    .wait_timeout(c, left.min(Duration::from_millis(100)))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        ("POST", "/result") => {
            if let Ok(answer) = serde_json::from_slice::<Answer>(&body) {
                let mut c = lock.lock().unwrap_or_else(PoisonError::into_inner);
                if c.answers.len() < 16 {
                    c.answers.push(answer);
                }
                cvar.notify_all();
            }
            response(204, "text/plain", b"")
        }
        _ => response(404, "text/plain", b""),
    };
    stream.write_all(&reply)?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        _ => "Not Found",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Why a page cannot run `scenario`, or `None` when it can.
pub(crate) fn not_applicable(scenario: &Scenario) -> Option<&'static str> {
    // Fetch: "a forbidden method": CONNECT, TRACE, TRACK.
    if ["CONNECT", "TRACE", "TRACK"].contains(&scenario.method.as_str()) {
        return Some("fetch() forbids this method");
    }
    // Fetch's Request constructor: "If either init["body"] exists and is non-null or
    // inputOrInitBody is non-null, and request's method is `GET` or `HEAD`, then throw".
    if scenario.with_body && ["GET", "HEAD"].contains(&scenario.method.as_str()) {
        return Some("fetch() cannot send a body with GET or HEAD");
    }
    if !scenario.routes.is_empty() {
        return Some("answered by path (second-request group)");
    }
    None
}

/// The request a page sends for `scenario`: its headers without the forbidden request headers
/// a scenario uses, `Cookie` and `Proxy-Authorization` (Fetch, "forbidden request-header":
/// `Cookie`, and every name that starts with `Proxy-`): a page cannot set them.
pub(crate) fn page_headers(scenario: &Scenario) -> Vec<(String, String)> {
    scenario
        .request_headers()
        .into_iter()
        .filter(|(n, _)| !forbidden_in_page(n))
        .collect()
}

/// Whether a page's `fetch` drops this request header (Fetch, "forbidden request-header"; only
/// the names a scenario sends are checked).
fn forbidden_in_page(name: &str) -> bool {
    name.eq_ignore_ascii_case("cookie")
        || name
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("proxy-"))
}

/// One browser's row for one scenario.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub enum BrowserResult {
    /// Run and judged under the Fetch profile (browser reading, no Cookie).
    Judged(Box<ScenarioReport>),
    /// A page cannot express it.
    NotApplicable(&'static str),
    /// The browser is not installed or did not start.
    Skipped(String),
}

impl BrowserResult {
    /// `conforms`, the divergence key (`method@1`), `n/a`, `skipped` or `harness-error`.
    pub fn key(&self) -> String {
        match self {
            BrowserResult::Judged(r) => match (&r.harness_error, r.verdict("fetch")) {
                (None, Some(v)) => v.verdict.key(),
                _ => "harness-error".to_owned(),
            },
            BrowserResult::NotApplicable(_) => "n/a".to_owned(),
            BrowserResult::Skipped(_) => "skipped".to_owned(),
        }
    }
}

/// Runs `scenarios` in one `kind` browser process; every scenario gets a row.
pub fn run_browser(
    kind: BrowserKind,
    scenarios: &[Scenario],
    timeout: Duration,
) -> Vec<(String, BrowserResult)> {
    let mut session = match BrowserSession::start(kind, Duration::from_secs(60)) {
        Ok(s) => Some(s),
        Err(note) => {
            return scenarios
                .iter()
                .map(|s| (s.name.clone(), BrowserResult::Skipped(note.clone())))
                .collect()
        }
    };
    let mut out = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        if let Some(why) = not_applicable(s) {
            out.push((s.name.clone(), BrowserResult::NotApplicable(why)));
            continue;
        }
        let Some(live) = session.as_mut() else {
            out.push((
                s.name.clone(),
                BrowserResult::Skipped("the browser stopped".to_owned()),
            ));
            continue;
        };
        out.push((
            s.name.clone(),
            BrowserResult::Judged(Box::new(run_one(live, s, timeout))),
        ));
    }
    drop(session.take());
    out
}

/// One scenario through a running browser, judged under the browser reading of Fetch.
fn run_one(session: &mut BrowserSession, scenario: &Scenario, timeout: Duration) -> ScenarioReport {
    let started = Instant::now();
    // fetch() in a page never opens a non-http connection (Fetch: "scheme fetch" of ftp: is
    // a network error): no listener for other schemes is started here, `elsewhere` stays empty.
    let mut report = ScenarioReport::not_run(scenario);
    let server = match ScriptedServer::start_for_client(scenario, ServerLimits::default(), timeout)
    {
        Ok(s) => s,
        Err(e) => {
            report.harness_error = Some(e.to_string());
            return report;
        }
    };
    let origins = server.origins();
    report.start_url = origins.expand(&scenario.start);
    let request = ClientRequest {
        method: scenario.method.clone(),
        url: report.start_url.clone(),
        headers: page_headers(scenario),
        body: scenario.request_body().map(<[u8]>::to_vec),
        timeout,
    };
    let outcome = session.execute(&request);
    let trace = server.finish();
    let mut observed = ObservedTrace::from_server(&trace, &origins, outcome, Vec::new());
    for r in &mut observed.requests {
        // A browser's Cookie comes from its cookie jar (RFC 6265) and its
        // Proxy-Authorization from its proxy settings, not from the caller: not
        // compared.
        r.cookie = false;
        r.proxy_authorization = false;
    }
    let policy = Profile::Fetch.policy().browser_credentials();
    match expected_trace(scenario, origins, "fetch", policy) {
        Ok(mut expected) => {
            // The page could not send Cookie or Proxy-Authorization: neither does the
            // model's request.
            for r in &mut expected.requests {
                r.cookie = false;
                r.proxy_authorization = false;
            }
            let verdict: Verdict = compare(&expected, &observed);
            report.verdicts.push(ProfileVerdict {
                profile: "fetch".to_owned(),
                verdict,
                expected,
            });
        }
        Err(e) => report.harness_error = Some(e.to_string()),
    }
    report.outcome = observed.outcome;
    report.observed = observed.requests;
    report.recorded = trace.requests;
    report.bad_connections = trace.bad_connections;
    report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report
}

/// What the model (the Fetch profile, browser reading, no Cookie) expects of `scenario`, in
/// one line: the requests after the first and how the chain ends (`2 hops, deliver 200`).
pub(crate) fn model_summary(scenario: &Scenario) -> String {
    let origins = super::scenario::Origins {
        a_port: 8001,
        b_port: 8002,
    };
    let policy = Profile::Fetch.policy().browser_credentials();
    match expected_trace(scenario, origins, "fetch", policy) {
        Ok(t) => {
            let hops = t.requests.len().saturating_sub(1);
            let end = match &t.end {
                super::compare::ExpectedEnd::Deliver { status, .. } => format!("deliver {status}"),
                super::compare::ExpectedEnd::Refuse { reason, .. } => format!("error ({reason})"),
            };
            format!("{hops} hop{}, {end}", if hops == 1 { "" } else { "s" })
        }
        Err(e) => format!("model error: {e}"),
    }
}

/// The **model vs browsers** view, as Markdown: per scenario the Fetch profile's expectation
/// and each browser's verdict side by side, then the count of agreements per browser.
pub(crate) fn markdown_view(
    scenarios: &[Scenario],
    runs: &[(BrowserKind, Vec<(String, BrowserResult)>)],
) -> String {
    let mut out = String::from("| scenario | model (`fetch`, browser reading) |");
    for (kind, _) in runs {
        out.push_str(&format!(" {} |", kind.name()));
    }
    out.push_str("\n|---|---|");
    for _ in runs {
        out.push_str("---|");
    }
    out.push('\n');
    let mut agree = vec![(0usize, 0usize); runs.len()];
    for s in scenarios {
        out.push_str(&format!("| {} | {} |", s.name, model_summary(s)));
        for (i, (_, rows)) in runs.iter().enumerate() {
            let cell = rows
                .iter()
                .find(|(n, _)| *n == s.name)
                .map_or_else(|| "—".to_owned(), |(_, r)| r.key());
            if cell == "conforms" {
                agree[i].0 += 1;
            }
            if cell != "n/a" && cell != "skipped" && cell != "—" {
                agree[i].1 += 1;
            }
            let shown = if cell == "conforms" {
                "agrees".to_owned()
            } else {
                format!("**{cell}**")
            };
            out.push_str(&format!(" {shown} |"));
        }
        out.push('\n');
    }
    out.push_str("| **agreements** | |");
    for (a, n) in &agree {
        out.push_str(&format!(" **{a}/{n}** |"));
    }
    out.push('\n');
    out
}

/// Runs the fixed suite in every installed browser (one process each, the browsers side by
/// side on threads of their own) and renders the model-vs-browsers Markdown table, with a
/// line per browser naming its version or why it was skipped.
pub fn view_command(timeout: Duration) -> String {
    let scenarios = super::suite::suite();
    let runs: Vec<(BrowserKind, Vec<(String, BrowserResult)>)> = thread::scope(|scope| {
        let started: Vec<_> = BrowserKind::ALL
            .iter()
            .map(|k| {
                let kind = *k;
                let scenarios = &scenarios;
                let handle = thread::Builder::new()
                    .name(format!("redirspec-{}", kind.name()))
                    .spawn_scoped(scope, move || run_browser(kind, scenarios, timeout));
                (kind, handle)
            })
            .collect();
        started
            .into_iter()
            .map(|(kind, handle)| {
                let rows = match handle {
                    Ok(h) => h
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    // No thread to be had: run it here.
                    Err(_) => run_browser(kind, &scenarios, timeout),
                };
                (kind, rows)
            })
            .collect()
    });
    let mut out = String::new();
    for (kind, rows) in &runs {
        match rows.iter().find_map(|(_, r)| match r {
            BrowserResult::Skipped(why) => Some(why.clone()),
            _ => None,
        }) {
            Some(why) => out.push_str(&format!("- {}: skipped: {why}\n", kind.name())),
            None => out.push_str(&format!(
                "- {}: {}\n",
                kind.name(),
                kind.version()
                    .unwrap_or_else(|| "version unknown".to_owned())
            )),
        }
    }
    out.push('\n');
    out.push_str(&markdown_view(&scenarios, &runs));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_counts_agreements() {
        let suite = super::super::suite::suite();
        let two = &suite[..2];
        let rows = vec![
            (two[0].name.clone(), BrowserResult::NotApplicable("why")),
            (
                two[1].name.clone(),
                BrowserResult::Skipped("not installed".to_owned()),
            ),
        ];
        let view = markdown_view(two, &[(BrowserKind::Firefox, rows)]);
        assert!(view.contains("| firefox-esr |"), "{view}");
        assert!(view.contains("**n/a**"), "{view}");
        assert!(view.contains("**0/0**"), "{view}");
        assert!(model_summary(&two[0]).contains("deliver 200"), "{view}");
    }

    #[test]
    fn origins_split() {
        assert_eq!(
            split_origin("http://127.0.0.1:9/a/b?c#d"),
            Some(("http://127.0.0.1:9", "/a/b?c"))
        );
        assert_eq!(split_origin("https://x/"), None);
        assert_eq!(split_origin("http://x"), None);
    }

    #[test]
    fn applicability() {
        let suite = super::super::suite::suite();
        let n = suite.iter().filter(|s| not_applicable(s).is_none()).count();
        assert!(n > suite.len() / 2, "{n} of {}", suite.len());
        for s in &suite {
            assert!(page_headers(s).iter().all(|(n, _)| !forbidden_in_page(n)));
        }
        assert!(forbidden_in_page("Proxy-Authorization") && forbidden_in_page("COOKIE"));
        assert!(!forbidden_in_page("Authorization") && !forbidden_in_page("prox"));
    }
}
