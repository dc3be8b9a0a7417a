//! What `matrix` and `client` print while they run: on a terminal, one status line rewritten
//! in place from the first second (clients done / total, each running client's scenario n/N,
//! seconds elapsed) and cleared at the end; on a pipe or a file, only one line per finished or
//! skipped client, never a status line.

use redirspec::live::matrix::{LevelCounts, Progress};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Erases the terminal line the cursor is on and returns to its start.
const CLEAR: &str = "\r\x1b[2K";

/// Width of the status line when `COLUMNS` does not say (it is cut to the terminal's width
/// so that it never wraps: a wrapped line cannot be erased in place).
const DEFAULT_WIDTH: usize = 80;

/// A client in progress: name, scenarios done, scenarios in all, the last one done.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Running {
    client: String,
    done: usize,
    total: usize,
    last: String,
}

struct State<W> {
    out: W,
    started: Instant,
    clients: Option<usize>,
    finished: usize,
    running: Vec<Running>,
    /// A status line is on the screen.
    shown: bool,
    /// Seconds shown on it.
    secs: u64,
}

/// Prints progress on a writer (stderr in the binary): with `tty`, a status line
/// (`[2/15 clients · 14 s] curl 12/89 · wget 40/89`) rewritten in place and erased before
/// each permanent line and at the end; without, only the permanent lines (one per finished or
/// skipped client).
pub struct ProgressPrinter<W: Write + Send> {
    state: Mutex<State<W>>,
    tty: bool,
    width: usize,
}

impl<W: Write + Send> ProgressPrinter<W> {
    /// A printer on `out`; `tty` turns on the status line, as wide as stderr's terminal
    /// (else `COLUMNS`, else 80 columns).
    pub fn new(out: W, tty: bool) -> Self {
        let terminal = if tty { terminal_width() } else { None };
        let width = terminal
            .or_else(|| {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.trim().parse::<usize>().ok())
            })
            .filter(|w| (20..=1000).contains(w))
            .unwrap_or(DEFAULT_WIDTH);
        ProgressPrinter {
            state: Mutex::new(State {
                out,
                started: Instant::now(),
                clients: None,
                finished: 0,
                running: Vec::new(),
                shown: false,
                secs: 0,
            }),
            tty,
            width,
        }
    }

    /// The status line's width in columns (it is cut to one less); the tests set it.
    #[cfg(test)]
    pub fn with_width(mut self, columns: usize) -> Self {
        self.width = columns.max(2);
        self
    }

    /// Reports one event.
    pub fn report(&self, p: Progress<'_>) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        let permanent = match p {
            Progress::Started { clients } => {
                st.started = Instant::now();
                st.clients = Some(clients);
                None
            }
            Progress::ClientStarted { client, total } => {
                st.running.push(Running {
                    client: client.to_owned(),
                    done: 0,
                    total,
                    last: String::new(),
                });
                None
            }
            Progress::ScenarioDone {
                client,
                scenario,
                done,
                total,
            } => {
                if let Some(r) = st.running.iter_mut().find(|r| r.client == client) {
                    r.done = done;
                    r.total = total;
                    scenario.clone_into(&mut r.last);
                }
                None
            }
            Progress::ClientSkipped { client, note } => {
                st.finished += 1;
                Some(format!("{client}: skipped ({note})"))
            }
            Progress::ClientDone {
                client,
                profile,
                conforms,
                total,
                second_request,
                second_request_levels,
                caches,
                levels,
            } => {
                st.running.retain(|r| r.client != client);
                st.finished += 1;
                Some(client_done_line(
                    client,
                    profile,
                    (conforms, total),
                    levels.as_ref(),
                    second_request.map(|c| (c, second_request_levels)),
                    caches,
                ))
            }
            // `Progress` may grow; an event this printer does not know prints nothing.
            _ => None,
        };
        if let Some(line) = permanent {
            let clear = if st.shown { CLEAR } else { "" };
            st.shown = false;
            let _ = writeln!(st.out, "{clear}{line}");
        }
        if self.tty {
            self.draw(&mut st);
        }
        let _ = st.out.flush();
    }

    /// Redraws the status line when the seconds shown are out of date (a terminal only).
    pub fn tick(&self) {
        if !self.tty {
            return;
        }
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        if st.clients.is_some() && st.started.elapsed().as_secs() != st.secs {
            self.draw(&mut st);
            let _ = st.out.flush();
        }
    }

    /// Erases the status line, if one is shown.
    pub fn finish(&self) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        if st.shown {
            st.shown = false;
            let _ = write!(st.out, "{CLEAR}");
            let _ = st.out.flush();
        }
    }

    /// Runs `work`, redrawing the status line every second meanwhile (on a terminal), then
    /// erases it.
    pub fn while_running<T>(&self, work: impl FnOnce() -> T) -> T {
        if !self.tty {
            return work();
        }
        let stop = AtomicBool::new(false);
        let out = std::thread::scope(|scope| {
            let ticker = scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    self.tick();
                    std::thread::park_timeout(Duration::from_millis(250));
                }
            });
            let out = work();
            stop.store(true, Ordering::SeqCst);
            ticker.thread().unpark();
            out
        });
        self.finish();
        out
    }

    fn draw(&self, st: &mut State<W>) {
        let Some(clients) = st.clients else {
            return;
        };
        st.secs = st.started.elapsed().as_secs();
        let line = status_line(st.finished, clients, &st.running, st.secs, self.width);
        let _ = write!(st.out, "{CLEAR}{line}");
        st.shown = true;
    }
}

