//! Reproductions a maintainer can run without redirspec: for one client and one scenario, a
//! folder with a stand-alone server (`server.py`, python3 standard library only), the client's
//! command (`run.sh`), and what was expected — with the rule's spec sentence — versus what was
//! observed (`README.md`).
//!
//! `sh run.sh` starts the server on fixed loopback ports (`A_PORT`, `B_PORT`, `FTP_PORT`,
//! defaults 18471-18473, overridable), runs the client once against the scripted chain,
//! stops the server and prints its log: one line per request with the method, the URL and
//! which credentials and body arrived, and one line per connection to the `ftp:` listener.
//! The server answers by arrival order (or by path), like redirspec's own, and stops by
//! itself after 100 requests or 60 seconds.
//!
//! [`write_findings`] writes one folder per (client, rule) among the findings that break a
//! MUST or a security rule, with the first scenario that shows it.

use super::client::{ClientRequest, ClientUnderTest};
use super::compare::Divergence;
use super::matrix::{MatrixReport, ScenarioReport};
use super::scenario::{Origins, Scenario, ScriptedResponse};
use super::sink::FTP_PLACEHOLDER;
use super::LiveError;
use crate::check::Level;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Default ports of a reproduction (overridable through `A_PORT`, `B_PORT`, `FTP_PORT`).
pub const PORTS: (u16, u16, u16) = (18471, 18472, 18473);

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LiveError + '_ {
    move |source| LiveError::Io {
        context: path.display().to_string(),
        error: source,
    }
}

/// A word quoted for `sh`, with the default loopback ports turned back into the run's
/// variables.
fn sh_word(word: &str) -> String {
    let quoted = format!("'{}'", word.replace('\'', "'\\''"));
    quoted
        .replace(&format!(":{}", PORTS.0), ":'\"$A_PORT\"'")
        .replace(&format!(":{}", PORTS.1), ":'\"$B_PORT\"'")
        .replace(&format!(":{}", PORTS.2), ":'\"$FTP_PORT\"'")
}

fn response_json(r: &ScriptedResponse) -> serde_json::Value {
    serde_json::json!({
        "status": r.status,
        "locations": r.locations,
        "headers": r.headers,
    })
}

