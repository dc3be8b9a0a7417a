//! Every process a run starts ends with it.
//!
//! A program under test is started by `Supervised::spawn`: in a process group of its own,
//! with the environment variable [`RUN_VAR`] set to a token naming this one run (its children
//! inherit it). When the program is done — it exited, it timed out, or its `Supervised` is
//! dropped — every process left from it is killed with `SIGKILL`:
//! - its process group (the plain `sleep 1000 &` left behind by a shell);
//! - on Linux, every process started after it whose environment carries the run's token,
//!   found by scanning `/proc` (a `setsid` child that left the group, wherever it was
//!   reparented);
//! - when this process is a child subreaper ([`become_subreaper`], Linux), every orphan it
//!   adopted, whatever its environment; adopted orphans are reaped, so no zombie stays.
//!
//! A kill goes through a pidfd opened and checked against the process's start time first, so
//! a recycled process id is never hit. The program itself is awaited with a timed wait on its
//! pidfd (polling `waitid(WNOWAIT)` where there is none), and its group is killed while it is
//! still an unreaped zombie, so the group id cannot have been reused.
//!
//! [`exit_on_signals`] makes SIGINT and SIGTERM end every run's processes, remove every open
//! scratch folder (`live::scratch`) and exit with `128 + signal` (130, 143).

use std::collections::BTreeMap;
use std::io;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The environment variable that carries a run's token into every process it starts.
pub const RUN_VAR: &str = "REDIRSPEC_RUN";

static SUBREAPER: AtomicBool = AtomicBool::new(false);
/// Set by [`end_everything`] (under the [`LIVE`] lock): no program is started after it.
static ENDING: AtomicBool = AtomicBool::new(false);
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The running programs started here and not yet reaped: pid → (token, start time).
/// Held while spawning and while reaping adopted orphans, so that one thread never reaps
/// another thread's program.
static LIVE: Mutex<BTreeMap<u32, Run>> = Mutex::new(BTreeMap::new());

#[derive(Debug, Clone)]
struct Run {
    token: String,
    start: u64,
}

fn live() -> MutexGuard<'static, BTreeMap<u32, Run>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes this process a child subreaper (Linux `PR_SET_CHILD_SUBREAPER`): orphans of the
/// programs it starts are reparented to it instead of to init, so that they are found and
/// ended with their run. Meant for a program whose every child is started through this
/// module (the `redirspec` binary): an adopted orphan that no run claims is killed and
/// reaped.
///
/// # Errors
/// The `prctl` error; on systems other than Linux, [`io::ErrorKind::Unsupported`].
pub fn become_subreaper() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        rustix::process::set_child_subreaper(Some(rustix::process::getpid()))?;
        SUBREAPER.store(true, Ordering::SeqCst);
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "a child subreaper needs Linux",
    ))
}

/// A program started by [`Supervised::spawn`]; everything it left running is killed when it
/// is waited for, killed, or dropped.
#[derive(Debug)]
pub(crate) struct Supervised {
    child: Child,
    token: String,
    /// Its start time in clock ticks since boot (0 when unknown: every process qualifies).
    start: u64,
    #[cfg(target_os = "linux")]
    pidfd: Option<std::os::fd::OwnedFd>,
    status: Option<ExitStatus>,
}

/// The command that runs `argv` (program, then its arguments, no shell) in `dir`; an empty
/// `argv` is an error. Standard streams and environment are the caller's to set; start it
/// with [`Supervised::spawn`].
pub(crate) fn command_in(argv: &[String], dir: &std::path::Path) -> io::Result<Command> {
    let Some((program, args)) = argv.split_first() else {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty command"));
    };
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    Ok(command)
}