/// The width of stderr's terminal, if it is one and says.
#[cfg(unix)]
fn terminal_width() -> Option<usize> {
    rustix::termios::tcgetwinsize(std::io::stderr())
        .ok()
        .map(|w| usize::from(w.ws_col))
}

/// The width of stderr's terminal: not asked off Unix (`COLUMNS` or 80 columns then).
#[cfg(not(unix))]
fn terminal_width() -> Option<usize> {
    None
}

/// The status line: `[2/15 clients · 14 s] curl 12/89 · wget 40/89`; with one client
/// running, the last scenario it finished too (`curl 12/89 cred-cross-port`). Cut to
/// `width - 1` characters so that it never wraps.
fn status_line(
    finished: usize,
    clients: usize,
    running: &[Running],
    secs: u64,
    width: usize,
) -> String {
    let mut line = format!("[{finished}/{clients} clients · {secs} s]");
    let one = running.len() == 1;
    for (i, r) in running.iter().enumerate() {
        line.push_str(if i == 0 { " " } else { " · " });
        line.push_str(&format!("{} {}/{}", r.client, r.done, r.total));
        if one && !r.last.is_empty() {
            line.push(' ');
            line.push_str(&r.last);
        }
    }
    // Names come from the run's own lists, but a scenario name may hold anything a user gave.
    let line: String = line.chars().filter(|c| !c.is_control()).collect();
    let max = width.saturating_sub(1);
    if line.chars().count() > max {
        let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        line
    }
}

