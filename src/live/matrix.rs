//! The matrix: every client through every scenario, judged under every profile.
//!
//! A client runs a scenario once; what it sent does not depend on the profile, so the same
//! observed trace is compared with the model's trace under each of [`Profile::ALL`]. The
//! profile a client is reported under is the one requested, or else the standard it
//! implements ([`ClientUnderTest::reading`]: RFC 9110 for an HTTP library, Fetch for node's
//! fetch and the browsers).

use super::chromium::ChromiumClient;
use super::client::{ClientOutcome, ClientRequest, ClientUnderTest, ReqwestClient, UreqClient};
use super::command::{preset, PRESETS};
use super::compare::{compare, ExpectedTrace, ObservedTrace, RequestView, Verdict};
use super::scenario::Scenario;
use super::second_request::{self, RepeatGroup, RepeatScenario};
use super::server::{RecordedRequest, ScriptedServer, ServerLimits};
use super::sink::{FtpSink, FTP_PLACEHOLDER};
use super::suite::suite;
use super::verdict::expected_trace;
use super::LiveError;
use crate::Profile;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Names accepted by [`clients_by_name`], in display order.
pub fn client_names() -> Vec<&'static str> {
    let mut v = vec!["reqwest", "ureq"];
    v.extend_from_slice(PRESETS);
    v.push(super::go::NAME);
    v.push("chromium");
    v
}

/// One client by name: `reqwest`, `ureq`, `chromium`, or a command preset.
///
/// # Errors
/// [`LiveError::UnknownClient`] for any other name.
pub fn client_by_name(name: &str) -> Result<Box<dyn ClientUnderTest>, LiveError> {
    Ok(match name {
        "reqwest" => Box::new(ReqwestClient),
        "ureq" => Box::new(UreqClient),
        "chromium" => Box::new(ChromiumClient::default()),
        super::go::NAME => Box::new(super::go::client()?),
        other => Box::new(preset(other)?),
    })
}

/// Clients from a comma-separated list; `all` (or an empty list) means every known client.
///
/// # Errors
/// [`LiveError::UnknownClient`] for a name that is not known.
pub fn clients_by_name(list: &str) -> Result<Vec<Box<dyn ClientUnderTest>>, LiveError> {
    let names: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() || names == ["all"] {
        return client_names().into_iter().map(client_by_name).collect();
    }
    names.into_iter().map(client_by_name).collect()
}

/// What to run.
pub struct MatrixOptions {
    /// The clients.
    pub clients: Vec<Box<dyn ClientUnderTest>>,
    /// Judge every client under this profile; `None`: under the one it matches best.
    pub profile: Option<Profile>,
    /// The scenarios (default: [`suite()`]).
    pub scenarios: Vec<Scenario>,
    /// The second-request group (default: [`second_request::scenarios()`]; empty: not run).
    pub repeat: Vec<RepeatScenario>,
    /// Time-out of one scenario for one client.
    pub timeout: Duration,
    /// Clients run at the same time.
    pub jobs: usize,
    /// Server bounds.
    pub limits: ServerLimits,
}

impl MatrixOptions {
    /// The whole suite for `clients`, best profile, 10 s per scenario, one job per core.
    pub fn new(clients: Vec<Box<dyn ClientUnderTest>>) -> Self {
        MatrixOptions {
            clients,
            profile: None,
            scenarios: suite(),
            repeat: second_request::scenarios(),
            timeout: Duration::from_secs(10),
            jobs: std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            limits: ServerLimits::default(),
        }
    }
}

/// Progress, reported as it happens (the CLI prints it on stderr).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// The run started.
    Started {
        /// Clients to run.
        clients: usize,
    },
    /// A client is available and starts its scenarios.
    ClientStarted {
        /// Client name.
        client: &'a str,
        /// Scenarios it will run (suite and second-request group).
        total: usize,
    },
    /// A client is not available here.
    ClientSkipped {
        /// Client name.
        client: &'a str,
        /// Why.
        note: &'a str,
    },
    /// A scenario finished for a client.
    ScenarioDone {
        /// Client name.
        client: &'a str,
        /// Scenario name.
        scenario: &'a str,
        /// Scenarios done for this client.
        done: usize,
        /// Scenarios in all for this client.
        total: usize,
    },
    /// A client finished.
    ClientDone {
        /// Client name.
        client: &'a str,
        /// The profile it is reported under.
        profile: &'a str,
        /// Scenarios conforming under that profile.
        conforms: usize,
        /// Scenarios run.
        total: usize,
        /// Second-request scenarios conforming and run (`None`: not applicable or not run).
        second_request: Option<(usize, usize)>,
        /// The second-request group's departures by level (`None` as for `second_request`).
        second_request_levels: Option<LevelCounts>,
        /// Whether it caches redirects (`yes`, `no`, `partly`, `-`).
        caches: &'a str,
        /// Divergences by level under `profile`.
        levels: Option<LevelCounts>,
    },
}

