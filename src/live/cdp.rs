//! Chromium driven through the Chrome DevTools Protocol over a pipe
//! (`--remote-debugging-pipe`): one browser process per run, a new browser context per
//! scenario (see [`chromium`](super::chromium)).
//!
//! The protocol's pipe transport is two file descriptors of the browser: it reads commands
//! from fd 3 and writes answers and events to fd 4, each message one JSON object followed by
//! a NUL byte. The browser is started through `sh -c 'exec "$0" "$@" 3<&0 4>&1 …'`, so that
//! the piped stdin and stdout of the shell become fds 3 and 4 of the browser it turns into
//! (the same process: no unsafe `pre_exec`, no extra process). A reader thread splits the
//! output into messages (each at most [`MAX_MESSAGE`] bytes; a longer one is skipped) and
//! hands them over a channel; [`CdpBrowser::call`] waits, at most until its deadline, for
//! the answer with its id (events, which nothing here asks for, and late answers are
//! dropped).
//!
//! The browser runs through [`super::process`] (a process group of its own, ended with
//! everything it started when the [`CdpBrowser`] drops), with its profile, `HOME` and XDG
//! folders in a private scratch folder removed after it. Only the few methods the
//! second-request group needs are used; no crate for the protocol is worth its weight here
//! (the Rust ones speak it over a WebSocket and bring an async runtime).

use super::process::{command_in, Supervised};
use super::scratch::Scratch;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{ChildStdin, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The longest message read from the browser; a longer one is skipped. The answers used here
/// (a context's or a tab's id, a tab's info) are far below a kilobyte.
pub(crate) const MAX_MESSAGE: usize = 4 << 20;

/// A running browser with its protocol pipe.
pub(crate) struct CdpBrowser {
    /// Kills the browser and everything it started when dropped (declared first: it drops
    /// before the scratch folder is removed).
    run: Supervised,
    commands: Option<ChildStdin>,
    messages: mpsc::Receiver<Value>,
    next_id: u64,
    _dir: Scratch,
}

impl std::fmt::Debug for CdpBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdpBrowser")
            .field("pid", &self.run.id())
            .finish_non_exhaustive()
    }
}

impl CdpBrowser {
    /// Starts `program` with `flags` and the pipe transport, a fresh profile in a private
    /// scratch folder, and waits (at most `startup`) for it to answer `Browser.getVersion`.
    ///
    /// # Errors
    /// A message when the browser does not start or does not answer.
    pub(crate) fn start(program: &Path, flags: &[&str], startup: Duration) -> Result<Self, String> {
        let name = program.display().to_string();
        let dir = Scratch::new().map_err(|e| format!("could not start {name}: {e}"))?;
        let profile = dir
            .create_dir("profile")
            .map_err(|e| format!("could not start {name}: {e}"))?;
        let mut argv: Vec<String> = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            // fd 3 ← our pipe (its stdin), fd 4 → our pipe (its stdout); then its own stdin
            // and stdout are closed off, so only the protocol goes through the pipes.
            "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null >/dev/null".to_owned(),
            name.clone(),
        ];
        argv.extend(flags.iter().map(|f| (*f).to_owned()));
        argv.push("--remote-debugging-pipe".to_owned());
        argv.push(format!("--user-data-dir={}", profile.display()));
        argv.push("about:blank".to_owned());
        let mut command =
            command_in(&argv, dir.path()).map_err(|e| format!("could not start {name}: {e}"))?;
        command
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("XDG_CACHE_HOME", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut run =
            Supervised::spawn(&mut command).map_err(|e| format!("could not start {name}: {e}"))?;
        let child = run.child_mut();
        let (Some(commands), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(format!("could not start {name}: no pipes"));
        };
        let mut browser = CdpBrowser {
            run,
            commands: Some(commands),
            messages: read_messages(output),
            next_id: 0,
            _dir: dir,
        };
        browser
            .call("Browser.getVersion", json!({}), Instant::now() + startup)
            .map_err(|e| format!("{name} did not answer on its protocol pipe: {e}"))?;
        Ok(browser)
    }

    /// Sends `method` with `params` and waits until `deadline` for its answer: the `result`
    /// object.
    ///
    /// # Errors
    /// The browser's error message, `timed out`, or that the pipe closed (the browser is
    /// gone: drop this one and start another).
    pub(crate) fn call(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message =
            serde_json::to_vec(&json!({"id": id, "method": method, "params": params}))
                .map_err(|e| e.to_string())?;
        message.push(0);
        let sent = match self.commands.as_mut() {
            Some(pipe) => pipe.write_all(&message).and_then(|()| pipe.flush()),
            None => return Err("the protocol pipe is closed".to_owned()),
        };
        if let Err(e) = sent {
            self.commands = None;
            return Err(format!("the protocol pipe is closed: {e}"));
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("{method}: timed out"));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!("{method}: the browser closed its protocol pipe"));
                }
            };
            match message.get("id").and_then(Value::as_u64) {
                Some(got) if got == id => {
                    if let Some(error) = message.get("error") {
                        let text = error
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("error");
                        return Err(format!("{method}: {text}"));
                    }
                    return Ok(message.get("result").cloned().unwrap_or(Value::Null));
                }
                // The answer to an earlier call that timed out, or an event (none is asked
                // for): dropped.
                _ => {}
            }
        }
    }
}