/// The scenario as the server script's data.
fn scenario_json(s: &Scenario) -> String {
    let v = serde_json::json!({
        "name": s.name,
        "responses": s.responses.iter().map(response_json).collect::<Vec<_>>(),
        "repeat_last": s.repeat_last,
        "routes": s.routes.iter().map(|(p, r)| (p.clone(), response_json(r))).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_owned())
}

const SERVER_PY: &str = r#"#!/usr/bin/env python3
"""Stand-alone reproduction server written by redirspec (python3 standard library only).

Listens on 127.0.0.1:$A_PORT and :$B_PORT (http) and :$FTP_PORT (an FTP-ish listener that only
records connections), answers requests with the scripted responses below by arrival order
(or by path when "routes" is not empty), and prints one line per request. Stops by itself
after 100 requests or 60 seconds.
"""
import json, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCENARIO = json.loads(r'''@SCENARIO@''')
A = int(os.environ.get("A_PORT", "@A@"))
B = int(os.environ.get("B_PORT", "@B@"))
F = int(os.environ.get("FTP_PORT", "@F@"))
lock = threading.Lock()
count = [0]

def expand(v):
    for k, x in (("{A_AUTH}", "127.0.0.1:%d" % A), ("{B_AUTH}", "127.0.0.1:%d" % B),
                 ("{L_AUTH}", "localhost:%d" % A), ("{A}", "http://127.0.0.1:%d" % A),
                 ("{B}", "http://127.0.0.1:%d" % B), ("{L}", "http://localhost:%d" % A),
                 ("@FTP@", "ftp://127.0.0.1:%d" % F)):
        v = v.replace(k, x)
    return v

def scripted(index, path):
    if SCENARIO["routes"]:
        for p, r in SCENARIO["routes"]:
            if p == path.split("?")[0]:
                return r
        return {"status": 404, "locations": [], "headers": []}
    rs = SCENARIO["responses"]
    if index < len(rs):
        return rs[index]
    if SCENARIO["repeat_last"] and rs:
        return rs[-1]
    return {"status": 200, "locations": [], "headers": []}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with lock:
            index = count[0]
            count[0] += 1
        creds = " ".join("%s=%s" % (h.lower(), "SENT" if self.headers.get(h) else "-")
                         for h in ("Authorization", "Cookie", "Proxy-Authorization", "Content-Type"))
        print("request %d: %s http://%s%s %s body=%d bytes" % (
            index, self.command, self.headers.get("Host", "?"), self.path, creds, len(body)), flush=True)
        r = scripted(index, self.path)
        self.send_response_only(r["status"])
        for loc in r["locations"]:
            self.send_header("Location", expand(loc))
        for k, v in r["headers"]:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if count[0] >= 100:
            threading.Thread(target=stop).start()
    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = handle_any

def ftp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", F)); s.listen(8); s.settimeout(0.5)
    answers = {b"USER": b"331 any password", b"PASS": b"230 logged in", b"SYST": b"215 UNIX Type: L8",
               b"PWD": b'257 "/"', b"TYPE": b"200 ok", b"QUIT": b"221 bye"}
    while True:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        c.settimeout(2)
        c.sendall(b"220 redirspec reproduction: nothing to see\r\n")
        f = c.makefile("rb")
        first = None
        for _ in range(16):
            try:
                line = f.readline(512)
            except OSError:
                break
            if not line:
                break
            verb = (line.split() or [b""])[0].upper()
            first = first or line.strip().decode("latin-1")
            c.sendall(answers.get(verb, b"550 No such file or directory") + b"\r\n")
            if verb == b"QUIT":
                break
        c.close()
        print("ftp connection to 127.0.0.1:%d: the client followed the ftp: Location (first command %r)" % (F, first), flush=True)

servers = []
def stop():
    for s in servers:
        s.shutdown()

for port in (A, B):
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    servers.append(srv)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
threading.Thread(target=ftp, daemon=True).start()
threading.Timer(60, stop).start()
print("ready on 127.0.0.1:%d and :%d (ftp :%d), scenario %s" % (A, B, F, SCENARIO["name"]), flush=True)
for t in threading.enumerate():
    if t is not threading.current_thread() and not t.daemon:
        t.join()
os._exit(0)
"#;

/// The scenario with the `ftp:` placeholder as the server script writes it, and the first
/// request on the reproduction's default ports.
fn prepared(scenario: &Scenario) -> (Scenario, ClientRequest) {
    let origins = Origins {
        a_port: PORTS.0,
        b_port: PORTS.1,
    };
    let mut scenario = scenario.clone();
    for r in scenario
        .responses
        .iter_mut()
        .chain(scenario.routes.iter_mut().map(|(_, r)| r))
    {
        for l in &mut r.locations {
            *l = l.replace(FTP_PLACEHOLDER, "@FTP@");
        }
    }
    let request = ClientRequest {
        method: scenario.method.clone(),
        url: origins.expand(&scenario.start),
        headers: scenario.request_headers(),
        body: scenario.request_body().map(<[u8]>::to_vec),
        timeout: std::time::Duration::from_secs(20),
    };
    (scenario, request)
}

/// Writes the parts of a reproduction that do not depend on what the client did: `server.py`,
/// `run.sh` and whatever the client's commands need ([`ClientUnderTest::repro_commands`]:
/// the body and header files, a driver script, or for reqwest and ureq a `Cargo.toml` and
/// `main.rs`). `tests/findings_sync.rs` regenerates these to keep `findings/` current.
///
/// # Errors
/// [`LiveError::Io`] when a file cannot be written.
pub fn write_scripts(
    dir: &Path,
    client: &dyn ClientUnderTest,
    scenario: &Scenario,
) -> Result<(), LiveError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let (scenario, request) = prepared(scenario);
    let server = SERVER_PY
        .replace("@SCENARIO@", &scenario_json(&scenario))
        .replace("@A@", &PORTS.0.to_string())
        .replace("@B@", &PORTS.1.to_string())
        .replace("@F@", &PORTS.2.to_string());
    let server_path = dir.join("server.py");
    std::fs::write(&server_path, server).map_err(io(&server_path))?;
    let commands = client
        .repro_commands(&request, dir)
        .map_err(io(dir))?
        .unwrap_or_default();
    let mut run = String::new();
    let _ = writeln!(
        run,
        "#!/bin/sh\n# Reproduces: {} / {} (redirspec), without redirspec.\n\
         # Needs python3 and the client. Prints the server's log at the end.\n\
         cd \"$(dirname \"$0\")\" || exit 1\n\
         A_PORT=${{A_PORT:-{}}} B_PORT=${{B_PORT:-{}}} FTP_PORT=${{FTP_PORT:-{}}}\n\
         export A_PORT B_PORT FTP_PORT\n\
         python3 server.py > server.log 2>&1 &\nSERVER=$!\ni=0\n\
         while ! grep -q '^ready' server.log 2>/dev/null; do\n\
         \x20   i=$((i + 1)); [ \"$i\" -gt 100 ] && break; sleep 0.1\ndone",
        client.name(),
        scenario.name,
        PORTS.0,
        PORTS.1,
        PORTS.2
    );
    if commands.is_empty() {
        let _ = writeln!(
            run,
            "echo '{} is an in-process client: send {} {} with the headers of README.md from \
             it, then press Enter'; read _",
            client.name(),
            request.method,
            request.url
        );
    }
    for (i, argv) in commands.iter().enumerate() {
        let line: Vec<String> = argv.iter().map(|w| sh_word(w)).collect();
        if i + 1 == commands.len() {
            let _ = writeln!(
                run,
                "timeout 20 {}\necho \"client exit status: $?\"",
                line.join(" ")
            );
        } else {
            let _ = writeln!(run, "{} || exit 1", line.join(" "));
        }
    }
    let _ = writeln!(
        run,
        "sleep 0.5\nkill \"$SERVER\" 2>/dev/null\nwait \"$SERVER\" 2>/dev/null\ncat server.log"
    );
    let run_path = dir.join("run.sh");
    std::fs::write(&run_path, run).map_err(io(&run_path))?;
    Ok(())
}

