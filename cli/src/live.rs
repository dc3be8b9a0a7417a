//! What the `redirspec matrix` and `redirspec client` commands do on top of the library's
//! live harness (`redirspec::live`): settings and their ranges, `--fail-on`, the progress
//! printer, the reports written; `main.rs` only parses arguments and maps errors to exit codes.

use redirspec::live::client::ClientUnderTest;
use redirspec::live::command::CommandClient;
use redirspec::live::matrix::{clients_by_name, run, MatrixOptions, MatrixReport};
use redirspec::live::report::{text, text_verbose, write_reports_with};
use redirspec::live::LiveError;
use redirspec::Profile;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::progress::ProgressPrinter;

/// Seed used when none is given.
pub const DEFAULT_SEED: u64 = 0x5EED;
/// Longest [`RunSettings::timeout`] (`--timeout`): an hour.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// Most [`RunSettings::jobs`] (`--jobs`).
pub const MAX_JOBS: usize = 64;
/// Most [`RunSettings::random`] or [`RunSettings::strategies`] scenarios
/// (`--random`, `--strategies`).
pub const MAX_SCENARIOS: usize = 100_000;

/// Settings shared by `matrix` and `client`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// Judge under this profile; `None`: each client under its best match.
    pub profile: Option<Profile>,
    /// Write `matrix.json` and `matrix.html` here.
    pub report_dir: Option<PathBuf>,
    /// Time-out of one scenario for one client.
    pub timeout: Duration,
    /// Clients run at the same time (0: one per core).
    pub jobs: usize,
    /// Random scenarios added to the suite ([`redirspec::live::suite::random`]).
    pub random: usize,
    /// Scenarios drawn from the proptest strategies added to the suite
    /// ([`redirspec::live::from_strategies::from_strategies`]).
    pub strategies: usize,
    /// Seed of the random scenarios.
    pub seed: u64,
    /// Whether the second-request group runs, and the suite with it.
    pub second_request: SecondRequestMode,
    /// Print the whole text report ([`text_verbose`]) instead of one screen ([`text`]).
    pub verbose: bool,
    /// Write a stand-alone reproduction of each MUST or security finding here
    /// ([`redirspec::live::repro::write_findings`]).
    pub repro: Option<PathBuf>,
    /// Write `matrix.json` on one line instead of pretty-printed.
    pub compact_json: bool,
}

/// Which parts run: the fixed suite, the second-request group, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondRequestMode {
    /// Both (the default).
    #[default]
    On,
    /// The suite alone.
    Off,
    /// The second-request group alone.
    Only,
}

impl std::str::FromStr for SecondRequestMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "on" => Ok(SecondRequestMode::On),
            "off" => Ok(SecondRequestMode::Off),
            "only" => Ok(SecondRequestMode::Only),
            other => Err(format!(
                "unknown second-request mode {other:?} (on, off, only)"
            )),
        }
    }
}

impl RunSettings {
    /// Checks every number against its range: `timeout` 1 s to [`MAX_TIMEOUT`], `jobs` at
    /// most [`MAX_JOBS`], `random` and `strategies` at most [`MAX_SCENARIOS`].
    ///
    /// # Errors
    /// [`LiveError::BadSettings`] naming the first value out of range.
    pub fn check(&self) -> Result<(), LiveError> {
        let bad = |what: String| Err(LiveError::BadSettings(what));
        if self.timeout < Duration::from_secs(1) || self.timeout > MAX_TIMEOUT {
            return bad(format!(
                "timeout {:?} is not between 1 s and {} s",
                self.timeout,
                MAX_TIMEOUT.as_secs()
            ));
        }
        if self.jobs > MAX_JOBS {
            return bad(format!("jobs {} is more than {MAX_JOBS}", self.jobs));
        }
        for (name, n) in [("random", self.random), ("strategies", self.strategies)] {
            if n > MAX_SCENARIOS {
                return bad(format!("{name} {n} is more than {MAX_SCENARIOS}"));
            }
        }
        Ok(())
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            profile: None,
            report_dir: None,
            timeout: Duration::from_secs(10),
            jobs: 0,
            random: 0,
            strategies: 0,
            seed: DEFAULT_SEED,
            second_request: SecondRequestMode::On,
            verbose: false,
            repro: None,
            compact_json: false,
        }
    }
}

fn options(clients: Vec<Box<dyn ClientUnderTest>>, settings: &RunSettings) -> MatrixOptions {
    let mut opts = MatrixOptions::new(clients);
    opts.profile = settings.profile;
    opts.timeout = settings.timeout;
    if settings.jobs > 0 {
        opts.jobs = settings.jobs;
    }
    opts.scenarios.extend(redirspec::live::suite::random(
        settings.seed,
        settings.random,
    ));
    opts.scenarios
        .extend(redirspec::live::from_strategies::from_strategies(
            settings.seed,
            settings.strategies,
        ));
    match settings.second_request {
        SecondRequestMode::On => {}
        SecondRequestMode::Off => opts.repeat.clear(),
        SecondRequestMode::Only => opts.scenarios.clear(),
    }
    opts
}