/// The verdict under one profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileVerdict {
    /// Profile name.
    pub profile: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The model's trace.
    pub expected: ExpectedTrace,
}

/// One scenario for one client.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    /// Scenario name.
    pub name: String,
    /// Scenario group.
    pub group: String,
    /// What it checks.
    pub about: String,
    /// The start URL used.
    pub start_url: String,
    /// What the client's caller saw.
    pub outcome: ClientOutcome,
    /// Requests as compared.
    pub observed: Vec<RequestView>,
    /// Requests as they arrived (raw headers and body).
    pub recorded: Vec<RecordedRequest>,
    /// Connections without a parsable request.
    pub bad_connections: Vec<String>,
    /// Connections to the scenario's non-http(s) listener (`ftp:`): the client followed there.
    pub elsewhere: Vec<String>,
    /// Verdict per profile, in [`Profile::ALL`] order.
    pub verdicts: Vec<ProfileVerdict>,
    /// A harness failure (port not bound, model error) instead of verdicts.
    pub harness_error: Option<String>,
    /// Wall time of the scenario, milliseconds.
    pub elapsed_ms: u64,
}

impl ScenarioReport {
    /// The report of `scenario` before it runs: nothing observed, the outcome "not run".
    pub(crate) fn not_run(scenario: &Scenario) -> Self {
        ScenarioReport {
            name: scenario.name.clone(),
            group: scenario.group.to_owned(),
            about: scenario.about.clone(),
            start_url: String::new(),
            outcome: ClientOutcome::Failed {
                message: "not run".to_owned(),
            },
            observed: Vec::new(),
            recorded: Vec::new(),
            bad_connections: Vec::new(),
            elsewhere: Vec::new(),
            verdicts: Vec::new(),
            harness_error: None,
            elapsed_ms: 0,
        }
    }

    /// The verdict under `profile`, if it was computed.
    pub fn verdict(&self, profile: &str) -> Option<&ProfileVerdict> {
        self.verdicts.iter().find(|v| v.profile == profile)
    }

    /// Whether the scenario conforms under `profile`.
    pub fn conforms(&self, profile: &str) -> bool {
        self.verdict(profile).is_some_and(|v| v.verdict.conforms())
    }
}

/// Conformance count under one profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileTotal {
    /// Profile name.
    pub profile: String,
    /// Scenarios conforming.
    pub conforms: usize,
    /// Scenarios run.
    pub total: usize,
}

/// A client's divergences under one profile, by the level of the rule they break: the
/// headline of a report. A scenario counts once, at the most serious level among the fields
/// that differ; `security` counts the scenarios where one of those fields is guarded by a
/// security rule (they are also counted at their level). The second-request group has its
/// own ([`RepeatGroup::levels`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    /// Profile name (`second-request` for that group's counts, the same under every profile).
    pub profile: &'static str,
    /// Scenarios breaking a MUST.
    pub must: usize,
    /// Scenarios breaking a security rule (credentials, schemes), at any level.
    pub security: usize,
    /// Scenarios departing from a SHOULD (and no MUST).
    pub should: usize,
    /// Scenarios where the client made another choice the spec leaves open (not failures).
    pub may: usize,
    /// Scenarios without any divergence.
    pub conforms: usize,
    /// Scenarios where the harness failed (no verdict).
    pub harness: usize,
    /// Scenarios run.
    pub total: usize,
}

impl LevelCounts {
    /// Counts `scenarios` under `profile`.
    pub fn of(scenarios: &[ScenarioReport], profile: Profile) -> Self {
        let mut c = LevelCounts {
            profile: profile.as_str(),
            total: scenarios.len(),
            ..LevelCounts::default()
        };
        for s in scenarios {
            match (&s.harness_error, s.verdict(profile.as_str())) {
                (None, Some(v)) => match v.verdict.divergence() {
                    None => c.conforms += 1,
                    Some(d) => c.count(d.level(), d.security()),
                },
                _ => c.harness += 1,
            }
        }
        c
    }

