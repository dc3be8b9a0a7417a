//! Hostile clients and careless users (issue 14): programs that leave children behind (in
//! their group, `setsid`, `setsid` with a cleared environment), a flood of idle connections,
//! garbage on the wire, SIGTERM and SIGINT in the middle of a run, a program that does not
//! exist, numbers out of range. Each test bounds its time, checks the verdict or the exit
//! code, and scans `/proc` — for processes carrying the run's token and for this test's own
//! descendants (it is a child subreaper, so escaped orphans come back to it) — to show that
//! nothing is left running and no scratch folder is left behind.
//!
//! The tests run one at a time (a lock): the descendant scan must see only its own run.
#![cfg(all(feature = "live", target_os = "linux"))]

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};
use std::time::{Duration, Instant};

use redirspec::live::matrix::{run_scenario, ScenarioReport};
use redirspec::live::suite::suite;
use redirspec::live::{
    ClientOutcome, ClientRequest, ClientUnderTest, CommandClient, ServerLimits, Verdict,
};

const BIN: &str = env!("CARGO_BIN_EXE_redirspec");

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
static SUBREAPER: Once = Once::new();

/// Takes the lock and makes this test process a child subreaper (once).
fn exclusive() -> MutexGuard<'static, ()> {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    SUBREAPER.call_once(|| {
        rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
            .expect("become a child subreaper");
    });
    guard
}

/// `/proc/PID/stat`: (state, ppid).
fn stat(pid: u32) -> Option<(u8, u32)> {
    let text = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
    let close = text.iter().rposition(|&b| b == b')')?;
    let rest = String::from_utf8_lossy(&text[close + 1..]).into_owned();
    let mut f = rest.split_whitespace();
    let state = *f.next()?.as_bytes().first()?;
    let ppid = f.next()?.parse().ok()?;
    Some((state, ppid))
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Running (not zombie) processes whose `REDIRSPEC_RUN` starts with `prefix`, with their
/// command lines.
fn tagged(prefix: &str) -> Vec<String> {
    let key = format!("REDIRSPEC_RUN={prefix}");
    pids()
        .into_iter()
        .filter(|&p| stat(p).is_some_and(|(state, _)| state != b'Z'))
        .filter(|p| {
            std::fs::read(format!("/proc/{p}/environ")).is_ok_and(|env| {
                env.split(|&b| b == 0)
                    .any(|e| e.starts_with(key.as_bytes()))
            })
        })
        .map(command_line)
        .collect()
}

fn command_line(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    format!(
        "{pid}: {}",
        String::from_utf8_lossy(&raw).replace('\0', " ").trim_end()
    )
}

/// Running descendants of this test process.
fn descendants() -> Vec<String> {
    let me = std::process::id();
    let all: Vec<(u32, u8, u32)> = pids()
        .into_iter()
        .filter_map(|p| stat(p).map(|(s, pp)| (p, s, pp)))
        .collect();
    let parent = |pid: u32| all.iter().find(|(p, _, _)| *p == pid).map(|(_, _, pp)| *pp);
    all.iter()
        .filter(|(p, state, _)| *p != me && *state != b'Z')
        .filter(|(p, _, _)| {
            let mut cur = *p;
            for _ in 0..64 {
                match parent(cur) {
                    Some(pp) if pp == me => return true,
                    Some(pp) if pp > 1 => cur = pp,
                    _ => return false,
                }
            }
            false
        })
        .map(|(p, _, _)| command_line(*p))
        .collect()
}

/// Reaps every exited child of this process (adopted orphans included): only called with
/// the lock held and no child of the test still to be waited for.
fn reap_zombies() {
    use rustix::process::{waitpid, WaitOptions};
    while let Ok(Some(_)) = waitpid(None, WaitOptions::NOHANG) {}
}

/// What must hold after every run: nothing with the run's token, no descendant, no scratch
/// folder in `tmp` (the run's TMPDIR, when it had one of its own). Orphans may take a moment
/// to be reparented: checked for up to two seconds.
fn assert_nothing_left(token_prefix: &str, tmp: Option<&Path>) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let t = tagged(token_prefix);
        let d = descendants();
        if t.is_empty() && d.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left running: tagged {t:?}, descendants {d:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    reap_zombies();
    let Some(tmp) = tmp else {
        return;
    };
    let left: Vec<_> = std::fs::read_dir(tmp)
        .expect("read the test's TMPDIR")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "scratch folders left: {left:?}");
}