impl Supervised {
    /// Starts `command` in a new process group with [`RUN_VAR`] set to a fresh token.
    /// Standard streams are as `command` sets them.
    pub(crate) fn spawn(command: &mut Command) -> io::Result<Supervised> {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let token = format!("{}-{n}", std::process::id());
        command.env(RUN_VAR, &token);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
        let mut registry = live();
        if ENDING.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "redirspec is ending: no program is started",
            ));
        }
        let child = command.spawn()?;
        let start = sys::start_time(child.id()).unwrap_or(0);
        registry.insert(
            child.id(),
            Run {
                token: token.clone(),
                start,
            },
        );
        drop(registry);
        Ok(Supervised {
            #[cfg(target_os = "linux")]
            pidfd: sys::pidfd(child.id()),
            child,
            token,
            start,
            status: None,
        })
    }

    /// The program's process id (and process-group id).
    #[allow(dead_code)] // for long-lived drivers
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// The program's [`Child`], to take its pipes.
    pub(crate) fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits at most `timeout` for the program to exit. `Some(status)`: it exited, everything
    /// it left running was killed and it was reaped; `None`: still running.
    pub(crate) fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        if !self.wait_exited(timeout)? {
            return Ok(None);
        }
        // Exited but not reaped: its group id cannot be reused yet.
        self.end_leftovers();
        let status = self.child.wait()?;
        self.reaped(status);
        Ok(Some(status))
    }

    /// [`wait_timeout`](Self::wait_timeout) without waiting.
    #[allow(dead_code)] // for long-lived drivers
    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.wait_timeout(Duration::ZERO)
    }

    /// Kills the program, its group and everything it left, and reaps it; its exit status
    /// (killed by a signal, unless it had exited already).
    pub(crate) fn kill(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        self.end_leftovers();
        let _ = self.child.kill();
        let status = self.child.wait()?;
        // Whatever it started between the scan and its death.
        self.end_leftovers();
        self.reaped(status);
        Ok(status)
    }

    fn reaped(&mut self, status: ExitStatus) {
        self.status = Some(status);
        live().remove(&self.child.id());
        #[cfg(target_os = "linux")]
        {
            self.pidfd = None;
        }
        sys::reap_adopted();
    }

    /// True once the program has exited (not reaped), false at the time-out.
    fn wait_exited(&mut self, timeout: Duration) -> io::Result<bool> {
        let deadline = Instant::now().checked_add(timeout);
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.pidfd {
            return sys::poll_exit(fd, deadline);
        }
        let mut pause = Duration::from_millis(1);
        loop {
            if sys::exited(&mut self.child)? {
                return Ok(true);
            }
            let now = Instant::now();
            let left = match deadline {
                Some(d) if d <= now => return Ok(false),
                Some(d) => d - now,
                None => pause,
            };
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Kills the group and every process left from this run, in rounds until two rounds
    /// in a row find none (at most 50 rounds, a few hundred milliseconds). One empty round
    /// may not be enough: a process that left the group (`setsid`) and is inside `execve`
    /// at the scan can show an empty environment for an instant, so its token is not seen
    /// (the likeliest cause of a `setsid sleep` left running once in CI, in the test
    /// `a_setsid_child_is_killed_by_its_token`; not reproduced in 900 runs here); the next
    /// round, a millisecond later, sees it.
    fn end_leftovers(&mut self) {
        let pgid = self.child.id();
        let mut empty_rounds = 0;
        for round in 0..50u32 {
            sys::kill_group(pgid);
            let victims = sys::leftovers(pgid, &self.token, self.start);
            sys::reap_adopted();
            if victims == 0 {
                empty_rounds += 1;
                if empty_rounds == 2 {
                    return;
                }
            } else {
                empty_rounds = 0;
            }
            std::thread::sleep(Duration::from_millis(u64::from(round.min(10)) + 1));
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.kill();
        }
    }
}

/// Ends every process of every run started here, adopted orphans included, and removes the
/// open scratch folders; for a process about to exit (a signal handler): after it, no
/// program can be started and no scratch folder made.
pub fn end_everything() {
    // From here on no program starts: one started after the kills below would outlive us.
    let runs: Vec<(u32, Run)> = {
        let registry = live();
        ENDING.store(true, Ordering::SeqCst);
        registry.iter().map(|(p, r)| (*p, r.clone())).collect()
    };
    for (pid, run) in &runs {
        sys::kill_group(*pid);
        let _ = sys::leftovers(*pid, &run.token, run.start);
    }
    let prefix = format!("{}-", std::process::id());
    let _ = sys::leftovers_with_prefix(&prefix);
    super::scratch::remove_all();
}

/// Installs the SIGINT/SIGTERM handling of a command that runs programs: on either signal,
/// [`end_everything`], then exit with `128 + signal` (130 for SIGINT, 143 for SIGTERM).
///
/// # Errors
/// When the handler cannot be installed; on systems other than Unix,
/// [`io::ErrorKind::Unsupported`].
pub fn exit_on_signals() -> io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        std::thread::Builder::new()
            .name("redirspec-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    end_everything();
                    std::process::exit(128 + signal);
                }
            })?;
        Ok(())
    }
    #[cfg(not(unix))]
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "signal handling needs Unix",
    ))
}

#[cfg(target_os = "linux")]
mod sys {
    //! Linux: `/proc`, pidfds, `waitid`.

    use super::{live, SUBREAPER};
    use rustix::process::{Pid, Signal};
    use std::io::{self, Read};
    use std::os::fd::OwnedFd;
    use std::process::Child;
    use std::sync::atomic::Ordering;
    use std::time::Instant;

    /// One line of `/proc/PID/stat`, the fields used here.
    #[derive(Debug, Clone, Copy)]
    struct Stat {
        pid: u32,
        state: u8,
        ppid: u32,
        pgrp: u32,
        start: u64,
    }