/// How many parsed messages wait for [`CdpBrowser::call`] at most. When they are not read,
/// the reader thread waits, and the browser with it (its pipe fills): a browser that sends
/// without end holds at most this many messages (each at most [`MAX_MESSAGE`] bytes) and the
/// pipe's buffer in memory.
const QUEUED_MESSAGES: usize = 64;

/// Reads NUL-terminated JSON messages from `output` on a thread; the channel closes with the
/// pipe. A message longer than [`MAX_MESSAGE`] or not JSON is skipped. The thread ends when
/// the pipe closes or the receiver is dropped.
fn read_messages<R: Read + Send + 'static>(mut output: R) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::sync_channel(QUEUED_MESSAGES);
    thread::spawn(move || {
        let mut pending: Vec<u8> = Vec::new();
        let mut skipping = false;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match output.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            for piece in chunk[..n].split_inclusive(|b| *b == 0) {
                let (body, ends) = match piece.split_last() {
                    Some((0, body)) => (body, true),
                    _ => (piece, false),
                };
                if !skipping {
                    pending.extend_from_slice(body);
                    if pending.len() > MAX_MESSAGE {
                        pending = Vec::new();
                        skipping = true;
                    }
                }
                if ends {
                    if !skipping {
                        if let Ok(value) = serde_json::from_slice::<Value>(&pending) {
                            if tx.send(value).is_err() {
                                return;
                            }
                        }
                    }
                    pending.clear();
                    skipping = false;
                }
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` from `at` on, in pieces of at most `piece` bytes (messages split across
    /// reads).
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        piece: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let rest = &self.bytes[self.at..];
            let n = self.piece.min(buf.len()).min(rest.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    fn read_all(bytes: &[u8], piece: usize) -> Vec<Value> {
        read_messages(Trickle {
            bytes: bytes.to_vec(),
            at: 0,
            piece,
        })
        .iter()
        .collect()
    }

    #[test]
    fn messages_are_split_at_nul_bytes() {
        let bytes = b"{\"id\":1}\0not json\0{\"method\":\"x\"}\0{\"id\":4}";
        for piece in [1, 3, 64 * 1024] {
            // Not JSON: skipped; the last one has no NUL: the stream ended first.
            assert_eq!(
                read_all(bytes, piece),
                [json!({"id": 1}), json!({"method": "x"})],
                "pieces of {piece}"
            );
        }
    }

    #[test]
    fn an_oversized_message_is_skipped_whole() {
        let mut bytes = b"{\"id\":1}\0".to_vec();
        bytes.extend(std::iter::repeat_n(b' ', MAX_MESSAGE + 1));
        bytes.extend_from_slice(b"{\"id\":2}\0{\"id\":3}\0");
        for piece in [4096, 64 * 1024] {
            assert_eq!(
                read_all(&bytes, piece),
                [json!({"id": 1}), json!({"id": 3})],
                "pieces of {piece}"
            );
        }
    }

    /// A source that never ends: `{"id":0}`, NUL, over and over, counting what was read.
    struct Endless(std::sync::Arc<std::sync::atomic::AtomicUsize>);

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let message = b"{\"id\":0}\0";
            let n = buf.len().min(message.len());
            buf[..n].copy_from_slice(&message[..n]);
            self.0.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
            Ok(n)
        }
    }

    #[test]
    fn unread_messages_stop_the_reader_instead_of_piling_up() {
        use std::sync::atomic::Ordering::SeqCst;
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let messages = read_messages(Endless(read.clone()));
        // The queue fills (bounded wait: the reader thread may start late on a busy machine).
        let full = QUEUED_MESSAGES * 9;
        let until = Instant::now() + Duration::from_secs(20);
        while read.load(SeqCst) < full && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(
            read.load(SeqCst) >= full,
            "the reader did not fill its queue"
        );
        // Then it waits: an unbounded queue would have read megabytes by now.
        thread::sleep(Duration::from_millis(100));
        let bound = (QUEUED_MESSAGES + 1) * 9;
        assert!(
            read.load(SeqCst) <= bound,
            "{} bytes read",
            read.load(SeqCst)
        );
        // Receiving lets it go on; dropping the receiver ends the thread.
        assert_eq!(messages.recv().ok(), Some(json!({"id": 0})));
        drop(messages);
    }
}
