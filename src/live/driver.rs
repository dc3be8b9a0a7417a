//! Persistent drivers: one client process per client and run, a fresh client object per
//! scenario.
//!
//! Starting a JVM, node or python costs 50 ms to a second, more than most scenarios take. A
//! [`Driver`] starts the client's script once (`node fetch.js --serve`, `java Fetch --serve`,
//! …) and hands it the scenarios one after another: one JSON object per line on its stdin,
//!
//! ```text
//! {"method":"POST","url":"http://127.0.0.1:4100/a","headers":[["Cookie","s=1"]],"body":[120,61,49],"count":1,"timeout_ms":10000}
//! ```
//!
//! (`body` is the bytes as numbers, or `null`; `count` is 2 for the second-request group),
//! and reads one answer per scenario from its stdout, on a line of its own that starts with
//! `@@redirspec `: `{"status":302}` (delivered) or `{"error":"…"}` (the client raised an
//! error). Any other output is ignored. The script builds a new client object for every
//! scenario (a new `HttpClient`, undici `Agent`, opener, `PoolManager`, `Session`,
//! `LWP::UserAgent`, `HTTP::Tiny`) and drops it at the scenario's end, so no connection,
//! cookie or cache crosses scenarios; it first answers `{"ready":true}`, and exits at the end
//! of its stdin.
//!
//! The process is started and ended through [`super::process`] (its own process group, and
//! whatever it starts ends with it), in a private scratch folder holding the scripts. A
//! scenario that does not answer within its time-out ends the driver and is reported as timed
//! out; the next scenario starts a new one. So does a driver that dies. Dropping the
//! [`Driver`] closes its stdin, waits a moment for it to exit and ends it otherwise: nothing
//! is left running.

use super::client::{millis, one_line, ClientOutcome, ClientRequest};
use super::process::{command_in, Supervised};
use super::scratch::Scratch;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{ChildStderr, ChildStdin, ChildStdout, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// The prefix of a driver's answer lines.
pub const ANSWER_PREFIX: &str = "@@redirspec ";

/// How long a driver may take to start and say it is ready (a cold JVM on a loaded machine).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a driver whose stdin was closed may take to exit before it is ended.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// The longest answer line read (longer ones are cut); bounds the memory per answer.
const MAX_LINE: u64 = 1 << 20;

/// The most of a driver's stderr kept (its end), for messages.
const MAX_STDERR: usize = 16 * 1024;

/// One long-lived client process, started on first use (see the [module docs](self)).
pub struct Driver {
    argv: Vec<String>,
    running: Mutex<Option<Running>>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").field("argv", &self.argv).finish()
    }
}

/// A started driver.
struct Running {
    run: Supervised,
    stdin: Option<ChildStdin>,
    answers: mpsc::Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The folder the shipped scripts were written to, when the driver has none prepared
    /// (removed when the driver ends).
    _own_dir: Option<Scratch>,
}

impl Driver {
    /// A driver run with `argv`; `{script_dir}` in an argument names the folder that holds the
    /// shipped scripts.
    pub fn new(argv: &[&str]) -> Self {
        Driver {
            argv: argv.iter().map(|s| (*s).to_owned()).collect(),
            running: Mutex::new(None),
        }
    }

