//! Chromium, headless, as a client of the second-request group: the one common client with an
//! HTTP cache that keeps redirects.
//!
//! A browser is driven through a page: the scripted server serves
//! [`REPEAT_PAGE`], whose script calls `fetch(path)` twice in a row
//! (default cache mode) and writes the statuses into the page title; `chromium --headless
//! --dump-dom` prints the page once its scripts have run (`--virtual-time-budget` lets pending
//! fetches finish first). Each run gets a fresh profile folder, so nothing is remembered from
//! an earlier run, and `HOME` and the XDG folders point into the run's scratch folder. Without
//! `--disable-background-networking` and the other flags below, Chromium spends its time on
//! connections a closed machine cannot make.
//!
//! Chromium runs this group only: the fixed suite's requests (POST bodies, Authorization,
//! other origins) cannot be made from a page the same way a library makes them.

use super::client::{millis, one_line, ClientOutcome, ClientRequest, ClientUnderTest};
use super::command::{run_bounded_with_env, run_in_scratch, Finished};
use super::page::REPEAT_PAGE;
use super::scratch::Scratch;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Headless Chromium (`/usr/bin/chromium` unless another program is given).
#[derive(Debug, Clone)]
pub struct ChromiumClient {
    program: PathBuf,
}

impl Default for ChromiumClient {
    fn default() -> Self {
        ChromiumClient {
            program: PathBuf::from("/usr/bin/chromium"),
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

    fn argv(&self, profile: &Path, page: &str) -> Vec<String> {
        let mut argv = vec![self.program.display().to_string()];
        argv.extend(HEADLESS_FLAGS.map(str::to_owned));
        argv.push("--virtual-time-budget=5000".to_owned());
        argv.push(format!("--user-data-dir={}", profile.display()));
        argv.push("--dump-dom".to_owned());
        argv.push(page.to_owned());
        argv
    }
}

/// The statuses in the dumped page's title (`redirspec: 200 200`), or why there are none.
fn statuses(dom: &str) -> Result<Vec<u16>, String> {
    let title = dom
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(t, _)| t.trim())
        .ok_or_else(|| "no page title in the dumped page".to_owned())?;
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
/// Shared by the second-request client and the browser rows ([`super::browser`]).
pub(crate) const HEADLESS_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
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
        // Everything Chromium writes stays in the scratch folder, removed after the run.
        let ran = Scratch::new().and_then(|dir| {
            let profile = dir.create_dir("profile")?;
            let env = [
                ("HOME", dir.path()),
                ("XDG_CONFIG_HOME", dir.path()),
                ("XDG_CACHE_HOME", dir.path()),
            ];
            run_bounded_with_env(
                &self.argv(&profile, &page),
                dir.path(),
                request.timeout,
                &env,
            )
        });
        match ran {
            Err(e) => ClientOutcome::Failed {
                message: one_line(&format!("could not run {}: {e}", self.program.display())),
            },
            Ok(Finished::TimedOut) => ClientOutcome::TimedOut {
                after_ms: millis(request.timeout),
            },
            Ok(Finished::Exited {
                success: false,
                code,
                stderr,
                ..
            }) => ClientOutcome::Failed {
                message: one_line(&format!(
                    "exit {code}: {}",
                    String::from_utf8_lossy(&stderr)
                        .lines()
                        .last()
                        .unwrap_or_default()
                )),
            },
            Ok(Finished::Exited {
                success: true,
                stdout,
                ..
            }) => match statuses(&String::from_utf8_lossy(&stdout)) {
                Ok(s) if s.len() == 2 => ClientOutcome::Delivered {
                    status: s.last().copied(),
                },
                Ok(s) => ClientOutcome::Failed {
                    message: format!("the page made {} fetches, not 2", s.len()),
                },
                Err(message) => ClientOutcome::Failed {
                    message: one_line(&message),
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_statuses() {
        assert_eq!(
            statuses("<html><head><title>redirspec: 200 301</title>"),
            Ok(vec![200, 301])
        );
        assert!(statuses("<title>redirspec: waiting</title>").is_err());
        assert!(statuses("<title>redirspec: 200 error</title>").is_err());
        assert!(statuses("<title>other</title>").is_err());
        assert!(statuses("no title").is_err());
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