/// `redirspec ARGS` with `TMPDIR` set to `tmp`, not waited for.
fn start(args: &[&str], tmp: &Path) -> Child {
    Command::new(BIN)
        .args(args)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redirspec")
}

/// Peak resident memory of a running process (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Most memory `redirspec` may use in these runs (it needs about 20 MiB).
const MEMORY_BOUND_KIB: u64 = 512 * 1024;

/// Waits for `child` at most `limit`; kills it and fails past that. Its peak memory,
/// sampled while it runs, must stay under [`MEMORY_BOUND_KIB`].
fn finish(mut child: Child, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut peak = 0;
    loop {
        peak = peak.max(peak_kib(child.id()).unwrap_or(0));
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "redirspec ran over {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        peak < MEMORY_BOUND_KIB,
        "redirspec used {peak} KiB of memory"
    );
    (child.wait_with_output().expect("output"), started.elapsed())
}

fn program(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `redirspec client --cmd CMD` over the whole suite and checks that it finished in
/// bounded time, exit 0, with nothing left.
fn client_leaves_nothing(cmd: &str) {
    let _lock = exclusive();
    let tmp = tempfile::tempdir().expect("tmp");
    let child = start(
        &[
            "client",
            "--cmd",
            cmd,
            "--timeout",
            "5",
            "--second-request",
            "off",
            "--no-report",
        ],
        tmp.path(),
    );
    let prefix = format!("{}-", child.id());
    // 66 scenarios of a shell that exits at once: seconds, not minutes (bound generous for
    // a loaded machine).
    let (out, elapsed) = finish(child, Duration::from_secs(240));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("command"), "{stdout}");
    assert!(elapsed < Duration::from_secs(240));
    assert_nothing_left(&prefix, Some(tmp.path()));
}

#[test]
fn the_scan_sees_a_process_left_running() {
    // The control: without it, "nothing left" could be a scan that sees nothing.
    let _lock = exclusive();
    let token = format!("hostile-control-{}", std::process::id());
    let before = descendants().len();
    let mut sleeper = Command::new("sleep")
        .arg("1000")
        .env("REDIRSPEC_RUN", &token)
        .spawn()
        .expect("sleep");
    let deadline = Instant::now() + Duration::from_secs(5);
    while tagged(&token).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(tagged(&token).len(), 1);
    assert_eq!(descendants().len(), before + 1);
    sleeper.kill().expect("kill");
    sleeper.wait().expect("wait");
    assert!(tagged(&token).is_empty());
    assert_eq!(descendants().len(), before);
}

#[test]
fn a_background_child_is_ended_with_each_scenario() {
    client_leaves_nothing("sh -c 'sleep 1000 >/dev/null 2>&1 & echo 200'");
}

#[test]
fn a_child_still_holding_the_pipes_is_ended() {
    client_leaves_nothing("sh -c 'sleep 1000 & echo 200'");
}

#[test]
fn a_setsid_child_is_ended() {
    if !program("setsid") {
        eprintln!("SKIPPED: setsid is not installed");
        return;
    }
    client_leaves_nothing("sh -c 'setsid sleep 1000 >/dev/null 2>&1 & echo 200'");
}

#[test]
fn a_setsid_child_with_a_cleared_environment_is_ended() {
    // No token to find it by: only the binary's subreaper role brings it back.
    if !program("setsid") {
        eprintln!("SKIPPED: setsid is not installed");
        return;
    }
    client_leaves_nothing("sh -c 'setsid env -i sleep 1000 >/dev/null 2>&1 & echo 200'");
}