/// The part of a reproduction's `README.md` that does not depend on what the client did:
/// title, what the scenario checks, the client, how to run it, the first request and the
/// scripted responses.
pub fn readme_head(client: &dyn ClientUnderTest, scenario: &Scenario) -> String {
    let origins = Origins {
        a_port: PORTS.0,
        b_port: PORTS.1,
    };
    let (scenario, request) = prepared(scenario);
    let ftp = format!("ftp://127.0.0.1:{}", PORTS.2);
    let mut readme = String::new();
    let _ = writeln!(
        readme,
        "# {} — {}\n\n{}\n\nClient: {}\n\nRun: `sh run.sh` (python3 and the client; ports \
         {}-{} unless `A_PORT`, `B_PORT`, `FTP_PORT` say otherwise).\n",
        client.name(),
        scenario.name,
        scenario.about,
        client.describe(),
        PORTS.0,
        PORTS.2
    );
    let _ = writeln!(
        readme,
        "First request: `{} {}` with {}{}.\n\nResponses, in arrival order:\n",
        request.method,
        request.url,
        request
            .headers
            .iter()
            .map(|(n, v)| format!("`{n}: {v}`"))
            .collect::<Vec<_>>()
            .join(", "),
        if request.body.is_some() {
            " and a body"
        } else {
            ""
        }
    );
    for (i, r) in scenario.responses.iter().enumerate() {
        let locs: Vec<String> = r
            .locations
            .iter()
            .map(|l| format!("`{}`", origins.expand(l).replace("@FTP@", &ftp)))
            .collect();
        let _ = writeln!(
            readme,
            "{}. {} Location: {}",
            i + 1,
            r.status,
            locs.join(", ")
        );
    }
    readme
}

/// Writes the reproduction of `scenario` (as run by `client`, with verdict `divergence` under
/// `profile`) into `dir`: [`write_scripts`], then `README.md` ([`readme_head`], then what
/// was expected, with the rule's sentence, and what was observed).
///
/// # Errors
/// [`LiveError::Io`] when a file cannot be written.
pub fn write_repro(
    dir: &Path,
    client: &dyn ClientUnderTest,
    scenario: &Scenario,
    observed: &ScenarioReport,
    profile: &str,
    divergence: &Divergence,
) -> Result<PathBuf, LiveError> {
    write_scripts(dir, client, scenario)?;
    let mut readme = readme_head(client, scenario);
    let _ = writeln!(
        readme,
        "\n## Expected ({profile})\n\n{} — on request {} ({}).\n\n\
         **{}** {} (`{}`): \"{}\"\n\n## Observed\n\n{}\n\nRequests the client sent:\n",
        super::report::without_ports(&divergence.expected),
        divergence.hop,
        divergence.field,
        divergence.grade(),
        divergence.rule.section,
        divergence.rule.id,
        divergence.rule.says,
        super::report::without_ports(&divergence.observed),
    );
    for (i, r) in observed.observed.iter().enumerate() {
        let _ = writeln!(
            readme,
            "{i}. `{}`",
            super::report::without_ports(&r.summary())
        );
    }
    for e in &observed.elsewhere {
        let _ = writeln!(readme, "- ftp: {}", super::report::without_ports(e));
    }
    let _ = writeln!(readme, "\nClient outcome: {}", observed.outcome.summary());
    let readme_path = dir.join("README.md");
    std::fs::write(&readme_path, readme).map_err(io(&readme_path))?;
    Ok(dir.to_path_buf())
}

