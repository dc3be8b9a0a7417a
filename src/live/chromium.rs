//! Chromium, headless, as a client of the second-request group: the one common client with an
//! HTTP cache that keeps redirects.
//!
//! **One browser process per run, a new browser context per scenario.** The browser is
//! started once, on the group's first scenario, and driven through the Chrome DevTools
//! Protocol over a pipe ([`super::cdp`]). For each scenario it gets a new browser context
//! (`Target.createBrowserContext`: in Chromium an off-the-record profile of its own, with its
//! own cookie jar, in-memory HTTP cache, socket pools and storage), opens in it a tab on the
//! scripted server's [`REPEAT_PAGE`], whose script calls `fetch(path)` twice in a row
//! (default cache mode) and writes the statuses into the page title, reads that title
//! (`Target.getTargetInfo`, every 25 ms: Chromium sends no event for a new title), and
//! disposes of the context
//! (`Target.disposeBrowserContext`), which closes the tab and drops everything the context
//! held. So a redirect cached, a cookie set or a connection kept in one scenario is not there
//! for the next one (`tests/live_second_request.rs` checks it with the same URL asked in two
//! scenarios), while the two fetches of one scenario share the context's cache, as two
//! requests of one library client object share theirs.
//!
//! What the scenarios share: the browser process and its profile folder (a fresh one per run
//! in the run's scratch folder, `HOME` and the XDG folders pointing there too; an
//! off-the-record context writes nothing to it). A scenario that times out, or a browser that
//! stops answering or cannot dispose of a context, ends the browser; the next scenario starts
//! a new one. [`ChromiumClient::end_run`](ClientUnderTest::end_run) ends it after the group.
//! Without `--disable-background-networking` and the other flags below, Chromium spends its
//! time on connections a closed machine cannot make.
//!
//! (Before, each scenario started its own `chromium --headless --dump-dom` with a fresh
//! profile: the same isolation at about 2.3 CPU-seconds per scenario; a context costs a
//! tenth of that.)
//!
//! Chromium runs this group only: the fixed suite's requests (POST bodies, Authorization,
//! other origins) cannot be made from a page the same way a library makes them; the browser
//! rows of [`super::browser`] run the suite from a page.

use super::cdp::CdpBrowser;
use super::client::{millis, one_line, ClientOutcome, ClientRequest, ClientUnderTest};
use super::command::{run_in_scratch, Finished};
use super::page::REPEAT_PAGE;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the browser may take to start and answer on its pipe, at least (a loaded
/// machine; a scenario's own time-out, when longer, bounds it instead).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a tab's title is read while its page runs.
const POLL: Duration = Duration::from_millis(25);

/// How long disposing of a scenario's context may take before the browser is ended instead.
const DISPOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Headless Chromium (`/usr/bin/chromium` unless another program is given).
#[derive(Debug)]
pub struct ChromiumClient {
    program: PathBuf,
    /// The browser of this run, started on first use.
    browser: Mutex<Option<CdpBrowser>>,
}

impl Default for ChromiumClient {
    fn default() -> Self {
        ChromiumClient {
            program: PathBuf::from("/usr/bin/chromium"),
            browser: Mutex::new(None),
        }
    }
}

impl ChromiumClient {
    /// The page that asks for `url`'s path `times` times, on `url`'s origin; `None` for a URL
    /// that is not `http://authority/path` with a plain path.
    pub fn page_url(url: &str, times: u32) -> Option<String> {
        let rest = url.strip_prefix("http://")?;
        let slash = rest.find('/')?;
        let (authority, path) = rest.split_at(slash);
        let plain = path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_.-".contains(&b));
        plain.then(|| format!("http://{authority}{REPEAT_PAGE}?n={times}&path={path}"))
    }

    /// The running browser, started if there is none (the start bounded by the longer of
    /// `timeout` and [`START_TIMEOUT`]: a cold start on a loaded machine).
    fn browser<'a>(
        &self,
        slot: &'a mut Option<CdpBrowser>,
        timeout: Duration,
    ) -> Result<&'a mut CdpBrowser, String> {
        if slot.is_none() {
            *slot = Some(CdpBrowser::start(
                &self.program,
                &HEADLESS_FLAGS,
                timeout.max(START_TIMEOUT),
            )?);
        }
        slot.as_mut().ok_or_else(|| "no browser".to_owned())
    }
}