    /// Counts one departure at `level` (and under `security` when a security rule guards it).
    pub fn count(&mut self, level: crate::check::Level, security: bool) {
        if security {
            self.security += 1;
        }
        match level {
            crate::check::Level::Must => self.must += 1,
            crate::check::Level::Should => self.should += 1,
            _ => self.may += 1,
        }
    }

    /// Whether there is a MUST, security or SHOULD departure (MAY choices are not failures).
    pub fn fails(&self) -> bool {
        self.must + self.security + self.should > 0
    }

    /// Adds `other`'s departures, conforming and harness counts and total (the headline of a
    /// client: its suite under its profile plus its second-request group).
    pub fn plus(mut self, other: &LevelCounts) -> Self {
        self.must += other.must;
        self.security += other.security;
        self.should += other.should;
        self.may += other.may;
        self.conforms += other.conforms;
        self.harness += other.harness;
        self.total += other.total;
        self
    }

    /// `MUST 3 · security 2 · SHOULD 5 · MAY 4`.
    pub fn headline(&self) -> String {
        format!(
            "MUST {} · security {} · SHOULD {} · MAY {}",
            self.must, self.security, self.should, self.may
        )
    }
}

/// One client's results.
#[derive(Debug, Clone, Serialize)]
pub struct ClientReport {
    /// Client name.
    pub name: String,
    /// Client description.
    pub description: String,
    /// Why the client did not run, when it did not.
    pub skipped: Option<String>,
    /// The profile the client is reported under (`None` when skipped).
    pub profile: Option<String>,
    /// Whether `profile` was requested (`false`: the best match was chosen).
    pub profile_requested: bool,
    /// Conformance per profile.
    pub totals: Vec<ProfileTotal>,
    /// Divergences by level per profile, in [`Profile::ALL`] order (the headline is the
    /// reported profile's, [`ClientReport::levels`]).
    pub levels_by_profile: Vec<LevelCounts>,
    /// What the client did, in plain words (see [`super::facts`]).
    pub facts: Vec<super::facts::Fact>,
    /// Why the fixed suite was not run for a client that ran (a browser runs the
    /// second-request group only).
    pub suite_skipped: Option<String>,
    /// Per scenario.
    pub scenarios: Vec<ScenarioReport>,
    /// The second-request group (see [`second_request`]).
    pub second_request: RepeatGroup,
    /// The second-request group's departures by level ([`RepeatGroup::levels`]).
    pub second_request_levels: LevelCounts,
    /// Wall time, milliseconds.
    pub elapsed_ms: u64,
}

impl ClientReport {
    /// The reported profile's divergences by level.
    pub fn levels(&self) -> Option<&LevelCounts> {
        let p = self.profile.as_deref()?;
        self.levels_by_profile.iter().find(|l| l.profile == p)
    }

    /// Everything the client is judged on, by level: its suite under its profile
    /// ([`levels`](Self::levels)) plus its second-request group
    /// ([`second_request_levels`](Self::second_request_levels)). What `--fail-on` reads.
    pub fn all_levels(&self) -> LevelCounts {
        self.levels()
            .copied()
            .unwrap_or_default()
            .plus(&self.second_request_levels)
    }

