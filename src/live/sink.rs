//! A loopback listener for a non-http(s) redirect target: it records that a client connected,
//! which is what tells "refused" from "tried and failed".
//!
//! A Location like `ftp://127.0.0.1:9/x` with nothing listening makes a client that follows it
//! fail to connect, and that failure reads like the refusal the model expects. With a
//! listener there, a client that connects has *followed*. The listener speaks just enough FTP
//! (RFC 959) for a client to log in and fail fast: a `220` greeting, `331`/`230` to USER and
//! PASS, plain answers to SYST, PWD and TYPE, `550 No such file or directory` to everything
//! else (a `530` makes wget retry the login until its time-out), so nothing is ever
//! transferred.
//!
//! Bounded: at most [`MAX_CONNECTIONS`] connections, each served for at most
//! [`CONNECTION_TIME`], the whole listener stops when dropped; 127.0.0.1 only, OS-chosen port.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Connections served at most; later ones are counted but closed at once.
pub const MAX_CONNECTIONS: usize = 8;
/// Longest time one connection is served.
pub const CONNECTION_TIME: Duration = Duration::from_secs(2);
/// Command lines read at most per connection.
const MAX_LINES: usize = 16;
/// Bytes read at most per command line.
const MAX_LINE: u64 = 512;

/// The placeholder in scenario templates that becomes `ftp://127.0.0.1:<port>`.
pub const FTP_PLACEHOLDER: &str = "{FTP}";

/// A running FTP-ish sink.
#[derive(Debug)]
pub struct FtpSink {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl FtpSink {
    /// Binds 127.0.0.1 on an OS-chosen port and starts accepting.
    ///
    /// # Errors
    /// The bind or the thread start failed.
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (Arc::clone(&stop), Arc::clone(&seen));
        let thread = std::thread::Builder::new()
            .name("redirspec-ftp-sink".into())
            .spawn(move || accept_loop(&listener, &s, &r))?;
        Ok(FtpSink {
            port,
            stop,
            seen,
            thread: Some(thread),
        })
    }

    /// `ftp://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("ftp://127.0.0.1:{}", self.port)
    }

    /// Stops the listener and returns one line per connection (`ftp://127.0.0.1:P: USER x`).
    pub fn finish(mut self) -> Vec<String> {
        self.halt();
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FtpSink {
    fn drop(&mut self) {
        self.halt();
    }
}

fn accept_loop(listener: &TcpListener, stop: &AtomicBool, seen: &Mutex<Vec<String>>) {
    let origin = listener
        .local_addr()
        .map_or_else(|_| "ftp://127.0.0.1".to_owned(), |a| format!("ftp://{a}"));
    let mut served = 0;
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                served += 1;
                let first = if served <= MAX_CONNECTIONS {
                    serve(stream)
                } else {
                    None
                };
                let line = match first {
                    Some(cmd) => format!("{origin} (sent {cmd:?})"),
                    None => format!("{origin} (connected)"),
                };
                seen.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(line);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Greets, answers every command (see the module docs) until QUIT, EOF, the line limit or the time
/// limit; returns the first command (its verb and argument, a password replaced).
fn serve(mut stream: TcpStream) -> Option<String> {
    let deadline = Instant::now() + CONNECTION_TIME;
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(CONNECTION_TIME));
    stream
        .write_all(b"220 redirspec sink: nothing to see\r\n")
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = None;
    for _ in 0..MAX_LINES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        let mut line = Vec::new();
        match std::io::Read::take(&mut reader, MAX_LINE).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line).trim().to_owned();
        let verb = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if first.is_none() {
            first = Some(if verb == "PASS" {
                "PASS ***".to_owned()
            } else {
                text.clone()
            });
        }
        let answer: &[u8] = match verb.as_str() {
            "USER" => b"331 any password will do\r\n",
            "PASS" => b"230 logged in\r\n",
            "SYST" => b"215 UNIX Type: L8\r\n",
            "PWD" => b"257 \"/\"\r\n",
            "TYPE" => b"200 ok\r\n",
            "QUIT" => b"221 bye\r\n",
            _ => b"550 No such file or directory\r\n",
        };
        if stream.write_all(answer).is_err() || verb == "QUIT" {
            break;
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn records_a_connection_and_its_first_command() {
        let sink = FtpSink::start().unwrap();
        let addr = sink.origin().replace("ftp://", "");
        let mut c = TcpStream::connect(&addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut greeting = [0u8; 4];
        c.read_exact(&mut greeting).unwrap();
        assert_eq!(&greeting, b"220 ");
        c.write_all(b"USER anonymous\r\nQUIT\r\n").unwrap();
        let mut rest = String::new();
        let _ = c.read_to_string(&mut rest);
        let seen = sink.finish();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains("USER anonymous"), "{seen:?}");
    }

    #[test]
    fn nothing_connected_nothing_recorded() {
        assert!(FtpSink::start().unwrap().finish().is_empty());
    }
}