/// The permanent line of a finished client: its count and levels under its profile, and
/// its second-request group's count with that group's levels when it departs.
fn client_done_line(
    client: &str,
    profile: &str,
    (conforms, total): (usize, usize),
    levels: Option<&LevelCounts>,
    second_request: Option<((usize, usize), Option<LevelCounts>)>,
    caches: &str,
) -> String {
    let mut parts = Vec::new();
    if total > 0 {
        parts.push(format!("{conforms}/{total} scenarios conform to {profile}"));
        if let Some(l) = levels {
            parts.push(l.headline());
        }
    }
    if let Some(((p, t), group)) = second_request {
        let levels = group
            .filter(|g| g.fails() || g.may > 0)
            .map(|g| format!(" ({})", g.headline()))
            .unwrap_or_default();
        parts.push(format!(
            "second request {p}/{t} conform{levels}, caches redirects: {caches}"
        ));
    }
    if parts.is_empty() {
        parts.push("nothing run".to_owned());
    }
    format!("{client}: {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(client: &str, done: usize, total: usize, last: &str) -> Running {
        Running {
            client: client.to_owned(),
            done,
            total,
            last: last.to_owned(),
        }
    }

    #[test]
    fn the_status_line_counts_clients_and_scenarios() {
        assert_eq!(status_line(0, 15, &[], 0, 80), "[0/15 clients · 0 s]");
        assert_eq!(
            status_line(
                2,
                15,
                &[running("curl", 12, 89, "a"), running("wget", 40, 89, "b")],
                14,
                80
            ),
            "[2/15 clients · 14 s] curl 12/89 · wget 40/89"
        );
        assert_eq!(
            status_line(0, 1, &[running("curl", 3, 89, "cred-cross-port")], 2, 80),
            "[0/1 clients · 2 s] curl 3/89 cred-cross-port"
        );
        // Never wider than the terminal, never a control character.
        let many: Vec<Running> = (0..20)
            .map(|i| running(&format!("c{i}"), i, 89, ""))
            .collect();
        let line = status_line(0, 20, &many, 5, 40);
        assert_eq!(line.chars().count(), 39, "{line}");
        assert!(line.ends_with('…'));
        let line = status_line(0, 1, &[running("x", 1, 2, "a\x1b[2Jb\r")], 0, 80);
        assert_eq!(line, "[0/1 clients · 0 s] x 1/2 a[2Jb");
    }

    fn events(p: &ProgressPrinter<Vec<u8>>) {
        p.report(Progress::Started { clients: 2 });
        p.report(Progress::ClientStarted {
            client: "curl",
            total: 3,
        });
        p.report(Progress::ClientSkipped {
            client: "wget",
            note: "not installed",
        });
        p.report(Progress::ScenarioDone {
            client: "curl",
            scenario: "301-get",
            done: 1,
            total: 3,
        });
        p.tick();
        p.report(Progress::ClientDone {
            client: "curl",
            profile: "rfc9110",
            conforms: 2,
            total: 2,
            second_request: Some((0, 1)),
            second_request_levels: Some(LevelCounts {
                must: 1,
                total: 1,
                ..LevelCounts::default()
            }),
            caches: "yes",
            levels: None,
        });
        p.finish();
    }

    fn printed(tty: bool) -> String {
        let p = ProgressPrinter::new(Vec::new(), tty).with_width(80);
        events(&p);
        let Ok(st) = p.state.into_inner() else {
            panic!("poisoned");
        };
        String::from_utf8(st.out).expect("UTF-8")
    }

    #[test]
    fn on_a_pipe_only_the_client_lines() {
        assert_eq!(
            printed(false),
            "wget: skipped (not installed)\n\
             curl: 2/2 scenarios conform to rfc9110; second request 0/1 conform (MUST 1 · \
             security 0 · SHOULD 0 · MAY 0), caches redirects: yes\n"
        );
    }

    #[test]
    fn on_a_terminal_the_line_is_rewritten_and_erased_at_the_end() {
        let out = printed(true);
        assert!(out.starts_with("\r\x1b[2K[0/2 clients · 0 s]"), "{out:?}");
        assert!(
            out.contains("\r\x1b[2Kwget: skipped (not installed)\n\r\x1b[2K[1/2 clients"),
            "{out:?}"
        );
        assert!(out.contains("curl 1/3 301-get"), "{out:?}");
        // The last thing written erases the status line: the terminal is left clean.
        assert!(
            out.ends_with("caches redirects: yes\n\r\x1b[2K[2/2 clients · 0 s]\r\x1b[2K"),
            "{out:?}"
        );
    }
}