    /// The reported profile's total.
    pub fn total(&self) -> Option<&ProfileTotal> {
        let p = self.profile.as_deref()?;
        self.totals.iter().find(|t| t.profile == p)
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixReport {
    /// redirspec version.
    pub version: String,
    /// Seconds since the Unix epoch at the start.
    pub started_unix: u64,
    /// Wall time, milliseconds.
    pub elapsed_ms: u64,
    /// Scenario groups in display order.
    pub groups: Vec<String>,
    /// Scenarios that were not run, with the reason.
    pub skipped_scenarios: Vec<(String, String)>,
    /// The second-request group's scenarios that were run: name, what it checks, the spec
    /// sentence, and whether the model lets a client skip the start URL the second time.
    pub second_request: Vec<RepeatSummary>,
    /// Per client, in the order given.
    pub clients: Vec<ClientReport>,
}

/// One scenario of the second-request group, as listed in a report.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatSummary {
    /// Scenario name.
    pub name: String,
    /// What it checks.
    pub about: String,
    /// The spec sentence.
    pub rfc: String,
    /// The model lets a client go straight to the remembered target the second time.
    pub model_may_recall: bool,
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Runs one scenario for one client and judges it under every profile.
pub fn run_scenario(
    client: &dyn ClientUnderTest,
    scenario: &Scenario,
    timeout: Duration,
    limits: ServerLimits,
) -> ScenarioReport {
    let started = Instant::now();
    let mut report = ScenarioReport::not_run(scenario);
    // A non-http(s) target gets a listener, so that a client that connects there shows.
    let sink = if mentions_ftp(scenario) {
        match FtpSink::start() {
            Ok(s) => Some(s),
            Err(e) => {
                report.harness_error = Some(format!("cannot start the ftp: listener: {e}"));
                return report;
            }
        }
    } else {
        None
    };
    let concrete;
    let scenario = match &sink {
        Some(s) => {
            concrete = with_ftp_origin(scenario, &s.origin());
            &concrete
        }
        None => scenario,
    };
    let server = match ScriptedServer::start_for_client(scenario, limits, timeout) {
        Ok(s) => s,
        Err(e) => {
            report.harness_error = Some(e.to_string());
            return report;
        }
    };
    let origins = server.origins();
    report.start_url = origins.expand(&scenario.start);
    let request = ClientRequest {
        method: scenario.method.clone(),
        url: report.start_url.clone(),
        headers: scenario.request_headers(),
        body: scenario.request_body().map(<[u8]>::to_vec),
        timeout,
    };
    let outcome = client.execute(&request);
    let trace = server.finish();
    let elsewhere = sink.map(FtpSink::finish).unwrap_or_default();
    let observed = ObservedTrace::from_server(&trace, &origins, outcome, elsewhere);
    for profile in Profile::ALL {
        match expected_trace(scenario, origins, profile.as_str(), profile.policy()) {
            Ok(expected) => report.verdicts.push(ProfileVerdict {
                profile: profile.as_str().to_owned(),
                verdict: compare(&expected, &observed),
                expected,
            }),
            Err(e) => report.harness_error = Some(e.to_string()),
        }
    }
    report.outcome = observed.outcome;
    report.observed = observed.requests;
    report.recorded = trace.requests;
    report.bad_connections = trace.bad_connections;
    report.elsewhere = observed.elsewhere;
    report.elapsed_ms = elapsed_ms(started);
    report
}

fn mentions_ftp(s: &Scenario) -> bool {
    s.responses
        .iter()
        .chain(s.routes.iter().map(|(_, r)| r))
        .any(|r| r.locations.iter().any(|l| l.contains(FTP_PLACEHOLDER)))
}

/// The scenario with [`FTP_PLACEHOLDER`] replaced by the sink's origin.
fn with_ftp_origin(s: &Scenario, origin: &str) -> Scenario {
    let mut s = s.clone();
    let fill = |r: &mut super::scenario::ScriptedResponse| {
        for l in &mut r.locations {
            *l = l.replace(FTP_PLACEHOLDER, origin);
        }
    };
    s.responses.iter_mut().for_each(fill);
    s.routes.iter_mut().for_each(|(_, r)| fill(r));
    s
}

/// Runs every scenario of `opts` for one client.
pub fn run_client(
    client: &dyn ClientUnderTest,
    opts: &MatrixOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> ClientReport {
    let started = Instant::now();
    let mut report = ClientReport {
        name: client.name().to_owned(),
        description: client.describe(),
        skipped: None,
        profile: None,
        profile_requested: opts.profile.is_some(),
        totals: Vec::new(),
        levels_by_profile: Vec::new(),
        facts: Vec::new(),
        suite_skipped: None,
        scenarios: Vec::new(),
        second_request: RepeatGroup::not_applicable("not run"),
        second_request_levels: LevelCounts::default(),
        elapsed_ms: 0,
    };
    if let Err(note) = client.check_available() {
        progress(Progress::ClientSkipped {
            client: client.name(),
            note: &note,
        });
        report.skipped = Some(note);
        return report;
    }
    let suite: &[Scenario] = match client.runs_suite() {
        Ok(()) => &opts.scenarios,
        Err(note) => {
            report.suite_skipped = Some(note);
            &[]
        }
    };
    let repeats = if client.repeats().is_ok() {
        opts.repeat.len()
    } else {
        0
    };
    let all = suite.len() + repeats;
    progress(Progress::ClientStarted {
        client: client.name(),
        total: all,
    });
    let mut done = 0;
    for scenario in suite {
        report
            .scenarios
            .push(run_scenario(client, scenario, opts.timeout, opts.limits));
        done += 1;
        progress(Progress::ScenarioDone {
            client: client.name(),
            scenario: &scenario.name,
            done,
            total: all,
        });
    }
    report.second_request = if opts.repeat.is_empty() {
        RepeatGroup::not_applicable("not run")
    } else {
        RepeatGroup::run(
            client,
            &opts.repeat,
            opts.timeout,
            opts.limits,
            &mut |name| {
                done += 1;
                progress(Progress::ScenarioDone {
                    client: client.name(),
                    scenario: name,
                    done,
                    total: all,
                });
            },
        )
    };
    client.end_run();
    report.second_request_levels = report.second_request.levels();
    let total = suite.len();
    report.totals = Profile::ALL
        .iter()
        .map(|p| ProfileTotal {
            profile: p.as_str().to_owned(),
            conforms: report
                .scenarios
                .iter()
                .filter(|s| s.conforms(p.as_str()))
                .count(),
            total,
        })
        .collect();
    report.levels_by_profile = Profile::ALL
        .iter()
        .map(|p| LevelCounts::of(&report.scenarios, *p))
        .collect();
    let chosen = match opts.profile {
        Some(p) => p.as_str().to_owned(),
        None => {
            // The standard the client implements: RFC 9110 for an HTTP library, Fetch
            // for node's fetch and the browsers. A client is judged against what it
            // claims, not against the reading it happens to fit best (a best fit hid
            // MUSTs behind another profile's SHOULDs, and put libraries under the
            // obsolete RFC 2616 reading). Every profile's counts stay in the report.
            client.reading().as_str().to_owned()
        }
    };
    let conforms = report
        .scenarios
        .iter()
        .filter(|s| s.conforms(&chosen))
        .count();
    progress(Progress::ClientDone {
        client: client.name(),
        profile: &chosen,
        conforms,
        total,
        second_request: report
            .second_request
            .not_applicable
            .is_none()
            .then(|| report.second_request.counts()),
        second_request_levels: report
            .second_request
            .not_applicable
            .is_none()
            .then_some(report.second_request_levels),
        caches: &report.second_request.caches,
        levels: report
            .levels_by_profile
            .iter()
            .find(|l| l.profile == chosen)
            .copied(),
    });
    report.profile = Some(chosen);
    report.facts = super::facts::facts(&report.scenarios);
    report.elapsed_ms = elapsed_ms(started);
    report
}

/// Runs the matrix: clients in parallel (up to `opts.jobs`), scenarios in order.
///
/// # Errors
/// None today; the `Result` leaves room for set-up failures (the signature is the CLI's).
pub fn run(
    opts: &MatrixOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<MatrixReport, LiveError> {
    let started = Instant::now();
    let started_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let slots: Mutex<Vec<Option<ClientReport>>> = Mutex::new(vec![None; opts.clients.len()]);
    // Slowest first, so that the jobs finish together; results keep the given order.
    let mut order: Vec<usize> = (0..opts.clients.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(opts.clients.get(*i).map_or(0, |c| c.cost_hint_ms())));
    let next = AtomicUsize::new(0);
    let workers = opts.jobs.clamp(1, opts.clients.len().max(1));
    progress(Progress::Started {
        clients: opts.clients.len(),
    });
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let Some(client) = opts.clients.get(i) else {
                        break;
                    };
                    let r = run_client(client.as_ref(), opts, progress);
                    if let Some(slot) = slots
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get_mut(i)
                    {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let clients = slots
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect();
    Ok(MatrixReport {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        started_unix,
        elapsed_ms: elapsed_ms(started),
        groups: super::suite::GROUPS
            .iter()
            .filter(|g| opts.scenarios.iter().any(|s| s.group == **g))
            .map(|g| (*g).to_owned())
            .collect(),
        skipped_scenarios: super::suite::SKIPPED
            .iter()
            .map(|(n, why)| ((*n).to_owned(), (*why).to_owned()))
            .collect(),
        second_request: opts
            .repeat
            .iter()
            .map(|r| RepeatSummary {
                name: r.scenario.name.clone(),
                about: r.scenario.about.clone(),
                rfc: r.rfc.to_owned(),
                model_may_recall: second_request::model_may_recall(r),
            })
            .collect(),
        clients,
    })
}