/// Starts a run whose program hangs with a child, waits until a scenario is running, sends
/// `signal`, and checks the exit code and that nothing is left.
fn signal_mid_run(signal: rustix::process::Signal, code: i32) {
    let _lock = exclusive();
    let tmp = tempfile::tempdir().expect("tmp");
    let child = start(
        &[
            "client",
            "--cmd",
            "sh -c 'sleep 1000 & sleep 1000'",
            "--timeout",
            "60",
            "--no-report",
        ],
        tmp.path(),
    );
    let pid = child.id();
    let prefix = format!("{pid}-");
    let deadline = Instant::now() + Duration::from_secs(60);
    while tagged(&prefix).len() < 2 {
        assert!(Instant::now() < deadline, "no scenario started within 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The scenario's scratch folder exists while it runs.
    assert!(std::fs::read_dir(tmp.path()).expect("tmp").next().is_some());
    let sent = Instant::now();
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(i32::try_from(pid).expect("pid")).expect("pid"),
        signal,
    )
    .expect("signal");
    let (out, _) = finish(child, Duration::from_secs(30));
    assert!(sent.elapsed() < Duration::from_secs(30));
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_nothing_left(&prefix, Some(tmp.path()));
}

#[test]
fn sigterm_in_the_middle_of_a_run_ends_everything() {
    signal_mid_run(rustix::process::Signal::TERM, 143);
}

#[test]
fn sigint_in_the_middle_of_a_run_ends_everything() {
    signal_mid_run(rustix::process::Signal::INT, 130);
}

#[test]
fn a_missing_program_is_one_error_not_66_failures() {
    let _lock = exclusive();
    let tmp = tempfile::tempdir().expect("tmp");
    let child = start(
        &[
            "client",
            "--cmd",
            "redirspec-no-such-program {url}",
            "--no-report",
        ],
        tmp.path(),
    );
    let (out, elapsed) = finish(child, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("\"redirspec-no-such-program\" not found"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert!(elapsed < Duration::from_secs(30));
    assert_nothing_left("never-used-", Some(tmp.path()));
}

#[test]
fn numbers_out_of_range_are_one_line_and_exit_2() {
    let _lock = exclusive();
    let tmp = tempfile::tempdir().expect("tmp");
    let cases: &[&[&str]] = &[
        &[
            "client",
            "--cmd",
            "true",
            "--timeout",
            "18446744073709551615",
        ],
        &["client", "--cmd", "true", "--timeout", "0"],
        &["client", "--cmd", "true", "--timeout", "3601"],
        &["matrix", "--random", "4294967296"],
        &["matrix", "--random", "100001"],
        &["matrix", "--strategies", "100001"],
        &["matrix", "--jobs", "65"],
        &["matrix", "--jobs=-1"],
        &["server", "http://127.0.0.1:9/", "--timeout-ms", "0"],
        &["server", "http://127.0.0.1:9/", "--timeout-ms", "3600001"],
        &[
            "decide",
            "--profile",
            "fetch",
            "--method",
            "GET",
            "--url",
            "http://a/",
            "--status",
            "302",
            "--location",
            "/b",
            "--hops",
            "10001",
        ],
    ];
    for args in cases {
        let (out, elapsed) = finish(start(args, tmp.path()), Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("invalid value"), "{args:?}: {stderr}");
        assert!(elapsed < Duration::from_secs(30));
    }
    assert_nothing_left("never-used-", Some(tmp.path()));
}

#[test]
fn hops_past_the_limit_are_told_as_they_are() {
    let out = Command::new(BIN)
        .args([
            "decide",
            "--profile",
            "fetch",
            "--method",
            "GET",
            "--url",
            "http://a/",
            "--status",
            "302",
            "--location",
            "/b",
            "--hops",
            "21",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("too-many-redirects"), "{stdout}");
    // 21 were followed: "20 redirects were already followed" was not true.
    assert!(
        !stdout.contains("20 redirects were already followed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the limit of 20 redirects is reached"),
        "{stdout}"
    );
}

fn scenario(name: &str) -> redirspec::live::Scenario {
    suite()
        .into_iter()
        .find(|s| s.name == name)
        .expect("scenario in the suite")
}

fn divergence(r: &ScenarioReport) -> (String, String) {
    match &r.verdict("fetch").expect("fetch verdict").verdict {
        Verdict::Diverges(d) => (d.field.clone(), d.observed.clone()),
        Verdict::Conforms => ("conforms".to_owned(), String::new()),
    }
}

fn authority(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Opens 300 connections and sends nothing on any.
struct IdleFlood;

impl ClientUnderTest for IdleFlood {
    fn name(&self) -> &str {
        "idle-flood"
    }
    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        let host = authority(&request.url);
        let mut open = Vec::new();
        for _ in 0..300 {
            if let Ok(s) = TcpStream::connect(&host) {
                open.push(s);
            }
        }
        std::thread::sleep(Duration::from_millis(300));
        drop(open);
        ClientOutcome::Delivered { status: Some(200) }
    }
}

#[test]
fn idle_connections_are_a_flood_of_connections_not_of_requests() {
    let started = Instant::now();
    let r = run_scenario(
        &IdleFlood,
        &scenario("302-get"),
        Duration::from_secs(5),
        ServerLimits::default(),
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(r.recorded.is_empty());
    let (field, observed) = divergence(&r);
    assert_eq!(field, "flood");
    // It used to say "more than 0 requests (the server's cap)".
    assert!(!observed.contains("more than 0 requests"), "{observed}");
    assert!(observed.contains("connections"), "{observed}");
    assert!(
        r.bad_connections
            .iter()
            .any(|b| b.contains("connection cap")),
        "{:?}",
        r.bad_connections
    );
}

#[test]
fn garbage_from_a_program_is_garbage() {
    if !program("bash") {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let _lock = exclusive();
    // bash's /dev/tcp: no other tool needed.
    let client = CommandClient::new(
        "garbage",
        "bash -c 'h=${1#http://}; hp=${h%%/*}; exec 3<>/dev/tcp/${hp%:*}/${hp#*:}; \
         printf \"\\x16\\x03\\x01 not http\\r\\n\\r\\n\" >&3; cat <&3 >/dev/null; echo 200' _ {url}",
    )
    .expect("template");
    let started = Instant::now();
    let r = run_scenario(
        &client,
        &scenario("302-get"),
        Duration::from_secs(10),
        ServerLimits::default(),
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    let (field, observed) = divergence(&r);
    assert_eq!(field, "garbage", "{observed} {:?}", r.outcome);
    // In-process run: the program's token is this test process's.
    assert_nothing_left(&format!("{}-", std::process::id()), None);
}

#[test]
fn a_flooding_program_is_capped() {
    if !program("bash") {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let _lock = exclusive();
    let client = CommandClient::new(
        "flood",
        "bash -c 'h=${1#http://}; hp=${h%%/*}; for i in $(seq 150); do \
         exec 3<>/dev/tcp/${hp%:*}/${hp#*:} || break; \
         printf \"GET /m/start?x=1 HTTP/1.1\\r\\nHost: $hp\\r\\n\\r\\n\" >&3; \
         cat <&3 >/dev/null; exec 3<&-; done; echo 200' _ {url}",
    )
    .expect("template");
    let started = Instant::now();
    let r = run_scenario(
        &client,
        &scenario("302-get"),
        Duration::from_secs(60),
        ServerLimits::default(),
    );
    assert!(started.elapsed() < Duration::from_secs(120));
    assert_eq!(r.recorded.len(), ServerLimits::default().max_requests);
    let (field, observed) = divergence(&r);
    assert_eq!(field, "flood", "{observed}");
    assert!(observed.starts_with("80 requests"), "{observed}");
    assert_nothing_left(&format!("{}-", std::process::id()), None);
}