/// How a page ended.
enum PageEnd {
    /// Its final title.
    Titled(String),
    /// No final title by the deadline.
    TimedOut,
}

/// Loads `page` in a new browser context of `browser` and waits (until `deadline`) for the
/// page's final title; the context is disposed of afterwards, whatever happened.
///
/// # Errors
/// The browser failed, or could not dispose of the context: it is to be ended (what the
/// page showed, if it got that far, is lost with it; the server's record is not).
fn run_page(browser: &mut CdpBrowser, page: &str, deadline: Instant) -> Result<PageEnd, String> {
    let context = browser.call("Target.createBrowserContext", json!({}), deadline)?;
    let context = context
        .get("browserContextId")
        .and_then(Value::as_str)
        .ok_or_else(|| "Target.createBrowserContext: no browserContextId".to_owned())?
        .to_owned();
    let ended = title_in_context(browser, &context, page, deadline);
    // Closes the tab and drops the context's cache, cookies and connections.
    let disposed = browser.call(
        "Target.disposeBrowserContext",
        json!({"browserContextId": context}),
        Instant::now() + DISPOSE_TIMEOUT,
    );
    // The first failure is the one to report.
    let ended = ended?;
    disposed.map(|_| ended)
}

fn title_in_context(
    browser: &mut CdpBrowser,
    context: &str,
    page: &str,
    deadline: Instant,
) -> Result<PageEnd, String> {
    let target = browser.call(
        "Target.createTarget",
        json!({"url": page, "browserContextId": context}),
        deadline,
    )?;
    let target = target
        .get("targetId")
        .and_then(Value::as_str)
        .ok_or_else(|| "Target.createTarget: no targetId".to_owned())?
        .to_owned();
    // Chromium sends no event when a title changes: the tab's info is asked for until the
    // page has written its answer.
    loop {
        let info = browser.call(
            "Target.getTargetInfo",
            json!({"targetId": target}),
            deadline,
        )?;
        let title = info
            .get("targetInfo")
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(words) = title.strip_prefix("redirspec:") {
            if words.trim() != "waiting" {
                return Ok(PageEnd::Titled(title.to_owned()));
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(POLL));
        if Instant::now() >= deadline {
            break;
        }
    }
    Ok(PageEnd::TimedOut)
}

/// The statuses in the page's title (`redirspec: 200 200`), or why there are none.
fn statuses(title: &str) -> Result<Vec<u16>, String> {
    let title = title.trim();
    let words = title
        .strip_prefix("redirspec:")
        .ok_or_else(|| format!("unexpected page title {title:?}"))?;
    words
        .split_whitespace()
        .map(|w| {
            w.parse::<u16>()
                .map_err(|_| format!("the page's fetches ended: {}", words.trim()))
        })
        .collect()
}

/// Headless Chromium as root on a machine with no network but loopback: no sandbox (root),
/// no GPU, no QUIC, and none of the background connections (component updates, sync,
/// first-run pages) a closed network refuses; a fresh `--user-data-dir` is added per run.
/// Headless Chromium opens browser windows all the same, and each window's omnibox popup is
/// a page of its own (a WebUI renderer): turned off, it saves about a quarter of the CPU the
/// second-request group costs (13 contexts: 3.8 → 3.0 CPU-seconds), and touches nothing a
/// page's `fetch` does. Shared by the second-request client and the browser rows
/// ([`super::browser`]).
pub(crate) const HEADLESS_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
];

impl ClientUnderTest for ChromiumClient {
    fn name(&self) -> &str {
        "chromium"
    }

    fn reading(&self) -> crate::Profile {
        crate::Profile::Fetch
    }