fn finish(
    report: MatrixReport,
    opts: &MatrixOptions,
    settings: &RunSettings,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<MatrixReport, LiveError> {
    let io = |source| LiveError::Io {
        context: "stdout".to_owned(),
        error: source,
    };
    let shown = if settings.verbose {
        text_verbose(&report)
    } else {
        text(&report)
    };
    stdout.write_all(shown.as_bytes()).map_err(io)?;
    if let Some(dir) = &settings.report_dir {
        let (json, html) = write_reports_with(&report, dir, settings.compact_json)?;
        let _ = writeln!(stderr, "wrote {} and {}", json.display(), html.display());
    }
    if let Some(dir) = &settings.repro {
        let written =
            redirspec::live::repro::write_findings(dir, &opts.clients, &opts.scenarios, &report)?;
        let _ = writeln!(
            stderr,
            "wrote {} reproductions under {} (sh <folder>/run.sh):",
            written.len(),
            dir.display()
        );
        for (folder, line) in &written {
            let _ = writeln!(stderr, "  sh {}/run.sh  # {line}", folder.display());
        }
    }
    Ok(report)
}

/// `redirspec matrix`: runs the suite against `clients` (a comma-separated list, or `all`),
/// prints the matrix on `stdout`, progress on stderr, and writes the reports. When the list
/// asks for the browser view ([`wanted`]), the view's browsers run on a thread of their own
/// while the matrix runs (one more browser process at a time, not a second phase), and the
/// view is printed after the matrix, as before.
///
/// # Errors
/// [`LiveError::BadSettings`] for a number out of range ([`RunSettings::check`]);
/// [`LiveError::UnknownClient`] for an unknown client name; [`LiveError::Io`] or
/// [`LiveError::Json`] when a report cannot be written.
pub fn matrix_command(
    clients: &str,
    settings: &RunSettings,
    stdout: &mut dyn Write,
) -> Result<MatrixReport, LiveError> {
    settings.check()?;
    let view_wanted = wanted(clients) && settings.second_request != SecondRequestMode::Only;
    let clients = clients_by_name(clients)?;
    let opts = options(clients, settings);
    let printer = ProgressPrinter::new(std::io::stderr(), std::io::stderr().is_terminal());
    std::thread::scope(|scope| {
        let view = view_wanted.then(|| {
            std::thread::Builder::new()
                .name("redirspec-browser-view".to_owned())
                .spawn_scoped(scope, || {
                    redirspec::live::browser::view_command(settings.timeout)
                })
        });
        let report = printer.while_running(|| run(&opts, &|p| printer.report(p)));
        let view = match view {
            None => None,
            Some(Ok(handle)) => Some(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            ),
            // No thread to be had: the view runs after the matrix, as it did.
            Some(Err(_)) => Some(redirspec::live::browser::view_command(settings.timeout)),
        };
        let report = finish(report?, &opts, settings, stdout, &mut std::io::stderr())?;
        if let Some(view) = view {
            write_view(&view, settings.report_dir.as_deref(), stdout)?;
        }
        Ok(report)
    })
}

/// `redirspec client --cmd '…' [--cmd-twice '…']`: runs the suite against one program
/// described by a command template (see [`redirspec::live::command`]); with `twice`, a template that
/// makes the program ask twice from one process, the second-request group too (otherwise the
/// group is "not applicable" to it).
///
/// # Errors
/// [`LiveError::BadCommand`] for a template that does not parse; [`LiveError::Unavailable`]
/// when its program is not found; report errors as for [`matrix_command`].
pub fn client_command(
    name: &str,
    template: &str,
    twice: Option<&str>,
    settings: &RunSettings,
    stdout: &mut dyn Write,
) -> Result<MatrixReport, LiveError> {
    settings.check()?;
    let mut client = CommandClient::new(name, template)?;
    if let Some(twice) = twice {
        client = client.with_twice_template(twice)?;
    }
    // The one client of the run: if it cannot run, there is nothing to report.
    client
        .check_available()
        .map_err(|note| LiveError::Unavailable(format!("{name}: {note}")))?;
    let opts = options(vec![Box::new(client)], settings);
    let printer = ProgressPrinter::new(std::io::stderr(), std::io::stderr().is_terminal());
    let report = printer.while_running(|| run(&opts, &|p| printer.report(p)))?;
    finish(report, &opts, settings, stdout, &mut std::io::stderr())
}

/// Whether a `matrix` client list asks for the browser view: `all` (or empty), or a list
/// naming `chromium`.
pub fn wanted(clients: &str) -> bool {
    let names: Vec<&str> = clients
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    names.is_empty() || names == ["all"] || names.contains(&"chromium")
}

/// Prints `view` (what `view_command` returned) after a heading on `out`; with `report_dir`,
/// writes it to `browsers.md` there too.
fn write_view(view: &str, report_dir: Option<&Path>, out: &mut dyn Write) -> Result<(), LiveError> {
    let text = format!(
        "\nModel vs browsers: the fixed suite with fetch() from a page, judged under the Fetch \
         profile's browser reading, without Cookie (a forbidden request header)\n\n{view}"
    );
    out.write_all(text.as_bytes())
        .map_err(|source| LiveError::Io {
            context: "stdout".to_owned(),
            error: source,
        })?;
    if let Some(dir) = report_dir {
        let path = dir.join("browsers.md");
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, &text))
            .map_err(|source| LiveError::Io {
                context: path.display().to_string(),
                error: source,
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wanted;

    #[test]
    fn browser_view_is_wanted_for_all_and_chromium() {
        assert!(wanted("all"));
        assert!(wanted(""));
        assert!(wanted("curl, chromium"));
        assert!(!wanted("curl,reqwest"));
    }
}