    fn stat(pid: u32) -> Option<Stat> {
        let text = std::fs::read(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice num_threads itrealvalue starttime ...";
        // comm may hold anything, parentheses included: the fields follow the last ')'.
        let close = text.iter().rposition(|&b| b == b')')?;
        let rest = std::str::from_utf8(text.get(close + 1..)?).ok()?;
        let mut fields = rest.split_ascii_whitespace();
        let state = *fields.next()?.as_bytes().first()?;
        let ppid = fields.next()?.parse().ok()?;
        let pgrp = fields.next()?.parse().ok()?;
        // Fields 6 (session) to 21 (itrealvalue), then 22 (starttime).
        let start = fields.nth(16)?.parse().ok()?;
        Some(Stat {
            pid,
            state,
            ppid,
            pgrp,
            start,
        })
    }

    pub(super) fn start_time(pid: u32) -> Option<u64> {
        stat(pid).map(|s| s.start)
    }

    fn processes() -> Vec<Stat> {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(stat)
            .collect()
    }

    /// Whether `pid`'s environment has `RUN_VAR=<value>` with `value` equal to `token`
    /// (`exact`) or starting with it.
    fn tagged(pid: u32, token: &str, exact: bool) -> bool {
        let Ok(file) = std::fs::File::open(format!("/proc/{pid}/environ")) else {
            return false;
        };
        let mut env = Vec::new();
        if file.take(1 << 20).read_to_end(&mut env).is_err() {
            return false;
        }
        let key = format!("{}=", super::RUN_VAR);
        env.split(|&b| b == 0).any(|entry| {
            entry.strip_prefix(key.as_bytes()).is_some_and(|value| {
                if exact {
                    value == token.as_bytes()
                } else {
                    value.starts_with(token.as_bytes())
                }
            })
        })
    }

    pub(super) fn pidfd(pid: u32) -> Option<OwnedFd> {
        let pid = Pid::from_raw(i32::try_from(pid).ok()?)?;
        rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok()
    }

    /// Waits for the pidfd to become readable (the process exited) until `deadline`.
    pub(super) fn poll_exit(fd: &OwnedFd, deadline: Option<Instant>) -> io::Result<bool> {
        use rustix::event::{poll, PollFd, PollFlags, Timespec};
        loop {
            let timeout = match deadline {
                None => None,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    Some(Timespec::try_from(left).unwrap_or(Timespec {
                        tv_sec: i64::MAX,
                        tv_nsec: 0,
                    }))
                }
            };
            let mut fds = [PollFd::new(fd, PollFlags::IN)];
            match poll(&mut fds, timeout.as_ref()) {
                Ok(0) => return Ok(false),
                Ok(_) => return Ok(true),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Whether the child has exited, without reaping it.
    pub(super) fn exited(child: &mut Child) -> io::Result<bool> {
        use rustix::process::{waitid, WaitId, WaitIdOptions};
        let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
            return Ok(child.try_wait()?.is_some());
        };
        let status = waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT,
        )?;
        Ok(status.is_some())
    }

    pub(super) fn kill_group(pgid: u32) {
        if let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
    }

    /// Kills `victim` if it is still the process seen (same start time).
    fn kill(victim: &Stat) {
        let Some(pid) = i32::try_from(victim.pid).ok().and_then(Pid::from_raw) else {
            return;
        };
        match rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()) {
            Ok(fd) => {
                if stat(victim.pid).is_some_and(|now| now.start == victim.start) {
                    let _ = rustix::process::pidfd_send_signal(&fd, Signal::KILL);
                }
            }
            Err(rustix::io::Errno::NOSYS) => {
                let _ = rustix::process::kill_process(pid, Signal::KILL);
            }
            Err(_) => {}
        }
    }

    /// Kills what is left of the run whose program is `leader` (its group, processes carrying
    /// `token`, started at or after `start`) and, as a subreaper, every adopted orphan that
    /// no running program is; the number of processes signalled.
    pub(super) fn leftovers(leader: u32, token: &str, start: u64) -> usize {
        let me = std::process::id();
        let subreaper = SUBREAPER.load(Ordering::SeqCst);
        // Held for the whole scan, as in `reap_adopted`: a program another thread spawns
        // meanwhile is our child (its parent is us) before it is registered, and would be
        // taken for an adopted orphan and killed (seen: a curl of a parallel client killed
        // at its start, "exit by signal").
        let registry = live();
        let running: Vec<u32> = registry.keys().copied().collect();
        let mut n = 0;
        for p in processes() {
            if p.pid == me || p.state == b'Z' || p.start < start {
                continue;
            }
            let adopted = subreaper && p.ppid == me && !running.contains(&p.pid);
            let ours = p.pgrp == leader || adopted || tagged(p.pid, token, true);
            // The leader itself is ended by its Supervised (or its group kill).
            if ours && p.pid != leader {
                kill(&p);
                n += 1;
            }
        }
        drop(registry);
        n
    }