    /// Runs one scenario: sends `request` (`count` times in a row from one client object) and
    /// waits for the answer, at most `request.timeout`. `script_dir` is a folder already
    /// holding the scripts (and what a set-up built there); `None`: the driver writes them
    /// into a folder of its own.
    pub fn execute(
        &self,
        script_dir: Option<&Path>,
        request: &ClientRequest,
        count: u32,
    ) -> ClientOutcome {
        let mut slot = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            match Running::start(&self.argv, script_dir) {
                Ok(r) => *slot = Some(r),
                Err(message) => return ClientOutcome::Failed { message },
            }
        }
        let Some(running) = slot.as_mut() else {
            return ClientOutcome::Failed {
                message: "driver not running".to_owned(),
            };
        };
        let line = serde_json::json!({
            "method": request.method.as_str(),
            "url": request.url,
            "headers": request.headers,
            "body": request.body,
            "count": count,
            "timeout_ms": millis(request.timeout),
        });
        let sent = running
            .stdin
            .as_mut()
            .map(|stdin| writeln!(stdin, "{line}").and_then(|()| stdin.flush()));
        let outcome = match sent {
            Some(Ok(())) => match running.answers.recv_timeout(request.timeout) {
                Ok(answer) => return read_answer(&answer),
                Err(mpsc::RecvTimeoutError::Timeout) => ClientOutcome::TimedOut {
                    after_ms: millis(request.timeout),
                },
                Err(mpsc::RecvTimeoutError::Disconnected) => ClientOutcome::Failed {
                    message: running.died("exited during the scenario"),
                },
            },
            _ => ClientOutcome::Failed {
                message: running.died("did not take the scenario"),
            },
        };
        // Timed out or died: end it; the next scenario starts a new one.
        if let Some(r) = slot.take() {
            r.end();
        }
        outcome
    }

    /// The process id of the running driver, if one runs.
    pub fn pid(&self) -> Option<u32> {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|r| r.run.id())
    }

    /// Ends the driver if it runs (closes its stdin, then ends its process group if it has
    /// not exited within a moment). The next [`execute`](Self::execute) starts a new one.
    pub fn stop(&self) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(r) = running {
            r.end();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `{"status":N}` or `{"error":"…"}`.
fn read_answer(answer: &str) -> ClientOutcome {
    let value: serde_json::Value = match serde_json::from_str(answer) {
        Ok(v) => v,
        Err(e) => {
            return ClientOutcome::Failed {
                message: one_line(&format!("driver answered {answer:?}: {e}")),
            }
        }
    };
    if let Some(status) = value.get("status").and_then(serde_json::Value::as_u64) {
        return ClientOutcome::Delivered {
            status: u16::try_from(status)
                .ok()
                .filter(|s| (100..=999).contains(s)),
        };
    }
    match value.get("error").and_then(serde_json::Value::as_str) {
        Some(message) => ClientOutcome::Failed {
            message: one_line(message),
        },
        None => ClientOutcome::Failed {
            message: one_line(&format!("driver answered {answer:?}")),
        },
    }
}

impl Running {
    fn start(argv: &[String], script_dir: Option<&Path>) -> Result<Running, String> {
        let own_dir = match script_dir {
            Some(_) => None,
            None => {
                let dir = Scratch::new()
                    .and_then(|d| super::command::write_assets(&d).map(|()| d))
                    .map_err(|e| format!("cannot write the driver's scripts: {e}"))?;
                Some(dir)
            }
        };
        let dir = script_dir
            .or(own_dir.as_ref().map(Scratch::path))
            .unwrap_or(Path::new("."));
        let argv: Vec<String> = argv
            .iter()
            .map(|a| a.replace("{script_dir}", &dir.to_string_lossy()))
            .collect();
        let (run, stdout, stderr_pipe, stdin) = spawn(&argv, dir)
            .map_err(|e| one_line(&format!("could not start `{}`: {e}", argv.join(" "))))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut running = Running {
            run,
            stdin: Some(stdin),
            answers: read_answers(stdout),
            stderr: Arc::clone(&stderr),
            _own_dir: own_dir,
        };
        keep_stderr(stderr_pipe, stderr);
        match running.answers.recv_timeout(START_TIMEOUT) {
            Ok(ready) if ready.contains("\"ready\"") => Ok(running),
            Ok(other) => {
                let m = format!("driver `{}` said {other:?} first", argv.join(" "));
                running.end();
                Err(one_line(&m))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let m = running.died(&format!(
                    "was not ready within {} s",
                    START_TIMEOUT.as_secs()
                ));
                running.end();
                Err(m)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let m = running.died("exited before it was ready");
                running.end();
                Err(m)
            }
        }
    }

    /// A message for a driver that failed: `what`, then the end of its stderr.
    fn died(&mut self, what: &str) -> String {
        // Give a dying process a moment to write its last words.
        let _ = self.run.wait_timeout(Duration::from_millis(200));
        let err = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
        one_line(&format!(
            "driver {what}: {}",
            String::from_utf8_lossy(&err).trim()
        ))
    }

    /// Closes stdin, waits [`EXIT_GRACE`] for the exit, then ends it (and whatever it
    /// started, either way); reaps it. The scratch folder goes with `self`.
    fn end(mut self) {
        drop(self.stdin.take());
        if !matches!(self.run.wait_timeout(EXIT_GRACE), Ok(Some(_))) {
            let _ = self.run.kill();
        }
    }
}

type Spawned = (Supervised, ChildStdout, ChildStderr, ChildStdin);

/// Starts `argv` in `dir` through [`Supervised`] (a process group of its own), with piped
/// stdio.
fn spawn(argv: &[String], dir: &Path) -> std::io::Result<Spawned> {
    let mut command = command_in(argv, dir)?;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut run = Supervised::spawn(&mut command)?;
    let child = run.child_mut();
    match (child.stdout.take(), child.stderr.take(), child.stdin.take()) {
        (Some(out), Some(err), Some(input)) => Ok((run, out, err, input)),
        // `run` ends the program when it drops.
        _ => Err(std::io::Error::other("no pipes to the driver")),
    }
}

/// Reads `stdout` line by line on a thread; answer lines (without the prefix) arrive on the
/// channel, which closes when the driver's stdout does.
fn read_answers(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            if let Some(answer) = text.trim_end().strip_prefix(ANSWER_PREFIX) {
                if tx.send(answer.to_owned()).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

/// Keeps the last [`MAX_STDERR`] bytes of `stderr`, read on a thread.
fn keep_stderr(mut stderr: ChildStderr, kept: Arc<Mutex<Vec<u8>>>) {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut k = kept.lock().unwrap_or_else(PoisonError::into_inner);
            k.extend_from_slice(&buf[..n]);
            if k.len() > MAX_STDERR {
                let cut = k.len() - MAX_STDERR;
                k.drain(..cut);
            }
        }
    });
}