    fn describe(&self) -> String {
        let base = "chromium headless: fetch() twice from a page, default cache mode";
        let argv = vec![self.program.display().to_string(), "--version".to_owned()];
        match run_in_scratch(&argv, Duration::from_secs(10)) {
            Ok(Finished::Exited {
                success: true,
                stdout,
                ..
            }) => match String::from_utf8_lossy(&stdout).lines().next() {
                Some(v) if !v.trim().is_empty() => {
                    let short = v.split(" built").next().unwrap_or(v).trim();
                    format!("{base} ({short})")
                }
                _ => base.to_owned(),
            },
            _ => base.to_owned(),
        }
    }

    fn check_available(&self) -> Result<(), String> {
        if self.program.is_file() {
            Ok(())
        } else {
            Err(format!("{} is not installed", self.program.display()))
        }
    }

    fn cost_hint_ms(&self) -> u32 {
        1500
    }

    fn runs_suite(&self) -> Result<(), String> {
        Err("a browser driven through a page: runs the second-request group only".to_owned())
    }

    fn execute(&self, _request: &ClientRequest) -> ClientOutcome {
        ClientOutcome::Failed {
            message: "chromium runs the second-request group only".to_owned(),
        }
    }

    fn repeats(&self) -> Result<(), String> {
        Ok(())
    }

    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        let Some(page) = Self::page_url(&request.url, 2) else {
            return ClientOutcome::Failed {
                message: format!("cannot ask for {} from a page", request.url),
            };
        };
        let mut slot = self.browser.lock().unwrap_or_else(PoisonError::into_inner);
        let ended = match self.browser(&mut slot, request.timeout) {
            Ok(browser) => {
                let deadline = Instant::now() + request.timeout;
                match run_page(browser, &page, deadline) {
                    // A call cut short by the scenario's deadline: the scenario timed out.
                    Err(_) if Instant::now() >= deadline => Ok(PageEnd::TimedOut),
                    ended => ended,
                }
            }
            Err(e) => Err(e),
        };
        match ended {
            Err(e) => {
                // A browser that failed is not trusted with the next scenario: it ends here
                // (with everything it started), and the next scenario starts another.
                *slot = None;
                ClientOutcome::Failed {
                    message: one_line(&format!("{}: {e}", self.program.display())),
                }
            }
            Ok(PageEnd::TimedOut) => {
                // The context is gone, but a browser that let a page hang may be stuck: the
                // next scenario gets a new one.
                *slot = None;
                ClientOutcome::TimedOut {
                    after_ms: millis(request.timeout),
                }
            }
            Ok(PageEnd::Titled(title)) => match statuses(&title) {
                Ok(s) if s.len() == 2 => ClientOutcome::Delivered {
                    status: s.last().copied(),
                },
                Ok(s) => ClientOutcome::Failed {
                    message: format!("the page made {} fetches, not 2", s.len()),
                },
                // A fetch of the page failed: the client's outcome, not the browser's fault.
                Err(message) => ClientOutcome::Failed {
                    message: one_line(&message),
                },
            },
        }
    }

    fn end_run(&self) {
        self.browser
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_statuses() {
        assert_eq!(statuses("redirspec: 200 301"), Ok(vec![200, 301]));
        assert!(statuses("redirspec: waiting").is_err());
        assert!(statuses("redirspec: 200 error").is_err());
        assert!(statuses("other").is_err());
        assert!(statuses("").is_err());
    }
}

/// What was the doc example of [`ChromiumClient::page_url`] (the module is internal now).
#[cfg(test)]
mod example {
    use super::ChromiumClient;

    #[test]
    fn page_url() {
        assert_eq!(
            ChromiumClient::page_url("http://127.0.0.1:9/s/start", 2).as_deref(),
            Some("http://127.0.0.1:9/__redirspec/repeat?n=2&path=/s/start")
        );
        assert_eq!(ChromiumClient::page_url("http://127.0.0.1:9/s?q", 2), None);
    }
}