    /// Kills every process whose token starts with `prefix`, and every adopted orphan.
    pub(super) fn leftovers_with_prefix(prefix: &str) -> usize {
        let me = std::process::id();
        let subreaper = SUBREAPER.load(Ordering::SeqCst);
        let since = stat(me).map_or(0, |s| s.start);
        let mut n = 0;
        for p in processes() {
            if p.pid == me || p.state == b'Z' || p.start < since {
                continue;
            }
            if (subreaper && p.ppid == me) || tagged(p.pid, prefix, false) {
                kill(&p);
                n += 1;
            }
        }
        n
    }

    /// As a subreaper: reaps every exited child that no running program is (adopted orphans).
    pub(super) fn reap_adopted() {
        if !SUBREAPER.load(Ordering::SeqCst) {
            return;
        }
        use rustix::process::{waitpid, WaitOptions};
        let me = std::process::id();
        // Held so that no program is spawned (and not yet registered) meanwhile.
        let running = live();
        for p in processes() {
            if p.ppid == me && p.state == b'Z' && !running.contains_key(&p.pid) {
                if let Some(pid) = i32::try_from(p.pid).ok().and_then(Pid::from_raw) {
                    let _ = waitpid(Some(pid), WaitOptions::NOHANG);
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    //! Elsewhere: the process group only (Unix), nothing more.

    use std::io;
    use std::process::Child;

    pub(super) fn start_time(_pid: u32) -> Option<u64> {
        None
    }

    pub(super) fn exited(child: &mut Child) -> io::Result<bool> {
        // Reaps: the group is killed after, with the small risk of a reused id.
        Ok(child.try_wait()?.is_some())
    }

    pub(super) fn kill_group(pgid: u32) {
        #[cfg(unix)]
        if let Some(pid) = i32::try_from(pgid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        #[cfg(not(unix))]
        let _ = pgid;
    }

    pub(super) fn leftovers(_leader: u32, _token: &str, _start: u64) -> usize {
        0
    }

    pub(super) fn leftovers_with_prefix(_prefix: &str) -> usize {
        0
    }

    pub(super) fn reap_adopted() {}
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::Stdio;

    fn alive(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                let close = s.rfind(')')?;
                s[close + 1..].split_whitespace().next().map(str::to_owned)
            })
            .is_some_and(|state| state != "Z")
    }

    /// Starts `sh -c script` whose last stdout line is the pid of what it left behind.
    fn left_behind(script: &str) -> (Supervised, u32) {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut run = Supervised::spawn(&mut cmd).unwrap();
        let mut out = String::new();
        let mut pipe = run.child_mut().stdout.take().unwrap();
        // The script prints the pid and exits; read just that line.
        let mut byte = [0u8; 1];
        while std::io::Read::read(&mut pipe, &mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            out.push(char::from(byte[0]));
        }
        (run, out.trim().parse().unwrap())
    }

    #[test]
    fn a_background_child_is_killed_when_the_program_exits() {
        let (mut run, pid) = left_behind("sleep 1000 >/dev/null 2>&1 & echo $!");
        assert!(alive(pid));
        let status = run.wait_timeout(Duration::from_secs(10)).unwrap();
        assert!(status.is_some_and(|s| s.success()));
        assert!(!alive(pid), "sleep {pid} still running");
    }

    #[test]
    fn a_setsid_child_is_killed_by_its_token() {
        let (mut run, pid) = left_behind("setsid sleep 1000 >/dev/null 2>&1 & echo $!");
        assert!(alive(pid));
        let status = run.wait_timeout(Duration::from_secs(10)).unwrap();
        assert!(status.is_some());
        // setsid may fork: the pid printed is setsid's or sleep's; either way nothing with
        // the token is left.
        assert!(!alive(pid), "setsid child {pid} still running");
    }

    #[test]
    fn a_timed_out_program_is_killed_with_its_children_on_drop() {
        let (mut run, pid) = left_behind("sleep 1000 & echo $!; sleep 1000");
        let t = Instant::now();
        assert!(run
            .wait_timeout(Duration::from_millis(100))
            .unwrap()
            .is_none());
        assert!(t.elapsed() < Duration::from_secs(5));
        let leader = run.id();
        drop(run);
        assert!(!alive(pid));
        assert!(!alive(leader));
    }

    #[test]
    fn kill_reports_a_signal() {
        let mut cmd = Command::new("sleep");
        cmd.arg("1000");
        let mut run = Supervised::spawn(&mut cmd).unwrap();
        let status = run.kill().unwrap();
        assert!(!status.success());
        assert!(run.try_wait().unwrap().is_some());
    }
}