/// The Rust crates an in-process client's reproduction is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RustClient {
    /// reqwest 0.13, blocking, default redirect policy.
    Reqwest,
    /// ureq 3, default redirect settings, `http_status_as_error` off.
    Ureq,
}

/// A Rust string literal for `s`.
fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

/// `Cargo.toml` and `main.rs` of a stand-alone program that sends `request` with `client`
/// configured as the matrix configures it, and prints what it got: the reproduction of a
/// finding for an in-process client. The start URL's port is read from `A_PORT` (default
/// 18471), as `server.py` does.
pub fn rust_snippet(client: RustClient, request: &ClientRequest) -> (String, String) {
    let (dependency, about) = match client {
        RustClient::Reqwest => (
            "reqwest = { version = \"0.13\", default-features = false, features = [\"blocking\"] }",
            "reqwest 0.13 (blocking, default redirect policy)",
        ),
        RustClient::Ureq => (
            "ureq = { version = \"3\", default-features = false }",
            "ureq 3 (default redirect settings, http_status_as_error off)",
        ),
    };
    let cargo = format!(
        "# A stand-alone reproduction written by redirspec: `cargo run` (with server.py \
         running; `sh run.sh` does both).\n\
         [package]\nname = \"redirspec-repro\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         publish = false\n\n[[bin]]\nname = \"repro\"\npath = \"main.rs\"\n\n\
         [dependencies]\n{dependency}\n\n\
         # Its own workspace, not a member of an enclosing one.\n[workspace]\n"
    );
    let headers: String = request
        .headers
        .iter()
        .map(|(n, v)| format!("    ({}, {}),\n", rust_str(n), rust_str(v)))
        .collect();
    let body = match &request.body {
        Some(b) => format!("Some(b\"{}\")", b.escape_ascii()),
        None => "None".to_owned(),
    };
    let send = match client {
        RustClient::Reqwest => {
            "    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect(\"a reqwest client\");
    let method = reqwest::Method::from_bytes(METHOD.as_bytes()).expect(\"a method\");
    let mut request = client.request(method, &url);
    for (name, value) in HEADERS {
        request = request.header(*name, *value);
    }
    if let Some(body) = BODY {
        request = request.body(body.to_vec());
    }
    match request.send() {
        Ok(response) => println!(\"delivered {} from {}\", response.status(), response.url()),
        Err(e) => println!(\"error: {e:?}\"),
    }
"
        }
        RustClient::Ureq => {
            "    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .allow_non_standard_methods(true)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut request = ureq::http::Request::builder()
        .method(METHOD)
        .uri(url.as_str());
    for (name, value) in HEADERS {
        request = request.header(*name, *value);
    }
    let result = match BODY {
        Some(body) => agent.run(request.body(body.to_vec()).expect(\"a request\")),
        None => agent.run(request.body(()).expect(\"a request\")),
    };
    match result {
        Ok(response) => println!(\"delivered {}\", response.status()),
        Err(e) => println!(\"error: {e}\"),
    }
"
        }
    };
    let main = format!(
        "//! Reproduces a redirspec finding with {about}, without redirspec.\n\
         //! Start the server first (`python3 server.py`; `sh run.sh` does both), then `cargo run`:\n\
         //! the server's log shows what arrived.\n\n\
         use std::time::Duration;\n\n\
         const METHOD: &str = {method};\n\
         const URL: &str = {url};\n\
         const HEADERS: &[(&str, &str)] = &[\n{headers}];\n\
         const BODY: Option<&[u8]> = {body};\n\n\
         fn main() {{\n\
         \x20   let port = std::env::var(\"A_PORT\").unwrap_or_else(|_| \"{port}\".to_owned());\n\
         \x20   let url = URL.replace(\":{port}\", &format!(\":{{port}}\"));\n\
         {send}}}\n",
        method = rust_str(request.method.as_str()),
        url = rust_str(&request.url),
        port = PORTS.0,
    );
    (cargo, main)
}

/// Writes [`rust_snippet`]'s `Cargo.toml` and `main.rs` into `dir` and returns the commands
/// that build and run it (the build first, so that the run's time-out does not cover it).
///
/// # Errors
/// A file could not be written.
pub fn write_rust_snippet(
    dir: &Path,
    client: RustClient,
    request: &ClientRequest,
) -> std::io::Result<Vec<Vec<String>>> {
    std::fs::create_dir_all(dir)?;
    let (cargo, main) = rust_snippet(client, request);
    std::fs::write(dir.join("Cargo.toml"), cargo)?;
    std::fs::write(dir.join("main.rs"), main)?;
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    Ok(vec![
        words(&["cargo", "build", "--quiet", "--manifest-path", "Cargo.toml"]),
        words(&["cargo", "run", "--quiet", "--manifest-path", "Cargo.toml"]),
    ])
}

/// Whether a finding goes into the reproductions and the README's findings: it breaks a
/// MUST or a security rule.
pub(crate) fn is_finding(d: &Divergence) -> bool {
    d.security() || d.level() == Level::Must
}

/// Writes `dir/<client>/<scenario>/` for the first scenario of each (client, rule) whose
/// divergence is a finding (a MUST or a security rule), for every client of `report` found
/// in `clients`; returns the folders with a one-line summary each.
///
/// # Errors
/// [`LiveError::Io`] when a file cannot be written.
pub fn write_findings(
    dir: &Path,
    clients: &[Box<dyn ClientUnderTest>],
    scenarios: &[Scenario],
    report: &MatrixReport,
) -> Result<Vec<(PathBuf, String)>, LiveError> {
    let mut out = Vec::new();
    for c in &report.clients {
        let Some(client) = clients.iter().find(|x| x.name() == c.name) else {
            continue;
        };
        let profile = c.profile.as_deref().unwrap_or("");
        let mut rules_seen: Vec<&str> = Vec::new();
        for s in &c.scenarios {
            let Some(d) = s.verdict(profile).and_then(|v| v.verdict.divergence()) else {
                continue;
            };
            if !is_finding(d) || rules_seen.contains(&d.rule.id) {
                continue;
            }
            let Some(scenario) = scenarios.iter().find(|x| x.name == s.name) else {
                continue;
            };
            rules_seen.push(d.rule.id);
            let folder = dir.join(&c.name).join(&s.name);
            write_repro(&folder, client.as_ref(), scenario, s, profile, d)?;
            let line = format!(
                "{} {}: [{}] {} {} ({})",
                c.name,
                s.name,
                d.grade(),
                d.key(),
                d.rule.section,
                d.rule.id
            );
            out.push((folder, line));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_snippets_carry_the_request() {
        let request = ClientRequest {
            method: http::Method::PUT,
            url: "http://127.0.0.1:18471/s/start?a=\"b\"".to_owned(),
            headers: vec![("Authorization".to_owned(), "Bearer x\\y".to_owned())],
            body: Some(b"a\"b\n\xff".to_vec()),
            timeout: std::time::Duration::from_secs(1),
        };
        let (cargo, main) = rust_snippet(RustClient::Ureq, &request);
        assert!(cargo.contains("ureq = { version = \"3\""), "{cargo}");
        assert!(cargo.contains("[workspace]"), "{cargo}");
        assert!(
            main.contains(r#"const URL: &str = "http://127.0.0.1:18471/s/start?a=\"b\"";"#),
            "{main}"
        );
        assert!(
            main.contains(r#"("Authorization", "Bearer x\\y"),"#),
            "{main}"
        );
        assert!(
            main.contains(r#"const BODY: Option<&[u8]> = Some(b"a\"b\n\xff");"#),
            "{main}"
        );
        assert!(main.contains("const METHOD: &str = \"PUT\";"), "{main}");
        let (cargo, main) = rust_snippet(RustClient::Reqwest, &request);
        assert!(cargo.contains("reqwest = { version = \"0.13\""), "{cargo}");
        assert!(
            main.contains("reqwest::blocking::Client::builder()"),
            "{main}"
        );
    }

    #[test]
    fn words_are_quoted_and_ports_become_variables() {
        assert_eq!(sh_word("it's"), "'it'\\''s'");
        assert_eq!(
            sh_word("http://127.0.0.1:18471/x"),
            "'http://127.0.0.1:'\"$A_PORT\"'/x'"
        );
    }
}
